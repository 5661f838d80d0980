/*
 * Public keys (the SSHKey value type): strict parsing of SSH public key
 * blobs (RFC 4253 §6.6, RFC 5656 §3.1, RFC 8709 §4, and the Angelos
 * project's angelos-tongues framing of Ed25519) into libcrypto keys, and the
 * accessors, equality and fingerprint of the value.
 *
 * Refusals: an algorithm we do not know or do not accept, and an RSA
 * modulus outside [2048, 16384] bits, give HS_ERR_KEY_TYPE (the key is
 * well-formed but unusable); encoding faults give HS_ERR_FORMAT,
 * HS_ERR_TRUNCATED or HS_ERR_TRAILING.
 */
#include "keys/key_priv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include "wire/base64.h"
#include "wire/buf.h"

struct key_alg {
	enum hs_key_type type;
	const char *name;
	const char *curve;  /* ECDSA: the curve identifier inside the blob */
	const char *group;  /* ECDSA: libcrypto's group name */
	size_t field_bytes; /* ECDSA: size of one coordinate */
};

static const struct key_alg key_algs[] = {
	{ HS_KEY_ED25519, "ssh-ed25519", NULL, NULL, 0 },
	{ HS_KEY_RSA, "ssh-rsa", NULL, NULL, 0 },
	{ HS_KEY_ECDSA_P256, "ecdsa-sha2-nistp256", "nistp256", "P-256", 32 },
	{ HS_KEY_ECDSA_P384, "ecdsa-sha2-nistp384", "nistp384", "P-384", 48 },
	{ HS_KEY_ECDSA_P521, "ecdsa-sha2-nistp521", "nistp521", "P-521", 66 },
	{ HS_KEY_ANGELOS_TONGUES, HS_TONGUES_NAME, NULL, NULL, 0 },
};

static const struct key_alg *find_alg(struct hs_bytes name)
{
	for (size_t i = 0; i < sizeof key_algs / sizeof key_algs[0]; i++)
		if (hs__bytes_eq(name, key_algs[i].name))
			return &key_algs[i];
	return NULL;
}

/* Build an EVP_PKEY of the named kind from parameters. */
static int pkey_fromdata(const char *kind, OSSL_PARAM *params, EVP_PKEY **out)
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, kind, NULL);
	int r = HS_ERR_FORMAT; /* libcrypto refusing the values means bad input */
	if (ctx == NULL) {
		r = HS_ERR_CRYPTO;
		goto out;
	}
	if (EVP_PKEY_fromdata_init(ctx) != 1) {
		r = HS_ERR_CRYPTO;
		goto out;
	}
	if (EVP_PKEY_fromdata(ctx, out, EVP_PKEY_PUBLIC_KEY, params) != 1)
		goto out;
	r = 0;
out:
	EVP_PKEY_CTX_free(ctx);
	return r;
}

/* string key: exactly 32 bytes (RFC 8709 §4). */
static int parse_ed25519(struct hs_view *v, EVP_PKEY **out)
{
	struct hs_bytes pk;
	int r;
	if ((r = hs__view_get_string(v, &pk)) != 0 || (r = hs__view_end(v)) != 0)
		return r;
	if (pk.len != 32)
		return HS_ERR_FORMAT;
	*out = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, pk.ptr, pk.len);
	return *out != NULL ? 0 : HS_ERR_FORMAT;
}

/* angelos-tongues: after the name, the rest of the blob is the 32-byte key
 * as exactly 44 characters of padded standard base64, with no length
 * field. The decoder takes only the canonical text (no whitespace, padding
 * where it belongs, zero unused bits); re-encoding and comparing makes that
 * one-text-per-key property this parser's own rather than the decoder's. */
static int parse_tongues(struct hs_view *v, EVP_PKEY **out)
{
	struct hs_bytes text;
	uint8_t pk[HS_ED25519_PUB_LEN + 1]; /* room to see a 33-byte decoding */
	char again[HS_TONGUES_B64_LEN + 1];
	size_t pklen = 0;
	int r;
	if ((r = hs__view_get_bytes(v, HS_TONGUES_B64_LEN, &text)) != 0 || (r = hs__view_end(v)) != 0)
		return r;
	if (hs__base64_decode((const char *)text.ptr, text.len, pk, sizeof pk, &pklen) != 0 ||
	    pklen != HS_ED25519_PUB_LEN)
		return HS_ERR_FORMAT;
	if (hs__base64_encode(pk, pklen, again, sizeof again, 1) != 0 || memcmp(again, text.ptr, text.len) != 0)
		return HS_ERR_FORMAT;
	*out = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, pk, pklen);
	return *out != NULL ? 0 : HS_ERR_FORMAT;
}

static size_t magnitude_bits(struct hs_bytes m)
{
	if (m.len == 0)
		return 0;
	size_t bits = (m.len - 1) * 8;
	for (unsigned top = m.ptr[0]; top != 0; top >>= 1)
		bits++;
	return bits;
}

/* mpint e, mpint n (RFC 4253 §6.6). */
static int parse_rsa(struct hs_view *v, EVP_PKEY **out)
{
	struct hs_bytes e, n;
	BIGNUM *bn_e = NULL, *bn_n = NULL;
	OSSL_PARAM_BLD *bld = NULL;
	OSSL_PARAM *params = NULL;
	int r;
	if ((r = hs__view_get_mpint(v, &e)) != 0 || (r = hs__view_get_mpint(v, &n)) != 0 || (r = hs__view_end(v)) != 0)
		goto out;
	/* hs__view_get_mpint gives a minimal magnitude: its first byte is
	 * non-zero, so the length alone bounds the value. */
	r = HS_ERR_FORMAT;
	if (e.len == 0 || e.len > HS_KEY_RSA_MAX_E_BYTES || (e.ptr[e.len - 1] & 1) == 0 || (e.len == 1 && e.ptr[0] < 3))
		goto out;
	if (n.len == 0 || (n.ptr[n.len - 1] & 1) == 0)
		goto out;
	size_t bits = magnitude_bits(n);
	if (bits < HS_KEY_RSA_MIN_BITS || bits > HS_KEY_RSA_MAX_BITS) {
		r = HS_ERR_KEY_TYPE;
		goto out;
	}
	r = HS_ERR_CRYPTO;
	if ((bn_e = BN_bin2bn(e.ptr, (int)e.len, NULL)) == NULL || (bn_n = BN_bin2bn(n.ptr, (int)n.len, NULL)) == NULL)
		goto out;
	if ((bld = OSSL_PARAM_BLD_new()) == NULL || OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn_n) != 1 ||
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, bn_e) != 1 ||
	    (params = OSSL_PARAM_BLD_to_param(bld)) == NULL)
		goto out;
	r = pkey_fromdata("RSA", params, out);
out:
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	BN_free(bn_e);
	BN_free(bn_n);
	return r;
}

/* string curve identifier, string Q (RFC 5656 §3.1): the identifier must
 * name the same curve as the algorithm, Q must be an uncompressed point
 * (SEC1 2.3.3) that lies on the curve and in its prime-order group. */
static int parse_ecdsa(struct hs_view *v, const struct key_alg *a, EVP_PKEY **out)
{
	struct hs_bytes curve, q;
	EVP_PKEY_CTX *check = NULL;
	int r;
	if ((r = hs__view_get_string(v, &curve)) != 0 || (r = hs__view_get_string(v, &q)) != 0 ||
	    (r = hs__view_end(v)) != 0)
		return r;
	if (!hs__bytes_eq(curve, a->curve) || q.len != 1 + 2 * a->field_bytes || q.ptr[0] != 0x04)
		return HS_ERR_FORMAT;
	char group[8];
	uint8_t point[1 + 2 * 66];
	/* OSSL_PARAM wants non-const pointers; give it copies. */
	snprintf(group, sizeof group, "%s", a->group);
	memcpy(point, q.ptr, q.len);
	OSSL_PARAM params[] = {
		OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, group, 0),
		OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, point, q.len),
		OSSL_PARAM_construct_end(),
	};
	if ((r = pkey_fromdata("EC", params, out)) != 0)
		goto out;
	r = HS_ERR_CRYPTO;
	if ((check = EVP_PKEY_CTX_new_from_pkey(NULL, *out, NULL)) == NULL)
		goto out;
	/* Not the point at infinity, on the curve, of the group's order. */
	r = EVP_PKEY_public_check(check) == 1 ? 0 : HS_ERR_FORMAT;
out:
	if (r != 0) {
		EVP_PKEY_free(*out);
		*out = NULL;
	}
	EVP_PKEY_CTX_free(check);
	return r;
}

int hs_key_from_blob(const uint8_t *blob, size_t len, struct hs_key **out)
{
	struct hs_view v = hs__view_make(blob, len);
	struct hs_bytes name;
	struct hs_key *k = NULL;
	uint8_t digest[32];
	unsigned int dlen = 0;
	int r;
	if (out == NULL || (blob == NULL && len != 0))
		return HS_ERR_INVALID_ARG;
	*out = NULL;
	if (len == 0) /* not even the key type's name */
		return HS_ERR_TRUNCATED;
	if (len > HS_KEY_MAX_BLOB)
		return HS_ERR_FORMAT;
	if ((r = hs__view_get_string(&v, &name)) != 0)
		return r;
	const struct key_alg *a = find_alg(name);
	if (a == NULL)
		return HS_ERR_KEY_TYPE;
	if ((k = calloc(1, sizeof *k)) == NULL)
		return HS_ERR_ALLOC;
	k->type = a->type;
	k->name = a->name;
	switch (a->type) {
	case HS_KEY_ED25519:
		r = parse_ed25519(&v, &k->pkey);
		break;
	case HS_KEY_RSA:
		r = parse_rsa(&v, &k->pkey);
		break;
	case HS_KEY_ANGELOS_TONGUES:
		r = parse_tongues(&v, &k->pkey);
		break;
	default:
		r = parse_ecdsa(&v, a, &k->pkey);
		break;
	}
	if (r != 0)
		goto out;
	if ((k->blob = malloc(len)) == NULL) {
		r = HS_ERR_ALLOC;
		goto out;
	}
	memcpy(k->blob, blob, len);
	k->bloblen = len;
	/* The fingerprint is computed once here, so that printing it later
	 * cannot fail. */
	if (EVP_Digest(blob, len, digest, &dlen, EVP_sha256(), NULL) != 1 || dlen != sizeof digest) {
		r = HS_ERR_CRYPTO;
		goto out;
	}
	memcpy(k->fingerprint, "SHA256:", 7);
	if ((r = hs__base64_encode(digest, sizeof digest, k->fingerprint + 7, sizeof k->fingerprint - 7, 0)) != 0)
		goto out;
	*out = k;
	k = NULL;
out:
	hs_key_free(k);
	if (r != 0)
		ERR_clear_error(); /* refusals of bad input are not our errors */
	return r;
}

enum hs_key_type hs_key_type(const struct hs_key *key)
{
	return key->type;
}

const char *hs_key_type_name(const struct hs_key *key)
{
	return key->name;
}

const uint8_t *hs_key_blob(const struct hs_key *key, size_t *len)
{
	*len = key->bloblen;
	return key->blob;
}

void hs_key_fingerprint(const struct hs_key *key, char out[HS_FINGERPRINT_SIZE])
{
	memcpy(out, key->fingerprint, HS_FINGERPRINT_SIZE);
}

int hs_key_equal(const struct hs_key *a, const struct hs_key *b)
{
	if (a == NULL || b == NULL || a->bloblen != b->bloblen)
		return 0;
	return CRYPTO_memcmp(a->blob, b->blob, a->bloblen) == 0;
}

struct hs_key *hs_key_dup(const struct hs_key *key)
{
	if (key == NULL)
		return NULL;
	struct hs_key *k = calloc(1, sizeof *k);
	if (k == NULL)
		return NULL;
	*k = *key;
	k->blob = malloc(key->bloblen);
	if (k->blob == NULL || EVP_PKEY_up_ref(key->pkey) != 1) {
		free(k->blob);
		free(k);
		return NULL;
	}
	memcpy(k->blob, key->blob, key->bloblen);
	return k;
}

void hs_key_free(struct hs_key *key)
{
	if (key == NULL)
		return;
	EVP_PKEY_free(key->pkey);
	free(key->blob);
	free(key);
}
