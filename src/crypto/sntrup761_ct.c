/*
 * Constant-time check of sntrup761, run by ctest under valgrind's memcheck
 * (unit.crypto.sntrup761_ct, `valgrind --error-exitcode=1`): the secrets
 * are marked undefined, so that memcheck reports every conditional jump,
 * move or memory address that depends on them ("Conditional jump or move
 * depends on uninitialised value(s)", "Use of uninitialised value"), and
 * the outputs are marked defined again only once the operation is over.
 *
 * Marked secret: the secret key and the ciphertext in decapsulation (the
 * ciphertext is public on the wire, but what decapsulation derives from it
 * is not, and treating it as secret covers both); the random words of
 * encapsulation (the short polynomial r). Key generation as a whole is
 * not run marked, because it branches by design on one fact about a
 * secret: whether the g it drew is invertible mod 3 (a rejected g is
 * discarded, so only its existence leaks). Its pieces are run marked
 * instead, with that one bit declassified as key generation uses it.
 *
 * Run without valgrind, this is an ordinary test of the same calls.
 */
#include <stdint.h>
#include <string.h>

#include <openssl/rand.h>
#include <valgrind/memcheck.h>

#include "crypto/sntrup761.h"
#include "crypto/sntrup761_core.h"
#include "hs_test.h"

#define P HS_SNTRUP761_P

#define SECRET(p, n) VALGRIND_MAKE_MEM_UNDEFINED((p), (n))
#define PUBLIC(p, n) VALGRIND_MAKE_MEM_DEFINED((p), (n))

/* RAND_bytes whose output memcheck takes for secret. */
static int secret_random(void *ctx, uint8_t *out, size_t len)
{
	(void)ctx;
	if (RAND_bytes(out, (int)len) != 1)
		return HS_ERR_CRYPTO;
	SECRET(out, len);
	return 0;
}

static void test_encaps_decaps(void)
{
	static uint8_t pk[HS_SNTRUP761_PK_LEN], sk[HS_SNTRUP761_SK_LEN], ct[HS_SNTRUP761_CT_LEN];
	static uint8_t sk2[HS_SNTRUP761_SK_LEN], ct2[HS_SNTRUP761_CT_LEN];
	uint8_t ss[HS_SNTRUP761_SS_LEN], ss2[HS_SNTRUP761_SS_LEN];

	REQUIRE(hs__sntrup761_keygen(pk, sk) == 0);
	for (int round = 0; round < 2; round++) {
		/* encapsulation: r secret, pk public */
		int r = hs__sntrup761_encaps_with(pk, ct, ss, secret_random, NULL);
		PUBLIC(ct, sizeof(ct));
		PUBLIC(ss, sizeof(ss));
		CHECK_EQ_INT(r, 0);

		/* decapsulation of the real ciphertext, then of a changed one
		 * (the implicit-rejection path); sk and ct secret */
		for (int tamper = 0; tamper < 2; tamper++) {
			memcpy(sk2, sk, sizeof(sk));
			memcpy(ct2, ct, sizeof(ct));
			if (tamper)
				ct2[round == 0 ? 3 : HS_SNTRUP761_CT_LEN - 1] ^= 0x10;
			SECRET(sk2, sizeof(sk2));
			SECRET(ct2, sizeof(ct2));
			r = hs__sntrup761_decaps(sk2, ct2, ss2);
			PUBLIC(ss2, sizeof(ss2));
			CHECK_EQ_INT(r, 0);
			CHECK(tamper ? memcmp(ss, ss2, sizeof(ss)) != 0 : memcmp(ss, ss2, sizeof(ss)) == 0);
		}
	}
}

/* Key generation's steps on secret random words. */
static void test_keygen_pieces(void)
{
	static uint32_t words[P];
	static int8_t g[P], ginv[P], f[P];
	static int16_t finv[P], h[P];
	static uint8_t pk[HS_SNTRUP761_PK_LEN], fenc[HS_SNTRUP761_SMALL_BYTES], genc[HS_SNTRUP761_SMALL_BYTES];
	int invertible;

	do {
		REQUIRE(secret_random(NULL, (uint8_t *)words, sizeof(words)) == 0);
		hs__sntrup761_small_fromlist(g, words);
		invertible = hs__sntrup761_r3_recip(ginv, g);
		PUBLIC(&invertible, sizeof(invertible)); /* the one declassified bit */
	} while (invertible != 0);
	REQUIRE(secret_random(NULL, (uint8_t *)words, sizeof(words)) == 0);
	hs__sntrup761_short_fromlist(f, words);
	int r = hs__sntrup761_rq_recip3(finv, f);
	PUBLIC(&r, sizeof(r));
	CHECK_EQ_INT(r, 0);
	hs__sntrup761_rq_mult_small(h, finv, g);
	hs__sntrup761_rq_encode(pk, h);
	hs__sntrup761_small_encode(fenc, f);
	hs__sntrup761_small_encode(genc, ginv);
	int w = hs__sntrup761_weight_mask(f);
	PUBLIC(&w, sizeof(w));
	CHECK_EQ_INT(w, 0);
}

int main(void)
{
	if (!RUNNING_ON_VALGRIND)
		fprintf(stderr, "sntrup761_ct: not under valgrind, so no constant-time check\n");
	test_encaps_decaps();
	test_keygen_pieces();
	return hs_test_done();
}
