/*
 * hostsd program — the subsystem children the workers ask the monitor for
 * (see monitor_priv.h and ctl_msg.h).
 *
 * A worker asks for a subsystem by name for an authenticated host; the
 * monitor starts the configured command (`/bin/sh -c COMMAND`) under the
 * subsystem's account (subsystem_user), in its own session and process
 * group, with a fresh environment, only its three socket pairs as
 * descriptors, subsystem_directory as working directory, subsystem_umask
 * and the subsystem_max_* limits, and passes the other ends of the socket
 * pairs to the worker. It reaps the child and tells the worker how it
 * ended. A worker may signal (TERM, KILL) only children it asked for;
 * when a worker is gone, its children get SIGTERM and, after the grace,
 * SIGKILL.
 *
 * A worker's message that is malformed, or names a child that is not its
 * own, is not trusted: the worker is killed (and replaced).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "daemon/child.h"
#include "daemon/ctl_msg.h"
#include "daemon/fdpass.h"
#include "daemon/log.h"
#include "daemon/monitor_priv.h"
#include "daemon/subsystem.h"
#include "daemon/subsystem_accounts.h"

#define ENV_COUNT 9

static struct mchild *find_child(struct monitor *m, const struct mworker *w, uint32_t id)
{
	struct hs_list_node *n;
	HS_LIST_FOREACH(n, &m->children)
	{
		struct mchild *c = MCHILD_OF(n);
		if (c->w == w && c->id == id)
			return c;
	}
	return NULL;
}

static int send_msg(struct mworker *w, const struct hsd_ctl_msg *msg, const int *fds, size_t nfds)
{
	struct hs_buf b;
	int r = -1;
	hs__buf_init(&b, HSD_CTL_MAX, 0);
	if (w->ctl_fd >= 0 && hsd_ctl_encode(msg, &b) == 0 &&
	    hsd_fdpass_send(w->ctl_fd, hs__buf_ptr(&b), hs__buf_len(&b), fds, nfds) == 0)
		r = 0;
	hs__buf_cleanup(&b);
	return r;
}

static void refuse(struct mworker *w, uint32_t id, const char *reason)
{
	struct hsd_ctl_msg msg = { .type = HSD_CTL_FAILED, .id = id };
	hsd_text_sanitize(msg.reason, sizeof msg.reason, reason);
	if (send_msg(w, &msg, NULL, 0) != 0)
		hsd__monitor_drop_worker(w, "its control socket is full or broken");
}

static void child_exited(void *data, pid_t pid, int64_t exit_status, int term_signal)
{
	struct mchild *c = data;
	struct mworker *w = c->w;
	(void)pid;
	hs__list_remove(&c->link);
	if (w != NULL) {
		struct hsd_ctl_msg msg = { .type = HSD_CTL_EXITED, .id = c->id };
		msg.exit_status = term_signal != 0 ? -1 : exit_status;
		msg.term_signal = term_signal > 0 && term_signal < 128 ? (uint32_t)term_signal : 0;
		w->children--;
		if (send_msg(w, &msg, NULL, 0) != 0 && w->pid > 0)
			hsd__monitor_drop_worker(w, "its control socket is full or broken");
	}
	struct monitor *m = c->m;
	free(c);
	hsd__monitor_maybe_finish(m);
}

/* The child's environment: who it serves, and nothing of ours but PATH. */
static int child_env(char *env[ENV_COUNT + 1], const struct monitor *m, const struct hsd_ctl_msg *msg,
                     const struct hsd_account *acct)
{
	const char *user = acct != NULL ? acct->name : "";
	const char *vals[ENV_COUNT][2] = {
		{ "PATH", m->path_env },
		{ "HOSTSD_PEER", msg->host },
		{ "HOSTSD_PEER_KEY", msg->key_fp },
		{ "HOSTSD_PEER_ADDR", msg->peer },
		{ "HOSTSD_SUBSYSTEM", msg->subsystem },
		{ "LANG", "C" },
		{ "HOME", "/" },
		{ "USER", user },
		{ "LOGNAME", user },
	};
	size_t n = 0;
	memset(env, 0, sizeof(char *) * (ENV_COUNT + 1));
	for (size_t i = 0; i < ENV_COUNT; i++) {
		if (vals[i][1][0] == '\0' && i >= 7)
			continue; /* no account switched to: no USER */
		size_t len = strlen(vals[i][0]) + strlen(vals[i][1]) + 2;
		if ((env[n] = malloc(len)) == NULL)
			return -1;
		snprintf(env[n], len, "%s=%s", vals[i][0], vals[i][1]);
		n++;
	}
	return 0;
}

static void free_env(char **env)
{
	for (size_t i = 0; env[i] != NULL; i++)
		free(env[i]);
}

/* Start the child; 0 with *pid and the worker's ends in ours[3], or -1
 * with a sentence in err. */
static int start_child(struct monitor *m, const struct hsd_ctl_msg *msg, const char *command, pid_t *pid, int ours[3],
                       char *err, size_t errlen)
{
	int pairs[3][2] = { { -1, -1 }, { -1, -1 }, { -1, -1 } };
	char *env[ENV_COUNT + 1] = { NULL };
	struct hsd_account acct;
	int have_acct = 0, r = -1;
	memset(&acct, 0, sizeof acct);
	if (m->as_root) {
		if (hsd_subsystem_account_resolve(&m->set, msg->subsystem, &acct, err, errlen) != 0)
			goto out;
		have_acct = 1;
	}
	for (int i = 0; i < 3; i++) {
		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pairs[i]) != 0) {
			snprintf(err, errlen, "cannot make its pipes: %s", strerror(errno));
			goto out;
		}
	}
	if (child_env(env, m, msg, have_acct ? &acct : NULL) != 0) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	char *cmd;
	memcpy(&cmd, &command, sizeof cmd); /* execve's argv is not const, but is only read */
	char *argv[] = { "sh", "-c", cmd, NULL };
	struct hsd_child_spec spec = {
		.path = "/bin/sh",
		.argv = argv,
		.envp = env,
		.stdio = { pairs[0][1], pairs[1][1], pairs[2][1] },
		.account = have_acct ? &acct : NULL,
		.drop_bounding_caps = m->as_root,
		.dir = m->set.subsystem_directory,
		.set_umask = 1,
		.umask = m->set.subsystem_umask,
		.limits = &m->set.subsystem_limits,
		.new_session = 1,
	};
	if (hsd_child_spawn(&spec, pid, err, errlen) != 0)
		goto out;
	for (int i = 0; i < 3; i++) {
		ours[i] = pairs[i][0];
		pairs[i][0] = -1;
	}
	r = 0;
out:
	for (int i = 0; i < 3; i++)
		hsd_fdpass_close(pairs[i], 2);
	free_env(env);
	if (have_acct)
		hsd_account_clear(&acct);
	return r;
}

static void spawn(struct mworker *w, const struct hsd_ctl_msg *msg)
{
	struct monitor *m = w->m;
	char err[256];
	int ours[3] = { -1, -1, -1 };
	pid_t pid;
	if (find_child(m, w, msg->id) != NULL) {
		hsd__monitor_drop_worker(w, "it asked twice for one child");
		return;
	}
	const char *command = hsd_subsystems_get(&m->set.subsystems, msg->subsystem);
	if (command == NULL) {
		char why[HSD_CTL_REASON_MAX];
		snprintf(why, sizeof why, "subsystem %s is not configured", msg->subsystem);
		refuse(w, msg->id, why);
		return;
	}
	if (w->children >= HSD_MAX_CHILDREN_PER_WORKER) {
		hsd_log(HSD_LOG_WARNING, "worker %u has %u subsystem children: refusing more", w->id, w->children);
		refuse(w, msg->id, "too many subsystem children");
		return;
	}
	struct mchild *c = calloc(1, sizeof(*c));
	if (c == NULL) {
		refuse(w, msg->id, "out of memory");
		return;
	}
	if (start_child(m, msg, command, &pid, ours, err, sizeof err) != 0) {
		free(c);
		refuse(w, msg->id, err);
		return;
	}
	c->m = m;
	c->w = w;
	c->id = msg->id;
	c->pid = pid;
	hs__list_insert_head(&m->children, &c->link);
	w->children++;
	if (hsd_reaper_watch(&m->reaper, pid, child_exited, c) != 0)
		hsd_log(HSD_LOG_ERR, "cannot watch subsystem child %d", (int)pid);
	struct hsd_ctl_msg answer = { .type = HSD_CTL_SPAWNED, .id = msg->id, .pid = (int32_t)pid };
	int sent = send_msg(w, &answer, ours, 3);
	hsd_fdpass_close(ours, 3);
	if (sent != 0) { /* the worker will never know it: end it */
		(void)kill(-pid, SIGKILL);
		hsd__monitor_drop_worker(w, "its control socket is full or broken");
	}
}

static void signal_child(struct mworker *w, const struct hsd_ctl_msg *msg)
{
	struct mchild *c = find_child(w->m, w, msg->id);
	if (c == NULL)
		return; /* ended meanwhile: its EXITED is on the way */
	/* its own process group (it leads one); reaped children are not in the
	 * list, so the group cannot be another's */
	if (kill(-c->pid, (int)msg->signo) != 0)
		(void)kill(c->pid, (int)msg->signo);
}

void hsd__monitor_control_readable(struct mworker *w)
{
	uint8_t buf[HSD_CTL_MAX];
	int fds[HSD_FDPASS_MAX];
	size_t nfds;
	while (w->ctl_fd >= 0) {
		ssize_t n = hsd_fdpass_recv(w->ctl_fd, buf, sizeof buf, fds, &nfds);
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (n == 0) {
			/* what a worker does as it ends: its exit is what counts (a
			 * worker that hung up and lives on can ask for nothing) */
			hsd__monitor_cut_worker(w);
			return;
		}
		struct hsd_ctl_msg msg;
		int bad = n < 0 || nfds > 0 || hsd_ctl_decode(buf, (size_t)n, &msg) != 0;
		hsd_fdpass_close(fds, nfds);
		if (bad || (msg.type != HSD_CTL_SPAWN && msg.type != HSD_CTL_SIGNAL)) {
			hsd__monitor_drop_worker(w, "malformed message on its control socket");
			return;
		}
		if (msg.type == HSD_CTL_SPAWN)
			spawn(w, &msg);
		else
			signal_child(w, &msg);
	}
}

static void on_sweep(uv_timer_t *t)
{
	struct monitor *m = t->data;
	struct hs_list_node *n;
	uint64_t now = uv_now(&m->loop), next = 0;
	HS_LIST_FOREACH(n, &m->children)
	{
		struct mchild *c = MCHILD_OF(n);
		if (c->kill_at_ms == 0)
			continue;
		if (c->kill_at_ms <= now) {
			(void)kill(-c->pid, SIGKILL);
			c->kill_at_ms = 0;
		} else if (next == 0 || c->kill_at_ms < next) {
			next = c->kill_at_ms;
		}
	}
	if (next != 0)
		uv_timer_start(&m->sweep, on_sweep, next - now, 0);
}

void hsd__monitor_orphan_children(struct monitor *m, struct mworker *w)
{
	struct hs_list_node *n;
	uint64_t grace = m->set.kill_grace_ms ? m->set.kill_grace_ms : HSD_DEFAULT_KILL_GRACE_MS;
	int any = 0;
	HS_LIST_FOREACH(n, &m->children)
	{
		struct mchild *c = MCHILD_OF(n);
		if (c->w != w)
			continue;
		c->w = NULL;
		c->kill_at_ms = uv_now(&m->loop) + grace;
		(void)kill(-c->pid, SIGTERM);
		any = 1;
	}
	w->children = 0;
	if (any && !m->finished)
		uv_timer_start(&m->sweep, on_sweep, grace, 0);
}
