/* The in-memory test client (mini_client.h says what it does). */
#include "mini_client.h"

void mc_fail(struct mc *mc, const char *fmt, ...)
{
	va_list ap;
	if (mc->failed++ == 0) {
		va_start(ap, fmt);
		vsnprintf(mc->err, sizeof mc->err, fmt, ap);
		va_end(ap);
		if (!mc->quiet)
			fprintf(stderr, "mini_client: %s\n", mc->err);
	}
}

void mc_init(struct mc *mc, struct hs_conn *conn, const struct mc_opts *opt)
{
	memset(mc, 0, sizeof(*mc));
	mc->conn = conn;
	if (opt != NULL)
		mc->opt = *opt;
	if (mc->opt.cipher == NULL)
		mc->opt.cipher = "chacha20-poly1305@openssh.com";
	if (mc->opt.mac == NULL)
		mc->opt.mac = "hmac-sha2-256-etm@openssh.com";
	if (mc->opt.kex == NULL)
		mc->opt.kex = "curve25519-sha256";
	snprintf(mc->v_c, sizeof mc->v_c, "%s", mc->opt.version ? mc->opt.version : "SSH-2.0-mini_client");
	hs__packet_init(&mc->pkt, HS_MAX_PACKET_SIZE_MAX, MC_IN_MAX);
	mc->pkt.in.max = MC_IN_MAX; /* a test client may buffer a lot of server output */
	hs__buf_init(&mc->i_c, 65536, 0);
	hs__buf_init(&mc->i_s, 65536, 0);
	hs__buf_init(&mc->held, MC_IN_MAX, 0);
	hs__buf_init(&mc->c_init, 4096, 0);
}

void mc_chan_init(struct mc_chan *ch, uint32_t local_id, uint32_t window, uint32_t maxpkt)
{
	memset(ch, 0, sizeof(*ch));
	ch->local_id = local_id;
	ch->init_window = ch->local_window = window;
	ch->local_maxpkt = maxpkt;
	ch->auto_handle = 1;
	ch->auto_adjust = 1;
	ch->auto_close = 1;
	ch->exit_status = -1;
	hs__buf_init(&ch->rx, MC_IN_MAX, 0);
	hs__buf_init(&ch->ext, MC_IN_MAX, 0);
}

void mc_chan_cleanup(struct mc_chan *ch)
{
	hs__buf_cleanup(&ch->rx);
	hs__buf_cleanup(&ch->ext);
}

/* Free the client's state, and the data buffers of registered channels
 * (the channel structs themselves belong to the test). */
void mc_cleanup(struct mc *mc)
{
	for (int i = 0; i < MC_MAX_CHANS; i++)
		if (mc->chans[i] != NULL)
			mc_chan_cleanup(mc->chans[i]);
	for (size_t i = mc->qhead; i < mc->qlen; i++)
		free(mc->q[i].data);
	free(mc->q);
	free(mc->cur.data);
	hs__packet_cleanup(&mc->pkt);
	hs__buf_cleanup(&mc->i_c);
	hs__buf_cleanup(&mc->i_s);
	hs__buf_cleanup(&mc->held);
	hs__buf_cleanup(&mc->c_init);
	if (mc->kem_sk != NULL) {
		OPENSSL_cleanse(mc->kem_sk,
		                HS_MLKEM768_DK_LEN > HS_SNTRUP761_SK_LEN ? HS_MLKEM768_DK_LEN : HS_SNTRUP761_SK_LEN);
		free(mc->kem_sk);
		mc->kem_sk = NULL;
	}
	hs__cipher_cleanup(&mc->next_rx);
	OPENSSL_cleanse(mc->x_priv, sizeof mc->x_priv);
	BN_clear_free(mc->dh_x);
	hs__buf_cleanup(&mc->dh_e);
	memset(mc, 0, sizeof(*mc));
}

/* --- sending --- */

static int mc_is_kex_msg(uint8_t msg)
{
	return msg <= HS_MSG_DEBUG || (msg >= HS_MSG_KEXINIT && msg <= 49);
}

/* Send one packet now, whatever the state (for refusal tests too). */
int mc_send_raw(struct mc *mc, uint8_t msg, const void *body, size_t len)
{
	int r;
	if ((r = hs__packet_begin(&mc->pkt, msg)) != 0)
		return r;
	if (len > 0 && (r = hs__buf_put(&mc->pkt.out, body, len)) != 0) {
		hs__packet_abort(&mc->pkt);
		return r;
	}
	mc->last_tx_seqnr = mc->pkt.tx.seqnr;
	if ((r = hs__packet_finish(&mc->pkt)) != 0)
		mc_fail(mc, "cannot seal packet %u: %d", msg, r);
	return r;
}

/* Send a packet as a well-behaved client: while our key exchange runs,
 * everything but transport and kex messages waits (RFC 4253 §7.1). */
int mc_send(struct mc *mc, uint8_t msg, const void *body, size_t len)
{
	size_t mark;
	int r;
	if (!mc->kex_active || mc_is_kex_msg(msg))
		return mc_send_raw(mc, msg, body, len);
	if ((r = hs__buf_begin_string(&mc->held, &mark)) != 0 || (r = hs__buf_put_u8(&mc->held, msg)) != 0 ||
	    (len > 0 && (r = hs__buf_put(&mc->held, body, len)) != 0) || (r = hs__buf_end_string(&mc->held, mark)) != 0)
		mc_fail(mc, "cannot hold packet %u", msg);
	return r;
}

int mc_send_buf(struct mc *mc, uint8_t msg, const struct hs_buf *b)
{
	return mc_send(mc, msg, hs__buf_ptr(b), hs__buf_len(b));
}

static void mc_flush_held(struct mc *mc)
{
	struct hs_view v = hs__buf_view(&mc->held);
	struct hs_bytes rec;
	while (hs__view_left(&v) > 0) {
		if (hs__view_get_string(&v, &rec) != 0 || rec.len < 1) {
			mc_fail(mc, "held queue corrupt");
			break;
		}
		if (mc_send_raw(mc, rec.ptr[0], rec.ptr + 1, rec.len - 1) != 0)
			break;
	}
	hs__buf_reset(&mc->held);
}

/* A scratch buffer for building a message body. Caller frees with
 * hs__buf_cleanup. */
void mc_body(struct hs_buf *b)
{
	hs__buf_init(b, 4u * 1024u * 1024u, 0);
}

#define MC_TRY(expr)                                                                \
	do {                                                                        \
		if ((expr) != 0) {                                                  \
			mc_fail(mc, "%s:%d: %s failed", __FILE__, __LINE__, #expr); \
			goto out;                                                   \
		}                                                                   \
	} while (0)

/* --- key exchange --- */

/* diffie-hellman-group14-sha256, client side (RFC 4253 §8): x random,
 * e = 2^x mod p; later K = f^x mod p. */
static int mc_dh_modexp(const BIGNUM *base, const BIGNUM *x, struct hs_buf *out)
{
	int r = HS_ERR_CRYPTO;
	BN_CTX *ctx = BN_CTX_new();
	BIGNUM *p = BN_get_rfc3526_prime_2048(NULL), *res = BN_new();
	uint8_t *w;
	if (ctx != NULL && p != NULL && res != NULL && BN_mod_exp(res, base, x, p, ctx) == 1 &&
	    hs__buf_extend(out, (size_t)BN_num_bytes(res), &w) == 0 && BN_bn2bin(res, w) == BN_num_bytes(res))
		r = 0;
	BN_clear_free(res);
	BN_free(p);
	BN_CTX_free(ctx);
	return r;
}

static int mc_dh_keygen(struct mc *mc)
{
	BIGNUM *g = BN_new();
	int r = HS_ERR_CRYPTO;
	BN_clear_free(mc->dh_x);
	hs__buf_cleanup(&mc->dh_e);
	hs__buf_init(&mc->dh_e, 512, 0);
	mc->dh_x = BN_new();
	if (g != NULL && mc->dh_x != NULL && BN_set_word(g, 2) == 1 && BN_rand(mc->dh_x, 256, BN_RAND_TOP_ONE, 0) == 1)
		r = mc_dh_modexp(g, mc->dh_x, &mc->dh_e);
	BN_free(g);
	return r;
}

/* The hybrids' C_INIT: a fresh KEM key pair's public key, then X25519's
 * (kex.c has where each rule comes from), sent as KEX_HYBRID_INIT (30). */
static int mc_hybrid_init(struct mc *mc, struct hs_buf *b)
{
	size_t pk_len = mc->hybrid == 1 ? HS_MLKEM768_EK_LEN : HS_SNTRUP761_PK_LEN;
	size_t sk_len = mc->hybrid == 1 ? HS_MLKEM768_DK_LEN : HS_SNTRUP761_SK_LEN;
	uint8_t pk[HS_MLKEM768_EK_LEN + 32];
	int r;
	if (mc->kem_sk != NULL) {
		OPENSSL_cleanse(mc->kem_sk, sk_len);
		free(mc->kem_sk);
	}
	if ((mc->kem_sk = malloc(HS_MLKEM768_DK_LEN > HS_SNTRUP761_SK_LEN ? HS_MLKEM768_DK_LEN
	                                                                  : HS_SNTRUP761_SK_LEN)) == NULL)
		return HS_ERR_ALLOC;
	r = mc->hybrid == 1 ? hs__mlkem768_keygen(pk, mc->kem_sk) : hs__sntrup761_keygen(pk, mc->kem_sk);
	if (r != 0 || (r = hs__x25519_keygen(mc->x_priv, mc->x_pub)) != 0)
		return r;
	memcpy(pk + pk_len, mc->x_pub, 32);
	hs__buf_reset(&mc->c_init);
	if ((r = hs__buf_put(&mc->c_init, pk, pk_len + 32)) != 0 || (r = hs__buf_put_string(b, pk, pk_len + 32)) != 0)
		return r;
	return mc_send_raw(mc, HS_MSG_KEX_ECDH_INIT, hs__buf_ptr(b), hs__buf_len(b));
}

/* The hybrids' K from S_REPLY: string HASH(K_PQ || K_CL). */
static int mc_hybrid_secret(struct mc *mc, struct hs_bytes s_reply, struct hs_buf *k)
{
	size_t ct_len = mc->hybrid == 1 ? HS_MLKEM768_CT_LEN : HS_SNTRUP761_CT_LEN;
	uint8_t both[64], hash[EVP_MAX_MD_SIZE];
	unsigned hlen = 0;
	int r;
	if (s_reply.len != ct_len + 32 || mc->kem_sk == NULL)
		return HS_ERR_PROTOCOL;
	r = mc->hybrid == 1 ? hs__mlkem768_decaps(mc->kem_sk, s_reply.ptr, both)
	                    : hs__sntrup761_decaps(mc->kem_sk, s_reply.ptr, both);
	if (r == 0)
		r = hs__x25519_shared(mc->x_priv, s_reply.ptr + ct_len, both + 32);
	if (r == 0)
		r = EVP_Digest(both, sizeof both, hash, &hlen, mc->hybrid == 1 ? EVP_sha256() : EVP_sha512(), NULL) == 1
		            ? hs__buf_put_string(k, hash, hlen)
		            : HS_ERR_CRYPTO;
	OPENSSL_cleanse(both, sizeof both);
	OPENSSL_cleanse(hash, sizeof hash);
	return r;
}

/* A fresh key pair and KEX_ECDH_INIT (KEXDH_INIT) with its public half. */
static int mc_send_ecdh_init(struct mc *mc)
{
	struct hs_buf b;
	int r;
	hs__buf_init(&b, 4096, 0);
	if (mc->hybrid) {
		r = mc_hybrid_init(mc, &b);
	} else if (mc->dh) {
		if ((r = mc_dh_keygen(mc)) == 0 &&
		    (r = hs__buf_put_mpint_bytes(&b, hs__buf_ptr(&mc->dh_e), hs__buf_len(&mc->dh_e))) == 0)
			r = mc_send_raw(mc, HS_MSG_KEX_ECDH_INIT, hs__buf_ptr(&b), hs__buf_len(&b));
	} else if ((r = hs__x25519_keygen(mc->x_priv, mc->x_pub)) == 0 &&
	           (r = hs__buf_put_string(&b, mc->x_pub, 32)) == 0) {
		r = mc_send_raw(mc, HS_MSG_KEX_ECDH_INIT, hs__buf_ptr(&b), hs__buf_len(&b));
	}
	hs__buf_cleanup(&b);
	return r;
}

static void mc_kex_list(struct mc *mc, char *out, size_t outsz)
{
	snprintf(out, outsz, "%s%s%s", mc->opt.kex, mc->opt.ext_info && mc->kex_done == 0 ? ",ext-info-c" : "",
	         mc->opt.strict && mc->kex_done == 0 ? "," MC_STRICT_C : "");
}

/* Start a key exchange (the first one, or a client-initiated rekey). */
int mc_send_kexinit(struct mc *mc)
{
	char kexlist[256];
	int r = 0;
	if (mc->sent_kexinit)
		return 0;
	mc_kex_list(mc, kexlist, sizeof kexlist);
	const char *lists[HS_KL_COUNT] = {
		[HS_KL_KEX] = kexlist,
		[HS_KL_HOSTKEY] = "ssh-ed25519",
		[HS_KL_ENC_C2S] = mc->opt.cipher,
		[HS_KL_ENC_S2C] = mc->opt.cipher,
		[HS_KL_MAC_C2S] = mc->opt.mac,
		[HS_KL_MAC_S2C] = mc->opt.mac,
		[HS_KL_COMP_C2S] = "none",
		[HS_KL_COMP_S2C] = "none",
		[HS_KL_LANG_C2S] = "",
		[HS_KL_LANG_S2C] = "",
	};
	hs__buf_reset(&mc->i_c);
	MC_TRY(hs__buf_put_u8(&mc->i_c, HS_MSG_KEXINIT));
	MC_TRY(hs__kexinit_write(&mc->i_c, lists));
	int guess = mc->opt.guess && mc->kex_done == 0;
	if (guess) /* first_kex_packet_follows: the byte before the reserved uint32 */
		hs__buf_ptr(&mc->i_c)[hs__buf_len(&mc->i_c) - 5] = 1;
	MC_TRY(mc_send_raw(mc, HS_MSG_KEXINIT, hs__buf_ptr(&mc->i_c) + 1, hs__buf_len(&mc->i_c) - 1));
	mc->sent_kexinit = 1;
	mc->kex_active = 1;
	mc->guessed = 0;
	if (guess) {
		MC_TRY(mc_send_ecdh_init(mc));
		mc->guessed = 1;
	}
	return 0;
out:
	return r ? r : HS_ERR_INTERNAL;
}

/* Queue our identification line and first KEXINIT. */
int mc_start(struct mc *mc)
{
	int r;
	if ((r = hs__buf_put(&mc->pkt.out, mc->v_c, strlen(mc->v_c))) != 0 ||
	    (r = hs__buf_put(&mc->pkt.out, "\r\n", 2)) != 0)
		return r;
	return mc_send_kexinit(mc);
}

static int mc_choose(struct mc *mc, const char *ours, struct hs_bytes theirs, char *out, size_t outsz)
{
	char server[HS_MAX_NAMELIST + 1];
	if (theirs.len > HS_MAX_NAMELIST)
		return HS_ERR_LIMIT;
	memcpy(server, theirs.ptr, theirs.len);
	server[theirs.len] = '\0';
	struct hs_bytes c = { (const uint8_t *)ours, strlen(ours) };
	return hs__kexinit_choose(c, server, out, outsz);
}

static void mc_on_kexinit(struct mc *mc, struct hs_view *v)
{
	struct hs_kexinit ki;
	struct hs_view whole = hs__view_make(v->ptr, v->len);
	char kexalg[64];
	mc->server_kexinits++;
	if (mc->got_kexinit) {
		mc_fail(mc, "server sent a second KEXINIT in one exchange");
		goto out;
	}
	MC_TRY(hs__kexinit_parse(v, &ki));
	hs__buf_reset(&mc->i_s);
	MC_TRY(hs__buf_put(&mc->i_s, whole.ptr, whole.len));
	if (mc->kex_done == 0) {
		mc->server_strict_first = hs__namelist_has(ki.lists[HS_KL_KEX], MC_STRICT_S);
		mc->strict = mc->opt.strict && mc->server_strict_first;
	} else if (hs__namelist_has(ki.lists[HS_KL_KEX], MC_STRICT_S)) {
		mc->server_strict_later++;
	}
	if (ki.first_kex_packet_follows)
		mc_fail(mc, "server guessed a kex packet");
	MC_TRY(mc_choose(mc, mc->opt.kex, ki.lists[HS_KL_KEX], kexalg, sizeof kexalg));
	mc->dh = strcmp(kexalg, "diffie-hellman-group14-sha256") == 0;
	mc->hybrid = strcmp(kexalg, "mlkem768x25519-sha256") == 0         ? 1
	             : strncmp(kexalg, "sntrup761x25519-sha512", 22) == 0 ? 2
	                                                                  : 0;
	MC_TRY(mc_choose(mc, mc->opt.cipher, ki.lists[HS_KL_ENC_C2S], mc->enc_c2s, sizeof mc->enc_c2s));
	MC_TRY(mc_choose(mc, mc->opt.cipher, ki.lists[HS_KL_ENC_S2C], mc->enc_s2c, sizeof mc->enc_s2c));
	if (mc_choose(mc, mc->opt.mac, ki.lists[HS_KL_MAC_C2S], mc->mac_c2s, sizeof mc->mac_c2s) != 0 &&
	    !hs__cipher_by_name(mc->enc_c2s)->aead)
		mc_fail(mc, "no common MAC");
	if (mc_choose(mc, mc->opt.mac, ki.lists[HS_KL_MAC_S2C], mc->mac_s2c, sizeof mc->mac_s2c) != 0 &&
	    !hs__cipher_by_name(mc->enc_s2c)->aead)
		mc_fail(mc, "no common MAC");
	if (!hs__namelist_has(ki.lists[HS_KL_HOSTKEY], "ssh-ed25519"))
		mc_fail(mc, "server does not offer ssh-ed25519");
	mc->got_kexinit = 1;
	mc->in_server_kex = 1;
	if (!mc->sent_kexinit)
		MC_TRY(mc_send_kexinit(mc));
	if (mc->guessed) {
		/* RFC 4253 §7: the guess is right only when both sides prefer
		 * the same kex and host key algorithms (their first entries). */
		char sfirst[64], cfirst[64];
		struct hs_bytes ck = { (const uint8_t *)mc->opt.kex, strlen(mc->opt.kex) };
		hs__kexinit_first(ki.lists[HS_KL_KEX], sfirst, sizeof sfirst);
		hs__kexinit_first(ck, cfirst, sizeof cfirst);
		mc->guess_right = strcmp(sfirst, cfirst) == 0;
		hs__kexinit_first(ki.lists[HS_KL_HOSTKEY], sfirst, sizeof sfirst);
		mc->guess_right &= strcmp(sfirst, "ssh-ed25519") == 0;
		mc->guess_right &= strcmp(kexalg, cfirst) == 0;
		if (mc->guess_right)
			goto out; /* the guessed ECDH_INIT stands */
	}
	if (!mc->opt.manual_ecdh)
		MC_TRY(mc_send_ecdh_init(mc));
out:
	return;
}

/* The negotiated method's hash: SHA-512 for sntrup761x25519-sha512. */
static const EVP_MD *mc_md(const struct mc *mc)
{
	return mc->hybrid == 2 ? EVP_sha512() : EVP_sha256();
}

static int mc_make_cipher(struct mc *mc, struct hs_bytes k, const uint8_t *h, size_t hlen, const char *enc,
                          const char *mac, char iv_l, char key_l, char mac_l, int encrypt, struct hs_cipher_ctx *out)
{
	const struct hs_cipher_info *ci = hs__cipher_by_name(enc);
	const struct hs_mac_info *mi = NULL;
	uint8_t iv[64], key[64], mkey[128];
	int r = HS_ERR_NO_ALGORITHM;
	if (ci == NULL || (!ci->aead && (mi = hs__mac_by_name(mac)) == NULL))
		goto out;
	if ((r = hs__kex_derive(mc_md(mc), k, h, hlen, mc->session_id, mc->session_id_len, iv_l, iv, ci->iv_len)) !=
	            0 ||
	    (r = hs__kex_derive(mc_md(mc), k, h, hlen, mc->session_id, mc->session_id_len, key_l, key, ci->key_len)) !=
	            0)
		goto out;
	if (mi != NULL && (r = hs__kex_derive(mc_md(mc), k, h, hlen, mc->session_id, mc->session_id_len, mac_l, mkey,
	                                      mi->key_len)) != 0)
		goto out;
	r = hs__cipher_init(out, ci, key, ci->iv_len ? iv : NULL, mi, mi ? mkey : NULL, encrypt);
out:
	OPENSSL_cleanse(iv, sizeof iv);
	OPENSSL_cleanse(key, sizeof key);
	OPENSSL_cleanse(mkey, sizeof mkey);
	return r;
}

static void mc_on_ecdh_reply(struct mc *mc, struct hs_view *v)
{
	struct hs_bytes ks, qs, sig;
	struct hs_key *hostkey = NULL;
	struct hs_buf method, k;
	struct hs_cipher_ctx tx;
	uint8_t h[HS_MAX_HASH];
	size_t hlen = 0;
	int r = 0;
	memset(&tx, 0, sizeof tx);
	hs__buf_init(&method, 4096, 0);
	hs__buf_init(&k, 512, 1);
	if (!mc->got_kexinit || !mc->sent_kexinit) {
		mc_fail(mc, "KEX_ECDH_REPLY outside a key exchange");
		goto out;
	}
	MC_TRY(hs__view_get_string(v, &ks));
	if (mc->dh)
		MC_TRY(hs__view_get_mpint(v, &qs));
	else
		MC_TRY(hs__view_get_string(v, &qs));
	MC_TRY(hs__view_get_string(v, &sig));
	MC_TRY(hs__view_end(v));
	if (!mc->dh && !mc->hybrid && qs.len != 32) {
		mc_fail(mc, "Q_S is %zu bytes", qs.len);
		goto out;
	}
	MC_TRY(hs_key_from_blob(ks.ptr, ks.len, &hostkey));
	if (mc->expect_hostkey != NULL) {
		size_t elen;
		const uint8_t *e = hs_key_blob(mc->expect_hostkey, &elen);
		if (elen != ks.len || memcmp(e, ks.ptr, elen) != 0)
			mc_fail(mc, "K_S is not the expected host key");
	}
	if (mc->hybrid) {
		MC_TRY(mc_hybrid_secret(mc, qs, &k));
		MC_TRY(hs__buf_put_string(&method, hs__buf_ptr(&mc->c_init), hs__buf_len(&mc->c_init)));
		MC_TRY(hs__buf_put_string(&method, qs.ptr, qs.len));
	} else if (mc->dh) {
		struct hs_buf raw;
		hs__buf_init(&raw, 1024, 1);
		BIGNUM *f = BN_bin2bn(qs.ptr, (int)qs.len, NULL);
		r = f != NULL ? mc_dh_modexp(f, mc->dh_x, &raw) : HS_ERR_CRYPTO;
		BN_free(f);
		if (r == 0) /* K as an mpint */
			r = hs__buf_put_mpint_bytes(&k, hs__buf_ptr(&raw), hs__buf_len(&raw));
		hs__buf_cleanup(&raw);
		MC_TRY(r);
		MC_TRY(hs__buf_put_mpint_bytes(&method, hs__buf_ptr(&mc->dh_e), hs__buf_len(&mc->dh_e)));
		MC_TRY(hs__buf_put_mpint_bytes(&method, qs.ptr, qs.len));
	} else {
		uint8_t secret[32];
		r = hs__x25519_shared(mc->x_priv, qs.ptr, secret);
		if (r == 0) /* K as an mpint */
			r = hs__buf_put_mpint_bytes(&k, secret, sizeof secret);
		OPENSSL_cleanse(secret, sizeof secret);
		MC_TRY(r);
		MC_TRY(hs__buf_put_string(&method, mc->x_pub, sizeof mc->x_pub));
		MC_TRY(hs__buf_put_string(&method, qs.ptr, qs.len));
	}
	struct hs_kex_transcript t = {
		.v_c = { (const uint8_t *)mc->v_c, strlen(mc->v_c) },
		.v_s = { (const uint8_t *)mc->v_s, strlen(mc->v_s) },
		.i_c = { hs__buf_ptr(&mc->i_c), hs__buf_len(&mc->i_c) },
		.i_s = { hs__buf_ptr(&mc->i_s), hs__buf_len(&mc->i_s) },
		.k_s = { ks.ptr, ks.len },
		.method = { hs__buf_ptr(&method), hs__buf_len(&method) },
		.k = { hs__buf_ptr(&k), hs__buf_len(&k) },
	};
	MC_TRY(hs__kex_hash(mc_md(mc), &t, h, &hlen));
	r = hs__key_verify(hostkey, "ssh-ed25519", sig.ptr, sig.len, h, hlen);
	if (r != 0) {
		mc_fail(mc, "server signature over H does not verify (%d)", r);
		goto out;
	}
	mc->hostkey_verified++;
	if (mc->session_id_len == 0) {
		memcpy(mc->session_id, h, hlen);
		mc->session_id_len = hlen;
	}
	MC_TRY(mc_make_cipher(mc, t.k, h, hlen, mc->enc_c2s, mc->mac_c2s, 'A', 'C', 'E', 1, &tx));
	hs__cipher_cleanup(&mc->next_rx);
	MC_TRY(mc_make_cipher(mc, t.k, h, hlen, mc->enc_s2c, mc->mac_s2c, 'B', 'D', 'F', 0, &mc->next_rx));
	mc->next_rx_ready = 1;
	MC_TRY(mc_send_raw(mc, HS_MSG_NEWKEYS, NULL, 0));
	hs__packet_set_cipher(&mc->pkt.tx, &tx, mc->strict);
	mc->kex_active = 0;
	mc->sent_kexinit = 0;
	mc_flush_held(mc);
out:
	hs__buf_cleanup(&k);
	OPENSSL_cleanse(h, sizeof h);
	OPENSSL_cleanse(mc->x_priv, sizeof mc->x_priv);
	hs__cipher_cleanup(&tx);
	hs__buf_cleanup(&method);
	hs_key_free(hostkey);
}

static void mc_on_newkeys(struct mc *mc, struct hs_view *v)
{
	if (hs__view_end(v) != 0 || !mc->next_rx_ready) {
		mc_fail(mc, "unexpected NEWKEYS");
		return;
	}
	hs__packet_set_cipher(&mc->pkt.rx, &mc->next_rx, mc->strict);
	mc->next_rx_ready = 0;
	mc->got_kexinit = 0;
	mc->in_server_kex = 0;
	mc->kex_done++;
}

static void mc_on_ext_info(struct mc *mc, struct hs_view *v)
{
	uint32_t n;
	mc->ext_info_count++;
	MC_TRY(hs__view_get_u32(v, &n));
	for (uint32_t i = 0; i < n; i++) {
		char name[128];
		struct hs_bytes value;
		MC_TRY(hs__view_get_cstring(v, name, sizeof name));
		MC_TRY(hs__view_get_string(v, &value));
		if (strcmp(name, "server-sig-algs") == 0) {
			size_t l =
				value.len < sizeof mc->server_sig_algs - 1 ? value.len : sizeof mc->server_sig_algs - 1;
			memcpy(mc->server_sig_algs, value.ptr, l);
			mc->server_sig_algs[l] = '\0';
			mc->ext_info_has_sig_algs = 1;
		}
	}
	MC_TRY(hs__view_end(v));
out:
	return;
}

/* --- channels, handled by the pump --- */

void mc_chan_register(struct mc *mc, struct mc_chan *ch)
{
	if (ch->local_id >= MC_MAX_CHANS) {
		mc_fail(mc, "channel id %u too large for the test client", ch->local_id);
		return;
	}
	mc->chans[ch->local_id] = ch;
}

static void mc_event(struct mc_chan *ch, char e)
{
	/* runs of data are one event */
	if ((e == 'D' || e == 'E') && ch->nevents > 0 && ch->events[ch->nevents - 1] == e)
		return;
	if (ch->nevents < sizeof ch->events - 1)
		ch->events[ch->nevents++] = e;
	ch->events[ch->nevents] = '\0';
}

int mc_window_adjust(struct mc *mc, struct mc_chan *ch, uint32_t add)
{
	struct hs_buf b;
	int r;
	mc_body(&b);
	if ((r = hs__buf_put_u32(&b, ch->remote_id)) == 0 && (r = hs__buf_put_u32(&b, add)) == 0)
		r = mc_send_buf(mc, HS_MSG_CHANNEL_WINDOW_ADJUST, &b);
	hs__buf_cleanup(&b);
	return r;
}

int mc_chan_simple(struct mc *mc, struct mc_chan *ch, uint8_t msg)
{
	struct hs_buf b;
	int r;
	mc_body(&b);
	if ((r = hs__buf_put_u32(&b, ch->remote_id)) == 0)
		r = mc_send_buf(mc, msg, &b);
	hs__buf_cleanup(&b);
	if (r == 0 && msg == HS_MSG_CHANNEL_EOF)
		ch->sent_eof = 1;
	if (r == 0 && msg == HS_MSG_CHANNEL_CLOSE)
		ch->sent_close = 1;
	return r;
}

/* Handle a channel message for an auto channel; 0 if it was not one. */
static int mc_on_channel(struct mc *mc, uint8_t msg, struct hs_view *v)
{
	struct hs_view p = *v;
	uint32_t id;
	if (msg < HS_MSG_CHANNEL_WINDOW_ADJUST || msg > HS_MSG_CHANNEL_REQUEST)
		return 0;
	if (hs__view_get_u32(&p, &id) != 0 || id >= MC_MAX_CHANS || mc->chans[id] == NULL ||
	    !mc->chans[id]->auto_handle)
		return 0;
	struct mc_chan *ch = mc->chans[id];
	int r = 0;
	if (ch->got_close) {
		ch->after_eof_violations++;
		mc_fail(mc, "message %u on channel %u after its CLOSE", msg, id);
	}
	switch (msg) {
	case HS_MSG_CHANNEL_WINDOW_ADJUST: {
		uint32_t add;
		MC_TRY(hs__view_get_u32(&p, &add));
		MC_TRY(hs__view_end(&p));
		uint64_t w = (uint64_t)ch->remote_window + add;
		if (w > UINT32_MAX) {
			ch->overflow_adjusts++;
			w = UINT32_MAX;
		}
		ch->remote_window = (uint32_t)w;
		break;
	}
	case HS_MSG_CHANNEL_DATA:
	case HS_MSG_CHANNEL_EXTENDED_DATA: {
		uint32_t code = 0;
		struct hs_bytes d;
		if (msg == HS_MSG_CHANNEL_EXTENDED_DATA)
			MC_TRY(hs__view_get_u32(&p, &code));
		MC_TRY(hs__view_get_string(&p, &d));
		MC_TRY(hs__view_end(&p));
		ch->data_packets++;
		if (d.len > ch->largest_data)
			ch->largest_data = d.len;
		if (d.len > ch->local_maxpkt)
			ch->maxpkt_violations++;
		if (d.len > ch->local_window) {
			ch->window_violations++;
			ch->local_window = 0;
		} else {
			ch->local_window -= (uint32_t)d.len;
		}
		if (ch->got_eof)
			ch->after_eof_violations++;
		ch->consumed += (uint32_t)d.len;
		MC_TRY(hs__buf_put(msg == HS_MSG_CHANNEL_DATA ? &ch->rx : &ch->ext, d.ptr, d.len));
		mc_event(ch, msg == HS_MSG_CHANNEL_DATA ? 'D' : 'E');
		if (msg == HS_MSG_CHANNEL_EXTENDED_DATA && code != HS_STREAM_STDERR)
			mc_fail(mc, "extended data type %u", code);
		if (ch->auto_adjust && ch->consumed >= ch->init_window / 2 && !ch->sent_close) {
			MC_TRY(mc_window_adjust(mc, ch, ch->consumed));
			ch->local_window += ch->consumed;
			ch->consumed = 0;
		}
		break;
	}
	case HS_MSG_CHANNEL_EOF:
		MC_TRY(hs__view_end(&p));
		if (ch->got_eof)
			mc_fail(mc, "second EOF on channel %u", id);
		ch->got_eof = 1;
		mc_event(ch, 'e');
		break;
	case HS_MSG_CHANNEL_CLOSE:
		MC_TRY(hs__view_end(&p));
		ch->got_close = 1;
		mc_event(ch, 'C');
		if (ch->auto_close && !ch->sent_close)
			MC_TRY(mc_chan_simple(mc, ch, HS_MSG_CHANNEL_CLOSE));
		break;
	case HS_MSG_CHANNEL_REQUEST: {
		char type[64];
		int want_reply;
		MC_TRY(hs__view_get_cstring(&p, type, sizeof type));
		MC_TRY(hs__view_get_bool(&p, &want_reply));
		if (strcmp(type, "exit-status") == 0) {
			uint32_t st;
			MC_TRY(hs__view_get_u32(&p, &st));
			MC_TRY(hs__view_end(&p));
			ch->exit_status = st;
			mc_event(ch, 'x');
		} else if (strcmp(type, "exit-signal") == 0) {
			mc_event(ch, 's');
		} else {
			mc_event(ch, 'r');
		}
		if (want_reply)
			mc_fail(mc, "server request %s wants a reply", type);
		break;
	}
	default:
		return 0;
	}
out:
	(void)r;
	return 1;
}

/* --- receiving --- */

static void mc_enqueue(struct mc *mc, uint8_t msg, uint32_t seqnr, struct hs_view *whole)
{
	if (mc->qlen == mc->qcap) {
		size_t ncap = mc->qcap ? mc->qcap * 2 : 64;
		struct mc_msg *n = realloc(mc->q, ncap * sizeof(*n));
		if (n == NULL) {
			mc_fail(mc, "out of memory");
			return;
		}
		mc->q = n;
		mc->qcap = ncap;
	}
	struct mc_msg *m = &mc->q[mc->qlen];
	m->type = msg;
	m->seqnr = seqnr;
	m->len = whole->len;
	m->data = malloc(whole->len ? whole->len : 1);
	if (m->data == NULL) {
		mc_fail(mc, "out of memory");
		return;
	}
	memcpy(m->data, whole->ptr, whole->len);
	mc->qlen++;
}

static void mc_on_packet(struct mc *mc, uint8_t msg, uint32_t seqnr, struct hs_view *v, struct hs_view *whole)
{
	if (mc->nlog < sizeof mc->log)
		mc->log[mc->nlog++] = msg;
	/* Between the server's KEXINIT and its NEWKEYS only kex traffic may
	 * come (RFC 4253 §7.1). */
	if (mc->in_server_kex && msg != HS_MSG_NEWKEYS && !(msg >= HS_MSG_KEXINIT && msg <= 49))
		mc->nonkex_in_kex++;
	switch (msg) {
	case HS_MSG_KEXINIT:
		mc_on_kexinit(mc, v);
		return;
	case HS_MSG_KEX_ECDH_REPLY:
		mc_on_ecdh_reply(mc, v);
		return;
	case HS_MSG_NEWKEYS:
		mc_on_newkeys(mc, v);
		return;
	case HS_MSG_EXT_INFO:
		mc_on_ext_info(mc, v);
		return;
	default:
		if (mc_on_channel(mc, msg, v))
			return;
		mc_enqueue(mc, msg, seqnr, whole);
	}
}

static int mc_read_version(struct mc *mc)
{
	size_t avail = hs__buf_len(&mc->pkt.in);
	const uint8_t *p = hs__buf_ptr(&mc->pkt.in);
	const uint8_t *nl = avail ? memchr(p, '\n', avail) : NULL;
	if (nl == NULL)
		return HS_ERR_NEED_MORE;
	size_t linelen = (size_t)(nl - p);
	size_t textlen = linelen > 0 && p[linelen - 1] == '\r' ? linelen - 1 : linelen;
	if (textlen >= sizeof mc->v_s || textlen < 8 || memcmp(p, "SSH-2.0-", 8) != 0 ||
	    linelen == textlen /* RFC 4253 §4.2: the server ends it with CR LF */) {
		mc_fail(mc, "bad server identification");
		return HS_ERR_VERSION;
	}
	memcpy(mc->v_s, p, textlen);
	mc->v_s[textlen] = '\0';
	mc->version_done = 1;
	return hs__buf_consume(&mc->pkt.in, linelen + 1);
}

/* Process every complete packet the server sent. */
void mc_read_all(struct mc *mc)
{
	for (;;) {
		if (!mc->version_done) {
			if (mc_read_version(mc) != 0)
				return;
			continue;
		}
		struct hs_view v;
		uint32_t seqnr;
		uint8_t msg;
		int r = hs__packet_read(&mc->pkt, &v, &seqnr);
		if (r == HS_ERR_NEED_MORE)
			return;
		if (r != 0) {
			mc_fail(mc, "cannot read server packet: %s", hs_strerror(r));
			hs__buf_reset(&mc->pkt.in);
			return;
		}
		struct hs_view whole = v;
		if (hs__view_get_u8(&v, &msg) != 0) {
			hs__packet_done(&mc->pkt);
			continue;
		}
		mc_on_packet(mc, msg, seqnr, &v, &whole);
		hs__packet_done(&mc->pkt);
	}
}

/* Move bytes both ways until nothing moves. Does not answer pending
 * callbacks: the test does that with hs_conn_answer + hs__conn_resume. */
void mc_pump(struct mc *mc)
{
	for (int iter = 0; iter < 1000000; iter++) {
		int moved = 0;
		struct hs_conn *conn = mc->conn;
		if (conn != NULL && hs__conn_output_len(conn) > 0) {
			struct hs_bytes o = hs__conn_output_peek(conn);
			if (hs__packet_feed(&mc->pkt, o.ptr, o.len) != 0) {
				mc_fail(mc, "client input overflow");
				return;
			}
			mc->bytes_from_server += o.len;
			if (hs__conn_output_consume(conn, o.len) != 0)
				mc_fail(mc, "server output consume");
			if (!hs__conn_closing(conn))
				hs__conn_output_drained(conn);
			moved = 1;
		}
		mc_read_all(mc);
		size_t out = hs__buf_len(&mc->pkt.out);
		if (out > 0) {
			uint8_t *dst;
			size_t n = 0;
			if (conn == NULL || mc->server_closed || hs__conn_closing(conn)) {
				hs__buf_reset(&mc->pkt.out); /* the server stopped reading */
				mc->server_closed = 1;
			} else if (hs__conn_input_reserve(conn, out, &dst, &n) == 0) {
				/* straight into the server's input, as the I/O layer reads */
				if (n > 0) {
					memcpy(dst, hs__buf_ptr(&mc->pkt.out), n);
					int r = hs__conn_input_commit(conn, n);
					if (hs__buf_consume(&mc->pkt.out, n) != 0)
						mc_fail(mc, "consume");
					mc->bytes_to_server += n;
					if (r != 0) {
						if (mc->server_rc == 0)
							mc->server_rc = r;
						mc->server_closed = 1;
					}
					moved = 1;
				}
			}
		}
		if (!moved)
			return;
	}
	mc_fail(mc, "pump does not settle");
}

/* Connect: identification, first key exchange, EXT_INFO. */
int mc_connect(struct mc *mc)
{
	if (mc_start(mc) != 0)
		return HS_ERR_INTERNAL;
	mc_pump(mc);
	return mc->kex_done >= 1 && !mc->failed ? 0 : HS_ERR_PROTOCOL;
}

/* Take the next queued message (NULL if none). The payload view starts
 * after the message number and is valid until the next take. */
const struct mc_msg *mc_take(struct mc *mc, struct hs_view *body)
{
	free(mc->cur.data);
	memset(&mc->cur, 0, sizeof mc->cur);
	if (mc->qhead == mc->qlen)
		return NULL;
	mc->cur = mc->q[mc->qhead++];
	if (mc->qhead == mc->qlen)
		mc->qhead = mc->qlen = 0;
	if (body != NULL)
		*body = hs__view_make(mc->cur.data + 1, mc->cur.len - 1);
	return &mc->cur;
}

/* Type of the next queued message, -1 if none. */
int mc_peek(const struct mc *mc)
{
	return mc->qhead < mc->qlen ? mc->q[mc->qhead].type : -1;
}

size_t mc_queued(const struct mc *mc)
{
	return mc->qlen - mc->qhead;
}

/* Take the next message and require its type; 0 if it matches. */
int mc_expect(struct mc *mc, uint8_t type, struct hs_view *body)
{
	const struct mc_msg *m = mc_take(mc, body);
	if (m == NULL) {
		fprintf(stderr, "mini_client: expected message %u, nothing queued\n", type);
		return HS_ERR_NOT_FOUND;
	}
	if (m->type != type) {
		fprintf(stderr, "mini_client: expected message %u, got %u\n", type, m->type);
		return HS_ERR_UNEXPECTED_MSG;
	}
	return 0;
}

/* Drop everything queued. */
void mc_drain(struct mc *mc)
{
	while (mc_take(mc, NULL) != NULL)
		;
}

/* --- messages a test sends --- */

int mc_ignore(struct mc *mc, int raw)
{
	struct hs_buf b;
	int r;
	mc_body(&b);
	if ((r = hs__buf_put_cstring(&b, "padding")) == 0)
		r = raw ? mc_send_raw(mc, HS_MSG_IGNORE, hs__buf_ptr(&b), hs__buf_len(&b))
		        : mc_send_buf(mc, HS_MSG_IGNORE, &b);
	hs__buf_cleanup(&b);
	return r;
}

int mc_disconnect(struct mc *mc, uint32_t reason, const char *text)
{
	struct hs_buf b;
	int r;
	mc_body(&b);
	if ((r = hs__buf_put_u32(&b, reason)) == 0 && (r = hs__buf_put_cstring(&b, text)) == 0 &&
	    (r = hs__buf_put_cstring(&b, "")) == 0)
		r = mc_send_raw(mc, HS_MSG_DISCONNECT, hs__buf_ptr(&b), hs__buf_len(&b));
	hs__buf_cleanup(&b);
	return r;
}

int mc_service_request(struct mc *mc, const char *service)
{
	struct hs_buf b;
	int r;
	mc_body(&b);
	if ((r = hs__buf_put_cstring(&b, service)) == 0)
		r = mc_send_buf(mc, HS_MSG_SERVICE_REQUEST, &b);
	hs__buf_cleanup(&b);
	return r;
}

/* USERAUTH_REQUEST with any method-specific tail. */
int mc_userauth_raw(struct mc *mc, const char *user, const char *service, const char *method, const uint8_t *tail,
                    size_t taillen)
{
	struct hs_buf b;
	int r;
	mc_body(&b);
	if ((r = hs__buf_put_cstring(&b, user)) == 0 && (r = hs__buf_put_cstring(&b, service)) == 0 &&
	    (r = hs__buf_put_cstring(&b, method)) == 0 && (r = hs__buf_put(&b, tail, taillen)) == 0)
		r = mc_send_buf(mc, HS_MSG_USERAUTH_REQUEST, &b);
	hs__buf_cleanup(&b);
	return r;
}

int mc_userauth_none(struct mc *mc, const char *user)
{
	return mc_userauth_raw(mc, user, "ssh-connection", "none", NULL, 0);
}

/* publickey without a signature: "would this key do?" (RFC 4252 §7). */
int mc_userauth_pk_query(struct mc *mc, const char *user, const char *alg, const uint8_t *blob, size_t bloblen)
{
	struct hs_buf b;
	int r;
	mc_body(&b);
	if ((r = hs__buf_put_bool(&b, 0)) == 0 && (r = hs__buf_put_cstring(&b, alg)) == 0 &&
	    (r = hs__buf_put_string(&b, blob, bloblen)) == 0)
		r = mc_userauth_raw(mc, user, "ssh-connection", "publickey", hs__buf_ptr(&b), hs__buf_len(&b));
	hs__buf_cleanup(&b);
	return r;
}

/* publickey with a signature made by signer over the RFC 4252 §7 data for
 * (user, alg, blob). blob NULL: the signer's own public key. */
int mc_userauth_pk_signed(struct mc *mc, const char *user, const struct hs_hostkey *signer, const char *alg,
                          const uint8_t *blob, size_t bloblen)
{
	struct hs_buf data, sig, b;
	int r;
	if (blob == NULL)
		blob = hs_key_blob(hs_hostkey_public(signer), &bloblen);
	hs__buf_init(&data, 65536, 0);
	hs__buf_init(&sig, 4096, 0);
	mc_body(&b);
	if ((r = hs__buf_put_string(&data, mc->session_id, mc->session_id_len)) != 0 ||
	    (r = hs__buf_put_u8(&data, HS_MSG_USERAUTH_REQUEST)) != 0 || (r = hs__buf_put_cstring(&data, user)) != 0 ||
	    (r = hs__buf_put_cstring(&data, "ssh-connection")) != 0 ||
	    (r = hs__buf_put_cstring(&data, "publickey")) != 0 || (r = hs__buf_put_bool(&data, 1)) != 0 ||
	    (r = hs__buf_put_cstring(&data, alg)) != 0 || (r = hs__buf_put_string(&data, blob, bloblen)) != 0)
		goto out;
	if ((r = hs__hostkey_sign(signer, "ssh-ed25519", hs__buf_ptr(&data), hs__buf_len(&data), &sig)) != 0)
		goto out;
	if ((r = hs__buf_put_bool(&b, 1)) != 0 || (r = hs__buf_put_cstring(&b, alg)) != 0 ||
	    (r = hs__buf_put_string(&b, blob, bloblen)) != 0 ||
	    (r = hs__buf_put_string(&b, hs__buf_ptr(&sig), hs__buf_len(&sig))) != 0)
		goto out;
	r = mc_userauth_raw(mc, user, "ssh-connection", "publickey", hs__buf_ptr(&b), hs__buf_len(&b));
out:
	if (r != 0)
		mc_fail(mc, "cannot build a signed publickey request: %d", r);
	hs__buf_cleanup(&data);
	hs__buf_cleanup(&sig);
	hs__buf_cleanup(&b);
	return r;
}

/* CHANNEL_OPEN of type with our id, window and maximum packet; extra is
 * the type-specific tail. Registers ch with the pump. */
int mc_channel_open(struct mc *mc, struct mc_chan *ch, const char *type, const uint8_t *extra, size_t extralen)
{
	struct hs_buf b;
	int r;
	mc_body(&b);
	if ((r = hs__buf_put_cstring(&b, type)) == 0 && (r = hs__buf_put_u32(&b, ch->local_id)) == 0 &&
	    (r = hs__buf_put_u32(&b, ch->init_window)) == 0 && (r = hs__buf_put_u32(&b, ch->local_maxpkt)) == 0 &&
	    (r = hs__buf_put(&b, extra, extralen)) == 0)
		r = mc_send_buf(mc, HS_MSG_CHANNEL_OPEN, &b);
	hs__buf_cleanup(&b);
	return r;
}

/* Take OPEN_CONFIRMATION for ch from the queue and record the server's
 * side. 0 on success. */
int mc_channel_confirmed(struct mc *mc, struct mc_chan *ch)
{
	struct hs_view v;
	uint32_t recipient;
	if (mc_expect(mc, HS_MSG_CHANNEL_OPEN_CONFIRMATION, &v) != 0)
		return HS_ERR_PROTOCOL;
	if (hs__view_get_u32(&v, &recipient) != 0 || recipient != ch->local_id ||
	    hs__view_get_u32(&v, &ch->remote_id) != 0 || hs__view_get_u32(&v, &ch->remote_window) != 0 ||
	    hs__view_get_u32(&v, &ch->remote_maxpkt) != 0 || hs__view_end(&v) != 0)
		return HS_ERR_FORMAT;
	ch->confirmed = 1;
	mc_chan_register(mc, ch);
	return 0;
}

/* CHANNEL_REQUEST type with want_reply and a type-specific tail. */
int mc_channel_request(struct mc *mc, struct mc_chan *ch, const char *type, int want_reply, const uint8_t *tail,
                       size_t taillen)
{
	struct hs_buf b;
	int r;
	mc_body(&b);
	if ((r = hs__buf_put_u32(&b, ch->remote_id)) == 0 && (r = hs__buf_put_cstring(&b, type)) == 0 &&
	    (r = hs__buf_put_bool(&b, want_reply)) == 0 && (r = hs__buf_put(&b, tail, taillen)) == 0)
		r = mc_send_buf(mc, HS_MSG_CHANNEL_REQUEST, &b);
	hs__buf_cleanup(&b);
	return r;
}

/* One DATA / EXTENDED_DATA packet, window and maximum packet ignored. */
int mc_channel_data_raw(struct mc *mc, struct mc_chan *ch, const void *data, size_t len, enum hs_stream stream)
{
	struct hs_buf b;
	int r;
	uint8_t msg = stream == HS_STREAM_DATA ? HS_MSG_CHANNEL_DATA : HS_MSG_CHANNEL_EXTENDED_DATA;
	mc_body(&b);
	if ((r = hs__buf_put_u32(&b, ch->remote_id)) == 0 &&
	    (stream == HS_STREAM_DATA || (r = hs__buf_put_u32(&b, (uint32_t)stream)) == 0) &&
	    (r = hs__buf_put_string(&b, data, len)) == 0)
		r = mc_send_buf(mc, msg, &b);
	hs__buf_cleanup(&b);
	return r;
}

/* Send what the server's window and maximum packet allow now (nothing
 * while our key exchange runs); returns the bytes sent. */
size_t mc_channel_send(struct mc *mc, struct mc_chan *ch, const void *data, size_t len, enum hs_stream stream)
{
	const uint8_t *p = data;
	size_t done = 0;
	while (done < len && ch->remote_window > 0 && !mc->kex_active && !ch->sent_eof && !ch->sent_close) {
		size_t n = len - done;
		if (n > ch->remote_window)
			n = ch->remote_window;
		if (n > ch->remote_maxpkt)
			n = ch->remote_maxpkt;
		if (mc_channel_data_raw(mc, ch, p + done, n, stream) != 0)
			break;
		ch->remote_window -= (uint32_t)n;
		done += n;
		/* keep the server's input buffer from overflowing in one feed */
		if (hs__buf_len(&mc->pkt.out) > 256u * 1024u)
			break;
	}
	return done;
}

int mc_global_request(struct mc *mc, const char *name, int want_reply, const uint8_t *tail, size_t taillen)
{
	struct hs_buf b;
	int r;
	mc_body(&b);
	if ((r = hs__buf_put_cstring(&b, name)) == 0 && (r = hs__buf_put_bool(&b, want_reply)) == 0 &&
	    (r = hs__buf_put(&b, tail, taillen)) == 0)
		r = mc_send_buf(mc, HS_MSG_GLOBAL_REQUEST, &b);
	hs__buf_cleanup(&b);
	return r;
}

/* Parse a DISCONNECT body: reason code (0 when malformed). */
uint32_t mc_disconnect_reason(struct hs_view *v, char *text, size_t textlen)
{
	uint32_t reason = 0;
	if (hs__view_get_u32(v, &reason) != 0)
		return 0;
	if (text != NULL && hs__view_get_cstring(v, text, textlen) != 0)
		text[0] = '\0';
	return reason;
}

#undef MC_TRY
