/*
 * Tests of the connection protocol (conn/channel.c) through a server core
 * and the in-memory client: channel opens and their refusals, channel
 * requests (answered, refused, malformed, answered later), flow control
 * in both directions, and the server's window.
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

/* --- 6. channels --- */

static void test_channel_opens(void)
{
	struct fx f;
	struct hs_config cfg;
	struct mc_chan c[4];
	hs_config_init(&cfg);
	cfg.max_channels = 2;
	fx_open(&f, &cfg, NULL, NULL);
	fx_auth(&f);
	for (uint32_t i = 0; i < 3; i++) {
		mc_chan_init(&c[i], i, MIB, 32768);
		CHECK_EQ_INT(mc_channel_open(&f.mc, &c[i], "session", NULL, 0), 0);
	}
	mc_pump(&f.mc);
	CHECK_EQ_INT(mc_channel_confirmed(&f.mc, &c[0]), 0);
	CHECK_EQ_INT(mc_channel_confirmed(&f.mc, &c[1]), 0);
	expect_open_failure(&f, 2, HS_OPEN_RESOURCE_SHORTAGE);
	CHECK_EQ_INT(f.app.session_calls, 2);
	CHECK(c[0].remote_id != c[1].remote_id);
	/* close one: a new open fits again */
	CHECK_EQ_INT(mc_chan_simple(&f.mc, &c[0], HS_MSG_CHANNEL_CLOSE), 0);
	mc_pump(&f.mc);
	CHECK_EQ_INT(c[0].got_close, 1);
	CHECK_EQ_INT(f.app.chans[0].lost_calls, 1);
	mc_chan_init(&c[3], 3, MIB, 32768);
	CHECK_EQ_INT(mc_channel_open(&f.mc, &c[3], "session", NULL, 0), 0);
	mc_pump(&f.mc);
	CHECK_EQ_INT(mc_channel_confirmed(&f.mc, &c[3]), 0);
	/* maximum packet 0: refused */
	mc_chan_init(&c[2], 2, MIB, 0);
	CHECK_EQ_INT(mc_channel_open(&f.mc, &c[2], "session", NULL, 0), 0);
	mc_pump(&f.mc);
	CHECK_EQ_INT(mc_expect(&f.mc, HS_MSG_CHANNEL_OPEN_FAILURE, NULL), 0);
	/* an unknown channel type */
	mc_chan_init(&c[2], 2, MIB, 32768);
	CHECK_EQ_INT(mc_channel_open(&f.mc, &c[2], "x11", NULL, 0), 0);
	mc_pump(&f.mc);
	CHECK_EQ_INT(mc_expect(&f.mc, HS_MSG_CHANNEL_OPEN_FAILURE, NULL), 0);
	CHECK(!f.conn->closing);
	for (int i = 0; i < 4; i++)
		mc_chan_cleanup(&c[i]);
	fx_close(&f);

	/* maximum packet 0 with room for channels: refused, connection goes on */
	fx_open(&f, NULL, NULL, NULL);
	fx_auth(&f);
	mc_chan_init(&c[0], 5, MIB, 0);
	CHECK_EQ_INT(mc_channel_open(&f.mc, &c[0], "session", NULL, 0), 0);
	mc_pump(&f.mc);
	expect_open_failure(&f, 5, HS_OPEN_CONNECT_FAILED);
	CHECK_EQ_INT(f.app.session_calls, 0);
	CHECK_EQ_INT(f.conn->channels.open, 0);
	mc_chan_cleanup(&c[0]);
	fx_close(&f);

	/* default session_requested (NULL): refused, reason 1; direct-tcpip too */
	fx_open(&f, NULL, &bare_cb, NULL);
	fx_auth(&f);
	mc_chan_init(&c[0], 1, MIB, 32768);
	CHECK_EQ_INT(mc_channel_open(&f.mc, &c[0], "session", NULL, 0), 0);
	mc_pump(&f.mc);
	expect_open_failure(&f, 1, HS_OPEN_ADMINISTRATIVELY_PROHIBITED);
	struct hs_buf t;
	mc_body(&t);
	CHECK_EQ_INT(hs__buf_put_cstring(&t, "127.0.0.1"), 0);
	CHECK_EQ_INT(hs__buf_put_u32(&t, 80), 0);
	CHECK_EQ_INT(hs__buf_put_cstring(&t, "127.0.0.1"), 0);
	CHECK_EQ_INT(hs__buf_put_u32(&t, 40000), 0);
	CHECK_EQ_INT(mc_channel_open(&f.mc, &c[0], "direct-tcpip", hs__buf_ptr(&t), hs__buf_len(&t)), 0);
	mc_pump(&f.mc);
	expect_open_failure(&f, 1, HS_OPEN_ADMINISTRATIVELY_PROHIBITED);
	CHECK_EQ_INT(f.conn->channels.open, 0);
	mc_chan_cleanup(&c[0]);
	fx_close(&f);

	/* direct-tcpip on the full server: connection_requested is NULL */
	fx_open(&f, NULL, NULL, NULL);
	fx_auth(&f);
	mc_chan_init(&c[0], 1, MIB, 32768);
	CHECK_EQ_INT(mc_channel_open(&f.mc, &c[0], "direct-tcpip", hs__buf_ptr(&t), hs__buf_len(&t)), 0);
	mc_pump(&f.mc);
	expect_open_failure(&f, 1, HS_OPEN_ADMINISTRATIVELY_PROHIBITED);
	hs__buf_cleanup(&t);
	mc_chan_cleanup(&c[0]);
	fx_close(&f);
}

static void put_pty(struct hs_buf *t)
{
	CHECK_EQ_INT(hs__buf_put_cstring(t, "xterm"), 0);
	CHECK_EQ_INT(hs__buf_put_u32(t, 80), 0);
	CHECK_EQ_INT(hs__buf_put_u32(t, 24), 0);
	CHECK_EQ_INT(hs__buf_put_u32(t, 0), 0);
	CHECK_EQ_INT(hs__buf_put_u32(t, 0), 0);
	CHECK_EQ_INT(hs__buf_put_string(t, "\0", 1), 0);
}

static void test_channel_requests(void)
{
	struct fx f;
	struct mc_chan ch;
	struct hs_buf t;
	fx_open(&f, NULL, NULL, NULL);
	fx_auth(&f);
	mc_chan_init(&ch, 0, MIB, 32768);
	CHECK_EQ_INT(mc_channel_open(&f.mc, &ch, "session", NULL, 0), 0);
	mc_pump(&f.mc);
	CHECK_EQ_INT(mc_channel_confirmed(&f.mc, &ch), 0);

	/* everything the application does not implement: refused */
	mc_body(&t);
	put_pty(&t);
	CHECK_EQ_INT(mc_channel_request(&f.mc, &ch, "pty-req", 1, hs__buf_ptr(&t), hs__buf_len(&t)), 0);
	hs__buf_reset(&t);
	CHECK_EQ_INT(mc_channel_request(&f.mc, &ch, "shell", 1, NULL, 0), 0);
	CHECK_EQ_INT(hs__buf_put_cstring(&t, "ls -l"), 0);
	CHECK_EQ_INT(mc_channel_request(&f.mc, &ch, "exec", 1, hs__buf_ptr(&t), hs__buf_len(&t)), 0);
	hs__buf_reset(&t);
	CHECK_EQ_INT(hs__buf_put_cstring(&t, "LANG"), 0);
	CHECK_EQ_INT(hs__buf_put_cstring(&t, "C"), 0);
	CHECK_EQ_INT(mc_channel_request(&f.mc, &ch, "env", 1, hs__buf_ptr(&t), hs__buf_len(&t)), 0);
	hs__buf_reset(&t);
	CHECK_EQ_INT(hs__buf_put_bool(&t, 0), 0);
	CHECK_EQ_INT(hs__buf_put_cstring(&t, "MIT-MAGIC-COOKIE-1"), 0);
	CHECK_EQ_INT(hs__buf_put_cstring(&t, "0123456789abcdef"), 0);
	CHECK_EQ_INT(hs__buf_put_u32(&t, 0), 0);
	CHECK_EQ_INT(mc_channel_request(&f.mc, &ch, "x11-req", 1, hs__buf_ptr(&t), hs__buf_len(&t)), 0);
	CHECK_EQ_INT(mc_channel_request(&f.mc, &ch, "auth-agent-req@openssh.com", 1, NULL, 0), 0);
	CHECK_EQ_INT(mc_channel_request(&f.mc, &ch, "keepalive@openssh.com", 1, NULL, 0), 0);
	hs__buf_reset(&t);
	CHECK_EQ_INT(hs__buf_put_cstring(&t, "sftp"), 0);
	CHECK_EQ_INT(mc_channel_request(&f.mc, &ch, "subsystem", 1, hs__buf_ptr(&t), hs__buf_len(&t)), 0);
	/* without want_reply: no answer at all */
	CHECK_EQ_INT(mc_channel_request(&f.mc, &ch, "shell", 0, NULL, 0), 0);
	mc_pump(&f.mc);
	for (int i = 0; i < 8; i++)
		expect_chan_reply(&f, HS_MSG_CHANNEL_FAILURE, ch.local_id);
	CHECK_EQ_INT(mc_queued(&f.mc), 0);
	CHECK(!f.conn->closing);
	CHECK_EQ_INT(f.app.chans[0].subsystem_calls, 1);

	/* still usable: start the subsystem and echo */
	hs__buf_reset(&t);
	CHECK_EQ_INT(hs__buf_put_cstring(&t, "replicator"), 0);
	CHECK_EQ_INT(mc_channel_request(&f.mc, &ch, "subsystem", 1, hs__buf_ptr(&t), hs__buf_len(&t)), 0);
	mc_pump(&f.mc);
	expect_chan_reply(&f, HS_MSG_CHANNEL_SUCCESS, ch.local_id);
	/* a second start on the same channel is refused */
	CHECK_EQ_INT(mc_channel_request(&f.mc, &ch, "subsystem", 1, hs__buf_ptr(&t), hs__buf_len(&t)), 0);
	mc_pump(&f.mc);
	expect_chan_reply(&f, HS_MSG_CHANNEL_FAILURE, ch.local_id);
	uint8_t *data = pattern(300000, 6);
	transfer(&f, &ch, data, 300000, HS_STREAM_DATA, NULL);
	free(data);
	hs__buf_cleanup(&t);

	/* global requests: tcpip-forward and keepalive refused */
	mc_body(&t);
	CHECK_EQ_INT(hs__buf_put_cstring(&t, "127.0.0.1"), 0);
	CHECK_EQ_INT(hs__buf_put_u32(&t, 0), 0);
	CHECK_EQ_INT(mc_global_request(&f.mc, "tcpip-forward", 1, hs__buf_ptr(&t), hs__buf_len(&t)), 0);
	CHECK_EQ_INT(mc_global_request(&f.mc, "keepalive@openssh.com", 1, NULL, 0), 0);
	CHECK_EQ_INT(mc_global_request(&f.mc, "no-more-sessions@openssh.com", 0, NULL, 0), 0);
	mc_pump(&f.mc);
	struct hs_view v;
	CHECK_EQ_INT(mc_expect(&f.mc, HS_MSG_REQUEST_FAILURE, &v), 0);
	CHECK_EQ_INT(hs__view_end(&v), 0);
	CHECK_EQ_INT(mc_expect(&f.mc, HS_MSG_REQUEST_FAILURE, &v), 0);
	CHECK_EQ_INT(hs__view_end(&v), 0);
	CHECK_EQ_INT(mc_queued(&f.mc), 0);
	hs__buf_cleanup(&t);
	mc_chan_cleanup(&ch);
	fx_close(&f);
}

/* One request on a fresh session channel: the peer's view afterwards.
 * Returns the message the server answered with (0: none, the connection
 * still open), or HS_MSG_DISCONNECT with its reason in *reason. */
static uint8_t one_request(const char *type, const uint8_t *body, size_t len, uint32_t *reason)
{
	struct fx f;
	struct mc_chan ch;
	struct hs_view v;
	uint8_t got = 0;
	fx_open(&f, NULL, NULL, NULL);
	fx_auth(&f);
	mc_chan_init(&ch, 0, MIB, 32768);
	CHECK_EQ_INT(mc_channel_open(&f.mc, &ch, "session", NULL, 0), 0);
	mc_pump(&f.mc);
	CHECK_EQ_INT(mc_channel_confirmed(&f.mc, &ch), 0);
	f.mc.quiet = 1;
	CHECK_EQ_INT(mc_channel_request(&f.mc, &ch, type, 1, body, len), 0);
	mc_pump(&f.mc);
	*reason = 0;
	if (mc_queued(&f.mc) > 0) {
		const struct mc_msg *m = mc_take(&f.mc, &v);
		got = m->type;
		if (got == HS_MSG_DISCONNECT)
			*reason = mc_disconnect_reason(&v, NULL, 0);
		CHECK_EQ_INT(got == HS_MSG_DISCONNECT, f.conn->closing);
	}
	mc_chan_cleanup(&ch);
	f.mc.failed = 0;
	fx_close(&f);
	return got;
}

/* A malformed request body is a protocol error whatever the request
 * (RFC 4254 gives no other answer to it); a string longer than we take
 * is refused, and the connection goes on. */
static void test_malformed_requests(void)
{
	static const char *const types[] = { "shell", "exec",          "subsystem", "pty-req",
		                             "env",   "window-change", "signal",    "break" };
	struct hs_buf t;
	uint32_t reason;
	mc_body(&t);
	for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
		const char *type = types[i];
		/* a body that is cut short (or, for shell, one with a byte too many) */
		hs__buf_reset(&t);
		CHECK_EQ_INT(hs__buf_put_u8(&t, 0x01), 0);
		CHECK_EQ_INT(one_request(type, hs__buf_ptr(&t), hs__buf_len(&t), &reason), HS_MSG_DISCONNECT);
		CHECK_EQ_INT(reason, HS_DISCONNECT_PROTOCOL_ERROR);
		/* a whole body with trailing bytes */
		hs__buf_reset(&t);
		if (strcmp(type, "pty-req") == 0) {
			put_pty(&t);
		} else if (strcmp(type, "window-change") == 0) {
			for (int k = 0; k < 4; k++)
				CHECK_EQ_INT(hs__buf_put_u32(&t, 10), 0);
		} else if (strcmp(type, "break") == 0) {
			CHECK_EQ_INT(hs__buf_put_u32(&t, 500), 0);
		} else if (strcmp(type, "env") == 0) {
			CHECK_EQ_INT(hs__buf_put_cstring(&t, "LANG"), 0);
			CHECK_EQ_INT(hs__buf_put_cstring(&t, "C"), 0);
		} else if (strcmp(type, "shell") != 0) {
			CHECK_EQ_INT(hs__buf_put_cstring(&t, "TERM"), 0);
		}
		CHECK_EQ_INT(hs__buf_put_u32(&t, 0), 0);
		CHECK_EQ_INT(one_request(type, hs__buf_ptr(&t), hs__buf_len(&t), &reason), HS_MSG_DISCONNECT);
		CHECK_EQ_INT(reason, HS_DISCONNECT_PROTOCOL_ERROR);
	}
	/* too long to take: refused, not an error */
	static char longer[HS_MAX_REQUEST_STRING + 2];
	memset(longer, 'a', sizeof longer - 1);
	static const char *const texts[] = { "exec", "subsystem", "pty-req", "env", "signal" };
	for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
		hs__buf_reset(&t);
		CHECK_EQ_INT(hs__buf_put_cstring(&t, longer), 0);
		CHECK_EQ_INT(one_request(texts[i], hs__buf_ptr(&t), hs__buf_len(&t), &reason), HS_MSG_CHANNEL_FAILURE);
	}
	/* an unknown request's body is not read: refused */
	hs__buf_reset(&t);
	CHECK_EQ_INT(hs__buf_put_u8(&t, 0x01), 0);
	CHECK_EQ_INT(one_request("x-unknown@example.com", hs__buf_ptr(&t), hs__buf_len(&t), &reason),
	             HS_MSG_CHANNEL_FAILURE);
	hs__buf_cleanup(&t);
}

static void test_channel_flow(void)
{
	struct fx f;
	struct mc_chan ch;

	/* data beyond the window we advertised: disconnect */
	fx_open(&f, NULL, NULL, NULL);
	f.app.mode = MODE_SINK;
	f.app.pause_on_open = 1;
	fx_auth(&f);
	fx_session(&f, &ch, 0, MIB, 32768);
	uint32_t server_window = ch.remote_window;
	CHECK_EQ_INT(server_window, HS_CHANNEL_WINDOW);
	uint8_t *data = pattern(server_window + 1, 7);
	size_t sent = 0;
	while (sent < server_window && !f.mc.failed) {
		size_t n = mc_channel_send(&f.mc, &ch, data + sent, server_window - sent, HS_STREAM_DATA);
		sent += n;
		mc_pump(&f.mc);
		if (n == 0)
			break;
	}
	CHECK_EQ_INT(sent, server_window);
	CHECK_EQ_INT(f.app.chans[0].received[0], server_window);
	CHECK_EQ_INT(mc_queued(&f.mc), 0); /* paused: no WINDOW_ADJUST */
	CHECK(!f.conn->closing);
	CHECK_EQ_INT(mc_channel_data_raw(&f.mc, &ch, data, 1, HS_STREAM_DATA), 0);
	mc_pump(&f.mc);
	expect_disconnect(&f, HS_DISCONNECT_PROTOCOL_ERROR);
	CHECK_EQ_INT(f.app.chans[0].received[0], server_window);
	free(data);
	fx_close(&f);

	/* more than the maximum packet we advertised in one message */
	fx_open(&f, NULL, NULL, NULL);
	f.app.mode = MODE_SINK;
	fx_auth(&f);
	fx_session(&f, &ch, 0, MIB, 32768);
	data = pattern(ch.remote_maxpkt + 1, 8);
	CHECK_EQ_INT(mc_channel_data_raw(&f.mc, &ch, data, ch.remote_maxpkt + 1, HS_STREAM_DATA), 0);
	mc_pump(&f.mc);
	expect_disconnect(&f, HS_DISCONNECT_PROTOCOL_ERROR);
	free(data);
	fx_close(&f);

	/* peer window 1000: hs_channel_write takes 1000, write_ready after
	 * WINDOW_ADJUST */
	fx_open(&f, NULL, NULL, NULL);
	f.app.mode = MODE_SINK;
	fx_auth(&f);
	fx_session(&f, &ch, 0, 1000, 32768);
	ch.auto_adjust = 0;
	struct srv_chan *sc = &f.app.chans[0];
	data = pattern(5000, 9);
	size_t w = 0;
	CHECK_EQ_INT(hs_channel_write_space(sc->ch), 1000);
	CHECK_EQ_INT(hs_channel_write(sc->ch, data, 5000, HS_STREAM_DATA, &w), 0);
	CHECK_EQ_INT(w, 1000);
	CHECK_EQ_INT(hs_channel_write_space(sc->ch), 0);
	size_t w2 = 7;
	CHECK_EQ_INT(hs_channel_write(sc->ch, data + w, 4000, HS_STREAM_DATA, &w2), 0);
	CHECK_EQ_INT(w2, 0);
	mc_pump(&f.mc);
	CHECK_EQ_INT(hs__buf_len(&ch.rx), 1000);
	CHECK_EQ_INT(ch.window_violations, 0);
	CHECK_EQ_INT(sc->write_ready_calls, 0);
	CHECK_EQ_INT(mc_window_adjust(&f.mc, &ch, 4000), 0);
	ch.local_window += 4000;
	mc_pump(&f.mc);
	CHECK_EQ_INT(sc->write_ready_calls, 1);
	CHECK_EQ_INT(hs_channel_write_space(sc->ch), 4000);
	CHECK_EQ_INT(hs_channel_write(sc->ch, data + w, 4000, HS_STREAM_DATA, &w2), 0);
	CHECK_EQ_INT(w2, 4000);
	mc_pump(&f.mc);
	CHECK_EQ_INT(hs__buf_len(&ch.rx), 5000);
	CHECK(hs__buf_len(&ch.rx) == 5000 && memcmp(hs__buf_ptr(&ch.rx), data, 5000) == 0);
	CHECK_EQ_INT(ch.window_violations, 0);
	/* no second write_ready without a new refusal */
	CHECK_EQ_INT(mc_window_adjust(&f.mc, &ch, 10), 0);
	ch.local_window += 10;
	mc_pump(&f.mc);
	CHECK_EQ_INT(sc->write_ready_calls, 1);
	free(data);
	fx_close(&f);

	/* data packets never exceed the peer's maximum packet */
	fx_open(&f, NULL, NULL, NULL);
	fx_auth(&f);
	fx_session(&f, &ch, 0, 2 * MIB, 100);
	data = pattern(50000, 10);
	transfer(&f, &ch, data, 50000, HS_STREAM_DATA, NULL);
	transfer(&f, &ch, data, 3000, HS_STREAM_STDERR, NULL);
	CHECK_EQ_INT(ch.maxpkt_violations, 0);
	CHECK(ch.largest_data <= 100 && ch.largest_data > 0);
	free(data);
	fx_close(&f);

	/* WINDOW_ADJUST past 2^32 saturates; writes stay bounded */
	fx_open(&f, NULL, NULL, NULL);
	f.app.mode = MODE_SINK;
	fx_auth(&f);
	fx_session(&f, &ch, 0, 1000, 32768);
	ch.auto_adjust = 0;
	sc = &f.app.chans[0];
	CHECK_EQ_INT(mc_window_adjust(&f.mc, &ch, 0xffffffffu), 0);
	CHECK_EQ_INT(mc_window_adjust(&f.mc, &ch, 0xffffffffu), 0);
	mc_pump(&f.mc);
	CHECK(!f.conn->closing);
	struct hs_channel *sch = sc->ch;
	CHECK_EQ_INT(sch->remote_window, 0xffffffffu);
	size_t big = 3 * MIB;
	data = pattern(big, 11);
	size_t space = hs_channel_write_space(sch);
	CHECK(space > 0 && space <= HS_OUTPUT_HIGH);
	CHECK_EQ_INT(hs_channel_write(sch, data, big, HS_STREAM_DATA, &w), 0);
	CHECK(w > 0 && w < big);
	CHECK(w <= HS_OUTPUT_HIGH + HS_PEER_MAX_PACKET_CAP);
	CHECK(hs__buf_len(&f.conn->pkt.out) <= HS_OUTPUT_HIGH + HS_PEER_MAX_PACKET_CAP + 256);
	CHECK_EQ_INT(sch->remote_window, 0xffffffffu - w);
	ch.local_window = 0xffffffffu; /* we gave that much */
	mc_pump(&f.mc);
	CHECK_EQ_INT(hs__buf_len(&ch.rx), w);
	CHECK_EQ_INT(ch.maxpkt_violations, 0);
	CHECK(sc->write_ready_calls >= 1); /* the output queue drained */
	free(data);
	fx_close(&f);

	/* window adjust / data for a channel that does not exist: disconnect */
	fx_open(&f, NULL, NULL, NULL);
	fx_auth(&f);
	mc_chan_init(&ch, 0, MIB, 32768);
	ch.remote_id = 7;
	CHECK_EQ_INT(mc_window_adjust(&f.mc, &ch, 100), 0);
	mc_pump(&f.mc);
	expect_disconnect(&f, HS_DISCONNECT_PROTOCOL_ERROR);
	mc_chan_cleanup(&ch);
	fx_close(&f);
}

/* The server's window adjustments: after the peer consumed half, and
 * never beyond what was consumed. */
static void test_channel_server_window(void)
{
	struct fx f;
	struct mc_chan ch;
	fx_open(&f, NULL, NULL, NULL);
	f.app.mode = MODE_SINK;
	fx_auth(&f);
	fx_session(&f, &ch, 0, MIB, 32768);
	uint8_t *data = pattern(3 * MIB, 12);
	size_t sent = 0;
	for (int i = 0; i < 10000 && sent < 3 * MIB && !f.mc.failed && !f.mc.server_closed; i++) {
		sent += mc_channel_send(&f.mc, &ch, data + sent, 3 * MIB - sent, HS_STREAM_DATA);
		mc_pump(&f.mc);
	}
	CHECK_EQ_INT(sent, 3 * MIB);
	CHECK_EQ_INT(f.app.chans[0].received[0], 3 * MIB);
	CHECK(!f.conn->closing);
	CHECK(ch.remote_window <= HS_CHANNEL_WINDOW);
	free(data);
	fx_close(&f);
}

/* --- 7. channel requests answered later (HS_PENDING, hs_channel_answer) --- */

/* Open a session on which subsystem_requested answers HS_PENDING, ask for
 * the replicator subsystem and send "hello" right behind the request.
 * Nothing is answered, nothing delivered: the connection waits. */
static struct srv_chan *pending_subsystem(struct fx *f, struct mc_chan *ch, int want_reply)
{
	struct hs_buf t;
	fx_open(f, NULL, NULL, NULL);
	fx_auth(f);
	mc_chan_init(ch, 0, MIB, 32768);
	CHECK_EQ_INT(mc_channel_open(&f->mc, ch, "session", NULL, 0), 0);
	mc_pump(&f->mc);
	CHECK_EQ_INT(mc_channel_confirmed(&f->mc, ch), 0);
	struct srv_chan *sc = &f->app.chans[0];
	REQUIRE(sc->ch != NULL);
	/* nothing pending yet */
	CHECK_EQ_INT(hs_channel_answer(sc->ch, HS_YES), HS_ERR_INVALID_ARG);
	f->app.subsystem_pending = 1;
	mc_body(&t);
	CHECK_EQ_INT(hs__buf_put_cstring(&t, "replicator"), 0);
	CHECK_EQ_INT(mc_channel_request(&f->mc, ch, "subsystem", want_reply, hs__buf_ptr(&t), hs__buf_len(&t)), 0);
	hs__buf_cleanup(&t);
	CHECK_EQ_INT(mc_channel_send(&f->mc, ch, "hello", 5, HS_STREAM_DATA), 5);
	mc_pump(&f->mc);
	CHECK_EQ_INT(sc->subsystem_calls, 1);
	CHECK_EQ_INT(mc_queued(&f->mc), 0);
	CHECK_EQ_INT(sc->received[0], 0);
	CHECK(!hs__conn_wants_input(f->conn));
	CHECK_EQ_INT(f->conn->waiting, HS_WAIT_CHANNEL);
	CHECK(!sc->ch->started);
	return sc;
}

/* The log position of the last message of type (or -1). */
static long last_logged(const struct mc *mc, uint8_t type)
{
	long at = -1;
	for (size_t i = 0; i < mc->nlog; i++)
		if (mc->log[i] == type)
			at = (long)i;
	return at;
}

static void test_pending_answer_yes(void)
{
	struct fx f;
	struct mc_chan ch;
	struct srv_chan *sc = pending_subsystem(&f, &ch, 1);
	struct hs_channel *sch = sc->ch;
	/* the wait is a channel's: hs_conn_answer is not its answer */
	CHECK_EQ_INT(hs_conn_answer(f.conn, HS_YES), HS_ERR_INVALID_ARG);
	CHECK_EQ_INT(hs_channel_answer(sch, HS_PENDING), HS_ERR_INVALID_ARG);
	CHECK_EQ_INT(hs_channel_answer(sch, 7), HS_ERR_INVALID_ARG);
	/* a resume with no answer changes nothing */
	CHECK_EQ_INT(hs__conn_resume(f.conn), 0);
	mc_pump(&f.mc);
	CHECK_EQ_INT(mc_queued(&f.mc), 0);
	CHECK_EQ_INT(sc->received[0], 0);
	int kicks = f.app.kicks;
	CHECK_EQ_INT(hs_channel_answer(sch, HS_YES), 0);
	CHECK(f.app.kicks > kicks);
	/* answered already */
	CHECK_EQ_INT(hs_channel_answer(sch, HS_YES), HS_ERR_INVALID_ARG);
	CHECK_EQ_INT(hs_channel_answer(sch, HS_NO), HS_ERR_INVALID_ARG);
	CHECK_EQ_INT(hs_conn_answer(f.conn, HS_YES), HS_ERR_INVALID_ARG);
	/* the answer takes effect on resume (the next loop iteration), not before */
	mc_pump(&f.mc);
	CHECK_EQ_INT(mc_queued(&f.mc), 0);
	CHECK_EQ_INT(sc->received[0], 0);
	CHECK_EQ_INT(hs__conn_resume(f.conn), 0);
	mc_pump(&f.mc);
	expect_chan_reply(&f, HS_MSG_CHANNEL_SUCCESS, ch.local_id);
	CHECK(sch->started);
	CHECK(hs__conn_wants_input(f.conn));
	CHECK_EQ_INT(f.conn->waiting, HS_WAIT_NONE);
	/* the data behind the request came after the answer, and was echoed */
	CHECK_EQ_INT(sc->received[0], 5);
	CHECK(hs__buf_len(&ch.rx) == 5 && memcmp(hs__buf_ptr(&ch.rx), "hello", 5) == 0);
	CHECK(last_logged(&f.mc, HS_MSG_CHANNEL_SUCCESS) >= 0 &&
	      last_logged(&f.mc, HS_MSG_CHANNEL_SUCCESS) < last_logged(&f.mc, HS_MSG_CHANNEL_DATA));
	/* nothing pending any more */
	CHECK_EQ_INT(hs_channel_answer(sch, HS_YES), HS_ERR_INVALID_ARG);
	/* started: a second start is refused at once, without asking */
	struct hs_buf t;
	mc_body(&t);
	CHECK_EQ_INT(hs__buf_put_cstring(&t, "replicator"), 0);
	CHECK_EQ_INT(mc_channel_request(&f.mc, &ch, "subsystem", 1, hs__buf_ptr(&t), hs__buf_len(&t)), 0);
	hs__buf_cleanup(&t);
	mc_pump(&f.mc);
	expect_chan_reply(&f, HS_MSG_CHANNEL_FAILURE, ch.local_id);
	CHECK_EQ_INT(sc->subsystem_calls, 1);
	CHECK(hs__conn_wants_input(f.conn));
	/* and the session goes on */
	uint8_t *data = pattern(100000, 13);
	transfer(&f, &ch, data, 100000, HS_STREAM_DATA, NULL);
	free(data);
	CHECK(!f.conn->closing);
	mc_chan_cleanup(&ch);
	fx_close(&f);
}

static void test_pending_answer_no(void)
{
	struct fx f;
	struct mc_chan ch;
	struct srv_chan *sc = pending_subsystem(&f, &ch, 1);
	struct hs_channel *sch = sc->ch;
	CHECK_EQ_INT(hs_channel_answer(sch, HS_NO), 0);
	CHECK_EQ_INT(hs__conn_resume(f.conn), 0);
	mc_pump(&f.mc);
	expect_chan_reply(&f, HS_MSG_CHANNEL_FAILURE, ch.local_id);
	CHECK(!sch->started);
	CHECK_EQ_INT(sc->received[0], 5); /* the channel itself stays open */
	CHECK_EQ_INT(hs_channel_answer(sch, HS_YES), HS_ERR_INVALID_ARG);
	/* not started: another start is asked again, and may be answered at once */
	f.app.subsystem_pending = 0;
	struct hs_buf t;
	mc_body(&t);
	CHECK_EQ_INT(hs__buf_put_cstring(&t, "replicator"), 0);
	CHECK_EQ_INT(mc_channel_request(&f.mc, &ch, "subsystem", 1, hs__buf_ptr(&t), hs__buf_len(&t)), 0);
	hs__buf_cleanup(&t);
	mc_pump(&f.mc);
	expect_chan_reply(&f, HS_MSG_CHANNEL_SUCCESS, ch.local_id);
	CHECK_EQ_INT(sc->subsystem_calls, 2);
	CHECK(sch->started);
	mc_chan_cleanup(&ch);
	fx_close(&f);
}

static void test_pending_no_reply_wanted(void)
{
	struct fx f;
	struct mc_chan ch;
	struct srv_chan *sc = pending_subsystem(&f, &ch, 0);
	CHECK_EQ_INT(hs_channel_answer(sc->ch, HS_YES), 0);
	CHECK_EQ_INT(hs__conn_resume(f.conn), 0);
	mc_pump(&f.mc);
	CHECK_EQ_INT(mc_queued(&f.mc), 0);
	CHECK_EQ_INT(last_logged(&f.mc, HS_MSG_CHANNEL_SUCCESS), -1);
	CHECK_EQ_INT(last_logged(&f.mc, HS_MSG_CHANNEL_FAILURE), -1);
	CHECK(sc->ch->started);
	CHECK_EQ_INT(sc->received[0], 5);
	CHECK_EQ_INT(hs__buf_len(&ch.rx), 5);
	mc_chan_cleanup(&ch);
	fx_close(&f);

	/* refused, no reply wanted: nothing either */
	sc = pending_subsystem(&f, &ch, 0);
	CHECK_EQ_INT(hs_channel_answer(sc->ch, HS_NO), 0);
	CHECK_EQ_INT(hs__conn_resume(f.conn), 0);
	mc_pump(&f.mc);
	CHECK_EQ_INT(mc_queued(&f.mc), 0);
	CHECK(!sc->ch->started);
	CHECK_EQ_INT(sc->received[0], 5);
	mc_chan_cleanup(&ch);
	fx_close(&f);
}

/* Each answer function takes only its own kind of wait. */
static void test_pending_kinds(void)
{
	struct fx f;
	struct mc_chan ch;
	fx_open(&f, NULL, NULL, NULL);
	fx_auth(&f);
	fx_session(&f, &ch, 0, MIB, 32768);
	struct hs_channel *sch = f.app.chans[0].ch;
	REQUIRE(sch != NULL);
	/* no wait at all */
	CHECK_EQ_INT(hs_channel_answer(sch, HS_YES), HS_ERR_INVALID_ARG);
	CHECK_EQ_INT(hs_conn_answer(f.conn, HS_YES), HS_ERR_INVALID_ARG);
	CHECK_EQ_INT(hs__conn_give_answer(f.conn, HS_WAIT_NONE, HS_YES), HS_ERR_INVALID_ARG);
	/* an authentication wait (as before USERAUTH_SUCCESS): not a channel's */
	hs__conn_wait_answer(f.conn, HS_WAIT_AUTH);
	CHECK_EQ_INT(hs_channel_answer(sch, HS_YES), HS_ERR_INVALID_ARG);
	CHECK_EQ_INT(hs__conn_give_answer(f.conn, HS_WAIT_CHANNEL, HS_YES), HS_ERR_INVALID_ARG);
	CHECK_EQ_INT(f.conn->resume_due, 0);
	hs__conn_wait_answer(f.conn, HS_WAIT_NONE);
	CHECK(hs__conn_wants_input(f.conn));
	mc_chan_cleanup(&ch);
	fx_close(&f);

	/* a channel wait answered for another channel than the one that asks */
	struct mc_chan c2;
	struct srv_chan *sc = pending_subsystem(&f, &ch, 1);
	f.app.subsystem_pending = 0;
	(void)sc;
	mc_chan_init(&c2, 1, MIB, 32768);
	CHECK_EQ_INT(mc_channel_open(&f.mc, &c2, "session", NULL, 0), 0);
	mc_pump(&f.mc);
	CHECK_EQ_INT(mc_queued(&f.mc), 0); /* not read yet: the connection waits */
	CHECK_EQ_INT(f.app.session_calls, 1);
	CHECK_EQ_INT(hs_channel_answer(f.app.chans[0].ch, HS_YES), 0);
	CHECK_EQ_INT(hs__conn_resume(f.conn), 0);
	mc_pump(&f.mc);
	expect_chan_reply(&f, HS_MSG_CHANNEL_SUCCESS, ch.local_id);
	CHECK_EQ_INT(mc_channel_confirmed(&f.mc, &c2), 0);
	CHECK_EQ_INT(f.app.session_calls, 2);
	CHECK_EQ_INT(hs_channel_answer(f.app.chans[1].ch, HS_YES), HS_ERR_INVALID_ARG);
	mc_chan_cleanup(&c2);
	mc_chan_cleanup(&ch);
	fx_close(&f);
}

/* The application closes the channel, or the connection, while its answer
 * is pending; or the connection is lost. */
static void test_pending_closed(void)
{
	struct fx f;
	struct mc_chan ch;

	/* channel closed by the application: the answer sends no reply */
	struct srv_chan *sc = pending_subsystem(&f, &ch, 1);
	struct hs_channel *sch = sc->ch;
	ch.auto_close = 0;
	CHECK_EQ_INT(hs_channel_close(sch), 0);
	mc_pump(&f.mc);
	CHECK_EQ_INT(ch.got_close, 1);
	CHECK_EQ_INT(hs_channel_answer(sch, HS_YES), 0);
	CHECK_EQ_INT(hs__conn_resume(f.conn), 0);
	mc_pump(&f.mc);
	CHECK_EQ_INT(last_logged(&f.mc, HS_MSG_CHANNEL_SUCCESS), -1);
	CHECK_EQ_INT(last_logged(&f.mc, HS_MSG_CHANNEL_FAILURE), -1);
	CHECK_EQ_INT(sc->received[0], 0); /* data after our CLOSE is not delivered */
	CHECK(!f.conn->closing);
	/* the peer's CLOSE ends the channel */
	CHECK_EQ_INT(mc_chan_simple(&f.mc, &ch, HS_MSG_CHANNEL_CLOSE), 0);
	mc_pump(&f.mc);
	CHECK_EQ_INT(sc->lost_calls, 1);
	CHECK_EQ_INT(f.conn->channels.open, 0);
	CHECK(f.conn->channels.asking == NULL);
	mc_chan_cleanup(&ch);
	fx_close(&f);

	/* connection closed by the application: no answer is taken; both
	 * connection_lost callbacks run as usual */
	sc = pending_subsystem(&f, &ch, 1);
	sch = sc->ch;
	hs_conn_disconnect(f.conn, HS_DISCONNECT_BY_APPLICATION, "policy changed");
	CHECK_EQ_INT(hs_channel_answer(sch, HS_YES), HS_ERR_INVALID_ARG);
	mc_pump(&f.mc);
	expect_disconnect(&f, HS_DISCONNECT_BY_APPLICATION);
	CHECK_EQ_INT(hs__conn_resume(f.conn), HS_ERR_CLOSED);
	fx_free_conn(&f);
	CHECK_EQ_INT(sc->lost_calls, 1);
	CHECK_EQ_INT(f.app.lost_calls, 1);
	CHECK_EQ_INT(f.app.lost_err, HS_ERR_BY_APPLICATION);
	mc_chan_cleanup(&ch);
	fx_close(&f);

	/* connection lost (the peer is gone) with the answer pending */
	sc = pending_subsystem(&f, &ch, 1);
	hs__conn_fail(f.conn, HS_ERR_IO, 0, "connection closed by peer");
	CHECK_EQ_INT(hs_channel_answer(sc->ch, HS_YES), HS_ERR_INVALID_ARG);
	fx_free_conn(&f);
	CHECK_EQ_INT(sc->lost_calls, 1);
	CHECK_EQ_INT(sc->lost_err, HS_ERR_IO);
	CHECK_EQ_INT(f.app.lost_calls, 1);
	CHECK_EQ_INT(f.app.lost_err, HS_ERR_IO);
	mc_chan_cleanup(&ch);
	fx_close(&f);

	/* answered, then lost before the resume: nothing is sent */
	sc = pending_subsystem(&f, &ch, 1);
	CHECK_EQ_INT(hs_channel_answer(sc->ch, HS_YES), 0);
	hs__conn_fail(f.conn, HS_ERR_IO, 0, "connection closed by peer");
	CHECK_EQ_INT(hs__conn_resume(f.conn), HS_ERR_CLOSED);
	CHECK_EQ_INT(hs__conn_output_len(f.conn), 0);
	fx_free_conn(&f);
	CHECK_EQ_INT(sc->lost_calls, 1);
	mc_chan_cleanup(&ch);
	fx_close(&f);
}

/* Timers run on while the answer is pending: a keepalive goes out. */
static void test_pending_timers(void)
{
	struct fx f;
	struct mc_chan ch;
	struct hs_config cfg;
	hs_config_init(&cfg);
	cfg.keepalive_seconds = 2;
	cfg.keepalive_max_missed = 1;
	fx_open(&f, &cfg, NULL, NULL);
	fx_auth(&f);
	mc_chan_init(&ch, 0, MIB, 32768);
	CHECK_EQ_INT(mc_channel_open(&f.mc, &ch, "session", NULL, 0), 0);
	mc_pump(&f.mc);
	CHECK_EQ_INT(mc_channel_confirmed(&f.mc, &ch), 0);
	f.app.subsystem_pending = 1;
	static const uint8_t name_x[5] = { 0, 0, 0, 1, 'x' };
	CHECK_EQ_INT(mc_channel_request(&f.mc, &ch, "subsystem", 1, name_x, sizeof name_x), 0);
	mc_pump(&f.mc);
	CHECK_EQ_INT(f.conn->waiting, HS_WAIT_CHANNEL);
	uint64_t due = hs__conn_next_deadline(f.conn);
	CHECK(due != UINT64_MAX);
	size_t before = hs__conn_output_len(f.conn);
	CHECK_EQ_INT(hs__conn_tick(f.conn, due), 0);
	CHECK(hs__conn_output_len(f.conn) > before); /* the keepalive request */
	/* the peer's replies are not read while waiting: the keepalive
	 * timeout ends the connection */
	mc_pump(&f.mc);
	f.mc.quiet = 1;
	CHECK(hs__conn_tick(f.conn, hs__conn_next_deadline(f.conn)) != 0);
	CHECK(f.conn->closing);
	CHECK_EQ_INT(hs_channel_answer(f.app.chans[0].ch, HS_YES), HS_ERR_INVALID_ARG);
	fx_free_conn(&f);
	CHECK_EQ_INT(f.app.chans[0].lost_calls, 1);
	CHECK_EQ_INT(f.app.lost_err, HS_ERR_TIMEOUT);
	mc_chan_cleanup(&ch);
	f.mc.failed = 0;
	fx_close(&f);
}

int main(void)
{
	if (fx_keys_init() != 0)
		return 1;
	test_channel_opens();
	test_channel_requests();
	test_malformed_requests();
	test_channel_flow();
	test_channel_server_window();
	test_pending_answer_yes();
	test_pending_answer_no();
	test_pending_no_reply_wanted();
	test_pending_kinds();
	test_pending_closed();
	test_pending_timers();
	fx_keys_free();
	return hs_test_done();
}
