/*
 * hostsd program — the accounts of subsystems (see subsystem_accounts.h):
 * the table of subsystem_user lines, and the check of the rule that keeps
 * subsystems off root and off the workers' account.
 */
#include "daemon/subsystem_accounts.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/serve_settings.h"

int hsd_parse_subsystem_user(const char *label, const char *text, char **name, char **spec, char *err, size_t errlen)
{
	const char *eq = strchr(text, '=');
	*name = *spec = NULL;
	if (eq != NULL) {
		size_t len = (size_t)(eq - text);
		char *n = malloc(len + 1), *s = strdup(eq + 1);
		if (n == NULL || s == NULL) {
			free(n);
			free(s);
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		memcpy(n, text, len);
		n[len] = '\0';
		if ((strcmp(n, "*") == 0 || hsd_subsystem_name_valid(n)) && hsd_account_spec_valid(s)) {
			*name = n;
			*spec = s;
			return 0;
		}
		free(n);
		free(s);
	}
	snprintf(err, errlen,
	         "%s \"%s\" must be NAME=USER or NAME=USER:GROUP (NAME a subsystem or *, USER and GROUP names or "
	         "numbers), e.g. replicator=angelos",
	         label, text);
	return -1;
}

int hsd_subsystem_users_set(struct hsd_subsystem_users *t, const char *name, const char *spec)
{
	if (!hsd_account_spec_valid(spec))
		return -1;
	if (strcmp(name, "*") != 0)
		return hsd_subsystems_set(&t->named, name, spec);
	char *copy = strdup(spec);
	if (copy == NULL)
		return -2;
	free(t->any);
	t->any = copy;
	return 0;
}

const char *hsd_subsystem_users_get(const struct hsd_subsystem_users *t, const char *name)
{
	if (strcmp(name, "*") == 0)
		return t->any;
	return hsd_subsystems_get(&t->named, name);
}

int hsd_subsystem_users_copy(struct hsd_subsystem_users *dst, const struct hsd_subsystem_users *src)
{
	if (hsd_subsystems_copy(&dst->named, &src->named) != 0)
		return -2;
	if (src->any != NULL && (dst->any = strdup(src->any)) == NULL) {
		hsd_subsystems_clear(&dst->named);
		return -2;
	}
	return 0;
}

void hsd_subsystem_users_clear(struct hsd_subsystem_users *t)
{
	hsd_subsystems_clear(&t->named);
	free(t->any);
	t->any = NULL;
}

const char *hsd_subsystem_account_spec(const struct hsd_subsystem_users *t, const char *name, int *own)
{
	const char *spec = hsd_subsystems_get(&t->named, name);
	if (own != NULL)
		*own = spec != NULL;
	if (spec != NULL)
		return spec;
	return t->any != NULL ? t->any : HSD_SUBSYSTEM_USER_DEFAULT;
}

/* The line a subsystem's account comes from, for messages. */
static void line_label(const struct hsd_subsystem_users *t, const char *name, char *out, size_t outlen)
{
	if (hsd_subsystems_get(&t->named, name) != NULL)
		snprintf(out, outlen, "subsystem_user %s", name);
	else if (t->any != NULL)
		snprintf(out, outlen, "subsystem_user *");
	else
		snprintf(out, outlen, "subsystem_user * (by default)");
}

int hsd_subsystem_account_resolve(const struct hsd_serve_settings *set, const char *name, struct hsd_account *out,
                                  char *err, size_t errlen)
{
	char label[HSD_SUBSYSTEM_NAME_MAX + 32];
	line_label(&set->subsystem_users, name, label, sizeof label);
	return hsd_account_resolve(hsd_subsystem_account_spec(&set->subsystem_users, name, NULL), label, out, err,
	                           errlen);
}

/* As root: the account of subsystem name resolves and, unless its own
 * line names it, is neither root nor the workers'. */
static int check_as_root(const struct hsd_serve_settings *set, const char *name, uid_t worker_uid, char *err,
                         size_t errlen)
{
	struct hsd_account a;
	char label[HSD_SUBSYSTEM_NAME_MAX + 32];
	int own, r = 0;
	if (hsd_subsystem_account_resolve(set, name, &a, err, errlen) != 0)
		return -1;
	(void)hsd_subsystem_account_spec(&set->subsystem_users, name, &own);
	line_label(&set->subsystem_users, name, label, sizeof label);
	if (!own && (a.uid == 0 || a.uid == worker_uid)) {
		snprintf(err, errlen,
		         "subsystem %s would run as %s%s through %s; a subsystem runs as %s only when its own line "
		         "says so: add \"subsystem_user %s=%s\" to hostsd.conf, or give %s another account",
		         name, a.name, a.uid == 0 ? " (root)" : ", the account of the network workers,", label,
		         a.uid == 0 ? "root" : "that account", name, a.name, name);
		r = -1;
	}
	hsd_account_clear(&a);
	return r;
}

/* Not as root: the line of name (NULL: the `*` line) names our own
 * account, or there is no such line. */
static int check_line_unprivileged(const struct hsd_subsystem_users *t, const char *name, uid_t uid, gid_t gid,
                                   char *err, size_t errlen)
{
	struct hsd_account a;
	char label[HSD_SUBSYSTEM_NAME_MAX + 32];
	const char *spec = hsd_subsystem_users_get(t, name != NULL ? name : "*");
	int r = 0;
	if (spec == NULL)
		return 0;
	snprintf(label, sizeof label, "subsystem_user %s", name != NULL ? name : "*");
	if (hsd_account_resolve(spec, label, &a, err, errlen) != 0)
		return -1;
	if (a.uid != uid || a.gid != gid) {
		snprintf(err, errlen,
		         "%s=%s names another account than this server's (uid %lu, gid %lu), and only a server "
		         "started as root runs subsystems as other accounts: remove the line, or start hostsd serve "
		         "as root",
		         label, spec, (unsigned long)uid, (unsigned long)gid);
		r = -1;
	}
	hsd_account_clear(&a);
	return r;
}

int hsd_subsystem_accounts_check(const struct hsd_serve_settings *set, int running_as_root, uid_t worker_uid,
                                 gid_t worker_gid, char *err, size_t errlen)
{
	const struct hsd_subsystem_users *t = &set->subsystem_users;
	if (!running_as_root) {
		if (check_line_unprivileged(t, NULL, worker_uid, worker_gid, err, errlen) != 0)
			return -1;
		for (size_t i = 0; i < t->named.n; i++)
			if (check_line_unprivileged(t, t->named.v[i].name, worker_uid, worker_gid, err, errlen) != 0)
				return -1;
		return 0;
	}
	for (size_t i = 0; i < set->subsystems.n; i++)
		if (check_as_root(set, set->subsystems.v[i].name, worker_uid, err, errlen) != 0)
			return -1;
	return 0;
}
