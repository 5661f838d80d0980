/*
 * hostsd program — what the subcommands of the command line share: their
 * entry points, option parsing, messages and exit codes.
 *
 * Conventions (docs/hostsd.md): help goes to standard output with exit
 * code 0; a usage mistake prints one line saying what is wrong and the
 * usage to standard error, exit code 2; any other failure prints
 * "hostsd: SENTENCE" to standard error, exit code 1. Results go to
 * standard output, warnings and notes to standard error.
 */
#ifndef HSD_CLI_H
#define HSD_CLI_H

#include <stddef.h>

#include "registry/registry.h"

enum {
	HSD_EXIT_OK = 0,
	HSD_EXIT_FAIL = 1,
	HSD_EXIT_USAGE = 2
};

/* Subcommands: argv[0] is the subcommand's name, options follow. Each
 * returns the process exit code. */
int hsd_cmd_init(int argc, char **argv);
int hsd_cmd_hostkey(int argc, char **argv);
int hsd_cmd_trust(int argc, char **argv);

/* The help text of each (also shown by `hostsd help NAME`). */
extern const char hsd_help_init[];
extern const char hsd_help_hostkey[];
extern const char hsd_help_trust[];

/* An option a command takes, one of three kinds. value: where the
 * argument of an option with one is stored (NULL when absent; the option
 * may be given once); flag: set to 1 for an option without argument; take:
 * called with each argument in turn, in the order given (whether the
 * option may come again is take's to decide), returning 0 or -1 with a
 * sentence for the usage message in err. */
struct hsd_opt {
	const char *name; /* without the leading "--" */
	const char **value;
	int *flag;
	int (*take)(void *ctx, const struct hsd_opt *opt, const char *arg, char *err, size_t errlen);
	void *ctx; /* take's */
};

/* Parse argv[1..argc) into opts and positional arguments (at most maxpos,
 * stored in pos). Accepts "--name VALUE", "--name=VALUE", "--" (the rest
 * is positional), "-" as a positional argument, and -h/--help anywhere
 * (sets *help). Returns 0, or prints the first mistake and usage to stderr
 * and returns HSD_EXIT_USAGE. */
int hsd_cli_parse(int argc, char **argv, const struct hsd_opt *opts, size_t nopts, char **pos, size_t maxpos,
                  size_t *npos, int *help, const char *usage);

/* "hostsd: " + message + "\n" on stderr; returns HSD_EXIT_FAIL. */
int hsd_cli_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* "hostsd: " + message, then usage, on stderr; returns HSD_EXIT_USAGE. */
int hsd_cli_usage(const char *usage, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* "hostsd: warning: " + message on stderr. */
void hsd_cli_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Print help text to stdout; returns HSD_EXIT_OK (or FAIL if stdout
 * cannot be written). */
int hsd_cli_help(const char *text);

/* Finish a command that wrote results to stdout: a failed write (a full
 * disk, a closed pipe) turns success into failure. */
int hsd_cli_finish(int code);

/* The state directory of a command that needs an existing one: --dir
 * (may be NULL) or the default, checked. Returns 0 or prints why and
 * returns HSD_EXIT_FAIL. */
int hsd_cli_state_dir(const char *opt, char *out, size_t outlen);

/* Open the registry of an existing state directory for the command line
 * (checked with PRAGMA quick_check). Returns 0, or prints why and returns
 * HSD_EXIT_FAIL. */
int hsd_cli_open_registry(const char *dir, struct hsd_registry **out);

/* A value made safe to print (control characters and invalid UTF-8 as
 * '?', cut to fit buf). */
const char *hsd_cli_shown(const char *s, char *buf, size_t buflen);

#endif
