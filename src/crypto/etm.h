/*
 * aes128-ctr / aes256-ctr with an encrypt-then-MAC HMAC
 * (hmac-sha2-256-etm@openssh.com, hmac-sha2-512-etm@openssh.com), used
 * only through cipher.c.
 */
#ifndef HS_CRYPTO_ETM_H
#define HS_CRYPTO_ETM_H

#include <stddef.h>
#include <stdint.h>

#include "hostsd/error.h"

#define HS_ETM_IV_LEN 16
#define HS_ETM_MAX_TAG_LEN 64

struct hs_etm;

/* A new state for one direction. key_len is 16 or 32 (AES-128/256-CTR);
 * digest is an OpenSSL digest name ("SHA256", "SHA512") whose output is
 * tag_len bytes. Keys are copied into OpenSSL contexts. Free with
 * hs__etm_free. */
int hs__etm_new(struct hs_etm **out, const uint8_t *key, size_t key_len, const uint8_t iv[HS_ETM_IV_LEN],
                const char *digest, const uint8_t *mac_key, size_t mac_key_len, size_t tag_len,
                int encrypt) HS_MUST_CHECK;
/* Wipes and frees; accepts NULL. */
void hs__etm_free(struct hs_etm *e);

/* pkt/len already checked by cipher.c (len >= 4, len <= INT_MAX). The
 * CTR keystream continues from packet to packet. */
int hs__etm_seal(struct hs_etm *e, uint32_t seqnr, uint8_t *pkt, size_t len, uint8_t *tag) HS_MUST_CHECK;
/* HS_ERR_MAC when the MAC does not verify: pkt is then untouched and the
 * keystream has not moved. */
int hs__etm_open(struct hs_etm *e, uint32_t seqnr, uint8_t *pkt, size_t len, const uint8_t *tag) HS_MUST_CHECK;

#endif
