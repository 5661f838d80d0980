/* Tests of the configuration file: defaults, every setting, the template
 * `hostsd init` writes (it must list every setting with its true
 * default), and mistakes reported with file and line. */
#include "daemon/config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon/log.h"
#include <hostsd/limits.h>
#include <hostsd/server.h>

#include "hs_test.h"

static int parse(struct hsd_config *c, const char *text, char *err, size_t errlen)
{
	hsd_config_init(c);
	return hsd_config_parse(c, text, strlen(text), "test.conf", err, errlen);
}

static void check_defaults(const struct hsd_config *c)
{
	CHECK_EQ_INT(c->nlisten, 1);
	CHECK(strcmp(c->listen[0].addr, "0.0.0.0") == 0);
	CHECK_EQ_INT(c->listen[0].port, 2222);
	CHECK_EQ_INT(c->subsystems.n, 0);
	/* the engine's settings: the engine's defaults */
	CHECK_EQ_INT(c->login_grace_time, HS_LOGIN_GRACE_DEFAULT);
	CHECK_EQ_INT(c->max_unauthenticated, HS_MAX_UNAUTH_DEFAULT);
	CHECK_EQ_INT(c->max_unauthenticated_per_source, HS_MAX_UNAUTH_PER_SOURCE_DEFAULT);
	CHECK_EQ_INT(c->max_dh_computations, HS_MAX_DH_DEFAULT);
	CHECK_EQ_INT(c->max_auth_tries, HS_MAX_AUTH_TRIES_DEFAULT);
	CHECK_EQ_INT(c->max_channels, HS_MAX_CHANNELS_DEFAULT);
	CHECK(c->rekey_bytes == HS_REKEY_BYTES_DEFAULT);
	CHECK_EQ_INT(c->rekey_seconds, HS_REKEY_SECONDS_DEFAULT);
	/* the daemon's own */
	CHECK_EQ_INT(c->max_connections_per_host, 16);
	CHECK_EQ_INT(c->max_sessions, 10);
	CHECK_EQ_INT(c->keepalive, HS_KEEPALIVE_DEFAULT);
	CHECK_EQ_INT(c->tcp_keepalive, HS_TCP_KEEPALIVE_DEFAULT);
	CHECK_EQ_INT(c->idle_timeout, HS_IDLE_TIMEOUT_DEFAULT);
	CHECK_EQ_INT(c->early_drop_rate, HS_EARLY_DROP_RATE_DEFAULT);
	CHECK(c->early_drop_start == 0 || c->early_drop_start == c->max_unauthenticated); /* no random drop */
	CHECK_EQ_INT(c->netblock_ipv4, HS_SOURCE_NETBLOCK_IPV4_DEFAULT);
	CHECK_EQ_INT(c->netblock_ipv6, HS_SOURCE_NETBLOCK_IPV6_DEFAULT);
	CHECK_EQ_INT(c->penalty_authfail, HS_PENALTY_AUTHFAIL_DEFAULT);
	CHECK_EQ_INT(c->penalty_grace, HS_PENALTY_GRACE_DEFAULT);
	CHECK_EQ_INT(c->penalty_malformed, HS_PENALTY_MALFORMED_DEFAULT);
	CHECK_EQ_INT(c->penalty_min, HS_PENALTY_MIN_DEFAULT);
	CHECK_EQ_INT(c->penalty_max, HS_PENALTY_MAX_DEFAULT);
	CHECK(c->penalty_exempt == NULL);
	CHECK_EQ_INT(c->shutdown_timeout, 30);
	CHECK_EQ_INT(c->log_level, HSD_LOG_INFO);
	/* processes */
	CHECK_STR(c->user, "hostsd");
	CHECK(c->subsystem_users.any == NULL && c->subsystem_users.named.n == 0);
	CHECK_STR(c->subsystem_directory, "/");
	CHECK_EQ_INT(c->subsystem_umask, 077);
	CHECK_EQ_INT(c->subsystem_max_processes, 512);
	CHECK_EQ_INT(c->subsystem_max_open_files, 1024);
	CHECK_EQ_INT(c->subsystem_max_cpu, 0);
	CHECK(c->subsystem_max_memory == 0);
}

static void test_defaults(void)
{
	struct hsd_config c;
	char err[512];
	hsd_config_init(&c);
	check_defaults(&c);
	CHECK_EQ_INT(c.set, 0);
	/* Empty files, comments and blank lines change nothing. */
	CHECK_EQ_INT(parse(&c, "", err, sizeof err), 0);
	CHECK_EQ_INT(parse(&c, "\n\n   \n# comment\n   # indented comment\n\t\n", err, sizeof err), 0);
	check_defaults(&c);
	CHECK_EQ_INT(c.set, 0);
	hsd_config_cleanup(&c);
}

static void test_every_setting(void)
{
	struct hsd_config c;
	char err[512];
	const char *text =
		"listen 127.0.0.1:2200\n"
		"listen [::1]:2201\n"
		"subsystem replicator=/usr/lib/angelos/replicator --stdio\n"
		"subsystem echo=cat # not a comment: part of the command\n"
		"login_grace_time 30\n"
		"max_unauthenticated 100\n"
		"max_unauthenticated_per_source 10\n"
		"max_dh_computations 4\n"
		"max_auth_tries 3\n"
		"max_channels 8\n"
		"rekey_bytes 512M\n"
		"rekey_seconds 600\n"
		"keepalive 15\n"
		"shutdown_timeout 5\n"
		"log_level debug\n";
	CHECK_EQ_INT(parse(&c, text, err, sizeof err), 0);
	if (err[0] && c.set == 0)
		fprintf(stderr, "%s\n", err);
	CHECK_EQ_INT(c.nlisten, 2);
	CHECK(strcmp(c.listen[0].addr, "127.0.0.1") == 0 && c.listen[0].port == 2200 && !c.listen[0].ipv6);
	CHECK(strcmp(c.listen[1].addr, "::1") == 0 && c.listen[1].port == 2201 && c.listen[1].ipv6);
	CHECK_EQ_INT(c.subsystems.n, 2);
	const char *cmd = hsd_subsystems_get(&c.subsystems, "replicator");
	CHECK(cmd != NULL && strcmp(cmd, "/usr/lib/angelos/replicator --stdio") == 0);
	cmd = hsd_subsystems_get(&c.subsystems, "echo");
	CHECK(cmd != NULL && strcmp(cmd, "cat # not a comment: part of the command") == 0);
	CHECK_EQ_INT(c.login_grace_time, 30);
	CHECK_EQ_INT(c.max_unauthenticated, 100);
	CHECK_EQ_INT(c.max_unauthenticated_per_source, 10);
	CHECK_EQ_INT(c.max_dh_computations, 4);
	CHECK_EQ_INT(c.max_auth_tries, 3);
	CHECK_EQ_INT(c.max_channels, 8);
	CHECK(c.rekey_bytes == 512ull * 1024 * 1024);
	CHECK_EQ_INT(c.rekey_seconds, 600);
	CHECK_EQ_INT(c.keepalive, 15);
	CHECK_EQ_INT(c.shutdown_timeout, 5);
	CHECK_EQ_INT(c.log_level, HSD_LOG_DEBUG);
	CHECK_EQ_INT(c.set, (HSD_CFG_BIT(12) - 1) | HSD_CFG_MAX_DH_COMPUTATIONS); /* every non-algorithm bit */
	hsd_config_cleanup(&c);
	check_defaults(&c);

	/* Before and after authentication. */
	text = "max_startups 10:30:100\n"
	       "per_source_netblock 24:48\n"
	       "penalty_authfail 5\n"
	       "penalty_grace 0\n"
	       "penalty_malformed 90\n"
	       "penalty_min 15\n"
	       "penalty_max 3600\n"
	       "penalty_exempt 192.0.2.0/24,2001:db8::/32,127.0.0.1\n"
	       "tcp_keepalive 0\n"
	       "idle_timeout 900\n";
	CHECK_EQ_INT(parse(&c, text, err, sizeof err), 0);
	CHECK_EQ_INT(c.early_drop_start, 10);
	CHECK_EQ_INT(c.early_drop_rate, 30);
	CHECK_EQ_INT(c.max_unauthenticated, 100); /* FULL */
	CHECK_EQ_INT(c.netblock_ipv4, 24);
	CHECK_EQ_INT(c.netblock_ipv6, 48);
	CHECK_EQ_INT(c.penalty_authfail, 5);
	CHECK_EQ_INT(c.penalty_grace, 0);
	CHECK_EQ_INT(c.penalty_malformed, 90);
	CHECK_EQ_INT(c.penalty_min, 15);
	CHECK_EQ_INT(c.penalty_max, 3600);
	CHECK_STR(c.penalty_exempt, "192.0.2.0/24,2001:db8::/32,127.0.0.1");
	CHECK_EQ_INT(c.tcp_keepalive, 0);
	CHECK_EQ_INT(c.idle_timeout, 900);
	hsd_config_cleanup(&c);
	/* max_startups: one number is a plain cap; with max_unauthenticated
	 * the same number is fine; per_source_netblock: IPv4 alone */
	CHECK_EQ_INT(parse(&c, "max_startups 20\nper_source_netblock 16\n", err, sizeof err), 0);
	CHECK_EQ_INT(c.early_drop_start, 20);
	CHECK_EQ_INT(c.max_unauthenticated, 20);
	CHECK_EQ_INT(c.netblock_ipv4, 16);
	CHECK_EQ_INT(c.netblock_ipv6, HS_SOURCE_NETBLOCK_IPV6_DEFAULT);
	CHECK_EQ_INT(parse(&c, "max_unauthenticated 50\nmax_startups 5:50:50\n", err, sizeof err), 0);
	CHECK_EQ_INT(c.max_unauthenticated, 50);
	CHECK_EQ_INT(c.early_drop_start, 5);
	CHECK_EQ_INT(c.early_drop_rate, 50);
	hsd_config_cleanup(&c);

	/* Blanks: tabs, several spaces, trailing blanks, CRLF. */
	CHECK_EQ_INT(parse(&c, "\tmax_channels \t 9  \r\nrekey_bytes 16384\r\nrekey_bytes2 1\n", err, sizeof err), -1);
	CHECK(strstr(err, "test.conf:3: unknown setting \"rekey_bytes2\"") != NULL);
	CHECK_EQ_INT(parse(&c, "\tmax_channels \t 9  \r\nrekey_bytes 16384\r\nkeepalive 0", err, sizeof err), 0);
	CHECK_EQ_INT(c.max_channels, 9);
	CHECK(c.rekey_bytes == 16384);
	CHECK_EQ_INT(c.keepalive, 0);
	CHECK_EQ_INT(c.set, HSD_CFG_MAX_CHANNELS | HSD_CFG_REKEY_BYTES | HSD_CFG_KEEPALIVE);
	/* Suffixes, both cases; log levels by number too. */
	CHECK_EQ_INT(parse(&c, "rekey_bytes 64g\nlog_level 3\n", err, sizeof err), 0);
	CHECK(c.rekey_bytes == 64ull * 1024 * 1024 * 1024);
	CHECK_EQ_INT(c.log_level, HSD_LOG_ERR);
	/* The daemon's own limits of peers. */
	CHECK_EQ_INT(parse(&c, "max_connections_per_host 3\nmax_sessions 2\n", err, sizeof err), 0);
	CHECK_EQ_INT(c.max_connections_per_host, 3);
	CHECK_EQ_INT(c.max_sessions, 2);
	CHECK_EQ_INT(c.set, HSD_CFG_MAX_CONNECTIONS_PER_HOST | HSD_CFG_MAX_SESSIONS);
	CHECK_EQ_INT(parse(&c, "max_sessions 0\n", err, sizeof err), -1);
	CHECK(strstr(err, "max_sessions \"0\" must be a whole number from 1 to 1024 (sessions)") != NULL);
	CHECK_EQ_INT(parse(&c, "max_connections_per_host 10001\n", err, sizeof err), -1);
	CHECK(strstr(err, "from 1 to 10000 (connections)") != NULL);
	CHECK_EQ_INT(parse(&c, "rekey_bytes 16k\nlog_level warning\n", err, sizeof err), 0);
	CHECK(c.rekey_bytes == 16384);
	CHECK_EQ_INT(c.log_level, HSD_LOG_WARNING);
	hsd_config_cleanup(&c);
}

static void test_template(void)
{
	const char *t = hsd_config_template();
	struct hsd_config c, def;
	char err[512];
	/* Every setting is listed. */
	for (size_t i = 0; i < HSD_SETTING_COUNT; i++) {
		char a[80], b[80];
		snprintf(a, sizeof a, "\n#%s ", hsd_settings[i].name);
		snprintf(b, sizeof b, "\n# %s ", hsd_settings[i].name);
		CHECK(strstr(t, a) != NULL || strstr(t, b) != NULL);
	}
	/* As written, the template sets nothing. */
	CHECK_EQ_INT(parse(&c, t, err, sizeof err), 0);
	CHECK_EQ_INT(c.set, 0);
	hsd_config_cleanup(&c);
	/* With every "#name value" line uncommented, it sets every setting
	 * but subsystem (none by default) to exactly its default. */
	char *copy = strdup(t), *out = malloc(strlen(t) + 1), *o = out;
	for (char *line = strtok(copy, "\n"); line != NULL; line = strtok(NULL, "\n")) {
		if (line[0] == '#' && line[1] >= 'a' && line[1] <= 'z')
			line++;
		o += sprintf(o, "%s\n", line);
	}
	CHECK_EQ_INT(parse(&c, out, err, sizeof err), 0);
	hsd_config_init(&def);
	CHECK_EQ_INT(c.set, (HSD_CFG_BIT(HSD_SETTING_COUNT) - 1) & ~(HSD_CFG_SUBSYSTEM | HSD_CFG_PENALTY_EXEMPT |
	                                                             HSD_CFG_HOST_KEY_AGENT | HSD_CFG_SUBSYSTEM_USER));
	check_defaults(&c);
	/* max_startups is shown as START:RATE:FULL, START equal to FULL: the
	 * same as the engine's "no random drop" */
	CHECK_EQ_INT(c.early_drop_start, HS_MAX_UNAUTH_DEFAULT);
	CHECK_EQ_INT(c.startups_full, HS_MAX_UNAUTH_DEFAULT);
	c.early_drop_start = def.early_drop_start;
	c.startups_full = def.startups_full;
	/* the algorithm lists shown are the engine's defaults */
	CHECK_STR(c.algs[HSD_ALG_PROFILE], "modern,angelos,classic");
	CHECK_STR(c.algs[HSD_ALG_KEX], hs_default_kex_algorithms());
	CHECK_STR(c.algs[HSD_ALG_CIPHERS], hs_default_ciphers());
	CHECK_STR(c.algs[HSD_ALG_MACS], hs_default_macs());
	CHECK_STR(c.algs[HSD_ALG_HOST_KEY], hs_default_host_key_algorithms());
	CHECK_STR(c.algs[HSD_ALG_PUBKEY], hs_default_public_key_algorithms());
	CHECK_STR(c.algs[HSD_ALG_COMPRESSION], hs_default_compression());
	for (size_t i = 0; i < HSD_ALG_COUNT; i++) {
		free(c.algs[i]);
		c.algs[i] = NULL;
	}
	c.set = 0;
	CHECK_MEM(&c, &def, sizeof c);
	hsd_config_cleanup(&c);
	free(copy);
	free(out);
}

static void expect_error(const char *text, const char *want)
{
	struct hsd_config c;
	char err[512] = "";
	int r = parse(&c, text, err, sizeof err);
	CHECK_EQ_INT(r, -1);
	if (strstr(err, want) == NULL) {
		fprintf(stderr, "error \"%s\" lacks \"%s\"\n", err, want);
		CHECK(0);
	}
	/* A failed parse leaves the defaults, nothing half-set. */
	check_defaults(&c);
	hsd_config_cleanup(&c);
}

static void test_algorithms(void)
{
	struct hsd_config c;
	char err[512];
	CHECK_EQ_INT(parse(&c,
	                   "profile angelos,classic\n"
	                   "macs hmac-sha2-256-etm@openssh.com,hmac-sha2-256\n"
	                   "compression none\n",
	                   err, sizeof err),
	             0);
	CHECK_EQ_INT(c.set, HSD_CFG_PROFILE | HSD_CFG_MACS | HSD_CFG_COMPRESSION);
	CHECK_STR(c.algs[HSD_ALG_PROFILE], "angelos,classic");
	CHECK_STR(c.algs[HSD_ALG_MACS], "hmac-sha2-256-etm@openssh.com,hmac-sha2-256");
	CHECK_STR(c.algs[HSD_ALG_COMPRESSION], "none");
	CHECK(c.algs[HSD_ALG_KEX] == NULL && c.algs[HSD_ALG_CIPHERS] == NULL);
	hsd_config_cleanup(&c);
	CHECK(c.algs[HSD_ALG_PROFILE] == NULL);
	/* a failure after algorithm lines leaks nothing (ASan) and keeps none */
	CHECK_EQ_INT(parse(&c, "ciphers aes256-ctr\nbogus 1\n", err, sizeof err), -1);
	CHECK(c.algs[HSD_ALG_CIPHERS] == NULL);
}

/* The accounts and limits of processes. */
static void test_processes(void)
{
	struct hsd_config c;
	char err[512];
	CHECK_EQ_INT(parse(&c,
	                   "user hsd:daemon\n"
	                   "subsystem_user *=nobody:nogroup\n"
	                   "subsystem_user echo=root\n"
	                   "subsystem_user sync=1000\n"
	                   "subsystem_directory /var/lib/hostsd/work\n"
	                   "subsystem_umask 022\n"
	                   "subsystem_max_processes 0\n"
	                   "subsystem_max_open_files 4096\n"
	                   "subsystem_max_cpu 3600\n"
	                   "subsystem_max_memory 512M\n",
	                   err, sizeof err),
	             0);
	CHECK_STR(c.user, "hsd:daemon");
	CHECK_STR(hsd_subsystem_users_get(&c.subsystem_users, "*"), "nobody:nogroup");
	CHECK_STR(hsd_subsystem_users_get(&c.subsystem_users, "echo"), "root");
	CHECK_STR(hsd_subsystem_account_spec(&c.subsystem_users, "sync", NULL), "1000");
	CHECK_STR(hsd_subsystem_account_spec(&c.subsystem_users, "other", NULL), "nobody:nogroup");
	CHECK_STR(c.subsystem_directory, "/var/lib/hostsd/work");
	CHECK_EQ_INT(c.subsystem_umask, 022);
	CHECK_EQ_INT(c.subsystem_max_processes, 0);
	CHECK_EQ_INT(c.subsystem_max_open_files, 4096);
	CHECK_EQ_INT(c.subsystem_max_cpu, 3600);
	CHECK(c.subsystem_max_memory == 512ull * 1024 * 1024);
	CHECK_EQ_INT(c.set, HSD_CFG_USER | HSD_CFG_SUBSYSTEM_USER | HSD_CFG_SUBSYSTEM_DIRECTORY |
	                            HSD_CFG_SUBSYSTEM_UMASK | HSD_CFG_SUBSYSTEM_MAX_PROCESSES |
	                            HSD_CFG_SUBSYSTEM_MAX_OPEN_FILES | HSD_CFG_SUBSYSTEM_MAX_CPU |
	                            HSD_CFG_SUBSYSTEM_MAX_MEMORY);
	hsd_config_cleanup(&c);
	CHECK(c.subsystem_users.any == NULL && c.subsystem_users.named.n == 0);
	CHECK_EQ_INT(parse(&c, "subsystem_umask 0\n", err, sizeof err), 0);
	CHECK_EQ_INT(c.subsystem_umask, 0);
	CHECK_EQ_INT(parse(&c, "subsystem_umask 0777\n", err, sizeof err), 0);
	CHECK_EQ_INT(c.subsystem_umask, 0777);
	hsd_config_cleanup(&c);

	expect_error("user no body\n", "test.conf:1: user \"no body\" must be USER or USER:GROUP");
	expect_error("user a:b:c\n", "test.conf:1: user \"a:b:c\" must be USER or USER:GROUP");
	expect_error("user a\nuser b\n", "test.conf:2: user is given twice (first on line 1)");
	expect_error("subsystem_user echo\n", "test.conf:1: subsystem_user \"echo\" must be NAME=USER or");
	expect_error("subsystem_user echo=a\nsubsystem_user echo=b\n",
	             "test.conf:2: subsystem_user echo is given twice");
	expect_error("subsystem_user *=a\nsubsystem_user *=b\n", "test.conf:2: subsystem_user * is given twice");
	expect_error("subsystem_directory tmp\n", "test.conf:1: subsystem_directory \"tmp\" must be an absolute path");
	expect_error("subsystem_umask 778\n",
	             "test.conf:1: subsystem_umask \"778\" must be an octal mode from 000 to 777, such as 077");
	expect_error("subsystem_umask 1000\n", "test.conf:1: subsystem_umask \"1000\" must be an octal mode");
	expect_error("subsystem_umask 00777\n", "test.conf:1: subsystem_umask");
	expect_error("subsystem_umask -1\n", "test.conf:1: subsystem_umask");
	expect_error("subsystem_umask \n", "test.conf:1: subsystem_umask needs a value");
	expect_error("subsystem_max_open_files 1048577\n",
	             "test.conf:1: subsystem_max_open_files \"1048577\" must be a whole number from 0 to 1048576 "
	             "(files (0: no limit of ours))");
	expect_error("subsystem_max_memory 2T\n", "test.conf:1: subsystem_max_memory \"2T\" must be a number of bytes");
}

static void test_errors(void)
{
	expect_error("max_channels 8\nbogus 1\n", "test.conf:2: unknown setting \"bogus\"");
	expect_error("Max_Channels 8\n", "test.conf:1: unknown setting \"Max_Channels\"");
	expect_error("\n\nmax_channels\n", "test.conf:3: max_channels needs a value");
	expect_error("max_channels   \n", "test.conf:1: max_channels needs a value");
	expect_error("max_channels 8\n# x\nmax_channels 9\n",
	             "test.conf:3: max_channels is given twice (first on line 1)");
	expect_error("max_channels 0\n", "test.conf:1: max_channels \"0\" must be a whole number from 1 to 1024");
	expect_error("max_dh_computations 65\n",
	             "test.conf:1: max_dh_computations \"65\" must be a whole number from 1 to 64");
	expect_error("max_channels 1025\n", "from 1 to 1024");
	expect_error("max_channels -1\n", "test.conf:1: max_channels");
	expect_error("max_channels 8x\n", "test.conf:1: max_channels \"8x\"");
	expect_error("max_channels 99999999999999999999999\n", "test.conf:1: max_channels");
	expect_error("login_grace_time 0\n", "test.conf:1: login_grace_time");
	expect_error("login_grace_time 3601\n", "from 1 to 3600");
	expect_error("max_auth_tries 101\n", "test.conf:1: max_auth_tries");
	expect_error("max_unauthenticated 0\n", "test.conf:1: max_unauthenticated");
	expect_error("keepalive 86401\n", "test.conf:1: keepalive");
	expect_error("keepalive 1.5\n", "test.conf:1: keepalive");
	expect_error("shutdown_timeout 0\n", "test.conf:1: shutdown_timeout");
	expect_error("rekey_seconds 0\n", "test.conf:1: rekey_seconds");
	expect_error("rekey_bytes 1000\n",
	             "test.conf:1: rekey_bytes \"1000\" must be a number of bytes from 16K to 64G");
	expect_error("rekey_bytes 65G\n", "test.conf:1: rekey_bytes");
	expect_error("rekey_bytes 1T\n", "test.conf:1: rekey_bytes");
	expect_error("rekey_bytes 1GB\n", "test.conf:1: rekey_bytes");
	expect_error("rekey_bytes 18446744073709551615G\n", "test.conf:1: rekey_bytes");
	/* algorithm settings: the engine's checks, with the file's line */
	expect_error("\nciphers aes256-ctr,aes128-cbc\n",
	             "test.conf:2: ciphers: \"aes128-cbc\" is a weak algorithm and is never offered; remove it");
	expect_error("kex_algorithms curve25519-sha256,diffie-hellman-group14-sha1\n",
	             "test.conf:1: kex_algorithms: \"diffie-hellman-group14-sha1\" is a weak algorithm");
	expect_error("macs hmac-sha1\n", "test.conf:1: macs: \"hmac-sha1\" is a weak algorithm");
	expect_error("macs hmac-sha2-256-etm@openssh.com,hmac-sha3\n",
	             "test.conf:1: macs: unknown algorithm \"hmac-sha3\"; known: hmac-sha2-256-etm@openssh.com,"
	             "hmac-sha2-512-etm@openssh.com,hmac-sha2-256,hmac-sha2-512");
	expect_error("pubkey_algorithms ssh-rsa\n", "test.conf:1: pubkey_algorithms: \"ssh-rsa\" is a weak algorithm");
	expect_error("pubkey_algorithms ssh-dss\n", "test.conf:1: pubkey_algorithms: \"ssh-dss\" is a weak");
	expect_error("host_key_algorithms rsa-sha2-256\n",
	             "test.conf:1: host_key_algorithms: unknown algorithm \"rsa-sha2-256\"; known: ssh-ed25519,"
	             "angelos-tongues");
	expect_error("ciphers none\n", "test.conf:1: ciphers: \"none\" is a weak algorithm");
	expect_error("compression none,lz4\n", "test.conf:1: compression: unknown algorithm \"lz4\"");
	expect_error("ciphers aes256-ctr,,aes128-ctr\n", "test.conf:1: ciphers: empty name in the list");
	expect_error("ciphers aes256-ctr, aes128-ctr\n", "test.conf:1: ciphers: unknown algorithm \" aes128-ctr\"");
	expect_error("profile modern,legacy\n",
	             "test.conf:1: profile \"legacy\" is unknown; known: modern, angelos, classic");
	expect_error("profile\n", "test.conf:1: profile needs a value");
	expect_error("profile classic\nprofile modern\n", "test.conf:2: profile is given twice (first on line 1)");
	expect_error("log_level loud\n",
	             "test.conf:1: log_level \"loud\" must be one of err, warning, notice, info, debug");
	expect_error("listen 2222\n", "test.conf:1: bad listening address \"2222\"");
	expect_error("listen localhost:22\n", "test.conf:1: bad listening address");
	expect_error("listen ::1:22\n", "test.conf:1: bad listening address");
	expect_error("listen 1.2.3.4:65536\n", "test.conf:1: bad listening address");
	expect_error("listen 1.2.3.4:22\nlisten 1.2.3.4:22\n", "test.conf:2: listen 1.2.3.4:22 is given twice");
	expect_error("subsystem echo\n", "test.conf:1: bad subsystem \"echo\"");
	expect_error("subsystem =cat\n", "test.conf:1: bad subsystem");
	expect_error("subsystem echo=\n", "test.conf:1: bad subsystem");
	expect_error("subsystem bad name=cat\n", "test.conf:1: bad subsystem name");
	expect_error("subsystem e=cat\nsubsystem e=dog\n", "test.conf:2: subsystem e is given twice");
	expect_error("max_unauthenticated 10\nmax_unauthenticated_per_source 11\n",
	             "test.conf:2: max_unauthenticated_per_source (11) is above max_unauthenticated (10)");
	expect_error("max_unauthenticated_per_source 65\n", "test.conf:1: max_unauthenticated_per_source (65)");
	expect_error("max_channels 8\nlog_level info\x01\n", "test.conf:2: control character");
	expect_error("max_startups 10:30\n", "test.conf:1: max_startups \"10:30\" must be START:RATE:FULL");
	expect_error("max_startups 10:30:5\n", "test.conf:1: max_startups \"10:30:5\" must be START:RATE:FULL");
	expect_error("max_startups 10:0:100\n", "test.conf:1: max_startups");
	expect_error("max_startups 10:101:100\n", "test.conf:1: max_startups");
	expect_error("max_startups 0:30:100\n", "test.conf:1: max_startups");
	expect_error("max_startups 10:30:100001\n", "test.conf:1: max_startups");
	expect_error("max_startups 10::100\n", "test.conf:1: max_startups");
	expect_error("max_startups 10:30:100:1\n", "test.conf:1: max_startups");
	expect_error("max_startups 99999999999:30:100\n", "test.conf:1: max_startups");
	expect_error("max_unauthenticated 64\nmax_startups 10:30:100\n",
	             "test.conf:2: max_startups' FULL (100) and max_unauthenticated (64) are the same limit");
	expect_error("max_startups 10:30:12\n", /* per source 16 by default */
	             "test.conf:1: max_unauthenticated_per_source (16) is above max_unauthenticated (12)");
	expect_error("per_source_netblock 33:64\n", "test.conf:1: per_source_netblock \"33:64\" must be IPV4:IPV6");
	expect_error("per_source_netblock 32:129\n", "test.conf:1: per_source_netblock");
	expect_error("per_source_netblock 0\n", "test.conf:1: per_source_netblock");
	expect_error("per_source_netblock 24:\n", "test.conf:1: per_source_netblock");
	expect_error("per_source_netblock /24\n", "test.conf:1: per_source_netblock");
	expect_error("penalty_min 0\n", "test.conf:1: penalty_min \"0\" must be a whole number from 1 to 86399");
	expect_error("penalty_authfail 86401\n", "test.conf:1: penalty_authfail");
	expect_error("penalty_min 60\npenalty_max 60\n",
	             "test.conf:2: penalty_max (60) must be above penalty_min (60)");
	expect_error("penalty_min 700\n", "test.conf:1: penalty_max (600) must be above penalty_min (700)");
	expect_error("\npenalty_exempt 10.0.0.1/8\n", "test.conf:2: penalty_exempt: \"10.0.0.1/8\" is not an address");
	expect_error("penalty_exempt 10.0.0.0/8,,::1\n", "test.conf:1: penalty_exempt: empty item");
	expect_error("penalty_exempt example.org\n", "test.conf:1: penalty_exempt: \"example.org\"");
	expect_error("penalty_exempt ::1\npenalty_exempt ::2\n", "test.conf:2: penalty_exempt is given twice");
	expect_error("tcp_keepalive 32768\n", "test.conf:1: tcp_keepalive");
	expect_error("idle_timeout 604801\n", "test.conf:1: idle_timeout");
	expect_error("max_channels 8\nlog_level \x1b[31minfo\n", "test.conf:2: control character");

	/* A NUL byte, a line that is too long. */
	struct hsd_config c;
	char err[512];
	const char nul[] = "max_channels 8\nlog_level in\0fo\n";
	hsd_config_init(&c);
	CHECK_EQ_INT(hsd_config_parse(&c, nul, sizeof nul - 1, "n.conf", err, sizeof err), -1);
	CHECK(strstr(err, "n.conf:2: NUL byte") != NULL);
	char *big = malloc(HSD_CONFIG_MAX_LINE + 100);
	memset(big, ' ', HSD_CONFIG_MAX_LINE + 50);
	memcpy(big, "# x\n#", 5);
	big[HSD_CONFIG_MAX_LINE + 50] = '\0';
	CHECK_EQ_INT(parse(&c, big, err, sizeof err), -1);
	CHECK(strstr(err, "test.conf:2: the line is too long") != NULL);
	free(big);
	/* Too many listen lines. */
	char many[2048] = "";
	for (int i = 0; i <= HSD_CONFIG_MAX_LISTEN; i++)
		snprintf(many + strlen(many), sizeof many - strlen(many), "listen 127.0.0.1:%d\n", 1000 + i);
	CHECK_EQ_INT(parse(&c, many, err, sizeof err), -1);
	CHECK(strstr(err, "test.conf:17: too many listen lines") != NULL);
	hsd_config_cleanup(&c);
}

static void test_load(void)
{
	char dir[] = "/tmp/hsd-config-test-XXXXXX", path[128], err[512];
	struct hsd_config c;
	if (mkdtemp(dir) == NULL) {
		CHECK(0);
		return;
	}
	snprintf(path, sizeof path, "%s/hostsd.conf", dir);
	CHECK_EQ_INT(hsd_config_load(&c, path, 1, err, sizeof err), 0);
	check_defaults(&c);
	CHECK_EQ_INT(hsd_config_load(&c, path, 0, err, sizeof err), -1);
	CHECK(strstr(err, path) != NULL && strstr(err, "No such file") != NULL);
	FILE *f = fopen(path, "w");
	fputs(hsd_config_template(), f);
	fputs("max_channels 12\nsubsystem echo=cat\n", f);
	fclose(f);
	CHECK_EQ_INT(hsd_config_load(&c, path, 0, err, sizeof err), 0);
	CHECK_EQ_INT(c.max_channels, 12);
	CHECK(hsd_subsystems_get(&c.subsystems, "echo") != NULL);
	hsd_config_cleanup(&c);
	f = fopen(path, "a");
	fputs("max_channels 13\n", f);
	fclose(f);
	CHECK_EQ_INT(hsd_config_load(&c, path, 0, err, sizeof err), -1);
	char want[256];
	int lines = 0;
	for (const char *p = hsd_config_template(); *p; p++)
		lines += *p == '\n';
	snprintf(want, sizeof want, "%s:%d: max_channels is given twice (first on line %d)", path, lines + 3,
	         lines + 1);
	CHECK(strstr(err, want) != NULL);
	/* Not a regular file. */
	CHECK_EQ_INT(hsd_config_load(&c, dir, 0, err, sizeof err), -1);
	CHECK(strstr(err, "not a regular file") != NULL);
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	test_defaults();
	test_every_setting();
	test_template();
	test_processes();
	test_algorithms();
	test_errors();
	test_load();
	return hs_test_done();
}
