/*
 * hostsd program — the trust registry as `hostsd serve` uses it (see
 * serve_registry.h): a mutex-guarded stack of registry handles, so each
 * worker thread works on a connection of its own and at most one handle
 * exists per concurrent job; one more handle, used by one watch job at a
 * time, asks the change detector (it remembers what it saw last, so it
 * must always be the same handle). Change checks are counted, so that
 * several askers (the servers of several workers, serve_registry.h
 * hsd_regpool_generation) each learn of every change.
 *
 * A remote pool (a sandboxed worker's) holds no registry handle: every
 * call goes to the monitor (regrpc_client.c).
 */
#include "daemon/serve_registry.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "daemon/log.h"
#include "daemon/regrpc_client.h"
#include "daemon/statedir.h"
#include "registry/registry.h"

/* Handles kept for reuse; beyond this many idle ones, extras are closed.
 * libuv's thread pool has 4 threads unless UV_THREADPOOL_SIZE says more. */
#define POOL_KEEP 16

struct hsd_regpool {
	char path[HSD_PATH_MAX];
	pthread_mutex_t mu;
	struct hsd_registry *idle[POOL_KEEP];
	size_t nidle;
	struct hsd_registry *watch;
	pthread_mutex_t watch_mu;         /* guards watch, generation, seen */
	uint64_t generation;              /* changes seen by the watcher */
	atomic_uint_fast64_t last;        /* generation, for a read without asking */
	uint64_t seen;                    /* generation at the last hsd_regpool_changed */
	atomic_ulong decoys;              /* look-ups of unknown hosts that parsed the decoy */
	struct hsd_regrpc_client *remote; /* a worker's pool: calls go to the monitor */
};

/* A look-up of a known host parses each of its stored keys; the point
 * check of an ECDSA key costs up to half a millisecond (nistp384 the
 * most), while an unknown host would cost one SELECT. So an unknown host
 * parses this stored key, of the costliest type, instead: a peer cannot
 * tell from the time of the answer whether a host id is registered (the
 * server also answers no earlier than a fixed floor, serve_policy.c). */
static const uint8_t decoy_blob[] = {
	0x00, 0x00, 0x00, 0x13, 0x65, 0x63, 0x64, 0x73, 0x61, 0x2d, 0x73, 0x68, 0x61, 0x32, 0x2d, 0x6e, 0x69,
	0x73, 0x74, 0x70, 0x33, 0x38, 0x34, 0x00, 0x00, 0x00, 0x08, 0x6e, 0x69, 0x73, 0x74, 0x70, 0x33, 0x38,
	0x34, 0x00, 0x00, 0x00, 0x61, 0x04, 0x99, 0x4b, 0x24, 0xbf, 0x5f, 0x7e, 0x80, 0x87, 0x6f, 0x8c, 0x97,
	0x97, 0x3e, 0x89, 0xf5, 0x3d, 0x08, 0x9f, 0x96, 0xc3, 0xd7, 0x75, 0x75, 0xaa, 0x27, 0xf5, 0x83, 0xf8,
	0xd3, 0x43, 0x9e, 0x58, 0x92, 0x93, 0x62, 0xe3, 0x93, 0x86, 0x61, 0xf7, 0x18, 0x0f, 0xc7, 0x1a, 0x95,
	0x54, 0x1b, 0xe9, 0xa4, 0x2e, 0xca, 0x9f, 0x7e, 0xb5, 0xcd, 0x4f, 0xfe, 0x6a, 0x35, 0xaa, 0xc5, 0x01,
	0x91, 0x03, 0x45, 0x4d, 0x98, 0x8b, 0xdf, 0xe9, 0xe7, 0xc8, 0xbd, 0x60, 0xa7, 0x3f, 0x3c, 0x24, 0x75,
	0xd2, 0xc0, 0x2c, 0xc4, 0x7a, 0x4a, 0xe3, 0x2d, 0x78, 0x14, 0xe7, 0x81, 0x78, 0xcc, 0x28, 0xd9, 0xac,
};

int hsd_regpool_open(const char *dir, struct hsd_regpool **out, char *err, size_t errlen)
{
	struct hsd_regpool *p = calloc(1, sizeof(*p));
	int r;
	*out = NULL;
	if (p == NULL) {
		snprintf(err, errlen, "out of memory");
		return HS_ERR_ALLOC;
	}
	if (hsd_state_path(dir, HSD_REGISTRY_FILE, p->path, sizeof p->path, err, errlen) != 0) {
		free(p);
		return HS_ERR_INVALID_ARG;
	}
	if (pthread_mutex_init(&p->mu, NULL) != 0) {
		snprintf(err, errlen, "cannot create a mutex");
		free(p);
		return HS_ERR_INTERNAL;
	}
	if (pthread_mutex_init(&p->watch_mu, NULL) != 0) {
		snprintf(err, errlen, "cannot create a mutex");
		pthread_mutex_destroy(&p->mu);
		free(p);
		return HS_ERR_INTERNAL;
	}
	/* The first handle checks the file once (a damaged registry stops the
	 * server at start, not at the first login) and becomes the watcher. */
	if ((r = hsd_registry_open(p->path, HSD_REG_CHECK | HSD_REG_SYNC_NORMAL, &p->watch, err, errlen)) != 0) {
		pthread_mutex_destroy(&p->watch_mu);
		pthread_mutex_destroy(&p->mu);
		free(p);
		return r;
	}
	int changed;
	if (hsd_registry_changed(p->watch, &changed) != 0) { /* changes count from now on */
		snprintf(err, errlen, "%s", hsd_registry_error(p->watch));
		hsd_registry_close(p->watch);
		pthread_mutex_destroy(&p->watch_mu);
		pthread_mutex_destroy(&p->mu);
		free(p);
		return HS_ERR_IO;
	}
	*out = p;
	return 0;
}

int hsd_regpool_open_remote(int fd, struct hsd_regpool **out, char *err, size_t errlen)
{
	struct hsd_regpool *p = calloc(1, sizeof(*p));
	int r;
	*out = NULL;
	if (p == NULL || pthread_mutex_init(&p->mu, NULL) != 0) {
		snprintf(err, errlen, "out of memory");
		free(p);
		close(fd);
		return HS_ERR_ALLOC;
	}
	if (pthread_mutex_init(&p->watch_mu, NULL) != 0) {
		snprintf(err, errlen, "cannot create a mutex");
		pthread_mutex_destroy(&p->mu);
		free(p);
		close(fd);
		return HS_ERR_INTERNAL;
	}
	if ((r = hsd_regrpc_client_new(fd, HSD_REGRPC_TIMEOUT_MS, &p->remote, err, errlen)) != 0) {
		pthread_mutex_destroy(&p->watch_mu);
		pthread_mutex_destroy(&p->mu);
		free(p);
		return r;
	}
	*out = p;
	return 0;
}

void hsd_regpool_close(struct hsd_regpool *p)
{
	if (p == NULL)
		return;
	for (size_t i = 0; i < p->nidle; i++)
		hsd_registry_close(p->idle[i]);
	hsd_registry_close(p->watch);
	hsd_regrpc_client_free(p->remote);
	pthread_mutex_destroy(&p->watch_mu);
	pthread_mutex_destroy(&p->mu);
	free(p);
}

static struct hsd_registry *take(struct hsd_regpool *p)
{
	struct hsd_registry *reg = NULL;
	char err[512];
	pthread_mutex_lock(&p->mu);
	if (p->nidle > 0)
		reg = p->idle[--p->nidle];
	pthread_mutex_unlock(&p->mu);
	if (reg != NULL)
		return reg;
	if (hsd_registry_open(p->path, HSD_REG_SYNC_NORMAL, &reg, err, sizeof err) != 0) {
		hsd_log(HSD_LOG_ERR, "cannot open the registry: %s", err);
		return NULL;
	}
	return reg;
}

static void give_back(struct hsd_regpool *p, struct hsd_registry *reg)
{
	pthread_mutex_lock(&p->mu);
	if (p->nidle < POOL_KEEP) {
		p->idle[p->nidle++] = reg;
		reg = NULL;
	}
	pthread_mutex_unlock(&p->mu);
	hsd_registry_close(reg);
}

/* Copy the registry's record into the policy's: every key with its state
 * (so a refusal can say "key revoked" rather than "not authorized"). */
static int convert(struct hsd_reg_host *h, struct hsd_peer_record *out)
{
	out->found = 1;
	out->revoked = h->revoked;
	if (h->nkeys > 0) {
		out->keys = calloc(h->nkeys, sizeof(*out->keys));
		if (out->keys == NULL)
			return HS_ERR_ALLOC;
	}
	for (size_t i = 0; i < h->nkeys; i++) {
		if (h->keys[i].key == NULL)
			continue; /* a key this build cannot use */
		struct hsd_peer_key *k = &out->keys[out->nkeys++];
		k->key = h->keys[i].key; /* moved */
		h->keys[i].key = NULL;
		k->revoked = h->keys[i].revoked;
		k->expires = h->keys[i].expires;
	}
	/* grants are moved whole */
	out->grants = h->grants;
	out->ngrants = h->ngrants;
	h->grants = NULL;
	h->ngrants = 0;
	return 0;
}

/* Parse the decoy key: an unknown host costs a key parse too. */
static int parse_decoy(void)
{
	struct hs_key *decoy = NULL;
	int r = hs_key_from_blob(decoy_blob, sizeof decoy_blob, &decoy);
	hs_key_free(decoy);
	return r;
}

/* The monitor parsed the keys (or the decoy) of the answer; the worker
 * parses them again when decoding it, and the decoy for an unknown host,
 * so that here too the time does not tell them apart. */
static int lookup_remote(struct hsd_regpool *p, const char *host, struct hsd_peer_record *out)
{
	int r = 0;
	if (hsd_host_id_valid(host)) /* the monitor refuses others */
		r = hsd_regrpc_client_lookup(p->remote, host, out);
	if (r == 0 && !out->found)
		(void)parse_decoy();
	return r;
}

int hsd_regpool_lookup(struct hsd_regpool *p, const char *host, struct hsd_peer_record *out)
{
	struct hsd_reg_host h;
	int r;
	memset(out, 0, sizeof(*out));
	memset(&h, 0, sizeof h);
	if (p->remote != NULL)
		return lookup_remote(p, host, out);
	struct hsd_registry *reg = take(p);
	if (reg == NULL)
		return HS_ERR_IO;
	r = hsd_registry_get_host(reg, host, &h);
	if (r == HS_ERR_NOT_FOUND) {
		r = 0; /* an unknown host is an answer, not an error */
		if (parse_decoy() == 0)
			atomic_fetch_add_explicit(&p->decoys, 1, memory_order_relaxed);
	} else if (r == 0) {
		r = convert(&h, out);
	} else {
		hsd_log(HSD_LOG_ERR, "registry look-up failed: %s", hsd_registry_error(reg));
	}
	give_back(p, reg);
	hsd_reg_host_clear(&h);
	if (r != 0)
		hsd_peer_record_clear(out);
	return r;
}

/* Ask the watcher (p->watch_mu held): the watcher handle is never used
 * by two threads at once. */
static int ask_watcher(struct hsd_regpool *p)
{
	int changed = 0;
	int r = hsd_registry_changed(p->watch, &changed);
	if (r != 0) {
		hsd_log(HSD_LOG_ERR, "registry change check failed: %s", hsd_registry_error(p->watch));
		return r;
	}
	if (changed) {
		p->generation++;
		atomic_store_explicit(&p->last, p->generation, memory_order_relaxed);
	}
	return 0;
}

int hsd_regpool_generation(struct hsd_regpool *p, int ask, uint64_t *gen)
{
	int r = 0;
	if (!ask) {
		*gen = atomic_load_explicit(&p->last, memory_order_relaxed);
		return 0;
	}
	int changed = 0;
	if (p->remote != NULL && (r = hsd_regrpc_client_changed(p->remote, &changed)) != 0)
		return r;
	pthread_mutex_lock(&p->watch_mu);
	if (p->remote == NULL)
		r = ask_watcher(p);
	else if (changed)
		atomic_store_explicit(&p->last, ++p->generation, memory_order_relaxed);
	*gen = p->generation;
	pthread_mutex_unlock(&p->watch_mu);
	return r;
}

int hsd_regpool_changed(struct hsd_regpool *p, int *changed)
{
	*changed = 0;
	if (p->remote != NULL)
		return hsd_regrpc_client_changed(p->remote, changed);
	pthread_mutex_lock(&p->watch_mu);
	int r = ask_watcher(p);
	if (r == 0) {
		*changed = p->generation != p->seen;
		p->seen = p->generation;
	}
	pthread_mutex_unlock(&p->watch_mu);
	return r;
}

int hsd_regpool_log_attempt(struct hsd_regpool *p, const struct hsd_attempt *a)
{
	int r;
	int64_t now = (int64_t)time(NULL);
	if (p->remote != NULL)
		return hsd_regrpc_client_log_attempt(p->remote, a);
	struct hsd_registry *reg = take(p);
	if (reg == NULL)
		return HS_ERR_IO;
	if (a->accepted) {
		r = hsd_registry_record_login(reg, a->host, a->peer, a->fingerprint, now);
	} else {
		struct hsd_auth_event ev = {
			.time = now,
			.peer = a->peer,
			.host_id = a->host,
			.fingerprint = a->fingerprint,
			.accepted = 0,
			.reason = a->reason,
		};
		r = hsd_registry_log_attempt(reg, &ev);
	}
	give_back(p, reg);
	return r;
}

int hsd_regpool_count_invalid(struct hsd_regpool *p, uint64_t n, int64_t first, int64_t last, const char *peer)
{
	if (p->remote != NULL)
		return hsd_regrpc_client_count_invalid(p->remote, n, first, last, peer);
	struct hsd_registry *reg = take(p);
	if (reg == NULL)
		return HS_ERR_IO;
	int r = hsd_registry_count_invalid(reg, n, first, last, peer);
	give_back(p, reg);
	return r;
}

unsigned long hsd_regpool_decoys(struct hsd_regpool *p)
{
	if (p->remote != NULL) {
		uint64_t n = 0;
		if (hsd_regrpc_client_decoys(p->remote, &n) != 0)
			return 0;
		return (unsigned long)n;
	}
	return atomic_load_explicit(&p->decoys, memory_order_relaxed);
}
