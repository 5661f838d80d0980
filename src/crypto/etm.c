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

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

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
	EVP_MAC *mac = NULL;
	struct hs_etm *e = NULL;
	OSSL_PARAM params[2];
	char md[16];
	int r = HS_ERR_INVALID_ARG;

	*out = NULL;
	if (key_len == 16)
		ctr = EVP_aes_128_ctr();
	else if (key_len == 32)
		ctr = EVP_aes_256_ctr();
	else
		goto out;
	if (tag_len == 0 || tag_len > HS_ETM_MAX_TAG_LEN || strlen(digest) >= sizeof(md))
		goto out;
	/* OSSL_PARAM wants a writable string. */
	memcpy(md, digest, strlen(digest) + 1);
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, md, 0);
	params[1] = OSSL_PARAM_construct_end();

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
	if ((mac = EVP_MAC_fetch(NULL, OSSL_MAC_NAME_HMAC, NULL)) == NULL)
		goto out;
	if ((e->hmac = EVP_MAC_CTX_new(mac)) == NULL)
		goto out;
	if (EVP_MAC_init(e->hmac, mac_key, mac_key_len, params) != 1)
		goto out;
	if (EVP_MAC_CTX_get_mac_size(e->hmac) != tag_len) {
		r = HS_ERR_INVALID_ARG;
		goto out;
	}
	*out = e;
	e = NULL;
	r = 0;
out:
	EVP_MAC_free(mac);
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
	uint8_t seq[4] = { (uint8_t)(seqnr >> 24), (uint8_t)(seqnr >> 16), (uint8_t)(seqnr >> 8),
		           (uint8_t)seqnr };
	size_t outl = 0;

	/* No key: restart with the one given at creation. */
	if (EVP_MAC_init(e->hmac, NULL, 0, NULL) != 1)
		return HS_ERR_CRYPTO;
	if (EVP_MAC_update(e->hmac, seq, sizeof(seq)) != 1 || EVP_MAC_update(e->hmac, pkt, len) != 1)
		return HS_ERR_CRYPTO;
	if (EVP_MAC_final(e->hmac, out, &outl, e->tag_len) != 1 || outl != e->tag_len)
		return HS_ERR_CRYPTO;
	return 0;
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
