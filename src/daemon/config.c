/*
 * hostsd program — the configuration file (see config.h): a line-by-line
 * parser that checks every value against its setting in the table
 * (settings.h) and names the file and line of any mistake, the same checks
 * for `hostsd serve`'s options, and the commented template `hostsd init`
 * writes, made from the table. Listening addresses and subsystems are
 * checked by serve_args.h, algorithm lists by the engine.
 */
#include "daemon/config.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <hostsd/server.h>

#include "daemon/log.h"

static const char template_head[] =
	"# hostsd configuration (written by hostsd init).\n"
	"#\n"
	"# One setting per line: NAME VALUE. Lines starting with # are comments.\n"
	"# Every setting below is shown commented out with its default value:\n"
	"# remove the # and change the value to set it. `listen`, `subsystem` and\n"
	"# `subsystem_user` may be given several times. See docs/hostsd.md for details.\n";

/* The template is the same text every time: made once. */
#define TEMPLATE_MAX 8192
static char template_text[TEMPLATE_MAX];
static pthread_once_t template_once = PTHREAD_ONCE_INIT;

static void append(char *buf, size_t *len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void append(char *buf, size_t *len, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf + *len, TEMPLATE_MAX - *len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= TEMPLATE_MAX - *len)
		abort(); /* TEMPLATE_MAX is too small for the table */
	*len += (size_t)n;
}

static void make_template(void)
{
	size_t len = 0;
	char def[32];
	append(template_text, &len, "%s", template_head);
	for (size_t i = 0; i < HSD_SETTING_COUNT; i++) {
		const struct hsd_setting *s = &hsd_settings[i];
		const char *value = hsd_setting_default_text(s, def, sizeof def);
		append(template_text, &len, "%s", s->comment != NULL ? s->comment : "");
		if (value != NULL)
			append(template_text, &len, "#%s %s\n", s->name, value);
	}
}

const char *hsd_config_template(void)
{
	if (pthread_once(&template_once, make_template) != 0)
		abort();
	return template_text;
}

static void store_number(struct hsd_config *c, const struct hsd_setting *s, uint64_t n)
{
	char *field = (char *)c + s->config_off;
	if (s->type == HSD_TYPE_BYTES) {
		memcpy(field, &n, sizeof n);
	} else {
		unsigned u = (unsigned)n;
		memcpy(field, &u, sizeof u);
	}
}

static void copy_number(struct hsd_config *c, const struct hsd_config *from, const struct hsd_setting *s)
{
	size_t size = s->type == HSD_TYPE_BYTES ? sizeof(uint64_t) : sizeof(unsigned);
	memcpy((char *)c + s->config_off, (const char *)from + s->config_off, size);
}

void hsd_config_init(struct hsd_config *c)
{
	char err[16];
	struct hs_config e;
	hs_config_init(&e);
	memset(c, 0, sizeof(*c));
	for (size_t i = 0; i < HSD_SETTING_COUNT; i++) {
		const struct hsd_setting *s = &hsd_settings[i];
		switch (s->type) {
		case HSD_TYPE_LISTEN:
			if (hsd_parse_listen(s->def_text, &c->listen[0], err, sizeof err) == 0)
				c->nlisten = 1;
			break;
		case HSD_TYPE_NUMBER:
		case HSD_TYPE_BYTES:
		case HSD_TYPE_UMASK:
			store_number(c, s, hsd_setting_default(s));
			break;
		case HSD_TYPE_LOG_LEVEL:
			c->log_level = (int)hsd_setting_default(s);
			break;
		case HSD_TYPE_ACCOUNT:
			snprintf(c->user, sizeof c->user, "%s", s->def_text);
			break;
		case HSD_TYPE_DIRECTORY:
			snprintf(c->subsystem_directory, sizeof c->subsystem_directory, "%s", s->def_text);
			break;
		case HSD_TYPE_STARTUPS:
			c->early_drop_start = e.early_drop_start;
			c->early_drop_rate = e.early_drop_rate;
			break;
		case HSD_TYPE_NETBLOCK:
			c->netblock_ipv4 = e.source_netblock_ipv4;
			c->netblock_ipv6 = e.source_netblock_ipv6;
			break;
		case HSD_TYPE_SUBSYSTEM:
		case HSD_TYPE_SUBSYSTEM_USER:
		case HSD_TYPE_ALGORITHMS:
		case HSD_TYPE_NETWORKS:
		case HSD_TYPE_SOCKET:
			break; /* none: NULL */
		}
	}
}

void hsd_config_cleanup(struct hsd_config *c)
{
	hsd_subsystems_clear(&c->subsystems);
	hsd_subsystem_users_clear(&c->subsystem_users);
	for (size_t i = 0; i < HSD_ALG_COUNT; i++)
		free(c->algs[i]);
	free(c->penalty_exempt);
	free(c->host_key_agent);
	hsd_config_init(c);
}

/* Where a value comes from, for messages and the rules of repetition. */
struct ctx {
	const char *name; /* the file's; NULL: the command line */
	unsigned line;
	unsigned first_line[HSD_SETTING_COUNT]; /* where each single setting was given */
	char *err;
	size_t errlen;
};

static int fail(struct ctx *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(struct ctx *x, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (x->name != NULL)
		snprintf(x->err, x->errlen, "%s:%u: %s", x->name, x->line, msg);
	else
		snprintf(x->err, x->errlen, "%s", msg);
	return -1;
}

/* How a message names the setting: as the file spells it, or as the
 * command-line option. */
static const char *label(const struct ctx *x, const struct hsd_setting *s, char *buf, size_t buflen)
{
	if (x->name != NULL || s->option == NULL)
		return s->name;
	snprintf(buf, buflen, "--%s", s->option);
	return buf;
}

static int is_repeatable(const struct hsd_setting *s)
{
	return s->type == HSD_TYPE_LISTEN || s->type == HSD_TYPE_SUBSYSTEM || s->type == HSD_TYPE_SUBSYSTEM_USER;
}

/* An algorithm setting, checked now by the engine so that a mistake names
 * its line. */
static int set_algorithms(struct hsd_config *c, struct ctx *x, const struct hsd_setting *s, const char *v)
{
	size_t alg = (size_t)(s->id - HSD_SETTING_PROFILE);
	struct hs_config e;
	char msg[512], shown[48];
	hs_config_init(&e);
	memcpy((char *)&e + s->engine_off, &v, sizeof v);
	if (hs_config_check(&e, msg, sizeof msg) != 0) {
		/* the engine names its own setting ("kex algorithms: ..."): name ours */
		const char *why = strstr(msg, ": ");
		if (s->id == HSD_SETTING_PROFILE || why == NULL)
			return fail(x, "%s", msg); /* 'profile "x" is unknown; ...' */
		return fail(x, "%s: %s", label(x, s, shown, sizeof shown), why + 2);
	}
	char *copy = strdup(v);
	if (copy == NULL)
		return fail(x, "out of memory");
	free(c->algs[alg]);
	c->algs[alg] = copy;
	return 0;
}

/* penalty_exempt, checked now by the engine so that a mistake names its
 * line (the engine's message names the setting as we do). */
static int set_networks(struct hsd_config *c, struct ctx *x, const char *v)
{
	struct hs_config e;
	char msg[512];
	hs_config_init(&e);
	e.penalty_exempt = v;
	if (hs_config_check(&e, msg, sizeof msg) != 0)
		return fail(x, "%s", msg);
	char *copy = strdup(v);
	if (copy == NULL)
		return fail(x, "out of memory");
	free(c->penalty_exempt);
	c->penalty_exempt = copy;
	return 0;
}

/* host_key_agent: an absolute path (the socket is reached when the server
 * starts, which says then what is wrong with it). */
static int set_socket(struct hsd_config *c, struct ctx *x, const struct hsd_setting *s, const char *v)
{
	char shown[48];
	if (v[0] != '/' || strlen(v) >= 108)
		return fail(x, "%s \"%s\" must be the absolute path of a Unix socket (at most 107 bytes)",
		            label(x, s, shown, sizeof shown), v);
	char *copy = strdup(v);
	if (copy == NULL)
		return fail(x, "out of memory");
	free(c->host_key_agent);
	c->host_key_agent = copy;
	return 0;
}

static int add_listen(struct hsd_config *c, struct ctx *x, const char *v)
{
	struct hsd_listen_addr a;
	char msg[384];
	if (hsd_parse_listen(v, &a, msg, sizeof msg) != 0)
		return fail(x, "%s", msg);
	/* The first listen line (or --listen) replaces the default address. */
	if (!(c->set & HSD_CFG_LISTEN))
		c->nlisten = 0;
	if (x->name != NULL) {
		for (size_t i = 0; i < c->nlisten; i++)
			if (strcmp(c->listen[i].addr, a.addr) == 0 && c->listen[i].port == a.port)
				return fail(x, "listen %s is given twice", v);
		if (c->nlisten >= HSD_CONFIG_MAX_LISTEN)
			return fail(x, "too many listen lines (at most %d)", HSD_CONFIG_MAX_LISTEN);
	} else if (c->nlisten >= HSD_CONFIG_MAX_LISTEN) {
		/* on the command line the same address may come twice: port 0 */
		return fail(x, "at most %d --listen addresses", HSD_CONFIG_MAX_LISTEN);
	}
	c->listen[c->nlisten++] = a;
	return 0;
}

static int add_subsystem(struct hsd_config *c, struct ctx *x, const char *v)
{
	char *sname = NULL, *command = NULL, msg[384];
	if (hsd_parse_subsystem(v, &sname, &command, msg, sizeof msg) != 0)
		return fail(x, "%s", msg);
	int r = 0;
	if (x->name != NULL && hsd_subsystems_get(&c->subsystems, sname) != NULL)
		r = fail(x, "subsystem %s is given twice", sname);
	else if (x->name != NULL && c->subsystems.n >= HSD_CONFIG_MAX_SUBSYSTEMS)
		r = fail(x, "too many subsystems (at most %d)", HSD_CONFIG_MAX_SUBSYSTEMS);
	else if (hsd_subsystems_set(&c->subsystems, sname, command) != 0) /* the command line: the last wins */
		r = fail(x, "out of memory");
	free(sname);
	free(command);
	return r;
}

static int add_subsystem_user(struct hsd_config *c, struct ctx *x, const struct hsd_setting *s, const char *v)
{
	char *sname = NULL, *spec = NULL, msg[384], shown[48];
	if (hsd_parse_subsystem_user(label(x, s, shown, sizeof shown), v, &sname, &spec, msg, sizeof msg) != 0)
		return fail(x, "%s", msg);
	int r = 0;
	if (x->name != NULL && hsd_subsystem_users_get(&c->subsystem_users, sname) != NULL)
		r = fail(x, "subsystem_user %s is given twice", sname);
	else if (x->name != NULL && c->subsystem_users.named.n >= HSD_CONFIG_MAX_SUBSYSTEMS)
		r = fail(x, "too many subsystem_user lines (at most %d)", HSD_CONFIG_MAX_SUBSYSTEMS);
	else if (hsd_subsystem_users_set(&c->subsystem_users, sname, spec) != 0)
		r = fail(x, "out of memory");
	free(sname);
	free(spec);
	return r;
}

/* user: an account spec, looked up when the server starts as root (it
 * means nothing otherwise). */
static int set_account(struct hsd_config *c, struct ctx *x, const struct hsd_setting *s, const char *v)
{
	char shown[48];
	if (!hsd_account_spec_valid(v))
		return fail(x, "%s \"%s\" must be USER or USER:GROUP (names or numbers, without blanks)",
		            label(x, s, shown, sizeof shown), v);
	memset(c->user, 0, sizeof c->user);
	snprintf(c->user, sizeof c->user, "%s", v);
	return 0;
}

/* subsystem_directory: absolute (whether the account may enter it is
 * told when a subsystem starts). */
static int set_directory(struct hsd_config *c, struct ctx *x, const struct hsd_setting *s, const char *v)
{
	char shown[48];
	if (v[0] != '/' || strlen(v) >= sizeof c->subsystem_directory)
		return fail(x, "%s \"%s\" must be an absolute path (at most %d bytes)",
		            label(x, s, shown, sizeof shown), v, HSD_CONFIG_DIRECTORY_MAX - 1);
	memset(c->subsystem_directory, 0, sizeof c->subsystem_directory);
	snprintf(c->subsystem_directory, sizeof c->subsystem_directory, "%s", v);
	return 0;
}

static int set_value(struct hsd_config *c, struct ctx *x, const struct hsd_setting *s, const char *v)
{
	char msg[384], shown[48];
	uint64_t n;
	switch (s->type) {
	case HSD_TYPE_LISTEN:
		return add_listen(c, x, v);
	case HSD_TYPE_SUBSYSTEM:
		return add_subsystem(c, x, v);
	case HSD_TYPE_ALGORITHMS:
		return set_algorithms(c, x, s, v);
	case HSD_TYPE_NETWORKS:
		return set_networks(c, x, v);
	case HSD_TYPE_SOCKET:
		return set_socket(c, x, s, v);
	case HSD_TYPE_SUBSYSTEM_USER:
		return add_subsystem_user(c, x, s, v);
	case HSD_TYPE_ACCOUNT:
		return set_account(c, x, s, v);
	case HSD_TYPE_DIRECTORY:
		return set_directory(c, x, s, v);
	case HSD_TYPE_STARTUPS:
		if (hsd_parse_startups(label(x, s, shown, sizeof shown), v, &c->early_drop_start, &c->early_drop_rate,
		                       &c->startups_full, msg, sizeof msg) != 0)
			return fail(x, "%s", msg);
		return 0;
	case HSD_TYPE_NETBLOCK:
		if (hsd_parse_netblock(label(x, s, shown, sizeof shown), v, &c->netblock_ipv4, &c->netblock_ipv6, msg,
		                       sizeof msg) != 0)
			return fail(x, "%s", msg);
		return 0;
	case HSD_TYPE_NUMBER:
	case HSD_TYPE_BYTES:
	case HSD_TYPE_UMASK:
	case HSD_TYPE_LOG_LEVEL:
		if (hsd_setting_parse_scalar(s, label(x, s, shown, sizeof shown), v, &n, msg, sizeof msg) != 0)
			return fail(x, "%s", msg);
		if (s->type == HSD_TYPE_LOG_LEVEL)
			c->log_level = (int)n;
		else
			store_number(c, s, n);
		return 0;
	}
	return fail(x, "internal error: setting %s has no parser", s->name);
}

static int is_blank(char ch)
{
	return ch == ' ' || ch == '\t';
}

/* The names of the settings, in the order of their ids, for a message. */
static void known_names(char *out, size_t outlen)
{
	size_t n = 0;
	out[0] = '\0';
	for (int id = 0; id < HSD_SETTING_COUNT; id++) {
		int w = snprintf(out + n, outlen - n, "%s%s", id > 0 ? ", " : "", hsd_setting_by_id(id)->name);
		if (w < 0 || (size_t)w >= outlen - n)
			return;
		n += (size_t)w;
	}
}

/* One line (no newline, NUL-terminated). */
static int parse_line(struct hsd_config *c, struct ctx *x, char *s)
{
	size_t n = strlen(s);
	while (n > 0 && (is_blank(s[n - 1]) || s[n - 1] == '\r'))
		s[--n] = '\0';
	while (is_blank(*s))
		s++;
	if (*s == '\0' || *s == '#')
		return 0;
	for (const char *p = s; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 && *p != '\t')
			return fail(x, "control character in the line");
	char *v = s;
	while (*v != '\0' && !is_blank(*v))
		v++;
	size_t namelen = (size_t)(v - s);
	while (is_blank(*v))
		v++;
	const struct hsd_setting *set = hsd_setting_by_name(s, namelen);
	if (set == NULL) {
		char known[1024];
		known_names(known, sizeof known);
		return fail(x, "unknown setting \"%.*s\" (known: %s)", (int)(namelen > 64 ? 64 : namelen), s, known);
	}
	if (*v == '\0')
		return fail(x, "%s needs a value", set->name);
	uint64_t bit = HSD_CFG_BIT(set->id);
	if (!is_repeatable(set) && (c->set & bit))
		return fail(x, "%s is given twice (first on line %u)", set->name, x->first_line[set->id]);
	if (set_value(c, x, set, v) != 0)
		return -1;
	if (!(c->set & bit))
		x->first_line[set->id] = x->line;
	c->set |= bit;
	return 0;
}

int hsd_config_parse(struct hsd_config *c, const char *text, size_t len, const char *name, char *err, size_t errlen)
{
	struct ctx x = { .name = name != NULL ? name : "config", .err = err, .errlen = errlen };
	char *line = malloc(HSD_CONFIG_MAX_LINE + 1);
	size_t pos = 0;
	int r = 0;
	if (line == NULL) {
		snprintf(err, errlen, "%s: out of memory", x.name);
		return -1;
	}
	if (len > HSD_CONFIG_MAX_BYTES) {
		snprintf(err, errlen, "%s: the file is too large (%zu bytes; at most %u)", x.name, len,
		         HSD_CONFIG_MAX_BYTES);
		r = -1;
	}
	while (r == 0 && pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t n = nl != NULL ? (size_t)(nl - (text + pos)) : len - pos;
		x.line++;
		if (n > HSD_CONFIG_MAX_LINE) {
			r = fail(&x, "the line is too long (at most %u bytes)", HSD_CONFIG_MAX_LINE);
			break;
		}
		if (memchr(text + pos, '\0', n) != NULL) {
			r = fail(&x, "NUL byte in the line");
			break;
		}
		memcpy(line, text + pos, n);
		line[n] = '\0';
		r = parse_line(c, &x, line);
		pos += n + (nl != NULL ? 1 : 0);
	}
	if (r == 0 && (c->set & HSD_CFG_MAX_STARTUPS)) {
		/* max_startups' FULL is max_unauthenticated: both given, both the same */
		if ((c->set & HSD_CFG_MAX_UNAUTHENTICATED) && c->max_unauthenticated != c->startups_full) {
			x.line = x.first_line[HSD_SETTING_MAX_STARTUPS];
			r = fail(&x,
			         "max_startups' FULL (%u) and max_unauthenticated (%u) are the same limit: give one of "
			         "them, or the same number",
			         c->startups_full, c->max_unauthenticated);
		}
		c->max_unauthenticated = c->startups_full;
	}
	if (r == 0 && c->max_unauthenticated_per_source > c->max_unauthenticated) {
		x.line = x.first_line[HSD_SETTING_MAX_UNAUTHENTICATED_PER_SOURCE]
		                 ? x.first_line[HSD_SETTING_MAX_UNAUTHENTICATED_PER_SOURCE]
		         : x.first_line[HSD_SETTING_MAX_UNAUTHENTICATED] ? x.first_line[HSD_SETTING_MAX_UNAUTHENTICATED]
		                                                         : x.first_line[HSD_SETTING_MAX_STARTUPS];
		r = fail(&x, "max_unauthenticated_per_source (%u) is above max_unauthenticated (%u)",
		         c->max_unauthenticated_per_source, c->max_unauthenticated);
	}
	if (r == 0 && c->penalty_max <= c->penalty_min) {
		x.line = x.first_line[HSD_SETTING_PENALTY_MAX] ? x.first_line[HSD_SETTING_PENALTY_MAX]
		                                               : x.first_line[HSD_SETTING_PENALTY_MIN];
		r = fail(&x, "penalty_max (%u) must be above penalty_min (%u)", c->penalty_max, c->penalty_min);
	}
	free(line);
	if (r != 0)
		hsd_config_cleanup(c);
	return r;
}

int hsd_config_read(const char *path, int missing_ok, char **out, size_t *outlen, char *err, size_t errlen)
{
	struct stat st;
	char *text = NULL;
	size_t len = 0;
	int r = -1;
	*out = NULL;
	*outlen = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		if (errno == ENOENT && missing_ok)
			return 0;
		snprintf(err, errlen, "cannot read the configuration file %s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "the configuration file %s is not a regular file", path);
		goto out;
	}
	if ((text = malloc(HSD_CONFIG_MAX_BYTES + 1)) == NULL) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	/* Read one byte more than allowed, to tell a too-large file. */
	while (len <= HSD_CONFIG_MAX_BYTES) {
		ssize_t n = read(fd, text + len, HSD_CONFIG_MAX_BYTES + 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			snprintf(err, errlen, "cannot read the configuration file %s: %s", path, strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	*out = text; /* one byte too many tells the parser it is too large */
	*outlen = len;
	text = NULL;
	r = 0;
out:
	free(text);
	close(fd);
	return r;
}

int hsd_config_load(struct hsd_config *c, const char *path, int missing_ok, char *err, size_t errlen)
{
	char *text;
	size_t len;
	hsd_config_init(c);
	if (hsd_config_read(path, missing_ok, &text, &len, err, errlen) != 0)
		return -1;
	if (text == NULL)
		return 0;
	int r = hsd_config_parse(c, text, len, path, err, errlen);
	free(text);
	return r;
}

int hsd_config_set_option(struct hsd_config *c, const struct hsd_setting *s, const char *value, char *err,
                          size_t errlen)
{
	struct ctx x = { .name = NULL, .err = err, .errlen = errlen };
	uint64_t bit = HSD_CFG_BIT(s->id);
	if (s->option == NULL)
		return fail(&x, "internal error: %s has no option", s->name);
	if (!is_repeatable(s) && (c->set & bit))
		return fail(&x, "--%s is given twice", s->option);
	if (set_value(c, &x, s, value) != 0)
		return -1;
	c->set |= bit;
	return 0;
}

int hsd_config_overlay(struct hsd_config *c, const struct hsd_config *over, char *err, size_t errlen)
{
	for (size_t i = 0; i < HSD_SETTING_COUNT; i++) {
		const struct hsd_setting *s = &hsd_settings[i];
		if (!(over->set & HSD_CFG_BIT(s->id)))
			continue;
		switch (s->type) {
		case HSD_TYPE_LISTEN:
			memcpy(c->listen, over->listen, over->nlisten * sizeof over->listen[0]);
			c->nlisten = over->nlisten;
			break;
		case HSD_TYPE_SUBSYSTEM:
			for (size_t k = 0; k < over->subsystems.n; k++)
				if (hsd_subsystems_set(&c->subsystems, over->subsystems.v[k].name,
				                       over->subsystems.v[k].command) != 0)
					goto oom;
			break;
		case HSD_TYPE_SUBSYSTEM_USER:
			if (over->subsystem_users.any != NULL &&
			    hsd_subsystem_users_set(&c->subsystem_users, "*", over->subsystem_users.any) != 0)
				goto oom;
			for (size_t k = 0; k < over->subsystem_users.named.n; k++)
				if (hsd_subsystem_users_set(&c->subsystem_users, over->subsystem_users.named.v[k].name,
				                            over->subsystem_users.named.v[k].command) != 0)
					goto oom;
			break;
		case HSD_TYPE_NUMBER:
		case HSD_TYPE_BYTES:
		case HSD_TYPE_UMASK:
			copy_number(c, over, s);
			break;
		case HSD_TYPE_ACCOUNT:
			memcpy(c->user, over->user, sizeof c->user);
			break;
		case HSD_TYPE_DIRECTORY:
			memcpy(c->subsystem_directory, over->subsystem_directory, sizeof c->subsystem_directory);
			break;
		case HSD_TYPE_LOG_LEVEL:
			c->log_level = over->log_level;
			break;
		case HSD_TYPE_ALGORITHMS: {
			size_t alg = (size_t)(s->id - HSD_SETTING_PROFILE);
			char *copy = strdup(over->algs[alg]);
			if (copy == NULL)
				goto oom;
			free(c->algs[alg]);
			c->algs[alg] = copy;
			break;
		}
		case HSD_TYPE_STARTUPS:
			c->early_drop_start = over->early_drop_start;
			c->early_drop_rate = over->early_drop_rate;
			c->startups_full = c->max_unauthenticated = over->startups_full;
			break;
		case HSD_TYPE_NETBLOCK:
			c->netblock_ipv4 = over->netblock_ipv4;
			c->netblock_ipv6 = over->netblock_ipv6;
			break;
		case HSD_TYPE_NETWORKS: {
			char *copy = strdup(over->penalty_exempt);
			if (copy == NULL)
				goto oom;
			free(c->penalty_exempt);
			c->penalty_exempt = copy;
			break;
		}
		case HSD_TYPE_SOCKET: {
			char *copy = strdup(over->host_key_agent);
			if (copy == NULL)
				goto oom;
			free(c->host_key_agent);
			c->host_key_agent = copy;
			break;
		}
		}
		c->set |= HSD_CFG_BIT(s->id);
	}
	if (c->max_unauthenticated_per_source > c->max_unauthenticated) {
		snprintf(err, errlen, "max_unauthenticated_per_source (%u) is above max_unauthenticated (%u)",
		         c->max_unauthenticated_per_source, c->max_unauthenticated);
		return -1;
	}
	return 0;
oom:
	snprintf(err, errlen, "out of memory");
	return -1;
}
