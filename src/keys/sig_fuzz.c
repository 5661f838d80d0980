/*
 * Fuzz target: signature blobs (hs__key_verify). The input is the signature
 * blob; the message and the keys are fixed: an Ed25519 key (RFC 8032 §7.1
 * TEST 1) and an angelos-tongues key (the Ed25519 key of seed 00..1f), each
 * always tried under its own name and never verifying under the other's;
 * and, so that the RSA and ECDSA decoders are reached too, the test
 * fixtures' RSA 3072 and ECDSA P-256 keys, each tried with the algorithm
 * the blob names when that key may use it.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hostsd/key.h"
#include "keys/sig.h"
#include "wire/buf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Parenthesised: each key is one literal split over several lines. */
static const char *const key_lines[] = {
	"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAINdamAGCsQq31Uv+08lkBzoO4XLz2qYjJa8CGmj3B1Ea rfc8032-test1",
	/* tests/data/keys/rsa3072.pub */
	("ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABgQDEwqSB/XXP4odUp5PWv5VjqPSXp8i3z64loYpRjrn90GfSuoX++Q5UmeCzUop6"
	 "VIDvymmQtxYFNcIOG2b/95DZcznoZun9xrM518nq5z+h70wOcuKFjxsTiPx738cEi7Qt0KfPRohT5kbGwBmT2XlrVZccYY0P0KWz"
	 "auUZpvNtWnW99c/rHnC6zONz7lsT6RabqLTYEzcNuuS9KDxDZQkdHo8hKJfXWDxS3v0Oz8a2IWBF//qg/ihOPh0eNRASGfdXTMiU"
	 "j+dSbV66y4Uo3tyNiXlBaCgnIMZcOFAJjo4R74J4NyW3ftAuxbbs80jgl1GnnTDvaI76TBiEUAkoQcy3SViSy+6zd4lYrK5DJsW9"
	 "1ytY4XgjeVnjU0z268tmQUz4b32f6IS7FRngl8pVZ+2LPoxnxxl3h6eiNhJ9WQ6s6uXLqAaHjWVnJhLEsTJ5a5YDaifAhxggkdjB"
	 "39ZHBvymQAy12WoXpuSKfXSVJIeTyR6Vk72RBZBFYc7XTYwkDJ8="),
	/* tests/data/keys/ecdsa256.pub */
	("ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBNFJcZP/RB8sHJhBaY1kxu3HJFbs"
	 "4K9CSkW+KUExhzkFf0PPT63N6rc/jayYy+n/ndWtCPCmMHloEuNDgEpFO1w="),
	/* seed 00 01 .. 1f, public key A6EHv/POEL4dcN0Y50vAmWfk1jCbpQ1fHdyGZBJVMbg= */
	("angelos-tongues AAAAD2FuZ2Vsb3MtdG9uZ3Vlc0E2RUh2L1BPRUw0ZGNOMFk1MHZBbVdmazFqQ2JwUTFmSGR5R1pCSlZNYmc9 "
	 "seed-00-1f"),
};

#define NKEYS (sizeof key_lines / sizeof key_lines[0])

static struct hs_key *keys[NKEYS];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t msg[] = "hostsd sig fuzz message";
	static const char *const algs[] = { "ssh-ed25519", "rsa-sha2-256",        "rsa-sha2-512",
		                            "ssh-rsa",     "ecdsa-sha2-nistp256", "angelos-tongues" };
	if (keys[0] == NULL) {
		for (size_t i = 0; i < NKEYS; i++)
			if (hs_key_parse_line(key_lines[i], &keys[i], NULL) != 0)
				abort();
	}
	/* Always the Ed25519 keys under their own names, whatever the blob
	 * says; under each other's names they never verify (the request's
	 * name must match the key blob's type). */
	(void)!hs__key_verify(keys[0], "ssh-ed25519", data, size, msg, sizeof msg - 1);
	(void)!hs__key_verify(keys[3], "angelos-tongues", data, size, msg, sizeof msg - 1);
	if (hs__key_verify(keys[0], "angelos-tongues", data, size, msg, sizeof msg - 1) != HS_ERR_KEY_TYPE ||
	    hs__key_verify(keys[3], "ssh-ed25519", data, size, msg, sizeof msg - 1) != HS_ERR_KEY_TYPE)
		abort();
	struct hs_view v = hs__view_make(data, size);
	struct hs_bytes name;
	if (hs__view_get_string(&v, &name) != 0)
		return 0;
	for (size_t a = 0; a < sizeof algs / sizeof algs[0]; a++) {
		if (!hs__bytes_eq(name, algs[a]))
			continue;
		for (size_t i = 1; i < NKEYS; i++) {
			int r = hs__key_verify(keys[i], algs[a], data, size, msg, sizeof msg - 1);
			if (r == 0 && !hs__key_alg_allowed(keys[i], algs[a]))
				abort();
		}
	}
	return 0;
}
