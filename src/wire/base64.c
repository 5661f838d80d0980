/*
 * Base64 for key files and key lines. Characters are mapped to values and
 * back with arithmetic instead of a lookup table, so that decoding a private
 * key file does not index memory with secret bytes; the only branches are
 * on the validity of the input, which is not secret.
 */
#include "wire/base64.h"

#include <string.h>

/* 0 - (cond) as an all-ones / all-zeros mask, cond being 0 or 1. */
#define MASK(cond) (0u - (unsigned)(cond))

/* The character for a 6-bit value. */
static char enc_char(unsigned v)
{
	unsigned c = 0;
	c |= MASK(v < 26) & ('A' + v);
	c |= MASK(v - 26 < 26) & ('a' + (v - 26));
	c |= MASK(v - 52 < 10) & ('0' + (v - 52));
	c |= MASK(v == 62) & '+';
	c |= MASK(v == 63) & '/';
	return (char)c;
}

/* The 6-bit value of a character, or -1 when it is not in the alphabet
 * ('=' included: padding is handled by the caller). */
static int dec_char(unsigned char ch)
{
	unsigned x = ch, v = 0, ok = 0, m;
	m = MASK(x - 'A' < 26);
	v |= m & (x - 'A');
	ok |= m;
	m = MASK(x - 'a' < 26);
	v |= m & (x - 'a' + 26);
	ok |= m;
	m = MASK(x - '0' < 10);
	v |= m & (x - '0' + 52);
	ok |= m;
	m = MASK(x == '+');
	v |= m & 62u;
	ok |= m;
	m = MASK(x == '/');
	v |= m & 63u;
	ok |= m;
	return ok ? (int)v : -1;
}

size_t hs__base64_encoded_len(size_t n, int pad)
{
	if (n / 3 >= SIZE_MAX / 4 - 1)
		return SIZE_MAX; /* saturate: no buffer is that large */
	size_t full = n / 3 * 4, rest = n % 3;
	if (rest == 0)
		return full;
	return full + (pad ? 4 : rest + 1);
}

size_t hs__base64_decoded_max(size_t n)
{
	return n / 4 * 3 + (n % 4 * 3 + 3) / 4;
}

int hs__base64_encode(const uint8_t *src, size_t n, char *dst, size_t dstsize, int pad)
{
	size_t need = hs__base64_encoded_len(n, pad);
	if (need == SIZE_MAX || dstsize == 0 || need > dstsize - 1)
		return HS_ERR_LIMIT;
	size_t i = 0, o = 0;
	for (; n - i >= 3; i += 3) {
		uint32_t w = (uint32_t)src[i] << 16 | (uint32_t)src[i + 1] << 8 | src[i + 2];
		dst[o++] = enc_char(w >> 18);
		dst[o++] = enc_char((w >> 12) & 63);
		dst[o++] = enc_char((w >> 6) & 63);
		dst[o++] = enc_char(w & 63);
	}
	if (n - i == 1) {
		uint32_t w = (uint32_t)src[i] << 16;
		dst[o++] = enc_char(w >> 18);
		dst[o++] = enc_char((w >> 12) & 63);
		if (pad) {
			dst[o++] = '=';
			dst[o++] = '=';
		}
	} else if (n - i == 2) {
		uint32_t w = (uint32_t)src[i] << 16 | (uint32_t)src[i + 1] << 8;
		dst[o++] = enc_char(w >> 18);
		dst[o++] = enc_char((w >> 12) & 63);
		dst[o++] = enc_char((w >> 6) & 63);
		if (pad)
			dst[o++] = '=';
	}
	dst[o] = '\0';
	return 0;
}

int hs__base64_decode(const char *src, size_t n, uint8_t *dst, size_t dstsize, size_t *outlen)
{
	const unsigned char *s = (const unsigned char *)src;
	if (n % 4 != 0)
		return HS_ERR_FORMAT;
	if (n == 0) {
		*outlen = 0;
		return 0;
	}
	size_t npad = s[n - 1] == '=' ? (s[n - 2] == '=' ? 2 : 1) : 0;
	size_t len = n / 4 * 3 - npad;
	if (len > dstsize)
		return HS_ERR_LIMIT;
	/* Accumulate every bad character into one flag: the verdict does not
	 * depend on where the first bad one is. */
	int bad = 0;
	size_t o = 0;
	for (size_t i = 0; i < n; i += 4) {
		int last = i + 4 == n;
		int a = dec_char(s[i]), b = dec_char(s[i + 1]);
		int c = last && npad == 2 ? 0 : dec_char(s[i + 2]);
		int d = last && npad >= 1 ? 0 : dec_char(s[i + 3]);
		bad |= (a | b | c | d) < 0;
		uint32_t w = (uint32_t)(a & 63) << 18 | (uint32_t)(b & 63) << 12 | (uint32_t)(c & 63) << 6 |
		             (uint32_t)(d & 63);
		if (!last || npad == 0) {
			dst[o++] = (uint8_t)(w >> 16);
			dst[o++] = (uint8_t)(w >> 8);
			dst[o++] = (uint8_t)w;
		} else if (npad == 1) {
			bad |= (w & 0xff) != 0; /* unused bits must be zero */
			dst[o++] = (uint8_t)(w >> 16);
			dst[o++] = (uint8_t)(w >> 8);
		} else {
			bad |= (w & 0xffff) != 0;
			dst[o++] = (uint8_t)(w >> 16);
		}
	}
	if (bad)
		return HS_ERR_FORMAT;
	*outlen = len;
	return 0;
}
