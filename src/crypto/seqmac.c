/* The per-packet HMAC of the etm and encrypt-and-MAC modes (see seqmac.h). */
#include "crypto/seqmac.h"

#include <string.h>

#include <openssl/core_names.h>
#include <openssl/params.h>

int hs__seqmac_new(EVP_MAC_CTX **out, const char *digest, const uint8_t *key, size_t key_len, size_t tag_len)
{
	EVP_MAC *mac = NULL;
	EVP_MAC_CTX *ctx = NULL;
	OSSL_PARAM params[2];
	char md[16];
	int r = HS_ERR_INVALID_ARG;

	*out = NULL;
	if (digest == NULL || strlen(digest) >= sizeof md || tag_len == 0)
		return r;
	/* OSSL_PARAM wants a writable string. */
	memcpy(md, digest, strlen(digest) + 1);
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, md, 0);
	params[1] = OSSL_PARAM_construct_end();
	r = HS_ERR_CRYPTO;
	if ((mac = EVP_MAC_fetch(NULL, OSSL_MAC_NAME_HMAC, NULL)) == NULL)
		goto out;
	if ((ctx = EVP_MAC_CTX_new(mac)) == NULL) {
		r = HS_ERR_ALLOC;
		goto out;
	}
	if (EVP_MAC_init(ctx, key, key_len, params) != 1)
		goto out;
	if (EVP_MAC_CTX_get_mac_size(ctx) != tag_len) {
		r = HS_ERR_INVALID_ARG;
		goto out;
	}
	*out = ctx;
	ctx = NULL;
	r = 0;
out:
	EVP_MAC_CTX_free(ctx);
	EVP_MAC_free(mac);
	return r;
}

int hs__seqmac_compute(EVP_MAC_CTX *ctx, size_t tag_len, uint32_t seqnr, const uint8_t *data, size_t len, uint8_t *out)
{
	uint8_t seq[4] = { (uint8_t)(seqnr >> 24), (uint8_t)(seqnr >> 16), (uint8_t)(seqnr >> 8), (uint8_t)seqnr };
	size_t outl = 0;

	/* No key: restart with the one given at creation. */
	if (EVP_MAC_init(ctx, NULL, 0, NULL) != 1)
		return HS_ERR_CRYPTO;
	if (EVP_MAC_update(ctx, seq, sizeof seq) != 1 || EVP_MAC_update(ctx, data, len) != 1)
		return HS_ERR_CRYPTO;
	if (EVP_MAC_final(ctx, out, &outl, tag_len) != 1 || outl != tag_len)
		return HS_ERR_CRYPTO;
	return 0;
}
