/*
 * chacha20-poly1305@openssh.com (OpenSSH PROTOCOL.chacha20poly1305), used
 * only through cipher.c. The ChaCha20 and Poly1305 building blocks are
 * exposed as well so that the tests can run the RFC 8439 vectors through
 * exactly the calls the packet code makes.
 */
#ifndef HS_CRYPTO_CHACHAPOLY_H
#define HS_CRYPTO_CHACHAPOLY_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "hostsd/error.h"

#define HS_CHACHAPOLY_KEY_LEN 64
#define HS_CHACHAPOLY_TAG_LEN 16

struct hs_chachapoly;

/* A new state for one direction from the 64-byte key K_2 || K_1. The key
 * is copied into the OpenSSL contexts; the caller wipes its own copy.
 * Free with hs__chachapoly_free. */
int hs__chachapoly_new(struct hs_chachapoly **out, const uint8_t key[HS_CHACHAPOLY_KEY_LEN], int encrypt) HS_MUST_CHECK;
/* Wipes and frees; accepts NULL. */
void hs__chachapoly_free(struct hs_chachapoly *cp);

/* Decrypt a copy of the 4 length bytes with K_1. */
int hs__chachapoly_peek_length(struct hs_chachapoly *cp, uint32_t seqnr, const uint8_t first4[4],
                               uint32_t *packet_length) HS_MUST_CHECK;
/* pkt/len already checked by cipher.c: len >= 4, all of it ours. */
int hs__chachapoly_seal(struct hs_chachapoly *cp, uint32_t seqnr, uint8_t *pkt, size_t len,
                        uint8_t tag[HS_CHACHAPOLY_TAG_LEN]) HS_MUST_CHECK;
/* HS_ERR_MAC (and pkt untouched) when the tag does not verify. */
int hs__chachapoly_open(struct hs_chachapoly *cp, uint32_t seqnr, uint8_t *pkt, size_t len,
                        const uint8_t tag[HS_CHACHAPOLY_TAG_LEN]) HS_MUST_CHECK;

/* --- building blocks (also used by the known-answer tests) --- */

/* A ChaCha20 context keyed with a 32-byte key; free with EVP_CIPHER_CTX_free. */
int hs__chachapoly_stream_new(EVP_CIPHER_CTX **out, const uint8_t key[32]) HS_MUST_CHECK;
/* XOR len bytes of in with the keystream of the original (64-bit counter,
 * 64-bit nonce) ChaCha20 starting at block `counter`; in may equal out. */
int hs__chachapoly_xor(EVP_CIPHER_CTX *c, uint64_t counter, const uint8_t nonce[8], const uint8_t *in, uint8_t *out,
                       size_t len) HS_MUST_CHECK;
/* A Poly1305 context (its one-time key is given with each message). */
int hs__chachapoly_poly1305_new(EVP_MAC_CTX **out) HS_MUST_CHECK;
/* tag = Poly1305(key, msg). */
int hs__chachapoly_poly1305(EVP_MAC_CTX *m, const uint8_t key[32], const uint8_t *msg, size_t len,
                            uint8_t tag[16]) HS_MUST_CHECK;

#endif
