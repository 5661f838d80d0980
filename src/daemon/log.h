/*
 * hostsd program — one-line event log on stderr with syslog-style level
 * prefixes ("<6>connection from 127.0.0.1:40000"), which journald and most
 * log collectors understand. Every line is written with one write(2), so
 * lines never interleave, and bytes that could forge a second line or
 * confuse a terminal (control characters, non-ASCII) are escaped as \xNN
 * wherever they come from: nothing can inject a log line.
 *
 * A line is an event name and KEY=VALUE fields. Text a peer chose must not
 * forge fields either (host=evil" authenticated=yes): it goes into a line
 * only through hsd_log_quote() (a quoted value whose " and \ are escaped)
 * or hsd_log_name() (a name as it is when valid, else visibly encoded as
 * ?"..." without blanks). The line-wide escaping leaves \ alone, so the
 * escapes those two write stay as they are.
 *
 * Never pass secrets: the log is for addresses, identities, fingerprints,
 * counts and reasons.
 */
#ifndef HSD_LOG_H
#define HSD_LOG_H

#include <stddef.h>

/* syslog(3) priorities, as numbers so no <syslog.h> is needed. */
enum hsd_log_level {
	HSD_LOG_ERR = 3,
	HSD_LOG_WARNING = 4,
	HSD_LOG_NOTICE = 5,
	HSD_LOG_INFO = 6,
	HSD_LOG_DEBUG = 7
};

/* Lines above this level (less important) are dropped; default INFO. */
void hsd_log_set_level(int level);
int hsd_log_get_level(void);

/* Parse "err", "warning", "notice", "info", "debug" (or 3..7); -1 if
 * unknown. */
int hsd_log_level_parse(const char *name);

/* The name hsd_log_level_parse takes for a level ("info"), or NULL for a
 * number that is no level. */
const char *hsd_log_level_name(int level);

/* Format one event and write it as one line. A line longer than the
 * internal limit (2048 bytes) is cut and ends in "...". */
void hsd_log(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The same, into a caller's buffer instead of stderr (for tests): writes
 * the escaped line with its prefix and newline, NUL-terminated; returns its
 * length. */
size_t hsd_log_format(char *out, size_t outlen, int level, const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* The most bytes of a name that hsd_log_name() shows encoded (a longer
 * one is cut, marked with "...). */
#define HSD_LOG_NAME_MAX 128u

/* Reasons (ours, or the engine's with a peer's DISCONNECT text) are
 * shorter than this. */
#define HSD_LOG_REASON_MAX 256u

/* Room for hsd_log_quote() or hsd_log_name() of text up to n bytes:
 * every byte may become a 4-byte escape; quotes, '?', "..." and NUL. */
#define HSD_LOG_QUOTED_SIZE(n) (4u * (n) + 8u)

/* Text (NULL: "") as a quoted log value: '"', the text with '"' and '\'
 * escaped by a backslash and every byte that is not printable ASCII
 * written as \xNN, then '"'. Text that does not fit is cut at a whole
 * escape and the value ends in "... (after the closing quote). For
 * reason="..." and any other text a peer may have chosen. Returns out. */
const char *hsd_log_quote(char *out, size_t outlen, const char *text);

/* A name (a host id, a subsystem) as one log word: as it is when valid
 * (the caller checked it: it holds no blank, '"', '\' or '?'), else
 * visibly encoded as ?"..." with the escapes of hsd_log_quote() and blanks
 * written as \x20, so the field never holds a blank:
 *   host=node1    host=?"evil\"\x20authenticated=yes"
 * Returns out. */
const char *hsd_log_name(char *out, size_t outlen, const char *text, int valid);

#endif
