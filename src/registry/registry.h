/*
 * hostsd program — the trust registry: which peer hosts may log in, with
 * which public keys, and which subsystems each may run. One SQLite file,
 * DIR/registry.db (schema and column meanings: registry/schema.h and
 * docs/hostsd.md).
 *
 * Two kinds of users:
 *
 *  - `hostsd trust ...` and `hostsd init` (the command line) open a handle
 *    with HSD_REG_CHECK, change what they were asked to, and close it.
 *  - `hostsd serve` opens one handle per worker thread (or a small pool)
 *    and calls hsd_registry_lookup() when a peer begins to authenticate,
 *    hsd_registry_record_login() / hsd_registry_log_attempt() for the
 *    attempt log, and hsd_registry_changed() now and then (it is cheap) to
 *    learn that `hostsd trust` changed something, so it can re-check its
 *    open connections with hsd_registry_check_key() without a restart.
 *
 * Guarantees:
 *  - Every change is one SQLite transaction (BEGIN IMMEDIATE ... COMMIT):
 *    it happens whole or not at all, also when the process is killed
 *    mid-write. The file is in WAL mode, so readers (a running server)
 *    never block the writer and the writer never blocks readers.
 *  - Every connection waits up to HSD_REG_BUSY_TIMEOUT_MS for a lock held
 *    by another process before failing with HS_ERR_TIMEOUT.
 *  - Nothing here trusts its inputs: host identities, grant names and
 *    comments are checked (registry/names.h), text is always bound as an
 *    SQL parameter, never pasted into SQL.
 *
 * Threads: a handle is one SQLite connection. It may move between threads
 * but must never be used by two threads at once (it also keeps the last
 * error message). Handles are independent: open one per thread.
 *
 * Errors: every fallible function returns 0 or a negative HS_ERR_*:
 *   HS_ERR_NOT_FOUND    no such host or key (or, on open: no registry file)
 *   HS_ERR_INVALID_ARG  a bad host identity, grant, comment or fingerprint,
 *                       or a change the registry refuses (adding a key to
 *                       a revoked host, one key for two hosts, ...)
 *   HS_ERR_TIMEOUT      the registry stayed locked by another process
 *   HS_ERR_FORMAT       the file is damaged, not a registry, or too new
 *   HS_ERR_IO           the file cannot be opened, read or written
 *   HS_ERR_LIMIT        too many grants, or a text too long
 *   HS_ERR_ALLOC        out of memory
 * and hsd_registry_error() then gives one sentence for a person, naming
 * the file and what to do.
 *
 * Times are Unix seconds. Functions that judge expiry take `now` from the
 * caller (time(NULL) in the program), so tests can move the clock.
 */
#ifndef HSD_REGISTRY_H
#define HSD_REGISTRY_H

#include <stddef.h>
#include <stdint.h>

#include <hostsd/error.h>
#include <hostsd/key.h>

#include "registry/names.h"

struct hsd_registry;

/* The registry's file name inside the state directory. */
#define HSD_REGISTRY_FILE "registry.db"

/* How long any call waits for another process's lock. */
#define HSD_REG_BUSY_TIMEOUT_MS 5000

/* Text limits of the attempt log (longer values are cut). */
#define HSD_PEER_MAX 64
#define HSD_REASON_MAX 128

/* The attempt log keeps about this many newest rows of each kind
 * (accepted logins, refusals of registered hosts, refusals of unknown host
 * ids); older ones are deleted as new ones arrive, so a flood of attempts
 * cannot fill the disk, and strangers cannot push out the rows of
 * registered hosts. */
#define HSD_AUTH_LOG_KEEP 100000
/* Attempts with invalid host ids are counted per UTC day, for this many
 * days. */
#define HSD_AUTH_INVALID_KEEP_DAYS 400
/* The pruning runs once per this many new rows (one indexed delete). */
#define HSD_AUTH_LOG_PRUNE_EVERY 256
/* The most rows one read of the attempt log returns (trust log --limit). */
#define HSD_AUTH_LOG_READ_MAX 1000000

/* Flags of hsd_registry_open(). */
enum {
	/* Create the file and its schema when missing (hostsd init). Without
	 * it a missing file is HS_ERR_NOT_FOUND. */
	HSD_REG_CREATE = 1 << 0,
	/* Run PRAGMA quick_check after opening and refuse a damaged file
	 * (command line; costs a read of the whole file). */
	HSD_REG_CHECK = 1 << 1,
	/* synchronous=NORMAL instead of FULL: a commit is not flushed to disk
	 * at once. A crash of the process still loses nothing; a power cut
	 * may lose the last commits of this handle. Meant for the server's
	 * handles, which only write the attempt log and last-login columns.
	 * Trust changes are always made with FULL by the command line. */
	HSD_REG_SYNC_NORMAL = 1 << 2
};

/* Open the registry at path. On failure *out is NULL and, when err is not
 * NULL, err holds a sentence naming path and what to do ("run hostsd init
 * --dir DIR", "locked by another process", "damaged: restore it from a
 * backup", ...). Caller closes with hsd_registry_close(). */
int hsd_registry_open(const char *path, unsigned flags, struct hsd_registry **out, char *err,
                      size_t errlen) HS_MUST_CHECK;

/* Close the handle (rolling back an unfinished hsd_registry_begin()).
 * NULL is allowed. */
void hsd_registry_close(struct hsd_registry *reg);

/* The sentence describing the last failure of a call on this handle; ""
 * if none. Valid until the next call on the handle. */
const char *hsd_registry_error(const struct hsd_registry *reg);

/* The path the handle was opened with (a view valid as long as reg). */
const char *hsd_registry_path(const struct hsd_registry *reg);

/* Change the lock wait of this handle (milliseconds; 0: fail at once). */
void hsd_registry_set_busy_timeout(struct hsd_registry *reg, int ms);

/* --- grouping changes ---------------------------------------------------
 * Each change below is its own transaction. Between begin and commit they
 * all become one (used by `hostsd trust import`: all lines or none): a
 * change that fails inside leaves the others in place, and the caller
 * decides to commit or roll back. */
int hsd_registry_begin(struct hsd_registry *reg) HS_MUST_CHECK;
int hsd_registry_commit(struct hsd_registry *reg) HS_MUST_CHECK;
void hsd_registry_rollback(struct hsd_registry *reg);

/* --- what the registry holds ------------------------------------------ */

struct hsd_reg_key {
	char fingerprint[HS_FINGERPRINT_SIZE]; /* "SHA256:..." of the blob */
	char type[32];                         /* "ssh-ed25519", ... */
	struct hs_key *key;                    /* owned; NULL if the stored blob
	                                        * is not a key this build accepts */
	int64_t added;
	int64_t expires; /* 0: never */
	int revoked;
	int64_t revoked_at; /* 0 unless revoked */
	char *comment;      /* owned; never NULL */
};

struct hsd_reg_host {
	char host_id[HSD_HOST_ID_MAX + 1];
	int64_t created;
	int revoked;
	int64_t revoked_at;       /* 0 unless revoked */
	struct hsd_reg_key *keys; /* owned, oldest first */
	size_t nkeys;
	char **grants; /* owned, sorted; "*" = all */
	size_t ngrants;
	int64_t last_login; /* 0: never */
	char last_login_peer[HSD_PEER_MAX + 1];
	char last_login_key[HS_FINGERPRINT_SIZE];
};

/* Free what a host record holds and zero it. NULL is allowed. */
void hsd_reg_host_clear(struct hsd_reg_host *h);

/* Free an array from hsd_registry_list(). */
void hsd_reg_hosts_free(struct hsd_reg_host *hosts, size_t n);

enum hsd_key_state {
	HSD_KEY_VALID = 0,
	HSD_KEY_REVOKED,
	HSD_KEY_EXPIRED, /* now >= expires */
	HSD_KEY_UNUSABLE /* a stored key this build cannot parse */
};

/* Keys one host may have (all states together): key rotation needs a
 * few; revoked keys can be removed with hsd_registry_remove_key(). */
#define HSD_MAX_KEYS_PER_HOST 64

/* The state of one key at time now. */
enum hsd_key_state hsd_reg_key_state(const struct hsd_reg_key *k, int64_t now);

/* One host with all its keys (every state) and grants. HS_ERR_NOT_FOUND if
 * it is not registered (or host_id is not a valid identity). out is
 * zeroed first; caller clears it. */
int hsd_registry_get_host(struct hsd_registry *reg, const char *host_id, struct hsd_reg_host *out) HS_MUST_CHECK;

/* Every host, sorted by identity, read in one consistent snapshot.
 * Caller frees with hsd_reg_hosts_free(*hosts, *n). */
int hsd_registry_list(struct hsd_registry *reg, struct hsd_reg_host **hosts, size_t *n) HS_MUST_CHECK;

/* --- changes (the command line) --------------------------------------- */

/* What to add with hsd_registry_add_key(). */
struct hsd_key_spec {
	const char *host_id;
	const struct hs_key *key; /* borrowed */
	int64_t expires;          /* 0: never */
	const char *comment;      /* NULL or "": none; checked
	                           * with hsd_text_valid() */
	/* Grants for a NEW host. grants_given == 0: none (least privilege),
	 * or "*" (everything) when all_by_default is set (trust import's
	 * documented default). For an existing host the grants stay as they
	 * are; giving a different set is refused (use grant/deny). */
	int grants_given;
	const char *const *grants;
	size_t ngrants;
	int all_by_default;
};

enum hsd_add_result {
	HSD_ADD_NEW_HOST = 1, /* the host was created with this key */
	HSD_ADD_NEW_KEY,      /* the key was added to an existing host */
	HSD_ADD_UNCHANGED     /* the host already had this key: nothing done */
};

/* Trust key for host (creating the host if needed). Keys a host already
 * has stay (key rotation: add the new key, later revoke the old one).
 * Refused: an invalid identity, grant or comment; a revoked host; a key
 * this host had and revoked; a key another host already has (one key
 * proves one identity). */
int hsd_registry_add_key(struct hsd_registry *reg, const struct hsd_key_spec *spec, int64_t now,
                         enum hsd_add_result *result) HS_MUST_CHECK;

/* Revoke a whole host (it can no longer log in with any key), or one of
 * its keys by fingerprint ("SHA256:..."). *changed (may be NULL) is 0 when
 * it already was revoked. HS_ERR_NOT_FOUND for an unknown host or key. */
int hsd_registry_revoke_host(struct hsd_registry *reg, const char *host_id, int64_t now, int *changed) HS_MUST_CHECK;
int hsd_registry_revoke_key(struct hsd_registry *reg, const char *host_id, const char *fingerprint, int64_t now,
                            int *changed) HS_MUST_CHECK;

/* Delete a host with its keys and grants (its attempt-log rows stay), or
 * one key of a host (which then may be added again). HS_ERR_NOT_FOUND for
 * an unknown host or key. */
int hsd_registry_remove_host(struct hsd_registry *reg, const char *host_id) HS_MUST_CHECK;
int hsd_registry_remove_key(struct hsd_registry *reg, const char *host_id, const char *fingerprint) HS_MUST_CHECK;

/* Grant or deny one subsystem ("*" = all). *changed (may be NULL) is 0
 * when nothing changed (already granted / not granted). Denying a
 * subsystem to a host granted "*" is refused (HS_ERR_INVALID_ARG): "*"
 * cannot mean "all but one"; deny "*" and grant what it needs. */
int hsd_registry_grant(struct hsd_registry *reg, const char *host_id, const char *subsystem,
                       int *changed) HS_MUST_CHECK;
int hsd_registry_deny(struct hsd_registry *reg, const char *host_id, const char *subsystem, int *changed) HS_MUST_CHECK;

/* --- the server ------------------------------------------------------- */

/* A peer asks to log in as host_id: the host with only the keys that may
 * authenticate it now (not revoked, not expired, parsed), and its grants.
 * A revoked host comes back with revoked = 1 and no keys. HS_ERR_NOT_FOUND
 * when host_id is unknown or not a valid identity (the peer chose it: no
 * error message is kept for that case). Compare the offered key with
 * hs_key_equal() against out->keys[i].key. Caller clears out. */
int hsd_registry_lookup(struct hsd_registry *reg, const char *host_id, int64_t now,
                        struct hsd_reg_host *out) HS_MUST_CHECK;

enum hsd_verdict {
	HSD_VERDICT_OK = 0,
	HSD_VERDICT_UNKNOWN_HOST,
	HSD_VERDICT_HOST_REVOKED,
	HSD_VERDICT_UNKNOWN_KEY,
	HSD_VERDICT_KEY_REVOKED,
	HSD_VERDICT_KEY_EXPIRED
};

/* A short static reason for the log: "accepted", "unknown host", "host
 * revoked", "key not authorized", "key revoked", "key expired" (the same
 * words as hsd_policy_check_key() in daemon/policy.h). */
const char *hsd_verdict_reason(enum hsd_verdict v);

/* May the key with this fingerprint still authenticate host_id at time
 * now? For re-checking open connections after hsd_registry_changed().
 * Returns 0 with *verdict set (HSD_VERDICT_OK or why not), or an error
 * (the caller should then treat the connection as not re-validated). */
int hsd_registry_check_key(struct hsd_registry *reg, const char *host_id, const char *fingerprint, int64_t now,
                           enum hsd_verdict *verdict) HS_MUST_CHECK;

/* The subsystems granted to host_id right now, as in lookup (sorted; "*"
 * = all). A revoked or unknown host has none (*n = 0, returns 0).
 * Caller frees each string and the array. */
int hsd_registry_grants(struct hsd_registry *reg, const char *host_id, char ***grants, size_t *n) HS_MUST_CHECK;

/* One authentication attempt, for the attempt log. Text is copied with
 * everything but printable ASCII replaced by '?' and cut to the limits
 * (the peer chose the host identity: it may be anything). A refused
 * attempt whose host_id is not a valid host identity gets no row of its
 * own: it is counted (hsd_registry_count_invalid), so strangers cannot
 * flood the log with made-up names. */
struct hsd_auth_event {
	int64_t time;
	const char *peer;        /* "ADDR:PORT" */
	const char *host_id;     /* the user name the peer gave */
	const char *fingerprint; /* of the offered key; NULL or "" if none */
	int accepted;
	const char *reason; /* NULL or "": none */
};

/* Append one row to the attempt log (and prune the oldest rows of each
 * kind now and then, see HSD_AUTH_LOG_KEEP), or count it (invalid host id,
 * above). */
int hsd_registry_log_attempt(struct hsd_registry *reg, const struct hsd_auth_event *ev) HS_MUST_CHECK;

/* Count attempts refused for giving no valid host id: n more, from first
 * to last (Unix seconds; they fall in last's UTC day), the last of them
 * from peer ("ADDR:PORT"). Days older than HSD_AUTH_INVALID_KEEP_DAYS are
 * forgotten. */
int hsd_registry_count_invalid(struct hsd_registry *reg, uint64_t n, int64_t first, int64_t last,
                               const char *peer) HS_MUST_CHECK;

/* A successful login: sets the host's last-login time, peer and key and
 * appends an "accepted" row to the attempt log, in one transaction. Does
 * not count as a trust change for hsd_registry_changed(). */
int hsd_registry_record_login(struct hsd_registry *reg, const char *host_id, const char *peer, const char *fingerprint,
                              int64_t now) HS_MUST_CHECK;

/* Has anything that decides a login (hosts, keys, grants) changed since
 * this handle was opened or last asked, by any process (this one too)?
 * Cheap when nothing was committed: one PRAGMA data_version, no read of
 * the tables. The attempt log and last-login columns do not count. */
int hsd_registry_changed(struct hsd_registry *reg, int *changed) HS_MUST_CHECK;

/* The newest rows of the attempt log (at most limit), newest first;
 * host_id NULL for all hosts, and then with the days' counts of attempts
 * with invalid host ids among them, by the time of their last attempt.
 * Caller frees *out with hsd_reg_events_free(). */
struct hsd_reg_event {
	int64_t time; /* a count: of its last attempt */
	char peer[HSD_PEER_MAX + 1];
	char host_id[HSD_HOST_ID_MAX + 1]; /* a count: "" */
	char fingerprint[HS_FINGERPRINT_SIZE];
	int accepted;
	char reason[HSD_REASON_MAX + 1]; /* a count: "" */
	uint64_t attempts;               /* 0: one attempt; else a count of attempts with invalid host ids */
	int64_t since;                   /* a count: the time of its first attempt */
};
int hsd_registry_read_log(struct hsd_registry *reg, const char *host_id, size_t limit, struct hsd_reg_event **out,
                          size_t *n) HS_MUST_CHECK;
void hsd_reg_events_free(struct hsd_reg_event *ev);

#endif
