/*
 * hostsd program — the trust registry as `hostsd serve` uses it: a small
 * pool of registry connections for libuv's worker threads (SQLite calls
 * block, so they never run on the loop thread), a look-up of everything
 * about one host, a change detector, and the attempt log.
 *
 * Every function but open and close may be called from any thread; each
 * call takes a connection from the pool (or opens one) and gives it back.
 *
 * A sandboxed worker of `hostsd serve` has no registry file: its pool is
 * remote (hsd_regpool_open_remote), and every call below becomes one
 * request to the monitor that owns the registry (daemon/regrpc.h), which
 * answers from a local pool (daemon/regrpc_server.h). The calls block as
 * the local ones do (at most HSD_REGRPC_TIMEOUT_MS) and fail as a registry
 * failure would when the monitor does not answer.
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

/* A pool whose calls go to the monitor over fd, a connected SOCK_SEQPACKET
 * socket (taken over: closed by hsd_regpool_close, or at once when this
 * fails). Uses only send/recv on fd after it returns. Fails with a
 * sentence in err. */
int hsd_regpool_open_remote(int fd, struct hsd_regpool **out, char *err, size_t errlen);

/* Close every pooled connection (or the monitor's socket); no call may be
 * running. NULL allowed. */
void hsd_regpool_close(struct hsd_regpool *p);

/* Everything about host: found, revoked, keys with their state, grants.
 * Returns 0 (also when the host is unknown: out->found is then 0) or
 * non-zero when the registry could not be read (out is empty). An unknown
 * host costs about the work of a known one (a stored key of the costliest
 * type is parsed): the time of the answer does not tell them apart. */
int hsd_regpool_lookup(struct hsd_regpool *p, const char *host, struct hsd_peer_record *out);

/* How many look-ups of unknown hosts did that decoy work (for tests). A
 * remote pool gives the monitor's count (0 when it cannot be asked). */
unsigned long hsd_regpool_decoys(struct hsd_regpool *p);

/* Has anything been committed to the registry since the last call (by any
 * process)? The first call answers 0. Returns 0 or non-zero on error. */
int hsd_regpool_changed(struct hsd_regpool *p, int *changed);

/* A count of the changes seen so far, for several askers of one pool (the
 * monitor's servers of several workers): each keeps the count it saw last,
 * and a different count means a change since. With ask, the registry is
 * asked first (a blocking call); without, the count as last seen is given
 * at once (from any thread, the loop's too). Returns 0 or non-zero on
 * error. */
int hsd_regpool_generation(struct hsd_regpool *p, int ask, uint64_t *gen);

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
