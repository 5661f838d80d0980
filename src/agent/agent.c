/*
 * A host key held by an ssh-agent (hostsd/agent.h). The identities check
 * at open is synchronous (the server is starting); signatures go out and
 * come back on the loop, answered in the order asked, as the agent
 * protocol answers them.
 */
#include "hostsd/agent.h"

#include <errno.h>
#include <stdarg.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "agent/agent_msg.h"
#include "common/list.h"
#include "wire/buf.h"

/* How long the identities check at open may take. */
#define OPEN_TIMEOUT_MS 5000
/* Signatures waiting for the agent's answer: beyond this, refuse at once
 * (an agent that stopped answering must not collect the whole server). */
#define MAX_WAITING 1024u

struct waiting {
	struct hs_list_node link;
	struct hs_sign_request *req;
};

/* One connection to the agent; replaced by a new one after it breaks. */
struct agent_conn {
	uv_pipe_t pipe;
	struct hs_agent *agent; /* NULL once the agent dropped it */
	struct hs_buf in;
};

struct hs_agent {
	uv_loop_t *loop;
	char *path;              /* NULL: the descriptor given, no reconnect */
	struct agent_conn *conn; /* NULL when broken */
	struct hs_hostkey *hostkey;
	struct hs_list_node waiting; /* struct waiting, oldest first */
	unsigned nwaiting;
	unsigned long signatures;
	int closing;
	unsigned conns_open; /* connections not yet closed by the loop */
};

struct write_req {
	uv_write_t w;
	struct hs_buf frame;
};

static void fail_all(struct hs_agent *a, int err);

/* --- the synchronous part: connect, ask for identities --- */

static void set_err(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static int connect_path(const char *path, int *fd)
{
	struct sockaddr_un sa;
	memset(&sa, 0, sizeof sa);
	sa.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof sa.sun_path)
		return HS_ERR_INVALID_ARG;
	memcpy(sa.sun_path, path, strlen(path) + 1);
	int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return HS_ERR_IO;
	if (connect(s, (const struct sockaddr *)&sa, sizeof sa) != 0) {
		close(s);
		return HS_ERR_IO;
	}
	*fd = s;
	return 0;
}

/* Write all of b to the blocking-or-not socket fd within the deadline. */
static int send_all(int fd, const uint8_t *p, size_t n)
{
	while (n > 0) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			struct pollfd pfd = { fd, POLLOUT, 0 };
			if (poll(&pfd, 1, OPEN_TIMEOUT_MS) <= 0)
				return HS_ERR_TIMEOUT;
			continue;
		}
		if (w <= 0)
			return HS_ERR_IO;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Read one whole frame into in; *msg is a view of it. */
static int recv_frame(int fd, struct hs_buf *in, struct hs_view *msg)
{
	size_t used;
	int r;
	while ((r = hs__agent_frame(hs__buf_ptr(in), hs__buf_len(in), msg, &used)) == HS_ERR_NEED_MORE) {
		uint8_t chunk[4096];
		struct pollfd pfd = { fd, POLLIN, 0 };
		int p = poll(&pfd, 1, OPEN_TIMEOUT_MS);
		if (p < 0 && errno == EINTR)
			continue;
		if (p <= 0)
			return HS_ERR_TIMEOUT;
		ssize_t got = recv(fd, chunk, sizeof chunk, 0);
		if (got < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (got <= 0)
			return HS_ERR_IO;
		if ((r = hs__buf_put(in, chunk, (size_t)got)) != 0)
			return r;
	}
	return r;
}

/* Does the agent on fd hold pub? */
static int check_identity(int fd, const struct hs_key *pub, const char *where, char *err, size_t errlen)
{
	struct hs_buf out, in;
	struct hs_view msg;
	size_t bloblen;
	const uint8_t *blob = hs_key_blob(pub, &bloblen);
	int found = 0, r;
	hs__buf_init(&out, 64, 0);
	hs__buf_init(&in, HS_AGENT_MAX_FRAME + 4, 0);
	if ((r = hs__agent_put_request_identities(&out)) == 0 &&
	    (r = send_all(fd, hs__buf_ptr(&out), hs__buf_len(&out))) == 0 && (r = recv_frame(fd, &in, &msg)) == 0)
		r = hs__agent_find_identity(msg, blob, bloblen, &found);
	if (r != 0) {
		set_err(err, errlen, "the agent at %s did not answer a request for its keys (%s): is it an ssh-agent?",
		        where, hs_strerror(r));
	} else if (!found) {
		char fp[HS_FINGERPRINT_SIZE];
		hs_key_fingerprint(pub, fp);
		set_err(err, errlen, "the agent at %s does not hold the host key %s: add it with ssh-add", where, fp);
		r = HS_ERR_NOT_FOUND;
	}
	hs__buf_cleanup(&out);
	hs__buf_cleanup(&in);
	return r;
}

/* --- the connection on the loop --- */

static void on_conn_closed(uv_handle_t *h)
{
	struct agent_conn *c = h->data;
	struct hs_agent *a = c->agent;
	hs__buf_cleanup(&c->in);
	free(c);
	if (a == NULL)
		return;
	a->conns_open--;
	if (a->closing && a->conns_open == 0) {
		hs_hostkey_free(a->hostkey);
		free(a->path);
		free(a);
	}
}

/* The connection broke or the agent spoke nonsense: answer everything
 * waiting with err and drop the connection (the next request reconnects). */
static void drop_conn(struct hs_agent *a, int err)
{
	struct agent_conn *c = a->conn;
	fail_all(a, err);
	if (c == NULL)
		return;
	a->conn = NULL;
	uv_read_stop((uv_stream_t *)&c->pipe);
	uv_close((uv_handle_t *)&c->pipe, on_conn_closed);
}

static void answer_next(struct hs_agent *a, int err, const uint8_t *sig, size_t siglen)
{
	struct hs_list_node *n = hs__list_pop_first(&a->waiting);
	struct waiting *w = HS_LIST_ENTRY(n, struct waiting, link);
	struct hs_sign_request *req = w->req;
	free(w);
	a->nwaiting--;
	if (err == 0)
		a->signatures++;
	hs_sign_request_done(req, err, sig, siglen);
}

static void fail_all(struct hs_agent *a, int err)
{
	while (!hs__list_empty(&a->waiting))
		answer_next(a, err, NULL, 0);
}

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
	struct agent_conn *c = h->data;
	uint8_t *p = NULL;
	size_t room = c->in.max - hs__buf_len(&c->in);
	size_t want = room < 65536 ? room : 65536;
	if (room == 0 || hs__buf_reserve(&c->in, want, &p) != 0) {
		*buf = uv_buf_init(NULL, 0);
		return;
	}
	*buf = uv_buf_init((char *)p, (unsigned)want);
}

static void on_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf)
{
	struct agent_conn *c = s->data;
	struct hs_agent *a = c->agent;
	uint8_t *p;
	if (a == NULL || a->conn != c)
		return;
	if (nread < 0 || (nread == 0 && buf->base == NULL && buf->len == 0)) {
		drop_conn(a, HS_ERR_IO);
		return;
	}
	if (nread == 0)
		return;
	if (hs__buf_extend(&c->in, (size_t)nread, &p) != 0) {
		drop_conn(a, HS_ERR_LIMIT);
		return;
	}
	for (;;) {
		struct hs_view msg;
		struct hs_bytes sig;
		size_t used;
		int r = hs__agent_frame(hs__buf_ptr(&c->in), hs__buf_len(&c->in), &msg, &used);
		if (r == HS_ERR_NEED_MORE)
			break;
		if (r != 0 || hs__list_empty(&a->waiting)) { /* nonsense, or an answer nobody asked for */
			drop_conn(a, HS_ERR_PROTOCOL);
			return;
		}
		r = hs__agent_get_sign_response(msg, &sig);
		answer_next(a, r, r == 0 ? sig.ptr : NULL, r == 0 ? sig.len : 0);
		if (hs__buf_consume(&c->in, used) != 0) {
			drop_conn(a, HS_ERR_INTERNAL);
			return;
		}
	}
	if (hs__buf_len(&c->in) == 0)
		hs__buf_shrink(&c->in, 0);
}

static void on_write(uv_write_t *w, int status)
{
	struct write_req *wr = (struct write_req *)w;
	struct agent_conn *c = w->handle->data;
	hs__buf_cleanup(&wr->frame);
	free(wr);
	if (status < 0 && c->agent != NULL && c->agent->conn == c)
		drop_conn(c->agent, HS_ERR_IO);
}

/* Put fd (connected, identities checked) on the loop. */
static int start_conn(struct hs_agent *a, int fd)
{
	struct agent_conn *c = calloc(1, sizeof(*c));
	if (c == NULL) {
		close(fd);
		return HS_ERR_ALLOC;
	}
	c->agent = a;
	c->pipe.data = c;
	hs__buf_init(&c->in, HS_AGENT_MAX_FRAME + 4, 0);
	if (uv_pipe_init(a->loop, &c->pipe, 0) != 0) {
		close(fd);
		free(c);
		return HS_ERR_IO;
	}
	a->conns_open++;
	if (uv_pipe_open(&c->pipe, fd) != 0 || uv_read_start((uv_stream_t *)&c->pipe, on_alloc, on_read) != 0) {
		close(fd);
		uv_close((uv_handle_t *)&c->pipe, on_conn_closed);
		return HS_ERR_IO;
	}
	a->conn = c;
	return 0;
}

/* After a break: connect again (the agent was restarted, say). The
 * identities are not asked again, which would wait for the agent on the
 * loop: the engine checks every signature against the host key anyway,
 * so an agent without the key only fails the exchanges it is asked for. */
static int reconnect(struct hs_agent *a)
{
	int fd, r;
	if (a->path == NULL)
		return HS_ERR_IO;
	if ((r = connect_path(a->path, &fd)) != 0)
		return r;
	return start_conn(a, fd);
}

static void sign(void *ctx, struct hs_sign_request *req, const uint8_t *data, size_t len)
{
	struct hs_agent *a = ctx;
	struct write_req *wr = NULL;
	struct waiting *w = NULL;
	size_t bloblen;
	const uint8_t *blob = hs_key_blob(hs_hostkey_public(a->hostkey), &bloblen);
	int r = HS_ERR_LIMIT;
	if (a->closing || a->nwaiting >= MAX_WAITING)
		goto fail;
	if (a->conn == NULL && (r = reconnect(a)) != 0)
		goto fail;
	r = HS_ERR_ALLOC;
	if ((wr = calloc(1, sizeof(*wr))) == NULL || (w = calloc(1, sizeof(*w))) == NULL)
		goto fail;
	hs__buf_init(&wr->frame, HS_AGENT_MAX_FRAME, 0);
	if ((r = hs__agent_put_sign_request(&wr->frame, blob, bloblen, data, len, 0)) != 0)
		goto fail;
	uv_buf_t b = uv_buf_init((char *)hs__buf_ptr(&wr->frame), (unsigned)hs__buf_len(&wr->frame));
	if (uv_write(&wr->w, (uv_stream_t *)&a->conn->pipe, &b, 1, on_write) != 0) {
		r = HS_ERR_IO;
		goto fail;
	}
	w->req = req;
	hs__list_insert_tail(&a->waiting, &w->link);
	a->nwaiting++;
	return;
fail:
	if (wr != NULL)
		hs__buf_cleanup(&wr->frame);
	free(wr);
	free(w);
	hs_sign_request_done(req, r, NULL, 0);
}

int hs_agent_open(uv_loop_t *loop, const char *path, int fd, const struct hs_key *pub, struct hs_agent **out, char *err,
                  size_t errlen)
{
	struct hs_agent *a = NULL;
	char where[64];
	int r;
	if (out != NULL)
		*out = NULL;
	if (loop == NULL || pub == NULL || out == NULL || (path == NULL && fd < 0))
		return HS_ERR_INVALID_ARG;
	if (path != NULL && (r = connect_path(path, &fd)) != 0) {
		set_err(err, errlen, "cannot reach the agent at %s (%s): is it running, and is the path its socket?",
		        path, strerror(errno));
		return r;
	}
	snprintf(where, sizeof where, "descriptor %d", fd);
	if ((r = check_identity(fd, pub, path != NULL ? path : where, err, errlen)) != 0)
		goto fail;
	r = HS_ERR_ALLOC;
	if ((a = calloc(1, sizeof(*a))) == NULL || (path != NULL && (a->path = strdup(path)) == NULL))
		goto fail;
	a->loop = loop;
	hs__list_init(&a->waiting);
	if ((r = hs_hostkey_new_external(pub, sign, a, &a->hostkey)) != 0)
		goto fail;
	r = start_conn(a, fd);
	fd = -1; /* start_conn took it */
	if (r != 0)
		goto fail;
	*out = a;
	return 0;
fail:
	if (fd >= 0)
		close(fd);
	if (a != NULL && a->conns_open == 0) {
		hs_hostkey_free(a->hostkey);
		free(a->path);
		free(a);
	} else if (a != NULL) {
		a->closing = 1; /* freed when the loop has closed its socket */
	}
	return r;
}

const struct hs_hostkey *hs_agent_hostkey(const struct hs_agent *agent)
{
	return agent != NULL ? agent->hostkey : NULL;
}

unsigned long hs_agent_signatures(const struct hs_agent *agent)
{
	return agent != NULL ? agent->signatures : 0;
}

void hs_agent_close(struct hs_agent *agent)
{
	if (agent == NULL || agent->closing)
		return;
	agent->closing = 1;
	drop_conn(agent, HS_ERR_CLOSED);
	if (agent->conns_open == 0) {
		hs_hostkey_free(agent->hostkey);
		free(agent->path);
		free(agent);
	}
}
