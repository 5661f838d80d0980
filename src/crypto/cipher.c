/*
 * Packet protection: the table of the ciphers and MACs we implement, and
 * the one place that checks a packet's shape before handing it to a mode
 * (chachapoly.c, aesgcm.c, etm.c, eam.c). The AEAD and encrypt-then-MAC
 * modes keep packet_length out of the block-size multiple (it is either
 * encrypted separately or not at all), so there a packet is valid when
 * packet_length = len - 4 is a non-zero multiple of the block size.
 * Encrypt-and-MAC encrypts the length field with the rest, so there the
 * whole len must be that multiple (RFC 4253 §6). Either way the length
 * field must match len - 4.
 */
#include "crypto/cipher.h"

#include <limits.h>
#include <string.h>

#include <openssl/crypto.h>

#include "crypto/aesgcm.h"
#include "crypto/chachapoly.h"
#include "crypto/eam.h"
#include "crypto/etm.h"
#include "wire/buf.h"

enum cipher_kind {
	KIND_CHACHAPOLY = 1,
	KIND_AESGCM,
	KIND_AESCTR,
};

enum mac_kind {
	MAC_HMAC_SHA256 = 1,
	MAC_HMAC_SHA512,
};

static const struct hs_cipher_info ciphers[] = {
	{ "chacha20-poly1305@openssh.com", HS_CHACHAPOLY_KEY_LEN, 0, 8, HS_CHACHAPOLY_TAG_LEN, 1, KIND_CHACHAPOLY },
	{ "aes256-gcm@openssh.com", 32, HS_AESGCM_IV_LEN, 16, HS_AESGCM_TAG_LEN, 1, KIND_AESGCM },
	{ "aes128-gcm@openssh.com", 16, HS_AESGCM_IV_LEN, 16, HS_AESGCM_TAG_LEN, 1, KIND_AESGCM },
	{ "aes256-ctr", 32, HS_ETM_IV_LEN, 16, 0, 0, KIND_AESCTR },
	{ "aes128-ctr", 16, HS_ETM_IV_LEN, 16, 0, 0, KIND_AESCTR },
};

/* etm = 0: encrypt-and-MAC (RFC 4253 §6.4, RFC 6668), eam.c. */
static const struct hs_mac_info macs[] = {
	{ "hmac-sha2-512-etm@openssh.com", 64, 64, 1, MAC_HMAC_SHA512 },
	{ "hmac-sha2-256-etm@openssh.com", 32, 32, 1, MAC_HMAC_SHA256 },
	{ "hmac-sha2-512", 64, 64, 0, MAC_HMAC_SHA512 },
	{ "hmac-sha2-256", 32, 32, 0, MAC_HMAC_SHA256 },
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

const struct hs_cipher_info *hs__cipher_by_name(const char *name)
{
	if (name == NULL)
		return NULL;
	for (size_t i = 0; i < COUNT(ciphers); i++) {
		if (strcmp(ciphers[i].name, name) == 0)
			return &ciphers[i];
	}
	return NULL;
}

const struct hs_mac_info *hs__mac_by_name(const char *name)
{
	if (name == NULL)
		return NULL;
	for (size_t i = 0; i < COUNT(macs); i++) {
		if (strcmp(macs[i].name, name) == 0)
			return &macs[i];
	}
	return NULL;
}

/* Only our own table entries are trusted to describe a cipher. */
static int known_cipher(const struct hs_cipher_info *c)
{
	for (size_t i = 0; i < COUNT(ciphers); i++) {
		if (c == &ciphers[i])
			return 1;
	}
	return 0;
}

static int known_mac(const struct hs_mac_info *m)
{
	for (size_t i = 0; i < COUNT(macs); i++) {
		if (m == &macs[i])
			return 1;
	}
	return 0;
}

int hs__cipher_init(struct hs_cipher_ctx *ctx, const struct hs_cipher_info *cipher, const uint8_t *key,
                    const uint8_t *iv, const struct hs_mac_info *mac, const uint8_t *mac_key, int encrypt)
{
	struct hs_chachapoly *cp = NULL;
	struct hs_aesgcm *g = NULL;
	struct hs_etm *e = NULL;
	struct hs_eam *m = NULL;
	int r = HS_ERR_INVALID_ARG;

	if (ctx == NULL)
		return HS_ERR_INVALID_ARG;
	memset(ctx, 0, sizeof(*ctx));
	if (cipher == NULL || !known_cipher(cipher) || key == NULL)
		return HS_ERR_INVALID_ARG;
	encrypt = encrypt ? 1 : 0;
	switch (cipher->kind) {
	case KIND_CHACHAPOLY:
		if ((r = hs__chachapoly_new(&cp, key, encrypt)) != 0)
			return r;
		ctx->impl = cp;
		break;
	case KIND_AESGCM:
		if (iv == NULL)
			return HS_ERR_INVALID_ARG;
		if ((r = hs__aesgcm_new(&g, key, cipher->key_len, iv, encrypt)) != 0)
			return r;
		ctx->impl = g;
		break;
	case KIND_AESCTR:
		if (mac == NULL || !known_mac(mac) || iv == NULL || mac_key == NULL)
			return HS_ERR_INVALID_ARG;
		if (!mac->etm) {
			r = hs__eam_new(&m, key, cipher->key_len, iv,
			                mac->kind == MAC_HMAC_SHA512 ? "SHA512" : "SHA256", mac_key, mac->key_len,
			                mac->tag_len, encrypt);
			if (r != 0)
				return r;
			ctx->impl = m;
			ctx->mac = mac;
			break;
		}
		r = hs__etm_new(&e, key, cipher->key_len, iv, mac->kind == MAC_HMAC_SHA512 ? "SHA512" : "SHA256",
		                mac_key, mac->key_len, mac->tag_len, encrypt);
		if (r != 0)
			return r;
		ctx->impl = e;
		ctx->mac = mac;
		break;
	default:
		return HS_ERR_INTERNAL;
	}
	/* AEAD ciphers ignore any negotiated MAC (RFC 5647 §5.1, PROTOCOL). */
	ctx->cipher = cipher;
	return 0;
}

void hs__cipher_cleanup(struct hs_cipher_ctx *ctx)
{
	if (ctx == NULL)
		return;
	if (ctx->impl != NULL && ctx->cipher != NULL) {
		switch (ctx->cipher->kind) {
		case KIND_CHACHAPOLY:
			hs__chachapoly_free(ctx->impl);
			break;
		case KIND_AESGCM:
			hs__aesgcm_free(ctx->impl);
			break;
		case KIND_AESCTR:
			if (ctx->mac != NULL && !ctx->mac->etm)
				hs__eam_free(ctx->impl);
			else
				hs__etm_free(ctx->impl);
			break;
		default:
			break;
		}
	}
	memset(ctx, 0, sizeof(*ctx));
}

size_t hs__cipher_tag_len(const struct hs_cipher_ctx *ctx)
{
	if (ctx == NULL || ctx->cipher == NULL)
		return 0;
	if (ctx->cipher->aead)
		return ctx->cipher->tag_len;
	return ctx->mac != NULL ? ctx->mac->tag_len : 0;
}

size_t hs__cipher_block_size(const struct hs_cipher_ctx *ctx)
{
	if (ctx == NULL || ctx->cipher == NULL)
		return 0;
	return ctx->cipher->block_size;
}

/* Encrypt-and-MAC: the length field is encrypted with the packet. */
static int is_eam(const struct hs_cipher_ctx *ctx)
{
	return ctx->cipher->kind == KIND_AESCTR && ctx->mac != NULL && !ctx->mac->etm;
}

int hs__cipher_length_in_block(const struct hs_cipher_ctx *ctx)
{
	if (ctx == NULL || ctx->cipher == NULL)
		return 0;
	return is_eam(ctx);
}

static uint32_t length_field(const uint8_t *pkt)
{
	struct hs_view v = hs__view_make(pkt, 4);
	uint32_t n = 0;

	/* Cannot fail: the view holds exactly 4 bytes. */
	if (hs__view_get_u32(&v, &n) != 0)
		return 0;
	return n;
}

/* RFC 4253 §6: the padded body (packet_length bytes, the length field
 * excluded in the AEAD and ETM modes) is a multiple of the block size; it
 * always holds padding_length and at least 4 bytes of padding, so it is
 * never empty. In encrypt-and-MAC the multiple is of the whole packet,
 * length field included, as RFC 4253 §6 states it; the smallest such
 * packet is one block. EVP lengths are ints, hence the INT_MAX cap; the
 * packet layer's own limit is far smaller. */
static int valid_shape(const struct hs_cipher_ctx *ctx, size_t len)
{
	size_t bs = ctx->cipher->block_size;

	if (len < 4 || len > INT_MAX)
		return 0;
	if (is_eam(ctx))
		return len >= bs && len % bs == 0;
	return len - 4 >= bs && (len - 4) % bs == 0;
}

static int usable(const struct hs_cipher_ctx *ctx)
{
	return ctx != NULL && ctx->cipher != NULL && ctx->impl != NULL;
}

int hs__cipher_peek_length(struct hs_cipher_ctx *ctx, uint32_t seqnr, const uint8_t first4[4], uint32_t *packet_length)
{
	if (!usable(ctx) || first4 == NULL || packet_length == NULL)
		return HS_ERR_INVALID_ARG;
	if (ctx->cipher->kind == KIND_CHACHAPOLY)
		return hs__chachapoly_peek_length(ctx->impl, seqnr, first4, packet_length);
	if (is_eam(ctx))
		return hs__eam_peek_length(ctx->impl, first4, packet_length);
	/* GCM and ETM leave packet_length in clear. */
	*packet_length = length_field(first4);
	return 0;
}

int hs__cipher_seal(struct hs_cipher_ctx *ctx, uint32_t seqnr, uint8_t *pkt, size_t len, uint8_t *tag)
{
	if (!usable(ctx) || pkt == NULL || tag == NULL)
		return HS_ERR_INVALID_ARG;
	/* Our own packet builder made this packet: a bad shape is our bug. */
	if (!valid_shape(ctx, len) || length_field(pkt) != len - 4)
		return HS_ERR_INTERNAL;
	switch (ctx->cipher->kind) {
	case KIND_CHACHAPOLY:
		return hs__chachapoly_seal(ctx->impl, seqnr, pkt, len, tag);
	case KIND_AESGCM:
		return hs__aesgcm_seal(ctx->impl, pkt, len, tag);
	case KIND_AESCTR:
		if (is_eam(ctx))
			return hs__eam_seal(ctx->impl, seqnr, pkt, len, tag);
		return hs__etm_seal(ctx->impl, seqnr, pkt, len, tag);
	default:
		return HS_ERR_INTERNAL;
	}
}

int hs__cipher_open(struct hs_cipher_ctx *ctx, uint32_t seqnr, uint8_t *pkt, size_t len, const uint8_t *tag)
{
	int r;

	if (!usable(ctx) || pkt == NULL || tag == NULL)
		return HS_ERR_INVALID_ARG;
	if (!valid_shape(ctx, len))
		return HS_ERR_FORMAT;
	switch (ctx->cipher->kind) {
	case KIND_CHACHAPOLY:
		r = hs__chachapoly_open(ctx->impl, seqnr, pkt, len, tag);
		break;
	case KIND_AESGCM:
		r = hs__aesgcm_open(ctx->impl, pkt, len, tag);
		break;
	case KIND_AESCTR:
		if (is_eam(ctx))
			r = hs__eam_open(ctx->impl, seqnr, pkt, len, tag);
		else
			r = hs__etm_open(ctx->impl, seqnr, pkt, len, tag);
		break;
	default:
		return HS_ERR_INTERNAL;
	}
	if (r != 0)
		return r;
	/* Authentic, but not the packet the caller framed (it did not take
	 * packet_length from peek_length): refuse it rather than let two
	 * ideas of its length live on. */
	if (length_field(pkt) != len - 4) {
		OPENSSL_cleanse(pkt, len);
		return HS_ERR_FORMAT;
	}
	return 0;
}
