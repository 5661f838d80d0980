/*
 * hostsd program — subsystem sessions run as child processes (see
 * subsystem.h).
 *
 * Life of a session: the channel is accepted with this module's callbacks;
 * a granted subsystem request asks the launcher (the monitor, in `hostsd
 * serve`) to start the child, and is answered when the child runs (its
 * three socket pairs are then ours) or could not be started. Peer data is written to the child's stdin
 * (try_write first, a bounded queue after, reading paused above
 * HSD_STDIN_HIGH); the child's stdout and stderr are read one chunk at a
 * time and handed to hs_channel_write, and a stream stops being read while
 * the channel has not taken its last chunk (resumed on write_ready).
 *
 * The channel ends in one of two ways. The child finishes first: once it
 * has exited and both its output streams reached EOF and were sent, we send
 * EOF, exit-status (or exit-signal) and CLOSE, in that order. Or the channel
 * goes first (peer CLOSE, connection lost): the child's process group gets
 * SIGTERM and, after a grace period, SIGKILL, through the launcher. The
 * session frees itself when its channel is gone, its child's end has been
 * reported and every libuv handle is closed.
 */
#include "daemon/subsystem.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/log.h"
#include "daemon/policy.h"

struct out_stream {
	uv_pipe_t pipe;
	struct hsd_session *s;
	enum hs_stream kind;
	uint8_t *buf;    /* one chunk read from the child */
	size_t off, len; /* the part the channel has not taken yet */
	int open;        /* the handle is initialised and not closing */
	int reading;
	int eof; /* nothing more will come from the child */
	uint64_t bytes;
};

struct stdin_write {
	uv_write_t req;
	struct hsd_session *s;
	size_t len;
	uint8_t data[];
};

struct hsd_session {
	uv_loop_t *loop;
	hsd_session_resolve_fn resolve;
	hsd_session_closed_fn closed;
	void *ctx;
	const struct hsd_launcher *launcher;
	void *launcher_ctx;
	char *host, *key_fp, *peer_addr;
	uint32_t kill_grace_ms;

	struct hs_channel *ch; /* NULL once the channel is gone */
	char *subsystem;
	char *command;
	int starting; /* the launcher is starting the child */
	int started;  /* the child runs (or ran) */
	int pid;

	uv_timer_t kill_timer;
	uv_pipe_t in;
	struct out_stream out, err;
	int timer_open, in_open;
	int handles;    /* libuv handles not yet closed */
	int child_live; /* the launcher has a child to report the end of */

	int exited;
	int64_t exit_status;
	int term_signal;
	int killed; /* we signalled it */

	size_t in_queued; /* bytes in uv_write requests to stdin */
	int paused;       /* we paused the peer's window */
	int peer_eof;     /* the peer sent EOF */
	int sent_close;
	uint64_t bytes_in, bytes_dropped;
	uint64_t start_ms;
	const char *end_reason;
	int counted; /* in live_sessions */
};

/* libuv's uv_buf_t has a writable base even for data it only writes out:
 * this hands it bytes we only let it read. */
static char *uv_base(const uint8_t *p)
{
	char *base;
	memcpy(&base, &p, sizeof base);
	return base;
}

/* Sessions still winding down, for the program's shutdown accounting. */
static unsigned live_sessions;

static void maybe_finish(struct hsd_session *s);
static void maybe_free(struct hsd_session *s);
static void start_reading(struct out_stream *o);

unsigned hsd_session_live_count(void)
{
	return live_sessions;
}

const char *hsd_signal_name(int signum)
{
	/* RFC 4254 §6.10: the standard names, without "SIG" */
	switch (signum) {
	case SIGABRT:
		return "ABRT";
	case SIGALRM:
		return "ALRM";
	case SIGFPE:
		return "FPE";
	case SIGHUP:
		return "HUP";
	case SIGILL:
		return "ILL";
	case SIGINT:
		return "INT";
	case SIGKILL:
		return "KILL";
	case SIGPIPE:
		return "PIPE";
	case SIGQUIT:
		return "QUIT";
	case SIGSEGV:
		return "SEGV";
	case SIGTERM:
		return "TERM";
	case SIGUSR1:
		return "USR1";
	case SIGUSR2:
		return "USR2";
	default:
		return NULL;
	}
}

static char *dup_or_empty(const char *s)
{
	return strdup(s != NULL ? s : "");
}

int hsd_session_new(const struct hsd_session_config *cfg, struct hs_channel *ch, struct hsd_session **out)
{
	struct hsd_session *s = calloc(1, sizeof(*s));
	*out = NULL;
	if (s == NULL)
		return HS_ERR_ALLOC;
	s->ch = ch;
	s->loop = cfg->loop;
	s->resolve = cfg->resolve;
	s->closed = cfg->closed;
	s->ctx = cfg->ctx;
	s->launcher = cfg->launcher;
	s->launcher_ctx = cfg->launcher_ctx;
	s->kill_grace_ms = cfg->kill_grace_ms ? cfg->kill_grace_ms : HSD_DEFAULT_KILL_GRACE_MS;
	s->host = dup_or_empty(cfg->host);
	s->key_fp = dup_or_empty(cfg->key_fp);
	s->peer_addr = dup_or_empty(cfg->peer_addr);
	s->out.s = s->err.s = s;
	s->out.kind = HS_STREAM_DATA;
	s->err.kind = HS_STREAM_STDERR;
	if (s->host == NULL || s->key_fp == NULL || s->peer_addr == NULL) {
		hsd_session_discard(s);
		return HS_ERR_ALLOC;
	}
	live_sessions++;
	s->counted = 1;
	*out = s;
	return 0;
}

static void free_session(struct hsd_session *s)
{
	if (s->counted)
		live_sessions--;
	free(s->host);
	free(s->key_fp);
	free(s->peer_addr);
	free(s->subsystem);
	free(s->command);
	free(s->out.buf);
	free(s->err.buf);
	free(s);
}

void hsd_session_discard(struct hsd_session *s)
{
	if (s == NULL)
		return;
	/* never accepted: no handles were made */
	free_session(s);
}

/* --- handles --- */

static void on_handle_closed(uv_handle_t *h)
{
	struct hsd_session *s = h->data;
	s->handles--;
	maybe_free(s);
}

static void on_stream_closed(uv_handle_t *h)
{
	struct out_stream *o = h->data;
	o->s->handles--;
	maybe_free(o->s);
}

static void close_stream(struct out_stream *o)
{
	if (!o->open)
		return;
	o->open = 0;
	o->reading = 0;
	o->eof = 1;
	uv_close((uv_handle_t *)&o->pipe, on_stream_closed);
}

static void close_stdin(struct hsd_session *s)
{
	if (!s->in_open)
		return;
	s->in_open = 0;
	/* queued writes complete with UV_ECANCELED and free themselves */
	uv_close((uv_handle_t *)&s->in, on_handle_closed);
	if (s->paused && s->ch != NULL) {
		/* what the peer sends now is discarded: let it flow */
		s->paused = 0;
		hs_channel_resume_reading(s->ch);
	}
}

/* Signal the child's whole process group (the launcher started it as the
 * leader of one), so `sh -c 'a; b'` and what it started go too. Only
 * while its end has not been reported, so the group cannot be another's. */
static void signal_child(struct hsd_session *s, int sig)
{
	if (!s->child_live)
		return;
	s->killed = 1;
	s->launcher->signal(s->launcher_ctx, s, sig);
}

static void on_kill_timer(uv_timer_t *t)
{
	struct hsd_session *s = t->data;
	signal_child(s, SIGKILL);
}

static void maybe_free(struct hsd_session *s)
{
	if (s->ch != NULL || s->handles > 0 || s->child_live || s->starting)
		return;
	if (s->started) {
		char status[64];
		if (!s->exited)
			snprintf(status, sizeof status, "exit=unknown");
		else if (s->term_signal != 0)
			snprintf(status, sizeof status, "signal=%s",
			         hsd_signal_name(s->term_signal) != NULL ? hsd_signal_name(s->term_signal) : "other");
		else
			snprintf(status, sizeof status, "exit=%lld", (long long)s->exit_status);
		uint64_t ms = uv_now(s->loop) - s->start_ms;
		hsd_log(HSD_LOG_INFO,
		        "session end peer=%s host=%s subsystem=%s bytes_in=%llu bytes_out=%llu bytes_err=%llu %s "
		        "seconds=%llu.%03llu reason=\"%s\"",
		        s->peer_addr, s->host, s->subsystem, (unsigned long long)s->bytes_in,
		        (unsigned long long)s->out.bytes, (unsigned long long)s->err.bytes, status,
		        (unsigned long long)(ms / 1000), (unsigned long long)(ms % 1000),
		        s->end_reason ? s->end_reason : "completed");
	}
	free_session(s);
}

/* --- child to peer --- */

/* Hand what is left of o's chunk to the channel. Returns 1 when it was all
 * taken, 0 when the channel is full (write_ready will come), -1 when the
 * channel cannot take data any more. */
static int push_out(struct out_stream *o)
{
	struct hsd_session *s = o->s;
	size_t done = 0;
	if (o->len == 0)
		return 1;
	if (s->ch == NULL || s->sent_close)
		return -1;
	if (hs_channel_write(s->ch, o->buf + o->off, o->len, o->kind, &done) != 0) {
		o->len = o->off = 0;
		return -1;
	}
	o->bytes += done;
	o->off += done;
	o->len -= done;
	if (o->len > 0)
		return 0;
	o->off = 0;
	return 1;
}

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
	struct out_stream *o = h->data;
	if (o->buf == NULL)
		o->buf = malloc(HSD_OUTPUT_CHUNK);
	/* a chunk not yet taken by the channel is never overwritten: reading
	 * stops while one is pending */
	if (o->buf == NULL || o->len > 0) {
		*buf = uv_buf_init(NULL, 0);
		return;
	}
	*buf = uv_buf_init((char *)o->buf, HSD_OUTPUT_CHUNK);
}

static void stop_reading(struct out_stream *o)
{
	if (o->reading) {
		uv_read_stop((uv_stream_t *)&o->pipe);
		o->reading = 0;
	}
}

static void on_read(uv_stream_t *st, ssize_t nread, const uv_buf_t *buf)
{
	struct out_stream *o = st->data;
	struct hsd_session *s = o->s;
	if (nread == 0 || nread == UV_ENOBUFS) {
		if (nread == UV_ENOBUFS)
			stop_reading(o); /* out of memory: wait for write_ready */
		return;
	}
	if (nread < 0) {
		/* EOF, or the child's end is broken: either way nothing more */
		close_stream(o);
		maybe_finish(s);
		return;
	}
	o->off = 0;
	o->len = (size_t)nread;
	/* Not all taken: either the peer is slow (the child waits for
	 * write_ready) or the channel is closing (its connection_lost will end
	 * the child). */
	if (push_out(o) <= 0)
		stop_reading(o);
}

static void start_reading(struct out_stream *o)
{
	if (!o->open || o->reading || o->eof || o->len > 0)
		return;
	if (uv_read_start((uv_stream_t *)&o->pipe, on_alloc, on_read) == 0)
		o->reading = 1;
	else
		close_stream(o);
}

static void session_write_ready(struct hs_channel *ch)
{
	struct hsd_session *s = hs_channel_get_data(ch);
	/* stdout first, then stderr: both share the channel's window */
	int r = push_out(&s->out);
	if (r > 0)
		r = push_out(&s->err);
	if (r < 0)
		return;
	if (s->out.len == 0)
		start_reading(&s->out);
	if (s->err.len == 0)
		start_reading(&s->err);
	maybe_finish(s);
}

/* The child is done and everything it wrote has been sent: EOF, then the
 * exit status, then CLOSE (RFC 4254 §6.10: status before CLOSE). */
static void maybe_finish(struct hsd_session *s)
{
	if (s->ch == NULL || s->sent_close || !s->started || !s->exited)
		return;
	if (!s->out.eof || !s->err.eof || s->out.len > 0 || s->err.len > 0)
		return;
	int r = hs_channel_write_eof(s->ch);
	if (r == 0) {
		const char *name = s->term_signal ? hsd_signal_name(s->term_signal) : NULL;
		if (name != NULL)
			r = hs_channel_exit_signal(s->ch, name, 0, "");
		else if (s->term_signal != 0) /* no standard name: as a shell reports it */
			r = hs_channel_exit_status(s->ch, 128u + (uint32_t)s->term_signal);
		else
			r = hs_channel_exit_status(s->ch, (uint32_t)s->exit_status);
	}
	(void)r; /* the connection may be closing; CLOSE is still attempted */
	s->sent_close = 1;
	s->end_reason = "child exited";
	(void)hs_channel_close(s->ch);
}

void hsd_session_exited(struct hsd_session *s, int64_t exit_status, int term_signal)
{
	if (!s->child_live)
		return;
	s->child_live = 0;
	s->exited = 1;
	s->exit_status = exit_status;
	s->term_signal = term_signal;
	if (s->timer_open) {
		s->timer_open = 0;
		uv_close((uv_handle_t *)&s->kill_timer, on_handle_closed);
	}
	if (s->ch == NULL) {
		maybe_free(s);
		return;
	}
	/* the child's stdin is useless now */
	if (s->in_queued == 0)
		close_stdin(s);
	maybe_finish(s);
}

/* --- peer to child --- */

static void on_stdin_written(uv_write_t *req, int status)
{
	struct stdin_write *w = (struct stdin_write *)req;
	struct hsd_session *s = w->s;
	s->in_queued -= w->len;
	free(w);
	if (status < 0 && status != UV_ECANCELED) {
		/* the child closed its stdin: discard the rest, as OpenSSH does */
		close_stdin(s);
		return;
	}
	if (!s->in_open)
		return;
	if (s->paused && s->in_queued <= HSD_STDIN_LOW && s->ch != NULL) {
		s->paused = 0;
		hs_channel_resume_reading(s->ch);
	}
	if ((s->peer_eof || s->exited) && s->in_queued == 0)
		close_stdin(s);
}

static void session_data(struct hs_channel *ch, const uint8_t *data, size_t len, enum hs_stream stream)
{
	struct hsd_session *s = hs_channel_get_data(ch);
	if (stream != HS_STREAM_DATA || !s->started || !s->in_open) {
		s->bytes_dropped += len;
		return;
	}
	s->bytes_in += len;
	size_t done = 0;
	if (s->in_queued == 0) {
		uv_buf_t b = uv_buf_init(uv_base(data), (unsigned)len);
		int n = uv_try_write((uv_stream_t *)&s->in, &b, 1);
		if (n >= 0) {
			done = (size_t)n;
		} else if (n != UV_EAGAIN) {
			close_stdin(s);
			return;
		}
	}
	if (done == len)
		return;
	size_t rest = len - done;
	struct stdin_write *w = malloc(sizeof(*w) + rest);
	if (w == NULL) {
		s->end_reason = "out of memory";
		(void)hs_channel_close(ch);
		return;
	}
	w->s = s;
	w->len = rest;
	memcpy(w->data, data + done, rest);
	uv_buf_t b = uv_buf_init((char *)w->data, (unsigned)rest);
	if (uv_write(&w->req, (uv_stream_t *)&s->in, &b, 1, on_stdin_written) != 0) {
		free(w);
		close_stdin(s);
		return;
	}
	s->in_queued += rest;
	/* the child is slow: stop giving the peer window */
	if (s->in_queued > HSD_STDIN_HIGH && !s->paused) {
		s->paused = 1;
		hs_channel_pause_reading(ch);
	}
}

static void session_eof(struct hs_channel *ch)
{
	struct hsd_session *s = hs_channel_get_data(ch);
	s->peer_eof = 1;
	if (!s->started) {
		/* nothing runs, so no exit status will come */
		s->sent_close = 1;
		(void)hs_channel_close(ch);
		return;
	}
	if (s->in_queued == 0)
		close_stdin(s);
}

/* --- starting --- */

/* Make a pipe handle of one of the child's descriptors (ours now). */
static int open_pipe(struct hsd_session *s, uv_pipe_t *p, void *data, int fd, int *open)
{
	uv_pipe_init(s->loop, p, 0);
	p->data = data;
	*open = 1;
	s->handles++;
	return uv_pipe_open(p, fd);
}

void hsd_session_started(struct hsd_session *s, int pid, const int fds[3])
{
	int r;
	s->starting = 0;
	s->started = 1;
	s->child_live = 1;
	s->pid = pid;
	s->start_ms = uv_now(s->loop);
	/* each descriptor belongs to its handle from here, even on failure */
	r = open_pipe(s, &s->in, s, fds[0], &s->in_open);
	if (open_pipe(s, &s->out.pipe, &s->out, fds[1], &s->out.open) != 0)
		r = -1;
	if (open_pipe(s, &s->err.pipe, &s->err, fds[2], &s->err.open) != 0)
		r = -1;
	uv_timer_init(s->loop, &s->kill_timer);
	s->kill_timer.data = s;
	s->timer_open = 1;
	s->handles++;
	hsd_log(HSD_LOG_INFO, "session start peer=%s host=%s subsystem=%s pid=%d", s->peer_addr, s->host, s->subsystem,
	        pid);
	if (s->ch == NULL) { /* the channel went while the child was starting */
		close_stdin(s);
		close_stream(&s->out);
		close_stream(&s->err);
		signal_child(s, SIGTERM);
		uv_timer_start(&s->kill_timer, on_kill_timer, s->kill_grace_ms, 0);
		return;
	}
	if (r != 0) {
		s->end_reason = "cannot use the child's pipes";
		close_stdin(s);
		close_stream(&s->out);
		close_stream(&s->err);
	}
	if (hs_channel_answer(s->ch, HS_YES) != 0) /* the connection is closing: its loss ends the child */
		hsd_log(HSD_LOG_DEBUG, "subsystem %s started for a connection that is closing", s->subsystem);
	start_reading(&s->out);
	start_reading(&s->err);
	if (s->peer_eof && s->in_queued == 0)
		close_stdin(s);
}

void hsd_session_start_failed(struct hsd_session *s, const char *reason)
{
	s->starting = 0;
	hsd_log(HSD_LOG_ERR, "subsystem failed peer=%s host=%s subsystem=%s reason=\"cannot start: %s\"", s->peer_addr,
	        s->host, s->subsystem, reason);
	if (s->ch == NULL) {
		maybe_free(s);
		return;
	}
	if (hs_channel_answer(s->ch, HS_NO) != 0)
		hsd_log(HSD_LOG_DEBUG, "subsystem %s refused for a connection that is closing", s->subsystem);
}

static int session_subsystem(struct hs_channel *ch, const char *name)
{
	struct hsd_session *s = hs_channel_get_data(ch);
	const char *why = "not allowed";
	char *command = NULL;
	/* the name is the peer's: shown as it is only when it is a valid one */
	char shown[HSD_LOG_QUOTED_SIZE(HSD_LOG_NAME_MAX)];
	hsd_log_name(shown, sizeof shown, name, hsd_subsystem_name_valid(name));
	if (s->started || s->starting || s->subsystem != NULL)
		return HS_NO;
	if (s->resolve == NULL || s->resolve(s->ctx, name, &command, &why) != 0 || command == NULL) {
		free(command);
		hsd_log(HSD_LOG_NOTICE, "subsystem refused peer=%s host=%s subsystem=%s reason=\"%s\"", s->peer_addr,
		        s->host, shown, why);
		return HS_NO;
	}
	s->command = command;
	/* configured, so a valid name */
	if ((s->subsystem = strdup(name)) == NULL)
		return HS_NO; /* freed with the session */
	struct hsd_launch what = { s->subsystem, s->host, s->key_fp, s->peer_addr };
	char why_not[128] = "";
	if (s->launcher == NULL || s->launcher->start(s->launcher_ctx, s, &what, why_not, sizeof why_not) != 0) {
		hsd_log(HSD_LOG_ERR, "subsystem failed peer=%s host=%s subsystem=%s reason=\"cannot start: %s\"",
		        s->peer_addr, s->host, s->subsystem, why_not[0] ? why_not : "no launcher");
		return HS_NO;
	}
	s->starting = 1;
	return HS_PENDING;
}

/* --- refusals --- */

static void log_refusal(struct hs_channel *ch, const char *what)
{
	struct hsd_session *s = hs_channel_get_data(ch);
	hsd_log(HSD_LOG_NOTICE, "request refused peer=%s host=%s request=%s reason=\"only subsystems are served\"",
	        s->peer_addr, s->host, what);
}

static int session_pty(struct hs_channel *ch, const struct hs_pty_request *pty)
{
	log_refusal(ch, "pty-req");
	return HS_NO;
}

static int session_shell(struct hs_channel *ch)
{
	log_refusal(ch, "shell");
	return HS_NO;
}

static int session_exec(struct hs_channel *ch, const char *command)
{
	log_refusal(ch, "exec");
	return HS_NO;
}

/* --- the end of the channel --- */

static void session_lost(struct hs_channel *ch, int err)
{
	struct hsd_session *s = hs_channel_get_data(ch);
	s->ch = NULL;
	if (s->end_reason == NULL)
		s->end_reason = err == 0 ? "channel closed by peer" : hs_strerror(err);
	if (s->closed != NULL)
		s->closed(s->ctx);
	s->ctx = NULL;
	close_stdin(s);
	close_stream(&s->out);
	close_stream(&s->err);
	if (s->started && !s->exited) {
		signal_child(s, SIGTERM);
		if (s->timer_open)
			uv_timer_start(&s->kill_timer, on_kill_timer, s->kill_grace_ms, 0);
	}
	maybe_free(s);
}

const struct hs_session_cb hsd_session_callbacks = {
	.pty_requested = session_pty,
	.shell_requested = session_shell,
	.exec_requested = session_exec,
	.subsystem_requested = session_subsystem,
	.data_received = session_data,
	.eof_received = session_eof,
	.write_ready = session_write_ready,
	.connection_lost = session_lost,
};
