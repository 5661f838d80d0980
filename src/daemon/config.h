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
 *   - `listen` and `subsystem` may be given several times, every other
 *     setting at most once;
 *   - numbers are plain decimal; rekey_bytes may end in K, M or G (powers
 *     of 1024);
 *   - algorithm lists are names separated by commas, no blanks.
 * Every error names the file and line.
 */
#ifndef HSD_CONFIG_H
#define HSD_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "daemon/policy.h"
#include "daemon/serve_args.h"
#include "daemon/settings.h"

#define HSD_CONFIG_MAX_LISTEN 16
#define HSD_CONFIG_MAX_SUBSYSTEMS 64
/* The file and its lines are small; anything larger is a mistake. */
#define HSD_CONFIG_MAX_BYTES (256u * 1024u)
#define HSD_CONFIG_MAX_LINE 4096u

/* Bits of struct hsd_config.set: which settings were given. */
enum hsd_config_bit {
	HSD_CFG_LISTEN = 1u << HSD_SETTING_LISTEN,
	HSD_CFG_SUBSYSTEM = 1u << HSD_SETTING_SUBSYSTEM,
	HSD_CFG_LOGIN_GRACE_TIME = 1u << HSD_SETTING_LOGIN_GRACE_TIME,
	HSD_CFG_MAX_UNAUTHENTICATED = 1u << HSD_SETTING_MAX_UNAUTHENTICATED,
	HSD_CFG_MAX_UNAUTHENTICATED_PER_SOURCE = 1u << HSD_SETTING_MAX_UNAUTHENTICATED_PER_SOURCE,
	HSD_CFG_MAX_AUTH_TRIES = 1u << HSD_SETTING_MAX_AUTH_TRIES,
	HSD_CFG_MAX_CHANNELS = 1u << HSD_SETTING_MAX_CHANNELS,
	HSD_CFG_REKEY_BYTES = 1u << HSD_SETTING_REKEY_BYTES,
	HSD_CFG_REKEY_SECONDS = 1u << HSD_SETTING_REKEY_SECONDS,
	HSD_CFG_KEEPALIVE = 1u << HSD_SETTING_KEEPALIVE,
	HSD_CFG_SHUTDOWN_TIMEOUT = 1u << HSD_SETTING_SHUTDOWN_TIMEOUT,
	HSD_CFG_LOG_LEVEL = 1u << HSD_SETTING_LOG_LEVEL,
	HSD_CFG_PROFILE = 1u << HSD_SETTING_PROFILE,
	HSD_CFG_KEX_ALGORITHMS = 1u << HSD_SETTING_KEX_ALGORITHMS,
	HSD_CFG_CIPHERS = 1u << HSD_SETTING_CIPHERS,
	HSD_CFG_MACS = 1u << HSD_SETTING_MACS,
	HSD_CFG_HOST_KEY_ALGORITHMS = 1u << HSD_SETTING_HOST_KEY_ALGORITHMS,
	HSD_CFG_PUBKEY_ALGORITHMS = 1u << HSD_SETTING_PUBKEY_ALGORITHMS,
	HSD_CFG_COMPRESSION = 1u << HSD_SETTING_COMPRESSION,
	HSD_CFG_MAX_DH_COMPUTATIONS = 1u << HSD_SETTING_MAX_DH_COMPUTATIONS,
	HSD_CFG_MAX_CONNECTIONS_PER_HOST = 1u << HSD_SETTING_MAX_CONNECTIONS_PER_HOST,
	HSD_CFG_MAX_SESSIONS = 1u << HSD_SETTING_MAX_SESSIONS
};

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
	unsigned max_unauthenticated;
	unsigned max_unauthenticated_per_source; /* at most max_unauthenticated */
	unsigned max_dh_computations;
	unsigned max_auth_tries;
	unsigned max_channels;
	uint64_t rekey_bytes;
	unsigned rekey_seconds;
	unsigned keepalive;                /* seconds, 0: off */
	unsigned shutdown_timeout;         /* seconds */
	int log_level;                     /* HSD_LOG_* (daemon/log.h) */
	unsigned max_connections_per_host; /* authenticated connections of one host id */
	unsigned max_sessions;             /* session channels of one connection */
	char *algs[HSD_ALG_COUNT];         /* owned; NULL: not given */
	unsigned set;                      /* HSD_CFG_* bits given */
};

/* Every default. */
void hsd_config_init(struct hsd_config *c);

/* Free what c owns; it is then as after hsd_config_init(). */
void hsd_config_cleanup(struct hsd_config *c);

/* Parse text (len bytes; need not end in NUL) named name (for messages)
 * over c, which must come from hsd_config_init(). Returns 0, or -1 with
 * "NAME:LINE: what is wrong" in err (c then holds defaults only). */
int hsd_config_parse(struct hsd_config *c, const char *text, size_t len, const char *name, char *err, size_t errlen);

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
 * c's, its subsystems replace c's of the same name, any other setting
 * replaces c's. Returns 0 or -1 with a sentence in err. */
int hsd_config_overlay(struct hsd_config *c, const struct hsd_config *over, char *err, size_t errlen);

/* The commented file `hostsd init` writes: every setting with its
 * default, commented out. Static text, made at the first call. */
const char *hsd_config_template(void);

#endif
