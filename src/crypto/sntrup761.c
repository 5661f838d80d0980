/*
 * The sntrup761 KEM (round 3 §3.3): Streamlined NTRU Prime's core
 * (crypto/sntrup761_poly.c, crypto/sntrup761_encode.c) with the hashing
 * that makes it a CCA-secure KEM: a confirmation hash in the ciphertext,
 * re-encryption in decapsulation, and implicit rejection.
 *
 * Hash_prefix(b, s) is the first 32 bytes of SHA-512(b || s). With
 * r the encoded short polynomial and pk the public key:
 *   confirmation = Hash_prefix(2, Hash_prefix(3, r) || Hash_prefix(4, pk))
 *   session key  = Hash_prefix(1, Hash_prefix(3, r) || ciphertext)
 * where the ciphertext includes the confirmation; a rejected ciphertext
 * gives Hash_prefix(0, Hash_prefix(3, rho) || ciphertext) instead, rho
 * being random bytes of the secret key.
 *
 * Layout of the secret key: Small(f) || Small(1/g in R/3) || pk || rho ||
 * Hash_prefix(4, pk) (191 + 191 + 1158 + 191 + 32 bytes); of the
 * ciphertext: Rounded(h r) || confirmation (1007 + 32).
 */
#include "crypto/sntrup761.h"

#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "crypto/sntrup761_core.h"

#define P HS_SNTRUP761_P
#define SMALL_BYTES HS_SNTRUP761_SMALL_BYTES
#define ROUNDED_BYTES HS_SNTRUP761_ROUNDED_BYTES
#define HASH_BYTES 32

/* Offsets in the secret key. */
#define SK_F 0
#define SK_GINV SMALL_BYTES
#define SK_PK (2 * SMALL_BYTES)
#define SK_RHO (SK_PK + HS_SNTRUP761_PK_LEN)
#define SK_PKHASH (SK_RHO + SMALL_BYTES)

/* Key generation draws g again while it has no inverse mod 3; each try
 * fails with probability well under 1/2, so this many failures mean a
 * broken random source, not bad luck. */
#define MAX_KEYGEN_TRIES 64

/* Hash_prefix(b, a || c), c optional. */
static int hash_prefix(uint8_t out[HASH_BYTES], uint8_t b, const uint8_t *a, size_t alen, const uint8_t *c, size_t clen)
{
	uint8_t md[64];
	unsigned mdlen = 0;
	int r = HS_ERR_CRYPTO;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();

	if (ctx == NULL || EVP_DigestInit_ex(ctx, EVP_sha512(), NULL) != 1 || EVP_DigestUpdate(ctx, &b, 1) != 1 ||
	    EVP_DigestUpdate(ctx, a, alen) != 1)
		goto out;
	if (clen != 0 && EVP_DigestUpdate(ctx, c, clen) != 1)
		goto out;
	if (EVP_DigestFinal_ex(ctx, md, &mdlen) != 1 || mdlen != sizeof(md))
		goto out;
	memcpy(out, md, HASH_BYTES);
	r = 0;
out:
	OPENSSL_cleanse(md, sizeof(md));
	EVP_MD_CTX_free(ctx);
	return r;
}

/* p words of 32 bits, each from its own 4-byte call (little-endian). */
static int random_words(uint32_t out[P], hs__sntrup761_random_cb rnd, void *ctx)
{
	uint8_t b[4];
	int r = 0;

	for (int i = 0; i < P; i++) {
		if ((r = rnd(ctx, b, sizeof(b))) != 0)
			break;
		out[i] = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
	}
	OPENSSL_cleanse(b, sizeof(b));
	return r;
}

/* RAND_bytes for the production calls, drawn a polynomial's worth at a
 * time (one call of 4 bytes per word costs more than the arithmetic). */
struct rand_pool {
	uint8_t buf[4 * P];
	size_t pos;
};

static int rand_pool_cb(void *ctx, uint8_t *out, size_t len)
{
	struct rand_pool *pool = ctx;

	if (len > sizeof(pool->buf))
		return HS_ERR_INTERNAL;
	if (len > sizeof(pool->buf) - pool->pos) {
		if (RAND_bytes(pool->buf, (int)sizeof(pool->buf)) != 1)
			return HS_ERR_CRYPTO;
		pool->pos = 0;
	}
	memcpy(out, pool->buf + pool->pos, len);
	OPENSSL_cleanse(pool->buf + pool->pos, len);
	pool->pos += len;
	return 0;
}

/* ct = Rounded(h r) || confirmation, and r_enc = Small(r); pk_hash is
 * Hash_prefix(4, pk). */
static int hide(uint8_t ct[HS_SNTRUP761_CT_LEN], uint8_t r_enc[SMALL_BYTES], const int8_t rpoly[P],
                const uint8_t pk[HS_SNTRUP761_PK_LEN], const uint8_t pk_hash[HASH_BYTES])
{
	int16_t h[P], hr[P];
	uint8_t r_hash[HASH_BYTES];
	int r;

	hs__sntrup761_small_encode(r_enc, rpoly);
	hs__sntrup761_rq_decode(h, pk);
	hs__sntrup761_rq_mult_small(hr, h, rpoly);
	/* Round: the nearest multiple of 3 */
	for (int i = 0; i < P; i++)
		hr[i] = (int16_t)(hr[i] - hs__sntrup761_f3_freeze(hr[i]));
	hs__sntrup761_rounded_encode(ct, hr);
	if ((r = hash_prefix(r_hash, 3, r_enc, SMALL_BYTES, NULL, 0)) != 0)
		goto out;
	r = hash_prefix(ct + ROUNDED_BYTES, 2, r_hash, HASH_BYTES, pk_hash, HASH_BYTES);
out:
	OPENSSL_cleanse(h, sizeof(h));
	OPENSSL_cleanse(hr, sizeof(hr));
	OPENSSL_cleanse(r_hash, sizeof(r_hash));
	return r;
}

/* Hash_prefix(b, Hash_prefix(3, r_enc) || ct) */
static int hash_session(uint8_t ss[HS_SNTRUP761_SS_LEN], uint8_t b, const uint8_t r_enc[SMALL_BYTES],
                        const uint8_t ct[HS_SNTRUP761_CT_LEN])
{
	uint8_t r_hash[HASH_BYTES];
	int r;

	if ((r = hash_prefix(r_hash, 3, r_enc, SMALL_BYTES, NULL, 0)) == 0)
		r = hash_prefix(ss, b, r_hash, HASH_BYTES, ct, HS_SNTRUP761_CT_LEN);
	OPENSSL_cleanse(r_hash, sizeof(r_hash));
	return r;
}

/* The secret part of key generation: f, 1/g in R/3 (encoded into sk) and
 * the public key h = g / (3 f) in Rq. */
struct keygen_secrets {
	uint32_t words[P];
	int8_t g[P], ginv[P], f[P];
	int16_t finv[P], h[P];
};

int hs__sntrup761_keygen_with(uint8_t pk[HS_SNTRUP761_PK_LEN], uint8_t sk[HS_SNTRUP761_SK_LEN],
                              hs__sntrup761_random_cb rnd, void *ctx)
{
	struct keygen_secrets s;
	int r = HS_ERR_CRYPTO;

	if (pk == NULL || sk == NULL || rnd == NULL)
		return HS_ERR_INVALID_ARG;
	for (int tries = 0;; tries++) {
		if (tries == MAX_KEYGEN_TRIES) {
			r = HS_ERR_CRYPTO;
			goto out;
		}
		if ((r = random_words(s.words, rnd, ctx)) != 0)
			goto out;
		hs__sntrup761_small_fromlist(s.g, s.words);
		/* Reveals only that a discarded g had no inverse. */
		if (hs__sntrup761_r3_recip(s.ginv, s.g) == 0)
			break;
	}
	if ((r = random_words(s.words, rnd, ctx)) != 0)
		goto out;
	hs__sntrup761_short_fromlist(s.f, s.words);
	/* f is nonzero, so invertible in Rq (x^p - x - 1 is irreducible mod q) */
	if (hs__sntrup761_rq_recip3(s.finv, s.f) != 0) {
		r = HS_ERR_INTERNAL;
		goto out;
	}
	hs__sntrup761_rq_mult_small(s.h, s.finv, s.g);
	hs__sntrup761_rq_encode(pk, s.h);
	hs__sntrup761_small_encode(sk + SK_F, s.f);
	hs__sntrup761_small_encode(sk + SK_GINV, s.ginv);
	memcpy(sk + SK_PK, pk, HS_SNTRUP761_PK_LEN);
	if ((r = rnd(ctx, sk + SK_RHO, SMALL_BYTES)) != 0)
		goto out;
	r = hash_prefix(sk + SK_PKHASH, 4, pk, HS_SNTRUP761_PK_LEN, NULL, 0);
out:
	OPENSSL_cleanse(&s, sizeof(s));
	if (r != 0) {
		OPENSSL_cleanse(pk, HS_SNTRUP761_PK_LEN);
		OPENSSL_cleanse(sk, HS_SNTRUP761_SK_LEN);
	}
	return r;
}

int hs__sntrup761_keygen(uint8_t pk[HS_SNTRUP761_PK_LEN], uint8_t sk[HS_SNTRUP761_SK_LEN])
{
	struct rand_pool pool = { .pos = sizeof(pool.buf) };
	int r = hs__sntrup761_keygen_with(pk, sk, rand_pool_cb, &pool);
	OPENSSL_cleanse(&pool, sizeof(pool));
	return r;
}

int hs__sntrup761_encaps_with(const uint8_t pk[HS_SNTRUP761_PK_LEN], uint8_t ct[HS_SNTRUP761_CT_LEN],
                              uint8_t ss[HS_SNTRUP761_SS_LEN], hs__sntrup761_random_cb rnd, void *ctx)
{
	uint32_t words[P];
	int8_t rpoly[P];
	uint8_t r_enc[SMALL_BYTES], pk_hash[HASH_BYTES];
	int r;

	if (pk == NULL || ct == NULL || ss == NULL || rnd == NULL)
		return HS_ERR_INVALID_ARG;
	if ((r = hash_prefix(pk_hash, 4, pk, HS_SNTRUP761_PK_LEN, NULL, 0)) != 0 ||
	    (r = random_words(words, rnd, ctx)) != 0)
		goto out;
	hs__sntrup761_short_fromlist(rpoly, words);
	if ((r = hide(ct, r_enc, rpoly, pk, pk_hash)) != 0)
		goto out;
	r = hash_session(ss, 1, r_enc, ct);
out:
	OPENSSL_cleanse(words, sizeof(words));
	OPENSSL_cleanse(rpoly, sizeof(rpoly));
	OPENSSL_cleanse(r_enc, sizeof(r_enc));
	if (r != 0) {
		OPENSSL_cleanse(ct, HS_SNTRUP761_CT_LEN);
		OPENSSL_cleanse(ss, HS_SNTRUP761_SS_LEN);
	}
	return r;
}

int hs__sntrup761_encaps(const uint8_t pk[HS_SNTRUP761_PK_LEN], uint8_t ct[HS_SNTRUP761_CT_LEN],
                         uint8_t ss[HS_SNTRUP761_SS_LEN])
{
	struct rand_pool pool = { .pos = sizeof(pool.buf) };
	int r = hs__sntrup761_encaps_with(pk, ct, ss, rand_pool_cb, &pool);
	OPENSSL_cleanse(&pool, sizeof(pool));
	return r;
}

/* The secret intermediates of decapsulation. */
struct decaps_secrets {
	int8_t f[P], ginv[P], e[P], ev[P], rpoly[P];
	int16_t c[P], cf[P];
	uint8_t r_enc[SMALL_BYTES], cnew[HS_SNTRUP761_CT_LEN];
};

int hs__sntrup761_decaps(const uint8_t sk[HS_SNTRUP761_SK_LEN], const uint8_t ct[HS_SNTRUP761_CT_LEN],
                         uint8_t ss[HS_SNTRUP761_SS_LEN])
{
	struct decaps_secrets s;
	int r;

	if (sk == NULL || ct == NULL || ss == NULL)
		return HS_ERR_INVALID_ARG;
	/* Decrypt: e = 3 f c in R/3 (lifted from Rq), then e / g. */
	hs__sntrup761_small_decode(s.f, sk + SK_F);
	hs__sntrup761_small_decode(s.ginv, sk + SK_GINV);
	hs__sntrup761_rounded_decode(s.c, ct);
	hs__sntrup761_rq_mult_small(s.cf, s.c, s.f);
	for (int i = 0; i < P; i++)
		/* cppcheck 2.10 misses that s.cf was just written through its
		 * out parameter */
		// cppcheck-suppress uninitvar
		s.e[i] = hs__sntrup761_f3_freeze(hs__sntrup761_fq_freeze(3 * (int32_t)s.cf[i]));
	hs__sntrup761_r3_mult(s.ev, s.e, s.ginv);
	/* Not of weight w: take (1, ..., 1, 0, ..., 0) instead, whose
	 * re-encryption cannot match. */
	uint32_t bad = (uint32_t)hs__sntrup761_weight_mask(s.ev);
	for (int i = 0; i < P; i++) {
		uint32_t fallback = i < HS_SNTRUP761_W ? 1 : 0;
		s.rpoly[i] = (int8_t)(((uint32_t)(int32_t)s.ev[i] & ~bad) | (fallback & bad));
	}
	/* Re-encrypt and compare: 0 when equal, all ones when not. */
	if ((r = hide(s.cnew, s.r_enc, s.rpoly, sk + SK_PK, sk + SK_PKHASH)) != 0)
		goto out;
	uint32_t diff = 0;
	for (int i = 0; i < HS_SNTRUP761_CT_LEN; i++)
		diff |= (uint32_t)(ct[i] ^ s.cnew[i]);
	uint32_t reject = 0u - ((diff + 0xffu) >> 8); /* diff <= 0xff */
	for (int i = 0; i < SMALL_BYTES; i++)
		s.r_enc[i] ^= (uint8_t)(reject & (uint32_t)(s.r_enc[i] ^ sk[SK_RHO + i]));
	r = hash_session(ss, (uint8_t)(1 & ~reject), s.r_enc, ct);
out:
	OPENSSL_cleanse(&s, sizeof(s));
	if (r != 0)
		OPENSSL_cleanse(ss, HS_SNTRUP761_SS_LEN);
	return r;
}

int hs__sntrup761_encaps_len(const uint8_t *pk, size_t pk_len, uint8_t ct[HS_SNTRUP761_CT_LEN],
                             uint8_t ss[HS_SNTRUP761_SS_LEN])
{
	if (ct == NULL || ss == NULL)
		return HS_ERR_INVALID_ARG;
	if (pk == NULL || pk_len != HS_SNTRUP761_PK_LEN) {
		OPENSSL_cleanse(ct, HS_SNTRUP761_CT_LEN);
		OPENSSL_cleanse(ss, HS_SNTRUP761_SS_LEN);
		return HS_ERR_FORMAT;
	}
	return hs__sntrup761_encaps(pk, ct, ss);
}

int hs__sntrup761_decaps_len(const uint8_t sk[HS_SNTRUP761_SK_LEN], const uint8_t *ct, size_t ct_len,
                             uint8_t ss[HS_SNTRUP761_SS_LEN])
{
	if (ss == NULL)
		return HS_ERR_INVALID_ARG;
	if (ct == NULL || ct_len != HS_SNTRUP761_CT_LEN) {
		OPENSSL_cleanse(ss, HS_SNTRUP761_SS_LEN);
		return HS_ERR_FORMAT;
	}
	return hs__sntrup761_decaps(sk, ct, ss);
}
