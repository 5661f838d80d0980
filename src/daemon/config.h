/*
 * hostsd program — the configuration file DIR/hostsd.conf: what `hostsd
 * serve` listens on, which subsystems it runs, and its limits. `hostsd
 * init` writes a commented file listing every setting with its default
 * (hsd_config_template()); a setting the file does not give keeps its
 * default.
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

#define HSD_CONFIG_MAX_LISTEN 16
#define HSD_CONFIG_MAX_SUBSYSTEMS 64
/* The file and its lines are small; anything larger is a mistake. */
#define HSD_CONFIG_MAX_BYTES (256u * 1024u)
#define HSD_CONFIG_MAX_LINE 4096u

/* Defaults (the engine's own, see src/common/limits.h, for its limits). */
#define HSD_DEFAULT_LISTEN "0.0.0.0:2222"
#define HSD_DEFAULT_LOGIN_GRACE_TIME 120u
#define HSD_DEFAULT_MAX_UNAUTHENTICATED 64u
#define HSD_DEFAULT_MAX_UNAUTHENTICATED_PER_SOURCE 16u
#define HSD_DEFAULT_MAX_DH_COMPUTATIONS 2u
#define HSD_DEFAULT_MAX_AUTH_TRIES 6u
#define HSD_DEFAULT_MAX_CHANNELS 64u
#define HSD_DEFAULT_REKEY_BYTES (1024ull * 1024ull * 1024ull)
#define HSD_DEFAULT_REKEY_SECONDS 3600u
#define HSD_DEFAULT_KEEPALIVE 0u
#define HSD_DEFAULT_SHUTDOWN_TIMEOUT_S 30u
#define HSD_DEFAULT_LOG_LEVEL_NAME "info"

/* Bits of struct hsd_config.set: which settings the file gave. */
enum hsd_config_bit {
	HSD_CFG_LISTEN = 1u << 0,
	HSD_CFG_SUBSYSTEM = 1u << 1,
	HSD_CFG_LOGIN_GRACE_TIME = 1u << 2,
	HSD_CFG_MAX_UNAUTHENTICATED = 1u << 3,
	HSD_CFG_MAX_UNAUTHENTICATED_PER_SOURCE = 1u << 4,
	HSD_CFG_MAX_AUTH_TRIES = 1u << 5,
	HSD_CFG_MAX_CHANNELS = 1u << 6,
	HSD_CFG_REKEY_BYTES = 1u << 7,
	HSD_CFG_REKEY_SECONDS = 1u << 8,
	HSD_CFG_KEEPALIVE = 1u << 9,
	HSD_CFG_SHUTDOWN_TIMEOUT = 1u << 10,
	HSD_CFG_LOG_LEVEL = 1u << 11,
	HSD_CFG_PROFILE = 1u << 12,
	HSD_CFG_KEX_ALGORITHMS = 1u << 13,
	HSD_CFG_CIPHERS = 1u << 14,
	HSD_CFG_MACS = 1u << 15,
	HSD_CFG_HOST_KEY_ALGORITHMS = 1u << 16,
	HSD_CFG_PUBKEY_ALGORITHMS = 1u << 17,
	HSD_CFG_COMPRESSION = 1u << 18,
	HSD_CFG_MAX_DH_COMPUTATIONS = 1u << 19
};

/* The algorithm settings, in the order of their bits (HSD_CFG_PROFILE
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

struct hsd_config {
	struct hsd_listen_addr listen[HSD_CONFIG_MAX_LISTEN];
	size_t nlisten;                         /* default: one, HSD_DEFAULT_LISTEN */
	struct hsd_subsystems subsystems;       /* owned; default: none */
	unsigned login_grace_time;              /* seconds, 1..3600 */
	unsigned max_unauthenticated;           /* 1..100000 */
	unsigned max_unauthenticated_per_source;/* 1..max_unauthenticated */
	unsigned max_dh_computations;           /* 1..64 */
	unsigned max_auth_tries;                /* 1..100 */
	unsigned max_channels;                  /* 1..1024 */
	uint64_t rekey_bytes;                   /* 16K..64G */
	unsigned rekey_seconds;                 /* 1..86400 */
	unsigned keepalive;                     /* seconds, 0: off; 0..86400 */
	unsigned shutdown_timeout;              /* seconds, 1..3600 */
	int log_level;                          /* HSD_LOG_* (daemon/log.h) */
	char *algs[HSD_ALG_COUNT];              /* owned; NULL: not given */
	unsigned set;                           /* HSD_CFG_* bits given */
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

/* The commented file `hostsd init` writes: every setting with its
 * default, commented out. */
const char *hsd_config_template(void);

/* Setting names, in the order of the template (NULL-terminated). */
extern const char *const hsd_config_names[];

#endif
