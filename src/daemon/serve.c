/*
 * hostsd program — `hostsd serve`, the hosts server: the HostsServer of
 * DESIGN.md written against the engine.
 *
 * Per connection (struct peer): begin_auth looks the host up in the trust
 * registry on the thread pool and answers later; validate_public_key
 * accepts only a non-revoked, non-expired key of a non-revoked host;
 * session_requested gives the channel to subsystem.c, which runs a granted
 * and configured subsystem as a child process and refuses everything else.
 *
 * Around it: the listeners (one per address), a watcher that notices
 * registry commits (a timer every second asks the change detector on the
 * thread pool) and then re-validates every open connection off the loop
 * thread, ending those whose host or key was revoked; SIGHUP re-reads the
 * configuration; SIGTERM/SIGINT stop gracefully (no new connections, open
 * sessions may finish until shutdown_timeout, then the rest are cut).
 *
 * Callbacks of the engine must not free a listener from inside its own
 * call chain: work that closes listeners runs from a timer instead.
 */
#include "daemon/serve.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <uv.h>

#include <hostsd/hostsd.h>

#include "daemon/cli.h"
#include "daemon/log.h"
#include "daemon/policy.h"
#include "daemon/serve_args.h"
#include "daemon/serve_registry.h"
#include "daemon/serve_settings.h"
#include "daemon/statedir.h"
#include "daemon/subsystem.h"
#include "registry/names.h"

#define WATCH_INTERVAL_MS 1000u      /* how often the change detector is asked */
#define FULL_RECHECK_MS 60000u       /* re-validate anyway (key expiry) */
#define MAX_ATTEMPT_JOBS 256u        /* attempt-log writes in flight; beyond, stderr only */
#define HOST_MAX HSD_HOST_ID_MAX
#define EXIT_OK 0
#define EXIT_FAIL 1
#define EXIT_USAGE 2

struct server;

/* One listening address. */
struct slot {
	struct server *srv;
	struct hsd_listen_addr addr; /* as configured */
	int port;                    /* as bound */
	struct hs_listener *l;
	struct slot *next;
};

/* One connection (AsyncSSH's one SSHServer per connection). */
struct peer {
	struct server *srv;
	struct hs_conn *conn;        /* NULL once the connection is gone */
	uint64_t id;
	char addr[64];
	char host[HOST_MAX + 1];     /* the user name, printable; a host id if host_valid */
	int host_valid;
	struct hsd_peer_record rec;  /* the registry's view of host */
	struct hsd_peer_record fresh;/* a look-up running on the thread pool */
	uv_work_t work;
	int loading;
	int lookup_failed;
	uint64_t lookup_gen;         /* registry generation when the look-up was queued */
	int authenticated;
	char fp[HS_FINGERPRINT_SIZE];
	unsigned sessions;           /* open session channels */
	int ending;                  /* we asked it to disconnect */
	struct peer *prev, *next;
};

/* Command-line options; they win over the configuration file. */
struct cli {
	const char *dir;
	struct hsd_listen_addr listen[HSD_MAX_LISTEN];
	size_t nlisten;
	struct hsd_subsystems subsystems;
	unsigned login_grace;        /* 0: not given */
	const char *pidfile;
};

struct server {
	uv_loop_t loop;
	struct cli cli;
	char dir[HSD_PATH_MAX];          /* the state directory */
	struct hsd_serve_settings set;   /* configuration file + command line */
	struct hsd_regpool *pool;
	struct hs_hostkey *hostkey;
	char *path_env;
	struct slot *slots;              /* listening */
	struct slot *retired;            /* stopped, with connections left */
	struct peer *peers;
	size_t npeers;
	uint64_t next_id;
	uint64_t gen;                    /* bumped whenever the registry changed */
	int force_recheck;
	uint64_t last_full_ms;
	int watch_busy;
	unsigned attempt_jobs;
	uv_signal_t sig_term, sig_int, sig_hup;
	uv_timer_t watch, stop_timer, later;
	int handles_up;
	int stopping;                    /* graceful stop under way */
	int forced;                      /* every connection was cut */
	int finished;                    /* our own handles are closing */
	int pidfile_written;
	int started;                     /* serving (start-up went well) */
	unsigned dh_threads;             /* pool threads started for key exchanges; 0: sized by the operator */
};

static void schedule_finish(struct server *srv);

/* --- small helpers --- */

static void end_peer(struct peer *p, const char *why)
{
	if (p->conn == NULL || p->ending)
		return;
	p->ending = 1;
	hsd_log(HSD_LOG_NOTICE, "closing connection peer=%s host=%s reason=\"%s\"", p->addr,
	        p->authenticated ? p->host : "-", why);
	hs_conn_disconnect(p->conn, HS_DISCONNECT_BY_APPLICATION, why);
}

static void free_peer(struct peer *p)
{
	hsd_peer_record_clear(&p->rec);
	hsd_peer_record_clear(&p->fresh);
	free(p);
}

static struct peer *find_peer(struct server *srv, uint64_t id)
{
	for (struct peer *p = srv->peers; p != NULL; p = p->next)
		if (p->id == id)
			return p;
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

/* --- sessions --- */

static int resolve_subsystem(void *ctx, const char *name, char **command, const char **why)
{
	struct peer *p = ctx;
	const char *cmd = hsd_policy_decide(&p->srv->set.subsystems, (const char *const *)p->rec.grants,
	                                    p->rec.ngrants, name, why);
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
		end_peer(p, "server shutting down");
}

static int session_requested(struct hs_conn *conn, struct hs_channel *ch, struct hs_channel_open *open)
{
	struct peer *p = hs_conn_get_data(conn);
	struct hsd_session *s = NULL;
	if (p == NULL || p->srv->stopping || !p->authenticated) {
		open->reason = HS_OPEN_ADMINISTRATIVELY_PROHIBITED;
		open->description = "server shutting down";
		return HS_NO;
	}
	struct server *srv = p->srv;
	struct hsd_session_config sc = {
		.loop = &srv->loop,
		.resolve = resolve_subsystem,
		.closed = session_closed,
		.ctx = p,
		.host = p->host,
		.key_fp = p->fp,
		.peer_addr = p->addr,
		.path = srv->path_env,
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

static void lookup_done(uv_work_t *w, int status)
{
	struct peer *p = w->data;
	p->loading = 0;
	if (p->conn == NULL) { /* the connection ended while we looked */
		free_peer(p);
		return;
	}
	hsd_peer_record_clear(&p->rec);
	p->rec = p->fresh;
	memset(&p->fresh, 0, sizeof p->fresh);
	if (p->lookup_failed || status != 0)
		hsd_log(HSD_LOG_ERR, "registry look-up failed peer=%s host=%s: refusing", p->addr, p->host);
	/* Unknown hosts get the same replies as known ones. */
	if (hs_conn_answer(p->conn, HS_AUTH_REQUIRED) != 0) {
		/* the connection is closing: connection_lost follows */
	}
}

static int begin_auth(struct hs_conn *conn, const char *username)
{
	struct peer *p = hs_conn_get_data(conn);
	if (p == NULL)
		return HS_AUTH_REQUIRED;
	hsd_log_safe_copy(p->host, sizeof p->host, username);
	p->host_valid = hsd_host_id_valid(username);
	if (!p->host_valid || p->srv->stopping)
		return HS_AUTH_REQUIRED; /* no such host can exist: nothing to look up */
	p->work.data = p;
	p->lookup_gen = p->srv->gen;
	if (uv_queue_work(&p->srv->loop, &p->work, lookup_run, lookup_done) != 0) {
		hsd_log(HSD_LOG_ERR, "cannot queue a registry look-up peer=%s host=%s", p->addr, p->host);
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
	hsd_log(HSD_LOG_NOTICE, "auth refused peer=%s host=%s key=%s reason=\"%s\"", p->addr, p->host, fp, why);
	record_attempt(p, fp, 0, why);
	return HS_NO;
}

static void auth_completed(struct hs_conn *conn)
{
	struct peer *p = hs_conn_get_data(conn);
	if (p == NULL)
		return;
	p->authenticated = 1;
	hs_key_fingerprint(hs_conn_auth_key(conn), p->fp);
	hsd_log(HSD_LOG_INFO, "auth accepted peer=%s host=%s key=%s", p->addr, p->host, p->fp);
	record_attempt(p, p->fp, 1, "accepted");
	/* The registry changed while this host was being looked up: check it
	 * again at the next tick rather than trust what may be stale. */
	if (p->lookup_gen != p->srv->gen)
		p->srv->force_recheck = 1;
	if (p->srv->stopping)
		end_peer(p, "server shutting down");
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
	p->next = srv->peers;
	if (srv->peers != NULL)
		srv->peers->prev = p;
	srv->peers = p;
	srv->npeers++;
	hs_conn_set_data(conn, p);
	hsd_log(HSD_LOG_INFO, "connection from %s", p->addr);
	if (srv->stopping)
		end_peer(p, "server shutting down");
}

static void connection_lost(struct hs_conn *conn, int err, const char *reason)
{
	struct peer *p = hs_conn_get_data(conn);
	if (p == NULL)
		return;
	struct server *srv = p->srv;
	const char *refusal = p->authenticated ? NULL : hs_conn_auth_refusal(conn);
	hsd_log(HSD_LOG_INFO, "disconnect peer=%s host=%s authenticated=%s reason=\"%s\"%s%s%s", p->addr,
	        p->host[0] ? p->host : "-", p->authenticated ? "yes" : "no", reason ? reason : "",
	        refusal ? " refused_key=\"" : "", refusal ? refusal : "", refusal ? "\"" : "");
	p->conn = NULL;
	if (p->prev)
		p->prev->next = p->next;
	else
		srv->peers = p->next;
	if (p->next)
		p->next->prev = p->prev;
	srv->npeers--;
	if (!p->loading)
		free_peer(p); /* else lookup_done frees it */
	if (srv->stopping && srv->npeers == 0)
		schedule_finish(srv);
}

static const struct hs_server_cb server_cb = {
	.connection_made = connection_made,
	.connection_lost = connection_lost,
	.begin_auth = begin_auth,
	.validate_public_key = validate_public_key,
	.auth_completed = auth_completed,
	.session_requested = session_requested,
	/* connection_requested, server_requested: NULL, refused */
};

/* --- re-validation when the registry changes --- */

struct check {
	uint64_t id;
	char host[HOST_MAX + 1];
	struct hs_key *key;
	const char *why;            /* result: NULL if still valid */
	int failed;                 /* the registry could not be read */
	struct hsd_peer_record rec; /* result: the fresh record */
};

struct recheck_job {
	uv_work_t work;
	struct server *srv;
	struct check *v;
	size_t n;
};

static void recheck_run(uv_work_t *w)
{
	struct recheck_job *j = w->data;
	int64_t now = (int64_t)time(NULL);
	for (size_t i = 0; i < j->n; i++) {
		struct check *c = &j->v[i];
		if (hsd_regpool_lookup(j->srv->pool, c->host, &c->rec) != 0) {
			c->failed = 1; /* keep the connection: a read error is no revocation */
			continue;
		}
		c->why = hsd_policy_check_key(&c->rec, c->key, now);
	}
}

static void recheck_done(uv_work_t *w, int status)
{
	struct recheck_job *j = w->data;
	struct server *srv = j->srv;
	for (size_t i = 0; i < j->n; i++) {
		struct check *c = &j->v[i];
		struct peer *p = find_peer(srv, c->id);
		if (p != NULL && status == 0 && !c->failed) {
			if (c->why != NULL) {
				end_peer(p, c->why);
			} else {
				/* grants may have changed: new sessions see them */
				hsd_peer_record_clear(&p->rec);
				p->rec = c->rec;
				memset(&c->rec, 0, sizeof c->rec);
			}
		}
		hsd_peer_record_clear(&c->rec);
		hs_key_free(c->key);
	}
	free(j->v);
	free(j);
	srv->watch_busy = 0;
}

/* Snapshot every authenticated connection (id, host, key) and check them
 * all on the thread pool. */
static void start_recheck(struct server *srv)
{
	size_t n = 0, i = 0;
	for (struct peer *p = srv->peers; p != NULL; p = p->next)
		if (p->authenticated && p->conn != NULL && !p->ending)
			n++;
	srv->last_full_ms = uv_now(&srv->loop);
	if (n == 0) {
		srv->watch_busy = 0;
		return;
	}
	struct recheck_job *j = calloc(1, sizeof(*j));
	struct check *v = j != NULL ? calloc(n, sizeof(*v)) : NULL;
	if (v == NULL) {
		free(j);
		srv->watch_busy = 0;
		srv->force_recheck = 1; /* try again next tick */
		return;
	}
	for (struct peer *p = srv->peers; p != NULL && i < n; p = p->next) {
		if (!p->authenticated || p->conn == NULL || p->ending)
			continue;
		const struct hs_key *k = hs_conn_auth_key(p->conn);
		v[i].id = p->id;
		snprintf(v[i].host, sizeof v[i].host, "%s", p->host);
		v[i].key = k != NULL ? hs_key_dup(k) : NULL;
		if (v[i].key == NULL) {
			srv->force_recheck = 1; /* no copy: checked next time */
			continue;
		}
		i++;
	}
	j->srv = srv;
	j->v = v;
	j->n = i;
	j->work.data = j;
	if (uv_queue_work(&srv->loop, &j->work, recheck_run, recheck_done) != 0) {
		for (size_t k = 0; k < i; k++)
			hs_key_free(v[k].key);
		free(v);
		free(j);
		srv->watch_busy = 0;
		srv->force_recheck = 1;
	}
}

struct watch_job {
	uv_work_t work;
	struct server *srv;
	int changed;
	int failed;
};

static void watch_run(uv_work_t *w)
{
	struct watch_job *j = w->data;
	j->failed = hsd_regpool_changed(j->srv->pool, &j->changed) != 0;
}

static void watch_done(uv_work_t *w, int status)
{
	struct watch_job *j = w->data;
	struct server *srv = j->srv;
	int changed = j->changed && !j->failed && status == 0;
	free(j);
	if (changed) {
		srv->gen++;
		hsd_log(HSD_LOG_DEBUG, "registry changed: re-validating open connections");
	}
	uint64_t now = uv_now(&srv->loop);
	if (changed || srv->force_recheck || now - srv->last_full_ms >= FULL_RECHECK_MS) {
		srv->force_recheck = 0;
		start_recheck(srv);
		return;
	}
	srv->watch_busy = 0;
}

/* Retired listeners are closed from here, a clean stack, once empty. */
static void close_empty_retired(struct server *srv)
{
	struct slot **pp = &srv->retired;
	while (*pp != NULL) {
		struct slot *sl = *pp;
		if (hs_listener_connection_count(sl->l) == 0) {
			*pp = sl->next;
			hs_listener_close(sl->l, NULL, NULL);
			free(sl);
		} else {
			pp = &sl->next;
		}
	}
}

static void on_watch(uv_timer_t *t)
{
	struct server *srv = t->data;
	close_empty_retired(srv);
	if (srv->watch_busy)
		return;
	struct watch_job *j = calloc(1, sizeof(*j));
	if (j == NULL)
		return;
	j->srv = srv;
	j->work.data = j;
	if (uv_queue_work(&srv->loop, &j->work, watch_run, watch_done) != 0) {
		free(j);
		return;
	}
	srv->watch_busy = 1;
}

/* --- listeners --- */

static int open_slot(struct server *srv, const struct hsd_listen_addr *a, int port, struct slot **out)
{
	char where[96];
	int uverr = 0;
	struct slot *sl = calloc(1, sizeof(*sl));
	*out = NULL;
	if (sl == NULL) {
		hsd_log(HSD_LOG_ERR, "out of memory");
		return -1;
	}
	sl->srv = srv;
	sl->addr = *a;
	hsd_format_listen(a, port, where, sizeof where);
	if (hs_listener_new(&srv->loop, &srv->set.engine, srv->hostkey, &server_cb, sl, &sl->l) != 0) {
		hsd_log(HSD_LOG_ERR, "cannot create a listener for %s", where);
		free(sl);
		return -1;
	}
	if (hs_listener_listen(sl->l, a->addr, port, 0, &uverr) != 0) {
		const char *why = uverr ? uv_strerror(uverr) : "invalid address";
		if (srv->handles_up && !srv->started) /* at start: a plain error, as for other mistakes */
			fprintf(stderr, "hostsd: cannot listen on %s: %s\n", where, why);
		else
			hsd_log(HSD_LOG_ERR, "cannot listen on %s: %s", where, why);
		hs_listener_close(sl->l, NULL, NULL);
		free(sl);
		return -1;
	}
	sl->port = hs_listener_port(sl->l);
	hsd_format_listen(a, sl->port, where, sizeof where);
	hsd_log(HSD_LOG_INFO, "listening on %s", where);
	*out = sl;
	return 0;
}

/* Stop a listener (its socket closes now) and keep it until its
 * connections are gone. */
static void retire_slot(struct server *srv, struct slot *sl)
{
	hs_listener_stop(sl->l);
	sl->next = srv->retired;
	srv->retired = sl;
}

static int same_addr(const struct hsd_listen_addr *a, const struct hsd_listen_addr *b)
{
	return a->ipv6 == b->ipv6 && a->port == b->port && strcmp(a->addr, b->addr) == 0;
}

/* Bind what the settings ask for. On reload, an address already bound
 * keeps its listener (and socket, so no connection attempt is refused);
 * changed engine settings apply to its next connections. */
static int apply_listeners(struct server *srv, int engine_changed)
{
	struct slot *old = srv->slots, *fresh = NULL, **tail = &fresh;
	int failures = 0;
	srv->slots = NULL;
	for (size_t i = 0; i < srv->set.nlisten; i++) {
		const struct hsd_listen_addr *a = &srv->set.listen[i];
		struct slot **pp = &old, *match = NULL;
		for (; *pp != NULL; pp = &(*pp)->next) {
			if (same_addr(&(*pp)->addr, a)) {
				match = *pp;
				*pp = match->next;
				match->next = NULL;
				break;
			}
		}
		struct slot *sl = match;
		char err[256] = "";
		int r;
		if (match != NULL && engine_changed &&
		    (r = hs_listener_set_config(match->l, &srv->set.engine, err, sizeof err)) != 0) {
			/* the settings were checked on loading: only memory can be
			 * short, and a listener that works is better kept as it is */
			char where[96];
			hsd_format_listen(&match->addr, match->port, where, sizeof where);
			hsd_log(HSD_LOG_WARNING, "reload: keeping the previous settings on %s: %s", where,
			        err[0] ? err : hs_strerror(r));
		}
		if (sl == NULL) {
			if (open_slot(srv, a, a->port, &sl) != 0) {
				failures++;
				continue;
			}
		}
		*tail = sl;
		tail = &sl->next;
	}
	while (old != NULL) { /* addresses no longer configured */
		struct slot *sl = old;
		old = sl->next;
		char where[96];
		hsd_format_listen(&sl->addr, sl->port, where, sizeof where);
		hsd_log(HSD_LOG_INFO, "no longer listening on %s", where);
		retire_slot(srv, sl);
	}
	srv->slots = fresh;
	return failures == 0 ? 0 : -1;
}

/* --- stopping --- */

static void close_handle(uv_handle_t *h)
{
	if (!uv_is_closing(h))
		uv_close(h, NULL);
}

static void close_all_listeners(struct server *srv)
{
	struct slot *lists[2] = { srv->slots, srv->retired };
	srv->slots = srv->retired = NULL;
	for (int k = 0; k < 2; k++) {
		struct slot *sl = lists[k];
		while (sl != NULL) {
			struct slot *next = sl->next;
			hs_listener_close(sl->l, NULL, NULL);
			free(sl);
			sl = next;
		}
	}
}

/* Everything is over: free the listeners and close our handles; the loop
 * ends once the last child has been reaped and the last job is done. */
static void on_later(uv_timer_t *t)
{
	struct server *srv = t->data;
	if (srv->finished)
		return;
	srv->finished = 1;
	close_all_listeners(srv);
	if (srv->handles_up) {
		uv_timer_stop(&srv->watch);
		close_handle((uv_handle_t *)&srv->watch);
		close_handle((uv_handle_t *)&srv->stop_timer);
		close_handle((uv_handle_t *)&srv->later);
		close_handle((uv_handle_t *)&srv->sig_term);
		close_handle((uv_handle_t *)&srv->sig_int);
		close_handle((uv_handle_t *)&srv->sig_hup);
	}
	if (hsd_session_live_count() > 0)
		hsd_log(HSD_LOG_INFO, "waiting for %u sessions to wind down", hsd_session_live_count());
}

static void schedule_finish(struct server *srv)
{
	if (!srv->finished)
		uv_timer_start(&srv->later, on_later, 0, 0);
}

static void force_stop(struct server *srv, const char *why)
{
	if (srv->forced)
		return;
	srv->forced = 1;
	if (srv->npeers > 0)
		hsd_log(HSD_LOG_NOTICE, "%s: closing %zu remaining connections", why, srv->npeers);
	for (struct peer *p = srv->peers; p != NULL; p = p->next)
		end_peer(p, "server shutting down");
	if (srv->npeers == 0)
		schedule_finish(srv);
}

static void on_stop_timeout(uv_timer_t *t)
{
	force_stop(t->data, "shutdown timeout");
}

static void begin_stop(struct server *srv)
{
	if (srv->stopping) {
		force_stop(srv, "second stop signal");
		return;
	}
	srv->stopping = 1;
	hsd_log(HSD_LOG_NOTICE, "stopping: no new connections; waiting up to %u s for open sessions",
	        srv->set.shutdown_timeout);
	for (struct slot *sl = srv->slots; sl != NULL; sl = sl->next)
		hs_listener_stop(sl->l);
	for (struct peer *p = srv->peers; p != NULL; p = p->next)
		if (!p->authenticated || p->sessions == 0)
			end_peer(p, "server shutting down");
	uv_timer_start(&srv->stop_timer, on_stop_timeout, 1000ull * srv->set.shutdown_timeout, 0);
	if (srv->npeers == 0)
		schedule_finish(srv);
}

/* --- configuration --- */

/* Lay the command line over what the configuration file says. */
static int apply_cli(const struct cli *cli, struct hsd_serve_settings *set, char *err, size_t errlen)
{
	if (cli->nlisten > 0) {
		memcpy(set->listen, cli->listen, cli->nlisten * sizeof cli->listen[0]);
		set->nlisten = cli->nlisten;
	}
	for (size_t i = 0; i < cli->subsystems.n; i++) {
		if (hsd_subsystems_set(&set->subsystems, cli->subsystems.v[i].name, cli->subsystems.v[i].command) != 0) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
	}
	if (cli->login_grace != 0)
		set->engine.login_grace_seconds = cli->login_grace;
	if (set->nlisten == 0) {
		snprintf(err, errlen, "no listening address: give --listen ADDR:PORT or set one in %s",
		         set->config_path ? set->config_path : "the configuration file");
		return -1;
	}
	if (set->shutdown_timeout == 0)
		set->shutdown_timeout = HSD_DEFAULT_SHUTDOWN_TIMEOUT;
	if (hs_config_check(&set->engine, err, errlen) != 0)
		return -1;
	return 0;
}

static int load_settings(const char *dir, const struct cli *cli, struct hsd_serve_settings *set, char *err,
                         size_t errlen)
{
	memset(set, 0, sizeof(*set));
	if (hsd_serve_settings_load(dir, set, err, errlen) != 0 || apply_cli(cli, set, err, errlen) != 0) {
		hsd_serve_settings_clear(set);
		return -1;
	}
	return 0;
}

static int listen_sets_equal(const struct hsd_serve_settings *a, const struct hsd_serve_settings *b)
{
	if (a->nlisten != b->nlisten)
		return 0;
	for (size_t i = 0; i < a->nlisten; i++)
		if (!same_addr(&a->listen[i], &b->listen[i]))
			return 0;
	return 1;
}

/* libuv's thread pool (4 threads unless UV_THREADPOOL_SIZE says) runs the
 * registry lookups and, per listener, up to max_dh_computations key
 * exchanges: give the exchanges threads of their own on top, so a burst of
 * them never holds up a lookup. The pool is sized once, at its first use. */
#define POOL_BASE_THREADS 4u
#define POOL_MAX_THREADS 128u

static unsigned dh_per_listener(const struct hsd_serve_settings *set)
{
	return set->engine.max_dh_computations ? set->engine.max_dh_computations : HSD_DEFAULT_MAX_DH_COMPUTATIONS;
}

static void size_thread_pool(struct server *srv)
{
	char v[16];
	if (getenv("UV_THREADPOOL_SIZE") != NULL)
		return; /* the operator's choice */
	unsigned n = POOL_BASE_THREADS + (unsigned)srv->set.nlisten * dh_per_listener(&srv->set);
	if (n > POOL_MAX_THREADS)
		n = POOL_MAX_THREADS;
	snprintf(v, sizeof v, "%u", n);
	setenv("UV_THREADPOOL_SIZE", v, 1);
	srv->dh_threads = n - POOL_BASE_THREADS;
}

/* A reload cannot grow the pool: a max_dh_computations (or a number of
 * listen addresses) that would need more threads than it has is cut down
 * to what fits, until a restart. */
static void clamp_dh_to_pool(struct server *srv)
{
	unsigned want = dh_per_listener(&srv->set);
	if (srv->dh_threads == 0 || srv->set.nlisten == 0 || (unsigned)srv->set.nlisten * want <= srv->dh_threads)
		return;
	unsigned fit = srv->dh_threads / (unsigned)srv->set.nlisten;
	if (fit < 1)
		fit = 1;
	hsd_log(HSD_LOG_WARNING, "reload: max_dh_computations %u for %zu listening addresses needs more threads than "
	        "were started (%u); using %u until hostsd restarts", want, srv->set.nlisten, srv->dh_threads, fit);
	srv->set.engine.max_dh_computations = fit;
}

static void reload(struct server *srv)
{
	struct hsd_serve_settings fresh;
	char err[1024];
	if (srv->stopping)
		return;
	if (load_settings(srv->dir, &srv->cli, &fresh, err, sizeof err) != 0) {
		hsd_log(HSD_LOG_ERR, "reload failed, keeping the running configuration: %s", err);
		return;
	}
	int engine_changed = !hsd_engine_config_equal(&fresh.engine, &srv->set.engine);
	int listen_changed = !listen_sets_equal(&fresh, &srv->set);
	struct hsd_serve_settings old = srv->set;
	srv->set = fresh;
	hsd_log_set_level(srv->set.log_level >= 0 ? srv->set.log_level : HSD_LOG_INFO);
	clamp_dh_to_pool(srv);
	/* hs_listener_new and hs_listener_set_config copy what they need: the
	 * old settings may go after */
	if ((engine_changed || listen_changed) && apply_listeners(srv, engine_changed) != 0)
		hsd_log(HSD_LOG_ERR, "reload: some addresses could not be bound (see above)");
	hsd_serve_settings_clear(&old);
	hsd_log(HSD_LOG_INFO, "configuration reloaded: %zu subsystems, %zu listening addresses%s",
	        srv->set.subsystems.n, srv->set.nlisten, engine_changed ? ", new settings for new connections" : "");
}

static void on_signal(uv_signal_t *h, int signum)
{
	struct server *srv = h->data;
	if (signum == SIGHUP) {
		hsd_log(HSD_LOG_INFO, "SIGHUP: reloading the configuration");
		reload(srv);
		return;
	}
	hsd_log(HSD_LOG_NOTICE, "%s received", signum == SIGTERM ? "SIGTERM" : "SIGINT");
	if (srv->stopping) {
		force_stop(srv, "second stop signal");
		return;
	}
	begin_stop(srv);
}

/* --- the command line --- */

const char hsd_help_serve[] =
        "Usage: hostsd serve [--dir DIR] [--listen ADDR:PORT]... [--subsystem NAME=COMMAND]...\n"
        "                    [--login-grace-time SECONDS] [--pidfile PATH]\n"
        "\n"
        "Serve the peer hosts of the trust registry in DIR until SIGTERM or SIGINT.\n"
        "A peer logs in with its host identity as the user name and one of its\n"
        "valid keys, and may run only the subsystems granted to it that are also\n"
        "configured here; each runs as `/bin/sh -c COMMAND`.\n"
        "\n"
        "Listening addresses, subsystems and limits also come from DIR/" HSD_CONFIG_FILE ";\n"
        "the command line wins. SIGHUP re-reads that file; SIGTERM or SIGINT stop\n"
        "taking connections and let open sessions finish (up to shutdown_timeout).\n"
        "\n"
        "Options:\n"
        "  --dir DIR                  the state directory; default: " HSD_STATE_DIR_DEFAULT_TEXT "\n"
        "  --listen ADDR:PORT         listen there (repeatable); [::1]:2222 for IPv6;\n"
        "                             port 0 picks a free port (logged when ready)\n"
        "  --subsystem NAME=COMMAND   run COMMAND for subsystem NAME (repeatable)\n"
        "  --login-grace-time SECONDS time a connection has to authenticate\n"
        "  --pidfile PATH             write the process id to PATH\n"
        "  -h, --help                 show this help\n";

static const char short_usage[] =
        "Usage: hostsd serve [--dir DIR] [--listen ADDR:PORT]... [--subsystem NAME=COMMAND]...\n"
        "                    [--login-grace-time SECONDS] [--pidfile PATH]\n"
        "Try 'hostsd serve --help' for more information.\n";

/* "--name VALUE" or "--name=VALUE": returns 1 if argv[*i] is that option
 * (then *value is its value, or NULL when it is missing), else 0. */
static int option(int argc, char **argv, int *i, const char *name, const char **value)
{
	size_t n = strlen(name);
	const char *a = argv[*i];
	*value = NULL;
	if (strncmp(a, name, n) != 0)
		return 0;
	if (a[n] == '=') {
		*value = a + n + 1;
		return 1;
	}
	if (a[n] != '\0')
		return 0;
	if (*i + 1 < argc)
		*value = argv[++*i];
	return 1;
}

/* Returns 0 to run, 1 for --help, -1 on a usage error (reported). */
static int parse_cli(int argc, char **argv, struct cli *cli)
{
	char err[256], shown[96];
	for (int i = 1; i < argc; i++) {
		const char *v, *opt = argv[i];
		if (strcmp(opt, "-h") == 0 || strcmp(opt, "--help") == 0)
			return 1;
		if (option(argc, argv, &i, "--dir", &v)) {
			if (v == NULL || v[0] == '\0')
				goto missing;
			cli->dir = v;
		} else if (option(argc, argv, &i, "--listen", &v)) {
			if (v == NULL)
				goto missing;
			if (cli->nlisten >= HSD_MAX_LISTEN) {
				hsd_cli_usage(short_usage, "at most %d --listen addresses", HSD_MAX_LISTEN);
				return -1;
			}
			if (hsd_parse_listen(v, &cli->listen[cli->nlisten], err, sizeof err) != 0)
				goto bad;
			cli->nlisten++;
		} else if (option(argc, argv, &i, "--subsystem", &v)) {
			char *name, *command;
			if (v == NULL)
				goto missing;
			if (hsd_parse_subsystem(v, &name, &command, err, sizeof err) != 0)
				goto bad;
			int r = hsd_subsystems_set(&cli->subsystems, name, command);
			free(name);
			free(command);
			if (r != 0) {
				hsd_cli_fail("out of memory");
				return -1;
			}
		} else if (option(argc, argv, &i, "--login-grace-time", &v)) {
			if (v == NULL)
				goto missing;
			if (hsd_parse_seconds(v, 86400, &cli->login_grace) != 0) {
				snprintf(err, sizeof err, "bad --login-grace-time \"%s\": whole seconds, 1 to 86400",
				         hsd_cli_shown(v, shown, sizeof shown));
				goto bad;
			}
		} else if (option(argc, argv, &i, "--pidfile", &v)) {
			if (v == NULL || v[0] == '\0')
				goto missing;
			cli->pidfile = v;
		} else {
			hsd_cli_usage(short_usage, "unknown option \"%s\"", hsd_cli_shown(opt, shown, sizeof shown));
			return -1;
		}
		continue;
	missing:
		hsd_cli_usage(short_usage, "%s needs a value", hsd_cli_shown(opt, shown, sizeof shown));
		return -1;
	bad:
		hsd_cli_usage(short_usage, "%s", err);
		return -1;
	}
	return 0;
}

/* --- start-up --- */

static int write_pidfile(const char *path)
{
	char buf[32];
	int n = snprintf(buf, sizeof buf, "%ld\n", (long)getpid());
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -1;
	int ok = write(fd, buf, (size_t)n) == n;
	if (close(fd) != 0)
		ok = 0;
	return ok ? 0 : -1;
}

/* Remove the pid file only if it is still ours. */
static void remove_pidfile(const char *path)
{
	char buf[32], want[32];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	ssize_t n = read(fd, buf, sizeof buf - 1);
	close(fd);
	snprintf(want, sizeof want, "%ld\n", (long)getpid());
	if (n > 0) {
		buf[n] = '\0';
		if (strcmp(buf, want) == 0)
			unlink(path);
	}
}

static void init_handles(struct server *srv)
{
	uv_signal_init(&srv->loop, &srv->sig_term);
	uv_signal_init(&srv->loop, &srv->sig_int);
	uv_signal_init(&srv->loop, &srv->sig_hup);
	uv_timer_init(&srv->loop, &srv->watch);
	uv_timer_init(&srv->loop, &srv->stop_timer);
	uv_timer_init(&srv->loop, &srv->later);
	srv->sig_term.data = srv->sig_int.data = srv->sig_hup.data = srv;
	srv->watch.data = srv->stop_timer.data = srv->later.data = srv;
	srv->handles_up = 1;
}

static int run(struct server *srv)
{
	char err[1024];
	const char *dir = srv->dir;

	if (hsd_state_dir_resolve(srv->cli.dir, srv->dir, sizeof srv->dir, err, sizeof err) != 0 ||
	    hsd_state_dir_check(dir, err, sizeof err) != 0) {
		fprintf(stderr, "hostsd: %s\n", err);
		return EXIT_FAIL;
	}
	if (load_settings(dir, &srv->cli, &srv->set, err, sizeof err) != 0) {
		fprintf(stderr, "hostsd: %s\n", err);
		return EXIT_FAIL;
	}
	if (srv->set.log_level >= 0)
		hsd_log_set_level(srv->set.log_level);
	size_thread_pool(srv);
	/* a key others may read is refused ("chmod 600 FILE"), as sshd does */
	if (hsd_hostkey_load_checked(srv->set.host_key_path, &srv->hostkey, err, sizeof err) != 0) {
		fprintf(stderr, "hostsd: %s\n", err);
		return EXIT_FAIL;
	}
	if (hsd_regpool_open(dir, &srv->pool, err, sizeof err) != 0) {
		fprintf(stderr, "hostsd: %s\n", err);
		return EXIT_FAIL;
	}
	const char *path = getenv("PATH");
	if ((srv->path_env = strdup(path != NULL && path[0] != '\0' ? path : "/usr/local/bin:/usr/bin:/bin")) == NULL)
		return EXIT_FAIL;
	if (uv_loop_init(&srv->loop) != 0) {
		fprintf(stderr, "hostsd: cannot create the event loop\n");
		return EXIT_FAIL;
	}
	/* a peer that goes away must not kill us with SIGPIPE (children get
	 * the default disposition back from uv_spawn) */
	signal(SIGPIPE, SIG_IGN);
	init_handles(srv);

	int rc = EXIT_OK;
	if (apply_listeners(srv, 1) != 0) {
		rc = EXIT_FAIL;
	} else if (srv->cli.pidfile != NULL && write_pidfile(srv->cli.pidfile) != 0) {
		hsd_log(HSD_LOG_ERR, "cannot write the pid file %s: %s", srv->cli.pidfile, strerror(errno));
		rc = EXIT_FAIL;
	}
	if (rc != EXIT_OK) {
		/* tear down what was bound, on the loop, then leave */
		srv->stopping = 1;
		on_later(&srv->later);
		uv_run(&srv->loop, UV_RUN_DEFAULT);
		(void)uv_loop_close(&srv->loop);
		return rc;
	}
	srv->pidfile_written = srv->cli.pidfile != NULL;
	srv->started = 1;
	char fp[HS_FINGERPRINT_SIZE];
	hs_key_fingerprint(hs_hostkey_public(srv->hostkey), fp);
	hsd_log(HSD_LOG_INFO, "ready: host key %s, %zu subsystems configured, state directory %s", fp,
	        srv->set.subsystems.n, dir);
	uv_signal_start(&srv->sig_term, on_signal, SIGTERM);
	uv_signal_start(&srv->sig_int, on_signal, SIGINT);
	uv_signal_start(&srv->sig_hup, on_signal, SIGHUP);
	srv->last_full_ms = uv_now(&srv->loop);
	uv_timer_start(&srv->watch, on_watch, WATCH_INTERVAL_MS, WATCH_INTERVAL_MS);

	uv_run(&srv->loop, UV_RUN_DEFAULT);

	if (uv_loop_close(&srv->loop) != 0)
		hsd_log(HSD_LOG_WARNING, "event loop closed with handles still open");
	hsd_log(HSD_LOG_INFO, "stopped");
	return EXIT_OK;
}

int hsd_cmd_serve(int argc, char **argv)
{
	struct server *srv = calloc(1, sizeof(*srv));
	if (srv == NULL) {
		fprintf(stderr, "hostsd: out of memory\n");
		return EXIT_FAIL;
	}
	int r = parse_cli(argc, argv, &srv->cli);
	int rc = r > 0 ? hsd_cli_help(hsd_help_serve) : r < 0 ? EXIT_USAGE : run(srv);
	if (srv->pidfile_written)
		remove_pidfile(srv->cli.pidfile);
	hsd_regpool_close(srv->pool);
	hs_hostkey_free(srv->hostkey);
	hsd_serve_settings_clear(&srv->set);
	hsd_subsystems_clear(&srv->cli.subsystems);
	free(srv->path_env);
	free(srv);
	return rc;
}
