/*
 * hostsd program — finding and checking the state directory and its host
 * key (see statedir.h). The default follows the XDG base directory rules
 * for a user and the FHS (/var/lib) for root.
 */
#include "daemon/statedir.h"

#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int put(char *out, size_t outlen, char *err, size_t errlen, const char *a, const char *b)
{
	int n = snprintf(out, outlen, "%s%s", a, b);
	if (n < 0 || (size_t)n >= outlen) {
		snprintf(err, errlen, "the path %s%s is too long", a, b);
		return -1;
	}
	return 0;
}

/* The strings of a password database entry: a user's home directory and
 * shell paths fit many times over. */
#define PASSWD_BUF_SIZE 4096

/* The home directory of the real user in the password database, for when
 * HOME is not set (getpwuid_r: the entry lives in pw and buf, nothing
 * static). NULL when there is no entry or its strings do not fit in buf. */
static const char *passwd_home(struct passwd *pw, char *buf, size_t buflen)
{
	struct passwd *found = NULL;
	if (getpwuid_r(getuid(), pw, buf, buflen, &found) != 0 || found == NULL)
		return NULL;
	return found->pw_dir;
}

int hsd_state_dir_resolve(const char *opt, char *out, size_t outlen, char *err, size_t errlen)
{
	const char *e;
	if (opt != NULL) {
		if (opt[0] == '\0') {
			snprintf(err, errlen, "--dir is empty: give the state directory");
			return -1;
		}
		return put(out, outlen, err, errlen, opt, "");
	}
	if ((e = getenv("HOSTSD_DIR")) != NULL && e[0] != '\0')
		return put(out, outlen, err, errlen, e, "");
	if (geteuid() == 0)
		return put(out, outlen, err, errlen, "/var/lib/hostsd", "");
	/* XDG: a relative XDG_STATE_HOME is invalid and must be ignored. */
	if ((e = getenv("XDG_STATE_HOME")) != NULL && e[0] == '/')
		return put(out, outlen, err, errlen, e, "/hostsd");
	struct passwd pw;
	char pwbuf[PASSWD_BUF_SIZE];
	const char *home = getenv("HOME");
	if (home == NULL || home[0] != '/')
		home = passwd_home(&pw, pwbuf, sizeof pwbuf);
	if (home == NULL || home[0] != '/') {
		snprintf(err, errlen,
		         "cannot tell where your state directory is (no home directory): give --dir DIR "
		         "or set HOSTSD_DIR");
		return -1;
	}
	return put(out, outlen, err, errlen, home,
	           strcmp(home, "/") == 0 ? ".local/state/hostsd" : "/.local/state/hostsd");
}

int hsd_state_path(const char *dir, const char *name, char *out, size_t outlen, char *err, size_t errlen)
{
	size_t n = strlen(dir);
	int r = snprintf(out, outlen, "%s%s%s", dir, n > 0 && dir[n - 1] == '/' ? "" : "/", name);
	if (r < 0 || (size_t)r >= outlen) {
		snprintf(err, errlen, "the path %s/%s is too long", dir, name);
		return -1;
	}
	return 0;
}

int hsd_state_dir_check(const char *dir, char *err, size_t errlen)
{
	struct stat st;
	if (stat(dir, &st) != 0) {
		if (errno == ENOENT || errno == ENOTDIR)
			snprintf(err, errlen, "there is no state directory %s: run hostsd init --dir %s", dir, dir);
		else
			snprintf(err, errlen,
			         "cannot use the state directory %s: %s (run hostsd as the user that owns it, or make "
			         "a "
			         "new one with hostsd init --dir DIR)",
			         dir, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "%s is not a directory: give the state directory made by hostsd init --dir DIR",
		         dir);
		return -1;
	}
	if (access(dir, R_OK | X_OK) != 0) {
		snprintf(err, errlen,
		         "cannot read the state directory %s: %s (run hostsd as the user that owns it, or make a new "
		         "one with hostsd init --dir DIR)",
		         dir, strerror(errno));
		return -1;
	}
	return 0;
}

/* One path of StrictModes: what, owner, and the mode bits others may not
 * have (mask). missing_ok: a path that does not exist passes. */
static int check_one(const char *what, const char *path, int want_dir, mode_t mask, const char *fix, int missing_ok,
                     char *err, size_t errlen)
{
	struct stat st;
	uid_t me = geteuid();
	if (stat(path, &st) != 0) {
		if (errno == ENOENT && missing_ok)
			return 0;
		snprintf(err, errlen, "cannot check the %s %s: %s", what, path, strerror(errno));
		return -1;
	}
	if (want_dir ? !S_ISDIR(st.st_mode) : !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "the %s %s is not a %s", what, path, want_dir ? "directory" : "regular file");
		return -1;
	}
	if (st.st_uid != me && st.st_uid != 0) {
		snprintf(err, errlen,
		         "the %s %s belongs to uid %u, neither to the user running hostsd (uid %u) nor to root: "
		         "refusing to use it; run chown %u %s, or run hostsd as uid %u",
		         what, path, (unsigned)st.st_uid, (unsigned)me, (unsigned)me, path, (unsigned)st.st_uid);
		return -1;
	}
	if ((st.st_mode & mask) != 0) {
		snprintf(err, errlen,
		         "the %s %s can be %s by group or others (mode %04o): refusing to use it; run %s %s", what,
		         path, (mask & 044) != 0 ? "read or written" : "written", (unsigned)(st.st_mode & 07777), fix,
		         path);
		return -1;
	}
	return 0;
}

int hsd_state_check_modes(const char *dir, const char *config_path, const char *registry_path, const char *key_path,
                          char *err, size_t errlen)
{
	/* a state directory others may write lets them swap any file in it */
	/* a missing file is told by whoever opens it ("run hostsd init") */
	if (check_one("state directory", dir, 1, 022, "chmod go-w", 0, err, errlen) != 0 ||
	    check_one("configuration file", config_path, 0, 022, "chmod go-w", 1, err, errlen) != 0 ||
	    check_one("registry", registry_path, 0, 022, "chmod go-w", 1, err, errlen) != 0 ||
	    check_one("host key", key_path, 0, 077, "chmod 600", 1, err, errlen) != 0)
		return -1;
	return 0;
}

int hsd_hostkey_load_checked(const char *path, struct hs_hostkey **out, char *err, size_t errlen)
{
	struct stat st;
	*out = NULL;
	if (stat(path, &st) != 0) {
		if (errno == ENOENT) {
			char dir[HSD_PATH_MAX];
			const char *slash = strrchr(path, '/');
			if (slash == NULL)
				snprintf(dir, sizeof dir, ".");
			else if (slash == path)
				snprintf(dir, sizeof dir, "/");
			else
				snprintf(dir, sizeof dir, "%.*s", (int)(slash - path), path);
			snprintf(err, errlen, "there is no host key %s: run hostsd init --dir %s", path, dir);
		} else {
			snprintf(err, errlen, "cannot read the host key %s: %s", path, strerror(errno));
		}
		return HS_ERR_IO;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "the host key %s is not a regular file", path);
		return HS_ERR_IO;
	}
	/* As sshd does: a private key others can read is no longer private,
	 * and one others can write is no longer ours. */
	if ((st.st_mode & 077) != 0) {
		snprintf(err, errlen,
		         "the host key %s can be read or written by group or others (mode %04o): refusing to use it; "
		         "run chmod 600 %s",
		         path, (unsigned)(st.st_mode & 07777), path);
		return HS_ERR_INVALID_ARG;
	}
	return hs_hostkey_load_file(path, out, err, errlen);
}
