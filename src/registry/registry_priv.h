/*
 * hostsd program — what the trust registry's files share (not for other
 * modules): the handle, error reporting, statement and transaction
 * helpers. See registry.c.
 */
#ifndef HSD_REGISTRY_PRIV_H
#define HSD_REGISTRY_PRIV_H

#include <sqlite3.h>

#include "registry/registry.h"

struct hsd_registry {
	sqlite3 *db;
	char *path;
	char err[1024]; /* the last failure, for a person */
	int busy_ms;
	int in_tx;            /* inside hsd_registry_begin() */
	int self_changed;     /* this handle committed a trust change */
	int64_t data_version; /* hsd_registry_changed()'s last view */
	int64_t generation;
};

/* Set reg->err from a format and return code, which callers give as a
 * negative HS_ERR_*: a failure path returns nonzero. */
int hsd__reg_fail(struct hsd_registry *reg, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Turn an SQLite result code into an HS_ERR_* and a sentence; doing says
 * what was being done ("reading", "saving a change", ...). */
int hsd__reg_db_fail(struct hsd_registry *reg, int rc, const char *doing);

/* Prepare sql and bind its parameters, described by types, one letter
 * each: 't' text (const char *, NULL binds NULL), 'i' int64_t, 'n' int64_t
 * where 0 binds NULL, 'b' blob (const void *, size_t). Caller finalizes. */
int hsd__reg_prepare(struct hsd_registry *reg, sqlite3_stmt **out, const char *sql, const char *types, ...);

/* One step: *row is 1 when a row is ready, 0 when done. */
int hsd__reg_step(struct hsd_registry *reg, sqlite3_stmt *st, const char *doing, int *row);

/* Run SQL without results. */
int hsd__reg_exec(struct hsd_registry *reg, const char *sql, const char *doing);

/* The first column of the first row as an integer (0 if no row). */
int hsd__reg_query_int(struct hsd_registry *reg, const char *sql, int64_t *out);

/* A change: begin, then end with the change's result r (commit when 0,
 * else roll back keeping r's message). trust_change: it touched hosts,
 * keys or grants. Returns r, or the commit's error. */
int hsd__reg_tx_begin(struct hsd_registry *reg);
int hsd__reg_tx_end(struct hsd_registry *reg, int r, int trust_change);

/* A consistent read of several statements. */
int hsd__reg_read_begin(struct hsd_registry *reg);
void hsd__reg_read_end(struct hsd_registry *reg);

/* The row id and revoked flag (revoked may be NULL) of a host;
 * HS_ERR_NOT_FOUND (with a message) if absent. Both are 0 unless it
 * returns 0. */
int hsd__reg_find_host(struct hsd_registry *reg, const char *host_id, int64_t *rowid, int *revoked);

/* host_id cut and made printable, for messages (it may come from anyone). */
const char *hsd__reg_shown(const char *s, char *buf, size_t buflen);

/* Load one host (by identity) with every key and grant; HS_ERR_NOT_FOUND
 * (with a message) if absent. Inside a read or write transaction. */
int hsd__reg_load_host(struct hsd_registry *reg, const char *host_id, struct hsd_reg_host *out);

#endif
