/*
 * Built only when libcrypto has ML-KEM (OpenSSL 3.5+, HS_HAVE_OPENSSL_MLKEM)
 * and the engine uses it: hs__mlkem768_keygen/encaps/decaps are then
 * libcrypto's, and this test checks that they agree with the project's own
 * (hs__mlkem768_*_derand, hs__mlkem768_own_*), both ways, implicit
 * rejection included, and that libcrypto's key generation from a seed
 * gives the keys of ours.
 */
#include "crypto/mlkem768.h"

#include <stdint.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include "hs_test.h"

#define ROUNDS 50

/* libcrypto's key pair for the seed d || z (its "seed" keygen parameter). */
static int ossl_keygen_seed(const uint8_t seed[64], uint8_t ek[HS_MLKEM768_EK_LEN], uint8_t dk[HS_MLKEM768_DK_LEN])
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "ML-KEM-768", NULL);
	EVP_PKEY *key = NULL;
	OSSL_PARAM params[2];
	uint8_t seed_copy[64]; /* OSSL_PARAM takes a non-const pointer */
	size_t ek_len = HS_MLKEM768_EK_LEN, dk_len = HS_MLKEM768_DK_LEN;
	int ok;

	memcpy(seed_copy, seed, sizeof(seed_copy));
	params[0] = OSSL_PARAM_construct_octet_string("seed", seed_copy, sizeof(seed_copy));
	params[1] = OSSL_PARAM_construct_end();
	ok = ctx != NULL && EVP_PKEY_keygen_init(ctx) == 1 && EVP_PKEY_CTX_set_params(ctx, params) == 1 &&
	     EVP_PKEY_keygen(ctx, &key) == 1 && EVP_PKEY_get_raw_public_key(key, ek, &ek_len) == 1 &&
	     EVP_PKEY_get_raw_private_key(key, dk, &dk_len) == 1 && ek_len == HS_MLKEM768_EK_LEN &&
	     dk_len == HS_MLKEM768_DK_LEN;
	OPENSSL_cleanse(seed_copy, sizeof(seed_copy));
	EVP_PKEY_free(key);
	EVP_PKEY_CTX_free(ctx);
	return ok ? 0 : -1;
}

static void test_agree(void)
{
	static uint8_t ek[HS_MLKEM768_EK_LEN], dk[HS_MLKEM768_DK_LEN], ek2[HS_MLKEM768_EK_LEN], dk2[HS_MLKEM768_DK_LEN];
	uint8_t seed[64], m[32], ct[HS_MLKEM768_CT_LEN], ss[32], ss2[32], ss3[32];

	for (int i = 0; i < ROUNDS; i++) {
		REQUIRE(RAND_bytes(seed, sizeof(seed)) == 1 && RAND_bytes(m, sizeof(m)) == 1);
		/* Key generation from the same seed. */
		CHECK_EQ_INT(hs__mlkem768_keygen_derand(seed, seed + 32, ek, dk), 0);
		CHECK_EQ_INT(ossl_keygen_seed(seed, ek2, dk2), 0);
		CHECK_MEM(ek, ek2, sizeof(ek));
		CHECK_MEM(dk, dk2, sizeof(dk));
		/* libcrypto encapsulates, both decapsulate. */
		CHECK_EQ_INT(hs__mlkem768_encaps(ek, ct, ss), 0);
		CHECK_EQ_INT(hs__mlkem768_own_decaps(dk, ct, ss2), 0);
		CHECK_MEM(ss, ss2, 32);
		/* Ours encapsulates, libcrypto decapsulates. */
		CHECK_EQ_INT(hs__mlkem768_encaps_derand(ek, m, ct, ss), 0);
		CHECK_EQ_INT(hs__mlkem768_decaps(dk, ct, ss2), 0);
		CHECK_MEM(ss, ss2, 32);
		/* The same implicit rejection. */
		ct[i % HS_MLKEM768_CT_LEN] ^= 1;
		CHECK_EQ_INT(hs__mlkem768_decaps(dk, ct, ss2), 0);
		CHECK_EQ_INT(hs__mlkem768_own_decaps(dk, ct, ss3), 0);
		CHECK_MEM(ss2, ss3, 32);
		CHECK(memcmp(ss, ss2, 32) != 0);
	}
	/* libcrypto's random key pair works with ours. */
	CHECK_EQ_INT(hs__mlkem768_keygen(ek, dk), 0);
	CHECK_EQ_INT(hs__mlkem768_check_dk(dk, sizeof(dk)), 0);
	CHECK_EQ_INT(hs__mlkem768_own_encaps(ek, ct, ss), 0);
	CHECK_EQ_INT(hs__mlkem768_decaps(dk, ct, ss2), 0);
	CHECK_MEM(ss, ss2, 32);
	/* Both refuse a key over the modulus (ours checks before libcrypto). */
	memset(ek, 0xff, 384);
	CHECK_EQ_INT(hs__mlkem768_encaps(ek, ct, ss), HS_ERR_FORMAT);
	CHECK_EQ_INT(hs__mlkem768_own_encaps(ek, ct, ss), HS_ERR_FORMAT);
}

int main(void)
{
	test_agree();
	return hs_test_done();
}
