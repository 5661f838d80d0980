/*
 * hostsd program — the accounts subsystems run as (hostsd.conf's
 * `subsystem_user NAME=USER[:GROUP]` lines) and the rule that guards
 * them: a subsystem never runs as root (uid 0) or as the network workers'
 * account unless its own `subsystem_user NAME=...` line names that
 * account. The line of NAME `*` is the default of every subsystem without
 * its own; without a `*` line that default is HSD_SUBSYSTEM_USER_DEFAULT.
 *
 * When `hostsd serve` is not started as root, subsystems run as the
 * server's own user, and a subsystem_user line naming another account is
 * an error at start (the default `*` stands for the server's user then).
 */
#ifndef HSD_SUBSYSTEM_ACCOUNTS_H
#define HSD_SUBSYSTEM_ACCOUNTS_H

#include <stddef.h>
#include <sys/types.h>

#include "daemon/account.h"
#include "daemon/policy.h"

/* The account of a subsystem without a line of its own or a `*` line. */
#define HSD_SUBSYSTEM_USER_DEFAULT "nobody"
/* USER:GROUP at most. */
#define HSD_ACCOUNT_SPEC_MAX (2 * HSD_ACCOUNT_NAME_MAX)

struct hsd_subsystem_users {
	struct hsd_subsystems named; /* NAME -> USER[:GROUP] (the table's command is the spec) */
	char *any;                   /* owned; the `*` line's spec; NULL: none */
};

/* Split "NAME=USER[:GROUP]": NAME `*` or a valid subsystem name (policy.h),
 * the rest an account spec (hsd_account_spec_valid). On success *name and
 * *spec are malloc'd (caller frees). 0, or -1 with a sentence naming
 * label (the setting as the reader spells it) in err. */
int hsd_parse_subsystem_user(const char *label, const char *text, char **name, char **spec, char *err, size_t errlen);

/* Add or replace name's line (name `*`: the default line). 0, -1 for a
 * bad name or spec, -2 when out of memory. */
int hsd_subsystem_users_set(struct hsd_subsystem_users *t, const char *name, const char *spec);

/* The spec of name's own line (name `*`: the default line), or NULL. View
 * valid until t changes. */
const char *hsd_subsystem_users_get(const struct hsd_subsystem_users *t, const char *name);

/* Deep copy into dst (empty); 0 or -2 when out of memory. */
int hsd_subsystem_users_copy(struct hsd_subsystem_users *dst, const struct hsd_subsystem_users *src);

/* Free every line and leave t empty. */
void hsd_subsystem_users_clear(struct hsd_subsystem_users *t);

/* The account spec subsystem name runs as (when the server runs as root):
 * its own line's, else the `*` line's, else HSD_SUBSYSTEM_USER_DEFAULT.
 * *own (may be NULL) says whether it is the subsystem's own line. A view
 * valid until t changes, or static text. */
const char *hsd_subsystem_account_spec(const struct hsd_subsystem_users *t, const char *name, int *own);

struct hsd_serve_settings;

/* Resolve the account of subsystem name (hsd_subsystem_account_spec) into
 * out, as hsd_account_resolve does, the message naming the line it came
 * from. 0, or -1 with a sentence in err. The caller clears out. */
int hsd_subsystem_account_resolve(const struct hsd_serve_settings *set, const char *name, struct hsd_account *out,
                                  char *err, size_t errlen);

/* Check at start (and on reload) that every configured subsystem can run
 * as the settings say. As root (running_as_root): each subsystem's account
 * resolves, and is neither root nor the workers' account (worker_uid)
 * unless the subsystem's own line names it. Not as root: every
 * subsystem_user line names the server's own account (worker_uid and
 * worker_gid: the workers run as the server's user then). Returns 0, or -1
 * with a sentence naming the subsystem and the line to add or change. */
int hsd_subsystem_accounts_check(const struct hsd_serve_settings *set, int running_as_root, uid_t worker_uid,
                                 gid_t worker_gid, char *err, size_t errlen);

#endif
