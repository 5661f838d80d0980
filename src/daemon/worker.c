/*
 * hostsd program — `hostsd worker`: a network worker of `hostsd serve`,
 * started by the monitor (serve.c) and never by hand. It runs the engine:
 * it accepts on the listening sockets the monitor bound, speaks SSH with
 * strangers and peers, and applies the HostsServer policy
 * (serve_policy.c) with the registry watcher (serve_watch.c). It holds no
 * private key (the monitor signs over the agent socket), opens no file
 * (the registry is asked through the monitor, the configuration comes as
 * text), and starts no process (the monitor starts the subsystem
 * children): once started, it enters its sandbox (sandbox.h).
 *
 * Descriptors from the monitor (worker.h): the agent, registry and
 * control sockets, the configuration's text, then one listening socket
 * per listen address, in the order of the settings.
 *
 * Signals, all from the monitor: SIGTERM stops gracefully (no new
 * connections; idle and unauthenticated ones closed; sessions may finish
 * until shutdown_timeout), a second SIGTERM cuts every connection;
 * SIGUSR1 retires the worker (a new one took its place after a reload:
 * stop accepting, let every connection end on its own). SIGINT and SIGHUP
 * are the monitor's alone. A monitor that goes away (its control socket
 * hangs up) cuts every connection.
 */
#include "daemon/worker.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
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
 * ends once the last session and the last job are done. */
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
	hsd_worker_launcher_close(&srv->launcher);
	if (srv->handles_up) {
		hsd__serve_release_held(srv);
		uv_timer_stop(&srv->watch);
		close_handle((uv_handle_t *)&srv->watch);
		close_handle((uv_handle_t *)&srv->stop_timer);
		close_handle((uv_handle_t *)&srv->later);
		close_handle((uv_handle_t *)&srv->refusal_timer);
		close_handle((uv_handle_t *)&srv->sig_term);
		close_handle((uv_handle_t *)&srv->sig_retire);
		close_handle((uv_handle_t *)&srv->sig_probe);
	}
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
	srv->stopping = 1;
	if (srv->npeers > 0)
		hsd_log(HSD_LOG_NOTICE, "%s: closing %zu remaining connections", why, srv->npeers);
	hsd__serve_stop_listeners(srv);
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

/* The first stop signal stops gracefully, the second at once. */
static void begin_stop(struct server *srv)
{
	struct hs_list_node *n, *next;
	if (srv->stopping) {
		force_stop(srv, "second stop signal");
		return;
	}
	srv->stopping = 1;
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

/* Retired: a newer worker accepts from now on; this one ends with its
 * last connection. */
static void retire(struct server *srv)
{
	if (srv->retiring || srv->stopping)
		return;
	srv->retiring = 1;
	hsd__serve_stop_listeners(srv);
	if (srv->npeers == 0)
		hsd__serve_schedule_finish(srv);
}

static void on_signal(uv_signal_t *h, int signum)
{
	struct server *srv = h->data;
	if (signum == SIGUSR1)
		retire(srv);
	else if (signum == SIGUSR2)
		hsd__worker_probe(srv);
	else
		begin_stop(srv);
}

static void on_monitor_lost(void *data)
{
	force_stop(data, "the monitor is gone");
}

/* --- start-up --- */

static void init_handles(struct server *srv)
{
	uv_signal_init(&srv->loop, &srv->sig_term);
	uv_signal_init(&srv->loop, &srv->sig_retire);
	uv_signal_init(&srv->loop, &srv->sig_probe);
	uv_timer_init(&srv->loop, &srv->watch);
	uv_timer_init(&srv->loop, &srv->stop_timer);
	uv_timer_init(&srv->loop, &srv->later);
	uv_timer_init(&srv->loop, &srv->refusal_timer);
	hsd_refusal_log_init(&srv->refusals);
	hsd__serve_answer_clock_init(srv);
	srv->sig_term.data = srv->sig_retire.data = srv->sig_probe.data = srv;
	srv->watch.data = srv->stop_timer.data = srv->later.data = srv->refusal_timer.data = srv;
	srv->handles_up = 1;
}

const struct hs_hostkey *hsd__serve_hostkey(const struct server *srv)
{
	return hs_agent_hostkey(srv->agent);
}

/* The configuration's text, from the descriptor the monitor filled. */
static int read_config(int fd, char **text, size_t *len)
{
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap);
	*text = NULL;
	*len = 0;
	while (buf != NULL) {
		if (n == cap) {
			char *bigger = cap < (HSD_CONFIG_MAX_BYTES + 1) * 2 ? realloc(buf, cap * 2) : NULL;
			if (bigger == NULL)
				break;
			buf = bigger;
			cap *= 2;
		}
		ssize_t r = read(fd, buf + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			break;
		if (r == 0) {
			*text = buf;
			*len = n;
			close(fd);
			return 0;
		}
		n += (size_t)r;
	}
	free(buf);
	close(fd);
	return -1;
}

/* The worker's arguments (worker.h): ID, the state directory, the host
 * key's public line, the number of listening sockets, then serve's own
 * options. */
static int parse_args(int argc, char **argv, struct server *srv, struct hs_key **pub, size_t *nlisten)
{
	int help = 0;
	char *end;
	if (argc < 5)
		return -1;
	unsigned long id = strtoul(argv[1], &end, 10);
	if (*end != '\0' || id == 0 || id > 1000000)
		return -1;
	srv->worker_id = (unsigned)id;
	if (snprintf(srv->dir, sizeof srv->dir, "%s", argv[2]) >= (int)sizeof srv->dir)
		return -1;
	if (hs_key_parse_line(argv[3], pub, NULL) != 0)
		return -1;
	unsigned long n = strtoul(argv[4], &end, 10);
	if (*end != '\0' || n == 0 || n > HSD_CONFIG_MAX_LISTEN)
		return -1;
	*nlisten = n;
	/* serve's options follow, after a "serve" of their own */
	return hsd_serve_cli_parse(argc - 4, argv + 4, &srv->cli, &help) == HSD_EXIT_OK && !help ? 0 : -1;
}

static int start(struct server *srv, int argc, char **argv)
{
	char err[1024];
	char *text = NULL;
	size_t len = 0, nlisten = 0;
	struct hs_key *pub = NULL;
	int r = -1;

	if (parse_args(argc, argv, srv, &pub, &nlisten) != 0) {
		hsd_log(HSD_LOG_ERR, "worker: bad arguments (hostsd worker is started by hostsd serve)");
		goto out;
	}
	if (read_config(HSD_WORKER_FD_CONFIG, &text, &len) != 0) {
		hsd_log(HSD_LOG_ERR, "worker %u: cannot read the configuration from the monitor", srv->worker_id);
		goto out;
	}
	/* the monitor's text, even empty: the worker never reads the file */
	if (hsd__serve_load_settings(srv->dir, text, len, &srv->cli, &srv->set, err, sizeof err) != 0) {
		hsd_log(HSD_LOG_ERR, "worker %u: %s", srv->worker_id, err);
		goto out;
	}
	if (srv->set.nlisten != nlisten) {
		hsd_log(HSD_LOG_ERR, "worker %u: %zu listening sockets for %zu addresses", srv->worker_id, nlisten,
		        srv->set.nlisten);
		goto out;
	}
	for (size_t i = 0; i < nlisten; i++)
		srv->listen_fds[i] = HSD_WORKER_FD_LISTEN + (int)i;
	if (srv->set.log_level >= 0)
		hsd_log_set_level(srv->set.log_level);
	hsd__serve_size_thread_pool(srv);
	if (hsd_regpool_open_remote(HSD_WORKER_FD_REGISTRY, &srv->pool, err, sizeof err) != 0) {
		hsd_log(HSD_LOG_ERR, "worker %u: %s", srv->worker_id, err);
		goto out;
	}
	if (uv_loop_init(&srv->loop) != 0) {
		hsd_log(HSD_LOG_ERR, "worker %u: cannot create the event loop", srv->worker_id);
		goto out;
	}
	srv->loop_up = 1;
	init_handles(srv);
	if (hsd_worker_launcher_init(&srv->launcher, &srv->loop, HSD_WORKER_FD_CONTROL, on_monitor_lost, srv) != 0) {
		hsd_log(HSD_LOG_ERR, "worker %u: cannot watch the control socket", srv->worker_id);
		goto out;
	}
	if (hs_agent_open(&srv->loop, NULL, HSD_WORKER_FD_AGENT, pub, &srv->agent, err, sizeof err) != 0) {
		hsd_log(HSD_LOG_ERR, "worker %u: the monitor's signer: %s", srv->worker_id, err);
		goto out;
	}
	if (hsd__serve_apply_listeners(srv, 1) != 0)
		goto out;
	r = 0;
out:
	free(text);
	hs_key_free(pub);
	return r;
}

static int run(struct server *srv, int argc, char **argv)
{
	char err[256];
	sigset_t held, old_mask;
	/* the monitor's signals wait for their handlers (see serve.c) */
	sigemptyset(&held);
	sigaddset(&held, SIGTERM);
	sigaddset(&held, SIGUSR1);
	sigaddset(&held, SIGUSR2);
	sigprocmask(SIG_BLOCK, &held, &old_mask);
	if (start(srv, argc, argv) != 0) {
		if (!srv->loop_up)
			return HSD_EXIT_FAIL;
		srv->stopping = 1;
		on_later(&srv->later);
		uv_run(&srv->loop, UV_RUN_DEFAULT);
		(void)uv_loop_close(&srv->loop);
		return HSD_EXIT_FAIL;
	}
	uv_signal_start(&srv->sig_term, on_signal, SIGTERM);
	uv_signal_start(&srv->sig_retire, on_signal, SIGUSR1);
	uv_signal_start(&srv->sig_probe, on_signal, SIGUSR2);
	sigprocmask(SIG_SETMASK, &old_mask, NULL);
	hsd__serve_watch_start(srv);
	hsd_log(HSD_LOG_DEBUG, "worker %u: serving (pid %d, uid %d)", srv->worker_id, (int)getpid(), (int)getuid());
	if (hsd__worker_sandbox(srv, err, sizeof err) != 0) {
		hsd_log(HSD_LOG_ERR, "worker %u: %s", srv->worker_id, err);
		force_stop(srv, "no sandbox");
	}

	uv_run(&srv->loop, UV_RUN_DEFAULT);

	if (uv_loop_close(&srv->loop) != 0)
		hsd_log(HSD_LOG_WARNING, "worker %u: event loop closed with handles still open", srv->worker_id);
	return srv->forced && srv->npeers > 0 ? HSD_EXIT_FAIL : HSD_EXIT_OK;
}

int hsd_cmd_worker(int argc, char **argv)
{
	/* the exec'd program came as a descriptor: not ours to keep */
	close(HSD_WORKER_FD_EXE);
	/* exec'd as /proc/self/fd/N: a name ps can show */
	(void)prctl(PR_SET_NAME, "hostsd-worker");
	/* a monitor that dies leaves no worker behind */
	(void)prctl(PR_SET_PDEATHSIG, SIGTERM);
	signal(SIGPIPE, SIG_IGN);
	signal(SIGINT, SIG_IGN); /* a terminal's ^C is the monitor's to act on */
	signal(SIGHUP, SIG_IGN);
	struct server *srv = calloc(1, sizeof(*srv));
	if (srv == NULL)
		return HSD_EXIT_FAIL;
	hs__list_init(&srv->peers);
	srv->answer_fd = -1;
	srv->launcher.fd = -1;
	hs__list_init(&srv->launcher.kids);
	for (size_t i = 0; i < HSD_CONFIG_MAX_LISTEN; i++)
		srv->listen_fds[i] = -1;
	int rc = run(srv, argc, argv);
	for (size_t i = 0; i < HSD_CONFIG_MAX_LISTEN; i++)
		if (srv->listen_fds[i] >= 0)
			close(srv->listen_fds[i]);
	if (srv->answer_fd >= 0) /* its poll handle was closed with the loop */
		close(srv->answer_fd);
	hsd_regpool_close(srv->pool);
	hsd_serve_settings_clear(&srv->set);
	hsd_serve_cli_cleanup(&srv->cli);
	free(srv);
	/* nothing may run after: a sanitizer's exit-time checks need calls
	 * the sandbox refuses (sandbox.h) */
	fflush(NULL);
	_exit(rc);
}
