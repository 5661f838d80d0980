/*
 * hostsd program — the trust registry on SQLite (see registry.h): opening
 * and checking the file, the transaction discipline, and the messages that
 * tell a person what went wrong and what to do. The host operations live
 * in registry_hosts.c, the server's calls in registry_auth.c; they share
 * the helpers of registry_priv.h.
 */
#include "registry/registry_priv.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "registry/schema.h"

int hsd__reg_fail(struct hsd_registry *reg, int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(reg->err, sizeof reg->err, fmt, ap);
	va_end(ap);
	return code;
}

/* The directory part of path, for "run hostsd init --dir DIR". */
static void dir_of(const char *path, char *out, size_t outlen)
{
	const char *slash = strrchr(path, '/');
	if (slash == NULL)
		snprintf(out, outlen, ".");
	else if (slash == path)
		snprintf(out, outlen, "/");
	else
		snprintf(out, outlen, "%.*s", (int)(slash - path), path);
}

int hsd__reg_db_fail(struct hsd_registry *reg, int rc, const char *doing)
{
	const char *path = reg->path;
	const char *detail = reg->db != NULL ? sqlite3_errmsg(reg->db) : sqlite3_errstr(rc);
	switch (rc & 0xff) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return hsd__reg_fail(reg, HS_ERR_TIMEOUT,
		                     "the registry %s is locked by another process (waited %d ms while %s); "
		                     "try again in a moment",
		                     path, reg->busy_ms, doing);
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:
		return hsd__reg_fail(reg, HS_ERR_FORMAT,
		                     "the registry %s is damaged (%s, while %s): restore it from a backup, or "
		                     "salvage what is left with: sqlite3 %s .recover",
		                     path, detail, doing, path);
	case SQLITE_FULL:
		return hsd__reg_fail(reg, HS_ERR_IO, "cannot write the registry %s: the disk is full (while %s)", path,
		                     doing);
	case SQLITE_NOMEM:
		return hsd__reg_fail(reg, HS_ERR_ALLOC, "out of memory while %s the registry %s", doing, path);
	case SQLITE_READONLY:
	case SQLITE_PERM:
	case SQLITE_CANTOPEN:
	case SQLITE_AUTH:
	case SQLITE_IOERR: {
		char dir[4096];
		dir_of(path, dir, sizeof dir);
		return hsd__reg_fail(reg, HS_ERR_IO,
		                     "cannot use the registry %s (%s, while %s): check that you may read and "
		                     "write it and its directory %s (run hostsd as the user that owns them)",
		                     path, detail, doing, dir);
	}
	case SQLITE_CONSTRAINT:
		return hsd__reg_fail(reg, HS_ERR_INVALID_ARG, "the registry %s refused a change (%s, while %s)", path,
		                     detail, doing);
	default:
		return hsd__reg_fail(reg, HS_ERR_IO, "registry %s: %s (while %s)", path, detail, doing);
	}
}

int hsd__reg_prepare(struct hsd_registry *reg, sqlite3_stmt **out, const char *sql, const char *types, ...)
{
	sqlite3_stmt *st = NULL;
	va_list ap;
	int rc = sqlite3_prepare_v2(reg->db, sql, -1, &st, NULL);
	*out = NULL;
	if (rc != SQLITE_OK)
		return hsd__reg_db_fail(reg, rc, "reading");
	va_start(ap, types);
	for (int i = 0; types[i] != '\0' && rc == SQLITE_OK; i++) {
		switch (types[i]) {
		case 't': {
			const char *s = va_arg(ap, const char *);
			rc = s != NULL ? sqlite3_bind_text(st, i + 1, s, -1, SQLITE_TRANSIENT)
			               : sqlite3_bind_null(st, i + 1);
			break;
		}
		case 'i':
			rc = sqlite3_bind_int64(st, i + 1, (sqlite3_int64)va_arg(ap, int64_t));
			break;
		case 'n': {
			int64_t v = va_arg(ap, int64_t);
			rc = v != 0 ? sqlite3_bind_int64(st, i + 1, (sqlite3_int64)v) : sqlite3_bind_null(st, i + 1);
			break;
		}
		case 'b': {
			const void *p = va_arg(ap, const void *);
			size_t n = va_arg(ap, size_t);
			rc = n <= 0x7fffffff ? sqlite3_bind_blob(st, i + 1, p, (int)n, SQLITE_TRANSIENT)
			                     : SQLITE_TOOBIG;
			break;
		}
		default:
			rc = SQLITE_MISUSE;
		}
	}
	va_end(ap);
	if (rc != SQLITE_OK) {
		sqlite3_finalize(st);
		return hsd__reg_db_fail(reg, rc, "reading");
	}
	*out = st;
	return 0;
}

int hsd__reg_step(struct hsd_registry *reg, sqlite3_stmt *st, const char *doing, int *row)
{
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*row = 1;
		return 0;
	}
	*row = 0;
	if (rc == SQLITE_DONE)
		return 0;
	return hsd__reg_db_fail(reg, rc, doing);
}

int hsd__reg_exec(struct hsd_registry *reg, const char *sql, const char *doing)
{
	int rc = sqlite3_exec(reg->db, sql, NULL, NULL, NULL);
	return rc == SQLITE_OK ? 0 : hsd__reg_db_fail(reg, rc, doing);
}

int hsd__reg_query_int(struct hsd_registry *reg, const char *sql, int64_t *out)
{
	sqlite3_stmt *st = NULL;
	int r, row;
	*out = 0;
	if ((r = hsd__reg_prepare(reg, &st, sql, "")) != 0)
		return r;
	if ((r = hsd__reg_step(reg, st, "reading", &row)) == 0 && row)
		*out = (int64_t)sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return r;
}

int hsd__reg_tx_begin(struct hsd_registry *reg)
{
	/* IMMEDIATE takes the write lock at once, waiting (busy_timeout) for
	 * another writer; a deferred transaction could instead fail later,
	 * mid-change, without waiting. Inside hsd_registry_begin() each change
	 * is a savepoint, so a refused change leaves the others. */
	return hsd__reg_exec(reg, reg->in_tx ? "SAVEPOINT change" : "BEGIN IMMEDIATE", "starting a change");
}

int hsd__reg_tx_end(struct hsd_registry *reg, int r, int trust_change)
{
	if (r == 0) {
		int c = hsd__reg_exec(reg, reg->in_tx ? "RELEASE change" : "COMMIT", "saving a change");
		if (c == 0) {
			if (trust_change)
				reg->self_changed = 1;
			return 0;
		}
		r = c;
	}
	/* Keep the first error's message: the rollback's would hide it. */
	char keep[sizeof reg->err];
	memcpy(keep, reg->err, sizeof keep);
	if (reg->in_tx)
		sqlite3_exec(reg->db, "ROLLBACK TO change; RELEASE change", NULL, NULL, NULL);
	else if (!sqlite3_get_autocommit(reg->db))
		sqlite3_exec(reg->db, "ROLLBACK", NULL, NULL, NULL);
	memcpy(reg->err, keep, sizeof keep);
	return r;
}

int hsd__reg_read_begin(struct hsd_registry *reg)
{
	/* A read transaction: several SELECTs see one snapshot. */
	return reg->in_tx ? 0 : hsd__reg_exec(reg, "BEGIN", "reading");
}

void hsd__reg_read_end(struct hsd_registry *reg)
{
	if (!reg->in_tx && !sqlite3_get_autocommit(reg->db))
		sqlite3_exec(reg->db, "COMMIT", NULL, NULL, NULL);
}

int hsd_registry_begin(struct hsd_registry *reg)
{
	if (reg->in_tx)
		return hsd__reg_fail(reg, HS_ERR_INVALID_ARG, "a change group is already open");
	int r = hsd__reg_exec(reg, "BEGIN IMMEDIATE", "starting a change");
	if (r == 0)
		reg->in_tx = 1;
	return r;
}

int hsd_registry_commit(struct hsd_registry *reg)
{
	if (!reg->in_tx)
		return hsd__reg_fail(reg, HS_ERR_INVALID_ARG, "no change group is open");
	int r = hsd__reg_exec(reg, "COMMIT", "saving changes");
	if (r != 0) {
		hsd_registry_rollback(reg);
		return r;
	}
	reg->in_tx = 0;
	reg->self_changed = 1;
	return 0;
}

void hsd_registry_rollback(struct hsd_registry *reg)
{
	if (reg == NULL || reg->db == NULL)
		return;
	if (!sqlite3_get_autocommit(reg->db))
		sqlite3_exec(reg->db, "ROLLBACK", NULL, NULL, NULL);
	reg->in_tx = 0;
}

const char *hsd_registry_error(const struct hsd_registry *reg)
{
	return reg != NULL ? reg->err : "";
}

const char *hsd_registry_path(const struct hsd_registry *reg)
{
	return reg->path;
}

void hsd_registry_set_busy_timeout(struct hsd_registry *reg, int ms)
{
	reg->busy_ms = ms < 0 ? 0 : ms;
	sqlite3_busy_timeout(reg->db, reg->busy_ms);
}

/* Create the schema in an empty file; another process may be doing the
 * same, so it is decided under the write lock. */
static int create_schema(struct hsd_registry *reg)
{
	int64_t version, tables;
	int r;
	char sql[128];
	/* WAL cannot be switched on inside a transaction. It is persistent:
	 * every later connection gets it. */
	if ((r = hsd__reg_exec(reg, "PRAGMA journal_mode=WAL", "creating")) != 0)
		return r;
	if ((r = hsd__reg_tx_begin(reg)) != 0)
		return r;
	if ((r = hsd__reg_query_int(reg, "PRAGMA user_version", &version)) != 0 ||
	    (r = hsd__reg_query_int(reg, "SELECT count(*) FROM sqlite_master", &tables)) != 0)
		goto out;
	if (version != 0)
		goto out; /* created meanwhile */
	if (tables != 0) {
		r = hsd__reg_fail(reg, HS_ERR_FORMAT,
		                  "%s is an SQLite file of another program, not a hostsd registry: move it away",
		                  reg->path);
		goto out;
	}
	if ((r = hsd__reg_exec(reg, HSD_REGISTRY_SCHEMA_SQL, "creating")) != 0)
		goto out;
	snprintf(sql, sizeof sql, "PRAGMA application_id=%d; PRAGMA user_version=%d", HSD_REGISTRY_APP_ID,
	         HSD_REGISTRY_VERSION);
	r = hsd__reg_exec(reg, sql, "creating");
out:
	return hsd__reg_tx_end(reg, r, 1);
}

/* Bring a version 1 file up to this version, under the write lock (another
 * process may be doing the same: it is decided inside). */
static int migrate(struct hsd_registry *reg)
{
	int64_t version;
	int r;
	if ((r = hsd__reg_tx_begin(reg)) != 0)
		return r;
	if ((r = hsd__reg_query_int(reg, "PRAGMA user_version", &version)) != 0)
		goto out;
	if (version == 1)
		r = hsd__reg_exec(reg, HSD_REGISTRY_MIGRATE_1_SQL, "updating the registry to this version");
out:
	return hsd__reg_tx_end(reg, r, 0);
}

/* Is the file a registry of a version we know? */
static int check_identity(struct hsd_registry *reg, unsigned flags)
{
	int64_t app, version;
	int r;
	if ((r = hsd__reg_query_int(reg, "PRAGMA application_id", &app)) != 0 ||
	    (r = hsd__reg_query_int(reg, "PRAGMA user_version", &version)) != 0)
		return r;
	if (app == 0 && version == 0) {
		if (flags & HSD_REG_CREATE) {
			if ((r = create_schema(reg)) != 0)
				return r;
			return check_identity(reg, flags & ~(unsigned)HSD_REG_CREATE);
		}
		char dir[4096];
		dir_of(reg->path, dir, sizeof dir);
		return hsd__reg_fail(reg, HS_ERR_FORMAT,
		                     "%s is not a hostsd registry (it holds no hostsd tables): move it away and run "
		                     "hostsd init --dir %s",
		                     reg->path, dir);
	}
	if (app != HSD_REGISTRY_APP_ID)
		return hsd__reg_fail(reg, HS_ERR_FORMAT,
		                     "%s is not a hostsd registry (SQLite application id 0x%08llx): check the path",
		                     reg->path, (unsigned long long)app);
	if (version > HSD_REGISTRY_VERSION)
		return hsd__reg_fail(reg, HS_ERR_FORMAT,
		                     "the registry %s was written by a newer hostsd (schema %lld; this one reads %d): "
		                     "use that version",
		                     reg->path, (long long)version, HSD_REGISTRY_VERSION);
	if (version == 1) {
		if ((r = migrate(reg)) != 0)
			return r;
		return check_identity(reg, flags & ~(unsigned)HSD_REG_CREATE);
	}
	if (version != HSD_REGISTRY_VERSION)
		return hsd__reg_fail(reg, HS_ERR_FORMAT, "the registry %s has an unknown schema version %lld",
		                     reg->path, (long long)version);
	return 0;
}

static int quick_check(struct hsd_registry *reg)
{
	sqlite3_stmt *st = NULL;
	int r, row;
	if ((r = hsd__reg_prepare(reg, &st, "PRAGMA quick_check(1)", "")) != 0)
		return r;
	if ((r = hsd__reg_step(reg, st, "checking", &row)) == 0) {
		const char *res = row ? (const char *)sqlite3_column_text(st, 0) : NULL;
		if (res == NULL || strcmp(res, "ok") != 0)
			r = hsd__reg_fail(reg, HS_ERR_FORMAT,
			                  "the registry %s is damaged (%s): restore it from a backup, or salvage what "
			                  "is left with: sqlite3 %s .recover",
			                  reg->path, res != NULL ? res : "no answer from the check", reg->path);
	}
	sqlite3_finalize(st);
	return r;
}

static int open_db(struct hsd_registry *reg, unsigned flags)
{
	int r, rc;
	int oflags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE;
#ifdef SQLITE_OPEN_NOFOLLOW
	/* The state directory is ours; a symlink planted in it is not. */
	oflags |= SQLITE_OPEN_NOFOLLOW;
#endif
	if (flags & HSD_REG_CREATE)
		oflags |= SQLITE_OPEN_CREATE;
	rc = sqlite3_open_v2(reg->path, &reg->db, oflags, NULL);
	if (rc != SQLITE_OK)
		return hsd__reg_db_fail(reg, rc, "opening");
	sqlite3_extended_result_codes(reg->db, 1);
	sqlite3_busy_timeout(reg->db, reg->busy_ms);
	/* Defensive: no writable_schema tricks; and a file's own triggers and
	 * views may not call functions with side effects. */
	sqlite3_db_config(reg->db, SQLITE_DBCONFIG_DEFENSIVE, 1, (int *)NULL);
	sqlite3_db_config(reg->db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, (int *)NULL);
	if ((r = hsd__reg_exec(reg, "PRAGMA foreign_keys=ON", "opening")) != 0)
		return r;
	/* FULL: a commit is on disk when it returns (power cuts too). */
	if ((r = hsd__reg_exec(reg,
	                       (flags & HSD_REG_SYNC_NORMAL) ? "PRAGMA synchronous=NORMAL" : "PRAGMA synchronous=FULL",
	                       "opening")) != 0)
		return r;
	if ((r = check_identity(reg, flags)) != 0)
		return r;
	if ((flags & HSD_REG_CHECK) && (r = quick_check(reg)) != 0)
		return r;
	/* The baseline of hsd_registry_changed(). */
	if ((r = hsd__reg_query_int(reg, "PRAGMA data_version", &reg->data_version)) != 0 ||
	    (r = hsd__reg_query_int(reg, "SELECT value FROM meta WHERE key = 'trust_generation'", &reg->generation)) !=
	            0)
		return r;
	return 0;
}

int hsd_registry_open(const char *path, unsigned flags, struct hsd_registry **out, char *err, size_t errlen)
{
	struct hsd_registry *reg = NULL;
	struct stat st;
	int r;
	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (out == NULL || path == NULL)
		return HS_ERR_INVALID_ARG;
	*out = NULL;
	if ((reg = calloc(1, sizeof(*reg))) == NULL || (reg->path = strdup(path)) == NULL) {
		free(reg);
		if (err != NULL && errlen > 0)
			snprintf(err, errlen, "out of memory");
		return HS_ERR_ALLOC;
	}
	reg->busy_ms = HSD_REG_BUSY_TIMEOUT_MS;
	/* SQLite would silently open a missing file as an empty database (or
	 * fail with a vague "unable to open"): say what is wrong instead. */
	if (lstat(path, &st) != 0) {
		char dir[4096];
		dir_of(path, dir, sizeof dir);
		if (errno == ENOENT && !(flags & HSD_REG_CREATE))
			r = hsd__reg_fail(reg, HS_ERR_NOT_FOUND, "there is no registry %s: run hostsd init --dir %s",
			                  path, dir);
		else if (errno != ENOENT)
			r = hsd__reg_fail(reg, HS_ERR_IO, "cannot use the registry %s: %s", path, strerror(errno));
		else
			r = open_db(reg, flags);
	} else if (!S_ISREG(st.st_mode)) {
		r = hsd__reg_fail(reg, HS_ERR_IO, "the registry %s is not a regular file (a symlink or a directory?)",
		                  path);
	} else {
		r = open_db(reg, flags);
	}
	if (r != 0) {
		if (err != NULL && errlen > 0)
			snprintf(err, errlen, "%s", reg->err);
		hsd_registry_close(reg);
		return r;
	}
	reg->err[0] = '\0';
	*out = reg;
	return 0;
}

void hsd_registry_close(struct hsd_registry *reg)
{
	if (reg == NULL)
		return;
	if (reg->db != NULL) {
		hsd_registry_rollback(reg);
		sqlite3_close_v2(reg->db);
	}
	free(reg->path);
	free(reg);
}

int hsd_registry_changed(struct hsd_registry *reg, int *changed)
{
	int64_t dv, gen;
	int r;
	*changed = 0;
	reg->err[0] = '\0';
	if ((r = hsd__reg_query_int(reg, "PRAGMA data_version", &dv)) != 0)
		return r;
	/* data_version moves only with other connections' commits; this
	 * handle's own trust changes are remembered in self_changed. */
	if (dv == reg->data_version && !reg->self_changed)
		return 0;
	if ((r = hsd__reg_query_int(reg, "SELECT value FROM meta WHERE key = 'trust_generation'", &gen)) != 0)
		return r;
	reg->data_version = dv;
	reg->self_changed = 0;
	*changed = gen != reg->generation;
	reg->generation = gen;
	return 0;
}
