/*
 * Tests of ML-KEM-768 (crypto/mlkem768.c, crypto/mlkem_poly.c):
 *
 * - the ring arithmetic against its definitions: the zeta tables, the NTT
 *   product against schoolbook multiplication mod X^256 + 1, Compress and
 *   Decompress for every input, the 12-bit encoding;
 * - NIST's ACVP vectors for ML-KEM-768 (tests/data/mlkem/acvp_*.txt): every
 *   keyGen, encapsulation, decapsulation (valid and implicitly rejected),
 *   decapsulation key check and encapsulation key check case;
 * - C2SP CCTV's vectors: every modulus-check failure is refused, the
 *   "unlucky" keys that need a long XOF squeeze, the strcmp trap;
 * - CCTV's accumulated run of 10,000 pq-crystals tests (set
 *   HS_MLKEM_ACCUMULATED=1000000 for the extended run, about 1.2 GB of
 *   memory and some minutes);
 * - the randomised API: round trips, tampered ciphertexts, bad keys.
 */
#include "crypto/mlkem768.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <zlib.h>

#include "hs_test.h"
#include "crypto/mlkem_poly.h"

#define DATA "tests/data/mlkem/"
#define Q HS_MLKEM_Q
#define MAX_FIELDS 8

/* One case of a "name = value" file: fields until a blank line. */
struct record {
	int n;
	char *name[MAX_FIELDS];
	char *value[MAX_FIELDS];
};

static void record_clear(struct record *rec)
{
	for (int i = 0; i < rec->n; i++) {
		free(rec->name[i]);
		free(rec->value[i]);
	}
	rec->n = 0;
}

/* The next record of f: 1, or 0 at the end of the file. */
static int record_next(FILE *f, struct record *rec)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;

	record_clear(rec);
	while ((len = getline(&line, &cap, f)) >= 0) {
		while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = '\0';
		if (len == 0) {
			if (rec->n > 0)
				break;
			continue;
		}
		char *eq = strstr(line, " = ");
		REQUIRE(eq != NULL && rec->n < MAX_FIELDS);
		*eq = '\0';
		rec->name[rec->n] = strdup(line);
		rec->value[rec->n] = strdup(eq + 3);
		rec->n++;
	}
	free(line);
	return rec->n > 0;
}

static const char *field(const struct record *rec, const char *name)
{
	for (int i = 0; i < rec->n; i++)
		if (strcmp(rec->name[i], name) == 0)
			return rec->value[i];
	return NULL;
}

/* The hex field name of rec into out, which must be exactly len bytes. */
static int field_bytes(const struct record *rec, const char *name, uint8_t *out, size_t len)
{
	const char *hex = field(rec, name);
	return hex != NULL && strlen(hex) == 2 * len && hs_test_unhex(hex, out, len) == (int)len;
}

static FILE *open_data(const char *name)
{
	FILE *f = fopen(name, "r");
	if (f == NULL)
		fprintf(stderr, "cannot open %s (run from the source tree)\n", name);
	REQUIRE(f != NULL);
	return f;
}

/* --- the ring -------------------------------------------------------------- */

static unsigned bitrev7(unsigned i)
{
	unsigned r = 0;
	for (int b = 0; b < 7; b++)
		r |= ((i >> b) & 1u) << (6 - b);
	return r;
}

static unsigned powq(unsigned base, unsigned e)
{
	unsigned r = 1;
	while (e-- > 0)
		r = r * base % Q;
	return r;
}

static uint32_t rnd_state = 12345;

static uint32_t rnd(void)
{
	rnd_state = rnd_state * 1103515245u + 12345u;
	return rnd_state >> 8;
}

static void random_poly(struct hs_mlkem_poly *f)
{
	for (int i = 0; i < HS_MLKEM_N; i++)
		f->c[i] = (uint16_t)(rnd() % Q);
}

/* f * g mod (X^256 + 1, q), the slow way. */
static void schoolbook(struct hs_mlkem_poly *h, const struct hs_mlkem_poly *f, const struct hs_mlkem_poly *g)
{
	long long acc[HS_MLKEM_N] = { 0 };
	for (int i = 0; i < HS_MLKEM_N; i++)
		for (int j = 0; j < HS_MLKEM_N; j++) {
			long long p = (long long)f->c[i] * g->c[j];
			if (i + j < HS_MLKEM_N)
				acc[i + j] += p;
			else
				acc[i + j - HS_MLKEM_N] -= p;
		}
	for (int i = 0; i < HS_MLKEM_N; i++)
		h->c[i] = (uint16_t)(((acc[i] % Q) + Q) % Q);
}

/* The NTT's product is the ring's product; NTT^-1 undoes NTT. Together
 * these check the zeta and gamma tables against 17^BitRev7(i). */
static void test_ntt(void)
{
	struct hs_mlkem_poly f, g, fh, gh, h, want, zero;
	int roundtrip_ok = 1, product_ok = 1;

	/* 17 is a primitive 256th root of unity mod q. */
	CHECK_EQ_INT(powq(17, 128), Q - 1);
	CHECK_EQ_INT(bitrev7(1), 64);
	for (int t = 0; t < 20; t++) {
		random_poly(&f);
		random_poly(&g);
		fh = f;
		gh = g;
		hs__mlkem_poly_ntt(&fh);
		hs__mlkem_poly_ntt(&gh);
		memset(&h, 0, sizeof(h));
		hs__mlkem_poly_mul_acc(&h, &fh, &gh);
		hs__mlkem_poly_invntt(&h);
		schoolbook(&want, &f, &g);
		product_ok &= memcmp(&h, &want, sizeof(h)) == 0;
		hs__mlkem_poly_invntt(&fh);
		roundtrip_ok &= memcmp(&fh, &f, sizeof(f)) == 0;
	}
	CHECK(product_ok);
	CHECK(roundtrip_ok);
	/* NTT(X) is (zeta_i, 1) pairs: coefficient 2i is 17^(2 BitRev7(i) + 1)
	 * ... seen through the pairs of the base case: X * X = gamma_i. */
	memset(&f, 0, sizeof(f));
	f.c[1] = 1;
	hs__mlkem_poly_ntt(&f);
	memset(&zero, 0, sizeof(zero));
	hs__mlkem_poly_mul_acc(&zero, &f, &f);
	int gammas_ok = 1;
	for (unsigned i = 0; i < 128; i++) {
		/* NTT(X)_i = X mod (X^2 - gamma_i) = (0, 1); squared: (gamma_i, 0). */
		gammas_ok &= f.c[2 * i] == 0 && f.c[2 * i + 1] == 1;
		gammas_ok &= zero.c[2 * i] == powq(17, 2 * bitrev7(i) + 1) && zero.c[2 * i + 1] == 0;
	}
	CHECK(gammas_ok);
}

static void test_reduce_compress(void)
{
	int ok = 1;
	for (uint64_t x = 0; x < (1ull << 32); x += 65521)
		ok &= hs__mlkem_reduce((uint32_t)x) == x % Q;
	ok &= hs__mlkem_reduce(UINT32_MAX) == UINT32_MAX % Q;
	CHECK(ok);
	/* Compress_d(x) = round(2^d x / q) mod 2^d = floor((2^(d+1) x + q) / 2q)
	 * mod 2^d; Decompress_d(y) = round(q y / 2^d). */
	for (unsigned d = 1; d < 12; d++) {
		int cok = 1, dok = 1;
		for (uint32_t x = 0; x < Q; x++) {
			uint32_t want = (((uint32_t)x << (d + 1)) + Q) / (2 * Q) % (1u << d);
			cok &= hs__mlkem_compress((uint16_t)x, d) == want;
		}
		for (uint32_t y = 0; y < (1u << d); y++) {
			uint32_t want = (2 * Q * y + (1u << d)) / (1u << (d + 1));
			dok &= hs__mlkem_decompress((uint16_t)y, d) == want;
		}
		CHECK(cok);
		CHECK(dok);
	}
}

static void test_encode12(void)
{
	struct hs_mlkem_poly f, g;
	uint8_t b[384];

	random_poly(&f);
	hs__mlkem_poly_encode12(b, &f);
	CHECK(hs__mlkem_poly_check12(b));
	hs__mlkem_poly_decode12(&g, b);
	CHECK_MEM(&f, &g, sizeof(f));
	/* q in the last slot: refused by the check, reduced to 0 by decode. */
	b[382] = (uint8_t)((b[382] & 0x0f) | ((Q & 0x0f) << 4));
	b[383] = (uint8_t)(Q >> 4);
	CHECK(!hs__mlkem_poly_check12(b));
	hs__mlkem_poly_decode12(&g, b);
	CHECK_EQ_INT(g.c[255], 0);
	memset(b, 0xff, sizeof(b));
	CHECK(!hs__mlkem_poly_check12(b));
	hs__mlkem_poly_decode12(&g, b);
	CHECK_EQ_INT(g.c[0], 4095 - Q);
}

/* --- ACVP ------------------------------------------------------------------ */

static void test_acvp_keygen(void)
{
	FILE *f = open_data(DATA "acvp_keygen_768.txt");
	struct record rec = { 0 };
	static uint8_t d[32], z[32], ek[HS_MLKEM768_EK_LEN], dk[HS_MLKEM768_DK_LEN], ek2[HS_MLKEM768_EK_LEN],
		dk2[HS_MLKEM768_DK_LEN];
	int n = 0, ok = 0;

	while (record_next(f, &rec)) {
		n++;
		REQUIRE(field_bytes(&rec, "d", d, 32) && field_bytes(&rec, "z", z, 32) &&
		        field_bytes(&rec, "ek", ek, sizeof(ek)) && field_bytes(&rec, "dk", dk, sizeof(dk)));
		int good = hs__mlkem768_keygen_derand(d, z, ek2, dk2) == 0 && memcmp(ek, ek2, sizeof(ek)) == 0 &&
		           memcmp(dk, dk2, sizeof(dk)) == 0;
		if (!good)
			fprintf(stderr, "ACVP keyGen tcId %s differs\n", field(&rec, "tcId"));
		ok += good;
	}
	record_clear(&rec);
	fclose(f);
	CHECK_EQ_INT(n, 25);
	CHECK_EQ_INT(ok, n);
}

static void acvp_case(const struct record *rec, int *counts)
{
	static uint8_t ek[HS_MLKEM768_EK_LEN + 1024], dk[HS_MLKEM768_DK_LEN], ct[HS_MLKEM768_CT_LEN],
		ct2[HS_MLKEM768_CT_LEN];
	uint8_t m[32], k[32], k2[32];
	const char *function = field(rec, "function"), *tc = field(rec, "tcId");
	int good = 0;

	REQUIRE(function != NULL && tc != NULL);
	if (strcmp(function, "encapsulation") == 0) {
		REQUIRE(field_bytes(rec, "ek", ek, HS_MLKEM768_EK_LEN) && field_bytes(rec, "m", m, 32) &&
		        field_bytes(rec, "c", ct, sizeof(ct)) && field_bytes(rec, "k", k, 32));
		good = hs__mlkem768_encaps_derand(ek, m, ct2, k2) == 0 && memcmp(ct, ct2, sizeof(ct)) == 0 &&
		       memcmp(k, k2, 32) == 0;
		counts[0]++;
	} else if (strcmp(function, "decapsulation") == 0) {
		REQUIRE(field_bytes(rec, "dk", dk, sizeof(dk)) && field_bytes(rec, "c", ct, sizeof(ct)) &&
		        field_bytes(rec, "k", k, 32));
		good = hs__mlkem768_decaps(dk, ct, k2) == 0 && memcmp(k, k2, 32) == 0;
		counts[1]++;
		if (strcmp(field(rec, "reason"), "modified ciphertext") == 0)
			counts[2]++;
	} else if (strcmp(function, "decapsulationKeyCheck") == 0) {
		int pass = strcmp(field(rec, "testPassed"), "1") == 0;
		REQUIRE(field_bytes(rec, "dk", dk, sizeof(dk)));
		good = hs__mlkem768_check_dk(dk, sizeof(dk)) == (pass ? 0 : HS_ERR_FORMAT);
		memset(ct, 0x5a, sizeof(ct));
		/* decaps refuses what the check refuses */
		good &= pass || hs__mlkem768_decaps(dk, ct, k2) == HS_ERR_FORMAT;
		counts[3]++;
	} else if (strcmp(function, "encapsulationKeyCheck") == 0) {
		int pass = strcmp(field(rec, "testPassed"), "1") == 0;
		const char *hex = field(rec, "ek");
		size_t len = strlen(hex) / 2;
		REQUIRE(len <= sizeof(ek) && hs_test_unhex(hex, ek, sizeof(ek)) == (int)len);
		good = hs__mlkem768_check_ek(ek, len) == (pass ? 0 : HS_ERR_FORMAT);
		/* what passes encapsulates; the failures (which are not even
		 * 1184 bytes long) are refused before they get that far */
		if (pass)
			good &= hs__mlkem768_encaps(ek, ct2, k2) == 0;
		counts[4]++;
	} else {
		fprintf(stderr, "unknown ACVP function %s\n", function);
	}
	if (!good)
		fprintf(stderr, "ACVP %s tcId %s failed\n", function, tc);
	CHECK(good);
}

static void test_acvp_encapdecap(void)
{
	FILE *f = open_data(DATA "acvp_encapdecap_768.txt");
	struct record rec = { 0 };
	int counts[5] = { 0 };

	while (record_next(f, &rec))
		acvp_case(&rec, counts);
	record_clear(&rec);
	fclose(f);
	CHECK_EQ_INT(counts[0], 25); /* encapsulation */
	CHECK_EQ_INT(counts[1], 20); /* decapsulation */
	CHECK(counts[2] >= 5);       /* of which implicit rejections */
	CHECK_EQ_INT(counts[3], 10); /* decapsulation key check */
	CHECK_EQ_INT(counts[4], 10); /* encapsulation key check */
}

/* --- CCTV ------------------------------------------------------------------ */

/* Every line is an ek with one coefficient in [q, 4096): all refused. */
static void test_cctv_modulus(void)
{
	gzFile gz = gzopen(DATA "cctv_modulus_768.txt.gz", "rb");
	static char line[2 * HS_MLKEM768_EK_LEN + 8];
	static uint8_t ek[HS_MLKEM768_EK_LEN];
	uint8_t ct[HS_MLKEM768_CT_LEN], ss[32];
	int n = 0, refused = 0;

	REQUIRE(gz != NULL);
	while (gzgets(gz, line, sizeof(line)) != NULL) {
		line[strcspn(line, "\r\n")] = '\0';
		if (line[0] == '\0')
			continue;
		REQUIRE(hs_test_unhex(line, ek, sizeof(ek)) == HS_MLKEM768_EK_LEN);
		n++;
		refused += hs__mlkem768_check_ek(ek, sizeof(ek)) == HS_ERR_FORMAT &&
		           hs__mlkem768_encaps(ek, ct, ss) == HS_ERR_FORMAT;
	}
	gzclose(gz);
	CHECK(n > 700);
	CHECK_EQ_INT(refused, n);
}

/* Keys whose matrix needs more than 575 bytes of SHAKE128 output. */
static void test_cctv_unlucky(void)
{
	FILE *f = open_data(DATA "cctv_unlucky_768.txt");
	struct record rec = { 0 };
	static uint8_t ek[HS_MLKEM768_EK_LEN], dk[HS_MLKEM768_DK_LEN], ek2[HS_MLKEM768_EK_LEN], dk2[HS_MLKEM768_DK_LEN];
	uint8_t d[32], z[32], m[32], ct[HS_MLKEM768_CT_LEN], ct2[HS_MLKEM768_CT_LEN], k[32], k2[32];
	int n = 0;

	while (record_next(f, &rec)) {
		n++;
		REQUIRE(field_bytes(&rec, "d", d, 32) && field_bytes(&rec, "z", z, 32) &&
		        field_bytes(&rec, "ek", ek, sizeof(ek)) && field_bytes(&rec, "dk", dk, sizeof(dk)) &&
		        field_bytes(&rec, "m", m, 32) && field_bytes(&rec, "K", k, 32) &&
		        field_bytes(&rec, "c", ct, sizeof(ct)));
		CHECK(hs__mlkem768_keygen_derand(d, z, ek2, dk2) == 0);
		CHECK_MEM(ek, ek2, sizeof(ek));
		CHECK_MEM(dk, dk2, sizeof(dk));
		CHECK(hs__mlkem768_encaps_derand(ek, m, ct2, k2) == 0);
		CHECK_MEM(ct, ct2, sizeof(ct));
		CHECK_MEM(k, k2, 32);
		CHECK(hs__mlkem768_decaps(dk, ct, k2) == 0);
		CHECK_MEM(k, k2, 32);
	}
	record_clear(&rec);
	fclose(f);
	CHECK(n >= 1);
}

/* A ciphertext that a strcmp() would take for the re-encryption. */
static void test_cctv_strcmp(void)
{
	FILE *f = open_data(DATA "cctv_strcmp_768.txt");
	struct record rec = { 0 };
	static uint8_t dk[HS_MLKEM768_DK_LEN];
	uint8_t ct[HS_MLKEM768_CT_LEN], k[32], k2[32];
	int n = 0;

	while (record_next(f, &rec)) {
		n++;
		REQUIRE(field_bytes(&rec, "dk", dk, sizeof(dk)) && field_bytes(&rec, "c", ct, sizeof(ct)) &&
		        field_bytes(&rec, "K", k, 32));
		CHECK(hs__mlkem768_decaps(dk, ct, k2) == 0);
		CHECK_MEM(k, k2, 32);
	}
	record_clear(&rec);
	fclose(f);
	CHECK(n >= 1);
}

/* CCTV's accumulated vectors: inputs drawn from one SHAKE128("") stream,
 * outputs absorbed into another SHAKE128, whose first 32 bytes are known
 * for 10,000 and 1,000,000 tests. libcrypto 3.0 squeezes an XOF only once,
 * so the whole input stream (1184 bytes a test) is squeezed up front. */
static void test_cctv_accumulated(void)
{
	static const char want_10k[] = "f959d18d3d1180121433bf0e05f11e7908cf9d03edc150b2b07cb90bef5bc1c1";
	static const char want_1m[] = "3b108396a277f2952ff3243a985c9709bcb95788c39b7b36a2c4e19d1a41e51e";
	const char *env = getenv("HS_MLKEM_ACCUMULATED");
	long tests = env != NULL ? strtol(env, NULL, 10) : 10000;
	const size_t per_test = 32 + 32 + 32 + HS_MLKEM768_CT_LEN;
	static uint8_t ek[HS_MLKEM768_EK_LEN], dk[HS_MLKEM768_DK_LEN];
	uint8_t ct[HS_MLKEM768_CT_LEN], k[32], k2[32], out[32], want[32];
	EVP_MD_CTX *in_ctx = EVP_MD_CTX_new(), *acc = EVP_MD_CTX_new();
	uint8_t *stream = NULL;
	int ok = 1;

	REQUIRE(tests == 10000 || tests == 1000000);
	REQUIRE(hs_test_unhex(tests == 10000 ? want_10k : want_1m, want, sizeof(want)) == 32);
	stream = malloc(per_test * (size_t)tests);
	REQUIRE(stream != NULL && in_ctx != NULL && acc != NULL);
	REQUIRE(EVP_DigestInit_ex2(in_ctx, EVP_shake128(), NULL) == 1 &&
	        EVP_DigestFinalXOF(in_ctx, stream, per_test * (size_t)tests) == 1);
	REQUIRE(EVP_DigestInit_ex2(acc, EVP_shake128(), NULL) == 1);
	for (long t = 0; t < tests && ok; t++) {
		const uint8_t *d = stream + per_test * (size_t)t, *z = d + 32, *m = z + 32, *bad_ct = m + 32;
		ok &= hs__mlkem768_keygen_derand(d, z, ek, dk) == 0;
		ok &= hs__mlkem768_encaps_derand(ek, m, ct, k) == 0;
		ok &= hs__mlkem768_decaps(dk, ct, k2) == 0 && memcmp(k, k2, 32) == 0;
		ok &= EVP_DigestUpdate(acc, ek, sizeof(ek)) == 1 && EVP_DigestUpdate(acc, dk, sizeof(dk)) == 1 &&
		      EVP_DigestUpdate(acc, ct, sizeof(ct)) == 1 && EVP_DigestUpdate(acc, k, 32) == 1;
		ok &= hs__mlkem768_decaps(dk, bad_ct, k2) == 0 && EVP_DigestUpdate(acc, k2, 32) == 1;
		if (!ok)
			fprintf(stderr, "accumulated test %ld failed\n", t);
	}
	CHECK(ok);
	CHECK(EVP_DigestFinalXOF(acc, out, sizeof(out)) == 1);
	CHECK_MEM(out, want, sizeof(out));
	printf("accumulated: %ld tests\n", tests);
	free(stream);
	EVP_MD_CTX_free(in_ctx);
	EVP_MD_CTX_free(acc);
}

/* --- the randomised API ---------------------------------------------------- */

static void test_roundtrip(void)
{
	static uint8_t ek[HS_MLKEM768_EK_LEN], dk[HS_MLKEM768_DK_LEN];
	uint8_t ct[HS_MLKEM768_CT_LEN], ct2[HS_MLKEM768_CT_LEN], k[32], k2[32], k3[32];

	for (int i = 0; i < 20; i++) {
		CHECK_EQ_INT(hs__mlkem768_keygen(ek, dk), 0);
		CHECK_EQ_INT(hs__mlkem768_check_ek(ek, sizeof(ek)), 0);
		CHECK_EQ_INT(hs__mlkem768_check_dk(dk, sizeof(dk)), 0);
		CHECK_EQ_INT(hs__mlkem768_encaps(ek, ct, k), 0);
		CHECK_EQ_INT(hs__mlkem768_decaps(dk, ct, k2), 0);
		CHECK_MEM(k, k2, 32);
		/* A fresh m each time. */
		CHECK_EQ_INT(hs__mlkem768_encaps(ek, ct2, k3), 0);
		CHECK(memcmp(ct, ct2, sizeof(ct)) != 0 && memcmp(k, k3, 32) != 0);
		/* Any flipped bit gives an unrelated secret, not an error. */
		ct[(size_t)i * 53 % sizeof(ct)] ^= (uint8_t)(1u << (i % 8));
		CHECK_EQ_INT(hs__mlkem768_decaps(dk, ct, k3), 0);
		CHECK(memcmp(k, k3, 32) != 0);
	}
	/* Wrong lengths, a tampered H(ek) or ek inside dk. */
	CHECK_EQ_INT(hs__mlkem768_check_ek(ek, sizeof(ek) - 1), HS_ERR_FORMAT);
	CHECK_EQ_INT(hs__mlkem768_check_ek(ek, sizeof(ek) + 1), HS_ERR_FORMAT);
	CHECK_EQ_INT(hs__mlkem768_check_dk(dk, sizeof(dk) - 1), HS_ERR_FORMAT);
	dk[HS_MLKEM768_DK_LEN - 64] ^= 1; /* H(ek) */
	CHECK_EQ_INT(hs__mlkem768_check_dk(dk, sizeof(dk)), HS_ERR_FORMAT);
	CHECK_EQ_INT(hs__mlkem768_decaps(dk, ct, k3), HS_ERR_FORMAT);
	dk[HS_MLKEM768_DK_LEN - 64] ^= 1;
	dk[1152 + 7] ^= 0x80; /* ek */
	CHECK_EQ_INT(hs__mlkem768_check_dk(dk, sizeof(dk)), HS_ERR_FORMAT);
	/* rho is not checked: any 32 bytes are valid. */
	ek[HS_MLKEM768_EK_LEN - 1] ^= 0xff;
	CHECK_EQ_INT(hs__mlkem768_encaps(ek, ct, k), 0);
	/* The all-ones key: every coefficient 4095. */
	memset(ek, 0xff, sizeof(ek));
	CHECK_EQ_INT(hs__mlkem768_encaps(ek, ct, k), HS_ERR_FORMAT);
}

int main(void)
{
	test_ntt();
	test_reduce_compress();
	test_encode12();
	test_acvp_keygen();
	test_acvp_encapdecap();
	test_cctv_modulus();
	test_cctv_unlucky();
	test_cctv_strcmp();
	test_roundtrip();
	test_cctv_accumulated();
	return hs_test_done();
}
