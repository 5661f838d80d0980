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
 * ecdsa-sha2-<curve> for ECDSA; angelos-tongues for angelos-tongues keys)
 * and equal the algorithm inside the blob.
 *
 * angelos-tongues signatures are framed differently: string
 * "angelos-tongues" followed by the raw 64-byte Ed25519 signature with no
 * length field (83 bytes in all); the signature is plain Ed25519 over data.
 *
 * The algorithm name must match the key blob's type: an ssh-ed25519 key
 * blob with alg "angelos-tongues", or an angelos-tongues key blob with alg
 * "ssh-ed25519", is refused with HS_ERR_KEY_TYPE even though both are the
 * same Ed25519 underneath. A peer proves the key it presented, in the form
 * it presented it; the trust registry matches that exact blob.
 *
 * Returns 0 only when the signature verifies; HS_ERR_SIGNATURE when it does
 * not, HS_ERR_KEY_TYPE for a wrong or refused algorithm, HS_ERR_FORMAT for a
 * malformed blob. Never aborts on any input. */
int hs__key_verify(const struct hs_key *key, const char *alg, const uint8_t *sig, size_t siglen, const uint8_t *data,
                   size_t datalen) HS_MUST_CHECK;

/* Is alg a signature algorithm that keys of this blob's type may use?
 * (For angelos-tongues keys only "angelos-tongues"; for ssh-ed25519 keys
 * only "ssh-ed25519": see hs__key_verify.) */
int hs__key_alg_allowed(const struct hs_key *key, const char *alg);

/* Append the signature blob of data made with the (Ed25519) host key under
 * alg to out: for "ssh-ed25519" string alg, string signature (RFC 8709
 * §6); for "angelos-tongues" string alg then the raw 64-byte signature
 * with no length field. Appended whole or not at all; HS_ERR_KEY_TYPE for
 * any other alg. */
int hs__hostkey_sign(const struct hs_hostkey *key, const char *alg, const uint8_t *data, size_t len,
                     struct hs_buf *out) HS_MUST_CHECK;

/* Is the host key's private half elsewhere (hs_hostkey_new_external)?
 * Then hs__hostkey_sign cannot sign with it: ask its signer, as
 * hs__hostkey_sign_async does (keys/sign_request.h). */
int hs__hostkey_external(const struct hs_hostkey *key);
void hs__hostkey_ask_signer(const struct hs_hostkey *key, struct hs_sign_request *req, const uint8_t *data, size_t len);

/* An external signer's answer (string "ssh-ed25519", string signature),
 * checked against the host key and data, appended to out in the framing of
 * alg as hs__hostkey_sign would have made it. HS_ERR_SIGNATURE when it is
 * not the host key's signature of data. */
int hs__hostkey_adopt_signature(const struct hs_hostkey *key, const char *alg, const uint8_t *sig, size_t siglen,
                                const uint8_t *data, size_t len, struct hs_buf *out) HS_MUST_CHECK;

/* Append to out the host key's public key blob in the framing of the
 * negotiated host key algorithm alg (K_S of RFC 4253 §8): the ssh-ed25519
 * blob for "ssh-ed25519", the 63-byte angelos-tongues blob for
 * "angelos-tongues" (the same Ed25519 key). Appended whole or not at all;
 * HS_ERR_KEY_TYPE for any other alg. */
int hs__hostkey_public_blob(const struct hs_hostkey *key, const char *alg, struct hs_buf *out) HS_MUST_CHECK;

#endif
