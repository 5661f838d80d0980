/*
 * ML-KEM-768 (FIPS 203): K-PKE (§5) and the KEM built on it (§6, §7).
 *
 * The one exception to "all cryptography comes from libcrypto": OpenSSL
 * has ML-KEM only from 3.5, and the systems hostsd targets (Debian 12:
 * 3.0) do not, while mlkem768x25519-sha256 is what OpenSSH offers first
 * since 10.0. So the project carries its own ML-KEM-768, written from the
 * text of FIPS 203, and keeps the exception as small as it can: every hash
 * and XOF (SHA3-256, SHA3-512, SHAKE128, SHAKE256) and every random byte
 * still come from libcrypto; only the lattice arithmetic (mlkem_poly.c)
 * and the glue of the algorithms are ours. Built against an OpenSSL that
 * has ML-KEM (the CMake check sets HS_HAVE_OPENSSL_MLKEM), keygen, encaps
 * and decaps are libcrypto's, unless HS_OWN_MLKEM forces ours.
 *
 * Constant time: no branch, memory index or division depends on a secret
 * (dk's s and z, m, r, the noise, the decrypted message). What depends on
 * public data only may branch: the input checks of §7.2 and §7.3 and the
 * rejection sampling of the matrix from rho. Implicit rejection compares
 * with CRYPTO_memcmp and selects with a mask. Every secret intermediate is
 * wiped before return. mlkem768_ct.c checks the constant-time claim
 * under valgrind, and mlkem768_nodiv.sh that no division instruction is
 * compiled in (memcheck does not see those).
 */
#include "crypto/mlkem768.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "crypto/mlkem_poly.h"

#define K 3                         /* module rank of ML-KEM-768 */
#define POLY_BYTES 384              /* ByteEncode_12 of one polynomial */
#define DU 10                       /* bits per coefficient of u in c1 */
#define DV 4                        /* bits per coefficient of v in c2 */
#define ETA_BYTES 128               /* PRF output for eta1 = eta2 = 2: 64 eta */
#define PKE_DK_LEN (K * POLY_BYTES) /* 1152 */
#define C1_LEN (K * 32 * DU)        /* 960 */
#define DK_EK_OFF PKE_DK_LEN        /* where ek starts inside dk */
#define DK_H_OFF (DK_EK_OFF + HS_MLKEM768_EK_LEN)
#define DK_Z_OFF (DK_H_OFF + 32)

/* SampleNTT needs 472 bytes of XOF output on average; 840 (five SHAKE128
 * blocks) fall short with a probability far below 2^-64, and then the
 * stream is squeezed again, longer (the "unlucky" test vectors do that).
 * FIPS 203 §3.3 allows a bound on the loop; this one is never reached. */
#define XOF_FIRST 840
#define XOF_MAX (840 * 64)

/* The four SHA-3 functions fetched once per operation, and a context to
 * run them in (freeing it wipes the Keccak state). */
struct sha3 {
	EVP_MD *sha3_256, *sha3_512, *shake128, *shake256;
	EVP_MD_CTX *ctx;
};

static void sha3_cleanup(struct sha3 *h)
{
	EVP_MD_CTX_free(h->ctx);
	EVP_MD_free(h->sha3_256);
	EVP_MD_free(h->sha3_512);
	EVP_MD_free(h->shake128);
	EVP_MD_free(h->shake256);
}

static int sha3_init(struct sha3 *h)
{
	h->sha3_256 = EVP_MD_fetch(NULL, "SHA3-256", NULL);
	h->sha3_512 = EVP_MD_fetch(NULL, "SHA3-512", NULL);
	h->shake128 = EVP_MD_fetch(NULL, "SHAKE128", NULL);
	h->shake256 = EVP_MD_fetch(NULL, "SHAKE256", NULL);
	h->ctx = EVP_MD_CTX_new();
	if (h->sha3_256 == NULL || h->sha3_512 == NULL || h->shake128 == NULL || h->shake256 == NULL ||
	    h->ctx == NULL) {
		sha3_cleanup(h);
		return HS_ERR_CRYPTO;
	}
	return 0;
}

/* out = md(a || b), out_len bytes (the digest size for SHA3, any for SHAKE). */
static int hash2(struct sha3 *h, const EVP_MD *md, const uint8_t *a, size_t a_len, const uint8_t *b, size_t b_len,
                 uint8_t *out, size_t out_len)
{
	if (EVP_DigestInit_ex2(h->ctx, md, NULL) != 1 || EVP_DigestUpdate(h->ctx, a, a_len) != 1 ||
	    (b_len != 0 && EVP_DigestUpdate(h->ctx, b, b_len) != 1))
		return HS_ERR_CRYPTO;
	if (md == h->shake128 || md == h->shake256) {
		if (EVP_DigestFinalXOF(h->ctx, out, out_len) != 1)
			return HS_ERR_CRYPTO;
	} else {
		unsigned int n = 0;
		if (EVP_DigestFinal_ex(h->ctx, out, &n) != 1 || n != out_len)
			return HS_ERR_CRYPTO;
	}
	return 0;
}

/* PRF_eta(s, b) (4.3) with eta = 2, then SamplePolyCBD_2. */
static int sample_cbd(struct sha3 *h, const uint8_t s[32], uint8_t b, struct hs_mlkem_poly *f)
{
	uint8_t prf[ETA_BYTES];
	int r = hash2(h, h->shake256, s, 32, &b, 1, prf, sizeof(prf));
	if (r == 0)
		hs__mlkem_poly_cbd2(f, prf);
	OPENSSL_cleanse(prf, sizeof(prf));
	return r;
}

/* A-hat[i][j] = SampleNTT(rho || j || i) (Algorithm 13 line 6, Algorithm 14
 * line 6); transposed, it is stored at a[j][i] (K-PKE.Encrypt uses A-hat^T). */
static int sample_ntt(struct sha3 *h, const uint8_t rho[32], uint8_t j, uint8_t i, struct hs_mlkem_poly *f)
{
	uint8_t seed[34], first[XOF_FIRST];
	int r;
	memcpy(seed, rho, 32);
	seed[32] = j;
	seed[33] = i;
	if ((r = hash2(h, h->shake128, seed, sizeof(seed), NULL, 0, first, sizeof(first))) != 0)
		return r;
	if (hs__mlkem_sample_ntt(f, first, sizeof(first)) == 0)
		return 0;
	/* SHAKE's output stream does not depend on its length: a longer
	 * squeeze starts with the same bytes. */
	for (size_t len = 2 * XOF_FIRST; len <= XOF_MAX; len *= 2) {
		uint8_t *more = malloc(len);
		if (more == NULL)
			return HS_ERR_ALLOC;
		r = hash2(h, h->shake128, seed, sizeof(seed), NULL, 0, more, len);
		if (r == 0 && hs__mlkem_sample_ntt(f, more, len) != 0)
			r = 1; /* still short */
		free(more);
		if (r <= 0)
			return r;
	}
	return HS_ERR_CRYPTO;
}

static int gen_matrix(struct sha3 *h, const uint8_t rho[32], int transposed, struct hs_mlkem_poly a[K][K])
{
	int r;
	for (uint8_t i = 0; i < K; i++)
		for (uint8_t j = 0; j < K; j++)
			if ((r = sample_ntt(h, rho, j, i, transposed ? &a[j][i] : &a[i][j])) != 0)
				return r;
	return 0;
}

/* K-PKE.KeyGen (Algorithm 13): ek_PKE into ek, dk_PKE into dk_pke. */
static int kpke_keygen(struct sha3 *h, const uint8_t d[32], uint8_t ek[HS_MLKEM768_EK_LEN], uint8_t dk_pke[PKE_DK_LEN])
{
	struct hs_mlkem_poly a[K][K], s[K], e[K], t;
	uint8_t g[64], k_byte = K; /* g = rho || sigma */
	int r;

	/* (rho, sigma) = G(d || k): the domain separation of FIPS 203. */
	if ((r = hash2(h, h->sha3_512, d, 32, &k_byte, 1, g, sizeof(g))) != 0 || (r = gen_matrix(h, g, 0, a)) != 0)
		goto out;
	for (uint8_t i = 0; i < K; i++)
		if ((r = sample_cbd(h, g + 32, i, &s[i])) != 0 || (r = sample_cbd(h, g + 32, K + i, &e[i])) != 0)
			goto out;
	for (int i = 0; i < K; i++) {
		hs__mlkem_poly_ntt(&s[i]);
		hs__mlkem_poly_ntt(&e[i]);
	}
	for (int i = 0; i < K; i++) {
		t = e[i];
		for (int j = 0; j < K; j++)
			hs__mlkem_poly_mul_acc(&t, &a[i][j], &s[j]);
		hs__mlkem_poly_encode12(ek + i * POLY_BYTES, &t);
		hs__mlkem_poly_encode12(dk_pke + i * POLY_BYTES, &s[i]);
	}
	memcpy(ek + K * POLY_BYTES, g, 32);
out:
	OPENSSL_cleanse(g, sizeof(g));
	OPENSSL_cleanse(s, sizeof(s));
	OPENSSL_cleanse(e, sizeof(e));
	OPENSSL_cleanse(&t, sizeof(t));
	return r;
}

/* K-PKE.Encrypt (Algorithm 14) of the message m with the randomness rnd. */
static int kpke_encrypt(struct sha3 *h, const uint8_t ek[HS_MLKEM768_EK_LEN], const uint8_t m[32],
                        const uint8_t rnd[32], uint8_t ct[HS_MLKEM768_CT_LEN])
{
	struct hs_mlkem_poly at[K][K], t[K], y[K], e1, e2, u, v, mu;
	uint8_t n = 0;
	int r;

	for (int i = 0; i < K; i++)
		hs__mlkem_poly_decode12(&t[i], ek + i * POLY_BYTES);
	if ((r = gen_matrix(h, ek + K * POLY_BYTES, 1, at)) != 0)
		goto out;
	for (int i = 0; i < K; i++) {
		if ((r = sample_cbd(h, rnd, n++, &y[i])) != 0)
			goto out;
		hs__mlkem_poly_ntt(&y[i]);
	}
	/* u = NTT^-1(A-hat^T y-hat) + e1, then compressed into c1; the e1
	 * of row i is PRF(r, K + i), drawn as it is needed. */
	for (int i = 0; i < K; i++) {
		memset(&u, 0, sizeof(u));
		for (int j = 0; j < K; j++)
			hs__mlkem_poly_mul_acc(&u, &at[i][j], &y[j]);
		hs__mlkem_poly_invntt(&u);
		if ((r = sample_cbd(h, rnd, n++, &e1)) != 0)
			goto out;
		hs__mlkem_poly_add(&u, &e1);
		hs__mlkem_poly_compress(ct + i * 32 * DU, &u, DU);
	}
	/* v = NTT^-1(t-hat^T y-hat) + e2 + Decompress_1(ByteDecode_1(m)). */
	if ((r = sample_cbd(h, rnd, n, &e2)) != 0)
		goto out;
	memset(&v, 0, sizeof(v));
	for (int j = 0; j < K; j++)
		hs__mlkem_poly_mul_acc(&v, &t[j], &y[j]);
	hs__mlkem_poly_invntt(&v);
	hs__mlkem_poly_add(&v, &e2);
	hs__mlkem_poly_decompress(&mu, m, 1);
	hs__mlkem_poly_add(&v, &mu);
	hs__mlkem_poly_compress(ct + C1_LEN, &v, DV);
out:
	OPENSSL_cleanse(y, sizeof(y));
	OPENSSL_cleanse(&e1, sizeof(e1));
	OPENSSL_cleanse(&e2, sizeof(e2));
	OPENSSL_cleanse(&u, sizeof(u));
	OPENSSL_cleanse(&v, sizeof(v));
	OPENSSL_cleanse(&mu, sizeof(mu));
	return r;
}

/* K-PKE.Decrypt (Algorithm 15): m = ByteEncode_1(Compress_1(v' - NTT^-1(s-hat^T NTT(u')))). */
static void kpke_decrypt(const uint8_t dk_pke[PKE_DK_LEN], const uint8_t ct[HS_MLKEM768_CT_LEN], uint8_t m[32])
{
	struct hs_mlkem_poly s, u, w, v;

	memset(&w, 0, sizeof(w));
	for (int i = 0; i < K; i++) {
		hs__mlkem_poly_decompress(&u, ct + i * 32 * DU, DU);
		hs__mlkem_poly_ntt(&u);
		hs__mlkem_poly_decode12(&s, dk_pke + i * POLY_BYTES);
		hs__mlkem_poly_mul_acc(&w, &s, &u);
	}
	hs__mlkem_poly_invntt(&w);
	hs__mlkem_poly_decompress(&v, ct + C1_LEN, DV);
	hs__mlkem_poly_sub(&v, &w);
	hs__mlkem_poly_compress(m, &v, 1);
	OPENSSL_cleanse(&s, sizeof(s));
	OPENSSL_cleanse(&u, sizeof(u));
	OPENSSL_cleanse(&w, sizeof(w));
	OPENSSL_cleanse(&v, sizeof(v));
}

int hs__mlkem768_check_ek(const uint8_t *ek, size_t len)
{
	/* FIPS 203 §7.2: 1. type check, 2. modulus check. */
	if (len != HS_MLKEM768_EK_LEN)
		return HS_ERR_FORMAT;
	for (int i = 0; i < K; i++)
		if (!hs__mlkem_poly_check12(ek + i * POLY_BYTES))
			return HS_ERR_FORMAT;
	return 0;
}

int hs__mlkem768_check_dk(const uint8_t *dk, size_t len)
{
	struct sha3 h;
	uint8_t hek[32];
	int r;

	/* FIPS 203 §7.3: 2. decapsulation key type check, 3. hash check. Both
	 * look at the public part of dk only (ek and H(ek)). */
	if (len != HS_MLKEM768_DK_LEN)
		return HS_ERR_FORMAT;
	if ((r = sha3_init(&h)) != 0)
		return r;
	r = hash2(&h, h.sha3_256, dk + DK_EK_OFF, HS_MLKEM768_EK_LEN, NULL, 0, hek, sizeof(hek));
	if (r == 0 && CRYPTO_memcmp(hek, dk + DK_H_OFF, sizeof(hek)) != 0)
		r = HS_ERR_FORMAT;
	sha3_cleanup(&h);
	return r;
}

int hs__mlkem768_keygen_derand(const uint8_t d[HS_MLKEM768_SEED_LEN], const uint8_t z[HS_MLKEM768_SEED_LEN],
                               uint8_t ek[HS_MLKEM768_EK_LEN], uint8_t dk[HS_MLKEM768_DK_LEN])
{
	struct sha3 h;
	int r;

	/* Algorithm 16: dk = dk_PKE || ek || H(ek) || z. */
	if ((r = sha3_init(&h)) != 0)
		return r;
	if ((r = kpke_keygen(&h, d, ek, dk)) != 0 ||
	    (r = hash2(&h, h.sha3_256, ek, HS_MLKEM768_EK_LEN, NULL, 0, dk + DK_H_OFF, 32)) != 0)
		goto out;
	memcpy(dk + DK_EK_OFF, ek, HS_MLKEM768_EK_LEN);
	memcpy(dk + DK_Z_OFF, z, 32);
out:
	if (r != 0)
		OPENSSL_cleanse(dk, HS_MLKEM768_DK_LEN);
	sha3_cleanup(&h);
	return r;
}

int hs__mlkem768_encaps_derand(const uint8_t ek[HS_MLKEM768_EK_LEN], const uint8_t m[HS_MLKEM768_SEED_LEN],
                               uint8_t ct[HS_MLKEM768_CT_LEN], uint8_t ss[HS_MLKEM768_SS_LEN])
{
	struct sha3 h;
	uint8_t hek[32], kr[64]; /* kr = K || r */
	int r;

	if ((r = hs__mlkem768_check_ek(ek, HS_MLKEM768_EK_LEN)) != 0)
		return r;
	if ((r = sha3_init(&h)) != 0)
		return r;
	/* Algorithm 17: (K, r) = G(m || H(ek)), c = K-PKE.Encrypt(ek, m, r). */
	if ((r = hash2(&h, h.sha3_256, ek, HS_MLKEM768_EK_LEN, NULL, 0, hek, sizeof(hek))) != 0 ||
	    (r = hash2(&h, h.sha3_512, m, 32, hek, sizeof(hek), kr, sizeof(kr))) != 0 ||
	    (r = kpke_encrypt(&h, ek, m, kr + 32, ct)) != 0)
		goto out;
	memcpy(ss, kr, HS_MLKEM768_SS_LEN);
out:
	OPENSSL_cleanse(kr, sizeof(kr));
	sha3_cleanup(&h);
	return r;
}

/* Algorithm 18 with the input check of §7.3 first. */
static int own_decaps(const uint8_t dk[HS_MLKEM768_DK_LEN], const uint8_t ct[HS_MLKEM768_CT_LEN],
                      uint8_t ss[HS_MLKEM768_SS_LEN])
{
	struct sha3 h;
	uint8_t m[32], kr[64], kbar[32], ct2[HS_MLKEM768_CT_LEN];
	int r;

	if ((r = hs__mlkem768_check_dk(dk, HS_MLKEM768_DK_LEN)) != 0)
		return r;
	if ((r = sha3_init(&h)) != 0)
		return r;
	/* m' = K-PKE.Decrypt(dk_PKE, c); (K', r') = G(m' || h);
	 * K-bar = J(z || c); c' = K-PKE.Encrypt(ek_PKE, m', r'). */
	kpke_decrypt(dk, ct, m);
	if ((r = hash2(&h, h.sha3_512, m, sizeof(m), dk + DK_H_OFF, 32, kr, sizeof(kr))) != 0 ||
	    (r = hash2(&h, h.shake256, dk + DK_Z_OFF, 32, ct, HS_MLKEM768_CT_LEN, kbar, sizeof(kbar))) != 0 ||
	    (r = kpke_encrypt(&h, dk + DK_EK_OFF, m, kr + 32, ct2)) != 0)
		goto out;
	/* if c != c' then K' = K-bar, without a branch: CRYPTO_memcmp gives
	 * 0 or the OR of the byte differences (below 256), turned into an
	 * all-ones mask when it is not 0. */
	uint32_t diff = (uint32_t)CRYPTO_memcmp(ct, ct2, HS_MLKEM768_CT_LEN);
	uint8_t reject = (uint8_t)(0u - ((diff | (0u - diff)) >> 31));
#if defined(__GNUC__)
	__asm__("" : "+r"(reject)); /* keep the compiler from turning the mask into a branch */
#endif
	for (int i = 0; i < HS_MLKEM768_SS_LEN; i++)
		ss[i] = (uint8_t)((kbar[i] & reject) | (kr[i] & (uint8_t)~reject));
out:
	OPENSSL_cleanse(m, sizeof(m));
	OPENSSL_cleanse(kr, sizeof(kr));
	OPENSSL_cleanse(kbar, sizeof(kbar));
	OPENSSL_cleanse(ct2, sizeof(ct2));
	sha3_cleanup(&h);
	return r;
}

static int own_encaps(const uint8_t ek[HS_MLKEM768_EK_LEN], uint8_t ct[HS_MLKEM768_CT_LEN],
                      uint8_t ss[HS_MLKEM768_SS_LEN])
{
	uint8_t m[32];
	int r;
	/* §7.2: the input check comes before any randomness is drawn. */
	if ((r = hs__mlkem768_check_ek(ek, HS_MLKEM768_EK_LEN)) != 0)
		return r;
	r = HS_ERR_CRYPTO;
	if (RAND_priv_bytes(m, sizeof(m)) == 1)
		r = hs__mlkem768_encaps_derand(ek, m, ct, ss);
	OPENSSL_cleanse(m, sizeof(m));
	return r;
}

#if defined(HS_HAVE_OPENSSL_MLKEM) && !defined(HS_OWN_MLKEM)
/*
 * libcrypto's ML-KEM (OpenSSL 3.5 and later). The input checks of §7.2 and
 * §7.3 stay ours, so that both builds refuse the same keys whatever
 * libcrypto's import does. Keys cross as raw octet strings: ek (1184
 * bytes) as the public key, the expanded dk (2400 bytes) as the private.
 */
int hs__mlkem768_keygen(uint8_t ek[HS_MLKEM768_EK_LEN], uint8_t dk[HS_MLKEM768_DK_LEN])
{
	int r = HS_ERR_CRYPTO;
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "ML-KEM-768", NULL);
	EVP_PKEY *key = NULL;
	size_t ek_len = HS_MLKEM768_EK_LEN, dk_len = HS_MLKEM768_DK_LEN;

	if (ctx == NULL || EVP_PKEY_keygen_init(ctx) != 1 || EVP_PKEY_keygen(ctx, &key) != 1)
		goto out;
	if (EVP_PKEY_get_raw_public_key(key, ek, &ek_len) != 1 || ek_len != HS_MLKEM768_EK_LEN ||
	    EVP_PKEY_get_raw_private_key(key, dk, &dk_len) != 1 || dk_len != HS_MLKEM768_DK_LEN)
		goto out;
	r = 0;
out:
	if (r != 0)
		OPENSSL_cleanse(dk, HS_MLKEM768_DK_LEN);
	EVP_PKEY_free(key);
	EVP_PKEY_CTX_free(ctx);
	return r;
}

int hs__mlkem768_encaps(const uint8_t ek[HS_MLKEM768_EK_LEN], uint8_t ct[HS_MLKEM768_CT_LEN],
                        uint8_t ss[HS_MLKEM768_SS_LEN])
{
	int r;
	EVP_PKEY *key = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	size_t ct_len = HS_MLKEM768_CT_LEN, ss_len = HS_MLKEM768_SS_LEN;

	if ((r = hs__mlkem768_check_ek(ek, HS_MLKEM768_EK_LEN)) != 0)
		return r;
	r = HS_ERR_CRYPTO;
	key = EVP_PKEY_new_raw_public_key_ex(NULL, "ML-KEM-768", NULL, ek, HS_MLKEM768_EK_LEN);
	if (key == NULL || (ctx = EVP_PKEY_CTX_new_from_pkey(NULL, key, NULL)) == NULL ||
	    EVP_PKEY_encapsulate_init(ctx, NULL) != 1 || EVP_PKEY_encapsulate(ctx, ct, &ct_len, ss, &ss_len) != 1 ||
	    ct_len != HS_MLKEM768_CT_LEN || ss_len != HS_MLKEM768_SS_LEN)
		goto out;
	r = 0;
out:
	if (r != 0)
		OPENSSL_cleanse(ss, HS_MLKEM768_SS_LEN);
	EVP_PKEY_CTX_free(ctx);
	EVP_PKEY_free(key);
	return r;
}

int hs__mlkem768_decaps(const uint8_t dk[HS_MLKEM768_DK_LEN], const uint8_t ct[HS_MLKEM768_CT_LEN],
                        uint8_t ss[HS_MLKEM768_SS_LEN])
{
	int r;
	EVP_PKEY *key = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	size_t ss_len = HS_MLKEM768_SS_LEN;

	if ((r = hs__mlkem768_check_dk(dk, HS_MLKEM768_DK_LEN)) != 0)
		return r;
	r = HS_ERR_CRYPTO;
	key = EVP_PKEY_new_raw_private_key_ex(NULL, "ML-KEM-768", NULL, dk, HS_MLKEM768_DK_LEN);
	if (key == NULL || (ctx = EVP_PKEY_CTX_new_from_pkey(NULL, key, NULL)) == NULL ||
	    EVP_PKEY_decapsulate_init(ctx, NULL) != 1 ||
	    EVP_PKEY_decapsulate(ctx, ss, &ss_len, ct, HS_MLKEM768_CT_LEN) != 1 || ss_len != HS_MLKEM768_SS_LEN)
		goto out;
	r = 0;
out:
	if (r != 0)
		OPENSSL_cleanse(ss, HS_MLKEM768_SS_LEN);
	EVP_PKEY_CTX_free(ctx);
	EVP_PKEY_free(key);
	return r;
}

int hs__mlkem768_own_encaps(const uint8_t ek[HS_MLKEM768_EK_LEN], uint8_t ct[HS_MLKEM768_CT_LEN],
                            uint8_t ss[HS_MLKEM768_SS_LEN])
{
	return own_encaps(ek, ct, ss);
}

int hs__mlkem768_own_decaps(const uint8_t dk[HS_MLKEM768_DK_LEN], const uint8_t ct[HS_MLKEM768_CT_LEN],
                            uint8_t ss[HS_MLKEM768_SS_LEN])
{
	return own_decaps(dk, ct, ss);
}
#else
int hs__mlkem768_keygen(uint8_t ek[HS_MLKEM768_EK_LEN], uint8_t dk[HS_MLKEM768_DK_LEN])
{
	uint8_t dz[64]; /* d || z */
	int r = HS_ERR_CRYPTO;
	if (RAND_priv_bytes(dz, sizeof(dz)) == 1)
		r = hs__mlkem768_keygen_derand(dz, dz + 32, ek, dk);
	OPENSSL_cleanse(dz, sizeof(dz));
	return r;
}

int hs__mlkem768_encaps(const uint8_t ek[HS_MLKEM768_EK_LEN], uint8_t ct[HS_MLKEM768_CT_LEN],
                        uint8_t ss[HS_MLKEM768_SS_LEN])
{
	return own_encaps(ek, ct, ss);
}

int hs__mlkem768_decaps(const uint8_t dk[HS_MLKEM768_DK_LEN], const uint8_t ct[HS_MLKEM768_CT_LEN],
                        uint8_t ss[HS_MLKEM768_SS_LEN])
{
	return own_decaps(dk, ct, ss);
}
#endif
