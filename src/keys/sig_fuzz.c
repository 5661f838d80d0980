/*
 * Fuzz target: signature blobs (hs__key_verify). The input is the signature
 * blob; the message and the keys are fixed: an Ed25519 key (RFC 8032 §7.1
 * TEST 1), and, so that the RSA and ECDSA decoders are reached too, the
 * test fixtures' RSA 3072 and ECDSA P-256 keys, each tried with the
 * algorithm the blob names when that key may use it.
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
};

static struct hs_key *keys[3];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t msg[] = "hostsd sig fuzz message";
	static const char *const algs[] = { "ssh-ed25519", "rsa-sha2-256", "rsa-sha2-512", "ssh-rsa",
		                            "ecdsa-sha2-nistp256" };
	if (keys[0] == NULL) {
		for (int i = 0; i < 3; i++)
			if (hs_key_parse_line(key_lines[i], &keys[i], NULL) != 0)
				abort();
	}
	/* Always the Ed25519 key under its own name, whatever the blob says. */
	(void)!hs__key_verify(keys[0], "ssh-ed25519", data, size, msg, sizeof msg - 1);
	struct hs_view v = hs__view_make(data, size);
	struct hs_bytes name;
	if (hs__view_get_string(&v, &name) != 0)
		return 0;
	for (size_t a = 0; a < sizeof algs / sizeof algs[0]; a++) {
		if (!hs__bytes_eq(name, algs[a]))
			continue;
		for (int i = 1; i < 3; i++) {
			int r = hs__key_verify(keys[i], algs[a], data, size, msg, sizeof msg - 1);
			if (r == 0 && !hs__key_alg_allowed(keys[i], algs[a]))
				abort();
		}
	}
	return 0;
}
