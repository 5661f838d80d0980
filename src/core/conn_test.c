/*
 * Tests of the connection core itself (core/conn.c) through the in-memory
 * client: the message filter as a peer meets it in every phase, edges of
 * input, output and failure handling, keepalives and the login grace
 * timer. The layers have their own tests beside them (kex_test,
 * userauth_test, channel_test).
 */
#include <stdlib.h>
#include <string.h>

#include "common/limits.h"
#include "conn/channel.h"
#include "core/config.h"
#include "core/conn_priv.h"
#include "conn_fixture.h"
#include "hs_test.h"
#include "mini_client.h"

static void test_state_machine(void)
{
	struct fx f;
	struct hs_view v;
	uint8_t open_body[64];
	struct hs_buf b;

	/* CHANNEL_OPEN before authentication: protocol error (reason 2) */
	mc_body(&b);
	CHECK_EQ_INT(hs__buf_put_cstring(&b, "session"), 0);
	CHECK_EQ_INT(hs__buf_put_u32(&b, 0), 0);
	CHECK_EQ_INT(hs__buf_put_u32(&b, 65536), 0);
	CHECK_EQ_INT(hs__buf_put_u32(&b, 32768), 0);
	size_t open_len = hs__buf_len(&b);
	memcpy(open_body, hs__buf_ptr(&b), open_len);
	hs__buf_cleanup(&b);

	fx_open(&f, NULL, NULL, NULL);
	CHECK_EQ_INT(mc_send(&f.mc, HS_MSG_CHANNEL_OPEN, open_body, open_len), 0);
	mc_pump(&f.mc);
	expect_disconnect(&f, HS_DISCONNECT_PROTOCOL_ERROR);
	CHECK_EQ_INT(f.app.session_calls, 0);
	fx_close(&f);

	/* ... and after the service request, still before success */
	fx_open(&f, NULL, NULL, NULL);
	service(&f);
	CHECK_EQ_INT(mc_send(&f.mc, HS_MSG_CHANNEL_OPEN, open_body, open_len), 0);
	mc_pump(&f.mc);
	expect_disconnect(&f, HS_DISCONNECT_PROTOCOL_ERROR);
	CHECK_EQ_INT(f.app.session_calls, 0);
	fx_close(&f);

	/* USERAUTH_REQUEST before SERVICE_REQUEST */
	fx_open(&f, NULL, NULL, NULL);
	CHECK_EQ_INT(mc_userauth_pk_signed(&f.mc, USER, g_userkey, "ssh-ed25519", NULL, 0), 0);
	mc_pump(&f.mc);
	expect_disconnect(&f, HS_DISCONNECT_PROTOCOL_ERROR);
	CHECK_EQ_INT(f.app.begin_calls, 0);
	CHECK_EQ_INT(f.app.auth_completed_calls, 0);
	fx_close(&f);

	/* an unknown service */
	fx_open(&f, NULL, NULL, NULL);
	CHECK_EQ_INT(mc_service_request(&f.mc, "ssh-connection"), 0);
	mc_pump(&f.mc);
	expect_disconnect(&f, HS_DISCONNECT_SERVICE_NOT_AVAILABLE);
	fx_close(&f);

	/* strict kex: IGNORE before KEXINIT is fatal */
	struct mc_opts strict = { .strict = 1, .ext_info = 1 };
	fx_open_nostart(&f, NULL, NULL, &strict);
	CHECK_EQ_INT(hs__buf_put(&f.mc.pkt.out, "SSH-2.0-mini_client\r\n", 21), 0);
	CHECK_EQ_INT(mc_ignore(&f.mc, 1), 0);
	CHECK_EQ_INT(mc_send_kexinit(&f.mc), 0);
	mc_pump(&f.mc);
	expect_disconnect(&f, HS_DISCONNECT_PROTOCOL_ERROR);
	CHECK_EQ_INT(f.mc.kex_done, 0);
	CHECK(f.mc.server_closed);
	f.mc.failed = 0; /* the client saw its kex cut short */
	fx_close(&f);

	/* strict kex: IGNORE between KEXINIT and NEWKEYS is fatal too */
	fx_open_nostart(&f, NULL, NULL, &strict);
	CHECK_EQ_INT(mc_start(&f.mc), 0);
	CHECK_EQ_INT(mc_ignore(&f.mc, 1), 0);
	mc_pump(&f.mc);
	expect_disconnect(&f, HS_DISCONNECT_PROTOCOL_ERROR);
	CHECK_EQ_INT(f.mc.kex_done, 0);
	f.mc.failed = 0;
	fx_close(&f);

	/* without strict the same IGNOREs are fine */
	struct mc_opts loose = { .strict = 0 };
	fx_open_nostart(&f, NULL, NULL, &loose);
	CHECK_EQ_INT(hs__buf_put(&f.mc.pkt.out, "SSH-2.0-mini_client\r\n", 21), 0);
	CHECK_EQ_INT(mc_ignore(&f.mc, 1), 0);
	CHECK_EQ_INT(mc_send_kexinit(&f.mc), 0);
	CHECK_EQ_INT(mc_ignore(&f.mc, 1), 0);
	mc_pump(&f.mc);
	CHECK_EQ_INT(f.mc.kex_done, 1);
	CHECK_EQ_INT(f.mc.strict, 0);
	CHECK_EQ_INT(f.conn->strict_kex, 0);
	CHECK(!f.conn->closing);
	fx_auth(&f);
	fx_close(&f);

	/* an unknown message after authentication: UNIMPLEMENTED with its
	 * sequence number, and the connection goes on */
	fx_open(&f, NULL, NULL, NULL);
	fx_auth(&f);
	CHECK_EQ_INT(mc_send(&f.mc, 200, "xyz", 3), 0);
	uint32_t seq = f.mc.last_tx_seqnr;
	mc_pump(&f.mc);
	uint32_t got = 0;
	CHECK_EQ_INT(mc_expect(&f.mc, HS_MSG_UNIMPLEMENTED, &v), 0);
	CHECK(hs__view_get_u32(&v, &got) == 0 && hs__view_end(&v) == 0);
	CHECK_EQ_INT(got, seq);
	CHECK(!f.conn->closing);
	struct mc_chan ch;
	fx_session(&f, &ch, 0, MIB, 32768);
	uint8_t *data = pattern(5000, 2);
	transfer(&f, &ch, data, 5000, HS_STREAM_DATA, NULL);
	free(data);
	/* ... also before authentication */
	fx_close(&f);
	fx_open(&f, NULL, NULL, NULL);
	CHECK_EQ_INT(mc_send(&f.mc, 200, NULL, 0), 0);
	seq = f.mc.last_tx_seqnr;
	mc_pump(&f.mc);
	CHECK_EQ_INT(mc_expect(&f.mc, HS_MSG_UNIMPLEMENTED, &v), 0);
	CHECK(hs__view_get_u32(&v, &got) == 0 && got == seq);
	service(&f);
	fx_close(&f);

	/* a message of the connection protocol range that is not for a server
	 * (OPEN_CONFIRMATION) is a protocol error even after authentication */
	fx_open(&f, NULL, NULL, NULL);
	fx_auth(&f);
	uint8_t conf[16] = { 0 };
	CHECK_EQ_INT(mc_send(&f.mc, HS_MSG_CHANNEL_OPEN_CONFIRMATION, conf, sizeof conf), 0);
	mc_pump(&f.mc);
	expect_disconnect(&f, HS_DISCONNECT_PROTOCOL_ERROR);
	fx_close(&f);

	/* DISCONNECT from the client ends the core; connection_lost once */
	fx_open(&f, NULL, NULL, NULL);
	fx_auth(&f);
	fx_session(&f, &ch, 0, MIB, 32768);
	CHECK_EQ_INT(mc_disconnect(&f.mc, HS_DISCONNECT_BY_APPLICATION, "going away"), 0);
	mc_pump(&f.mc);
	CHECK(f.mc.server_closed);
	CHECK_EQ_INT(f.mc.server_rc, HS_ERR_CLOSED); /* a goodbye "by application" is orderly */
	CHECK(f.conn->closing);
	CHECK_EQ_INT(mc_queued(&f.mc), 0);
	CHECK_EQ_INT(hs__conn_feed(f.conn, (const uint8_t *)"x", 1), HS_ERR_CLOSED);
	CHECK(hs__conn_tick(f.conn, f.now + 1) != 0);
	CHECK_EQ_INT(f.app.lost_calls, 0);
	hs__conn_report_lost(f.conn);
	hs__conn_report_lost(f.conn);
	CHECK_EQ_INT(f.app.lost_calls, 1);
	CHECK_EQ_INT(f.app.lost_err, 0);
	CHECK(strstr(f.app.lost_reason, "going away") != NULL);
	CHECK_EQ_INT(f.app.chans[0].lost_calls, 1);
	fx_free_conn(&f);
	CHECK_EQ_INT(f.app.lost_calls, 1);
	CHECK_EQ_INT(f.app.chans[0].lost_calls, 1);
	fx_close(&f);

	/* a peer that stalls before authentication is cut off */
	fx_open(&f, NULL, NULL, NULL);
	service(&f);
	for (int i = 0; i < (int)HS_MAX_PREAUTH_PACKETS && !f.conn->closing; i++) {
		CHECK_EQ_INT(mc_ignore(&f.mc, 0), 0);
		if (i % 64 == 0)
			mc_pump(&f.mc);
	}
	mc_pump(&f.mc);
	expect_disconnect(&f, HS_DISCONNECT_PROTOCOL_ERROR);
	fx_close(&f);

	/* a bad identification line */
	fx_open_nostart(&f, NULL, NULL, NULL);
	CHECK(hs__conn_feed(f.conn, (const uint8_t *)"SSH-1.5-old\r\n", 13) != 0);
	CHECK(f.conn->closing);
	fx_close(&f);
}

/* --- edges found while reading the engine --- */

static void test_edges(void)
{
	struct fx f;
	struct mc_chan ch;
	char name64[65];
	memset(name64, 'm', 64);
	name64[64] = '\0';

	/* RFC 4254 §5.2 defines only extended data type 1 (stderr); another
	 * code must not reach the application as an enum hs_stream value it
	 * does not know. */
	fx_open(&f, NULL, NULL, NULL);
	f.app.mode = MODE_SINK;
	fx_auth(&f);
	fx_session(&f, &ch, 0, MIB, 32768);
	CHECK_EQ_INT(mc_channel_data_raw(&f.mc, &ch, "abc", 3, (enum hs_stream)2), 0);
	mc_pump(&f.mc);
	CHECK_EQ_INT(f.app.bad_streams, 0);
	CHECK(!f.conn->closing);
	fx_close(&f);

	/* RFC 4250 §4.6.1 / RFC 4251 §6: names may be 64 characters long. An
	 * unknown method of that length is a USERAUTH_FAILURE, not a
	 * disconnect. */
	fx_open(&f, NULL, NULL, NULL);
	service(&f);
	CHECK_EQ_INT(mc_userauth_raw(&f.mc, USER, "ssh-connection", name64, NULL, 0), 0);
	mc_pump(&f.mc);
	CHECK(mc_peek(&f.mc) == HS_MSG_USERAUTH_FAILURE);
	CHECK(!f.conn->closing);
	fx_close(&f);

	/* ... and an unknown channel type of that length is OPEN_FAILURE 3 */
	fx_open(&f, NULL, NULL, NULL);
	fx_auth(&f);
	mc_chan_init(&ch, 0, MIB, 32768);
	CHECK_EQ_INT(mc_channel_open(&f.mc, &ch, name64, NULL, 0), 0);
	mc_pump(&f.mc);
	CHECK(mc_peek(&f.mc) == HS_MSG_CHANNEL_OPEN_FAILURE);
	if (mc_peek(&f.mc) == HS_MSG_CHANNEL_OPEN_FAILURE)
		expect_open_failure(&f, 0, HS_OPEN_UNKNOWN_CHANNEL_TYPE);
	CHECK(!f.conn->closing);
	mc_chan_cleanup(&ch);
	fx_close(&f);

	/* Writing from session_requested, before OPEN_CONFIRMATION exists:
	 * the peer must never see data for a channel not yet open. */
	for (int variant = 1; variant <= 2; variant++) {
		fx_open(&f, NULL, NULL, NULL);
		f.app.mode = MODE_SINK;
		f.app.write_in_open = variant;
		fx_auth(&f);
		mc_chan_init(&ch, 0, MIB, 32768);
		CHECK_EQ_INT(mc_channel_open(&f.mc, &ch, "session", NULL, 0), 0);
		mc_pump(&f.mc);
		int first = mc_peek(&f.mc);
		CHECK(first == (variant == 1 ? HS_MSG_CHANNEL_OPEN_CONFIRMATION : HS_MSG_CHANNEL_OPEN_FAILURE));
		CHECK_EQ_INT(mc_queued(&f.mc), 1);
		CHECK_EQ_INT(f.app.write_in_open_written, 0);
		mc_chan_cleanup(&ch);
		fx_close(&f);
	}

	/* pause_reading holds the window; resume_reading re-opens it */
	fx_open(&f, NULL, NULL, NULL);
	f.app.mode = MODE_SINK;
	f.app.pause_on_open = 1;
	fx_auth(&f);
	fx_session(&f, &ch, 0, MIB, 32768);
	uint32_t win = ch.remote_window;
	uint8_t *data = pattern(win, 13);
	size_t sent = 0;
	for (int i = 0; i < 1000 && sent < win; i++) {
		sent += mc_channel_send(&f.mc, &ch, data + sent, win - sent, HS_STREAM_DATA);
		mc_pump(&f.mc);
	}
	CHECK_EQ_INT(sent, win);
	CHECK_EQ_INT(ch.remote_window, 0);
	hs_channel_resume_reading(f.app.chans[0].ch);
	mc_pump(&f.mc);
	CHECK_EQ_INT(ch.remote_window, win);
	CHECK(!f.conn->closing);
	free(data);
	fx_close(&f);

	/* RFC 4253 §7: a guessed kex packet after KEXINIT. Right guess (both
	 * sides prefer curve25519-sha256): the guessed ECDH_INIT is used. */
	struct mc_opts guess = { .guess = 1, .kex = "curve25519-sha256" };
	struct hs_config curve_first;
	hs_config_init(&curve_first);
	curve_first.kex_algorithms = "curve25519-sha256,curve25519-sha256@libssh.org";
	fx_open(&f, &curve_first, NULL, &guess);
	CHECK_EQ_INT(f.mc.guess_right, 1);
	CHECK_EQ_INT(f.mc.kex_done, 1);
	fx_auth(&f);
	fx_close(&f);
	/* Wrong guess: the client prefers the @libssh.org name, the server
	 * the plain one. The negotiated method is the client's first choice,
	 * yet "server and client have different preferred algorithm", so the
	 * guessed packet MUST be ignored and the client sends a new one. */
	guess.kex = "curve25519-sha256@libssh.org,curve25519-sha256";
	fx_open_nostart(&f, &curve_first, NULL, &guess);
	CHECK_EQ_INT(mc_connect(&f.mc), 0);
	CHECK_EQ_INT(f.mc.guess_right, 0);
	CHECK_EQ_INT(f.mc.kex_done, 1);
	CHECK_EQ_INT(f.mc.hostkey_verified, 1);
	CHECK(!f.conn->closing);
	if (f.mc.kex_done == 1)
		fx_auth(&f);
	mc_drain(&f.mc);
	f.mc.failed = 0;
	fx_close(&f);

	/* the banner: once, before the first answer */
	struct hs_config cfg;
	hs_config_init(&cfg);
	cfg.banner = "authorized peers only\r\n";
	fx_open(&f, &cfg, NULL, NULL);
	service(&f);
	CHECK_EQ_INT(mc_userauth_none(&f.mc, USER), 0);
	CHECK_EQ_INT(mc_userauth_none(&f.mc, USER), 0);
	mc_pump(&f.mc);
	struct hs_view v;
	char text[64];
	CHECK_EQ_INT(mc_expect(&f.mc, HS_MSG_USERAUTH_BANNER, &v), 0);
	CHECK(hs__view_get_cstring(&v, text, sizeof text) == 0 && strcmp(text, cfg.banner) == 0);
	expect_auth_failure(&f);
	expect_auth_failure(&f);
	CHECK_EQ_INT(mc_queued(&f.mc), 0);
	fx_close(&f);
}

/* Key exchange failures and tampering: the DISCONNECT reason a peer sees. */
static void test_keepalive(void)
{
	struct fx f;
	struct hs_config cfg;
	struct hs_view v;
	char name[64];
	int want = 0;
	hs_config_init(&cfg);
	cfg.keepalive_seconds = 10;
	cfg.keepalive_max_missed = 2;
	fx_open(&f, &cfg, NULL, NULL);
	fx_auth(&f);
	uint64_t t = f.now;
	CHECK_EQ_INT(hs__conn_tick(f.conn, t + 9999), 0);
	mc_pump(&f.mc);
	CHECK_EQ_INT(mc_queued(&f.mc), 0);
	CHECK_EQ_INT(hs__conn_tick(f.conn, t + 10000), 0);
	mc_pump(&f.mc);
	CHECK_EQ_INT(mc_expect(&f.mc, HS_MSG_GLOBAL_REQUEST, &v), 0);
	CHECK(hs__view_get_cstring(&v, name, sizeof name) == 0 && strcmp(name, "keepalive@openssh.com") == 0);
	CHECK(hs__view_get_bool(&v, &want) == 0 && want == 1);
	/* answered: the count starts again */
	CHECK_EQ_INT(mc_send(&f.mc, HS_MSG_REQUEST_FAILURE, NULL, 0), 0);
	mc_pump(&f.mc);
	t += 10000;
	for (int i = 1; i <= 2; i++) {
		CHECK_EQ_INT(hs__conn_tick(f.conn, t + 10000u * (uint64_t)i), 0);
		mc_pump(&f.mc);
		CHECK_EQ_INT(mc_expect(&f.mc, HS_MSG_GLOBAL_REQUEST, NULL), 0);
	}
	CHECK(hs__conn_tick(f.conn, t + 30000) != 0);
	mc_pump(&f.mc);
	expect_disconnect(&f, HS_DISCONNECT_BY_APPLICATION);
	fx_close(&f);
}

/* --- 7. login grace --- */

static void test_login_grace(void)
{
	struct fx f;
	fx_open(&f, NULL, NULL, NULL);
	uint64_t start = f.now;
	CHECK_EQ_INT(hs__conn_next_deadline(f.conn), start + f.cfg.login_grace_ms);
	CHECK_EQ_INT(hs__conn_tick(f.conn, start + f.cfg.login_grace_ms - 1), 0);
	mc_pump(&f.mc);
	CHECK_EQ_INT(mc_queued(&f.mc), 0);
	CHECK(!f.conn->closing);
	CHECK(hs__conn_tick(f.conn, start + f.cfg.login_grace_ms) != 0);
	mc_pump(&f.mc);
	expect_disconnect(&f, HS_DISCONNECT_BY_APPLICATION);
	CHECK(f.conn->closing);
	CHECK(hs__conn_tick(f.conn, start + f.cfg.login_grace_ms + 1) != 0);
	CHECK_EQ_INT(mc_queued(&f.mc), 0); /* one DISCONNECT only */
	fx_free_conn(&f);
	CHECK_EQ_INT(f.app.lost_calls, 1);
	CHECK_EQ_INT(f.app.lost_err, HS_ERR_TIMEOUT);
	fx_close(&f);

	/* grace runs during a pending answer too */
	fx_open(&f, NULL, NULL, NULL);
	f.app.begin_answer = HS_AUTH_PENDING;
	service(&f);
	CHECK_EQ_INT(mc_userauth_none(&f.mc, USER), 0);
	mc_pump(&f.mc);
	CHECK(hs__conn_tick(f.conn, f.now + f.cfg.login_grace_ms) != 0);
	CHECK_EQ_INT(hs_conn_answer(f.conn, HS_AUTH_NOT_NEEDED), HS_ERR_INVALID_ARG);
	mc_pump(&f.mc);
	expect_disconnect(&f, HS_DISCONNECT_BY_APPLICATION);
	fx_close(&f);

	/* after authentication: no grace disconnect */
	fx_open(&f, NULL, NULL, NULL);
	fx_auth(&f);
	CHECK(hs__conn_next_deadline(f.conn) > f.now + f.cfg.login_grace_ms);
	CHECK_EQ_INT(hs__conn_tick(f.conn, f.now + f.cfg.login_grace_ms + 10000), 0);
	mc_pump(&f.mc);
	CHECK_EQ_INT(mc_queued(&f.mc), 0);
	CHECK(!f.conn->closing);
	struct mc_chan ch;
	fx_session(&f, &ch, 0, MIB, 32768);
	fx_close(&f);
}

/* A key exchange has its own deadline, apart from the login grace: the
 * first one from accept, every rekey from its first KEXINIT. */
static void test_kex_timeout(void)
{
	struct fx f;
	struct hs_config cfg;
	hs_config_init(&cfg);
	CHECK_EQ_INT(cfg.kex_timeout_seconds, HS_KEX_TIMEOUT_DEFAULT);

	/* a peer that sends its identification and nothing more */
	fx_open_nostart(&f, NULL, NULL, NULL);
	uint64_t start = f.now;
	CHECK_EQ_INT(f.cfg.kex_timeout_ms, 1000ull * HS_KEX_TIMEOUT_DEFAULT);
	CHECK(f.cfg.kex_timeout_ms < f.cfg.login_grace_ms);
	CHECK_EQ_INT(hs__conn_next_deadline(f.conn), start + f.cfg.kex_timeout_ms);
	CHECK_EQ_INT(hs__conn_tick(f.conn, start + f.cfg.kex_timeout_ms - 1), 0);
	CHECK(!f.conn->closing);
	CHECK(hs__conn_tick(f.conn, start + f.cfg.kex_timeout_ms) != 0);
	CHECK(f.conn->closing);
	CHECK_STR(f.conn->close_reason, "key exchange timeout");
	fx_free_conn(&f);
	CHECK_EQ_INT(f.app.lost_err, HS_ERR_TIMEOUT);
	fx_close(&f);

	/* a finished exchange stops counting; a rekey the peer starts and
	 * never finishes is ended at its own deadline */
	cfg.kex_timeout_seconds = 5;
	fx_open(&f, &cfg, NULL, NULL);
	fx_auth(&f);
	CHECK_EQ_INT(hs__conn_tick(f.conn, f.now + 6000), 0);
	CHECK(!f.conn->closing);
	f.now += 10000;
	hs__conn_set_now(f.conn, f.now);
	f.mc.opt.manual_ecdh = 1; /* KEXINIT, and never the method's init */
	CHECK_EQ_INT(mc_send_kexinit(&f.mc), 0);
	mc_pump(&f.mc);
	CHECK_EQ_INT(hs__conn_next_deadline(f.conn), f.now + 5000);
	CHECK_EQ_INT(hs__conn_tick(f.conn, f.now + 4999), 0);
	CHECK(hs__conn_tick(f.conn, f.now + 5000) != 0);
	mc_pump(&f.mc);
	expect_disconnect(&f, HS_DISCONNECT_BY_APPLICATION);
	CHECK_STR(f.conn->close_reason, "key exchange timeout");
	f.mc.failed = 0;
	fx_close(&f);
}

int main(void)
{
	if (fx_keys_init() != 0)
		return 1;
	test_state_machine();
	test_keepalive();
	test_login_grace();
	test_kex_timeout();
	test_edges();
	fx_keys_free();
	return hs_test_done();
}
