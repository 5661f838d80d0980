/*
 * aes128-gcm@openssh.com and aes256-gcm@openssh.com (RFC 5647 as amended by
 * OpenSSH's PROTOCOL), used only through cipher.c.
 */
#ifndef HS_CRYPTO_AESGCM_H
#define HS_CRYPTO_AESGCM_H

#include <stddef.h>
#include <stdint.h>

#include "hostsd/error.h"

#define HS_AESGCM_IV_LEN 12
#define HS_AESGCM_TAG_LEN 16

struct hs_aesgcm;

/* A new state for one direction; key_len is 16 or 32; iv is the 12 bytes
 * of key derivation (4-byte fixed field || 8-byte invocation counter).
 * Keys are copied into OpenSSL contexts. Free with hs__aesgcm_free. */
int hs__aesgcm_new(struct hs_aesgcm **out, const uint8_t *key, size_t key_len, const uint8_t iv[HS_AESGCM_IV_LEN],
                   int encrypt) HS_MUST_CHECK;
/* Wipes and frees; accepts NULL. */
void hs__aesgcm_free(struct hs_aesgcm *g);

/* pkt/len already checked by cipher.c (len >= 4, len <= INT_MAX). The
 * invocation counter advances after each packet sealed or opened. */
int hs__aesgcm_seal(struct hs_aesgcm *g, uint8_t *pkt, size_t len, uint8_t tag[HS_AESGCM_TAG_LEN]) HS_MUST_CHECK;
/* HS_ERR_MAC when the tag does not verify: pkt is then as it was given and
 * the invocation counter has not moved. */
int hs__aesgcm_open(struct hs_aesgcm *g, uint8_t *pkt, size_t len, const uint8_t tag[HS_AESGCM_TAG_LEN]) HS_MUST_CHECK;

#endif
