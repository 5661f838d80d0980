/*
 * hostsd — public keys (the SSHKey value type) and host (private) keys.
 *
 * struct hs_key is an immutable public key: its algorithm name, its SSH wire
 * blob, and a SHA256 fingerprint printed exactly as `ssh-keygen -l` does.
 * Besides the OpenSSH types it may be an "angelos-tongues" key: Ed25519
 * with the Angelos project's framing, whose blob is string
 * "angelos-tongues" followed by the 32-byte key as 44 characters of padded
 * base64 with no length field (63 bytes). The same Ed25519 key framed as
 * ssh-ed25519 and as angelos-tongues gives two keys that are not equal.
 * struct hs_hostkey is a private key the server signs with; it is wiped when
 * freed.
 */
#ifndef HOSTSD_KEY_H
#define HOSTSD_KEY_H

#include <stddef.h>
#include <stdint.h>

#include "hostsd/error.h"

#ifdef __cplusplus
extern "C" {
#endif

struct hs_key;
struct hs_hostkey;

enum hs_key_type {
	HS_KEY_ED25519 = 1,
	HS_KEY_RSA,
	HS_KEY_ECDSA_P256,
	HS_KEY_ECDSA_P384,
	HS_KEY_ECDSA_P521,
	HS_KEY_ANGELOS_TONGUES
};

/* "SHA256:" + 43 base64 characters + NUL */
#define HS_FINGERPRINT_SIZE 51

/* Parse an SSH public key blob (RFC 4253 §6.6; or the 63-byte
 * angelos-tongues blob, parsed strictly: exactly 44 characters of
 * canonical base64 that decode to 32 bytes, nothing after them). Returns 0
 * and a new key (caller frees with hs_key_free), HS_ERR_KEY_TYPE for an
 * algorithm we do not accept, or HS_ERR_FORMAT / HS_ERR_TRUNCATED /
 * HS_ERR_TRAILING. */
HS_API int hs_key_from_blob(const uint8_t *blob, size_t len, struct hs_key **out) HS_MUST_CHECK;

/* Parse one OpenSSH public key line "TYPE BASE64 [COMMENT]". On success *out
 * is a new key; if comment is not NULL, *comment is a malloc'd copy of the
 * comment (possibly empty) that the caller frees. */
HS_API int hs_key_parse_line(const char *line, struct hs_key **out, char **comment) HS_MUST_CHECK;

/* Format as an OpenSSH public key line "TYPE BASE64[ COMMENT]" (no newline).
 * *out is malloc'd; caller frees. */
HS_API int hs_key_format_line(const struct hs_key *key, const char *comment, char **out) HS_MUST_CHECK;

/* A key made from a raw 32-byte Ed25519 public key, framed as type:
 * HS_KEY_ED25519 (an "ssh-ed25519" key) or HS_KEY_ANGELOS_TONGUES (an
 * "angelos-tongues" key: the same Ed25519 key as the Angelos project frames
 * it). Returns 0 and a new key (caller frees), HS_ERR_KEY_TYPE for any
 * other type, HS_ERR_FORMAT when pub is not a usable Ed25519 key. */
HS_API int hs_key_from_ed25519_raw(const uint8_t pub[32], enum hs_key_type type, struct hs_key **out) HS_MUST_CHECK;

/* Like hs_key_from_ed25519_raw, from the text of the 32-byte key (such as
 * an Angelos host's "verify" key): either 64 hexadecimal digits (any case)
 * or 44 characters of canonical padded standard base64. Blanks, tabs and
 * line ends around the text are ignored; anything else, inside or around
 * it, gives HS_ERR_FORMAT. Caller frees *out. */
HS_API int hs_key_from_text(enum hs_key_type type, const char *text, struct hs_key **out) HS_MUST_CHECK;

/* The raw 32-byte Ed25519 public key inside an ssh-ed25519 or angelos-
 * tongues key; HS_ERR_KEY_TYPE (out untouched) for any other key. */
HS_API int hs_key_ed25519_public(const struct hs_key *key, uint8_t out[32]) HS_MUST_CHECK;

/* The key's type, its algorithm name ("ssh-ed25519", ...), and its blob
 * (a view valid as long as the key). */
HS_API enum hs_key_type hs_key_type(const struct hs_key *key);
HS_API const char *hs_key_type_name(const struct hs_key *key);
HS_API const uint8_t *hs_key_blob(const struct hs_key *key, size_t *len);

/* Writes "SHA256:<unpadded base64 of sha256(blob)>" into out. */
HS_API void hs_key_fingerprint(const struct hs_key *key, char out[HS_FINGERPRINT_SIZE]);

/* 1 if both keys have the same blob, else 0 (constant time over the blob). */
HS_API int hs_key_equal(const struct hs_key *a, const struct hs_key *b);

/* A new reference-free copy; NULL on allocation failure. Caller frees. */
HS_API struct hs_key *hs_key_dup(const struct hs_key *key);

/* Free a key; NULL is allowed. */
HS_API void hs_key_free(struct hs_key *key);

/* Generate a new host key (HS_KEY_ED25519 only). Caller frees. */
HS_API int hs_hostkey_generate(enum hs_key_type type, struct hs_hostkey **out) HS_MUST_CHECK;

/* Load an OpenSSH "openssh-key-v1" private key file (unencrypted ed25519).
 * Returns HS_ERR_IO when unreadable, HS_ERR_KEY_ENCRYPTED for a passphrase-
 * protected file, HS_ERR_KEY_TYPE for another key type, HS_ERR_FORMAT for a
 * damaged file. When err is not NULL it receives a sentence naming path and
 * what to do. Caller frees *out. */
HS_API int hs_hostkey_load_file(const char *path, struct hs_hostkey **out, char *err, size_t errlen) HS_MUST_CHECK;

/* Parse the same format from memory. */
HS_API int hs_hostkey_load_mem(const uint8_t *data, size_t len, struct hs_hostkey **out) HS_MUST_CHECK;

/* Write the key to path in OpenSSH format, created with mode 0600; fails with
 * HS_ERR_IO if the file exists. */
HS_API int hs_hostkey_save_file(const struct hs_hostkey *key, const char *path, const char *comment) HS_MUST_CHECK;

/* Serialise in OpenSSH format (PEM-armoured text); *out malloc'd, caller
 * frees (and should wipe: it holds the secret). */
HS_API int hs_hostkey_save_mem(const struct hs_hostkey *key, const char *comment, char **out,
                               size_t *outlen) HS_MUST_CHECK;

/* The public half; a view valid as long as the host key. */
HS_API const struct hs_key *hs_hostkey_public(const struct hs_hostkey *key);

/* The host key's raw 32-byte Ed25519 public key (what Angelos calls the
 * "verify" key; print it as hex for peers that trust it as an
 * angelos-tongues key). 0, or HS_ERR_INVALID_ARG / HS_ERR_KEY_TYPE. */
HS_API int hs_hostkey_ed25519_public(const struct hs_hostkey *key, uint8_t out[32]) HS_MUST_CHECK;

/* Free and wipe; NULL is allowed. */
HS_API void hs_hostkey_free(struct hs_hostkey *key);

/* --- host keys whose private half lives elsewhere --- */

/* One signature the engine asks an external signer for. */
struct hs_sign_request;

/* Sign data (an exchange hash) with the private half of the key's public
 * key, as an ssh-agent does for SSH_AGENTC_SIGN_REQUEST with flags 0.
 * Called on the loop thread; data is a view valid during the call only.
 * The signer answers later, exactly once, with hs_sign_request_done (it
 * may also answer from inside this call). */
typedef void (*hs_hostkey_sign_cb)(void *ctx, struct hs_sign_request *req, const uint8_t *data, size_t len);

/* A host key whose signatures are made elsewhere: by an ssh-agent, another
 * process, a hardware token. pub is its public half (copied; Ed25519
 * only, the one host key type the engine serves); sign and ctx are kept
 * as given and must outlive the host key. The engine verifies every
 * signature it gets against pub before sending it, so a signer holding
 * the wrong key fails the key exchange instead of the peer's host key
 * check. Returns 0, HS_ERR_INVALID_ARG, HS_ERR_KEY_TYPE or HS_ERR_ALLOC;
 * caller frees with hs_hostkey_free (after every request is answered). */
HS_API int hs_hostkey_new_external(const struct hs_key *pub, hs_hostkey_sign_cb sign, void *ctx,
                                   struct hs_hostkey **out) HS_MUST_CHECK;

/* Answer a request: err 0 and sig, the SSH signature blob as an ssh-agent
 * returns it (string "ssh-ed25519", string signature; copied), or err an
 * HS_ERR_* when no signature can be had (the key exchange then fails with
 * "host key signature failed"; an hs_agent_server answers
 * SSH_AGENT_FAILURE). Call it exactly once per request, from the loop
 * thread; the request is gone afterwards. The connection goes on from the
 * next loop iteration, never inside this call. If whoever asked is gone
 * meanwhile (the connection ended, the agent server was closed), the
 * answer is dropped. */
HS_API void hs_sign_request_done(struct hs_sign_request *req, int err, const uint8_t *sig, size_t siglen);

#ifdef __cplusplus
}
#endif
#endif
