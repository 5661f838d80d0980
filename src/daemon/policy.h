/*
 * hostsd program — the session policy of `hostsd serve`: the table of
 * configured subsystems (NAME -> COMMAND) and the decision whether a peer
 * may run one. A subsystem runs only when it is both configured here and
 * granted to the peer host in the registry (a grant of "*" means every
 * configured subsystem); everything else is refused.
 */
#ifndef HSD_POLICY_H
#define HSD_POLICY_H

#include <stddef.h>
#include <stdint.h>

#include <hostsd/key.h>

#define HSD_SUBSYSTEM_NAME_MAX 64

struct hsd_subsystem {
	char *name;
	char *command;
};

struct hsd_subsystems {
	struct hsd_subsystem *v;
	size_t n;
};

/* Is name a valid subsystem name: 1..64 characters of [A-Za-z0-9._@-],
 * not starting with '-'? (OpenSSH allows more; we keep names that are safe
 * in logs, environment values and the registry.) */
int hsd_subsystem_name_valid(const char *name);

/* Add or replace name -> command (copied). Returns 0, -1 on a bad name or
 * empty command, -2 when out of memory. */
int hsd_subsystems_set(struct hsd_subsystems *t, const char *name, const char *command);

/* The command of name, or NULL. View valid until the table changes. */
const char *hsd_subsystems_get(const struct hsd_subsystems *t, const char *name);

/* Deep copy (dst must be empty); 0 or -2 when out of memory. */
int hsd_subsystems_copy(struct hsd_subsystems *dst, const struct hsd_subsystems *src);

/* Free every entry and leave t empty. */
void hsd_subsystems_clear(struct hsd_subsystems *t);

/* Is subsystem granted by grants (n names, "*" meaning all)? */
int hsd_policy_granted(const char *const *grants, size_t n, const char *subsystem);

/* Decide a subsystem request: returns the configured command (a view into
 * t) when it is configured and granted, else NULL with *why set to a static
 * reason ("not granted to this host", "not configured"). */
const char *hsd_policy_decide(const struct hsd_subsystems *t, const char *const *grants, size_t ngrants,
                              const char *subsystem, const char **why);

/* What the registry says about one peer host, loaded when it begins to
 * authenticate (and again when the registry changes). */
struct hsd_peer_key {
	struct hs_key *key;
	int revoked;
	int64_t expires; /* Unix seconds; 0: never */
};

struct hsd_peer_record {
	int found;   /* the host is in the registry */
	int revoked; /* the host is revoked */
	struct hsd_peer_key *keys;
	size_t nkeys;
	char **grants; /* granted subsystem names, "*" for all */
	size_t ngrants;
};

/* Free everything the record holds and zero it. */
void hsd_peer_record_clear(struct hsd_peer_record *r);

/* May key authenticate this host at time now? NULL if yes, else a static
 * reason: "unknown host", "host revoked", "key not authorized", "key
 * revoked", "key expired". */
const char *hsd_policy_check_key(const struct hsd_peer_record *r, const struct hs_key *key, int64_t now);

#endif
