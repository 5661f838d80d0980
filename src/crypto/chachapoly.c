/*
 * chacha20-poly1305@openssh.com: OpenSSH's AEAD built from two ChaCha20
 * instances and Poly1305 (PROTOCOL.chacha20poly1305).
 *
 * The 64-byte key is K_2 (bytes 0..31, the main key) || K_1 (bytes 32..63,
 * the length key). For a packet with sequence number seqnr the nonce is
 * seqnr as a big-endian uint64. K_1 with block counter 0 encrypts the 4
 * length bytes; the first 32 bytes of the K_2 keystream at block counter 0
 * are the Poly1305 key; K_2 from block counter 1 encrypts the rest; the tag
 * is Poly1305 over everything before it (encrypted length included).
 *
 * This is the original ChaCha20 with a 64-bit block counter (state words
 * 12-13) and a 64-bit nonce (words 14-15). OpenSSL's EVP_chacha20 takes a
 * 16-byte "IV" that is words 12..15 in little-endian byte order, so we pass
 * the counter as 8 little-endian bytes followed by the 8 nonce bytes.
 * chachapoly_test.c proves this mapping with the RFC 8439 vectors.
 */
#include "crypto/chachapoly.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>

struct hs_chachapoly {
	EVP_CIPHER_CTX *main;   /* K_2: payload, and the Poly1305 key */
	EVP_CIPHER_CTX *header; /* K_1: packet_length only */
	EVP_MAC_CTX *poly;
	int encrypt;
};

#define POLY1305_KEY_LEN 32

int hs__chachapoly_stream_new(EVP_CIPHER_CTX **out, const uint8_t key[32])
{
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	int r = HS_ERR_ALLOC;

	*out = NULL;
	if (c == NULL)
		goto out;
	r = HS_ERR_CRYPTO;
	/* The key is fixed now; each use sets counter and nonce as the IV. */
	if (EVP_EncryptInit_ex(c, EVP_chacha20(), NULL, key, NULL) != 1)
		goto out;
	*out = c;
	c = NULL;
	r = 0;
out:
	EVP_CIPHER_CTX_free(c);
	return r;
}

int hs__chachapoly_xor(EVP_CIPHER_CTX *c, uint64_t counter, const uint8_t nonce[8], const uint8_t *in, uint8_t *out,
                       size_t len)
{
	uint8_t iv[16];
	int outl = 0;

	if (len > INT_MAX)
		return HS_ERR_LIMIT;
	for (size_t i = 0; i < 8; i++)
		iv[i] = (uint8_t)(counter >> (8 * i));
	memcpy(iv + 8, nonce, 8);
	/* Setting a new IV also drops any unused keystream of the last block. */
	if (EVP_CipherInit_ex(c, NULL, NULL, NULL, iv, -1) != 1)
		return HS_ERR_CRYPTO;
	if (len == 0)
		return 0;
	if (EVP_CipherUpdate(c, out, &outl, in, (int)len) != 1 || outl != (int)len)
		return HS_ERR_CRYPTO;
	return 0;
}

int hs__chachapoly_poly1305_new(EVP_MAC_CTX **out)
{
	EVP_MAC *mac = EVP_MAC_fetch(NULL, OSSL_MAC_NAME_POLY1305, NULL);
	int r = HS_ERR_CRYPTO;

	*out = NULL;
	if (mac == NULL)
		goto out;
	/* The context keeps its own reference to the algorithm. */
	*out = EVP_MAC_CTX_new(mac);
	if (*out == NULL)
		goto out;
	r = 0;
out:
	EVP_MAC_free(mac);
	return r;
}

int hs__chachapoly_poly1305(EVP_MAC_CTX *m, const uint8_t key[32], const uint8_t *msg, size_t len, uint8_t tag[16])
{
	size_t outl = 0;

	/* Poly1305 keys are one-time: every message brings its own. */
	if (EVP_MAC_init(m, key, POLY1305_KEY_LEN, NULL) != 1)
		return HS_ERR_CRYPTO;
	if (EVP_MAC_update(m, msg, len) != 1)
		return HS_ERR_CRYPTO;
	if (EVP_MAC_final(m, tag, &outl, 16) != 1 || outl != 16)
		return HS_ERR_CRYPTO;
	return 0;
}

int hs__chachapoly_new(struct hs_chachapoly **out, const uint8_t key[HS_CHACHAPOLY_KEY_LEN], int encrypt)
{
	struct hs_chachapoly *cp = calloc(1, sizeof(*cp));
	int r = HS_ERR_ALLOC;

	*out = NULL;
	if (cp == NULL)
		goto out;
	cp->encrypt = encrypt;
	if ((r = hs__chachapoly_stream_new(&cp->main, key)) != 0)
		goto out;
	if ((r = hs__chachapoly_stream_new(&cp->header, key + 32)) != 0)
		goto out;
	if ((r = hs__chachapoly_poly1305_new(&cp->poly)) != 0)
		goto out;
	*out = cp;
	cp = NULL;
out:
	hs__chachapoly_free(cp);
	return r;
}

void hs__chachapoly_free(struct hs_chachapoly *cp)
{
	if (cp == NULL)
		return;
	/* The EVP frees wipe the key schedules they hold. */
	EVP_CIPHER_CTX_free(cp->main);
	EVP_CIPHER_CTX_free(cp->header);
	EVP_MAC_CTX_free(cp->poly);
	OPENSSL_clear_free(cp, sizeof(*cp));
}

static void make_nonce(uint32_t seqnr, uint8_t nonce[8])
{
	/* The sequence number as a big-endian uint64. */
	memset(nonce, 0, 4);
	nonce[4] = (uint8_t)(seqnr >> 24);
	nonce[5] = (uint8_t)(seqnr >> 16);
	nonce[6] = (uint8_t)(seqnr >> 8);
	nonce[7] = (uint8_t)seqnr;
}

/* The Poly1305 key: the first 32 bytes of K_2's keystream at block 0. */
static int poly_key(struct hs_chachapoly *cp, const uint8_t nonce[8], uint8_t key[POLY1305_KEY_LEN])
{
	memset(key, 0, POLY1305_KEY_LEN);
	return hs__chachapoly_xor(cp->main, 0, nonce, key, key, POLY1305_KEY_LEN);
}

int hs__chachapoly_peek_length(struct hs_chachapoly *cp, uint32_t seqnr, const uint8_t first4[4],
                               uint32_t *packet_length)
{
	uint8_t nonce[8], plain[4];
	int r;

	make_nonce(seqnr, nonce);
	if ((r = hs__chachapoly_xor(cp->header, 0, nonce, first4, plain, sizeof(plain))) != 0)
		return r;
	*packet_length =
		(uint32_t)plain[0] << 24 | (uint32_t)plain[1] << 16 | (uint32_t)plain[2] << 8 | (uint32_t)plain[3];
	return 0;
}

int hs__chachapoly_seal(struct hs_chachapoly *cp, uint32_t seqnr, uint8_t *pkt, size_t len,
                        uint8_t tag[HS_CHACHAPOLY_TAG_LEN])
{
	uint8_t nonce[8], key[POLY1305_KEY_LEN];
	int r;

	if (!cp->encrypt)
		return HS_ERR_INVALID_ARG;
	make_nonce(seqnr, nonce);
	if ((r = hs__chachapoly_xor(cp->header, 0, nonce, pkt, pkt, 4)) != 0)
		goto out;
	if ((r = hs__chachapoly_xor(cp->main, 1, nonce, pkt + 4, pkt + 4, len - 4)) != 0)
		goto out;
	if ((r = poly_key(cp, nonce, key)) != 0)
		goto out;
	r = hs__chachapoly_poly1305(cp->poly, key, pkt, len, tag);
out:
	OPENSSL_cleanse(key, sizeof(key));
	return r;
}

int hs__chachapoly_open(struct hs_chachapoly *cp, uint32_t seqnr, uint8_t *pkt, size_t len,
                        const uint8_t tag[HS_CHACHAPOLY_TAG_LEN])
{
	uint8_t nonce[8], key[POLY1305_KEY_LEN], expect[HS_CHACHAPOLY_TAG_LEN];
	int r;

	if (cp->encrypt)
		return HS_ERR_INVALID_ARG;
	make_nonce(seqnr, nonce);
	if ((r = poly_key(cp, nonce, key)) != 0)
		goto out;
	if ((r = hs__chachapoly_poly1305(cp->poly, key, pkt, len, expect)) != 0)
		goto out;
	/* Authenticate before decrypting anything. */
	if (CRYPTO_memcmp(expect, tag, sizeof(expect)) != 0) {
		r = HS_ERR_MAC;
		goto out;
	}
	if ((r = hs__chachapoly_xor(cp->header, 0, nonce, pkt, pkt, 4)) != 0)
		goto out;
	r = hs__chachapoly_xor(cp->main, 1, nonce, pkt + 4, pkt + 4, len - 4);
out:
	OPENSSL_cleanse(key, sizeof(key));
	OPENSSL_cleanse(expect, sizeof(expect));
	return r;
}
