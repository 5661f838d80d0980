/*
 * hostsd program — `hostsd serve`'s listeners and settings: one listener
 * per listening address (a slot), the settings they run with (the
 * configuration file with the command line laid over it), the size of
 * libuv's thread pool for them, and SIGHUP's reload.
 *
 * A reload keeps the listener, and so the socket, of every address still
 * configured (no connection attempt is refused meanwhile) and gives it the
 * new engine settings for its next connections; an address no longer
 * configured stops listening at once and its listener is retired until its
 * last connection has gone (the watch timer closes it then).
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
	struct hs_server_cb cb = hsd__serve_callbacks; /* copied by the listener */
	cb.listener_event = on_listener_event;
	if (hs_listener_new(&srv->loop, &srv->set.engine, hsd__serve_hostkey(srv), &cb, sl, &sl->l) != 0) {
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
int hsd__serve_apply_listeners(struct server *srv, int engine_changed)
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

int hsd__serve_check_modes(const char *dir, char *err, size_t errlen)
{
	char conf[HSD_PATH_MAX], reg[HSD_PATH_MAX], key[HSD_PATH_MAX];
	if (hsd_state_path(dir, HSD_CONFIG_FILE, conf, sizeof conf, err, errlen) != 0 ||
	    hsd_state_path(dir, HSD_REGISTRY_FILE, reg, sizeof reg, err, errlen) != 0 ||
	    hsd_state_path(dir, HSD_HOSTKEY_FILE, key, sizeof key, err, errlen) != 0)
		return -1;
	return hsd_state_check_modes(dir, conf, reg, key, err, errlen);
}

int hsd__serve_load_settings(const char *dir, const struct hsd_serve_cli *cli, struct hsd_serve_settings *set,
                             char *err, size_t errlen)
{
	if (hsd_serve_settings_load_over(dir, &cli->over, set, err, errlen) != 0)
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
	hsd_log(HSD_LOG_WARNING,
	        "reload: max_dh_computations %u for %zu listening addresses needs more threads than "
	        "were started (%u); using %u until hostsd restarts",
	        want, srv->set.nlisten, srv->dh_threads, fit);
	srv->set.engine.max_dh_computations = fit;
}

void hsd__serve_reload(struct server *srv)
{
	struct hsd_serve_settings fresh;
	char err[1024];
	if (srv->stopping)
		return;
	/* the files may have been made writable by others since the start: a
	 * file others could have written is not read */
	if (hsd__serve_check_modes(srv->dir, err, sizeof err) != 0 ||
	    hsd__serve_load_settings(srv->dir, &srv->cli, &fresh, err, sizeof err) != 0) {
		hsd_log(HSD_LOG_ERR, "reload failed, keeping the running configuration: %s", err);
		return;
	}
	int engine_changed = !hsd_engine_config_equal(&fresh.engine, &srv->set.engine);
	int listen_changed = !listen_sets_equal(&fresh, &srv->set);
	struct hsd_serve_settings old = srv->set;
	srv->set = fresh;
	/* a log_level taken out of the file goes back to the default */
	hsd_log_set_level(srv->set.log_level >= 0 ? srv->set.log_level
	                                          : (int)hsd_setting_default(hsd_setting_by_id(HSD_SETTING_LOG_LEVEL)));
	clamp_dh_to_pool(srv);
	/* hs_listener_new and hs_listener_set_config copy what they need: the
	 * old settings may go after */
	if ((engine_changed || listen_changed) && hsd__serve_apply_listeners(srv, engine_changed) != 0)
		hsd_log(HSD_LOG_ERR, "reload: some addresses could not be bound (see above)");
	hsd_serve_settings_clear(&old);
	hsd_log(HSD_LOG_INFO, "configuration reloaded: %zu subsystems, %zu listening addresses%s",
	        srv->set.subsystems.n, srv->set.nlisten, engine_changed ? ", new settings for new connections" : "");
}
