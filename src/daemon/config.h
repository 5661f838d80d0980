/*
 * hostsd program — the configuration file DIR/hostsd.conf: what `hostsd
 * serve` listens on, which subsystems it runs, and its limits. `hostsd
 * init` writes a commented file listing every setting with its default
 * (hsd_config_template()); a setting the file does not give keeps its
 * default. The settings, their ranges and defaults are those of the table
 * in settings.h; `hostsd serve`'s options set the same settings through
 * hsd_config_set_option() and win over the file (hsd_config_overlay()).
 *
 * Syntax (docs/hostsd.md has the user's version):
 *   - one setting per line: NAME VALUE, separated by blanks; the value is
 *     the rest of the line without surrounding blanks;
 *   - empty lines and lines whose first non-blank character is '#' are
 *     ignored ('#' elsewhere is part of the value: commands may hold it);
 *   - `listen`, `subsystem` and `subsystem_user` may be given several
 *     times (subsystem_user once per NAME), every other
 *     setting at most once;
 *   - numbers are plain decimal; rekey_bytes and subsystem_max_memory may
 *     end in K, M or G (powers of 1024); subsystem_umask is octal; max_startups is START:RATE:FULL or one number,
 *     per_source_netblock IPV4:IPV6 prefix lengths;
 *   - algorithm lists and penalty_exempt are items separated by commas, no
 *     blanks;
 *   - max_startups' FULL and max_unauthenticated are the same cap: when
 *     both are given they must agree.
 * Every error names the file and line.
 */
#ifndef HSD_CONFIG_H
#define HSD_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "daemon/policy.h"
#include "daemon/serve_args.h"
#include "daemon/settings.h"
#include "daemon/subsystem_accounts.h"

#define HSD_CONFIG_MAX_LISTEN 16
#define HSD_CONFIG_MAX_SUBSYSTEMS 64
/* The file and its lines are small; anything larger is a mistake. */
#define HSD_CONFIG_MAX_BYTES (256u * 1024u)
#define HSD_CONFIG_MAX_LINE 4096u
/* subsystem_directory, with its NUL. */
#define HSD_CONFIG_DIRECTORY_MAX 1024

/* Bits of struct hsd_config.set: which settings were given. */
/* The bit of each setting in struct hsd_config.set. */
#define HSD_CFG_BIT(id) ((uint64_t)1 << (id))
#define HSD_CFG_LISTEN HSD_CFG_BIT(HSD_SETTING_LISTEN)
#define HSD_CFG_SUBSYSTEM HSD_CFG_BIT(HSD_SETTING_SUBSYSTEM)
#define HSD_CFG_LOGIN_GRACE_TIME HSD_CFG_BIT(HSD_SETTING_LOGIN_GRACE_TIME)
#define HSD_CFG_MAX_UNAUTHENTICATED HSD_CFG_BIT(HSD_SETTING_MAX_UNAUTHENTICATED)
#define HSD_CFG_MAX_UNAUTHENTICATED_PER_SOURCE HSD_CFG_BIT(HSD_SETTING_MAX_UNAUTHENTICATED_PER_SOURCE)
#define HSD_CFG_MAX_AUTH_TRIES HSD_CFG_BIT(HSD_SETTING_MAX_AUTH_TRIES)
#define HSD_CFG_MAX_CHANNELS HSD_CFG_BIT(HSD_SETTING_MAX_CHANNELS)
#define HSD_CFG_REKEY_BYTES HSD_CFG_BIT(HSD_SETTING_REKEY_BYTES)
#define HSD_CFG_REKEY_SECONDS HSD_CFG_BIT(HSD_SETTING_REKEY_SECONDS)
#define HSD_CFG_KEEPALIVE HSD_CFG_BIT(HSD_SETTING_KEEPALIVE)
#define HSD_CFG_SHUTDOWN_TIMEOUT HSD_CFG_BIT(HSD_SETTING_SHUTDOWN_TIMEOUT)
#define HSD_CFG_LOG_LEVEL HSD_CFG_BIT(HSD_SETTING_LOG_LEVEL)
#define HSD_CFG_PROFILE HSD_CFG_BIT(HSD_SETTING_PROFILE)
#define HSD_CFG_KEX_ALGORITHMS HSD_CFG_BIT(HSD_SETTING_KEX_ALGORITHMS)
#define HSD_CFG_CIPHERS HSD_CFG_BIT(HSD_SETTING_CIPHERS)
#define HSD_CFG_MACS HSD_CFG_BIT(HSD_SETTING_MACS)
#define HSD_CFG_HOST_KEY_ALGORITHMS HSD_CFG_BIT(HSD_SETTING_HOST_KEY_ALGORITHMS)
#define HSD_CFG_PUBKEY_ALGORITHMS HSD_CFG_BIT(HSD_SETTING_PUBKEY_ALGORITHMS)
#define HSD_CFG_COMPRESSION HSD_CFG_BIT(HSD_SETTING_COMPRESSION)
#define HSD_CFG_MAX_DH_COMPUTATIONS HSD_CFG_BIT(HSD_SETTING_MAX_DH_COMPUTATIONS)
#define HSD_CFG_MAX_STARTUPS HSD_CFG_BIT(HSD_SETTING_MAX_STARTUPS)
#define HSD_CFG_PER_SOURCE_NETBLOCK HSD_CFG_BIT(HSD_SETTING_PER_SOURCE_NETBLOCK)
#define HSD_CFG_PENALTY_AUTHFAIL HSD_CFG_BIT(HSD_SETTING_PENALTY_AUTHFAIL)
#define HSD_CFG_PENALTY_GRACE HSD_CFG_BIT(HSD_SETTING_PENALTY_GRACE)
#define HSD_CFG_PENALTY_MALFORMED HSD_CFG_BIT(HSD_SETTING_PENALTY_MALFORMED)
#define HSD_CFG_PENALTY_MIN HSD_CFG_BIT(HSD_SETTING_PENALTY_MIN)
#define HSD_CFG_PENALTY_MAX HSD_CFG_BIT(HSD_SETTING_PENALTY_MAX)
#define HSD_CFG_PENALTY_EXEMPT HSD_CFG_BIT(HSD_SETTING_PENALTY_EXEMPT)
#define HSD_CFG_TCP_KEEPALIVE HSD_CFG_BIT(HSD_SETTING_TCP_KEEPALIVE)
#define HSD_CFG_IDLE_TIMEOUT HSD_CFG_BIT(HSD_SETTING_IDLE_TIMEOUT)
#define HSD_CFG_MAX_CONNECTIONS_PER_HOST HSD_CFG_BIT(HSD_SETTING_MAX_CONNECTIONS_PER_HOST)
#define HSD_CFG_MAX_SESSIONS HSD_CFG_BIT(HSD_SETTING_MAX_SESSIONS)
#define HSD_CFG_KEX_TIMEOUT HSD_CFG_BIT(HSD_SETTING_KEX_TIMEOUT)
#define HSD_CFG_HOST_KEY_AGENT HSD_CFG_BIT(HSD_SETTING_HOST_KEY_AGENT)
#define HSD_CFG_USER HSD_CFG_BIT(HSD_SETTING_USER)
#define HSD_CFG_SUBSYSTEM_USER HSD_CFG_BIT(HSD_SETTING_SUBSYSTEM_USER)
#define HSD_CFG_SUBSYSTEM_DIRECTORY HSD_CFG_BIT(HSD_SETTING_SUBSYSTEM_DIRECTORY)
#define HSD_CFG_SUBSYSTEM_UMASK HSD_CFG_BIT(HSD_SETTING_SUBSYSTEM_UMASK)
#define HSD_CFG_SUBSYSTEM_MAX_PROCESSES HSD_CFG_BIT(HSD_SETTING_SUBSYSTEM_MAX_PROCESSES)
#define HSD_CFG_SUBSYSTEM_MAX_OPEN_FILES HSD_CFG_BIT(HSD_SETTING_SUBSYSTEM_MAX_OPEN_FILES)
#define HSD_CFG_SUBSYSTEM_MAX_CPU HSD_CFG_BIT(HSD_SETTING_SUBSYSTEM_MAX_CPU)
#define HSD_CFG_SUBSYSTEM_MAX_MEMORY HSD_CFG_BIT(HSD_SETTING_SUBSYSTEM_MAX_MEMORY)

/* The algorithm settings, in the order of their ids (HSD_SETTING_PROFILE
 * on): names checked by the engine (hs_config_check), NULL when not given
 * (the engine's default: every profile). */
enum hsd_alg_setting {
	HSD_ALG_PROFILE,
	HSD_ALG_KEX,
	HSD_ALG_CIPHERS,
	HSD_ALG_MACS,
	HSD_ALG_HOST_KEY,
	HSD_ALG_PUBKEY,
	HSD_ALG_COMPRESSION,
	HSD_ALG_COUNT
};
_Static_assert(HSD_SETTING_COMPRESSION - HSD_SETTING_PROFILE == HSD_ALG_COMPRESSION,
               "the algorithm settings must follow each other as enum hsd_alg_setting does");

/* Every value within the range of its setting (settings.c). */
struct hsd_config {
	struct hsd_listen_addr listen[HSD_CONFIG_MAX_LISTEN];
	size_t nlisten;                   /* default: one */
	struct hsd_subsystems subsystems; /* owned; default: none */
	unsigned login_grace_time;        /* seconds */
	unsigned kex_timeout;             /* seconds */
	unsigned max_unauthenticated;
	unsigned max_unauthenticated_per_source; /* at most max_unauthenticated */
	unsigned max_dh_computations;
	unsigned max_auth_tries;
	unsigned max_channels;
	uint64_t rekey_bytes;
	unsigned rekey_seconds;
	unsigned keepalive;                                          /* seconds, 0: off */
	unsigned tcp_keepalive;                                      /* seconds, 0: off */
	unsigned idle_timeout;                                       /* seconds, 0: off */
	unsigned early_drop_start;                                   /* max_startups' START (0: FULL) */
	unsigned early_drop_rate;                                    /* max_startups' RATE */
	unsigned startups_full;                                      /* max_startups' FULL as given (0: not given) */
	unsigned netblock_ipv4, netblock_ipv6;                       /* per_source_netblock */
	unsigned penalty_authfail, penalty_grace, penalty_malformed; /* seconds, 0: none */
	unsigned penalty_min, penalty_max;                           /* seconds, min below max */
	char *penalty_exempt;                                        /* owned; NULL: none */
	char *host_key_agent;                                        /* owned; NULL: the key file */
	unsigned max_connections_per_host;                           /* authenticated connections of one host id */
	unsigned max_sessions;                                       /* session channels of one connection */
	unsigned shutdown_timeout;                                   /* seconds */
	char user[HSD_ACCOUNT_SPEC_MAX];                             /* the workers' account spec */
	struct hsd_subsystem_users subsystem_users;                  /* owned; default: no line */
	char subsystem_directory[HSD_CONFIG_DIRECTORY_MAX];          /* absolute */
	unsigned subsystem_umask;                                    /* 0..0777 */
	unsigned subsystem_max_processes, subsystem_max_open_files;  /* 0: the server's */
	unsigned subsystem_max_cpu;                                  /* seconds, 0: the server's */
	uint64_t subsystem_max_memory;                               /* bytes, 0: the server's */
	int log_level;                                               /* HSD_LOG_* (daemon/log.h) */
	char *algs[HSD_ALG_COUNT];                                   /* owned; NULL: not given */
	uint64_t set;                                                /* HSD_CFG_* bits given */
};

/* Every default. */
void hsd_config_init(struct hsd_config *c);

/* Free what c owns; it is then as after hsd_config_init(). */
void hsd_config_cleanup(struct hsd_config *c);

/* Parse text (len bytes; need not end in NUL) named name (for messages)
 * over c, which must come from hsd_config_init(). Returns 0, or -1 with
 * "NAME:LINE: what is wrong" in err (c then holds defaults only). */
int hsd_config_parse(struct hsd_config *c, const char *text, size_t len, const char *name, char *err, size_t errlen);

/* Read the file at path (at most HSD_CONFIG_MAX_BYTES + 1 bytes: the
 * parser refuses a larger one) into *text (malloc'd; caller frees) and
 * *len. A missing file gives *text NULL when missing_ok, else an error.
 * Returns 0 or -1 with a sentence in err. */
int hsd_config_read(const char *path, int missing_ok, char **text, size_t *len, char *err, size_t errlen);

/* Read and parse the file at path into c (initialised here). A missing
 * file gives every default when missing_ok, else an error. Returns 0 or
 * -1 with a sentence in err. */
int hsd_config_load(struct hsd_config *c, const char *path, int missing_ok, char *err, size_t errlen);

/* Set s from the command-line option --OPTION (s->option) with value,
 * over c (from hsd_config_init(); the command line's own settings). The
 * value is checked as in the file and a mistake is told in the same words,
 * naming the option. Unlike the file, the command line may give a listen
 * address twice, and a later --subsystem NAME replaces an earlier one;
 * any other option may be given once. Returns 0 or -1 with a sentence in
 * err (c keeps what it had). */
int hsd_config_set_option(struct hsd_config *c, const struct hsd_setting *s, const char *value, char *err,
                          size_t errlen);

/* Lay what over gives (over->set) over c: its listen addresses replace
 * c's, its subsystems and subsystem_user lines replace c's of the same
 * name, any other setting
 * replaces c's. Returns 0 or -1 with a sentence in err. */
int hsd_config_overlay(struct hsd_config *c, const struct hsd_config *over, char *err, size_t errlen);

/* The commented file `hostsd init` writes: every setting with its
 * default, commented out. Static text, made at the first call. */
const char *hsd_config_template(void);

#endif
