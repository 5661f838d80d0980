/*
 * hostsd program — the sandbox of a network worker (see sandbox.h): no new
 * privileges, no capabilities, Landlock with nothing granted, and a
 * seccomp-bpf allow-list.
 *
 * The list was taken from what `hostsd serve` calls once it listens (strace
 * -f of tests/integration/test_serve.py) less what only the monitor does
 * (SQLite, spawning subsystems, binding), plus what the worker does that
 * serve does not yet (file descriptors passed over the monitor's socket).
 * It is what a worker needs and no more, in groups:
 *
 *   I/O on descriptors it holds: read, readv, write, writev, close
 *     (the sockets and pipes, the log lines on fd 2).
 *   Sockets it was given: accept4 (the inherited listeners), recvfrom,
 *     sendto, recvmsg, sendmsg (SCM_RIGHTS from the monitor), shutdown,
 *     setsockopt, getsockopt, getsockname, getpeername; fcntl only
 *     F_GETFL, F_SETFL, F_GETFD, F_SETFD; ioctl only FIONBIO and FIOCLEX
 *     (libuv's non-blocking and close-on-exec). Not socket, bind, connect,
 *     listen, socketpair: every socket exists before the sandbox.
 *   The event loop: epoll_wait, epoll_pwait, epoll_pwait2, epoll_ctl,
 *     timerfd_settime, timerfd_gettime (the loop's epoll descriptor,
 *     eventfd, signal pipe and timerfds are made by uv_loop_init and the
 *     worker's start-up, so none of their makers is listed).
 *   Time: clock_gettime, clock_getres, gettimeofday, time (the vDSO's
 *     fallbacks), nanosleep, clock_nanosleep.
 *   Memory: brk, munmap, mremap, madvise; mmap and mprotect without
 *     PROT_EXEC (no new code in the process).
 *   Threads (libuv's pool, started lazily at the first uv_queue_work):
 *     clone only with CLONE_THREAD (a thread, never a process); clone3
 *     fails with ENOSYS, as its flags sit in memory a filter cannot read,
 *     and glibc then falls back to clone; futex, set_robust_list, rseq,
 *     sched_yield, gettid, exit; prlimit64 only to read our own limit
 *     (libuv sizes a thread's stack by RLIMIT_STACK).
 *   Signals: rt_sigaction, rt_sigprocmask, rt_sigreturn, sigaltstack,
 *     restart_syscall (libuv's signal handling), tgkill only to our own
 *     pid (raise, abort), getpid (that, and OpenSSL's fork check).
 *   Randomness: getrandom (OpenSSL reseeds its DRBG).
 *   The end: exit_group.
 *
 * Not on the list, among others: open, openat, stat and every other path
 * call (Landlock refuses them too), execve, execveat, fork, vfork, clone
 * of a process, socket, bind, connect, listen, kill, ptrace, chmod,
 * chown, unlink, mount, setuid and its kin, prctl, seccomp.
 *
 * Under AddressSanitizer (the sanitizer build of scripts/test.sh) the
 * runtime needs one more: see ASAN_RULES below.
 */
#include "daemon/sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/securebits.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <seccomp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#if defined(__SANITIZE_ADDRESS__)
#define HSD_SANDBOX_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define HSD_SANDBOX_ASAN 1
#endif
#endif

/* clone's flags are its first argument, but its second on s390. */
#if defined(__s390__) || defined(__s390x__)
#define CLONE_FLAGS_ARG 1
#else
#define CLONE_FLAGS_ARG 0
#endif

#ifndef CLONE_THREAD
#define CLONE_THREAD 0x00010000
#endif

/* One rule of the list: a system call by its name (skipped where the
 * architecture has no such call), allowed always (arg < 0) or when its
 * argument arg compares with op to a and b. Rules of one call follow one
 * another; libseccomp allows the call when any of them matches. */
struct rule {
	const char *name;
	int arg;
	enum scmp_compare op;
	scmp_datum_t a, b;
	int own_pid; /* 1: b (SCMP_CMP_EQ: a) is our pid, filled in at entry */
};

#define ALLOW(n)                            \
	{                                   \
		n, -1, SCMP_CMP_EQ, 0, 0, 0 \
	}
#define ALLOW_EQ(n, i, v)                                  \
	{                                                  \
		n, i, SCMP_CMP_EQ, (scmp_datum_t)(v), 0, 0 \
	}
#define ALLOW_MASKED(n, i, mask, v)                                                  \
	{                                                                            \
		n, i, SCMP_CMP_MASKED_EQ, (scmp_datum_t)(mask), (scmp_datum_t)(v), 0 \
	}

static const struct rule RULES[] = {
	/* I/O on descriptors it holds */
	ALLOW("read"),
	ALLOW("readv"),
	ALLOW("write"),
	ALLOW("writev"),
	ALLOW("close"),
	/* sockets it was given */
	ALLOW("accept4"),
	ALLOW("recvfrom"),
	ALLOW("sendto"),
	ALLOW("recvmsg"),
	ALLOW("sendmsg"),
	ALLOW("shutdown"),
	ALLOW("setsockopt"),
	ALLOW("getsockopt"),
	ALLOW("getsockname"),
	ALLOW("getpeername"),
	ALLOW_EQ("fcntl", 1, F_GETFL),
	ALLOW_EQ("fcntl", 1, F_SETFL),
	ALLOW_EQ("fcntl", 1, F_GETFD),
	ALLOW_EQ("fcntl", 1, F_SETFD),
	ALLOW_EQ("fcntl64", 1, F_GETFL),
	ALLOW_EQ("fcntl64", 1, F_SETFL),
	ALLOW_EQ("fcntl64", 1, F_GETFD),
	ALLOW_EQ("fcntl64", 1, F_SETFD),
	ALLOW_EQ("ioctl", 1, FIONBIO),
	ALLOW_EQ("ioctl", 1, FIOCLEX),
	/* the event loop */
	ALLOW("epoll_wait"),
	ALLOW("epoll_pwait"),
	ALLOW("epoll_pwait2"),
	ALLOW("epoll_ctl"),
	ALLOW("timerfd_settime"),
	ALLOW("timerfd_gettime"),
	/* time */
	ALLOW("clock_gettime"),
	ALLOW("clock_getres"),
	ALLOW("gettimeofday"),
	ALLOW("time"),
	ALLOW("nanosleep"),
	ALLOW("clock_nanosleep"),
	/* memory: nothing becomes executable */
	ALLOW("brk"),
	ALLOW("munmap"),
	ALLOW("mremap"),
	ALLOW("madvise"),
	ALLOW_MASKED("mmap", 2, PROT_EXEC, 0),
	ALLOW_MASKED("mmap2", 2, PROT_EXEC, 0),
	ALLOW_MASKED("mprotect", 2, PROT_EXEC, 0),
	/* threads, never processes */
	ALLOW_MASKED("clone", CLONE_FLAGS_ARG, CLONE_THREAD, CLONE_THREAD),
	ALLOW("futex"),
	ALLOW("set_robust_list"),
	ALLOW("rseq"),
	ALLOW("sched_yield"),
	ALLOW("gettid"),
	ALLOW("exit"),
	{ "prlimit64", 0, SCMP_CMP_EQ, 0, 0, 0 }, /* pid 0: ourselves; and below: no new limit */
	ALLOW_EQ("getrlimit", 0, RLIMIT_STACK),
	/* signals */
	ALLOW("rt_sigaction"),
	ALLOW("rt_sigprocmask"),
	ALLOW("rt_sigreturn"),
	ALLOW("sigreturn"),
	ALLOW("sigaltstack"),
	ALLOW("restart_syscall"),
	{ "tgkill", 0, SCMP_CMP_EQ, 0, 0, 1 },
	ALLOW("getpid"),
	/* randomness */
	ALLOW("getrandom"),
	/* the end */
	ALLOW("exit_group"),
};

#ifdef HSD_SANDBOX_ASAN
/*
 * ASAN_RULES: what the AddressSanitizer runtime (with UBSan, as
 * scripts/test.sh builds) needs besides the list above, found with
 * opts->trap on the sanitizer build: sched_getaffinity, which its
 * pthread_create interceptor calls (pthread_getattr_np) in every new
 * thread. This build exists only for tests and is never installed.
 *
 * Not allowed even here: what LeakSanitizer's check at exit needs (a
 * clone sharing memory, ptrace, /proc/self/task) and what a report needs
 * (readlink and open of /proc/self, isatty): a sandboxed process of that
 * build ends with _exit(), and a sanitizer finding inside the sandbox
 * shows as a death by SIGSYS rather than as a report.
 */
static const struct rule ASAN_RULES[] = {
	ALLOW("sched_getaffinity"),
};
#endif

/* The names of the system calls by number, for the trap handler (which may
 * not allocate). Filled at entry when opts->trap is set. */
#define TRAP_NAMES 512
#define TRAP_NAME_MAX 28
static char trap_names[TRAP_NAMES][TRAP_NAME_MAX];

/* Decimal digits of v at the end of buf (size >= 12); returns the start. */
static char *fmt_uint(char *end, unsigned v)
{
	*--end = '\0';
	do {
		*--end = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	return end;
}

static void put(char *line, size_t *n, size_t cap, const char *s)
{
	while (*s != '\0' && *n + 1 < cap)
		line[(*n)++] = *s++;
}

/* SIGSYS of opts->trap: name the call and end, async-signal-safe. */
static void on_sigsys(int sig, siginfo_t *si, void *uctx)
{
	char line[128], num[16];
	size_t n = 0;
	int nr = si->si_syscall;
	put(line, &n, sizeof line, "sandbox: system call ");
	put(line, &n, sizeof line, nr < 0 ? "?" : fmt_uint(num + sizeof num, (unsigned)nr));
	put(line, &n, sizeof line, " (");
	put(line, &n, sizeof line, nr >= 0 && nr < TRAP_NAMES && trap_names[nr][0] != '\0' ? trap_names[nr] : "?");
	put(line, &n, sizeof line, ") refused\n");
	ssize_t w = write(STDERR_FILENO, line, n);
	(void)w;
	_exit(HSD_SANDBOX_TRAP_STATUS);
}

static int set_trap(char *err, size_t errlen)
{
	uint32_t arch = seccomp_arch_native();
	for (int nr = 0; nr < TRAP_NAMES; nr++) {
		char *name = seccomp_syscall_resolve_num_arch(arch, nr);
		if (name != NULL) {
			snprintf(trap_names[nr], TRAP_NAME_MAX, "%s", name);
			free(name);
		}
	}
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = on_sigsys;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGSYS);
	if (sigaction(SIGSYS, &sa, NULL) != 0 || sigprocmask(SIG_UNBLOCK, &set, NULL) != 0) {
		snprintf(err, errlen, "cannot install the SIGSYS handler of the trap mode: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/* The number of threads of the process from /proc/self/status; 0 when
 * unknown. */
static long count_threads(void)
{
	char line[256];
	long n = 0;
	FILE *f = fopen("/proc/self/status", "re");
	if (f == NULL)
		return 0;
	while (fgets(line, sizeof line, f) != NULL)
		if (strncmp(line, "Threads:", 8) == 0) {
			n = strtol(line + 8, NULL, 10);
			break;
		}
	fclose(f);
	return n;
}

static int drop_capabilities(struct hsd_sandbox_status *st, char *err, size_t errlen)
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct data[2];
	memset(data, 0, sizeof data);
	if (syscall(SYS_capget, &hdr, data) != 0) {
		snprintf(err, errlen, "cannot read the capabilities: %s", strerror(errno));
		return -1;
	}
	if ((data[0].effective & (1u << CAP_SETPCAP)) != 0) {
		/* uid 0 gains nothing back from an exec or a change of uid */
		unsigned long bits = SECBIT_NOROOT | SECBIT_NOROOT_LOCKED | SECBIT_NO_SETUID_FIXUP |
		                     SECBIT_NO_SETUID_FIXUP_LOCKED | SECBIT_KEEP_CAPS_LOCKED |
		                     SECBIT_NO_CAP_AMBIENT_RAISE | SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED;
		if (prctl(PR_SET_SECUREBITS, bits, 0, 0, 0) != 0) {
			snprintf(err, errlen, "cannot lock the securebits: %s", strerror(errno));
			return -1;
		}
		/* PR_CAPBSET_READ fails (EINVAL) past the kernel's last one */
		for (unsigned long cap = 0; cap < 64; cap++) {
			int r = prctl(PR_CAPBSET_READ, cap, 0, 0, 0);
			if (r < 0)
				break;
			if (r == 1 && prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0) {
				snprintf(err, errlen, "cannot drop capability %lu from the bounding set: %s", cap,
				         strerror(errno));
				return -1;
			}
		}
		st->bounding_dropped = 1;
	}
	/* EINVAL: a kernel before 4.3, without ambient capabilities */
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0 && errno != EINVAL) {
		snprintf(err, errlen, "cannot clear the ambient capabilities: %s", strerror(errno));
		return -1;
	}
	memset(data, 0, sizeof data);
	hdr.pid = 0;
	if (syscall(SYS_capset, &hdr, data) != 0) {
		snprintf(err, errlen, "cannot drop the capabilities: %s", strerror(errno));
		return -1;
	}
	if (syscall(SYS_capget, &hdr, data) != 0 || data[0].effective != 0 || data[0].permitted != 0 ||
	    data[0].inheritable != 0 || data[1].effective != 0 || data[1].permitted != 0 || data[1].inheritable != 0) {
		snprintf(err, errlen, "capabilities are left after dropping them all");
		return -1;
	}
	st->caps_dropped = 1;
	return 0;
}

/* Landlock's ABI, kept here rather than taken from <linux/landlock.h>,
 * which in Debian 12 stops at version 2. */
#define LL_CREATE_RULESET_VERSION (1u << 0)
#define LL_FS_ABI1 ((1ull << 13) - 1) /* execute .. make_sym */
#define LL_FS_REFER (1ull << 13)      /* ABI 2 */
#define LL_FS_TRUNCATE (1ull << 14)   /* ABI 3 */
#define LL_FS_IOCTL_DEV (1ull << 15)  /* ABI 5 */
#define LL_NET_TCP (3ull)             /* ABI 4: bind_tcp, connect_tcp */
#define LL_SCOPE_ALL (3ull)           /* ABI 6: abstract unix sockets, signals */

/* Numbered alike on every architecture (but alpha) since Linux 5.1 */
#ifndef SYS_landlock_create_ruleset
#define SYS_landlock_create_ruleset 444
#endif
#ifndef SYS_landlock_restrict_self
#define SYS_landlock_restrict_self 446
#endif

struct ll_ruleset_attr {
	uint64_t handled_access_fs;
	uint64_t handled_access_net; /* ABI 4 */
	uint64_t scoped;             /* ABI 6 */
};

static int landlock_abi(void)
{
	long abi = syscall(SYS_landlock_create_ruleset, NULL, 0, LL_CREATE_RULESET_VERSION);
	return abi > 0 ? (int)abi : 0;
}

static int enter_landlock(struct hsd_sandbox_status *st, char *err, size_t errlen)
{
	st->landlock_abi = landlock_abi();
	if (st->landlock_abi == 0)
		return 0; /* not built in, or disabled at boot: reported, not an error */
	int abi = st->landlock_abi;
	struct ll_ruleset_attr attr;
	memset(&attr, 0, sizeof attr);
	attr.handled_access_fs = LL_FS_ABI1;
	size_t size = sizeof attr.handled_access_fs;
	if (abi >= 2)
		attr.handled_access_fs |= LL_FS_REFER;
	if (abi >= 3)
		attr.handled_access_fs |= LL_FS_TRUNCATE;
	if (abi >= 4) {
		attr.handled_access_net = LL_NET_TCP;
		size = offsetof(struct ll_ruleset_attr, scoped);
	}
	if (abi >= 5)
		attr.handled_access_fs |= LL_FS_IOCTL_DEV;
	if (abi >= 6) {
		attr.scoped = LL_SCOPE_ALL;
		size = sizeof attr;
	}
	/* every access handled and no rule: none granted */
	int fd = (int)syscall(SYS_landlock_create_ruleset, &attr, size, 0u);
	if (fd < 0) {
		snprintf(err, errlen, "cannot make a Landlock ruleset (ABI %d): %s", abi, strerror(errno));
		return -1;
	}
	long r = syscall(SYS_landlock_restrict_self, fd, 0u);
	int e = errno;
	close(fd);
	if (r != 0) {
		snprintf(err, errlen, "cannot enter the Landlock ruleset (ABI %d): %s", abi, strerror(e));
		return -1;
	}
	st->landlock = 1;
	return 0;
}

/* Add the rules of list; *calls counts the calls that got at least one. */
static int add_rules(scmp_filter_ctx ctx, const struct rule *list, size_t n, int *calls, char *err, size_t errlen)
{
	scmp_datum_t pid = (scmp_datum_t)getpid();
	for (size_t i = 0; i < n; i++) {
		const struct rule *r = &list[i];
		int nr = seccomp_syscall_resolve_name(r->name);
		if (nr < 0)
			continue; /* no such call on this architecture */
		int rc;
		if (r->arg < 0) {
			rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0);
		} else if (strcmp(r->name, "prlimit64") == 0) {
			/* libseccomp's SCMP_A* macros leave fields out, which clang
			 * warns of: the same two comparisons, whole */
			const struct scmp_arg_cmp both[2] = { { 0, SCMP_CMP_EQ, 0, 0 }, { 2, SCMP_CMP_EQ, 0, 0 } };
			rc = seccomp_rule_add_array(ctx, SCMP_ACT_ALLOW, nr, 2, both);
		} else {
			struct scmp_arg_cmp cmp = { (unsigned)r->arg, r->op, r->own_pid ? pid : r->a, r->b };
			rc = seccomp_rule_add_array(ctx, SCMP_ACT_ALLOW, nr, 1, &cmp);
		}
		if (rc != 0) {
			snprintf(err, errlen, "cannot add %s to the seccomp allow-list: %s", r->name, strerror(-rc));
			return -1;
		}
		if (i == 0 || strcmp(list[i - 1].name, r->name) != 0)
			(*calls)++;
	}
	return 0;
}

/* The filter; NULL with err set on failure. */
static scmp_filter_ctx make_filter(int trap, int *calls, char *err, size_t errlen)
{
	uint32_t deny = SCMP_ACT_KILL_PROCESS;
	if (trap)
		deny = SCMP_ACT_TRAP;
	else if (seccomp_api_get() < 3)
		deny = SCMP_ACT_KILL; /* a kernel before 4.14: the thread */
	scmp_filter_ctx ctx = seccomp_init(deny);
	if (ctx == NULL) {
		snprintf(err, errlen, "cannot make a seccomp filter (libseccomp)");
		return NULL;
	}
	*calls = 0;
	int rc = 0, nr = seccomp_syscall_resolve_name("clone3");
	/* threads made before the sandbox get the filter too */
	if ((rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1)) != 0) {
		snprintf(err, errlen, "this kernel cannot apply a seccomp filter to every thread: %s", strerror(-rc));
		goto fail;
	}
	if (add_rules(ctx, RULES, sizeof RULES / sizeof RULES[0], calls, err, errlen) != 0)
		goto fail;
#ifdef HSD_SANDBOX_ASAN
	if (add_rules(ctx, ASAN_RULES, sizeof ASAN_RULES / sizeof ASAN_RULES[0], calls, err, errlen) != 0)
		goto fail;
#endif
	if (nr >= 0 && (rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), nr, 0)) != 0) {
		snprintf(err, errlen, "cannot add clone3 to the seccomp filter: %s", strerror(-rc));
		goto fail;
	}
	return ctx;
fail:
	seccomp_release(ctx);
	return NULL;
}

/* Whether the kernel filters system calls (CONFIG_SECCOMP_FILTER). */
static int seccomp_available(void)
{
	/* EINVAL without CONFIG_SECCOMP; the filter mode is probed by
	 * libseccomp's API level, 1 and up only where filters load */
	return prctl(PR_GET_SECCOMP, 0, 0, 0, 0) >= 0 && seccomp_api_get() >= 1;
}

int hsd_sandbox_supported(struct hsd_sandbox_status *st)
{
	char err[160];
	memset(st, 0, sizeof *st);
	st->seccomp = seccomp_available();
	st->landlock_abi = landlock_abi();
	scmp_filter_ctx ctx = make_filter(0, &st->seccomp_calls, err, sizeof err);
	if (ctx != NULL)
		seccomp_release(ctx);
	return st->seccomp;
}

int hsd_sandbox_enter(const struct hsd_sandbox_opts *opts, struct hsd_sandbox_status *status, char *err, size_t errlen)
{
	struct hsd_sandbox_status st;
	scmp_filter_ctx ctx = NULL;
	int rc;
	memset(&st, 0, sizeof st);
	if (status != NULL)
		memset(status, 0, sizeof *status);
	long threads = count_threads();
	if (threads > 1) {
		snprintf(err, errlen,
		         "the sandbox must be entered before the first thread is made, and this process has %ld",
		         threads);
		return -1;
	}
	if (!seccomp_available()) {
		snprintf(err, errlen, "this kernel has no seccomp filters (CONFIG_SECCOMP_FILTER)");
		return -1;
	}
	/* what the sandbox forbids later: OpenSSL reads its configuration
	 * and seeds its generator now */
	unsigned char seed;
	if (OPENSSL_init_crypto(OPENSSL_INIT_LOAD_CONFIG, NULL) != 1 || RAND_bytes(&seed, 1) != 1) {
		snprintf(err, errlen, "cannot initialise OpenSSL before the sandbox");
		return -1;
	}
	if (opts->trap && set_trap(err, errlen) != 0)
		return -1;
	if ((ctx = make_filter(opts->trap, &st.seccomp_calls, err, errlen)) == NULL)
		return -1;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
		snprintf(err, errlen, "cannot set no_new_privs: %s", strerror(errno));
		goto fail;
	}
	st.no_new_privs = 1;
	if (drop_capabilities(&st, err, errlen) != 0 || enter_landlock(&st, err, errlen) != 0)
		goto fail;
	if ((rc = seccomp_load(ctx)) != 0) {
		snprintf(err, errlen, "cannot load the seccomp filter: %s", strerror(-rc));
		goto fail;
	}
	st.seccomp = 1;
	seccomp_release(ctx);
	if (status != NULL)
		*status = st;
	return 0;
fail:
	seccomp_release(ctx);
	if (status != NULL)
		*status = st;
	return -1;
}

const char *hsd_sandbox_describe(const struct hsd_sandbox_status *st, char *out, size_t outlen)
{
	char landlock[32];
	if (st->landlock)
		snprintf(landlock, sizeof landlock, "landlock ABI %d", st->landlock_abi);
	else
		snprintf(landlock, sizeof landlock, "no landlock");
	char seccomp[48];
	if (st->seccomp)
		snprintf(seccomp, sizeof seccomp, "seccomp allow-list of %d calls", st->seccomp_calls);
	else
		snprintf(seccomp, sizeof seccomp, "no seccomp");
	snprintf(out, outlen, "sandbox: %s, %s, %s, %s", st->no_new_privs ? "no_new_privs" : "no no_new_privs",
	         st->caps_dropped ? "capabilities dropped" : "capabilities kept", seccomp, landlock);
	return out;
}

#ifdef HS_TEST_HOOKS
int hsd_sandbox_probe(const char *what, const char *path)
{
	char file[4096];
	if (what == NULL || path == NULL || snprintf(file, sizeof file, "%s", path) >= (int)sizeof file) {
		errno = EINVAL;
		return -1;
	}
	if (strcmp(what, "exec") == 0) {
		char *argv[] = { file, NULL };
		char *envp[] = { NULL };
		execve(file, argv, envp);
		return -1;
	}
	if (strcmp(what, "open") == 0) {
		int fd = open(file, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return -1;
		close(fd);
		return 0;
	}
	errno = EINVAL;
	return -1;
}
#endif
