/*
 * Tests of sntrup761 (crypto/sntrup761.c and its core): the known answers
 * of the NTRU Prime round-3 submission (tests/data/sntrup761/, see its
 * README), reproduced through the NIST PQC KAT generator's AES-256
 * CTR_DRBG; all 100 answers regenerated and hashed against the whole
 * file; round trips with fresh keys; implicit rejection; wrong lengths
 * and failing randomness; and the arithmetic and encodings on their own.
 */
#include "crypto/sntrup761.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include "crypto/sntrup761_core.h"
#include "hs_test.h"

#define P HS_SNTRUP761_P
#define Q HS_SNTRUP761_Q

#define KAT_FILE "tests/data/sntrup761/kat_kem_first10.rsp"
#define KAT_STORED 10
/* SHA-256 of the whole kat_kem.rsp (100 answers) */
#define KAT_FULL_COUNT 100
#define KAT_FULL_SHA256 "e720b256c12c50fa4281708342aae2c6a47b01ae83b152f3fd03d7680e376172"

/*
 * The deterministic random bytes of the NIST PQC KAT tooling (rng.c:
 * randombytes_init and randombytes): AES-256 CTR_DRBG without derivation
 * function, prediction resistance or reseeding, seeded with 48 bytes.
 * Each request takes whole blocks of E(K, ++V), keeps what it needs, and
 * then updates (K, V) with three more blocks.
 */
struct kat_drbg {
	uint8_t key[32], v[16];
};

/* E(key, in) with AES-256; aborts if libcrypto fails (a broken test). */
static void aes256_block(const uint8_t key[32], const uint8_t in[16], uint8_t out[16])
{
	static EVP_CIPHER_CTX *c;
	int len = 0;
	if (c == NULL && (c = EVP_CIPHER_CTX_new()) == NULL)
		abort();
	if (EVP_EncryptInit_ex(c, EVP_aes_256_ecb(), NULL, key, NULL) != 1 || EVP_CIPHER_CTX_set_padding(c, 0) != 1 ||
	    EVP_EncryptUpdate(c, out, &len, in, 16) != 1 || len != 16)
		abort();
}

static void drbg_increment(uint8_t v[16])
{
	for (int j = 15; j >= 0; j--) {
		if (++v[j] != 0)
			break;
	}
}

static void drbg_update(struct kat_drbg *d, const uint8_t *provided)
{
	uint8_t temp[48];
	for (int i = 0; i < 3; i++) {
		drbg_increment(d->v);
		aes256_block(d->key, d->v, temp + 16 * i);
	}
	if (provided != NULL)
		for (int i = 0; i < 48; i++)
			temp[i] ^= provided[i];
	memcpy(d->key, temp, 32);
	memcpy(d->v, temp + 32, 16);
}

static void drbg_init(struct kat_drbg *d, const uint8_t seed[48])
{
	memset(d, 0, sizeof(*d));
	drbg_update(d, seed);
}

static int drbg_random(void *ctx, uint8_t *out, size_t len)
{
	struct kat_drbg *d = ctx;
	uint8_t block[16];
	while (len > 0) {
		size_t n = len < 16 ? len : 16;
		drbg_increment(d->v);
		aes256_block(d->key, d->v, block);
		memcpy(out, block, n);
		out += n;
		len -= n;
	}
	drbg_update(d, NULL);
	return 0;
}

/* One answer of a kat_kem.rsp. */
struct kat {
	int count;
	uint8_t seed[48], pk[HS_SNTRUP761_PK_LEN], sk[HS_SNTRUP761_SK_LEN], ct[HS_SNTRUP761_CT_LEN],
		ss[HS_SNTRUP761_SS_LEN];
};

/* Reads the answers of path into kats (at most max); returns how many. */
static int kat_read(const char *path, struct kat *kats, int max)
{
	static char line[8192];
	FILE *f = fopen(path, "r");
	int n = -1;

	REQUIRE(f != NULL);
	while (fgets(line, sizeof(line), f) != NULL) {
		line[strcspn(line, "\r\n")] = '\0';
		char *eq = strstr(line, " = ");
		if (line[0] == '#' || eq == NULL)
			continue;
		*eq = '\0';
		const char *val = eq + 3;
		if (strcmp(line, "count") == 0) {
			REQUIRE(n + 1 < max);
			n++;
			kats[n].count = atoi(val);
			continue;
		}
		REQUIRE(n >= 0);
		struct {
			const char *name;
			uint8_t *dst;
			size_t len;
		} fields[] = {
			{ "seed", kats[n].seed, sizeof(kats[n].seed) }, { "pk", kats[n].pk, sizeof(kats[n].pk) },
			{ "sk", kats[n].sk, sizeof(kats[n].sk) },       { "ct", kats[n].ct, sizeof(kats[n].ct) },
			{ "ss", kats[n].ss, sizeof(kats[n].ss) },
		};
		for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
			if (strcmp(line, fields[i].name) == 0)
				REQUIRE(hs_test_unhex(val, fields[i].dst, fields[i].len) == (int)fields[i].len);
	}
	fclose(f);
	return n + 1;
}

static struct kat kats[KAT_STORED];

/* The seeds of the answers come from the generator's own DRBG, seeded
 * with the bytes 0, 1, ..., 47. */
static void master_drbg(struct kat_drbg *master)
{
	uint8_t entropy[48];
	for (int i = 0; i < 48; i++)
		entropy[i] = (uint8_t)i;
	drbg_init(master, entropy);
}

static void test_kat(void)
{
	static uint8_t pk[HS_SNTRUP761_PK_LEN], sk[HS_SNTRUP761_SK_LEN], ct[HS_SNTRUP761_CT_LEN];
	uint8_t ss[HS_SNTRUP761_SS_LEN], ss2[HS_SNTRUP761_SS_LEN], seed[48];
	struct kat_drbg master, d;
	int n = kat_read(KAT_FILE, kats, KAT_STORED);

	CHECK_EQ_INT(n, KAT_STORED);
	master_drbg(&master);
	for (int i = 0; i < n; i++) {
		CHECK_EQ_INT(kats[i].count, i);
		CHECK_EQ_INT(drbg_random(&master, seed, sizeof(seed)), 0);
		CHECK_MEM(seed, kats[i].seed, sizeof(seed));
		drbg_init(&d, kats[i].seed);
		CHECK_EQ_INT(hs__sntrup761_keygen_with(pk, sk, drbg_random, &d), 0);
		CHECK_MEM(pk, kats[i].pk, sizeof(pk));
		CHECK_MEM(sk, kats[i].sk, sizeof(sk));
		CHECK_EQ_INT(hs__sntrup761_encaps_with(kats[i].pk, ct, ss, drbg_random, &d), 0);
		CHECK_MEM(ct, kats[i].ct, sizeof(ct));
		CHECK_MEM(ss, kats[i].ss, sizeof(ss));
		CHECK_EQ_INT(hs__sntrup761_decaps(kats[i].sk, kats[i].ct, ss2), 0);
		CHECK_MEM(ss2, kats[i].ss, sizeof(ss2));
	}
}

static void hex_update(EVP_MD_CTX *md, const char *label, const uint8_t *p, size_t len)
{
	static char hex[2 * HS_SNTRUP761_SK_LEN + 1];
	for (size_t i = 0; i < len; i++)
		snprintf(hex + 2 * i, 3, "%02X", p[i]);
	REQUIRE(EVP_DigestUpdate(md, label, strlen(label)) == 1);
	REQUIRE(EVP_DigestUpdate(md, hex, 2 * len) == 1);
	REQUIRE(EVP_DigestUpdate(md, "\n", 1) == 1);
}

/* All 100 answers, written as the generator writes kat_kem.rsp, hash to
 * the published file's SHA-256. */
static void test_kat_full_file(void)
{
	static uint8_t pk[HS_SNTRUP761_PK_LEN], sk[HS_SNTRUP761_SK_LEN], ct[HS_SNTRUP761_CT_LEN];
	uint8_t ss[HS_SNTRUP761_SS_LEN], ss2[HS_SNTRUP761_SS_LEN], seed[48], digest[32];
	char text[32], digest_hex[65];
	unsigned dlen = 0;
	struct kat_drbg master, d;
	EVP_MD_CTX *md = EVP_MD_CTX_new();

	REQUIRE(md != NULL && EVP_DigestInit_ex(md, EVP_sha256(), NULL) == 1);
	REQUIRE(EVP_DigestUpdate(md, "# kem/sntrup761\n\n", 17) == 1);
	master_drbg(&master);
	for (int i = 0; i < KAT_FULL_COUNT; i++) {
		CHECK_EQ_INT(drbg_random(&master, seed, sizeof(seed)), 0);
		drbg_init(&d, seed);
		CHECK_EQ_INT(hs__sntrup761_keygen_with(pk, sk, drbg_random, &d), 0);
		CHECK_EQ_INT(hs__sntrup761_encaps_with(pk, ct, ss, drbg_random, &d), 0);
		CHECK_EQ_INT(hs__sntrup761_decaps(sk, ct, ss2), 0);
		CHECK_MEM(ss, ss2, sizeof(ss));
		snprintf(text, sizeof(text), "count = %d\n", i);
		REQUIRE(EVP_DigestUpdate(md, text, strlen(text)) == 1);
		hex_update(md, "seed = ", seed, sizeof(seed));
		hex_update(md, "pk = ", pk, sizeof(pk));
		hex_update(md, "sk = ", sk, sizeof(sk));
		hex_update(md, "ct = ", ct, sizeof(ct));
		hex_update(md, "ss = ", ss, sizeof(ss));
		REQUIRE(EVP_DigestUpdate(md, "\n", 1) == 1);
	}
	REQUIRE(EVP_DigestFinal_ex(md, digest, &dlen) == 1 && dlen == 32);
	EVP_MD_CTX_free(md);
	for (int i = 0; i < 32; i++)
		snprintf(digest_hex + 2 * i, 3, "%02x", digest[i]);
	CHECK_STR(digest_hex, KAT_FULL_SHA256);
}

static void test_round_trip(void)
{
	static uint8_t pk[HS_SNTRUP761_PK_LEN], sk[HS_SNTRUP761_SK_LEN], ct[HS_SNTRUP761_CT_LEN];
	uint8_t ss[HS_SNTRUP761_SS_LEN], ss2[HS_SNTRUP761_SS_LEN], zero[HS_SNTRUP761_SS_LEN] = { 0 };

	for (int i = 0; i < 3; i++) {
		CHECK_EQ_INT(hs__sntrup761_keygen(pk, sk), 0);
		CHECK_MEM(sk + 382, pk, sizeof(pk));
		for (int j = 0; j < 3; j++) {
			CHECK_EQ_INT(hs__sntrup761_encaps(pk, ct, ss), 0);
			CHECK_EQ_INT(hs__sntrup761_decaps(sk, ct, ss2), 0);
			CHECK_MEM(ss, ss2, sizeof(ss));
			CHECK(memcmp(ss, zero, sizeof(zero)) != 0);
		}
	}
}

/* Hash_prefix(b, a || c), computed here apart from the module. */
static void ref_hash_prefix(uint8_t out[32], uint8_t b, const uint8_t *a, size_t alen, const uint8_t *c, size_t clen)
{
	static uint8_t buf[1 + 32 + HS_SNTRUP761_CT_LEN + 191];
	uint8_t md[64];
	unsigned mdlen = 0;
	REQUIRE(1 + alen + clen <= sizeof(buf));
	buf[0] = b;
	memcpy(buf + 1, a, alen);
	if (clen != 0)
		memcpy(buf + 1 + alen, c, clen);
	REQUIRE(EVP_Digest(buf, 1 + alen + clen, md, &mdlen, EVP_sha512(), NULL) == 1);
	memcpy(out, md, 32);
}

/* A changed ciphertext decapsulates, without error, to
 * Hash_prefix(0, Hash_prefix(3, rho) || ct), every time the same. */
static void test_implicit_rejection(void)
{
	static uint8_t ct[HS_SNTRUP761_CT_LEN];
	static const size_t flips[] = { 0, 500, 1006, 1007, HS_SNTRUP761_CT_LEN - 1 };
	uint8_t ss[32], ss2[32], rho_hash[32], want[32];
	const struct kat *k = &kats[0];

	for (size_t i = 0; i < sizeof(flips) / sizeof(flips[0]); i++) {
		memcpy(ct, k->ct, sizeof(ct));
		ct[flips[i]] ^= 0x01;
		CHECK_EQ_INT(hs__sntrup761_decaps(k->sk, ct, ss), 0);
		CHECK_EQ_INT(hs__sntrup761_decaps(k->sk, ct, ss2), 0);
		CHECK_MEM(ss, ss2, sizeof(ss));
		CHECK(memcmp(ss, k->ss, sizeof(ss)) != 0);
		ref_hash_prefix(rho_hash, 3, k->sk + 382 + 1158, 191, NULL, 0);
		ref_hash_prefix(want, 0, rho_hash, 32, ct, sizeof(ct));
		CHECK_MEM(ss, want, sizeof(ss));
	}
	/* and the accepted one is Hash_prefix(1, ...) of the encoded r: not
	 * reachable from outside, but the rejection key differs from it */
	ref_hash_prefix(rho_hash, 3, k->sk + 382 + 1158, 191, NULL, 0);
	ref_hash_prefix(want, 0, rho_hash, 32, k->ct, sizeof(k->ct));
	CHECK(memcmp(want, k->ss, sizeof(want)) != 0);
}

static void test_wrong_lengths(void)
{
	static uint8_t ct[HS_SNTRUP761_CT_LEN], big[HS_SNTRUP761_SK_LEN];
	uint8_t ss[32], zero[32] = { 0 };
	static const size_t pk_lens[] = { 0, 1, HS_SNTRUP761_PK_LEN - 1, HS_SNTRUP761_PK_LEN + 1 };
	static const size_t ct_lens[] = { 0, 32, HS_SNTRUP761_CT_LEN - 1, HS_SNTRUP761_CT_LEN + 1 };

	for (size_t i = 0; i < sizeof(pk_lens) / sizeof(pk_lens[0]); i++) {
		memset(ss, 0xaa, sizeof(ss));
		CHECK_EQ_INT(hs__sntrup761_encaps_len(big, pk_lens[i], ct, ss), HS_ERR_FORMAT);
		CHECK_MEM(ss, zero, sizeof(ss));
	}
	CHECK_EQ_INT(hs__sntrup761_encaps_len(NULL, HS_SNTRUP761_PK_LEN, ct, ss), HS_ERR_FORMAT);
	for (size_t i = 0; i < sizeof(ct_lens) / sizeof(ct_lens[0]); i++) {
		memset(ss, 0xaa, sizeof(ss));
		CHECK_EQ_INT(hs__sntrup761_decaps_len(kats[0].sk, big, ct_lens[i], ss), HS_ERR_FORMAT);
		CHECK_MEM(ss, zero, sizeof(ss));
	}
	CHECK_EQ_INT(hs__sntrup761_encaps_len(kats[0].pk, HS_SNTRUP761_PK_LEN, ct, ss), 0);
	CHECK_EQ_INT(hs__sntrup761_decaps_len(kats[0].sk, kats[0].ct, HS_SNTRUP761_CT_LEN, ss), 0);
	CHECK_MEM(ss, kats[0].ss, sizeof(ss));
	CHECK_EQ_INT(hs__sntrup761_encaps(NULL, ct, ss), HS_ERR_INVALID_ARG);
	CHECK_EQ_INT(hs__sntrup761_decaps(kats[0].sk, NULL, ss), HS_ERR_INVALID_ARG);
	CHECK_EQ_INT(hs__sntrup761_keygen(NULL, big), HS_ERR_INVALID_ARG);
}

/* Randomness that fails after `left` calls. */
static int failing_random(void *ctx, uint8_t *out, size_t len)
{
	int *left = ctx;
	if (*left == 0)
		return HS_ERR_CRYPTO;
	(*left)--;
	memset(out, 0x5a, len);
	return 0;
}

/* Every word 0x20000000 makes every coefficient of g 0: no inverse. */
static int zero_g_random(void *ctx, uint8_t *out, size_t len)
{
	(void)ctx;
	for (size_t i = 0; i < len; i++)
		out[i] = (uint8_t)(i % 4 == 3 ? 0x20 : 0);
	return 0;
}

static int all_zero(const uint8_t *p, size_t n)
{
	uint8_t acc = 0;
	for (size_t i = 0; i < n; i++)
		acc |= p[i];
	return acc == 0;
}

static void test_failing_random(void)
{
	static uint8_t pk[HS_SNTRUP761_PK_LEN], sk[HS_SNTRUP761_SK_LEN], ct[HS_SNTRUP761_CT_LEN];
	uint8_t ss[32];
	static const int lefts[] = { 0, 100, P, 2 * P };

	for (size_t i = 0; i < sizeof(lefts) / sizeof(lefts[0]); i++) {
		int left = lefts[i];
		memset(pk, 0xaa, sizeof(pk));
		memset(sk, 0xaa, sizeof(sk));
		CHECK_EQ_INT(hs__sntrup761_keygen_with(pk, sk, failing_random, &left), HS_ERR_CRYPTO);
		CHECK(all_zero(pk, sizeof(pk)) && all_zero(sk, sizeof(sk)));
	}
	for (int left = 0; left < P; left += 250) {
		int l = left;
		memset(ct, 0xaa, sizeof(ct));
		memset(ss, 0xaa, sizeof(ss));
		CHECK_EQ_INT(hs__sntrup761_encaps_with(kats[0].pk, ct, ss, failing_random, &l), HS_ERR_CRYPTO);
		CHECK(all_zero(ct, sizeof(ct)) && all_zero(ss, sizeof(ss)));
	}
	memset(sk, 0xaa, sizeof(sk));
	CHECK_EQ_INT(hs__sntrup761_keygen_with(pk, sk, zero_g_random, NULL), HS_ERR_CRYPTO);
	CHECK(all_zero(sk, sizeof(sk)));
}

/* Any public key of the right length is accepted, and any ciphertext:
 * values out of range decode modulo their bound. */
static void test_any_bytes(void)
{
	static uint8_t pk[HS_SNTRUP761_PK_LEN], ct[HS_SNTRUP761_CT_LEN];
	uint8_t ss[32];
	memset(pk, 0xff, sizeof(pk));
	CHECK_EQ_INT(hs__sntrup761_encaps(pk, ct, ss), 0);
	memset(ct, 0xff, sizeof(ct));
	CHECK_EQ_INT(hs__sntrup761_decaps(kats[0].sk, ct, ss), 0);
}

static uint32_t rand32(void)
{
	uint32_t x;
	REQUIRE(RAND_bytes((unsigned char *)&x, sizeof(x)) == 1);
	return x;
}

static void test_freeze_divmod(void)
{
	int bad = 0;
	for (int32_t x = -(1 << 20); x <= (1 << 20); x++) {
		int32_t m = ((x % Q) + Q) % Q, c = m > (Q - 1) / 2 ? m - Q : m;
		int32_t t = ((x % 3) + 3) % 3, c3 = t == 2 ? -1 : t;
		bad += hs__sntrup761_fq_freeze(x) != c;
		bad += hs__sntrup761_f3_freeze(x) != c3;
	}
	static const int32_t edges[] = { (1 << 29), -(1 << 29), (1 << 29) - 1, -(1 << 29) + 1 };
	for (size_t i = 0; i < sizeof(edges) / sizeof(edges[0]); i++) {
		int32_t x = edges[i];
		int32_t m = ((x % Q) + Q) % Q, c = m > (Q - 1) / 2 ? m - Q : m;
		int32_t t = ((x % 3) + 3) % 3, c3 = t == 2 ? -1 : t;
		bad += hs__sntrup761_fq_freeze(x) != c;
		bad += hs__sntrup761_f3_freeze(x) != c3;
	}
	static const uint32_t ms[] = { 1, 2, 3, 255, 256, 257, 1531, 4591, 9157, 16383, 65535 };
	for (size_t i = 0; i < sizeof(ms) / sizeof(ms[0]); i++) {
		for (int j = 0; j < 20000; j++) {
			uint32_t x = j < 2 ? (j == 0 ? 0x7fffffffu : 0) : rand32() >> 1, rem;
			uint32_t quot = hs__sntrup761_divmod(x, ms[i], &rem);
			bad += quot != x / ms[i] || rem != x % ms[i];
		}
	}
	CHECK_EQ_INT(bad, 0);
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return (x > y) - (x < y);
}

static void test_sort(void)
{
	static uint32_t x[P], y[P];
	static const size_t ns[] = { 0, 1, 2, 3, 7, 8, 9, 100, 255, 256, 257, P };
	for (size_t k = 0; k < sizeof(ns) / sizeof(ns[0]); k++) {
		for (int rep = 0; rep < 5; rep++) {
			for (size_t i = 0; i < ns[k]; i++)
				x[i] = y[i] = rep == 0 ? (uint32_t)(ns[k] - i) : rand32() >> (rep * 6);
			hs__sntrup761_sort_u32(x, ns[k]);
			qsort(y, ns[k], sizeof(y[0]), cmp_u32);
			CHECK(ns[k] == 0 || memcmp(x, y, ns[k] * sizeof(x[0])) == 0);
		}
	}
}

static void random_small(int8_t f[P])
{
	for (int i = 0; i < P; i++)
		f[i] = (int8_t)((int)(rand32() % 3) - 1);
}

static void test_encodings(void)
{
	static int16_t f[P], g[P];
	static int8_t s[P], t[P];
	static uint8_t buf[HS_SNTRUP761_RQ_BYTES];
	static uint16_t r[P];

	for (int rep = 0; rep < 20; rep++) {
		for (int i = 0; i < P; i++)
			f[i] = (int16_t)((int32_t)(rand32() % Q) - (Q - 1) / 2);
		if (rep == 0)
			for (int i = 0; i < P; i++)
				f[i] = (Q - 1) / 2;
		hs__sntrup761_rq_encode(buf, f);
		hs__sntrup761_rq_decode(g, buf);
		CHECK_MEM(f, g, sizeof(f));
		for (int i = 0; i < P; i++)
			f[i] = (int16_t)(f[i] - hs__sntrup761_f3_freeze(f[i]));
		hs__sntrup761_rounded_encode(buf, f);
		hs__sntrup761_rounded_decode(g, buf);
		CHECK_MEM(f, g, sizeof(f));
		random_small(s);
		hs__sntrup761_small_encode(buf, s);
		hs__sntrup761_small_decode(t, buf);
		CHECK_MEM(s, t, sizeof(s));
	}
	for (int i = 0; i < P; i++)
		r[i] = Q - 1;
	CHECK_EQ_INT(hs__sntrup761_encode(buf, r, Q, P), HS_SNTRUP761_RQ_BYTES);
	for (int i = 0; i < P; i++)
		r[i] = (Q + 2) / 3 - 1;
	CHECK_EQ_INT(hs__sntrup761_encode(buf, r, (Q + 2) / 3, P), HS_SNTRUP761_ROUNDED_BYTES);
	/* small cases of the generic code, against the definition */
	r[0] = 5;
	CHECK_EQ_INT(hs__sntrup761_encode(buf, r, 1, 1), 0);
	r[0] = 300;
	CHECK_EQ_INT(hs__sntrup761_encode(buf, r, 301, 1), 2);
	CHECK(buf[0] == 0x2c && buf[1] == 0x01);
}

static void test_recip(void)
{
	static int8_t g[P], ginv[P], prod3[P], f[P];
	static int16_t finv[P], prodq[P];
	static uint32_t words[P];

	for (int rep = 0; rep < 3; rep++) {
		do {
			random_small(g);
		} while (hs__sntrup761_r3_recip(ginv, g) != 0);
		hs__sntrup761_r3_mult(prod3, ginv, g);
		CHECK(prod3[0] == 1);
		int rest = 0;
		for (int i = 1; i < P; i++)
			rest |= prod3[i];
		CHECK_EQ_INT(rest, 0);

		for (int i = 0; i < P; i++)
			words[i] = rand32();
		hs__sntrup761_short_fromlist(f, words);
		CHECK_EQ_INT(hs__sntrup761_weight_mask(f), 0);
		CHECK_EQ_INT(hs__sntrup761_rq_recip3(finv, f), 0);
		hs__sntrup761_rq_mult_small(prodq, finv, f);
		/* finv = 1/(3f): 3 finv f = 1 */
		CHECK_EQ_INT(hs__sntrup761_fq_freeze(3 * prodq[0]), 1);
		rest = 0;
		for (int i = 1; i < P; i++)
			rest |= hs__sntrup761_fq_freeze(3 * prodq[i]);
		CHECK_EQ_INT(rest, 0);
	}
	memset(g, 0, sizeof(g));
	CHECK_EQ_INT(hs__sntrup761_r3_recip(ginv, g), -1);
	CHECK_EQ_INT(hs__sntrup761_rq_recip3(finv, g), -1);
	CHECK_EQ_INT(hs__sntrup761_weight_mask(g), -1);
}

int main(void)
{
	test_freeze_divmod();
	test_sort();
	test_encodings();
	test_recip();
	test_kat();
	test_implicit_rejection();
	test_wrong_lengths();
	test_failing_random();
	test_any_bytes();
	test_round_trip();
	test_kat_full_file();
	return hs_test_done();
}
