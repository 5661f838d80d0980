/*
 * The connection core: identification exchange, the read-dispatch loop with
 * its single message filter, held output during key exchange, failure
 * handling with disconnect reasons, and timers. Protocol layers live in
 * transport/, auth/ and conn/; this file only routes between them.
 */
#include "core/conn.h"

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
                             const struct hs_server_cb *cb, void *data, const struct hs_io_ops *io,
                             void *io_ctx, const char *peer, uint64_t now_ms)
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
	hs__kex_init(&conn->kex);
	hs__buf_init(&conn->held, HS_HELD_MAX, 0);
	conn->auth.need = -1;
	hs__buf_init(&conn->auth.pending.blob, HS_MAX_KEY_BLOB, 0);
	hs__buf_init(&conn->auth.pending.sig, HS_MAX_SIG_BLOB, 0);
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
	free(conn->channels);
	hs__userauth_cleanup(conn);
	hs__kex_cleanup(&conn->kex);
	hs__packet_cleanup(&conn->pkt);
	hs__buf_cleanup(&conn->held);
	OPENSSL_cleanse(conn->session_id, sizeof conn->session_id);
	free(conn);
}

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

void hs__conn_fail(struct hs_conn *conn, int err, uint32_t reason, const char *text)
{
	if (conn->closing)
		return;
	conn->closing = 1;
	conn->close_err = err;
	snprintf(conn->close_reason, sizeof conn->close_reason, "%s", text ? text : hs_strerror(err));
	if (!conn->version_done || err == HS_ERR_DISCONNECTED || err == HS_ERR_IO)
		return;
	if (reason == 0)
		reason = reason_for(err);
	/* A half-built packet is abandoned; the DISCONNECT is never held. */
	if (conn->building_held) {
		hs__buf_truncate(&conn->held, conn->held_mark);
		conn->building_held = 0;
	}
	hs__packet_abort(&conn->pkt);
	if (hs__packet_begin(&conn->pkt, HS_MSG_DISCONNECT) == 0) {
		struct hs_buf *b = &conn->pkt.out;
		if (hs__buf_put_u32(b, reason) != 0 || hs__buf_put_cstring(b, conn->close_reason) != 0 ||
		    hs__buf_put_cstring(b, "") != 0 || hs__packet_finish(&conn->pkt) != 0)
			hs__packet_abort(&conn->pkt);
	}
	kick(conn);
}

static int holding(const struct hs_conn *conn)
{
	return conn->kex.step == HS_KEX_SENT_KEXINIT || conn->kex.step == HS_KEX_WAIT_INIT;
}

/* Transport-generic and key-exchange messages may be sent during a key
 * exchange (RFC 4253 §7.1); everything else waits. */
static int never_held(uint8_t msg)
{
	return msg <= HS_MSG_DEBUG || (msg >= HS_MSG_KEXINIT && msg <= 49);
}

void hs__conn_abort(struct hs_conn *conn)
{
	if (conn->building_held) {
		hs__buf_truncate(&conn->held, conn->held_mark);
		conn->building_held = 0;
	}
	hs__packet_abort(&conn->pkt);
}

int hs__conn_begin(struct hs_conn *conn, uint8_t msg)
{
	int r;
	if (conn->closing && msg != HS_MSG_DISCONNECT)
		return HS_ERR_CLOSED;
	/* A message left half built by an error path is dropped, so it can
	 * neither swallow this one nor block output. */
	hs__conn_abort(conn);
	if (holding(conn) && !never_held(msg)) {
		if ((r = hs__buf_begin_string(&conn->held, &conn->held_mark)) != 0)
			return r;
		if ((r = hs__buf_put_u8(&conn->held, msg)) != 0) {
			hs__buf_truncate(&conn->held, conn->held_mark);
			return r;
		}
		conn->building_held = 1;
		return 0;
	}
	return hs__packet_begin(&conn->pkt, msg);
}

struct hs_buf *hs__conn_body(struct hs_conn *conn)
{
	return conn->building_held ? &conn->held : &conn->pkt.out;
}

int hs__conn_end(struct hs_conn *conn)
{
	int r;
	if (conn->building_held) {
		conn->building_held = 0;
		return hs__buf_end_string(&conn->held, conn->held_mark);
	}
	r = hs__packet_finish(&conn->pkt);
	if (r == 0)
		kick(conn);
	return r;
}

int hs__conn_flush_held(struct hs_conn *conn)
{
	struct hs_view v = hs__buf_view(&conn->held);
	struct hs_bytes rec;
	int r = 0;
	while (hs__view_left(&v) > 0) {
		if ((r = hs__view_get_string(&v, &rec)) != 0 || rec.len < 1)
			return HS_ERR_INTERNAL;
		if ((r = hs__packet_begin(&conn->pkt, rec.ptr[0])) != 0 ||
		    (r = hs__buf_put(&conn->pkt.out, rec.ptr + 1, rec.len - 1)) != 0 ||
		    (r = hs__packet_finish(&conn->pkt)) != 0) {
			hs__packet_abort(&conn->pkt);
			return r;
		}
	}
	hs__buf_reset(&conn->held);
	hs__buf_shrink(&conn->held, 0);
	kick(conn);
	return 0;
}

int hs__conn_output_full(const struct hs_conn *conn)
{
	return hs__buf_len(&conn->pkt.out) >= HS_OUTPUT_HIGH;
}

void hs__conn_output_drained(struct hs_conn *conn)
{
	if (conn->want_write_ready && hs__buf_len(&conn->pkt.out) < HS_OUTPUT_LOW && !holding(conn)) {
		conn->want_write_ready = 0;
		hs__channels_write_ready(conn);
	}
}

int hs__conn_start(struct hs_conn *conn)
{
	int r;
	snprintf(conn->server_version, sizeof conn->server_version, "SSH-2.0-%s", conn->cfg->software_version);
	if ((r = hs__buf_put(&conn->pkt.out, conn->server_version, strlen(conn->server_version))) != 0 ||
	    (r = hs__buf_put(&conn->pkt.out, "\r\n", 2)) != 0)
		return r;
	if ((r = hs__kex_start(conn)) != 0)
		return r;
	if (conn->cb->connection_made != NULL) {
		conn->in_callback++;
		conn->cb->connection_made(conn);
		conn->in_callback--;
	}
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
	char text[128] = "";
	char msg[160];
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
	int r;
	if ((r = hs__conn_begin(conn, HS_MSG_UNIMPLEMENTED)) != 0)
		return r;
	if ((r = hs__buf_put_u32(hs__conn_body(conn), seqnr)) != 0)
		return r;
	return hs__conn_end(conn);
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

static int process(struct hs_conn *conn)
{
	int r = 0;
	char text[96];
	while (!conn->closing && !conn->waiting && !conn->kex.computing) {
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
		uint8_t msg;
		r = hs__packet_read(&conn->pkt, &v, &seqnr);
		if (r == HS_ERR_NEED_MORE)
			return 0;
		if (r != 0) {
			hs__conn_fail(conn, r, 0, r == HS_ERR_MAC ? "message authentication failed" : "bad packet");
			return r;
		}
		if ((r = hs__view_get_u8(&v, &msg)) != 0)
			return r; /* cannot happen: payload is at least one byte */
		conn->kex.last_seqnr = seqnr;
		conn->last_rx_ms = conn->now_ms;
		conn->keepalives_missed = 0;
		if (!conn->auth.completed && ++conn->preauth_packets > HS_MAX_PREAUTH_PACKETS) {
			hs__packet_done(&conn->pkt);
			hs__conn_fail(conn, HS_ERR_LIMIT, 0, "too many packets before authentication");
			return HS_ERR_LIMIT;
		}
		switch (hs__msgfilter_check(conn->phase, conn->kex.step, conn->strict_kex, msg)) {
		case HS_VERDICT_ACCEPT:
			r = dispatch(conn, msg, &v);
			break;
		case HS_VERDICT_UNIMPLEMENTED:
			r = send_unimplemented(conn, seqnr);
			break;
		default:
			hs__packet_done(&conn->pkt);
			snprintf(text, sizeof text, "message %u not allowed in this state", msg);
			hs__conn_fail(conn, HS_ERR_UNEXPECTED_MSG, 0, text);
			return HS_ERR_UNEXPECTED_MSG;
		}
		hs__packet_done(&conn->pkt);
		if (r != 0) {
			hs__conn_fail(conn, r, 0, NULL);
			return r;
		}
		if (hs__kex_wanted(conn) && (r = hs__kex_start(conn)) != 0) {
			hs__conn_fail(conn, r, 0, "cannot start key exchange");
			return r;
		}
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

int hs__conn_resume(struct hs_conn *conn)
{
	int r;
	if (conn->closing)
		return HS_ERR_CLOSED;
	if (conn->resume_due) {
		conn->resume_due = 0;
		conn->waiting = 0;
		if ((r = hs__userauth_resume(conn, conn->answer)) != 0) {
			hs__conn_fail(conn, r, 0, NULL);
			return r;
		}
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
	if ((r = hs__kex_dh_done(conn, job)) != 0) {
		hs__conn_fail(conn, r, 0, NULL);
		return r;
	}
	return process(conn);
}

int hs__conn_wants_input(const struct hs_conn *conn)
{
	return !conn->closing && !conn->waiting && !conn->kex.computing;
}

/* After keepalive_ms of silence from an authenticated peer, ask it for a
 * reply (keepalive@openssh.com, as OpenSSH's ClientAliveInterval); after
 * keepalive_max_missed unanswered asks, the peer is gone. */
static int keepalive(struct hs_conn *conn)
{
	int r;
	uint64_t every = conn->cfg->keepalive_ms;
	/* a peer's reply cannot be read while its key exchange computes */
	if (every == 0 || !conn->auth.completed || conn->kex.computing)
		return 0;
	if (conn->now_ms - conn->last_rx_ms < every * (conn->keepalives_missed + 1))
		return 0;
	if (++conn->keepalives_missed > conn->cfg->keepalive_max_missed) {
		hs__conn_fail(conn, HS_ERR_TIMEOUT, HS_DISCONNECT_BY_APPLICATION, "keepalive timeout");
		return HS_ERR_TIMEOUT;
	}
	if ((r = hs__conn_begin(conn, HS_MSG_GLOBAL_REQUEST)) != 0)
		return r;
	struct hs_buf *b = hs__conn_body(conn);
	if ((r = hs__buf_put_cstring(b, "keepalive@openssh.com")) != 0 || (r = hs__buf_put_bool(b, 1)) != 0) {
		hs__conn_abort(conn);
		return r;
	}
	return hs__conn_end(conn);
}

int hs__conn_tick(struct hs_conn *conn, uint64_t now_ms)
{
	int r;
	conn->now_ms = now_ms;
	if (conn->closing)
		return HS_ERR_CLOSED;
	if (!conn->auth.completed && now_ms - conn->started_ms >= conn->cfg->login_grace_ms) {
		hs__conn_fail(conn, HS_ERR_TIMEOUT, HS_DISCONNECT_BY_APPLICATION, "login grace time exceeded");
		return HS_ERR_TIMEOUT;
	}
	if (hs__kex_wanted(conn) && (r = hs__kex_start(conn)) != 0) {
		hs__conn_fail(conn, r, 0, "cannot start key exchange");
		return r;
	}
	if ((r = keepalive(conn)) != 0)
		return r;
	return 0;
}

uint64_t hs__conn_next_deadline(const struct hs_conn *conn)
{
	uint64_t d = UINT64_MAX;
	if (!conn->auth.completed)
		d = conn->started_ms + conn->cfg->login_grace_ms;
	if (conn->auth.completed && conn->phase != HS_PHASE_FIRST_KEX && conn->kex.step == HS_KEX_IDLE) {
		uint64_t k = conn->last_kex_ms + conn->cfg->rekey_ms;
		if (k < d)
			d = k;
	}
	if (conn->cfg->keepalive_ms != 0 && conn->auth.completed && !conn->kex.computing) {
		uint64_t k = conn->last_rx_ms + conn->cfg->keepalive_ms * (conn->keepalives_missed + 1);
		if (k < d)
			d = k;
	}
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

void hs_conn_set_data(struct hs_conn *conn, void *data) { conn->data = data; }
void *hs_conn_get_data(const struct hs_conn *conn) { return conn->data; }
const char *hs_conn_peer(const struct hs_conn *conn) { return conn->peer; }

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
	if (conn == NULL || !conn->waiting || conn->resume_due || conn->closing)
		return HS_ERR_INVALID_ARG;
	conn->answer = answer;
	conn->resume_due = 1;
	kick(conn);
	return 0;
}

void hs_conn_disconnect(struct hs_conn *conn, uint32_t reason, const char *description)
{
	hs__conn_fail(conn, HS_ERR_BY_APPLICATION, reason ? reason : HS_DISCONNECT_BY_APPLICATION,
	              description ? description : "closed by server");
}
