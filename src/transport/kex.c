/*
 * The key exchange state machine on a connection: KEXINIT in both
 * directions, the methods (the post-quantum hybrids mlkem768x25519-sha256,
 * draft-ietf-sshm-mlkem-hybrid-kex, and sntrup761x25519-sha512 with its
 * @openssh.com alias, draft-ietf-sshm-ntruprime-ssh; curve25519-sha256
 * and its @libssh.org alias, RFC 8731; diffie-hellman-group14-sha256,
 * group16-sha512 and group18-sha512, RFC 4253 §8 and RFC 8268, computed as
 * a job off the loop when the I/O layer can), NEWKEYS, strict key exchange (OpenSSH
 * PROTOCOL "kex-strict-*-v00@openssh.com") and EXT_INFO (RFC 8308). The
 * same path serves the first exchange and every rekey, started by either
 * side.
 */
#include "transport/kex.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "core/conn_priv.h"
#include "crypto/dh.h"
#include "crypto/mlkem768.h"
#include "crypto/sntrup761.h"
#include "crypto/x25519.h"
#include "keys/sig.h"
#include "keys/sign_request.h"
#include "transport/kexinit.h"

#define STRICT_S "kex-strict-s-v00@openssh.com"
#define STRICT_C "kex-strict-c-v00@openssh.com"

/* The signature of the exchange hash, between the request and the reply.
 * When the connection ends first, the request is cancelled: the signer's
 * answer then only frees it (keys/sign_request.c). */
struct hs_kex_signing {
	struct hs_conn *conn;
	struct hs_sign_request *req; /* out with the signer; NULL once answered */
	int external;                /* asked of hs_hostkey_new_external's signer */
	int in_call;                 /* inside hs__hostkey_sign_async */
	int answered;
	int err;
	struct hs_buf sig; /* checked against the host key, framed for hostkey_alg */
};

void hs__kex_init(struct hs_kex *k)
{
	memset(k, 0, sizeof(*k));
	hs__buf_init(&k->i_s, HS_MAX_KEXINIT, 0);
	hs__buf_init(&k->i_c, HS_MAX_KEXINIT, 0);
	hs__buf_init(&k->reply_head, HS_MAX_HOSTKEY_BLOB + HS_MAX_KEX_REPLY, 0);
}

static void signing_free(struct hs_kex_signing *ks)
{
	hs__sign_request_cancel(ks->req);
	hs__buf_cleanup(&ks->sig);
	free(ks);
}

/* Forget the state kept between the exchange hash and its signature. */
static void drop_signing_state(struct hs_kex *k)
{
	hs__cipher_cleanup(&k->next_tx);
	OPENSSL_cleanse(k->h, sizeof k->h);
	k->hlen = 0;
	hs__buf_reset(&k->reply_head);
}

void hs__kex_cleanup(struct hs_kex *k)
{
	hs__buf_cleanup(&k->i_s);
	hs__buf_cleanup(&k->i_c);
	hs__cipher_cleanup(&k->next_rx);
	k->next_rx_ready = 0;
	if (k->signing != NULL) {
		signing_free(k->signing); /* an answer still to come is dropped */
		k->signing = NULL;
	}
	drop_signing_state(k);
	hs__buf_cleanup(&k->reply_head);
}

/* The signature came (hs__sign_done_fn): keep it for hs__kex_sign_done. */
static void on_signed(void *ctx, int err, const uint8_t *sig, size_t siglen)
{
	struct hs_kex_signing *ks = ctx;
	ks->req = NULL;
	ks->answered = 1;
	ks->err = err;
	if (err == 0 && hs__buf_put(&ks->sig, sig, siglen) != 0)
		ks->err = HS_ERR_LIMIT;
	if (!ks->in_call)
		hs__conn_kick(ks->conn); /* the core goes on from the loop: hs__conn_resume */
}

int hs__kex_sign_answered(const struct hs_kex *k)
{
	return k->signing != NULL && k->signing->answered;
}

/* One key exchange method, server side: read the client's init message
 * body, append the method's fields of the exchange hash to hashpart, the
 * reply's value field to reply, and the shared secret K, encoded as the
 * method says (kexhash.h), to k. A bad value from the peer is
 * HS_ERR_PROTOCOL. */
typedef int (*kex_exchange_fn)(struct hs_view *v, struct hs_buf *hashpart, struct hs_buf *reply, struct hs_buf *k);

/* curve25519-sha256 (RFC 8731): string Q_C in, string Q_S out. */
static int exchange_curve25519(struct hs_view *v, struct hs_buf *hashpart, struct hs_buf *reply, struct hs_buf *k)
{
	struct hs_bytes q_c;
	uint8_t priv[32], q_s[32], secret[32];
	int r;
	if ((r = hs__view_get_string(v, &q_c)) != 0 || (r = hs__view_end(v)) != 0)
		return r;
	if (q_c.len != 32) /* RFC 8731 §3: exactly 32 bytes */
		return HS_ERR_PROTOCOL;
	if ((r = hs__x25519_keygen(priv, q_s)) != 0)
		goto out;
	if (hs__x25519_shared(priv, q_c.ptr, secret) != 0) {
		r = HS_ERR_PROTOCOL; /* a low-order point (RFC 8731 §3) */
		goto out;
	}
	/* RFC 8731 §3.1: K is the X25519 output as an mpint */
	if ((r = hs__buf_put_string(hashpart, q_c.ptr, q_c.len)) != 0 ||
	    (r = hs__buf_put_string(hashpart, q_s, sizeof q_s)) != 0 ||
	    (r = hs__buf_put_string(reply, q_s, sizeof q_s)) != 0 ||
	    (r = hs__buf_put_mpint_bytes(k, secret, sizeof secret)) != 0)
		goto out;
out:
	OPENSSL_cleanse(priv, sizeof priv);
	OPENSSL_cleanse(secret, sizeof secret);
	return r;
}

/* A post-quantum KEM with X25519 beside it. Both drafts
 * (draft-ietf-sshm-mlkem-hybrid-kex §2.1-2.4, draft-ietf-sshm-ntruprime-ssh
 * §2; OpenSSH's kexmlkem768x25519.c and kexsntrup761x25519.c agree):
 * - the client's string C_INIT = C_PK2 || C_PK1: the KEM's public key,
 *   then its X25519 public key (32 bytes); any other length is refused;
 * - our string S_REPLY = S_CT2 || S_PK1: the KEM ciphertext for C_PK2,
 *   then our X25519 public key;
 * - the exchange hash takes C_INIT and S_REPLY where ECDH takes Q_C and
 *   Q_S (as strings);
 * - K = HASH(K_PQ || K_CL), K_PQ the KEM's 32-byte shared secret, K_CL
 *   X25519's raw 32-byte output (not an mpint; all zero is refused, as
 *   RFC 8731 §3 says), and K enters H and the key derivation encoded as a
 *   string, not an mpint. */
struct hybrid_kem {
	size_t pk_len, ct_len;
	int (*encaps)(const uint8_t *pk, uint8_t *ct, uint8_t ss[32]);
	const EVP_MD *(*md)(void);
};

#define HYBRID_CT_MAX 1088u /* the longest S_CT2: ML-KEM-768's */

static int hybrid_shared(const struct hybrid_kem *kem, const uint8_t k_pq[32], const uint8_t k_cl[32], struct hs_buf *k)
{
	uint8_t both[64], hash[EVP_MAX_MD_SIZE];
	unsigned hlen = 0;
	int r = HS_ERR_CRYPTO;
	memcpy(both, k_pq, 32);
	memcpy(both + 32, k_cl, 32);
	if (EVP_Digest(both, sizeof both, hash, &hlen, kem->md(), NULL) == 1)
		r = hs__buf_put_string(k, hash, hlen);
	OPENSSL_cleanse(both, sizeof both);
	OPENSSL_cleanse(hash, sizeof hash);
	return r;
}

static int exchange_hybrid(const struct hybrid_kem *kem, struct hs_view *v, struct hs_buf *hashpart,
                           struct hs_buf *reply, struct hs_buf *k)
{
	struct hs_bytes c_init;
	uint8_t priv[32], k_cl[32], k_pq[32], s_reply[HYBRID_CT_MAX + 32];
	int r;
	if ((r = hs__view_get_string(v, &c_init)) != 0 || (r = hs__view_end(v)) != 0)
		return r;
	if (c_init.len != kem->pk_len + 32 || kem->ct_len > HYBRID_CT_MAX)
		return HS_ERR_PROTOCOL;
	size_t s_len = kem->ct_len + 32;
	if ((r = hs__x25519_keygen(priv, s_reply + kem->ct_len)) != 0)
		goto out;
	if (hs__x25519_shared(priv, c_init.ptr + kem->pk_len, k_cl) != 0) {
		r = HS_ERR_PROTOCOL; /* a low-order point */
		goto out;
	}
	/* an encapsulation key that fails its check (FIPS 203 §7.2) is the
	 * peer's fault */
	if ((r = kem->encaps(c_init.ptr, s_reply, k_pq)) != 0) {
		if (r == HS_ERR_FORMAT || r == HS_ERR_INVALID_ARG)
			r = HS_ERR_PROTOCOL;
		goto out;
	}
	if ((r = hs__buf_put_string(hashpart, c_init.ptr, c_init.len)) != 0 ||
	    (r = hs__buf_put_string(hashpart, s_reply, s_len)) != 0 ||
	    (r = hs__buf_put_string(reply, s_reply, s_len)) != 0 || (r = hybrid_shared(kem, k_pq, k_cl, k)) != 0)
		goto out;
out:
	OPENSSL_cleanse(priv, sizeof priv);
	OPENSSL_cleanse(k_cl, sizeof k_cl);
	OPENSSL_cleanse(k_pq, sizeof k_pq);
	return r;
}

static int mlkem768_encaps(const uint8_t *pk, uint8_t *ct, uint8_t ss[32])
{
	return hs__mlkem768_encaps(pk, ct, ss);
}

static int sntrup761_encaps(const uint8_t *pk, uint8_t *ct, uint8_t ss[32])
{
	return hs__sntrup761_encaps(pk, ct, ss);
}

static const struct hybrid_kem mlkem768x25519 = { HS_MLKEM768_EK_LEN, HS_MLKEM768_CT_LEN, mlkem768_encaps, EVP_sha256 };
static const struct hybrid_kem sntrup761x25519 = { HS_SNTRUP761_PK_LEN, HS_SNTRUP761_CT_LEN, sntrup761_encaps,
	                                           EVP_sha512 };

static int exchange_mlkem768x25519(struct hs_view *v, struct hs_buf *hashpart, struct hs_buf *reply, struct hs_buf *k)
{
	return exchange_hybrid(&mlkem768x25519, v, hashpart, reply, k);
}

static int exchange_sntrup761x25519(struct hs_view *v, struct hs_buf *hashpart, struct hs_buf *reply, struct hs_buf *k)
{
	return exchange_hybrid(&sntrup761x25519, v, hashpart, reply, k);
}

/* diffie-hellman-group*-sha* (RFC 4253 §8, RFC 8268): mpint e in, mpint f
 * out. The exponentiations are a job (crypto/dh.h) that the I/O layer may
 * run on another thread; this is the part after it, on the loop. */
static int dh_fields(const struct hs_dh_job *job, struct hs_buf *hashpart, struct hs_buf *reply)
{
	int r;
	const uint8_t *f = hs__buf_ptr(&job->f);
	size_t flen = hs__buf_len(&job->f);
	if ((r = hs__buf_put_mpint_bytes(hashpart, hs__buf_ptr(&job->e), hs__buf_len(&job->e))) != 0 ||
	    (r = hs__buf_put_mpint_bytes(hashpart, f, flen)) != 0 || (r = hs__buf_put_mpint_bytes(reply, f, flen)) != 0)
		return r;
	return 0;
}

/* A method computes inline (exchange) or, for the finite-field groups, as
 * a job (dh_group). */
static const struct kex_method {
	const char *name;
	const EVP_MD *(*md)(void);
	kex_exchange_fn exchange;
	enum hs_dh_group dh_group;
} kex_methods[] = {
	{ "mlkem768x25519-sha256", EVP_sha256, exchange_mlkem768x25519, 0 },
	{ "sntrup761x25519-sha512", EVP_sha512, exchange_sntrup761x25519, 0 },
	{ "sntrup761x25519-sha512@openssh.com", EVP_sha512, exchange_sntrup761x25519, 0 },
	{ "curve25519-sha256", EVP_sha256, exchange_curve25519, 0 },
	{ "curve25519-sha256@libssh.org", EVP_sha256, exchange_curve25519, 0 },
	{ "diffie-hellman-group18-sha512", EVP_sha512, NULL, HS_DH_GROUP18 },
	{ "diffie-hellman-group16-sha512", EVP_sha512, NULL, HS_DH_GROUP16 },
	{ "diffie-hellman-group14-sha256", EVP_sha256, NULL, HS_DH_GROUP14 },
};

static const struct kex_method *find_method(const char *name)
{
	for (size_t i = 0; i < sizeof kex_methods / sizeof kex_methods[0]; i++)
		if (strcmp(kex_methods[i].name, name) == 0)
			return &kex_methods[i];
	return NULL;
}

const EVP_MD *hs__kex_md(const char *kex_alg)
{
	const struct kex_method *m = find_method(kex_alg);
	return m != NULL ? m->md() : NULL;
}

int hs__kex_known(const char *kex_alg)
{
	return find_method(kex_alg) != NULL;
}

int hs__kex_wanted(const struct hs_conn *conn)
{
	const struct hs_packet_io *p = &conn->pkt;
	/* Not before authentication: a held USERAUTH_SUCCESS must not be sent
	 * after delayed compression started. */
	if (!conn->auth.completed || conn->kex.step != HS_KEX_IDLE || conn->closing)
		return 0;
	return p->tx.bytes >= conn->cfg->rekey_bytes || p->rx.bytes >= conn->cfg->rekey_bytes ||
	       p->tx.packets >= HS_REKEY_PACKETS || p->rx.packets >= HS_REKEY_PACKETS ||
	       conn->now_ms - conn->last_kex_ms >= conn->cfg->rekey_ms;
}

int hs__kex_start(struct hs_conn *conn)
{
	struct hs_kex *k = &conn->kex;
	char kexlist[HS_MAX_NAMELIST];
	int r;
	if (k->step != HS_KEX_IDLE)
		return 0;
	/* The strict marker belongs in the first KEXINIT only. */
	if (conn->phase == HS_PHASE_FIRST_KEX)
		snprintf(kexlist, sizeof kexlist, "%s,%s", conn->cfg->kex, STRICT_S);
	else
		snprintf(kexlist, sizeof kexlist, "%s", conn->cfg->kex);
	const char *lists[HS_KL_COUNT] = {
		[HS_KL_KEX] = kexlist,
		[HS_KL_HOSTKEY] = conn->cfg->hostkey_algs,
		[HS_KL_ENC_C2S] = conn->cfg->ciphers,
		[HS_KL_ENC_S2C] = conn->cfg->ciphers,
		[HS_KL_MAC_C2S] = conn->cfg->macs,
		[HS_KL_MAC_S2C] = conn->cfg->macs,
		[HS_KL_COMP_C2S] = conn->cfg->compression,
		[HS_KL_COMP_S2C] = conn->cfg->compression,
		[HS_KL_LANG_C2S] = "",
		[HS_KL_LANG_S2C] = "",
	};
	hs__buf_reset(&k->i_s);
	hs__buf_reset(&k->i_c);
	if ((r = hs__buf_put_u8(&k->i_s, HS_MSG_KEXINIT)) != 0 || (r = hs__kexinit_write(&k->i_s, lists)) != 0)
		return r;
	struct hs_buf *b;
	if ((r = hs__conn_begin(conn, HS_MSG_KEXINIT, &b)) != 0)
		return r;
	r = hs__buf_put(b, hs__buf_ptr(&k->i_s) + 1, hs__buf_len(&k->i_s) - 1);
	if ((r = hs__conn_end(conn, r)) != 0)
		return r;
	k->step = HS_KEX_SENT_KEXINIT;
	k->started_ms = conn->now_ms;
	return 0;
}

/* Nothing in common in one of the lists: the key exchange failed (reason
 * 3), and the log and the peer learn which list it was. */
static int no_common(struct hs_conn *conn, const char *list)
{
	hs__conn_set_failure(conn, 0, "no common %s algorithm", list);
	return HS_ERR_NO_ALGORITHM;
}

static int handle_kexinit(struct hs_conn *conn, struct hs_view *v)
{
	struct hs_kex *k = &conn->kex;
	struct hs_kexinit ki;
	char first[HS_ALG_NAME_MAX];
	int r;
	int first_kex = conn->phase == HS_PHASE_FIRST_KEX;
	struct hs_view whole = hs__view_make(v->ptr, v->len); /* the payload from the message number */
	if (!conn->auth.completed && conn->kex_count >= HS_MAX_PREAUTH_KEX)
		return HS_ERR_LIMIT; /* rekeying in a loop before auth burns our CPU */
	if (k->step == HS_KEX_IDLE && (r = hs__kex_start(conn)) != 0)
		return r;
	if ((r = hs__kexinit_parse(v, &ki)) != 0)
		return r;
	hs__buf_reset(&k->i_c);
	if ((r = hs__buf_put(&k->i_c, whole.ptr, whole.len)) != 0)
		return r;
	if (first_kex) {
		conn->strict_kex = hs__namelist_has(ki.lists[HS_KL_KEX], STRICT_C);
		conn->ext_info_c = hs__namelist_has(ki.lists[HS_KL_KEX], "ext-info-c");
		/* Strict KEX: KEXINIT must be the very first packet. */
		if (conn->strict_kex && k->last_seqnr != 0)
			return HS_ERR_PROTOCOL;
	}
	if (hs__kexinit_choose(ki.lists[HS_KL_KEX], conn->cfg->kex, k->kex_alg, sizeof k->kex_alg) != 0)
		return no_common(conn, "key exchange");
	if (hs__kexinit_choose(ki.lists[HS_KL_HOSTKEY], conn->cfg->hostkey_algs, k->hostkey_alg,
	                       sizeof k->hostkey_alg) != 0)
		return no_common(conn, "host key");
	if (hs__kexinit_choose(ki.lists[HS_KL_ENC_C2S], conn->cfg->ciphers, k->enc_c2s, sizeof k->enc_c2s) != 0 ||
	    hs__kexinit_choose(ki.lists[HS_KL_ENC_S2C], conn->cfg->ciphers, k->enc_s2c, sizeof k->enc_s2c) != 0)
		return no_common(conn, "cipher");
	/* An AEAD cipher has its own integrity: the MAC lists then matter only
	 * to peers that insist on agreeing one. */
	if ((hs__kexinit_choose(ki.lists[HS_KL_MAC_C2S], conn->cfg->macs, k->mac_c2s, sizeof k->mac_c2s) != 0 &&
	     !hs__cipher_by_name(k->enc_c2s)->aead) ||
	    (hs__kexinit_choose(ki.lists[HS_KL_MAC_S2C], conn->cfg->macs, k->mac_s2c, sizeof k->mac_s2c) != 0 &&
	     !hs__cipher_by_name(k->enc_s2c)->aead))
		return no_common(conn, "MAC");
	if (hs__kexinit_choose(ki.lists[HS_KL_COMP_C2S], conn->cfg->compression, k->comp_c2s, sizeof k->comp_c2s) !=
	            0 ||
	    hs__kexinit_choose(ki.lists[HS_KL_COMP_S2C], conn->cfg->compression, k->comp_s2c, sizeof k->comp_s2c) != 0)
		return no_common(conn, "compression");
	/* RFC 4253 §7: the guess is wrong when the two sides' preferred
	 * (first) kex or host key algorithms differ; the guessed packet is
	 * then dropped. */
	if (ki.first_kex_packet_follows) {
		char ours[HS_ALG_NAME_MAX];
		struct hs_bytes skex = { (const uint8_t *)conn->cfg->kex, strlen(conn->cfg->kex) };
		struct hs_bytes shk = { (const uint8_t *)conn->cfg->hostkey_algs, strlen(conn->cfg->hostkey_algs) };
		hs__kexinit_first(ki.lists[HS_KL_KEX], first, sizeof first);
		hs__kexinit_first(skex, ours, sizeof ours);
		int wrong = strcmp(first, ours) != 0;
		hs__kexinit_first(ki.lists[HS_KL_HOSTKEY], first, sizeof first);
		hs__kexinit_first(shk, ours, sizeof ours);
		wrong |= strcmp(first, ours) != 0;
		k->ignore_next = wrong;
	}
	k->step = HS_KEX_WAIT_INIT;
	return 0;
}

/* Derive one direction's keys and set up its cipher context. */
static int make_cipher(struct hs_conn *conn, const EVP_MD *md, struct hs_bytes kmp, const uint8_t *h, size_t hlen,
                       const char *enc, const char *mac, char iv_l, char key_l, char mac_l, int encrypt,
                       struct hs_cipher_ctx *out)
{
	const struct hs_cipher_info *ci = hs__cipher_by_name(enc);
	const struct hs_mac_info *mi = NULL;
	uint8_t iv[64], key[64], mkey[128];
	int r = HS_ERR_NO_ALGORITHM;
	if (ci == NULL)
		goto out;
	if (!ci->aead && (mi = hs__mac_by_name(mac)) == NULL)
		goto out;
	if (ci->iv_len > sizeof iv || ci->key_len > sizeof key || (mi && mi->key_len > sizeof mkey)) {
		r = HS_ERR_INTERNAL;
		goto out;
	}
	const uint8_t *sid = conn->session_id;
	size_t sidlen = conn->session_id_len;
	if ((r = hs__kex_derive(md, kmp, h, hlen, sid, sidlen, iv_l, iv, ci->iv_len)) != 0 ||
	    (r = hs__kex_derive(md, kmp, h, hlen, sid, sidlen, key_l, key, ci->key_len)) != 0)
		goto out;
	if (mi && (r = hs__kex_derive(md, kmp, h, hlen, sid, sidlen, mac_l, mkey, mi->key_len)) != 0)
		goto out;
	r = hs__cipher_init(out, ci, key, ci->iv_len ? iv : NULL, mi, mi ? mkey : NULL, encrypt);
out:
	OPENSSL_cleanse(iv, sizeof iv);
	OPENSSL_cleanse(key, sizeof key);
	OPENSSL_cleanse(mkey, sizeof mkey);
	return r;
}

static int send_ext_info(struct hs_conn *conn)
{
	int r;
	struct hs_buf *b;
	if ((r = hs__conn_begin(conn, HS_MSG_EXT_INFO, &b)) != 0)
		return r;
	if ((r = hs__buf_put_u32(b, 1)) == 0 && (r = hs__buf_put_cstring(b, "server-sig-algs")) == 0)
		r = hs__buf_put_cstring(b, conn->cfg->pubkey_algs);
	return hs__conn_end(conn, r);
}

/* At NEWKEYS: "zlib" starts now (RFC 4253 §6.2); "zlib@openssh.com" once
 * authentication has succeeded (hs__kex_auth_done). Each NEWKEYS starts a
 * fresh stream, as peers do; "none" after a rekey stops compressing. */
static int start_compression(struct hs_conn *conn, struct hs_packet_dir *dir, const char *name, int deflate)
{
	int method = hs__comp_by_name(name);
	if (method == HS_COMP_ZLIB || (method == HS_COMP_ZLIB_OPENSSH && conn->auth.completed))
		return hs__packet_start_compression(&conn->pkt, dir, deflate);
	hs__z_free(dir->z);
	dir->z = NULL;
	if (method == HS_COMP_ZLIB_OPENSSH)
		conn->delayed_compression = 1;
	return 0;
}

int hs__kex_auth_done(struct hs_conn *conn)
{
	int r = 0;
	conn->pkt.rx.inflate_left = UINT64_MAX;
	if (conn->delayed_compression) {
		conn->delayed_compression = 0;
		if ((r = hs__packet_start_compression(&conn->pkt, &conn->pkt.tx, 1)) == 0)
			r = hs__packet_start_compression(&conn->pkt, &conn->pkt.rx, 0);
	}
	return r;
}

/* With the exchange hash signed (sig, in the framing of the host key
 * algorithm): send the reply and NEWKEYS, switch our output to the new
 * keys, and let the held messages go. */
static int send_signed_reply(struct hs_conn *conn, const struct hs_buf *sig)
{
	struct hs_kex *k = &conn->kex;
	struct hs_buf *b;
	int r;
	if ((r = hs__conn_begin(conn, HS_MSG_KEX_ECDH_REPLY, &b)) != 0)
		return r;
	if ((r = hs__buf_put(b, hs__buf_ptr(&k->reply_head), hs__buf_len(&k->reply_head))) == 0)
		r = hs__buf_put_string(b, hs__buf_ptr(sig), hs__buf_len(sig));
	if ((r = hs__conn_end(conn, r)) != 0)
		return r;
	if ((r = hs__conn_begin(conn, HS_MSG_NEWKEYS, &b)) != 0 || (r = hs__conn_end(conn, 0)) != 0)
		return r;
	hs__packet_set_cipher(&conn->pkt.tx, &k->next_tx, conn->strict_kex);
	drop_signing_state(k);
	k->step = HS_KEX_WAIT_NEWKEYS;
	if ((r = start_compression(conn, &conn->pkt.tx, k->comp_s2c, 1)) != 0)
		return r;
	/* RFC 8308 §2.4: EXT_INFO goes right after our first NEWKEYS. */
	if (conn->kex_count == 0 && conn->ext_info_c && (r = send_ext_info(conn)) != 0)
		return r;
	/* Messages held back during the exchange can go now. */
	if ((r = hs__sendq_flush_held(&conn->sendq, &conn->pkt)) == 0)
		hs__conn_kick(conn);
	return r;
}

int hs__kex_sign_done(struct hs_conn *conn)
{
	struct hs_kex *k = &conn->kex;
	struct hs_kex_signing *ks = k->signing;
	int r;
	if (ks == NULL || !ks->answered)
		return HS_ERR_INTERNAL;
	k->signing = NULL;
	if (ks->external)
		k->started_ms += conn->now_ms - k->busy_since; /* our time does not count */
	r = ks->err;
	if (r != 0) {
		/* whatever the signer said, the peer learns only this */
		hs__conn_set_failure(conn, HS_DISCONNECT_KEY_EXCHANGE_FAILED, "host key signature failed");
		r = HS_ERR_SIGNATURE;
	} else {
		r = send_signed_reply(conn, &ks->sig);
	}
	signing_free(ks);
	return r;
}

/* Sign H with the host key: here, or by the external signer, whose answer
 * comes through hs_sign_request_done (perhaps at once, from inside the
 * request); the reply goes out at once when the signature is there. */
static int sign_exchange(struct hs_conn *conn)
{
	struct hs_kex *k = &conn->kex;
	struct hs_kex_signing *ks = calloc(1, sizeof(*ks));
	int r;
	if (ks == NULL)
		return HS_ERR_ALLOC;
	ks->conn = conn;
	ks->external = hs__hostkey_external(conn->hostkey);
	hs__buf_init(&ks->sig, HS_MAX_HOSTKEY_BLOB, 0);
	k->signing = ks;
	if (ks->external)
		k->busy_since = conn->now_ms;
	ks->in_call = 1;
	r = hs__hostkey_sign_async(conn->hostkey, k->hostkey_alg, k->h, k->hlen, on_signed, ks, &ks->req);
	ks->in_call = 0;
	if (r != 0) {
		k->signing = NULL;
		signing_free(ks);
		return r;
	}
	if (!ks->answered)
		return 0;
	if (!ks->external && ks->err != 0) { /* as the host key's own failure always was */
		r = ks->err;
		k->signing = NULL;
		signing_free(ks);
		return r;
	}
	return hs__kex_sign_done(conn);
}

/* With the method's exchange-hash fields, reply value and shared secret
 * in hand: compute H (the first one is the session identifier), derive
 * the keys of both directions, then have H signed. */
static int send_reply(struct hs_conn *conn, const struct kex_method *m, const struct hs_buf *hashpart,
                      const struct hs_buf *reply, const struct hs_buf *secret)
{
	struct hs_kex *k = &conn->kex;
	struct hs_buf ksb;
	int r;
	hs__buf_init(&ksb, HS_MAX_HOSTKEY_BLOB, 0);
	const EVP_MD *md = m->md();
	/* K_S in the form of the negotiated host key algorithm */
	if ((r = hs__hostkey_public_blob(conn->hostkey, k->hostkey_alg, &ksb)) != 0)
		goto out;
	struct hs_kex_transcript t = {
		.v_c = { (const uint8_t *)conn->client_version, strlen(conn->client_version) },
		.v_s = { (const uint8_t *)conn->server_version, strlen(conn->server_version) },
		.i_c = { hs__buf_ptr(&k->i_c), hs__buf_len(&k->i_c) },
		.i_s = { hs__buf_ptr(&k->i_s), hs__buf_len(&k->i_s) },
		.k_s = { hs__buf_ptr(&ksb), hs__buf_len(&ksb) },
		.method = { hs__buf_ptr(hashpart), hs__buf_len(hashpart) },
		.k = { hs__buf_ptr(secret), hs__buf_len(secret) },
	};
	if ((r = hs__kex_hash(md, &t, k->h, &k->hlen)) != 0)
		goto out;
	if (conn->session_id_len == 0) {
		memcpy(conn->session_id, k->h, k->hlen);
		conn->session_id_len = k->hlen;
	}
	/* Keys for both directions, before anything is sent. */
	if ((r = make_cipher(conn, md, t.k, k->h, k->hlen, k->enc_s2c, k->mac_s2c, 'B', 'D', 'F', 1, &k->next_tx)) !=
	            0 ||
	    (r = make_cipher(conn, md, t.k, k->h, k->hlen, k->enc_c2s, k->mac_c2s, 'A', 'C', 'E', 0, &k->next_rx)) != 0)
		goto out;
	k->next_rx_ready = 1;
	hs__buf_reset(&k->reply_head);
	if ((r = hs__buf_put_string(&k->reply_head, hs__buf_ptr(&ksb), hs__buf_len(&ksb))) != 0 ||
	    (r = hs__buf_put(&k->reply_head, hs__buf_ptr(reply), hs__buf_len(reply))) != 0)
		goto out;
	r = sign_exchange(conn);
out:
	hs__buf_cleanup(&ksb);
	return r;
}

int hs__kex_exchange(const char *kex_alg, struct hs_view *v, struct hs_buf *hashpart, struct hs_buf *reply,
                     struct hs_buf *k)
{
	const struct kex_method *m = find_method(kex_alg);
	if (m == NULL || m->exchange == NULL)
		return HS_ERR_INVALID_ARG;
	return m->exchange(v, hashpart, reply, k);
}

/* A value from the peer that the method refuses ends the connection as
 * its fault; other errors are ours. */
static int peer_value_refused(struct hs_conn *conn)
{
	hs__conn_set_failure(conn, HS_DISCONNECT_KEY_EXCHANGE_FAILED, "invalid key exchange value");
	return HS_ERR_PROTOCOL;
}

int hs__kex_dh_done(struct hs_conn *conn, struct hs_dh_job *job)
{
	struct hs_buf hashpart, reply, secret;
	int r;
	const struct kex_method *m = find_method(conn->kex.kex_alg);
	conn->kex.computing = 0;
	conn->kex.started_ms += conn->now_ms - conn->kex.busy_since; /* our time does not count */
	hs__buf_init(&hashpart, HS_MAX_KEX_HASHPART, 0);
	hs__buf_init(&reply, HS_MAX_KEX_REPLY, 0);
	hs__buf_init(&secret, HS_MAX_KEX_SECRET, 1);
	if (m == NULL || m->dh_group != job->group)
		r = HS_ERR_INTERNAL;
	else if (job->result == HS_ERR_PROTOCOL)
		r = peer_value_refused(conn);
	else if ((r = job->result) == 0 && (r = dh_fields(job, &hashpart, &reply)) == 0 &&
	         (r = hs__buf_put_mpint_bytes(&secret, hs__buf_ptr(&job->k), hs__buf_len(&job->k))) == 0)
		r = send_reply(conn, m, &hashpart, &reply, &secret); /* RFC 4253 §8: K as an mpint */
	hs__dh_job_free(job);
	hs__buf_cleanup(&hashpart);
	hs__buf_cleanup(&reply);
	hs__buf_cleanup(&secret);
	return r;
}

/* The client's KEX_ECDH_INIT / KEXDH_INIT (both message 30). A finite-field
 * exchange is a job the core hands to the I/O layer when it can run jobs
 * elsewhere (the connection reads nothing until hs__kex_dh_done);
 * otherwise it is computed at once. */
static int handle_kex_init(struct hs_conn *conn, struct hs_view *v)
{
	struct hs_buf hashpart, reply, secret;
	int r;
	const struct kex_method *m = find_method(conn->kex.kex_alg);
	if (m == NULL)
		return HS_ERR_INTERNAL;
	if (m->exchange == NULL) {
		struct hs_bytes e;
		if ((r = hs__view_get_mpint(v, &e)) != 0 || (r = hs__view_end(v)) != 0)
			return r;
		struct hs_dh_job *job = hs__dh_job_new(m->dh_group, e.ptr, e.len);
		if (job == NULL)
			return HS_ERR_ALLOC;
		return hs__conn_compute(conn, job);
	}
	hs__buf_init(&hashpart, HS_MAX_KEX_HASHPART, 0);
	hs__buf_init(&reply, HS_MAX_KEX_REPLY, 0);
	hs__buf_init(&secret, HS_MAX_KEX_SECRET, 1);
	r = m->exchange(v, &hashpart, &reply, &secret);
	if (r == HS_ERR_PROTOCOL)
		r = peer_value_refused(conn);
	else if (r == 0)
		r = send_reply(conn, m, &hashpart, &reply, &secret);
	hs__buf_cleanup(&hashpart);
	hs__buf_cleanup(&reply);
	hs__buf_cleanup(&secret);
	return r;
}

static int handle_newkeys(struct hs_conn *conn, struct hs_view *v)
{
	struct hs_kex *k = &conn->kex;
	int r;
	if ((r = hs__view_end(v)) != 0)
		return r;
	if (!k->next_rx_ready)
		return HS_ERR_INTERNAL;
	hs__packet_set_cipher(&conn->pkt.rx, &k->next_rx, conn->strict_kex);
	k->next_rx_ready = 0;
	if ((r = start_compression(conn, &conn->pkt.rx, k->comp_c2s, 0)) != 0)
		return r;
	k->step = HS_KEX_IDLE;
	conn->kex_count++;
	conn->last_kex_ms = conn->now_ms;
	hs__buf_cleanup(&k->i_s);
	hs__buf_cleanup(&k->i_c);
	return hs__conn_keys_changed(conn);
}

int hs__kex_handle(struct hs_conn *conn, uint8_t msg, struct hs_view *v)
{
	switch (msg) {
	case HS_MSG_KEXINIT:
		return handle_kexinit(conn, v);
	case HS_MSG_KEX_ECDH_INIT:
		if (conn->kex.ignore_next) {
			conn->kex.ignore_next = 0;
			return 0;
		}
		return handle_kex_init(conn, v);
	case HS_MSG_NEWKEYS:
		return handle_newkeys(conn, v);
	default:
		return HS_ERR_UNEXPECTED_MSG;
	}
}
