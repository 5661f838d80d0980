/*
 * hostsd program — lines of an OpenSSH authorized_keys-style file for
 * `hostsd trust import`, one peer host key per line:
 *
 *   hostsd-id=HOST[,OPTION...] KEYTYPE BASE64 [COMMENT]
 *
 * The option hostsd-id names the host (required: the comment is free
 * text, as in OpenSSH). Other options:
 *   hostsd-subsystems="a,b"   grants for a new host (default "*"); quotes
 *                             are needed for more than one name
 *   expiry-time="YYYYMMDD"    the key expires at 00:00 UTC that day (the
 *                             OpenSSH option; a trailing Z is allowed,
 *                             times of day are not)
 *   restrict, no-pty, no-port-forwarding, no-agent-forwarding,
 *   no-X11-forwarding, no-user-rc
 *                             accepted and without effect: hostsd never
 *                             allows what they forbid
 * Any other option (command=, from=, permitopen=, ...) is refused: hostsd
 * cannot honour it, and dropping a restriction silently would widen
 * access. Option names are case-insensitive, as in OpenSSH; values in
 * double quotes may hold commas and blanks, and \" stands for a quote.
 * Empty lines and lines starting with # are skipped.
 *
 * Self-contained (the engine's key parser and registry/names.c), so the
 * fuzz target import_fuzz.c can include it whole.
 */
#ifndef HSD_REGISTRY_IMPORT_H
#define HSD_REGISTRY_IMPORT_H

#include <stddef.h>
#include <stdint.h>

#include <hostsd/key.h>

#include "registry/names.h"

/* Longest line accepted (an RSA 16384-bit key line is about 2.8 KB). */
#define HSD_IMPORT_MAX_LINE 16384

struct hsd_import_entry {
	char host_id[HSD_HOST_ID_MAX + 1];
	struct hs_key *key;                /* owned */
	char comment[HSD_COMMENT_MAX + 1]; /* printable, cut */
	int64_t expires;                   /* 0: never */
	int grants_given;
	size_t ngrants;
	char grants[HSD_MAX_GRANTS][HSD_GRANT_MAX + 1];
};

/* Parse one line (len bytes, without its newline; need not end in NUL).
 * Returns 1 with *out filled (caller clears it), 0 for a line without an
 * entry (empty, comment), or -1 with a sentence in err (without the line
 * number, which the caller adds). */
int hsd_import_parse_line(const char *line, size_t len, struct hsd_import_entry *out, char *err, size_t errlen);

/* Free what an entry owns and zero it. */
void hsd_import_entry_clear(struct hsd_import_entry *e);

#endif
