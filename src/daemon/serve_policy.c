/*
 * hostsd program — `hostsd serve`, per connection (struct peer): the
 * HostsServer policy of DESIGN.md written against the engine's callbacks.
 *
 * begin_auth looks the host up in the trust registry on the thread pool
 * and answers later, never sooner than HSD_AUTH_ANSWER_FLOOR_MS after the
 * request (so the time does not tell a known host from an unknown one);
 * validate_public_key accepts only a non-revoked, non-expired key of a
 * non-revoked host; auth_completed holds a host to max_connections_per_host
 * connections; session_requested holds a connection to max_sessions and
 * gives the channel to subsystem.c, which runs a granted and configured
 * subsystem as a child process and refuses everything else. Every attempt
 * goes to the registry's log, off the loop thread; those with user names
 * that are no host id only as a count. Text the peer chose reaches the log
 * only through hsd_log_name() or hsd_log_quote(). A server that is stopping
 * ends each connection as soon as it has no session left (serve.c).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/timerfd.h>
#endif

#include "daemon/log.h"
#include "daemon/policy.h"
#include "daemon/serve_priv.h"
#include "daemon/subsystem.h"

#define MAX_ATTEMPT_JOBS 256u /* attempt-log writes in flight; beyond, stderr only */

/* --- small helpers --- */

void hsd__serve_end_peer(struct peer *p, const char *why)
{
	if (p->conn == NULL || p->ending)
		return;
	char reason[HSD_LOG_QUOTED_SIZE(HSD_LOG_REASON_MAX)];
	p->ending = 1;
	hsd_log(HSD_LOG_NOTICE, "closing connection peer=%s host=%s reason=%s", p->addr,
	        p->authenticated ? p->host_log : "-", hsd_log_quote(reason, sizeof reason, why));
	hs_conn_disconnect(p->conn, HS_DISCONNECT_BY_APPLICATION, why);
}

static void free_peer(struct peer *p)
{
	hsd_peer_record_clear(&p->rec);
	hsd_peer_record_clear(&p->fresh);
	free(p);
}

struct peer *hsd__serve_find_peer(struct server *srv, uint64_t id)
{
	struct hs_list_node *n;
	HS_LIST_FOREACH(n, &srv->peers)
	{
		if (PEER_OF(n)->id == id)
			return PEER_OF(n);
	}
	return NULL;
}

/* --- the attempt log (registry, off the loop thread) --- */

struct attempt_job {
	uv_work_t work;
	struct server *srv;
	struct hsd_attempt a;
};

static void attempt_run(uv_work_t *w)
{
	struct attempt_job *j = w->data;
	if (hsd_regpool_log_attempt(j->srv->pool, &j->a) != 0)
		hsd_log(HSD_LOG_WARNING, "cannot record the attempt of peer=%s in the registry", j->a.peer);
}

static void attempt_done(uv_work_t *w, int status)
{
	struct attempt_job *j = w->data;
	j->srv->attempt_jobs--;
	free(j);
}

static void record_attempt(struct peer *p, const char *fp, int accepted, const char *reason)
{
	struct server *srv = p->srv;
	/* a flood of attempts must not queue without bound: stderr has them */
	if (srv->attempt_jobs >= MAX_ATTEMPT_JOBS)
		return;
	struct attempt_job *j = calloc(1, sizeof(*j));
	if (j == NULL)
		return;
	j->srv = srv;
	j->work.data = j;
	snprintf(j->a.peer, sizeof j->a.peer, "%s", p->addr);
	snprintf(j->a.host, sizeof j->a.host, "%s", p->host);
	snprintf(j->a.fingerprint, sizeof j->a.fingerprint, "%s", fp ? fp : "");
	j->a.accepted = accepted;
	snprintf(j->a.reason, sizeof j->a.reason, "%s", reason ? reason : "");
	if (uv_queue_work(&srv->loop, &j->work, attempt_run, attempt_done) != 0) {
		free(j);
		return;
	}
	srv->attempt_jobs++;
}

/* Attempts with invalid host ids are counted in memory and added to the
 * registry's count every second (serve_watch.c), one write whatever their
 * number. */
static void count_invalid(struct peer *p)
{
	struct server *srv = p->srv;
	int64_t now = (int64_t)time(NULL);
	if (srv->invalid.n++ == 0)
		srv->invalid.first = now;
	srv->invalid.last = now;
	snprintf(srv->invalid.peer, sizeof srv->invalid.peer, "%s", p->addr);
}

struct invalid_job {
	uv_work_t work;
	struct server *srv;
	uint64_t n;
	int64_t first, last;
	char peer[64];
};

static void invalid_run(uv_work_t *w)
{
	struct invalid_job *j = w->data;
	if (hsd_regpool_count_invalid(j->srv->pool, j->n, j->first, j->last, j->peer) != 0)
		hsd_log(HSD_LOG_WARNING, "cannot count %llu attempts with invalid host ids in the registry",
		        (unsigned long long)j->n);
}

static void invalid_done(uv_work_t *w, int status)
{
	struct invalid_job *j = w->data;
	struct server *srv = j->srv;
	srv->invalid.flushing = 0;
	free(j);
	if (srv->finished) /* what came meanwhile, before the loop ends */
		hsd__serve_flush_invalid(srv);
}

void hsd__serve_flush_invalid(struct server *srv)
{
	if (srv->invalid.n == 0 || srv->invalid.flushing || srv->pool == NULL)
		return;
	struct invalid_job *j = calloc(1, sizeof(*j));
	if (j == NULL)
		return; /* kept for the next tick */
	j->srv = srv;
	j->work.data = j;
	j->n = srv->invalid.n;
	j->first = srv->invalid.first;
	j->last = srv->invalid.last;
	snprintf(j->peer, sizeof j->peer, "%s", srv->invalid.peer);
	if (uv_queue_work(&srv->loop, &j->work, invalid_run, invalid_done) != 0) {
		free(j);
		return;
	}
	srv->invalid.flushing = 1;
	srv->invalid.n = 0;
}

/* --- sessions --- */

static int resolve_subsystem(void *ctx, const char *name, char **command, const char **why)
{
	struct peer *p = ctx;
	const char *cmd = hsd_policy_decide(&p->srv->set.subsystems, (const char *const *)p->rec.grants, p->rec.ngrants,
	                                    name, why);
	if (cmd == NULL)
		return -1;
	if ((*command = strdup(cmd)) == NULL) {
		*why = "out of memory";
		return -1;
	}
	return 0;
}

static void session_closed(void *ctx)
{
	struct peer *p = ctx;
	p->sessions--;
	/* stopping: a connection whose last session ended has nothing to wait for */
	if (p->srv->stopping && p->sessions == 0)
		hsd__serve_end_peer(p, "server shutting down");
}

static int session_requested(struct hs_conn *conn, struct hs_channel *ch, struct hs_channel_open *open)
{
	struct peer *p = hs_conn_get_data(conn);
	struct hsd_session *s = NULL;
	if (p == NULL || p->srv->stopping || !p->authenticated || p->ending) {
		open->reason = HS_OPEN_ADMINISTRATIVELY_PROHIBITED;
		open->description =
			p != NULL && p->ending && !p->srv->stopping ? "connection closing" : "server shutting down";
		return HS_NO;
	}
	struct server *srv = p->srv;
	/* MaxSessions: a peer cannot run more children than this at once over
	 * one connection */
	if (p->sessions >= srv->set.max_sessions) {
		hsd_log(HSD_LOG_NOTICE,
		        "session refused peer=%s host=%s reason=\"too many sessions (max_sessions %u)\"", p->addr,
		        p->host_log, srv->set.max_sessions);
		open->reason = HS_OPEN_RESOURCE_SHORTAGE;
		open->description = "too many sessions on this connection";
		return HS_NO;
	}
	struct hsd_session_config sc = {
		.loop = &srv->loop,
		.resolve = resolve_subsystem,
		.closed = session_closed,
		.ctx = p,
		.host = p->host,
		.key_fp = p->fp,
		.peer_addr = p->addr,
		.launcher = &hsd_worker_launcher_ops,
		.launcher_ctx = &srv->launcher,
		.kill_grace_ms = srv->set.kill_grace_ms,
	};
	if (hsd_session_new(&sc, ch, &s) != 0) {
		open->reason = HS_OPEN_RESOURCE_SHORTAGE;
		open->description = "out of memory";
		return HS_NO;
	}
	open->callbacks = &hsd_session_callbacks;
	open->data = s;
	p->sessions++;
	return HS_YES;
}

/* --- authentication --- */

static void lookup_run(uv_work_t *w)
{
	struct peer *p = w->data;
	p->lookup_failed = hsd_regpool_lookup(p->srv->pool, p->host, &p->fresh) != 0;
}

/* The look-up's answer, once it is due (the peer is no longer held). */
static void answer_lookup(struct peer *p)
{
	p->loading = 0;
	if (p->conn == NULL) { /* the connection ended while we looked */
		free_peer(p);
		return;
	}
	/* Unknown hosts get the same replies as known ones. */
	int r = hs_conn_answer(p->conn, HS_AUTH_REQUIRED);
	if (r != 0) /* the connection is closing: connection_lost follows */
		hsd_log(HSD_LOG_DEBUG, "look-up answer not taken peer=%s: %s", p->addr, hs_strerror(r));
}

/* Monotonic nanoseconds, the clock of timerfd's CLOCK_MONOTONIC. */
static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void arm_answer_clock(struct server *srv);

/* Answer every held look-up that is due, then wait for the next. */
static void answer_due(struct server *srv)
{
	uint64_t now = now_ns();
	struct peer *p;
	while ((p = srv->held) != NULL && p->answer_due <= now) {
		srv->held = p->held_next;
		p->held_next = NULL;
		answer_lookup(p);
	}
	arm_answer_clock(srv);
}

static void on_answer_timer(uv_timer_t *t)
{
	answer_due(t->data);
}

#ifdef __linux__
static void on_answer_fd(uv_poll_t *h, int status, int events)
{
	struct server *srv = h->data;
	uint64_t expirations;
	/* drained, or a spurious wake-up: either way the list decides */
	if (read(srv->answer_fd, &expirations, sizeof expirations) < 0 && errno != EAGAIN && errno != EINTR)
		hsd_log(HSD_LOG_WARNING, "the answer clock failed: %s", strerror(errno));
	answer_due(srv);
}
#endif

static void arm_answer_clock(struct server *srv)
{
	if (srv->held == NULL || srv->finished)
		return;
	uint64_t due = srv->held->answer_due;
#ifdef __linux__
	if (srv->answer_fd >= 0) {
		/* an absolute time: the answer comes when it is due, whenever
		 * the look-up ended (one in the past fires at once) */
		struct itimerspec it;
		memset(&it, 0, sizeof it);
		it.it_value.tv_sec = (time_t)(due / 1000000000u);
		it.it_value.tv_nsec = (long)(due % 1000000000u);
		if (it.it_value.tv_sec == 0 && it.it_value.tv_nsec == 0)
			it.it_value.tv_nsec = 1; /* 0 would disarm it */
		if (timerfd_settime(srv->answer_fd, TFD_TIMER_ABSTIME, &it, NULL) == 0)
			return;
		hsd_log(HSD_LOG_WARNING, "the answer clock failed: %s", strerror(errno));
	}
#endif
	uint64_t now = now_ns();
	uint64_t ms = due > now ? (due - now + 999999u) / 1000000u : 0;
	uv_timer_start(&srv->answer_timer, on_answer_timer, ms, 0);
}

void hsd__serve_answer_clock_init(struct server *srv)
{
	uv_timer_init(&srv->loop, &srv->answer_timer);
	srv->answer_timer.data = srv;
	srv->answer_fd = -1;
#ifdef __linux__
	int fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (fd < 0)
		return;
	if (uv_poll_init(&srv->loop, &srv->answer_poll, fd) != 0) {
		close(fd);
		return;
	}
	srv->answer_poll.data = srv;
	uv_poll_start(&srv->answer_poll, UV_READABLE, on_answer_fd);
	srv->answer_fd = fd;
#endif
}

/* Hold p's answer until its due time, in order of due times. */
static void hold_answer(struct peer *p)
{
	struct server *srv = p->srv;
	struct peer **pp = &srv->held;
	while (*pp != NULL && (*pp)->answer_due <= p->answer_due)
		pp = &(*pp)->held_next;
	p->held_next = *pp;
	*pp = p;
	if (srv->held == p)
		arm_answer_clock(srv);
}

void hsd__serve_release_held(struct server *srv)
{
	struct peer *p;
	while ((p = srv->held) != NULL) {
		srv->held = p->held_next;
		p->held_next = NULL;
		answer_lookup(p);
	}
	if (!uv_is_closing((uv_handle_t *)&srv->answer_timer))
		uv_close((uv_handle_t *)&srv->answer_timer, NULL);
	/* the descriptor goes after the handle is closed (serve.c) */
	if (srv->answer_fd >= 0 && !uv_is_closing((uv_handle_t *)&srv->answer_poll))
		uv_close((uv_handle_t *)&srv->answer_poll, NULL);
}

static void lookup_done(uv_work_t *w, int status)
{
	struct peer *p = w->data;
	struct server *srv = p->srv;
	hsd_peer_record_clear(&p->rec);
	p->rec = p->fresh;
	memset(&p->fresh, 0, sizeof p->fresh);
	if (p->conn != NULL && (p->lookup_failed || status != 0))
		hsd_log(HSD_LOG_ERR, "registry look-up failed peer=%s host=%s: refusing", p->addr, p->host_log);
	/* the answer waits for the floor, unless the connection is gone (or
	 * the server finishing: its timer is closing) */
	if (p->conn != NULL && !srv->finished && now_ns() < p->answer_due) {
		hold_answer(p);
		return;
	}
	answer_lookup(p);
}

static int begin_auth(struct hs_conn *conn, const char *username)
{
	struct peer *p = hs_conn_get_data(conn);
	if (p == NULL)
		return HS_AUTH_REQUIRED;
	p->host_valid = hsd_host_id_valid(username);
	snprintf(p->host, sizeof p->host, "%s", p->host_valid ? username : "");
	hsd_log_name(p->host_log, sizeof p->host_log, username, p->host_valid);
	if (!p->host_valid || p->srv->stopping)
		return HS_AUTH_REQUIRED; /* no such host can exist: nothing to look up */
	p->work.data = p;
	p->lookup_gen = p->srv->gen;
	p->answer_due = now_ns() + HSD_AUTH_ANSWER_FLOOR_MS * 1000000u;
	if (uv_queue_work(&p->srv->loop, &p->work, lookup_run, lookup_done) != 0) {
		hsd_log(HSD_LOG_ERR, "cannot queue a registry look-up peer=%s host=%s", p->addr, p->host_log);
		return HS_AUTH_REQUIRED;
	}
	p->loading = 1;
	return HS_AUTH_PENDING;
}

static int validate_public_key(struct hs_conn *conn, const char *username, const struct hs_key *key)
{
	struct peer *p = hs_conn_get_data(conn);
	if (p == NULL)
		return HS_NO;
	const char *why = !p->host_valid     ? "unknown host"
	                  : p->lookup_failed ? "registry unavailable"
	                                     : hsd_policy_check_key(&p->rec, key, (int64_t)time(NULL));
	if (why == NULL)
		return HS_YES;
	char fp[HS_FINGERPRINT_SIZE];
	hs_key_fingerprint(key, fp);
	hsd_log(HSD_LOG_NOTICE, "auth refused peer=%s host=%s key=%s reason=\"%s\"", p->addr, p->host_log, fp, why);
	/* a made-up name is counted, not logged row by row: strangers must
	 * not push the records of real hosts out of the registry's log */
	if (p->host_valid)
		record_attempt(p, fp, 0, why);
	else
		count_invalid(p);
	return HS_NO;
}

/* The other open connections of p's host that authenticated (and are not
 * being ended). */
static unsigned connections_of(const struct peer *p)
{
	unsigned n = 0;
	struct hs_list_node *node;
	HS_LIST_FOREACH(node, &p->srv->peers)
	{
		const struct peer *o = PEER_OF(node);
		if (o != p && o->authenticated && !o->ending && o->conn != NULL && strcmp(o->host, p->host) == 0)
			n++;
	}
	return n;
}

static void auth_completed(struct hs_conn *conn)
{
	struct peer *p = hs_conn_get_data(conn);
	if (p == NULL)
		return;
	p->authenticated = 1;
	hs_key_fingerprint(hs_conn_auth_key(conn), p->fp);
	/* One host may hold only so many connections: refused after the
	 * authentication, which tells who it is (not "auth refused": the key
	 * was good, and a filter of refused logins must not ban the host). */
	unsigned others = connections_of(p);
	if (others >= p->srv->set.max_connections_per_host) {
		char why[96];
		snprintf(why, sizeof why, "too many connections of this host (max_connections_per_host %u)",
		         p->srv->set.max_connections_per_host);
		hsd_log(HSD_LOG_NOTICE, "connection refused peer=%s host=%s key=%s reason=\"%s\"", p->addr, p->host_log,
		        p->fp, why);
		record_attempt(p, p->fp, 0, "too many connections");
		p->ending = 1;
		hs_conn_disconnect(conn, HS_DISCONNECT_TOO_MANY_CONNECTIONS, why);
		return;
	}
	hsd_log(HSD_LOG_INFO, "auth accepted peer=%s host=%s key=%s", p->addr, p->host_log, p->fp);
	record_attempt(p, p->fp, 1, "accepted");
	/* The registry changed while this host was being looked up: check it
	 * again at the next tick rather than trust what may be stale. */
	if (p->lookup_gen != p->srv->gen)
		p->srv->force_recheck = 1;
	if (p->srv->stopping)
		hsd__serve_end_peer(p, "server shutting down");
}

/* --- connections --- */

static void connection_made(struct hs_conn *conn)
{
	struct slot *sl = hs_conn_get_data(conn);
	struct server *srv = sl->srv;
	struct peer *p = calloc(1, sizeof(*p));
	if (p == NULL) {
		hs_conn_set_data(conn, NULL);
		hs_conn_disconnect(conn, HS_DISCONNECT_TOO_MANY_CONNECTIONS, "out of memory");
		return;
	}
	p->srv = srv;
	p->conn = conn;
	p->id = ++srv->next_id;
	snprintf(p->addr, sizeof p->addr, "%s", hs_conn_peer(conn));
	snprintf(p->host_log, sizeof p->host_log, "-");
	hs__list_insert_head(&srv->peers, &p->link);
	srv->npeers++;
	hs_conn_set_data(conn, p);
	hsd_log(HSD_LOG_INFO, "connection from %s", p->addr);
	if (srv->stopping)
		hsd__serve_end_peer(p, "server shutting down");
}

static void connection_lost(struct hs_conn *conn, int err, const char *reason)
{
	struct peer *p = hs_conn_get_data(conn);
	if (p == NULL)
		return;
	struct server *srv = p->srv;
	const char *refusal = p->authenticated ? NULL : hs_conn_auth_refusal(conn);
	char why[HSD_LOG_QUOTED_SIZE(HSD_LOG_REASON_MAX)], key[HSD_LOG_QUOTED_SIZE(HSD_LOG_REASON_MAX)];
	/* the reason may quote the peer's DISCONNECT text: quoted, so it
	 * cannot forge fields */
	hsd_log(HSD_LOG_INFO, "disconnect peer=%s host=%s authenticated=%s reason=%s%s%s", p->addr, p->host_log,
	        p->authenticated ? "yes" : "no", hsd_log_quote(why, sizeof why, reason), refusal ? " refused_key=" : "",
	        refusal ? hsd_log_quote(key, sizeof key, refusal) : "");
	p->conn = NULL;
	hs__list_remove(&p->link);
	srv->npeers--;
	if (!p->loading)
		free_peer(p); /* else lookup_done frees it */
	if ((srv->stopping || srv->retiring) && srv->npeers == 0)
		hsd__serve_schedule_finish(srv);
}

const struct hs_server_cb hsd__serve_callbacks = {
	.connection_made = connection_made,
	.connection_lost = connection_lost,
	.begin_auth = begin_auth,
	.validate_public_key = validate_public_key,
	.auth_completed = auth_completed,
	.session_requested = session_requested,
	/* connection_requested, server_requested: NULL, refused */
};
