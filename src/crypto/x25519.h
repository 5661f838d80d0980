/* X25519 (RFC 7748) through libcrypto, for curve25519-sha256 (RFC 8731). */
#ifndef HS_CRYPTO_X25519_H
#define HS_CRYPTO_X25519_H

#include <stdint.h>

#include "hostsd/error.h"

/* A fresh key pair; priv must be wiped by the caller. */
int hs__x25519_keygen(uint8_t priv[32], uint8_t pub[32]) HS_MUST_CHECK;

/* The shared secret with peer's public value. Fails (HS_ERR_CRYPTO) for a
 * low-order peer point, which yields an all-zero secret (RFC 8731 §3). */
int hs__x25519_shared(const uint8_t priv[32], const uint8_t peer[32], uint8_t out[32]) HS_MUST_CHECK;

#endif
