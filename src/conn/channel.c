/*
 * The connection protocol (RFC 4254): channel open/confirm/refuse, data
 * with flow control in both directions, EOF and CLOSE ordering, channel
 * requests with their default answers, and global requests.
 *
 * Peer-supplied windows and packet sizes are validated: a maximum packet
 * below HS_PEER_MAX_PACKET_MIN refuses the channel, a large one is capped,
 * and window arithmetic saturates at 2^32-1, so no loop can spin on them.
 */
#include "conn/channel.h"

#include <stdlib.h>
#include <string.h>

#include "core/conn.h"

#define TYPE_MAX 65 /* RFC 4251 §6: names are at most 64 characters */

static struct hs_channel *lookup(struct hs_conn *conn, uint32_t id)
{
	if (conn->channels == NULL || id >= conn->channels_cap)
		return NULL;
	return conn->channels[id];
}

static void release(struct hs_conn *conn, struct hs_channel *ch, int err)
{
	conn->channels[ch->local_id] = NULL;
	conn->channels_open--;
	if (ch->confirmed && ch->cb != NULL && ch->cb->connection_lost != NULL)
		ch->cb->connection_lost(ch, err);
	free(ch);
}

void hs__channels_lost(struct hs_conn *conn, int err)
{
	for (uint32_t i = 0; i < conn->channels_cap; i++)
		if (conn->channels[i] != NULL)
			release(conn, conn->channels[i], err);
}

void hs__channels_write_ready(struct hs_conn *conn)
{
	for (uint32_t i = 0; i < conn->channels_cap && !conn->closing; i++) {
		struct hs_channel *ch = conn->channels[i];
		if (ch == NULL || !ch->want_write_ready || ch->remote_window == 0 || ch->sent_close)
			continue;
		if (hs__conn_output_full(conn)) {
			conn->want_write_ready = 1;
			return;
		}
		ch->want_write_ready = 0;
		if (ch->cb != NULL && ch->cb->write_ready != NULL)
			ch->cb->write_ready(ch);
	}
}

/* --- sending --- */

static int send_u32_msg(struct hs_conn *conn, uint8_t msg, uint32_t value)
{
	int r;
	if ((r = hs__conn_begin(conn, msg)) != 0)
		return r;
	if ((r = hs__buf_put_u32(hs__conn_body(conn), value)) != 0)
		return r;
	return hs__conn_end(conn);
}

static int send_window_adjust(struct hs_channel *ch)
{
	int r;
	uint32_t add = ch->local_consumed;
	if (add == 0 || ch->sent_close || ch->got_eof)
		return 0;
	if ((r = hs__conn_begin(ch->conn, HS_MSG_CHANNEL_WINDOW_ADJUST)) != 0)
		return r;
	struct hs_buf *b = hs__conn_body(ch->conn);
	if ((r = hs__buf_put_u32(b, ch->remote_id)) != 0 || (r = hs__buf_put_u32(b, add)) != 0)
		return r;
	if ((r = hs__conn_end(ch->conn)) != 0)
		return r;
	ch->local_window += add;
	ch->local_consumed = 0;
	return 0;
}

static int send_close(struct hs_channel *ch)
{
	int r;
	if (ch->sent_close)
		return 0;
	if ((r = send_u32_msg(ch->conn, HS_MSG_CHANNEL_CLOSE, ch->remote_id)) != 0)
		return r;
	ch->sent_close = 1;
	return 0;
}

/* --- CHANNEL_OPEN --- */

static int send_open_failure(struct hs_conn *conn, uint32_t sender, uint32_t reason, const char *text)
{
	int r;
	if ((r = hs__conn_begin(conn, HS_MSG_CHANNEL_OPEN_FAILURE)) != 0)
		return r;
	struct hs_buf *b = hs__conn_body(conn);
	if ((r = hs__buf_put_u32(b, sender)) != 0 || (r = hs__buf_put_u32(b, reason)) != 0 ||
	    (r = hs__buf_put_cstring(b, text)) != 0 || (r = hs__buf_put_cstring(b, "")) != 0)
		return r;
	return hs__conn_end(conn);
}

static int new_channel(struct hs_conn *conn, struct hs_channel **out)
{
	if (conn->channels == NULL) {
		conn->channels = calloc(conn->cfg->max_channels, sizeof(*conn->channels));
		if (conn->channels == NULL)
			return HS_ERR_ALLOC;
		conn->channels_cap = conn->cfg->max_channels;
	}
	for (uint32_t i = 0; i < conn->channels_cap; i++) {
		if (conn->channels[i] != NULL)
			continue;
		struct hs_channel *ch = calloc(1, sizeof(*ch));
		if (ch == NULL)
			return HS_ERR_ALLOC;
		ch->conn = conn;
		ch->local_id = i;
		conn->channels[i] = ch;
		conn->channels_open++;
		*out = ch;
		return 0;
	}
	return HS_ERR_LIMIT;
}

static int handle_open(struct hs_conn *conn, struct hs_view *v)
{
	char type[TYPE_MAX], host[256] = "", orig[256] = "";
	uint32_t sender, window, maxpkt;
	struct hs_channel_open open;
	struct hs_channel *ch = NULL;
	int r;
	memset(&open, 0, sizeof open);
	r = hs__view_get_cstring(v, type, sizeof type);
	if (r == HS_ERR_LIMIT) { /* longer than any name: an unknown type */
		struct hs_bytes skip;
		if ((r = hs__view_get_string(v, &skip)) != 0 || (r = hs__view_get_u32(v, &sender)) != 0)
			return r;
		return send_open_failure(conn, sender, HS_OPEN_UNKNOWN_CHANNEL_TYPE, "unknown channel type");
	}
	if (r != 0 || (r = hs__view_get_u32(v, &sender)) != 0 || (r = hs__view_get_u32(v, &window)) != 0 ||
	    (r = hs__view_get_u32(v, &maxpkt)) != 0)
		return r;
	open.type = type;
	if (strcmp(type, "session") == 0) {
		if ((r = hs__view_end(v)) != 0)
			return r;
	} else if (strcmp(type, "direct-tcpip") == 0) {
		if ((r = hs__view_get_cstring(v, host, sizeof host)) != 0 || (r = hs__view_get_u32(v, &open.port)) != 0 ||
		    (r = hs__view_get_cstring(v, orig, sizeof orig)) != 0 ||
		    (r = hs__view_get_u32(v, &open.originator_port)) != 0 || (r = hs__view_end(v)) != 0)
			return send_open_failure(conn, sender, HS_OPEN_CONNECT_FAILED, "malformed direct-tcpip request");
		open.host = host;
		open.originator = orig;
	}
	if (maxpkt < HS_PEER_MAX_PACKET_MIN)
		return send_open_failure(conn, sender, HS_OPEN_CONNECT_FAILED, "maximum packet size too small");
	if ((r = new_channel(conn, &ch)) == HS_ERR_LIMIT)
		return send_open_failure(conn, sender, HS_OPEN_RESOURCE_SHORTAGE, "too many channels");
	if (r != 0)
		return r;
	ch->remote_id = sender;
	ch->remote_window = window;
	ch->remote_max_packet = maxpkt > HS_PEER_MAX_PACKET_CAP ? HS_PEER_MAX_PACKET_CAP : maxpkt;
	ch->local_window = HS_CHANNEL_WINDOW;
	int answer = HS_NO;
	int is_session = strcmp(type, "session") == 0;
	open.reason = is_session || strcmp(type, "direct-tcpip") == 0 ? HS_OPEN_ADMINISTRATIVELY_PROHIBITED
	                                                               : HS_OPEN_UNKNOWN_CHANNEL_TYPE;
	open.description = is_session ? "session refused" : "channel type refused";
	if (is_session && conn->cb->session_requested != NULL)
		answer = conn->cb->session_requested(conn, ch, &open);
	else if (!is_session && conn->cb->connection_requested != NULL)
		answer = conn->cb->connection_requested(conn, ch, &open);
	if (answer != HS_YES || open.callbacks == NULL) {
		uint32_t reason = open.reason ? open.reason : HS_OPEN_ADMINISTRATIVELY_PROHIBITED;
		const char *text = open.description ? open.description : "refused";
		release(conn, ch, 0);
		return send_open_failure(conn, sender, reason, text);
	}
	ch->cb = open.callbacks;
	ch->data = open.data;
	ch->confirmed = 1;
	if ((r = hs__conn_begin(conn, HS_MSG_CHANNEL_OPEN_CONFIRMATION)) != 0)
		return r;
	struct hs_buf *b = hs__conn_body(conn);
	if ((r = hs__buf_put_u32(b, sender)) != 0 || (r = hs__buf_put_u32(b, ch->local_id)) != 0 ||
	    (r = hs__buf_put_u32(b, ch->local_window)) != 0 || (r = hs__buf_put_u32(b, HS_CHANNEL_MAX_PACKET)) != 0)
		return r;
	return hs__conn_end(conn);
}

/* --- data --- */

static int handle_data(struct hs_conn *conn, uint8_t msg, struct hs_view *v)
{
	uint32_t id, code = 0;
	struct hs_bytes data;
	int r;
	if ((r = hs__view_get_u32(v, &id)) != 0)
		return r;
	if (msg == HS_MSG_CHANNEL_EXTENDED_DATA && (r = hs__view_get_u32(v, &code)) != 0)
		return r;
	if ((r = hs__view_get_string(v, &data)) != 0 || (r = hs__view_end(v)) != 0)
		return r;
	struct hs_channel *ch = lookup(conn, id);
	if (ch == NULL || ch->got_eof || ch->got_close)
		return HS_ERR_PROTOCOL;
	/* RFC 4254 §5.2: the peer may not exceed the window we gave it. */
	if (data.len > ch->local_window || data.len > HS_CHANNEL_MAX_PACKET)
		return HS_ERR_PROTOCOL;
	ch->local_window -= (uint32_t)data.len;
	ch->local_consumed += (uint32_t)data.len;
	/* RFC 4254 §5.2 defines only extended data type 1; others are
	 * counted against the window and dropped, as OpenSSH does. */
	int deliver = msg == HS_MSG_CHANNEL_DATA || code == HS_STREAM_STDERR;
	if (data.len > 0 && deliver && !ch->sent_close && ch->cb->data_received != NULL)
		ch->cb->data_received(ch, data.ptr, data.len,
		                      msg == HS_MSG_CHANNEL_DATA ? HS_STREAM_DATA : HS_STREAM_STDERR);
	/* the callback may have closed the channel or the connection */
	if (conn->closing || conn->channels[id] != ch)
		return 0;
	if (!ch->paused && ch->local_consumed >= HS_CHANNEL_WINDOW / 2)
		return send_window_adjust(ch);
	return 0;
}

static int handle_window_adjust(struct hs_conn *conn, struct hs_view *v)
{
	uint32_t id, add;
	int r;
	if ((r = hs__view_get_u32(v, &id)) != 0 || (r = hs__view_get_u32(v, &add)) != 0 || (r = hs__view_end(v)) != 0)
		return r;
	struct hs_channel *ch = lookup(conn, id);
	if (ch == NULL)
		return HS_ERR_PROTOCOL;
	uint64_t w = (uint64_t)ch->remote_window + add;
	ch->remote_window = w > UINT32_MAX ? UINT32_MAX : (uint32_t)w;
	if (ch->want_write_ready && add > 0)
		hs__channels_write_ready(conn);
	return 0;
}

/* Messages whose only field is the recipient channel: EOF, CLOSE,
 * SUCCESS, FAILURE. The channel must be open and not closed by the peer. */
static int get_channel_only(struct hs_conn *conn, struct hs_view *v, struct hs_channel **out)
{
	uint32_t id;
	int r;
	if ((r = hs__view_get_u32(v, &id)) != 0 || (r = hs__view_end(v)) != 0)
		return r;
	*out = lookup(conn, id);
	return *out == NULL || (*out)->got_close ? HS_ERR_PROTOCOL : 0;
}

static int handle_eof(struct hs_conn *conn, struct hs_view *v)
{
	struct hs_channel *ch;
	int r;
	if ((r = get_channel_only(conn, v, &ch)) != 0)
		return r;
	if (ch->got_eof)
		return 0;
	ch->got_eof = 1;
	if (!ch->sent_close && ch->cb->eof_received != NULL)
		ch->cb->eof_received(ch);
	return 0;
}

static int handle_close(struct hs_conn *conn, struct hs_view *v)
{
	struct hs_channel *ch;
	int r;
	if ((r = get_channel_only(conn, v, &ch)) != 0)
		return r;
	ch->got_close = 1;
	/* RFC 4254 §5.3: answer CLOSE with CLOSE, then the channel is gone. */
	if ((r = send_close(ch)) != 0)
		return r;
	release(conn, ch, 0);
	return 0;
}

/* --- channel requests --- */

static int reply(struct hs_channel *ch, int want_reply, int ok)
{
	if (!want_reply || ch->sent_close)
		return 0;
	return send_u32_msg(ch->conn, ok ? HS_MSG_CHANNEL_SUCCESS : HS_MSG_CHANNEL_FAILURE, ch->remote_id);
}

static int request_start(struct hs_channel *ch, const char *type, struct hs_view *v, int *ok)
{
	char arg[HS_MAX_REQUEST_STRING + 1];
	int r;
	const struct hs_session_cb *cb = ch->cb;
	*ok = HS_NO;
	if (strcmp(type, "shell") == 0) {
		if ((r = hs__view_end(v)) != 0)
			return r;
		if (!ch->started && cb->shell_requested != NULL)
			*ok = cb->shell_requested(ch);
	} else {
		r = hs__view_get_cstring(v, arg, sizeof arg);
		if (r == HS_ERR_LIMIT)
			return 0; /* too long: refused */
		if (r != 0 || (r = hs__view_end(v)) != 0)
			return r;
		if (ch->started)
			return 0;
		if (strcmp(type, "exec") == 0 && cb->exec_requested != NULL)
			*ok = cb->exec_requested(ch, arg);
		else if (strcmp(type, "subsystem") == 0 && cb->subsystem_requested != NULL)
			*ok = cb->subsystem_requested(ch, arg);
	}
	if (*ok == HS_YES)
		ch->started = 1;
	return 0;
}

static int handle_request(struct hs_conn *conn, struct hs_view *v)
{
	uint32_t id;
	char type[TYPE_MAX];
	int want_reply, ok = HS_NO, r;
	if ((r = hs__view_get_u32(v, &id)) != 0)
		return r;
	struct hs_channel *ch = lookup(conn, id);
	if (ch == NULL || ch->got_close)
		return HS_ERR_PROTOCOL;
	r = hs__view_get_cstring(v, type, sizeof type);
	if (r == HS_ERR_LIMIT) { /* a name longer than any we know */
		struct hs_bytes skip;
		if ((r = hs__view_get_string(v, &skip)) != 0 || (r = hs__view_get_bool(v, &want_reply)) != 0)
			return r;
		return reply(ch, want_reply, 0);
	}
	if (r != 0 || (r = hs__view_get_bool(v, &want_reply)) != 0)
		return r;
	const struct hs_session_cb *cb = ch->cb;
	if (ch->sent_close)
		return 0;
	if (strcmp(type, "shell") == 0 || strcmp(type, "exec") == 0 || strcmp(type, "subsystem") == 0) {
		if ((r = request_start(ch, type, v, &ok)) != 0)
			return r;
	} else if (strcmp(type, "pty-req") == 0) {
		char term[256];
		struct hs_pty_request pty;
		struct hs_bytes modes;
		if ((r = hs__view_get_cstring(v, term, sizeof term)) != 0 || (r = hs__view_get_u32(v, &pty.cols)) != 0 ||
		    (r = hs__view_get_u32(v, &pty.rows)) != 0 || (r = hs__view_get_u32(v, &pty.width_px)) != 0 ||
		    (r = hs__view_get_u32(v, &pty.height_px)) != 0 || (r = hs__view_get_string(v, &modes)) != 0 ||
		    (r = hs__view_end(v)) != 0)
			return reply(ch, want_reply, 0);
		pty.term = term;
		pty.modes = modes.ptr;
		pty.modes_len = modes.len;
		if (cb->pty_requested != NULL)
			ok = cb->pty_requested(ch, &pty);
	} else if (strcmp(type, "env") == 0) {
		char name[256], value[HS_MAX_REQUEST_STRING + 1];
		if (hs__view_get_cstring(v, name, sizeof name) == 0 && hs__view_get_cstring(v, value, sizeof value) == 0 &&
		    hs__view_end(v) == 0 && cb->env_requested != NULL)
			ok = cb->env_requested(ch, name, value);
	} else if (strcmp(type, "window-change") == 0) {
		uint32_t c, rw, w, h;
		if ((r = hs__view_get_u32(v, &c)) != 0 || (r = hs__view_get_u32(v, &rw)) != 0 ||
		    (r = hs__view_get_u32(v, &w)) != 0 || (r = hs__view_get_u32(v, &h)) != 0 || (r = hs__view_end(v)) != 0)
			return reply(ch, want_reply, 0);
		if (cb->terminal_size_changed != NULL) {
			cb->terminal_size_changed(ch, c, rw, w, h);
			ok = HS_YES;
		}
	} else if (strcmp(type, "signal") == 0) {
		char sig[64];
		if (hs__view_get_cstring(v, sig, sizeof sig) == 0 && hs__view_end(v) == 0 && cb->signal_received != NULL) {
			cb->signal_received(ch, sig);
			ok = HS_YES;
		}
	} else if (strcmp(type, "break") == 0) {
		uint32_t ms;
		if (hs__view_get_u32(v, &ms) == 0 && hs__view_end(v) == 0 && cb->break_received != NULL)
			ok = cb->break_received(ch, ms);
	}
	/* x11-req, auth-agent-req@openssh.com, keepalive@openssh.com and
	 * anything unknown: refused (RFC 4254 §5.4 default). */
	if (conn->closing || conn->channels[id] != ch)
		return 0;
	return reply(ch, want_reply, ok == HS_YES);
}

/* --- global requests --- */

static int handle_global(struct hs_conn *conn, struct hs_view *v)
{
	char name[TYPE_MAX];
	int want_reply, ok = 0, r;
	uint32_t bound = 0, port = 0;
	r = hs__view_get_cstring(v, name, sizeof name);
	if (r == HS_ERR_LIMIT) {
		struct hs_bytes skip;
		if ((r = hs__view_get_string(v, &skip)) != 0)
			return r;
		name[0] = '\0';
	} else if (r != 0) {
		return r;
	}
	if ((r = hs__view_get_bool(v, &want_reply)) != 0)
		return r;
	if (strcmp(name, "tcpip-forward") == 0) {
		char addr[256];
		if (hs__view_get_cstring(v, addr, sizeof addr) == 0 && hs__view_get_u32(v, &port) == 0 &&
		    hs__view_end(v) == 0 && conn->cb->server_requested != NULL) {
			bound = port;
			ok = conn->cb->server_requested(conn, addr, port, &bound) == HS_YES;
		}
	}
	if (!want_reply || conn->closing)
		return 0;
	if ((r = hs__conn_begin(conn, ok ? HS_MSG_REQUEST_SUCCESS : HS_MSG_REQUEST_FAILURE)) != 0)
		return r;
	/* RFC 4254 §7.1: the bound port is returned when 0 was asked for. */
	if (ok && port == 0 && (r = hs__buf_put_u32(hs__conn_body(conn), bound)) != 0)
		return r;
	return hs__conn_end(conn);
}

int hs__connproto_handle(struct hs_conn *conn, uint8_t msg, struct hs_view *v)
{
	switch (msg) {
	case HS_MSG_GLOBAL_REQUEST:
		return handle_global(conn, v);
	case HS_MSG_REQUEST_SUCCESS:
	case HS_MSG_REQUEST_FAILURE:
		return 0; /* answers to our keepalives */
	case HS_MSG_CHANNEL_OPEN:
		return handle_open(conn, v);
	case HS_MSG_CHANNEL_WINDOW_ADJUST:
		return handle_window_adjust(conn, v);
	case HS_MSG_CHANNEL_DATA:
	case HS_MSG_CHANNEL_EXTENDED_DATA:
		return handle_data(conn, msg, v);
	case HS_MSG_CHANNEL_EOF:
		return handle_eof(conn, v);
	case HS_MSG_CHANNEL_CLOSE:
		return handle_close(conn, v);
	case HS_MSG_CHANNEL_REQUEST:
		return handle_request(conn, v);
	case HS_MSG_CHANNEL_SUCCESS:
	case HS_MSG_CHANNEL_FAILURE: {
		struct hs_channel *ch;
		return get_channel_only(conn, v, &ch);
	}
	default:
		return HS_ERR_UNEXPECTED_MSG;
	}
}

/* --- public channel API --- */

void hs_channel_set_data(struct hs_channel *ch, void *data) { ch->data = data; }
void *hs_channel_get_data(const struct hs_channel *ch) { return ch->data; }
struct hs_conn *hs_channel_conn(const struct hs_channel *ch) { return ch->conn; }

/* Nothing may be sent before OPEN_CONFIRMATION is (session_requested runs
 * before it is built), after our EOF or CLOSE, or on a closing connection. */
static int can_send(const struct hs_channel *ch)
{
	return ch->confirmed && !ch->sent_eof && !ch->sent_close && !ch->conn->closing;
}

static int kex_holding(const struct hs_conn *conn)
{
	return conn->kex.step == HS_KEX_SENT_KEXINIT || conn->kex.step == HS_KEX_WAIT_INIT;
}

size_t hs_channel_write_space(const struct hs_channel *ch)
{
	if (!can_send(ch) || kex_holding(ch->conn) || hs__conn_output_full(ch->conn))
		return 0;
	size_t room = HS_OUTPUT_HIGH - hs__buf_len(&ch->conn->pkt.out);
	return ch->remote_window < room ? ch->remote_window : room;
}

int hs_channel_write(struct hs_channel *ch, const void *data, size_t len, enum hs_stream stream, size_t *written)
{
	struct hs_conn *conn = ch->conn;
	const uint8_t *p = data;
	size_t done = 0;
	int r = 0;
	*written = 0;
	if (!can_send(ch))
		return HS_ERR_CLOSED;
	while (done < len && ch->remote_window > 0 && !kex_holding(conn) && !hs__conn_output_full(conn)) {
		size_t chunk = len - done;
		if (chunk > ch->remote_window)
			chunk = ch->remote_window;
		if (chunk > ch->remote_max_packet)
			chunk = ch->remote_max_packet;
		uint8_t msg = stream == HS_STREAM_DATA ? HS_MSG_CHANNEL_DATA : HS_MSG_CHANNEL_EXTENDED_DATA;
		if ((r = hs__packet_begin(&conn->pkt, msg)) != 0)
			break;
		struct hs_buf *b = &conn->pkt.out;
		if ((r = hs__buf_put_u32(b, ch->remote_id)) != 0 ||
		    (msg == HS_MSG_CHANNEL_EXTENDED_DATA && (r = hs__buf_put_u32(b, (uint32_t)stream)) != 0) ||
		    (r = hs__buf_put_string(b, p + done, chunk)) != 0 || (r = hs__packet_finish(&conn->pkt)) != 0) {
			hs__packet_abort(&conn->pkt);
			break;
		}
		ch->remote_window -= (uint32_t)chunk;
		done += chunk;
	}
	*written = done;
	if (done > 0)
		hs__conn_kick(conn);
	if (done < len) {
		ch->want_write_ready = 1;
		if (hs__conn_output_full(conn) || kex_holding(conn))
			conn->want_write_ready = 1;
	}
	if (r != 0 && done == 0)
		return r;
	if (hs__kex_wanted(conn) && (r = hs__kex_start(conn)) != 0)
		hs__conn_fail(conn, r, 0, "cannot start key exchange");
	return 0;
}

int hs_channel_write_eof(struct hs_channel *ch)
{
	int r;
	if (!can_send(ch))
		return HS_ERR_CLOSED;
	if ((r = send_u32_msg(ch->conn, HS_MSG_CHANNEL_EOF, ch->remote_id)) != 0)
		return r;
	ch->sent_eof = 1;
	return 0;
}

static int request_begin(struct hs_channel *ch, const char *type)
{
	int r;
	if (!ch->confirmed || ch->sent_close || ch->conn->closing)
		return HS_ERR_CLOSED;
	if ((r = hs__conn_begin(ch->conn, HS_MSG_CHANNEL_REQUEST)) != 0)
		return r;
	struct hs_buf *b = hs__conn_body(ch->conn);
	if ((r = hs__buf_put_u32(b, ch->remote_id)) != 0 || (r = hs__buf_put_cstring(b, type)) != 0 ||
	    (r = hs__buf_put_bool(b, 0)) != 0)
		return r;
	return 0;
}

int hs_channel_exit_status(struct hs_channel *ch, uint32_t status)
{
	int r;
	if ((r = request_begin(ch, "exit-status")) != 0)
		return r;
	if ((r = hs__buf_put_u32(hs__conn_body(ch->conn), status)) != 0)
		return r;
	return hs__conn_end(ch->conn);
}

int hs_channel_exit_signal(struct hs_channel *ch, const char *signal, int core_dumped, const char *message)
{
	int r;
	if ((r = request_begin(ch, "exit-signal")) != 0)
		return r;
	struct hs_buf *b = hs__conn_body(ch->conn);
	if ((r = hs__buf_put_cstring(b, signal)) != 0 || (r = hs__buf_put_bool(b, core_dumped)) != 0 ||
	    (r = hs__buf_put_cstring(b, message ? message : "")) != 0 || (r = hs__buf_put_cstring(b, "")) != 0) {
		hs__conn_abort(ch->conn);
		return r;
	}
	return hs__conn_end(ch->conn);
}

int hs_channel_close(struct hs_channel *ch)
{
	if (!ch->confirmed || ch->conn->closing)
		return HS_ERR_CLOSED;
	return send_close(ch);
}

void hs_channel_pause_reading(struct hs_channel *ch)
{
	ch->paused = 1;
}

void hs_channel_resume_reading(struct hs_channel *ch)
{
	if (!ch->paused)
		return;
	ch->paused = 0;
	if (ch->local_consumed > 0 && !ch->conn->closing && send_window_adjust(ch) != 0)
		hs__conn_fail(ch->conn, HS_ERR_INTERNAL, 0, "cannot send window adjust");
}
