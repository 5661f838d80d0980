/*
 * hostsd program — `hostsd serve`, the hosts server: the HostsServer of
 * DESIGN.md, as a privileged monitor and its network workers (OpenSSH's
 * privilege separation, for an event-driven server). This file is the
 * monitor's life cycle: start-up (state directory, settings, accounts,
 * host key, registry, pid file, listening sockets, the first worker),
 * signals, reload and stop. monitor_priv.h has the map of its parts; the
 * workers are worker.c.
 *
 * SIGHUP re-reads the configuration: a file with errors is refused
 * (logged) and the running configuration kept; else the sockets of
 * addresses still configured are kept, new ones bound, and a new worker
 * starts on the new settings while the old ones retire (they stop
 * accepting and end with their last connection). SIGTERM/SIGINT stop the
 * workers gracefully (no new connections, idle and unauthenticated ones
 * closed, open sessions may finish until shutdown_timeout); a second
 * signal cuts every connection. The monitor ends when its last worker and
 * its last subsystem child have been reaped.
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
#include "daemon/listen_socket.h"
#include "daemon/log.h"
#include "daemon/monitor_priv.h"
#include "daemon/subsystem.h"
#include "daemon/subsystem_accounts.h"

/* --- stopping --- */

static void close_handle(uv_handle_t *h)
{
	if (!uv_is_closing(h))
		uv_close(h, NULL);
}

static void close_sockets(struct monitor *m)
{
	for (size_t i = 0; i < m->nsocks; i++)
		if (m->socks[i].fd >= 0)
			close(m->socks[i].fd);
	m->nsocks = 0;
}

/* Everything is over: close our handles; the loop then ends. */
static void on_later(uv_timer_t *t)
{
	struct monitor *m = t->data;
	if (m->finished)
		return;
	m->finished = 1;
	close_sockets(m);
	hs_agent_close(m->agent); /* the workers' signers are closed with them */
	m->agent = NULL;
	hsd_reaper_close(&m->reaper, NULL);
	close_handle((uv_handle_t *)&m->respawn);
	close_handle((uv_handle_t *)&m->sweep);
	close_handle((uv_handle_t *)&m->later);
	close_handle((uv_handle_t *)&m->sig_term);
	close_handle((uv_handle_t *)&m->sig_int);
	close_handle((uv_handle_t *)&m->sig_hup);
}

void hsd__monitor_maybe_finish(struct monitor *m)
{
	if (!m->stopping || m->finished || !hs__list_empty(&m->workers) || !hs__list_empty(&m->children))
		return;
	uv_timer_start(&m->later, on_later, 0, 0);
}

/* A stop signal: the first stops gracefully, the second at once. */
static void begin_stop(struct monitor *m)
{
	if (m->stopping) {
		if (!m->forced) {
			m->forced = 1;
			hsd_log(HSD_LOG_NOTICE, "second stop signal: cutting every connection");
		}
		hsd__monitor_signal_workers(m, SIGTERM, 1);
		return;
	}
	m->stopping = 1;
	uv_timer_stop(&m->respawn);
	hsd_log(HSD_LOG_NOTICE, "stopping: no new connections; waiting up to %u s for open sessions",
	        m->set.shutdown_timeout);
	/* the workers hold the sockets too: the port is free once they stop */
	close_sockets(m);
	hsd__monitor_signal_workers(m, SIGTERM, 1);
	hsd__monitor_maybe_finish(m);
}

/* --- settings and sockets --- */

static int check_modes(const char *dir, char *err, size_t errlen)
{
	char conf[HSD_PATH_MAX], reg[HSD_PATH_MAX], key[HSD_PATH_MAX];
	if (hsd_state_path(dir, HSD_CONFIG_FILE, conf, sizeof conf, err, errlen) != 0 ||
	    hsd_state_path(dir, HSD_REGISTRY_FILE, reg, sizeof reg, err, errlen) != 0 ||
	    hsd_state_path(dir, HSD_HOSTKEY_FILE, key, sizeof key, err, errlen) != 0)
		return -1;
	return hsd_state_check_modes(dir, conf, reg, key, err, errlen);
}

/* The settings from DIR's file and the command line, checked by the engine
 * and against the accounts. 0, or -1 with a sentence in err. */
static int load_settings(struct monitor *m, struct hsd_serve_settings *set, char *err, size_t errlen)
{
	if (hsd_serve_settings_load_over(m->dir, &m->cli.over, set, err, errlen) != 0)
		return -1;
	if (set->nlisten == 0)
		snprintf(err, errlen, "no listening address: give --listen ADDR:PORT or set one in %s",
		         set->config_path ? set->config_path : "the configuration file");
	else if (hs_config_check(&set->engine, err, errlen) == 0 &&
	         hsd_subsystem_accounts_check(set, m->as_root, m->as_root ? m->worker_account.uid : getuid(),
	                                      m->as_root ? m->worker_account.gid : getgid(), err, errlen) == 0)
		return 0;
	hsd_serve_settings_clear(set);
	return -1;
}

static int same_addr(const struct hsd_listen_addr *a, const struct hsd_listen_addr *b)
{
	return a->ipv6 == b->ipv6 && a->port == b->port && strcmp(a->addr, b->addr) == 0;
}

/* The entry of old (nold of them) bound to a, or NULL. */
static struct msock *find_sock(struct msock *old, size_t nold, const struct hsd_listen_addr *a)
{
	for (size_t j = 0; j < nold; j++)
		if (old[j].fd >= 0 && same_addr(&old[j].addr, a))
			return &old[j];
	return NULL;
}

/* Bind set's addresses into socks, taking the sockets of addresses bound
 * already from old (their entries get fd -1) once every new one is bound.
 * 0, or -1 with a sentence in err (old is then untouched). */
static int bind_sockets(const struct hsd_serve_settings *set, struct msock *old, size_t nold, struct msock *socks,
                        char *err, size_t errlen)
{
	char where[96];
	size_t i;
	for (i = 0; i < set->nlisten; i++) {
		struct msock *s = &socks[i];
		s->addr = set->listen[i];
		s->fd = -1;
		if (find_sock(old, nold, &s->addr) != NULL)
			continue;
		if ((s->fd = hsd_listen_socket(&s->addr, &s->port, err, errlen)) < 0)
			goto fail;
		hsd_format_listen(&s->addr, s->port, where, sizeof where);
		hsd_log(HSD_LOG_INFO, "listening on %s", where);
	}
	for (i = 0; i < set->nlisten; i++) {
		struct msock *o = socks[i].fd < 0 ? find_sock(old, nold, &socks[i].addr) : NULL;
		if (o != NULL) {
			socks[i] = *o;
			o->fd = -1;
		}
	}
	return 0;
fail:
	while (i-- > 0)
		if (socks[i].fd >= 0)
			close(socks[i].fd);
	return -1;
}

/* --- reload --- */

static void reload(struct monitor *m)
{
	struct hsd_serve_settings fresh;
	struct msock socks[HSD_CONFIG_MAX_LISTEN];
	char err[1024], where[96];
	if (m->stopping)
		return;
	/* the files may have been made writable by others since the start: a
	 * file others could have written is not read */
	if (check_modes(m->dir, err, sizeof err) != 0 || load_settings(m, &fresh, err, sizeof err) != 0) {
		hsd_log(HSD_LOG_ERR, "reload failed, keeping the running configuration: %s", err);
		return;
	}
	/* the sockets of addresses still configured are kept */
	if (bind_sockets(&fresh, m->socks, m->nsocks, socks, err, sizeof err) != 0) {
		hsd_log(HSD_LOG_ERR, "reload failed, keeping the running configuration: %s", err);
		hsd_serve_settings_clear(&fresh);
		return;
	}
	for (size_t j = 0; j < m->nsocks; j++) {
		if (m->socks[j].fd < 0)
			continue;
		hsd_format_listen(&m->socks[j].addr, m->socks[j].port, where, sizeof where);
		hsd_log(HSD_LOG_INFO, "no longer listening on %s", where);
		close(m->socks[j].fd);
	}
	memcpy(m->socks, socks, fresh.nlisten * sizeof socks[0]);
	m->nsocks = fresh.nlisten;
	hsd_serve_settings_clear(&m->set);
	m->set = fresh;
	/* a log_level taken out of the file goes back to the default */
	hsd_log_set_level(m->set.log_level >= 0 ? m->set.log_level
	                                        : (int)hsd_setting_default(hsd_setting_by_id(HSD_SETTING_LOG_LEVEL)));
	if (hsd__monitor_start_worker(m) != 0) {
		hsd_log(HSD_LOG_ERR, "reload: no new worker could start; the running ones go on with their settings");
		return;
	}
	hsd__monitor_retire_old(m);
	hsd_log(HSD_LOG_INFO, "configuration reloaded: %zu subsystems, %zu listening addresses", m->set.subsystems.n,
	        m->set.nlisten);
}

static void on_signal(uv_signal_t *h, int signum)
{
	struct monitor *m = h->data;
	if (signum == SIGHUP) {
		hsd_log(HSD_LOG_INFO, "SIGHUP: reloading the configuration");
		reload(m);
		return;
	}
	hsd_log(HSD_LOG_NOTICE, "%s received", signum == SIGTERM ? "SIGTERM" : "SIGINT");
	begin_stop(m);
}

/* --- start-up --- */

static void init_handles(struct monitor *m)
{
	uv_signal_init(&m->loop, &m->sig_term);
	uv_signal_init(&m->loop, &m->sig_int);
	uv_signal_init(&m->loop, &m->sig_hup);
	uv_timer_init(&m->loop, &m->respawn);
	uv_timer_init(&m->loop, &m->sweep);
	uv_timer_init(&m->loop, &m->later);
	m->sig_term.data = m->sig_int.data = m->sig_hup.data = m;
	m->respawn.data = m->sweep.data = m->later.data = m;
	m->handles_up = 1;
}

const struct hs_hostkey *hsd__monitor_hostkey(const struct monitor *m)
{
	return m->agent != NULL ? hs_agent_hostkey(m->agent) : m->hostkey;
}
/* host_key_agent: the public key from DIR/host_ed25519.pub, the private
 * one in the agent. */
static int open_agent(struct monitor *m, char *err, size_t errlen)
{
	char pubpath[HSD_PATH_MAX + 8];
	struct hs_key *pub = NULL;
	char *line = NULL;
	size_t len = 0;
	int r;
	snprintf(pubpath, sizeof pubpath, "%s.pub", m->set.host_key_path);
	FILE *f = fopen(pubpath, "re");
	if (f == NULL) {
		snprintf(err, errlen,
		         "host_key_agent is set, so the host's public key must be in %.300s: %s (write it with "
		         "hostsd hostkey --dir %.300s > %.300s)",
		         pubpath, strerror(errno), m->dir, pubpath);
		return -1;
	}
	ssize_t n = getline(&line, &len, f);
	fclose(f);
	if (n <= 0 || hs_key_parse_line(line, &pub, NULL) != 0) {
		snprintf(err, errlen,
		         "%.300s does not hold a public key line (write it with hostsd hostkey --dir %.300s > %.300s)",
		         pubpath, m->dir, pubpath);
		free(line);
		return -1;
	}
	free(line);
	r = hs_agent_open(&m->loop, m->set.host_key_agent, -1, pub, &m->agent, err, errlen);
	hs_key_free(pub);
	return r == 0 ? 0 : -1;
}

/* The `user` account the workers run as (as root). 0, or -1 with a
 * sentence in err. */
static int resolve_worker_account(struct monitor *m, const struct hsd_serve_settings *set, char *err, size_t errlen)
{
	if (!m->as_root)
		return 0;
	hsd_account_clear(&m->worker_account);
	return hsd_account_resolve(set->user, "user", &m->worker_account, err, errlen);
}

/* Tear down what start-up made, on the loop, and fail. */
static int fail_started(struct monitor *m, const char *err)
{
	if (err != NULL)
		hsd_log(HSD_LOG_ERR, "%s", err);
	m->stopping = 1;
	close_sockets(m);
	hsd__monitor_signal_workers(m, SIGKILL, 1);
	if (hs__list_empty(&m->workers))
		on_later(&m->later);
	uv_run(&m->loop, UV_RUN_DEFAULT);
	(void)uv_loop_close(&m->loop);
	return HSD_EXIT_FAIL;
}

/* Everything but the loop: 0, or an exit code after the message. */
static int prepare(struct monitor *m)
{
	char err[1024];
	const char *dir = m->dir;
	if (hsd_state_dir_resolve(m->cli.dir, m->dir, sizeof m->dir, err, sizeof err) != 0 ||
	    hsd_state_dir_check(dir, err, sizeof err) != 0 || check_modes(dir, err, sizeof err) != 0)
		return hsd_cli_fail("%s", err);
	m->as_root = geteuid() == 0;
	if (hsd_serve_settings_load_over(dir, &m->cli.over, &m->set, err, sizeof err) != 0)
		return hsd_cli_fail("%s", err);
	if (resolve_worker_account(m, &m->set, err, sizeof err) != 0)
		return hsd_cli_fail("%s", err);
	hsd_serve_settings_clear(&m->set);
	if (load_settings(m, &m->set, err, sizeof err) != 0)
		return hsd_cli_fail("%s", err);
	if (m->set.log_level >= 0)
		hsd_log_set_level(m->set.log_level);
	/* a key others may read is refused ("chmod 600 FILE"), as sshd does */
	if (m->set.host_key_agent == NULL &&
	    hsd_hostkey_load_checked(m->set.host_key_path, &m->hostkey, err, sizeof err) != 0)
		return hsd_cli_fail("%s", err);
	if (hsd_regpool_open(dir, &m->pool, err, sizeof err) != 0)
		return hsd_cli_fail("%s", err);
	/* before binding: a second server with the same pid file stops here,
	 * with the pid of the first */
	if (m->cli.pidfile != NULL && hsd_pidfile_open(m->cli.pidfile, &m->pidfile, err, sizeof err) != 0)
		return hsd_cli_fail("%s", err);
	unsigned long long before, after;
	if (hsd_raise_nofile_limit(&before, &after) != 0)
		hsd_log(HSD_LOG_WARNING, "cannot raise the limit of open files (%llu): %s", before, strerror(errno));
	else if (after != before)
		hsd_log(HSD_LOG_INFO, "limit of open files raised from %llu to %llu", before, after);
	const char *path = getenv("PATH");
	if ((m->path_env = strdup(path != NULL && path[0] != '\0' ? path : "/usr/local/bin:/usr/bin:/bin")) == NULL)
		return hsd_cli_fail("out of memory");
	/* the workers are this very program, whatever happens to its file */
	if ((m->exe_fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC)) < 0)
		return hsd_cli_fail("cannot open this program (/proc/self/exe) to start workers: %s", strerror(errno));
	return 0;
}

/* The stop and reload signals wait (blocked) until their handlers are in
 * place: one that came while starting would otherwise end the process
 * (their default action) after "listening on" was logged. */
static void hold_signals(sigset_t *old)
{
	sigset_t held;
	sigemptyset(&held);
	sigaddset(&held, SIGTERM);
	sigaddset(&held, SIGINT);
	sigaddset(&held, SIGHUP);
	sigprocmask(SIG_BLOCK, &held, old);
}

static int run(struct monitor *m)
{
	char err[1024];
	sigset_t old_mask;
	hold_signals(&old_mask);
	int r = prepare(m);
	if (r != 0)
		return r;
	if (uv_loop_init(&m->loop) != 0)
		return hsd_cli_fail("cannot create the event loop");
	/* a worker that goes away must not kill us with SIGPIPE */
	signal(SIGPIPE, SIG_IGN);
	init_handles(m);
	if (hsd_reaper_init(&m->reaper, &m->loop) != 0)
		return fail_started(m, "cannot watch child processes");
	if (m->set.host_key_agent != NULL && open_agent(m, err, sizeof err) != 0)
		return fail_started(m, err);
	const struct hs_key *pub = hs_hostkey_public(hsd__monitor_hostkey(m));
	if (hs_key_format_line(pub, NULL, &m->pubkey_line) != 0)
		return fail_started(m, "out of memory");
	if (bind_sockets(&m->set, NULL, 0, m->socks, err, sizeof err) != 0) {
		fprintf(stderr, "hostsd: %s\n", err); /* at start: a plain error, as for other mistakes */
		return fail_started(m, NULL);
	}
	m->nsocks = m->set.nlisten;
	if (hsd__monitor_start_worker(m) != 0)
		return fail_started(m, "cannot start the network worker (see above)");
	char fp[HS_FINGERPRINT_SIZE];
	hs_key_fingerprint(pub, fp);
	hsd_log(HSD_LOG_INFO, "ready: host key %s%s%s, %zu subsystems configured, state directory %s", fp,
	        m->agent != NULL ? " in the agent at " : "", m->agent != NULL ? m->set.host_key_agent : "",
	        m->set.subsystems.n, m->dir);
	uv_signal_start(&m->sig_term, on_signal, SIGTERM);
	uv_signal_start(&m->sig_int, on_signal, SIGINT);
	uv_signal_start(&m->sig_hup, on_signal, SIGHUP);
	sigprocmask(SIG_SETMASK, &old_mask, NULL); /* what came meanwhile is handled now */

	uv_run(&m->loop, UV_RUN_DEFAULT);

	if (uv_loop_close(&m->loop) != 0)
		hsd_log(HSD_LOG_WARNING, "event loop closed with handles still open");
	hsd_log(HSD_LOG_INFO, "stopped");
	return HSD_EXIT_OK;
}

int hsd_cmd_serve(int argc, char **argv)
{
	int help = 0;
	/* First of all: the launcher's descriptors (a pipe without
	 * close-on-exec, a terminal's) must not reach any process we start. */
	int closed = hsd_close_inherited_fds();
	struct monitor *m = calloc(1, sizeof(*m));
	if (m == NULL)
		return hsd_cli_fail("out of memory");
	hs__list_init(&m->workers);
	hs__list_init(&m->children);
	m->pidfile.fd = -1;
	m->exe_fd = -1;
	m->argc = argc;
	m->argv = argv;
	if (closed > 0)
		hsd_log(HSD_LOG_DEBUG, "closed %d inherited descriptors", closed);
	else if (closed < 0)
		hsd_log(HSD_LOG_WARNING, "cannot close inherited descriptors: subsystems may see them");
	int rc = hsd_serve_cli_parse(argc, argv, &m->cli, &help);
	if (rc == HSD_EXIT_OK)
		rc = help ? hsd_serve_cli_help() : run(m);
	hsd_pidfile_release(&m->pidfile);
	close_sockets(m);
	if (m->exe_fd >= 0)
		close(m->exe_fd);
	hsd_regpool_close(m->pool);
	hs_hostkey_free(m->hostkey);
	hsd_account_clear(&m->worker_account);
	hsd_serve_settings_clear(&m->set);
	hsd_serve_cli_cleanup(&m->cli);
	free(m->pubkey_line);
	free(m->path_env);
	free(m);
	return rc;
}
