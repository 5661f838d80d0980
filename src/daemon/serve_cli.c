/*
 * hostsd program — the command line of `hostsd serve` (see serve_cli.h).
 * The options of settings come from the table, so a setting gains an
 * option by naming it there: its parsing, its messages, the usage line and
 * the help follow.
 */
#include "daemon/serve_cli.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/cli.h"
#include "daemon/statedir.h"

/* The usage line wraps before an option would pass this column. */
#define SYNOPSIS_WIDTH 90
#define SYNOPSIS_HEAD "Usage: hostsd serve"
#define SYNOPSIS_INDENT 20
/* Option names in the help are padded to this width. */
#define OPTION_WIDTH 26

#define TEXT_MAX 4096

struct text {
	char buf[TEXT_MAX];
	size_t len;
	size_t line_start; /* where the current line began */
};

static void add(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add(struct text *t, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(t->buf + t->len, sizeof t->buf - t->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof t->buf - t->len)
		abort(); /* TEXT_MAX is too small for the table */
	t->len += (size_t)n;
}

/* One "[--option VALUE]" of the usage line, on a new line if it would
 * not fit. */
static void synopsis_item(struct text *t, const char *option, const char *metavar, int repeatable)
{
	char item[96];
	snprintf(item, sizeof item, "[--%s %s]%s", option, metavar, repeatable ? "..." : "");
	if (t->len - t->line_start + 1 + strlen(item) > SYNOPSIS_WIDTH) {
		add(t, "\n");
		t->line_start = t->len;
		add(t, "%*s%s", SYNOPSIS_INDENT, "", item);
	} else {
		add(t, " %s", item);
	}
}

static void synopsis(struct text *t)
{
	t->line_start = t->len;
	add(t, SYNOPSIS_HEAD);
	synopsis_item(t, "dir", "DIR", 0);
	for (size_t i = 0; i < HSD_SETTING_COUNT; i++) {
		const struct hsd_setting *s = &hsd_settings[i];
		if (s->option != NULL)
			synopsis_item(t, s->option, s->metavar,
			              s->type == HSD_TYPE_LISTEN || s->type == HSD_TYPE_SUBSYSTEM);
	}
	synopsis_item(t, "pidfile", "PATH", 0);
	add(t, "\n");
}

static void usage_text(struct text *t)
{
	synopsis(t);
	add(t, "Try 'hostsd serve --help' for more information.\n");
}

static int take_setting(void *ctx, const struct hsd_opt *opt, const char *arg, char *err, size_t errlen)
{
	struct hsd_serve_cli *cli = ctx;
	return hsd_config_set_option(&cli->over, hsd_setting_by_option(opt->name), arg, err, errlen);
}

int hsd_serve_cli_parse(int argc, char **argv, struct hsd_serve_cli *cli, int *help)
{
	struct hsd_opt opts[HSD_SETTING_COUNT + 2];
	struct text usage = { .len = 0 };
	size_t n = 0, npos;
	int r;
	memset(cli, 0, sizeof(*cli));
	hsd_config_init(&cli->over);
	usage_text(&usage);
	opts[n++] = (struct hsd_opt){ .name = "dir", .value = &cli->dir };
	opts[n++] = (struct hsd_opt){ .name = "pidfile", .value = &cli->pidfile };
	for (size_t i = 0; i < HSD_SETTING_COUNT; i++)
		if (hsd_settings[i].option != NULL)
			opts[n++] =
				(struct hsd_opt){ .name = hsd_settings[i].option, .take = take_setting, .ctx = cli };
	if ((r = hsd_cli_parse(argc, argv, opts, n, NULL, 0, &npos, help, usage.buf)) != 0)
		return r;
	if (cli->dir != NULL && cli->dir[0] == '\0')
		return hsd_cli_usage(usage.buf, "--dir needs a value");
	if (cli->pidfile != NULL && cli->pidfile[0] == '\0')
		return hsd_cli_usage(usage.buf, "--pidfile needs a value");
	return 0;
}

void hsd_serve_cli_cleanup(struct hsd_serve_cli *cli)
{
	hsd_config_cleanup(&cli->over);
}

/* "  --option VALUE   help", the help's later lines under its first. */
static void option_help(struct text *t, const char *option, const char *metavar, const char *help)
{
	char left[64];
	snprintf(left, sizeof left, "--%s %s", option, metavar);
	for (const char *line = help; line != NULL;) {
		const char *nl = strchr(line, '\n');
		int len = nl != NULL ? (int)(nl - line) : (int)strlen(line);
		add(t, "  %-*s %.*s\n", OPTION_WIDTH, left, len, line);
		left[0] = '\0';
		line = nl != NULL ? nl + 1 : NULL;
	}
}

int hsd_serve_cli_help(void)
{
	struct text t = { .len = 0 };
	synopsis(&t);
	add(&t,
	    "\n"
	    "Serve the peer hosts of the trust registry in DIR until SIGTERM or SIGINT.\n"
	    "A peer logs in with its host identity as the user name and one of its\n"
	    "valid keys, and may run only the subsystems granted to it that are also\n"
	    "configured here; each runs as `/bin/sh -c COMMAND`.\n"
	    "\n"
	    "Listening addresses, subsystems and limits also come from DIR/" HSD_CONFIG_FILE
	    ";\n"
	    "the command line wins. SIGHUP re-reads that file; SIGTERM or SIGINT stop\n"
	    "taking connections and let open sessions finish (up to shutdown_timeout).\n"
	    "DIR and its files must belong to this user or root, writable by no one\n"
	    "else, and the host key readable by no one else (checked at start and at\n"
	    "each SIGHUP).\n"
	    "\n"
	    "Options:\n");
	/* the default of --dir spans lines of its own */
	add(&t, "  %-*s %s\n", OPTION_WIDTH, "--dir DIR", "the state directory; default: " HSD_STATE_DIR_DEFAULT_TEXT);
	for (size_t i = 0; i < HSD_SETTING_COUNT; i++) {
		const struct hsd_setting *s = &hsd_settings[i];
		if (s->option != NULL)
			option_help(&t, s->option, s->metavar, s->help);
	}
	option_help(&t, "pidfile", "PATH",
	            "write the process id to PATH, locked while serving\n"
	            "(another server given the same PATH refuses to start)");
	add(&t, "  %-*s %s\n", OPTION_WIDTH, "-h, --help", "show this help");
	return hsd_cli_help(t.buf);
}
