/* Tests of the trust registry: value rules, opening (missing, foreign,
 * damaged, too new), add / rotate / revoke / remove / grant / deny /
 * expire / list, change groups, the lock wait, the change detector, the
 * server's look-ups and the attempt log. */
#include "registry/registry_priv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon/policy.h"
#include "hs_test.h"
#include "registry/schema.h"

static char tmpdir[] = "/tmp/hsd-registry-test-XXXXXX";
static char dbpath[256];

static struct hs_key *new_key(void)
{
	struct hs_hostkey *hk = NULL;
	struct hs_key *k = NULL;
	if (hs_hostkey_generate(HS_KEY_ED25519, &hk) == 0)
		k = hs_key_dup(hs_hostkey_public(hk));
	hs_hostkey_free(hk);
	return k;
}

static void path_of(const char *name, char *out, size_t outlen)
{
	snprintf(out, outlen, "%s/%s", tmpdir, name);
}

static struct hsd_registry *fresh(const char *name)
{
	struct hsd_registry *reg = NULL;
	char err[512];
	path_of(name, dbpath, sizeof dbpath);
	unlink(dbpath);
	if (hsd_registry_open(dbpath, HSD_REG_CREATE | HSD_REG_CHECK, &reg, err, sizeof err) != 0)
		fprintf(stderr, "open %s: %s\n", dbpath, err);
	return reg;
}

static int add(struct hsd_registry *reg, const char *host, const struct hs_key *key, int64_t expires,
               enum hsd_add_result *res)
{
	/* "*" when nothing is said, as trust import asks */
	struct hsd_key_spec spec = {
		.host_id = host, .key = key, .expires = expires, .comment = "test", .all_by_default = 1
	};
	enum hsd_add_result dummy;
	return hsd_registry_add_key(reg, &spec, 1000, res != NULL ? res : &dummy);
}

static void test_names(void)
{
	static const char *const good[] = { "a",
		                            "peer1",
		                            "Z_9.x-y",
		                            "0",
		                            "6ba7b810-9dad-11d1-80b4-00c04fd430c8",
		                            "a.",
		                            "a..b",
		                            "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" };
	static const char *const bad[] = {
		"",     ".",    "..",        "../x",
		"a/b",  "-a",   ".hidden",   "a b",
		"a\tb", "a\nb", "a\x1b[31m", "caf\xc3\xa9",
		"a:b",  "a@b",  "*",         "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	};
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
		CHECK(hsd_host_id_valid(good[i]));
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		CHECK(!hsd_host_id_valid(bad[i]));
	CHECK(!hsd_host_id_valid(NULL));

	/* Grant names follow the policy's subsystem names, plus "*". */
	static const char *const names[] = { "replicator",
		                             "a@b",
		                             "x.y_z-1",
		                             "-x",
		                             "",
		                             "a b",
		                             "a/b",
		                             "*x",
		                             "\xff",
		                             "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
		                             "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" };
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		CHECK_EQ_INT(hsd_grant_name_valid(names[i]), hsd_subsystem_name_valid(names[i]));
	CHECK(hsd_grant_name_valid("*"));

	int64_t t;
	char d[HSD_DATE_SIZE], tm[HSD_TIME_SIZE];
	CHECK_EQ_INT(hsd_date_parse("1970-01-01", &t), 0);
	CHECK_EQ_INT(t, 0);
	CHECK_EQ_INT(hsd_date_parse("2000-03-01", &t), 0);
	CHECK_EQ_INT(t, 951868800);
	CHECK_EQ_INT(hsd_date_parse("2024-02-29", &t), 0);
	hsd_date_format(t, d);
	CHECK(strcmp(d, "2024-02-29") == 0);
	CHECK_EQ_INT(hsd_date_parse("2023-02-29", &t), -1);
	CHECK_EQ_INT(hsd_date_parse("2100-02-29", &t), -1);
	CHECK_EQ_INT(hsd_date_parse("2000-02-29", &t), 0);
	CHECK_EQ_INT(hsd_date_parse("2026-13-01", &t), -1);
	CHECK_EQ_INT(hsd_date_parse("2026-04-31", &t), -1);
	CHECK_EQ_INT(hsd_date_parse("2026-00-10", &t), -1);
	CHECK_EQ_INT(hsd_date_parse("1969-12-31", &t), -1);
	CHECK_EQ_INT(hsd_date_parse("2026-1-01", &t), -1);
	CHECK_EQ_INT(hsd_date_parse("2026-01-01x", &t), -1);
	CHECK_EQ_INT(hsd_date_parse("20260101", &t), -1);
	CHECK_EQ_INT(hsd_date_parse("+026-01-01", &t), -1);
	CHECK_EQ_INT(hsd_date_parse(NULL, &t), -1);
	CHECK_EQ_INT(hsd_date_parse("9999-12-31", &t), 0);
	hsd_date_format(t, d);
	CHECK(strcmp(d, "9999-12-31") == 0);
	hsd_time_format(1795471200, tm); /* 2026-11-23T22:00:00Z */
	CHECK(strcmp(tm, "2026-11-23T22:00:00Z") == 0);
	hsd_time_format(-1, tm);
	CHECK(strcmp(tm, "1969-12-31T23:59:59Z") == 0);
	hsd_time_format(INT64_MAX, tm);
	CHECK(strcmp(tm, "9999-12-31T23:59:59Z") == 0);

	char fp[HSD_FINGERPRINT_SIZE];
	CHECK_EQ_INT(hsd_fingerprint_parse("SHA256:K0n2cjdkai5jI34PCvTbDWuSRKpY2bt/TafJNTrOktU", fp), 0);
	CHECK_EQ_INT(hsd_fingerprint_parse("K0n2cjdkai5jI34PCvTbDWuSRKpY2bt/TafJNTrOktU", fp), 0);
	CHECK(strcmp(fp, "SHA256:K0n2cjdkai5jI34PCvTbDWuSRKpY2bt/TafJNTrOktU") == 0);
	CHECK_EQ_INT(hsd_fingerprint_parse("SHA256:K0n2cjdkai5jI34PCvTbDWuSRKpY2bt/TafJNTrOkt", fp), -1);
	CHECK_EQ_INT(hsd_fingerprint_parse("SHA256:K0n2cjdkai5jI34PCvTbDWuSRKpY2bt/TafJNTrOkt=", fp), -1);
	CHECK_EQ_INT(hsd_fingerprint_parse("MD5:aa", fp), -1);

	CHECK(hsd_text_valid("plain text, caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", 26));
	CHECK(!hsd_text_valid("a\nb", 3));
	CHECK(!hsd_text_valid("a\x7f", 2));
	CHECK(!hsd_text_valid("\xc2\x85", 2));     /* C1 control */
	CHECK(!hsd_text_valid("\xc0\xaf", 2));     /* overlong */
	CHECK(!hsd_text_valid("\xed\xa0\x80", 3)); /* surrogate */
	CHECK(!hsd_text_valid("\xf4\x90\x80\x80", 4));
	CHECK(!hsd_text_valid("\xe2\x82", 2)); /* truncated */
	char out[8];
	hsd_text_sanitize(out, sizeof out, "a\x1b[0m\xff");
	CHECK(strcmp(out, "a?[0m?") == 0);
	hsd_text_sanitize(out, 5, "ab\xe2\x82\xac");
	CHECK(strcmp(out, "ab") == 0); /* not cut inside a character */
}

static void test_open_errors(void)
{
	struct hsd_registry *reg = NULL;
	char err[512], path[256];
	FILE *f;

	path_of("missing/registry.db", path, sizeof path);
	CHECK_EQ_INT(hsd_registry_open(path, HSD_REG_CHECK, &reg, err, sizeof err), HS_ERR_NOT_FOUND);
	CHECK(reg == NULL);
	CHECK(strstr(err, "run hostsd init --dir") != NULL && strstr(err, "/missing") != NULL);

	/* Garbage: damaged. */
	path_of("garbage.db", path, sizeof path);
	f = fopen(path, "w");
	for (int i = 0; i < 200; i++)
		fputs("this is not an SQLite database at all\n", f);
	fclose(f);
	CHECK_EQ_INT(hsd_registry_open(path, HSD_REG_CHECK, &reg, err, sizeof err), HS_ERR_FORMAT);
	CHECK(strstr(err, "damaged") != NULL && strstr(err, path) != NULL);

	/* Another program's SQLite file. */
	sqlite3 *db;
	path_of("other.db", path, sizeof path);
	unlink(path);
	CHECK_EQ_INT(sqlite3_open(path, &db), SQLITE_OK);
	CHECK_EQ_INT(sqlite3_exec(db, "CREATE TABLE t (x); PRAGMA application_id=7", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	CHECK_EQ_INT(hsd_registry_open(path, HSD_REG_CHECK, &reg, err, sizeof err), HS_ERR_FORMAT);
	CHECK(strstr(err, "not a hostsd registry") != NULL);
	CHECK_EQ_INT(hsd_registry_open(path, HSD_REG_CREATE, &reg, err, sizeof err), HS_ERR_FORMAT);

	/* Tables but no identity, even with CREATE: never taken over. */
	path_of("other2.db", path, sizeof path);
	unlink(path);
	CHECK_EQ_INT(sqlite3_open(path, &db), SQLITE_OK);
	CHECK_EQ_INT(sqlite3_exec(db, "CREATE TABLE t (x)", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	CHECK_EQ_INT(hsd_registry_open(path, HSD_REG_CREATE, &reg, err, sizeof err), HS_ERR_FORMAT);
	CHECK(strstr(err, "another program") != NULL);

	/* A newer schema. */
	reg = fresh("newer.db");
	CHECK(reg != NULL);
	hsd_registry_close(reg);
	CHECK_EQ_INT(sqlite3_open(dbpath, &db), SQLITE_OK);
	CHECK_EQ_INT(sqlite3_exec(db, "PRAGMA user_version=99", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	CHECK_EQ_INT(hsd_registry_open(dbpath, 0, &reg, err, sizeof err), HS_ERR_FORMAT);
	CHECK(strstr(err, "newer hostsd") != NULL);

	/* A directory where the file should be. */
	path_of("", path, sizeof path);
	CHECK_EQ_INT(hsd_registry_open(path, 0, &reg, err, sizeof err), HS_ERR_IO);

	/* A damaged page inside a valid file: quick_check finds it. */
	reg = fresh("corrupt.db");
	struct hs_key *k = new_key();
	for (int i = 0; i < 40; i++) {
		char host[16];
		struct hs_key *ki = new_key();
		snprintf(host, sizeof host, "h%d", i);
		CHECK_EQ_INT(add(reg, host, ki, 0, NULL), 0);
		hs_key_free(ki);
	}
	hs_key_free(k);
	hsd_registry_close(reg);
	/* Overwrite the b-tree page headers of pages 2..8 (4096-byte pages):
	 * an invalid page type is what quick_check reports. */
	f = fopen(dbpath, "r+b");
	for (int page = 1; page < 8; page++) {
		fseek(f, 4096L * page, SEEK_SET);
		for (int i = 0; i < 8; i++)
			fputc(0xa5, f);
	}
	fclose(f);
	int r = hsd_registry_open(dbpath, HSD_REG_CHECK, &reg, err, sizeof err);
	CHECK_EQ_INT(r, HS_ERR_FORMAT);
	CHECK(strstr(err, "damaged") != NULL && strstr(err, ".recover") != NULL);
	if (r == 0)
		hsd_registry_close(reg);
}

static void test_create_and_reopen(void)
{
	struct hsd_registry *reg = fresh("basic.db");
	char err[512];
	int64_t v;
	CHECK(reg != NULL);
	if (reg == NULL)
		return;
	CHECK_EQ_INT(hsd__reg_query_int(reg, "PRAGMA application_id", &v), 0);
	CHECK_EQ_INT(v, HSD_REGISTRY_APP_ID);
	CHECK_EQ_INT(hsd__reg_query_int(reg, "PRAGMA user_version", &v), 0);
	CHECK_EQ_INT(v, HSD_REGISTRY_VERSION);
	CHECK_EQ_INT(hsd__reg_query_int(reg, "PRAGMA foreign_keys", &v), 0);
	CHECK_EQ_INT(v, 1);
	hsd_registry_close(reg);
	/* Opening again (even with CREATE) keeps it; WAL persists. */
	CHECK_EQ_INT(hsd_registry_open(dbpath, HSD_REG_CREATE, &reg, err, sizeof err), 0);
	sqlite3_stmt *st;
	CHECK_EQ_INT(hsd__reg_prepare(reg, &st, "PRAGMA journal_mode", ""), 0);
	CHECK_EQ_INT(sqlite3_step(st), SQLITE_ROW);
	CHECK(strcmp((const char *)sqlite3_column_text(st, 0), "wal") == 0);
	sqlite3_finalize(st);
	CHECK(strcmp(hsd_registry_path(reg), dbpath) == 0);
	hsd_registry_close(reg);
	hsd_registry_close(NULL);
}

static void test_add_rotate_revoke(void)
{
	struct hsd_registry *reg = fresh("add.db");
	struct hs_key *k1 = new_key(), *k2 = new_key(), *k3 = new_key();
	struct hsd_reg_host h;
	enum hsd_add_result res;
	char fp1[HS_FINGERPRINT_SIZE], fp2[HS_FINGERPRINT_SIZE];
	int changed;
	hs_key_fingerprint(k1, fp1);
	hs_key_fingerprint(k2, fp2);

	CHECK_EQ_INT(add(reg, "peer1", k1, 0, &res), 0);
	CHECK_EQ_INT(res, HSD_ADD_NEW_HOST);
	CHECK_EQ_INT(hsd_registry_get_host(reg, "peer1", &h), 0);
	CHECK(strcmp(h.host_id, "peer1") == 0);
	CHECK_EQ_INT(h.nkeys, 1);
	CHECK_EQ_INT(h.ngrants, 1);
	CHECK(h.ngrants == 1 && strcmp(h.grants[0], "*") == 0); /* no --subsystems: everything */
	CHECK(strcmp(h.keys[0].fingerprint, fp1) == 0);
	CHECK(strcmp(h.keys[0].type, "ssh-ed25519") == 0);
	CHECK(strcmp(h.keys[0].comment, "test") == 0);
	CHECK(hs_key_equal(h.keys[0].key, k1));
	CHECK_EQ_INT(h.keys[0].added, 1000);
	CHECK_EQ_INT(h.created, 1000);
	CHECK_EQ_INT(h.last_login, 0);
	hsd_reg_host_clear(&h);

	/* Same key again: nothing changes. */
	CHECK_EQ_INT(add(reg, "peer1", k1, 0, &res), 0);
	CHECK_EQ_INT(res, HSD_ADD_UNCHANGED);

	/* Rotation: a second key; the first stays; grants stay. */
	CHECK_EQ_INT(hsd_registry_deny(reg, "peer1", "*", &changed), 0);
	CHECK_EQ_INT(changed, 1);
	CHECK_EQ_INT(hsd_registry_grant(reg, "peer1", "replicator", &changed), 0);
	CHECK_EQ_INT(add(reg, "peer1", k2, 0, &res), 0);
	CHECK_EQ_INT(res, HSD_ADD_NEW_KEY);
	CHECK_EQ_INT(hsd_registry_get_host(reg, "peer1", &h), 0);
	CHECK_EQ_INT(h.nkeys, 2);
	CHECK(h.ngrants == 1 && strcmp(h.grants[0], "replicator") == 0);
	hsd_reg_host_clear(&h);

	/* One key, one host. */
	CHECK_EQ_INT(add(reg, "peer2", k1, 0, &res), HS_ERR_INVALID_ARG);
	CHECK(strstr(hsd_registry_error(reg), "already belongs to host \"peer1\"") != NULL);
	CHECK_EQ_INT(hsd_registry_get_host(reg, "peer2", &h), HS_ERR_NOT_FOUND); /* rolled back whole */

	/* Revoke one key. */
	CHECK_EQ_INT(hsd_registry_revoke_key(reg, "peer1", fp1, 2000, &changed), 0);
	CHECK_EQ_INT(changed, 1);
	CHECK_EQ_INT(hsd_registry_revoke_key(reg, "peer1", fp1, 2001, &changed), 0);
	CHECK_EQ_INT(changed, 0);
	CHECK_EQ_INT(hsd_registry_revoke_key(reg, "peer1", fp1 + 7, 2001, &changed), 0); /* without SHA256: */
	CHECK_EQ_INT(hsd_registry_get_host(reg, "peer1", &h), 0);
	CHECK_EQ_INT(h.keys[0].revoked, 1);
	CHECK_EQ_INT(h.keys[0].revoked_at, 2000);
	CHECK_EQ_INT(hsd_reg_key_state(&h.keys[0], 3000), HSD_KEY_REVOKED);
	CHECK_EQ_INT(hsd_reg_key_state(&h.keys[1], 3000), HSD_KEY_VALID);
	hsd_reg_host_clear(&h);
	/* A revoked key is not trusted again by adding it. */
	CHECK_EQ_INT(add(reg, "peer1", k1, 0, &res), HS_ERR_INVALID_ARG);
	CHECK(strstr(hsd_registry_error(reg), "was revoked") != NULL);
	/* Unknown key / host. */
	CHECK_EQ_INT(hsd_registry_revoke_key(reg, "peer1", "SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", 1,
	                                     NULL),
	             HS_ERR_NOT_FOUND);
	CHECK(strstr(hsd_registry_error(reg), "has no key") != NULL);
	CHECK_EQ_INT(hsd_registry_revoke_key(reg, "peer1", "nonsense", 1, NULL), HS_ERR_INVALID_ARG);
	CHECK_EQ_INT(hsd_registry_revoke_host(reg, "nobody", 1, NULL), HS_ERR_NOT_FOUND);
	CHECK(strstr(hsd_registry_error(reg), "no host \"nobody\"") != NULL);

	/* Remove the revoked key: it may then be added again. */
	CHECK_EQ_INT(hsd_registry_remove_key(reg, "peer1", fp1), 0);
	CHECK_EQ_INT(hsd_registry_remove_key(reg, "peer1", fp1), HS_ERR_NOT_FOUND);
	CHECK_EQ_INT(add(reg, "peer1", k1, 0, &res), 0);
	CHECK_EQ_INT(res, HSD_ADD_NEW_KEY);

	/* Revoke the host: adding keys is refused, list shows it. */
	CHECK_EQ_INT(hsd_registry_revoke_host(reg, "peer1", 4000, &changed), 0);
	CHECK_EQ_INT(changed, 1);
	CHECK_EQ_INT(hsd_registry_revoke_host(reg, "peer1", 4001, &changed), 0);
	CHECK_EQ_INT(changed, 0);
	CHECK_EQ_INT(add(reg, "peer1", k3, 0, &res), HS_ERR_INVALID_ARG);
	CHECK(strstr(hsd_registry_error(reg), "is revoked") != NULL);
	CHECK_EQ_INT(hsd_registry_get_host(reg, "peer1", &h), 0);
	CHECK_EQ_INT(h.revoked, 1);
	CHECK_EQ_INT(h.revoked_at, 4000);
	hsd_reg_host_clear(&h);

	/* Remove the host: its keys go too (the key is free again). */
	CHECK_EQ_INT(hsd_registry_remove_host(reg, "peer1"), 0);
	CHECK_EQ_INT(hsd_registry_remove_host(reg, "peer1"), HS_ERR_NOT_FOUND);
	CHECK_EQ_INT(add(reg, "peer2", k1, 0, &res), 0);
	CHECK_EQ_INT(res, HSD_ADD_NEW_HOST);
	int64_t n;
	CHECK_EQ_INT(hsd__reg_query_int(reg, "SELECT count(*) FROM host_keys", &n), 0);
	CHECK_EQ_INT(n, 1);
	CHECK_EQ_INT(hsd__reg_query_int(reg, "SELECT count(*) FROM grants", &n), 0);
	CHECK_EQ_INT(n, 1);

	hs_key_free(k1);
	hs_key_free(k2);
	hs_key_free(k3);
	hsd_registry_close(reg);
}

static void test_bad_inputs(void)
{
	struct hsd_registry *reg = fresh("bad.db");
	struct hs_key *k = new_key();
	enum hsd_add_result res;
	static const char *const bad_ids[] = { "../x", "a/b", "a b", "", "-x", ".x", "a\x01", NULL };
	for (int i = 0; bad_ids[i] != NULL; i++) {
		CHECK_EQ_INT(add(reg, bad_ids[i], k, 0, &res), HS_ERR_INVALID_ARG);
		CHECK(strstr(hsd_registry_error(reg), "invalid host identity") != NULL);
		CHECK_EQ_INT(hsd_registry_revoke_host(reg, bad_ids[i], 1, NULL), HS_ERR_INVALID_ARG);
		CHECK_EQ_INT(hsd_registry_remove_host(reg, bad_ids[i]), HS_ERR_INVALID_ARG);
		CHECK_EQ_INT(hsd_registry_grant(reg, bad_ids[i], "x", NULL), HS_ERR_INVALID_ARG);
		CHECK_EQ_INT(hsd_registry_deny(reg, bad_ids[i], "x", NULL), HS_ERR_INVALID_ARG);
	}
	CHECK_EQ_INT(add(reg, NULL, k, 0, &res), HS_ERR_INVALID_ARG);
	CHECK_EQ_INT(add(reg, "ok", NULL, 0, &res), HS_ERR_INVALID_ARG);
	/* The control character never reaches the message. */
	CHECK_EQ_INT(add(reg, "a\x1b[2J", k, 0, &res), HS_ERR_INVALID_ARG);
	CHECK(strchr(hsd_registry_error(reg), 0x1b) == NULL);

	struct hsd_key_spec spec = { .host_id = "ok", .key = k, .comment = "bad\ncomment" };
	CHECK_EQ_INT(hsd_registry_add_key(reg, &spec, 1, &res), HS_ERR_INVALID_ARG);
	char longc[HSD_COMMENT_MAX + 2];
	memset(longc, 'c', sizeof longc - 1);
	longc[sizeof longc - 1] = '\0';
	spec.comment = longc;
	CHECK_EQ_INT(hsd_registry_add_key(reg, &spec, 1, &res), HS_ERR_LIMIT);
	spec.comment = NULL;
	const char *grants[] = { "good", "bad name" };
	spec.grants_given = 1;
	spec.grants = grants;
	spec.ngrants = 2;
	CHECK_EQ_INT(hsd_registry_add_key(reg, &spec, 1, &res), HS_ERR_INVALID_ARG);
	CHECK(strstr(hsd_registry_error(reg), "invalid subsystem name") != NULL);
	int64_t n;
	CHECK_EQ_INT(hsd__reg_query_int(reg, "SELECT count(*) FROM hosts", &n), 0);
	CHECK_EQ_INT(n, 0);

	CHECK_EQ_INT(add(reg, "ok", k, 0, &res), 0);
	CHECK_EQ_INT(hsd_registry_grant(reg, "ok", "a b", NULL), HS_ERR_INVALID_ARG);
	CHECK_EQ_INT(hsd_registry_grant(reg, "ok", "", NULL), HS_ERR_INVALID_ARG);
	CHECK_EQ_INT(hsd_registry_grant(reg, "nobody", "x", NULL), HS_ERR_NOT_FOUND);
	/* SQL text in values is only ever data. */
	CHECK_EQ_INT(hsd_registry_grant(reg, "ok", "x'--", NULL), HS_ERR_INVALID_ARG);
	struct hsd_reg_host h;
	CHECK_EQ_INT(hsd_registry_get_host(reg, "ok' OR '1'='1", &h), HS_ERR_NOT_FOUND);
	hs_key_free(k);
	hsd_registry_close(reg);
}

static void test_grants(void)
{
	struct hsd_registry *reg = fresh("grants.db");
	struct hs_key *k1 = new_key(), *k2 = new_key();
	struct hsd_reg_host h;
	enum hsd_add_result res;
	int changed;
	const char *g[] = { "replicator", "backup", "replicator" };
	struct hsd_key_spec spec = { .host_id = "h", .key = k1, .grants_given = 1, .grants = g, .ngrants = 3 };
	CHECK_EQ_INT(hsd_registry_add_key(reg, &spec, 1, &res), 0);
	CHECK_EQ_INT(hsd_registry_get_host(reg, "h", &h), 0);
	CHECK_EQ_INT(h.ngrants, 2); /* sorted, without the duplicate */
	CHECK(h.ngrants == 2 && strcmp(h.grants[0], "backup") == 0 && strcmp(h.grants[1], "replicator") == 0);
	hsd_reg_host_clear(&h);

	/* A second key with other grants is refused; with the same set (any
	 * order) it is fine. */
	const char *other[] = { "backup" };
	struct hsd_key_spec spec2 = { .host_id = "h", .key = k2, .grants_given = 1, .grants = other, .ngrants = 1 };
	CHECK_EQ_INT(hsd_registry_add_key(reg, &spec2, 1, &res), HS_ERR_INVALID_ARG);
	CHECK(strstr(hsd_registry_error(reg), "backup,replicator") != NULL);
	const char *same[] = { "replicator", "backup" };
	spec2.grants = same;
	spec2.ngrants = 2;
	CHECK_EQ_INT(hsd_registry_add_key(reg, &spec2, 1, &res), 0);
	CHECK_EQ_INT(res, HSD_ADD_NEW_KEY);

	CHECK_EQ_INT(hsd_registry_grant(reg, "h", "backup", &changed), 0);
	CHECK_EQ_INT(changed, 0);
	CHECK_EQ_INT(hsd_registry_grant(reg, "h", "x@y", &changed), 0);
	CHECK_EQ_INT(changed, 1);
	CHECK_EQ_INT(hsd_registry_deny(reg, "h", "x@y", &changed), 0);
	CHECK_EQ_INT(changed, 1);
	CHECK_EQ_INT(hsd_registry_deny(reg, "h", "x@y", &changed), 0);
	CHECK_EQ_INT(changed, 0);
	/* '*' next to single grants; denying one of them is then refused. */
	CHECK_EQ_INT(hsd_registry_grant(reg, "h", "*", &changed), 0);
	CHECK_EQ_INT(hsd_registry_deny(reg, "h", "backup", &changed), HS_ERR_INVALID_ARG);
	CHECK(strstr(hsd_registry_error(reg), "deny * first") != NULL);
	CHECK_EQ_INT(hsd_registry_deny(reg, "h", "*", &changed), 0);
	CHECK_EQ_INT(changed, 1);
	CHECK_EQ_INT(hsd_registry_deny(reg, "h", "backup", &changed), 0);
	CHECK_EQ_INT(changed, 1);

	/* No grants at all: given as an empty set. */
	struct hs_key *k3 = new_key();
	struct hsd_key_spec none = { .host_id = "quiet", .key = k3, .grants_given = 1, .ngrants = 0 };
	CHECK_EQ_INT(hsd_registry_add_key(reg, &none, 1, &res), 0);
	CHECK_EQ_INT(hsd_registry_get_host(reg, "quiet", &h), 0);
	CHECK_EQ_INT(h.ngrants, 0);
	hsd_reg_host_clear(&h);
	/* Nothing said: none (least privilege), unless "*" by default. */
	struct hs_key *k4 = new_key(), *k5 = new_key();
	struct hsd_key_spec unsaid = { .host_id = "unsaid", .key = k4 };
	CHECK_EQ_INT(hsd_registry_add_key(reg, &unsaid, 1, &res), 0);
	CHECK_EQ_INT(hsd_registry_get_host(reg, "unsaid", &h), 0);
	CHECK_EQ_INT(h.ngrants, 0);
	hsd_reg_host_clear(&h);
	/* a key more for a host granted something: its grants stay */
	CHECK_EQ_INT(hsd_registry_grant(reg, "unsaid", "echo", NULL), 0);
	unsaid.key = k5;
	CHECK_EQ_INT(hsd_registry_add_key(reg, &unsaid, 1, &res), 0);
	CHECK_EQ_INT(res, HSD_ADD_NEW_KEY);
	CHECK_EQ_INT(hsd_registry_get_host(reg, "unsaid", &h), 0);
	CHECK(h.ngrants == 1 && strcmp(h.grants[0], "echo") == 0);
	hsd_reg_host_clear(&h);
	hs_key_free(k4);
	hs_key_free(k5);

	/* The limit. */
	for (int i = 0; i < HSD_MAX_GRANTS + 2; i++) {
		char name[16];
		snprintf(name, sizeof name, "s%d", i);
		int r = hsd_registry_grant(reg, "quiet", name, NULL);
		CHECK_EQ_INT(r, i < HSD_MAX_GRANTS ? 0 : HS_ERR_LIMIT);
	}
	hs_key_free(k1);
	hs_key_free(k2);
	hs_key_free(k3);
	hsd_registry_close(reg);
}

static void test_expiry_and_lookup(void)
{
	struct hsd_registry *reg = fresh("lookup.db");
	struct hs_key *k1 = new_key(), *k2 = new_key(), *k3 = new_key();
	struct hsd_reg_host h;
	enum hsd_verdict v;
	char fp1[HS_FINGERPRINT_SIZE], fp2[HS_FINGERPRINT_SIZE], fp3[HS_FINGERPRINT_SIZE];
	int64_t day;
	hs_key_fingerprint(k1, fp1);
	hs_key_fingerprint(k2, fp2);
	hs_key_fingerprint(k3, fp3);
	CHECK_EQ_INT(hsd_date_parse("2030-06-15", &day), 0);
	CHECK_EQ_INT(add(reg, "h", k1, 0, NULL), 0);
	CHECK_EQ_INT(add(reg, "h", k2, day, NULL), 0);
	CHECK_EQ_INT(add(reg, "h", k3, 0, NULL), 0);
	CHECK_EQ_INT(hsd_registry_revoke_key(reg, "h", fp3, 5, NULL), 0);

	/* Before the expiry day both unrevoked keys are usable. */
	CHECK_EQ_INT(hsd_registry_lookup(reg, "h", day - 1, &h), 0);
	CHECK_EQ_INT(h.nkeys, 2);
	CHECK(h.nkeys == 2 && hs_key_equal(h.keys[0].key, k1) && hs_key_equal(h.keys[1].key, k2));
	CHECK(h.ngrants == 1 && strcmp(h.grants[0], "*") == 0);
	hsd_reg_host_clear(&h);
	/* From 00:00 UTC of that day, the key is expired. */
	CHECK_EQ_INT(hsd_registry_lookup(reg, "h", day, &h), 0);
	CHECK_EQ_INT(h.nkeys, 1);
	CHECK(h.nkeys == 1 && hs_key_equal(h.keys[0].key, k1));
	hsd_reg_host_clear(&h);

	CHECK_EQ_INT(hsd_registry_check_key(reg, "h", fp1, day, &v), 0);
	CHECK_EQ_INT(v, HSD_VERDICT_OK);
	CHECK_EQ_INT(hsd_registry_check_key(reg, "h", fp2, day - 1, &v), 0);
	CHECK_EQ_INT(v, HSD_VERDICT_OK);
	CHECK_EQ_INT(hsd_registry_check_key(reg, "h", fp2, day, &v), 0);
	CHECK_EQ_INT(v, HSD_VERDICT_KEY_EXPIRED);
	CHECK_EQ_INT(hsd_registry_check_key(reg, "h", fp3, 0, &v), 0);
	CHECK_EQ_INT(v, HSD_VERDICT_KEY_REVOKED);
	CHECK_EQ_INT(hsd_registry_check_key(reg, "h", "SHA256:nope", 0, &v), 0);
	CHECK_EQ_INT(v, HSD_VERDICT_UNKNOWN_KEY);
	CHECK_EQ_INT(hsd_registry_check_key(reg, "nobody", fp1, 0, &v), 0);
	CHECK_EQ_INT(v, HSD_VERDICT_UNKNOWN_HOST);
	CHECK_EQ_INT(hsd_registry_check_key(reg, "../etc", fp1, 0, &v), 0);
	CHECK_EQ_INT(v, HSD_VERDICT_UNKNOWN_HOST);
	CHECK(strcmp(hsd_verdict_reason(HSD_VERDICT_KEY_EXPIRED), "key expired") == 0);
	CHECK(strcmp(hsd_verdict_reason(HSD_VERDICT_UNKNOWN_KEY), "key not authorized") == 0);

	/* Unknown or malformed identities: not found, no message kept. */
	CHECK_EQ_INT(hsd_registry_lookup(reg, "nobody", 0, &h), HS_ERR_NOT_FOUND);
	CHECK(hsd_registry_error(reg)[0] == '\0');
	CHECK_EQ_INT(hsd_registry_lookup(reg, "x\x1b", 0, &h), HS_ERR_NOT_FOUND);

	char **grants;
	size_t ng;
	CHECK_EQ_INT(hsd_registry_grants(reg, "h", &grants, &ng), 0);
	CHECK(ng == 1 && strcmp(grants[0], "*") == 0);
	for (size_t i = 0; i < ng; i++)
		free(grants[i]);
	free(grants);

	/* A revoked host: no keys, no grants, verdict says why. */
	CHECK_EQ_INT(hsd_registry_revoke_host(reg, "h", 6, NULL), 0);
	CHECK_EQ_INT(hsd_registry_lookup(reg, "h", 0, &h), 0);
	CHECK_EQ_INT(h.revoked, 1);
	CHECK_EQ_INT(h.nkeys, 0);
	CHECK_EQ_INT(h.ngrants, 0);
	hsd_reg_host_clear(&h);
	CHECK_EQ_INT(hsd_registry_check_key(reg, "h", fp1, 0, &v), 0);
	CHECK_EQ_INT(v, HSD_VERDICT_HOST_REVOKED);
	CHECK_EQ_INT(hsd_registry_grants(reg, "h", &grants, &ng), 0);
	CHECK_EQ_INT(ng, 0);

	/* A stored blob this build cannot parse: unusable, never matched. */
	CHECK_EQ_INT(hsd__reg_exec(reg,
	                           "INSERT INTO hosts (host_id, created) VALUES ('odd', 1);"
	                           "INSERT INTO host_keys (host, type, blob, fingerprint, added) VALUES "
	                           "((SELECT id FROM hosts WHERE host_id = 'odd'), 'ssh-dss', x'00000007737368', "
	                           "'SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', 1)",
	                           "test"),
	             0);
	CHECK_EQ_INT(hsd_registry_get_host(reg, "odd", &h), 0);
	CHECK(h.nkeys == 1 && h.keys[0].key == NULL);
	CHECK(h.nkeys == 1 && hsd_reg_key_state(&h.keys[0], 0) == HSD_KEY_UNUSABLE);
	hsd_reg_host_clear(&h);
	CHECK_EQ_INT(hsd_registry_lookup(reg, "odd", 0, &h), 0);
	CHECK_EQ_INT(h.nkeys, 0);
	hsd_reg_host_clear(&h);
	CHECK_EQ_INT(hsd_registry_check_key(reg, "odd", "SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", 0, &v),
	             0);
	CHECK_EQ_INT(v, HSD_VERDICT_UNKNOWN_KEY);

	/* The policy's judgement agrees with check_key on the same data. */
	hs_key_free(k1);
	hs_key_free(k2);
	hs_key_free(k3);
	hsd_registry_close(reg);
}

static void test_list(void)
{
	struct hsd_registry *reg = fresh("list.db");
	struct hsd_reg_host *hosts;
	size_t n;
	CHECK_EQ_INT(hsd_registry_list(reg, &hosts, &n), 0);
	CHECK_EQ_INT(n, 0);
	hsd_reg_hosts_free(hosts, n);
	static const char *const ids[] = { "zeta", "alpha", "Mid", "beta" };
	for (int i = 0; i < 4; i++) {
		struct hs_key *k = new_key();
		CHECK_EQ_INT(add(reg, ids[i], k, 0, NULL), 0);
		hs_key_free(k);
	}
	CHECK_EQ_INT(hsd_registry_list(reg, &hosts, &n), 0);
	CHECK_EQ_INT(n, 4);
	if (n == 4) {
		CHECK(strcmp(hosts[0].host_id, "Mid") == 0); /* byte order */
		CHECK(strcmp(hosts[1].host_id, "alpha") == 0);
		CHECK(strcmp(hosts[3].host_id, "zeta") == 0);
		CHECK_EQ_INT(hosts[2].nkeys, 1);
	}
	hsd_reg_hosts_free(hosts, n);
	hsd_registry_close(reg);
}

static void test_groups(void)
{
	struct hsd_registry *reg = fresh("groups.db");
	struct hs_key *k1 = new_key(), *k2 = new_key();
	int64_t n;
	/* Rolled back: nothing stays. */
	CHECK_EQ_INT(hsd_registry_begin(reg), 0);
	CHECK_EQ_INT(hsd_registry_begin(reg), HS_ERR_INVALID_ARG);
	CHECK_EQ_INT(add(reg, "a", k1, 0, NULL), 0);
	CHECK_EQ_INT(add(reg, "b", k2, 0, NULL), 0);
	hsd_registry_rollback(reg);
	CHECK_EQ_INT(hsd__reg_query_int(reg, "SELECT count(*) FROM hosts", &n), 0);
	CHECK_EQ_INT(n, 0);
	/* A refused change inside a group leaves the others. */
	CHECK_EQ_INT(hsd_registry_begin(reg), 0);
	CHECK_EQ_INT(add(reg, "a", k1, 0, NULL), 0);
	CHECK_EQ_INT(add(reg, "c", k1, 0, NULL), HS_ERR_INVALID_ARG); /* k1 belongs to a */
	CHECK_EQ_INT(add(reg, "b", k2, 0, NULL), 0);
	CHECK_EQ_INT(hsd_registry_commit(reg), 0);
	CHECK_EQ_INT(hsd_registry_commit(reg), HS_ERR_INVALID_ARG);
	CHECK_EQ_INT(hsd__reg_query_int(reg, "SELECT count(*) FROM hosts", &n), 0);
	CHECK_EQ_INT(n, 2);
	/* Another handle sees committed changes only. */
	struct hsd_registry *other = NULL;
	char err[512];
	CHECK_EQ_INT(hsd_registry_open(dbpath, 0, &other, err, sizeof err), 0);
	CHECK_EQ_INT(hsd_registry_begin(reg), 0);
	CHECK_EQ_INT(hsd_registry_remove_host(reg, "a"), 0);
	struct hsd_reg_host h;
	CHECK_EQ_INT(hsd_registry_get_host(other, "a", &h), 0);
	hsd_reg_host_clear(&h);
	CHECK_EQ_INT(hsd_registry_commit(reg), 0);
	CHECK_EQ_INT(hsd_registry_get_host(other, "a", &h), HS_ERR_NOT_FOUND);
	hsd_registry_close(other);
	/* Closing with an open group rolls it back. */
	CHECK_EQ_INT(hsd_registry_begin(reg), 0);
	CHECK_EQ_INT(hsd_registry_remove_host(reg, "b"), 0);
	hsd_registry_close(reg);
	CHECK_EQ_INT(hsd_registry_open(dbpath, 0, &reg, err, sizeof err), 0);
	CHECK_EQ_INT(hsd_registry_get_host(reg, "b", &h), 0);
	hsd_reg_host_clear(&h);
	hs_key_free(k1);
	hs_key_free(k2);
	hsd_registry_close(reg);
}

static void test_locked(void)
{
	struct hsd_registry *reg = fresh("locked.db");
	struct hs_key *k = new_key();
	sqlite3 *db;
	CHECK_EQ_INT(sqlite3_open(dbpath, &db), SQLITE_OK);
	CHECK_EQ_INT(sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
	hsd_registry_set_busy_timeout(reg, 200);
	CHECK_EQ_INT(add(reg, "h", k, 0, NULL), HS_ERR_TIMEOUT);
	CHECK(strstr(hsd_registry_error(reg), "locked by another process") != NULL);
	CHECK(strstr(hsd_registry_error(reg), dbpath) != NULL);
	/* Readers are not blocked by a writer (WAL). */
	struct hsd_reg_host *hosts;
	size_t n;
	CHECK_EQ_INT(hsd_registry_list(reg, &hosts, &n), 0);
	hsd_reg_hosts_free(hosts, n);
	CHECK_EQ_INT(sqlite3_exec(db, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
	CHECK_EQ_INT(add(reg, "h", k, 0, NULL), 0);
	sqlite3_close(db);
	hs_key_free(k);
	hsd_registry_close(reg);
}

static void test_changed(void)
{
	struct hsd_registry *srv = fresh("changed.db"), *cli = NULL;
	struct hs_key *k = new_key();
	char err[512];
	int changed = -1;
	CHECK_EQ_INT(hsd_registry_open(dbpath, HSD_REG_SYNC_NORMAL, &cli, err, sizeof err), 0);
	CHECK_EQ_INT(hsd_registry_changed(srv, &changed), 0);
	CHECK_EQ_INT(changed, 0);
	/* A trust change by another connection. */
	CHECK_EQ_INT(add(cli, "h", k, 0, NULL), 0);
	CHECK_EQ_INT(hsd_registry_changed(srv, &changed), 0);
	CHECK_EQ_INT(changed, 1);
	CHECK_EQ_INT(hsd_registry_changed(srv, &changed), 0);
	CHECK_EQ_INT(changed, 0);
	/* The attempt log and logins are not trust changes. */
	struct hsd_auth_event ev = { 5, "127.0.0.1:5555", "h", "SHA256:x", 0, "key not authorized" };
	CHECK_EQ_INT(hsd_registry_log_attempt(cli, &ev), 0);
	CHECK_EQ_INT(hsd_registry_record_login(cli, "h", "127.0.0.1:5556", "SHA256:y", 6), 0);
	CHECK_EQ_INT(hsd_registry_changed(srv, &changed), 0);
	CHECK_EQ_INT(changed, 0);
	/* Grants, revocations, removals are. */
	CHECK_EQ_INT(hsd_registry_grant(cli, "h", "x", NULL), 0);
	CHECK_EQ_INT(hsd_registry_changed(srv, &changed), 0);
	CHECK_EQ_INT(changed, 1);
	CHECK_EQ_INT(hsd_registry_revoke_host(cli, "h", 7, NULL), 0);
	CHECK_EQ_INT(hsd_registry_changed(srv, &changed), 0);
	CHECK_EQ_INT(changed, 1);
	/* A change by hand, with the sqlite3 shell, counts too (triggers). */
	sqlite3 *db;
	CHECK_EQ_INT(sqlite3_open(dbpath, &db), SQLITE_OK);
	CHECK_EQ_INT(sqlite3_exec(db, "UPDATE hosts SET revoked = 0", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	CHECK_EQ_INT(hsd_registry_changed(srv, &changed), 0);
	CHECK_EQ_INT(changed, 1);
	/* The handle's own changes count. */
	CHECK_EQ_INT(hsd_registry_remove_host(srv, "h"), 0);
	CHECK_EQ_INT(hsd_registry_changed(srv, &changed), 0);
	CHECK_EQ_INT(changed, 1);
	CHECK_EQ_INT(hsd_registry_changed(cli, &changed), 0);
	CHECK_EQ_INT(changed, 1);
	hs_key_free(k);
	hsd_registry_close(cli);
	hsd_registry_close(srv);
}

static void test_log(void)
{
	struct hsd_registry *reg = fresh("log.db");
	struct hs_key *k = new_key();
	struct hsd_reg_event *ev;
	struct hsd_reg_host h;
	size_t n;
	char fp[HS_FINGERPRINT_SIZE];
	hs_key_fingerprint(k, fp);
	CHECK_EQ_INT(add(reg, "h", k, 0, NULL), 0);
	struct hsd_auth_event a = { 100, "10.0.0.1:4000", "evil\x1b[2J\nname", NULL, 0, "unknown host" };
	CHECK_EQ_INT(hsd_registry_log_attempt(reg, &a), 0);
	CHECK_EQ_INT(hsd_registry_record_login(reg, "h", "10.0.0.2:4001", fp, 200), 0);
	CHECK_EQ_INT(hsd_registry_record_login(reg, "../x", "10.0.0.2:4001", fp, 200), HS_ERR_INVALID_ARG);
	/* A host removed meanwhile: the log row is still written. */
	CHECK_EQ_INT(hsd_registry_record_login(reg, "gone", "10.0.0.3:4002", fp, 300), 0);
	CHECK_EQ_INT(hsd_registry_get_host(reg, "h", &h), 0);
	CHECK_EQ_INT(h.last_login, 200);
	CHECK(strcmp(h.last_login_peer, "10.0.0.2:4001") == 0);
	CHECK(strcmp(h.last_login_key, fp) == 0);
	hsd_reg_host_clear(&h);
	struct hsd_auth_event stranger = { 400, "10.0.0.4:4003", "nobody", NULL, 0, "unknown host" };
	CHECK_EQ_INT(hsd_registry_log_attempt(reg, &stranger), 0);
	CHECK_EQ_INT(hsd_registry_read_log(reg, NULL, 10, &ev, &n), 0);
	CHECK_EQ_INT(n, 4);
	if (n == 4) {
		CHECK(strcmp(ev[0].host_id, "nobody") == 0); /* newest first */
		CHECK(!ev[0].accepted && strcmp(ev[0].reason, "unknown host") == 0);
		CHECK(ev[0].fingerprint[0] == '\0');
		CHECK_EQ_INT(ev[1].time, 300);
		CHECK(strcmp(ev[2].host_id, "h") == 0 && ev[2].accepted && ev[2].attempts == 0);
		/* an invalid host id has no row: it is counted */
		CHECK(ev[3].attempts == 1 && ev[3].time == 100 && ev[3].since == 100);
		CHECK(ev[3].host_id[0] == '\0' && !ev[3].accepted);
		CHECK(strcmp(ev[3].peer, "10.0.0.1:4000") == 0);
	}
	hsd_reg_events_free(ev);
	CHECK_EQ_INT(hsd_registry_read_log(reg, "h", 10, &ev, &n), 0);
	CHECK_EQ_INT(n, 1);
	hsd_reg_events_free(ev);
	CHECK_EQ_INT(hsd_registry_read_log(reg, NULL, 1, &ev, &n), 0);
	CHECK_EQ_INT(n, 1);
	hsd_reg_events_free(ev);
	/* the kinds of the rows */
	int64_t kinds;
	CHECK_EQ_INT(hsd__reg_query_int(reg,
	                                "SELECT group_concat(kind, '') FROM (SELECT kind FROM auth_log ORDER BY id)",
	                                &kinds),
	             0);
	CHECK_EQ_INT(kinds, 2); /* "002": h accepted, gone accepted, nobody refused */
	hs_key_free(k);
	hsd_registry_close(reg);
}

/* Strangers cannot push the rows of registered hosts out of the log, and
 * made-up names are counted per day, not stored. */
static void test_log_flood(void)
{
	struct hsd_registry *reg = fresh("flood.db");
	struct hs_key *k = new_key();
	struct hsd_reg_event *ev;
	size_t n;
	int64_t rows;
	char fp[HS_FINGERPRINT_SIZE];
	hs_key_fingerprint(k, fp);
	CHECK_EQ_INT(add(reg, "h", k, 0, NULL), 0);
	CHECK_EQ_INT(hsd_registry_record_login(reg, "h", "10.0.0.2:4001", fp, 200), 0);
	struct hsd_auth_event wrong = { 210, "10.0.0.5:4005", "h", "SHA256:x", 0, "key not authorized" };
	CHECK_EQ_INT(hsd_registry_log_attempt(reg, &wrong), 0);

	/* A flood of unknown host ids is bounded and pushes out only its own. */
	struct hsd_auth_event flood = { 1000, "10.9.9.9:1", "x", "", 0, "unknown host" };
	CHECK_EQ_INT(hsd_registry_begin(reg), 0);
	for (int i = 0; i < HSD_AUTH_LOG_KEEP + 600; i++)
		if (hsd_registry_log_attempt(reg, &flood) != 0) {
			CHECK(0);
			break;
		}
	CHECK_EQ_INT(hsd_registry_commit(reg), 0);
	CHECK_EQ_INT(hsd__reg_query_int(reg, "SELECT count(*) FROM auth_log", &rows), 0);
	CHECK(rows <= HSD_AUTH_LOG_KEEP + 256 && rows >= HSD_AUTH_LOG_KEEP);
	CHECK_EQ_INT(hsd_registry_read_log(reg, "h", 10, &ev, &n), 0);
	CHECK_EQ_INT(n, 2);
	if (n == 2)
		CHECK(!ev[0].accepted && ev[1].accepted && ev[1].time == 200);
	hsd_reg_events_free(ev);

	/* Made-up names: one count per day, whatever their number. */
	struct hsd_auth_event bad = { 86400 * 3 + 5, "10.8.8.8:1", "evil\" x=y", "", 0, "unknown host" };
	CHECK_EQ_INT(hsd_registry_begin(reg), 0);
	for (int i = 0; i < 1000; i++) {
		bad.time = 86400 * 3 + 5 + i;
		if (hsd_registry_log_attempt(reg, &bad) != 0) {
			CHECK(0);
			break;
		}
	}
	CHECK_EQ_INT(hsd_registry_commit(reg), 0);
	CHECK_EQ_INT(hsd_registry_count_invalid(reg, 40, 86400 * 3 + 2000, 86400 * 3 + 2100, "10.7.7.7:2"), 0);
	CHECK_EQ_INT(hsd_registry_count_invalid(reg, 7, 86400 * 4, 86400 * 4 + 1, "10.6.6.6:3"), 0);
	CHECK_EQ_INT(hsd_registry_count_invalid(reg, 0, 0, 0, "10.6.6.6:3"), 0);
	int64_t after;
	CHECK_EQ_INT(hsd__reg_query_int(reg, "SELECT count(*) FROM auth_log", &after), 0);
	CHECK_EQ_INT(after, rows);
	CHECK_EQ_INT(hsd_registry_read_log(reg, NULL, 3, &ev, &n), 0);
	CHECK_EQ_INT(n, 3);
	if (n == 3) {
		CHECK(ev[0].attempts == 7 && ev[0].time == 86400 * 4 + 1 && strcmp(ev[0].peer, "10.6.6.6:3") == 0);
		CHECK(ev[1].attempts == 1040 && ev[1].since == 86400 * 3 + 5 && ev[1].time == 86400 * 3 + 2100);
		CHECK(strcmp(ev[1].peer, "10.7.7.7:2") == 0);
		CHECK(ev[2].attempts == 0 && ev[2].time == 1000); /* the rows come after */
	}
	hsd_reg_events_free(ev);
	/* old days are forgotten */
	CHECK_EQ_INT(hsd_registry_count_invalid(reg, 1, 86400 * (4 + HSD_AUTH_INVALID_KEEP_DAYS),
	                                        86400 * (4 + HSD_AUTH_INVALID_KEEP_DAYS), "10.6.6.6:3"),
	             0);
	CHECK_EQ_INT(hsd__reg_query_int(reg, "SELECT count(*) FROM auth_invalid", &rows), 0);
	CHECK_EQ_INT(rows, 2);
	hs_key_free(k);
	hsd_registry_close(reg);
}

/* A version 1 registry is brought up to date when opened: every row gets
 * its kind, the counts their table. */
static void test_migrate(void)
{
	struct hsd_registry *reg = fresh("v1.db");
	struct hs_key *k = new_key();
	char fp[HS_FINGERPRINT_SIZE], err[512];
	int64_t v;
	hs_key_fingerprint(k, fp);
	CHECK_EQ_INT(add(reg, "h", k, 0, NULL), 0);
	CHECK_EQ_INT(hsd_registry_record_login(reg, "h", "10.0.0.2:4001", fp, 200), 0);
	/* back to version 1 */
	CHECK_EQ_INT(hsd__reg_exec(reg,
	                           "DROP TABLE auth_invalid; DROP INDEX auth_log_by_kind; "
	                           "ALTER TABLE auth_log DROP COLUMN kind; PRAGMA user_version = 1; "
	                           "INSERT INTO auth_log (time, peer, host_id, fingerprint, result, reason) VALUES "
	                           "(300, 'p', 'h', '', 'refused', 'key not authorized'), "
	                           "(301, 'p', 'zz', '', 'refused', 'unknown host')",
	                           "downgrading"),
	             0);
	hsd_registry_close(reg);
	reg = NULL;
	CHECK_EQ_INT(hsd_registry_open(dbpath, 0, &reg, err, sizeof err), 0);
	REQUIRE(reg != NULL);
	CHECK_EQ_INT(hsd__reg_query_int(reg, "PRAGMA user_version", &v), 0);
	CHECK_EQ_INT(v, HSD_REGISTRY_VERSION);
	CHECK_EQ_INT(hsd__reg_query_int(reg,
	                                "SELECT group_concat(kind, '') FROM (SELECT kind FROM auth_log ORDER BY id)",
	                                &v),
	             0);
	CHECK_EQ_INT(v, 12); /* "012" */
	CHECK_EQ_INT(hsd_registry_count_invalid(reg, 1, 5, 5, "p"), 0);
	hsd_registry_close(reg);
	hs_key_free(k);
}

int main(void)
{
	if (mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	test_names();
	test_open_errors();
	test_create_and_reopen();
	test_add_rotate_revoke();
	test_bad_inputs();
	test_grants();
	test_expiry_and_lookup();
	test_list();
	test_groups();
	test_locked();
	test_changed();
	test_log();
	test_log_flood();
	test_migrate();
	char cmd[300];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", tmpdir);
	return hs_test_done();
}
