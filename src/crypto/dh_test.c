/* MODP Diffie-Hellman: the primes are RFC 3526's (recomputed from their
 * published definition by testdata/gen_modp_primes.py), an exchange agrees
 * with an independent client computation, and bad peer values are refused. */
#include "crypto/dh.h"

#include <openssl/bn.h>
#include <openssl/evp.h>

#include "hs_test.h"

static const struct {
	enum hs_dh_group group;
	const char *sha256;
} primes[] = {
	{ HS_DH_GROUP14, "d66436f79bbd6b2e38c0ffbd079be904d2641415e2e67140e09448be9a60890e" },
	{ HS_DH_GROUP16, "4ee95187682bcb230ad26a95205f6920e84708f6251b3894329b09ec23919e33" },
	{ HS_DH_GROUP18, "39ab4feab950a3128fb71accb9fc3965d857012e081998a85996e3ea8b3c3bcf" },
};

static void test_primes(void)
{
	for (size_t i = 0; i < sizeof primes / sizeof primes[0]; i++) {
		struct hs_buf p;
		uint8_t md[32], want[32];
		unsigned mdlen = 0;
		hs__buf_init(&p, 2048, 0);
		CHECK_EQ_INT(hs__dh_prime(primes[i].group, &p), 0);
		CHECK_EQ_INT(hs__buf_len(&p) * 8, (size_t)primes[i].group);
		CHECK(EVP_Digest(hs__buf_ptr(&p), hs__buf_len(&p), md, &mdlen, EVP_sha256(), NULL) == 1);
		CHECK_EQ_INT(hs_test_unhex(primes[i].sha256, want, sizeof want), 32);
		CHECK_MEM(md, want, 32);
		hs__buf_cleanup(&p);
	}
}

/* Client side with plain BIGNUMs: x random, e = 2^x mod p, K = f^x mod p. */
static void test_exchange(enum hs_dh_group group)
{
	BN_CTX *ctx = BN_CTX_new();
	BIGNUM *p = BN_new(), *g = BN_new(), *x = BN_new(), *e = BN_new(), *f = NULL, *k = BN_new();
	struct hs_buf pb, fb, kb;
	hs__buf_init(&pb, 2048, 0);
	hs__buf_init(&fb, 2048, 0);
	hs__buf_init(&kb, 2048, 1);
	CHECK_EQ_INT(hs__dh_prime(group, &pb), 0);
	CHECK(BN_bin2bn(hs__buf_ptr(&pb), (int)hs__buf_len(&pb), p) != NULL);
	CHECK(BN_set_word(g, 2) == 1 && BN_rand(x, 256, BN_RAND_TOP_ONE, BN_RAND_BOTTOM_ANY) == 1);
	CHECK(BN_mod_exp(e, g, x, p, ctx) == 1);
	uint8_t ebytes[1024];
	int elen = BN_bn2bin(e, ebytes);
	CHECK_EQ_INT(hs__dh_server(group, ebytes, (size_t)elen, &fb, &kb), 0);
	f = BN_bin2bn(hs__buf_ptr(&fb), (int)hs__buf_len(&fb), NULL);
	CHECK(f != NULL && BN_mod_exp(k, f, x, p, ctx) == 1);
	uint8_t kbytes[1024];
	int klen = BN_bn2bin(k, kbytes);
	CHECK_EQ_INT(klen, hs__buf_len(&kb));
	CHECK_MEM(kbytes, hs__buf_ptr(&kb), (size_t)klen);
	/* a second exchange uses a fresh exponent */
	struct hs_buf f2, k2;
	hs__buf_init(&f2, 2048, 0);
	hs__buf_init(&k2, 2048, 1);
	CHECK_EQ_INT(hs__dh_server(group, ebytes, (size_t)elen, &f2, &k2), 0);
	CHECK(hs__buf_len(&f2) != hs__buf_len(&fb) ||
	      memcmp(hs__buf_ptr(&f2), hs__buf_ptr(&fb), hs__buf_len(&fb)) != 0);
	hs__buf_cleanup(&f2);
	hs__buf_cleanup(&k2);
	BN_free(p), BN_free(g), BN_free(x), BN_free(e), BN_free(f), BN_free(k);
	BN_CTX_free(ctx);
	hs__buf_cleanup(&pb);
	hs__buf_cleanup(&fb);
	hs__buf_cleanup(&kb);
}

static void test_bad_values(void)
{
	struct hs_buf pb, fb, kb;
	hs__buf_init(&pb, 2048, 0);
	hs__buf_init(&fb, 2048, 0);
	hs__buf_init(&kb, 2048, 1);
	CHECK_EQ_INT(hs__dh_prime(HS_DH_GROUP14, &pb), 0);
	uint8_t v[300];
	size_t plen = hs__buf_len(&pb);
	const uint8_t zero = 0, one = 1;
	CHECK_EQ_INT(hs__dh_server(HS_DH_GROUP14, &zero, 1, &fb, &kb), HS_ERR_PROTOCOL);
	CHECK_EQ_INT(hs__dh_server(HS_DH_GROUP14, &one, 1, &fb, &kb), HS_ERR_PROTOCOL);
	CHECK_EQ_INT(hs__dh_server(HS_DH_GROUP14, NULL, 0, &fb, &kb), HS_ERR_PROTOCOL);
	/* p itself, p - 1, and a value longer than p */
	memcpy(v, hs__buf_ptr(&pb), plen);
	CHECK_EQ_INT(hs__dh_server(HS_DH_GROUP14, v, plen, &fb, &kb), HS_ERR_PROTOCOL);
	v[plen - 1] -= 1;
	CHECK_EQ_INT(hs__dh_server(HS_DH_GROUP14, v, plen, &fb, &kb), HS_ERR_PROTOCOL);
	memset(v, 0xff, sizeof v);
	CHECK_EQ_INT(hs__dh_server(HS_DH_GROUP14, v, plen + 1, &fb, &kb), HS_ERR_PROTOCOL);
	CHECK_EQ_INT(hs__buf_len(&fb), 0);
	CHECK_EQ_INT(hs__buf_len(&kb), 0);
	hs__buf_cleanup(&pb);
	hs__buf_cleanup(&fb);
	hs__buf_cleanup(&kb);
}

/* A job copies the peer's value and computes on its own: with e = g the
 * secret K = g^y equals our public value f. A value longer than any prime
 * is the peer's fault before anything is computed. */
static void test_job(void)
{
	static const uint8_t two = 2;
	struct hs_dh_job *job = hs__dh_job_new(HS_DH_GROUP16, &two, 1);
	CHECK(job != NULL);
	CHECK(job->result != 0); /* not run yet */
	hs__dh_job_run(job);
	CHECK_EQ_INT(job->result, 0);
	CHECK_EQ_INT(hs__buf_len(&job->f), hs__buf_len(&job->k));
	CHECK(hs__buf_len(&job->f) > 0);
	CHECK_MEM(hs__buf_ptr(&job->f), hs__buf_ptr(&job->k), hs__buf_len(&job->k));
	hs__dh_job_free(job);

	uint8_t big[HS_DH_GROUP18 / 8 + 2];
	memset(big, 0x7f, sizeof big);
	job = hs__dh_job_new(HS_DH_GROUP18, big, sizeof big);
	CHECK(job != NULL);
	hs__dh_job_run(job);
	CHECK_EQ_INT(job->result, HS_ERR_PROTOCOL);
	CHECK_EQ_INT(hs__buf_len(&job->f), 0);
	hs__dh_job_free(job);
	hs__dh_job_free(NULL);
}

int main(void)
{
	test_primes();
	test_exchange(HS_DH_GROUP14);
	test_exchange(HS_DH_GROUP16);
	test_exchange(HS_DH_GROUP18);
	test_bad_values();
	test_job();
	return hs_test_done();
}
