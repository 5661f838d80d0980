/*
 * Polynomial arithmetic of ML-KEM (FIPS 203 §4.2 and §4.3), written from
 * the standard. Coefficients are uint16_t kept in [0, q); products are
 * reduced with a Barrett step and a masked final subtraction, so that no
 * branch and no division ever depends on a coefficient. Compress divides
 * by q the same way, with a multiplication and shifts: a `/ q` on secret
 * data compiles to a variable-time divide instruction on common CPUs
 * (the "KyberSlash" timing leaks).
 */
#include "crypto/mlkem_poly.h"

/* floor(2^36 / q): x * BARRETT_M >> 36 is floor(x / q) or one less for
 * every 32-bit x, since x * (2^36/q - BARRETT_M) / 2^36 < 2^32 / 2^36. */
#define BARRETT_M 20642678u
#define BARRETT_SHIFT 36

/* 17^BitRev7(i) mod q (the zetas of Algorithms 9 and 10), and
 * 17^(2 BitRev7(i) + 1) mod q (the gammas of Algorithm 11); mlkem768_test.c
 * recomputes both tables from their definition. */
static const uint16_t zetas[128] = {
	1,    1729, 2580, 3289, 2642, 630,  1897, 848,  1062, 1919, 193,  797,  2786, 3260, 569,  1746,
	296,  2447, 1339, 1476, 3046, 56,   2240, 1333, 1426, 2094, 535,  2882, 2393, 2879, 1974, 821,
	289,  331,  3253, 1756, 1197, 2304, 2277, 2055, 650,  1977, 2513, 632,  2865, 33,   1320, 1915,
	2319, 1435, 807,  452,  1438, 2868, 1534, 2402, 2647, 2617, 1481, 648,  2474, 3110, 1227, 910,
	17,   2761, 583,  2649, 1637, 723,  2288, 1100, 1409, 2662, 3281, 233,  756,  2156, 3015, 3050,
	1703, 1651, 2789, 1789, 1847, 952,  1461, 2687, 939,  2308, 2437, 2388, 733,  2337, 268,  641,
	1584, 2298, 2037, 3220, 375,  2549, 2090, 1645, 1063, 319,  2773, 757,  2099, 561,  2466, 2594,
	2804, 1092, 403,  1026, 1143, 2150, 2775, 886,  1722, 1212, 1874, 1029, 2110, 2935, 885,  2154,
};
static const uint16_t gammas[128] = {
	17,   3312, 2761, 568,  583,  2746, 2649, 680,  1637, 1692, 723,  2606, 2288, 1041, 1100, 2229,
	1409, 1920, 2662, 667,  3281, 48,   233,  3096, 756,  2573, 2156, 1173, 3015, 314,  3050, 279,
	1703, 1626, 1651, 1678, 2789, 540,  1789, 1540, 1847, 1482, 952,  2377, 1461, 1868, 2687, 642,
	939,  2390, 2308, 1021, 2437, 892,  2388, 941,  733,  2596, 2337, 992,  268,  3061, 641,  2688,
	1584, 1745, 2298, 1031, 2037, 1292, 3220, 109,  375,  2954, 2549, 780,  2090, 1239, 1645, 1684,
	1063, 2266, 319,  3010, 2773, 556,  757,  2572, 2099, 1230, 561,  2768, 2466, 863,  2594, 735,
	2804, 525,  1092, 2237, 403,  2926, 1026, 2303, 1143, 2186, 2150, 1179, 2775, 554,  886,  2443,
	1722, 1607, 1212, 2117, 1874, 1455, 1029, 2300, 2110, 1219, 2935, 394,  885,  2444, 2154, 1175,
};

/* 128^-1 mod q, the scaling at the end of NTT^-1. */
#define INV128 3303u

/* x - q when x >= q, else x; for x < 2q. The mask comes from the borrow. */
static uint32_t csub(uint32_t x)
{
	x -= HS_MLKEM_Q;
	return x + (HS_MLKEM_Q & (0u - (x >> 31)));
}

/* floor(x / q) for x < 2^31, without a division. */
static uint32_t div_q(uint32_t x)
{
	uint32_t t = (uint32_t)(((uint64_t)x * BARRETT_M) >> BARRETT_SHIFT);
	uint32_t r = x - t * HS_MLKEM_Q; /* in [0, 2q) */
	return t + 1u - ((r - HS_MLKEM_Q) >> 31);
}

uint16_t hs__mlkem_reduce(uint32_t x)
{
	uint32_t t = (uint32_t)(((uint64_t)x * BARRETT_M) >> BARRETT_SHIFT);
	return (uint16_t)csub(x - t * HS_MLKEM_Q);
}

static uint16_t mulq(uint32_t a, uint32_t b)
{
	return hs__mlkem_reduce(a * b);
}

static uint16_t addq(uint32_t a, uint32_t b)
{
	return (uint16_t)csub(a + b);
}

static uint16_t subq(uint32_t a, uint32_t b)
{
	return (uint16_t)csub(a + HS_MLKEM_Q - b);
}

/* (4.7): round(2^d / q * x) mod 2^d, i.e. floor((2^d x + q/2) / q), the
 * half rounding up; with an integer numerator, adding floor(q/2) = 1664
 * gives the same quotient as adding q/2. */
uint16_t hs__mlkem_compress(uint16_t x, unsigned d)
{
	return (uint16_t)(div_q(((uint32_t)x << d) + HS_MLKEM_Q / 2) & ((1u << d) - 1));
}

/* (4.8): round(q / 2^d * y) = floor((q y + 2^(d-1)) / 2^d). */
uint16_t hs__mlkem_decompress(uint16_t y, unsigned d)
{
	return (uint16_t)(((uint32_t)y * HS_MLKEM_Q + ((1u << d) >> 1)) >> d);
}

void hs__mlkem_poly_ntt(struct hs_mlkem_poly *f)
{
	unsigned i = 1;
	for (unsigned len = 128; len >= 2; len /= 2) {
		for (unsigned start = 0; start < HS_MLKEM_N; start += 2 * len) {
			uint32_t zeta = zetas[i++];
			for (unsigned j = start; j < start + len; j++) {
				uint16_t t = mulq(zeta, f->c[j + len]);
				f->c[j + len] = subq(f->c[j], t);
				f->c[j] = addq(f->c[j], t);
			}
		}
	}
}

void hs__mlkem_poly_invntt(struct hs_mlkem_poly *f)
{
	unsigned i = 127;
	for (unsigned len = 2; len <= 128; len *= 2) {
		for (unsigned start = 0; start < HS_MLKEM_N; start += 2 * len) {
			uint32_t zeta = zetas[i--];
			for (unsigned j = start; j < start + len; j++) {
				uint16_t t = f->c[j];
				f->c[j] = addq(t, f->c[j + len]);
				f->c[j + len] = mulq(zeta, subq(f->c[j + len], t));
			}
		}
	}
	for (unsigned j = 0; j < HS_MLKEM_N; j++)
		f->c[j] = mulq(f->c[j], INV128);
}

/* Algorithm 11 with BaseCaseMultiply (Algorithm 12) written out: each pair
 * of coefficients is a degree-1 polynomial mod X^2 - gamma_i. */
void hs__mlkem_poly_mul_acc(struct hs_mlkem_poly *acc, const struct hs_mlkem_poly *f, const struct hs_mlkem_poly *g)
{
	for (unsigned i = 0; i < 128; i++) {
		uint32_t a0 = f->c[2 * i], a1 = f->c[2 * i + 1];
		uint32_t b0 = g->c[2 * i], b1 = g->c[2 * i + 1];
		uint16_t c0 = hs__mlkem_reduce(a0 * b0 + (uint32_t)mulq(a1, b1) * gammas[i]);
		uint16_t c1 = hs__mlkem_reduce(a0 * b1 + a1 * b0);
		acc->c[2 * i] = addq(acc->c[2 * i], c0);
		acc->c[2 * i + 1] = addq(acc->c[2 * i + 1], c1);
	}
}

void hs__mlkem_poly_add(struct hs_mlkem_poly *f, const struct hs_mlkem_poly *g)
{
	for (unsigned j = 0; j < HS_MLKEM_N; j++)
		f->c[j] = addq(f->c[j], g->c[j]);
}

void hs__mlkem_poly_sub(struct hs_mlkem_poly *f, const struct hs_mlkem_poly *g)
{
	for (unsigned j = 0; j < HS_MLKEM_N; j++)
		f->c[j] = subq(f->c[j], g->c[j]);
}

/* Two 12-bit values in three bytes, least significant bits first
 * (BitsToBytes is little-endian within each byte). */
void hs__mlkem_poly_encode12(uint8_t out[384], const struct hs_mlkem_poly *f)
{
	for (unsigned i = 0; i < HS_MLKEM_N / 2; i++) {
		uint16_t a = f->c[2 * i], b = f->c[2 * i + 1];
		out[3 * i] = (uint8_t)a;
		out[3 * i + 1] = (uint8_t)((a >> 8) | (b << 4));
		out[3 * i + 2] = (uint8_t)(b >> 4);
	}
}

void hs__mlkem_poly_decode12(struct hs_mlkem_poly *f, const uint8_t in[384])
{
	for (unsigned i = 0; i < HS_MLKEM_N / 2; i++) {
		uint32_t a = in[3 * i] | ((uint32_t)(in[3 * i + 1] & 0x0f) << 8);
		uint32_t b = (in[3 * i + 1] >> 4) | ((uint32_t)in[3 * i + 2] << 4);
		f->c[2 * i] = (uint16_t)csub(a); /* below 2^12 < 2q */
		f->c[2 * i + 1] = (uint16_t)csub(b);
	}
}

int hs__mlkem_poly_check12(const uint8_t in[384])
{
	for (unsigned i = 0; i < HS_MLKEM_N / 2; i++) {
		unsigned a = in[3 * i] | ((unsigned)(in[3 * i + 1] & 0x0f) << 8);
		unsigned b = (in[3 * i + 1] >> 4) | ((unsigned)in[3 * i + 2] << 4);
		if (a >= HS_MLKEM_Q || b >= HS_MLKEM_Q)
			return 0;
	}
	return 1;
}

/* The loops below depend on d only, never on the values packed. */
void hs__mlkem_poly_compress(uint8_t *out, const struct hs_mlkem_poly *f, unsigned d)
{
	uint32_t acc = 0;
	unsigned bits = 0;
	for (unsigned j = 0; j < HS_MLKEM_N; j++) {
		acc |= (uint32_t)hs__mlkem_compress(f->c[j], d) << bits;
		bits += d;
		while (bits >= 8) {
			*out++ = (uint8_t)acc;
			acc >>= 8;
			bits -= 8;
		}
	}
}

void hs__mlkem_poly_decompress(struct hs_mlkem_poly *f, const uint8_t *in, unsigned d)
{
	uint32_t acc = 0;
	unsigned bits = 0;
	for (unsigned j = 0; j < HS_MLKEM_N; j++) {
		while (bits < d) {
			acc |= (uint32_t)*in++ << bits;
			bits += 8;
		}
		f->c[j] = hs__mlkem_decompress((uint16_t)(acc & ((1u << d) - 1)), d);
		acc >>= d;
		bits -= d;
	}
}

/* eta = 2: each coefficient is (b0 + b1) - (b2 + b3) of four input bits. */
void hs__mlkem_poly_cbd2(struct hs_mlkem_poly *f, const uint8_t in[128])
{
	for (unsigned i = 0; i < 128; i++) {
		uint32_t byte = in[i];
		for (unsigned h = 0; h < 2; h++) {
			uint32_t nib = byte >> (4 * h);
			uint32_t x = (nib & 1) + ((nib >> 1) & 1);
			uint32_t y = ((nib >> 2) & 1) + ((nib >> 3) & 1);
			f->c[2 * i + h] = (uint16_t)csub(x + HS_MLKEM_Q - y);
		}
	}
}

int hs__mlkem_sample_ntt(struct hs_mlkem_poly *f, const uint8_t *xof, size_t len)
{
	unsigned j = 0;
	for (size_t pos = 0; pos + 3 <= len && j < HS_MLKEM_N; pos += 3) {
		unsigned d1 = xof[pos] | ((unsigned)(xof[pos + 1] & 0x0f) << 8);
		unsigned d2 = (xof[pos + 1] >> 4) | ((unsigned)xof[pos + 2] << 4);
		if (d1 < HS_MLKEM_Q)
			f->c[j++] = (uint16_t)d1;
		if (d2 < HS_MLKEM_Q && j < HS_MLKEM_N)
			f->c[j++] = (uint16_t)d2;
	}
	return j == HS_MLKEM_N ? 0 : -1;
}
