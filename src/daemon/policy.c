/*
 * hostsd program — configured subsystems and the grant decision (see
 * policy.h). Tables are small (a handful of subsystems): linear search.
 */
#include "daemon/policy.h"

#include <stdlib.h>
#include <string.h>

int hsd_subsystem_name_valid(const char *name)
{
	static const char ok[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._@-";
	if (name == NULL)
		return 0;
	size_t n = strlen(name);
	if (n == 0 || n > HSD_SUBSYSTEM_NAME_MAX || name[0] == '-')
		return 0;
	return strspn(name, ok) == n;
}

static struct hsd_subsystem *find(const struct hsd_subsystems *t, const char *name)
{
	for (size_t i = 0; i < t->n; i++)
		if (strcmp(t->v[i].name, name) == 0)
			return &t->v[i];
	return NULL;
}

int hsd_subsystems_set(struct hsd_subsystems *t, const char *name, const char *command)
{
	if (!hsd_subsystem_name_valid(name) || command == NULL || command[strspn(command, " \t")] == '\0')
		return -1;
	char *c = strdup(command);
	if (c == NULL)
		return -2;
	struct hsd_subsystem *e = find(t, name);
	if (e != NULL) {
		free(e->command);
		e->command = c;
		return 0;
	}
	char *nm = strdup(name);
	struct hsd_subsystem *v = nm != NULL ? realloc(t->v, (t->n + 1) * sizeof(*v)) : NULL;
	if (v == NULL) {
		free(nm);
		free(c);
		return -2;
	}
	t->v = v;
	t->v[t->n].name = nm;
	t->v[t->n].command = c;
	t->n++;
	return 0;
}

const char *hsd_subsystems_get(const struct hsd_subsystems *t, const char *name)
{
	const struct hsd_subsystem *e = name != NULL ? find(t, name) : NULL;
	return e != NULL ? e->command : NULL;
}

int hsd_subsystems_copy(struct hsd_subsystems *dst, const struct hsd_subsystems *src)
{
	for (size_t i = 0; i < src->n; i++) {
		if (hsd_subsystems_set(dst, src->v[i].name, src->v[i].command) != 0) {
			hsd_subsystems_clear(dst);
			return -2;
		}
	}
	return 0;
}

void hsd_subsystems_clear(struct hsd_subsystems *t)
{
	for (size_t i = 0; i < t->n; i++) {
		free(t->v[i].name);
		free(t->v[i].command);
	}
	free(t->v);
	t->v = NULL;
	t->n = 0;
}

int hsd_policy_granted(const char *const *grants, size_t n, const char *subsystem)
{
	for (size_t i = 0; i < n; i++)
		if (grants[i] != NULL && (strcmp(grants[i], "*") == 0 || strcmp(grants[i], subsystem) == 0))
			return 1;
	return 0;
}

const char *hsd_policy_decide(const struct hsd_subsystems *t, const char *const *grants, size_t ngrants,
                              const char *subsystem, const char **why)
{
	/* The grant is checked first: a peer learns nothing about what is
	 * configured for others. */
	if (subsystem == NULL || !hsd_subsystem_name_valid(subsystem) ||
	    !hsd_policy_granted(grants, ngrants, subsystem)) {
		*why = "not granted to this host";
		return NULL;
	}
	const char *cmd = hsd_subsystems_get(t, subsystem);
	if (cmd == NULL) {
		*why = "not configured";
		return NULL;
	}
	*why = NULL;
	return cmd;
}

void hsd_peer_record_clear(struct hsd_peer_record *r)
{
	for (size_t i = 0; i < r->nkeys; i++)
		hs_key_free(r->keys[i].key);
	free(r->keys);
	for (size_t i = 0; i < r->ngrants; i++)
		free(r->grants[i]);
	free(r->grants);
	memset(r, 0, sizeof(*r));
}

const char *hsd_policy_check_key(const struct hsd_peer_record *r, const struct hs_key *key, int64_t now)
{
	const char *why = "key not authorized";
	if (r == NULL || !r->found)
		return "unknown host";
	if (r->revoked)
		return "host revoked";
	/* Every entry is looked at, so a key listed twice (an old revoked
	 * row and a new one) is judged by its valid row. */
	for (size_t i = 0; i < r->nkeys; i++) {
		const struct hsd_peer_key *k = &r->keys[i];
		if (k->key == NULL || !hs_key_equal(k->key, key))
			continue;
		if (k->revoked)
			why = "key revoked";
		else if (k->expires != 0 && k->expires <= now)
			why = "key expired";
		else
			return NULL;
	}
	return why;
}
