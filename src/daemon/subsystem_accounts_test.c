/* Tests of the accounts of subsystems (daemon/subsystem_accounts.c): the
 * line a subsystem's account comes from, the parsing of subsystem_user
 * values, and the rule that keeps subsystems off root and the workers'
 * account, as root and not as root (both judged from the arguments, so
 * both run whoever runs the test). Uses the system's root, daemon and
 * nobody accounts. */
#include "daemon/subsystem_accounts.h"

#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/serve_settings.h"

#include "hs_test.h"

static void test_spec(void)
{
	struct hsd_subsystem_users t, copy;
	int own = -1;
	memset(&t, 0, sizeof t);
	memset(&copy, 0, sizeof copy);
	CHECK_STR(hsd_subsystem_account_spec(&t, "echo", &own), HSD_SUBSYSTEM_USER_DEFAULT);
	CHECK_EQ_INT(own, 0);
	CHECK_STR(HSD_SUBSYSTEM_USER_DEFAULT, "nobody");
	CHECK_EQ_INT(hsd_subsystem_users_set(&t, "*", "daemon"), 0);
	CHECK_EQ_INT(hsd_subsystem_users_set(&t, "echo", "root:daemon"), 0);
	CHECK_EQ_INT(hsd_subsystem_users_set(&t, "bad name", "root"), -1);
	CHECK_EQ_INT(hsd_subsystem_users_set(&t, "echo", "a:b:c"), -1);
	CHECK_STR(hsd_subsystem_account_spec(&t, "echo", &own), "root:daemon");
	CHECK_EQ_INT(own, 1);
	CHECK_STR(hsd_subsystem_account_spec(&t, "other", &own), "daemon");
	CHECK_EQ_INT(own, 0);
	CHECK_STR(hsd_subsystem_users_get(&t, "*"), "daemon");
	CHECK(hsd_subsystem_users_get(&t, "other") == NULL);
	CHECK_EQ_INT(hsd_subsystem_users_copy(&copy, &t), 0);
	hsd_subsystem_users_clear(&t);
	CHECK(t.any == NULL && t.named.n == 0);
	CHECK_STR(hsd_subsystem_account_spec(&copy, "echo", NULL), "root:daemon");
	CHECK_STR(hsd_subsystem_account_spec(&copy, "x", NULL), "daemon");
	hsd_subsystem_users_clear(&copy);
}

static void test_parse(void)
{
	static const char *const bad[] = { "echo",       "=nobody",   "bad name=nobody", "echo=",
		                           "echo=a:b:c", "*x=nobody", "echo=no body" };
	char *name, *spec, err[512];
	CHECK_EQ_INT(hsd_parse_subsystem_user("subsystem_user", "echo=nobody", &name, &spec, err, sizeof err), 0);
	CHECK_STR(name, "echo");
	CHECK_STR(spec, "nobody");
	free(name);
	free(spec);
	CHECK_EQ_INT(hsd_parse_subsystem_user("subsystem_user", "*=65534:65534", &name, &spec, err, sizeof err), 0);
	CHECK_STR(name, "*");
	CHECK_STR(spec, "65534:65534");
	free(name);
	free(spec);
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		CHECK_EQ_INT(hsd_parse_subsystem_user("subsystem_user", bad[i], &name, &spec, err, sizeof err), -1);
		CHECK(name == NULL && spec == NULL);
	}
	CHECK_STR(err,
	          "subsystem_user \"echo=no body\" must be NAME=USER or NAME=USER:GROUP (NAME a subsystem or *, "
	          "USER and GROUP names or numbers), e.g. replicator=angelos");
}

/* Settings with subsystems echo and sync and the given lines ("NAME=SPEC"
 * each). */
static void make(struct hsd_serve_settings *s, const char *const *lines)
{
	memset(s, 0, sizeof(*s));
	REQUIRE(hsd_subsystems_set(&s->subsystems, "echo", "cat") == 0);
	REQUIRE(hsd_subsystems_set(&s->subsystems, "sync", "true") == 0);
	for (; *lines != NULL; lines++) {
		char *name, *spec, err[256];
		REQUIRE(hsd_parse_subsystem_user("subsystem_user", *lines, &name, &spec, err, sizeof err) == 0);
		REQUIRE(hsd_subsystem_users_set(&s->subsystem_users, name, spec) == 0);
		free(name);
		free(spec);
	}
}

/* hsd_subsystem_accounts_check with lines; its error, "" when it passed. */
static void check_lines(const char *const *lines, int root, uid_t uid, gid_t gid, const char *want)
{
	struct hsd_serve_settings s;
	char err[1024] = "";
	make(&s, lines);
	int r = hsd_subsystem_accounts_check(&s, root, uid, gid, err, sizeof err);
	CHECK_EQ_INT(r, want[0] == '\0' ? 0 : -1);
	CHECK_STR(err, want);
	hsd_serve_settings_clear(&s);
}

static void test_check_as_root(void)
{
	const struct passwd *pw = getpwnam("daemon");
	REQUIRE(pw != NULL);
	uid_t workers = pw->pw_uid; /* daemon stands for the workers' account */
	const char *none[] = { NULL };
	check_lines(none, 1, workers, 0, "");
	const char *star_root[] = { "*=root", NULL };
	check_lines(star_root, 1, workers, 0,
	            "subsystem echo would run as root (root) through subsystem_user *; a subsystem runs as root only "
	            "when its own line says so: add \"subsystem_user echo=root\" to hostsd.conf, or give echo another "
	            "account");
	const char *own_root[] = { "*=root", "echo=root", "sync=nobody", NULL };
	check_lines(own_root, 1, workers, 0, "");
	const char *star_workers[] = { "*=daemon", "echo=nobody", NULL };
	check_lines(star_workers, 1, workers, 0,
	            "subsystem sync would run as daemon, the account of the network workers, through subsystem_user *; "
	            "a subsystem runs as that account only when its own line says so: add \"subsystem_user "
	            "sync=daemon\" to hostsd.conf, or give sync another account");
	const char *own_workers[] = { "*=daemon", "echo=daemon", "sync=daemon:nogroup", NULL };
	check_lines(own_workers, 1, workers, 0, "");
	/* the default, nobody, when that is the workers' account */
	const struct passwd *nobody = getpwnam("nobody");
	REQUIRE(nobody != NULL);
	check_lines(none, 1, nobody->pw_uid, 0,
	            "subsystem echo would run as nobody, the account of the network workers, through subsystem_user * "
	            "(by default); a subsystem runs as that account only when its own line says so: add "
	            "\"subsystem_user echo=nobody\" to hostsd.conf, or give echo another account");
	const char *unknown[] = { "sync=hostsd-test-no-such-user", NULL };
	check_lines(unknown, 1, workers, 0,
	            "subsystem_user sync \"hostsd-test-no-such-user\": no such account (create it with: useradd "
	            "--system --no-create-home --shell /usr/sbin/nologin hostsd-test-no-such-user, or set "
	            "subsystem_user sync in hostsd.conf)");
	/* a line of a subsystem not configured is not looked at as root */
	const char *unused[] = { "other=hostsd-test-no-such-user", NULL };
	check_lines(unused, 1, workers, 0, "");
}

static void test_check_unprivileged(void)
{
	const struct passwd *nobody = getpwnam("nobody");
	REQUIRE(nobody != NULL);
	uid_t uid = nobody->pw_uid;
	gid_t gid = nobody->pw_gid;
	char want[512];
	const char *none[] = { NULL };
	check_lines(none, 0, uid, gid, "");
	const char *own[] = { "*=nobody", "echo=nobody", "other=nobody", NULL };
	check_lines(own, 0, uid, gid, "");
	const char *other[] = { "echo=nobody", "other=root", NULL };
	snprintf(want, sizeof want,
	         "subsystem_user other=root names another account than this server's (uid %lu, gid %lu), and only a "
	         "server started as root runs subsystems as other accounts: remove the line, or start hostsd serve "
	         "as root",
	         (unsigned long)uid, (unsigned long)gid);
	check_lines(other, 0, uid, gid, want);
	const char *star[] = { "*=root", NULL };
	snprintf(want, sizeof want,
	         "subsystem_user *=root names another account than this server's (uid %lu, gid %lu), and only a "
	         "server started as root runs subsystems as other accounts: remove the line, or start hostsd serve "
	         "as root",
	         (unsigned long)uid, (unsigned long)gid);
	check_lines(star, 0, uid, gid, want);
	/* the same user in another group is another account too */
	const char *group[] = { "echo=nobody:root", NULL };
	snprintf(want, sizeof want,
	         "subsystem_user echo=nobody:root names another account than this server's (uid %lu, gid %lu), and "
	         "only a server started as root runs subsystems as other accounts: remove the line, or start hostsd "
	         "serve as root",
	         (unsigned long)uid, (unsigned long)gid);
	check_lines(group, 0, uid, gid, want);
}

int main(void)
{
	test_spec();
	test_parse();
	test_check_as_root();
	test_check_unprivileged();
	return hs_test_done();
}
