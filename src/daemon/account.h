/*
 * hostsd program — the accounts processes run as: an account spec of
 * hostsd.conf ("USER" or "USER:GROUP", each a name or a number) resolved
 * into the user and group ids and the supplementary groups that a child
 * takes before it runs (child.h).
 *
 * Everything is looked up here, in the parent: the monitor that starts the
 * children has threads, and the child of a fork may only make
 * async-signal-safe calls, which initgroups() and the name service are
 * not. The supplementary groups are initgroups()'s: every group of the
 * user database that lists USER, plus the primary group (GROUP when given,
 * else USER's).
 */
#ifndef HSD_ACCOUNT_H
#define HSD_ACCOUNT_H

#include <stddef.h>
#include <sys/types.h>

/* useradd's longest name is 32 bytes; a number is at most 10 digits. */
#define HSD_ACCOUNT_NAME_MAX 64
#define HSD_ACCOUNT_HOME_MAX 1024

struct hsd_account {
	char name[HSD_ACCOUNT_NAME_MAX];  /* the user's name, or its number when the database has none */
	char group[HSD_ACCOUNT_NAME_MAX]; /* the primary group's name, or its number */
	uid_t uid;
	gid_t gid;                       /* the primary group: GROUP, else USER's */
	gid_t *groups;                   /* owned (hsd_account_clear); the supplementary groups, gid among them */
	size_t ngroups;                  /* at least 1 */
	char home[HSD_ACCOUNT_HOME_MAX]; /* the user's home directory; "/" when the database has none */
};

/* Is spec written as an account spec: USER or USER:GROUP, each part 1 to
 * 63 bytes with no blank, control character, ':' or '='? Says nothing of
 * whether the account exists. */
int hsd_account_spec_valid(const char *spec);

/* Resolve spec into out. A part made of digits only is a number (as
 * chown(1) takes it after a failed name look-up, but without the look-up:
 * a number always means that id). A numeric USER without an entry in the
 * user database needs GROUP (there is no primary group to take); its
 * supplementary groups are GROUP alone.
 *
 * Returns 0, or -1 with a sentence naming the setting (label, such as
 * "user" or "subsystem_user replicator") and what to do in err, e.g.
 *   user "hostsd": no such account (create it with: useradd --system
 *   --no-create-home --shell /usr/sbin/nologin hostsd, or set user in
 *   hostsd.conf)
 * out is then empty (as after hsd_account_clear). The caller clears out. */
int hsd_account_resolve(const char *spec, const char *label, struct hsd_account *out, char *err, size_t errlen);

/* Free what a owns and zero it; a may be zeroed already. */
void hsd_account_clear(struct hsd_account *a);

#endif
