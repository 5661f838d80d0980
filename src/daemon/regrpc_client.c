/*
 * hostsd program — the worker's end of the registry messages (see
 * regrpc_client.h). A reply carries its request's id: after a call gave
 * up waiting, its late reply arrives first in the next call, which drops
 * it and reads on.
 */
#include "daemon/regrpc_client.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "daemon/log.h"
#include "daemon/regrpc.h"

struct hsd_regrpc_client {
	int fd;
	int timeout_ms;
	pthread_mutex_t mu; /* one request on the socket at a time; guards all below */
	uint32_t next_id;
	int broken; /* the socket failed: every call fails at once */
	struct hs_buf out;
	uint8_t *in; /* HSD_REGRPC_MSG_MAX bytes */
};

int hsd_regrpc_client_new(int fd, int timeout_ms, struct hsd_regrpc_client **out, char *err, size_t errlen)
{
	struct hsd_regrpc_client *c = NULL;
	struct timeval tv = { timeout_ms / 1000, (timeout_ms % 1000) * 1000 };
	int type = 0, flags;
	socklen_t len = sizeof type;
	*out = NULL;
	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) != 0 || type != SOCK_SEQPACKET) {
		snprintf(err, errlen, "the registry connection is not a SOCK_SEQPACKET socket");
		goto fail;
	}
	if ((flags = fcntl(fd, F_GETFL)) < 0 || fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) != 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) != 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv) != 0) {
		snprintf(err, errlen, "cannot set up the registry connection: %s", strerror(errno));
		goto fail;
	}
	if ((c = calloc(1, sizeof(*c))) == NULL || (c->in = malloc(HSD_REGRPC_MSG_MAX)) == NULL) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	if (pthread_mutex_init(&c->mu, NULL) != 0) {
		snprintf(err, errlen, "cannot create a mutex");
		goto fail;
	}
	c->fd = fd;
	c->timeout_ms = timeout_ms;
	hs__buf_init(&c->out, HSD_REGRPC_MSG_MAX, 0);
	*out = c;
	return 0;
fail:
	if (c != NULL)
		free(c->in);
	free(c);
	close(fd);
	return HS_ERR_IO;
}

void hsd_regrpc_client_free(struct hsd_regrpc_client *c)
{
	if (c == NULL)
		return;
	close(c->fd);
	pthread_mutex_destroy(&c->mu);
	hs__buf_cleanup(&c->out);
	free(c->in);
	free(c);
}

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The socket failed for good (c->mu held): said once. */
static int broken(struct hsd_regrpc_client *c, const char *what)
{
	if (!c->broken)
		hsd_log(HSD_LOG_ERR, "registry connection to the monitor lost: %s", what);
	c->broken = 1;
	return HS_ERR_CLOSED;
}

static int send_request(struct hsd_regrpc_client *c)
{
	ssize_t n;
	do
		n = send(c->fd, hs__buf_ptr(&c->out), hs__buf_len(&c->out), MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
		hsd_log(HSD_LOG_ERR, "registry request to the monitor timed out");
		return HS_ERR_TIMEOUT;
	}
	if (n < 0)
		return broken(c, strerror(errno));
	if ((size_t)n != hs__buf_len(&c->out))
		return broken(c, "a request was cut");
	return 0;
}

/* Read replies until the one with id; rep is that reply, of type want or
 * FAILURE (then HS_ERR_IO). */
static int receive_reply(struct hsd_regrpc_client *c, uint32_t id, uint8_t want, struct hsd_regrpc_reply *rep)
{
	int64_t deadline = now_ms() + c->timeout_ms;
	for (;;) {
		ssize_t n = recv(c->fd, c->in, HSD_REGRPC_MSG_MAX, MSG_TRUNC);
		if (n < 0 && errno == EINTR && now_ms() < deadline)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
			hsd_log(HSD_LOG_ERR, "the monitor did not answer a registry request in %d ms", c->timeout_ms);
			return HS_ERR_TIMEOUT;
		}
		if (n < 0)
			return broken(c, strerror(errno));
		if (n == 0)
			return broken(c, "the monitor closed it");
		if ((size_t)n > HSD_REGRPC_MSG_MAX) {
			hsd_log(HSD_LOG_ERR, "a registry reply of %zd bytes from the monitor is over the limit", n);
			return HS_ERR_LIMIT;
		}
		int r = hsd_regrpc_get_reply(c->in, (size_t)n, rep);
		if (r != 0) {
			hsd_log(HSD_LOG_ERR, "a malformed registry reply from the monitor: %s", hs_strerror(r));
			return HS_ERR_FORMAT;
		}
		if (rep->id == id) {
			if (rep->type == HSD_REGRPC_R_FAILURE)
				return HS_ERR_IO; /* the monitor logged why */
			if (rep->type != want) {
				hsd_regrpc_reply_clear(rep);
				hsd_log(HSD_LOG_ERR, "a registry reply from the monitor of the wrong type");
				return HS_ERR_FORMAT;
			}
			return 0;
		}
		/* the answer to a call that gave up waiting */
		hsd_regrpc_reply_clear(rep);
		if (now_ms() >= deadline) {
			hsd_log(HSD_LOG_ERR, "the monitor did not answer a registry request in %d ms", c->timeout_ms);
			return HS_ERR_TIMEOUT;
		}
	}
}

/* One request and its reply. On success the caller clears rep. */
static int call(struct hsd_regrpc_client *c, struct hsd_regrpc_request *req, struct hsd_regrpc_reply *rep)
{
	int r;
	memset(rep, 0, sizeof(*rep));
	pthread_mutex_lock(&c->mu);
	if (c->broken) {
		r = HS_ERR_CLOSED;
		goto out;
	}
	req->id = c->next_id++;
	hs__buf_reset(&c->out);
	if ((r = hsd_regrpc_put_request(&c->out, req)) != 0) {
		hsd_log(HSD_LOG_ERR, "cannot encode a registry request: %s", hs_strerror(r));
		goto out;
	}
	if ((r = send_request(c)) != 0)
		goto out;
	r = receive_reply(c, req->id, hsd_regrpc_reply_type(req->type), rep);
out:
	pthread_mutex_unlock(&c->mu);
	return r;
}

int hsd_regrpc_client_lookup(struct hsd_regrpc_client *c, const char *host, struct hsd_peer_record *out)
{
	struct hsd_regrpc_request req;
	struct hsd_regrpc_reply rep;
	int r;
	memset(out, 0, sizeof(*out));
	memset(&req, 0, sizeof req);
	req.type = HSD_REGRPC_LOOKUP;
	if (snprintf(req.host, sizeof req.host, "%s", host) >= (int)sizeof req.host)
		return HS_ERR_INVALID_ARG;
	if ((r = call(c, &req, &rep)) != 0)
		return r;
	*out = rep.record; /* moved */
	memset(&rep.record, 0, sizeof rep.record);
	hsd_regrpc_reply_clear(&rep);
	return 0;
}

int hsd_regrpc_client_changed(struct hsd_regrpc_client *c, int *changed)
{
	struct hsd_regrpc_request req;
	struct hsd_regrpc_reply rep;
	int r;
	*changed = 0;
	memset(&req, 0, sizeof req);
	req.type = HSD_REGRPC_CHANGED;
	if ((r = call(c, &req, &rep)) != 0)
		return r;
	*changed = rep.changed;
	hsd_regrpc_reply_clear(&rep);
	return 0;
}

int hsd_regrpc_client_log_attempt(struct hsd_regrpc_client *c, const struct hsd_attempt *a)
{
	struct hsd_regrpc_request req;
	struct hsd_regrpc_reply rep;
	int r;
	memset(&req, 0, sizeof req);
	req.type = HSD_REGRPC_LOG_ATTEMPT;
	req.attempt = *a;
	if ((r = call(c, &req, &rep)) != 0)
		return r;
	hsd_regrpc_reply_clear(&rep);
	return 0;
}

int hsd_regrpc_client_count_invalid(struct hsd_regrpc_client *c, uint64_t n, int64_t first, int64_t last,
                                    const char *peer)
{
	struct hsd_regrpc_request req;
	struct hsd_regrpc_reply rep;
	int r;
	memset(&req, 0, sizeof req);
	req.type = HSD_REGRPC_COUNT_INVALID;
	req.n = n;
	req.first = first;
	req.last = last;
	snprintf(req.peer, sizeof req.peer, "%s", peer != NULL ? peer : ""); /* cut as the attempt log cuts */
	if ((r = call(c, &req, &rep)) != 0)
		return r;
	hsd_regrpc_reply_clear(&rep);
	return 0;
}

int hsd_regrpc_client_decoys(struct hsd_regrpc_client *c, uint64_t *count)
{
	struct hsd_regrpc_request req;
	struct hsd_regrpc_reply rep;
	int r;
	*count = 0;
	memset(&req, 0, sizeof req);
	req.type = HSD_REGRPC_DECOYS;
	if ((r = call(c, &req, &rep)) != 0)
		return r;
	*count = rep.count;
	hsd_regrpc_reply_clear(&rep);
	return 0;
}
