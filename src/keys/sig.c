/*
 * SSH signatures: verifying a peer's signature with its public key
 * (ssh-ed25519, RFC 8709 §6; rsa-sha2-256/512, RFC 8332 §3; ecdsa-sha2-*,
 * RFC 5656 §3.1.2; Angelos's angelos-tongues) and signing the exchange hash
 * with our host key.
 *
 * Every signature blob is "string algorithm, string raw signature"
 * (RFC 4253 §6.6), except angelos-tongues: "string algorithm" then the raw
 * 64-byte Ed25519 signature with no length. Each is parsed to its end.
 * RSA keys sign only with SHA-2: "ssh-rsa" (SHA-1) signatures are refused.
 * All libcrypto results other than 1 count as "does not verify":
 * verification fails closed.
 */
#include "keys/sig.h"

#include <string.h>

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include "keys/key_priv.h"

#define ED25519_SIG_LEN HS_ED25519_SIG_LEN

/* What libcrypto wants as "the message" when the data is empty. */
static const uint8_t empty_data[1];

int hs__key_alg_allowed(const struct hs_key *key, const char *alg)
{
	if (key == NULL || alg == NULL)
		return 0;
	switch (key->type) {
	case HS_KEY_ED25519:
		return strcmp(alg, "ssh-ed25519") == 0;
	case HS_KEY_RSA:
		/* RFC 8332 §3; never "ssh-rsa" (SHA-1). */
		return strcmp(alg, "rsa-sha2-256") == 0 || strcmp(alg, "rsa-sha2-512") == 0;
	case HS_KEY_ECDSA_P256:
	case HS_KEY_ECDSA_P384:
	case HS_KEY_ECDSA_P521:
		/* RFC 5656 §3.1.2: the signature algorithm is the key's own. */
		return strcmp(alg, key->name) == 0;
	case HS_KEY_ANGELOS_TONGUES:
		return strcmp(alg, HS_TONGUES_NAME) == 0;
	default:
		return 0;
	}
}

/* One EVP_DigestVerify over data; md is NULL for Ed25519 (no prehash). */
static int digest_verify(EVP_PKEY *pkey, const EVP_MD *md, int rsa_pkcs1, const uint8_t *sig, size_t siglen,
                         const uint8_t *data, size_t datalen)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	EVP_PKEY_CTX *pctx = NULL;
	int r = HS_ERR_CRYPTO;
	if (ctx == NULL || EVP_DigestVerifyInit(ctx, &pctx, md, NULL, pkey) != 1)
		goto out;
	if (rsa_pkcs1 && EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) != 1)
		goto out;
	if (data == NULL)
		data = empty_data;
	r = EVP_DigestVerify(ctx, sig, siglen, data, datalen) == 1 ? 0 : HS_ERR_SIGNATURE;
out:
	EVP_MD_CTX_free(ctx);
	return r;
}

/* RFC 8332 §3 says the signature is exactly as long as the modulus, but
 * some signers (PuTTY among them) drop the leading zero bytes of one that
 * starts with them, one signature in 256; like OpenSSH, a shorter one is
 * padded back with zeros. A longer one is refused. */
static int verify_rsa(const struct hs_key *key, const char *alg, struct hs_bytes raw, const uint8_t *data,
                      size_t datalen)
{
	const EVP_MD *md = strcmp(alg, "rsa-sha2-512") == 0 ? EVP_sha512() : EVP_sha256();
	uint8_t padded[HS_KEY_RSA_MAX_BITS / 8];
	int size = EVP_PKEY_get_size(key->pkey);
	if (size <= 0 || (size_t)size > sizeof padded)
		return HS_ERR_CRYPTO;
	if (raw.len > (size_t)size || raw.len == 0)
		return HS_ERR_FORMAT;
	if (raw.len == (size_t)size)
		return digest_verify(key->pkey, md, 1, raw.ptr, raw.len, data, datalen);
	size_t zeros = (size_t)size - raw.len;
	memset(padded, 0, zeros);
	memcpy(padded + zeros, raw.ptr, raw.len);
	return digest_verify(key->pkey, md, 1, padded, (size_t)size, data, datalen);
}

/* RFC 5656 §3.1.2: the raw signature is mpint r, mpint s; libcrypto wants
 * them as a DER ECDSA-Sig-Value. */
static int verify_ecdsa(const struct hs_key *key, struct hs_bytes raw, const uint8_t *data, size_t datalen)
{
	struct hs_view v = hs__view_make(raw.ptr, raw.len);
	struct hs_bytes rb, sb;
	const EVP_MD *md;
	size_t order_bytes;
	ECDSA_SIG *esig = NULL;
	BIGNUM *r_bn = NULL, *s_bn = NULL;
	unsigned char *der = NULL;
	int r, derlen;
	switch (key->type) {
	case HS_KEY_ECDSA_P256:
		md = EVP_sha256();
		order_bytes = 32;
		break;
	case HS_KEY_ECDSA_P384:
		md = EVP_sha384();
		order_bytes = 48;
		break;
	default:
		md = EVP_sha512();
		order_bytes = 66;
		break;
	}
	if (hs__view_get_mpint(&v, &rb) != 0 || hs__view_get_mpint(&v, &sb) != 0 || hs__view_end(&v) != 0)
		return HS_ERR_FORMAT;
	/* r and s lie in [1, n-1]: zero or longer than the order cannot verify
	 * (libcrypto checks the exact range). */
	if (rb.len == 0 || sb.len == 0 || rb.len > order_bytes || sb.len > order_bytes)
		return HS_ERR_SIGNATURE;
	r = HS_ERR_CRYPTO;
	if ((r_bn = BN_bin2bn(rb.ptr, (int)rb.len, NULL)) == NULL ||
	    (s_bn = BN_bin2bn(sb.ptr, (int)sb.len, NULL)) == NULL || (esig = ECDSA_SIG_new()) == NULL ||
	    ECDSA_SIG_set0(esig, r_bn, s_bn) != 1)
		goto out;
	r_bn = s_bn = NULL; /* owned by esig now */
	if ((derlen = i2d_ECDSA_SIG(esig, &der)) <= 0)
		goto out;
	r = digest_verify(key->pkey, md, 0, der, (size_t)derlen, data, datalen);
out:
	OPENSSL_free(der);
	ECDSA_SIG_free(esig);
	BN_free(r_bn);
	BN_free(s_bn);
	return r;
}

int hs__key_verify(const struct hs_key *key, const char *alg, const uint8_t *sig, size_t siglen, const uint8_t *data,
                   size_t datalen)
{
	struct hs_view v = hs__view_make(sig, siglen);
	struct hs_bytes name, raw;
	int r;
	if (key == NULL || alg == NULL || (sig == NULL && siglen != 0) || (data == NULL && datalen != 0))
		return HS_ERR_INVALID_ARG;
	if (!hs__key_alg_allowed(key, alg))
		return HS_ERR_KEY_TYPE;
	if (hs__view_get_string(&v, &name) != 0)
		return HS_ERR_FORMAT;
	if (key->type == HS_KEY_ANGELOS_TONGUES) {
		/* The rest of the blob is the signature: exactly 64 bytes. */
		hs__view_get_rest(&v, &raw);
		if (raw.len != ED25519_SIG_LEN)
			return HS_ERR_FORMAT;
	} else if (hs__view_get_string(&v, &raw) != 0 || hs__view_end(&v) != 0) {
		return HS_ERR_FORMAT;
	}
	/* RFC 4252 §7: the blob's algorithm is the one the request named. */
	if (!hs__bytes_eq(name, alg))
		return HS_ERR_KEY_TYPE;
	switch (key->type) {
	case HS_KEY_ED25519:
	case HS_KEY_ANGELOS_TONGUES:
		r = raw.len == ED25519_SIG_LEN ? digest_verify(key->pkey, NULL, 0, raw.ptr, raw.len, data, datalen)
		                               : HS_ERR_FORMAT;
		break;
	case HS_KEY_RSA:
		r = verify_rsa(key, alg, raw, data, datalen);
		break;
	case HS_KEY_ECDSA_P256:
	case HS_KEY_ECDSA_P384:
	case HS_KEY_ECDSA_P521:
		r = verify_ecdsa(key, raw, data, datalen);
		break;
	default:
		r = HS_ERR_KEY_TYPE;
		break;
	}
	if (r != 0)
		ERR_clear_error(); /* a bad signature is the peer's fault, not ours */
	return r;
}

int hs__hostkey_adopt_signature(const struct hs_hostkey *key, const char *alg, const uint8_t *sig, size_t siglen,
                                const uint8_t *data, size_t len, struct hs_buf *out)
{
	struct hs_view v = hs__view_make(sig, siglen);
	struct hs_bytes name, raw;
	size_t start;
	int r;
	if (key == NULL || alg == NULL || out == NULL || (sig == NULL && siglen != 0))
		return HS_ERR_INVALID_ARG;
	int tongues = strcmp(alg, HS_TONGUES_NAME) == 0;
	if (key->pub->type != HS_KEY_ED25519 || (!tongues && !hs__key_alg_allowed(key->pub, alg)))
		return HS_ERR_KEY_TYPE;
	/* what the signer says must be what the host key's public half verifies */
	if ((r = hs__key_verify(key->pub, "ssh-ed25519", sig, siglen, data, len)) != 0)
		return r;
	if ((r = hs__view_get_string(&v, &name)) != 0 || (r = hs__view_get_string(&v, &raw)) != 0)
		return r;
	start = hs__buf_len(out);
	if ((r = hs__buf_put_cstring(out, alg)) == 0)
		r = tongues ? hs__buf_put(out, raw.ptr, raw.len) : hs__buf_put_string(out, raw.ptr, raw.len);
	if (r != 0)
		hs__buf_truncate(out, start);
	return r;
}

int hs__hostkey_sign(const struct hs_hostkey *key, const char *alg, const uint8_t *data, size_t len, struct hs_buf *out)
{
	uint8_t sig[ED25519_SIG_LEN];
	size_t siglen = sizeof sig, start;
	EVP_MD_CTX *ctx = NULL;
	int r;
	if (key == NULL || alg == NULL || out == NULL || (data == NULL && len != 0))
		return HS_ERR_INVALID_ARG;
	/* One Ed25519 host key serves as ssh-ed25519 and as angelos-tongues. */
	int tongues = strcmp(alg, HS_TONGUES_NAME) == 0;
	if (key->priv == NULL || key->pub->type != HS_KEY_ED25519 || (!tongues && !hs__key_alg_allowed(key->pub, alg)))
		return HS_ERR_KEY_TYPE;
	r = HS_ERR_CRYPTO;
	if ((ctx = EVP_MD_CTX_new()) == NULL || EVP_DigestSignInit(ctx, NULL, NULL, NULL, key->priv) != 1 ||
	    EVP_DigestSign(ctx, sig, &siglen, data != NULL ? data : empty_data, len) != 1 || siglen != ED25519_SIG_LEN)
		goto out;
	/* RFC 8709 §6: string "ssh-ed25519", string signature; for
	 * angelos-tongues the signature has no length field. Appended whole
	 * or not at all. */
	start = hs__buf_len(out);
	if ((r = hs__buf_put_cstring(out, alg)) == 0)
		r = tongues ? hs__buf_put(out, sig, siglen) : hs__buf_put_string(out, sig, siglen);
	if (r != 0)
		hs__buf_truncate(out, start);
out:
	EVP_MD_CTX_free(ctx);
	return r;
}
