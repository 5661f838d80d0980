/*
 * The ssh-agent protocol's messages that hostsd speaks (OpenSSH PROTOCOL.agent,
 * draft-miller-ssh-agent §4-§5): a frame is uint32 length then the message
 * (byte type, fields). The engine asks an agent for its identities and for
 * signatures; the hosts server's monitor answers those two for its host
 * key. Everything else is answered with SSH_AGENT_FAILURE.
 */
#ifndef HS_AGENT_AGENT_MSG_H
#define HS_AGENT_AGENT_MSG_H

#include <stddef.h>
#include <stdint.h>

#include "wire/buf.h"

/* draft-miller-ssh-agent §5.1 */
enum hs_agent_msg {
	HS_AGENT_FAILURE = 5,
	HS_AGENT_SUCCESS = 6,
	HS_AGENTC_REQUEST_IDENTITIES = 11,
	HS_AGENT_IDENTITIES_ANSWER = 12,
	HS_AGENTC_SIGN_REQUEST = 13,
	HS_AGENT_SIGN_RESPONSE = 14
};

/* The largest frame either side takes (OpenSSH's agent uses 256 KiB). */
#define HS_AGENT_MAX_FRAME (256u * 1024u)

/* One frame out of the bytes in in: *msg is a view of the message (type
 * first) and *used how many bytes of in it took. HS_ERR_NEED_MORE when the
 * frame is not whole yet; HS_ERR_LIMIT for one longer than
 * HS_AGENT_MAX_FRAME; HS_ERR_FORMAT for an empty one. */
int hs__agent_frame(const uint8_t *in, size_t len, struct hs_view *msg, size_t *used) HS_MUST_CHECK;

/* Append a whole frame: SSH_AGENTC_SIGN_REQUEST (string key blob, string
 * data, uint32 flags). */
int hs__agent_put_sign_request(struct hs_buf *out, const uint8_t *key_blob, size_t key_len, const uint8_t *data,
                               size_t data_len, uint32_t flags) HS_MUST_CHECK;
/* Append a whole frame: SSH_AGENT_SIGN_RESPONSE (string signature). */
int hs__agent_put_sign_response(struct hs_buf *out, const uint8_t *sig, size_t sig_len) HS_MUST_CHECK;
/* Append a whole frame: SSH_AGENTC_REQUEST_IDENTITIES. */
int hs__agent_put_request_identities(struct hs_buf *out) HS_MUST_CHECK;
/* Append a whole frame: SSH_AGENT_IDENTITIES_ANSWER with one key (or none
 * when key_blob is NULL). */
int hs__agent_put_identities(struct hs_buf *out, const uint8_t *key_blob, size_t key_len,
                             const char *comment) HS_MUST_CHECK;
/* Append a whole frame: SSH_AGENT_FAILURE. */
int hs__agent_put_failure(struct hs_buf *out) HS_MUST_CHECK;

/* The fields of a message (msg as hs__agent_frame gives it, type first).
 * Each checks the type and that nothing is left over; views point into
 * msg. */
struct hs_agent_sign_request {
	struct hs_bytes key_blob;
	struct hs_bytes data;
	uint32_t flags;
};
int hs__agent_get_sign_request(struct hs_view msg, struct hs_agent_sign_request *out) HS_MUST_CHECK;
/* SSH_AGENT_SIGN_RESPONSE: the signature blob; HS_ERR_SIGNATURE when the
 * agent answered SSH_AGENT_FAILURE. */
int hs__agent_get_sign_response(struct hs_view msg, struct hs_bytes *sig) HS_MUST_CHECK;
/* SSH_AGENT_IDENTITIES_ANSWER: is key_blob among the keys (1, else 0 in
 * *found)? HS_ERR_SIGNATURE for SSH_AGENT_FAILURE. */
int hs__agent_find_identity(struct hs_view msg, const uint8_t *key_blob, size_t key_len, int *found) HS_MUST_CHECK;
/* The type of a message (its first byte); 0 for an empty one. */
uint8_t hs__agent_type(struct hs_view msg);

#endif
