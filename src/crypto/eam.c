/*
 * AES-CTR with encrypt-and-MAC, the original SSH packet protection (RFC
 * 4253 §6.3-6.4, AES-CTR from RFC 4344 §4, the SHA-2 HMACs from RFC
 * 6668): the whole packet, packet_length included, is encrypted with
 * AES-CTR whose keystream runs on from one packet to the next; the MAC is
 * HMAC(mac_key, uint32 seqnr || the unencrypted packet) and follows the
 * packet in clear.
 *
 * Because packet_length is encrypted, the receiver must learn it before
 * it has the rest of the packet, without consuming keystream: we keep our
 * own copy of the 128-bit counter (IV + blocks used so far, RFC 4344 §4)
 * and encrypt it with a separate AES-ECB context to get the keystream
 * block that covers the length field. Every packet is a whole number of
 * blocks, so a packet always starts on a block boundary.
 *
 * The MAC can only be checked after decryption. A packet whose MAC fails
 * is re-encrypted in place from the saved counter, and the CTR context is
 * put back to that counter, so a refused packet leaves both the buffer
 * and the stream as they were (the contract of every mode in cipher.h).
 * Nothing here allocates after hs__eam_new.
 */
#include "crypto/eam.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "crypto/seqmac.h"

struct hs_eam {
	EVP_CIPHER_CTX *ctr; /* the running keystream */
	EVP_CIPHER_CTX *ecb; /* same key, for the length field's block */
	EVP_MAC_CTX *hmac;
	uint8_t counter[HS_EAM_BLOCK]; /* the counter of the next block */
	size_t tag_len;
	int encrypt;
	int broken; /* an OpenSSL call failed mid-stream: refuse everything */
};

int hs__eam_new(struct hs_eam **out, const uint8_t *key, size_t key_len, const uint8_t iv[HS_EAM_IV_LEN],
                const char *digest, const uint8_t *mac_key, size_t mac_key_len, size_t tag_len, int encrypt)
{
	const EVP_CIPHER *ctr, *ecb;
	struct hs_eam *e = NULL;
	int r = HS_ERR_INVALID_ARG;

	*out = NULL;
	if (key_len == 16) {
		ctr = EVP_aes_128_ctr();
		ecb = EVP_aes_128_ecb();
	} else if (key_len == 32) {
		ctr = EVP_aes_256_ctr();
		ecb = EVP_aes_256_ecb();
	} else {
		goto out;
	}
	if (tag_len == 0 || tag_len > HS_EAM_MAX_TAG_LEN)
		goto out;

	r = HS_ERR_ALLOC;
	if ((e = calloc(1, sizeof(*e))) == NULL)
		goto out;
	e->encrypt = encrypt ? 1 : 0;
	e->tag_len = tag_len;
	memcpy(e->counter, iv, HS_EAM_BLOCK);
	if ((e->ctr = EVP_CIPHER_CTX_new()) == NULL || (e->ecb = EVP_CIPHER_CTX_new()) == NULL)
		goto out;
	r = HS_ERR_CRYPTO;
	if (EVP_CipherInit_ex(e->ctr, ctr, NULL, key, iv, e->encrypt) != 1)
		goto out;
	/* The length block is made by encrypting the counter, whichever
	 * direction this is. */
	if (EVP_CipherInit_ex(e->ecb, ecb, NULL, key, NULL, 1) != 1 || EVP_CIPHER_CTX_set_padding(e->ecb, 0) != 1)
		goto out;
	if ((r = hs__seqmac_new(&e->hmac, digest, mac_key, mac_key_len, tag_len)) != 0)
		goto out;
	*out = e;
	e = NULL;
	r = 0;
out:
	hs__eam_free(e);
	return r;
}

void hs__eam_free(struct hs_eam *e)
{
	if (e == NULL)
		return;
	/* The EVP frees wipe the AES key schedules and the HMAC key. */
	EVP_CIPHER_CTX_free(e->ctr);
	EVP_CIPHER_CTX_free(e->ecb);
	EVP_MAC_CTX_free(e->hmac);
	OPENSSL_clear_free(e, sizeof(*e));
}

/* counter += blocks, as one 128-bit big-endian number that wraps (RFC
 * 4344 §4: the whole block is the counter, not only its low bits). */
static void counter_add(uint8_t counter[HS_EAM_BLOCK], size_t blocks)
{
	uint64_t carry = blocks;

	for (size_t i = HS_EAM_BLOCK; i-- > 0 && carry != 0;) {
		carry += counter[i];
		counter[i] = (uint8_t)carry;
		carry >>= 8;
	}
}

/* HMAC(mac_key, uint32 seqnr || pkt) into out (tag_len bytes). */
static int compute_mac(struct hs_eam *e, uint32_t seqnr, const uint8_t *pkt, size_t len, uint8_t *out)
{
	return hs__seqmac_compute(e->hmac, e->tag_len, seqnr, pkt, len, out);
}

static int crypt_packet(struct hs_eam *e, uint8_t *pkt, size_t len)
{
	int n = (int)len, outl = 0;

	if (EVP_CipherUpdate(e->ctr, pkt, &outl, pkt, n) != 1 || outl != n)
		return HS_ERR_CRYPTO;
	return 0;
}

/* Put the CTR context back at e->counter (the key schedule is kept). */
static int rewind_stream(struct hs_eam *e)
{
	if (EVP_CipherInit_ex(e->ctr, NULL, NULL, NULL, e->counter, -1) != 1)
		return HS_ERR_CRYPTO;
	return 0;
}

static int shape_ok(size_t len)
{
	return len >= HS_EAM_BLOCK && len <= INT_MAX && len % HS_EAM_BLOCK == 0;
}

int hs__eam_peek_length(const struct hs_eam *e, const uint8_t first4[4], uint32_t *packet_length)
{
	uint8_t ks[HS_EAM_BLOCK];
	int outl = 0, r = HS_ERR_CRYPTO;

	if (e->encrypt)
		return HS_ERR_INVALID_ARG;
	if (e->broken)
		return HS_ERR_CRYPTO;
	/* ECB without padding over exactly one block keeps no state. */
	if (EVP_EncryptUpdate(e->ecb, ks, &outl, e->counter, HS_EAM_BLOCK) != 1 || outl != HS_EAM_BLOCK)
		goto out;
	*packet_length = (uint32_t)(first4[0] ^ ks[0]) << 24 | (uint32_t)(first4[1] ^ ks[1]) << 16 |
	                 (uint32_t)(first4[2] ^ ks[2]) << 8 | (uint32_t)(first4[3] ^ ks[3]);
	r = 0;
out:
	OPENSSL_cleanse(ks, sizeof(ks));
	return r;
}

int hs__eam_seal(struct hs_eam *e, uint32_t seqnr, uint8_t *pkt, size_t len, uint8_t *tag)
{
	int r;

	if (!e->encrypt || !shape_ok(len))
		return HS_ERR_INVALID_ARG;
	if (e->broken)
		return HS_ERR_CRYPTO;
	/* RFC 4253 §6.4: the MAC is over the unencrypted packet. */
	if ((r = compute_mac(e, seqnr, pkt, len, tag)) != 0)
		return r;
	if ((r = crypt_packet(e, pkt, len)) != 0) {
		e->broken = 1;
		return r;
	}
	counter_add(e->counter, len / HS_EAM_BLOCK);
	return 0;
}

int hs__eam_open(struct hs_eam *e, uint32_t seqnr, uint8_t *pkt, size_t len, const uint8_t *tag)
{
	uint8_t expect[HS_EAM_MAX_TAG_LEN];
	int r;

	if (e->encrypt || !shape_ok(len))
		return HS_ERR_INVALID_ARG;
	if (e->broken)
		return HS_ERR_CRYPTO;
	if ((r = crypt_packet(e, pkt, len)) != 0) {
		e->broken = 1;
		OPENSSL_cleanse(pkt, len);
		goto out;
	}
	if ((r = compute_mac(e, seqnr, pkt, len, expect)) == 0 && CRYPTO_memcmp(expect, tag, e->tag_len) != 0)
		r = HS_ERR_MAC;
	if (r != 0) {
		/* CTR is its own inverse: running the same keystream over the
		 * plaintext again gives back the ciphertext that arrived. Then
		 * rewind once more so the next open starts where this one did. */
		if (rewind_stream(e) != 0 || crypt_packet(e, pkt, len) != 0 || rewind_stream(e) != 0) {
			e->broken = 1;
			OPENSSL_cleanse(pkt, len);
			r = HS_ERR_CRYPTO;
		}
		goto out;
	}
	counter_add(e->counter, len / HS_EAM_BLOCK);
out:
	OPENSSL_cleanse(expect, sizeof(expect));
	return r;
}
