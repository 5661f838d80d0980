/*
 * Key exchange state of one connection (RFC 4253 §7-§9): the two KEXINIT
 * payloads for the exchange hash, the negotiated algorithms, and the keys
 * waiting for the peer's NEWKEYS.
 */
#ifndef HS_TRANSPORT_KEX_H
#define HS_TRANSPORT_KEX_H

#include "crypto/cipher.h"
#include "crypto/dh.h"
#include "transport/kexhash.h"
#include "transport/msgfilter.h"
#include "common/limits.h"
#include "wire/buf.h"

#define HS_ALG_NAME_MAX (HS_MAX_NAME + 1)

struct hs_kex_signing; /* kex.c */

struct hs_kex {
	enum hs_kex_step step;
	struct hs_buf i_s; /* our KEXINIT payload */
	struct hs_buf i_c; /* the peer's KEXINIT payload */
	char kex_alg[HS_ALG_NAME_MAX];
	char hostkey_alg[HS_ALG_NAME_MAX];
	char enc_c2s[HS_ALG_NAME_MAX], enc_s2c[HS_ALG_NAME_MAX];
	char mac_c2s[HS_ALG_NAME_MAX], mac_s2c[HS_ALG_NAME_MAX];
	char comp_c2s[HS_ALG_NAME_MAX], comp_s2c[HS_ALG_NAME_MAX];
	int ignore_next;              /* the peer guessed wrong: drop its next kex packet */
	struct hs_cipher_ctx next_rx; /* ready for the peer's NEWKEYS */
	int next_rx_ready;
	uint64_t started_ms; /* when it began (its first KEXINIT), less the time we were busy */
	uint64_t busy_since; /* when our computation or signature went out */
	int computing;       /* a finite-field exchange job is out: read nothing */
	uint32_t last_seqnr; /* sequence number of the packet being handled */
	/* Between the exchange hash and its signature, while an external
	 * signer (hs_hostkey_new_external) has it: read nothing. Signatures
	 * by a key in memory come within the call (keys/sign_request.h). */
	struct hs_kex_signing *signing;
	struct hs_cipher_ctx next_tx; /* our new keys, installed with our NEWKEYS */
	uint8_t h[HS_MAX_HASH];       /* the exchange hash being signed */
	size_t hlen;
	struct hs_buf reply_head; /* string K_S || the method's reply value */
};

/* Is the exchange waiting for a computation or a signature? The
 * connection then reads nothing. */
static inline int hs__kex_busy(const struct hs_kex *k)
{
	return k->computing || k->signing != NULL;
}

void hs__kex_init(struct hs_kex *k);
/* Wipe keys and free buffers. */
void hs__kex_cleanup(struct hs_kex *k);

struct hs_conn;

/* KEXINIT, the method's init message (30) and NEWKEYS: v is positioned
 * after the message number. */
int hs__kex_handle(struct hs_conn *conn, uint8_t msg, struct hs_view *v) HS_MUST_CHECK;
/* Send our KEXINIT (nothing if an exchange is already running). */
int hs__kex_start(struct hs_conn *conn) HS_MUST_CHECK;
/* Is a rekey due (authenticated, idle, and past a data, packet or time
 * limit)? */
int hs__kex_wanted(const struct hs_conn *conn);
/* Finish a finite-field exchange with its computed job (freed here). */
int hs__kex_dh_done(struct hs_conn *conn, struct hs_dh_job *job) HS_MUST_CHECK;
/* Has the external signer answered? Then hs__kex_sign_done sends the
 * reply (or fails the exchange). */
int hs__kex_sign_answered(const struct hs_kex *k);
int hs__kex_sign_done(struct hs_conn *conn) HS_MUST_CHECK;
/* Authentication succeeded: lift the pre-authentication inflate cap and
 * start delayed compression (after USERAUTH_SUCCESS was queued). */
int hs__kex_auth_done(struct hs_conn *conn) HS_MUST_CHECK;

/* The hash function of a kex algorithm name, or NULL. */
const EVP_MD *hs__kex_md(const char *kex_alg);
/* Is this a key exchange method we implement? */
int hs__kex_known(const char *kex_alg);
/* The server side of an inline method (curve25519, the hybrids) on the
 * client's init message body v: the exchange-hash fields into hashpart,
 * the reply's value into reply, K encoded into k. HS_ERR_PROTOCOL for a
 * value the method refuses; HS_ERR_INVALID_ARG for a name that is not an
 * inline method. For the fuzz target of the methods' parsing. */
int hs__kex_exchange(const char *kex_alg, struct hs_view *v, struct hs_buf *hashpart, struct hs_buf *reply,
                     struct hs_buf *k) HS_MUST_CHECK;

#endif
