/*
 * The SSH packet MAC shared by the etm and encrypt-and-MAC modes: an HMAC
 * keyed once, computed per packet over uint32 seqnr || data (RFC 4253
 * §6.4). The context keeps its key between packets, so computing a MAC
 * allocates nothing in our code.
 */
#ifndef HS_CRYPTO_SEQMAC_H
#define HS_CRYPTO_SEQMAC_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "hostsd/error.h"

/* A keyed HMAC context for digest ("SHA256", "SHA512") whose output is
 * exactly tag_len bytes (else HS_ERR_INVALID_ARG). Free with
 * EVP_MAC_CTX_free, which wipes the key. */
int hs__seqmac_new(EVP_MAC_CTX **out, const char *digest, const uint8_t *key, size_t key_len,
                   size_t tag_len) HS_MUST_CHECK;

/* HMAC(key, uint32 seqnr || data) into out (tag_len bytes). */
int hs__seqmac_compute(EVP_MAC_CTX *ctx, size_t tag_len, uint32_t seqnr, const uint8_t *data, size_t len,
                       uint8_t *out) HS_MUST_CHECK;

#endif
