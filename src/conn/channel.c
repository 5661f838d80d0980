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

#include "core/conn_priv.h"

#define TYPE_MAX (HS_MAX_NAME + 1) /* RFC 4251 §6: names are at most 64 characters */

static struct hs_channel *lookup(struct hs_conn *conn, uint32_t id)
{
	if (conn->channels.slot == NULL || id >= conn->channels.cap)
		return NULL;
	return conn->channels.slot[id];
}

/* Is ch still open after a callback (which may close it, or the
 * connection)? */
static int still_open(struct hs_conn *conn, const struct hs_channel *ch, uint32_t id)
{
	return !conn->closing && lookup(conn, id) == ch;
}

static void release(struct hs_conn *conn, struct hs_channel *ch, int err)
{
	if (conn->channels.asking != NULL && conn->channels.asking == ch)
		conn->channels.asking = NULL; /* no answer is taken from here on */
	conn->channels.slot[ch->local_id] = NULL;
	conn->channels.open--;
	if (ch->confirmed && ch->cb != NULL && ch->cb->connection_lost != NULL)
		ch->cb->connection_lost(ch, err);
	free(ch);
}

void hs__channels_lost(struct hs_conn *conn, int err)
{
	for (uint32_t i = 0; i < conn->channels.cap; i++)
		if (conn->channels.slot[i] != NULL)
			release(conn, conn->channels.slot[i], err);
}

void hs__channels_write_ready(struct hs_conn *conn)
{
	for (uint32_t i = 0; i < conn->channels.cap && !conn->closing; i++) {
		struct hs_channel *ch = conn->channels.slot[i];
		if (ch == NULL || !ch->want_write_ready || ch->remote_window == 0 || ch->sent_close)
			continue;
		if (hs__conn_output_room(conn) == 0) {
			conn->channels.want_write_ready = 1;
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
	struct hs_buf *b;
	int r;
	if ((r = hs__conn_begin(conn, msg, &b)) != 0)
		return r;
	return hs__conn_end(conn, hs__buf_put_u32(b, value));
}

static int send_window_adjust(struct hs_channel *ch)
{
	struct hs_buf *b;
	int r;
	uint32_t add = ch->local_consumed;
	if (add == 0 || ch->sent_close || ch->got_eof)
		return 0;
	if ((r = hs__conn_begin(ch->conn, HS_MSG_CHANNEL_WINDOW_ADJUST, &b)) != 0)
		return r;
	if ((r = hs__buf_put_u32(b, ch->remote_id)) == 0)
		r = hs__buf_put_u32(b, add);
	if ((r = hs__conn_end(ch->conn, r)) != 0)
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
	struct hs_buf *b;
	int r;
	if ((r = hs__conn_begin(conn, HS_MSG_CHANNEL_OPEN_FAILURE, &b)) != 0)
		return r;
	if ((r = hs__buf_put_u32(b, sender)) == 0 && (r = hs__buf_put_u32(b, reason)) == 0 &&
	    (r = hs__buf_put_cstring(b, text)) == 0)
		r = hs__buf_put_cstring(b, "");
	return hs__conn_end(conn, r);
}

static int new_channel(struct hs_conn *conn, struct hs_channel **out)
{
	struct hs_channels *cs = &conn->channels;
	if (cs->slot == NULL) {
		cs->slot = calloc(conn->cfg->max_channels, sizeof(struct hs_channel *));
		if (cs->slot == NULL)
			return HS_ERR_ALLOC;
		cs->cap = conn->cfg->max_channels;
	}
	for (uint32_t i = 0; i < cs->cap; i++) {
		if (cs->slot[i] != NULL)
			continue;
		struct hs_channel *ch = calloc(1, sizeof(*ch));
		if (ch == NULL)
			return HS_ERR_ALLOC;
		ch->conn = conn;
		ch->local_id = i;
		cs->slot[i] = ch;
		cs->open++;
		*out = ch;
		return 0;
	}
	return HS_ERR_LIMIT;
}

static int handle_open(struct hs_conn *conn, struct hs_view *v)
{
	char type[TYPE_MAX], host[HS_MAX_HOST_NAME] = "", orig[HS_MAX_HOST_NAME] = "";
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
		if ((r = hs__view_get_cstring(v, host, sizeof host)) != 0 ||
		    (r = hs__view_get_u32(v, &open.port)) != 0 ||
		    (r = hs__view_get_cstring(v, orig, sizeof orig)) != 0 ||
		    (r = hs__view_get_u32(v, &open.originator_port)) != 0 || (r = hs__view_end(v)) != 0)
			return send_open_failure(conn, sender, HS_OPEN_CONNECT_FAILED,
			                         "malformed direct-tcpip request");
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
	struct hs_buf *b;
	if ((r = hs__conn_begin(conn, HS_MSG_CHANNEL_OPEN_CONFIRMATION, &b)) != 0)
		return r;
	if ((r = hs__buf_put_u32(b, sender)) == 0 && (r = hs__buf_put_u32(b, ch->local_id)) == 0 &&
	    (r = hs__buf_put_u32(b, ch->local_window)) == 0)
		r = hs__buf_put_u32(b, HS_CHANNEL_MAX_PACKET);
	return hs__conn_end(conn, r);
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
	if (!still_open(conn, ch, id))
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

/* A handler reads its request's fields from v (positioned after
 * want-reply) and sets *ok to HS_YES to accept. A malformed body is an
 * error (the connection ends with a protocol error, RFC 4254 gives no
 * other answer to it); a string longer than we take is a refusal. Each
 * ends by checking that nothing is left (hs__view_end). */
typedef int (*request_fn)(struct hs_channel *ch, struct hs_view *v, int *ok);

/* A string field that may be too long to take: *fits is 0 then. */
static int get_text(struct hs_view *v, char *dst, size_t dstsize, int *fits)
{
	int r = hs__view_get_cstring(v, dst, dstsize);
	*fits = r != HS_ERR_LIMIT;
	return r == HS_ERR_LIMIT ? 0 : r;
}

static int req_shell(struct hs_channel *ch, struct hs_view *v, int *ok)
{
	int r;
	if ((r = hs__view_end(v)) != 0)
		return r;
	if (!ch->started && ch->cb->shell_requested != NULL)
		*ok = ch->cb->shell_requested(ch);
	return 0;
}

/* exec and subsystem: one string, the command or the subsystem name. */
static int get_start_arg(struct hs_channel *ch, struct hs_view *v, char arg[HS_MAX_REQUEST_STRING + 1], int *usable)
{
	int fits, r;
	if ((r = get_text(v, arg, HS_MAX_REQUEST_STRING + 1, &fits)) != 0)
		return r;
	if (fits && (r = hs__view_end(v)) != 0)
		return r;
	*usable = fits && !ch->started;
	return 0;
}

static int req_exec(struct hs_channel *ch, struct hs_view *v, int *ok)
{
	char arg[HS_MAX_REQUEST_STRING + 1];
	int usable, r;
	if ((r = get_start_arg(ch, v, arg, &usable)) != 0)
		return r;
	if (usable && ch->cb->exec_requested != NULL)
		*ok = ch->cb->exec_requested(ch, arg);
	return 0;
}

static int req_subsystem(struct hs_channel *ch, struct hs_view *v, int *ok)
{
	char arg[HS_MAX_REQUEST_STRING + 1];
	int usable, r;
	if ((r = get_start_arg(ch, v, arg, &usable)) != 0)
		return r;
	if (usable && ch->cb->subsystem_requested != NULL)
		*ok = ch->cb->subsystem_requested(ch, arg);
	return 0;
}

/* RFC 4254 §6.2 */
static int req_pty(struct hs_channel *ch, struct hs_view *v, int *ok)
{
	char term[HS_MAX_TERM_NAME];
	struct hs_pty_request pty;
	struct hs_bytes modes;
	int fits, r;
	if ((r = get_text(v, term, sizeof term, &fits)) != 0)
		return r;
	if (!fits)
		return 0;
	if ((r = hs__view_get_u32(v, &pty.cols)) != 0 || (r = hs__view_get_u32(v, &pty.rows)) != 0 ||
	    (r = hs__view_get_u32(v, &pty.width_px)) != 0 || (r = hs__view_get_u32(v, &pty.height_px)) != 0 ||
	    (r = hs__view_get_string(v, &modes)) != 0 || (r = hs__view_end(v)) != 0)
		return r;
	pty.term = term;
	pty.modes = modes.ptr;
	pty.modes_len = modes.len;
	if (ch->cb->pty_requested != NULL)
		*ok = ch->cb->pty_requested(ch, &pty);
	return 0;
}

/* RFC 4254 §6.4 */
static int req_env(struct hs_channel *ch, struct hs_view *v, int *ok)
{
	char name[HS_MAX_ENV_NAME], value[HS_MAX_REQUEST_STRING + 1];
	int fits, r;
	if ((r = get_text(v, name, sizeof name, &fits)) != 0 || !fits)
		return r;
	if ((r = get_text(v, value, sizeof value, &fits)) != 0 || !fits)
		return r;
	if ((r = hs__view_end(v)) != 0)
		return r;
	if (ch->cb->env_requested != NULL)
		*ok = ch->cb->env_requested(ch, name, value);
	return 0;
}

/* RFC 4254 §6.7 */
static int req_window_change(struct hs_channel *ch, struct hs_view *v, int *ok)
{
	uint32_t cols, rows, w, h;
	int r;
	if ((r = hs__view_get_u32(v, &cols)) != 0 || (r = hs__view_get_u32(v, &rows)) != 0 ||
	    (r = hs__view_get_u32(v, &w)) != 0 || (r = hs__view_get_u32(v, &h)) != 0 || (r = hs__view_end(v)) != 0)
		return r;
	if (ch->cb->terminal_size_changed != NULL) {
		ch->cb->terminal_size_changed(ch, cols, rows, w, h);
		*ok = HS_YES;
	}
	return 0;
}

/* RFC 4254 §6.9 */
static int req_signal(struct hs_channel *ch, struct hs_view *v, int *ok)
{
	char sig[HS_MAX_SIGNAL_NAME];
	int fits, r;
	if ((r = get_text(v, sig, sizeof sig, &fits)) != 0 || !fits)
		return r;
	if ((r = hs__view_end(v)) != 0)
		return r;
	if (ch->cb->signal_received != NULL) {
		ch->cb->signal_received(ch, sig);
		*ok = HS_YES;
	}
	return 0;
}

/* RFC 4335 */
static int req_break(struct hs_channel *ch, struct hs_view *v, int *ok)
{
	uint32_t ms;
	int r;
	if ((r = hs__view_get_u32(v, &ms)) != 0 || (r = hs__view_end(v)) != 0)
		return r;
	if (ch->cb->break_received != NULL)
		*ok = ch->cb->break_received(ch, ms);
	return 0;
}

/* x11-req, auth-agent-req@openssh.com, keepalive@openssh.com and anything
 * else not here: refused, body unread (RFC 4254 §5.4). */
static const struct {
	const char *name;
	request_fn handle;
} request_handlers[] = {
	{ "shell", req_shell },   { "exec", req_exec },   { "subsystem", req_subsystem },
	{ "pty-req", req_pty },   { "env", req_env },     { "window-change", req_window_change },
	{ "signal", req_signal }, { "break", req_break },
};

static request_fn find_request(const char *type)
{
	for (size_t i = 0; i < sizeof request_handlers / sizeof request_handlers[0]; i++)
		if (strcmp(request_handlers[i].name, type) == 0)
			return request_handlers[i].handle;
	return NULL;
}

static int handle_request(struct hs_conn *conn, struct hs_view *v)
{
	uint32_t id;
	char type[TYPE_MAX];
	int want_reply, ok = HS_NO, fits, r;
	if ((r = hs__view_get_u32(v, &id)) != 0)
		return r;
	struct hs_channel *ch = lookup(conn, id);
	if (ch == NULL || ch->got_close)
		return HS_ERR_PROTOCOL;
	if ((r = get_text(v, type, sizeof type, &fits)) != 0)
		return r;
	if (!fits) { /* a name longer than any we know: skip it */
		struct hs_bytes skip;
		if ((r = hs__view_get_string(v, &skip)) != 0)
			return r;
		type[0] = '\0';
	}
	if ((r = hs__view_get_bool(v, &want_reply)) != 0)
		return r;
	if (ch->sent_close)
		return 0;
	request_fn handle = find_request(type);
	if (handle != NULL && (r = handle(ch, v, &ok)) != 0)
		return r;
	int starts = handle == req_exec || handle == req_subsystem || handle == req_shell;
	if (starts)
		ch->started |= ok == HS_YES;
	if (!still_open(conn, ch, id))
		return 0;
	if (starts && ok == HS_PENDING) {
		/* nothing more is read until hs_channel_answer: the peer's
		 * next messages (data for what starts here) wait their turn */
		conn->channels.asking = ch;
		conn->channels.asking_want_reply = want_reply;
		hs__conn_wait_answer(conn, HS_WAIT_CHANNEL);
		return 0;
	}
	return reply(ch, want_reply, ok == HS_YES);
}

int hs__channels_resume(struct hs_conn *conn, int answer)
{
	struct hs_channel *ch = conn->channels.asking;
	conn->channels.asking = NULL;
	if (ch == NULL)
		return 0; /* released meanwhile: only a lost connection does that */
	ch->started |= answer == HS_YES;
	/* reply() sends nothing on a channel the application closed */
	return reply(ch, conn->channels.asking_want_reply, answer == HS_YES);
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
		char addr[HS_MAX_HOST_NAME];
		if (hs__view_get_cstring(v, addr, sizeof addr) == 0 && hs__view_get_u32(v, &port) == 0 &&
		    hs__view_end(v) == 0 && conn->cb->server_requested != NULL) {
			bound = port;
			ok = conn->cb->server_requested(conn, addr, port, &bound) == HS_YES;
		}
	}
	if (!want_reply || conn->closing)
		return 0;
	struct hs_buf *b;
	if ((r = hs__conn_begin(conn, ok ? HS_MSG_REQUEST_SUCCESS : HS_MSG_REQUEST_FAILURE, &b)) != 0)
		return r;
	/* RFC 4254 §7.1: the bound port is returned when 0 was asked for. */
	if (ok && port == 0)
		r = hs__buf_put_u32(b, bound);
	return hs__conn_end(conn, r);
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

void hs_channel_set_data(struct hs_channel *ch, void *data)
{
	ch->data = data;
}
void *hs_channel_get_data(const struct hs_channel *ch)
{
	return ch->data;
}
struct hs_conn *hs_channel_conn(const struct hs_channel *ch)
{
	return ch->conn;
}

int hs_channel_answer(struct hs_channel *ch, int answer)
{
	if (ch == NULL || (answer != HS_YES && answer != HS_NO) || ch->conn->channels.asking != ch)
		return HS_ERR_INVALID_ARG;
	return hs__conn_give_answer(ch->conn, HS_WAIT_CHANNEL, answer);
}

/* Nothing may be sent before OPEN_CONFIRMATION is (session_requested runs
 * before it is built), after our EOF or CLOSE, or on a closing connection. */
static int can_send(const struct hs_channel *ch)
{
	return ch->confirmed && !ch->sent_eof && !ch->sent_close && !ch->conn->closing;
}

size_t hs_channel_write_space(const struct hs_channel *ch)
{
	if (!can_send(ch) || hs__conn_holding(ch->conn))
		return 0;
	size_t room = hs__conn_output_room(ch->conn);
	return ch->remote_window < room ? ch->remote_window : room;
}

/* One CHANNEL_DATA or CHANNEL_EXTENDED_DATA packet. */
static int send_data(struct hs_channel *ch, const uint8_t *p, size_t n, enum hs_stream stream)
{
	uint8_t msg = stream == HS_STREAM_DATA ? HS_MSG_CHANNEL_DATA : HS_MSG_CHANNEL_EXTENDED_DATA;
	struct hs_buf *b;
	int r;
	if ((r = hs__conn_begin(ch->conn, msg, &b)) != 0)
		return r;
	r = hs__buf_put_u32(b, ch->remote_id);
	if (r == 0 && msg == HS_MSG_CHANNEL_EXTENDED_DATA)
		r = hs__buf_put_u32(b, (uint32_t)stream);
	if (r == 0)
		r = hs__buf_put_string(b, p, n);
	return hs__conn_end(ch->conn, r);
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
	while (done < len && ch->remote_window > 0 && !hs__conn_holding(conn) && hs__conn_output_room(conn) > 0) {
		size_t chunk = len - done;
		if (chunk > ch->remote_window)
			chunk = ch->remote_window;
		if (chunk > ch->remote_max_packet)
			chunk = ch->remote_max_packet;
		if ((r = send_data(ch, p + done, chunk, stream)) != 0)
			break;
		ch->remote_window -= (uint32_t)chunk;
		done += chunk;
	}
	*written = done;
	if (done > 0)
		hs__conn_kick(conn);
	if (done < len) {
		ch->want_write_ready = 1;
		if (hs__conn_output_room(conn) == 0 || hs__conn_holding(conn))
			conn->channels.want_write_ready = 1;
	}
	if (r != 0 && done == 0)
		return r;
	(void)hs__conn_check(conn, hs__conn_rekey_if_due(conn)); /* a failure ends the connection */
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

/* The head of a CHANNEL_REQUEST of ours (no reply wanted); the request's
 * own fields follow. */
static int put_request_head(struct hs_channel *ch, struct hs_buf *b, const char *type)
{
	int r;
	if ((r = hs__buf_put_u32(b, ch->remote_id)) == 0 && (r = hs__buf_put_cstring(b, type)) == 0)
		r = hs__buf_put_bool(b, 0);
	return r;
}

static int can_request(const struct hs_channel *ch)
{
	return ch->confirmed && !ch->sent_close && !ch->conn->closing;
}

int hs_channel_exit_status(struct hs_channel *ch, uint32_t status)
{
	struct hs_buf *b;
	int r;
	if (!can_request(ch))
		return HS_ERR_CLOSED;
	if ((r = hs__conn_begin(ch->conn, HS_MSG_CHANNEL_REQUEST, &b)) != 0)
		return r;
	if ((r = put_request_head(ch, b, "exit-status")) == 0)
		r = hs__buf_put_u32(b, status);
	return hs__conn_end(ch->conn, r);
}

int hs_channel_exit_signal(struct hs_channel *ch, const char *signal, int core_dumped, const char *message)
{
	struct hs_buf *b;
	int r;
	if (!can_request(ch))
		return HS_ERR_CLOSED;
	if ((r = hs__conn_begin(ch->conn, HS_MSG_CHANNEL_REQUEST, &b)) != 0)
		return r;
	if ((r = put_request_head(ch, b, "exit-signal")) == 0 && (r = hs__buf_put_cstring(b, signal)) == 0 &&
	    (r = hs__buf_put_bool(b, core_dumped)) == 0 && (r = hs__buf_put_cstring(b, message ? message : "")) == 0)
		r = hs__buf_put_cstring(b, "");
	return hs__conn_end(ch->conn, r);
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
	if (ch->local_consumed > 0 && !ch->conn->closing)
		(void)hs__conn_check(ch->conn, send_window_adjust(ch)); /* a failure ends the connection */
}
