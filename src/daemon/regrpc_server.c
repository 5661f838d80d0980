/*
 * hostsd program — the monitor's end of the registry messages (see
 * regrpc_server.h). One request at a time: while its registry call runs
 * and until its reply is sent, the socket is not read, so a worker can
 * make the monitor hold at most one request and one reply of its own.
 */
#include "daemon/regrpc_server.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "daemon/log.h"
#include "daemon/regrpc.h"

struct hsd_regrpc_server {
	uv_loop_t *loop;
	uv_poll_t poll;
	uv_work_t work;
	int fd;
	struct hsd_regpool *pool;
	hsd_regrpc_ended_cb ended;
	void *data;
	int busy;        /* a registry call is on the thread pool */
	int sending;     /* a reply waits for room on the socket */
	int done;        /* ended: nothing more is read */
	int closing;     /* hsd_regrpc_server_close was called */
	int poll_closed; /* the poll handle's close callback ran */
	uint64_t seen;   /* the pool's change count at the last CHANGED */
	uint8_t *in;     /* HSD_REGRPC_MSG_MAX bytes */
	struct hsd_regrpc_request req;
	struct hs_buf reply;
};

static void on_poll(uv_poll_t *h, int status, int events);

static void maybe_free(struct hsd_regrpc_server *s)
{
	if (!s->poll_closed || s->busy)
		return;
	hs__buf_cleanup(&s->reply);
	free(s->in);
	free(s);
}

static void on_close(uv_handle_t *h)
{
	struct hsd_regrpc_server *s = h->data;
	close(s->fd);
	s->poll_closed = 1;
	maybe_free(s);
}

/* The server ends on its own: nothing more is read, the worker's waiting
 * call fails at once, and the owner hears why (last: it may close s). */
static void end(struct hsd_regrpc_server *s, const char *why)
{
	if (s->done)
		return;
	s->done = 1;
	uv_poll_stop(&s->poll);
	shutdown(s->fd, SHUT_RDWR);
	s->ended(s->data, why);
}

/* Thread pool: the registry call of s->req, its reply into s->reply. */
static void run(uv_work_t *w)
{
	struct hsd_regrpc_server *s = w->data;
	const struct hsd_regrpc_request *q = &s->req;
	struct hsd_regrpc_reply rep;
	uint64_t gen;
	int r;
	memset(&rep, 0, sizeof rep);
	rep.type = HSD_REGRPC_R_FAILURE;
	rep.id = q->id;
	switch (q->type) {
	case HSD_REGRPC_LOOKUP:
		if (hsd_regpool_lookup(s->pool, q->host, &rep.record) == 0)
			rep.type = HSD_REGRPC_R_RECORD;
		break;
	case HSD_REGRPC_CHANGED:
		if (hsd_regpool_generation(s->pool, 1, &gen) == 0) {
			rep.type = HSD_REGRPC_R_CHANGED;
			rep.changed = gen != s->seen;
			s->seen = gen;
		}
		break;
	case HSD_REGRPC_LOG_ATTEMPT:
		if (hsd_regpool_log_attempt(s->pool, &q->attempt) == 0)
			rep.type = HSD_REGRPC_R_OK;
		break;
	case HSD_REGRPC_COUNT_INVALID:
		if (hsd_regpool_count_invalid(s->pool, q->n, q->first, q->last, q->peer) == 0)
			rep.type = HSD_REGRPC_R_OK;
		break;
	case HSD_REGRPC_DECOYS:
		rep.type = HSD_REGRPC_R_COUNT;
		rep.count = hsd_regpool_decoys(s->pool);
		break;
	default: /* the decoder let no other type through */
		break;
	}
	hs__buf_reset(&s->reply);
	if ((r = hsd_regrpc_put_reply(&s->reply, &rep)) != 0) {
		/* a record the registry should not hold (more keys than its
		 * limit, say): the look-up fails, as a damaged file would */
		hsd_log(HSD_LOG_ERR, "cannot send host=%s to a worker: %s", q->host, hs_strerror(r));
		hsd_peer_record_clear(&rep.record);
		rep.type = HSD_REGRPC_R_FAILURE;
		if (hsd_regrpc_put_reply(&s->reply, &rep) != 0)
			abort(); /* five bytes always fit */
	}
	hsd_peer_record_clear(&rep.record);
}

static void send_reply(struct hsd_regrpc_server *s)
{
	ssize_t n;
	int r;
	do
		n = send(s->fd, hs__buf_ptr(&s->reply), hs__buf_len(&s->reply), MSG_DONTWAIT | MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
		/* the worker has not read its earlier replies yet */
		s->sending = 1;
		if ((r = uv_poll_start(&s->poll, UV_WRITABLE, on_poll)) != 0)
			end(s, uv_strerror(r));
		return;
	}
	if (n < 0) {
		end(s, errno == EPIPE || errno == ECONNRESET ? "the worker closed the registry connection"
		                                             : strerror(errno));
		return;
	}
	if ((size_t)n != hs__buf_len(&s->reply)) {
		end(s, "a registry reply was cut");
		return;
	}
	s->sending = 0;
	hs__buf_reset(&s->reply);
	if ((r = uv_poll_start(&s->poll, UV_READABLE, on_poll)) != 0)
		end(s, uv_strerror(r));
}

static void after_run(uv_work_t *w, int status)
{
	struct hsd_regrpc_server *s = w->data;
	s->busy = 0;
	if (s->closing) {
		maybe_free(s);
		return;
	}
	if (status != 0) { /* cancelled: only close cancels */
		end(s, uv_strerror(status));
		return;
	}
	send_reply(s);
}

static void read_request(struct hsd_regrpc_server *s)
{
	char why[128];
	ssize_t n;
	int r;
	do
		n = recv(s->fd, s->in, HSD_REGRPC_MSG_MAX, MSG_DONTWAIT | MSG_TRUNC);
	while (n < 0 && errno == EINTR);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return;
	if (n < 0) {
		end(s, strerror(errno));
		return;
	}
	if (n == 0) { /* an empty datagram is no request either */
		end(s, "the worker closed the registry connection");
		return;
	}
	if ((size_t)n > HSD_REGRPC_MSG_MAX) {
		snprintf(why, sizeof why, "a registry request of %zd bytes, over the limit", n);
		end(s, why);
		return;
	}
	if ((r = hsd_regrpc_get_request(s->in, (size_t)n, &s->req)) != 0) {
		snprintf(why, sizeof why, "a malformed registry request: %s", hs_strerror(r));
		end(s, why);
		return;
	}
	uv_poll_stop(&s->poll);
	if (uv_queue_work(s->loop, &s->work, run, after_run) != 0) {
		end(s, "cannot queue a registry call");
		return;
	}
	s->busy = 1;
}

static void on_poll(uv_poll_t *h, int status, int events)
{
	struct hsd_regrpc_server *s = h->data;
	if (s->done || s->closing || s->busy)
		return;
	if (status < 0) {
		end(s, uv_strerror(status));
		return;
	}
	if (s->sending) {
		if (events & UV_WRITABLE)
			send_reply(s);
		return;
	}
	if (events & UV_READABLE)
		read_request(s);
}

int hsd_regrpc_serve(uv_loop_t *loop, int fd, struct hsd_regpool *pool, hsd_regrpc_ended_cb ended, void *data,
                     struct hsd_regrpc_server **out)
{
	struct hsd_regrpc_server *s = NULL;
	int type = 0;
	socklen_t len = sizeof type;
	/* room for two of the largest replies: one the worker has not read
	 * (a late answer) and the next (the kernel doubles the value and caps
	 * it at net.core.wmem_max; the default is enough for one) */
	int sndbuf = (int)(2 * HSD_REGRPC_MSG_MAX);
	*out = NULL;
	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) != 0 || type != SOCK_SEQPACKET) {
		close(fd);
		return HS_ERR_INVALID_ARG;
	}
	(void)setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf);
	if ((s = calloc(1, sizeof(*s))) == NULL || (s->in = malloc(HSD_REGRPC_MSG_MAX)) == NULL) {
		free(s);
		close(fd);
		return HS_ERR_ALLOC;
	}
	s->loop = loop;
	s->fd = fd;
	s->pool = pool;
	s->ended = ended;
	s->data = data;
	s->work.data = s;
	hs__buf_init(&s->reply, HSD_REGRPC_MSG_MAX, 0);
	/* changes before this worker's first question count as changes */
	(void)hsd_regpool_generation(pool, 0, &s->seen);
	if (uv_poll_init(loop, &s->poll, fd) != 0) {
		hs__buf_cleanup(&s->reply);
		free(s->in);
		free(s);
		close(fd);
		return HS_ERR_IO;
	}
	s->poll.data = s;
	if (uv_poll_start(&s->poll, UV_READABLE, on_poll) != 0) {
		s->closing = 1;
		uv_close((uv_handle_t *)&s->poll, on_close);
		return HS_ERR_IO;
	}
	*out = s;
	return 0;
}

void hsd_regrpc_server_close(struct hsd_regrpc_server *s)
{
	if (s == NULL || s->closing)
		return;
	s->closing = 1;
	if (s->busy)
		(void)uv_cancel((uv_req_t *)&s->work);
	uv_close((uv_handle_t *)&s->poll, on_close);
}
