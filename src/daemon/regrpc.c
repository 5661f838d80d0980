/*
 * hostsd program — the worker/monitor registry messages (regrpc.h):
 * encoders and decoders together, each decoder reading only through the
 * bounds-checked view and ending with a check that nothing is left.
 */
#include "daemon/regrpc.h"

#include <stdlib.h>
#include <string.h>

/* Text of a request field: fits dstsize with its NUL, holds no NUL. */
static int put_text(struct hs_buf *out, const char *s, size_t dstsize)
{
	size_t n = strnlen(s, dstsize);
	if (n >= dstsize)
		return HS_ERR_LIMIT;
	return hs__buf_put_string(out, s, n);
}

static int get_flag(struct hs_view *v, int *out)
{
	uint8_t b;
	int r = hs__view_get_u8(v, &b);
	if (r != 0)
		return r;
	if (b > 1)
		return HS_ERR_FORMAT;
	*out = b;
	return 0;
}

uint8_t hsd_regrpc_reply_type(uint8_t t)
{
	switch (t) {
	case HSD_REGRPC_LOOKUP:
		return HSD_REGRPC_R_RECORD;
	case HSD_REGRPC_CHANGED:
		return HSD_REGRPC_R_CHANGED;
	case HSD_REGRPC_LOG_ATTEMPT:
	case HSD_REGRPC_COUNT_INVALID:
		return HSD_REGRPC_R_OK;
	case HSD_REGRPC_DECOYS:
		return HSD_REGRPC_R_COUNT;
	default:
		return 0;
	}
}

/* --- requests --- */

static int put_attempt(struct hs_buf *out, const struct hsd_attempt *a)
{
	int r;
	if ((r = put_text(out, a->peer, sizeof a->peer)) != 0 || (r = put_text(out, a->host, sizeof a->host)) != 0 ||
	    (r = put_text(out, a->fingerprint, sizeof a->fingerprint)) != 0 ||
	    (r = hs__buf_put_u8(out, a->accepted ? 1 : 0)) != 0)
		return r;
	return put_text(out, a->reason, sizeof a->reason);
}

int hsd_regrpc_put_request(struct hs_buf *out, const struct hsd_regrpc_request *req)
{
	size_t start = hs__buf_len(out);
	int r;
	if (hsd_regrpc_reply_type(req->type) == 0)
		return HS_ERR_INVALID_ARG;
	if (req->type == HSD_REGRPC_LOOKUP && !hsd_host_id_valid(req->host))
		return HS_ERR_INVALID_ARG;
	if ((r = hs__buf_put_u8(out, req->type)) != 0 || (r = hs__buf_put_u32(out, req->id)) != 0)
		goto out;
	switch (req->type) {
	case HSD_REGRPC_LOOKUP:
		r = hs__buf_put_cstring(out, req->host);
		break;
	case HSD_REGRPC_LOG_ATTEMPT:
		r = put_attempt(out, &req->attempt);
		break;
	case HSD_REGRPC_COUNT_INVALID:
		if ((r = hs__buf_put_u64(out, req->n)) != 0 || (r = hs__buf_put_u64(out, (uint64_t)req->first)) != 0 ||
		    (r = hs__buf_put_u64(out, (uint64_t)req->last)) != 0)
			break;
		r = put_text(out, req->peer, sizeof req->peer);
		break;
	default: /* CHANGED, DECOYS: no fields */
		break;
	}
out:
	if (r != 0)
		hs__buf_truncate(out, start);
	return r;
}

static int get_attempt(struct hs_view *v, struct hsd_attempt *a)
{
	int r;
	if ((r = hs__view_get_cstring(v, a->peer, sizeof a->peer)) != 0 ||
	    (r = hs__view_get_cstring(v, a->host, sizeof a->host)) != 0 ||
	    (r = hs__view_get_cstring(v, a->fingerprint, sizeof a->fingerprint)) != 0 ||
	    (r = get_flag(v, &a->accepted)) != 0)
		return r;
	return hs__view_get_cstring(v, a->reason, sizeof a->reason);
}

int hsd_regrpc_get_request(const uint8_t *msg, size_t len, struct hsd_regrpc_request *out)
{
	struct hs_view v = hs__view_make(msg, len);
	uint64_t first, last;
	int r;
	memset(out, 0, sizeof(*out));
	if (len > HSD_REGRPC_MSG_MAX)
		return HS_ERR_LIMIT;
	if ((r = hs__view_get_u8(&v, &out->type)) != 0 || (r = hs__view_get_u32(&v, &out->id)) != 0)
		goto out;
	switch (out->type) {
	case HSD_REGRPC_LOOKUP:
		if ((r = hs__view_get_cstring(&v, out->host, sizeof out->host)) == 0 && !hsd_host_id_valid(out->host))
			r = HS_ERR_FORMAT;
		break;
	case HSD_REGRPC_LOG_ATTEMPT:
		r = get_attempt(&v, &out->attempt);
		break;
	case HSD_REGRPC_COUNT_INVALID:
		if ((r = hs__view_get_u64(&v, &out->n)) != 0 || (r = hs__view_get_u64(&v, &first)) != 0 ||
		    (r = hs__view_get_u64(&v, &last)) != 0 ||
		    (r = hs__view_get_cstring(&v, out->peer, sizeof out->peer)) != 0)
			break;
		out->first = (int64_t)first;
		out->last = (int64_t)last;
		break;
	case HSD_REGRPC_CHANGED:
	case HSD_REGRPC_DECOYS:
		break;
	default:
		r = HS_ERR_FORMAT;
		break;
	}
	if (r == 0)
		r = hs__view_end(&v);
out:
	if (r != 0)
		memset(out, 0, sizeof(*out));
	return r;
}

/* --- replies --- */

static int put_record(struct hs_buf *out, const struct hsd_peer_record *rec)
{
	int r;
	if (rec->nkeys > HSD_MAX_KEYS_PER_HOST || rec->ngrants > HSD_MAX_GRANTS)
		return HS_ERR_LIMIT;
	if (!rec->found && (rec->revoked || rec->nkeys > 0 || rec->ngrants > 0))
		return HS_ERR_INVALID_ARG;
	if ((r = hs__buf_put_u8(out, rec->found ? 1 : 0)) != 0 ||
	    (r = hs__buf_put_u8(out, rec->revoked ? 1 : 0)) != 0 ||
	    (r = hs__buf_put_u32(out, (uint32_t)rec->nkeys)) != 0)
		return r;
	for (size_t i = 0; i < rec->nkeys; i++) {
		const struct hsd_peer_key *k = &rec->keys[i];
		size_t n;
		if (k->key == NULL || k->expires < 0)
			return HS_ERR_INVALID_ARG;
		const uint8_t *blob = hs_key_blob(k->key, &n);
		if (n > HSD_REGRPC_KEY_BLOB_MAX)
			return HS_ERR_LIMIT;
		if ((r = hs__buf_put_string(out, blob, n)) != 0 || (r = hs__buf_put_u8(out, k->revoked ? 1 : 0)) != 0 ||
		    (r = hs__buf_put_u64(out, (uint64_t)k->expires)) != 0)
			return r;
	}
	if ((r = hs__buf_put_u32(out, (uint32_t)rec->ngrants)) != 0)
		return r;
	for (size_t i = 0; i < rec->ngrants; i++) {
		if (rec->grants[i] == NULL || !hsd_grant_name_valid(rec->grants[i]))
			return HS_ERR_INVALID_ARG;
		if ((r = hs__buf_put_cstring(out, rec->grants[i])) != 0)
			return r;
	}
	return 0;
}

int hsd_regrpc_put_reply(struct hs_buf *out, const struct hsd_regrpc_reply *rep)
{
	size_t start = hs__buf_len(out);
	int r;
	if ((r = hs__buf_put_u8(out, rep->type)) != 0 || (r = hs__buf_put_u32(out, rep->id)) != 0)
		goto out;
	switch (rep->type) {
	case HSD_REGRPC_R_FAILURE:
	case HSD_REGRPC_R_OK:
		break;
	case HSD_REGRPC_R_RECORD:
		r = put_record(out, &rep->record);
		break;
	case HSD_REGRPC_R_CHANGED:
		r = hs__buf_put_u8(out, rep->changed ? 1 : 0);
		break;
	case HSD_REGRPC_R_COUNT:
		r = hs__buf_put_u64(out, rep->count);
		break;
	default:
		r = HS_ERR_INVALID_ARG;
		break;
	}
out:
	if (r != 0)
		hs__buf_truncate(out, start);
	return r;
}

static int get_key(struct hs_view *v, struct hsd_peer_key *k)
{
	struct hs_bytes blob;
	uint64_t expires;
	int r;
	if ((r = hs__view_get_string(v, &blob)) != 0)
		return r;
	if (blob.len > HSD_REGRPC_KEY_BLOB_MAX)
		return HS_ERR_LIMIT;
	if ((r = get_flag(v, &k->revoked)) != 0 || (r = hs__view_get_u64(v, &expires)) != 0)
		return r;
	if (expires > INT64_MAX)
		return HS_ERR_FORMAT;
	k->expires = (int64_t)expires;
	if (hs_key_from_blob(blob.ptr, blob.len, &k->key) != 0)
		return HS_ERR_FORMAT;
	return 0;
}

static int get_grant(struct hs_view *v, char **out)
{
	char name[HSD_GRANT_MAX + 1];
	int r;
	if ((r = hs__view_get_cstring(v, name, sizeof name)) != 0)
		return r;
	if (!hsd_grant_name_valid(name))
		return HS_ERR_FORMAT;
	if ((*out = strdup(name)) == NULL)
		return HS_ERR_ALLOC;
	return 0;
}

static int get_record(struct hs_view *v, struct hsd_peer_record *rec)
{
	uint32_t nkeys, ngrants;
	int r;
	if ((r = get_flag(v, &rec->found)) != 0 || (r = get_flag(v, &rec->revoked)) != 0 ||
	    (r = hs__view_get_u32(v, &nkeys)) != 0)
		return r;
	if (nkeys > HSD_MAX_KEYS_PER_HOST)
		return HS_ERR_LIMIT;
	if (!rec->found && (rec->revoked || nkeys > 0))
		return HS_ERR_FORMAT;
	if (nkeys > 0 && (rec->keys = calloc(nkeys, sizeof(*rec->keys))) == NULL)
		return HS_ERR_ALLOC;
	for (uint32_t i = 0; i < nkeys; i++) {
		if ((r = get_key(v, &rec->keys[i])) != 0)
			return r;
		rec->nkeys++;
	}
	if ((r = hs__view_get_u32(v, &ngrants)) != 0)
		return r;
	if (ngrants > HSD_MAX_GRANTS)
		return HS_ERR_LIMIT;
	if (!rec->found && ngrants > 0)
		return HS_ERR_FORMAT;
	if (ngrants > 0 && (rec->grants = calloc(ngrants, sizeof(*rec->grants))) == NULL)
		return HS_ERR_ALLOC;
	for (uint32_t i = 0; i < ngrants; i++) {
		if ((r = get_grant(v, &rec->grants[i])) != 0)
			return r;
		rec->ngrants++;
	}
	return 0;
}

int hsd_regrpc_get_reply(const uint8_t *msg, size_t len, struct hsd_regrpc_reply *out)
{
	struct hs_view v = hs__view_make(msg, len);
	int r;
	memset(out, 0, sizeof(*out));
	if (len > HSD_REGRPC_MSG_MAX)
		return HS_ERR_LIMIT;
	if ((r = hs__view_get_u8(&v, &out->type)) != 0 || (r = hs__view_get_u32(&v, &out->id)) != 0)
		goto out;
	switch (out->type) {
	case HSD_REGRPC_R_FAILURE:
	case HSD_REGRPC_R_OK:
		break;
	case HSD_REGRPC_R_RECORD:
		r = get_record(&v, &out->record);
		break;
	case HSD_REGRPC_R_CHANGED:
		r = get_flag(&v, &out->changed);
		break;
	case HSD_REGRPC_R_COUNT:
		r = hs__view_get_u64(&v, &out->count);
		break;
	default:
		r = HS_ERR_FORMAT;
		break;
	}
	if (r == 0)
		r = hs__view_end(&v);
out:
	if (r != 0)
		hsd_regrpc_reply_clear(out);
	return r;
}

void hsd_regrpc_reply_clear(struct hsd_regrpc_reply *rep)
{
	hsd_peer_record_clear(&rep->record);
	memset(rep, 0, sizeof(*rep));
}
