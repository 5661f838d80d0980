/*
 * hostsd program — the `hostsd trust` subcommands kept in their own files
 * (cli_trust_list.c, cli_trust_import.c), called from cli_trust.c, and
 * what they share.
 */
#ifndef HSD_CLI_TRUST_H
#define HSD_CLI_TRUST_H

#include "daemon/statedir.h"

/* Each takes argv[0] = its own name ("list", ...). */
int hsd__trust_list(int argc, char **argv);
int hsd__trust_log(int argc, char **argv);
int hsd__trust_import(int argc, char **argv);

/* The help of one trust subcommand ("add", ...), or NULL. */
const char *hsd__trust_help(const char *name);

extern const char hsd__help_trust_list[];
extern const char hsd__help_trust_log[];
extern const char hsd__help_trust_import[];

/* The --dir line of every trust subcommand's help. */
#define HSD_TRUST_DIR_HELP                                        \
	"  --dir DIR             the state directory; default:\n" \
	"                        " HSD_STATE_DIR_DEFAULT_TEXT_INDENTED "\n"
#define HSD_STATE_DIR_DEFAULT_TEXT_INDENTED                            \
	"$HOSTSD_DIR if set; else /var/lib/hostsd when run as root;\n" \
	"                        else $XDG_STATE_HOME/hostsd, or ~/.local/state/hostsd"

#endif
