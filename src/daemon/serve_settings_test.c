/* Tests of `hostsd serve`'s settings from DIR/hostsd.conf: defaults when
 * the file is missing, every setting carried into the engine config and
 * the subsystem table, errors naming the file and line, and the engine
 * config comparison SIGHUP uses to decide whether to replace listeners. */
#include "daemon/serve_settings.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <hostsd/limits.h>

#include "daemon/log.h"
#include "hs_test.h"

static char dir[] = "/tmp/hsd-serve-settings-XXXXXX";

static void write_conf(const char *text)
{
	char path[512];
	snprintf(path, sizeof path, "%s/hostsd.conf", dir);
	FILE *f = fopen(path, "w");
	if (f == NULL)
		return;
	fputs(text, f);
	fclose(f);
}

static void test_defaults(void)
{
	struct hsd_serve_settings s;
	char err[512];
	CHECK_EQ_INT(hsd_serve_settings_load(dir, &s, err, sizeof err), 0);
	CHECK_EQ_INT(s.nlisten, 1);
	CHECK(strcmp(s.listen[0].addr, "0.0.0.0") == 0);
	CHECK_EQ_INT(s.listen[0].port, 2222);
	CHECK_EQ_INT(s.subsystems.n, 0);
	CHECK(strstr(s.host_key_path, "/host_ed25519") != NULL);
	CHECK(strstr(s.config_path, "/hostsd.conf") != NULL);
	CHECK_EQ_INT(s.log_level, -1);
	CHECK_EQ_INT(s.shutdown_timeout, 30);
	CHECK_EQ_INT(s.max_connections_per_host, 16);
	CHECK_EQ_INT(s.max_sessions, 10);
	CHECK_STR(s.user, "hostsd");
	CHECK_STR(hsd_subsystem_account_spec(&s.subsystem_users, "echo", NULL), "nobody");
	CHECK_STR(s.subsystem_directory, "/");
	CHECK_EQ_INT(s.subsystem_umask, 077);
	CHECK_EQ_INT(s.subsystem_limits.processes, 512);
	CHECK_EQ_INT(s.subsystem_limits.open_files, 1024);
	CHECK_EQ_INT(s.subsystem_limits.cpu_seconds, 0);
	CHECK_EQ_INT(s.subsystem_limits.memory_bytes, 0);
	CHECK_EQ_INT(s.engine.login_grace_seconds, HS_LOGIN_GRACE_DEFAULT);
	char cerr[256];
	CHECK_EQ_INT(hs_config_check(&s.engine, cerr, sizeof cerr), 0);
	hsd_serve_settings_clear(&s);
	CHECK(s.host_key_path == NULL && s.subsystems.n == 0);
}

static void test_values(void)
{
	struct hsd_serve_settings s, t;
	char err[512];
	write_conf(
		"# a comment\n"
		"listen 127.0.0.1:2200\n"
		"listen [::1]:2201\n"
		"subsystem echo=cat\n"
		"subsystem fail=exit 3 # not a comment\n"
		"login_grace_time 7\n"
		"max_unauthenticated 20\n"
		"max_unauthenticated_per_source 5\n"
		"max_dh_computations 3\n"
		"max_auth_tries 3\n"
		"max_channels 8\n"
		"rekey_bytes 64M\n"
		"rekey_seconds 600\n"
		"keepalive 15\n"
		"shutdown_timeout 4\n"
		"log_level debug\n"
		"profile angelos,classic\n"
		"kex_algorithms diffie-hellman-group14-sha256\n"
		"ciphers aes128-ctr\n"
		"macs hmac-sha2-512\n"
		"host_key_algorithms angelos-tongues\n"
		"pubkey_algorithms rsa-sha2-256\n"
		"compression zlib\n"
		"user nobody:nogroup\n"
		"subsystem_user *=daemon\n"
		"subsystem_user echo=root\n"
		"subsystem_directory /tmp\n"
		"subsystem_umask 022\n"
		"subsystem_max_processes 20\n"
		"subsystem_max_open_files 64\n"
		"subsystem_max_cpu 5\n"
		"subsystem_max_memory 1G\n");
	CHECK_EQ_INT(hsd_serve_settings_load(dir, &s, err, sizeof err), 0);
	CHECK_EQ_INT(s.nlisten, 2);
	CHECK_EQ_INT(s.listen[0].port, 2200);
	CHECK_EQ_INT(s.listen[1].ipv6, 1);
	CHECK_EQ_INT(s.subsystems.n, 2);
	CHECK(strcmp(hsd_subsystems_get(&s.subsystems, "echo"), "cat") == 0);
	CHECK(strcmp(hsd_subsystems_get(&s.subsystems, "fail"), "exit 3 # not a comment") == 0);
	CHECK_EQ_INT(s.engine.login_grace_seconds, 7);
	CHECK_EQ_INT(s.engine.max_unauthenticated, 20);
	CHECK_EQ_INT(s.engine.max_unauthenticated_per_source, 5);
	CHECK_EQ_INT(s.engine.max_dh_computations, 3);
	CHECK_EQ_INT(s.engine.max_auth_tries, 3);
	CHECK_EQ_INT(s.engine.max_channels, 8);
	CHECK(s.engine.rekey_bytes == 64ull * 1024 * 1024);
	CHECK_EQ_INT(s.engine.rekey_seconds, 600);
	CHECK_EQ_INT(s.engine.keepalive_seconds, 15);
	CHECK_EQ_INT(s.shutdown_timeout, 4);
	CHECK_EQ_INT(s.log_level, HSD_LOG_DEBUG);
	CHECK_STR(s.engine.profiles, "angelos,classic");
	CHECK_STR(s.engine.kex_algorithms, "diffie-hellman-group14-sha256");
	CHECK_STR(s.engine.ciphers, "aes128-ctr");
	CHECK_STR(s.engine.macs, "hmac-sha2-512");
	CHECK_STR(s.engine.host_key_algorithms, "angelos-tongues");
	CHECK_STR(s.engine.public_key_algorithms, "rsa-sha2-256");
	CHECK_STR(s.engine.compression, "zlib");
	CHECK_STR(s.user, "nobody:nogroup");
	CHECK_STR(hsd_subsystem_account_spec(&s.subsystem_users, "echo", NULL), "root");
	CHECK_STR(hsd_subsystem_account_spec(&s.subsystem_users, "fail", NULL), "daemon");
	CHECK_STR(s.subsystem_directory, "/tmp");
	CHECK_EQ_INT(s.subsystem_umask, 022);
	CHECK_EQ_INT(s.subsystem_limits.processes, 20);
	CHECK_EQ_INT(s.subsystem_limits.open_files, 64);
	CHECK_EQ_INT(s.subsystem_limits.cpu_seconds, 5);
	CHECK(s.subsystem_limits.memory_bytes == 1024ull * 1024 * 1024);
	char cerr[256];
	CHECK_EQ_INT(hs_config_check(&s.engine, cerr, sizeof cerr), 0);

	/* same file, same engine config; one limit changed, not the same */
	CHECK_EQ_INT(hsd_serve_settings_load(dir, &t, err, sizeof err), 0);
	CHECK(hsd_engine_config_equal(&s.engine, &t.engine));
	t.engine.max_unauthenticated_per_source = 6;
	CHECK(!hsd_engine_config_equal(&s.engine, &t.engine));
	t.engine.max_unauthenticated_per_source = 5;
	t.engine.max_dh_computations = 1;
	CHECK(!hsd_engine_config_equal(&s.engine, &t.engine));
	t.engine.max_dh_computations = 3;
	t.engine.banner = "hello";
	CHECK(!hsd_engine_config_equal(&s.engine, &t.engine));
	t.engine.banner = NULL;
	t.engine.compression = "none";
	CHECK(!hsd_engine_config_equal(&s.engine, &t.engine));
	t.engine.compression = s.engine.compression;
	t.engine.profiles = NULL;
	CHECK(!hsd_engine_config_equal(&s.engine, &t.engine));
	t.engine.profiles = s.engine.profiles;
	CHECK(hsd_engine_config_equal(&s.engine, &t.engine));
	hsd_serve_settings_clear(&s);
	hsd_serve_settings_clear(&t);
}

static void test_errors(void)
{
	struct hsd_serve_settings s;
	char err[512];
	write_conf("listen 127.0.0.1:2200\nsubsystem echo\n");
	CHECK(hsd_serve_settings_load(dir, &s, err, sizeof err) != 0);
	CHECK(strstr(err, "hostsd.conf") != NULL && strstr(err, ":2") != NULL);
	CHECK(s.host_key_path == NULL && s.subsystems.n == 0);
	write_conf("# x\n\nciphers aes256-cbc\n");
	CHECK(hsd_serve_settings_load(dir, &s, err, sizeof err) != 0);
	CHECK(strstr(err, "hostsd.conf:3: ciphers: \"aes256-cbc\" is a weak algorithm") != NULL);
	write_conf("login_grace_time forever\n");
	CHECK(hsd_serve_settings_load(dir, &s, err, sizeof err) != 0);
	CHECK(strstr(err, "hostsd.conf:1") != NULL);
	/* a state directory path that cannot fit */
	static char longdir[8192];
	memset(longdir, 'a', sizeof longdir - 1);
	CHECK(hsd_serve_settings_load(longdir, &s, err, sizeof err) != 0);
}

int main(void)
{
	char path[512];
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	test_defaults();
	test_values();
	test_errors();
	snprintf(path, sizeof path, "%s/hostsd.conf", dir);
	unlink(path);
	rmdir(dir);
	return hs_test_done();
}
