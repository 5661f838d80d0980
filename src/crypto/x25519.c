/* X25519 key agreement on top of libcrypto's EVP_PKEY. */
#include "crypto/x25519.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

int hs__x25519_keygen(uint8_t priv[32], uint8_t pub[32])
{
	int r = HS_ERR_CRYPTO;
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_id(EVP_PKEY_X25519, NULL);
	EVP_PKEY *key = NULL;
	size_t plen = 32, slen = 32;
	if (ctx == NULL || EVP_PKEY_keygen_init(ctx) != 1 || EVP_PKEY_keygen(ctx, &key) != 1)
		goto out;
	if (EVP_PKEY_get_raw_private_key(key, priv, &slen) != 1 || slen != 32)
		goto out;
	if (EVP_PKEY_get_raw_public_key(key, pub, &plen) != 1 || plen != 32)
		goto out;
	r = 0;
out:
	if (r != 0)
		OPENSSL_cleanse(priv, 32);
	EVP_PKEY_free(key);
	EVP_PKEY_CTX_free(ctx);
	return r;
}

int hs__x25519_shared(const uint8_t priv[32], const uint8_t peer[32], uint8_t out[32])
{
	int r = HS_ERR_CRYPTO;
	EVP_PKEY *mine = EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, NULL, priv, 32);
	EVP_PKEY *theirs = EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, NULL, peer, 32);
	EVP_PKEY_CTX *ctx = NULL;
	size_t len = 32;
	if (mine == NULL || theirs == NULL)
		goto out;
	ctx = EVP_PKEY_CTX_new(mine, NULL);
	if (ctx == NULL || EVP_PKEY_derive_init(ctx) != 1 || EVP_PKEY_derive_set_peer(ctx, theirs) != 1)
		goto out;
	/* libcrypto refuses an all-zero result itself; check again anyway. */
	if (EVP_PKEY_derive(ctx, out, &len) != 1 || len != 32)
		goto out;
	uint8_t acc = 0;
	for (int i = 0; i < 32; i++)
		acc |= out[i];
	if (acc == 0)
		goto out;
	r = 0;
out:
	if (r != 0)
		OPENSSL_cleanse(out, 32);
	EVP_PKEY_CTX_free(ctx);
	EVP_PKEY_free(mine);
	EVP_PKEY_free(theirs);
	return r;
}
