/* MODP Diffie-Hellman (RFC 3526 groups) on libcrypto's BIGNUMs. */
#include "crypto/dh.h"

#include <stdlib.h>

#include <openssl/bn.h>
#include <openssl/crypto.h>

static BIGNUM *group_prime(enum hs_dh_group group)
{
	switch (group) {
	case HS_DH_GROUP14:
		return BN_get_rfc3526_prime_2048(NULL);
	case HS_DH_GROUP16:
		return BN_get_rfc3526_prime_4096(NULL);
	case HS_DH_GROUP18:
		return BN_get_rfc3526_prime_8192(NULL);
	}
	return NULL;
}

/* Private exponent size: twice the security strength of the group
 * (NIST SP 800-57: 2048 -> 112, 4096 -> ~150, 8192 -> ~200 bits), rounded
 * up generously as OpenSSH does. */
static int exponent_bits(enum hs_dh_group group)
{
	return group == HS_DH_GROUP14 ? 256 : 512;
}

static int put_bn(const BIGNUM *bn, struct hs_buf *out)
{
	int n = BN_num_bytes(bn);
	uint8_t *p;
	int r = hs__buf_extend(out, (size_t)n, &p);
	if (r != 0)
		return r;
	return BN_bn2bin(bn, p) == n ? 0 : HS_ERR_CRYPTO;
}

int hs__dh_prime(enum hs_dh_group group, struct hs_buf *out)
{
	BIGNUM *p = group_prime(group);
	if (p == NULL)
		return HS_ERR_CRYPTO;
	int r = put_bn(p, out);
	BN_free(p);
	return r;
}

int hs__dh_server(enum hs_dh_group group, const uint8_t *e, size_t elen, struct hs_buf *f_out, struct hs_buf *k_out)
{
	int r = HS_ERR_CRYPTO;
	BN_CTX *ctx = BN_CTX_secure_new(); /* its temporaries derive from y */
	BIGNUM *p = group_prime(group);
	BIGNUM *g = BN_new(), *pm1 = BN_new(), *be = NULL, *y = BN_secure_new(), *f = BN_new(), *k = BN_secure_new();
	if (ctx == NULL || p == NULL || g == NULL || pm1 == NULL || y == NULL || f == NULL || k == NULL)
		goto out;
	if (elen > (size_t)BN_num_bytes(p)) {
		r = HS_ERR_PROTOCOL;
		goto out;
	}
	if ((be = BN_bin2bn(e, (int)elen, NULL)) == NULL || BN_set_word(g, 2) != 1 || BN_copy(pm1, p) == NULL ||
	    BN_sub_word(pm1, 1) != 1)
		goto out;
	/* RFC 4253 §8: values outside [1, p-1] are refused; 1 and p-1 too,
	 * since they give a secret the peer knows. */
	if (BN_cmp(be, BN_value_one()) <= 0 || BN_cmp(be, pm1) >= 0) {
		r = HS_ERR_PROTOCOL;
		goto out;
	}
	if (BN_priv_rand_ex(y, exponent_bits(group), BN_RAND_TOP_ONE, BN_RAND_BOTTOM_ANY, 0, ctx) != 1)
		goto out;
	BN_set_flags(y, BN_FLG_CONSTTIME);
	if (BN_mod_exp_mont_consttime(f, g, y, p, ctx, NULL) != 1 ||
	    BN_mod_exp_mont_consttime(k, be, y, p, ctx, NULL) != 1)
		goto out;
	if (BN_cmp(k, BN_value_one()) <= 0 || BN_cmp(k, pm1) >= 0) {
		r = HS_ERR_PROTOCOL;
		goto out;
	}
	if ((r = put_bn(f, f_out)) != 0 || (r = put_bn(k, k_out)) != 0)
		goto out;
	r = 0;
out:
	BN_clear_free(y);
	BN_clear_free(k);
	BN_free(f);
	BN_free(be);
	BN_free(pm1);
	BN_free(g);
	BN_free(p);
	BN_CTX_free(ctx);
	return r;
}

/* Our public value and K are at most the prime's size. */
#define DH_VALUE_MAX (HS_DH_GROUP18 / 8)

struct hs_dh_job *hs__dh_job_new(enum hs_dh_group group, const uint8_t *e, size_t elen)
{
	struct hs_dh_job *job = calloc(1, sizeof(*job));
	if (job == NULL)
		return NULL;
	job->group = group;
	job->result = HS_ERR_INTERNAL; /* until run */
	hs__buf_init(&job->e, DH_VALUE_MAX, 0);
	hs__buf_init(&job->f, DH_VALUE_MAX, 0);
	hs__buf_init(&job->k, DH_VALUE_MAX, 1);
	if (elen > DH_VALUE_MAX) {
		job->result = HS_ERR_PROTOCOL; /* longer than any prime: the peer's fault */
	} else if (hs__buf_put(&job->e, e, elen) != 0) {
		hs__dh_job_free(job);
		return NULL;
	}
	return job;
}

void hs__dh_job_run(struct hs_dh_job *job)
{
	if (job->result == HS_ERR_PROTOCOL)
		return;
	job->result = hs__dh_server(job->group, hs__buf_ptr(&job->e), hs__buf_len(&job->e), &job->f, &job->k);
}

void hs__dh_job_free(struct hs_dh_job *job)
{
	if (job == NULL)
		return;
	hs__buf_cleanup(&job->e);
	hs__buf_cleanup(&job->f);
	hs__buf_cleanup(&job->k);
	free(job);
}
