/*
 * hostsd program — the event log (see log.h): level filter, escaping of
 * everything that is not printable ASCII, one write(2) per line, and the
 * quoting of values a peer chose.
 */
#include "daemon/log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define LINE_MAX_BYTES 2048

/* The program's one log threshold: set at start-up and on SIGHUP from the
 * loop thread while worker threads log, hence atomic. */
static atomic_int threshold = HSD_LOG_INFO;

void hsd_log_set_level(int level)
{
	if (level >= HSD_LOG_ERR && level <= HSD_LOG_DEBUG)
		atomic_store_explicit(&threshold, level, memory_order_relaxed);
}

int hsd_log_get_level(void)
{
	return atomic_load_explicit(&threshold, memory_order_relaxed);
}

/* By level, from HSD_LOG_ERR on. */
static const char *const level_names[] = { "err", "warning", "notice", "info", "debug" };

int hsd_log_level_parse(const char *name)
{
	if (name == NULL)
		return -1;
	for (int i = 0; i < 5; i++)
		if (strcasecmp(name, level_names[i]) == 0)
			return HSD_LOG_ERR + i;
	if (strcasecmp(name, "error") == 0)
		return HSD_LOG_ERR;
	if (strcasecmp(name, "warn") == 0)
		return HSD_LOG_WARNING;
	if (name[0] >= '3' && name[0] <= '7' && name[1] == '\0')
		return name[0] - '0';
	return -1;
}

const char *hsd_log_level_name(int level)
{
	if (level < HSD_LOG_ERR || level > HSD_LOG_DEBUG)
		return NULL;
	return level_names[level - HSD_LOG_ERR];
}

/* What escape() writes for a byte besides the control and non-ASCII ones,
 * which always become \xNN. */
enum {
	ESC_LINE = 0,        /* the whole line: printable ASCII stays as it is */
	ESC_QUOTED = 1 << 0, /* a quoted value: '"' and '\\' get a backslash */
	ESC_BLANKS = 1 << 1  /* a name: ' ' becomes \x20 too */
};

/* Escape raw into out (cap bytes with the NUL) by flags. Returns the
 * length; *cut is set when not all of raw fitted (never half an escape). */
static size_t escape(char *out, size_t cap, const char *raw, size_t rawlen, unsigned flags, int *cut)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0, i = 0;
	for (; i < rawlen; i++) {
		unsigned char c = (unsigned char)raw[i];
		size_t need = 1;
		if (c < 0x20 || c >= 0x7f || (c == ' ' && (flags & ESC_BLANKS)))
			need = 4;
		else if ((c == '"' || c == '\\') && (flags & ESC_QUOTED))
			need = 2;
		if (o + need >= cap)
			break;
		if (need == 1) {
			out[o++] = (char)c;
		} else if (need == 2) {
			out[o++] = '\\';
			out[o++] = (char)c;
		} else {
			out[o++] = '\\';
			out[o++] = 'x';
			out[o++] = hex[c >> 4];
			out[o++] = hex[c & 15];
		}
	}
	out[o] = '\0';
	if (i < rawlen)
		*cut = 1;
	return o;
}

static size_t vformat(char *out, size_t outlen, int level, const char *fmt, va_list ap)
	__attribute__((format(printf, 4, 0)));
static size_t vformat(char *out, size_t outlen, int level, const char *fmt, va_list ap)
{
	char raw[LINE_MAX_BYTES];
	if (outlen < 16) {
		if (outlen > 0)
			out[0] = '\0';
		return 0;
	}
	int n = vsnprintf(raw, sizeof raw, fmt, ap);
	size_t rawlen = n < 0 ? 0 : (size_t)n;
	int cut = rawlen >= sizeof raw;
	if (cut)
		rawlen = sizeof raw - 1;
	if (level < 0 || level > 7)
		level = HSD_LOG_ERR;
	out[0] = '<';
	out[1] = (char)('0' + level);
	out[2] = '>';
	/* room for "...\n" and NUL after the escaped text */
	size_t o = 3 + escape(out + 3, outlen - 3 - 4, raw, rawlen, ESC_LINE, &cut);
	if (cut) {
		memcpy(out + o, "...", 3);
		o += 3;
	}
	out[o++] = '\n';
	out[o] = '\0';
	return o;
}

size_t hsd_log_format(char *out, size_t outlen, int level, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	size_t n = vformat(out, outlen, level, fmt, ap);
	va_end(ap);
	return n;
}

void hsd_log(int level, const char *fmt, ...)
{
	char line[LINE_MAX_BYTES * 4 + 16];
	if (level > hsd_log_get_level())
		return;
	int saved = errno;
	va_list ap;
	va_start(ap, fmt);
	size_t n = vformat(line, sizeof line, level, fmt, ap);
	va_end(ap);
	size_t off = 0;
	while (off < n) {
		ssize_t w = write(STDERR_FILENO, line + off, n - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break; /* nowhere to log to: nothing better to do */
		off += (size_t)w;
	}
	errno = saved;
}

/* "text" escaped by flags, after prefix (at most one character), into
 * out; "... when cut: to what fits, and to at most max bytes of text. */
static const char *quoted(char *out, size_t outlen, const char *prefix, const char *text, unsigned flags, size_t max)
{
	size_t p = strlen(prefix), len = text != NULL ? strlen(text) : 0;
	int cut = len > max;
	if (cut)
		len = max;
	if (outlen < p + 6) { /* not even ?"..." fits */
		if (outlen > 0)
			out[0] = '\0';
		return out;
	}
	memcpy(out, prefix, p);
	out[p] = '"';
	/* room after the text for the closing quote and "..." (escape()
	 * counts the NUL in its cap) */
	size_t o = p + 1 + escape(out + p + 1, outlen - p - 1 - 4, text != NULL ? text : "", len, flags, &cut);
	out[o++] = '"';
	if (cut) {
		memcpy(out + o, "...", 3);
		o += 3;
	}
	out[o] = '\0';
	return out;
}

const char *hsd_log_quote(char *out, size_t outlen, const char *text)
{
	return quoted(out, outlen, "", text, ESC_QUOTED, (size_t)-1);
}

const char *hsd_log_name(char *out, size_t outlen, const char *text, int valid)
{
	if (valid && text != NULL && strlen(text) < outlen) {
		memcpy(out, text, strlen(text) + 1);
		return out;
	}
	return quoted(out, outlen, "?", text, ESC_QUOTED | ESC_BLANKS, HSD_LOG_NAME_MAX);
}
