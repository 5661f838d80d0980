/*
 * Fuzz target for the receiving side of packet protection: what a peer
 * can make hs__cipher_peek_length and hs__cipher_open do.
 *
 * Input: byte 0 picks one of the cipher/MAC suites, bytes 1-4 are the
 * sequence number (big-endian), the rest is what arrived on the wire
 * (packet, then tag). Keys are fixed (key[i] = i, iv[i] = 0x80 + i,
 * mac_key[i] = 0x40 + i) so that src/crypto/testdata/gen_fuzz_corpus.py
 * can seed the corpus with packets that open.
 *
 * Besides "no crash", two properties are checked and abort when broken:
 * a refused packet is left exactly as received, and a packet that opens
 * seals back, under the same keys and number, to exactly the bytes that
 * arrived.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/cipher.h"
#include "wire/buf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct {
	const char *cipher;
	const char *mac;
} suites[] = {
	{ "chacha20-poly1305@openssh.com", NULL },
	{ "aes128-gcm@openssh.com", NULL },
	{ "aes256-gcm@openssh.com", NULL },
	{ "aes128-ctr", "hmac-sha2-256-etm@openssh.com" },
	{ "aes128-ctr", "hmac-sha2-512-etm@openssh.com" },
	{ "aes256-ctr", "hmac-sha2-256-etm@openssh.com" },
	{ "aes256-ctr", "hmac-sha2-512-etm@openssh.com" },
	{ "aes128-ctr", "hmac-sha2-256" },
	{ "aes128-ctr", "hmac-sha2-512" },
	{ "aes256-ctr", "hmac-sha2-256" },
	{ "aes256-ctr", "hmac-sha2-512" },
};

#define NSUITES (sizeof(suites) / sizeof(suites[0]))

static int setup(size_t which, int encrypt, struct hs_cipher_ctx *ctx)
{
	uint8_t key[64], iv[16], mac_key[64];

	for (size_t i = 0; i < sizeof(key); i++) {
		key[i] = (uint8_t)i;
		mac_key[i] = (uint8_t)(0x40 + i);
	}
	for (size_t i = 0; i < sizeof(iv); i++)
		iv[i] = (uint8_t)(0x80 + i);
	return hs__cipher_init(ctx, hs__cipher_by_name(suites[which].cipher), key, iv,
	                       suites[which].mac ? hs__mac_by_name(suites[which].mac) : NULL, mac_key, encrypt);
}

/* Open one packet from exact-size heap copies (so that a sanitizer sees
 * any access past them) and check the two properties. */
static void try_open(size_t which, struct hs_cipher_ctx *rx, uint32_t seqnr, struct hs_bytes p, struct hs_bytes t)
{
	uint8_t *pkt = malloc(p.len ? p.len : 1);
	uint8_t *tag = malloc(t.len ? t.len : 1);
	uint8_t *re = NULL, *re_tag = NULL;
	struct hs_cipher_ctx tx;
	int r;

	memset(&tx, 0, sizeof(tx));
	if (pkt == NULL || tag == NULL)
		goto out;
	memcpy(pkt, p.ptr, p.len);
	memcpy(tag, t.ptr, t.len);
	r = hs__cipher_open(rx, seqnr, pkt, p.len, tag);
	if (r == HS_ERR_MAC && memcmp(pkt, p.ptr, p.len) != 0)
		abort(); /* unauthenticated bytes were changed */
	if (r != 0)
		goto out;
	re = malloc(p.len);
	re_tag = malloc(t.len ? t.len : 1);
	if (re == NULL || re_tag == NULL || setup(which, 1, &tx) != 0)
		goto out;
	memcpy(re, pkt, p.len);
	if (hs__cipher_seal(&tx, seqnr, re, p.len, re_tag) != 0 || memcmp(re, p.ptr, p.len) != 0 ||
	    memcmp(re_tag, t.ptr, t.len) != 0)
		abort(); /* opened something that is not what we would send */
out:
	hs__cipher_cleanup(&tx);
	free(pkt);
	free(tag);
	free(re);
	free(re_tag);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hs_view in = hs__view_make(data, size), wire;
	struct hs_bytes rest, p, t;
	struct hs_cipher_ctx rx;
	uint32_t seqnr, plen;
	uint8_t sel;

	if (hs__view_get_u8(&in, &sel) != 0 || hs__view_get_u32(&in, &seqnr) != 0)
		return 0;
	hs__view_get_rest(&in, &rest);
	size_t which = sel % NSUITES;
	if (setup(which, 0, &rx) != 0)
		return 0;
	size_t tag_len = hs__cipher_tag_len(&rx);

	/* As the packet layer does: learn the length, then take exactly that
	 * packet and its tag, if they are all there. */
	wire = hs__view_make(rest.ptr, rest.len);
	if (rest.len >= 4 && hs__cipher_peek_length(&rx, seqnr, rest.ptr, &plen) == 0 &&
	    hs__view_get_bytes(&wire, 4 + (size_t)plen, &p) == 0 && hs__view_get_bytes(&wire, tag_len, &t) == 0) {
		try_open(which, &rx, seqnr, p, t);
	} else if (rest.len >= tag_len) {
		/* Otherwise treat all but the tag as the packet: this reaches
		 * the shape checks and the length cross-check. */
		wire = hs__view_make(rest.ptr, rest.len);
		if (hs__view_get_bytes(&wire, rest.len - tag_len, &p) == 0 &&
		    hs__view_get_bytes(&wire, tag_len, &t) == 0)
			try_open(which, &rx, seqnr, p, t);
	}
	hs__cipher_cleanup(&rx);
	return 0;
}
