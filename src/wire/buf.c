/*
 * Bounds-checked buffers: the only place where lengths read off the wire
 * meet pointer arithmetic. Every check is written so that it cannot
 * overflow: we compare a requested length with what remains, never add
 * untrusted lengths to positions first.
 */
#include "wire/buf.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#define BUF_MIN_ALLOC 256

void hs__buf_init(struct hs_buf *b, size_t max, int secret)
{
	memset(b, 0, sizeof(*b));
	b->max = max;
	b->secret = secret;
}

void hs__buf_cleanup(struct hs_buf *b)
{
	if (b == NULL)
		return;
	if (b->data != NULL) {
		if (b->secret)
			OPENSSL_cleanse(b->data, b->cap);
		free(b->data);
	}
	b->data = NULL;
	b->off = b->len = b->cap = 0;
}

void hs__buf_reset(struct hs_buf *b)
{
	if (b->secret && b->data != NULL)
		OPENSSL_cleanse(b->data, b->cap);
	b->off = b->len = 0;
}

void hs__buf_shrink(struct hs_buf *b, size_t keep)
{
	if (b->len != b->off || b->cap <= keep)
		return;
	if (keep == 0) {
		hs__buf_cleanup(b);
		return;
	}
	uint8_t *n = malloc(keep);
	if (n == NULL)
		return; /* keeping the larger block is harmless */
	if (b->secret)
		OPENSSL_cleanse(b->data, b->cap);
	free(b->data);
	b->data = n;
	b->cap = keep;
	b->off = b->len = 0;
}

/* Ensure n writable bytes after len; compacts or grows within max. */
int hs__buf_reserve(struct hs_buf *b, size_t n, uint8_t **out)
{
	size_t used = b->len - b->off;
	if (n > b->max || used > b->max - n)
		return HS_ERR_LIMIT;
	if (b->cap - b->len >= n) {
		if (out) /* no arithmetic on a never-allocated (NULL) buffer */
			*out = b->data != NULL ? b->data + b->len : NULL;
		return 0;
	}
	/* Slide unread bytes to the front when that makes enough room. */
	if (b->off > 0 && b->cap - used >= n) {
		memmove(b->data, b->data + b->off, used);
		if (b->secret)
			OPENSSL_cleanse(b->data + used, b->off);
		b->off = 0;
		b->len = used;
		if (out)
			*out = b->data + b->len;
		return 0;
	}
	size_t need = used + n; /* cannot overflow: both bounded by max above */
	size_t ncap = b->cap < BUF_MIN_ALLOC ? BUF_MIN_ALLOC : b->cap;
	while (ncap < need)
		ncap = ncap > SIZE_MAX / 2 ? need : ncap * 2;
	if (ncap > b->max && need <= b->max)
		ncap = b->max > BUF_MIN_ALLOC ? b->max : BUF_MIN_ALLOC;
	if (ncap < need)
		ncap = need;
	uint8_t *nd = malloc(ncap);
	if (nd == NULL)
		return HS_ERR_ALLOC;
	if (used > 0)
		memcpy(nd, b->data + b->off, used);
	if (b->data != NULL) {
		if (b->secret)
			OPENSSL_cleanse(b->data, b->cap);
		free(b->data);
	}
	b->data = nd;
	b->cap = ncap;
	b->off = 0;
	b->len = used;
	if (out)
		*out = b->data + b->len;
	return 0;
}

int hs__buf_extend(struct hs_buf *b, size_t n, uint8_t **out)
{
	uint8_t *p;
	int r = hs__buf_reserve(b, n, &p);
	if (r != 0)
		return r;
	b->len += n;
	if (out)
		*out = p;
	return 0;
}

int hs__buf_unwrite(struct hs_buf *b, size_t n)
{
	if (n > b->len - b->off)
		return HS_ERR_INTERNAL;
	b->len -= n;
	if (b->secret)
		OPENSSL_cleanse(b->data + b->len, n);
	return 0;
}

void hs__buf_truncate(struct hs_buf *b, size_t len)
{
	size_t used = b->len - b->off;
	if (len < used && hs__buf_unwrite(b, used - len) != 0)
		return; /* cannot happen: used - len <= used */
}

int hs__buf_consume(struct hs_buf *b, size_t n)
{
	if (n > b->len - b->off)
		return HS_ERR_INTERNAL;
	if (b->secret && n > 0)
		OPENSSL_cleanse(b->data + b->off, n);
	b->off += n;
	if (b->off == b->len)
		b->off = b->len = 0;
	return 0;
}

int hs__buf_put(struct hs_buf *b, const void *p, size_t n)
{
	uint8_t *d;
	int r = hs__buf_extend(b, n, &d);
	if (r != 0)
		return r;
	if (n > 0)
		memcpy(d, p, n); /* NOLINT(clang-analyzer-core.NonNullParamChecker): p is set whenever n is not 0 */
	return 0;
}

int hs__buf_put_u8(struct hs_buf *b, uint8_t v)
{
	return hs__buf_put(b, &v, 1);
}

int hs__buf_put_bool(struct hs_buf *b, int v)
{
	return hs__buf_put_u8(b, v ? 1 : 0);
}

int hs__buf_put_u32(struct hs_buf *b, uint32_t v)
{
	uint8_t d[4] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v };
	return hs__buf_put(b, d, 4);
}

int hs__buf_put_u64(struct hs_buf *b, uint64_t v)
{
	int r = hs__buf_put_u32(b, (uint32_t)(v >> 32));
	return r != 0 ? r : hs__buf_put_u32(b, (uint32_t)v);
}

int hs__buf_put_string(struct hs_buf *b, const void *p, size_t n)
{
	if (n > UINT32_MAX)
		return HS_ERR_LIMIT;
	uint8_t *d;
	int r = hs__buf_extend(b, 4 + n, &d); /* n <= UINT32_MAX: no overflow */
	if (r != 0)
		return r;
	d[0] = (uint8_t)(n >> 24);
	d[1] = (uint8_t)(n >> 16);
	d[2] = (uint8_t)(n >> 8);
	d[3] = (uint8_t)n;
	if (n > 0)
		memcpy(d + 4, p, n);
	return 0;
}

int hs__buf_put_cstring(struct hs_buf *b, const char *s)
{
	return hs__buf_put_string(b, s, strlen(s));
}

int hs__buf_put_mpint_bytes(struct hs_buf *b, const uint8_t *p, size_t n)
{
	while (n > 0 && p[0] == 0) {
		p++;
		n--;
	}
	int pad = n > 0 && (p[0] & 0x80) != 0;
	if (n > UINT32_MAX - 1)
		return HS_ERR_LIMIT;
	int r = hs__buf_put_u32(b, (uint32_t)(n + (size_t)pad));
	if (r == 0 && pad)
		r = hs__buf_put_u8(b, 0);
	if (r == 0)
		r = hs__buf_put(b, p, n);
	return r;
}

int hs__buf_begin_string(struct hs_buf *b, size_t *mark)
{
	*mark = b->len - b->off;
	return hs__buf_put_u32(b, 0);
}

int hs__buf_end_string(struct hs_buf *b, size_t mark)
{
	size_t used = b->len - b->off;
	if (mark > used || used - mark < 4 || used - mark - 4 > UINT32_MAX)
		return HS_ERR_INTERNAL;
	uint32_t n = (uint32_t)(used - mark - 4);
	uint8_t *d = b->data + b->off + mark;
	d[0] = (uint8_t)(n >> 24);
	d[1] = (uint8_t)(n >> 16);
	d[2] = (uint8_t)(n >> 8);
	d[3] = (uint8_t)n;
	return 0;
}

/* --- views --- */

int hs__view_get_bytes(struct hs_view *v, size_t n, struct hs_bytes *out)
{
	if (n > v->len - v->pos)
		return HS_ERR_TRUNCATED;
	out->ptr = v->ptr + v->pos;
	out->len = n;
	v->pos += n;
	return 0;
}

int hs__view_get_u8(struct hs_view *v, uint8_t *out)
{
	if (v->len - v->pos < 1)
		return HS_ERR_TRUNCATED;
	*out = v->ptr[v->pos++];
	return 0;
}

int hs__view_get_bool(struct hs_view *v, int *out)
{
	uint8_t b;
	int r = hs__view_get_u8(v, &b);
	if (r == 0)
		*out = b != 0;
	return r;
}

int hs__view_get_u32(struct hs_view *v, uint32_t *out)
{
	if (v->len - v->pos < 4)
		return HS_ERR_TRUNCATED;
	const uint8_t *p = v->ptr + v->pos;
	*out = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
	v->pos += 4;
	return 0;
}

int hs__view_get_u64(struct hs_view *v, uint64_t *out)
{
	if (v->len - v->pos < 8)
		return HS_ERR_TRUNCATED;
	const uint8_t *p = v->ptr + v->pos;
	uint64_t x = 0;
	for (int i = 0; i < 8; i++)
		x = x << 8 | p[i];
	*out = x;
	v->pos += 8;
	return 0;
}

int hs__view_get_string(struct hs_view *v, struct hs_bytes *out)
{
	struct hs_view save = *v;
	uint32_t n;
	int r = hs__view_get_u32(v, &n);
	if (r == 0)
		r = hs__view_get_bytes(v, n, out);
	if (r != 0)
		*v = save;
	return r;
}

int hs__view_get_cstring(struct hs_view *v, char *dst, size_t dstsize)
{
	struct hs_view save = *v;
	struct hs_bytes s;
	int r = hs__view_get_string(v, &s);
	if (r != 0)
		return r;
	if (s.len > 0 && memchr(s.ptr, 0, s.len) != NULL) {
		*v = save;
		return HS_ERR_FORMAT;
	}
	if (dstsize == 0 || s.len > dstsize - 1) {
		*v = save;
		return HS_ERR_LIMIT;
	}
	if (s.len > 0)
		memcpy(dst, s.ptr, s.len);
	dst[s.len] = '\0';
	return 0;
}

int hs__view_get_mpint(struct hs_view *v, struct hs_bytes *out)
{
	struct hs_view save = *v;
	struct hs_bytes s;
	int r = hs__view_get_string(v, &s);
	if (r != 0)
		return r;
	int negative = s.len > 0 && (s.ptr[0] & 0x80) != 0;
	int non_minimal = s.len > 1 && s.ptr[0] == 0 && (s.ptr[1] & 0x80) == 0;
	if (negative || non_minimal)
		r = HS_ERR_FORMAT;
	if (r != 0) {
		*v = save;
		return r;
	}
	if (s.len > 0 && s.ptr[0] == 0) {
		s.ptr++;
		s.len--;
	}
	*out = s;
	return 0;
}

int hs__view_get_subview(struct hs_view *v, struct hs_view *out)
{
	struct hs_bytes s;
	int r = hs__view_get_string(v, &s);
	if (r == 0)
		*out = hs__view_make(s.ptr, s.len);
	return r;
}

void hs__view_get_rest(struct hs_view *v, struct hs_bytes *out)
{
	out->ptr = v->ptr + v->pos;
	out->len = v->len - v->pos;
	v->pos = v->len;
}

int hs__view_end(const struct hs_view *v)
{
	return v->pos == v->len ? 0 : HS_ERR_TRAILING;
}

struct hs_bytes hs__bytes_of(const char *s)
{
	struct hs_bytes b = { (const uint8_t *)s, strlen(s) };
	return b;
}

int hs__namelist_next(struct hs_bytes *rest, struct hs_bytes *name)
{
	size_t n = 0;
	if (rest->len == 0)
		return 0;
	while (n < rest->len && rest->ptr[n] != ',')
		n++;
	name->ptr = rest->ptr;
	name->len = n;
	if (n < rest->len)
		n++; /* the comma */
	rest->ptr += n;
	rest->len -= n;
	return 1;
}

int hs__namelist_has(struct hs_bytes list, const char *name)
{
	struct hs_bytes rest = list, n;
	while (hs__namelist_next(&rest, &n))
		if (hs__bytes_eq(n, name))
			return 1;
	return 0;
}

int hs__bytes_eq(struct hs_bytes b, const char *s)
{
	size_t n = strlen(s);
	return b.len == n && (n == 0 || memcmp(b.ptr, s, n) == 0);
}
