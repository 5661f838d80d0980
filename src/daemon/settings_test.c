/* Tests of the table of settings (daemon/settings.c) and of its readers:
 * every row is whole and its default lies within its range; the ranges of
 * the engine's settings are the ones the engine itself accepts; the
 * configuration file and the command line of `hostsd serve` accept and
 * refuse the same values, with messages naming the setting; the template
 * lists every setting with its default; the command line wins over the
 * file. */
#include "daemon/settings.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <hostsd/limits.h>
#include <hostsd/server.h>

#include "daemon/cli.h"
#include "daemon/config.h"
#include "daemon/log.h"
#include "daemon/serve_cli.h"

#include "hs_test.h"

static int is_scalar(const struct hsd_setting *s)
{
	return s->type == HSD_TYPE_NUMBER || s->type == HSD_TYPE_BYTES;
}

static void set_engine_number(struct hs_config *e, const struct hsd_setting *s, uint64_t v)
{
	char *field = (char *)e + s->engine_off;
	if (s->type == HSD_TYPE_BYTES) {
		memcpy(field, &v, sizeof v);
	} else {
		uint32_t v32 = (uint32_t)v;
		memcpy(field, &v32, sizeof v32);
	}
}

/* Every id once, every name and option once, every row complete. */
static void test_rows(void)
{
	uint64_t seen = 0;
	for (size_t i = 0; i < HSD_SETTING_COUNT; i++) {
		const struct hsd_setting *s = &hsd_settings[i];
		REQUIRE((unsigned)s->id < HSD_SETTING_COUNT);
		CHECK(!(seen & HSD_CFG_BIT(s->id)));
		seen |= HSD_CFG_BIT(s->id);
		REQUIRE(s->name != NULL);
		CHECK(hsd_setting_by_id(s->id) == s);
		CHECK(hsd_setting_by_name(s->name, strlen(s->name)) == s);
		if (s->option != NULL) {
			CHECK(hsd_setting_by_option(s->option) == s);
			CHECK(s->metavar != NULL && s->help != NULL);
		}
		if (s->type == HSD_TYPE_NUMBER)
			CHECK(s->unit != NULL);
		/* a field left out of a row reads 0, a real offset: only profiles
		 * is first in struct hs_config, and listen in struct hsd_config */
		if (s->engine_off == 0)
			CHECK(s->id == HSD_SETTING_PROFILE);
		if (is_scalar(s))
			CHECK(s->config_off != 0);
		if (s->type == HSD_TYPE_ALGORITHMS)
			CHECK(s->engine_off != HSD_NOT_ENGINE && (s->def_text != NULL || s->engine_list != NULL));
		if (i == 0)
			CHECK(s->comment != NULL); /* the first row opens the first group */
	}
	CHECK_EQ_INT(seen, HSD_CFG_BIT(HSD_SETTING_COUNT) - 1);
	CHECK(hsd_setting_by_name("listen_", 7) == NULL);
	CHECK(hsd_setting_by_name("listen_", 6) == hsd_setting_by_id(HSD_SETTING_LISTEN));
	CHECK(hsd_setting_by_option("login_grace_time") == NULL);
	CHECK(hsd_setting_by_option("login-grace-time") == hsd_setting_by_id(HSD_SETTING_LOGIN_GRACE_TIME));
	/* struct hsd_config's bits are the ids' */
	CHECK_EQ_INT(HSD_CFG_MAX_DH_COMPUTATIONS, HSD_CFG_BIT(HSD_SETTING_MAX_DH_COMPUTATIONS));
	CHECK_EQ_INT(HSD_CFG_SHUTDOWN_TIMEOUT, HSD_CFG_BIT(HSD_SETTING_SHUTDOWN_TIMEOUT));
}

/* Every default lies within its range and is the engine's own for the
 * engine's settings; the daemon's defaults are valid values. */
static void test_defaults(void)
{
	struct hs_config e;
	struct hsd_config c;
	char err[512], buf[64];
	hs_config_init(&e);
	hsd_config_init(&c);
	for (size_t i = 0; i < HSD_SETTING_COUNT; i++) {
		const struct hsd_setting *s = &hsd_settings[i];
		const char *text = hsd_setting_default_text(s, buf, sizeof buf);
		if (is_scalar(s)) {
			uint64_t def = hsd_setting_default(s), parsed = 0;
			CHECK(s->min <= def && def <= s->max);
			CHECK(s->min <= s->max);
			/* the default as the template writes it reads back as itself */
			REQUIRE(text != NULL);
			CHECK_EQ_INT(hsd_setting_parse_scalar(s, s->name, text, &parsed, err, sizeof err), 0);
			CHECK(parsed == def);
			/* hsd_config_init holds it */
			uint64_t held = 0;
			if (s->type == HSD_TYPE_BYTES) {
				memcpy(&held, (const char *)&c + s->config_off, sizeof held);
			} else {
				unsigned u;
				memcpy(&u, (const char *)&c + s->config_off, sizeof u);
				held = u;
			}
			CHECK(held == def);
			if (s->engine_off != HSD_NOT_ENGINE) {
				/* hs_config_init's value */
				uint64_t engine = 0;
				if (s->type == HSD_TYPE_BYTES) {
					memcpy(&engine, (const char *)&e + s->engine_off, sizeof engine);
				} else {
					uint32_t v32;
					memcpy(&v32, (const char *)&e + s->engine_off, sizeof v32);
					engine = v32;
				}
				CHECK(engine == def);
			}
		} else if (s->type == HSD_TYPE_LOG_LEVEL) {
			CHECK_STR(text, "info");
			CHECK_EQ_INT(c.log_level, hsd_log_level_parse(text));
		} else if (s->type == HSD_TYPE_LISTEN) {
			struct hsd_listen_addr a;
			REQUIRE(text != NULL);
			CHECK_EQ_INT(hsd_parse_listen(text, &a, err, sizeof err), 0);
			CHECK_EQ_INT(c.nlisten, 1);
			CHECK(strcmp(c.listen[0].addr, a.addr) == 0 && c.listen[0].port == a.port);
		} else if (s->type == HSD_TYPE_ALGORITHMS) {
			struct hs_config one;
			hs_config_init(&one);
			REQUIRE(text != NULL);
			memcpy((char *)&one + s->engine_off, &text, sizeof text);
			CHECK_EQ_INT(hs_config_check(&one, err, sizeof err), 0);
		} else if (s->type == HSD_TYPE_STARTUPS) {
			/* START:RATE:FULL with START = FULL: the engine's no random drop */
			unsigned start = 0, rate = 0, full = 0;
			REQUIRE(text != NULL);
			CHECK_EQ_INT(hsd_parse_startups(s->name, text, &start, &rate, &full, err, sizeof err), 0);
			CHECK_EQ_INT(full, e.max_unauthenticated);
			CHECK_EQ_INT(start, full);
			CHECK(e.early_drop_start == 0 || e.early_drop_start == full);
			CHECK_EQ_INT(rate, e.early_drop_rate);
			CHECK_EQ_INT(c.early_drop_rate, rate);
		} else if (s->type == HSD_TYPE_NETBLOCK) {
			unsigned b4 = 0, b6 = 0;
			REQUIRE(text != NULL);
			CHECK_EQ_INT(hsd_parse_netblock(s->name, text, &b4, &b6, err, sizeof err), 0);
			CHECK_EQ_INT(b4, e.source_netblock_ipv4);
			CHECK_EQ_INT(b6, e.source_netblock_ipv6);
			CHECK_EQ_INT(c.netblock_ipv4, b4);
			CHECK_EQ_INT(c.netblock_ipv6, b6);
		} else if (s->type == HSD_TYPE_UMASK) {
			uint64_t parsed = 1;
			REQUIRE(text != NULL);
			CHECK_STR(text, "077");
			CHECK_EQ_INT(hsd_setting_parse_scalar(s, s->name, text, &parsed, err, sizeof err), 0);
			CHECK_EQ_INT(parsed, hsd_setting_default(s));
			CHECK_EQ_INT(c.subsystem_umask, parsed);
		} else if (s->type == HSD_TYPE_ACCOUNT) {
			CHECK_STR(text, "hostsd");
			CHECK_STR(c.user, text);
		} else if (s->type == HSD_TYPE_DIRECTORY) {
			CHECK_STR(text, "/");
			CHECK_STR(c.subsystem_directory, text);
		} else {
			CHECK(text == NULL); /* subsystem, subsystem_user, penalty_exempt: none */
		}
	}
	CHECK_EQ_INT(hsd_setting_default(hsd_setting_by_id(HSD_SETTING_LOGIN_GRACE_TIME)), HS_LOGIN_GRACE_DEFAULT);
	hsd_config_cleanup(&c);
}

/* The table's range of an engine setting is the range the engine checks:
 * its ends pass hs_config_check, one step beyond fails. */
static void test_engine_ranges(void)
{
	char err[256];
	for (size_t i = 0; i < HSD_SETTING_COUNT; i++) {
		const struct hsd_setting *s = &hsd_settings[i];
		if (!is_scalar(s) || s->engine_off == HSD_NOT_ENGINE)
			continue;
		uint64_t probes[4] = { s->min, s->max, s->max + 1, s->min - 1 };
		int want[4] = { 0, 0, -1, -1 };
		for (int k = 0; k < (s->min > 1 ? 4 : 3); k++) { /* 0 is the engine's "default" */
			struct hs_config e;
			hs_config_init(&e);
			if (s->id == HSD_SETTING_MAX_UNAUTHENTICATED_PER_SOURCE)
				e.max_unauthenticated = HS_MAX_UNAUTH_MAX;
			/* the minimum must stay below the maximum */
			if (s->id == HSD_SETTING_PENALTY_MIN)
				e.penalty_max_seconds = HS_PENALTY_MAX_MAX;
			if (s->id == HSD_SETTING_PENALTY_MAX)
				e.penalty_min_seconds = HS_PENALTY_MIN_MIN;
			set_engine_number(&e, s, probes[k]);
			int r = hs_config_check(&e, err, sizeof err);
			if ((r == 0) != (want[k] == 0)) {
				fprintf(stderr, "%s %llu: the engine says %d\n", s->name, (unsigned long long)probes[k],
				        r);
				CHECK(0);
			}
		}
	}
	/* login_grace_time: the engine's 1..3600 (the command line once took 86400) */
	const struct hsd_setting *grace = hsd_setting_by_id(HSD_SETTING_LOGIN_GRACE_TIME);
	CHECK(grace->min == HS_LOGIN_GRACE_MIN && grace->max == HS_LOGIN_GRACE_MAX);
}

static int parse_file(struct hsd_config *c, const char *text, char *err, size_t errlen)
{
	hsd_config_init(c);
	return hsd_config_parse(c, text, strlen(text), "test.conf", err, errlen);
}

/* One value of one setting through the file and through its option (when
 * it has one): both accept it or both refuse it, and the messages are the
 * same sentence with the setting named each's way. */
static void same_verdict(const struct hsd_setting *s, const char *value)
{
	struct hsd_config file, cli;
	char line[256], ferr[512] = "", cerr[512] = "", want[600], opt[64];
	snprintf(line, sizeof line, "%s %s\n", s->name, value);
	/* a value refused names the setting */
	int rf = parse_file(&file, line, ferr, sizeof ferr);
	if (s->option == NULL) {
		/* no option: the file refuses what the scalar parser refuses, in
		 * its words (and may refuse more: per_source above the total) */
		uint64_t n;
		if (is_scalar(s) && hsd_setting_parse_scalar(s, s->name, value, &n, cerr, sizeof cerr) != 0) {
			snprintf(want, sizeof want, "test.conf:1: %s", cerr);
			CHECK_STR(ferr, want);
		}
		hsd_config_cleanup(&file);
		return;
	}
	hsd_config_init(&cli);
	int rc = hsd_config_set_option(&cli, s, value, cerr, sizeof cerr);
	CHECK_EQ_INT(rf, rc);
	if (rf != 0 && rc != 0) {
		/* "test.conf:1: SENTENCE" and the sentence alone, where a sentence
		 * that names the setting names it as the option */
		const char *sentence = ferr + strlen("test.conf:1: ");
		REQUIRE(strncmp(ferr, "test.conf:1: ", strlen("test.conf:1: ")) == 0);
		snprintf(opt, sizeof opt, "--%s", s->option);
		if (strncmp(sentence, s->name, strlen(s->name)) == 0)
			snprintf(want, sizeof want, "%s%s", opt, sentence + strlen(s->name));
		else
			snprintf(want, sizeof want, "%s", sentence);
		CHECK_STR(cerr, want);
	}
	hsd_config_cleanup(&file);
	hsd_config_cleanup(&cli);
}

static void test_same_verdicts(void)
{
	char v[64];
	for (size_t i = 0; i < HSD_SETTING_COUNT; i++) {
		const struct hsd_setting *s = &hsd_settings[i];
		if (!is_scalar(s))
			continue;
		if (s->min > 0) {
			snprintf(v, sizeof v, "%llu", (unsigned long long)(s->min - 1));
			same_verdict(s, v);
		}
		snprintf(v, sizeof v, "%llu", (unsigned long long)(s->max + 1));
		same_verdict(s, v);
		snprintf(v, sizeof v, "%llu", (unsigned long long)s->max);
		same_verdict(s, v);
		same_verdict(s, "12x");
		same_verdict(s, "-1");
	}
	const struct hsd_setting *grace = hsd_setting_by_id(HSD_SETTING_LOGIN_GRACE_TIME);
	same_verdict(grace, "3600");
	same_verdict(grace, "3601");
	same_verdict(grace, "86400");
	same_verdict(grace, "soon");
	same_verdict(hsd_setting_by_id(HSD_SETTING_LISTEN), "127.0.0.1");
	same_verdict(hsd_setting_by_id(HSD_SETTING_LISTEN), "[::1]:2222");
	same_verdict(hsd_setting_by_id(HSD_SETTING_SUBSYSTEM), "echo");
	same_verdict(hsd_setting_by_id(HSD_SETTING_SUBSYSTEM), "bad name=cat");
	same_verdict(hsd_setting_by_id(HSD_SETTING_LOG_LEVEL), "loud");
	same_verdict(hsd_setting_by_id(HSD_SETTING_USER), "nobody:nogroup");
	same_verdict(hsd_setting_by_id(HSD_SETTING_USER), "a:b:c");
	same_verdict(hsd_setting_by_id(HSD_SETTING_USER), "no body");
	same_verdict(hsd_setting_by_id(HSD_SETTING_SUBSYSTEM_UMASK), "078");

	/* the exact sentences, both ways */
	struct hsd_config c;
	char err[512];
	CHECK_EQ_INT(parse_file(&c, "login_grace_time 3601\n", err, sizeof err), -1);
	CHECK_STR(err, "test.conf:1: login_grace_time \"3601\" must be a whole number from 1 to 3600 (seconds)");
	hsd_config_init(&c);
	CHECK_EQ_INT(hsd_config_set_option(&c, grace, "86400", err, sizeof err), -1);
	CHECK_STR(err, "--login-grace-time \"86400\" must be a whole number from 1 to 3600 (seconds)");
	CHECK_EQ_INT(parse_file(&c, "rekey_bytes 8K\n", err, sizeof err), -1);
	CHECK_STR(err, "test.conf:1: rekey_bytes \"8K\" must be a number of bytes from 16K to 64G (suffix K, M or G)");
	hsd_config_init(&c);
	CHECK_EQ_INT(hsd_config_set_option(&c, hsd_setting_by_option("user"), "a:", err, sizeof err), -1);
	CHECK_STR(err, "--user \"a:\" must be USER or USER:GROUP (names or numbers, without blanks)");
	CHECK_EQ_INT(hsd_config_set_option(&c, hsd_setting_by_option("user"), "nobody", err, sizeof err), 0);
	CHECK_STR(c.user, "nobody");
	hsd_config_cleanup(&c);
}

/* The command line's own rules: an address may come twice (two ports
 * picked by the system), a later --subsystem of a name wins, a single
 * setting may come once. */
static void test_option_rules(void)
{
	struct hsd_config c;
	char err[512];
	const struct hsd_setting *listen = hsd_setting_by_id(HSD_SETTING_LISTEN);
	const struct hsd_setting *sub = hsd_setting_by_id(HSD_SETTING_SUBSYSTEM);
	const struct hsd_setting *grace = hsd_setting_by_id(HSD_SETTING_LOGIN_GRACE_TIME);
	hsd_config_init(&c);
	CHECK_EQ_INT(hsd_config_set_option(&c, listen, "127.0.0.1:0", err, sizeof err), 0);
	CHECK_EQ_INT(hsd_config_set_option(&c, listen, "127.0.0.1:0", err, sizeof err), 0);
	CHECK_EQ_INT(c.nlisten, 2); /* the default address is gone */
	CHECK_EQ_INT(hsd_config_set_option(&c, sub, "echo=cat", err, sizeof err), 0);
	CHECK_EQ_INT(hsd_config_set_option(&c, sub, "echo=tac", err, sizeof err), 0);
	CHECK_STR(hsd_subsystems_get(&c.subsystems, "echo"), "tac");
	CHECK_EQ_INT(hsd_config_set_option(&c, grace, "7", err, sizeof err), 0);
	CHECK_EQ_INT(hsd_config_set_option(&c, grace, "8", err, sizeof err), -1);
	CHECK_STR(err, "--login-grace-time is given twice");
	CHECK_EQ_INT(c.login_grace_time, 7);
	CHECK_EQ_INT(c.set, HSD_CFG_LISTEN | HSD_CFG_SUBSYSTEM | HSD_CFG_LOGIN_GRACE_TIME);
	for (int i = 2; i < HSD_CONFIG_MAX_LISTEN; i++)
		CHECK_EQ_INT(hsd_config_set_option(&c, listen, "127.0.0.1:0", err, sizeof err), 0);
	CHECK_EQ_INT(hsd_config_set_option(&c, listen, "127.0.0.1:0", err, sizeof err), -1);
	CHECK_STR(err, "at most 16 --listen addresses");
	/* a setting without an option is not one of the command line's */
	CHECK_EQ_INT(hsd_config_set_option(&c, hsd_setting_by_id(HSD_SETTING_MAX_CHANNELS), "8", err, sizeof err), -1);
	hsd_config_cleanup(&c);
}

/* The command line wins: its addresses replace the file's, its
 * subsystems replace those of the same name, its grace time the file's. */
static void test_overlay(void)
{
	struct hsd_config file, cli;
	char err[512];
	CHECK_EQ_INT(parse_file(&file,
	                        "listen 10.0.0.1:22\nlisten 10.0.0.2:22\nsubsystem a=1\nsubsystem b=2\n"
	                        "login_grace_time 30\nmax_channels 9\nciphers aes256-ctr\n",
	                        err, sizeof err),
	             0);
	hsd_config_init(&cli);
	CHECK_EQ_INT(hsd_config_set_option(&cli, hsd_setting_by_option("listen"), "127.0.0.1:0", err, sizeof err), 0);
	CHECK_EQ_INT(hsd_config_set_option(&cli, hsd_setting_by_option("subsystem"), "b=3", err, sizeof err), 0);
	CHECK_EQ_INT(hsd_config_set_option(&cli, hsd_setting_by_option("login-grace-time"), "5", err, sizeof err), 0);
	CHECK_EQ_INT(hsd_config_set_option(&cli, hsd_setting_by_option("user"), "nobody", err, sizeof err), 0);
	CHECK_EQ_INT(hsd_config_overlay(&file, &cli, err, sizeof err), 0);
	CHECK_STR(file.user, "nobody");
	CHECK_EQ_INT(file.nlisten, 1);
	CHECK(strcmp(file.listen[0].addr, "127.0.0.1") == 0 && file.listen[0].port == 0);
	CHECK_EQ_INT(file.subsystems.n, 2);
	CHECK_STR(hsd_subsystems_get(&file.subsystems, "a"), "1");
	CHECK_STR(hsd_subsystems_get(&file.subsystems, "b"), "3");
	CHECK_EQ_INT(file.login_grace_time, 5);
	CHECK_EQ_INT(file.max_channels, 9);
	CHECK_STR(file.algs[HSD_ALG_CIPHERS], "aes256-ctr");
	/* nothing given: nothing changes */
	hsd_config_cleanup(&cli);
	CHECK_EQ_INT(hsd_config_overlay(&file, &cli, err, sizeof err), 0);
	CHECK_EQ_INT(file.login_grace_time, 5);
	CHECK_EQ_INT(file.nlisten, 1);
	hsd_config_cleanup(&file);
}

/* The template shows every setting, each with its default. */
static void test_template(void)
{
	const char *t = hsd_config_template();
	char want[1024], buf[64];
	CHECK(t == hsd_config_template()); /* made once */
	for (size_t i = 0; i < HSD_SETTING_COUNT; i++) {
		const struct hsd_setting *s = &hsd_settings[i];
		const char *def = hsd_setting_default_text(s, buf, sizeof buf);
		if (def != NULL)
			snprintf(want, sizeof want, "\n#%s %s\n", s->name, def);
		else
			snprintf(want, sizeof want, "\n# %s ", s->name);
		if (strstr(t, want) == NULL) {
			fprintf(stderr, "the template lacks \"%s\"\n", want);
			CHECK(0);
		}
	}
	CHECK(strstr(t, "\n#login_grace_time 120\n") != NULL);
	CHECK(strstr(t, "\n#rekey_bytes 1G\n") != NULL);
	CHECK(strstr(t, "\n#user hostsd\n") != NULL);
	CHECK(strstr(t, "\n# subsystem_user replicator=angelos:angelos\n") != NULL);
	CHECK(strstr(t, "\n#subsystem_umask 077\n") != NULL);
	CHECK(strstr(t, "\n#subsystem_max_memory 0\n") != NULL);
}

/* Run `hostsd serve`'s parser with its stderr in a file; returns what it
 * returned, *help, and the first line it wrote. */
static int serve_parse(const char *const *args, struct hsd_serve_cli *cli, int *help, char *msg, size_t msglen)
{
	char *argv[16], words[16][128];
	int argc = 0;
	snprintf(words[argc], sizeof words[argc], "serve");
	argv[argc] = words[argc];
	for (argc++; args[argc - 1] != NULL && argc < 15; argc++) {
		snprintf(words[argc], sizeof words[argc], "%s", args[argc - 1]);
		argv[argc] = words[argc];
	}
	argv[argc] = NULL;
	FILE *f = tmpfile();
	REQUIRE(f != NULL);
	fflush(stderr);
	int saved = dup(2);
	dup2(fileno(f), 2);
	int r = hsd_serve_cli_parse(argc, argv, cli, help);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	rewind(f);
	msg[0] = '\0';
	if (fgets(msg, (int)msglen, f) == NULL)
		msg[0] = '\0';
	msg[strcspn(msg, "\n")] = '\0';
	fclose(f);
	return r;
}

static void test_serve_command_line(void)
{
	struct hsd_serve_cli cli;
	int help;
	char msg[512];
	const char *ok[] = { "--dir",
		             "/d",
		             "--listen",
		             "127.0.0.1:0",
		             "--listen=[::1]:0",
		             "--subsystem",
		             "echo=cat",
		             "--login-grace-time=3600",
		             "--pidfile",
		             "/p",
		             NULL };
	CHECK_EQ_INT(serve_parse(ok, &cli, &help, msg, sizeof msg), 0);
	CHECK_STR(msg, "");
	CHECK_EQ_INT(help, 0);
	CHECK_STR(cli.dir, "/d");
	CHECK_STR(cli.pidfile, "/p");
	CHECK_EQ_INT(cli.over.nlisten, 2);
	CHECK_EQ_INT(cli.over.listen[1].ipv6, 1);
	CHECK_STR(hsd_subsystems_get(&cli.over.subsystems, "echo"), "cat");
	CHECK_EQ_INT(cli.over.login_grace_time, 3600);
	CHECK_EQ_INT(cli.over.set, HSD_CFG_LISTEN | HSD_CFG_SUBSYSTEM | HSD_CFG_LOGIN_GRACE_TIME);
	hsd_serve_cli_cleanup(&cli);

	const char *grace[] = { "--login-grace-time", "86400", NULL };
	CHECK_EQ_INT(serve_parse(grace, &cli, &help, msg, sizeof msg), HSD_EXIT_USAGE);
	CHECK_STR(msg, "hostsd: --login-grace-time \"86400\" must be a whole number from 1 to 3600 (seconds)");
	hsd_serve_cli_cleanup(&cli);
	const char *sub[] = { "--subsystem", "echo", NULL };
	CHECK_EQ_INT(serve_parse(sub, &cli, &help, msg, sizeof msg), HSD_EXIT_USAGE);
	CHECK_STR(msg, "hostsd: bad subsystem \"echo\": expected NAME=COMMAND, e.g. echo=cat");
	hsd_serve_cli_cleanup(&cli);
	const char *none[] = { "--dir=", NULL };
	CHECK_EQ_INT(serve_parse(none, &cli, &help, msg, sizeof msg), HSD_EXIT_USAGE);
	CHECK_STR(msg, "hostsd: --dir needs a value");
	hsd_serve_cli_cleanup(&cli);
	const char *unknown[] = { "--max-channels", "8", NULL };
	CHECK_EQ_INT(serve_parse(unknown, &cli, &help, msg, sizeof msg), HSD_EXIT_USAGE);
	CHECK_STR(msg, "hostsd: unknown option \"--max-channels\"");
	hsd_serve_cli_cleanup(&cli);
	const char *asked[] = { "-h", NULL };
	CHECK_EQ_INT(serve_parse(asked, &cli, &help, msg, sizeof msg), 0);
	CHECK_EQ_INT(help, 1);
	hsd_serve_cli_cleanup(&cli);
}

static void test_format_bytes(void)
{
	char b[32];
	hsd_format_bytes(16384, b, sizeof b);
	CHECK_STR(b, "16K");
	hsd_format_bytes(1024ull * 1024 * 1024, b, sizeof b);
	CHECK_STR(b, "1G");
	hsd_format_bytes(64ull * 1024 * 1024 * 1024, b, sizeof b);
	CHECK_STR(b, "64G");
	hsd_format_bytes(1536ull * 1024, b, sizeof b);
	CHECK_STR(b, "1536K");
	hsd_format_bytes(1000, b, sizeof b);
	CHECK_STR(b, "1000");
	hsd_format_bytes(0, b, sizeof b);
	CHECK_STR(b, "0");
}

int main(void)
{
	test_rows();
	test_defaults();
	test_engine_ranges();
	test_same_verdicts();
	test_option_rules();
	test_overlay();
	test_template();
	test_serve_command_line();
	test_format_bytes();
	return hs_test_done();
}
