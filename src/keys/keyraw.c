/*
 * Raw Ed25519 public keys (32 bytes, as Angelos hands them around: its
 * "verify" keys) turned into key values framed as ssh-ed25519 or
 * angelos-tongues, and back. This is how `hostsd trust add --type
 * angelos-tongues` takes a peer's key given as hex or base64 text; every
 * value still goes through hs_key_from_blob, so there is one parser of
 * each blob format.
 */
#include "keys/key_priv.h"

#include <string.h>

#include <openssl/evp.h>

#include "wire/base64.h"
#include "wire/buf.h"

int hs__key_put_ed25519_blob(enum hs_key_type type, const uint8_t pub[HS_ED25519_PUB_LEN], struct hs_buf *out)
{
	char text[HS_TONGUES_B64_LEN + 1];
	size_t start;
	int r;
	if (pub == NULL || out == NULL)
		return HS_ERR_INVALID_ARG;
	start = hs__buf_len(out);
	switch (type) {
	case HS_KEY_ED25519:
		/* RFC 8709 §4: string "ssh-ed25519", string key. */
		if ((r = hs__buf_put_cstring(out, "ssh-ed25519")) != 0 ||
		    (r = hs__buf_put_string(out, pub, HS_ED25519_PUB_LEN)) != 0)
			goto out;
		break;
	case HS_KEY_ANGELOS_TONGUES:
		/* string "angelos-tongues", then the base64 text with no length
		 * field and no NUL. */
		if ((r = hs__base64_encode(pub, HS_ED25519_PUB_LEN, text, sizeof text, 1)) != 0)
			goto out;
		if ((r = hs__buf_put_cstring(out, HS_TONGUES_NAME)) != 0 ||
		    (r = hs__buf_put(out, text, HS_TONGUES_B64_LEN)) != 0)
			goto out;
		break;
	default:
		return HS_ERR_KEY_TYPE;
	}
	r = 0;
out:
	if (r != 0)
		hs__buf_truncate(out, start); /* whole or not at all */
	return r;
}

int hs_key_from_ed25519_raw(const uint8_t pub[32], enum hs_key_type type, struct hs_key **out)
{
	struct hs_buf blob;
	int r;
	if (out == NULL)
		return HS_ERR_INVALID_ARG;
	*out = NULL;
	if (pub == NULL)
		return HS_ERR_INVALID_ARG;
	hs__buf_init(&blob, HS_TONGUES_BLOB_LEN, 0); /* the larger of the two blobs */
	if ((r = hs__key_put_ed25519_blob(type, pub, &blob)) == 0)
		r = hs_key_from_blob(hs__buf_ptr(&blob), hs__buf_len(&blob), out);
	hs__buf_cleanup(&blob);
	return r;
}

/* The value of a hexadecimal digit, or -1. */
static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

int hs_key_from_text(enum hs_key_type type, const char *text, struct hs_key **out)
{
	uint8_t pub[HS_ED25519_PUB_LEN + 1]; /* room to see a 33-byte decoding */
	size_t at = 0, n, publen = 0;
	if (out == NULL)
		return HS_ERR_INVALID_ARG;
	*out = NULL;
	if (text == NULL)
		return HS_ERR_INVALID_ARG;
	/* Check the type first: a wrong type is the clearer message. */
	if (type != HS_KEY_ED25519 && type != HS_KEY_ANGELOS_TONGUES)
		return HS_ERR_KEY_TYPE;
	n = strlen(text);
	while (at < n && is_space(text[at]))
		at++;
	while (n > at && is_space(text[n - 1]))
		n--;
	text += at;
	n -= at;
	if (n == 2 * HS_ED25519_PUB_LEN) {
		for (size_t i = 0; i < HS_ED25519_PUB_LEN; i++) {
			int hi = hex_value(text[2 * i]), lo = hex_value(text[2 * i + 1]);
			if (hi < 0 || lo < 0)
				return HS_ERR_FORMAT;
			pub[i] = (uint8_t)(hi << 4 | lo);
		}
		publen = HS_ED25519_PUB_LEN;
	} else if (n == HS_TONGUES_B64_LEN) {
		/* The decoder is strict: canonical padded text only. */
		if (hs__base64_decode(text, n, pub, sizeof pub, &publen) != 0)
			return HS_ERR_FORMAT;
	}
	if (publen != HS_ED25519_PUB_LEN)
		return HS_ERR_FORMAT;
	return hs_key_from_ed25519_raw(pub, type, out);
}

int hs_key_ed25519_public(const struct hs_key *key, uint8_t out[32])
{
	uint8_t pub[HS_ED25519_PUB_LEN];
	size_t publen = sizeof pub;
	if (key == NULL || out == NULL)
		return HS_ERR_INVALID_ARG;
	if (key->type != HS_KEY_ED25519 && key->type != HS_KEY_ANGELOS_TONGUES)
		return HS_ERR_KEY_TYPE;
	if (EVP_PKEY_get_raw_public_key(key->pkey, pub, &publen) != 1 || publen != sizeof pub)
		return HS_ERR_CRYPTO;
	memcpy(out, pub, sizeof pub);
	return 0;
}
