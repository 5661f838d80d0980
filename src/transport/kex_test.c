/*
 * Tests of the key exchange layer (transport/kex.c) through a server core
 * and the in-memory client: every cipher and MAC on the happy path, the
 * profiles' KEXINIT, finite-field exchanges inline and as jobs, rekeys
 * started by either side (with messages held meanwhile), and the ways a
 * key exchange fails.
 */
#include <stdlib.h>
#include <string.h>

#include "common/limits.h"
#include "conn/channel.h"
#include "core/config.h"
#include "core/conn_priv.h"
#include "conn_fixture.h"
#include "hs_test.h"
#include "keys/sig.h"
#include "mini_client.h"

/* --- 1. the happy path --- */

static void test_happy_path(const char *cipher, const char *mac, int ext_info, int strict)
{
	struct fx f;
	struct mc_opts o = { .cipher = cipher, .mac = mac, .ext_info = ext_info, .strict = strict };
	fprintf(stderr, "happy path: %s %s ext-info %d strict %d\n", cipher, mac ? mac : "", ext_info, strict);
	fx_open(&f, NULL, NULL, &o);
	CHECK_EQ_INT(f.app.made_calls, 1);
	CHECK_EQ_INT(f.mc.server_strict_first, 1);
	CHECK_EQ_INT(f.mc.strict, strict);
	CHECK(strcmp(f.mc.enc_c2s, cipher) == 0 && strcmp(f.mc.enc_s2c, cipher) == 0);
	CHECK(strcmp(f.conn->kex.enc_c2s, cipher) == 0);
	/* RFC 8308: EXT_INFO only for a client that asked, with server-sig-algs */
	CHECK_EQ_INT(f.mc.ext_info_count, ext_info ? 1 : 0);
	CHECK_EQ_INT(f.mc.ext_info_has_sig_algs, ext_info ? 1 : 0);
	if (ext_info) {
		struct hs_bytes l = { (const uint8_t *)f.mc.server_sig_algs, strlen(f.mc.server_sig_algs) };
		CHECK(hs__namelist_has(l, "ssh-ed25519"));
		CHECK(!hs__namelist_has(l, "ssh-rsa"));
	}
	/* RFC 8308 §2.4: EXT_INFO is the next packet after the first NEWKEYS */
	const uint8_t *nk = memchr(f.mc.log, HS_MSG_NEWKEYS, f.mc.nlog);
	CHECK(nk != NULL);
	if (ext_info && nk != NULL)
		CHECK(nk + 1 < f.mc.log + f.mc.nlog && nk[1] == HS_MSG_EXT_INFO);
	CHECK(strcmp(hs_conn_client_version(f.conn), "SSH-2.0-mini_client") == 0);
	CHECK(strncmp(f.mc.v_s, "SSH-2.0-", 8) == 0);
	CHECK(hs_conn_auth_key(f.conn) == NULL);

	fx_auth(&f);
	CHECK_EQ_INT(f.app.begin_calls, 1);
	CHECK(strcmp(f.app.begin_user, USER) == 0);
	CHECK_EQ_INT(f.app.authenticated_calls, 1);
	CHECK(hs_conn_auth_key(f.conn) != NULL && hs_key_equal(hs_conn_auth_key(f.conn), hs_hostkey_public(g_userkey)));
	CHECK(hs_conn_username(f.conn) != NULL && strcmp(hs_conn_username(f.conn), USER) == 0);
	/* RFC 4252 §5.1: requests after success are ignored, not re-run */
	CHECK_EQ_INT(mc_userauth_pk_signed(&f.mc, USER, g_userkey, "ssh-ed25519", NULL, 0), 0);
	mc_pump(&f.mc);
	CHECK_EQ_INT(mc_queued(&f.mc), 0);
	CHECK_EQ_INT(f.app.auth_completed_calls, 1);

	struct mc_chan ch;
	/* a window of 100000 bytes: the echo meets it, so partial writes and
	 * write_ready are exercised */
	fx_session(&f, &ch, 0, 100000, 32768);
	CHECK_EQ_INT(f.app.nchans, 1);
	CHECK(strcmp(f.app.chans[0].subsystem, "replicator") == 0);
	CHECK(ch.remote_maxpkt > 0 && ch.remote_maxpkt <= HS_CHANNEL_MAX_PACKET);

	size_t n = MIB;
	uint8_t *data = pattern(n, 1);
	transfer(&f, &ch, data, n, HS_STREAM_DATA, NULL);
	transfer(&f, &ch, data, 100000, HS_STREAM_STDERR, NULL);
	CHECK_EQ_INT(f.app.chans[0].received[0], n);
	CHECK_EQ_INT(f.app.chans[0].received[1], 100000);
	CHECK_EQ_INT(ch.window_violations, 0);
	CHECK_EQ_INT(ch.maxpkt_violations, 0);
	CHECK(f.mc.bytes_to_server > n + 100000 && f.mc.bytes_from_server > n + 100000);
	CHECK(ch.data_packets >= (n + 100000) / 32768);
	CHECK(f.app.chans[0].partial_writes > 0);
	CHECK(f.app.chans[0].write_ready_calls > 0);

	/* EOF from us: the server echoes the rest, then EOF, exit-status, CLOSE */
	CHECK_EQ_INT(mc_chan_simple(&f.mc, &ch, HS_MSG_CHANNEL_EOF), 0);
	mc_pump(&f.mc);
	const char *e = strchr(ch.events, 'e');
	CHECK(e != NULL && strcmp(e, "exC") == 0);
	CHECK_EQ_INT(ch.exit_status, 0);
	CHECK_EQ_INT(ch.after_eof_violations, 0);
	CHECK_EQ_INT(ch.got_close, 1);
	CHECK_EQ_INT(ch.sent_close, 1); /* answered by the pump */
	CHECK_EQ_INT(f.app.chans[0].lost_calls, 1);
	CHECK_EQ_INT(f.app.chans[0].lost_err, 0);
	CHECK_EQ_INT(f.app.chans[0].write_errors, 0);
	CHECK_EQ_INT(f.conn->channels.open, 0);
	CHECK_EQ_INT(mc_queued(&f.mc), 0);
	CHECK_EQ_INT(f.mc.server_rc, 0);

	/* an orderly end */
	CHECK_EQ_INT(mc_disconnect(&f.mc, HS_DISCONNECT_BY_APPLICATION, "bye"), 0);
	mc_pump(&f.mc);
	CHECK(f.conn->closing);
	CHECK_EQ_INT(mc_queued(&f.mc), 0); /* no DISCONNECT in answer to one */
	fx_free_conn(&f);
	CHECK_EQ_INT(f.app.lost_calls, 1);
	CHECK_EQ_INT(f.app.auth_completed_calls, 1);
	CHECK_EQ_INT(f.app.chans[0].lost_calls, 1);
	free(data);
	fx_close(&f);
}

/* A profile narrows what KEXINIT offers: the modern profile has no
 * finite-field DH, so a client that offers only group14 fails kex. */
static void test_profile_kexinit(void)
{
	struct fx f;
	struct hs_config cfg;
	struct mc_opts o = { .kex = "diffie-hellman-group14-sha256" };
	hs_config_init(&cfg);
	cfg.profiles = "modern";
	fx_open_nostart(&f, &cfg, NULL, &o);
	CHECK(strcmp(f.cfg.kex,
	             "mlkem768x25519-sha256,sntrup761x25519-sha512,sntrup761x25519-sha512@openssh.com,"
	             "curve25519-sha256,curve25519-sha256@libssh.org") == 0);
	CHECK(strcmp(f.cfg.ciphers, "chacha20-poly1305@openssh.com,aes256-gcm@openssh.com,aes128-gcm@openssh.com") ==
	      0);
	CHECK(strcmp(f.cfg.compression, "none,zlib@openssh.com") == 0);
	CHECK(mc_connect(&f.mc) != 0);
	CHECK(f.conn->closing);
	f.mc.failed = 0; /* expected: no common kex method */
	fx_close(&f);
}

/* A finite-field exchange computed inline (no compute op): group14 with a
 * real client computation on the other side, then a login. */
static void test_dh_inline(void)
{
	struct fx f;
	struct mc_opts o = { .kex = "diffie-hellman-group14-sha256", .strict = 1, .ext_info = 1 };
	fx_open(&f, NULL, NULL, &o);
	CHECK_EQ_INT(f.app.compute_calls, 0);
	CHECK(strcmp(f.conn->kex.kex_alg, "diffie-hellman-group14-sha256") == 0);
	fx_auth(&f);
	fx_close(&f);
}

/* The same exchange handed to the I/O layer as a job: nothing is read or
 * sent until the job comes back; then the exchange and a login finish. A
 * connection that ends while its job is out takes the job back unrun. */
static void test_dh_job(void)
{
	struct fx f;
	struct mc_opts o = { .kex = "diffie-hellman-group14-sha256", .strict = 0, .ext_info = 1 };
	g_io_compute = 1;
	fx_open_nostart(&f, NULL, NULL, &o);
	CHECK_EQ_INT(mc_start(&f.mc), 0);
	mc_pump(&f.mc);
	CHECK_EQ_INT(f.app.compute_calls, 1);
	CHECK(f.app.job != NULL);
	CHECK(!hs__conn_wants_input(f.conn));
	CHECK_EQ_INT(f.mc.hostkey_verified, 0);
	/* an IGNORE that arrives meanwhile waits in the input buffer */
	CHECK_EQ_INT(mc_ignore(&f.mc, 1), 0);
	mc_pump(&f.mc);
	CHECK(hs__buf_len(&f.conn->pkt.in) > 0);
	CHECK_EQ_INT(f.mc.hostkey_verified, 0);
	struct hs_dh_job *job = f.app.job;
	f.app.job = NULL;
	hs__dh_job_run(job);
	CHECK_EQ_INT(job->result, 0);
	CHECK_EQ_INT(hs__conn_compute_done(f.conn, job), 0);
	CHECK(hs__conn_wants_input(f.conn));
	CHECK_EQ_INT(hs__buf_len(&f.conn->pkt.in), 0); /* the IGNORE was read */
	mc_pump(&f.mc);
	CHECK_EQ_INT(f.mc.hostkey_verified, 1);
	CHECK_EQ_INT(f.mc.kex_done, 1);
	fx_auth(&f);
	fx_close(&f);

	/* the application ends the connection while the job is out */
	fx_open_nostart(&f, NULL, NULL, &o);
	CHECK_EQ_INT(mc_start(&f.mc), 0);
	mc_pump(&f.mc);
	CHECK(f.app.job != NULL);
	hs_conn_disconnect(f.conn, 0, "shutting down");
	job = f.app.job;
	f.app.job = NULL;
	hs__dh_job_run(job);
	CHECK_EQ_INT(hs__conn_compute_done(f.conn, job), HS_ERR_CLOSED);
	mc_pump(&f.mc);
	expect_disconnect(&f, HS_DISCONNECT_BY_APPLICATION);
	f.mc.failed = 0;
	fx_close(&f);

	/* login grace runs out while the job is out */
	fx_open_nostart(&f, NULL, NULL, &o);
	CHECK_EQ_INT(mc_start(&f.mc), 0);
	mc_pump(&f.mc);
	CHECK(f.app.job != NULL);
	CHECK(hs__conn_tick(f.conn, f.now + f.cfg.login_grace_ms) != 0);
	job = f.app.job;
	f.app.job = NULL;
	CHECK_EQ_INT(hs__conn_compute_done(f.conn, job), HS_ERR_CLOSED);
	mc_pump(&f.mc);
	expect_disconnect(&f, HS_DISCONNECT_BY_APPLICATION);
	f.mc.failed = 0;
	fx_close(&f);

	/* a rekey after authentication with keepalives on: while the job is
	 * out the peer's replies cannot be read, so no keepalive is asked or
	 * counted (and no deadline is due); afterwards all goes on */
	struct hs_config ka;
	hs_config_init(&ka);
	ka.keepalive_seconds = 1;
	ka.keepalive_max_missed = 1;
	g_io_compute = 0;
	fx_open(&f, &ka, NULL, &o);
	fx_auth(&f);
	g_io_compute = 1;
	f.conn->io = &io_ops_compute;
	CHECK_EQ_INT(mc_send_kexinit(&f.mc), 0);
	mc_pump(&f.mc);
	CHECK(f.app.job != NULL);
	CHECK(hs__conn_next_deadline(f.conn) > f.now + 10000);
	CHECK_EQ_INT(hs__conn_tick(f.conn, f.now + 10000), 0);
	CHECK_EQ_INT(hs__conn_tick(f.conn, f.now + 20000), 0); /* a second miss would end it */
	mc_pump(&f.mc);
	CHECK_EQ_INT(mc_queued(&f.mc), 0);
	CHECK(!f.conn->closing);
	job = f.app.job;
	f.app.job = NULL;
	hs__dh_job_run(job);
	hs__conn_set_now(f.conn, f.now + 20000);
	CHECK_EQ_INT(hs__conn_compute_done(f.conn, job), 0);
	mc_pump(&f.mc);
	CHECK_EQ_INT(f.mc.kex_done, 2);
	CHECK_EQ_INT(f.mc.hostkey_verified, 2);
	CHECK(!f.conn->closing);
	fx_close(&f);

	/* a peer value the group refuses (e = 1) fails the exchange */
	struct mc_opts manual = { .kex = "diffie-hellman-group14-sha256", .manual_ecdh = 1 };
	struct hs_buf b;
	static const uint8_t one = 1;
	fx_open_nostart(&f, NULL, NULL, &manual);
	CHECK_EQ_INT(mc_start(&f.mc), 0);
	mc_pump(&f.mc);
	mc_body(&b);
	CHECK_EQ_INT(hs__buf_put_mpint_bytes(&b, &one, 1), 0);
	CHECK_EQ_INT(mc_send_raw(&f.mc, HS_MSG_KEX_ECDH_INIT, hs__buf_ptr(&b), hs__buf_len(&b)), 0);
	hs__buf_cleanup(&b);
	mc_pump(&f.mc);
	job = f.app.job;
	f.app.job = NULL;
	CHECK(job != NULL);
	hs__dh_job_run(job);
	CHECK_EQ_INT(job->result, HS_ERR_PROTOCOL);
	CHECK(hs__conn_compute_done(f.conn, job) != 0);
	mc_pump(&f.mc);
	expect_disconnect(&f, HS_DISCONNECT_KEY_EXCHANGE_FAILED);
	f.mc.failed = 0;
	fx_close(&f);
	g_io_compute = 0;
}

/* --- the post-quantum hybrids --- */

/* Each hybrid against the test client's own KEM and X25519: the exchange
 * completes, the host key signs H (SHA-256 or SHA-512 by the method), a
 * login and a client rekey follow on the same method. */
static void test_hybrid(const char *name)
{
	struct fx f;
	struct mc_opts o = { .kex = name, .strict = 1, .ext_info = 1 };
	fx_open(&f, NULL, NULL, &o);
	CHECK(strcmp(f.conn->kex.kex_alg, name) == 0);
	CHECK_EQ_INT(f.mc.hostkey_verified, 1);
	CHECK_EQ_INT(f.conn->session_id_len, strstr(name, "sha512") != NULL ? 64 : 32);
	fx_auth(&f);
	CHECK_EQ_INT(mc_send_kexinit(&f.mc), 0);
	mc_pump(&f.mc);
	CHECK_EQ_INT(f.mc.kex_done, 2);
	CHECK_EQ_INT(f.mc.hostkey_verified, 2);
	CHECK(!f.conn->closing);
	fx_close(&f);
}

/* A C_INIT the method refuses ends the exchange as the peer's fault
 * (KEY_EXCHANGE_FAILED), never more: a length off by one either way, an
 * ML-KEM encapsulation key whose coefficient is not below q (FIPS 203
 * §7.2), an X25519 key of low order (all zero). */
static void test_hybrid_refusals(void)
{
	static const struct {
		const char *kex;
		size_t pk_len;
		int variant;
	} cases[] = {
		{ "mlkem768x25519-sha256", HS_MLKEM768_EK_LEN, 0 },
		{ "mlkem768x25519-sha256", HS_MLKEM768_EK_LEN, 1 },
		{ "mlkem768x25519-sha256", HS_MLKEM768_EK_LEN, 2 },
		{ "mlkem768x25519-sha256", HS_MLKEM768_EK_LEN, 3 },
		{ "sntrup761x25519-sha512", HS_SNTRUP761_PK_LEN, 0 },
		{ "sntrup761x25519-sha512", HS_SNTRUP761_PK_LEN, 1 },
		{ "sntrup761x25519-sha512", HS_SNTRUP761_PK_LEN, 3 },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct fx f;
		struct mc_opts manual = { .kex = cases[i].kex, .manual_ecdh = 1 };
		uint8_t c_init[HS_MLKEM768_EK_LEN + 32 + 1];
		uint8_t sk[HS_MLKEM768_DK_LEN > HS_SNTRUP761_SK_LEN ? HS_MLKEM768_DK_LEN : HS_SNTRUP761_SK_LEN];
		uint8_t xpriv[32];
		size_t len = cases[i].pk_len + 32;
		int r = cases[i].pk_len == HS_MLKEM768_EK_LEN ? hs__mlkem768_keygen(c_init, sk)
		                                              : hs__sntrup761_keygen(c_init, sk);
		REQUIRE(r == 0 && hs__x25519_keygen(xpriv, c_init + cases[i].pk_len) == 0);
		switch (cases[i].variant) {
		case 0: /* one byte short */
			len--;
			break;
		case 1: /* one byte more */
			c_init[len++] = 0;
			break;
		case 2: /* the first coefficient 0xfff (12 bits, q = 3329) */
			c_init[0] = 0xff;
			c_init[1] |= 0x0f;
			break;
		default: /* X25519's all-zero point */
			memset(c_init + cases[i].pk_len, 0, 32);
			break;
		}
		struct hs_buf b;
		fx_open_nostart(&f, NULL, NULL, &manual);
		CHECK_EQ_INT(mc_start(&f.mc), 0);
		mc_pump(&f.mc);
		mc_body(&b);
		CHECK_EQ_INT(hs__buf_put_string(&b, c_init, len), 0);
		CHECK_EQ_INT(mc_send_raw(&f.mc, HS_MSG_KEX_ECDH_INIT, hs__buf_ptr(&b), hs__buf_len(&b)), 0);
		hs__buf_cleanup(&b);
		mc_pump(&f.mc);
		expect_disconnect(&f, HS_DISCONNECT_KEY_EXCHANGE_FAILED);
		f.mc.failed = 0;
		fx_close(&f);
	}
}

/* --- 5. rekeying --- */

static struct mc_chan *g_rekey_chan;
static int g_rekey_done;

static void rekey_midway(struct fx *f, size_t sent)
{
	if (!g_rekey_done && sent >= MIB / 2) {
		g_rekey_done = 1;
		CHECK_EQ_INT(mc_send_kexinit(&f->mc), 0);
		/* our data stays back until our NEWKEYS */
		CHECK_EQ_INT(mc_channel_send(&f->mc, g_rekey_chan, "x", 1, HS_STREAM_DATA), 0);
	}
}

static void test_client_rekey(int strict)
{
	struct fx f;
	struct mc_opts o = { .strict = strict, .ext_info = 1, .cipher = "aes256-gcm@openssh.com" };
	struct hs_view v;
	struct mc_chan ch;
	fx_open(&f, NULL, NULL, &o);
	fx_auth(&f);
	fx_session(&f, &ch, 0, 2 * MIB, 32768);
	uint8_t *data = pattern(MIB, 3);
	g_rekey_chan = &ch;
	g_rekey_done = 0;
	transfer(&f, &ch, data, MIB, HS_STREAM_DATA, rekey_midway);
	CHECK_EQ_INT(g_rekey_done, 1);
	CHECK_EQ_INT(f.mc.kex_done, 2);
	CHECK_EQ_INT(f.mc.server_kexinits, 2);
	CHECK_EQ_INT(f.mc.hostkey_verified, 2);
	CHECK_EQ_INT(f.mc.server_strict_later, 0);
	CHECK_EQ_INT(f.mc.nonkex_in_kex, 0);
	CHECK_EQ_INT(f.conn->kex_count, 2);
	CHECK_EQ_INT(f.mc.ext_info_count, 1); /* only after the first NEWKEYS */

	/* a quiet rekey, then the first packet each way: strict numbering
	 * restarts at 0 after NEWKEYS, otherwise it goes on */
	uint32_t before = f.mc.pkt.tx.seqnr;
	CHECK_EQ_INT(mc_send_kexinit(&f.mc), 0);
	mc_pump(&f.mc);
	CHECK_EQ_INT(f.mc.kex_done, 3);
	CHECK_EQ_INT(mc_send(&f.mc, 200, NULL, 0), 0);
	uint32_t seq = f.mc.last_tx_seqnr;
	CHECK_EQ_INT(seq, strict ? 0 : before + 3); /* KEXINIT, ECDH_INIT, NEWKEYS */
	mc_pump(&f.mc);
	uint32_t got = 99;
	CHECK_EQ_INT(mc_expect(&f.mc, HS_MSG_UNIMPLEMENTED, &v), 0);
	CHECK(hs__view_get_u32(&v, &got) == 0);
	CHECK_EQ_INT(got, seq);
	if (strict)
		CHECK_EQ_INT(f.mc.cur.seqnr, 0);
	else
		CHECK(f.mc.cur.seqnr > 3);
	/* data still flows after the rekeys */
	transfer(&f, &ch, data, 70000, HS_STREAM_DATA, NULL);
	CHECK_EQ_INT(ch.window_violations, 0);
	free(data);
	fx_close(&f);
}

static void test_server_rekey_bytes(void)
{
	struct fx f;
	struct hs_config cfg;
	struct mc_opts o = { .strict = 1, .ext_info = 1, .cipher = "chacha20-poly1305@openssh.com" };
	struct mc_chan ch;
	hs_config_init(&cfg);
	cfg.rekey_bytes = 65536;
	fx_open(&f, &cfg, NULL, &o);
	fx_auth(&f);
	fx_session(&f, &ch, 0, 2 * MIB, 32768);
	uint8_t *data = pattern(MIB, 4);
	int before = f.mc.server_kexinits;
	transfer(&f, &ch, data, MIB, HS_STREAM_DATA, NULL);
	fprintf(stderr, "server rekeys during 1 MiB echo: %d\n", f.mc.server_kexinits - before);
	CHECK(f.mc.server_kexinits - before > 5);
	CHECK_EQ_INT(f.mc.nonkex_in_kex, 0);
	CHECK_EQ_INT(f.mc.server_strict_later, 0);
	CHECK_EQ_INT(f.mc.kex_done, f.mc.server_kexinits);
	CHECK_EQ_INT(ch.window_violations, 0);
	CHECK_EQ_INT(f.app.chans[0].write_errors, 0);
	/* and a clean close afterwards */
	CHECK_EQ_INT(mc_chan_simple(&f.mc, &ch, HS_MSG_CHANNEL_EOF), 0);
	mc_pump(&f.mc);
	const char *e = strchr(ch.events, 'e');
	CHECK(e != NULL && strcmp(e, "exC") == 0);
	CHECK_EQ_INT(f.app.chans[0].lost_calls, 1);
	free(data);
	fx_close(&f);
}

/* Replies the server builds between its KEXINIT and its NEWKEYS are held
 * and sent after NEWKEYS. */
static void test_server_rekey_holds(void)
{
	struct fx f;
	struct mc_opts o = { .strict = 1, .cipher = "aes128-gcm@openssh.com" };
	struct mc_chan ch;
	fx_open(&f, NULL, NULL, &o);
	fx_auth(&f);
	fx_session(&f, &ch, 0, 2 * MIB, 32768);
	uint8_t *data = pattern(200000, 5);
	/* time-based rekey: the server's KEXINIT is queued, not yet seen */
	f.now += f.cfg.rekey_ms + 1;
	CHECK_EQ_INT(hs__conn_tick(f.conn, f.now), 0);
	CHECK_EQ_INT(f.conn->kex.step, HS_KEX_SENT_KEXINIT);
	CHECK(hs_channel_write_space(f.app.chans[0].ch) == 0);
	/* the client, unaware, sends requests and data */
	struct hs_buf t;
	mc_body(&t);
	CHECK_EQ_INT(hs__buf_put_cstring(&t, "LANG"), 0);
	CHECK_EQ_INT(hs__buf_put_cstring(&t, "C"), 0);
	CHECK_EQ_INT(mc_channel_request(&f.mc, &ch, "env", 1, hs__buf_ptr(&t), hs__buf_len(&t)), 0);
	hs__buf_cleanup(&t);
	CHECK_EQ_INT(mc_global_request(&f.mc, "keepalive@openssh.com", 1, NULL, 0), 0);
	size_t sent = mc_channel_send(&f.mc, &ch, data, 200000, HS_STREAM_DATA);
	CHECK(sent > 0);
	size_t nlog0 = f.mc.nlog;
	mc_pump(&f.mc);
	CHECK_EQ_INT(f.mc.nonkex_in_kex, 0);
	CHECK_EQ_INT(f.mc.kex_done, 2);
	/* the log: KEXINIT, ECDH_REPLY, NEWKEYS, then the held replies */
	size_t kexinit = 0, newkeys = 0, fail = 0, rfail = 0;
	for (size_t i = nlog0; i < f.mc.nlog; i++) {
		uint8_t m = f.mc.log[i];
		if (m == HS_MSG_KEXINIT && !kexinit)
			kexinit = i + 1;
		if (m == HS_MSG_NEWKEYS && !newkeys)
			newkeys = i + 1;
		if (m == HS_MSG_CHANNEL_FAILURE && !fail)
			fail = i + 1;
		if (m == HS_MSG_REQUEST_FAILURE && !rfail)
			rfail = i + 1;
	}
	CHECK(kexinit > 0 && newkeys > kexinit && fail > newkeys && rfail > fail);
	CHECK_EQ_INT(mc_expect(&f.mc, HS_MSG_CHANNEL_FAILURE, NULL), 0);
	CHECK_EQ_INT(mc_expect(&f.mc, HS_MSG_REQUEST_FAILURE, NULL), 0);
	/* the echo of the data sent during the exchange arrives whole */
	for (int i = 0; i < 100 && hs__buf_len(&ch.rx) < sent; i++) {
		sent += mc_channel_send(&f.mc, &ch, data + sent, 200000 - sent, HS_STREAM_DATA);
		mc_pump(&f.mc);
	}
	CHECK_EQ_INT(hs__buf_len(&ch.rx), 200000);
	CHECK(hs__buf_len(&ch.rx) == 200000 && memcmp(hs__buf_ptr(&ch.rx), data, 200000) == 0);
	free(data);
	fx_close(&f);
}

static void test_kex_failures(void)
{
	struct fx f;
	struct hs_buf b;

	/* nothing in common in one list: key exchange failed (3), and the
	 * reason names the list */
	static const struct {
		struct mc_opts opt;
		const char *compression; /* the server's, or NULL */
		const char *reason;
	} none_common[] = {
		{ { .cipher = "3des-cbc" }, NULL, "no common cipher algorithm" },
		{ { .kex = "diffie-hellman-group1-sha1" }, NULL, "no common key exchange algorithm" },
		{ { .cipher = "aes256-ctr", .mac = "hmac-sha1" }, NULL, "no common MAC algorithm" },
		{ { 0 }, "zlib", "no common compression algorithm" },
	};
	for (size_t i = 0; i < sizeof none_common / sizeof none_common[0]; i++) {
		struct hs_config cfg;
		hs_config_init(&cfg);
		cfg.compression = none_common[i].compression;
		fx_open_nostart(&f, &cfg, NULL, &none_common[i].opt);
		f.mc.quiet = 1;
		CHECK(mc_connect(&f.mc) != 0);
		expect_disconnect(&f, HS_DISCONNECT_KEY_EXCHANGE_FAILED);
		CHECK_STR(f.conn->close_reason, none_common[i].reason);
		f.mc.failed = 0;
		fx_close(&f);
	}

	/* a Q_C of the wrong length (RFC 8731 §3: abort) */
	struct mc_opts manual = { .manual_ecdh = 1 };
	fx_open_nostart(&f, NULL, NULL, &manual);
	CHECK_EQ_INT(mc_start(&f.mc), 0);
	mc_pump(&f.mc);
	CHECK_EQ_INT(f.mc.server_kexinits, 1);
	uint8_t q[33];
	memset(q, 9, sizeof q);
	mc_body(&b);
	CHECK_EQ_INT(hs__buf_put_string(&b, q, 31), 0);
	CHECK_EQ_INT(mc_send_raw(&f.mc, HS_MSG_KEX_ECDH_INIT, hs__buf_ptr(&b), hs__buf_len(&b)), 0);
	hs__buf_cleanup(&b);
	mc_pump(&f.mc);
	CHECK(mc_peek(&f.mc) == HS_MSG_DISCONNECT);
	mc_drain(&f.mc);
	CHECK(f.conn->closing);
	fx_close(&f);

	/* a low-order Q_C (all zero: the shared secret would be zero): the key
	 * exchange failed, so the reason a peer sees is 3, not "by application" */
	fx_open_nostart(&f, NULL, NULL, &manual);
	CHECK_EQ_INT(mc_start(&f.mc), 0);
	mc_pump(&f.mc);
	memset(q, 0, sizeof q);
	mc_body(&b);
	CHECK_EQ_INT(hs__buf_put_string(&b, q, 32), 0);
	CHECK_EQ_INT(mc_send_raw(&f.mc, HS_MSG_KEX_ECDH_INIT, hs__buf_ptr(&b), hs__buf_len(&b)), 0);
	hs__buf_cleanup(&b);
	mc_pump(&f.mc);
	expect_disconnect(&f, HS_DISCONNECT_KEY_EXCHANGE_FAILED);
	CHECK_EQ_INT(f.mc.kex_done, 0);
	fx_close(&f);

	/* a tampered packet after the key exchange: MAC error (5) */
	static const char *const ciphers[] = { "chacha20-poly1305@openssh.com", "aes256-gcm@openssh.com",
		                               "aes256-ctr" };
	for (int i = 0; i < 3; i++) {
		struct mc_opts o = { .cipher = ciphers[i], .strict = 1 };
		fx_open(&f, NULL, NULL, &o);
		service(&f);
		CHECK_EQ_INT(mc_ignore(&f.mc, 0), 0);
		size_t n = hs__buf_len(&f.mc.pkt.out);
		hs__buf_ptr(&f.mc.pkt.out)[n - 1] ^= 1; /* the last byte of the tag */
		mc_pump(&f.mc);
		expect_disconnect(&f, HS_DISCONNECT_MAC_ERROR);
		fx_close(&f);
	}
}

/* Keepalives (OpenSSH ClientAliveInterval): asked after silence, answered
 * asks reset the count, unanswered ones end the connection. */

/* --- host keys signed elsewhere (hs_hostkey_new_external) --- */

/* An external signer as an agent would be: it holds the private key (here
 * a host key of ours) and answers when the test says, or at once. */
struct agent {
	const struct hs_hostkey *holds;
	int at_once;
	int fail; /* answer with an error */
	int calls;
	struct hs_sign_request *req; /* the request not yet answered */
	uint8_t data[HS_MAX_HASH];
	size_t len;
};

static void agent_answer(struct agent *a)
{
	struct hs_buf sig;
	hs__buf_init(&sig, 1024, 0);
	struct hs_sign_request *req = a->req;
	a->req = NULL;
	if (a->fail) {
		hs_sign_request_done(req, HS_ERR_IO, NULL, 0);
	} else {
		CHECK_EQ_INT(hs__hostkey_sign(a->holds, "ssh-ed25519", a->data, a->len, &sig), 0);
		hs_sign_request_done(req, 0, hs__buf_ptr(&sig), hs__buf_len(&sig));
	}
	hs__buf_cleanup(&sig);
}

static void agent_sign(void *ctx, struct hs_sign_request *req, const uint8_t *data, size_t len)
{
	struct agent *a = ctx;
	a->calls++;
	CHECK(a->req == NULL);
	REQUIRE(len <= sizeof a->data);
	memcpy(a->data, data, len);
	a->len = len;
	a->req = req;
	if (a->at_once)
		agent_answer(a);
}

/* The fixture with g_hostkey's public half, signed by agent a. */
static void open_external(struct fx *f, struct agent *a, struct hs_hostkey **ext)
{
	REQUIRE(hs_hostkey_new_external(hs_hostkey_public(g_hostkey), agent_sign, a, ext) == 0);
	CHECK(hs_key_equal(hs_hostkey_public(*ext), hs_hostkey_public(g_hostkey)));
	g_served_hostkey = *ext; /* what the fixture's core serves */
	fx_open_nostart(f, NULL, NULL, NULL);
	g_served_hostkey = NULL;
}

static void test_external_signer(void)
{
	struct fx f;
	struct agent a;
	struct hs_hostkey *ext;
	struct mc_chan ch;

	/* answered later: the connection waits, reading nothing, then goes on */
	memset(&a, 0, sizeof a);
	a.holds = g_hostkey;
	open_external(&f, &a, &ext);
	CHECK(mc_connect(&f.mc) != 0); /* not finished: the reply waits for the signature */
	CHECK_EQ_INT(a.calls, 1);
	CHECK(a.req != NULL);
	CHECK(!hs__conn_wants_input(f.conn));
	CHECK(!hs__conn_resume_due(f.conn));
	int kicks = f.app.kicks;
	agent_answer(&a);
	CHECK(f.app.kicks > kicks); /* the I/O layer is asked to come back */
	CHECK(hs__conn_resume_due(f.conn));
	CHECK_EQ_INT(f.mc.kex_done, 0); /* nothing happens inside the answer */
	CHECK_EQ_INT(hs__conn_resume(f.conn), 0);
	mc_pump(&f.mc);
	CHECK_EQ_INT(f.mc.kex_done, 1);
	CHECK_EQ_INT(f.mc.hostkey_verified, 1);
	CHECK(hs__conn_wants_input(f.conn));
	fx_auth(&f);
	fx_session(&f, &ch, 0, MIB, 32768);
	/* a rekey asks the signer again */
	CHECK_EQ_INT(mc_send_kexinit(&f.mc), 0);
	mc_pump(&f.mc);
	CHECK_EQ_INT(a.calls, 2);
	agent_answer(&a);
	CHECK_EQ_INT(hs__conn_resume(f.conn), 0);
	mc_pump(&f.mc);
	CHECK_EQ_INT(f.mc.kex_done, 2);
	uint8_t *data = pattern(100000, 9);
	transfer(&f, &ch, data, 100000, HS_STREAM_DATA, NULL);
	free(data);
	mc_chan_cleanup(&ch);
	fx_close(&f);
	hs_hostkey_free(ext);

	/* answered at once, from inside the request */
	memset(&a, 0, sizeof a);
	a.holds = g_hostkey;
	a.at_once = 1;
	open_external(&f, &a, &ext);
	CHECK_EQ_INT(mc_connect(&f.mc), 0);
	CHECK_EQ_INT(f.mc.hostkey_verified, 1);
	fx_close(&f);
	hs_hostkey_free(ext);

	/* a signature by another key, or none: the exchange fails on our
	 * side, and the peer reads only that */
	for (int fail = 0; fail < 2; fail++) {
		memset(&a, 0, sizeof a);
		a.holds = g_otherkey;
		a.fail = fail;
		open_external(&f, &a, &ext);
		f.mc.quiet = 1;
		CHECK(mc_connect(&f.mc) != 0);
		agent_answer(&a);
		CHECK(hs__conn_resume(f.conn) != 0);
		mc_pump(&f.mc);
		expect_disconnect(&f, HS_DISCONNECT_KEY_EXCHANGE_FAILED);
		CHECK_STR(f.conn->close_reason, "host key signature failed");
		CHECK_EQ_INT(f.mc.hostkey_verified, 0);
		f.mc.failed = 0;
		fx_close(&f);
		hs_hostkey_free(ext);
	}

	/* the connection ends before the answer: the answer is dropped */
	memset(&a, 0, sizeof a);
	a.holds = g_hostkey;
	open_external(&f, &a, &ext);
	CHECK(mc_connect(&f.mc) != 0);
	CHECK(a.req != NULL);
	fx_free_conn(&f);
	agent_answer(&a); /* no connection to go on: nothing but freeing */
	fx_close(&f);
	hs_hostkey_free(ext);

	/* what an external key refuses to be used for */
	CHECK_EQ_INT(hs_hostkey_new_external(NULL, agent_sign, &a, &ext), HS_ERR_INVALID_ARG);
	CHECK_EQ_INT(hs_hostkey_new_external(hs_hostkey_public(g_hostkey), NULL, &a, &ext), HS_ERR_INVALID_ARG);
	REQUIRE(hs_hostkey_new_external(hs_hostkey_public(g_hostkey), agent_sign, &a, &ext) == 0);
	char *text = NULL;
	size_t textlen = 0;
	CHECK_EQ_INT(hs_hostkey_save_mem(ext, "x", &text, &textlen), HS_ERR_KEY_TYPE);
	struct hs_buf sig;
	hs__buf_init(&sig, 1024, 0);
	CHECK_EQ_INT(hs__hostkey_sign(ext, "ssh-ed25519", (const uint8_t *)"x", 1, &sig), HS_ERR_KEY_TYPE);
	hs__buf_cleanup(&sig);
	hs_hostkey_free(ext);
}

int main(void)
{
	if (fx_keys_init() != 0)
		return 1;
	test_happy_path("chacha20-poly1305@openssh.com", NULL, 1, 1);
	test_happy_path("aes256-gcm@openssh.com", NULL, 1, 1);
	test_happy_path("aes128-gcm@openssh.com", NULL, 1, 1);
	test_happy_path("aes256-ctr", "hmac-sha2-256-etm@openssh.com", 1, 1);
	test_happy_path("chacha20-poly1305@openssh.com", NULL, 0, 0);
	test_happy_path("aes256-ctr", "hmac-sha2-256-etm@openssh.com", 0, 0);
	test_profile_kexinit();
	test_dh_inline();
	test_dh_job();
	test_hybrid("mlkem768x25519-sha256");
	test_hybrid("sntrup761x25519-sha512");
	test_hybrid("sntrup761x25519-sha512@openssh.com");
	test_hybrid_refusals();
	test_client_rekey(1);
	test_client_rekey(0);
	test_server_rekey_bytes();
	test_server_rekey_holds();
	test_kex_failures();
	test_external_signer();
	fx_keys_free();
	return hs_test_done();
}
