/*
 * The OpenSSH private key format "openssh-key-v1" (OpenSSH PROTOCOL.key),
 * split into its armour (PEM-like text around base64) and its binary body,
 * so that tests can build damaged bodies and wrap them.
 */
#ifndef HS_KEYS_KEYFILE_H
#define HS_KEYS_KEYFILE_H

#include <stddef.h>
#include <stdint.h>

#include "hostsd/key.h"
#include "wire/buf.h"

/* A key file is a few hundred bytes; refuse anything much larger unread. */
#define HS_KEYFILE_MAX 65536u

/* Longest key type name we report back from a file. */
#define HS_KEYFILE_TYPE_MAX 64u

/* Remove the armour: text must start with the BEGIN line and hold the END
 * line, with only base64 lines between and only line ends after. The
 * decoded body is appended to out (a secret buffer, since it holds the
 * private key). HS_ERR_FORMAT on any deviation. */
int hs__keyfile_unarmour(const uint8_t *text, size_t len, struct hs_buf *out) HS_MUST_CHECK;

/* Armour a body: BEGIN line, base64 in 70-column lines, END line, each
 * ending in "\n". *out is malloc'd, NUL-terminated (not counted in
 * *outlen); the caller wipes and frees it. */
int hs__keyfile_armour(const uint8_t *body, size_t len, char **out, size_t *outlen) HS_MUST_CHECK;

/* Parse a binary body. type (typesize bytes) receives the public key's
 * algorithm name as soon as it has been read (else ""), so a caller can
 * name it when the answer is HS_ERR_KEY_TYPE. Returns as
 * hs_hostkey_load_file does. */
int hs__keyfile_parse(const uint8_t *body, size_t len, struct hs_hostkey **out, char *type,
                      size_t typesize) HS_MUST_CHECK;

/* Build the binary body for key with the given checkint (secret buffer). */
int hs__keyfile_build(const struct hs_hostkey *key, const char *comment, uint32_t checkint,
                      struct hs_buf *out) HS_MUST_CHECK;

#endif
