/*
 * hostsd program — the monitor's network workers (see monitor_priv.h).
 *
 * A worker is this program exec'd afresh (`hostsd worker`, worker.h), so
 * that nothing of the monitor's memory, the host key least of all, is in
 * its address space; as root it runs under the `user` setting's account
 * with no capability left. It gets three socket pairs: the agent socket,
 * on which the monitor signs exchange hashes (hs_agent_server), the
 * registry socket (regrpc_server.h) and the control socket, on which it
 * asks for subsystem children (monitor_children.c); then the
 * configuration's text and the listening sockets.
 *
 * A worker that exits or is killed is logged and replaced, later each
 * time it dies soon after its start (so a worker that cannot start does
 * not spin); its connections are lost, not the server. A retired worker
 * (after a reload) is not replaced.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/memfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "daemon/child.h"
#include "daemon/log.h"
#include "daemon/monitor_priv.h"
#include "daemon/subsystem.h"
#include "daemon/worker.h"

/* Environment variables a worker keeps: the sanitizers' options (test
 * builds run under them) and the probe of test builds (worker_sandbox.c). */
static const char *const kept_env[] = { "ASAN_OPTIONS",       "UBSAN_OPTIONS",     "LSAN_OPTIONS",
	                                "UV_THREADPOOL_SIZE", "HOSTSD_TEST_PROBE", "HOSTSD_SANDBOX_TRAP" };
#define KEPT_ENV_COUNT (sizeof kept_env / sizeof kept_env[0])

static void on_ctl_closed(uv_handle_t *h)
{
	struct mworker *w = h->data;
	w->ctl_open = 0;
	if (w->pid == 0 && w->ctl_fd < 0)
		free(w);
}

void hsd__monitor_cut_worker(struct mworker *w)
{
	hs_agent_server_close(w->signer, NULL, NULL);
	w->signer = NULL;
	hsd_regrpc_server_close(w->registry);
	w->registry = NULL;
	if (w->ctl_fd >= 0) {
		if (w->ctl_open)
			uv_close((uv_handle_t *)&w->ctl_poll, on_ctl_closed);
		close(w->ctl_fd);
		w->ctl_fd = -1;
	}
}

void hsd__monitor_drop_worker(struct mworker *w, const char *why)
{
	hsd_log(HSD_LOG_ERR, "worker %u (pid %d): %s; killing it", w->id, (int)w->pid, why);
	hsd__monitor_cut_worker(w);
	if (w->pid > 0)
		(void)kill(w->pid, SIGKILL);
}

static void on_ctl(uv_poll_t *h, int status, int events)
{
	struct mworker *w = h->data;
	(void)events;
	if (status < 0) {
		hsd__monitor_drop_worker(w, "its control socket failed");
		return;
	}
	hsd__monitor_control_readable(w);
}

/* The registry socket ended: a worker that hangs up is ending; one that
 * sent nonsense is not to be trusted. */
static void on_registry_ended(void *data, const char *why)
{
	struct mworker *w = data;
	if (strcmp(why, "the worker closed the registry connection") == 0)
		return;
	if (w->pid > 0)
		hsd__monitor_drop_worker(w, why);
}

/* The agent socket ended: a worker that hangs up is ending (its exit is
 * what counts); one that sent nonsense is not to be trusted. */
static void on_signer_ended(void *data, int err)
{
	struct mworker *w = data;
	if (err == HS_ERR_CLOSED || err == HS_ERR_IO)
		return;
	if (w->pid > 0)
		hsd__monitor_drop_worker(w, "malformed request on its agent socket");
}

static void on_respawn(uv_timer_t *t)
{
	struct monitor *m = t->data;
	if (!m->stopping && hsd__monitor_start_worker(m) != 0) {
		m->quick_deaths++;
		unsigned ms = HSD_RESPAWN_MAX_MS;
		uv_timer_start(&m->respawn, on_respawn, ms, 0);
	}
}

static void schedule_respawn(struct monitor *m, int quick)
{
	uint64_t ms = 0;
	if (quick) {
		ms = HSD_RESPAWN_FIRST_MS;
		for (unsigned i = 1; i < m->quick_deaths && ms < HSD_RESPAWN_MAX_MS; i++)
			ms *= 2;
		if (ms > HSD_RESPAWN_MAX_MS)
			ms = HSD_RESPAWN_MAX_MS;
		hsd_log(HSD_LOG_WARNING, "starting a new worker in %llu ms", (unsigned long long)ms);
	}
	uv_timer_start(&m->respawn, on_respawn, ms, 0);
}

static void worker_exited(void *data, pid_t pid, int64_t exit_status, int term_signal)
{
	struct mworker *w = data;
	struct monitor *m = w->m;
	int expected = (m->stopping || w->retiring) && term_signal == 0 && exit_status == 0;
	int quick = uv_now(&m->loop) - w->started_ms < HSD_QUICK_DEATH_MS;
	if (term_signal != 0) {
		const char *name = term_signal == SIGSYS ? "SYS" : hsd_signal_name(term_signal);
		hsd_log(HSD_LOG_ERR, "worker %u (pid %d) killed by signal %s%s", w->id, (int)pid,
		        name != NULL ? name : "other",
		        term_signal == SIGSYS ? " (a system call its sandbox refuses)" : "");
	} else if (!expected) {
		hsd_log(HSD_LOG_ERR, "worker %u (pid %d) exited with status %lld", w->id, (int)pid,
		        (long long)exit_status);
	} else {
		hsd_log(HSD_LOG_INFO, "worker %u (pid %d) finished", w->id, (int)pid);
	}
	w->pid = 0;
	hsd__monitor_cut_worker(w);
	hsd__monitor_orphan_children(m, w);
	hs__list_remove(&w->link);
	int retiring = w->retiring;
	if (!w->ctl_open)
		free(w);
	if (!m->stopping && !retiring) {
		hsd_log(HSD_LOG_ERR, "the worker's connections are lost; starting a new worker");
		m->quick_deaths = quick ? m->quick_deaths + 1 : 0;
		schedule_respawn(m, quick);
	}
	hsd__monitor_maybe_finish(m);
}

/* The configuration's text in a memory file the worker reads. */
static int config_fd(const struct monitor *m)
{
	/* memfd_create(2), called directly: glibc declares it only for _GNU_SOURCE */
	int fd = (int)syscall(SYS_memfd_create, "hostsd.conf", MFD_CLOEXEC);
	size_t done = 0;
	if (fd < 0)
		return -1;
	while (done < m->set.config_len) {
		ssize_t n = write(fd, m->set.config_text + done, m->set.config_len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			close(fd);
			return -1;
		}
		done += (size_t)n;
	}
	if (lseek(fd, 0, SEEK_SET) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* The worker's environment: only what kept_env names. */
static size_t worker_env(char **env, size_t room)
{
	size_t n = 0;
	for (size_t i = 0; i < KEPT_ENV_COUNT && n + 1 < room; i++) {
		const char *v = getenv(kept_env[i]);
		size_t len;
		if (v == NULL)
			continue;
		len = strlen(kept_env[i]) + strlen(v) + 2;
		if ((env[n] = malloc(len)) == NULL)
			break;
		snprintf(env[n], len, "%s=%s", kept_env[i], v);
		n++;
	}
	env[n] = NULL;
	return n;
}

struct spawn_parts {
	int agent[2], registry[2], control[2];
	int config;
};

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

static void close_parts(struct spawn_parts *p)
{
	for (int i = 0; i < 2; i++) {
		close_fd(&p->agent[i]);
		close_fd(&p->registry[i]);
		close_fd(&p->control[i]);
	}
	close_fd(&p->config);
}

static int make_parts(const struct monitor *m, struct spawn_parts *p)
{
	p->agent[0] = p->agent[1] = p->registry[0] = p->registry[1] = p->control[0] = p->control[1] = -1;
	p->config = -1;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, p->agent) != 0 ||
	    socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, p->registry) != 0 ||
	    socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0, p->control) != 0 ||
	    (p->config = config_fd(m)) < 0) {
		int e = errno;
		close_parts(p);
		errno = e;
		return -1;
	}
	return 0;
}

/* Exec the worker; 0 with *pid, or -1 with a sentence in err. */
static int exec_worker(struct monitor *m, unsigned id, struct spawn_parts *p, pid_t *pid, char *err, size_t errlen)
{
	char idtext[16], ntext[16], exe[32];
	char *env[KEPT_ENV_COUNT + 1];
	int pass[5 + HSD_CONFIG_MAX_LISTEN];
	size_t npass = 0;
	int r = -1;
	char **argv = calloc((size_t)m->argc + 8, sizeof(char *));
	size_t nenv = worker_env(env, sizeof env / sizeof env[0]);
	if (argv == NULL) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	snprintf(idtext, sizeof idtext, "%u", id);
	snprintf(ntext, sizeof ntext, "%zu", m->nsocks);
	snprintf(exe, sizeof exe, "/proc/self/fd/%d", HSD_WORKER_FD_EXE);
	size_t k = 0;
	argv[k++] = "hostsd";
	argv[k++] = "worker";
	argv[k++] = idtext;
	argv[k++] = m->dir;
	argv[k++] = m->pubkey_line;
	argv[k++] = ntext;
	for (int i = 1; i < m->argc; i++)
		argv[k++] = m->argv[i];
	argv[k] = NULL;
	pass[npass++] = m->exe_fd;
	pass[npass++] = p->agent[1];
	pass[npass++] = p->registry[1];
	pass[npass++] = p->control[1];
	pass[npass++] = p->config;
	for (size_t i = 0; i < m->nsocks; i++)
		pass[npass++] = m->socks[i].fd;
	struct hsd_child_spec spec = {
		.path = exe,
		.argv = argv,
		.envp = env,
		.stdio = { -1, STDOUT_FILENO, STDERR_FILENO },
		.pass = pass,
		.npass = npass,
		.account = m->as_root ? &m->worker_account : NULL,
		.drop_bounding_caps = m->as_root,
		.dir = "/",
	};
	r = hsd_child_spawn(&spec, pid, err, errlen);
out:
	for (size_t i = 0; i < nenv; i++)
		free(env[i]);
	free(argv);
	return r;
}

int hsd__monitor_start_worker(struct monitor *m)
{
	struct spawn_parts p;
	char err[512];
	pid_t pid;
	unsigned id = ++m->next_worker_id;
	if (make_parts(m, &p) != 0) {
		hsd_log(HSD_LOG_ERR, "cannot start worker %u: %s", id, strerror(errno));
		return -1;
	}
	struct mworker *w = calloc(1, sizeof(*w));
	if (w == NULL || exec_worker(m, id, &p, &pid, err, sizeof err) != 0) {
		hsd_log(HSD_LOG_ERR, "cannot start worker %u: %s", id, w == NULL ? "out of memory" : err);
		free(w);
		close_parts(&p);
		return -1;
	}
	/* the worker's ends are its own now */
	close(p.agent[1]);
	close(p.registry[1]);
	close(p.control[1]);
	close(p.config);
	w->m = m;
	w->id = id;
	w->pid = pid;
	w->started_ms = uv_now(&m->loop);
	w->ctl_fd = p.control[0];
	hs__list_insert_head(&m->workers, &w->link);
	if (hsd_reaper_watch(&m->reaper, pid, worker_exited, w) != 0) {
		/* cannot learn of its end: not a worker to keep */
		(void)kill(pid, SIGKILL);
		hsd_log(HSD_LOG_ERR, "cannot watch worker %u (pid %d); killed it", id, (int)pid);
	}
	int r = hs_agent_server_new(&m->loop, p.agent[0], hsd__monitor_hostkey(m), on_signer_ended, w, &w->signer);
	if (r == 0)
		r = hsd_regrpc_serve(&m->loop, p.registry[0], m->pool, on_registry_ended, w, &w->registry) != 0;
	else
		close(p.registry[0]);
	if (r == 0 && uv_poll_init(&m->loop, &w->ctl_poll, w->ctl_fd) == 0) {
		w->ctl_poll.data = w;
		w->ctl_open = 1;
		r = uv_poll_start(&w->ctl_poll, UV_READABLE | UV_DISCONNECT, on_ctl);
	} else {
		r = -1;
	}
	if (r != 0) {
		hsd__monitor_drop_worker(w, "cannot watch its sockets");
		return 0; /* its end is reported as any worker's */
	}
	hsd_log(HSD_LOG_INFO, "worker %u started (pid %d%s%s)", id, (int)pid, m->as_root ? ", user " : "",
	        m->as_root ? m->worker_account.name : "");
	return 0;
}

void hsd__monitor_signal_workers(struct monitor *m, int sig, int all)
{
	struct hs_list_node *n;
	HS_LIST_FOREACH(n, &m->workers)
	{
		struct mworker *w = MWORKER_OF(n);
		if (w->pid > 0 && (all || !w->retiring))
			(void)kill(w->pid, sig);
	}
}

void hsd__monitor_retire_old(struct monitor *m)
{
	struct hs_list_node *n;
	int newest = 1;
	HS_LIST_FOREACH(n, &m->workers) /* newest first */
	{
		struct mworker *w = MWORKER_OF(n);
		if (newest) {
			newest = 0;
			continue;
		}
		if (w->pid > 0 && !w->retiring) {
			w->retiring = 1;
			(void)kill(w->pid, SIGUSR1);
			hsd_log(HSD_LOG_INFO, "worker %u (pid %d) retired: it ends with its last connection", w->id,
			        (int)w->pid);
		}
	}
}
