/*
 * ssh-agent messages (agent_msg.h): framing, and the fields of the five
 * messages hostsd uses, read only through the bounds-checked view.
 */
#include "agent/agent_msg.h"

#include <string.h>

int hs__agent_frame(const uint8_t *in, size_t len, struct hs_view *msg, size_t *used)
{
	struct hs_view v = hs__view_make(in, len);
	struct hs_bytes body;
	uint32_t n;
	if (hs__view_get_u32(&v, &n) != 0)
		return HS_ERR_NEED_MORE;
	if (n > HS_AGENT_MAX_FRAME)
		return HS_ERR_LIMIT;
	if (n == 0)
		return HS_ERR_FORMAT;
	if (hs__view_get_bytes(&v, n, &body) != 0)
		return HS_ERR_NEED_MORE;
	*msg = hs__view_make(body.ptr, body.len);
	*used = 4u + n;
	return 0;
}

/* Start a frame: its length is filled in by end_frame. */
static int begin_frame(struct hs_buf *out, uint8_t type, size_t *mark)
{
	int r;
	if ((r = hs__buf_begin_string(out, mark)) != 0)
		return r;
	if ((r = hs__buf_put_u8(out, type)) != 0)
		hs__buf_truncate(out, *mark);
	return r;
}

/* End a frame begun at mark when r is 0, else drop it. */
static int end_frame(struct hs_buf *out, size_t mark, int r)
{
	if (r == 0)
		r = hs__buf_end_string(out, mark);
	if (r != 0)
		hs__buf_truncate(out, mark);
	return r;
}

int hs__agent_put_sign_request(struct hs_buf *out, const uint8_t *key_blob, size_t key_len, const uint8_t *data,
                               size_t data_len, uint32_t flags)
{
	size_t mark;
	int r;
	if ((r = begin_frame(out, HS_AGENTC_SIGN_REQUEST, &mark)) != 0)
		return r;
	if ((r = hs__buf_put_string(out, key_blob, key_len)) == 0 && (r = hs__buf_put_string(out, data, data_len)) == 0)
		r = hs__buf_put_u32(out, flags);
	return end_frame(out, mark, r);
}

int hs__agent_put_sign_response(struct hs_buf *out, const uint8_t *sig, size_t sig_len)
{
	size_t mark;
	int r;
	if ((r = begin_frame(out, HS_AGENT_SIGN_RESPONSE, &mark)) != 0)
		return r;
	return end_frame(out, mark, hs__buf_put_string(out, sig, sig_len));
}

int hs__agent_put_request_identities(struct hs_buf *out)
{
	size_t mark;
	int r;
	if ((r = begin_frame(out, HS_AGENTC_REQUEST_IDENTITIES, &mark)) != 0)
		return r;
	return end_frame(out, mark, 0);
}

int hs__agent_put_identities(struct hs_buf *out, const uint8_t *key_blob, size_t key_len, const char *comment)
{
	size_t mark;
	int r;
	if ((r = begin_frame(out, HS_AGENT_IDENTITIES_ANSWER, &mark)) != 0)
		return r;
	r = hs__buf_put_u32(out, key_blob != NULL ? 1 : 0);
	if (r == 0 && key_blob != NULL && (r = hs__buf_put_string(out, key_blob, key_len)) == 0)
		r = hs__buf_put_cstring(out, comment != NULL ? comment : "");
	return end_frame(out, mark, r);
}

int hs__agent_put_failure(struct hs_buf *out)
{
	size_t mark;
	int r;
	if ((r = begin_frame(out, HS_AGENT_FAILURE, &mark)) != 0)
		return r;
	return end_frame(out, mark, 0);
}

uint8_t hs__agent_type(struct hs_view msg)
{
	uint8_t t = 0;
	if (hs__view_get_u8(&msg, &t) != 0)
		return 0;
	return t;
}

/* The message's type byte, which must be want (or SSH_AGENT_FAILURE, then
 * HS_ERR_SIGNATURE). */
static int expect_type(struct hs_view *v, uint8_t want)
{
	uint8_t t;
	int r;
	if ((r = hs__view_get_u8(v, &t)) != 0)
		return r;
	if (t == HS_AGENT_FAILURE && want != HS_AGENT_FAILURE)
		return hs__view_end(v) == 0 ? HS_ERR_SIGNATURE : HS_ERR_TRAILING;
	return t == want ? 0 : HS_ERR_FORMAT;
}

int hs__agent_get_sign_request(struct hs_view msg, struct hs_agent_sign_request *out)
{
	struct hs_agent_sign_request req;
	int r;
	if ((r = expect_type(&msg, HS_AGENTC_SIGN_REQUEST)) != 0 ||
	    (r = hs__view_get_string(&msg, &req.key_blob)) != 0 || (r = hs__view_get_string(&msg, &req.data)) != 0 ||
	    (r = hs__view_get_u32(&msg, &req.flags)) != 0 || (r = hs__view_end(&msg)) != 0)
		return r;
	*out = req;
	return 0;
}

int hs__agent_get_sign_response(struct hs_view msg, struct hs_bytes *sig)
{
	struct hs_bytes s;
	int r;
	if ((r = expect_type(&msg, HS_AGENT_SIGN_RESPONSE)) != 0 || (r = hs__view_get_string(&msg, &s)) != 0 ||
	    (r = hs__view_end(&msg)) != 0)
		return r;
	*sig = s;
	return 0;
}

int hs__agent_find_identity(struct hs_view msg, const uint8_t *key_blob, size_t key_len, int *found)
{
	uint32_t n;
	int r, hit = 0;
	if ((r = expect_type(&msg, HS_AGENT_IDENTITIES_ANSWER)) != 0 || (r = hs__view_get_u32(&msg, &n)) != 0)
		return r;
	/* each key takes at least 8 bytes: a count beyond that is a lie */
	if (n > hs__view_left(&msg) / 8)
		return HS_ERR_FORMAT;
	for (uint32_t i = 0; i < n; i++) {
		struct hs_bytes blob, comment;
		if ((r = hs__view_get_string(&msg, &blob)) != 0 || (r = hs__view_get_string(&msg, &comment)) != 0)
			return r;
		if (blob.len == key_len && key_len > 0 && memcmp(blob.ptr, key_blob, key_len) == 0)
			hit = 1;
	}
	if ((r = hs__view_end(&msg)) != 0)
		return r;
	*found = hit;
	return 0;
}
