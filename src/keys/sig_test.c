/*
 * Tests of signatures: Ed25519 against RFC 8032's first test vector (our
 * signer and verifier both), RSA and ECDSA signatures made independently
 * with libcrypto from the PEM copies of the ssh-keygen fixtures and wrapped
 * in SSH signature blobs; every tampering (bit flips in signature and data,
 * wrong or refused algorithm names, trailing and missing bytes, out of
 * range ECDSA values) must be refused.
 */
#include "keys/sig.h"

#include <stdint.h>
#include <stdlib.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include "hs_test.h"
#include "keys/key_priv.h"
#include "keys/key_testutil.h"
#include "wire/buf.h"

static const uint8_t msg[] = "exchange hash stand-in: hostsd signature test";

/* string alg, string raw */
static void wrap(struct hs_buf *out, const char *alg, const uint8_t *raw, size_t rawlen)
{
	hs__buf_reset(out);
	CHECK_EQ_INT(hs__buf_put_cstring(out, alg), 0);
	CHECK_EQ_INT(hs__buf_put_string(out, raw, rawlen), 0);
}

static int verify_buf(const struct hs_key *k, const char *alg, const struct hs_buf *sig, const uint8_t *data,
                      size_t len)
{
	return hs__key_verify(k, alg, hs__buf_ptr(sig), hs__buf_len(sig), data, len);
}

/* Every single-bit flip of sig, and of the data, fails to verify. Bits of
 * the length fields and the name may give other codes, but never 0. */
static void check_tampering(const struct hs_key *k, const char *alg, const struct hs_buf *sig, size_t raw_at)
{
	size_t n = hs__buf_len(sig);
	uint8_t *s = malloc(n), d[sizeof msg];
	if (s == NULL) {
		CHECK(0);
		return;
	}
	memcpy(s, hs__buf_ptr(sig), n);
	CHECK_EQ_INT(hs__key_verify(k, alg, s, n, msg, sizeof msg), 0);
	int all = 1, sigerr = 1;
	for (size_t i = 0; i < n * 8; i++) {
		s[i / 8] ^= (uint8_t)(1u << (i % 8));
		int r = hs__key_verify(k, alg, s, n, msg, sizeof msg);
		all &= r != 0;
		if (i / 8 >= raw_at)
			sigerr &= r == HS_ERR_SIGNATURE || r == HS_ERR_FORMAT;
		s[i / 8] ^= (uint8_t)(1u << (i % 8));
	}
	CHECK(all);
	CHECK(sigerr);
	memcpy(d, msg, sizeof msg);
	all = 1;
	for (size_t i = 0; i < sizeof d * 8; i++) {
		d[i / 8] ^= (uint8_t)(1u << (i % 8));
		all &= hs__key_verify(k, alg, s, n, d, sizeof d) == HS_ERR_SIGNATURE;
		d[i / 8] ^= (uint8_t)(1u << (i % 8));
	}
	CHECK(all);
	CHECK_EQ_INT(hs__key_verify(k, alg, s, n, msg, sizeof msg - 1), HS_ERR_SIGNATURE);
	/* Every strict prefix is malformed. */
	all = 1;
	for (size_t i = 0; i < n; i++)
		all &= hs__key_verify(k, alg, s, i, msg, sizeof msg) == HS_ERR_FORMAT;
	CHECK(all);
	/* A trailing byte after the blob. */
	uint8_t *t = malloc(n + 1);
	if (t != NULL) {
		memcpy(t, s, n);
		t[n] = 0;
		CHECK_EQ_INT(hs__key_verify(k, alg, t, n + 1, msg, sizeof msg), HS_ERR_FORMAT);
		free(t);
	}
	free(s);
}

/* RFC 8032 §7.1, TEST 1. */
static const char rfc8032_secret[] = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
static const char rfc8032_public[] = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";
static const char rfc8032_sig[] =
	"e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc6"
	"1e39701cf9b46bd25bf5f0595bbe24655141438e7a100b";

static void test_ed25519_vector(void)
{
	uint8_t seed[32], pub[32], sig[64];
	struct hs_hostkey *hk = NULL;
	struct hs_buf out, expect;
	hs__buf_init(&out, 1024, 0);
	hs__buf_init(&expect, 1024, 0);
	CHECK_EQ_INT(hs_test_unhex(rfc8032_secret, seed, sizeof seed), 32);
	CHECK_EQ_INT(hs_test_unhex(rfc8032_public, pub, sizeof pub), 32);
	CHECK_EQ_INT(hs_test_unhex(rfc8032_sig, sig, sizeof sig), 64);
	CHECK_EQ_INT(hs__hostkey_from_seed(seed, &hk), 0);
	if (hk == NULL)
		goto out;
	const struct hs_key *k = hs_hostkey_public(hk);
	size_t blen;
	const uint8_t *blob = hs_key_blob(k, &blen);
	CHECK_EQ_INT(blen, 4 + 11 + 4 + 32);
	CHECK(blen == 51 && memcmp(blob + 19, pub, 32) == 0);
	/* Signing the empty message gives the RFC's signature. */
	CHECK_EQ_INT(hs__buf_put_u8(&out, 0xaa), 0); /* appended after what is there */
	CHECK_EQ_INT(hs__hostkey_sign(hk, "ssh-ed25519", NULL, 0, &out), 0);
	CHECK_EQ_INT(hs__buf_put_u8(&expect, 0xaa), 0);
	CHECK_EQ_INT(hs__buf_put_cstring(&expect, "ssh-ed25519"), 0);
	CHECK_EQ_INT(hs__buf_put_string(&expect, sig, sizeof sig), 0);
	CHECK_EQ_INT(hs__buf_len(&out), hs__buf_len(&expect));
	CHECK(hs__buf_len(&out) == hs__buf_len(&expect) &&
	      memcmp(hs__buf_ptr(&out), hs__buf_ptr(&expect), hs__buf_len(&out)) == 0);
	CHECK_EQ_INT(hs__key_verify(k, "ssh-ed25519", hs__buf_ptr(&out) + 1, hs__buf_len(&out) - 1, NULL, 0), 0);
	CHECK_EQ_INT(hs__key_verify(k, "ssh-ed25519", hs__buf_ptr(&out) + 1, hs__buf_len(&out) - 1, (const uint8_t *)"",
	                            0),
	             0);
	CHECK_EQ_INT(hs__key_verify(k, "ssh-ed25519", hs__buf_ptr(&out) + 1, hs__buf_len(&out) - 1, msg, 1),
	             HS_ERR_SIGNATURE);
	/* Refused algorithms leave out as it was. */
	size_t before = hs__buf_len(&out);
	CHECK_EQ_INT(hs__hostkey_sign(hk, "rsa-sha2-256", msg, sizeof msg, &out), HS_ERR_KEY_TYPE);
	CHECK_EQ_INT(hs__hostkey_sign(hk, "ssh-rsa", msg, sizeof msg, &out), HS_ERR_KEY_TYPE);
	CHECK_EQ_INT(hs__buf_len(&out), before);
	/* A full buffer: nothing half-written. */
	struct hs_buf tiny;
	hs__buf_init(&tiny, 40, 0);
	CHECK(hs__hostkey_sign(hk, "ssh-ed25519", msg, sizeof msg, &tiny) != 0);
	CHECK_EQ_INT(hs__buf_len(&tiny), 0);
	hs__buf_cleanup(&tiny);
out:
	hs_hostkey_free(hk);
	hs__buf_cleanup(&out);
	hs__buf_cleanup(&expect);
}

static void test_ed25519_sign_verify(void)
{
	struct hs_hostkey *hk = NULL, *other = NULL;
	struct hs_buf sig, raw;
	hs__buf_init(&sig, 1024, 0);
	hs__buf_init(&raw, 1024, 0);
	CHECK_EQ_INT(hs_hostkey_generate(HS_KEY_ED25519, &hk), 0);
	CHECK_EQ_INT(hs_hostkey_generate(HS_KEY_ED25519, &other), 0);
	if (hk == NULL || other == NULL)
		goto out;
	const struct hs_key *k = hs_hostkey_public(hk);
	CHECK_EQ_INT(hs__hostkey_sign(hk, "ssh-ed25519", msg, sizeof msg, &sig), 0);
	check_tampering(k, "ssh-ed25519", &sig, 4 + 11 + 4);
	/* Another key's signature. */
	CHECK_EQ_INT(verify_buf(hs_hostkey_public(other), "ssh-ed25519", &sig, msg, sizeof msg), HS_ERR_SIGNATURE);
	/* Names: the request's and the blob's must agree and be allowed. */
	CHECK_EQ_INT(verify_buf(k, "ssh-rsa", &sig, msg, sizeof msg), HS_ERR_KEY_TYPE);
	CHECK_EQ_INT(verify_buf(k, "rsa-sha2-256", &sig, msg, sizeof msg), HS_ERR_KEY_TYPE);
	CHECK_EQ_INT(verify_buf(k, "", &sig, msg, sizeof msg), HS_ERR_KEY_TYPE);
	struct hs_view v = hs__buf_view(&sig);
	struct hs_bytes name, rs;
	CHECK_EQ_INT(hs__view_get_string(&v, &name), 0);
	CHECK_EQ_INT(hs__view_get_string(&v, &rs), 0);
	uint8_t r64[65];
	memcpy(r64, rs.ptr, 64);
	r64[64] = 0;
	wrap(&raw, "ssh-ed25519x", r64, 64);
	CHECK_EQ_INT(verify_buf(k, "ssh-ed25519", &raw, msg, sizeof msg), HS_ERR_KEY_TYPE);
	wrap(&raw, "ssh-ed25519", r64, 63);
	CHECK_EQ_INT(verify_buf(k, "ssh-ed25519", &raw, msg, sizeof msg), HS_ERR_FORMAT);
	wrap(&raw, "ssh-ed25519", r64, 65);
	CHECK_EQ_INT(verify_buf(k, "ssh-ed25519", &raw, msg, sizeof msg), HS_ERR_FORMAT);
	wrap(&raw, "ssh-ed25519", r64, 64);
	CHECK_EQ_INT(verify_buf(k, "ssh-ed25519", &raw, msg, sizeof msg), 0);
	CHECK_EQ_INT(hs__key_alg_allowed(k, "ssh-ed25519"), 1);
	CHECK_EQ_INT(hs__key_alg_allowed(k, "ecdsa-sha2-nistp256"), 0);
	CHECK_EQ_INT(hs__key_alg_allowed(k, NULL), 0);
	CHECK_EQ_INT(hs__key_verify(NULL, "ssh-ed25519", r64, 10, msg, 1), HS_ERR_INVALID_ARG);
	CHECK_EQ_INT(hs__key_verify(k, "ssh-ed25519", NULL, 10, msg, 1), HS_ERR_INVALID_ARG);
out:
	hs_hostkey_free(hk);
	hs_hostkey_free(other);
	hs__buf_cleanup(&sig);
	hs__buf_cleanup(&raw);
}

static EVP_PKEY *load_pem(const char *name)
{
	char path[256];
	snprintf(path, sizeof path, KEYDIR "%s.pem", name);
	BIO *bio = BIO_new_file(path, "r");
	EVP_PKEY *pk = bio != NULL ? PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL) : NULL;
	BIO_free(bio);
	if (pk == NULL)
		fprintf(stderr, "cannot load %s\n", path);
	return pk;
}

/* A libcrypto signature of msg (DER for ECDSA, raw for RSA). */
static int sign_with(EVP_PKEY *pk, const EVP_MD *md, int rsa, uint8_t *sig, size_t *siglen)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	EVP_PKEY_CTX *pctx = NULL;
	int ok = ctx != NULL && EVP_DigestSignInit(ctx, &pctx, md, NULL, pk) == 1 &&
	         (!rsa || EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) == 1) &&
	         EVP_DigestSign(ctx, sig, siglen, msg, sizeof msg) == 1;
	EVP_MD_CTX_free(ctx);
	return ok ? 0 : -1;
}

/* A signature that starts with a zero byte, sent without it (as PuTTY
 * does): verifies. Messages are tried until one's signature starts so
 * (one in 256). */
static void test_rsa_leading_zero(EVP_PKEY *pk, const struct hs_key *k)
{
	uint8_t m[32], raw[1024];
	size_t rawlen = 0;
	struct hs_buf sig;
	int found = 0;
	memset(m, 0, sizeof m);
	for (uint32_t i = 0; i < 20000 && !found; i++) {
		memcpy(m, &i, sizeof i);
		EVP_MD_CTX *ctx = EVP_MD_CTX_new();
		EVP_PKEY_CTX *pctx = NULL;
		rawlen = sizeof raw;
		REQUIRE(ctx != NULL && EVP_DigestSignInit(ctx, &pctx, EVP_sha256(), NULL, pk) == 1 &&
		        EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) == 1 &&
		        EVP_DigestSign(ctx, raw, &rawlen, m, sizeof m) == 1);
		EVP_MD_CTX_free(ctx);
		found = raw[0] == 0;
	}
	REQUIRE(found);
	hs__buf_init(&sig, 4096, 0);
	wrap(&sig, "rsa-sha2-256", raw + 1, rawlen - 1);
	CHECK_EQ_INT(verify_buf(k, "rsa-sha2-256", &sig, m, sizeof m), 0);
	wrap(&sig, "rsa-sha2-256", raw, rawlen);
	CHECK_EQ_INT(verify_buf(k, "rsa-sha2-256", &sig, m, sizeof m), 0);
	m[0] ^= 1;
	wrap(&sig, "rsa-sha2-256", raw + 1, rawlen - 1);
	CHECK_EQ_INT(verify_buf(k, "rsa-sha2-256", &sig, m, sizeof m), HS_ERR_SIGNATURE);
	hs__buf_cleanup(&sig);
}

static void test_rsa(void)
{
	EVP_PKEY *pk = load_pem("rsa3072");
	struct hs_key *k = kt_load_pub("rsa3072");
	struct hs_key *ed = kt_load_pub("ed25519");
	struct hs_buf sig;
	uint8_t raw[1024], padded[1025];
	size_t rawlen;
	hs__buf_init(&sig, 4096, 0);
	CHECK(pk != NULL && k != NULL && ed != NULL);
	if (pk == NULL || k == NULL || ed == NULL)
		goto out;
	CHECK_EQ_INT(hs__key_alg_allowed(k, "rsa-sha2-256"), 1);
	CHECK_EQ_INT(hs__key_alg_allowed(k, "rsa-sha2-512"), 1);
	CHECK_EQ_INT(hs__key_alg_allowed(k, "ssh-rsa"), 0);
	CHECK_EQ_INT(hs__key_alg_allowed(k, "ssh-ed25519"), 0);

	/* SHA-256 */
	rawlen = sizeof raw;
	CHECK_EQ_INT(sign_with(pk, EVP_sha256(), 1, raw, &rawlen), 0);
	CHECK_EQ_INT(rawlen, 384);
	wrap(&sig, "rsa-sha2-256", raw, rawlen);
	CHECK_EQ_INT(verify_buf(k, "rsa-sha2-256", &sig, msg, sizeof msg), 0);
	check_tampering(k, "rsa-sha2-256", &sig, 4 + 12 + 4);
	/* The same signature under the other hash's name. */
	wrap(&sig, "rsa-sha2-512", raw, rawlen);
	CHECK_EQ_INT(verify_buf(k, "rsa-sha2-512", &sig, msg, sizeof msg), HS_ERR_SIGNATURE);
	CHECK_EQ_INT(verify_buf(k, "rsa-sha2-256", &sig, msg, sizeof msg), HS_ERR_KEY_TYPE);
	/* A signature one byte longer than the modulus is malformed; one byte
	 * shorter is read as having lost a leading zero, which this one had
	 * not, so it does not verify. */
	padded[0] = 0;
	memcpy(padded + 1, raw, rawlen);
	wrap(&sig, "rsa-sha2-256", padded, rawlen + 1);
	CHECK_EQ_INT(verify_buf(k, "rsa-sha2-256", &sig, msg, sizeof msg), HS_ERR_FORMAT);
	wrap(&sig, "rsa-sha2-256", raw + 1, rawlen - 1);
	CHECK_EQ_INT(verify_buf(k, "rsa-sha2-256", &sig, msg, sizeof msg), HS_ERR_SIGNATURE);
	wrap(&sig, "rsa-sha2-256", raw, 0);
	CHECK_EQ_INT(verify_buf(k, "rsa-sha2-256", &sig, msg, sizeof msg), HS_ERR_FORMAT);
	test_rsa_leading_zero(pk, k);
	/* An RSA signature offered for an Ed25519 key. */
	wrap(&sig, "rsa-sha2-256", raw, rawlen);
	CHECK_EQ_INT(verify_buf(ed, "rsa-sha2-256", &sig, msg, sizeof msg), HS_ERR_KEY_TYPE);

	/* SHA-512 */
	rawlen = sizeof raw;
	CHECK_EQ_INT(sign_with(pk, EVP_sha512(), 1, raw, &rawlen), 0);
	wrap(&sig, "rsa-sha2-512", raw, rawlen);
	CHECK_EQ_INT(verify_buf(k, "rsa-sha2-512", &sig, msg, sizeof msg), 0);
	check_tampering(k, "rsa-sha2-512", &sig, 4 + 12 + 4);

	/* SHA-1 "ssh-rsa": a genuine signature, refused by name. */
	rawlen = sizeof raw;
	CHECK_EQ_INT(sign_with(pk, EVP_sha1(), 1, raw, &rawlen), 0);
	wrap(&sig, "ssh-rsa", raw, rawlen);
	CHECK_EQ_INT(verify_buf(k, "ssh-rsa", &sig, msg, sizeof msg), HS_ERR_KEY_TYPE);
	CHECK_EQ_INT(verify_buf(k, "rsa-sha2-256", &sig, msg, sizeof msg), HS_ERR_KEY_TYPE);
	wrap(&sig, "rsa-sha2-256", raw, rawlen);
	CHECK_EQ_INT(verify_buf(k, "rsa-sha2-256", &sig, msg, sizeof msg), HS_ERR_SIGNATURE);
out:
	EVP_PKEY_free(pk);
	hs_key_free(k);
	hs_key_free(ed);
	hs__buf_cleanup(&sig);
}

/* The SSH form of an ECDSA signature: mpint r, mpint s. */
static void ecdsa_raw(struct hs_buf *raw, const BIGNUM *r, const BIGNUM *s)
{
	uint8_t rb[80], sb[80];
	int rl = BN_bn2bin(r, rb), sl = BN_bn2bin(s, sb);
	hs__buf_reset(raw);
	CHECK_EQ_INT(hs__buf_put_mpint_bytes(raw, rb, (size_t)rl), 0);
	CHECK_EQ_INT(hs__buf_put_mpint_bytes(raw, sb, (size_t)sl), 0);
}

static void test_ecdsa(void)
{
	static const char *const fix[] = { "ecdsa256", "ecdsa384", "ecdsa521" };
	static const char *const algs[] = { "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521" };
	const EVP_MD *mds[] = { EVP_sha256(), EVP_sha384(), EVP_sha512() };
	for (int i = 0; i < 3; i++) {
		EVP_PKEY *pk = load_pem(fix[i]);
		struct hs_key *k = kt_load_pub(fix[i]), *other = kt_load_pub(fix[(i + 1) % 3]);
		struct hs_buf sig, raw;
		uint8_t der[256];
		size_t derlen = sizeof der;
		ECDSA_SIG *es = NULL;
		BIGNUM *big = NULL;
		hs__buf_init(&sig, 4096, 0);
		hs__buf_init(&raw, 4096, 0);
		CHECK(pk != NULL && k != NULL && other != NULL);
		if (pk == NULL || k == NULL || other == NULL)
			goto next;
		CHECK_EQ_INT(hs__key_alg_allowed(k, algs[i]), 1);
		CHECK_EQ_INT(hs__key_alg_allowed(k, algs[(i + 1) % 3]), 0);
		CHECK_EQ_INT(sign_with(pk, mds[i], 0, der, &derlen), 0);
		const unsigned char *dp = der;
		es = d2i_ECDSA_SIG(NULL, &dp, (long)derlen);
		CHECK(es != NULL);
		if (es == NULL)
			goto next;
		const BIGNUM *r = ECDSA_SIG_get0_r(es), *s = ECDSA_SIG_get0_s(es);
		ecdsa_raw(&raw, r, s);
		wrap(&sig, algs[i], hs__buf_ptr(&raw), hs__buf_len(&raw));
		CHECK_EQ_INT(verify_buf(k, algs[i], &sig, msg, sizeof msg), 0);
		check_tampering(k, algs[i], &sig, 4 + strlen(algs[i]) + 4);
		/* Another curve's key and name. */
		CHECK_EQ_INT(verify_buf(other, algs[i], &sig, msg, sizeof msg), HS_ERR_KEY_TYPE);
		CHECK_EQ_INT(verify_buf(k, algs[(i + 1) % 3], &sig, msg, sizeof msg), HS_ERR_KEY_TYPE);
		/* r and s swapped. */
		ecdsa_raw(&raw, s, r);
		wrap(&sig, algs[i], hs__buf_ptr(&raw), hs__buf_len(&raw));
		CHECK_EQ_INT(verify_buf(k, algs[i], &sig, msg, sizeof msg), HS_ERR_SIGNATURE);
		/* Trailing bytes inside the raw signature. */
		ecdsa_raw(&raw, r, s);
		CHECK_EQ_INT(hs__buf_put_u8(&raw, 0), 0);
		wrap(&sig, algs[i], hs__buf_ptr(&raw), hs__buf_len(&raw));
		CHECK_EQ_INT(verify_buf(k, algs[i], &sig, msg, sizeof msg), HS_ERR_FORMAT);
		/* s missing. */
		hs__buf_reset(&raw);
		uint8_t rb[80];
		int rl = BN_bn2bin(r, rb);
		CHECK_EQ_INT(hs__buf_put_mpint_bytes(&raw, rb, (size_t)rl), 0);
		wrap(&sig, algs[i], hs__buf_ptr(&raw), hs__buf_len(&raw));
		CHECK_EQ_INT(verify_buf(k, algs[i], &sig, msg, sizeof msg), HS_ERR_FORMAT);
		/* r = 0, and r = n + r (too large: the same residue). */
		big = BN_new();
		CHECK(big != NULL);
		if (big == NULL)
			goto next;
		BN_zero(big);
		ecdsa_raw(&raw, big, s);
		wrap(&sig, algs[i], hs__buf_ptr(&raw), hs__buf_len(&raw));
		CHECK_EQ_INT(verify_buf(k, algs[i], &sig, msg, sizeof msg), HS_ERR_SIGNATURE);
		{
			EC_GROUP *g = EC_GROUP_new_by_curve_name(i == 0   ? NID_X9_62_prime256v1
			                                         : i == 1 ? NID_secp384r1
			                                                  : NID_secp521r1);
			CHECK(g != NULL && BN_add(big, r, EC_GROUP_get0_order(g)) == 1);
			ecdsa_raw(&raw, big, s);
			wrap(&sig, algs[i], hs__buf_ptr(&raw), hs__buf_len(&raw));
			CHECK_EQ_INT(verify_buf(k, algs[i], &sig, msg, sizeof msg), HS_ERR_SIGNATURE);
			EC_GROUP_free(g);
		}
		/* Negative s (a set top bit without the sign byte). */
		hs__buf_reset(&raw);
		CHECK_EQ_INT(hs__buf_put_mpint_bytes(&raw, rb, (size_t)rl), 0);
		CHECK_EQ_INT(hs__buf_put_string(&raw, "\x80\x01", 2), 0);
		wrap(&sig, algs[i], hs__buf_ptr(&raw), hs__buf_len(&raw));
		CHECK_EQ_INT(verify_buf(k, algs[i], &sig, msg, sizeof msg), HS_ERR_FORMAT);
		/* A DER signature as the raw part (what a confused client sends). */
		wrap(&sig, algs[i], der, derlen);
		CHECK(verify_buf(k, algs[i], &sig, msg, sizeof msg) != 0);
	next:
		BN_free(big);
		ECDSA_SIG_free(es);
		EVP_PKEY_free(pk);
		hs_key_free(k);
		hs_key_free(other);
		hs__buf_cleanup(&sig);
		hs__buf_cleanup(&raw);
	}
}

int main(void)
{
	test_ed25519_vector();
	test_ed25519_sign_verify();
	test_rsa();
	test_ecdsa();
	return hs_test_done();
}
