/*
 * The byte encodings of sntrup761 (round 3 §3.4): Small (four
 * coefficients a byte), and the generic Encode/Decode that packs a list of
 * integers each below its own bound into close to the information-
 * theoretic minimum of bytes, used for Rq (public keys) and Rounded
 * (ciphertexts).
 *
 * Decoding is constant time in the bytes: a secret key carries its public
 * key, and decapsulation re-encrypts with it, so these decoders handle
 * secret key material too. Only the bounds (public) steer the loops.
 */
#include "crypto/sntrup761_core.h"

#include <string.h>

#include <openssl/crypto.h>

#define P HS_SNTRUP761_P
#define Q HS_SNTRUP761_Q
#define Q12 HS_SNTRUP761_Q12

/* Encode and Decode merge pairs of bounds until one is left: a list of n
 * entries takes n + ceil(n/2) + ... + 1 < 2n + (levels) bounds over
 * ceil(log2 n) + 1 levels. */
#define MAX_LEVELS 16
#define MAX_N P
#define MAX_BOUNDS (2 * MAX_N + MAX_LEVELS)

/* Pairs are merged while their product is at least 2^14, after emitting
 * its low bytes (round 3 §3.4), so every bound stays below 2^14. */
#define LIMIT 16384u

void hs__sntrup761_small_encode(uint8_t out[HS_SNTRUP761_SMALL_BYTES], const int8_t f[P])
{
	/* Coefficient + 1 (0, 1 or 2) in two bits, four a byte, the first in
	 * the low bits; the last byte holds one. */
	for (int i = 0; i < P / 4; i++) {
		uint32_t x = 0;
		for (int j = 0; j < 4; j++)
			x |= (uint32_t)(f[4 * i + j] + 1) << (2 * j);
		out[i] = (uint8_t)x;
	}
	out[P / 4] = (uint8_t)(f[P - 1] + 1);
}

void hs__sntrup761_small_decode(int8_t f[P], const uint8_t in[HS_SNTRUP761_SMALL_BYTES])
{
	for (int i = 0; i < P / 4; i++)
		for (int j = 0; j < 4; j++)
			f[4 * i + j] = (int8_t)((int32_t)((in[i] >> (2 * j)) & 3) - 1);
	f[P - 1] = (int8_t)((int32_t)(in[P / 4] & 3) - 1);
}

size_t hs__sntrup761_encode(uint8_t *out, uint16_t *r, uint16_t m, size_t n)
{
	uint16_t mv[MAX_N];
	size_t len = 0;

	for (size_t i = 0; i < n; i++)
		mv[i] = m;
	/* Each level: merge pairs, emitting the low bytes of each merged
	 * value; the merged values and bounds replace the list (in place,
	 * entry i/2 being written after entries i and i+1 are read). */
	while (n > 1) {
		size_t half = 0;
		for (size_t i = 0; i + 1 < n; i += 2) {
			uint32_t mm = (uint32_t)mv[i] * mv[i + 1];
			uint32_t rr = r[i] + (uint32_t)mv[i] * r[i + 1];
			while (mm >= LIMIT) {
				out[len++] = (uint8_t)rr;
				rr >>= 8;
				mm = (mm + 255) >> 8;
			}
			r[half] = (uint16_t)rr;
			mv[half] = (uint16_t)mm;
			half++;
		}
		if (n & 1) {
			r[half] = r[n - 1];
			mv[half] = mv[n - 1];
			half++;
		}
		n = half;
	}
	/* The last value: as many bytes as its bound needs. */
	if (n == 1) {
		uint32_t rr = r[0], mm = mv[0];
		while (mm > 1) {
			out[len++] = (uint8_t)rr;
			rr >>= 8;
			mm = (mm + 255) >> 8;
		}
	}
	return len;
}

/* The shape of an encoding, which depends on n and m only: the bounds of
 * every level, one level after another in m[], and where each level's
 * bytes start. */
struct layout {
	uint16_t m[MAX_BOUNDS];
	size_t start[MAX_LEVELS + 1], count[MAX_LEVELS + 1], bytes[MAX_LEVELS + 1];
	size_t levels; /* the last level, which has one entry */
};

static void layout_make(struct layout *lay, uint16_t m, size_t n)
{
	size_t lv = 0, b = 0;

	for (size_t i = 0; i < n; i++)
		lay->m[i] = m;
	lay->start[0] = 0;
	lay->count[0] = n;
	lay->bytes[0] = 0;
	while (lay->count[lv] > 1) {
		const uint16_t *cur = lay->m + lay->start[lv];
		size_t cnt = lay->count[lv];
		uint16_t *next = lay->m + lay->start[lv] + cnt;
		size_t half = 0;
		for (size_t i = 0; i + 1 < cnt; i += 2) {
			uint32_t mm = (uint32_t)cur[i] * cur[i + 1];
			while (mm >= LIMIT) {
				b++;
				mm = (mm + 255) >> 8;
			}
			next[half++] = (uint16_t)mm;
		}
		if (cnt & 1)
			next[half++] = cur[cnt - 1];
		lay->start[lv + 1] = lay->start[lv] + cnt;
		lay->count[lv + 1] = half;
		lay->bytes[lv + 1] = b;
		lv++;
	}
	lay->levels = lv;
}

void hs__sntrup761_decode(uint16_t *out, const uint8_t *in, uint16_t m, size_t n)
{
	struct layout lay;
	uint16_t r[MAX_BOUNDS];
	uint32_t rem;

	if (n == 0)
		return;
	layout_make(&lay, m, n);
	/* The last level's single value, then each level from the bottom up:
	 * a pair's value is its low bytes plus the next level's entry above
	 * them, split by the pair's first bound. */
	size_t last = lay.start[lay.levels], b = lay.bytes[lay.levels];
	uint32_t x = 0;
	unsigned shift = 0;
	for (uint32_t mm = lay.m[last]; mm > 1; mm = (mm + 255) >> 8) {
		x |= (uint32_t)in[b++] << shift;
		shift += 8;
	}
	(void)hs__sntrup761_divmod(x, lay.m[last], &rem);
	r[last] = (uint16_t)rem;
	for (size_t lv = lay.levels; lv-- > 0;) {
		const uint16_t *mc = lay.m + lay.start[lv];
		uint16_t *rc = r + lay.start[lv];
		const uint16_t *rn = r + lay.start[lv + 1];
		size_t cnt = lay.count[lv];
		b = lay.bytes[lv];
		for (size_t i = 0; i + 1 < cnt; i += 2) {
			/* below the pair's product plus 2^16: under 2^31 */
			x = 0;
			shift = 0;
			for (uint32_t mm = (uint32_t)mc[i] * mc[i + 1]; mm >= LIMIT; mm = (mm + 255) >> 8) {
				x |= (uint32_t)in[b++] << shift;
				shift += 8;
			}
			x += (uint32_t)rn[i / 2] << shift;
			uint32_t hi = hs__sntrup761_divmod(x, mc[i], &rem);
			rc[i] = (uint16_t)rem;
			(void)hs__sntrup761_divmod(hi, mc[i + 1], &rem);
			rc[i + 1] = (uint16_t)rem;
		}
		if (cnt & 1)
			rc[cnt - 1] = rn[cnt / 2];
	}
	memcpy(out, r, n * sizeof(out[0]));
	OPENSSL_cleanse(r, sizeof(r));
}

void hs__sntrup761_rq_encode(uint8_t out[HS_SNTRUP761_RQ_BYTES], const int16_t f[P])
{
	uint16_t r[P];
	for (int i = 0; i < P; i++)
		r[i] = (uint16_t)(f[i] + Q12);
	(void)hs__sntrup761_encode(out, r, Q, P);
	OPENSSL_cleanse(r, sizeof(r));
}

void hs__sntrup761_rq_decode(int16_t f[P], const uint8_t in[HS_SNTRUP761_RQ_BYTES])
{
	uint16_t r[P];
	hs__sntrup761_decode(r, in, Q, P);
	for (int i = 0; i < P; i++)
		f[i] = (int16_t)((int32_t)r[i] - Q12);
	OPENSSL_cleanse(r, sizeof(r));
}

void hs__sntrup761_rounded_encode(uint8_t out[HS_SNTRUP761_ROUNDED_BYTES], const int16_t f[P])
{
	uint16_t r[P];
	uint32_t rem;
	/* (f + (q-1)/2) / 3: exact, as both are multiples of 3 */
	for (int i = 0; i < P; i++)
		r[i] = (uint16_t)hs__sntrup761_divmod((uint32_t)(f[i] + Q12), 3, &rem);
	(void)hs__sntrup761_encode(out, r, (Q + 2) / 3, P);
	OPENSSL_cleanse(r, sizeof(r));
}

void hs__sntrup761_rounded_decode(int16_t f[P], const uint8_t in[HS_SNTRUP761_ROUNDED_BYTES])
{
	uint16_t r[P];
	hs__sntrup761_decode(r, in, (Q + 2) / 3, P);
	for (int i = 0; i < P; i++)
		f[i] = (int16_t)(3 * (int32_t)r[i] - Q12);
	OPENSSL_cleanse(r, sizeof(r));
}
