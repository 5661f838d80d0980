/*
 * hostsd program — helpers of the command line (see cli.h): a small
 * option parser (options may come before or after positional arguments,
 * as users type them), messages with fixed prefixes, and the checks every
 * command makes before touching the state directory.
 */
#include "daemon/cli.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "daemon/statedir.h"

static void vmessage(const char *prefix, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
static void vmessage(const char *prefix, const char *fmt, va_list ap)
{
	char msg[2048];
	vsnprintf(msg, sizeof msg, fmt, ap);
	fflush(stdout); /* keep results and messages in order on a terminal */
	fprintf(stderr, "hostsd: %s%s\n", prefix, msg);
}

int hsd_cli_fail(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vmessage("", fmt, ap);
	va_end(ap);
	return HSD_EXIT_FAIL;
}

void hsd_cli_warn(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vmessage("warning: ", fmt, ap);
	va_end(ap);
}

int hsd_cli_usage(const char *usage, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vmessage("", fmt, ap);
	va_end(ap);
	fprintf(stderr, "%s", usage);
	return HSD_EXIT_USAGE;
}

int hsd_cli_help(const char *text)
{
	fputs(text, stdout);
	return hsd_cli_finish(HSD_EXIT_OK);
}

int hsd_cli_finish(int code)
{
	if (fflush(stdout) != 0 || ferror(stdout)) {
		if (code == HSD_EXIT_OK)
			fprintf(stderr, "hostsd: cannot write the output\n");
		return code == HSD_EXIT_OK ? HSD_EXIT_FAIL : code;
	}
	return code;
}

const char *hsd_cli_shown(const char *s, char *buf, size_t buflen)
{
	hsd_text_sanitize(buf, buflen, s != NULL ? s : "");
	if (s != NULL && strlen(s) >= buflen && buflen > 4)
		memcpy(buf + buflen - 4, "...", 4);
	return buf;
}

static const struct hsd_opt *find_opt(const struct hsd_opt *opts, size_t nopts, const char *name, size_t len)
{
	for (size_t i = 0; i < nopts; i++)
		if (strlen(opts[i].name) == len && memcmp(opts[i].name, name, len) == 0)
			return &opts[i];
	return NULL;
}

/* Every option "not given", before a parse fills them in. */
static void clear_opts(const struct hsd_opt *opts, size_t nopts)
{
	for (size_t i = 0; i < nopts; i++) {
		if (opts[i].value != NULL)
			*opts[i].value = NULL;
		if (opts[i].flag != NULL)
			*opts[i].flag = 0;
	}
}

/* Give the argument of an option that takes one to where it goes: its
 * value, or its take callback. */
static int store_arg(const struct hsd_opt *o, const char *arg, const char *usage)
{
	char err[512];
	if (o->value != NULL) {
		*o->value = arg;
		return 0;
	}
	if (o->take(o->ctx, o, arg, err, sizeof err) != 0)
		return hsd_cli_usage(usage, "%s", err);
	return 0;
}

/* One "--name" or "--name=VALUE" at argv[*i]; a value given as the next
 * argument is consumed by advancing *i. Returns 0 or HSD_EXIT_USAGE. */
static int parse_long_opt(int argc, char **argv, int *i, const struct hsd_opt *opts, size_t nopts, const char *usage)
{
	char shown[96];
	const char *name = argv[*i] + 2, *eq = strchr(name, '=');
	size_t len = eq != NULL ? (size_t)(eq - name) : strlen(name);
	const struct hsd_opt *o = find_opt(opts, nopts, name, len);
	if (o == NULL)
		return hsd_cli_usage(usage, "unknown option \"--%.*s\"", (int)(len > 64 ? 64 : len),
		                     hsd_cli_shown(name, shown, sizeof shown));
	if (o->flag != NULL) {
		if (eq != NULL)
			return hsd_cli_usage(usage, "--%s takes no value", o->name);
		*o->flag = 1;
		return 0;
	}
	if (o->value != NULL && *o->value != NULL)
		return hsd_cli_usage(usage, "--%s is given twice", o->name);
	if (eq != NULL)
		return store_arg(o, eq + 1, usage);
	if (*i + 1 >= argc)
		return hsd_cli_usage(usage, "--%s needs a value", o->name);
	return store_arg(o, argv[++*i], usage);
}

int hsd_cli_parse(int argc, char **argv, const struct hsd_opt *opts, size_t nopts, char **pos, size_t maxpos,
                  size_t *npos, int *help, const char *usage)
{
	char shown[96];
	int only_pos = 0, r;
	*npos = 0;
	*help = 0;
	clear_opts(opts, nopts);
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (only_pos || a[0] != '-' || strcmp(a, "-") == 0) {
			if (*npos >= maxpos)
				return hsd_cli_usage(usage, "unexpected argument \"%s\"",
				                     hsd_cli_shown(a, shown, sizeof shown));
			pos[(*npos)++] = argv[i];
		} else if (strcmp(a, "--") == 0) {
			only_pos = 1;
		} else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			*help = 1;
		} else if (a[1] != '-') {
			return hsd_cli_usage(usage, "unknown option \"%s\"", hsd_cli_shown(a, shown, sizeof shown));
		} else if ((r = parse_long_opt(argc, argv, &i, opts, nopts, usage)) != 0) {
			return r;
		}
	}
	return 0;
}

int hsd_cli_state_dir(const char *opt, char *out, size_t outlen)
{
	char err[1024];
	if (hsd_state_dir_resolve(opt, out, outlen, err, sizeof err) != 0 ||
	    hsd_state_dir_check(out, err, sizeof err) != 0)
		return hsd_cli_fail("%s", err);
	return 0;
}

int hsd_cli_open_registry(const char *dir, struct hsd_registry **out)
{
	char path[HSD_PATH_MAX], err[1024];
	if (hsd_state_path(dir, HSD_REGISTRY_FILE, path, sizeof path, err, sizeof err) != 0)
		return hsd_cli_fail("%s", err);
	if (hsd_registry_open(path, HSD_REG_CHECK, out, err, sizeof err) != 0)
		return hsd_cli_fail("%s", err);
	return 0;
}
