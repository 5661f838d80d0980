/* Tests of the serve policy: subsystem names, the subsystem table, and the
 * grant decision (granted and configured, "*", refusals and their reasons). */
#include "daemon/policy.h"

#include <stdlib.h>
#include <string.h>

#include "hs_test.h"

static void test_names(void)
{
	CHECK(hsd_subsystem_name_valid("echo"));
	CHECK(hsd_subsystem_name_valid("replicator"));
	CHECK(hsd_subsystem_name_valid("sftp@openssh.com"));
	CHECK(hsd_subsystem_name_valid("a.b_c-d"));
	CHECK(!hsd_subsystem_name_valid(""));
	CHECK(!hsd_subsystem_name_valid(NULL));
	CHECK(!hsd_subsystem_name_valid("-x"));
	CHECK(!hsd_subsystem_name_valid("a b"));
	CHECK(!hsd_subsystem_name_valid("a/b"));
	CHECK(!hsd_subsystem_name_valid("*"));
	CHECK(!hsd_subsystem_name_valid("a\nb"));
	char longname[70];
	memset(longname, 'a', sizeof longname);
	longname[64] = '\0';
	CHECK(hsd_subsystem_name_valid(longname));
	longname[64] = 'a';
	longname[65] = '\0';
	CHECK(!hsd_subsystem_name_valid(longname));
}

static void test_table(void)
{
	struct hsd_subsystems t = { 0 }, c = { 0 };
	CHECK_EQ_INT(hsd_subsystems_set(&t, "echo", "cat"), 0);
	CHECK_EQ_INT(hsd_subsystems_set(&t, "fail", "exit 3"), 0);
	CHECK_EQ_INT(hsd_subsystems_set(&t, "echo", "cat -u"), 0); /* later wins */
	CHECK_EQ_INT(t.n, 2);
	CHECK(strcmp(hsd_subsystems_get(&t, "echo"), "cat -u") == 0);
	CHECK(hsd_subsystems_get(&t, "nope") == NULL);
	CHECK(hsd_subsystems_get(&t, NULL) == NULL);
	CHECK_EQ_INT(hsd_subsystems_set(&t, "bad name", "x"), -1);
	CHECK_EQ_INT(hsd_subsystems_set(&t, "empty", ""), -1);
	CHECK_EQ_INT(hsd_subsystems_set(&t, "blank", "  \t"), -1);
	CHECK_EQ_INT(hsd_subsystems_set(&t, "null", NULL), -1);
	CHECK_EQ_INT(t.n, 2);
	CHECK_EQ_INT(hsd_subsystems_copy(&c, &t), 0);
	hsd_subsystems_clear(&t);
	CHECK_EQ_INT(t.n, 0);
	CHECK(t.v == NULL);
	CHECK(strcmp(hsd_subsystems_get(&c, "fail"), "exit 3") == 0);
	hsd_subsystems_clear(&c);
	hsd_subsystems_clear(&c); /* twice is harmless */
}

static void test_decide(void)
{
	struct hsd_subsystems t = { 0 };
	const char *why = NULL;
	CHECK_EQ_INT(hsd_subsystems_set(&t, "echo", "cat"), 0);
	CHECK_EQ_INT(hsd_subsystems_set(&t, "fail", "exit 3"), 0);
	const char *some[] = { "echo", "missing" };
	const char *all[] = { "*" };
	const char *none[] = { NULL };

	CHECK(strcmp(hsd_policy_decide(&t, some, 2, "echo", &why), "cat") == 0);
	CHECK(why == NULL);
	CHECK(hsd_policy_decide(&t, some, 2, "fail", &why) == NULL);
	CHECK(why != NULL && strcmp(why, "not granted to this host") == 0);
	CHECK(hsd_policy_decide(&t, some, 2, "missing", &why) == NULL);
	CHECK(why != NULL && strcmp(why, "not configured") == 0);

	CHECK(strcmp(hsd_policy_decide(&t, all, 1, "fail", &why), "exit 3") == 0);
	CHECK(hsd_policy_decide(&t, all, 1, "other", &why) == NULL);
	CHECK(why != NULL && strcmp(why, "not configured") == 0);
	/* "*" as a requested name is never a subsystem */
	CHECK(hsd_policy_decide(&t, all, 1, "*", &why) == NULL);

	CHECK(hsd_policy_decide(&t, NULL, 0, "echo", &why) == NULL);
	CHECK(hsd_policy_decide(&t, none, 1, "echo", &why) == NULL);
	CHECK(hsd_policy_decide(&t, some, 2, NULL, &why) == NULL);
	CHECK(hsd_policy_decide(&t, some, 2, "", &why) == NULL);
	CHECK(!hsd_policy_granted(some, 2, "ech"));
	CHECK(!hsd_policy_granted(some, 2, "echo2"));
	hsd_subsystems_clear(&t);
}

static struct hs_key *new_key(void)
{
	struct hs_hostkey *hk = NULL;
	if (hs_hostkey_generate(HS_KEY_ED25519, &hk) != 0)
		return NULL;
	struct hs_key *k = hs_key_dup(hs_hostkey_public(hk));
	hs_hostkey_free(hk);
	return k;
}

static void test_check_key(void)
{
	struct hsd_peer_record r;
	struct hs_key *good = new_key(), *old = new_key(), *gone = new_key(), *stranger = new_key();
	CHECK(good && old && gone && stranger);
	memset(&r, 0, sizeof r);
	CHECK(strcmp(hsd_policy_check_key(&r, good, 1000), "unknown host") == 0);
	CHECK(strcmp(hsd_policy_check_key(NULL, good, 1000), "unknown host") == 0);
	r.found = 1;
	r.keys = calloc(4, sizeof(*r.keys));
	r.keys[0].key = hs_key_dup(good);
	r.keys[0].expires = 0;
	r.keys[1].key = hs_key_dup(old);
	r.keys[1].expires = 1000; /* expired at exactly now */
	r.keys[2].key = hs_key_dup(gone);
	r.keys[2].revoked = 1;
	r.keys[3].key = NULL; /* unusable row: skipped */
	r.nkeys = 4;
	CHECK(hsd_policy_check_key(&r, good, 1000) == NULL);
	CHECK(strcmp(hsd_policy_check_key(&r, old, 1000), "key expired") == 0);
	CHECK(hsd_policy_check_key(&r, old, 999) == NULL);
	CHECK(strcmp(hsd_policy_check_key(&r, gone, 1000), "key revoked") == 0);
	CHECK(strcmp(hsd_policy_check_key(&r, stranger, 1000), "key not authorized") == 0);
	/* a key listed twice is judged by its valid row */
	r.keys[3].key = hs_key_dup(gone);
	CHECK(hsd_policy_check_key(&r, gone, 1000) == NULL);
	/* a revoked host refuses every key */
	r.revoked = 1;
	CHECK(strcmp(hsd_policy_check_key(&r, good, 1000), "host revoked") == 0);
	r.grants = calloc(1, sizeof(char *));
	r.grants[0] = strdup("*");
	r.ngrants = 1;
	hsd_peer_record_clear(&r);
	CHECK(r.keys == NULL && r.nkeys == 0 && r.grants == NULL && r.found == 0);
	hsd_peer_record_clear(&r); /* twice is harmless */
	hs_key_free(good);
	hs_key_free(old);
	hs_key_free(gone);
	hs_key_free(stranger);
}

int main(void)
{
	test_names();
	test_table();
	test_decide();
	test_check_key();
	return hs_test_done();
}
