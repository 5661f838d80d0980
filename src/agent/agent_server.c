/*
 * An ssh-agent for one host key (hostsd/agent.h, hs_agent_server): what a
 * privileged monitor answers its workers with. Each request becomes an
 * answer in a queue, in the order the requests came; an answer is written
 * once it and every one before it are made. Signatures by a key in memory
 * are made at once; an external key's signer answers later
 * (keys/sign_request.h).
 */
#include "hostsd/agent.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agent/agent_msg.h"
#include "common/limits.h"
#include "common/list.h"
#include "keys/sign_request.h"
#include "wire/buf.h"

/* The comment of the one identity. */
#define IDENTITY_COMMENT "hostsd host key"
/* An answer frame: a key blob or a signature, and their framing. */
#define MAX_ANSWER (HS_MAX_HOSTKEY_BLOB + 64u)

/* One request's answer: queued until made and its turn comes, then
 * written; freed when the write is done. */
struct answer {
	struct hs_list_node link; /* in queue until written */
	struct hs_agent_server *s;
	struct hs_sign_request *req; /* out with the host key's signer */
	int made;                    /* frame holds the answer */
	uv_write_t w;
	struct hs_buf frame;
};

struct hs_agent_server {
	uv_pipe_t pipe;
	uv_shutdown_t shutdown;
	const struct hs_hostkey *hostkey;
	hs_agent_server_ended_cb ended_cb;
	void *data;
	void (*closed_cb)(void *data);
	void *closed_data;
	struct hs_buf in;
	struct hs_list_node queue; /* struct answer, not yet written, oldest first */
	unsigned outstanding;      /* answers queued or being written */
	unsigned long signatures;
	int reading;    /* uv_read_start is in force */
	int processing; /* inside process_input */
	int ended;      /* nothing more is read or answered */
	int closing;
};

static void process_input(struct hs_agent_server *s);
static int set_reading(struct hs_agent_server *s, int on);

static void answer_free(struct answer *a)
{
	hs__buf_cleanup(&a->frame);
	free(a);
}

/* Drop every answer not yet written; requests out with the signer are
 * cancelled (their answers only free them). */
static void drop_queue(struct hs_agent_server *s)
{
	struct hs_list_node *n;
	while ((n = hs__list_pop_first(&s->queue)) != NULL) {
		struct answer *a = HS_LIST_ENTRY(n, struct answer, link);
		hs__sign_request_cancel(a->req);
		answer_free(a);
		s->outstanding--;
	}
}

static void on_shutdown(uv_shutdown_t *req, int status)
{
	(void)req;
	(void)status;
}

/* The peer hung up or broke the protocol: stop, let it see the end of
 * the stream after what is being written, and tell the owner. The last
 * thing done on every path that calls it. */
static void end(struct hs_agent_server *s, int err)
{
	if (s->ended || s->closing)
		return;
	s->ended = 1;
	if (set_reading(s, 0) != 0) {
		/* stopping cannot fail */
	}
	drop_queue(s);
	if (uv_shutdown(&s->shutdown, (uv_stream_t *)&s->pipe, on_shutdown) != 0) {
		/* already shut or broken: nothing more to tell the peer */
	}
	if (s->ended_cb != NULL)
		s->ended_cb(s->data, err);
}

static void on_write(uv_write_t *w, int status)
{
	struct answer *a = HS_LIST_ENTRY(w, struct answer, w);
	struct hs_agent_server *s = a->s;
	answer_free(a);
	s->outstanding--;
	if (s->closing || s->ended)
		return;
	if (status < 0) {
		end(s, HS_ERR_IO);
		return;
	}
	process_input(s); /* room in the queue again: read on */
}

/* Write the answers at the head of the queue that are made. */
static void flush(struct hs_agent_server *s)
{
	struct hs_list_node *n;
	while (!s->ended && !s->closing && (n = hs__list_first(&s->queue)) != NULL) {
		struct answer *a = HS_LIST_ENTRY(n, struct answer, link);
		if (!a->made)
			return;
		hs__list_remove(&a->link);
		uv_buf_t b = uv_buf_init((char *)hs__buf_ptr(&a->frame), (unsigned)hs__buf_len(&a->frame));
		if (uv_write(&a->w, (uv_stream_t *)&s->pipe, &b, 1, on_write) != 0) {
			answer_free(a);
			s->outstanding--;
			end(s, HS_ERR_IO);
			return;
		}
	}
}

/* A made answer that could not be put together is SSH_AGENT_FAILURE. */
static void make_failure(struct answer *a)
{
	hs__buf_reset(&a->frame);
	if (hs__agent_put_failure(&a->frame) != 0) {
		/* cannot happen: the frame has room for five bytes */
	}
	a->made = 1;
}

/* The host key's signature came (hs__sign_done_fn): answer with it, in
 * turn. Called later, or from inside hs__hostkey_sign_async. */
static void on_signed(void *ctx, int err, const uint8_t *sig, size_t siglen)
{
	struct answer *a = ctx;
	struct hs_agent_server *s = a->s;
	a->req = NULL;
	if (err == 0 && hs__agent_put_sign_response(&a->frame, sig, siglen) == 0) {
		a->made = 1;
		s->signatures++;
	} else {
		make_failure(a);
	}
	flush(s); /* a may be gone from here on; reading goes on from on_write */
}

/* Is this a request we sign: our key, no flags, exchange-hash-sized data
 * (see hs_agent_server_new)? */
static int signable(const struct hs_agent_server *s, const struct hs_agent_sign_request *req)
{
	size_t bloblen;
	const uint8_t *blob = hs_key_blob(hs_hostkey_public(s->hostkey), &bloblen);
	if (req->key_blob.len != bloblen || memcmp(req->key_blob.ptr, blob, bloblen) != 0)
		return 0;
	if (req->flags != 0) /* SSH_AGENT_RSA_SHA2_* and the like: not for an Ed25519 host key */
		return 0;
	return req->data.len == 32 || req->data.len == 48 || req->data.len == 64;
}

/* Queue the answer to one message. Returns an error only for a message
 * that does not parse, which ends the connection. */
static int handle(struct hs_agent_server *s, struct hs_view msg)
{
	struct hs_agent_sign_request req;
	struct answer *a;
	uint8_t type = hs__agent_type(msg);
	int r;
	if (type == HS_AGENTC_SIGN_REQUEST && (r = hs__agent_get_sign_request(msg, &req)) != 0)
		return r;
	if (type == HS_AGENTC_REQUEST_IDENTITIES && hs__view_left(&msg) != 1)
		return HS_ERR_TRAILING;
	if ((a = calloc(1, sizeof(*a))) == NULL)
		return HS_ERR_ALLOC;
	a->s = s;
	hs__buf_init(&a->frame, MAX_ANSWER, 0);
	hs__list_insert_tail(&s->queue, &a->link);
	s->outstanding++;
	if (type == HS_AGENTC_SIGN_REQUEST && signable(s, &req)) {
		const struct hs_key *pub = hs_hostkey_public(s->hostkey);
		r = hs__hostkey_sign_async(s->hostkey, hs_key_type_name(pub), req.data.ptr, req.data.len, on_signed, a,
		                           &a->req);
		if (r != 0) /* not asked: done will not be called */
			make_failure(a);
		/* else a may be gone already (answered, written, failed) */
	} else if (type == HS_AGENTC_REQUEST_IDENTITIES) {
		size_t bloblen;
		const uint8_t *blob = hs_key_blob(hs_hostkey_public(s->hostkey), &bloblen);
		if (hs__agent_put_identities(&a->frame, blob, bloblen, IDENTITY_COMMENT) == 0)
			a->made = 1;
		else
			make_failure(a);
	} else {
		make_failure(a);
	}
	flush(s);
	return 0;
}

/* Answer the whole frames read so far while the queue has room; read on
 * only while it does. */
static void process_input(struct hs_agent_server *s)
{
	if (s->processing || s->ended || s->closing)
		return;
	s->processing = 1;
	while (s->outstanding < HS_AGENT_SERVER_MAX_QUEUE) {
		struct hs_view msg;
		size_t used;
		int r = hs__agent_frame(hs__buf_ptr(&s->in), hs__buf_len(&s->in), &msg, &used);
		if (r == HS_ERR_NEED_MORE)
			break;
		if (r == 0)
			r = handle(s, msg);
		if (r == 0 && !s->ended && !s->closing)
			r = hs__buf_consume(&s->in, used);
		if (r != 0)
			end(s, r);
		if (s->ended || s->closing) {
			s->processing = 0;
			return;
		}
	}
	s->processing = 0;
	if (hs__buf_len(&s->in) == 0)
		hs__buf_shrink(&s->in, 0);
	if (set_reading(s, s->outstanding < HS_AGENT_SERVER_MAX_QUEUE) != 0)
		end(s, HS_ERR_IO);
}

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
	struct hs_agent_server *s = h->data;
	uint8_t *p = NULL;
	size_t room = s->in.max - hs__buf_len(&s->in);
	size_t want = room < 65536 ? room : 65536;
	(void)suggested;
	if (room == 0 || hs__buf_reserve(&s->in, want, &p) != 0) {
		*buf = uv_buf_init(NULL, 0); /* UV_ENOBUFS: cannot be, a whole frame fits */
		return;
	}
	*buf = uv_buf_init((char *)p, (unsigned)want);
}

static void on_read(uv_stream_t *stream, ssize_t nread, const uv_buf_t *buf)
{
	struct hs_agent_server *s = stream->data;
	uint8_t *p;
	(void)buf;
	if (s->ended || s->closing)
		return;
	if (nread < 0) {
		end(s, nread == UV_EOF ? HS_ERR_CLOSED : HS_ERR_IO);
		return;
	}
	if (nread == 0)
		return;
	if (hs__buf_extend(&s->in, (size_t)nread, &p) != 0) {
		end(s, HS_ERR_LIMIT);
		return;
	}
	process_input(s);
}

static int set_reading(struct hs_agent_server *s, int on)
{
	if (on == s->reading)
		return 0;
	s->reading = on;
	if (!on)
		return uv_read_stop((uv_stream_t *)&s->pipe) == 0 ? 0 : HS_ERR_IO;
	return uv_read_start((uv_stream_t *)&s->pipe, on_alloc, on_read) == 0 ? 0 : HS_ERR_IO;
}

static void on_close(uv_handle_t *h)
{
	struct hs_agent_server *s = h->data;
	void (*closed_cb)(void *) = s->closed_cb;
	void *closed_data = s->closed_data;
	hs__buf_cleanup(&s->in);
	free(s);
	if (closed_cb != NULL)
		closed_cb(closed_data);
}

int hs_agent_server_new(uv_loop_t *loop, int fd, const struct hs_hostkey *hostkey, hs_agent_server_ended_cb ended,
                        void *data, struct hs_agent_server **out)
{
	struct hs_agent_server *s;
	if (out != NULL)
		*out = NULL;
	if (loop == NULL || fd < 0 || hostkey == NULL || out == NULL) {
		if (fd >= 0)
			close(fd);
		return HS_ERR_INVALID_ARG;
	}
	if ((s = calloc(1, sizeof(*s))) == NULL) {
		close(fd);
		return HS_ERR_ALLOC;
	}
	s->hostkey = hostkey;
	s->ended_cb = ended;
	s->data = data;
	hs__buf_init(&s->in, HS_AGENT_MAX_FRAME + 4, 0);
	hs__list_init(&s->queue);
	if (uv_pipe_init(loop, &s->pipe, 0) != 0) {
		close(fd);
		hs__buf_cleanup(&s->in);
		free(s);
		return HS_ERR_IO;
	}
	s->pipe.data = s;
	int opened = uv_pipe_open(&s->pipe, fd) == 0;
	if (!opened || set_reading(s, 1) != 0) {
		if (!opened)
			close(fd); /* else uv_close closes it */
		s->closing = 1;
		uv_close((uv_handle_t *)&s->pipe, on_close);
		return HS_ERR_IO;
	}
	*out = s;
	return 0;
}

unsigned long hs_agent_server_signatures(const struct hs_agent_server *s)
{
	return s != NULL ? s->signatures : 0;
}

void hs_agent_server_close(struct hs_agent_server *s, void (*closed_cb)(void *data), void *data)
{
	if (s == NULL || s->closing)
		return;
	s->closing = 1;
	s->closed_cb = closed_cb;
	s->closed_data = data;
	drop_queue(s);
	/* answers being written and the shutdown are cancelled first */
	uv_close((uv_handle_t *)&s->pipe, on_close);
}
