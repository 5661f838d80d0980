/*
 * Arithmetic of Streamlined NTRU Prime sntrup761 in R/q and R/3, with
 * R = Z[x]/(x^p - x - 1): reduction, multiplication, inversion, and the
 * sampling of small and short polynomials from random words.
 *
 * All of it is constant time in the values: reductions mod q and mod 3
 * are a multiplication by a rounded-up reciprocal and a shift (never the
 * `%` or `/` of a secret), selections are masks, inversion runs a fixed
 * number of division steps, and sorting is a fixed network.
 */
#include "crypto/sntrup761_core.h"

#include <string.h>

#include <openssl/crypto.h>

#define P HS_SNTRUP761_P
#define Q HS_SNTRUP761_Q
#define W HS_SNTRUP761_W
#define Q12 HS_SNTRUP761_Q12

/* All ones when x is nonzero, else 0. */
static uint32_t nonzero_mask(uint32_t x)
{
	return 0u - ((x | (0u - x)) >> 31);
}

/* All ones when x < 0, else 0. */
static uint32_t negative_mask(int32_t x)
{
	return 0u - ((uint32_t)x >> 31);
}

/* The least multiple of q (of 3) not below 2^29: added to a value in
 * [-2^29, 2^29] it makes it nonnegative and below 2^31 without changing
 * it mod q (mod 3). */
#define Q_BIAS ((int32_t)Q * 116940)
#define THREE_BIAS ((int32_t)3 * 178956971)

int16_t hs__sntrup761_fq_freeze(int32_t x)
{
	uint32_t r;
	(void)hs__sntrup761_divmod((uint32_t)(x + Q_BIAS), Q, &r);
	/* r in [0, q): take q off when r > (q-1)/2. */
	uint32_t over = 0u - (((uint32_t)Q12 - r) >> 31);
	return (int16_t)((int32_t)r - (int32_t)(Q & over));
}

int8_t hs__sntrup761_f3_freeze(int32_t x)
{
	uint32_t r;
	(void)hs__sntrup761_divmod((uint32_t)(x + THREE_BIAS), 3, &r);
	uint32_t over = 0u - ((1u - r) >> 31);
	return (int8_t)((int32_t)r - (int32_t)(3 & over));
}

/* Folds a product of degree up to 2p-2 back below p with x^p = x + 1,
 * from the top, so that a folded coefficient is never folded again. */
static void fold(int32_t prod[2 * P - 1])
{
	for (int i = 2 * P - 2; i >= P; i--) {
		prod[i - P] += prod[i];
		prod[i - P + 1] += prod[i];
	}
}

void hs__sntrup761_rq_mult_small(int16_t out[P], const int16_t a[P], const int8_t b[P])
{
	/* |a_i b_j| <= 2 (q-1)/2, p terms, then folded in at most twice:
	 * well within the range of fq_freeze. */
	int32_t prod[2 * P - 1];

	memset(prod, 0, sizeof(prod));
	for (int i = 0; i < P; i++)
		for (int j = 0; j < P; j++)
			prod[i + j] += (int32_t)a[i] * b[j];
	fold(prod);
	for (int i = 0; i < P; i++)
		out[i] = hs__sntrup761_fq_freeze(prod[i]);
	OPENSSL_cleanse(prod, sizeof(prod));
}

void hs__sntrup761_r3_mult(int8_t out[P], const int8_t a[P], const int8_t b[P])
{
	int32_t prod[2 * P - 1];

	memset(prod, 0, sizeof(prod));
	for (int i = 0; i < P; i++)
		for (int j = 0; j < P; j++)
			prod[i + j] += (int32_t)a[i] * b[j];
	fold(prod);
	for (int i = 0; i < P; i++)
		out[i] = hs__sntrup761_f3_freeze(prod[i]);
	OPENSSL_cleanse(prod, sizeof(prod));
}

/*
 * Inversion by the division steps of Bernstein and Yang ("Fast
 * constant-time gcd computation and modular inversion", 2019), on the
 * coefficient-reversed polynomials: f starts as the reversed modulus
 * 1 - x^(p-1) - x^p, g as the reversed input; each step either keeps
 * (f, g) or swaps them (when delta > 0 and g(0) != 0), then removes g's
 * constant term with a multiple of f and divides g by x, while (v, r)
 * follow the same linear combinations so that v in times f's inverse is
 * the answer. After 2p - 1 steps the input was invertible exactly when
 * delta is 0; f is then a nonzero constant and v, reversed and scaled by
 * 1/f, the inverse.
 */

/* Swaps a and b (n entries) where mask is all ones. */
static void cswap16(int16_t *a, int16_t *b, size_t n, uint32_t mask)
{
	uint16_t m = (uint16_t)mask;
	for (size_t i = 0; i < n; i++) {
		uint16_t t = m & (uint16_t)((uint16_t)a[i] ^ (uint16_t)b[i]);
		a[i] = (int16_t)((uint16_t)a[i] ^ t);
		b[i] = (int16_t)((uint16_t)b[i] ^ t);
	}
}

/* One division step's bookkeeping: whether to swap, and the new delta. */
static uint32_t divstep_swap(int32_t *delta, int16_t g0)
{
	uint32_t swap = negative_mask(-*delta) & nonzero_mask((uint32_t)(int32_t)g0);
	/* delta = swap ? -delta : delta; then delta + 1 */
	*delta = (int32_t)((uint32_t)*delta ^ (swap & ((uint32_t)*delta ^ (uint32_t) - *delta))) + 1;
	return swap;
}

/* The state of one inversion, in R/3 or in Rq (int16_t either way). */
struct recip_state {
	int16_t f[P + 1], g[P + 1], v[P + 1], r[P + 1];
};

static void recip_start(struct recip_state *s, const int8_t in[P])
{
	memset(s, 0, sizeof(*s));
	s->r[0] = 1;
	s->f[0] = 1;
	s->f[P - 1] = -1;
	s->f[P] = -1;
	for (int i = 0; i < P; i++)
		s->g[P - 1 - i] = (int16_t)(int32_t)in[i];
}

/* v = v x; swap (f, v) with (g, r) where swap is all ones. */
static void recip_shift_swap(struct recip_state *s, uint32_t swap)
{
	memmove(s->v + 1, s->v, P * sizeof(s->v[0]));
	s->v[0] = 0;
	cswap16(s->f, s->g, P + 1, swap);
	cswap16(s->v, s->r, P + 1, swap);
}

/* g = g / x (its constant term is 0 by now). */
static void recip_shift_g(struct recip_state *s)
{
	memmove(s->g, s->g + 1, P * sizeof(s->g[0]));
	s->g[P] = 0;
}

int hs__sntrup761_r3_recip(int8_t out[P], const int8_t in[P])
{
	struct recip_state s;
	int32_t delta = 1;

	recip_start(&s, in);
	for (int step = 0; step < 2 * P - 1; step++) {
		uint32_t swap = divstep_swap(&delta, s.g[0]);
		/* taken before the swap: g(0) f(0) is symmetric in f and g */
		int32_t c = -(int32_t)s.g[0] * s.f[0];
		recip_shift_swap(&s, swap);
		/* In F3, f(0) = +-1 is its own inverse: g - g(0)/f(0) f. */
		for (int i = 0; i <= P; i++) {
			s.g[i] = (int16_t)(int32_t)hs__sntrup761_f3_freeze(s.g[i] + c * s.f[i]);
			s.r[i] = (int16_t)(int32_t)hs__sntrup761_f3_freeze(s.r[i] + c * s.v[i]);
		}
		recip_shift_g(&s);
	}
	int32_t scale = s.f[0];
	for (int i = 0; i < P; i++)
		out[i] = (int8_t)(scale * s.v[P - 1 - i]);
	int ok = (int)nonzero_mask((uint32_t)delta);
	OPENSSL_cleanse(&s, sizeof(s));
	return ok;
}

/* a^(q-2) = 1/a mod q (a != 0); the exponent is public. */
static int16_t fq_recip(int16_t a)
{
	int32_t result = 1, base = a;
	for (uint32_t e = Q - 2; e != 0; e >>= 1) {
		if (e & 1)
			result = hs__sntrup761_fq_freeze(result * base);
		base = hs__sntrup761_fq_freeze(base * base);
	}
	return (int16_t)result;
}

int hs__sntrup761_rq_recip3(int16_t out[P], const int8_t in[P])
{
	struct recip_state s;
	int32_t delta = 1;

	recip_start(&s, in);
	for (int step = 0; step < 2 * P - 1; step++) {
		uint32_t swap = divstep_swap(&delta, s.g[0]);
		recip_shift_swap(&s, swap);
		/* No division in the loop: g = f(0) g - g(0) f, a nonzero
		 * multiple of what the step asks for. */
		int32_t f0 = s.f[0], g0 = s.g[0];
		for (int i = 0; i <= P; i++) {
			s.g[i] = hs__sntrup761_fq_freeze(f0 * s.g[i] - g0 * s.f[i]);
			s.r[i] = hs__sntrup761_fq_freeze(f0 * s.r[i] - g0 * s.v[i]);
		}
		recip_shift_g(&s);
	}
	int32_t scale = fq_recip(hs__sntrup761_fq_freeze(3 * (int32_t)s.f[0]));
	for (int i = 0; i < P; i++)
		out[i] = hs__sntrup761_fq_freeze(scale * s.v[P - 1 - i]);
	int ok = (int)nonzero_mask((uint32_t)delta);
	OPENSSL_cleanse(&s, sizeof(s));
	return ok;
}

int hs__sntrup761_weight_mask(const int8_t r[P])
{
	int32_t weight = 0;
	for (int i = 0; i < P; i++)
		weight += r[i] & 1;
	return (int)nonzero_mask((uint32_t)(weight - W));
}

/* (a, b) = (min, max), without a branch. */
static void minmax(uint32_t *a, uint32_t *b)
{
	uint64_t diff = (uint64_t)*b - (uint64_t)*a; /* top bit set when b < a */
	uint32_t swap = 0u - (uint32_t)(diff >> 63);
	uint32_t t = swap & (*a ^ *b);
	*a ^= t;
	*b ^= t;
}

/* Knuth, TAOCP vol. 3, 5.2.2, Algorithm M (Batcher's merge exchange), for
 * any n: the pairs compared depend only on n. */
void hs__sntrup761_sort_u32(uint32_t *x, size_t n)
{
	if (n < 2)
		return;
	size_t t = 1;
	while (((size_t)1 << t) < n)
		t++;
	for (size_t p = (size_t)1 << (t - 1); p > 0; p >>= 1) {
		size_t q = (size_t)1 << (t - 1), r = 0, d = p;
		for (;;) {
			for (size_t i = 0; i + d < n; i++)
				if ((i & p) == r)
					minmax(&x[i], &x[i + d]);
			if (q == p)
				break;
			d = q - p;
			q >>= 1;
			r = p;
		}
	}
}

void hs__sntrup761_short_fromlist(int8_t out[P], const uint32_t in[P])
{
	/* The low two bits carry the coefficient plus one (0 for -1 or 2
	 * for 1 in the first w words, 1 for 0 in the rest), the rest of the
	 * word a random sort key: sorting shuffles the w nonzero entries
	 * among the p. */
	uint32_t list[P];
	for (int i = 0; i < W; i++)
		list[i] = in[i] & ~UINT32_C(1);
	for (int i = W; i < P; i++)
		list[i] = (in[i] & ~UINT32_C(3)) | 1;
	hs__sntrup761_sort_u32(list, P);
	for (int i = 0; i < P; i++)
		out[i] = (int8_t)((int32_t)(list[i] & 3) - 1);
	OPENSSL_cleanse(list, sizeof(list));
}

void hs__sntrup761_small_fromlist(int8_t out[P], const uint32_t in[P])
{
	for (int i = 0; i < P; i++)
		out[i] = (int8_t)((int32_t)(((in[i] & 0x3fffffffu) * 3) >> 30) - 1);
}
