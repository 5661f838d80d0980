/*
 * hostsd program — `hostsd serve`'s registry watcher. A timer asks the
 * change detector every second, on the thread pool (SQLite calls block);
 * when something was committed (by `hostsd trust` or anyone), and at
 * least once a minute for keys that expire, every open authenticated
 * connection is checked again off the loop thread, and those whose host or
 * key was revoked are ended. The timer also closes retired listeners, from
 * a clean stack, and adds the attempts with invalid host ids counted
 * meanwhile to the registry's count.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "daemon/log.h"
#include "daemon/policy.h"
#include "daemon/serve_priv.h"

#define WATCH_INTERVAL_MS 1000u /* how often the change detector is asked */
#define FULL_RECHECK_MS 60000u  /* re-validate anyway (key expiry) */

/* --- re-validation when the registry changes --- */

struct check {
	uint64_t id;
	char host[HSD_HOST_ID_MAX + 1];
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
		struct peer *p = hsd__serve_find_peer(srv, c->id);
		if (p != NULL && status == 0 && !c->failed) {
			if (c->why != NULL) {
				hsd__serve_end_peer(p, c->why);
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
	struct hs_list_node *node;
	HS_LIST_FOREACH(node, &srv->peers)
	{
		const struct peer *p = PEER_OF(node);
		if (p->authenticated && p->conn != NULL && !p->ending)
			n++;
	}
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
	HS_LIST_FOREACH(node, &srv->peers)
	{
		const struct peer *p = PEER_OF(node);
		if (i == n)
			break;
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

/* --- the change detector's question, on the thread pool --- */

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

/* --- the change detector --- */

static void on_watch(uv_timer_t *t)
{
	struct server *srv = t->data;
	hsd__serve_close_retired(srv);
	hsd__serve_flush_invalid(srv);
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

void hsd__serve_watch_start(struct server *srv)
{
	srv->last_full_ms = uv_now(&srv->loop);
	uv_timer_start(&srv->watch, on_watch, WATCH_INTERVAL_MS, WATCH_INTERVAL_MS);
}
