/*
 * Standard base64 (RFC 4648 §4) for OpenSSH public key lines, private key
 * files and fingerprints. The decoder is strict: it accepts only the
 * canonical padded encoding (no whitespace, no missing or extra '=', no
 * stray bits in the last character), so one byte string has exactly one
 * accepted text. Neither direction indexes a table with the data, so the
 * same code serves for secrets (private key files).
 */
#ifndef HS_WIRE_BASE64_H
#define HS_WIRE_BASE64_H

#include <stddef.h>
#include <stdint.h>

#include "hostsd/error.h"

/* Characters that encoding n bytes produces, without the terminating NUL;
 * with pad = 0 the '=' characters are left off (as fingerprints print). */
size_t hs__base64_encoded_len(size_t n, int pad);

/* The most bytes that decoding n characters can give. */
size_t hs__base64_decoded_max(size_t n);

/* Encode n bytes of src into dst, NUL-terminated. dstsize must be at least
 * hs__base64_encoded_len(n, pad) + 1, else HS_ERR_LIMIT and dst untouched. */
int hs__base64_encode(const uint8_t *src, size_t n, char *dst, size_t dstsize, int pad) HS_MUST_CHECK;

/* Decode exactly n characters of src (padded canonical base64) into dst;
 * *outlen receives the byte count. HS_ERR_FORMAT for any character outside
 * the alphabet, a length that is not a multiple of 4, misplaced or excess
 * padding, or non-zero unused bits; HS_ERR_LIMIT when dst is too small.
 * On failure dst may hold partial output: a caller decoding a secret wipes
 * dst either way. */
int hs__base64_decode(const char *src, size_t n, uint8_t *dst, size_t dstsize, size_t *outlen) HS_MUST_CHECK;

#endif
