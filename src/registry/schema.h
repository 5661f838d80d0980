/*
 * hostsd program — the SQL schema of the trust registry (DIR/registry.db).
 * docs/hostsd.md describes every column for users; keep both in step.
 *
 * Times are Unix seconds (UTC). A key's expiry is 00:00 UTC of its expiry
 * date; NULL means it never expires.
 *
 * The attempt log (auth_log) sorts its rows into kinds, each pruned to
 * its own size (HSD_AUTH_LOG_KEEP newest rows), so that no kind can push
 * another's rows out: 0 accepted logins, 1 refusals of a registered host,
 * 2 refusals of a host id the registry does not hold (strangers). A
 * refusal for a user name that is not even a valid host id gets no row:
 * auth_invalid counts those per UTC day (day = time / 86400).
 *
 * Version 2 added auth_log.kind, its index and auth_invalid; a version 1
 * file is brought up to date when opened (HSD_REGISTRY_MIGRATE_1_SQL).
 *
 * meta.trust_generation grows with every change to what decides a login
 * (hosts, their keys, their grants) — not with the attempt log or the
 * last-login columns — so a running server can tell cheaply whether it
 * must re-check its connections. Triggers keep it, so that even a change
 * made with the sqlite3 shell is noticed.
 */
#ifndef HSD_REGISTRY_SCHEMA_H
#define HSD_REGISTRY_SCHEMA_H

/* PRAGMA application_id: "HSRG", so that another program's SQLite file is
 * recognised as such. */
#define HSD_REGISTRY_APP_ID 0x48535247
/* PRAGMA user_version: the schema version this program reads and writes. */
#define HSD_REGISTRY_VERSION 2

/* What version 2 added besides auth_log.kind. */
#define HSD_REGISTRY_V2_TABLES                                    \
	"CREATE INDEX auth_log_by_kind ON auth_log (kind, id);\n" \
	"CREATE TABLE auth_invalid (\n"                           \
	"  day       INTEGER PRIMARY KEY,\n"                      \
	"  attempts  INTEGER NOT NULL,\n"                         \
	"  first     INTEGER NOT NULL,\n"                         \
	"  last      INTEGER NOT NULL,\n"                         \
	"  last_peer TEXT NOT NULL DEFAULT ''\n"                  \
	");\n"

/* Version 1 to 2, in one transaction: the kind of every row as it would
 * be given now (the hosts removed since count as strangers). */
#define HSD_REGISTRY_MIGRATE_1_SQL                                                                     \
	"ALTER TABLE auth_log ADD COLUMN kind INTEGER NOT NULL DEFAULT 1 CHECK (kind IN (0, 1, 2));\n" \
	"UPDATE auth_log SET kind = 0 WHERE result = 'accepted';\n"                                    \
	"UPDATE auth_log SET kind = 2 WHERE result = 'refused' AND host_id NOT IN "                    \
	"(SELECT host_id FROM hosts);\n" HSD_REGISTRY_V2_TABLES "PRAGMA user_version = 2;\n"

#define HSD_REGISTRY_SCHEMA_SQL                                                               \
	"CREATE TABLE meta (\n"                                                               \
	"  key   TEXT PRIMARY KEY,\n"                                                         \
	"  value INTEGER NOT NULL\n"                                                          \
	") WITHOUT ROWID;\n"                                                                  \
	"INSERT INTO meta (key, value) VALUES ('trust_generation', 0);\n"                     \
	"CREATE TABLE hosts (\n"                                                              \
	"  id              INTEGER PRIMARY KEY,\n"                                            \
	"  host_id         TEXT NOT NULL UNIQUE CHECK (length(host_id) BETWEEN 1 AND 64),\n"  \
	"  created         INTEGER NOT NULL,\n"                                               \
	"  revoked         INTEGER NOT NULL DEFAULT 0 CHECK (revoked IN (0, 1)),\n"           \
	"  revoked_at      INTEGER,\n"                                                        \
	"  last_login      INTEGER,\n"                                                        \
	"  last_login_peer TEXT,\n"                                                           \
	"  last_login_key  TEXT\n"                                                            \
	");\n"                                                                                \
	"CREATE TABLE host_keys (\n"                                                          \
	"  id          INTEGER PRIMARY KEY,\n"                                                \
	"  host        INTEGER NOT NULL REFERENCES hosts (id) ON DELETE CASCADE,\n"           \
	"  type        TEXT NOT NULL,\n"                                                      \
	"  blob        BLOB NOT NULL,\n"                                                      \
	"  fingerprint TEXT NOT NULL,\n"                                                      \
	"  added       INTEGER NOT NULL,\n"                                                   \
	"  expires     INTEGER,\n"                                                            \
	"  revoked     INTEGER NOT NULL DEFAULT 0 CHECK (revoked IN (0, 1)),\n"               \
	"  revoked_at  INTEGER,\n"                                                            \
	"  comment     TEXT NOT NULL DEFAULT '',\n"                                           \
	"  UNIQUE (host, fingerprint)\n"                                                      \
	");\n"                                                                                \
	"CREATE INDEX host_keys_by_fingerprint ON host_keys (fingerprint);\n"                 \
	"CREATE TABLE grants (\n"                                                             \
	"  host      INTEGER NOT NULL REFERENCES hosts (id) ON DELETE CASCADE,\n"             \
	"  subsystem TEXT NOT NULL,\n"                                                        \
	"  PRIMARY KEY (host, subsystem)\n"                                                   \
	") WITHOUT ROWID;\n"                                                                  \
	"CREATE TABLE auth_log (\n"                                                           \
	"  id          INTEGER PRIMARY KEY,\n"                                                \
	"  time        INTEGER NOT NULL,\n"                                                   \
	"  peer        TEXT NOT NULL,\n"                                                      \
	"  host_id     TEXT NOT NULL,\n"                                                      \
	"  fingerprint TEXT NOT NULL DEFAULT '',\n"                                           \
	"  result      TEXT NOT NULL CHECK (result IN ('accepted', 'refused')),\n"            \
	"  reason      TEXT NOT NULL DEFAULT '',\n"                                           \
	"  kind        INTEGER NOT NULL DEFAULT 1 CHECK (kind IN (0, 1, 2))\n"                \
	");\n"                                                                                \
	"CREATE INDEX auth_log_by_host ON auth_log (host_id, time);\n" HSD_REGISTRY_V2_TABLES \
	"CREATE TRIGGER hosts_ins AFTER INSERT ON hosts BEGIN\n"                              \
	"  UPDATE meta SET value = value + 1 WHERE key = 'trust_generation'; END;\n"          \
	"CREATE TRIGGER hosts_del AFTER DELETE ON hosts BEGIN\n"                              \
	"  UPDATE meta SET value = value + 1 WHERE key = 'trust_generation'; END;\n"          \
	"CREATE TRIGGER hosts_upd AFTER UPDATE OF id, host_id, revoked ON hosts BEGIN\n"      \
	"  UPDATE meta SET value = value + 1 WHERE key = 'trust_generation'; END;\n"          \
	"CREATE TRIGGER host_keys_ins AFTER INSERT ON host_keys BEGIN\n"                      \
	"  UPDATE meta SET value = value + 1 WHERE key = 'trust_generation'; END;\n"          \
	"CREATE TRIGGER host_keys_del AFTER DELETE ON host_keys BEGIN\n"                      \
	"  UPDATE meta SET value = value + 1 WHERE key = 'trust_generation'; END;\n"          \
	"CREATE TRIGGER host_keys_upd AFTER UPDATE ON host_keys BEGIN\n"                      \
	"  UPDATE meta SET value = value + 1 WHERE key = 'trust_generation'; END;\n"          \
	"CREATE TRIGGER grants_ins AFTER INSERT ON grants BEGIN\n"                            \
	"  UPDATE meta SET value = value + 1 WHERE key = 'trust_generation'; END;\n"          \
	"CREATE TRIGGER grants_del AFTER DELETE ON grants BEGIN\n"                            \
	"  UPDATE meta SET value = value + 1 WHERE key = 'trust_generation'; END;\n"          \
	"CREATE TRIGGER grants_upd AFTER UPDATE ON grants BEGIN\n"                            \
	"  UPDATE meta SET value = value + 1 WHERE key = 'trust_generation'; END;\n"

#endif
