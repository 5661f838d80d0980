/*
 * Fuzz target for sntrup761 on what a peer controls: the public key a
 * client sends (the server encapsulates to it) and the ciphertext a server
 * sends (decapsulation, on a client). Neither may crash, fail, or read
 * past its input, for any bytes and any length.
 *
 * Input: byte 0 picks the case, the rest is its data.
 *   0: rest is a public key for hs__sntrup761_encaps_len; encapsulating
 *      twice with the same random bytes must give the same ciphertext
 *      and key.
 *   1: rest is a ciphertext for hs__sntrup761_decaps_len under a fixed
 *      key pair; decapsulating twice must give the same key.
 *   2: rest seeds the random bytes of an encapsulation to the fixed
 *      public key; decapsulation must recover the key, and must give
 *      another once a byte of the ciphertext (chosen by the input) changes.
 * The fixed key pair comes from keygen with the random bytes of seed 0.
 * Every broken property aborts. The seed corpus (fuzz/corpus/sntrup761/)
 * is written by src/crypto/testdata/gen_sntrup761_corpus.py.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/sntrup761.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* splitmix64: deterministic random bytes from a 64-bit seed. */
static int seeded_random(void *ctx, uint8_t *out, size_t len)
{
	uint64_t *state = ctx;
	for (size_t i = 0; i < len; i++) {
		uint64_t z = (*state += UINT64_C(0x9e3779b97f4a7c15));
		z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
		z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
		out[i] = (uint8_t)(z ^ (z >> 31));
	}
	return 0;
}

static uint64_t seed_of(const uint8_t *data, size_t size)
{
	uint64_t s = 0;
	for (size_t i = 0; i < size && i < 8; i++)
		s |= (uint64_t)data[i] << (8 * i);
	return s;
}

static uint8_t fixed_pk[HS_SNTRUP761_PK_LEN], fixed_sk[HS_SNTRUP761_SK_LEN];

static void fixed_keys(void)
{
	static int done;
	uint64_t state = 0;
	if (done)
		return;
	if (hs__sntrup761_keygen_with(fixed_pk, fixed_sk, seeded_random, &state) != 0)
		abort();
	done = 1;
}

static void fuzz_encaps(const uint8_t *pk, size_t len)
{
	uint8_t ct[HS_SNTRUP761_CT_LEN], ct2[HS_SNTRUP761_CT_LEN], ss[32], ss2[32];
	uint64_t s1 = 1, s2 = 1;

	if (len != HS_SNTRUP761_PK_LEN) {
		if (hs__sntrup761_encaps_len(pk, len, ct, ss) != HS_ERR_FORMAT)
			abort();
		return;
	}
	/* exact-size heap copy, so that a sanitizer sees a read past it */
	uint8_t *copy = malloc(HS_SNTRUP761_PK_LEN);
	if (copy == NULL)
		return;
	memcpy(copy, pk, HS_SNTRUP761_PK_LEN);
	if (hs__sntrup761_encaps_with(copy, ct, ss, seeded_random, &s1) != 0 ||
	    hs__sntrup761_encaps_with(copy, ct2, ss2, seeded_random, &s2) != 0)
		abort();
	if (memcmp(ct, ct2, sizeof(ct)) != 0 || memcmp(ss, ss2, sizeof(ss)) != 0)
		abort();
	free(copy);
}

static void fuzz_decaps(const uint8_t *ct, size_t len)
{
	uint8_t ss[32], ss2[32];

	fixed_keys();
	if (len != HS_SNTRUP761_CT_LEN) {
		if (hs__sntrup761_decaps_len(fixed_sk, ct, len, ss) != HS_ERR_FORMAT)
			abort();
		return;
	}
	uint8_t *copy = malloc(HS_SNTRUP761_CT_LEN);
	if (copy == NULL)
		return;
	memcpy(copy, ct, HS_SNTRUP761_CT_LEN);
	if (hs__sntrup761_decaps_len(fixed_sk, copy, len, ss) != 0 || hs__sntrup761_decaps(fixed_sk, copy, ss2) != 0 ||
	    memcmp(ss, ss2, sizeof(ss)) != 0)
		abort();
	free(copy);
}

static void fuzz_round_trip(const uint8_t *data, size_t size)
{
	uint8_t ct[HS_SNTRUP761_CT_LEN], ss[32], ss2[32];
	uint64_t state = seed_of(data, size);

	fixed_keys();
	if (hs__sntrup761_encaps_with(fixed_pk, ct, ss, seeded_random, &state) != 0 ||
	    hs__sntrup761_decaps(fixed_sk, ct, ss2) != 0 || memcmp(ss, ss2, sizeof(ss)) != 0)
		abort();
	if (size > 8) {
		size_t pos = (size_t)data[8] * 4 % HS_SNTRUP761_CT_LEN;
		ct[pos] ^= (uint8_t)(size > 9 && data[9] != 0 ? data[9] : 1);
		if (hs__sntrup761_decaps(fixed_sk, ct, ss2) != 0 || memcmp(ss, ss2, sizeof(ss)) == 0)
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	switch (data[0] % 3) {
	case 0:
		fuzz_encaps(data + 1, size - 1);
		break;
	case 1:
		fuzz_decaps(data + 1, size - 1);
		break;
	default:
		fuzz_round_trip(data + 1, size - 1);
		break;
	}
	return 0;
}
