/*
 * The libuv layer: accepts TCP connections, moves bytes between sockets
 * and connection cores, runs each connection's one timer, and decides
 * before any protocol runs whom to serve (io/preauth.h): a penalised
 * source is refused, then the caps on unauthenticated connections (in
 * total and per source netblock, so that a flood from one address cannot
 * lock out others), then random early drop. A connection that ends
 * unauthenticated after an offence (core/conn.h: hs__conn_offence) adds
 * to its source's penalty; one that authenticates makes its source known.
 * Refusals and penalties are reported to the application
 * (listener_event), which the engine never logs itself.
 *
 * Reads go straight into the core's input buffer; writes hand the core's
 * output buffer to libuv by swapping it with an idle one, so no byte is
 * copied between the cipher and the socket.
 *
 * Finite-field key exchanges run on libuv's thread pool, at most max_dh
 * (of the listener's current configuration) at once; the others wait in arrival order, the
 * rekeys of authenticated peers before the exchanges of unauthenticated
 * ones, so a burst of expensive exchanges neither stalls the loop nor takes
 * every pool thread, and a flood of strangers does not hold up known peers.
 *
 * Each connection keeps the configuration it was accepted under;
 * hs_listener_set_config changes the one the next connections get, without
 * touching the socket.
 */
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/rand.h>

#include "common/limits.h"
#include "core/conn.h"
#include "io/dh_queue.h"
#include "io/listener.h"
#include "io/netblock.h"
#include "io/preauth.h"

struct io_conn;

/* A resolved configuration, shared by the listener (for the connections
 * it accepts next) and by every connection accepted under it: a new one
 * from hs_listener_set_config leaves the others to the connections that
 * hold them. */
struct shared_cfg {
	struct hs_core_config c;
	unsigned refs;
};

static int shared_cfg_new(const struct hs_config *cfg, char *err, size_t errlen, struct shared_cfg **out)
{
	struct shared_cfg *s = calloc(1, sizeof(*s));
	int r;
	*out = NULL;
	if (s == NULL)
		return HS_ERR_ALLOC;
	if ((r = hs__core_config_resolve(cfg, &s->c, err, errlen)) != 0) {
		free(s);
		return r;
	}
	s->refs = 1;
	*out = s;
	return 0;
}

static struct shared_cfg *shared_cfg_get(struct shared_cfg *s)
{
	s->refs++;
	return s;
}

static void shared_cfg_put(struct shared_cfg *s)
{
	if (s != NULL && --s->refs == 0) {
		hs__core_config_cleanup(&s->c);
		free(s);
	}
}

struct hs_listener {
	uv_loop_t *loop;
	uv_tcp_t tcp;
	int tcp_inited;
	int port;
	struct shared_cfg *cfg; /* for the next connections */
	const struct hs_hostkey *hostkey;
	struct hs_server_cb cb;
	void *data;
	struct hs_list_node conns; /* struct io_conn, newest first */
	size_t nconns;
	uint32_t unauth;
	struct hs_dh_queue dh_waiting; /* connections waiting to compute */
	uint32_t dh_running;
	uint32_t dh_peak;             /* most ever running at once */
	uint32_t dh_queued, dh_known; /* exchanges queued; of those, known sources' first ones */
	struct hs_penalties penalties;
	struct hs_known_sources known; /* sources that authenticated lately */
	int closing;
	int handles_open;
	void (*closed_cb)(void *);
	void *closed_data;
};

struct io_conn {
	uv_tcp_t tcp;
	uv_timer_t timer;
	uv_idle_t idle;
	uv_write_t wreq;
	struct hs_listener *l;
	struct shared_cfg *cfg; /* the configuration it started with */
	struct hs_conn *core;
	struct hs_list_node link; /* in l->conns once listed */
	struct hs_buf wbuf;
	int writing;
	int reading;
	int unauth;
	int closing;
	int listed;        /* in l->conns, counted in l->nconns */
	int timers_inited; /* timer and idle exist (beside tcp) */
	int handles_open;
	int flush_armed;
	struct hs_dh_job *dh_job; /* while it waits in dh_waiting */
	struct hs_dh_waiter dh_waiter;
	struct dh_work *dh_work; /* running on the pool */
	struct hs_netblock addr; /* the peer's address */
	struct hs_netblock src;  /* its source: the netblock it counts in */
	int known;               /* its source authenticated lately */
};

/* One exchange on the thread pool. It outlives a connection closed
 * meanwhile (c is then NULL) and keeps the listener open until it ends. */
struct dh_work {
	uv_work_t req;
	struct hs_listener *l;
	struct io_conn *c;
	struct hs_dh_job *job;
};

static void conn_close(struct io_conn *c);
static void conn_pump(struct io_conn *c);
static void dh_unqueue(struct io_conn *c);

static void listener_maybe_done(struct hs_listener *l)
{
	if (!l->closing || l->nconns > 0 || l->handles_open > 0)
		return;
	void (*cb)(void *) = l->closed_cb;
	void *data = l->closed_data;
	shared_cfg_put(l->cfg);
	hs__penalties_cleanup(&l->penalties);
	free(l);
	if (cb != NULL)
		cb(data);
}

static void report(struct hs_listener *l, const struct hs_listener_event *ev)
{
	if (l->cb.listener_event != NULL)
		l->cb.listener_event(l->data, ev);
}

/* c ended unauthenticated after offence (enum hs_penalty): its source's
 * penalty grows, under the listener's configuration of now. */
static void penalise(struct hs_listener *l, const struct io_conn *c, int offence)
{
	const struct hs_core_config *cfg = &l->cfg->c;
	uint64_t cost = offence == HS_PENALTY_AUTHFAIL ? cfg->penalty_authfail_ms
	                : offence == HS_PENALTY_GRACE  ? cfg->penalty_grace_ms
	                                               : cfg->penalty_malformed_ms;
	uint64_t in_force = 0;
	if (cost == 0 || hs__netblock_list_contains(cfg->penalty_exempt, cfg->penalty_exempt_n, &c->addr))
		return;
	if (hs__penalties_add(&l->penalties, &c->src, cost, cfg->penalty_min_ms, cfg->penalty_max_ms, uv_now(l->loop),
	                      &in_force) != 0 ||
	    in_force == 0)
		return;
	char source[HS_NETBLOCK_TEXT];
	hs__netblock_format(&c->src, source, sizeof source);
	struct hs_listener_event ev = { .type = HS_EVENT_PENALISED,
		                        .penalty = offence,
		                        .source = source,
		                        .seconds = (uint32_t)((in_force + 999) / 1000) };
	report(l, &ev);
}

/* The last handle of c is closed: unlink it, report connection_lost,
 * free it. A connection refused at accept was never listed and has no
 * core; until now it held the listener open through l->handles_open. */
static void on_conn_handle_closed(uv_handle_t *h)
{
	struct io_conn *c = h->data;
	if (--c->handles_open > 0)
		return;
	struct hs_listener *l = c->l;
	int offence = 0;
	if (c->listed) {
		if (c->unauth) {
			l->unauth--;
			if (c->core != NULL && !l->closing)
				offence = hs__conn_offence(c->core);
		}
		hs__list_remove(&c->link);
		l->nconns--;
	}
	l->handles_open++;      /* the application may close the listener from its callbacks */
	hs__conn_free(c->core); /* reports connection_lost */
	if (offence != 0 && !l->closing)
		penalise(l, c, offence);
	l->handles_open--;
	if (!c->listed)
		l->handles_open--;
	shared_cfg_put(c->cfg);
	hs__buf_cleanup(&c->wbuf);
	free(c);
	listener_maybe_done(l);
}

/* The one close path: every handle c has, once. */
static void conn_close(struct io_conn *c)
{
	if (c->closing)
		return;
	c->closing = 1;
	dh_unqueue(c);
	uv_close((uv_handle_t *)&c->tcp, on_conn_handle_closed);
	if (c->timers_inited) {
		uv_close((uv_handle_t *)&c->timer, on_conn_handle_closed);
		uv_close((uv_handle_t *)&c->idle, on_conn_handle_closed);
	}
}

static void on_write(uv_write_t *req, int status)
{
	struct io_conn *c = req->data;
	c->writing = 0;
	hs__buf_reset(&c->wbuf);
	if (c->closing)
		return;
	if (status < 0) {
		hs__conn_fail(c->core, HS_ERR_IO, 0, "write to peer failed");
		conn_close(c);
		return;
	}
	hs__conn_output_drained(c->core);
	conn_pump(c);
}

static void flush(struct io_conn *c)
{
	if (c->writing || c->closing || hs__conn_output_len(c->core) == 0)
		return;
	hs__conn_output_swap(c->core, &c->wbuf);
	uv_buf_t b = uv_buf_init((char *)hs__buf_ptr(&c->wbuf), (unsigned)hs__buf_len(&c->wbuf));
	c->writing = 1;
	c->wreq.data = c;
	if (uv_write(&c->wreq, (uv_stream_t *)&c->tcp, &b, 1, on_write) != 0) {
		c->writing = 0;
		hs__conn_fail(c->core, HS_ERR_IO, 0, "write to peer failed");
		conn_close(c);
	}
}

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
	struct io_conn *c = h->data;
	uint8_t *p = NULL;
	size_t n = 0;
	if (c->closing || hs__conn_input_reserve(c->core, HS_READ_CHUNK, &p, &n) != 0) {
		*buf = uv_buf_init(NULL, 0);
		return;
	}
	*buf = uv_buf_init((char *)p, (unsigned)n);
}

static void on_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf)
{
	struct io_conn *c = s->data;
	if (c->closing)
		return;
	if (nread < 0) {
		hs__conn_fail(c->core, HS_ERR_IO, 0,
		              nread == UV_EOF ? "connection closed by peer" : uv_strerror((int)nread));
		conn_close(c);
		return;
	}
	hs__conn_set_now(c->core, uv_now(c->l->loop));
	if (nread > 0)
		hs__conn_input_commit(c->core, (size_t)nread); /* conn_pump sees a closing core */
	/* An idle connection keeps no input storage. */
	hs__conn_shrink_idle(c->core);
	conn_pump(c);
}

static void on_timer(uv_timer_t *t)
{
	struct io_conn *c = t->data;
	if (hs__conn_closing(c->core)) {
		conn_close(c); /* the peer did not take our last bytes in time */
		return;
	}
	hs__conn_tick(c->core, uv_now(c->l->loop)); /* conn_pump sees a closing core */
	conn_pump(c);
}

static void on_idle(uv_idle_t *h)
{
	struct io_conn *c = h->data;
	uv_idle_stop(h);
	if (c->closing)
		return;
	if (hs__conn_resume_due(c->core))
		hs__conn_resume(c->core); /* conn_pump sees a closing core */
	conn_pump(c);
}

static void io_kick(void *ctx)
{
	struct io_conn *c = ctx;
	if (!c->closing)
		uv_idle_start(&c->idle, on_idle);
}

static void io_authenticated(void *ctx)
{
	struct io_conn *c = ctx;
	if (c->unauth) {
		c->unauth = 0;
		c->l->unauth--;
	}
	hs__known_add(&c->l->known, &c->src, uv_now(c->l->loop));
}

/* --- finite-field key exchanges on the thread pool --- */

static void dh_unqueue(struct io_conn *c)
{
	if (c->dh_work != NULL) {
		c->dh_work->c = NULL; /* it finishes on its own and is freed */
		c->dh_work = NULL;
	}
	if (c->dh_job == NULL)
		return;
	hs__dh_queue_remove(&c->dh_waiter);
	hs__dh_job_free(c->dh_job);
	c->dh_job = NULL;
}

static struct io_conn *dh_next_waiting(struct hs_listener *l)
{
	struct hs_dh_waiter *w = hs__dh_queue_pop(&l->dh_waiting);
	return w == NULL ? NULL : HS_LIST_ENTRY(w, struct io_conn, dh_waiter);
}

static void on_dh_work(uv_work_t *req)
{
	struct dh_work *w = req->data;
	hs__dh_job_run(w->job);
}

static void dh_start_next(struct hs_listener *l);

static void on_dh_done(uv_work_t *req, int status)
{
	struct dh_work *w = req->data;
	struct hs_listener *l = w->l;
	struct io_conn *c = w->c;
	(void)status; /* nothing cancels these */
	l->dh_running--;
	l->handles_open--;
	if (c != NULL) {
		c->dh_work = NULL;
		hs__conn_set_now(c->core, uv_now(l->loop));
		hs__conn_compute_done(c->core, w->job); /* conn_pump sees a closing core */
		conn_pump(c);
	} else {
		hs__dh_job_free(w->job);
	}
	free(w);
	dh_start_next(l);
	listener_maybe_done(l);
}

static void dh_start_next(struct hs_listener *l)
{
	struct io_conn *c;
	while (l->dh_running < l->cfg->c.max_dh && (c = dh_next_waiting(l)) != NULL) {
		struct hs_dh_job *job = c->dh_job;
		c->dh_job = NULL;
		if (hs__conn_closing(c->core)) { /* failed while it waited */
			hs__dh_job_free(job);
			continue;
		}
		struct dh_work *w = calloc(1, sizeof(*w));
		if (w != NULL) {
			w->l = l;
			w->c = c;
			w->job = job;
			w->req.data = w;
		}
		if (w == NULL || uv_queue_work(l->loop, &w->req, on_dh_work, on_dh_done) != 0) {
			hs__dh_job_free(job);
			free(w);
			/* this may run inside the core's own call: close from the loop */
			hs__conn_fail(c->core, HS_ERR_INTERNAL, 0, "cannot start the key exchange computation");
			io_kick(c);
			continue;
		}
		c->dh_work = w;
		l->dh_running++;
		l->handles_open++;
		if (l->dh_running > l->dh_peak)
			l->dh_peak = l->dh_running;
	}
}

static void io_compute(void *ctx, struct hs_dh_job *job)
{
	struct io_conn *c = ctx;
	struct hs_listener *l = c->l;
	if (c->closing || c->dh_job != NULL || c->dh_work != NULL) {
		/* the core asks once per exchange: a broken invariant */
		hs__dh_job_free(job);
		hs__conn_fail(c->core, HS_ERR_INTERNAL, 0, "key exchange computation asked twice");
		io_kick(c);
		return;
	}
	c->dh_job = job;
	/* a known source's first login waits with the authenticated peers */
	hs__dh_queue_push(&l->dh_waiting, &c->dh_waiter, !c->unauth || c->known);
	l->dh_queued++;
	if (c->unauth && c->known)
		l->dh_known++;
	dh_start_next(l);
}

static const struct hs_io_ops io_ops = { io_kick, io_authenticated, io_compute };

/* After any event: write what is queued, read if wanted, arm the timer,
 * and close once a failed connection's last bytes are out. */
static void conn_pump(struct io_conn *c)
{
	if (c->closing)
		return;
	flush(c);
	if (c->closing)
		return;
	struct hs_conn *core = c->core;
	if (hs__conn_closing(core)) {
		if (c->reading) {
			uv_read_stop((uv_stream_t *)&c->tcp);
			c->reading = 0;
		}
		if (!c->writing && hs__conn_output_len(core) == 0) {
			conn_close(c);
			return;
		}
		if (!c->flush_armed) {
			c->flush_armed = 1;
			uv_timer_start(&c->timer, on_timer, HS_CLOSE_FLUSH_MS, 0);
		}
		return;
	}
	/* A peer that does not read our replies stops being read. */
	int want = hs__conn_wants_input(core) && hs__conn_output_len(core) + hs__buf_len(&c->wbuf) < HS_OUTPUT_HIGH;
	if (want && !c->reading) {
		if (uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read) == 0)
			c->reading = 1;
	} else if (!want && c->reading) {
		uv_read_stop((uv_stream_t *)&c->tcp);
		c->reading = 0;
	}
	if (hs__buf_len(&c->wbuf) == 0 && hs__conn_output_len(core) == 0) {
		hs__buf_shrink(&c->wbuf, 0);
		hs__conn_shrink_idle(core);
	}
	uint64_t now = uv_now(c->l->loop);
	uint64_t due = hs__conn_next_deadline(core);
	if (due == UINT64_MAX) {
		uv_timer_stop(&c->timer);
	} else {
		uint64_t wait = due > now ? due - now : 0;
		uv_timer_start(&c->timer, on_timer, wait + 1, 0);
	}
}

/* Unauthenticated connections from src, each counted under the netblock
 * sizes of now (a new configuration may have changed them). */
static uint32_t unauth_from(const struct hs_listener *l, const struct hs_netblock *src)
{
	const struct hs_core_config *cfg = &l->cfg->c;
	uint32_t count = 0;
	const struct hs_list_node *n;
	HS_LIST_FOREACH(n, &l->conns)
	{
		const struct io_conn *c = HS_LIST_ENTRY_CONST(n, struct io_conn, link);
		if (!c->unauth || c->addr.family != src->family)
			continue;
		struct hs_netblock s = hs__netblock_mask(&c->addr, cfg->netblock_ipv4, cfg->netblock_ipv6);
		if (hs__netblock_equal(&s, src))
			count++;
	}
	return count;
}

/* The peer's address: as text for the core, and its source under the
 * listener's netblock sizes. */
static int peer_of(struct io_conn *c, char *peer, size_t peerlen)
{
	struct sockaddr_storage ss;
	int sslen = sizeof ss;
	int port = 0;
	const struct hs_core_config *cfg = &c->l->cfg->c;
	memset(&ss, 0, sizeof ss);
	if (uv_tcp_getpeername(&c->tcp, (struct sockaddr *)&ss, &sslen) != 0)
		return HS_ERR_IO; /* the peer is already gone */
	if (hs__netblock_from_sockaddr((const struct sockaddr *)&ss, &c->addr, &port) != 0)
		return HS_ERR_IO;
	c->src = hs__netblock_mask(&c->addr, cfg->netblock_ipv4, cfg->netblock_ipv6);
	c->known = hs__known_has(&c->l->known, &c->src, uv_now(c->l->loop));
	hs__netblock_peer_text(&c->addr, port, peer, peerlen);
	return 0;
}

static uint32_t random_percent(void)
{
	uint32_t r = 0;
	if (RAND_bytes((unsigned char *)&r, sizeof r) != 1)
		return 99; /* refuse only where the drop is certain */
	return r % 100u;
}

/* Before spending anything: an enum hs_refusal, or 0 to serve c. A known
 * source is spared the random drop, not the caps. */
static int refusal_of(struct hs_listener *l, const struct io_conn *c)
{
	const struct hs_core_config *cfg = &l->cfg->c;
	if (!hs__netblock_list_contains(cfg->penalty_exempt, cfg->penalty_exempt_n, &c->addr) &&
	    hs__penalties_check(&l->penalties, &c->src, uv_now(l->loop)) > 0)
		return HS_REFUSED_PENALTY;
	if (l->unauth >= cfg->max_unauth)
		return HS_REFUSED_MAX_UNAUTH;
	if (unauth_from(l, &c->src) >= cfg->max_unauth_per_source)
		return HS_REFUSED_PER_SOURCE;
	if (!c->known && l->unauth >= cfg->early_drop_start &&
	    hs__early_drop(l->unauth, cfg->early_drop_start, cfg->early_drop_rate, cfg->max_unauth, random_percent()))
		return HS_REFUSED_EARLY_DROP;
	return 0;
}

static void refuse(struct hs_listener *l, struct io_conn *c, const char *peer, int refusal)
{
	char source[HS_NETBLOCK_TEXT];
	hs__netblock_format(&c->src, source, sizeof source);
	struct hs_listener_event ev = { .type = HS_EVENT_REFUSED, .refusal = refusal, .peer = peer, .source = source };
	report(l, &ev); /* c's handle holds the listener open meanwhile */
	conn_close(c);
}

/* TCP keepalive (SO_KEEPALIVE): a peer gone without a word is noticed. */
static void tcp_keepalive(struct io_conn *c, uint32_t idle_s)
{
	if (idle_s == 0 || uv_tcp_keepalive(&c->tcp, 1, idle_s) != 0)
		return;
#if defined(TCP_KEEPINTVL) && defined(TCP_KEEPCNT)
	uv_os_fd_t fd;
	int interval = HS_TCP_KEEPALIVE_INTERVAL, probes = HS_TCP_KEEPALIVE_PROBES;
	if (uv_fileno((const uv_handle_t *)&c->tcp, &fd) == 0) {
		(void)setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &interval, sizeof interval);
		(void)setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &probes, sizeof probes);
	}
#endif
}

/* Set up a connection that passed the caps: timers, buffers, its core. */
static int conn_setup(struct hs_listener *l, struct io_conn *c, const char *peer)
{
	if (uv_timer_init(l->loop, &c->timer) != 0)
		return HS_ERR_IO;
	if (uv_idle_init(l->loop, &c->idle) != 0) {
		/* the timer is open: close it with the rest (it was inited) */
		uv_close((uv_handle_t *)&c->timer, on_conn_handle_closed);
		c->handles_open++;
		return HS_ERR_IO;
	}
	c->timers_inited = 1;
	c->handles_open += 2;
	uv_tcp_nodelay(&c->tcp, 1);
	tcp_keepalive(c, l->cfg->c.tcp_keepalive_s);
	hs__buf_init(&c->wbuf, HS_OUTPUT_CAP, 0);
	c->cfg = shared_cfg_get(l->cfg);
	c->listed = 1;
	hs__list_insert_head(&l->conns, &c->link);
	l->nconns++;
	c->unauth = 1;
	l->unauth++;
	c->core = hs__conn_new(&c->cfg->c, l->hostkey, &l->cb, l->data, &io_ops, c, peer, uv_now(l->loop));
	return c->core != NULL ? 0 : HS_ERR_ALLOC;
}

static void on_connection(uv_stream_t *server, int status)
{
	struct hs_listener *l = server->data;
	char peer[HS_MAX_PEER_TEXT];
	if (status < 0 || l->closing)
		return;
	struct io_conn *c = calloc(1, sizeof(*c));
	if (c == NULL)
		return;
	c->l = l;
	c->tcp.data = c;
	c->timer.data = c;
	c->idle.data = c;
	if (uv_tcp_init(l->loop, &c->tcp) != 0) {
		free(c);
		return;
	}
	c->handles_open = 1;
	l->handles_open++; /* until listed, or freed */
	if (uv_accept(server, (uv_stream_t *)&c->tcp) != 0 || peer_of(c, peer, sizeof peer) != 0) {
		conn_close(c);
		return;
	}
	int refusal = refusal_of(l, c);
	if (refusal != 0) {
		refuse(l, c, peer, refusal);
		return;
	}
	l->handles_open--; /* listed from here: l->nconns holds the listener */
	if (conn_setup(l, c, peer) != 0) {
		/* without a core there is nothing to report: close quietly */
		if (!c->listed)
			l->handles_open++;
		conn_close(c);
		return;
	}
	if (hs__conn_start(c->core) != 0)
		hs__conn_fail(c->core, HS_ERR_INTERNAL, 0, "cannot start connection");
	conn_pump(c);
}

int hs_listener_new(uv_loop_t *loop, const struct hs_config *cfg, const struct hs_hostkey *hostkey,
                    const struct hs_server_cb *cb, void *data, struct hs_listener **out)
{
	int r;
	if (loop == NULL || hostkey == NULL || out == NULL)
		return HS_ERR_INVALID_ARG;
	struct hs_listener *l = calloc(1, sizeof(*l));
	if (l == NULL)
		return HS_ERR_ALLOC;
	if ((r = shared_cfg_new(cfg, NULL, 0, &l->cfg)) != 0) {
		free(l);
		return r;
	}
	l->loop = loop;
	l->hostkey = hostkey;
	if (cb != NULL)
		l->cb = *cb;
	l->data = data;
	l->port = -1;
	uint64_t key = 0;
	if (RAND_bytes((unsigned char *)&key, sizeof key) != 1) {
		shared_cfg_put(l->cfg);
		free(l);
		return HS_ERR_CRYPTO;
	}
	hs__penalties_init(&l->penalties, key);
	hs__list_init(&l->conns);
	hs__dh_queue_init(&l->dh_waiting);
	*out = l;
	return 0;
}

/* The listening handle exists (closed with the listener from here). */
static int listener_tcp_init(struct hs_listener *l)
{
	int e;
	if ((e = uv_tcp_init(l->loop, &l->tcp)) != 0)
		return e;
	l->tcp_inited = 1;
	l->handles_open++;
	l->tcp.data = l;
	return 0;
}

/* The handle is bound: listen on it, and learn the port it is bound to. */
static int listener_start(struct hs_listener *l)
{
	struct sockaddr_storage bound;
	int blen = sizeof bound;
	int e;
	if ((e = uv_listen((uv_stream_t *)&l->tcp, HS_LISTEN_BACKLOG, on_connection)) != 0)
		return e;
	if (uv_tcp_getsockname(&l->tcp, (struct sockaddr *)&bound, &blen) == 0)
		l->port = ntohs(bound.ss_family == AF_INET ? ((struct sockaddr_in *)&bound)->sin_port
		                                           : ((struct sockaddr_in6 *)&bound)->sin6_port);
	return 0;
}

int hs_listener_listen(struct hs_listener *l, const char *address, int port, int reuseport, int *uv_err)
{
	struct sockaddr_storage ss;
	int e;
	if (uv_err)
		*uv_err = 0;
	if (l->tcp_inited || l->closing)
		return HS_ERR_INVALID_ARG;
	memset(&ss, 0, sizeof ss);
	if (uv_ip4_addr(address, port, (struct sockaddr_in *)&ss) != 0 &&
	    uv_ip6_addr(address, port, (struct sockaddr_in6 *)&ss) != 0)
		return HS_ERR_INVALID_ARG;
	if ((e = listener_tcp_init(l)) != 0)
		goto fail;
	if (reuseport) {
		int fd = socket(ss.ss_family, SOCK_STREAM, 0);
		int one = 1;
		if (fd < 0) {
			e = uv_translate_sys_error(errno);
			goto fail;
		}
		if (setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) != 0 ||
		    (e = uv_tcp_open(&l->tcp, fd)) != 0) {
			e = e ? e : uv_translate_sys_error(errno);
			close(fd);
			goto fail;
		}
	}
	if ((e = uv_tcp_bind(&l->tcp, (const struct sockaddr *)&ss, 0)) != 0)
		goto fail;
	if ((e = listener_start(l)) != 0)
		goto fail;
	return 0;
fail:
	if (uv_err)
		*uv_err = e;
	return HS_ERR_IO;
}

/* Is fd a TCP socket (an IPv4 or IPv6 stream socket)? */
static int is_tcp_socket(int fd)
{
	struct sockaddr_storage ss;
	socklen_t sslen = sizeof ss;
	int type = 0;
	socklen_t tlen = sizeof type;
	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &tlen) != 0 || type != SOCK_STREAM)
		return 0;
	memset(&ss, 0, sizeof ss);
	if (getsockname(fd, (struct sockaddr *)&ss, &sslen) != 0)
		return 0;
	return ss.ss_family == AF_INET || ss.ss_family == AF_INET6;
}

int hs_listener_open(struct hs_listener *l, int fd)
{
	if (l == NULL || l->tcp_inited || l->closing) {
		if (fd >= 0)
			close(fd);
		return HS_ERR_INVALID_ARG;
	}
	if (fd < 0 || !is_tcp_socket(fd)) {
		if (fd >= 0)
			close(fd);
		return HS_ERR_IO;
	}
	if (listener_tcp_init(l) != 0) {
		close(fd);
		return HS_ERR_IO;
	}
	if (uv_tcp_open(&l->tcp, fd) != 0) {
		close(fd);
		hs_listener_stop(l);
		return HS_ERR_IO;
	}
	/* from here the handle owns fd: it closes with the handle */
	if (listener_start(l) != 0) {
		hs_listener_stop(l); /* closes fd now; the handle's callback comes later */
		return HS_ERR_IO;
	}
	return 0;
}

int hs_listener_set_config(struct hs_listener *l, const struct hs_config *cfg, char *err, size_t errlen)
{
	struct shared_cfg *s;
	int r;
	if (l == NULL || l->closing)
		return HS_ERR_INVALID_ARG;
	if ((r = shared_cfg_new(cfg, err, errlen, &s)) != 0)
		return r;
	shared_cfg_put(l->cfg);
	l->cfg = s;
	dh_start_next(l); /* the cap may have grown */
	return 0;
}

int hs_listener_port(const struct hs_listener *l)
{
	return l->port;
}

size_t hs_listener_connection_count(const struct hs_listener *l)
{
	return l->nconns;
}

uint32_t hs__listener_dh_peak(const struct hs_listener *l)
{
	return l->dh_peak;
}

uint32_t hs__listener_dh_known(const struct hs_listener *l)
{
	return l->dh_known;
}

uint32_t hs__listener_dh_queued(const struct hs_listener *l)
{
	return l->dh_queued;
}

static void on_listener_closed(uv_handle_t *h)
{
	struct hs_listener *l = h->data;
	l->handles_open--;
	listener_maybe_done(l);
}

void hs_listener_stop(struct hs_listener *l)
{
	if (l->tcp_inited && !uv_is_closing((uv_handle_t *)&l->tcp))
		uv_close((uv_handle_t *)&l->tcp, on_listener_closed);
}

void hs_listener_close(struct hs_listener *l, void (*closed_cb)(void *data), void *data)
{
	if (l->closing)
		return;
	l->closing = 1;
	l->closed_cb = closed_cb;
	l->closed_data = data;
	hs_listener_stop(l);
	struct hs_list_node *n;
	HS_LIST_FOREACH(n, &l->conns)
	{ /* closing unlinks later, from the loop */
		struct io_conn *c = HS_LIST_ENTRY(n, struct io_conn, link);
		if (c->closing)
			continue;
		hs__conn_fail(c->core, HS_ERR_BY_APPLICATION, HS_DISCONNECT_BY_APPLICATION, "server shutting down");
		conn_pump(c);
	}
	/* let the loop run the close callbacks before freeing */
	if (l->handles_open == 0 && l->nconns == 0) {
		/* nothing open: free on the spot is still after the caller's
		 * own frame, since no callback of ours is on the stack */
		listener_maybe_done(l);
	}
}
