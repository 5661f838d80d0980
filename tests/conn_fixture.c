/*
 * The fixture of the connection core's tests: a server application with
 * counting callbacks (an echo or sink session per channel), a server core
 * and the in-memory client joined, and the steps most tests share
 * (authenticate, open a session, transfer and compare).
 */
#include "conn_fixture.h"

#include <stdlib.h>
#include <string.h>

#include "hs_test.h"

struct hs_hostkey *g_hostkey, *g_userkey, *g_otherkey;
const struct hs_hostkey *g_served_hostkey;

int fx_keys_init(void)
{
	if (hs_hostkey_generate(HS_KEY_ED25519, &g_hostkey) != 0 ||
	    hs_hostkey_generate(HS_KEY_ED25519, &g_userkey) != 0 ||
	    hs_hostkey_generate(HS_KEY_ED25519, &g_otherkey) != 0) {
		fprintf(stderr, "cannot generate keys\n");
		return -1;
	}
	return 0;
}

void fx_keys_free(void)
{
	hs_hostkey_free(g_hostkey);
	hs_hostkey_free(g_userkey);
	hs_hostkey_free(g_otherkey);
}

/* --- the server application --- */

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
const struct hs_io_ops io_ops_compute = { io_kick, io_authenticated, io_compute };
/* Which of the two the next fixture gets. */
int g_io_compute;

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
	if (app_of(hs_channel_conn(ch))->subsystem_pending)
		return HS_PENDING;
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
const struct hs_server_cb bare_cb = {
	.connection_lost = srv_lost,
	.validate_public_key = srv_validate,
	.auth_completed = srv_auth_completed,
};

/* --- fixture --- */

void fx_open_nostart(struct fx *f, const struct hs_config *cfg, const struct hs_server_cb *cb,
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
	f->conn = hs__conn_new(&f->cfg, g_served_hostkey != NULL ? g_served_hostkey : g_hostkey, cb ? cb : &server_cb,
	                       &f->app, g_io_compute ? &io_ops_compute : &io_ops, &f->app, "test:22", f->now);
	CHECK(f->conn != NULL);
	CHECK_EQ_INT(hs__conn_start(f->conn), 0);
	mc_init(&f->mc, f->conn, opt);
	f->mc.expect_hostkey = hs_hostkey_public(g_hostkey);
}

void fx_open(struct fx *f, const struct hs_config *cfg, const struct hs_server_cb *cb, const struct mc_opts *opt)
{
	fx_open_nostart(f, cfg, cb, opt);
	CHECK_EQ_INT(mc_connect(&f->mc), 0);
	CHECK_EQ_INT(f->mc.hostkey_verified, 1);
}

void fx_free_conn(struct fx *f)
{
	if (f->conn != NULL) {
		hs__conn_free(f->conn);
		f->conn = NULL;
		f->mc.conn = NULL;
	}
}

void fx_close(struct fx *f)
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
void expect_disconnect(struct fx *f, uint32_t reason)
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
	CHECK(f->conn == NULL || (f->conn->closing && f->conn->disconnect_queued));
}

/* Take CHANNEL_OPEN_FAILURE for recipient with reason. */
void expect_open_failure(struct fx *f, uint32_t recipient, uint32_t reason)
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

/* Take a reply of type (CHANNEL_SUCCESS or FAILURE) for recipient. */
void expect_chan_reply(struct fx *f, uint8_t type, uint32_t recipient)
{
	struct hs_view v;
	uint32_t rid = 0xffffffff;
	CHECK_EQ_INT(mc_expect(&f->mc, type, &v), 0);
	CHECK(hs__view_get_u32(&v, &rid) == 0 && hs__view_end(&v) == 0);
	CHECK_EQ_INT(rid, recipient);
}

/* USERAUTH_FAILURE "publickey", partial success false. */
void expect_auth_failure(struct fx *f)
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

void service(struct fx *f)
{
	CHECK_EQ_INT(mc_service_request(&f->mc, "ssh-userauth"), 0);
	mc_pump(&f->mc);
	struct hs_view v;
	char name[32];
	CHECK_EQ_INT(mc_expect(&f->mc, HS_MSG_SERVICE_ACCEPT, &v), 0);
	CHECK(hs__view_get_cstring(&v, name, sizeof name) == 0 && strcmp(name, "ssh-userauth") == 0);
}

void fx_auth(struct fx *f)
{
	service(f);
	CHECK_EQ_INT(mc_userauth_pk_signed(&f->mc, USER, g_userkey, "ssh-ed25519", NULL, 0), 0);
	mc_pump(&f->mc);
	CHECK_EQ_INT(mc_expect(&f->mc, HS_MSG_USERAUTH_SUCCESS, NULL), 0);
	CHECK_EQ_INT(f->app.auth_completed_calls, 1);
}

/* Open a session channel and start the replicator subsystem on it. */
void fx_session(struct fx *f, struct mc_chan *ch, uint32_t id, uint32_t window, uint32_t maxpkt)
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

uint8_t *pattern(size_t n, uint32_t seed)
{
	uint8_t *p = malloc(n);
	uint32_t x = seed * 2654435761u + 1;
	for (size_t i = 0; i < n && p != NULL; i++) {
		x = x * 1103515245u + 12345u;
		p[i] = (uint8_t)(x >> 16);
	}
	return p;
}

/* Send n bytes on stream and pump until the echo is back (or stuck). */
size_t transfer(struct fx *f, struct mc_chan *ch, const uint8_t *data, size_t n, enum hs_stream stream,
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
