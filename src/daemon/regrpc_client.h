/*
 * hostsd program — the worker's end of the registry messages (regrpc.h):
 * each call sends one request to the monitor over a connected
 * SOCK_SEQPACKET socket and waits for its reply. Calls may come from any
 * thread; one request at a time is on the socket (a mutex), and a call
 * waits at most about its timeout. Only send() and recv() are used after
 * hsd_regrpc_client_new(): no descriptor is opened per call, so it works
 * under the worker's system call filter.
 *
 * Every call returns 0 or a negative HS_ERR_*: HS_ERR_IO when the monitor
 * answers that its registry call failed, HS_ERR_TIMEOUT when it did not
 * answer in time, HS_ERR_CLOSED once the socket is broken (every later
 * call fails at once), HS_ERR_FORMAT for a reply that is not the answer.
 * What fails is logged here; callers treat it as a registry failure.
 */
#ifndef HSD_REGRPC_CLIENT_H
#define HSD_REGRPC_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include "daemon/policy.h"
#include "daemon/serve_registry.h"

/* How long a call waits for the monitor's answer. */
#define HSD_REGRPC_TIMEOUT_MS 10000

struct hsd_regrpc_client;

/* Take over fd, a connected SOCK_SEQPACKET socket (closed also when this
 * fails; made blocking), and wait at most timeout_ms for each answer.
 * Fails with a sentence in err. Caller frees with hsd_regrpc_client_free. */
int hsd_regrpc_client_new(int fd, int timeout_ms, struct hsd_regrpc_client **out, char *err,
                          size_t errlen) HS_MUST_CHECK;

/* Close the socket and free. No call may be running. NULL allowed. */
void hsd_regrpc_client_free(struct hsd_regrpc_client *c);

/* The calls of serve_registry.h. host must be a valid host identity. */
int hsd_regrpc_client_lookup(struct hsd_regrpc_client *c, const char *host, struct hsd_peer_record *out) HS_MUST_CHECK;
int hsd_regrpc_client_changed(struct hsd_regrpc_client *c, int *changed) HS_MUST_CHECK;
int hsd_regrpc_client_log_attempt(struct hsd_regrpc_client *c, const struct hsd_attempt *a) HS_MUST_CHECK;
int hsd_regrpc_client_count_invalid(struct hsd_regrpc_client *c, uint64_t n, int64_t first, int64_t last,
                                    const char *peer) HS_MUST_CHECK;
int hsd_regrpc_client_decoys(struct hsd_regrpc_client *c, uint64_t *count) HS_MUST_CHECK;

#endif
