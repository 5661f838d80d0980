/*
 * hostsd program — the trust registry as the server uses it (see
 * registry.h): who may log in with which key now, and the attempt log.
 * Everything a peer chose (the host identity it claims, its address text)
 * is checked or made printable before it is used or stored; unknown or
 * malformed identities are simply "not found", without a message that a
 * log could echo.
 */
#include "registry/registry_priv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *hsd_verdict_reason(enum hsd_verdict v)
{
	switch (v) {
	case HSD_VERDICT_OK:
		return "accepted";
	case HSD_VERDICT_UNKNOWN_HOST:
		return "unknown host";
	case HSD_VERDICT_HOST_REVOKED:
		return "host revoked";
	case HSD_VERDICT_UNKNOWN_KEY:
		return "key not authorized";
	case HSD_VERDICT_KEY_REVOKED:
		return "key revoked";
	case HSD_VERDICT_KEY_EXPIRED:
		return "key expired";
	}
	return "refused";
}

int hsd_registry_lookup(struct hsd_registry *reg, const char *host_id, int64_t now, struct hsd_reg_host *out)
{
	int r;
	memset(out, 0, sizeof(*out));
	reg->err[0] = '\0';
	if (!hsd_host_id_valid(host_id))
		return HS_ERR_NOT_FOUND;
	if ((r = hsd__reg_read_begin(reg)) != 0)
		return r;
	r = hsd__reg_load_host(reg, host_id, out);
	hsd__reg_read_end(reg);
	if (r == HS_ERR_NOT_FOUND)
		reg->err[0] = '\0';
	if (r != 0)
		return r;
	/* Keep only the keys that may authenticate now: the server cannot
	 * then accept a revoked or expired key by mistake. */
	size_t kept = 0;
	for (size_t i = 0; i < out->nkeys; i++) {
		struct hsd_reg_key *k = &out->keys[i];
		if (!out->revoked && hsd_reg_key_state(k, now) == HSD_KEY_VALID) {
			out->keys[kept++] = *k;
		} else {
			hs_key_free(k->key);
			free(k->comment);
		}
	}
	out->nkeys = kept;
	if (out->revoked) {
		for (size_t i = 0; i < out->ngrants; i++)
			free(out->grants[i]);
		out->ngrants = 0;
	}
	return 0;
}

int hsd_registry_check_key(struct hsd_registry *reg, const char *host_id, const char *fingerprint, int64_t now,
                           enum hsd_verdict *verdict)
{
	struct hsd_reg_host h;
	int r;
	*verdict = HSD_VERDICT_UNKNOWN_HOST;
	reg->err[0] = '\0';
	if (!hsd_host_id_valid(host_id))
		return 0;
	if ((r = hsd__reg_read_begin(reg)) != 0)
		return r;
	r = hsd__reg_load_host(reg, host_id, &h);
	hsd__reg_read_end(reg);
	if (r == HS_ERR_NOT_FOUND) {
		reg->err[0] = '\0';
		return 0;
	}
	if (r != 0)
		return r;
	if (h.revoked) {
		*verdict = HSD_VERDICT_HOST_REVOKED;
		goto out;
	}
	/* Fingerprints here are recomputed from the stored blobs. Every row
	 * is looked at: a valid one wins over a revoked or expired one. */
	*verdict = HSD_VERDICT_UNKNOWN_KEY;
	for (size_t i = 0; fingerprint != NULL && i < h.nkeys; i++) {
		const struct hsd_reg_key *k = &h.keys[i];
		if (k->key == NULL || strcmp(k->fingerprint, fingerprint) != 0)
			continue;
		switch (hsd_reg_key_state(k, now)) {
		case HSD_KEY_VALID:
			*verdict = HSD_VERDICT_OK;
			goto out;
		case HSD_KEY_REVOKED:
			*verdict = HSD_VERDICT_KEY_REVOKED;
			break;
		case HSD_KEY_EXPIRED:
			if (*verdict != HSD_VERDICT_KEY_REVOKED)
				*verdict = HSD_VERDICT_KEY_EXPIRED;
			break;
		case HSD_KEY_UNUSABLE:
			break;
		}
	}
out:
	hsd_reg_host_clear(&h);
	return 0;
}

int hsd_registry_grants(struct hsd_registry *reg, const char *host_id, char ***grants, size_t *n)
{
	struct hsd_reg_host h;
	int r;
	*grants = NULL;
	*n = 0;
	r = hsd_registry_lookup(reg, host_id, 0, &h);
	if (r == HS_ERR_NOT_FOUND)
		return 0;
	if (r != 0)
		return r;
	/* Hand the array over (none when there are no grants). */
	if (h.ngrants > 0) {
		*grants = h.grants;
		*n = h.ngrants;
		h.grants = NULL;
		h.ngrants = 0;
	}
	hsd_reg_host_clear(&h);
	return 0;
}

/* Printable ASCII only, cut to max bytes: what the log stores. */
static void log_text(char *out, size_t max, const char *in)
{
	size_t o = 0;
	for (const char *p = in != NULL ? in : ""; *p != '\0' && o < max; p++)
		out[o++] = (char)((*p >= 0x20 && *p <= 0x7e) ? *p : '?');
	out[o] = '\0';
}

/* Forget the oldest rows of one kind beyond HSD_AUTH_LOG_KEEP (one walk of
 * the kind's index). */
static int prune_kind(struct hsd_registry *reg, int64_t kind)
{
	sqlite3_stmt *st = NULL;
	int r, row;
	if ((r = hsd__reg_prepare(reg, &st,
	                          "DELETE FROM auth_log WHERE kind = ?1 AND id < (SELECT id FROM auth_log "
	                          "WHERE kind = ?1 ORDER BY id DESC LIMIT 1 OFFSET ?2)",
	                          "ii", kind, (int64_t)HSD_AUTH_LOG_KEEP - 1)) != 0)
		return r;
	r = hsd__reg_step(reg, st, "pruning the attempt log", &row);
	sqlite3_finalize(st);
	return r;
}

/* Add n to the count of last's day (inside a transaction). */
static int count_invalid(struct hsd_registry *reg, uint64_t n, int64_t first, int64_t last, const char *peer)
{
	char p[HSD_PEER_MAX + 1];
	sqlite3_stmt *st = NULL;
	int r, row;
	int64_t day = last / 86400;
	log_text(p, HSD_PEER_MAX, peer);
	if (n > (uint64_t)INT64_MAX)
		n = (uint64_t)INT64_MAX;
	if (first > last)
		first = last;
	if ((r = hsd__reg_prepare(reg, &st,
	                          "INSERT INTO auth_invalid (day, attempts, first, last, last_peer) "
	                          "VALUES (?, ?, ?, ?, ?) ON CONFLICT (day) DO UPDATE SET "
	                          "attempts = attempts + excluded.attempts, first = min(first, excluded.first), "
	                          "last_peer = CASE WHEN excluded.last >= last THEN excluded.last_peer "
	                          "ELSE last_peer END, last = max(last, excluded.last)",
	                          "iiiit", day, (int64_t)n, first, last, p)) != 0)
		return r;
	r = hsd__reg_step(reg, st, "counting attempts", &row);
	sqlite3_finalize(st);
	if (r != 0)
		return r;
	if ((r = hsd__reg_prepare(reg, &st, "DELETE FROM auth_invalid WHERE day < ?", "i",
	                          day - (int64_t)HSD_AUTH_INVALID_KEEP_DAYS)) != 0)
		return r;
	r = hsd__reg_step(reg, st, "counting attempts", &row);
	sqlite3_finalize(st);
	return r;
}

static int insert_event(struct hsd_registry *reg, const struct hsd_auth_event *ev)
{
	char peer[HSD_PEER_MAX + 1], host[HSD_HOST_ID_MAX + 1], fp[HS_FINGERPRINT_SIZE], reason[HSD_REASON_MAX + 1];
	sqlite3_stmt *st = NULL;
	int r, row;
	/* a made-up name is counted, not stored: a flood of them must not
	 * push real rows out */
	if (!ev->accepted && !hsd_host_id_valid(ev->host_id))
		return count_invalid(reg, 1, ev->time, ev->time, ev->peer);
	log_text(peer, HSD_PEER_MAX, ev->peer);
	log_text(host, HSD_HOST_ID_MAX, ev->host_id);
	log_text(fp, HS_FINGERPRINT_SIZE - 1, ev->fingerprint);
	log_text(reason, HSD_REASON_MAX, ev->reason);
	/* the kind: accepted, refused for a registered host, for a stranger */
	if ((r = hsd__reg_prepare(reg, &st,
	                          "INSERT INTO auth_log (time, peer, host_id, fingerprint, result, reason, kind) "
	                          "VALUES (?1, ?2, ?3, ?4, ?5, ?6, CASE WHEN ?5 = 'accepted' THEN 0 "
	                          "WHEN EXISTS (SELECT 1 FROM hosts WHERE host_id = ?3) THEN 1 ELSE 2 END)",
	                          "ittttt", ev->time, peer, host, fp, ev->accepted ? "accepted" : "refused", reason)) !=
	    0)
		return r;
	r = hsd__reg_step(reg, st, "logging an attempt", &row);
	sqlite3_finalize(st);
	if (r != 0)
		return r;
	/* Now and then, forget the oldest rows of each kind beyond the limit:
	 * bounded disk use whatever peers do, at the cost of a walk of each
	 * kind's index per HSD_AUTH_LOG_PRUNE_EVERY rows. */
	int64_t id = (int64_t)sqlite3_last_insert_rowid(reg->db);
	for (int64_t kind = 0; r == 0 && kind < 3 && id % HSD_AUTH_LOG_PRUNE_EVERY == 0; kind++)
		r = prune_kind(reg, kind);
	return r;
}

int hsd_registry_log_attempt(struct hsd_registry *reg, const struct hsd_auth_event *ev)
{
	int r;
	reg->err[0] = '\0';
	if (ev == NULL)
		return hsd__reg_fail(reg, HS_ERR_INVALID_ARG, "no attempt to log");
	if ((r = hsd__reg_tx_begin(reg)) != 0)
		return r;
	r = insert_event(reg, ev);
	return hsd__reg_tx_end(reg, r, 0);
}

int hsd_registry_count_invalid(struct hsd_registry *reg, uint64_t n, int64_t first, int64_t last, const char *peer)
{
	int r;
	reg->err[0] = '\0';
	if (n == 0)
		return 0;
	if ((r = hsd__reg_tx_begin(reg)) != 0)
		return r;
	r = count_invalid(reg, n, first, last, peer);
	return hsd__reg_tx_end(reg, r, 0);
}

int hsd_registry_record_login(struct hsd_registry *reg, const char *host_id, const char *peer, const char *fingerprint,
                              int64_t now)
{
	char p[HSD_PEER_MAX + 1], fp[HS_FINGERPRINT_SIZE];
	struct hsd_auth_event ev = { now, peer, host_id, fingerprint, 1, NULL };
	sqlite3_stmt *st = NULL;
	int r, row;
	reg->err[0] = '\0';
	if (!hsd_host_id_valid(host_id))
		return hsd__reg_fail(reg, HS_ERR_INVALID_ARG, "invalid host identity in a login record");
	log_text(p, HSD_PEER_MAX, peer);
	log_text(fp, HS_FINGERPRINT_SIZE - 1, fingerprint);
	if ((r = hsd__reg_tx_begin(reg)) != 0)
		return r;
	/* The host may have been removed since it logged in: the log row is
	 * still written. */
	if ((r = hsd__reg_prepare(reg, &st,
	                          "UPDATE hosts SET last_login = ?, last_login_peer = ?, last_login_key = ? "
	                          "WHERE host_id = ?",
	                          "ittt", now, p, fp, host_id)) != 0)
		goto out;
	r = hsd__reg_step(reg, st, "recording a login", &row);
	sqlite3_finalize(st);
	if (r == 0)
		r = insert_event(reg, &ev);
out:
	return hsd__reg_tx_end(reg, r, 0);
}

/* One more event at the end of *v (zeroed), or NULL when out of memory
 * (with the registry's message). */
static struct hsd_reg_event *new_event(struct hsd_registry *reg, struct hsd_reg_event **v, size_t *count, size_t *cap)
{
	if (*count == *cap) {
		size_t ncap = *cap ? *cap * 2 : 32;
		struct hsd_reg_event *nv = realloc(*v, ncap * sizeof(*nv));
		if (nv == NULL) {
			hsd__reg_fail(reg, HS_ERR_ALLOC, "out of memory");
			return NULL;
		}
		*v = nv;
		*cap = ncap;
	}
	struct hsd_reg_event *e = &(*v)[(*count)++];
	memset(e, 0, sizeof(*e));
	return e;
}

/* The days' counts of attempts with invalid host ids, newest first, into
 * *out (at most limit). */
static int read_counts(struct hsd_registry *reg, size_t limit, struct hsd_reg_event **out, size_t *n)
{
	sqlite3_stmt *st = NULL;
	struct hsd_reg_event *v = NULL;
	size_t count = 0, cap = 0;
	int r, row;
	*out = NULL;
	*n = 0;
	if ((r = hsd__reg_prepare(reg, &st,
	                          "SELECT last, last_peer, attempts, first FROM auth_invalid ORDER BY last DESC LIMIT "
	                          "?",
	                          "i", (int64_t)limit)) != 0)
		return r;
	while ((r = hsd__reg_step(reg, st, "reading the attempt log", &row)) == 0 && row) {
		struct hsd_reg_event *e = new_event(reg, &v, &count, &cap);
		if (e == NULL) {
			r = HS_ERR_ALLOC;
			break;
		}
		e->time = (int64_t)sqlite3_column_int64(st, 0);
		log_text(e->peer, HSD_PEER_MAX, (const char *)sqlite3_column_text(st, 1));
		int64_t attempts = (int64_t)sqlite3_column_int64(st, 2);
		e->attempts = attempts > 0 ? (uint64_t)attempts : 1;
		e->since = (int64_t)sqlite3_column_int64(st, 3);
	}
	sqlite3_finalize(st);
	if (r != 0) {
		free(v);
		return r;
	}
	*out = v;
	*n = count;
	return 0;
}

/* Merge the counts c (newest first) into the rows v (newest first), by
 * time, keeping at most limit; frees both, the result in *out. */
static int merge_counts(struct hsd_registry *reg, struct hsd_reg_event *v, size_t nv, struct hsd_reg_event *c,
                        size_t nc, size_t limit, struct hsd_reg_event **out, size_t *n)
{
	size_t total = nv + nc < limit ? nv + nc : limit, i = 0, k = 0;
	struct hsd_reg_event *m = total > 0 ? calloc(total, sizeof(*m)) : NULL;
	if (total > 0 && m == NULL) {
		free(v);
		free(c);
		return hsd__reg_fail(reg, HS_ERR_ALLOC, "out of memory");
	}
	for (size_t o = 0; o < total; o++) {
		/* a row and a count of the same second: the row first */
		if (k < nc && (i == nv || v == NULL || c[k].time > v[i].time))
			m[o] = c[k++];
		else if (v != NULL && i < nv)
			m[o] = v[i++];
	}
	free(v);
	free(c);
	*out = m;
	*n = total;
	return 0;
}

int hsd_registry_read_log(struct hsd_registry *reg, const char *host_id, size_t limit, struct hsd_reg_event **out,
                          size_t *n)
{
	sqlite3_stmt *st = NULL;
	struct hsd_reg_event *v = NULL, *counts = NULL;
	size_t count = 0, cap = 0, ncounts = 0;
	int r, row;
	*out = NULL;
	*n = 0;
	reg->err[0] = '\0';
	if (limit > HSD_AUTH_LOG_READ_MAX)
		limit = HSD_AUTH_LOG_READ_MAX;
	if ((r = hsd__reg_read_begin(reg)) != 0)
		return r;
	if (host_id != NULL)
		r = hsd__reg_prepare(reg, &st,
		                     "SELECT time, peer, host_id, fingerprint, result, reason FROM auth_log "
		                     "WHERE host_id = ? ORDER BY id DESC LIMIT ?",
		                     "ti", host_id, (int64_t)limit);
	else
		r = hsd__reg_prepare(reg, &st,
		                     "SELECT time, peer, host_id, fingerprint, result, reason FROM auth_log "
		                     "ORDER BY id DESC LIMIT ?",
		                     "i", (int64_t)limit);
	if (r != 0)
		goto out;
	while ((r = hsd__reg_step(reg, st, "reading the attempt log", &row)) == 0 && row) {
		struct hsd_reg_event *e = new_event(reg, &v, &count, &cap);
		const char *t;
		if (e == NULL) {
			r = HS_ERR_ALLOC;
			break;
		}
		e->time = (int64_t)sqlite3_column_int64(st, 0);
		log_text(e->peer, HSD_PEER_MAX, (const char *)sqlite3_column_text(st, 1));
		log_text(e->host_id, HSD_HOST_ID_MAX, (const char *)sqlite3_column_text(st, 2));
		log_text(e->fingerprint, HS_FINGERPRINT_SIZE - 1, (const char *)sqlite3_column_text(st, 3));
		t = (const char *)sqlite3_column_text(st, 4);
		e->accepted = t != NULL && strcmp(t, "accepted") == 0;
		log_text(e->reason, HSD_REASON_MAX, (const char *)sqlite3_column_text(st, 5));
	}
	sqlite3_finalize(st);
	/* the counts of invalid host ids belong to no host */
	if (r == 0 && host_id == NULL)
		r = read_counts(reg, limit, &counts, &ncounts);
out:
	hsd__reg_read_end(reg);
	if (r != 0) {
		free(v);
		return r;
	}
	if (ncounts == 0) {
		*out = v;
		*n = count;
		return 0;
	}
	return merge_counts(reg, v, count, counts, ncounts, limit, out, n);
}

void hsd_reg_events_free(struct hsd_reg_event *ev)
{
	free(ev);
}
