/*
 * hostsd program — every setting of `hostsd serve` in one table: its name
 * in hostsd.conf, its `hostsd serve` option if it has one, its type, range
 * and default, and the texts that document it. The configuration file
 * (config.c), the command line of `hostsd serve` (serve_cli.c), the file
 * `hostsd init` writes (hsd_config_template) and `hostsd serve --help` all
 * read this table, so each range and each default exists once.
 *
 * A setting the engine takes (struct hs_config) has the engine's range,
 * from hostsd/limits.h, and the engine's default, from hs_config_init();
 * the daemon's own settings (listen, subsystem, shutdown_timeout,
 * log_level, max_connections_per_host, max_sessions, the accounts and
 * limits of processes) are defined here. A
 * few settings fill more than one field of the engine (max_startups,
 * per_source_netblock): their types say how.
 */
#ifndef HSD_SETTINGS_H
#define HSD_SETTINGS_H

#include <stddef.h>
#include <stdint.h>

/* Which setting a row is. The numbering is fixed (struct hsd_config's
 * bit of a setting is 1 << id; config.h); the table is in the order of
 * the template instead. */
enum hsd_setting_id {
	HSD_SETTING_LISTEN,
	HSD_SETTING_SUBSYSTEM,
	HSD_SETTING_LOGIN_GRACE_TIME,
	HSD_SETTING_MAX_UNAUTHENTICATED,
	HSD_SETTING_MAX_UNAUTHENTICATED_PER_SOURCE,
	HSD_SETTING_MAX_AUTH_TRIES,
	HSD_SETTING_MAX_CHANNELS,
	HSD_SETTING_REKEY_BYTES,
	HSD_SETTING_REKEY_SECONDS,
	HSD_SETTING_KEEPALIVE,
	HSD_SETTING_SHUTDOWN_TIMEOUT,
	HSD_SETTING_LOG_LEVEL,
	HSD_SETTING_PROFILE, /* the algorithm settings follow in a row */
	HSD_SETTING_KEX_ALGORITHMS,
	HSD_SETTING_CIPHERS,
	HSD_SETTING_MACS,
	HSD_SETTING_HOST_KEY_ALGORITHMS,
	HSD_SETTING_PUBKEY_ALGORITHMS,
	HSD_SETTING_COMPRESSION,
	HSD_SETTING_MAX_DH_COMPUTATIONS,
	HSD_SETTING_MAX_STARTUPS,
	HSD_SETTING_PER_SOURCE_NETBLOCK,
	HSD_SETTING_PENALTY_AUTHFAIL,
	HSD_SETTING_PENALTY_GRACE,
	HSD_SETTING_PENALTY_MALFORMED,
	HSD_SETTING_PENALTY_MIN,
	HSD_SETTING_PENALTY_MAX,
	HSD_SETTING_PENALTY_EXEMPT,
	HSD_SETTING_TCP_KEEPALIVE,
	HSD_SETTING_IDLE_TIMEOUT,
	HSD_SETTING_MAX_CONNECTIONS_PER_HOST,
	HSD_SETTING_MAX_SESSIONS,
	HSD_SETTING_KEX_TIMEOUT,
	HSD_SETTING_HOST_KEY_AGENT,
	HSD_SETTING_USER,
	HSD_SETTING_SUBSYSTEM_USER,
	HSD_SETTING_SUBSYSTEM_DIRECTORY,
	HSD_SETTING_SUBSYSTEM_UMASK,
	HSD_SETTING_SUBSYSTEM_MAX_PROCESSES,
	HSD_SETTING_SUBSYSTEM_MAX_OPEN_FILES,
	HSD_SETTING_SUBSYSTEM_MAX_CPU,
	HSD_SETTING_SUBSYSTEM_MAX_MEMORY,
	HSD_SETTING_COUNT
};
/* struct hsd_config's bits of the settings given (1 << id) fit an unsigned. */
_Static_assert(HSD_SETTING_COUNT <= 63, "too many settings for struct hsd_config's bits");

enum hsd_setting_type {
	HSD_TYPE_LISTEN,         /* ADDR:PORT or [IPV6]:PORT; repeatable (serve_args.h) */
	HSD_TYPE_SUBSYSTEM,      /* NAME=COMMAND; repeatable (serve_args.h) */
	HSD_TYPE_NUMBER,         /* a whole number within min..max */
	HSD_TYPE_BYTES,          /* the same, with an optional K, M or G suffix (powers of 1024) */
	HSD_TYPE_LOG_LEVEL,      /* err, warning, notice, info, debug (log.h) */
	HSD_TYPE_ALGORITHMS,     /* names separated by commas, checked by hs_config_check() */
	HSD_TYPE_STARTUPS,       /* START:RATE:FULL, or N (N:RATE:N, no random drop): engine's
	                            early_drop_start, early_drop_rate and max_unauthenticated */
	HSD_TYPE_NETBLOCK,       /* BITS4[:BITS6]: engine's source_netblock_ipv4 and _ipv6 */
	HSD_TYPE_NETWORKS,       /* ADDR[/BITS] separated by commas, checked by hs_config_check() */
	HSD_TYPE_SOCKET,         /* an absolute path of a Unix socket */
	HSD_TYPE_ACCOUNT,        /* USER or USER:GROUP (account.h) */
	HSD_TYPE_SUBSYSTEM_USER, /* NAME=USER[:GROUP]; repeatable (subsystem_accounts.h) */
	HSD_TYPE_DIRECTORY,      /* an absolute path of a directory */
	HSD_TYPE_UMASK           /* an octal mode, 000 to 777 */
};

/* engine_off of a setting the engine does not take. */
#define HSD_NOT_ENGINE ((size_t)-1)

struct hsd_setting {
	enum hsd_setting_id id;
	const char *name; /* in hostsd.conf */
	enum hsd_setting_type type;
	uint64_t min, max;    /* NUMBER, BYTES */
	uint64_t def;         /* NUMBER, BYTES, LOG_LEVEL, UMASK of the daemon's own settings */
	const char *unit;     /* NUMBER: what it counts, for messages */
	size_t engine_off;    /* its field in struct hs_config, or HSD_NOT_ENGINE */
	size_t config_off;    /* NUMBER, UMASK (unsigned), BYTES (uint64_t): its field in struct hsd_config */
	const char *def_text; /* LISTEN, ALGORITHMS, ACCOUNT, DIRECTORY: the default as written; NULL: none */
	const char *(*engine_list)(void); /* ALGORITHMS: the engine's default list, when def_text is NULL */
	const char *option;               /* `hostsd serve --OPTION` (without "--"), or NULL */
	const char *metavar;              /* the option's value in the help: "SECONDS" */
	const char *help;                 /* the option's help; '\n' between lines */
	const char *comment;              /* the template's lines before "#name default"; a group
	                                     starts with an empty line ("\n# ...") */
};

/* The table, in the order of the template. */
extern const struct hsd_setting hsd_settings[HSD_SETTING_COUNT];

/* Look-ups; NULL when there is no such setting. by_name compares the
 * first len bytes of name (it need not end there). */
const struct hsd_setting *hsd_setting_by_id(enum hsd_setting_id id);
const struct hsd_setting *hsd_setting_by_name(const char *name, size_t len);
const struct hsd_setting *hsd_setting_by_option(const char *option);

/* The default of a NUMBER, BYTES, LOG_LEVEL or UMASK setting: hs_config_init()'s
 * for a setting of the engine, the table's for the daemon's own. */
uint64_t hsd_setting_default(const struct hsd_setting *s);

/* The default as hostsd.conf writes it ("120", "1G", "info",
 * "0.0.0.0:2222", an algorithm list) in buf or static text; NULL for a
 * setting without one (subsystem). */
const char *hsd_setting_default_text(const struct hsd_setting *s, char *buf, size_t buflen);

/* Parse text as the value of a NUMBER, BYTES, LOG_LEVEL or UMASK setting within
 * its range. Returns 0, or -1 with a sentence that names the setting as
 * label ("login_grace_time" in the file, "--login-grace-time" on the
 * command line) and gives the range in err:
 *   login_grace_time "0" must be a whole number from 1 to 3600 (seconds) */
int hsd_setting_parse_scalar(const struct hsd_setting *s, const char *label, const char *text, uint64_t *out, char *err,
                             size_t errlen);

/* max_startups: "START:RATE:FULL" (OpenSSH's MaxStartups) or "N" (a cap
 * of N, no random drop: N:RATE:N with the default RATE), each within the
 * engine's range and START at most FULL. 0, or -1 with a sentence naming
 * the setting as label in err. */
int hsd_parse_startups(const char *label, const char *text, unsigned *start, unsigned *rate, unsigned *full, char *err,
                       size_t errlen);

/* per_source_netblock: "BITS4:BITS6" (OpenSSH's PerSourceNetBlockSize) or
 * "BITS4" (IPv6 keeps its default). 0, or -1 with a sentence in err. */
int hsd_parse_netblock(const char *label, const char *text, unsigned *bits4, unsigned *bits6, char *err, size_t errlen);

/* bytes as hostsd.conf writes them: with the largest suffix that divides
 * them ("1G", "16K", "1000"). */
void hsd_format_bytes(uint64_t bytes, char *out, size_t outlen);

#endif
