/*
 * hostsd program — account specs resolved through the user and group
 * databases (see account.h). The reentrant look-ups (getpwnam_r and the
 * like) are used because the monitor that calls this has threads.
 */
#include "daemon/account.h"

#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A database entry's strings live in a buffer of the caller's; the
 * reentrant calls say ERANGE until it is large enough. */
#define LOOKUP_BUF_START 1024
#define LOOKUP_BUF_MAX (1024 * 1024)

/* Growing the supplementary groups' array stops here (the kernel's
 * NGROUPS_MAX is 65536). */
#define GROUPS_MAX 65536

static int part_valid(const char *p, size_t len)
{
	if (len == 0 || len >= HSD_ACCOUNT_NAME_MAX)
		return 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)p[i];
		if (ch <= 0x20 || ch == 0x7f || ch == ':' || ch == '=')
			return 0;
	}
	return 1;
}

int hsd_account_spec_valid(const char *spec)
{
	const char *colon = strchr(spec, ':');
	if (colon == NULL)
		return part_valid(spec, strlen(spec));
	return part_valid(spec, (size_t)(colon - spec)) && part_valid(colon + 1, strlen(colon + 1));
}

/* Digits only, as a number below the invalid id (uid_t)-1. */
static int parse_id(const char *s, unsigned long *out)
{
	unsigned long v = 0;
	if (*s == '\0')
		return 0;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return 0;
		v = v * 10 + (unsigned long)(*s - '0');
		if (v >= UINT32_MAX)
			return 0;
	}
	*out = v;
	return 1;
}

/* The entry of a user by name or id in pw, its strings in *buf (the
 * caller frees). 1 found, 0 none, -1 the look-up failed (errno). */
static int lookup_user(const char *name, uid_t uid, struct passwd *pw, char **buf)
{
	size_t len = LOOKUP_BUF_START;
	for (;;) {
		struct passwd *found = NULL;
		char *b = realloc(*buf, len);
		if (b == NULL)
			return -1;
		*buf = b;
		int e = name != NULL ? getpwnam_r(name, pw, b, len, &found) : getpwuid_r(uid, pw, b, len, &found);
		if (e == ERANGE && len < LOOKUP_BUF_MAX) {
			len *= 2;
			continue;
		}
		/* glibc answers a missing entry with 0 and NULL, others with one of these */
		if (found == NULL && (e == 0 || e == ENOENT || e == ESRCH || e == EBADF || e == EPERM))
			return 0;
		if (e != 0) {
			errno = e;
			return -1;
		}
		return 1;
	}
}

static int lookup_group(const char *name, gid_t gid, struct group *gr, char **buf)
{
	size_t len = LOOKUP_BUF_START;
	for (;;) {
		struct group *found = NULL;
		char *b = realloc(*buf, len);
		if (b == NULL)
			return -1;
		*buf = b;
		int e = name != NULL ? getgrnam_r(name, gr, b, len, &found) : getgrgid_r(gid, gr, b, len, &found);
		if (e == ERANGE && len < LOOKUP_BUF_MAX) {
			len *= 2;
			continue;
		}
		if (found == NULL && (e == 0 || e == ENOENT || e == ESRCH || e == EBADF || e == EPERM))
			return 0;
		if (e != 0) {
			errno = e;
			return -1;
		}
		return 1;
	}
}

/* initgroups()'s list for name with primary group gid. */
static int user_groups(const char *name, gid_t gid, struct hsd_account *out)
{
	int n = 32;
	for (;;) {
		gid_t *g = realloc(out->groups, (size_t)n * sizeof *g);
		if (g == NULL)
			return -1;
		out->groups = g;
		int want = n;
		if (getgrouplist(name, gid, g, &want) >= 0) {
			out->ngroups = (size_t)want;
			return 0;
		}
		/* too small: want is the number needed (glibc), else double */
		if (n >= GROUPS_MAX) {
			errno = E2BIG;
			return -1;
		}
		n = want > n ? want : n * 2;
		if (n > GROUPS_MAX)
			n = GROUPS_MAX;
	}
}

void hsd_account_clear(struct hsd_account *a)
{
	free(a->groups);
	memset(a, 0, sizeof(*a));
}

/* The user part: uid, name, home and (when the database has the user)
 * primary group into out. 1 when the database has the user, 0 when a
 * number is taken as it is, -1 with a sentence in err. */
static int resolve_user(const char *spec, const char *label, const char *user, int has_group, struct hsd_account *out,
                        char *err, size_t errlen)
{
	struct passwd pw;
	char *buf = NULL;
	unsigned long id;
	int numeric = parse_id(user, &id);
	int found = numeric ? lookup_user(NULL, (uid_t)id, &pw, &buf) : lookup_user(user, 0, &pw, &buf);
	if (found < 0) {
		snprintf(err, errlen, "%s \"%s\": cannot look up the account %s: %s", label, spec, user,
		         strerror(errno));
	} else if (found == 0 && !numeric) {
		snprintf(err, errlen,
		         "%s \"%s\": no such account (create it with: useradd --system --no-create-home --shell "
		         "/usr/sbin/nologin %s, or set %s in hostsd.conf)",
		         label, spec, user, label);
		found = -1;
	} else if (found == 0 && !has_group) {
		snprintf(err, errlen,
		         "%s \"%s\": uid %s has no account, so no group to take: give one as %s:GROUP, or create "
		         "the account",
		         label, spec, user, user);
		found = -1;
	} else if (found == 0) {
		out->uid = (uid_t)id;
		snprintf(out->name, sizeof out->name, "%s", user);
		snprintf(out->home, sizeof out->home, "/");
	} else if (strlen(pw.pw_name) >= sizeof out->name || strlen(pw.pw_dir) >= sizeof out->home) {
		snprintf(err, errlen, "%s \"%s\": the account's name or home directory is too long", label, spec);
		found = -1;
	} else {
		out->uid = pw.pw_uid;
		out->gid = pw.pw_gid;
		snprintf(out->name, sizeof out->name, "%s", pw.pw_name);
		snprintf(out->home, sizeof out->home, "%s", pw.pw_dir[0] == '/' ? pw.pw_dir : "/");
	}
	free(buf);
	return found;
}

/* The group part (NULL: the user's primary group, out->gid): gid and
 * group name into out. 0, or -1 with a sentence in err. */
static int resolve_group(const char *spec, const char *label, const char *group, struct hsd_account *out, char *err,
                         size_t errlen)
{
	struct group gr;
	char *buf = NULL;
	unsigned long id = out->gid;
	int numeric = group == NULL || parse_id(group, &id);
	int found = numeric ? lookup_group(NULL, (gid_t)id, &gr, &buf) : lookup_group(group, 0, &gr, &buf);
	int r = 0;
	if (found < 0) {
		snprintf(err, errlen, "%s \"%s\": cannot look up the group %s: %s", label, spec,
		         group != NULL ? group : "of the account", strerror(errno));
		r = -1;
	} else if (found == 0 && !numeric) {
		snprintf(err, errlen,
		         "%s \"%s\": no such group \"%s\" (create it with: groupadd --system %s, or name another "
		         "group)",
		         label, spec, group, group);
		r = -1;
	} else {
		out->gid = found ? gr.gr_gid : (gid_t)id;
		if (found && strlen(gr.gr_name) < sizeof out->group)
			snprintf(out->group, sizeof out->group, "%s", gr.gr_name);
		else
			snprintf(out->group, sizeof out->group, "%lu", (unsigned long)out->gid);
	}
	free(buf);
	return r;
}

int hsd_account_resolve(const char *spec, const char *label, struct hsd_account *out, char *err, size_t errlen)
{
	char user[HSD_ACCOUNT_NAME_MAX];
	int in_database;

	memset(out, 0, sizeof(*out));
	if (!hsd_account_spec_valid(spec)) {
		snprintf(err, errlen,
		         "%s \"%s\" must be USER or USER:GROUP (names or numbers, without blanks; at most %d "
		         "bytes each)",
		         label, spec, HSD_ACCOUNT_NAME_MAX - 1);
		return -1;
	}
	const char *colon = strchr(spec, ':');
	size_t ulen = colon != NULL ? (size_t)(colon - spec) : strlen(spec);
	memcpy(user, spec, ulen);
	user[ulen] = '\0';
	if ((in_database = resolve_user(spec, label, user, colon != NULL, out, err, errlen)) < 0 ||
	    resolve_group(spec, label, colon != NULL ? colon + 1 : NULL, out, err, errlen) != 0)
		goto fail;
	/* the supplementary groups: initgroups()'s, or GROUP alone for a
	 * user the database does not have */
	if (in_database) {
		if (user_groups(out->name, out->gid, out) != 0) {
			snprintf(err, errlen, "%s \"%s\": cannot list the groups of %s: %s", label, spec, out->name,
			         strerror(errno));
			goto fail;
		}
	} else {
		if ((out->groups = malloc(sizeof *out->groups)) == NULL) {
			snprintf(err, errlen, "out of memory");
			goto fail;
		}
		out->groups[0] = out->gid;
		out->ngroups = 1;
	}
	return 0;
fail:
	hsd_account_clear(out);
	return -1;
}
