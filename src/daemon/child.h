/*
 * hostsd program — starting a child process under a given account, for
 * the monitor (subsystem children, network workers). fork(), then in the
 * child only async-signal-safe calls (the monitor has threads): signals
 * back to their defaults, its own session if asked, the descriptors it is
 * given as 0, 1, 2, 3, ... and no other, its umask and limits,
 * the account's groups and ids, its directory (entered as the account),
 * then execve. What fails in the child is
 * told to the parent through a pipe, so the caller gets a sentence rather
 * than a child that is gone at once.
 *
 * The child is not reaped here when it starts: watch it (reaper.h) right
 * after hsd_child_spawn returns, before the loop runs again.
 */
#ifndef HSD_CHILD_H
#define HSD_CHILD_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "daemon/account.h"

/* The most descriptors a child is given beyond 0, 1, 2. */
#define HSD_CHILD_PASS_MAX 64

/* Limits of the child (setrlimit, soft and hard both: the child cannot
 * raise them again); 0 leaves one as inherited. */
struct hsd_child_limits {
	uint64_t processes;    /* RLIMIT_NPROC: processes of the account, counted by the kernel */
	uint64_t open_files;   /* RLIMIT_NOFILE */
	uint64_t cpu_seconds;  /* RLIMIT_CPU */
	uint64_t memory_bytes; /* RLIMIT_AS */
};

struct hsd_child_spec {
	const char *path;                  /* execve's */
	char *const *argv;                 /* argv[0] first, NULL last */
	char *const *envp;                 /* the whole environment, NULL last; NULL: an empty one */
	int stdio[3];                      /* become 0, 1, 2 (still open in the parent after); -1: /dev/null */
	const int *pass;                   /* further descriptors, given to the child as 3, 4, ... in this order */
	size_t npass;                      /* at most HSD_CHILD_PASS_MAX */
	const struct hsd_account *account; /* switch to it (setgroups, setgid, setuid); NULL: stay */
	int drop_bounding_caps;            /* as root: drop every capability from the bounding set */
	int no_new_privs;                  /* PR_SET_NO_NEW_PRIVS: no set-user-id program gains anything */
	const char *dir;                   /* chdir, as the account; NULL: "/" */
	int set_umask;
	mode_t umask;
	const struct hsd_child_limits *limits; /* NULL: inherited */
	int new_session;                       /* setsid: its own session and process group */
};

/* Start the child described by spec. Every other descriptor of ours is
 * closed in the child, whatever its close-on-exec flag. An account needs
 * root, unless it is our own uid and gid (then nothing is switched); after
 * the switch the child checks that it cannot become root again and has the
 * account's ids, and ends otherwise.
 *
 * Returns 0 with the child's pid in *pid once it runs path (its execve
 * succeeded), or -1 with a sentence in err such as
 *   cannot start /bin/sh as nobody: setuid(65534): Operation not permitted
 *   cannot start /nonexistent: execve: No such file or directory
 * (a child that failed has been reaped then). The descriptors of spec stay
 * the caller's. */
int hsd_child_spawn(const struct hsd_child_spec *spec, pid_t *pid, char *err, size_t errlen);

#endif
