/* Tests of `hostsd serve`'s use of the trust registry: look-ups of unknown,
 * valid, revoked and expiring hosts and keys with their grants, the change
 * detector (changes by another handle are seen once, attempt-log writes
 * are not changes), and the attempt log. */
#include "daemon/serve_registry.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "hs_test.h"
#include "registry/registry.h"

static char dir[] = "/tmp/hsd-serve-registry-XXXXXX";

static struct hs_key *new_key(void)
{
	struct hs_hostkey *hk = NULL;
	if (hs_hostkey_generate(HS_KEY_ED25519, &hk) != 0)
		return NULL;
	struct hs_key *k = hs_key_dup(hs_hostkey_public(hk));
	hs_hostkey_free(hk);
	return k;
}

static struct hsd_registry *open_admin(void)
{
	char path[512], err[512];
	struct hsd_registry *reg = NULL;
	snprintf(path, sizeof path, "%s/%s", dir, HSD_REGISTRY_FILE);
	if (hsd_registry_open(path, HSD_REG_CREATE, &reg, err, sizeof err) != 0)
		fprintf(stderr, "open: %s\n", err);
	return reg;
}

static int add(struct hsd_registry *reg, const char *host, const struct hs_key *k, int64_t expires, const char *grant)
{
	const char *g[1] = { grant };
	struct hsd_key_spec spec = { .host_id = host, .key = k, .expires = expires };
	enum hsd_add_result res;
	if (grant != NULL) {
		spec.grants_given = 1;
		spec.grants = g;
		spec.ngrants = 1;
	}
	return hsd_registry_add_key(reg, &spec, (int64_t)time(NULL), &res);
}

static void test_missing(void)
{
	struct hsd_regpool *p = NULL;
	char err[512];
	err[0] = '\0';
	CHECK(hsd_regpool_open(dir, &p, err, sizeof err) != 0);
	CHECK(p == NULL);
	CHECK(strstr(err, "hostsd init") != NULL);
	hsd_regpool_close(NULL);
}

static void test_lookup_and_changes(void)
{
	struct hsd_registry *admin = open_admin();
	struct hs_key *k1 = new_key(), *k2 = new_key(), *k3 = new_key();
	struct hsd_regpool *p = NULL;
	struct hsd_peer_record r;
	char err[512];
	int changed = -1;
	CHECK(admin != NULL && k1 && k2 && k3);
	CHECK_EQ_INT(add(admin, "node1", k1, 0, "echo"), 0);
	CHECK_EQ_INT(add(admin, "node1", k2, (int64_t)time(NULL) + 3600, NULL), 0);
	CHECK_EQ_INT(hsd_regpool_open(dir, &p, err, sizeof err), 0);
	CHECK(p != NULL);
	if (p == NULL)
		return;

	CHECK_EQ_INT(hsd_regpool_changed(p, &changed), 0);
	CHECK_EQ_INT(changed, 0);
	CHECK_EQ_INT(hsd_regpool_decoys(p), 0);
	CHECK_EQ_INT(hsd_regpool_lookup(p, "nobody", &r), 0);
	CHECK_EQ_INT(hsd_regpool_decoys(p), 1); /* an unknown host costs a key parse too */
	CHECK_EQ_INT(r.found, 0);
	CHECK_EQ_INT(hsd_regpool_lookup(p, "../etc", &r), 0);
	CHECK_EQ_INT(r.found, 0);
	CHECK_EQ_INT(hsd_regpool_lookup(p, "node1", &r), 0);
	CHECK_EQ_INT(hsd_regpool_decoys(p), 2); /* a known host parses its own keys */
	CHECK_EQ_INT(r.found, 1);
	CHECK_EQ_INT(r.revoked, 0);
	CHECK_EQ_INT(r.nkeys, 2);
	CHECK_EQ_INT(r.ngrants, 1);
	CHECK(r.ngrants == 1 && strcmp(r.grants[0], "echo") == 0);
	int64_t now = (int64_t)time(NULL);
	CHECK(hsd_policy_check_key(&r, k1, now) == NULL);
	CHECK(hsd_policy_check_key(&r, k2, now) == NULL);
	CHECK(strcmp(hsd_policy_check_key(&r, k2, now + 7200), "key expired") == 0);
	CHECK(strcmp(hsd_policy_check_key(&r, k3, now), "key not authorized") == 0);
	hsd_peer_record_clear(&r);

	/* a change by another handle (another process, in real life) */
	char fp[HS_FINGERPRINT_SIZE];
	hs_key_fingerprint(k2, fp);
	int ch;
	CHECK_EQ_INT(hsd_registry_revoke_key(admin, "node1", fp, now, &ch), 0);
	CHECK_EQ_INT(hsd_regpool_changed(p, &changed), 0);
	CHECK_EQ_INT(changed, 1);
	CHECK_EQ_INT(hsd_regpool_changed(p, &changed), 0);
	CHECK_EQ_INT(changed, 0); /* seen once */
	CHECK_EQ_INT(hsd_regpool_lookup(p, "node1", &r), 0);
	CHECK(strcmp(hsd_policy_check_key(&r, k2, now), "key revoked") == 0);
	CHECK(hsd_policy_check_key(&r, k1, now) == NULL);
	hsd_peer_record_clear(&r);

	/* the attempt log is written, and is not a trust change */
	struct hsd_attempt a;
	memset(&a, 0, sizeof a);
	snprintf(a.peer, sizeof a.peer, "127.0.0.1:4000");
	snprintf(a.host, sizeof a.host, "node1");
	hs_key_fingerprint(k1, a.fingerprint);
	a.accepted = 1;
	CHECK_EQ_INT(hsd_regpool_log_attempt(p, &a), 0);
	a.accepted = 0;
	snprintf(a.host, sizeof a.host, "stranger");
	snprintf(a.reason, sizeof a.reason, "unknown host");
	CHECK_EQ_INT(hsd_regpool_log_attempt(p, &a), 0);
	/* invalid host ids: counted */
	CHECK_EQ_INT(hsd_regpool_count_invalid(p, 3, now - 10, now - 5, "127.0.0.9:1"), 0);
	CHECK_EQ_INT(hsd_regpool_changed(p, &changed), 0);
	CHECK_EQ_INT(changed, 0);
	struct hsd_reg_event *ev = NULL;
	size_t n = 0;
	CHECK_EQ_INT(hsd_registry_read_log(admin, NULL, 10, &ev, &n), 0);
	CHECK_EQ_INT(n, 3);
	if (n == 3) {
		CHECK_EQ_INT(ev[0].accepted, 0);
		CHECK(strcmp(ev[0].reason, "unknown host") == 0);
		CHECK_EQ_INT(ev[1].accepted, 1);
		CHECK(strcmp(ev[1].host_id, "node1") == 0);
		CHECK(ev[2].attempts == 3 && ev[2].since == now - 10 && strcmp(ev[2].peer, "127.0.0.9:1") == 0);
	}
	hsd_reg_events_free(ev);

	/* a revoked host */
	CHECK_EQ_INT(hsd_registry_revoke_host(admin, "node1", now, &ch), 0);
	CHECK_EQ_INT(hsd_regpool_lookup(p, "node1", &r), 0);
	CHECK_EQ_INT(r.found, 1);
	CHECK_EQ_INT(r.revoked, 1);
	CHECK(strcmp(hsd_policy_check_key(&r, k1, now), "host revoked") == 0);
	hsd_peer_record_clear(&r);

	hsd_regpool_close(p);
	hsd_registry_close(admin);
	hs_key_free(k1);
	hs_key_free(k2);
	hs_key_free(k3);
}

static void cleanup(void)
{
	static const char *const files[] = { HSD_REGISTRY_FILE, HSD_REGISTRY_FILE "-wal", HSD_REGISTRY_FILE "-shm",
		                             HSD_REGISTRY_FILE "-journal" };
	char path[512];
	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
		snprintf(path, sizeof path, "%s/%s", dir, files[i]);
		unlink(path);
	}
	rmdir(dir);
}

int main(void)
{
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	test_missing();
	test_lookup_and_changes();
	cleanup();
	return hs_test_done();
}
