/*
 * Host keys: the server's own Ed25519 private key, made fresh or from a
 * seed read out of a key file. The secret lives only inside libcrypto's
 * EVP_PKEY, which wipes it when freed; we never keep a copy. The public
 * half is kept as an ssh-ed25519 key; the same key serves as an
 * angelos-tongues host key, whose blob is made when asked for.
 */
#include "keys/key_priv.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "keys/sig.h"
#include "wire/buf.h"

/* Wrap a private Ed25519 EVP_PKEY (taking ownership) with its public key. */
static int wrap_private(EVP_PKEY *priv, struct hs_hostkey **out)
{
	struct hs_hostkey *hk = NULL;
	struct hs_buf blob;
	uint8_t pub[32];
	size_t publen = sizeof pub;
	int r = HS_ERR_CRYPTO;
	hs__buf_init(&blob, 64, 0);
	if (EVP_PKEY_get_raw_public_key(priv, pub, &publen) != 1 || publen != sizeof pub)
		goto out;
	if ((r = hs__key_put_ed25519_blob(HS_KEY_ED25519, pub, &blob)) != 0)
		goto out;
	if ((hk = calloc(1, sizeof *hk)) == NULL) {
		r = HS_ERR_ALLOC;
		goto out;
	}
	if ((r = hs_key_from_blob(hs__buf_ptr(&blob), hs__buf_len(&blob), &hk->pub)) != 0)
		goto out;
	hk->priv = priv;
	priv = NULL;
	*out = hk;
	hk = NULL;
out:
	EVP_PKEY_free(priv);
	hs_hostkey_free(hk);
	hs__buf_cleanup(&blob);
	return r;
}

int hs__hostkey_from_seed(const uint8_t seed[32], struct hs_hostkey **out)
{
	if (seed == NULL || out == NULL)
		return HS_ERR_INVALID_ARG;
	*out = NULL;
	EVP_PKEY *priv = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, seed, 32);
	if (priv == NULL)
		return HS_ERR_CRYPTO;
	return wrap_private(priv, out);
}

int hs_hostkey_generate(enum hs_key_type type, struct hs_hostkey **out)
{
	if (out == NULL)
		return HS_ERR_INVALID_ARG;
	*out = NULL;
	if (type != HS_KEY_ED25519)
		return HS_ERR_KEY_TYPE;
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, NULL);
	EVP_PKEY *priv = NULL;
	int r = HS_ERR_CRYPTO;
	if (ctx == NULL || EVP_PKEY_keygen_init(ctx) != 1 || EVP_PKEY_keygen(ctx, &priv) != 1)
		goto out;
	r = wrap_private(priv, out);
	priv = NULL;
out:
	EVP_PKEY_free(priv);
	EVP_PKEY_CTX_free(ctx);
	return r;
}

int hs_hostkey_new_external(const struct hs_key *pub, hs_hostkey_sign_cb sign, void *ctx, struct hs_hostkey **out)
{
	struct hs_hostkey *hk;
	if (out == NULL)
		return HS_ERR_INVALID_ARG;
	*out = NULL;
	if (pub == NULL || sign == NULL)
		return HS_ERR_INVALID_ARG;
	if (pub->type != HS_KEY_ED25519)
		return HS_ERR_KEY_TYPE;
	if ((hk = calloc(1, sizeof *hk)) == NULL)
		return HS_ERR_ALLOC;
	if ((hk->pub = hs_key_dup(pub)) == NULL) {
		free(hk);
		return HS_ERR_ALLOC;
	}
	hk->sign = sign;
	hk->sign_ctx = ctx;
	*out = hk;
	return 0;
}

int hs__hostkey_external(const struct hs_hostkey *key)
{
	return key != NULL && key->priv == NULL && key->sign != NULL;
}

void hs__hostkey_ask_signer(const struct hs_hostkey *key, struct hs_sign_request *req, const uint8_t *data, size_t len)
{
	key->sign(key->sign_ctx, req, data, len);
}

const struct hs_key *hs_hostkey_public(const struct hs_hostkey *key)
{
	return key != NULL ? key->pub : NULL;
}

int hs_hostkey_ed25519_public(const struct hs_hostkey *key, uint8_t out[32])
{
	if (key == NULL || out == NULL)
		return HS_ERR_INVALID_ARG;
	return hs_key_ed25519_public(key->pub, out);
}

int hs__hostkey_public_blob(const struct hs_hostkey *key, const char *alg, struct hs_buf *out)
{
	uint8_t pub[HS_ED25519_PUB_LEN];
	int r;
	if (key == NULL || alg == NULL || out == NULL)
		return HS_ERR_INVALID_ARG;
	if (key->pub->type != HS_KEY_ED25519)
		return HS_ERR_KEY_TYPE;
	if (strcmp(alg, "ssh-ed25519") == 0)
		return hs__buf_put(out, key->pub->blob, key->pub->bloblen);
	if (strcmp(alg, HS_TONGUES_NAME) != 0)
		return HS_ERR_KEY_TYPE;
	if ((r = hs_key_ed25519_public(key->pub, pub)) != 0)
		return r;
	return hs__key_put_ed25519_blob(HS_KEY_ANGELOS_TONGUES, pub, out);
}

void hs_hostkey_free(struct hs_hostkey *key)
{
	if (key == NULL)
		return;
	EVP_PKEY_free(key->priv);
	hs_key_free(key->pub);
	OPENSSL_cleanse(key, sizeof *key);
	free(key);
}
