/*
 * hostsd program — the messages between a sandboxed network worker of
 * `hostsd serve` and the privileged monitor that owns the trust registry.
 * The worker asks (requests), the monitor answers (replies); one message
 * is one datagram of a SOCK_SEQPACKET socketpair, so there is no framing.
 *
 * Every message: byte type, uint32 id (a reply carries its request's id,
 * so a worker that gave up waiting can tell a late reply from its own),
 * then the fields of its type (SSH encodings, RFC 4251 §5):
 *
 *   requests (worker -> monitor)
 *     LOOKUP         string host            (a valid host identity)
 *     CHANGED        -
 *     LOG_ATTEMPT    string peer, string host, string fingerprint,
 *                    byte accepted (0 or 1), string reason
 *                    (text without NUL, each shorter than its field of
 *                    struct hsd_attempt)
 *     COUNT_INVALID  uint64 n, uint64 first, uint64 last (int64 as two's
 *                    complement), string peer (as in LOG_ATTEMPT)
 *     DECOYS         -
 *   replies (monitor -> worker)
 *     FAILURE        -                      (the registry call failed)
 *     RECORD         byte found, byte revoked, uint32 nkeys,
 *                    nkeys x (string key blob, byte revoked, uint64 expires),
 *                    uint32 ngrants, ngrants x string grant
 *     CHANGED        byte changed
 *     OK             -
 *     COUNT          uint64 count
 *
 * Decoders read only through the bounds-checked view, refuse bytes left
 * over, and check every field: a host must be a valid identity, text must
 * fit its field and hold no NUL, flags are 0 or 1, counts of keys and
 * grants stay within the registry's limits, key blobs must parse as keys
 * and grants must be valid names. The monitor decodes requests from a
 * worker that may have been taken over; nothing in one can do more than
 * the five calls of serve_registry.h.
 */
#ifndef HSD_REGRPC_H
#define HSD_REGRPC_H

#include <stddef.h>
#include <stdint.h>

#include "daemon/policy.h"
#include "daemon/serve_registry.h"
#include "registry/registry.h"
#include "wire/buf.h"

/* The largest key blob a reply carries: the largest this build parses is
 * an RSA key of 16384 bits, about 2.1 KB. */
#define HSD_REGRPC_KEY_BLOB_MAX 2560

/* The largest message either way. The largest is a RECORD with the most
 * keys of the largest size and the most grants (about 170 KB); a request
 * is at most a few hundred bytes. */
#define HSD_REGRPC_MSG_MAX (192u * 1024)

/* The largest RECORD: type, id, two flags, the most keys with their
 * state, the most grants. */
#define HSD_REGRPC_KEY_WIRE_MAX (4 + HSD_REGRPC_KEY_BLOB_MAX + 1 + 8)
#define HSD_REGRPC_GRANT_WIRE_MAX (4 + HSD_GRANT_MAX)
#define HSD_REGRPC_RECORD_MAX                                                  \
	(1 + 4 + 2 + 4 + HSD_MAX_KEYS_PER_HOST * HSD_REGRPC_KEY_WIRE_MAX + 4 + \
	 HSD_MAX_GRANTS * HSD_REGRPC_GRANT_WIRE_MAX)
_Static_assert(HSD_REGRPC_RECORD_MAX <= HSD_REGRPC_MSG_MAX, "the largest RECORD must fit a message");

enum hsd_regrpc_type {
	/* requests */
	HSD_REGRPC_LOOKUP = 1,
	HSD_REGRPC_CHANGED = 2,
	HSD_REGRPC_LOG_ATTEMPT = 3,
	HSD_REGRPC_COUNT_INVALID = 4,
	HSD_REGRPC_DECOYS = 5,
	/* replies */
	HSD_REGRPC_R_FAILURE = 64,
	HSD_REGRPC_R_RECORD = 65,
	HSD_REGRPC_R_CHANGED = 66,
	HSD_REGRPC_R_OK = 67,
	HSD_REGRPC_R_COUNT = 68
};

/* A request; only the fields of its type count. */
struct hsd_regrpc_request {
	uint8_t type;
	uint32_t id;
	char host[HSD_HOST_ID_MAX + 1]; /* LOOKUP */
	struct hsd_attempt attempt;     /* LOG_ATTEMPT */
	uint64_t n;                     /* COUNT_INVALID */
	int64_t first, last;
	char peer[sizeof(((struct hsd_attempt *)0)->peer)];
};

/* A reply; only the fields of its type count. */
struct hsd_regrpc_reply {
	uint8_t type;
	uint32_t id;
	struct hsd_peer_record record; /* RECORD; owned by the reply */
	int changed;                   /* CHANGED */
	uint64_t count;                /* COUNT */
};

/* The reply type that answers a request of type t when its call succeeds
 * (FAILURE answers any); 0 for a type that is no request. */
uint8_t hsd_regrpc_reply_type(uint8_t t);

/* Append the request or reply to out (whose maximum should be
 * HSD_REGRPC_MSG_MAX). The fields are checked as the decoder checks them:
 * HS_ERR_INVALID_ARG for a bad host, grant, key or type, HS_ERR_LIMIT for
 * a text, key or count over its limit or a message over out's maximum. On
 * failure out is as it was. The record's keys are borrowed. */
int hsd_regrpc_put_request(struct hs_buf *out, const struct hsd_regrpc_request *req) HS_MUST_CHECK;
int hsd_regrpc_put_reply(struct hs_buf *out, const struct hsd_regrpc_reply *rep) HS_MUST_CHECK;

/* Decode one whole message of len bytes. Returns 0, or HS_ERR_TRUNCATED,
 * HS_ERR_TRAILING, HS_ERR_FORMAT (bad type, flag, host, grant or key),
 * HS_ERR_LIMIT (a text, blob or count over its limit, or len over
 * HSD_REGRPC_MSG_MAX). out is zeroed first; after a reply decoded, the
 * caller clears it with hsd_regrpc_reply_clear() (a failed decode leaves
 * nothing to clear). */
int hsd_regrpc_get_request(const uint8_t *msg, size_t len, struct hsd_regrpc_request *out) HS_MUST_CHECK;
int hsd_regrpc_get_reply(const uint8_t *msg, size_t len, struct hsd_regrpc_reply *out) HS_MUST_CHECK;

/* Free the record a reply holds and zero the reply. */
void hsd_regrpc_reply_clear(struct hsd_regrpc_reply *rep);

#endif
