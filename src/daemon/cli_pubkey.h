/*
 * hostsd program — reading the PUBKEY argument of `hostsd trust add` (see
 * cli_pubkey.c).
 */
#ifndef HSD_CLI_PUBKEY_H
#define HSD_CLI_PUBKEY_H

#include <hostsd/key.h>

/* Does arg look like a key line ("ssh-ed25519 AAAA...") rather than a
 * path? It starts with a key type name followed by a blank. */
int hsd_cli_looks_like_key_line(const char *arg);

/* Read the key arg names: a key line, "-" (standard input) or a file.
 * Returns 0 with *key and *comment (the key line's comment, possibly
 * empty; both caller frees), or prints why and returns HSD_EXIT_FAIL. */
int hsd_cli_read_pubkey(const char *arg, struct hs_key **key, char **comment);

/* Read the raw 32-byte Ed25519 key arg gives (64 hex digits or 44
 * characters of base64, such as an Angelos host's verify key; "-" reads it
 * from standard input) as a key of the named type: "angelos-tongues" or
 * "ssh-ed25519". Returns 0 with *key (caller frees), or prints why and
 * returns HSD_EXIT_FAIL (HSD_EXIT_USAGE for an unknown type). */
int hsd_cli_read_raw_pubkey(const char *type, const char *arg, struct hs_key **key, const char *usage);

#endif
