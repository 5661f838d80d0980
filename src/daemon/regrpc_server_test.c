/* End-to-end tests of the registry messages: a real registry in a temporary
 * state directory, a monitor's server (regrpc_server.c) on one end of a
 * socketpair on a libuv loop in its own thread, a worker's remote pool
 * (serve_registry.c, regrpc_client.c) on the other end used from other
 * threads. Look-ups equal the local pool's, also for the largest record;
 * changes, the attempt log and counts reach the registry; a malformed,
 * over-long or empty request, or a hang-up, ends the server once with a
 * reason; calls fail promptly when the monitor is gone, and on time when
 * it does not answer; a late reply is told from the awaited one. */
#include "daemon/regrpc_server.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "daemon/regrpc.h"
#include "daemon/regrpc_client.h"
#include "daemon/serve_registry.h"
#include "hs_test.h"
#include "registry/registry.h"

static char dir[] = "/tmp/hsd-regrpc-XXXXXX";

/* --- the monitor: a loop in a thread --- */

struct monitor {
	uv_loop_t loop;
	uv_async_t stop;
	struct hsd_regrpc_server *srv;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int ended; /* times ended was called */
	char why[256];
	int close_in_ended;
};

static void on_ended(void *data, const char *why)
{
	struct monitor *m = data;
	if (m->close_in_ended) {
		hsd_regrpc_server_close(m->srv);
		m->srv = NULL;
	}
	pthread_mutex_lock(&m->mu);
	m->ended++;
	snprintf(m->why, sizeof m->why, "%s", why);
	pthread_cond_signal(&m->cv);
	pthread_mutex_unlock(&m->mu);
}

static void on_stop(uv_async_t *a)
{
	struct monitor *m = a->data;
	hsd_regrpc_server_close(m->srv);
	m->srv = NULL;
	uv_close((uv_handle_t *)&m->stop, NULL);
}

static void *loop_thread(void *arg)
{
	struct monitor *m = arg;
	uv_run(&m->loop, UV_RUN_DEFAULT);
	return NULL;
}

static void monitor_start(struct monitor *m, int fd, struct hsd_regpool *pool)
{
	memset(m, 0, sizeof(*m));
	REQUIRE(uv_loop_init(&m->loop) == 0);
	REQUIRE(uv_async_init(&m->loop, &m->stop, on_stop) == 0);
	m->stop.data = m;
	pthread_mutex_init(&m->mu, NULL);
	pthread_cond_init(&m->cv, NULL);
	REQUIRE(hsd_regrpc_serve(&m->loop, fd, pool, on_ended, m, &m->srv) == 0);
	REQUIRE(pthread_create(&m->thread, NULL, loop_thread, m) == 0);
}

static void monitor_stop(struct monitor *m)
{
	REQUIRE(uv_async_send(&m->stop) == 0);
	pthread_join(m->thread, NULL);
	CHECK_EQ_INT(uv_loop_close(&m->loop), 0); /* nothing of the server left */
	pthread_mutex_destroy(&m->mu);
	pthread_cond_destroy(&m->cv);
}

/* Wait up to 5 s for ended; returns how often it was called. */
static int wait_ended(struct monitor *m)
{
	struct timespec until;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += 5;
	pthread_mutex_lock(&m->mu);
	while (m->ended == 0 && pthread_cond_timedwait(&m->cv, &m->mu, &until) == 0)
		;
	int n = m->ended;
	pthread_mutex_unlock(&m->mu);
	return n;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* --- the registry --- */

static struct hs_key *new_key(void)
{
	struct hs_hostkey *hk = NULL;
	if (hs_hostkey_generate(HS_KEY_ED25519, &hk) != 0)
		return NULL;
	struct hs_key *k = hs_key_dup(hs_hostkey_public(hk));
	hs_hostkey_free(hk);
	return k;
}

/* An RSA public key of 16384 bits (its modulus not a real one): the
 * largest key blob. */
static struct hs_key *big_key(unsigned seed)
{
	struct hs_buf b;
	uint8_t n[2048];
	static const uint8_t e[] = { 0x01, 0x00, 0x01 };
	struct hs_key *k = NULL;
	for (size_t i = 0; i < sizeof n; i++)
		n[i] = (uint8_t)(0xa5 ^ (i * 7) ^ (seed * 13) ^ (seed >> 8));
	n[0] = 0xff;
	n[1] = (uint8_t)seed;
	n[sizeof n - 1] |= 1;
	hs__buf_init(&b, 4096, 0);
	if (hs__buf_put_cstring(&b, "ssh-rsa") == 0 && hs__buf_put_mpint_bytes(&b, e, sizeof e) == 0 &&
	    hs__buf_put_mpint_bytes(&b, n, sizeof n) == 0 &&
	    hs_key_from_blob(hs__buf_ptr(&b), hs__buf_len(&b), &k) != 0)
		k = NULL;
	hs__buf_cleanup(&b);
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

static void check_same_record(const struct hsd_peer_record *a, const struct hsd_peer_record *b)
{
	CHECK_EQ_INT(a->found, b->found);
	CHECK_EQ_INT(a->revoked, b->revoked);
	CHECK_EQ_INT(a->nkeys, b->nkeys);
	CHECK_EQ_INT(a->ngrants, b->ngrants);
	for (size_t i = 0; i < a->nkeys && i < b->nkeys; i++) {
		CHECK(hs_key_equal(a->keys[i].key, b->keys[i].key));
		CHECK_EQ_INT(a->keys[i].revoked, b->keys[i].revoked);
		CHECK_EQ_INT(a->keys[i].expires, b->keys[i].expires);
	}
	for (size_t i = 0; i < a->ngrants && i < b->ngrants; i++)
		CHECK_STR(a->grants[i], b->grants[i]);
}

static void check_lookup_same(struct hsd_regpool *local, struct hsd_regpool *remote, const char *host)
{
	struct hsd_peer_record a, b;
	CHECK_EQ_INT(hsd_regpool_lookup(local, host, &a), 0);
	CHECK_EQ_INT(hsd_regpool_lookup(remote, host, &b), 0);
	check_same_record(&a, &b);
	hsd_peer_record_clear(&a);
	hsd_peer_record_clear(&b);
}

/* Several worker threads at once: one request at a time on the socket. */
struct lookup_thread {
	struct hsd_regpool *remote;
	int failures;
};

static void *lookup_many(void *arg)
{
	struct lookup_thread *t = arg;
	for (int i = 0; i < 50; i++) {
		struct hsd_peer_record r;
		if (hsd_regpool_lookup(t->remote, i % 2 ? "node1" : "nobody", &r) != 0 || r.found != (i % 2) ||
		    (r.found && r.nkeys != 3))
			t->failures++;
		hsd_peer_record_clear(&r);
	}
	return NULL;
}

static void test_end_to_end(void)
{
	struct hsd_registry *admin = open_admin();
	struct hs_key *k1 = new_key(), *k2 = new_key(), *k3 = new_key(), *k4 = new_key();
	struct hsd_regpool *local = NULL, *remote = NULL;
	struct monitor m;
	char err[512];
	int sv[2], ch, changed = -1;
	int64_t now = (int64_t)time(NULL);
	REQUIRE(admin != NULL && k1 && k2 && k3 && k4);
	CHECK_EQ_INT(add(admin, "node1", k1, 0, "echo"), 0);
	CHECK_EQ_INT(add(admin, "node1", k2, now + 3600, NULL), 0);
	CHECK_EQ_INT(add(admin, "node1", k3, 0, NULL), 0);
	CHECK_EQ_INT(hsd_registry_grant(admin, "node1", "sftp", &ch), 0);
	char fp[HS_FINGERPRINT_SIZE];
	hs_key_fingerprint(k3, fp);
	CHECK_EQ_INT(hsd_registry_revoke_key(admin, "node1", fp, now, &ch), 0);
	CHECK_EQ_INT(add(admin, "gone", k4, 0, "*"), 0);
	CHECK_EQ_INT(hsd_registry_revoke_host(admin, "gone", now, &ch), 0);
	for (unsigned i = 0; i < HSD_MAX_KEYS_PER_HOST; i++) {
		struct hs_key *k = big_key(i);
		REQUIRE(k != NULL);
		CHECK_EQ_INT(add(admin, "big", k, i % 3 ? now + 100000 + i : 0, "*"), 0);
		hs_key_free(k);
	}

	REQUIRE(hsd_regpool_open(dir, &local, err, sizeof err) == 0);
	REQUIRE(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv) == 0);
	monitor_start(&m, sv[0], local);
	REQUIRE(hsd_regpool_open_remote(sv[1], &remote, err, sizeof err) == 0);

	/* look-ups: the same answers as the local pool's */
	struct hsd_peer_record r;
	CHECK_EQ_INT(hsd_regpool_lookup(remote, "node1", &r), 0);
	CHECK(r.found == 1 && r.revoked == 0 && r.nkeys == 3 && r.ngrants == 2);
	CHECK(hsd_policy_check_key(&r, k1, now) == NULL);
	CHECK(hsd_policy_check_key(&r, k2, now) == NULL);
	CHECK_STR(hsd_policy_check_key(&r, k2, now + 7200), "key expired");
	CHECK_STR(hsd_policy_check_key(&r, k3, now), "key revoked");
	CHECK_STR(hsd_policy_check_key(&r, k4, now), "key not authorized");
	hsd_peer_record_clear(&r);
	check_lookup_same(local, remote, "node1");
	check_lookup_same(local, remote, "gone");
	check_lookup_same(local, remote, "big"); /* the largest record */
	CHECK_EQ_INT(hsd_regpool_lookup(remote, "big", &r), 0);
	CHECK_EQ_INT(r.nkeys, HSD_MAX_KEYS_PER_HOST);
	hsd_peer_record_clear(&r);

	/* unknown hosts: an answer, with the decoy work done by the monitor */
	unsigned long decoys = hsd_regpool_decoys(remote);
	CHECK_EQ_INT(decoys, hsd_regpool_decoys(local));
	CHECK_EQ_INT(hsd_regpool_lookup(remote, "nobody", &r), 0);
	CHECK_EQ_INT(r.found, 0);
	CHECK_EQ_INT(hsd_regpool_decoys(remote), decoys + 1);
	/* an invalid id is never sent (the monitor would refuse it) */
	CHECK_EQ_INT(hsd_regpool_lookup(remote, "../etc", &r), 0);
	CHECK_EQ_INT(r.found, 0);
	CHECK_EQ_INT(hsd_regpool_decoys(remote), decoys + 1);

	/* many threads at once */
	struct lookup_thread lt[4];
	pthread_t th[4];
	for (int i = 0; i < 4; i++) {
		lt[i].remote = remote;
		lt[i].failures = 0;
		REQUIRE(pthread_create(&th[i], NULL, lookup_many, &lt[i]) == 0);
	}
	for (int i = 0; i < 4; i++) {
		pthread_join(th[i], NULL);
		CHECK_EQ_INT(lt[i].failures, 0);
	}

	/* changes: seen once by the worker, and by the monitor's own asker */
	CHECK_EQ_INT(hsd_regpool_changed(remote, &changed), 0);
	CHECK_EQ_INT(changed, 0);
	hs_key_fingerprint(k2, fp);
	CHECK_EQ_INT(hsd_registry_revoke_key(admin, "node1", fp, now, &ch), 0);
	CHECK_EQ_INT(hsd_regpool_changed(remote, &changed), 0);
	CHECK_EQ_INT(changed, 1);
	CHECK_EQ_INT(hsd_regpool_changed(remote, &changed), 0);
	CHECK_EQ_INT(changed, 0);
	CHECK_EQ_INT(hsd_regpool_changed(local, &changed), 0);
	CHECK_EQ_INT(changed, 1); /* not taken away by the worker's question */
	check_lookup_same(local, remote, "node1");

	/* the attempt log and the count of invalid host ids */
	struct hsd_attempt a;
	memset(&a, 0, sizeof a);
	snprintf(a.peer, sizeof a.peer, "192.0.2.1:4000");
	snprintf(a.host, sizeof a.host, "node1");
	hs_key_fingerprint(k1, a.fingerprint);
	a.accepted = 1;
	CHECK_EQ_INT(hsd_regpool_log_attempt(remote, &a), 0);
	a.accepted = 0;
	snprintf(a.host, sizeof a.host, "stranger");
	snprintf(a.reason, sizeof a.reason, "unknown host");
	CHECK_EQ_INT(hsd_regpool_log_attempt(remote, &a), 0);
	CHECK_EQ_INT(hsd_regpool_count_invalid(remote, 4, now - 10, now - 5, "192.0.2.9:1"), 0);
	CHECK_EQ_INT(hsd_regpool_changed(remote, &changed), 0);
	CHECK_EQ_INT(changed, 0); /* the log is no trust change */
	struct hsd_reg_event *ev = NULL;
	size_t n = 0;
	CHECK_EQ_INT(hsd_registry_read_log(admin, NULL, 10, &ev, &n), 0);
	CHECK_EQ_INT(n, 3);
	if (n == 3) {
		CHECK(ev[0].accepted == 0 && strcmp(ev[0].host_id, "stranger") == 0);
		CHECK_STR(ev[0].reason, "unknown host");
		CHECK_STR(ev[0].peer, "192.0.2.1:4000");
		CHECK(ev[1].accepted == 1 && strcmp(ev[1].host_id, "node1") == 0);
		CHECK_STR(ev[1].fingerprint, a.fingerprint);
		CHECK(ev[2].attempts == 4 && ev[2].since == now - 10 && strcmp(ev[2].peer, "192.0.2.9:1") == 0);
	}
	hsd_reg_events_free(ev);
	CHECK_EQ_INT(m.ended, 0);

	/* the monitor goes away: calls fail, promptly */
	monitor_stop(&m);
	CHECK_EQ_INT(m.ended, 0); /* a close is no end */
	double t0 = now_s();
	CHECK(hsd_regpool_lookup(remote, "node1", &r) != 0);
	CHECK_EQ_INT(r.found, 0);
	CHECK(hsd_regpool_changed(remote, &changed) != 0);
	CHECK(hsd_regpool_log_attempt(remote, &a) != 0);
	CHECK(hsd_regpool_count_invalid(remote, 1, now, now, "x") != 0);
	CHECK_EQ_INT(hsd_regpool_decoys(remote), 0);
	CHECK(now_s() - t0 < 1.0);

	hsd_regpool_close(remote);
	hsd_regpool_close(local);
	hsd_registry_close(admin);
	hs_key_free(k1);
	hs_key_free(k2);
	hs_key_free(k3);
	hs_key_free(k4);
}

/* A worker sends bytes; the server must end with a reason. */
static void check_ends(struct hsd_regpool *local, const void *msg, size_t len, int hang_up, const char *reason)
{
	struct monitor m;
	int sv[2];
	REQUIRE(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv) == 0);
	int sndbuf = (int)(2 * HSD_REGRPC_MSG_MAX);
	(void)setsockopt(sv[1], SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf);
	monitor_start(&m, sv[0], local);
	m.close_in_ended = 1;
	if (hang_up)
		close(sv[1]);
	else
		CHECK_EQ_INT(send(sv[1], msg, len, MSG_NOSIGNAL), (long long)len);
	CHECK_EQ_INT(wait_ended(&m), 1);
	if (strstr(m.why, reason) == NULL)
		fprintf(stderr, "reason \"%s\" lacks \"%s\"\n", m.why, reason);
	CHECK(strstr(m.why, reason) != NULL);
	if (!hang_up) {
		/* nothing answered; the connection is shut */
		uint8_t buf[16];
		CHECK_EQ_INT(recv(sv[1], buf, sizeof buf, 0), 0);
		close(sv[1]);
	}
	monitor_stop(&m);
	CHECK_EQ_INT(m.ended, 1);
}

static void test_bad_workers(void)
{
	struct hsd_regpool *local = NULL;
	char err[512];
	REQUIRE(hsd_regpool_open(dir, &local, err, sizeof err) == 0);
	static const uint8_t bad_host[] = { 1, 0, 0, 0, 1, 0, 0, 0, 6, '.', '.', '/', 'e', 't', 'c' };
	static const uint8_t trailing[] = { 2, 0, 0, 0, 1, 0 };
	static const uint8_t reply[] = { HSD_REGRPC_R_OK, 0, 0, 0, 1 };
	static const uint8_t truncated[] = { 4, 0, 0, 0, 1, 0, 0 };
	check_ends(local, bad_host, sizeof bad_host, 0, "malformed registry request");
	check_ends(local, trailing, sizeof trailing, 0, "malformed registry request");
	check_ends(local, reply, sizeof reply, 0, "malformed registry request");
	check_ends(local, truncated, sizeof truncated, 0, "malformed registry request");
	check_ends(local, "", 0, 0, "closed");
	check_ends(local, NULL, 0, 1, "closed");
	uint8_t *big = calloc(1, HSD_REGRPC_MSG_MAX + 1);
	REQUIRE(big != NULL);
	big[0] = HSD_REGRPC_CHANGED;
	check_ends(local, big, HSD_REGRPC_MSG_MAX + 1, 0, "over the limit");
	free(big);
	hsd_regpool_close(local);
}

/* A monitor that does not answer: the call gives up on time; its late
 * answer is then told from the next call's. */
static void test_timeout_and_late_reply(void)
{
	struct hsd_regrpc_client *c = NULL;
	char err[256];
	int sv[2], changed = -1;
	uint8_t buf[64];
	REQUIRE(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv) == 0);
	REQUIRE(hsd_regrpc_client_new(sv[1], 200, &c, err, sizeof err) == 0);
	double t0 = now_s();
	CHECK_EQ_INT(hsd_regrpc_client_changed(c, &changed), HS_ERR_TIMEOUT);
	double took = now_s() - t0;
	CHECK(took >= 0.15 && took < 2.0);
	struct hsd_regrpc_request q;
	long long len = recv(sv[0], buf, sizeof buf, 0);
	CHECK_EQ_INT(hsd_regrpc_get_request(buf, (size_t)(len > 0 ? len : 0), &q), 0);
	CHECK_EQ_INT(q.type, HSD_REGRPC_CHANGED);

	/* the late answer (to q.id) and the one awaited (to q.id + 1) */
	struct hsd_regrpc_reply p;
	struct hs_buf b;
	hs__buf_init(&b, HSD_REGRPC_MSG_MAX, 0);
	memset(&p, 0, sizeof p);
	p.type = HSD_REGRPC_R_CHANGED;
	p.id = q.id;
	p.changed = 0;
	REQUIRE(hsd_regrpc_put_reply(&b, &p) == 0);
	CHECK_EQ_INT(send(sv[0], hs__buf_ptr(&b), hs__buf_len(&b), 0), (long long)hs__buf_len(&b));
	hs__buf_reset(&b);
	p.id = q.id + 1;
	p.changed = 1;
	REQUIRE(hsd_regrpc_put_reply(&b, &p) == 0);
	CHECK_EQ_INT(send(sv[0], hs__buf_ptr(&b), hs__buf_len(&b), 0), (long long)hs__buf_len(&b));
	CHECK_EQ_INT(hsd_regrpc_client_changed(c, &changed), 0);
	CHECK_EQ_INT(changed, 1);

	/* a failure, and an answer of the wrong type */
	hs__buf_reset(&b);
	p.type = HSD_REGRPC_R_FAILURE;
	p.id = q.id + 2;
	REQUIRE(hsd_regrpc_put_reply(&b, &p) == 0);
	CHECK_EQ_INT(send(sv[0], hs__buf_ptr(&b), hs__buf_len(&b), 0), (long long)hs__buf_len(&b));
	CHECK_EQ_INT(hsd_regrpc_client_changed(c, &changed), HS_ERR_IO);
	hs__buf_reset(&b);
	p.type = HSD_REGRPC_R_OK;
	p.id = q.id + 3;
	REQUIRE(hsd_regrpc_put_reply(&b, &p) == 0);
	CHECK_EQ_INT(send(sv[0], hs__buf_ptr(&b), hs__buf_len(&b), 0), (long long)hs__buf_len(&b));
	CHECK_EQ_INT(hsd_regrpc_client_changed(c, &changed), HS_ERR_FORMAT);
	hs__buf_cleanup(&b);

	/* not a SOCK_SEQPACKET socket: refused (and closed) */
	int st[2];
	struct hsd_regrpc_client *c2 = NULL;
	REQUIRE(socketpair(AF_UNIX, SOCK_STREAM, 0, st) == 0);
	CHECK(hsd_regrpc_client_new(st[0], 200, &c2, err, sizeof err) != 0);
	CHECK(c2 == NULL && strstr(err, "SOCK_SEQPACKET") != NULL);
	close(st[1]);

	close(sv[0]);
	hsd_regrpc_client_free(c);
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
	test_end_to_end();
	test_bad_workers();
	test_timeout_and_late_reply();
	cleanup();
	return hs_test_done();
}
