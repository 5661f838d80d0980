/*
 * hostsd program — the trust registry as `hostsd serve` uses it: a small
 * pool of registry connections for libuv's worker threads (SQLite calls
 * block, so they never run on the loop thread), a look-up of everything
 * about one host, a change detector, and the attempt log.
 *
 * Every function but open and close may be called from any thread; each
 * call takes a connection from the pool (or opens one) and gives it back.
 */
#ifndef HSD_SERVE_REGISTRY_H
#define HSD_SERVE_REGISTRY_H

#include <stddef.h>
#include <stdint.h>

#include "daemon/policy.h"

struct hsd_regpool;

/* Open the registry of state directory dir (loop thread, at start-up).
 * Fails with a sentence in err when it is missing or unreadable. */
int hsd_regpool_open(const char *dir, struct hsd_regpool **out, char *err, size_t errlen);

/* Close every pooled connection; no call may be running. NULL allowed. */
void hsd_regpool_close(struct hsd_regpool *p);

/* Everything about host: found, revoked, keys with their state, grants.
 * Returns 0 (also when the host is unknown: out->found is then 0) or
 * non-zero when the registry could not be read (out is empty). An unknown
 * host costs about the work of a known one (a stored key of the costliest
 * type is parsed): the time of the answer does not tell them apart. */
int hsd_regpool_lookup(struct hsd_regpool *p, const char *host, struct hsd_peer_record *out);

/* How many look-ups of unknown hosts did that decoy work (for tests). */
unsigned long hsd_regpool_decoys(struct hsd_regpool *p);

/* Has anything been committed to the registry since the last call (by any
 * process)? The first call answers 0. Returns 0 or non-zero on error. */
int hsd_regpool_changed(struct hsd_regpool *p, int *changed);

/* One authentication attempt, for the registry's log. */
struct hsd_attempt {
	char peer[64];
	char host[65];
	char fingerprint[64];
	int accepted;
	char reason[64];
};

/* Record an attempt. Returns 0 or non-zero on error. */
int hsd_regpool_log_attempt(struct hsd_regpool *p, const struct hsd_attempt *a);

/* Count n attempts refused for giving no valid host id, from first to last
 * (Unix seconds), the last from peer. Returns 0 or non-zero on error. */
int hsd_regpool_count_invalid(struct hsd_regpool *p, uint64_t n, int64_t first, int64_t last, const char *peer);

#endif
