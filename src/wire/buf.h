/*
 * The bounds-checked byte buffers through which every untrusted byte is read
 * and every protocol message is written.
 *
 * struct hs_buf  — an owning, growable buffer with a hard maximum size and a
 *                  "secret" flag (contents wiped on reset, shrink and free).
 *                  Bytes are appended at the end and consumed from the front.
 * struct hs_view — a read-only cursor over bytes owned by someone else. Every
 *                  getter checks the remaining length first; on failure the
 *                  cursor and the outputs are left unchanged.
 */
#ifndef HS_WIRE_BUF_H
#define HS_WIRE_BUF_H

#include <stddef.h>
#include <stdint.h>

#include "hostsd/error.h"

struct hs_buf {
	uint8_t *data;
	size_t off; /* first unread byte */
	size_t len; /* one past the last written byte */
	size_t cap; /* allocated bytes */
	size_t max; /* len - off may never exceed this */
	int secret; /* wipe on reset/shrink/free */
};

/* A borrowed run of bytes: valid as long as its owner is. */
struct hs_bytes {
	const uint8_t *ptr;
	size_t len;
};

struct hs_view {
	const uint8_t *ptr;
	size_t len;
	size_t pos;
};

/* --- struct hs_buf --- */

/* Initialise an empty buffer that may hold at most max bytes. */
void hs__buf_init(struct hs_buf *b, size_t max, int secret);
/* Free the storage (wiped first if secret); b may be reused after init. */
void hs__buf_cleanup(struct hs_buf *b);
/* Drop the contents, keep the storage (wiped if secret). */
void hs__buf_reset(struct hs_buf *b);
/* Give back storage above keep bytes when the buffer is idle and empty. */
void hs__buf_shrink(struct hs_buf *b, size_t keep);

static inline size_t hs__buf_len(const struct hs_buf *b)
{
	return b->len - b->off;
}
static inline uint8_t *hs__buf_ptr(const struct hs_buf *b)
{
	return b->data + b->off;
}
static inline struct hs_view hs__buf_view(const struct hs_buf *b)
{
	struct hs_view v = { b->data ? b->data + b->off : NULL, b->len - b->off, 0 };
	return v;
}

/* Make room for n more bytes and return a pointer to them (not yet counted). */
int hs__buf_reserve(struct hs_buf *b, size_t n, uint8_t **out) HS_MUST_CHECK;
/* Append n bytes: the caller writes into *out. */
int hs__buf_extend(struct hs_buf *b, size_t n, uint8_t **out) HS_MUST_CHECK;
/* Forget the last n bytes written (n <= length). */
int hs__buf_unwrite(struct hs_buf *b, size_t n) HS_MUST_CHECK;
/* Cut the unread contents back to len bytes (no-op if already shorter). */
void hs__buf_truncate(struct hs_buf *b, size_t len);
/* Consume n bytes from the front. */
int hs__buf_consume(struct hs_buf *b, size_t n) HS_MUST_CHECK;

int hs__buf_put(struct hs_buf *b, const void *p, size_t n) HS_MUST_CHECK;
int hs__buf_put_u8(struct hs_buf *b, uint8_t v) HS_MUST_CHECK;
int hs__buf_put_bool(struct hs_buf *b, int v) HS_MUST_CHECK;
int hs__buf_put_u32(struct hs_buf *b, uint32_t v) HS_MUST_CHECK;
int hs__buf_put_u64(struct hs_buf *b, uint64_t v) HS_MUST_CHECK;
/* An SSH string: uint32 length then bytes. */
int hs__buf_put_string(struct hs_buf *b, const void *p, size_t n) HS_MUST_CHECK;
int hs__buf_put_cstring(struct hs_buf *b, const char *s) HS_MUST_CHECK;
/* An SSH mpint from an unsigned big-endian magnitude (leading zeros trimmed,
 * a zero byte added when the top bit is set). */
int hs__buf_put_mpint_bytes(struct hs_buf *b, const uint8_t *p, size_t n) HS_MUST_CHECK;
/* Start a string whose length is filled in by hs__buf_end_string(). */
int hs__buf_begin_string(struct hs_buf *b, size_t *mark) HS_MUST_CHECK;
int hs__buf_end_string(struct hs_buf *b, size_t mark) HS_MUST_CHECK;

/* --- struct hs_view --- */

static inline struct hs_view hs__view_make(const void *p, size_t n)
{
	struct hs_view v = { (const uint8_t *)p, n, 0 };
	return v;
}
static inline size_t hs__view_left(const struct hs_view *v)
{
	return v->len - v->pos;
}
static inline const uint8_t *hs__view_cur(const struct hs_view *v)
{
	return v->ptr + v->pos;
}

int hs__view_get_u8(struct hs_view *v, uint8_t *out) HS_MUST_CHECK;
int hs__view_get_bool(struct hs_view *v, int *out) HS_MUST_CHECK;
int hs__view_get_u32(struct hs_view *v, uint32_t *out) HS_MUST_CHECK;
int hs__view_get_u64(struct hs_view *v, uint64_t *out) HS_MUST_CHECK;
/* Exactly n raw bytes. */
int hs__view_get_bytes(struct hs_view *v, size_t n, struct hs_bytes *out) HS_MUST_CHECK;
/* An SSH string (any bytes). */
int hs__view_get_string(struct hs_view *v, struct hs_bytes *out) HS_MUST_CHECK;
/* An SSH string used as text: rejects an interior NUL. Copies into dst
 * (NUL-terminated) and fails with HS_ERR_LIMIT when it does not fit. */
int hs__view_get_cstring(struct hs_view *v, char *dst, size_t dstsize) HS_MUST_CHECK;
/* An SSH mpint that must be non-negative; out is its magnitude without
 * the sign byte. Non-minimal encodings are refused. */
int hs__view_get_mpint(struct hs_view *v, struct hs_bytes *out) HS_MUST_CHECK;
/* An SSH string holding a view of its own. */
int hs__view_get_subview(struct hs_view *v, struct hs_view *out) HS_MUST_CHECK;
/* The rest of the bytes. */
void hs__view_get_rest(struct hs_view *v, struct hs_bytes *out);
/* Succeeds only if nothing remains. */
int hs__view_end(const struct hs_view *v) HS_MUST_CHECK;

/* --- helpers over struct hs_bytes --- */

/* A C string as bytes (without its NUL). */
struct hs_bytes hs__bytes_of(const char *s);
/* The next name of a comma-separated name-list: *name receives it (empty
 * between two commas) and *rest advances past it and its comma. Returns 0
 * when rest was already empty. */
int hs__namelist_next(struct hs_bytes *rest, struct hs_bytes *name);
/* Does the comma-separated name-list contain name exactly? */
int hs__namelist_has(struct hs_bytes list, const char *name);
/* Is b exactly the C string s? */
int hs__bytes_eq(struct hs_bytes b, const char *s);

#endif
