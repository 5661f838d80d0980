/*
 * hostsd program — a network worker's listeners and settings: one
 * listener per listening address (a slot) on the socket the monitor bound
 * for it, the settings they run with (the configuration's text with the
 * command line laid over it), and the size of libuv's thread pool for
 * them. A reload is the monitor's: it starts a new worker with the new
 * settings on the same sockets and retires this one (worker.c).
 *
 * What the listeners refuse before any protocol runs, and the sources they
 * start refusing, goes to the log through refusal_log.h: one summary line
 * per interval at most, and a line per penalised source.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hostsd/limits.h>

#include "daemon/log.h"
#include "daemon/serve_priv.h"
#include "registry/registry.h"

/* --- the log of refusals --- */

static void write_summary(struct server *srv)
{
	char line[1024];
	if (hsd_refusal_log_summary(&srv->refusals, uv_now(&srv->loop), line, sizeof line))
		hsd_log(HSD_LOG_NOTICE, "%s", line);
}

static void on_refusal_timer(uv_timer_t *t)
{
	struct server *srv = t->data;
	uint64_t now = uv_now(&srv->loop), due = hsd_refusal_log_due(&srv->refusals, now);
	if (due <= now)
		write_summary(srv);
	else if (due != UINT64_MAX)
		uv_timer_start(&srv->refusal_timer, on_refusal_timer, due - now, 0);
}

/* A summary now if none was written lately, else when the interval ends. */
static void schedule_summary(struct server *srv)
{
	uint64_t now = uv_now(&srv->loop), due = hsd_refusal_log_due(&srv->refusals, now);
	if (due == UINT64_MAX)
		return;
	if (due <= now || srv->finished)
		write_summary(srv); /* no timer any more when finishing */
	else if (!uv_is_active((uv_handle_t *)&srv->refusal_timer))
		uv_timer_start(&srv->refusal_timer, on_refusal_timer, due - now, 0);
}

static void on_listener_event(void *data, const struct hs_listener_event *ev)
{
	struct slot *sl = data;
	struct server *srv = sl->srv;
	char line[256];
	if (ev->type == HS_EVENT_REFUSED) {
		hsd_refusal_log_refused(&srv->refusals, ev->source, ev->refusal);
	} else if (ev->type == HS_EVENT_PENALISED) {
		if (hsd_refusal_log_penalised(&srv->refusals, ev->source, ev->penalty, ev->seconds, uv_now(&srv->loop),
		                              line, sizeof line))
			hsd_log(HSD_LOG_NOTICE, "%s", line);
	}
	schedule_summary(srv);
}

/* --- listeners --- */

static int open_slot(struct server *srv, const struct hsd_listen_addr *a, int *fd, struct slot **out)
{
	char where[96];
	int r;
	struct slot *sl = calloc(1, sizeof(*sl));
	*out = NULL;
	if (sl == NULL) {
		hsd_log(HSD_LOG_ERR, "out of memory");
		return -1;
	}
	sl->srv = srv;
	sl->addr = *a;
	hsd_format_listen(a, a->port, where, sizeof where);
	struct hs_server_cb cb = hsd__serve_callbacks; /* copied by the listener */
	cb.listener_event = on_listener_event;
	if (hs_listener_new(&srv->loop, &srv->set.engine, hsd__serve_hostkey(srv), &cb, sl, &sl->l) != 0) {
		hsd_log(HSD_LOG_ERR, "cannot create a listener for %s", where);
		free(sl);
		return -1;
	}
	r = hs_listener_open(sl->l, *fd); /* the listener owns the socket from here */
	*fd = -1;
	if (r != 0) {
		hsd_log(HSD_LOG_ERR, "worker %u: cannot accept on %s: %s", srv->worker_id, where, hs_strerror(r));
		hs_listener_close(sl->l, NULL, NULL);
		free(sl);
		return -1;
	}
	sl->port = hs_listener_port(sl->l);
	*out = sl;
	return 0;
}

int hsd__serve_apply_listeners(struct server *srv, int engine_changed)
{
	struct slot **tail = &srv->slots;
	(void)engine_changed;
	for (size_t i = 0; i < srv->set.nlisten; i++) {
		struct slot *sl;
		if (open_slot(srv, &srv->set.listen[i], &srv->listen_fds[i], &sl) != 0)
			return -1;
		*tail = sl;
		tail = &sl->next;
	}
	return 0;
}

void hsd__serve_stop_listeners(struct server *srv)
{
	for (struct slot *sl = srv->slots; sl != NULL; sl = sl->next)
		hs_listener_stop(sl->l);
}

/* Retired listeners are closed from the watch timer, a clean stack, once
 * empty. */
void hsd__serve_close_retired(struct server *srv)
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

void hsd__serve_close_listeners(struct server *srv)
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

/* --- settings --- */

int hsd__serve_load_settings(const char *dir, const char *text, size_t len, const struct hsd_serve_cli *cli,
                             struct hsd_serve_settings *set, char *err, size_t errlen)
{
	if (hsd_serve_settings_load_text(dir, text, len, &cli->over, set, err, errlen) != 0)
		return -1;
	if (set->nlisten == 0) {
		snprintf(err, errlen, "no listening address: give --listen ADDR:PORT or set one in %s",
		         set->config_path ? set->config_path : "the configuration file");
		goto fail;
	}
	if (hs_config_check(&set->engine, err, errlen) != 0)
		goto fail;
	return 0;
fail:
	hsd_serve_settings_clear(set);
	return -1;
}

/* libuv's thread pool (4 threads unless UV_THREADPOOL_SIZE says) runs the
 * registry lookups and, per listener, up to max_dh_computations key
 * exchanges: give the exchanges threads of their own on top, so a burst of
 * them never holds up a lookup. The pool is sized once, at its first use. */
#define POOL_BASE_THREADS 4u
#define POOL_MAX_THREADS 128u

static unsigned dh_per_listener(const struct hsd_serve_settings *set)
{
	return set->engine.max_dh_computations ? set->engine.max_dh_computations : HS_MAX_DH_DEFAULT;
}

void hsd__serve_size_thread_pool(struct server *srv)
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
