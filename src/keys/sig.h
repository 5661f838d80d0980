/*
 * Signatures over SSH data with public and host keys (engine-internal).
 */
#ifndef HS_KEYS_SIG_H
#define HS_KEYS_SIG_H

#include <stddef.h>
#include <stdint.h>

#include "hostsd/key.h"
#include "wire/buf.h"

/* Verify sig, an SSH signature blob (string algorithm, string signature, as
 * RFC 4253 §6.6), made by key over data. alg is the public key algorithm
 * the peer named in its request: it must be one this key's type may sign
 * with (ssh-ed25519 for Ed25519; rsa-sha2-256/512 for RSA, never ssh-rsa;
 * ecdsa-sha2-<curve> for ECDSA) and equal the algorithm inside the blob.
 * Returns 0 only when the signature verifies; HS_ERR_SIGNATURE when it does
 * not, HS_ERR_KEY_TYPE for a wrong or refused algorithm, HS_ERR_FORMAT for a
 * malformed blob. Never aborts on any input. */
int hs__key_verify(const struct hs_key *key, const char *alg, const uint8_t *sig, size_t siglen,
                   const uint8_t *data, size_t datalen) HS_MUST_CHECK;

/* Is alg a signature algorithm that keys of this blob's type may use? */
int hs__key_alg_allowed(const struct hs_key *key, const char *alg);

/* Append the signature blob (string algorithm, string signature) of data
 * made with key under alg ("ssh-ed25519") to out. */
int hs__hostkey_sign(const struct hs_hostkey *key, const char *alg, const uint8_t *data, size_t len,
                     struct hs_buf *out) HS_MUST_CHECK;

#endif
