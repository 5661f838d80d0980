/*
 * The connection core: identification exchange, the read-dispatch loop with
 * its single message filter, phase changes and their side effects, failure
 * handling with disconnect reasons, and timers. Protocol layers live in
 * transport/, auth/ and conn/; this file routes between them and is the
 * only one that talks to the I/O layer (conn->io) or sends DISCONNECT.
 */
#include "core/conn_priv.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

static void kick(struct hs_conn *conn)
{
	if (conn->io != NULL && conn->io->kick != NULL)
		conn->io->kick(conn->io_ctx);
}

void hs__conn_kick(struct hs_conn *conn)
{
	kick(conn);
}

struct hs_conn *hs__conn_new(const struct hs_core_config *cfg, const struct hs_hostkey *hostkey,
                             const struct hs_server_cb *cb, void *data, const struct hs_io_ops *io, void *io_ctx,
                             const char *peer, uint64_t now_ms)
{
	struct hs_conn *conn = calloc(1, sizeof(*conn));
	if (conn == NULL)
		return NULL;
	conn->cfg = cfg;
	conn->hostkey = hostkey;
	conn->cb = cb;
	conn->data = data;
	conn->io = io;
	conn->io_ctx = io_ctx;
	snprintf(conn->peer, sizeof conn->peer, "%s", peer ? peer : "");
	hs__packet_init(&conn->pkt, cfg->max_packet, HS_OUTPUT_CAP);
	conn->pkt.rx.inflate_left = HS_MAX_PREAUTH_INFLATE;
	hs__sendq_init(&conn->sendq, HS_HELD_MAX);
	hs__kex_init(&conn->kex);
	hs__userauth_init(&conn->auth);
	conn->phase = HS_PHASE_FIRST_KEX;
	conn->now_ms = conn->started_ms = conn->last_kex_ms = conn->last_rx_ms = now_ms;
	return conn;
}

void hs__conn_report_lost(struct hs_conn *conn)
{
	if (conn->lost_reported)
		return;
	conn->lost_reported = 1;
	hs__channels_lost(conn, conn->close_err ? conn->close_err : HS_ERR_CLOSED);
	if (conn->cb->connection_lost != NULL)
		conn->cb->connection_lost(conn, conn->close_err,
		                          conn->close_reason[0] ? conn->close_reason : "connection closed");
}

void hs__conn_free(struct hs_conn *conn)
{
	if (conn == NULL)
		return;
	hs__conn_report_lost(conn);
	free(conn->channels.slot);
	hs__userauth_cleanup(&conn->auth);
	hs__kex_cleanup(&conn->kex);
	hs__sendq_cleanup(&conn->sendq);
	hs__packet_cleanup(&conn->pkt);
	OPENSSL_cleanse(conn->session_id, sizeof conn->session_id);
	free(conn);
}

void hs__conn_set_now(struct hs_conn *conn, uint64_t now_ms)
{
	conn->now_ms = now_ms;
}

/* --- failing --- */

/* One place that maps an error to an RFC 4253 §11.1 reason code. */
static uint32_t reason_for(int err)
{
	switch (err) {
	case HS_ERR_MAC:
		return HS_DISCONNECT_MAC_ERROR;
	case HS_ERR_NO_ALGORITHM:
		return HS_DISCONNECT_KEY_EXCHANGE_FAILED;
	case HS_ERR_VERSION:
		return HS_DISCONNECT_PROTOCOL_VERSION_NOT_SUPPORTED;
	case HS_ERR_AUTH:
		return HS_DISCONNECT_NO_MORE_AUTH_METHODS_AVAILABLE;
	case HS_ERR_COMPRESSION:
		return HS_DISCONNECT_COMPRESSION_ERROR;
	case HS_ERR_PROTOCOL:
	case HS_ERR_FORMAT:
	case HS_ERR_TRUNCATED:
	case HS_ERR_TRAILING:
	case HS_ERR_UNEXPECTED_MSG:
	case HS_ERR_LIMIT:
		return HS_DISCONNECT_PROTOCOL_ERROR;
	default:
		return HS_DISCONNECT_BY_APPLICATION;
	}
}

void hs__conn_set_failure(struct hs_conn *conn, uint32_t reason, const char *fmt, ...)
{
	va_list ap;
	conn->failure_code = reason;
	va_start(ap, fmt);
	vsnprintf(conn->failure_text, sizeof conn->failure_text, fmt, ap);
	va_end(ap);
}

/* DISCONNECT (RFC 4253 §11.1), straight to the output: never held. */
static int queue_disconnect(struct hs_conn *conn, uint32_t reason)
{
	struct hs_buf *b;
	int r;
	if ((r = hs__sendq_begin(&conn->sendq, &conn->pkt, 0, HS_MSG_DISCONNECT, &b)) != 0)
		return r;
	if ((r = hs__buf_put_u32(b, reason)) == 0 && (r = hs__buf_put_cstring(b, conn->close_reason)) == 0)
		r = hs__buf_put_cstring(b, "");
	return hs__sendq_end(&conn->sendq, &conn->pkt, r);
}

void hs__conn_fail(struct hs_conn *conn, int err, uint32_t reason, const char *text)
{
	if (conn->closing)
		return;
	conn->closing = 1;
	conn->close_err = err;
	snprintf(conn->close_reason, sizeof conn->close_reason, "%s", text ? text : hs_strerror(err));
	/* A half-built packet is abandoned. */
	hs__sendq_abort(&conn->sendq, &conn->pkt);
	if (!conn->version_done || err == HS_ERR_DISCONNECTED || err == HS_ERR_IO)
		return;
	/* One that cannot be queued (the output is at its cap) is dropped:
	 * the connection closes all the same. */
	conn->disconnect_queued = queue_disconnect(conn, reason != 0 ? reason : reason_for(err)) == 0;
	kick(conn);
}

/* A layer's error: with the text and reason it set, if any. */
static int fail_with(struct hs_conn *conn, int r, const char *fallback)
{
	if (conn->failure_text[0] != '\0')
		hs__conn_fail(conn, r, conn->failure_code, conn->failure_text);
	else
		hs__conn_fail(conn, r, 0, fallback);
	return r;
}

int hs__conn_check(struct hs_conn *conn, int r)
{
	if (r != 0)
		fail_with(conn, r, NULL);
	return r;
}

int hs__conn_closing(const struct hs_conn *conn)
{
	return conn->closing;
}

/* --- sending --- */

int hs__conn_holding(const struct hs_conn *conn)
{
	return conn->kex.step == HS_KEX_SENT_KEXINIT || conn->kex.step == HS_KEX_WAIT_INIT;
}

int hs__conn_begin(struct hs_conn *conn, uint8_t msg, struct hs_buf **body)
{
	if (conn->closing) {
		*body = NULL;
		return HS_ERR_CLOSED;
	}
	if (msg == HS_MSG_CHANNEL_DATA || msg == HS_MSG_CHANNEL_EXTENDED_DATA)
		conn->last_data_ms = conn->now_ms; /* not idle (idle_timeout) */
	return hs__sendq_begin(&conn->sendq, &conn->pkt, hs__conn_holding(conn), msg, body);
}

int hs__conn_end(struct hs_conn *conn, int status)
{
	int r = hs__sendq_end(&conn->sendq, &conn->pkt, status);
	if (r == 0)
		kick(conn);
	return r;
}

size_t hs__conn_output_room(const struct hs_conn *conn)
{
	size_t len = hs__buf_len(&conn->pkt.out);
	return len >= HS_OUTPUT_HIGH ? 0 : HS_OUTPUT_HIGH - len;
}

size_t hs__conn_output_len(const struct hs_conn *conn)
{
	return conn->pkt.tx_building ? 0 : hs__buf_len(&conn->pkt.out);
}

void hs__conn_output_swap(struct hs_conn *conn, struct hs_buf *idle)
{
	if (conn->pkt.tx_building)
		return;
	struct hs_buf tmp = *idle;
	*idle = conn->pkt.out;
	conn->pkt.out = tmp;
}

struct hs_bytes hs__conn_output_peek(const struct hs_conn *conn)
{
	struct hs_bytes b = { hs__buf_ptr(&conn->pkt.out), hs__conn_output_len(conn) };
	return b;
}

int hs__conn_output_consume(struct hs_conn *conn, size_t n)
{
	if (n > hs__conn_output_len(conn))
		return HS_ERR_INVALID_ARG;
	return hs__buf_consume(&conn->pkt.out, n);
}

void hs__conn_output_drained(struct hs_conn *conn)
{
	if (conn->channels.want_write_ready && hs__buf_len(&conn->pkt.out) < HS_OUTPUT_LOW && !hs__conn_holding(conn)) {
		conn->channels.want_write_ready = 0;
		hs__channels_write_ready(conn);
	}
}

void hs__conn_shrink_idle(struct hs_conn *conn)
{
	if (hs__buf_len(&conn->pkt.in) == 0)
		hs__buf_shrink(&conn->pkt.in, 0);
	if (hs__buf_len(&conn->pkt.out) == 0)
		hs__buf_shrink(&conn->pkt.out, 0);
}

/* --- phases and events --- */

int hs__conn_set_phase(struct hs_conn *conn, enum hs_phase next)
{
	int r;
	if (next <= conn->phase)
		return HS_ERR_INTERNAL;
	conn->phase = next;
	if (next != HS_PHASE_CONNECTION)
		return 0;
	conn->auth.completed = 1;
	conn->last_data_ms = conn->now_ms; /* the idle timeout counts from here */
	if ((r = hs__kex_auth_done(conn)) != 0)
		return r;
	if (conn->io != NULL && conn->io->authenticated != NULL)
		conn->io->authenticated(conn->io_ctx);
	if (conn->cb->auth_completed != NULL)
		conn->cb->auth_completed(conn);
	return 0;
}

int hs__conn_keys_changed(struct hs_conn *conn)
{
	int r;
	if (conn->phase == HS_PHASE_FIRST_KEX && (r = hs__conn_set_phase(conn, HS_PHASE_SERVICE)) != 0)
		return r;
	hs__channels_write_ready(conn);
	return 0;
}

int hs__conn_compute(struct hs_conn *conn, struct hs_dh_job *job)
{
	conn->kex.computing = 1;
	conn->kex.busy_since = conn->now_ms;
	if (conn->io != NULL && conn->io->compute != NULL) {
		conn->io->compute(conn->io_ctx, job);
		return 0;
	}
	hs__dh_job_run(job);
	return hs__kex_dh_done(conn, job);
}

void hs__conn_wait_answer(struct hs_conn *conn, enum hs_wait kind)
{
	conn->waiting = kind;
}

int hs__conn_give_answer(struct hs_conn *conn, enum hs_wait kind, int answer)
{
	if (conn == NULL || kind == HS_WAIT_NONE || conn->waiting != kind || conn->resume_due || conn->closing)
		return HS_ERR_INVALID_ARG;
	conn->answer = answer;
	conn->resume_due = 1;
	kick(conn);
	return 0;
}

int hs__conn_rekey_if_due(struct hs_conn *conn)
{
	int r;
	if (!hs__kex_wanted(conn))
		return 0;
	if ((r = hs__kex_start(conn)) != 0 && conn->failure_text[0] == '\0')
		hs__conn_set_failure(conn, 0, "cannot start key exchange");
	return r;
}

/* --- input --- */

int hs__conn_start(struct hs_conn *conn)
{
	int r;
	snprintf(conn->server_version, sizeof conn->server_version, "SSH-2.0-%s", conn->cfg->software_version);
	if ((r = hs__buf_put(&conn->pkt.out, conn->server_version, strlen(conn->server_version))) != 0 ||
	    (r = hs__buf_put(&conn->pkt.out, "\r\n", 2)) != 0)
		return r;
	if ((r = hs__kex_start(conn)) != 0)
		return r;
	if (conn->cb->connection_made != NULL)
		conn->cb->connection_made(conn);
	kick(conn);
	return 0;
}

/* RFC 4253 §4.2: "SSH-protoversion-softwareversion SP comments CR LF", at
 * most 255 bytes; a client may not send other lines first. We accept a bare
 * LF ending as OpenSSH does. */
static int read_identification(struct hs_conn *conn)
{
	size_t avail = hs__buf_len(&conn->pkt.in);
	size_t scan = avail < HS_MAX_IDENT_LINE ? avail : HS_MAX_IDENT_LINE;
	const uint8_t *p = hs__buf_ptr(&conn->pkt.in);
	const uint8_t *nl = scan > 0 ? memchr(p, '\n', scan) : NULL;
	if (nl == NULL)
		return avail >= HS_MAX_IDENT_LINE ? HS_ERR_VERSION : HS_ERR_NEED_MORE;
	size_t linelen = (size_t)(nl - p);
	size_t textlen = linelen > 0 && p[linelen - 1] == '\r' ? linelen - 1 : linelen;
	for (size_t i = 0; i < textlen; i++)
		if (p[i] < 0x20 || p[i] > 0x7e)
			return HS_ERR_VERSION;
	if (!((textlen >= 8 && memcmp(p, "SSH-2.0-", 8) == 0) || (textlen >= 9 && memcmp(p, "SSH-1.99-", 9) == 0)))
		return HS_ERR_VERSION;
	memcpy(conn->client_version, p, textlen);
	conn->client_version[textlen] = '\0';
	conn->version_done = 1;
	return hs__buf_consume(&conn->pkt.in, linelen + 1);
}

static int handle_disconnect(struct hs_conn *conn, struct hs_view *v)
{
	uint32_t reason = 0;
	char text[HS_MAX_PEER_DESCRIPTION] = "";
	char msg[HS_MAX_CLOSE_REASON];
	if (hs__view_get_u32(v, &reason) == 0 && hs__view_get_cstring(v, text, sizeof text) != 0)
		snprintf(text, sizeof text, "(unreadable description)");
	for (char *c = text; *c; c++)
		if (*c < 0x20 || *c > 0x7e)
			*c = '?';
	snprintf(msg, sizeof msg, "peer disconnected (reason %u): %s", reason, text);
	hs__conn_fail(conn, HS_ERR_DISCONNECTED, 0, msg);
	/* a peer that says goodbye "by application" closed in good order */
	if (reason == HS_DISCONNECT_BY_APPLICATION)
		conn->close_err = 0;
	return 0;
}

static int send_unimplemented(struct hs_conn *conn, uint32_t seqnr)
{
	struct hs_buf *b;
	int r;
	if ((r = hs__conn_begin(conn, HS_MSG_UNIMPLEMENTED, &b)) != 0)
		return r;
	return hs__conn_end(conn, hs__buf_put_u32(b, seqnr));
}

static int dispatch(struct hs_conn *conn, uint8_t msg, struct hs_view *v)
{
	switch (msg) {
	case HS_MSG_DISCONNECT:
		return handle_disconnect(conn, v);
	case HS_MSG_IGNORE:
	case HS_MSG_DEBUG:
	case HS_MSG_UNIMPLEMENTED:
		return 0;
	case HS_MSG_SERVICE_REQUEST:
		return hs__service_handle(conn, v);
	case HS_MSG_KEXINIT:
	case HS_MSG_NEWKEYS:
	case HS_MSG_KEX_ECDH_INIT:
		return hs__kex_handle(conn, msg, v);
	case HS_MSG_USERAUTH_REQUEST:
		return hs__userauth_handle(conn, msg, v);
	default:
		if (msg >= HS_MSG_GLOBAL_REQUEST && msg <= HS_MSG_CHANNEL_FAILURE)
			return hs__connproto_handle(conn, msg, v);
		return HS_ERR_UNEXPECTED_MSG;
	}
}

/* One packet: count it, check it against the message filter, hand it to
 * its layer. */
static int handle_packet(struct hs_conn *conn, struct hs_view *v, uint32_t seqnr)
{
	uint8_t msg;
	int r;
	if ((r = hs__view_get_u8(v, &msg)) != 0)
		return r; /* cannot happen: payload is at least one byte */
	conn->kex.last_seqnr = seqnr;
	conn->last_rx_ms = conn->now_ms;
	conn->keepalives_missed = 0;
	if (!conn->auth.completed && ++conn->preauth_packets > HS_MAX_PREAUTH_PACKETS) {
		hs__conn_set_failure(conn, 0, "too many packets before authentication");
		return HS_ERR_LIMIT;
	}
	switch (hs__msgfilter_check(conn->phase, conn->kex.step, conn->strict_kex, msg)) {
	case HS_VERDICT_ACCEPT:
		if (msg == HS_MSG_CHANNEL_DATA || msg == HS_MSG_CHANNEL_EXTENDED_DATA)
			conn->last_data_ms = conn->now_ms;
		return dispatch(conn, msg, v);
	case HS_VERDICT_UNIMPLEMENTED:
		return send_unimplemented(conn, seqnr);
	default:
		hs__conn_set_failure(conn, 0, "message %u not allowed in this state", msg);
		return HS_ERR_UNEXPECTED_MSG;
	}
}

static int process(struct hs_conn *conn)
{
	int r;
	while (!conn->closing && !conn->waiting && !hs__kex_busy(&conn->kex)) {
		if (!conn->version_done) {
			r = read_identification(conn);
			if (r == HS_ERR_NEED_MORE)
				return 0;
			if (r != 0) {
				hs__conn_fail(conn, r, 0, "bad identification string");
				return r;
			}
			continue;
		}
		struct hs_view v;
		uint32_t seqnr;
		r = hs__packet_read(&conn->pkt, &v, &seqnr);
		if (r == HS_ERR_NEED_MORE)
			return 0;
		if (r != 0) {
			hs__conn_fail(conn, r, 0, r == HS_ERR_MAC ? "message authentication failed" : "bad packet");
			return r;
		}
		r = handle_packet(conn, &v, seqnr);
		hs__packet_done(&conn->pkt);
		if (r == 0)
			r = hs__conn_rekey_if_due(conn);
		if (r != 0)
			return fail_with(conn, r, NULL);
	}
	return conn->closing ? (conn->close_err ? conn->close_err : HS_ERR_CLOSED) : 0;
}

int hs__conn_feed(struct hs_conn *conn, const uint8_t *data, size_t len)
{
	int r;
	if (conn->closing)
		return HS_ERR_CLOSED;
	if ((r = hs__packet_feed(&conn->pkt, data, len)) != 0) {
		hs__conn_fail(conn, r, 0, "input buffer limit exceeded");
		return r;
	}
	return process(conn);
}

int hs__conn_input_reserve(struct hs_conn *conn, size_t want, uint8_t **p, size_t *n)
{
	struct hs_buf *in = &conn->pkt.in;
	size_t room = in->max - hs__buf_len(in);
	if (room == 0)
		return HS_ERR_LIMIT;
	if (want > room)
		want = room;
	int r = hs__buf_reserve(in, want, p);
	if (r == 0)
		*n = want;
	return r;
}

int hs__conn_input_commit(struct hs_conn *conn, size_t n)
{
	int r;
	uint8_t *p;
	if (conn->closing)
		return HS_ERR_CLOSED;
	if ((r = hs__buf_extend(&conn->pkt.in, n, &p)) != 0) { /* bytes already written by the reader */
		hs__conn_fail(conn, r, 0, "input buffer limit exceeded");
		return r;
	}
	return process(conn);
}

int hs__conn_resume_due(const struct hs_conn *conn)
{
	return conn->resume_due || hs__kex_sign_answered(&conn->kex);
}

int hs__conn_resume(struct hs_conn *conn)
{
	int r;
	if (conn->closing)
		return HS_ERR_CLOSED;
	if (hs__kex_sign_answered(&conn->kex) && (r = hs__kex_sign_done(conn)) != 0)
		return fail_with(conn, r, NULL);
	if (conn->resume_due) {
		enum hs_wait kind = conn->waiting;
		conn->resume_due = 0;
		conn->waiting = HS_WAIT_NONE;
		r = kind == HS_WAIT_CHANNEL ? hs__channels_resume(conn, conn->answer)
		                            : hs__userauth_resume(conn, conn->answer);
		if (r != 0)
			return fail_with(conn, r, NULL);
	}
	return process(conn);
}

int hs__conn_compute_done(struct hs_conn *conn, struct hs_dh_job *job)
{
	int r;
	if (conn->closing) {
		hs__dh_job_free(job);
		return HS_ERR_CLOSED;
	}
	if (!conn->kex.computing) { /* a job nobody asked for: ours to fix */
		hs__dh_job_free(job);
		hs__conn_fail(conn, HS_ERR_INTERNAL, 0, "key exchange computation not expected");
		return HS_ERR_INTERNAL;
	}
	if ((r = hs__kex_dh_done(conn, job)) != 0)
		return fail_with(conn, r, NULL);
	return process(conn);
}

int hs__conn_wants_input(const struct hs_conn *conn)
{
	return !conn->closing && !conn->waiting && !hs__kex_busy(&conn->kex);
}

/* --- timers --- */

/* After keepalive_ms of silence from an authenticated peer, ask it for a
 * reply (keepalive@openssh.com, as OpenSSH's ClientAliveInterval); after
 * keepalive_max_missed unanswered asks, the peer is gone. */
static int keepalive(struct hs_conn *conn)
{
	struct hs_buf *b;
	int r;
	uint64_t every = conn->cfg->keepalive_ms;
	/* a peer's reply cannot be read while its key exchange computes */
	if (every == 0 || !conn->auth.completed || hs__kex_busy(&conn->kex))
		return 0;
	if (conn->now_ms - conn->last_rx_ms < every * (conn->keepalives_missed + 1))
		return 0;
	if (++conn->keepalives_missed > conn->cfg->keepalive_max_missed) {
		hs__conn_set_failure(conn, HS_DISCONNECT_BY_APPLICATION, "keepalive timeout");
		return HS_ERR_TIMEOUT;
	}
	if ((r = hs__conn_begin(conn, HS_MSG_GLOBAL_REQUEST, &b)) != 0)
		return r;
	r = hs__buf_put_cstring(b, "keepalive@openssh.com");
	if (r == 0)
		r = hs__buf_put_bool(b, 1);
	return hs__conn_end(conn, r);
}

static int tick(struct hs_conn *conn)
{
	int r;
	/* the deadline counts the time the peer takes, not ours */
	if (conn->kex.step != HS_KEX_IDLE && !hs__kex_busy(&conn->kex) &&
	    conn->now_ms - conn->kex.started_ms >= conn->cfg->kex_timeout_ms) {
		hs__conn_set_failure(conn, HS_DISCONNECT_BY_APPLICATION, "key exchange timeout");
		return HS_ERR_TIMEOUT;
	}
	if (!conn->auth.completed && conn->now_ms - conn->started_ms >= conn->cfg->login_grace_ms) {
		hs__conn_set_failure(conn, HS_DISCONNECT_BY_APPLICATION, "login grace time exceeded");
		return HS_ERR_TIMEOUT;
	}
	if (conn->auth.completed && conn->cfg->idle_timeout_ms != 0 &&
	    conn->now_ms - conn->last_data_ms >= conn->cfg->idle_timeout_ms) {
		hs__conn_set_failure(conn, HS_DISCONNECT_BY_APPLICATION, "idle timeout");
		return HS_ERR_TIMEOUT;
	}
	if ((r = hs__conn_rekey_if_due(conn)) != 0)
		return r;
	return keepalive(conn);
}

int hs__conn_tick(struct hs_conn *conn, uint64_t now_ms)
{
	conn->now_ms = now_ms;
	if (conn->closing)
		return HS_ERR_CLOSED;
	return hs__conn_check(conn, tick(conn));
}

uint64_t hs__conn_next_deadline(const struct hs_conn *conn)
{
	uint64_t d = UINT64_MAX;
	if (!conn->auth.completed)
		d = conn->started_ms + conn->cfg->login_grace_ms;
	if (conn->kex.step != HS_KEX_IDLE && !hs__kex_busy(&conn->kex)) {
		uint64_t k = conn->kex.started_ms + conn->cfg->kex_timeout_ms;
		if (k < d)
			d = k;
	}
	if (conn->auth.completed && conn->phase != HS_PHASE_FIRST_KEX && conn->kex.step == HS_KEX_IDLE) {
		uint64_t k = conn->last_kex_ms + conn->cfg->rekey_ms;
		if (k < d)
			d = k;
	}
	if (conn->cfg->keepalive_ms != 0 && conn->auth.completed && !hs__kex_busy(&conn->kex)) {
		uint64_t k = conn->last_rx_ms + conn->cfg->keepalive_ms * (conn->keepalives_missed + 1);
		if (k < d)
			d = k;
	}
	if (conn->cfg->idle_timeout_ms != 0 && conn->auth.completed &&
	    conn->last_data_ms + conn->cfg->idle_timeout_ms < d)
		d = conn->last_data_ms + conn->cfg->idle_timeout_ms;
	return d;
}

#ifdef HS_FUZZING_UNSAFE
void hs__conn_fuzz_skip_kex(struct hs_conn *conn)
{
	snprintf(conn->client_version, sizeof conn->client_version, "SSH-2.0-fuzz");
	conn->version_done = 1;
	conn->phase = HS_PHASE_SERVICE;
	conn->kex.step = HS_KEX_IDLE;
	conn->session_id_len = 32;
	memset(conn->session_id, 0x5a, 32);
	hs__buf_reset(&conn->pkt.out);
}
#endif

/* --- public connection API --- */

void hs_conn_set_data(struct hs_conn *conn, void *data)
{
	conn->data = data;
}
void *hs_conn_get_data(const struct hs_conn *conn)
{
	return conn->data;
}
const char *hs_conn_peer(const struct hs_conn *conn)
{
	return conn->peer;
}

const char *hs_conn_username(const struct hs_conn *conn)
{
	return conn->auth.have_username ? conn->auth.username : NULL;
}

const char *hs_conn_auth_refusal(const struct hs_conn *conn)
{
	return conn != NULL && conn->auth.refusal[0] != '\0' ? conn->auth.refusal : NULL;
}

const struct hs_key *hs_conn_auth_key(const struct hs_conn *conn)
{
	return conn->auth.completed ? conn->auth.key : NULL;
}

const char *hs_conn_client_version(const struct hs_conn *conn)
{
	return conn->version_done ? conn->client_version : NULL;
}

int hs_conn_answer(struct hs_conn *conn, int answer)
{
	return hs__conn_give_answer(conn, HS_WAIT_AUTH, answer);
}

void hs_conn_disconnect(struct hs_conn *conn, uint32_t reason, const char *description)
{
	hs__conn_fail(conn, HS_ERR_BY_APPLICATION, reason ? reason : HS_DISCONNECT_BY_APPLICATION,
	              description ? description : "closed by server");
}
