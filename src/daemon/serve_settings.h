/*
 * hostsd program — the settings of `hostsd serve` that come from the
 * state directory's configuration file (DIR/hostsd.conf): listening
 * addresses, subsystems, engine limits, shutdown timeout. `hostsd serve`
 * loads them at start and on SIGHUP with its command-line options laid
 * over them (the command line wins).
 */
#ifndef HSD_SERVE_SETTINGS_H
#define HSD_SERVE_SETTINGS_H

#include <stddef.h>

#include <hostsd/server.h>

#include "daemon/child.h"
#include "daemon/config.h"
#include "daemon/policy.h"
#include "daemon/serve_args.h"

struct hsd_serve_settings {
	struct hsd_listen_addr listen[HSD_CONFIG_MAX_LISTEN];
	size_t nlisten;
	struct hsd_subsystems subsystems;
	struct hs_config engine; /* strings point into owned[] */
	char *owned[HSD_ALG_COUNT];
	char *penalty_exempt;      /* owned; engine.penalty_exempt points here */
	char *host_key_agent;      /* owned; NULL: the host key file */
	unsigned shutdown_timeout; /* seconds */
	unsigned kill_grace_ms;    /* SIGTERM to SIGKILL of a child; 0: default */
	unsigned max_connections_per_host;
	unsigned max_sessions;
	/* processes, started as root (subsystem_accounts.h) */
	char user[HSD_ACCOUNT_SPEC_MAX];            /* the workers' account spec */
	struct hsd_subsystem_users subsystem_users; /* subsystem_user lines */
	char subsystem_directory[HSD_CONFIG_DIRECTORY_MAX];
	mode_t subsystem_umask;
	struct hsd_child_limits subsystem_limits; /* 0: the server's own */
	int log_level;                            /* -1: not set */
	char *host_key_path;                      /* malloc'd */
	char *config_path;                        /* malloc'd; for messages */
	char *config_text;                        /* the file as read (malloc'd), for the workers; NULL: none */
	size_t config_len;
};

/* Load DIR's configuration file (a missing file means every default).
 * On error writes a sentence naming the file and line into err. */
int hsd_serve_settings_load(const char *dir, struct hsd_serve_settings *out, char *err, size_t errlen);

/* The same with over laid over the file (hsd_config_overlay; over may be
 * NULL): the settings given on the command line. */
int hsd_serve_settings_load_over(const char *dir, const struct hsd_config *over, struct hsd_serve_settings *out,
                                 char *err, size_t errlen);

/* The same from text (len bytes) as the file's content instead of the
 * file (text NULL: the file). The workers load their settings so, from
 * the text the monitor read. */
int hsd_serve_settings_load_text(const char *dir, const char *text, size_t len, const struct hsd_config *over,
                                 struct hsd_serve_settings *out, char *err, size_t errlen);

/* Free what the settings own and zero them. */
void hsd_serve_settings_clear(struct hsd_serve_settings *s);

/* Do two engine configurations behave the same (so a listener need not be
 * replaced)? */
int hsd_engine_config_equal(const struct hs_config *a, const struct hs_config *b);

#endif
