/*
 * aes128-ctr / aes256-ctr with an encrypt-and-MAC HMAC (RFC 4253 §6.4,
 * RFC 6668: hmac-sha2-256, hmac-sha2-512), used only through cipher.c.
 */
#ifndef HS_CRYPTO_EAM_H
#define HS_CRYPTO_EAM_H

#include <stddef.h>
#include <stdint.h>

#include "hostsd/error.h"

#define HS_EAM_IV_LEN 16
#define HS_EAM_BLOCK 16
#define HS_EAM_MAX_TAG_LEN 64

struct hs_eam;

/* A new state for one direction. key_len is 16 or 32 (AES-128/256-CTR);
 * digest is an OpenSSL digest name ("SHA256", "SHA512") whose output is
 * tag_len bytes. Keys are copied into OpenSSL contexts. Free with
 * hs__eam_free. */
int hs__eam_new(struct hs_eam **out, const uint8_t *key, size_t key_len, const uint8_t iv[HS_EAM_IV_LEN],
                const char *digest, const uint8_t *mac_key, size_t mac_key_len, size_t tag_len,
                int encrypt) HS_MUST_CHECK;
/* Wipes and frees; accepts NULL. */
void hs__eam_free(struct hs_eam *e);

/* Decrypt the (encrypted) length field at the current keystream position
 * without moving it: may be called any number of times per packet. Only
 * for a receiving state. */
int hs__eam_peek_length(const struct hs_eam *e, const uint8_t first4[4], uint32_t *packet_length) HS_MUST_CHECK;

/* pkt/len already checked by cipher.c (len a non-zero multiple of
 * HS_EAM_BLOCK, len <= INT_MAX). The CTR keystream continues from packet
 * to packet. */
int hs__eam_seal(struct hs_eam *e, uint32_t seqnr, uint8_t *pkt, size_t len, uint8_t *tag) HS_MUST_CHECK;
/* Decrypts in place, then checks the MAC over the plaintext. HS_ERR_MAC
 * when it does not verify: pkt is then restored to the bytes that arrived
 * and the keystream is back where it was. */
int hs__eam_open(struct hs_eam *e, uint32_t seqnr, uint8_t *pkt, size_t len, const uint8_t *tag) HS_MUST_CHECK;

#endif
