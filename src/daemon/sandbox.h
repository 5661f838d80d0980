/*
 * hostsd program — the sandbox a network worker of `hostsd serve` enters
 * once, after its start-up (loop, listening sockets, monitor channels,
 * OpenSSL all set up) and before it serves: no new privileges, no
 * capabilities, no filesystem (Landlock, where the kernel has it) and a
 * seccomp-bpf allow-list of the system calls such a worker makes (the
 * list, grouped with the reasons, opens sandbox.c).
 *
 * A call outside the list kills the whole process (SCMP_ACT_KILL_PROCESS;
 * SCMP_ACT_KILL, the thread, on kernels before 4.14): its parent sees it
 * end by SIGSYS (WIFSIGNALED, WTERMSIG == SIGSYS), which the monitor logs.
 * Nothing of the worker's runs after such a call, so no half-done work can
 * follow a refused one.
 *
 * Linux only; everything here is per process and is never undone.
 */
#ifndef HSD_SANDBOX_H
#define HSD_SANDBOX_H

#include <stddef.h>

/* What a worker passes to hsd_sandbox_enter(). */
struct hsd_sandbox_opts {
	/* nonzero: a refused call raises SIGSYS (SCMP_ACT_TRAP) instead, whose
	 * handler writes "sandbox: system call N (name) refused" to stderr
	 * and ends the process with _exit(HSD_SANDBOX_TRAP_STATUS): for
	 * finding what an incomplete list lacks, not for production (the
	 * process could block SIGSYS and go on) */
	int trap;
};

/* The exit status of a process ended by the trap handler (128 + SIGSYS,
 * as a shell reports a death by SIGSYS). */
#define HSD_SANDBOX_TRAP_STATUS 159

/* What hsd_sandbox_enter() put in place, or (hsd_sandbox_supported()) what
 * the kernel offers. */
struct hsd_sandbox_status {
	int no_new_privs;     /* 1: PR_SET_NO_NEW_PRIVS is set */
	int caps_dropped;     /* 1: no capability left in any set */
	int bounding_dropped; /* 1: the bounding set emptied too (we had CAP_SETPCAP) */
	int seccomp;          /* 1: the allow-list is loaded (supported: the kernel filters) */
	int seccomp_calls;    /* how many system calls the list allows */
	int landlock_abi;     /* the kernel's Landlock ABI version; 0: none (or disabled) */
	int landlock;         /* 1: filesystem access restricted by Landlock */
};

/* Enter the sandbox: (a) PR_SET_NO_NEW_PRIVS; (b) every capability
 * dropped: the ambient set cleared, the bounding set emptied when we hold
 * CAP_SETPCAP (securebits locked as well then, so that uid 0 gains nothing
 * back), effective, permitted and inheritable emptied with capset(2);
 * (c) where the kernel has Landlock, every filesystem access handled and
 * none granted (ABI 4 on: no TCP bind or connect either; ABI 6 on: no
 * signals or abstract Unix sockets out of the process); no Landlock is not
 * an error, status->landlock tells; (d) the seccomp allow-list, applied to
 * every thread (TSYNC). OpenSSL's configuration is loaded first, since
 * the sandbox forbids reading it later.
 *
 * Call it once, before the first thread is made (libuv's pool starts at
 * the first uv_queue_work: capabilities and Landlock are per thread), and
 * after everything that opens a file, execs, forks, makes, binds or
 * connects a socket, or starts listening. status (may be NULL) gets what
 * is in place. Returns 0, or -1 with a sentence in err; after a failure
 * the process may be partly restricted and should end. */
int hsd_sandbox_enter(const struct hsd_sandbox_opts *opts, struct hsd_sandbox_status *status, char *err, size_t errlen);

/* What this kernel offers, without changing anything: st->seccomp (seccomp
 * filters can be loaded), st->landlock_abi and st->seccomp_calls (the size
 * of the list that would be loaded here); the other fields 0. Returns 1
 * when seccomp filtering is available (the sandbox can be entered), else 0. */
int hsd_sandbox_supported(struct hsd_sandbox_status *st);

/* A line for the log, e.g. "sandbox: no_new_privs, capabilities dropped,
 * seccomp allow-list of 68 calls, landlock ABI 3" (or "..., no landlock").
 * Returns out. */
const char *hsd_sandbox_describe(const struct hsd_sandbox_status *st, char *out, size_t outlen);

#ifdef HS_TEST_HOOKS
/* Test builds only: try a forbidden thing, as an integration test asks a
 * worker to: what "exec" runs execve(path) (no arguments but the path, an
 * empty environment), "open" opens path read-only (closed again at once).
 * Inside the sandbox the process is usually killed there. Returns -1 with
 * errno when the call failed (or what is unknown: EINVAL), 0 when open
 * succeeded (outside a sandbox). */
int hsd_sandbox_probe(const char *what, const char *path);
#endif

#endif
