/*
 * Packet protection for the SSH binary packet protocol (RFC 4253 §6):
 * the AEAD ciphers chacha20-poly1305@openssh.com (PROTOCOL.chacha20poly1305),
 * aes128-gcm@openssh.com and aes256-gcm@openssh.com (RFC 5647 as amended by
 * OpenSSH's PROTOCOL), and aes128-ctr / aes256-ctr paired with an
 * encrypt-then-MAC HMAC (hmac-sha2-256-etm@openssh.com,
 * hmac-sha2-512-etm@openssh.com) or an encrypt-and-MAC HMAC (RFC 4253
 * §6.4, RFC 6668: hmac-sha2-256, hmac-sha2-512).
 *
 * A packet on the wire is: uint32 packet_length || packet_length bytes
 * (padding_length, payload, padding) || tag. Sealing and opening work in
 * place on that buffer; the tag is written/read separately.
 */
#ifndef HS_CRYPTO_CIPHER_H
#define HS_CRYPTO_CIPHER_H

#include <stddef.h>
#include <stdint.h>

#include "hostsd/error.h"

struct hs_cipher_info {
	const char *name;  /* SSH algorithm name */
	size_t key_len;    /* bytes of encryption key to derive */
	size_t iv_len;     /* bytes of IV to derive (0 if none) */
	size_t block_size; /* padding multiple */
	size_t tag_len;    /* AEAD tag length (0 for non-AEAD) */
	int aead;          /* 1: no separate MAC is used */
	int kind;          /* internal */
};

struct hs_mac_info {
	const char *name; /* "hmac-sha2-256-etm@openssh.com" ... */
	size_t key_len;
	size_t tag_len;
	int etm;
	int kind; /* internal */
};

/* NULL when the name is not one we implement. */
const struct hs_cipher_info *hs__cipher_by_name(const char *name);
const struct hs_mac_info *hs__mac_by_name(const char *name);

/* One direction's packet protection state. Keys live inside and are wiped
 * by hs__cipher_cleanup. */
struct hs_cipher_ctx {
	const struct hs_cipher_info *cipher;
	const struct hs_mac_info *mac; /* NULL for AEAD ciphers */
	void *impl;                    /* owned; freed by cleanup */
};

/* Set up for one direction. mac/mac_key only for non-AEAD ciphers.
 * encrypt: 1 to seal, 0 to open. Copies what it needs from the keys. */
int hs__cipher_init(struct hs_cipher_ctx *ctx, const struct hs_cipher_info *cipher, const uint8_t *key,
                    const uint8_t *iv, const struct hs_mac_info *mac, const uint8_t *mac_key,
                    int encrypt) HS_MUST_CHECK;

/* Wipe and free all state; safe on a zeroed or already-cleaned context. */
void hs__cipher_cleanup(struct hs_cipher_ctx *ctx);

/* Bytes after the packet that carry the tag/MAC. */
size_t hs__cipher_tag_len(const struct hs_cipher_ctx *ctx);

/* The padding multiple. */
size_t hs__cipher_block_size(const struct hs_cipher_ctx *ctx);

/* 1 when the 4-byte length field counts toward the padding multiple, i.e.
 * 4 + packet_length must be a multiple of hs__cipher_block_size() (RFC
 * 4253 §6; true of encrypt-and-MAC, whose length field is encrypted with
 * the packet); 0 when packet_length alone must be (AEAD and ETM modes, and
 * a zeroed or cleaned context). */
int hs__cipher_length_in_block(const struct hs_cipher_ctx *ctx);

/* Learn packet_length from the first 4 bytes of a packet without changing
 * them (for chacha20-poly1305 they are decrypted with the length key; for
 * encrypt-and-MAC with the keystream block at the current position). The
 * context's state does not change: it may be called again for the same
 * packet. */
int hs__cipher_peek_length(struct hs_cipher_ctx *ctx, uint32_t seqnr, const uint8_t first4[4],
                           uint32_t *packet_length) HS_MUST_CHECK;

/* Seal a packet in place: pkt holds 4 + packet_length bytes of plaintext
 * (length field included); writes hs__cipher_tag_len() bytes to tag. */
int hs__cipher_seal(struct hs_cipher_ctx *ctx, uint32_t seqnr, uint8_t *pkt, size_t len, uint8_t *tag) HS_MUST_CHECK;

/* Verify the tag (in constant time) and decrypt in place. pkt holds
 * 4 + packet_length bytes as received. Returns HS_ERR_MAC on a bad tag, in
 * which case pkt is left exactly as received, the context's state has not
 * moved, and the packet must be dropped. (Encrypt-and-MAC can only verify
 * after decrypting; it then restores the ciphertext before returning.) */
int hs__cipher_open(struct hs_cipher_ctx *ctx, uint32_t seqnr, uint8_t *pkt, size_t len,
                    const uint8_t *tag) HS_MUST_CHECK;

#endif
