/*
 * AES-GCM packet protection as OpenSSH does it (RFC 5647 §7, PROTOCOL
 * §1.6): the 12-byte nonce is a 4-byte fixed field and an 8-byte
 * big-endian invocation counter, both from key derivation; the counter
 * goes up by one after every packet, whatever the sequence number. The
 * 4-byte packet_length stays in clear and is the additional authenticated
 * data; the rest of the packet is encrypted; the tag is 16 bytes.
 *
 * OpenSSL's GCM decrypts while it computes the tag and only says at the end
 * whether the tag was right. Our contract is that a packet that fails
 * authentication is left as received, so on a bad tag we put the
 * ciphertext back with AES-CTR over the same counter blocks (GCM encrypts
 * data block i with counter block IV || uint32(i + 2)). That costs nothing
 * on the normal path; a bad tag ends the connection anyway.
 */
#include "crypto/aesgcm.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

struct hs_aesgcm {
	EVP_CIPHER_CTX *gcm;
	EVP_CIPHER_CTX *ctr; /* opening only: restores the ciphertext after a bad tag */
	uint8_t iv[HS_AESGCM_IV_LEN];
	int encrypt;
};

int hs__aesgcm_new(struct hs_aesgcm **out, const uint8_t *key, size_t key_len, const uint8_t iv[HS_AESGCM_IV_LEN],
                   int encrypt)
{
	const EVP_CIPHER *gcm, *ctr;
	struct hs_aesgcm *g = NULL;
	int r = HS_ERR_INVALID_ARG;

	*out = NULL;
	if (key_len == 16) {
		gcm = EVP_aes_128_gcm();
		ctr = EVP_aes_128_ctr();
	} else if (key_len == 32) {
		gcm = EVP_aes_256_gcm();
		ctr = EVP_aes_256_ctr();
	} else {
		goto out;
	}
	r = HS_ERR_ALLOC;
	if ((g = calloc(1, sizeof(*g))) == NULL)
		goto out;
	g->encrypt = encrypt ? 1 : 0;
	memcpy(g->iv, iv, HS_AESGCM_IV_LEN);
	if ((g->gcm = EVP_CIPHER_CTX_new()) == NULL)
		goto out;
	r = HS_ERR_CRYPTO;
	if (EVP_CipherInit_ex(g->gcm, gcm, NULL, NULL, NULL, g->encrypt) != 1)
		goto out;
	/* 12 is OpenSSL's default; say it so a changed default cannot bite. */
	if (EVP_CIPHER_CTX_ctrl(g->gcm, EVP_CTRL_GCM_SET_IVLEN, HS_AESGCM_IV_LEN, NULL) != 1)
		goto out;
	if (EVP_CipherInit_ex(g->gcm, NULL, NULL, key, NULL, g->encrypt) != 1)
		goto out;
	if (!g->encrypt) {
		r = HS_ERR_ALLOC;
		if ((g->ctr = EVP_CIPHER_CTX_new()) == NULL)
			goto out;
		r = HS_ERR_CRYPTO;
		if (EVP_EncryptInit_ex(g->ctr, ctr, NULL, key, NULL) != 1)
			goto out;
	}
	*out = g;
	g = NULL;
	r = 0;
out:
	hs__aesgcm_free(g);
	return r;
}

void hs__aesgcm_free(struct hs_aesgcm *g)
{
	if (g == NULL)
		return;
	/* The EVP frees wipe the key schedules; clear_free wipes the IV. */
	EVP_CIPHER_CTX_free(g->gcm);
	EVP_CIPHER_CTX_free(g->ctr);
	OPENSSL_clear_free(g, sizeof(*g));
}

/* RFC 5647 §7.1: the 64-bit invocation counter, modulo 2^64; the fixed
 * field never changes. */
static void next_iv(uint8_t iv[HS_AESGCM_IV_LEN])
{
	for (size_t i = HS_AESGCM_IV_LEN; i > 4; i--) {
		if (++iv[i - 1] != 0)
			break;
	}
}

int hs__aesgcm_seal(struct hs_aesgcm *g, uint8_t *pkt, size_t len, uint8_t tag[HS_AESGCM_TAG_LEN])
{
	uint8_t fin[16];
	int outl = 0;
	int n = (int)(len - 4);

	if (!g->encrypt || len < 4 || len > INT_MAX)
		return HS_ERR_INVALID_ARG;
	if (EVP_EncryptInit_ex(g->gcm, NULL, NULL, NULL, g->iv) != 1)
		return HS_ERR_CRYPTO;
	/* packet_length: authenticated, not encrypted. */
	if (EVP_EncryptUpdate(g->gcm, NULL, &outl, pkt, 4) != 1 || outl != 4)
		return HS_ERR_CRYPTO;
	if (EVP_EncryptUpdate(g->gcm, pkt + 4, &outl, pkt + 4, n) != 1 || outl != n)
		return HS_ERR_CRYPTO;
	if (EVP_EncryptFinal_ex(g->gcm, fin, &outl) != 1 || outl != 0)
		return HS_ERR_CRYPTO;
	if (EVP_CIPHER_CTX_ctrl(g->gcm, EVP_CTRL_GCM_GET_TAG, HS_AESGCM_TAG_LEN, tag) != 1)
		return HS_ERR_CRYPTO;
	next_iv(g->iv);
	return 0;
}

/* Undo a decryption whose tag did not verify. If even that fails, wipe:
 * unauthenticated plaintext must never reach the caller. */
static void restore_ciphertext(struct hs_aesgcm *g, uint8_t *data, int n)
{
	uint8_t civ[16];
	int outl = 0;

	memcpy(civ, g->iv, HS_AESGCM_IV_LEN);
	civ[12] = 0;
	civ[13] = 0;
	civ[14] = 0;
	civ[15] = 2;
	if (EVP_EncryptInit_ex(g->ctr, NULL, NULL, NULL, civ) != 1 ||
	    EVP_EncryptUpdate(g->ctr, data, &outl, data, n) != 1 || outl != n)
		OPENSSL_cleanse(data, (size_t)n);
}

int hs__aesgcm_open(struct hs_aesgcm *g, uint8_t *pkt, size_t len, const uint8_t tag[HS_AESGCM_TAG_LEN])
{
	uint8_t t[HS_AESGCM_TAG_LEN], fin[16];
	int outl = 0;
	int n = (int)(len - 4);
	int r = HS_ERR_CRYPTO;

	if (g->encrypt || len < 4 || len > INT_MAX)
		return HS_ERR_INVALID_ARG;
	memcpy(t, tag, sizeof(t)); /* the ctrl wants a writable pointer */
	if (EVP_DecryptInit_ex(g->gcm, NULL, NULL, NULL, g->iv) != 1)
		goto out;
	if (EVP_CIPHER_CTX_ctrl(g->gcm, EVP_CTRL_GCM_SET_TAG, HS_AESGCM_TAG_LEN, t) != 1)
		goto out;
	if (EVP_DecryptUpdate(g->gcm, NULL, &outl, pkt, 4) != 1 || outl != 4)
		goto out;
	/* From here on pkt may hold unauthenticated plaintext until the tag
	 * has been checked. A library failure midway leaves it in an unknown
	 * state: wipe it (the connection is lost anyway). */
	if (EVP_DecryptUpdate(g->gcm, pkt + 4, &outl, pkt + 4, n) != 1 || outl != n) {
		OPENSSL_cleanse(pkt + 4, (size_t)n);
		goto out;
	}
	if (EVP_DecryptFinal_ex(g->gcm, fin, &outl) != 1 || outl != 0) {
		restore_ciphertext(g, pkt + 4, n);
		r = HS_ERR_MAC;
		goto out;
	}
	next_iv(g->iv);
	r = 0;
out:
	return r;
}
