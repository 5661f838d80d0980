/*
 * hostsd program — the command line's entry point: a table of
 * subcommands, each in its own file (cli_*.c), and the overall help.
 *
 * A new subcommand is one entry in `commands` below plus a line in
 * `help_text`.
 */
#include <stdio.h>
#include <string.h>

#include "daemon/cli.h"
#include "daemon/statedir.h"
#include "daemon/serve.h"
#include "daemon/worker.h"

#ifndef HSD_VERSION
#define HSD_VERSION "unknown"
#endif

struct command {
	const char *name;
	int (*run)(int argc, char **argv);
};

static const struct command commands[] = {
	{ "init", hsd_cmd_init },
	{ "hostkey", hsd_cmd_hostkey },
	{ "trust", hsd_cmd_trust },
	{ "serve", hsd_cmd_serve },
	/* not for people: `hostsd serve` starts its network workers so */
	{ "worker", hsd_cmd_worker },
};

static const char help_text[] =
	"Usage: hostsd COMMAND [ARGUMENTS] [--dir DIR]\n"
	"\n"
	"hostsd is an SSH server for host-to-host links: peer hosts log in with\n"
	"their host identity as the user name and a public key from the trust\n"
	"registry, and may run only the subsystems granted to them.\n"
	"\n"
	"Commands:\n"
	"  init       create the state directory: host key, trust registry and\n"
	"             configuration file\n"
	"  hostkey    print the host's public key (for a peer's known_hosts)\n"
	"  trust      manage the trust registry: add, revoke, remove, grant, deny,\n"
	"             list, import, log\n"
	"  serve      run the server\n"
	"  help [COMMAND [SUBCOMMAND]]\n"
	"             show this help, or a command's\n"
	"\n"
	"Every command works on a state directory: --dir DIR, by default\n" HSD_STATE_DIR_DEFAULT_TEXT
	".\n"
	"\n"
	"Exit codes: 0 success, 1 failure (with a message on standard error),\n"
	"2 wrong usage.\n"
	"Run 'hostsd COMMAND --help' for the arguments and options of a command.\n";

static const char usage[] =
	"Usage: hostsd COMMAND [ARGUMENTS]\n"
	"Try 'hostsd help' for the list of commands.\n";

static const struct command *find(const char *name)
{
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

/* `hostsd help CMD [SUB]`: run CMD [SUB] --help. */
static int help(int argc, char **argv)
{
	char shown[96];
	if (argc < 3)
		return hsd_cli_help(help_text);
	const struct command *c = find(argv[2]);
	if (c == NULL)
		return hsd_cli_usage(usage, "unknown command \"%s\"", hsd_cli_shown(argv[2], shown, sizeof shown));
	char flag[] = "--help";
	char *args[3] = { argv[2], flag, NULL };
	if (argc >= 4) {
		/* a subcommand (hostsd help trust add) */
		args[1] = argv[3];
		args[2] = flag;
		return c->run(3, args);
	}
	return c->run(2, args);
}

int main(int argc, char **argv)
{
	char shown[96];
	if (argc < 2)
		return hsd_cli_usage(usage, "a command is missing");
	const char *name = argv[1];
	if (strcmp(name, "help") == 0 || strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0)
		return help(argc, argv);
	if (strcmp(name, "--version") == 0 || strcmp(name, "version") == 0) {
		printf("hostsd %s\n", HSD_VERSION);
		return hsd_cli_finish(HSD_EXIT_OK);
	}
	const struct command *c = find(name);
	if (c == NULL)
		return hsd_cli_usage(usage, "unknown command \"%s\"", hsd_cli_shown(name, shown, sizeof shown));
	return c->run(argc - 1, argv + 1);
}
