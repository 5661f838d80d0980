/*
 * hostsd program — what `hostsd serve` does to its own process before it
 * serves: close the descriptors it inherited (so that no subsystem child
 * ever sees the launcher's), raise its limit of open files, and hold a
 * locked pid file.
 */
#ifndef HSD_PROCESS_H
#define HSD_PROCESS_H

#include <stddef.h>

/* Close every descriptor from 3 up: call it first, before anything is
 * opened (close_range(2), else each one listed in /proc/self/fd, else
 * every number up to the limit of open files). Returns how many were
 * closed where that is known (0 through close_range), or -1 when none of
 * the ways worked. */
int hsd_close_inherited_fds(void);

/* Raise the soft limit of open files to the hard one (each session holds
 * a few descriptors; the common soft limit of 1024 gives out at about 250
 * sessions). *before and *after get the soft limit before and after (equal
 * when it could not be raised). Returns 0, or -1 with errno. */
int hsd_raise_nofile_limit(unsigned long long *before, unsigned long long *after);

/* A pid file held for the life of the process. */
struct hsd_pidfile {
	int fd;     /* -1: none */
	char *path; /* malloc'd */
};

/* Open or create path (mode 0644) without following a symbolic link,
 * refusing anything but a regular file; take a write lock on it (fcntl
 * F_SETLK, released when the process ends), which fails when another
 * process holds it ("the pid file PATH is in use by another hostsd serve
 * (pid N)"); then write our pid into it. Returns 0, or -1 with a sentence
 * naming path in err (pf is then empty). */
int hsd_pidfile_open(const char *path, struct hsd_pidfile *pf, char *err, size_t errlen);

/* Remove the file (ours while we hold the lock) and close it. pf may be
 * empty (fd -1). */
void hsd_pidfile_release(struct hsd_pidfile *pf);

#endif
