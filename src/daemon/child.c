/*
 * hostsd program — child processes started under an account (see
 * child.h). Everything that may allocate or take a lock (the account's
 * look-up, /dev/null, the capability count, messages) happens in the
 * parent before fork(); the child runs straight-line system calls and,
 * when one fails, writes which one and its errno to a close-on-exec pipe
 * that the parent reads: end of file there means execve succeeded.
 */
#include "daemon/child.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* What failed in the child, for the parent's sentence. */
enum step {
	STEP_SETSID,
	STEP_DUP,
	STEP_CLOSE,
	STEP_CHDIR,
	STEP_RLIMIT_NPROC,
	STEP_RLIMIT_NOFILE,
	STEP_RLIMIT_CPU,
	STEP_RLIMIT_AS,
	STEP_NO_NEW_PRIVS,
	STEP_CAPBSET,
	STEP_SETGROUPS,
	STEP_SETGID,
	STEP_SETUID,
	STEP_REGAIN_ROOT,
	STEP_IDS,
	STEP_EXEC
};

struct report {
	int step;
	int err;
};

/* What the child needs, made ready by the parent. */
struct prep {
	const struct hsd_child_spec *spec;
	int src[3 + HSD_CHILD_PASS_MAX]; /* the descriptor each of 0, 1, 2, 3, ... comes from */
	int n;                           /* how many: 3 + npass */
	int errfd;                       /* the pipe's write end */
	int switch_ids;
	int cap_last; /* the highest capability to drop; -1: none */
	char *const *envp;
};

static __attribute__((noreturn)) void child_fail(int errfd, enum step step, int e)
{
	struct report r = { .step = (int)step, .err = e };
	ssize_t n;
	do
		n = write(errfd, &r, sizeof r);
	while (n < 0 && errno == EINTR);
	_exit(127);
}

/* Close every descriptor from first up but keep: close_range(2), else one
 * by one up to the limit of open files. */
static int close_from(int first, int keep)
{
	struct rlimit rl;
#ifdef SYS_close_range
	int ok = 1;
	if (keep > first && syscall(SYS_close_range, (unsigned)first, (unsigned)keep - 1, 0u) != 0)
		ok = 0;
	if (ok && syscall(SYS_close_range, (unsigned)keep + 1, ~0u, 0u) == 0)
		return 0;
#endif
	long max = 65536;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_max != RLIM_INFINITY && rl.rlim_max < (rlim_t)max)
		max = (long)rl.rlim_max;
	for (long fd = first; fd < max; fd++)
		if (fd != keep)
			(void)close((int)fd);
	return 0;
}

static void set_limit(int errfd, int resource, uint64_t value, enum step step)
{
	if (value == 0)
		return;
	struct rlimit rl = { .rlim_cur = (rlim_t)value, .rlim_max = (rlim_t)value };
	if (setrlimit(resource, &rl) != 0)
		child_fail(errfd, step, errno);
}

/* In the child: every source (and our pipe) that sits where a target
 * will go is first moved above the targets, so that placing one cannot
 * overwrite another; then each is placed (dup2 clears close-on-exec) and
 * every other descriptor is closed. The pipe's descriptor now. */
static int place_fds(struct prep *p)
{
	int errfd = p->errfd;
	for (int i = 0; i < p->n; i++) {
		if (p->src[i] >= p->n)
			continue;
		int old = p->src[i], moved = fcntl(old, F_DUPFD_CLOEXEC, p->n);
		if (moved < 0)
			child_fail(errfd, STEP_DUP, errno);
		for (int k = i; k < p->n; k++) /* the same source may serve several targets */
			if (p->src[k] == old)
				p->src[k] = moved;
	}
	if (errfd < p->n) {
		int moved = fcntl(errfd, F_DUPFD_CLOEXEC, p->n);
		if (moved < 0)
			child_fail(errfd, STEP_DUP, errno);
		errfd = moved;
	}
	for (int i = 0; i < p->n; i++)
		if (dup2(p->src[i], i) < 0)
			child_fail(errfd, STEP_DUP, errno);
	if (close_from(p->n, errfd) != 0)
		child_fail(errfd, STEP_CLOSE, errno);
	return errfd;
}

/* In the child: the account's groups and ids, for good. */
static void switch_ids(int errfd, const struct hsd_account *a)
{
	if (setgroups(a->ngroups, a->groups) != 0)
		child_fail(errfd, STEP_SETGROUPS, errno);
	if (setgid(a->gid) != 0)
		child_fail(errfd, STEP_SETGID, errno);
	if (setuid(a->uid) != 0)
		child_fail(errfd, STEP_SETUID, errno);
	/* no way back to root, and every id the account's (real, effective;
	 * the saved ones follow setuid and setgid as root) */
	if (a->uid != 0 && setuid(0) == 0)
		child_fail(errfd, STEP_REGAIN_ROOT, 0);
	if (getuid() != a->uid || geteuid() != a->uid || getgid() != a->gid || getegid() != a->gid)
		child_fail(errfd, STEP_IDS, 0);
}

/* In the child: async-signal-safe calls only. */
static __attribute__((noreturn)) void child_main(struct prep *p)
{
	const struct hsd_child_spec *spec = p->spec;
	struct sigaction dfl;
	sigset_t none;

	/* signals: every disposition back to the default (the parent's
	 * handlers must not run here), then none blocked (the parent blocked
	 * them all around fork) */
	memset(&dfl, 0, sizeof dfl);
	dfl.sa_handler = SIG_DFL;
	for (int sig = 1; sig < NSIG; sig++)
		(void)sigaction(sig, &dfl, NULL); /* fails for KILL, STOP and libc's own: fine */
	sigemptyset(&none);
	(void)sigprocmask(SIG_SETMASK, &none, NULL);

	if (spec->new_session && setsid() < 0)
		child_fail(p->errfd, STEP_SETSID, errno);
	int errfd = place_fds(p);
	if (spec->set_umask)
		(void)umask(spec->umask & 0777);
	if (spec->limits != NULL) {
		set_limit(errfd, RLIMIT_NPROC, spec->limits->processes, STEP_RLIMIT_NPROC);
		set_limit(errfd, RLIMIT_NOFILE, spec->limits->open_files, STEP_RLIMIT_NOFILE);
		set_limit(errfd, RLIMIT_CPU, spec->limits->cpu_seconds, STEP_RLIMIT_CPU);
		set_limit(errfd, RLIMIT_AS, spec->limits->memory_bytes, STEP_RLIMIT_AS);
	}
	if (spec->no_new_privs && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
		child_fail(errfd, STEP_NO_NEW_PRIVS, errno);
	/* before setuid: dropping needs CAP_SETPCAP */
	for (int cap = 0; cap <= p->cap_last; cap++)
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0 && errno != EINVAL)
			child_fail(errfd, STEP_CAPBSET, errno);
	if (p->switch_ids)
		switch_ids(errfd, spec->account);
	/* after the switch: a directory the account may not enter is an
	 * error now, not a working directory it cannot use */
	if (chdir(spec->dir != NULL ? spec->dir : "/") != 0)
		child_fail(errfd, STEP_CHDIR, errno);
	execve(spec->path, spec->argv, p->envp);
	child_fail(errfd, STEP_EXEC, errno);
}

/* The highest capability the kernel knows, for dropping them all. */
static int cap_last_cap(void)
{
	char buf[16];
	int last = CAP_LAST_CAP;
	int fd = open("/proc/sys/kernel/cap_last_cap", O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		ssize_t n = read(fd, buf, sizeof buf - 1);
		if (n > 0) {
			int v = 0, digits = 0;
			for (ssize_t i = 0; i < n && buf[i] >= '0' && buf[i] <= '9'; i++, digits++)
				v = v * 10 + (buf[i] - '0');
			if (digits > 0 && v < 256)
				last = v;
		}
		close(fd);
	}
	return last;
}

/* The parent's sentence for what failed in the child. */
static void describe(const struct hsd_child_spec *spec, const struct report *r, const char *who, char *err,
                     size_t errlen)
{
	static const struct hsd_account no_account;
	static const struct hsd_child_limits no_limits;
	char what[160];
	/* the steps that fail only with an account or limits have them */
	const struct hsd_account *a = spec->account != NULL ? spec->account : &no_account;
	const struct hsd_child_limits *l = spec->limits != NULL ? spec->limits : &no_limits;
	switch ((enum step)r->step) {
	case STEP_SETSID:
		snprintf(what, sizeof what, "setsid");
		break;
	case STEP_DUP:
		snprintf(what, sizeof what, "placing its descriptors");
		break;
	case STEP_CLOSE:
		snprintf(what, sizeof what, "closing the other descriptors");
		break;
	case STEP_CHDIR:
		snprintf(what, sizeof what, "chdir(%s)", spec->dir != NULL ? spec->dir : "/");
		break;
	case STEP_RLIMIT_NPROC:
		snprintf(what, sizeof what, "setrlimit(RLIMIT_NPROC, %llu)", (unsigned long long)l->processes);
		break;
	case STEP_RLIMIT_NOFILE:
		snprintf(what, sizeof what, "setrlimit(RLIMIT_NOFILE, %llu)", (unsigned long long)l->open_files);
		break;
	case STEP_RLIMIT_CPU:
		snprintf(what, sizeof what, "setrlimit(RLIMIT_CPU, %llu)", (unsigned long long)l->cpu_seconds);
		break;
	case STEP_RLIMIT_AS:
		snprintf(what, sizeof what, "setrlimit(RLIMIT_AS, %llu)", (unsigned long long)l->memory_bytes);
		break;
	case STEP_NO_NEW_PRIVS:
		snprintf(what, sizeof what, "prctl(PR_SET_NO_NEW_PRIVS)");
		break;
	case STEP_CAPBSET:
		snprintf(what, sizeof what, "prctl(PR_CAPBSET_DROP)");
		break;
	case STEP_SETGROUPS:
		snprintf(what, sizeof what, "setgroups(%zu groups)", a->ngroups);
		break;
	case STEP_SETGID:
		snprintf(what, sizeof what, "setgid(%lu)", (unsigned long)a->gid);
		break;
	case STEP_SETUID:
		snprintf(what, sizeof what, "setuid(%lu)", (unsigned long)a->uid);
		break;
	case STEP_REGAIN_ROOT:
		snprintf(err, errlen, "cannot start %s%s: after setuid(%lu) it could still become root; stopped",
		         spec->path, who, (unsigned long)a->uid);
		return;
	case STEP_IDS:
		snprintf(err, errlen, "cannot start %s%s: after the switch its ids are not %lu:%lu; stopped",
		         spec->path, who, (unsigned long)a->uid, (unsigned long)a->gid);
		return;
	case STEP_EXEC:
		snprintf(what, sizeof what, "execve");
		break;
	default:
		snprintf(what, sizeof what, "step %d", r->step);
		break;
	}
	snprintf(err, errlen, "cannot start %s%s: %s: %s", spec->path, who, what, strerror(r->err));
}

static int check_spec(const struct hsd_child_spec *spec, const char *who, char *err, size_t errlen)
{
	if (spec->path == NULL || spec->argv == NULL || spec->argv[0] == NULL) {
		snprintf(err, errlen, "cannot start a child: no program or no argv[0]");
		return -1;
	}
	if (spec->npass > HSD_CHILD_PASS_MAX || (spec->npass > 0 && spec->pass == NULL)) {
		snprintf(err, errlen, "cannot start %s%s: at most %d descriptors may be passed", spec->path, who,
		         HSD_CHILD_PASS_MAX);
		return -1;
	}
	for (size_t i = 0; i < 3; i++)
		if (spec->stdio[i] < -1) {
			snprintf(err, errlen, "cannot start %s%s: bad descriptor %d for %zu", spec->path, who,
			         spec->stdio[i], i);
			return -1;
		}
	for (size_t i = 0; i < spec->npass; i++)
		if (spec->pass[i] < 0) {
			snprintf(err, errlen, "cannot start %s%s: bad descriptor %d to pass", spec->path, who,
			         spec->pass[i]);
			return -1;
		}
	if (spec->account != NULL && (spec->account->groups == NULL || spec->account->ngroups == 0)) {
		snprintf(err, errlen, "cannot start %s%s: the account was not resolved", spec->path, who);
		return -1;
	}
	return 0;
}

int hsd_child_spawn(const struct hsd_child_spec *spec, pid_t *pid, char *err, size_t errlen)
{
	static char *const no_env[] = { NULL };
	struct prep p;
	struct report rep;
	char who[HSD_ACCOUNT_NAME_MAX + 8] = "";
	int devnull = -1, pipefd[2] = { -1, -1 }, r = -1;
	sigset_t all, old;

	*pid = -1;
	if (spec->account != NULL)
		snprintf(who, sizeof who, " as %s", spec->account->name);
	if (check_spec(spec, who, err, errlen) != 0)
		return -1;
	memset(&p, 0, sizeof p);
	p.spec = spec;
	p.envp = spec->envp != NULL ? spec->envp : no_env;
	p.cap_last = -1;
	int root = geteuid() == 0;
	if (spec->account != NULL) {
		if (root) {
			p.switch_ids = 1;
		} else if (spec->account->uid != geteuid() || spec->account->gid != getegid()) {
			snprintf(err, errlen,
			         "cannot start %s%s: only root can start a process as another account (this "
			         "process runs as uid %lu, gid %lu)",
			         spec->path, who, (unsigned long)geteuid(), (unsigned long)getegid());
			return -1;
		}
	}
	if (spec->drop_bounding_caps && root)
		p.cap_last = cap_last_cap();

	p.n = 3 + (int)spec->npass;
	for (int i = 0; i < 3; i++) {
		if (spec->stdio[i] < 0 && devnull < 0 &&
		    (devnull = open("/dev/null", O_RDWR | O_CLOEXEC | O_NOCTTY)) < 0) {
			snprintf(err, errlen, "cannot start %s%s: /dev/null: %s", spec->path, who, strerror(errno));
			goto out;
		}
		p.src[i] = spec->stdio[i] >= 0 ? spec->stdio[i] : devnull;
	}
	for (size_t i = 0; i < spec->npass; i++)
		p.src[3 + i] = spec->pass[i];
	/* close-on-exec from the start (pipe2, which the headers give only
	 * with _GNU_SOURCE), or a fork on another thread would keep the write
	 * end open and the read below would wait for that child too */
	if (syscall(SYS_pipe2, pipefd, O_CLOEXEC) != 0) {
		snprintf(err, errlen, "cannot start %s%s: pipe: %s", spec->path, who, strerror(errno));
		goto out;
	}
	p.errfd = pipefd[1];

	/* no handler of ours may run in the child before it resets them */
	sigfillset(&all);
	if (pthread_sigmask(SIG_SETMASK, &all, &old) != 0) {
		snprintf(err, errlen, "cannot start %s%s: cannot block signals", spec->path, who);
		goto out;
	}
	pid_t child = fork();
	if (child == 0)
		child_main(&p);
	int fork_errno = errno;
	(void)pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (child < 0) {
		snprintf(err, errlen, "cannot start %s%s: fork: %s", spec->path, who, strerror(fork_errno));
		goto out;
	}
	close(pipefd[1]);
	pipefd[1] = -1;

	/* end of file: the pipe was closed by a successful execve */
	size_t got = 0;
	while (got < sizeof rep) {
		ssize_t n = read(pipefd[0], (char *)&rep + got, sizeof rep - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	if (got == 0) {
		*pid = child;
		r = 0;
		goto out;
	}
	/* it failed and ends at once: reap it here (ECHILD if a reaper did) */
	while (waitpid(child, NULL, 0) < 0 && errno == EINTR)
		;
	if (got == sizeof rep)
		describe(spec, &rep, who, err, errlen);
	else
		snprintf(err, errlen, "cannot start %s%s: the child failed without saying why", spec->path, who);
out:
	if (devnull >= 0)
		close(devnull);
	if (pipefd[0] >= 0)
		close(pipefd[0]);
	if (pipefd[1] >= 0)
		close(pipefd[1]);
	return r;
}
