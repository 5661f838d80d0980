/*
 * hostsd program — the parser of `hostsd trust import` lines (see
 * import.h). The line is read through a bounds-checked view, one byte at a
 * time; every value is copied into a fixed buffer with its length
 * checked first, and the key itself goes to the engine's key-line parser.
 */
#include "registry/import.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "wire/buf.h"

/* The next byte without consuming it, or -1 at the end. */
static int peek(const struct hs_view *v)
{
	return hs__view_left(v) > 0 ? *hs__view_cur(v) : -1;
}

static void skip(struct hs_view *v)
{
	uint8_t c;
	if (hs__view_get_u8(v, &c) != 0)
		return;
}

static int is_blank(int c)
{
	return c == ' ' || c == '\t';
}

static void skip_blanks(struct hs_view *v)
{
	while (is_blank(peek(v)))
		skip(v);
}

static int fail(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

/* Options that only forbid what hostsd never allows anyway. */
static const char *const harmless[] = {
	"restrict", "no-pty", "no-port-forwarding", "no-agent-forwarding", "no-x11-forwarding", "no-user-rc", NULL
};

/* Option names of OpenSSH that hostsd cannot honour (used to tell options
 * from a key type when a line has no '='). */
static const char *const refused_flags[] = { "cert-authority", "agent-forwarding",  "port-forwarding", "pty", "user-rc",
	                                     "x11-forwarding", "no-touch-required", "verify-required", NULL };

static int in_list(const char *const *list, const char *name)
{
	for (; *list != NULL; list++)
		if (strcasecmp(*list, name) == 0)
			return 1;
	return 0;
}

/* Does the first field (from the view's position) hold options rather
 * than a key type? Options contain '=' or ',' or are a known flag. */
static int starts_with_options(struct hs_view v)
{
	char word[64];
	size_t n = 0;
	int quoted = 0;
	for (int c = peek(&v); c >= 0 && (quoted || !is_blank(c)); c = peek(&v)) {
		if (c == '"')
			quoted = !quoted;
		if (!quoted && (c == '=' || c == ','))
			return 1;
		if (n + 1 < sizeof word)
			word[n++] = (char)c;
		skip(&v);
	}
	word[n] = '\0';
	static const char *const ours[] = { "hostsd-id", "hostsd-subsystems", "expiry-time", NULL };
	return in_list(harmless, word) || in_list(refused_flags, word) || in_list(ours, word);
}

/* An option name: letters, digits and '-'. */
static int get_name(struct hs_view *v, char *out, size_t outlen)
{
	size_t n = 0;
	for (int c = peek(v); c >= 0; c = peek(v)) {
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-'))
			break;
		if (n + 1 >= outlen)
			return -1;
		out[n++] = (char)c;
		skip(v);
	}
	out[n] = '\0';
	return n > 0 ? 0 : -1;
}

/* An option value after '=': "quoted" (\" is a quote) or bare up to ','
 * or a blank. Returns 0, -1 (too long) or -2 (unterminated quote). */
static int get_value(struct hs_view *v, char *out, size_t outlen)
{
	size_t n = 0;
	if (peek(v) == '"') {
		skip(v);
		for (;;) {
			int c = peek(v);
			if (c < 0)
				return -2;
			skip(v);
			if (c == '"')
				break;
			if (c == '\\' && peek(v) == '"') {
				c = '"';
				skip(v);
			}
			if (n + 1 >= outlen)
				return -1;
			out[n++] = (char)c;
		}
	} else {
		for (int c = peek(v); c >= 0 && c != ',' && !is_blank(c); c = peek(v)) {
			if (n + 1 >= outlen)
				return -1;
			out[n++] = (char)c;
			skip(v);
		}
	}
	out[n] = '\0';
	return 0;
}

static int set_grants(struct hsd_import_entry *e, const char *value, char *err, size_t errlen)
{
	const char *p = value;
	char shown[80];
	e->grants_given = 1;
	e->ngrants = 0;
	if (*p == '\0')
		return 0; /* "": nothing granted */
	for (;;) {
		const char *comma = strchr(p, ',');
		size_t n = comma != NULL ? (size_t)(comma - p) : strlen(p);
		char name[HSD_GRANT_MAX + 2];
		if (n == 0 || n > HSD_GRANT_MAX) {
			hsd_text_sanitize(shown, sizeof shown, value);
			return fail(err, errlen, "hostsd-subsystems=\"%s\" has an empty or too long name", shown);
		}
		memcpy(name, p, n);
		name[n] = '\0';
		if (!hsd_grant_name_valid(name)) {
			hsd_text_sanitize(shown, sizeof shown, name);
			return fail(err, errlen, "invalid subsystem name \"%s\": use %s", shown, HSD_GRANT_RULE);
		}
		if (e->ngrants >= HSD_MAX_GRANTS)
			return fail(err, errlen, "too many subsystems (at most %d)", HSD_MAX_GRANTS);
		memcpy(e->grants[e->ngrants++], name, n + 1);
		if (comma == NULL)
			return 0;
		p = comma + 1;
	}
}

/* expiry-time="YYYYMMDD" or "YYYYMMDDZ": midnight UTC of that day. */
static int set_expiry(struct hsd_import_entry *e, const char *value, char *err, size_t errlen)
{
	char date[HSD_DATE_SIZE], shown[40];
	size_t n = strlen(value);
	if (n == 9 && (value[8] == 'Z' || value[8] == 'z'))
		n = 8;
	if (n == 8 && strspn(value, "0123456789") == 8) {
		snprintf(date, sizeof date, "%.4s-%.2s-%.2s", value, value + 4, value + 6);
		if (hsd_date_parse(date, &e->expires) == 0)
			return 0;
	}
	hsd_text_sanitize(shown, sizeof shown, value);
	return fail(err, errlen,
	            "expiry-time=\"%s\" is not a date YYYYMMDD (hostsd reads it as 00:00 UTC that day; times of day "
	            "are not supported)",
	            shown);
}

/* One option as written: NAME or NAME=VALUE. */
struct import_option {
	char name[40];
	char value[512]; /* "" without one */
	int has_value;
};

/* The options that carry a value, each of which may come once: how often
 * each was seen so far. */
struct seen_options {
	int id, grants, expiry;
};

/* The next option of the list into *opt. */
static int get_option(struct hs_view *v, struct import_option *opt, char *err, size_t errlen)
{
	opt->value[0] = '\0';
	if (get_name(v, opt->name, sizeof opt->name) != 0)
		return fail(err, errlen, "bad option list: expected an option name such as hostsd-id=HOST");
	opt->has_value = peek(v) == '=';
	if (!opt->has_value)
		return 0;
	skip(v);
	int r = get_value(v, opt->value, sizeof opt->value);
	if (r == -2)
		return fail(err, errlen, "the value of %s has no closing quote", opt->name);
	if (r != 0)
		return fail(err, errlen, "the value of %s is too long", opt->name);
	return 0;
}

/* An option of hostsd's own needs a value and may be given once; *seen
 * counts it. */
static int check_once(const char *option, const struct import_option *opt, int *seen, char *err, size_t errlen)
{
	if (!opt->has_value)
		return fail(err, errlen, "%s needs a value", option);
	if ((*seen)++)
		return fail(err, errlen, "%s is given twice", option);
	return 0;
}

static int set_host_id(struct hsd_import_entry *e, const char *value, char *err, size_t errlen)
{
	char shown[80];
	if (!hsd_host_id_valid(value)) {
		hsd_text_sanitize(shown, sizeof shown, value);
		return fail(err, errlen, "invalid host identity \"%s\": use %s", shown, HSD_HOST_ID_RULE);
	}
	memcpy(e->host_id, value, strlen(value) + 1);
	return 0;
}

/* Check one option and store what it says in e. Options that would grant
 * or restrict something hostsd cannot honour are refused, so that no
 * restriction is dropped silently. */
static int apply_option(struct hsd_import_entry *e, const struct import_option *opt, struct seen_options *seen,
                        char *err, size_t errlen)
{
	int r;
	if (strcasecmp(opt->name, "hostsd-id") == 0) {
		if ((r = check_once("hostsd-id", opt, &seen->id, err, errlen)) != 0)
			return r;
		return set_host_id(e, opt->value, err, errlen);
	}
	if (strcasecmp(opt->name, "hostsd-subsystems") == 0) {
		if ((r = check_once("hostsd-subsystems", opt, &seen->grants, err, errlen)) != 0)
			return r;
		return set_grants(e, opt->value, err, errlen);
	}
	if (strcasecmp(opt->name, "expiry-time") == 0) {
		if ((r = check_once("expiry-time", opt, &seen->expiry, err, errlen)) != 0)
			return r;
		return set_expiry(e, opt->value, err, errlen);
	}
	if (!opt->has_value && in_list(harmless, opt->name))
		return 0; /* hostsd never allows it anyway */
	return fail(err, errlen,
	            "option \"%s\" is not supported by hostsd (it cannot honour it): remove it; hostsd "
	            "knows hostsd-id=, hostsd-subsystems=, expiry-time= and the no-* restrictions",
	            opt->name);
}

/* The option list: options separated by ',' up to a blank or the end. */
static int parse_options(struct hs_view *v, struct hsd_import_entry *e, char *err, size_t errlen)
{
	/* Zeroed whole, so that no byte of a value is ever read unset. */
	struct import_option opt = { "", "", 0 };
	struct seen_options seen = { 0, 0, 0 };
	for (;;) {
		if (get_option(v, &opt, err, errlen) != 0 || apply_option(e, &opt, &seen, err, errlen) != 0)
			return -1;
		int c = peek(v);
		if (c < 0 || is_blank(c))
			break;
		if (c != ',')
			return fail(err, errlen, "bad option list after %s: expected ',' or a blank", opt.name);
		skip(v);
	}
	if (!seen.id)
		return fail(err, errlen,
		            "no hostsd-id=HOST option: name the host (hostsd-id=HOST ssh-ed25519 AAAA...)");
	return 0;
}

void hsd_import_entry_clear(struct hsd_import_entry *e)
{
	hs_key_free(e->key);
	memset(e, 0, sizeof(*e));
}

int hsd_import_parse_line(const char *line, size_t len, struct hsd_import_entry *out, char *err, size_t errlen)
{
	struct hs_view v = hs__view_make(line, len);
	char *keytext = NULL, *comment = NULL;
	int r;
	memset(out, 0, sizeof(*out));
	if (len > HSD_IMPORT_MAX_LINE)
		return fail(err, errlen, "the line is too long (%zu bytes; at most %d)", len, HSD_IMPORT_MAX_LINE);
	if (len > 0 && line[len - 1] == '\r')
		v.len--; /* a file with CRLF line ends */
	if (memchr(line, '\0', v.len) != NULL)
		return fail(err, errlen, "the line holds a NUL byte");
	skip_blanks(&v);
	if (peek(&v) < 0 || peek(&v) == '#')
		return 0;
	if (!starts_with_options(v))
		return fail(err, errlen,
		            "no hostsd-id=HOST option: name the host (hostsd-id=HOST ssh-ed25519 AAAA...)");
	if (parse_options(&v, out, err, errlen) != 0)
		goto bad;
	skip_blanks(&v);
	/* The rest is a public key line: copy it out as a C string. */
	struct hs_bytes rest;
	hs__view_get_rest(&v, &rest);
	if (rest.len == 0) {
		fail(err, errlen, "no key after the options");
		goto bad;
	}
	if ((keytext = malloc(rest.len + 1)) == NULL) {
		fail(err, errlen, "out of memory");
		goto bad;
	}
	memcpy(keytext, rest.ptr, rest.len);
	keytext[rest.len] = '\0';
	if ((r = hs_key_parse_line(keytext, &out->key, &comment)) != 0) {
		if (r == HS_ERR_KEY_TYPE)
			fail(err, errlen,
			     "the key type is not supported (hostsd accepts ssh-ed25519, ssh-rsa and "
			     "ecdsa-sha2-nistp256/384/521 keys) or does not match the key");
		else
			fail(err, errlen,
			     "not a valid public key after the options (expected KEYTYPE BASE64 [COMMENT])");
		goto bad;
	}
	hsd_text_sanitize(out->comment, sizeof out->comment, comment);
	free(comment);
	free(keytext);
	return 1;
bad:
	free(keytext);
	hsd_import_entry_clear(out);
	return -1;
}
