/*
 * hostsd program — the trust registry's hosts, keys and grants: reading
 * them whole, and every change the command line makes (see registry.h).
 * Each change checks its inputs first, then runs as one transaction whose
 * reads and writes see the same state (the write lock is taken at BEGIN).
 */
#include "registry/registry_priv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *hsd__reg_shown(const char *s, char *buf, size_t buflen)
{
	if (s == NULL)
		s = "";
	hsd_text_sanitize(buf, buflen, s);
	if (strlen(s) >= buflen && buflen > 4)
		memcpy(buf + buflen - 4, "...", 4);
	return buf;
}

/* Copy a text column into dst (cut to fit, NULL as ""). */
static void column_text(sqlite3_stmt *st, int col, char *dst, size_t dstlen)
{
	const char *t = (const char *)sqlite3_column_text(st, col);
	snprintf(dst, dstlen, "%s", t != NULL ? t : "");
}

void hsd_reg_host_clear(struct hsd_reg_host *h)
{
	if (h == NULL)
		return;
	for (size_t i = 0; i < h->nkeys; i++) {
		hs_key_free(h->keys[i].key);
		free(h->keys[i].comment);
	}
	free(h->keys);
	for (size_t i = 0; i < h->ngrants; i++)
		free(h->grants[i]);
	free(h->grants);
	memset(h, 0, sizeof(*h));
}

void hsd_reg_hosts_free(struct hsd_reg_host *hosts, size_t n)
{
	if (hosts == NULL)
		return;
	for (size_t i = 0; i < n; i++)
		hsd_reg_host_clear(&hosts[i]);
	free(hosts);
}

enum hsd_key_state hsd_reg_key_state(const struct hsd_reg_key *k, int64_t now)
{
	if (k->key == NULL)
		return HSD_KEY_UNUSABLE;
	if (k->revoked)
		return HSD_KEY_REVOKED;
	if (k->expires != 0 && now >= k->expires)
		return HSD_KEY_EXPIRED;
	return HSD_KEY_VALID;
}

int hsd__reg_find_host(struct hsd_registry *reg, const char *host_id, int64_t *rowid, int *revoked)
{
	sqlite3_stmt *st = NULL;
	char shown[80];
	int r, row;
	*rowid = 0;
	if (revoked != NULL)
		*revoked = 0;
	if ((r = hsd__reg_prepare(reg, &st, "SELECT id, revoked FROM hosts WHERE host_id = ?", "t", host_id)) != 0)
		return r;
	if ((r = hsd__reg_step(reg, st, "reading", &row)) == 0) {
		if (row) {
			*rowid = (int64_t)sqlite3_column_int64(st, 0);
			if (revoked != NULL)
				*revoked = sqlite3_column_int(st, 1) != 0;
		} else {
			r = hsd__reg_fail(reg, HS_ERR_NOT_FOUND, "there is no host \"%s\" in the registry %s",
			                  hsd__reg_shown(host_id, shown, sizeof shown), reg->path);
		}
	}
	sqlite3_finalize(st);
	return r;
}

static int load_keys(struct hsd_registry *reg, int64_t rowid, struct hsd_reg_host *h)
{
	sqlite3_stmt *st = NULL;
	int r, row;
	size_t cap = 0;
	if ((r = hsd__reg_prepare(reg, &st,
	                          "SELECT type, blob, fingerprint, added, expires, revoked, revoked_at, comment "
	                          "FROM host_keys WHERE host = ? ORDER BY added, id",
	                          "i", rowid)) != 0)
		return r;
	while ((r = hsd__reg_step(reg, st, "reading", &row)) == 0 && row) {
		if (h->nkeys == cap) {
			size_t ncap = cap ? cap * 2 : 4;
			struct hsd_reg_key *v = realloc(h->keys, ncap * sizeof(*v));
			if (v == NULL) {
				r = HS_ERR_ALLOC;
				break;
			}
			h->keys = v;
			cap = ncap;
		}
		struct hsd_reg_key *k = &h->keys[h->nkeys];
		memset(k, 0, sizeof(*k));
		const void *blob = sqlite3_column_blob(st, 1);
		int bloblen = sqlite3_column_bytes(st, 1);
		const char *comment = (const char *)sqlite3_column_text(st, 7);
		if ((k->comment = strdup(comment != NULL ? comment : "")) == NULL) {
			r = HS_ERR_ALLOC;
			break;
		}
		h->nkeys++;
		/* The blob is what authenticates; the type and fingerprint are
		 * recomputed from it, so an edited row cannot make one key look
		 * like another. A blob we cannot parse leaves key NULL: unusable. */
		if (blob != NULL && bloblen > 0 && hs_key_from_blob(blob, (size_t)bloblen, &k->key) == 0) {
			hs_key_fingerprint(k->key, k->fingerprint);
			snprintf(k->type, sizeof k->type, "%s", hs_key_type_name(k->key));
		} else {
			k->key = NULL;
			column_text(st, 0, k->type, sizeof k->type);
			column_text(st, 2, k->fingerprint, sizeof k->fingerprint);
		}
		k->added = (int64_t)sqlite3_column_int64(st, 3);
		k->expires = (int64_t)sqlite3_column_int64(st, 4);
		k->revoked = sqlite3_column_int(st, 5) != 0;
		k->revoked_at = (int64_t)sqlite3_column_int64(st, 6);
	}
	sqlite3_finalize(st);
	return r == HS_ERR_ALLOC ? hsd__reg_fail(reg, r, "out of memory") : r;
}

static int load_grants(struct hsd_registry *reg, int64_t rowid, char ***grants, size_t *n)
{
	sqlite3_stmt *st = NULL;
	int r, row;
	size_t cap = 0;
	if ((r = hsd__reg_prepare(reg, &st, "SELECT subsystem FROM grants WHERE host = ? ORDER BY subsystem", "i",
	                          rowid)) != 0)
		return r;
	while ((r = hsd__reg_step(reg, st, "reading", &row)) == 0 && row) {
		const char *g = (const char *)sqlite3_column_text(st, 0);
		if (g == NULL)
			continue;
		if (*n == cap) {
			size_t ncap = cap ? cap * 2 : 4;
			char **v = realloc(*grants, ncap * sizeof(*v));
			if (v == NULL) {
				r = HS_ERR_ALLOC;
				break;
			}
			*grants = v;
			cap = ncap;
		}
		if (((*grants)[*n] = strdup(g)) == NULL) {
			r = HS_ERR_ALLOC;
			break;
		}
		(*n)++;
	}
	sqlite3_finalize(st);
	return r == HS_ERR_ALLOC ? hsd__reg_fail(reg, r, "out of memory") : r;
}

/* Fill h from the hosts row st is on, then its keys and grants. */
static int load_from_row(struct hsd_registry *reg, sqlite3_stmt *st, struct hsd_reg_host *h)
{
	int64_t rowid = (int64_t)sqlite3_column_int64(st, 0);
	int r;
	column_text(st, 1, h->host_id, sizeof h->host_id);
	h->created = (int64_t)sqlite3_column_int64(st, 2);
	h->revoked = sqlite3_column_int(st, 3) != 0;
	h->revoked_at = (int64_t)sqlite3_column_int64(st, 4);
	h->last_login = (int64_t)sqlite3_column_int64(st, 5);
	column_text(st, 6, h->last_login_peer, sizeof h->last_login_peer);
	column_text(st, 7, h->last_login_key, sizeof h->last_login_key);
	if ((r = load_keys(reg, rowid, h)) != 0 || (r = load_grants(reg, rowid, &h->grants, &h->ngrants)) != 0)
		return r;
	return 0;
}

#define HOST_COLUMNS "id, host_id, created, revoked, revoked_at, last_login, last_login_peer, last_login_key"

int hsd__reg_load_host(struct hsd_registry *reg, const char *host_id, struct hsd_reg_host *out)
{
	sqlite3_stmt *st = NULL;
	char shown[80];
	int r, row;
	memset(out, 0, sizeof(*out));
	if ((r = hsd__reg_prepare(reg, &st, "SELECT " HOST_COLUMNS " FROM hosts WHERE host_id = ?", "t", host_id)) != 0)
		return r;
	if ((r = hsd__reg_step(reg, st, "reading", &row)) == 0) {
		if (row)
			r = load_from_row(reg, st, out);
		else
			r = hsd__reg_fail(reg, HS_ERR_NOT_FOUND, "there is no host \"%s\" in the registry %s",
			                  hsd__reg_shown(host_id, shown, sizeof shown), reg->path);
	}
	sqlite3_finalize(st);
	if (r != 0)
		hsd_reg_host_clear(out);
	return r;
}

int hsd_registry_get_host(struct hsd_registry *reg, const char *host_id, struct hsd_reg_host *out)
{
	char shown[80];
	int r;
	memset(out, 0, sizeof(*out));
	reg->err[0] = '\0';
	if (!hsd_host_id_valid(host_id))
		return hsd__reg_fail(reg, HS_ERR_NOT_FOUND, "there is no host \"%s\" in the registry %s",
		                     hsd__reg_shown(host_id, shown, sizeof shown), reg->path);
	if ((r = hsd__reg_read_begin(reg)) != 0)
		return r;
	r = hsd__reg_load_host(reg, host_id, out);
	hsd__reg_read_end(reg);
	return r;
}

int hsd_registry_list(struct hsd_registry *reg, struct hsd_reg_host **hosts, size_t *n)
{
	sqlite3_stmt *st = NULL;
	struct hsd_reg_host *v = NULL;
	size_t count = 0, cap = 0;
	int r, row;
	*hosts = NULL;
	*n = 0;
	reg->err[0] = '\0';
	if ((r = hsd__reg_read_begin(reg)) != 0)
		return r;
	if ((r = hsd__reg_prepare(reg, &st, "SELECT " HOST_COLUMNS " FROM hosts ORDER BY host_id", "")) != 0)
		goto out;
	while ((r = hsd__reg_step(reg, st, "reading", &row)) == 0 && row) {
		if (count == cap) {
			size_t ncap = cap ? cap * 2 : 16;
			struct hsd_reg_host *nv = realloc(v, ncap * sizeof(*nv));
			if (nv == NULL) {
				r = hsd__reg_fail(reg, HS_ERR_ALLOC, "out of memory");
				break;
			}
			v = nv;
			cap = ncap;
		}
		memset(&v[count], 0, sizeof(v[count]));
		count++;
		if ((r = load_from_row(reg, st, &v[count - 1])) != 0)
			break;
	}
out:
	sqlite3_finalize(st);
	hsd__reg_read_end(reg);
	if (r != 0) {
		hsd_reg_hosts_free(v, count);
		return r;
	}
	*hosts = v;
	*n = count;
	return 0;
}

/* --- changes ---------------------------------------------------------- */

static int check_host_id(struct hsd_registry *reg, const char *host_id)
{
	char shown[80];
	if (hsd_host_id_valid(host_id))
		return 0;
	return hsd__reg_fail(reg, HS_ERR_INVALID_ARG, "invalid host identity \"%s\": use %s",
	                     hsd__reg_shown(host_id, shown, sizeof shown), HSD_HOST_ID_RULE);
}

static int check_grant(struct hsd_registry *reg, const char *name)
{
	char shown[80];
	if (hsd_grant_name_valid(name))
		return 0;
	return hsd__reg_fail(reg, HS_ERR_INVALID_ARG, "invalid subsystem name \"%s\": use %s",
	                     hsd__reg_shown(name, shown, sizeof shown), HSD_GRANT_RULE);
}

_Static_assert(HSD_FINGERPRINT_SIZE == HS_FINGERPRINT_SIZE, "fingerprint sizes differ");

static int parse_fingerprint(struct hsd_registry *reg, const char *in, char out[HS_FINGERPRINT_SIZE])
{
	char shown[80];
	if (hsd_fingerprint_parse(in, out) == 0)
		return 0;
	return hsd__reg_fail(reg, HS_ERR_INVALID_ARG,
	                     "\"%s\" is not a key fingerprint: give it as hostsd trust list shows it "
	                     "(SHA256: and 43 characters)",
	                     hsd__reg_shown(in, shown, sizeof shown));
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The grants of spec, checked, sorted and without duplicates, as an
 * array of views; when none were given, none, or "*" if all_by_default. */
static int spec_grants(struct hsd_registry *reg, const struct hsd_key_spec *spec, const char ***out, size_t *n)
{
	static const char *const all[] = { "*" };
	const char *const *src = spec->grants_given ? spec->grants : all;
	size_t count = spec->grants_given ? spec->ngrants : spec->all_by_default ? 1 : 0;
	int r;
	*out = NULL;
	*n = 0;
	if (count > HSD_MAX_GRANTS)
		return hsd__reg_fail(reg, HS_ERR_LIMIT, "too many subsystems (at most %d)", HSD_MAX_GRANTS);
	for (size_t i = 0; i < count; i++)
		if ((r = check_grant(reg, src[i])) != 0)
			return r;
	if (count == 0)
		return 0;
	const char **v = malloc(count * sizeof(*v));
	if (v == NULL)
		return hsd__reg_fail(reg, HS_ERR_ALLOC, "out of memory");
	memcpy(v, src, count * sizeof(*v));
	qsort(v, count, sizeof(*v), cmp_str);
	size_t u = 1;
	for (size_t i = 1; i < count; i++)
		if (strcmp(v[i], v[u - 1]) != 0)
			v[u++] = v[i];
	*out = v;
	*n = u;
	return 0;
}

static int check_comment(struct hsd_registry *reg, const char *comment)
{
	size_t len = comment != NULL ? strlen(comment) : 0;
	if (len > HSD_COMMENT_MAX)
		return hsd__reg_fail(reg, HS_ERR_LIMIT, "the comment is too long (%zu bytes; at most %d)", len,
		                     HSD_COMMENT_MAX);
	if (!hsd_text_valid(comment != NULL ? comment : "", len))
		return hsd__reg_fail(reg, HS_ERR_INVALID_ARG,
		                     "the comment holds control characters or is not UTF-8: use printable text");
	return 0;
}

/* Does another host hold this key? Its identity goes into other. */
static int key_owner_elsewhere(struct hsd_registry *reg, const char *fp, const char *host_id, char *other,
                               size_t otherlen, int *found)
{
	sqlite3_stmt *st = NULL;
	int r, row;
	*found = 0;
	if ((r = hsd__reg_prepare(reg, &st,
	                          "SELECT h.host_id FROM host_keys k JOIN hosts h ON h.id = k.host "
	                          "WHERE k.fingerprint = ? AND h.host_id <> ? LIMIT 1",
	                          "tt", fp, host_id)) != 0)
		return r;
	if ((r = hsd__reg_step(reg, st, "reading", &row)) == 0 && row) {
		*found = 1;
		column_text(st, 0, other, otherlen);
	}
	sqlite3_finalize(st);
	return r;
}

/* What a host has of a key. */
enum key_state {
	KEY_ABSENT,
	KEY_PRESENT,
	KEY_REVOKED
};

/* The key of this host with fingerprint fp, and when it was added. */
static int key_on_host(struct hsd_registry *reg, int64_t rowid, const char *fp, enum key_state *state, int64_t *added)
{
	sqlite3_stmt *st = NULL;
	int r, row;
	*state = KEY_ABSENT;
	*added = 0;
	if ((r = hsd__reg_prepare(reg, &st, "SELECT revoked, added FROM host_keys WHERE host = ? AND fingerprint = ?",
	                          "it", rowid, fp)) != 0)
		return r;
	if ((r = hsd__reg_step(reg, st, "reading", &row)) == 0 && row) {
		*state = sqlite3_column_int(st, 0) ? KEY_REVOKED : KEY_PRESENT;
		*added = (int64_t)sqlite3_column_int64(st, 1);
	}
	sqlite3_finalize(st);
	return r;
}

/* Run one statement that returns no rows; *changes is how many rows it
 * changed (may be NULL). */
static int run(struct hsd_registry *reg, sqlite3_stmt *st, int *changes)
{
	int row, r = hsd__reg_step(reg, st, "saving a change", &row);
	if (r == 0 && changes != NULL)
		*changes = sqlite3_changes(reg->db);
	sqlite3_finalize(st);
	return r;
}

static int insert_key(struct hsd_registry *reg, int64_t rowid, const struct hsd_key_spec *spec, const char *fp,
                      int64_t now)
{
	sqlite3_stmt *st = NULL;
	size_t bloblen;
	const uint8_t *blob = hs_key_blob(spec->key, &bloblen);
	int r = hsd__reg_prepare(reg, &st,
	                         "INSERT INTO host_keys (host, type, blob, fingerprint, added, expires, comment) "
	                         "VALUES (?, ?, ?, ?, ?, ?, ?)",
	                         "itbtint", rowid, hs_key_type_name(spec->key), (const void *)blob, bloblen, fp, now,
	                         spec->expires, spec->comment != NULL ? spec->comment : "");
	return r != 0 ? r : run(reg, st, NULL);
}

static int insert_grant(struct hsd_registry *reg, int64_t rowid, const char *name, int *changed)
{
	sqlite3_stmt *st = NULL;
	int r = hsd__reg_prepare(reg, &st, "INSERT OR IGNORE INTO grants (host, subsystem) VALUES (?, ?)", "it", rowid,
	                         name);
	return r != 0 ? r : run(reg, st, changed);
}

/* Do the host's current grants equal want (sorted, unique)? */
static int same_grants(struct hsd_registry *reg, int64_t rowid, const char **want, size_t nwant, int *same,
                       char *current, size_t curlen)
{
	char **have = NULL;
	size_t nhave = 0;
	int r = load_grants(reg, rowid, &have, &nhave);
	*same = 0;
	if (r == 0) {
		*same = nhave == nwant;
		for (size_t i = 0; *same && i < nhave; i++)
			*same = strcmp(have[i], want[i]) == 0;
		current[0] = '\0';
		for (size_t i = 0; i < nhave; i++) {
			size_t used = strlen(current);
			snprintf(current + used, curlen - used, "%s%s", i ? "," : "", have[i]);
		}
		if (nhave == 0)
			snprintf(current, curlen, "nothing");
	}
	for (size_t i = 0; i < nhave; i++)
		free(have[i]);
	free(have);
	return r;
}

/* A key to add, its inputs checked: the spec, its grants sorted and
 * without duplicates, its fingerprint, and the time of the change. */
struct key_to_add {
	const struct hsd_key_spec *spec;
	const char **grants;
	size_t ngrants;
	char fp[HS_FINGERPRINT_SIZE];
	int64_t now;
};

/* One key proves one host identity: refuse a key another host holds. */
static int refuse_key_of_other_host(struct hsd_registry *reg, const struct key_to_add *k)
{
	char other[HSD_HOST_ID_MAX + 1];
	int r, found;
	if ((r = key_owner_elsewhere(reg, k->fp, k->spec->host_id, other, sizeof other, &found)) != 0)
		return r;
	if (!found)
		return 0;
	return hsd__reg_fail(reg, HS_ERR_INVALID_ARG,
	                     "key %s already belongs to host \"%s\": one key proves one host identity "
	                     "(remove it there first if it moved)",
	                     k->fp, other);
}

/* A new host: the host row, its grants, its first key. */
static int add_new_host(struct hsd_registry *reg, const struct key_to_add *k)
{
	sqlite3_stmt *st = NULL;
	int r;
	if ((r = hsd__reg_prepare(reg, &st, "INSERT INTO hosts (host_id, created) VALUES (?, ?)", "ti",
	                          k->spec->host_id, k->now)) != 0 ||
	    (r = run(reg, st, NULL)) != 0)
		return r;
	int64_t rowid = (int64_t)sqlite3_last_insert_rowid(reg->db);
	for (size_t i = 0; i < k->ngrants; i++)
		if ((r = insert_grant(reg, rowid, k->grants[i], NULL)) != 0)
			return r;
	return insert_key(reg, rowid, k->spec, k->fp, k->now);
}

/* Adding a key leaves an existing host's grants alone, so grants given
 * with it must be the ones the host has: anything else would be a
 * request silently ignored. */
static int check_grants_unchanged(struct hsd_registry *reg, const struct key_to_add *k, int64_t rowid)
{
	char current[1024];
	int r, same;
	if ((r = same_grants(reg, rowid, k->grants, k->ngrants, &same, current, sizeof current)) != 0)
		return r;
	if (same)
		return 0;
	return hsd__reg_fail(reg, HS_ERR_INVALID_ARG,
	                     "host \"%s\" exists and is granted %s; adding a key leaves its grants as they "
	                     "are: change them with hostsd trust grant / hostsd trust deny",
	                     k->spec->host_id, current);
}

/* How many keys a host has, revoked ones included: they count towards the
 * limit until removed. */
static int count_keys(struct hsd_registry *reg, int64_t rowid, int64_t *count)
{
	sqlite3_stmt *st = NULL;
	int r, row;
	*count = 0;
	if ((r = hsd__reg_prepare(reg, &st, "SELECT count(*) FROM host_keys WHERE host = ?", "i", rowid)) != 0)
		return r;
	r = hsd__reg_step(reg, st, "reading", &row);
	if (r == 0 && row)
		*count = (int64_t)sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return r;
}

/* One more key for a host that exists (rowid, revoked: as the registry
 * has it). Refused for a revoked host or key, for grants other than the
 * host's, and beyond the keys a host may have; a key the host has already
 * changes nothing. */
static int add_to_host(struct hsd_registry *reg, const struct key_to_add *k, int64_t rowid, int revoked,
                       enum hsd_add_result *result)
{
	const char *host_id = k->spec->host_id;
	enum key_state state = KEY_ABSENT;
	int64_t added = 0, count = 0;
	int r;
	if (revoked)
		return hsd__reg_fail(reg, HS_ERR_INVALID_ARG,
		                     "host \"%s\" is revoked and stays so: to trust it again, remove it "
		                     "(hostsd trust remove %s) and add it anew",
		                     host_id, host_id);
	if ((r = key_on_host(reg, rowid, k->fp, &state, &added)) != 0)
		return r;
	if (state == KEY_REVOKED)
		return hsd__reg_fail(reg, HS_ERR_INVALID_ARG,
		                     "key %s of host \"%s\" was revoked and stays so (to add it again, first remove "
		                     "it: "
		                     "hostsd trust remove %s %s)",
		                     k->fp, host_id, host_id, k->fp);
	if (k->spec->grants_given && (r = check_grants_unchanged(reg, k, rowid)) != 0)
		return r;
	if (state == KEY_PRESENT) {
		*result = HSD_ADD_UNCHANGED;
		return 0;
	}
	if ((r = count_keys(reg, rowid, &count)) != 0)
		return r;
	if (count >= HSD_MAX_KEYS_PER_HOST)
		return hsd__reg_fail(reg, HS_ERR_LIMIT,
		                     "host \"%s\" has %lld keys already (at most %d): remove revoked ones with "
		                     "hostsd trust remove %s FINGERPRINT",
		                     host_id, (long long)count, HSD_MAX_KEYS_PER_HOST, host_id);
	if ((r = insert_key(reg, rowid, k->spec, k->fp, k->now)) != 0)
		return r;
	*result = HSD_ADD_NEW_KEY;
	return 0;
}

int hsd_registry_add_key(struct hsd_registry *reg, const struct hsd_key_spec *spec, int64_t now,
                         enum hsd_add_result *result)
{
	struct key_to_add k = { .spec = spec, .grants = NULL, .ngrants = 0, .now = now };
	int64_t rowid = 0;
	int r, revoked = 0;
	reg->err[0] = '\0';
	if (spec == NULL || spec->key == NULL || result == NULL)
		return hsd__reg_fail(reg, HS_ERR_INVALID_ARG, "no key to add");
	if ((r = check_host_id(reg, spec->host_id)) != 0 || (r = check_comment(reg, spec->comment)) != 0 ||
	    (r = spec_grants(reg, spec, &k.grants, &k.ngrants)) != 0)
		return r;
	hs_key_fingerprint(spec->key, k.fp);
	if ((r = hsd__reg_tx_begin(reg)) != 0)
		goto done;
	if ((r = refuse_key_of_other_host(reg, &k)) != 0)
		goto out;
	r = hsd__reg_find_host(reg, spec->host_id, &rowid, &revoked);
	if (r == HS_ERR_NOT_FOUND) {
		reg->err[0] = '\0';
		if ((r = add_new_host(reg, &k)) == 0)
			*result = HSD_ADD_NEW_HOST;
	} else if (r == 0) {
		r = add_to_host(reg, &k, rowid, revoked, result);
	}
out:
	r = hsd__reg_tx_end(reg, r, 1);
done:
	free(k.grants);
	return r;
}

int hsd_registry_revoke_host(struct hsd_registry *reg, const char *host_id, int64_t now, int *changed)
{
	sqlite3_stmt *st = NULL;
	int64_t rowid = 0;
	int r, n = 0, revoked;
	reg->err[0] = '\0';
	if ((r = check_host_id(reg, host_id)) != 0)
		return r;
	if ((r = hsd__reg_tx_begin(reg)) != 0)
		return r;
	if ((r = hsd__reg_find_host(reg, host_id, &rowid, &revoked)) == 0 &&
	    (r = hsd__reg_prepare(reg, &st, "UPDATE hosts SET revoked = 1, revoked_at = ? WHERE id = ? AND revoked = 0",
	                          "ii", now, rowid)) == 0)
		r = run(reg, st, &n);
	r = hsd__reg_tx_end(reg, r, 1);
	if (r == 0 && changed != NULL)
		*changed = n > 0;
	return r;
}

/* Find host and its key fp: fails with HS_ERR_NOT_FOUND and a message
 * naming both when the key is not the host's. */
static int find_key(struct hsd_registry *reg, const char *host_id, const char *fp, int64_t *rowid,
                    enum key_state *state)
{
	int64_t added = 0;
	int r = hsd__reg_find_host(reg, host_id, rowid, NULL);
	if (r == 0 && (r = key_on_host(reg, *rowid, fp, state, &added)) == 0 && *state == KEY_ABSENT)
		r = hsd__reg_fail(reg, HS_ERR_NOT_FOUND, "host \"%s\" has no key %s (see hostsd trust list)", host_id,
		                  fp);
	return r;
}

int hsd_registry_revoke_key(struct hsd_registry *reg, const char *host_id, const char *fingerprint, int64_t now,
                            int *changed)
{
	sqlite3_stmt *st = NULL;
	char fp[HS_FINGERPRINT_SIZE];
	int64_t rowid = 0;
	int r, n = 0;
	enum key_state state = KEY_ABSENT;
	reg->err[0] = '\0';
	if ((r = check_host_id(reg, host_id)) != 0 || (r = parse_fingerprint(reg, fingerprint, fp)) != 0)
		return r;
	if ((r = hsd__reg_tx_begin(reg)) != 0)
		return r;
	if ((r = find_key(reg, host_id, fp, &rowid, &state)) == 0 &&
	    (r = hsd__reg_prepare(reg, &st,
	                          "UPDATE host_keys SET revoked = 1, revoked_at = ? "
	                          "WHERE host = ? AND fingerprint = ? AND revoked = 0",
	                          "iit", now, rowid, fp)) == 0)
		r = run(reg, st, &n);
	r = hsd__reg_tx_end(reg, r, 1);
	if (r == 0 && changed != NULL)
		*changed = n > 0;
	return r;
}

int hsd_registry_remove_host(struct hsd_registry *reg, const char *host_id)
{
	sqlite3_stmt *st = NULL;
	int64_t rowid = 0;
	int r;
	reg->err[0] = '\0';
	if ((r = check_host_id(reg, host_id)) != 0)
		return r;
	if ((r = hsd__reg_tx_begin(reg)) != 0)
		return r;
	/* Keys and grants go with it (ON DELETE CASCADE). */
	if ((r = hsd__reg_find_host(reg, host_id, &rowid, NULL)) == 0 &&
	    (r = hsd__reg_prepare(reg, &st, "DELETE FROM hosts WHERE id = ?", "i", rowid)) == 0)
		r = run(reg, st, NULL);
	return hsd__reg_tx_end(reg, r, 1);
}

int hsd_registry_remove_key(struct hsd_registry *reg, const char *host_id, const char *fingerprint)
{
	sqlite3_stmt *st = NULL;
	char fp[HS_FINGERPRINT_SIZE];
	int64_t rowid = 0;
	enum key_state state = KEY_ABSENT;
	int r;
	reg->err[0] = '\0';
	if ((r = check_host_id(reg, host_id)) != 0 || (r = parse_fingerprint(reg, fingerprint, fp)) != 0)
		return r;
	if ((r = hsd__reg_tx_begin(reg)) != 0)
		return r;
	if ((r = find_key(reg, host_id, fp, &rowid, &state)) == 0 &&
	    (r = hsd__reg_prepare(reg, &st, "DELETE FROM host_keys WHERE host = ? AND fingerprint = ?", "it", rowid,
	                          fp)) == 0)
		r = run(reg, st, NULL);
	return hsd__reg_tx_end(reg, r, 1);
}

int hsd_registry_grant(struct hsd_registry *reg, const char *host_id, const char *subsystem, int *changed)
{
	sqlite3_stmt *st = NULL;
	int64_t rowid = 0, count = 0;
	int r, n = 0, row;
	reg->err[0] = '\0';
	if ((r = check_host_id(reg, host_id)) != 0 || (r = check_grant(reg, subsystem)) != 0)
		return r;
	if ((r = hsd__reg_tx_begin(reg)) != 0)
		return r;
	if ((r = hsd__reg_find_host(reg, host_id, &rowid, NULL)) != 0)
		goto out;
	if ((r = hsd__reg_prepare(reg, &st, "SELECT count(*) FROM grants WHERE host = ?", "i", rowid)) != 0)
		goto out;
	r = hsd__reg_step(reg, st, "reading", &row);
	count = r == 0 && row ? (int64_t)sqlite3_column_int64(st, 0) : 0;
	sqlite3_finalize(st);
	if (r != 0)
		goto out;
	if ((r = insert_grant(reg, rowid, subsystem, &n)) != 0)
		goto out;
	if (n > 0 && count >= HSD_MAX_GRANTS)
		r = hsd__reg_fail(reg, HS_ERR_LIMIT, "host \"%s\" is granted %d subsystems already (at most %d)",
		                  host_id, (int)count, HSD_MAX_GRANTS);
out:
	r = hsd__reg_tx_end(reg, r, 1);
	if (r == 0 && changed != NULL)
		*changed = n > 0;
	return r;
}

int hsd_registry_deny(struct hsd_registry *reg, const char *host_id, const char *subsystem, int *changed)
{
	sqlite3_stmt *st = NULL;
	int64_t rowid = 0;
	int r, n = 0, row;
	reg->err[0] = '\0';
	if ((r = check_host_id(reg, host_id)) != 0 || (r = check_grant(reg, subsystem)) != 0)
		return r;
	if ((r = hsd__reg_tx_begin(reg)) != 0)
		return r;
	if ((r = hsd__reg_find_host(reg, host_id, &rowid, NULL)) != 0)
		goto out;
	if (strcmp(subsystem, "*") != 0) {
		if ((r = hsd__reg_prepare(reg, &st, "SELECT 1 FROM grants WHERE host = ? AND subsystem = '*'", "i",
		                          rowid)) != 0)
			goto out;
		r = hsd__reg_step(reg, st, "reading", &row);
		sqlite3_finalize(st);
		if (r != 0)
			goto out;
		if (row) {
			r = hsd__reg_fail(reg, HS_ERR_INVALID_ARG,
			                  "host \"%s\" is granted every subsystem (*), which cannot mean \"all but "
			                  "%s\": "
			                  "deny * first (hostsd trust deny %s '*'), then grant what it needs",
			                  host_id, subsystem, host_id);
			goto out;
		}
	}
	if ((r = hsd__reg_prepare(reg, &st, "DELETE FROM grants WHERE host = ? AND subsystem = ?", "it", rowid,
	                          subsystem)) == 0)
		r = run(reg, st, &n);
out:
	r = hsd__reg_tx_end(reg, r, 1);
	if (r == 0 && changed != NULL)
		*changed = n > 0;
	return r;
}
