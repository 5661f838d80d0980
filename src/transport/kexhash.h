/*
 * The exchange hash H and key derivation of RFC 4253 §7.2 / §8, shared by
 * every key exchange method. The method supplies its own encoded middle part
 * (string Q_C || string Q_S for ECDH and the hybrids, mpint e || mpint f for
 * DH) and its shared secret K already encoded: an mpint for DH and
 * curve25519 (RFC 4253 §8, RFC 8731 §3.1), a string for the post-quantum
 * hybrids (draft-ietf-sshm-mlkem-hybrid-kex, draft-ietf-sshm-ntruprime-ssh).
 */
#ifndef HS_TRANSPORT_KEXHASH_H
#define HS_TRANSPORT_KEXHASH_H

#include <openssl/evp.h>

#include "common/limits.h"
#include "wire/buf.h"

struct hs_kex_transcript {
	struct hs_bytes v_c, v_s; /* identification lines without CR LF */
	struct hs_bytes i_c, i_s; /* KEXINIT payloads, message number included */
	struct hs_bytes k_s;      /* server host key blob */
	struct hs_bytes method;   /* already-encoded method-specific fields */
	struct hs_bytes k;        /* shared secret K, encoded (mpint or string) */
};

/* H = HASH(string V_C || string V_S || string I_C || string I_S ||
 *          string K_S || method || K). */
int hs__kex_hash(const EVP_MD *md, const struct hs_kex_transcript *t, uint8_t *out, size_t *outlen) HS_MUST_CHECK;

/* Key letter X ('A'..'F'): HASH(K || H || X || session_id), extended
 * with HASH(K || H || K1 || ...) until need bytes; k is K encoded. */
int hs__kex_derive(const EVP_MD *md, struct hs_bytes k, const uint8_t *h, size_t hlen, const uint8_t *session_id,
                   size_t sidlen, char letter, uint8_t *out, size_t need) HS_MUST_CHECK;

#endif
