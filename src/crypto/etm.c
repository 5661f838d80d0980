/*
 * AES-CTR with encrypt-then-MAC, as OpenSSH's *-etm@openssh.com MACs
 * define it (PROTOCOL §1.7): packet_length travels in clear; the rest of
 * the packet is encrypted with AES-CTR, whose keystream runs on from one
 * packet to the next; the MAC is HMAC(mac_key, uint32 seqnr ||
 * packet_length || ciphertext) and follows the packet.
 *
 * Opening checks the MAC before it decrypts a byte. The HMAC context keeps
 * its key and is re-initialised per packet, so the data path allocates
 * nothing.
 */
#include "crypto/etm.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "crypto/seqmac.h"

struct hs_etm {
	EVP_CIPHER_CTX *ctr;
	EVP_MAC_CTX *hmac;
	size_t tag_len;
	int encrypt;
};

int hs__etm_new(struct hs_etm **out, const uint8_t *key, size_t key_len, const uint8_t iv[HS_ETM_IV_LEN],
                const char *digest, const uint8_t *mac_key, size_t mac_key_len, size_t tag_len, int encrypt)
{
	const EVP_CIPHER *ctr;
	struct hs_etm *e = NULL;
	int r = HS_ERR_INVALID_ARG;

	*out = NULL;
	if (key_len == 16)
		ctr = EVP_aes_128_ctr();
	else if (key_len == 32)
		ctr = EVP_aes_256_ctr();
	else
		goto out;
	if (tag_len == 0 || tag_len > HS_ETM_MAX_TAG_LEN)
		goto out;

	r = HS_ERR_ALLOC;
	if ((e = calloc(1, sizeof(*e))) == NULL)
		goto out;
	e->encrypt = encrypt ? 1 : 0;
	e->tag_len = tag_len;
	if ((e->ctr = EVP_CIPHER_CTX_new()) == NULL)
		goto out;
	r = HS_ERR_CRYPTO;
	if (EVP_CipherInit_ex(e->ctr, ctr, NULL, key, iv, e->encrypt) != 1)
		goto out;
	if ((r = hs__seqmac_new(&e->hmac, digest, mac_key, mac_key_len, tag_len)) != 0)
		goto out;
	*out = e;
	e = NULL;
	r = 0;
out:
	hs__etm_free(e);
	return r;
}

void hs__etm_free(struct hs_etm *e)
{
	if (e == NULL)
		return;
	/* The EVP frees wipe the AES key schedule and the HMAC key. */
	EVP_CIPHER_CTX_free(e->ctr);
	EVP_MAC_CTX_free(e->hmac);
	OPENSSL_clear_free(e, sizeof(*e));
}

/* HMAC(mac_key, uint32 seqnr || pkt) into out (tag_len bytes). */
static int compute_mac(struct hs_etm *e, uint32_t seqnr, const uint8_t *pkt, size_t len, uint8_t *out)
{
	return hs__seqmac_compute(e->hmac, e->tag_len, seqnr, pkt, len, out);
}

static int crypt_body(struct hs_etm *e, uint8_t *pkt, size_t len)
{
	int n = (int)(len - 4), outl = 0;

	if (n == 0)
		return 0;
	if (EVP_CipherUpdate(e->ctr, pkt + 4, &outl, pkt + 4, n) != 1 || outl != n)
		return HS_ERR_CRYPTO;
	return 0;
}

int hs__etm_seal(struct hs_etm *e, uint32_t seqnr, uint8_t *pkt, size_t len, uint8_t *tag)
{
	int r;

	if (!e->encrypt || len < 4 || len > INT_MAX)
		return HS_ERR_INVALID_ARG;
	if ((r = crypt_body(e, pkt, len)) != 0)
		return r;
	return compute_mac(e, seqnr, pkt, len, tag);
}

int hs__etm_open(struct hs_etm *e, uint32_t seqnr, uint8_t *pkt, size_t len, const uint8_t *tag)
{
	uint8_t expect[HS_ETM_MAX_TAG_LEN];
	int r;

	if (e->encrypt || len < 4 || len > INT_MAX)
		return HS_ERR_INVALID_ARG;
	if ((r = compute_mac(e, seqnr, pkt, len, expect)) != 0)
		goto out;
	if (CRYPTO_memcmp(expect, tag, e->tag_len) != 0) {
		r = HS_ERR_MAC;
		goto out;
	}
	r = crypt_body(e, pkt, len);
out:
	OPENSSL_cleanse(expect, sizeof(expect));
	return r;
}
