/*
 * The insides of struct hs_key and struct hs_hostkey, shared by the files of
 * the keys module only (key.c, keyline.c, hostkey.c, keyfile.c, sig.c).
 */
#ifndef HS_KEYS_KEY_PRIV_H
#define HS_KEYS_KEY_PRIV_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "hostsd/key.h"

/* The largest public key blob we parse: a 16384-bit RSA key needs about
 * 2.1 KiB, so anything near this is not a key we would accept. */
#define HS_KEY_MAX_BLOB 8192u

/* The largest RSA public exponent we accept, in bytes. Real keys use 65537;
 * a huge exponent only makes verification slow (libcrypto itself caps it at
 * 64 bits above 3072-bit moduli). */
#define HS_KEY_RSA_MAX_E_BYTES 8u
#define HS_KEY_RSA_MIN_BITS 2048
#define HS_KEY_RSA_MAX_BITS 16384

/* Ed25519 sizes (RFC 8032 §5.1.5, §5.1.6). */
#define HS_ED25519_PUB_LEN 32u
#define HS_ED25519_SIG_LEN 64u

/* angelos-tongues frames an Ed25519 key as string "angelos-tongues" then
 * the 32-byte key as padded standard base64, without a length: 44
 * characters, 63 bytes in all. */
#define HS_TONGUES_NAME "angelos-tongues"
#define HS_TONGUES_B64_LEN 44u
#define HS_TONGUES_BLOB_LEN (4u + 15u + HS_TONGUES_B64_LEN)

/* An immutable public key. name is a static string; blob is our own copy of
 * the wire blob; pkey holds the parsed key (shared by hs_key_dup copies
 * through libcrypto's reference count, never modified after parsing). */
struct hs_key {
	enum hs_key_type type;
	const char *name;
	uint8_t *blob;
	size_t bloblen;
	EVP_PKEY *pkey;
	char fingerprint[HS_FINGERPRINT_SIZE];
};

/* A host key: the private EVP_PKEY (libcrypto keeps the Ed25519 secret in
 * memory it wipes on free) and its public half; or, for an external key,
 * no private half and the signer that has it. */
struct hs_hostkey {
	EVP_PKEY *priv;
	struct hs_key *pub;
	hs_hostkey_sign_cb sign;
	void *sign_ctx;
};

struct hs_buf;

/* Append the public key blob of the raw Ed25519 key pub in the framing of
 * type: HS_KEY_ED25519 (string "ssh-ed25519", string key; RFC 8709 §4) or
 * HS_KEY_ANGELOS_TONGUES (above). Appended whole or not at all;
 * HS_ERR_KEY_TYPE for any other type. Defined in keyraw.c. */
int hs__key_put_ed25519_blob(enum hs_key_type type, const uint8_t pub[HS_ED25519_PUB_LEN],
                             struct hs_buf *out) HS_MUST_CHECK;

/* Make a host key from a 32-byte Ed25519 seed (RFC 8032 private key). The
 * caller keeps (and wipes) seed. */
int hs__hostkey_from_seed(const uint8_t seed[32], struct hs_hostkey **out) HS_MUST_CHECK;

#endif
