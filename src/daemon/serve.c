/*
 * hostsd program — `hostsd serve`, the hosts server: the HostsServer of
 * DESIGN.md written against the engine. This file is its life cycle:
 * start-up (state directory, settings, host key, registry, listeners, pid
 * file), signals, and the stop.
 *
 * SIGHUP re-reads the configuration (serve_listeners.c). SIGTERM/SIGINT
 * stop gracefully: no new connections, idle and unauthenticated ones are
 * closed, open sessions may finish until shutdown_timeout, then the rest
 * are cut; a second signal cuts them at once. The loop ends when our
 * handles are closed, the last child has been reaped and the last job on
 * the thread pool is done.
 *
 * What happens per connection is in serve_policy.c, the registry watcher
 * in serve_watch.c, the command line in serve_cli.c (serve_priv.h has the
 * map).
 */
#include "daemon/serve.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon/cli.h"
#include "daemon/log.h"
#include "daemon/serve_priv.h"
#include "daemon/subsystem.h"

/* --- stopping --- */

static void close_handle(uv_handle_t *h)
{
	if (!uv_is_closing(h))
		uv_close(h, NULL);
}

/* Everything is over: free the listeners and close our handles; the loop
 * ends once the last child has been reaped and the last job is done. */
static void on_later(uv_timer_t *t)
{
	struct server *srv = t->data;
	if (srv->finished)
		return;
	srv->finished = 1;
	hsd__serve_close_listeners(srv);
	hs_agent_close(srv->agent); /* its key's last users are closing with the listeners */
	srv->agent = NULL;
	hsd__serve_flush_invalid(srv); /* the last count, before the loop ends */
	if (srv->handles_up) {
		hsd__serve_release_held(srv);
		uv_timer_stop(&srv->watch);
		close_handle((uv_handle_t *)&srv->watch);
		close_handle((uv_handle_t *)&srv->stop_timer);
		close_handle((uv_handle_t *)&srv->later);
		close_handle((uv_handle_t *)&srv->refusal_timer);
		close_handle((uv_handle_t *)&srv->sig_term);
		close_handle((uv_handle_t *)&srv->sig_int);
		close_handle((uv_handle_t *)&srv->sig_hup);
	}
	if (hsd_session_live_count() > 0)
		hsd_log(HSD_LOG_INFO, "waiting for %u sessions to wind down", hsd_session_live_count());
}

void hsd__serve_schedule_finish(struct server *srv)
{
	if (!srv->finished)
		uv_timer_start(&srv->later, on_later, 0, 0);
}

static void force_stop(struct server *srv, const char *why)
{
	struct hs_list_node *n, *next;
	if (srv->forced)
		return;
	srv->forced = 1;
	if (srv->npeers > 0)
		hsd_log(HSD_LOG_NOTICE, "%s: closing %zu remaining connections", why, srv->npeers);
	HS_LIST_FOREACH_SAFE(n, next, &srv->peers)
	{
		hsd__serve_end_peer(PEER_OF(n), "server shutting down");
	}
	if (srv->npeers == 0)
		hsd__serve_schedule_finish(srv);
}

static void on_stop_timeout(uv_timer_t *t)
{
	force_stop(t->data, "shutdown timeout");
}

/* A stop signal: the first stops gracefully, the second at once. */
static void begin_stop(struct server *srv)
{
	struct hs_list_node *n, *next;
	if (srv->stopping) {
		force_stop(srv, "second stop signal");
		return;
	}
	srv->stopping = 1;
	hsd_log(HSD_LOG_NOTICE, "stopping: no new connections; waiting up to %u s for open sessions",
	        srv->set.shutdown_timeout);
	hsd__serve_stop_listeners(srv);
	HS_LIST_FOREACH_SAFE(n, next, &srv->peers)
	{
		struct peer *p = PEER_OF(n);
		if (!p->authenticated || p->sessions == 0)
			hsd__serve_end_peer(p, "server shutting down");
	}
	uv_timer_start(&srv->stop_timer, on_stop_timeout, 1000ull * srv->set.shutdown_timeout, 0);
	if (srv->npeers == 0)
		hsd__serve_schedule_finish(srv);
}

static void on_signal(uv_signal_t *h, int signum)
{
	struct server *srv = h->data;
	if (signum == SIGHUP) {
		hsd_log(HSD_LOG_INFO, "SIGHUP: reloading the configuration");
		hsd__serve_reload(srv);
		return;
	}
	hsd_log(HSD_LOG_NOTICE, "%s received", signum == SIGTERM ? "SIGTERM" : "SIGINT");
	begin_stop(srv);
}

/* --- start-up --- */

static void init_handles(struct server *srv)
{
	uv_signal_init(&srv->loop, &srv->sig_term);
	uv_signal_init(&srv->loop, &srv->sig_int);
	uv_signal_init(&srv->loop, &srv->sig_hup);
	uv_timer_init(&srv->loop, &srv->watch);
	uv_timer_init(&srv->loop, &srv->stop_timer);
	uv_timer_init(&srv->loop, &srv->later);
	uv_timer_init(&srv->loop, &srv->refusal_timer);
	hsd_refusal_log_init(&srv->refusals);
	hsd__serve_answer_clock_init(srv);
	srv->sig_term.data = srv->sig_int.data = srv->sig_hup.data = srv;
	srv->watch.data = srv->stop_timer.data = srv->later.data = srv->refusal_timer.data = srv;
	srv->handles_up = 1;
}

const struct hs_hostkey *hsd__serve_hostkey(const struct server *srv)
{
	return srv->agent != NULL ? hs_agent_hostkey(srv->agent) : srv->hostkey;
}

/* host_key_agent: the public key from DIR/host_ed25519.pub, the private
 * one in the agent. */
static int open_agent(struct server *srv, char *err, size_t errlen)
{
	char pubpath[HSD_PATH_MAX + 8];
	struct hs_key *pub = NULL;
	char *line = NULL;
	size_t len = 0;
	int r;
	snprintf(pubpath, sizeof pubpath, "%s.pub", srv->set.host_key_path);
	FILE *f = fopen(pubpath, "re");
	if (f == NULL) {
		snprintf(err, errlen,
		         "host_key_agent is set, so the host's public key must be in %.300s: %s (write it with "
		         "hostsd hostkey --dir %.300s > %.300s)",
		         pubpath, strerror(errno), srv->dir, pubpath);
		return -1;
	}
	ssize_t n = getline(&line, &len, f);
	fclose(f);
	if (n <= 0 || hs_key_parse_line(line, &pub, NULL) != 0) {
		snprintf(err, errlen,
		         "%.300s does not hold a public key line (write it with hostsd hostkey --dir %.300s > %.300s)",
		         pubpath, srv->dir, pubpath);
		free(line);
		return -1;
	}
	free(line);
	r = hs_agent_open(&srv->loop, srv->set.host_key_agent, -1, pub, &srv->agent, err, errlen);
	hs_key_free(pub);
	return r == 0 ? 0 : -1;
}

static int run(struct server *srv)
{
	char err[1024];
	const char *dir = srv->dir;

	if (hsd_state_dir_resolve(srv->cli.dir, srv->dir, sizeof srv->dir, err, sizeof err) != 0 ||
	    hsd_state_dir_check(dir, err, sizeof err) != 0 || hsd__serve_check_modes(dir, err, sizeof err) != 0)
		return hsd_cli_fail("%s", err);
	if (hsd__serve_load_settings(dir, &srv->cli, &srv->set, err, sizeof err) != 0)
		return hsd_cli_fail("%s", err);
	if (srv->set.log_level >= 0)
		hsd_log_set_level(srv->set.log_level);
	hsd__serve_size_thread_pool(srv);
	/* a key others may read is refused ("chmod 600 FILE"), as sshd does */
	if (srv->set.host_key_agent == NULL &&
	    hsd_hostkey_load_checked(srv->set.host_key_path, &srv->hostkey, err, sizeof err) != 0)
		return hsd_cli_fail("%s", err);
	if (hsd_regpool_open(dir, &srv->pool, err, sizeof err) != 0)
		return hsd_cli_fail("%s", err);
	/* before binding: a second server with the same pid file stops here,
	 * with the pid of the first */
	if (srv->cli.pidfile != NULL && hsd_pidfile_open(srv->cli.pidfile, &srv->pidfile, err, sizeof err) != 0)
		return hsd_cli_fail("%s", err);
	unsigned long long before, after;
	if (hsd_raise_nofile_limit(&before, &after) != 0)
		hsd_log(HSD_LOG_WARNING, "cannot raise the limit of open files (%llu): %s", before, strerror(errno));
	else if (after != before)
		hsd_log(HSD_LOG_INFO, "limit of open files raised from %llu to %llu", before, after);
	const char *path = getenv("PATH");
	if ((srv->path_env = strdup(path != NULL && path[0] != '\0' ? path : "/usr/local/bin:/usr/bin:/bin")) == NULL)
		return HSD_EXIT_FAIL;
	if (uv_loop_init(&srv->loop) != 0)
		return hsd_cli_fail("cannot create the event loop");
	/* a peer that goes away must not kill us with SIGPIPE (children get
	 * the default disposition back from uv_spawn) */
	signal(SIGPIPE, SIG_IGN);
	init_handles(srv);
	if (srv->set.host_key_agent != NULL && open_agent(srv, err, sizeof err) != 0) {
		hsd_log(HSD_LOG_ERR, "%s", err);
		srv->stopping = 1;
		on_later(&srv->later);
		uv_run(&srv->loop, UV_RUN_DEFAULT);
		(void)uv_loop_close(&srv->loop);
		return HSD_EXIT_FAIL;
	}

	if (hsd__serve_apply_listeners(srv, 1) != 0) {
		/* tear down what was bound, on the loop, then leave */
		srv->stopping = 1;
		on_later(&srv->later);
		uv_run(&srv->loop, UV_RUN_DEFAULT);
		(void)uv_loop_close(&srv->loop);
		return HSD_EXIT_FAIL;
	}
	srv->started = 1;
	char fp[HS_FINGERPRINT_SIZE];
	hs_key_fingerprint(hs_hostkey_public(hsd__serve_hostkey(srv)), fp);
	hsd_log(HSD_LOG_INFO, "ready: host key %s%s%s, %zu subsystems configured, state directory %s", fp,
	        srv->agent != NULL ? " in the agent at " : "", srv->agent != NULL ? srv->set.host_key_agent : "",
	        srv->set.subsystems.n, dir);
	uv_signal_start(&srv->sig_term, on_signal, SIGTERM);
	uv_signal_start(&srv->sig_int, on_signal, SIGINT);
	uv_signal_start(&srv->sig_hup, on_signal, SIGHUP);
	hsd__serve_watch_start(srv);

	uv_run(&srv->loop, UV_RUN_DEFAULT);

	if (uv_loop_close(&srv->loop) != 0)
		hsd_log(HSD_LOG_WARNING, "event loop closed with handles still open");
	hsd_log(HSD_LOG_INFO, "stopped");
	return HSD_EXIT_OK;
}

int hsd_cmd_serve(int argc, char **argv)
{
	int help = 0;
	/* First of all: the launcher's descriptors (a pipe without
	 * close-on-exec, a terminal's) must not reach any subsystem child. */
	int closed = hsd_close_inherited_fds();
	struct server *srv = calloc(1, sizeof(*srv));
	if (srv == NULL)
		return hsd_cli_fail("out of memory");
	hs__list_init(&srv->peers);
	srv->pidfile.fd = -1;
	srv->answer_fd = -1;
	if (closed > 0)
		hsd_log(HSD_LOG_DEBUG, "closed %d inherited descriptors", closed);
	else if (closed < 0)
		hsd_log(HSD_LOG_WARNING, "cannot close inherited descriptors: subsystems may see them");
	int rc = hsd_serve_cli_parse(argc, argv, &srv->cli, &help);
	if (rc == HSD_EXIT_OK)
		rc = help ? hsd_serve_cli_help() : run(srv);
	hsd_pidfile_release(&srv->pidfile);
	if (srv->answer_fd >= 0) /* its poll handle was closed with the loop */
		close(srv->answer_fd);
	hsd_regpool_close(srv->pool);
	hs_hostkey_free(srv->hostkey);
	hsd_serve_settings_clear(&srv->set);
	hsd_serve_cli_cleanup(&srv->cli);
	free(srv->path_env);
	free(srv);
	return rc;
}
