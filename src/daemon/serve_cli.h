/*
 * hostsd program — the command line of `hostsd serve`: --dir and --pidfile,
 * and an option for each setting of the table (settings.h) that has one,
 * parsed by the shared parser (cli.h) and checked as the configuration
 * file checks the same setting; its usage and help are made from the same
 * table.
 */
#ifndef HSD_SERVE_CLI_H
#define HSD_SERVE_CLI_H

#include "daemon/config.h"

struct hsd_serve_cli {
	const char *dir;        /* --dir, or NULL; a view into argv */
	const char *pidfile;    /* --pidfile, or NULL; a view into argv */
	struct hsd_config over; /* the settings given as options (over.set); they win over the file */
};

/* Parse argv[1..argc) into cli (initialised here). Returns 0, with *help
 * set when -h or --help was given, or prints the mistake and the usage to
 * stderr and returns HSD_EXIT_USAGE. Either way, free cli with
 * hsd_serve_cli_cleanup(). */
int hsd_serve_cli_parse(int argc, char **argv, struct hsd_serve_cli *cli, int *help);

/* Free what cli owns. */
void hsd_serve_cli_cleanup(struct hsd_serve_cli *cli);

/* Print the help of `hostsd serve` to stdout; returns the exit code
 * (hsd_cli_help). */
int hsd_serve_cli_help(void);

#endif
