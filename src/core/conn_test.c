/*
 * End-to-end tests of the I/O-free connection core: a server core and the
 * mini client (tests/mini_client.h) talk in memory, and every test asserts
 * what a peer would observe — the messages and their contents — plus the
 * application callbacks the server made. Covered: the happy path for every
 * cipher, pending callbacks, authentication refusals, the message state
 * machine, rekeying in both directions, channel limits and flow control,
 * and the login grace timer.
 */
#include <stdlib.h>
#include <string.h>

#include "common/limits.h"
#include "conn/channel.h"
#include "core/config.h"
#include "core/conn_priv.h"
#include "hs_test.h"
#include "mini_client.h"

#define USER "peer1"
#define MIB (1024u * 1024u)

static struct hs_hostkey *g_hostkey, *g_userkey, *g_otherkey;

/* --- the server application --- */

enum { MODE_ECHO, MODE_SINK };

struct srv_chan {
	struct hs_channel *ch;
	struct hs_buf pend[2];     /* echo not yet accepted by hs_channel_write */
	int paused, got_eof, finished;
	int write_ready_calls, lost_calls, lost_err, write_errors, partial_writes;
	size_t received[2];
	int subsystem_calls;
	char subsystem[64];
};

struct app {
	int kicks, authenticated_calls, made_calls, lost_calls, lost_err;
	char lost_reason[160];
	int begin_calls, begin_answer;
	char begin_user[300];
	int validate_calls, validate_answer; /* -1: by key and user */
	int auth_completed_calls;
	int session_calls, refuse_sessions, mode, pause_on_open;
	struct srv_chan chans[8];
	int nchans;
	int write_in_open;         /* the application writes from session_requested */
	int write_in_open_rc;
	size_t write_in_open_written;
	int bad_streams;           /* data_received with a stream not in enum hs_stream */
	int compute_calls;
	struct hs_dh_job *job;     /* handed out by the core, not yet handed back */
};

static void io_kick(void *ctx)
{
	((struct app *)ctx)->kicks++;
}

static void io_authenticated(void *ctx)
{
	((struct app *)ctx)->authenticated_calls++;
}

/* As the libuv layer does: keep the job for "another thread" (the test). */
static void io_compute(void *ctx, struct hs_dh_job *job)
{
	struct app *a = ctx;
	a->compute_calls++;
	CHECK(a->job == NULL);
	hs__dh_job_free(a->job);
	a->job = job;
}

/* Without compute the core runs finite-field exchanges inline. */
static const struct hs_io_ops io_ops = { io_kick, io_authenticated, NULL };
static const struct hs_io_ops io_ops_compute = { io_kick, io_authenticated, io_compute };
/* Which of the two the next fixture gets. */
static int g_io_compute;

static struct app *app_of(const struct hs_conn *conn)
{
	return hs_conn_get_data(conn);
}

static void srv_made(struct hs_conn *conn)
{
	app_of(conn)->made_calls++;
}

static void srv_lost(struct hs_conn *conn, int err, const char *reason)
{
	struct app *a = app_of(conn);
	a->lost_calls++;
	a->lost_err = err;
	snprintf(a->lost_reason, sizeof a->lost_reason, "%s", reason ? reason : "(null)");
}

static int srv_begin_auth(struct hs_conn *conn, const char *user)
{
	struct app *a = app_of(conn);
	a->begin_calls++;
	snprintf(a->begin_user, sizeof a->begin_user, "%s", user);
	return a->begin_answer;
}

static int srv_validate(struct hs_conn *conn, const char *user, const struct hs_key *key)
{
	struct app *a = app_of(conn);
	a->validate_calls++;
	if (a->validate_answer != -1)
		return a->validate_answer;
	return strcmp(user, USER) == 0 && hs_key_equal(key, hs_hostkey_public(g_userkey)) ? HS_YES : HS_NO;
}

static void srv_auth_completed(struct hs_conn *conn)
{
	app_of(conn)->auth_completed_calls++;
}

static void echo_flush(struct srv_chan *sc)
{
	if (sc->ch == NULL)
		return;
	for (int s = 0; s < 2; s++) {
		while (hs__buf_len(&sc->pend[s]) > 0) {
			size_t w = 0, len = hs__buf_len(&sc->pend[s]);
			if (hs_channel_write(sc->ch, hs__buf_ptr(&sc->pend[s]), len, (enum hs_stream)s, &w) != 0) {
				sc->write_errors++;
				return;
			}
			if (hs__buf_consume(&sc->pend[s], w) != 0)
				sc->write_errors++;
			if (w < len) {
				sc->partial_writes++;
				goto flow;
			}
		}
	}
flow:;
	size_t pending = hs__buf_len(&sc->pend[0]) + hs__buf_len(&sc->pend[1]);
	if (pending > MIB && !sc->paused) {
		sc->paused = 1;
		hs_channel_pause_reading(sc->ch);
	} else if (pending < MIB / 4 && sc->paused) {
		sc->paused = 0;
		hs_channel_resume_reading(sc->ch);
	}
	/* RFC 4254 §5.3 / §6.10: data, then EOF, exit-status, CLOSE. */
	if (sc->got_eof && pending == 0 && !sc->finished) {
		sc->finished = 1;
		if (hs_channel_write_eof(sc->ch) != 0 || hs_channel_exit_status(sc->ch, 0) != 0 ||
		    hs_channel_close(sc->ch) != 0)
			sc->write_errors++;
	}
}

static int srv_subsystem(struct hs_channel *ch, const char *name)
{
	struct srv_chan *sc = hs_channel_get_data(ch);
	sc->subsystem_calls++;
	snprintf(sc->subsystem, sizeof sc->subsystem, "%s", name);
	return strcmp(name, "replicator") == 0 ? HS_YES : HS_NO;
}

static void srv_data(struct hs_channel *ch, const uint8_t *data, size_t len, enum hs_stream stream)
{
	struct srv_chan *sc = hs_channel_get_data(ch);
	struct app *a = app_of(hs_channel_conn(ch));
	int s = stream == HS_STREAM_STDERR ? 1 : 0;
	if (stream != HS_STREAM_DATA && stream != HS_STREAM_STDERR)
		a->bad_streams++;
	sc->received[s] += len;
	if (a->mode != MODE_ECHO)
		return;
	if (hs__buf_put(&sc->pend[s], data, len) != 0)
		sc->write_errors++;
	echo_flush(sc);
}

static void srv_eof(struct hs_channel *ch)
{
	struct srv_chan *sc = hs_channel_get_data(ch);
	sc->got_eof = 1;
	echo_flush(sc);
}

static void srv_write_ready(struct hs_channel *ch)
{
	struct srv_chan *sc = hs_channel_get_data(ch);
	sc->write_ready_calls++;
	echo_flush(sc);
}

static void srv_chan_lost(struct hs_channel *ch, int err)
{
	struct srv_chan *sc = hs_channel_get_data(ch);
	sc->lost_calls++;
	sc->lost_err = err;
	sc->ch = NULL;
}

static const struct hs_session_cb session_cb = {
	.subsystem_requested = srv_subsystem,
	.data_received = srv_data,
	.eof_received = srv_eof,
	.write_ready = srv_write_ready,
	.connection_lost = srv_chan_lost,
};

static int srv_session(struct hs_conn *conn, struct hs_channel *ch, struct hs_channel_open *open)
{
	struct app *a = app_of(conn);
	a->session_calls++;
	if (a->refuse_sessions || a->nchans >= 8) {
		open->reason = HS_OPEN_ADMINISTRATIVELY_PROHIBITED;
		open->description = "no";
		return HS_NO;
	}
	struct srv_chan *sc = &a->chans[a->nchans++];
	sc->ch = ch;
	open->callbacks = &session_cb;
	open->data = sc;
	if (a->pause_on_open)
		hs_channel_pause_reading(ch);
	if (a->write_in_open) {
		/* before the channel is confirmed nothing may reach the peer */
		a->write_in_open_rc = hs_channel_write(ch, "early", 5, HS_STREAM_DATA, &a->write_in_open_written);
		if (a->write_in_open == 2) {
			open->reason = HS_OPEN_ADMINISTRATIVELY_PROHIBITED;
			open->description = "changed my mind";
			return HS_NO;
		}
	}
	return HS_YES;
}

static const struct hs_server_cb server_cb = {
	.connection_made = srv_made,
	.connection_lost = srv_lost,
	.begin_auth = srv_begin_auth,
	.validate_public_key = srv_validate,
	.auth_completed = srv_auth_completed,
	.session_requested = srv_session,
};

/* The defaults: every optional callback NULL. */
static const struct hs_server_cb bare_cb = {
	.connection_lost = srv_lost,
	.validate_public_key = srv_validate,
	.auth_completed = srv_auth_completed,
};

/* --- fixture --- */

struct fx {
	struct app app;
	struct hs_core_config cfg;
	struct hs_conn *conn;
	struct mc mc;
	uint64_t now;
};

static void fx_open_nostart(struct fx *f, const struct hs_config *cfg, const struct hs_server_cb *cb,
                            const struct mc_opts *opt)
{
	char err[256];
	memset(f, 0, sizeof(*f));
	f->app.begin_answer = HS_AUTH_REQUIRED;
	f->app.validate_answer = -1;
	for (int i = 0; i < 8; i++) {
		hs__buf_init(&f->app.chans[i].pend[0], 64u * MIB, 0);
		hs__buf_init(&f->app.chans[i].pend[1], 64u * MIB, 0);
	}
	f->now = 1000000;
	CHECK_EQ_INT(hs__core_config_resolve(cfg, &f->cfg, err, sizeof err), 0);
	f->conn = hs__conn_new(&f->cfg, g_hostkey, cb ? cb : &server_cb, &f->app, g_io_compute ? &io_ops_compute : &io_ops,
	                       &f->app, "test:22", f->now);
	CHECK(f->conn != NULL);
	CHECK_EQ_INT(hs__conn_start(f->conn), 0);
	mc_init(&f->mc, f->conn, opt);
	f->mc.expect_hostkey = hs_hostkey_public(g_hostkey);
}

static void fx_open(struct fx *f, const struct hs_config *cfg, const struct hs_server_cb *cb, const struct mc_opts *opt)
{
	fx_open_nostart(f, cfg, cb, opt);
	CHECK_EQ_INT(mc_connect(&f->mc), 0);
	CHECK_EQ_INT(f->mc.hostkey_verified, 1);
}

static void fx_free_conn(struct fx *f)
{
	if (f->conn != NULL) {
		hs__conn_free(f->conn);
		f->conn = NULL;
		f->mc.conn = NULL;
	}
}

static void fx_close(struct fx *f)
{
	fx_free_conn(f);
	hs__dh_job_free(f->app.job);
	CHECK_EQ_INT(f->mc.failed, 0);
	mc_cleanup(&f->mc);
	hs__core_config_cleanup(&f->cfg);
	for (int i = 0; i < 8; i++) {
		hs__buf_cleanup(&f->app.chans[i].pend[0]);
		hs__buf_cleanup(&f->app.chans[i].pend[1]);
	}
}

/* Take the next message and check it is DISCONNECT with reason. */
static void expect_disconnect(struct fx *f, uint32_t reason)
{
	struct hs_view v;
	char text[160] = "";
	CHECK_EQ_INT(mc_expect(&f->mc, HS_MSG_DISCONNECT, &v), 0);
	if (f->mc.cur.type == HS_MSG_DISCONNECT) {
		uint32_t got = mc_disconnect_reason(&v, text, sizeof text);
		if (got != reason)
			fprintf(stderr, "DISCONNECT reason %u \"%s\", expected %u\n", got, text, reason);
		CHECK_EQ_INT(got, reason);
	}
	CHECK(f->conn == NULL || f->conn->closing);
}

/* USERAUTH_FAILURE "publickey", partial success false. */
static void expect_auth_failure(struct fx *f)
{
	struct hs_view v;
	char methods[64];
	int partial = 1;
	CHECK_EQ_INT(mc_expect(&f->mc, HS_MSG_USERAUTH_FAILURE, &v), 0);
	if (f->mc.cur.type != HS_MSG_USERAUTH_FAILURE)
		return;
	CHECK_EQ_INT(hs__view_get_cstring(&v, methods, sizeof methods), 0);
	CHECK(strcmp(methods, "publickey") == 0);
	CHECK_EQ_INT(hs__view_get_bool(&v, &partial), 0);
	CHECK_EQ_INT(partial, 0);
	CHECK_EQ_INT(hs__view_end(&v), 0);
}

static void service(struct fx *f)
{
	CHECK_EQ_INT(mc_service_request(&f->mc, "ssh-userauth"), 0);
	mc_pump(&f->mc);
	struct hs_view v;
	char name[32];
	CHECK_EQ_INT(mc_expect(&f->mc, HS_MSG_SERVICE_ACCEPT, &v), 0);
	CHECK(hs__view_get_cstring(&v, name, sizeof name) == 0 && strcmp(name, "ssh-userauth") == 0);
}

static void fx_auth(struct fx *f)
{
	service(f);
	CHECK_EQ_INT(mc_userauth_pk_signed(&f->mc, USER, g_userkey, "ssh-ed25519", NULL, 0), 0);
	mc_pump(&f->mc);
	CHECK_EQ_INT(mc_expect(&f->mc, HS_MSG_USERAUTH_SUCCESS, NULL), 0);
	CHECK_EQ_INT(f->app.auth_completed_calls, 1);
}

/* Open a session channel and start the replicator subsystem on it. */
static void fx_session(struct fx *f, struct mc_chan *ch, uint32_t id, uint32_t window, uint32_t maxpkt)
{
	mc_chan_init(ch, id, window, maxpkt);
	CHECK_EQ_INT(mc_channel_open(&f->mc, ch, "session", NULL, 0), 0);
	mc_pump(&f->mc);
	CHECK_EQ_INT(mc_channel_confirmed(&f->mc, ch), 0);
	struct hs_buf t;
	mc_body(&t);
	CHECK_EQ_INT(hs__buf_put_cstring(&t, "replicator"), 0);
	CHECK_EQ_INT(mc_channel_request(&f->mc, ch, "subsystem", 1, hs__buf_ptr(&t), hs__buf_len(&t)), 0);
	hs__buf_cleanup(&t);
	mc_pump(&f->mc);
	struct hs_view v;
	uint32_t rid = 99;
	CHECK_EQ_INT(mc_expect(&f->mc, HS_MSG_CHANNEL_SUCCESS, &v), 0);
	CHECK(hs__view_get_u32(&v, &rid) == 0 && rid == id);
}

static uint8_t *pattern(size_t n, uint32_t seed)
{
	uint8_t *p = malloc(n);
	uint32_t x = seed * 2654435761u + 1;
	for (size_t i = 0; i < n && p != NULL; i++) {
		x = x * 1103515245u + 12345u;
		p[i] = (uint8_t)(x >> 16);
	}
	return p;
}

typedef void (*transfer_hook)(struct fx *f, size_t sent);

/* Send n bytes on stream and pump until the echo is back (or stuck). */
static size_t transfer(struct fx *f, struct mc_chan *ch, const uint8_t *data, size_t n, enum hs_stream stream,
                       transfer_hook hook)
{
	struct hs_buf *back = stream == HS_STREAM_DATA ? &ch->rx : &ch->ext;
	size_t base = hs__buf_len(back), sent = 0;
	for (int iter = 0; iter < 100000; iter++) {
		if (sent < n)
			sent += mc_channel_send(&f->mc, ch, data + sent, n - sent, stream);
		mc_pump(&f->mc);
		if (hook != NULL)
			hook(f, sent);
		if (f->mc.failed || f->mc.server_closed || (sent == n && hs__buf_len(back) - base >= n))
			break;
	}
	CHECK_EQ_INT(sent, n);
	CHECK_EQ_INT(hs__buf_len(back) - base, n);
	if (hs__buf_len(back) - base == n)
		CHECK(memcmp(hs__buf_ptr(back) + base, data, n) == 0);
	return sent;
}

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

/* --- 2. pending callbacks --- */

static void test_pending_begin_auth(void)
{
	struct fx f;
	fx_open(&f, NULL, NULL, NULL);
	/* nothing pending yet */
	CHECK_EQ_INT(hs_conn_answer(f.conn, HS_AUTH_REQUIRED), HS_ERR_INVALID_ARG);
	f.app.begin_answer = HS_AUTH_PENDING;
	service(&f);
	CHECK_EQ_INT(mc_userauth_pk_signed(&f.mc, USER, g_userkey, "ssh-ed25519", NULL, 0), 0);
	/* more input behind the pending request: it must wait its turn */
	CHECK_EQ_INT(mc_ignore(&f.mc, 0), 0);
	mc_pump(&f.mc);
	CHECK_EQ_INT(f.app.begin_calls, 1);
	CHECK_EQ_INT(f.app.validate_calls, 0);
	CHECK_EQ_INT(mc_queued(&f.mc), 0);
	CHECK(!hs__conn_wants_input(f.conn));
	CHECK(hs_conn_username(f.conn) != NULL);
	/* a resume with no answer changes nothing */
	CHECK_EQ_INT(hs__conn_resume(f.conn), 0);
	mc_pump(&f.mc);
	CHECK_EQ_INT(mc_queued(&f.mc), 0);
	int kicks = f.app.kicks;
	CHECK_EQ_INT(hs_conn_answer(f.conn, HS_AUTH_REQUIRED), 0);
	CHECK(f.app.kicks > kicks);
	/* answered already: a second answer is refused */
	CHECK_EQ_INT(hs_conn_answer(f.conn, HS_AUTH_REQUIRED), HS_ERR_INVALID_ARG);
	/* the answer takes effect on resume, not before */
	mc_pump(&f.mc);
	CHECK_EQ_INT(mc_queued(&f.mc), 0);
	CHECK_EQ_INT(f.app.validate_calls, 0);
	CHECK_EQ_INT(hs__conn_resume(f.conn), 0);
	mc_pump(&f.mc);
	CHECK_EQ_INT(mc_expect(&f.mc, HS_MSG_USERAUTH_SUCCESS, NULL), 0);
	CHECK_EQ_INT(f.app.validate_calls, 1);
	CHECK_EQ_INT(f.app.auth_completed_calls, 1);
	CHECK(hs__conn_wants_input(f.conn));
	CHECK_EQ_INT(hs_conn_answer(f.conn, HS_YES), HS_ERR_INVALID_ARG);
	fx_close(&f);

	/* begin_auth pending, answered "not needed": success without a key */
	fx_open(&f, NULL, NULL, NULL);
	f.app.begin_answer = HS_AUTH_PENDING;
	service(&f);
	CHECK_EQ_INT(mc_userauth_none(&f.mc, USER), 0);
	mc_pump(&f.mc);
	CHECK_EQ_INT(mc_queued(&f.mc), 0);
	CHECK_EQ_INT(hs_conn_answer(f.conn, HS_AUTH_NOT_NEEDED), 0);
	CHECK_EQ_INT(hs__conn_resume(f.conn), 0);
	mc_pump(&f.mc);
	CHECK_EQ_INT(mc_expect(&f.mc, HS_MSG_USERAUTH_SUCCESS, NULL), 0);
	CHECK_EQ_INT(f.app.auth_completed_calls, 1);
	CHECK(hs_conn_auth_key(f.conn) == NULL);
	fx_close(&f);
}

static void test_pending_validate(void)
{
	struct fx f;
	struct hs_view v;
	size_t bloblen;
	const uint8_t *blob = hs_key_blob(hs_hostkey_public(g_userkey), &bloblen);
	fx_open(&f, NULL, NULL, NULL);
	service(&f);
	f.app.validate_answer = HS_PENDING;
	/* a query first: PK_OK only after the answer */
	CHECK_EQ_INT(mc_userauth_pk_query(&f.mc, USER, "ssh-ed25519", blob, bloblen), 0);
	mc_pump(&f.mc);
	CHECK_EQ_INT(f.app.validate_calls, 1);
	CHECK_EQ_INT(mc_queued(&f.mc), 0);
	CHECK_EQ_INT(hs_conn_answer(f.conn, HS_YES), 0);
	mc_pump(&f.mc);
	CHECK_EQ_INT(mc_queued(&f.mc), 0);
	CHECK_EQ_INT(hs__conn_resume(f.conn), 0);
	mc_pump(&f.mc);
	CHECK_EQ_INT(mc_expect(&f.mc, HS_MSG_USERAUTH_PK_OK, &v), 0);
	char alg[64];
	struct hs_bytes b;
	CHECK_EQ_INT(hs__view_get_cstring(&v, alg, sizeof alg), 0);
	CHECK(strcmp(alg, "ssh-ed25519") == 0);
	CHECK_EQ_INT(hs__view_get_string(&v, &b), 0);
	CHECK(b.len == bloblen && memcmp(b.ptr, blob, bloblen) == 0);
	CHECK_EQ_INT(hs__view_end(&v), 0);
	CHECK_EQ_INT(f.app.auth_completed_calls, 0);

	/* the signed request: asked again, pending again */
	CHECK_EQ_INT(mc_userauth_pk_signed(&f.mc, USER, g_userkey, "ssh-ed25519", NULL, 0), 0);
	mc_pump(&f.mc);
	CHECK_EQ_INT(f.app.validate_calls, 2);
	CHECK_EQ_INT(mc_queued(&f.mc), 0);
	CHECK_EQ_INT(f.app.auth_completed_calls, 0);
	CHECK_EQ_INT(hs_conn_answer(f.conn, HS_YES), 0);
	CHECK_EQ_INT(hs__conn_resume(f.conn), 0);
	mc_pump(&f.mc);
	CHECK_EQ_INT(mc_expect(&f.mc, HS_MSG_USERAUTH_SUCCESS, NULL), 0);
	CHECK_EQ_INT(f.app.auth_completed_calls, 1);
	CHECK_EQ_INT(hs_conn_answer(f.conn, HS_YES), HS_ERR_INVALID_ARG);
	fx_close(&f);

	/* pending, answered no: a failure, and the connection goes on */
	fx_open(&f, NULL, NULL, NULL);
	service(&f);
	f.app.validate_answer = HS_PENDING;
	CHECK_EQ_INT(mc_userauth_pk_signed(&f.mc, USER, g_userkey, "ssh-ed25519", NULL, 0), 0);
	mc_pump(&f.mc);
	CHECK_EQ_INT(mc_queued(&f.mc), 0);
	CHECK_EQ_INT(hs_conn_answer(f.conn, HS_NO), 0);
	CHECK_EQ_INT(hs__conn_resume(f.conn), 0);
	mc_pump(&f.mc);
	expect_auth_failure(&f);
	CHECK_EQ_INT(f.app.auth_completed_calls, 0);
	f.app.validate_answer = -1;
	CHECK_EQ_INT(mc_userauth_pk_signed(&f.mc, USER, g_userkey, "ssh-ed25519", NULL, 0), 0);
	mc_pump(&f.mc);
	CHECK_EQ_INT(mc_expect(&f.mc, HS_MSG_USERAUTH_SUCCESS, NULL), 0);
	fx_close(&f);
}

/* A server-initiated rekey starts while an answer is pending: the answer
 * is held until the exchange is over, and nothing else leaks through. */
static void test_pending_during_rekey(void)
{
	struct fx f;
	struct hs_config cfg;
	hs_config_init(&cfg);
	cfg.rekey_seconds = 5; /* well inside the login grace */
	fx_open(&f, &cfg, NULL, NULL);
	service(&f);
	f.app.validate_answer = HS_PENDING;
	CHECK_EQ_INT(mc_userauth_pk_signed(&f.mc, USER, g_userkey, "ssh-ed25519", NULL, 0), 0);
	mc_pump(&f.mc);
	CHECK(f.conn->waiting);
	f.now += f.cfg.rekey_ms;
	CHECK_EQ_INT(hs__conn_tick(f.conn, f.now), 0);
	mc_pump(&f.mc); /* no server rekey before authentication */
	CHECK_EQ_INT(f.mc.server_kexinits, 1);
	CHECK_EQ_INT(f.mc.kex_done, 1);
	CHECK_EQ_INT(mc_queued(&f.mc), 0);
	CHECK_EQ_INT(hs_conn_answer(f.conn, HS_YES), 0);
	CHECK_EQ_INT(hs__conn_resume(f.conn), 0);
	mc_pump(&f.mc);
	CHECK_EQ_INT(mc_expect(&f.mc, HS_MSG_USERAUTH_SUCCESS, NULL), 0);
	/* once authenticated, the due rekey runs */
	CHECK_EQ_INT(hs__conn_tick(f.conn, f.now), 0);
	mc_pump(&f.mc);
	CHECK_EQ_INT(f.mc.kex_done, 2);
	CHECK_EQ_INT(f.mc.nonkex_in_kex, 0);
	CHECK_EQ_INT(f.app.auth_completed_calls, 1);
	struct mc_chan ch;
	fx_session(&f, &ch, 0, MIB, 32768);
	fx_close(&f);
}

/* --- 3. authentication refusals --- */

/* Run one failing signed request as user signed by signer with the blob of
 * claimed, on a fresh connection; return the FAILURE payload. */
static size_t failure_bytes(const char *user, const struct hs_hostkey *signer, const struct hs_hostkey *claimed,
                            uint8_t *out, size_t outsz)
{
	struct fx f;
	size_t n = 0, bloblen;
	const uint8_t *blob = hs_key_blob(hs_hostkey_public(claimed), &bloblen);
	fx_open(&f, NULL, NULL, NULL);
	service(&f);
	CHECK_EQ_INT(mc_userauth_pk_signed(&f.mc, user, signer, "ssh-ed25519", blob, bloblen), 0);
	mc_pump(&f.mc);
	const struct mc_msg *m = mc_take(&f.mc, NULL);
	CHECK(m != NULL && m->type == HS_MSG_USERAUTH_FAILURE);
	if (m != NULL && m->len <= outsz) {
		memcpy(out, m->data, m->len);
		n = m->len;
	}
	CHECK_EQ_INT(f.app.auth_completed_calls, 0);
	CHECK(!f.conn->closing);
	fx_close(&f);
	return n;
}

static void test_auth_refusals(void)
{
	struct fx f;
	uint8_t a[256], b[256], c[256];
	size_t la, lb, lc;

	/* wrong key: validate says no */
	la = failure_bytes(USER, g_otherkey, g_otherkey, a, sizeof a);
	/* valid key, signature by another key */
	lb = failure_bytes(USER, g_otherkey, g_userkey, b, sizeof b);
	/* unknown user, good signature: indistinguishable */
	lc = failure_bytes("nobody", g_userkey, g_userkey, c, sizeof c);
	CHECK(la > 0 && la == lb && la == lc);
	CHECK(memcmp(a, b, la) == 0 && memcmp(a, c, la) == 0);

	/* the signature by another key is caught after validate said yes */
	fx_open(&f, NULL, NULL, NULL);
	service(&f);
	size_t bloblen;
	const uint8_t *blob = hs_key_blob(hs_hostkey_public(g_userkey), &bloblen);
	CHECK(hs_conn_auth_refusal(f.conn) == NULL);
	CHECK_EQ_INT(mc_userauth_pk_signed(&f.mc, USER, g_otherkey, "ssh-ed25519", blob, bloblen), 0);
	mc_pump(&f.mc);
	expect_auth_failure(&f);
	CHECK_STR(hs_conn_auth_refusal(f.conn), "ssh-ed25519 signature did not verify");
	CHECK_EQ_INT(f.app.validate_calls, 1);
	CHECK_EQ_INT(f.app.auth_completed_calls, 0);
	CHECK(hs_conn_auth_key(f.conn) == NULL);
	/* none: a failure listing publickey */
	CHECK_EQ_INT(mc_userauth_none(&f.mc, USER), 0);
	mc_pump(&f.mc);
	expect_auth_failure(&f);
	/* query: PK_OK only for an acceptable key */
	const uint8_t *oblob;
	size_t obloblen;
	oblob = hs_key_blob(hs_hostkey_public(g_otherkey), &obloblen);
	CHECK_EQ_INT(mc_userauth_pk_query(&f.mc, USER, "ssh-ed25519", oblob, obloblen), 0);
	mc_pump(&f.mc);
	expect_auth_failure(&f);
	CHECK_EQ_INT(mc_userauth_pk_query(&f.mc, USER, "ssh-ed25519", blob, bloblen), 0);
	mc_pump(&f.mc);
	CHECK_EQ_INT(mc_expect(&f.mc, HS_MSG_USERAUTH_PK_OK, NULL), 0);
	/* ssh-rsa (SHA-1) named with an ed25519 blob: a failure, not a disconnect */
	CHECK_EQ_INT(mc_userauth_pk_signed(&f.mc, USER, g_userkey, "ssh-rsa", blob, bloblen), 0);
	mc_pump(&f.mc);
	expect_auth_failure(&f);
	CHECK(!f.conn->closing);
	CHECK_STR(hs_conn_auth_refusal(f.conn), "key algorithm ssh-rsa is not offered (public key algorithms)");
	/* an offered algorithm of another key type */
	CHECK_EQ_INT(mc_userauth_pk_signed(&f.mc, USER, g_userkey, "rsa-sha2-256", blob, bloblen), 0);
	mc_pump(&f.mc);
	expect_auth_failure(&f);
	CHECK(!f.conn->closing);
	CHECK_STR(hs_conn_auth_refusal(f.conn), "signature algorithm rsa-sha2-256 does not fit the key");
	/* a malformed key blob: a failure */
	uint8_t bad[128];
	memcpy(bad, blob, bloblen < sizeof bad ? bloblen : sizeof bad);
	CHECK_EQ_INT(mc_userauth_pk_query(&f.mc, USER, "ssh-ed25519", bad, bloblen - 5), 0);
	mc_pump(&f.mc);
	CHECK(mc_peek(&f.mc) == HS_MSG_USERAUTH_FAILURE);
	mc_drain(&f.mc);
	CHECK(!f.conn->closing);
	CHECK_EQ_INT(f.app.auth_completed_calls, 0);
	fx_close(&f);

	/* the same malformed blob in a signed request, with a fresh budget */
	fx_open(&f, NULL, NULL, NULL);
	service(&f);
	CHECK_EQ_INT(mc_userauth_pk_signed(&f.mc, USER, g_userkey, "ssh-ed25519", bad, 20), 0);
	mc_pump(&f.mc);
	expect_auth_failure(&f);
	CHECK(!f.conn->closing);
	/* and then a good request still works */
	CHECK_EQ_INT(mc_userauth_pk_signed(&f.mc, USER, g_userkey, "ssh-ed25519", NULL, 0), 0);
	mc_pump(&f.mc);
	CHECK_EQ_INT(mc_expect(&f.mc, HS_MSG_USERAUTH_SUCCESS, NULL), 0);
	fx_close(&f);

	/* max_auth_tries: the attempt that reaches it ends the connection (14) */
	struct hs_config cfg;
	hs_config_init(&cfg);
	cfg.max_auth_tries = 3;
	fx_open(&f, &cfg, NULL, NULL);
	service(&f);
	for (int i = 0; i < 2; i++) {
		CHECK_EQ_INT(mc_userauth_pk_signed(&f.mc, USER, g_otherkey, "ssh-ed25519", NULL, 0), 0);
		mc_pump(&f.mc);
		expect_auth_failure(&f);
		CHECK(!f.conn->closing);
	}
	CHECK_EQ_INT(mc_userauth_pk_signed(&f.mc, USER, g_otherkey, "ssh-ed25519", NULL, 0), 0);
	mc_pump(&f.mc);
	expect_disconnect(&f, HS_DISCONNECT_NO_MORE_AUTH_METHODS_AVAILABLE);
	CHECK(f.mc.server_closed);
	fx_free_conn(&f);
	CHECK_EQ_INT(f.app.lost_calls, 1);
	CHECK_EQ_INT(f.app.auth_completed_calls, 0);
	fx_close(&f);

	/* none requests do not count */
	fx_open(&f, &cfg, NULL, NULL);
	service(&f);
	for (int i = 0; i < 5; i++) {
		CHECK_EQ_INT(mc_userauth_none(&f.mc, USER), 0);
		mc_pump(&f.mc);
		expect_auth_failure(&f);
	}
	CHECK(!f.conn->closing);
	fx_close(&f);

	/* a change of user name mid-authentication ends the connection */
	fx_open(&f, NULL, NULL, NULL);
	service(&f);
	CHECK_EQ_INT(mc_userauth_none(&f.mc, USER), 0);
	mc_pump(&f.mc);
	expect_auth_failure(&f);
	CHECK_EQ_INT(mc_userauth_pk_signed(&f.mc, "peer2", g_userkey, "ssh-ed25519", NULL, 0), 0);
	mc_pump(&f.mc);
	expect_disconnect(&f, HS_DISCONNECT_PROTOCOL_ERROR);
	CHECK_EQ_INT(f.app.begin_calls, 1);
	CHECK_EQ_INT(f.app.auth_completed_calls, 0);
	fx_close(&f);

	/* a service other than ssh-connection in the request */
	fx_open(&f, NULL, NULL, NULL);
	service(&f);
	CHECK_EQ_INT(mc_userauth_raw(&f.mc, USER, "ssh-nonsense", "none", NULL, 0), 0);
	mc_pump(&f.mc);
	expect_disconnect(&f, HS_DISCONNECT_SERVICE_NOT_AVAILABLE);
	fx_close(&f);

	/* public_key_auth_supported NULL on a bare server means offered; a
	 * bare server with no validate says no to every key */
	fx_open(&f, NULL, &bare_cb, NULL);
	service(&f);
	f.app.validate_answer = HS_NO;
	CHECK_EQ_INT(mc_userauth_pk_signed(&f.mc, USER, g_userkey, "ssh-ed25519", NULL, 0), 0);
	mc_pump(&f.mc);
	expect_auth_failure(&f);
	fx_close(&f);
}

/* --- 4. the state machine --- */

/* A configured public key algorithm list: server-sig-algs says exactly
 * it, and a key outside it is refused as unusable (never asked about). */
static void test_configured_pubkey_algs(void)
{
	struct fx f;
	struct hs_config cfg;
	struct mc_opts o = { .ext_info = 1 };
	size_t bloblen;
	const uint8_t *blob = hs_key_blob(hs_hostkey_public(g_userkey), &bloblen);
	hs_config_init(&cfg);
	cfg.public_key_algorithms = "rsa-sha2-512,angelos-tongues";
	fx_open(&f, &cfg, NULL, &o);
	CHECK(strcmp(f.mc.server_sig_algs, "rsa-sha2-512,angelos-tongues") == 0);
	service(&f);
	CHECK_EQ_INT(mc_userauth_pk_query(&f.mc, USER, "ssh-ed25519", blob, bloblen), 0);
	mc_pump(&f.mc);
	expect_auth_failure(&f);
	CHECK_EQ_INT(mc_userauth_pk_signed(&f.mc, USER, g_userkey, "ssh-ed25519", blob, bloblen), 0);
	mc_pump(&f.mc);
	expect_auth_failure(&f);
	CHECK_EQ_INT(f.app.validate_calls, 0);
	CHECK_EQ_INT(f.app.auth_completed_calls, 0);
	CHECK(!f.conn->closing);
	CHECK_STR(hs_conn_auth_refusal(f.conn), "key algorithm ssh-ed25519 is not offered (public key algorithms)");
	fx_close(&f);
	/* the same key with ssh-ed25519 listed: accepted */
	cfg.public_key_algorithms = "ssh-ed25519";
	fx_open(&f, &cfg, NULL, &o);
	CHECK(strcmp(f.mc.server_sig_algs, "ssh-ed25519") == 0);
	fx_auth(&f);
	CHECK_EQ_INT(f.app.authenticated_calls, 1);
	CHECK(hs_conn_auth_refusal(f.conn) == NULL);
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
	CHECK(strcmp(f.cfg.kex, "curve25519-sha256,curve25519-sha256@libssh.org") == 0);
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

/* --- 6. channels --- */

static void expect_open_failure(struct fx *f, uint32_t recipient, uint32_t reason)
{
	struct hs_view v;
	uint32_t rid = 0, rs = 0;
	CHECK_EQ_INT(mc_expect(&f->mc, HS_MSG_CHANNEL_OPEN_FAILURE, &v), 0);
	if (f->mc.cur.type != HS_MSG_CHANNEL_OPEN_FAILURE)
		return;
	CHECK(hs__view_get_u32(&v, &rid) == 0 && hs__view_get_u32(&v, &rs) == 0);
	CHECK_EQ_INT(rid, recipient);
	CHECK_EQ_INT(rs, reason);
}

static void expect_chan_reply(struct fx *f, uint8_t type, uint32_t recipient)
{
	struct hs_view v;
	uint32_t rid = 0xffffffff;
	CHECK_EQ_INT(mc_expect(&f->mc, type, &v), 0);
	CHECK(hs__view_get_u32(&v, &rid) == 0 && hs__view_end(&v) == 0);
	CHECK_EQ_INT(rid, recipient);
}

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
	fx_open(&f, NULL, NULL, &guess);
	CHECK_EQ_INT(f.mc.guess_right, 1);
	CHECK_EQ_INT(f.mc.kex_done, 1);
	fx_auth(&f);
	fx_close(&f);
	/* Wrong guess: the client prefers the @libssh.org name, the server
	 * the plain one. The negotiated method is the client's first choice,
	 * yet "server and client have different preferred algorithm", so the
	 * guessed packet MUST be ignored and the client sends a new one. */
	guess.kex = "curve25519-sha256@libssh.org,curve25519-sha256";
	fx_open_nostart(&f, NULL, NULL, &guess);
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
	static const char *const ciphers[] = { "chacha20-poly1305@openssh.com", "aes256-gcm@openssh.com", "aes256-ctr" };
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

int main(void)
{
	if (hs_hostkey_generate(HS_KEY_ED25519, &g_hostkey) != 0 || hs_hostkey_generate(HS_KEY_ED25519, &g_userkey) != 0 ||
	    hs_hostkey_generate(HS_KEY_ED25519, &g_otherkey) != 0) {
		fprintf(stderr, "cannot generate keys\n");
		return 1;
	}
	test_happy_path("chacha20-poly1305@openssh.com", NULL, 1, 1);
	test_happy_path("aes256-gcm@openssh.com", NULL, 1, 1);
	test_happy_path("aes128-gcm@openssh.com", NULL, 1, 1);
	test_happy_path("aes256-ctr", "hmac-sha2-256-etm@openssh.com", 1, 1);
	test_happy_path("chacha20-poly1305@openssh.com", NULL, 0, 0);
	test_happy_path("aes256-ctr", "hmac-sha2-256-etm@openssh.com", 0, 0);
	test_pending_begin_auth();
	test_pending_validate();
	test_pending_during_rekey();
	test_auth_refusals();
	test_configured_pubkey_algs();
	test_profile_kexinit();
	test_dh_inline();
	test_dh_job();
	test_state_machine();
	test_client_rekey(1);
	test_client_rekey(0);
	test_server_rekey_bytes();
	test_server_rekey_holds();
	test_channel_opens();
	test_channel_requests();
	test_channel_flow();
	test_channel_server_window();
	test_keepalive();
	test_login_grace();
	test_edges();
	test_kex_failures();
	hs_hostkey_free(g_hostkey);
	hs_hostkey_free(g_userkey);
	hs_hostkey_free(g_otherkey);
	return hs_test_done();
}
