/* Tests of account specs (daemon/account.c) against the system's own
 * accounts: root, nobody and nogroup exist on every Debian system; names
 * that do not exist are made up long enough not to. */
#include "daemon/account.h"

#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>

#include "hs_test.h"

#define NO_USER "hostsd-test-no-such-user"
#define NO_GROUP "hostsd-test-no-such-group"

static int has_group(const struct hsd_account *a, gid_t g)
{
	for (size_t i = 0; i < a->ngroups; i++)
		if (a->groups[i] == g)
			return 1;
	return 0;
}

static void test_root(void)
{
	struct hsd_account a;
	char err[512];
	CHECK_EQ_INT(hsd_account_resolve("root", "user", &a, err, sizeof err), 0);
	CHECK_STR(a.name, "root");
	CHECK_EQ_INT(a.uid, 0);
	CHECK_EQ_INT(a.gid, 0);
	CHECK_STR(a.group, "root");
	CHECK_STR(a.home, "/root");
	CHECK(a.ngroups >= 1 && has_group(&a, 0));
	hsd_account_clear(&a);
	CHECK(a.groups == NULL && a.ngroups == 0);
	hsd_account_clear(&a); /* twice is fine */
}

static void test_nobody(void)
{
	struct hsd_account a;
	char err[512];
	struct passwd *pw = getpwnam("nobody");
	struct group *gr = getgrnam("nogroup");
	REQUIRE(pw != NULL && gr != NULL);
	uid_t nobody = pw->pw_uid;
	gid_t nogroup = gr->gr_gid;

	CHECK_EQ_INT(hsd_account_resolve("nobody", "user", &a, err, sizeof err), 0);
	CHECK_STR(a.name, "nobody");
	CHECK_EQ_INT(a.uid, nobody);
	CHECK_EQ_INT(a.gid, pw->pw_gid);
	CHECK(has_group(&a, a.gid));
	hsd_account_clear(&a);

	CHECK_EQ_INT(hsd_account_resolve("nobody:nogroup", "user", &a, err, sizeof err), 0);
	CHECK_EQ_INT(a.uid, nobody);
	CHECK_EQ_INT(a.gid, nogroup);
	CHECK_STR(a.group, "nogroup");
	CHECK(has_group(&a, nogroup));
	hsd_account_clear(&a);

	/* a group other than the user's own: it is the primary one, and
	 * among the supplementary ones (initgroups' list) */
	CHECK_EQ_INT(hsd_account_resolve("nobody:root", "user", &a, err, sizeof err), 0);
	CHECK_EQ_INT(a.uid, nobody);
	CHECK_EQ_INT(a.gid, 0);
	CHECK_STR(a.group, "root");
	CHECK(has_group(&a, 0));
	hsd_account_clear(&a);
}

static void test_numeric(void)
{
	struct hsd_account a;
	char err[512], spec[64];
	struct passwd *pw = getpwnam("nobody");
	REQUIRE(pw != NULL);

	/* a number with an entry: the entry's name and groups */
	snprintf(spec, sizeof spec, "%lu", (unsigned long)pw->pw_uid);
	CHECK_EQ_INT(hsd_account_resolve(spec, "user", &a, err, sizeof err), 0);
	CHECK_STR(a.name, "nobody");
	CHECK_EQ_INT(a.gid, pw->pw_gid);
	hsd_account_clear(&a);

	CHECK_EQ_INT(hsd_account_resolve("0:0", "user", &a, err, sizeof err), 0);
	CHECK_STR(a.name, "root");
	CHECK_STR(a.group, "root");
	hsd_account_clear(&a);

	/* numbers without entries: taken as they are, GROUP needed */
	CHECK_EQ_INT(hsd_account_resolve("4000123:4000124", "subsystem_user x", &a, err, sizeof err), 0);
	CHECK_STR(a.name, "4000123");
	CHECK_STR(a.group, "4000124");
	CHECK_EQ_INT(a.uid, 4000123);
	CHECK_EQ_INT(a.gid, 4000124);
	CHECK_EQ_INT(a.ngroups, 1);
	CHECK_EQ_INT(a.groups[0], 4000124);
	CHECK_STR(a.home, "/");
	hsd_account_clear(&a);
	CHECK_EQ_INT(hsd_account_resolve("4000123", "subsystem_user x", &a, err, sizeof err), -1);
	CHECK_STR(err,
	          "subsystem_user x \"4000123\": uid 4000123 has no account, so no group to take: give one as "
	          "4000123:GROUP, or create the account");
	CHECK(a.groups == NULL);
	/* a user with a numeric group that has no entry */
	CHECK_EQ_INT(hsd_account_resolve("nobody:4000124", "user", &a, err, sizeof err), 0);
	CHECK_EQ_INT(a.gid, 4000124);
	CHECK_STR(a.group, "4000124");
	CHECK(has_group(&a, 4000124));
	hsd_account_clear(&a);
	/* (uid_t)-1 is no id */
	CHECK_EQ_INT(hsd_account_resolve("4294967295:0", "user", &a, err, sizeof err), -1);
}

static void test_unknown(void)
{
	struct hsd_account a;
	char err[512];
	CHECK_EQ_INT(hsd_account_resolve("hostsd-test-no-such-user", "user", &a, err, sizeof err), -1);
	CHECK_STR(err, "user \"" NO_USER
	               "\": no such account (create it with: useradd --system --no-create-home "
	               "--shell /usr/sbin/nologin " NO_USER ", or set user in hostsd.conf)");
	CHECK(a.groups == NULL && a.ngroups == 0);
	CHECK_EQ_INT(hsd_account_resolve(NO_USER ":root", "user", &a, err, sizeof err), -1);
	CHECK(strstr(err, "no such account") != NULL);
	CHECK_EQ_INT(hsd_account_resolve("nobody:" NO_GROUP, "subsystem_user echo", &a, err, sizeof err), -1);
	CHECK_STR(err, "subsystem_user echo \"nobody:" NO_GROUP "\": no such group \"" NO_GROUP
	               "\" (create it with: groupadd --system " NO_GROUP ", or name another group)");
	CHECK(a.groups == NULL);
}

static void test_syntax(void)
{
	static const char *const bad[] = { "", ":", "nobody:", ":nogroup", "a:b:c", "no body", "nobody\t", "a=b", "x\n",
		                           "nobody: nogroup",
		                           /* 64 bytes */
		                           "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" };
	struct hsd_account a;
	char err[512];
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		CHECK(!hsd_account_spec_valid(bad[i]));
		CHECK_EQ_INT(hsd_account_resolve(bad[i], "user", &a, err, sizeof err), -1);
		CHECK(strstr(err, "must be USER or USER:GROUP") != NULL);
	}
	CHECK_EQ_INT(hsd_account_resolve("a:b:c", "user", &a, err, sizeof err), -1);
	CHECK_STR(err,
	          "user \"a:b:c\" must be USER or USER:GROUP (names or numbers, without blanks; at most 63 "
	          "bytes each)");
	CHECK(hsd_account_spec_valid("nobody"));
	CHECK(hsd_account_spec_valid("nobody:nogroup"));
	CHECK(hsd_account_spec_valid("65534:65534"));
	CHECK(hsd_account_spec_valid("svc-angelos$"));
}

int main(void)
{
	test_root();
	test_nobody();
	test_numeric();
	test_unknown();
	test_syntax();
	return hs_test_done();
}
