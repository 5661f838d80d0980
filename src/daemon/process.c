/*
 * hostsd program — the process of `hostsd serve` (see process.h): closing
 * inherited descriptors, the limit of open files, the locked pid file.
 */
#include "daemon/process.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

/* The most descriptors the last fallback closes one by one. */
#define CLOSE_SCAN_MAX 65536

/* Each descriptor listed in /proc/self/fd from 3 up but the listing's
 * own; -1 when there is no /proc. */
static int close_listed(void)
{
	int fds[256], closed = 0;
	for (;;) {
		/* collect first, close after: the listing must not change
		 * under readdir */
		size_t n = 0;
		DIR *d = opendir("/proc/self/fd");
		if (d == NULL)
			return closed > 0 ? closed : -1;
		int own = dirfd(d);
		struct dirent *e;
		/* one thread yet, and the stream is ours: readdir_r (deprecated)
		 * would add nothing */
		// cppcheck-suppress readdirCalled
		while (n < sizeof fds / sizeof fds[0] && (e = readdir(d)) != NULL) {
			char *end;
			long fd = strtol(e->d_name, &end, 10);
			if (e->d_name[0] >= '0' && e->d_name[0] <= '9' && *end == '\0' && fd >= 3 && fd != own &&
			    fd <= 0x7fffffffL)
				fds[n++] = (int)fd;
		}
		closedir(d);
		int now = 0;
		for (size_t i = 0; i < n; i++)
			if (close(fds[i]) == 0 || errno != EBADF)
				now++;
		closed += now;
		if (now == 0) /* nothing (more) to close */
			return closed;
	}
}

int hsd_close_inherited_fds(void)
{
#ifdef SYS_close_range
	if (syscall(SYS_close_range, 3u, ~0u, 0u) == 0)
		return 0;
#endif
	int n = close_listed();
	if (n >= 0)
		return n;
	struct rlimit rl;
	long max = CLOSE_SCAN_MAX;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < (rlim_t)max)
		max = (long)rl.rlim_cur;
	n = 0;
	for (long fd = 3; fd < max; fd++)
		if (close((int)fd) == 0)
			n++;
	return n;
}

int hsd_raise_nofile_limit(unsigned long long *before, unsigned long long *after)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		return -1;
	*before = *after = (unsigned long long)rl.rlim_cur;
	if (rl.rlim_cur == rl.rlim_max)
		return 0;
	rlim_t want = rl.rlim_max;
	/* an unlimited hard limit is not a valid soft one: the kernel's
	 * ceiling (fs.nr_open) is 1048576 by default */
	if (want == RLIM_INFINITY)
		want = 1048576;
	if (want <= rl.rlim_cur)
		return 0;
	rl.rlim_cur = want;
	if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
		return -1;
	*after = (unsigned long long)want;
	return 0;
}

/* The pid of the process that holds the lock on fd, or 0. */
static long lock_holder(int fd)
{
	struct flock fl;
	memset(&fl, 0, sizeof fl);
	fl.l_type = F_WRLCK;
	fl.l_whence = SEEK_SET;
	if (fcntl(fd, F_GETLK, &fl) != 0 || fl.l_type == F_UNLCK)
		return 0;
	return (long)fl.l_pid;
}

static int write_pid(int fd)
{
	char buf[32];
	int n = snprintf(buf, sizeof buf, "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) != 0)
		return -1;
	return pwrite(fd, buf, (size_t)n, 0) == n ? 0 : -1;
}

int hsd_pidfile_open(const char *path, struct hsd_pidfile *pf, char *err, size_t errlen)
{
	struct stat st;
	struct flock fl;
	pf->fd = -1;
	pf->path = NULL;
	/* no O_TRUNC: the file may be another server's, whose pid stays */
	int fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK, 0644);
	if (fd < 0) {
		if (errno == ELOOP)
			snprintf(err, errlen,
			         "the pid file %s is a symbolic link: refusing to follow it; remove it or give "
			         "another --pidfile",
			         path);
		else
			snprintf(err, errlen, "cannot open the pid file %s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "the pid file %s is not a regular file: give another --pidfile", path);
		close(fd);
		return -1;
	}
	memset(&fl, 0, sizeof fl);
	fl.l_type = F_WRLCK;
	fl.l_whence = SEEK_SET;
	if (fcntl(fd, F_SETLK, &fl) != 0) {
		int e = errno;
		long other = lock_holder(fd);
		if (e == EACCES || e == EAGAIN) {
			if (other > 0)
				snprintf(err, errlen,
				         "the pid file %s is in use by another hostsd serve (pid %ld): stop that one, "
				         "or give this one another --pidfile",
				         path, other);
			else
				snprintf(err, errlen,
				         "the pid file %s is locked by another process: give another --pidfile", path);
		} else {
			snprintf(err, errlen, "cannot lock the pid file %s: %s", path, strerror(e));
		}
		close(fd);
		return -1;
	}
	if (write_pid(fd) != 0 || (pf->path = strdup(path)) == NULL) {
		snprintf(err, errlen, "cannot write the pid file %s: %s", path, strerror(errno != 0 ? errno : EIO));
		close(fd);
		return -1;
	}
	pf->fd = fd;
	return 0;
}

void hsd_pidfile_release(struct hsd_pidfile *pf)
{
	if (pf->fd >= 0) {
		/* still locked by us: the file at path is ours unless someone
		 * replaced it, which the same inode tells */
		struct stat ours, there;
		if (fstat(pf->fd, &ours) == 0 && lstat(pf->path, &there) == 0 && ours.st_dev == there.st_dev &&
		    ours.st_ino == there.st_ino)
			unlink(pf->path);
		close(pf->fd);
	}
	free(pf->path);
	pf->fd = -1;
	pf->path = NULL;
}
