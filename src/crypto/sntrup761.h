/*
 * Streamlined NTRU Prime sntrup761, the KEM of "NTRU Prime: round 3"
 * (2020-10-07), for the sntrup761x25519-sha512 key exchange
 * (draft-ietf-sshm-ntruprime-ssh; sntrup761x25519-sha512@openssh.com).
 *
 * The server only encapsulates, to the public key a client sends; key
 * generation and decapsulation are here for the tests and for symmetry.
 * Every function is constant time in the secrets it handles, and wipes
 * its secret intermediates.
 */
#ifndef HS_CRYPTO_SNTRUP761_H
#define HS_CRYPTO_SNTRUP761_H

#include <stddef.h>
#include <stdint.h>

#include "hostsd/error.h"

#define HS_SNTRUP761_PK_LEN 1158
#define HS_SNTRUP761_SK_LEN 1763
#define HS_SNTRUP761_CT_LEN 1039
#define HS_SNTRUP761_SS_LEN 32

/* A source of random bytes: fills out[0..len) and returns 0, or returns
 * a negative HS_ERR_*. */
typedef int (*hs__sntrup761_random_cb)(void *ctx, uint8_t *out, size_t len);

/* A fresh key pair from RAND_bytes. The secret key (which embeds the
 * public key) is the caller's to wipe. HS_ERR_CRYPTO when randomness
 * fails; both outputs are then wiped. */
int hs__sntrup761_keygen(uint8_t pk[HS_SNTRUP761_PK_LEN], uint8_t sk[HS_SNTRUP761_SK_LEN]) HS_MUST_CHECK;

/* A ciphertext for pk and the session key it carries, from RAND_bytes.
 * Every byte string of the length is a public key (its values are taken
 * modulo q), so this fails only when randomness or hashing does; both
 * outputs are then wiped. ss is the caller's to wipe. */
int hs__sntrup761_encaps(const uint8_t pk[HS_SNTRUP761_PK_LEN], uint8_t ct[HS_SNTRUP761_CT_LEN],
                         uint8_t ss[HS_SNTRUP761_SS_LEN]) HS_MUST_CHECK;

/* The session key in ct under sk. A ciphertext that is not what sk's
 * public key would encrypt gives, without error and in the same time, a
 * key derived from the secret rho of sk and ct instead (implicit
 * rejection, round 3 §3.3): only hashing can fail (HS_ERR_CRYPTO, ss
 * wiped). */
int hs__sntrup761_decaps(const uint8_t sk[HS_SNTRUP761_SK_LEN], const uint8_t ct[HS_SNTRUP761_CT_LEN],
                         uint8_t ss[HS_SNTRUP761_SS_LEN]) HS_MUST_CHECK;

/* The same with the random bytes from rnd (for known-answer tests),
 * asked for as the reference implementation does: each 32-bit word of a
 * polynomial in its own call of 4 bytes (little-endian), keygen's rho in
 * one call of 191. A failure of rnd is returned as it is. */
int hs__sntrup761_keygen_with(uint8_t pk[HS_SNTRUP761_PK_LEN], uint8_t sk[HS_SNTRUP761_SK_LEN],
                              hs__sntrup761_random_cb rnd, void *ctx) HS_MUST_CHECK;
int hs__sntrup761_encaps_with(const uint8_t pk[HS_SNTRUP761_PK_LEN], uint8_t ct[HS_SNTRUP761_CT_LEN],
                              uint8_t ss[HS_SNTRUP761_SS_LEN], hs__sntrup761_random_cb rnd, void *ctx) HS_MUST_CHECK;

/* As hs__sntrup761_encaps and _decaps for a key or ciphertext that
 * arrived as a string of some length: HS_ERR_FORMAT (outputs wiped) unless
 * it is exactly HS_SNTRUP761_PK_LEN (CT_LEN) bytes. */
int hs__sntrup761_encaps_len(const uint8_t *pk, size_t pk_len, uint8_t ct[HS_SNTRUP761_CT_LEN],
                             uint8_t ss[HS_SNTRUP761_SS_LEN]) HS_MUST_CHECK;
int hs__sntrup761_decaps_len(const uint8_t sk[HS_SNTRUP761_SK_LEN], const uint8_t *ct, size_t ct_len,
                             uint8_t ss[HS_SNTRUP761_SS_LEN]) HS_MUST_CHECK;

#endif
