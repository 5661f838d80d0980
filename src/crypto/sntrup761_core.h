/*
 * The arithmetic and the encodings under the sntrup761 KEM (crypto/sntrup761.c),
 * after "NTRU Prime: round 3" (2020-10-07), parameters p = 761, q = 4591,
 * w = 286. Private to the KEM and its tests.
 *
 * R = Z[x]/(x^p - x - 1). An element of R/q ("Rq") is held as p int16_t in
 * [-(q-1)/2, (q-1)/2]; a small element (coefficients in {-1, 0, 1}) as p
 * int8_t; "short" means small with exactly w nonzero coefficients.
 *
 * Every function here runs in time independent of the values it is given
 * (no branch, table index or division on them), so that it may handle
 * secrets: the lengths and the moduli of the encodings are public.
 */
#ifndef HS_CRYPTO_SNTRUP761_CORE_H
#define HS_CRYPTO_SNTRUP761_CORE_H

#include <stddef.h>
#include <stdint.h>

#define HS_SNTRUP761_P 761
#define HS_SNTRUP761_Q 4591
#define HS_SNTRUP761_W 286
#define HS_SNTRUP761_Q12 ((HS_SNTRUP761_Q - 1) / 2)

/* Encoded sizes (round 3 §3.4): Small (4 coefficients a byte), Rq (q
 * each) and Rounded (multiples of 3, (q+2)/3 each). */
#define HS_SNTRUP761_SMALL_BYTES 191
#define HS_SNTRUP761_RQ_BYTES 1158
#define HS_SNTRUP761_ROUNDED_BYTES 1007

/* floor(x / m), and x mod m in *rem, for x < 2^31 and 1 <= m < 2^16, in
 * time independent of x (m is public): with k = 31 + ceil(log2 m) and
 * v = ceil(2^k / m), floor(x v / 2^k) is exact because
 * x (v m - 2^k) < 2^31 m <= 2^k. For a constant m the compiler folds k
 * and v. */
static inline uint32_t hs__sntrup761_divmod(uint32_t x, uint32_t m, uint32_t *rem)
{
	unsigned k = 31;
	while ((1u << (k - 31)) < m)
		k++;
	uint64_t v = ((UINT64_C(1) << k) + m - 1) / m;
	uint32_t quot = (uint32_t)(((uint64_t)x * v) >> k);
	*rem = x - quot * m;
	return quot;
}

/* The centered representative of x mod q, for |x| <= 2^29. */
int16_t hs__sntrup761_fq_freeze(int32_t x);
/* The centered representative (-1, 0 or 1) of x mod 3, for |x| <= 2^29. */
int8_t hs__sntrup761_f3_freeze(int32_t x);

/* out = a * b in Rq, b small (any int8_t in [-2, 2] works). out may not
 * alias a. */
void hs__sntrup761_rq_mult_small(int16_t out[HS_SNTRUP761_P], const int16_t a[HS_SNTRUP761_P],
                                 const int8_t b[HS_SNTRUP761_P]);
/* out = a * b in R/3. */
void hs__sntrup761_r3_mult(int8_t out[HS_SNTRUP761_P], const int8_t a[HS_SNTRUP761_P], const int8_t b[HS_SNTRUP761_P]);

/* out = 1/in in R/3. Returns 0, or -1 when in has no inverse (out is then
 * meaningless). */
int hs__sntrup761_r3_recip(int8_t out[HS_SNTRUP761_P], const int8_t in[HS_SNTRUP761_P]);
/* out = 1/(3 in) in Rq. Returns 0, or -1 when in has no inverse (only 0
 * has none: x^p - x - 1 is irreducible mod q). */
int hs__sntrup761_rq_recip3(int16_t out[HS_SNTRUP761_P], const int8_t in[HS_SNTRUP761_P]);

/* -1 unless exactly w coefficients of r are nonzero, then 0. */
int hs__sntrup761_weight_mask(const int8_t r[HS_SNTRUP761_P]);

/* Sorts x[0..n) into ascending order by a sorting network (Batcher's
 * merge exchange): the same compare-exchanges whatever the values. */
void hs__sntrup761_sort_u32(uint32_t *x, size_t n);

/* A short polynomial from p random 32-bit words (round 3 §3.2,
 * Short_fromlist): the first w words give the nonzero coefficients. */
void hs__sntrup761_short_fromlist(int8_t out[HS_SNTRUP761_P], const uint32_t in[HS_SNTRUP761_P]);
/* A small polynomial from p random 32-bit words: coefficient i is
 * ((in[i] mod 2^30) * 3 >> 30) - 1. */
void hs__sntrup761_small_fromlist(int8_t out[HS_SNTRUP761_P], const uint32_t in[HS_SNTRUP761_P]);

/* Encodings (round 3 §3.4). Decoding accepts every byte string: values
 * out of range are taken modulo their bound, as the specification does. */
void hs__sntrup761_small_encode(uint8_t out[HS_SNTRUP761_SMALL_BYTES], const int8_t f[HS_SNTRUP761_P]);
void hs__sntrup761_small_decode(int8_t f[HS_SNTRUP761_P], const uint8_t in[HS_SNTRUP761_SMALL_BYTES]);
void hs__sntrup761_rq_encode(uint8_t out[HS_SNTRUP761_RQ_BYTES], const int16_t f[HS_SNTRUP761_P]);
void hs__sntrup761_rq_decode(int16_t f[HS_SNTRUP761_P], const uint8_t in[HS_SNTRUP761_RQ_BYTES]);
/* f must be rounded: every coefficient a multiple of 3. */
void hs__sntrup761_rounded_encode(uint8_t out[HS_SNTRUP761_ROUNDED_BYTES], const int16_t f[HS_SNTRUP761_P]);
void hs__sntrup761_rounded_decode(int16_t f[HS_SNTRUP761_P], const uint8_t in[HS_SNTRUP761_ROUNDED_BYTES]);

/* The generic Encode/Decode of round 3 §3.4 for n values each below m
 * (1 <= m < 2^14); the encoders above are these with m = q and
 * m = (q+2)/3. Encode returns the byte count; r is used as scratch. */
size_t hs__sntrup761_encode(uint8_t *out, uint16_t *r, uint16_t m, size_t n);
void hs__sntrup761_decode(uint16_t *out, const uint8_t *in, uint16_t m, size_t n);

#endif
