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
static const char *const harmless[] = { "restrict", "no-pty", "no-port-forwarding", "no-agent-forwarding",
	                                "no-x11-forwarding", "no-user-rc", NULL };

/* Option names of OpenSSH that hostsd cannot honour (used to tell options
 * from a key type when a line has no '='). */
static const char *const refused_flags[] = { "cert-authority", "agent-forwarding", "port-forwarding", "pty",
	                                     "user-rc", "x11-forwarding", "no-touch-required", "verify-required",
	                                     NULL };

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

static int parse_options(struct hs_view *v, struct hsd_import_entry *e, char *err, size_t errlen)
{
	char name[40], value[512], shown[80];
	int have_id = 0, have_grants = 0, have_expiry = 0;
	for (;;) {
		if (get_name(v, name, sizeof name) != 0)
			return fail(err, errlen, "bad option list: expected an option name such as hostsd-id=HOST");
		int has_value = peek(v) == '=';
		if (has_value) {
			skip(v);
			int r = get_value(v, value, sizeof value);
			if (r == -2)
				return fail(err, errlen, "the value of %s has no closing quote", name);
			if (r != 0)
				return fail(err, errlen, "the value of %s is too long", name);
		}
		if (strcasecmp(name, "hostsd-id") == 0) {
			if (!has_value || have_id++)
				return fail(err, errlen, have_id > 1 ? "hostsd-id is given twice" : "hostsd-id needs a value");
			if (!hsd_host_id_valid(value)) {
				hsd_text_sanitize(shown, sizeof shown, value);
				return fail(err, errlen, "invalid host identity \"%s\": use %s", shown, HSD_HOST_ID_RULE);
			}
			memcpy(e->host_id, value, strlen(value) + 1);
		} else if (strcasecmp(name, "hostsd-subsystems") == 0) {
			if (!has_value || have_grants++)
				return fail(err, errlen,
				            have_grants > 1 ? "hostsd-subsystems is given twice" : "hostsd-subsystems needs a value");
			if (set_grants(e, value, err, errlen) != 0)
				return -1;
		} else if (strcasecmp(name, "expiry-time") == 0) {
			if (!has_value || have_expiry++)
				return fail(err, errlen,
				            have_expiry > 1 ? "expiry-time is given twice" : "expiry-time needs a value");
			if (set_expiry(e, value, err, errlen) != 0)
				return -1;
		} else if (!has_value && in_list(harmless, name)) {
			/* nothing to do: hostsd never allows it anyway */
		} else {
			return fail(err, errlen,
			            "option \"%s\" is not supported by hostsd (it cannot honour it): remove it; hostsd "
			            "knows hostsd-id=, hostsd-subsystems=, expiry-time= and the no-* restrictions",
			            name);
		}
		int c = peek(v);
		if (c == ',') {
			skip(v);
			continue;
		}
		if (c < 0 || is_blank(c))
			break;
		return fail(err, errlen, "bad option list after %s: expected ',' or a blank", name);
	}
	if (!have_id)
		return fail(err, errlen, "no hostsd-id=HOST option: name the host (hostsd-id=HOST ssh-ed25519 AAAA...)");
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
		return fail(err, errlen, "no hostsd-id=HOST option: name the host (hostsd-id=HOST ssh-ed25519 AAAA...)");
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
			fail(err, errlen, "not a valid public key after the options (expected KEYTYPE BASE64 [COMMENT])");
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
