/*
 * hostsd program — the small value rules of the trust registry, shared by
 * the registry, its import parser and the command line: what a host
 * identity may look like, what a grant may name, calendar dates
 * (YYYY-MM-DD, always UTC) and free text (comments).
 *
 * Self-contained (libc only), so that fuzz targets can include it whole.
 */
#ifndef HSD_REGISTRY_NAMES_H
#define HSD_REGISTRY_NAMES_H

#include <stddef.h>
#include <stdint.h>

/* A host identity: 1..64 of [A-Za-z0-9._-], not starting with '.' or '-'
 * (so it is never a path component like ".." or an option like "-x"). An
 * Angelos host UUID fits. */
#define HSD_HOST_ID_MAX 64
#define HSD_HOST_ID_RULE "1 to 64 characters of A-Z a-z 0-9 . _ -, not starting with . or -"

/* A grant names one subsystem, or "*" for all of them. Subsystem names
 * follow the rule of daemon/policy.h: 1..64 of [A-Za-z0-9._@-], not
 * starting with '-'. */
#define HSD_GRANT_MAX 64
#define HSD_GRANT_RULE "1 to 64 characters of A-Z a-z 0-9 . _ @ -, not starting with -, or * for all"
/* Grants one host may hold (a host is granted a handful of subsystems). */
#define HSD_MAX_GRANTS 64

/* Comments on keys: printable text (UTF-8 allowed), no control characters. */
#define HSD_COMMENT_MAX 256

/* Buffer sizes for the formatters below (with the NUL). */
#define HSD_DATE_SIZE 11 /* 2026-11-23 */
#define HSD_TIME_SIZE 21 /* 2026-11-23T22:00:00Z */

/* A key fingerprint as ssh-keygen -l prints it: "SHA256:" and 43
 * characters of unpadded base64 (the size of HS_FINGERPRINT_SIZE). */
#define HSD_FINGERPRINT_SIZE 51

/* Check a fingerprint and write its canonical form (with the "SHA256:"
 * prefix, which may be left out in the input) into out. 0 or -1. */
int hsd_fingerprint_parse(const char *in, char out[HSD_FINGERPRINT_SIZE]);

/* 1 if id is a valid host identity, else 0. NULL is invalid. */
int hsd_host_id_valid(const char *id);

/* 1 if name is "*" or a valid subsystem name, else 0. */
int hsd_grant_name_valid(const char *name);

/* Parse a calendar date "YYYY-MM-DD" (exactly that shape, a real date,
 * years 1970..9999) into the Unix time of 00:00:00 UTC that day.
 * Returns 0 or -1. */
int hsd_date_parse(const char *text, int64_t *out);

/* Format Unix time t as "YYYY-MM-DD" / "YYYY-MM-DDTHH:MM:SSZ" (UTC). Times
 * outside years 0..9999 are clamped to the nearest printable one. */
void hsd_date_format(int64_t t, char out[HSD_DATE_SIZE]);
void hsd_time_format(int64_t t, char out[HSD_TIME_SIZE]);

/* 1 if s (len bytes) is well-formed UTF-8 without control characters
 * (C0, DEL, C1), else 0. */
int hsd_text_valid(const char *s, size_t len);

/* Copy s into out (outlen > 0), cut to at most outlen-1 bytes on a
 * character boundary, with every byte that is not part of well-formed,
 * printable UTF-8 replaced by '?'. For text from files (key comments). */
void hsd_text_sanitize(char *out, size_t outlen, const char *s);

#endif
