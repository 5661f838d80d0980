/*
 * Fuzz target for what a peer can hand ML-KEM-768: an encapsulation key
 * (the server's side of mlkem768x25519-sha256) and a ciphertext (the
 * client's side).
 *
 * Byte 0 picks what the rest is:
 *   even: an encapsulation key of any length. hs__mlkem768_check_ek must
 *         accept it exactly when hs__mlkem768_encaps does (a full-length
 *         one), and an accepted key must encapsulate.
 *   odd:  a ciphertext (cut or zero-padded to 1088 bytes) for a fixed key
 *         pair (d[i] = i, z[i] = 0x80 + i): decaps must succeed, give the
 *         same secret twice, and give encaps' own secret when the input is
 *         a ciphertext encapsulated to that key (the corpus has some).
 * Anything else aborts.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/mlkem768.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t fixed_ek[HS_MLKEM768_EK_LEN], fixed_dk[HS_MLKEM768_DK_LEN];

static void fixed_keys(void)
{
	static int ready;
	uint8_t d[32], z[32];

	if (ready)
		return;
	for (int i = 0; i < 32; i++) {
		d[i] = (uint8_t)i;
		z[i] = (uint8_t)(0x80 + i);
	}
	if (hs__mlkem768_keygen_derand(d, z, fixed_ek, fixed_dk) != 0)
		abort();
	ready = 1;
}

static void fuzz_ek(const uint8_t *p, size_t n)
{
	uint8_t *ek = malloc(n ? n : 1); /* exact size, for a sanitizer */
	uint8_t ct[HS_MLKEM768_CT_LEN], ss[32];

	if (ek == NULL)
		return;
	memcpy(ek, p, n);
	int checked = hs__mlkem768_check_ek(ek, n);
	if (checked != 0 && checked != HS_ERR_FORMAT)
		abort();
	if (n == HS_MLKEM768_EK_LEN) {
		int r = hs__mlkem768_encaps(ek, ct, ss);
		if (r != checked)
			abort(); /* the check and encaps disagree */
	} else if (checked == 0) {
		abort(); /* a wrong length accepted */
	}
	free(ek);
}

static void fuzz_ct(const uint8_t *p, size_t n)
{
	uint8_t ct[HS_MLKEM768_CT_LEN], ss[32], ss2[32], ct2[HS_MLKEM768_CT_LEN], m[32], k[32];

	fixed_keys();
	memset(ct, 0, sizeof(ct));
	memcpy(ct, p, n < sizeof(ct) ? n : sizeof(ct));
	if (hs__mlkem768_decaps(fixed_dk, ct, ss) != 0 || hs__mlkem768_decaps(fixed_dk, ct, ss2) != 0 ||
	    memcmp(ss, ss2, sizeof(ss)) != 0)
		abort();
	/* Inputs longer than a ciphertext carry the m it was made with. */
	if (n >= sizeof(ct) + sizeof(m)) {
		memcpy(m, p + sizeof(ct), sizeof(m));
		if (hs__mlkem768_encaps_derand(fixed_ek, m, ct2, k) != 0)
			abort();
		if (memcmp(ct2, ct, sizeof(ct)) == 0 && memcmp(k, ss, sizeof(k)) != 0)
			abort(); /* an honest ciphertext decapsulated wrongly */
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	if ((data[0] & 1) == 0)
		fuzz_ek(data + 1, size - 1);
	else
		fuzz_ct(data + 1, size - 1);
	return 0;
}
