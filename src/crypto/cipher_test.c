/*
 * Tests of the packet-protection interface, for every cipher (and MAC)
 * we offer: round trips over many sizes and sequence numbers, every single
 * bit flip of packet and tag refused with the buffer left as it was, wrong
 * sequence numbers and replays refused, malformed shapes refused, misuse
 * refused, the algorithm tables, and what the per-packet path allocates.
 * The known answers live in chachapoly_test.c, aesgcm_test.c, etm_test.c,
 * eam_test.c.
 */
#include "crypto/cipher.h"

#include <stdint.h>
#include <stdlib.h>

#include <openssl/crypto.h>

#include "crypto/chachapoly.h"
#include "hs_test.h"

/* --- counting OpenSSL's allocations --- */

static size_t allocations;

static void *count_malloc(size_t n, const char *file, int line)
{
	allocations++;
	return malloc(n);
}

static void *count_realloc(void *p, size_t n, const char *file, int line)
{
	allocations++;
	return realloc(p, n);
}

static void count_free(void *p, const char *file, int line)
{
	free(p);
}

/* --- the cipher/MAC pairs under test --- */

struct suite {
	const char *cipher;
	const char *mac; /* NULL for AEAD */
};

static const struct suite suites[] = {
	{ "chacha20-poly1305@openssh.com", NULL },
	{ "aes128-gcm@openssh.com", NULL },
	{ "aes256-gcm@openssh.com", NULL },
	{ "aes128-ctr", "hmac-sha2-256-etm@openssh.com" },
	{ "aes128-ctr", "hmac-sha2-512-etm@openssh.com" },
	{ "aes256-ctr", "hmac-sha2-256-etm@openssh.com" },
	{ "aes256-ctr", "hmac-sha2-512-etm@openssh.com" },
	{ "aes128-ctr", "hmac-sha2-256" },
	{ "aes128-ctr", "hmac-sha2-512" },
	{ "aes256-ctr", "hmac-sha2-256" },
	{ "aes256-ctr", "hmac-sha2-512" },
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))
#define MAX_PACKET (4 + 65536)

static uint8_t key[64], iv[16], mac_key[64];

static void fill(uint8_t *p, size_t n, uint32_t seed)
{
	/* xorshift: reproducible, not constant */
	uint32_t x = seed * 2654435761u + 1;
	for (size_t i = 0; i < n; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		p[i] = (uint8_t)x;
	}
}

/* A tx/rx pair for a suite, keyed alike. Returns 0 or an error. */
static int pair(const struct suite *s, struct hs_cipher_ctx *tx, struct hs_cipher_ctx *rx)
{
	const struct hs_cipher_info *c = hs__cipher_by_name(s->cipher);
	const struct hs_mac_info *m = s->mac ? hs__mac_by_name(s->mac) : NULL;
	int r;

	memset(tx, 0, sizeof(*tx));
	memset(rx, 0, sizeof(*rx));
	if (c == NULL || (s->mac != NULL && m == NULL))
		return HS_ERR_NOT_FOUND;
	if ((r = hs__cipher_init(tx, c, key, iv, m, mac_key, 1)) != 0)
		return r;
	if ((r = hs__cipher_init(rx, c, key, iv, m, mac_key, 0)) != 0) {
		hs__cipher_cleanup(tx);
		return r;
	}
	return 0;
}

/* The whole length (length field included) of a well-shaped packet of
 * about n bytes: the block multiple covers packet_length alone, or in
 * encrypt-and-MAC the whole packet (RFC 4253 §6). */
static size_t frame(const struct hs_cipher_ctx *ctx, size_t n)
{
	return hs__cipher_length_in_block(ctx) ? n : 4 + n;
}

/* packet_length = body: length field, padding_length, then data. */
static void make_packet(uint8_t *pkt, size_t body, uint32_t seed)
{
	pkt[0] = (uint8_t)(body >> 24);
	pkt[1] = (uint8_t)(body >> 16);
	pkt[2] = (uint8_t)(body >> 8);
	pkt[3] = (uint8_t)body;
	fill(pkt + 4, body, seed);
	pkt[4] = 4;
}

static void test_tables(void)
{
	const struct hs_cipher_info *c;
	const struct hs_mac_info *m;

	c = hs__cipher_by_name("chacha20-poly1305@openssh.com");
	CHECK(c != NULL && c->key_len == 64 && c->iv_len == 0 && c->block_size == 8 && c->tag_len == 16 && c->aead);
	c = hs__cipher_by_name("aes256-gcm@openssh.com");
	CHECK(c != NULL && c->key_len == 32 && c->iv_len == 12 && c->block_size == 16 && c->tag_len == 16 && c->aead);
	c = hs__cipher_by_name("aes128-gcm@openssh.com");
	CHECK(c != NULL && c->key_len == 16 && c->iv_len == 12 && c->block_size == 16 && c->tag_len == 16 && c->aead);
	c = hs__cipher_by_name("aes256-ctr");
	CHECK(c != NULL && c->key_len == 32 && c->iv_len == 16 && c->block_size == 16 && !c->aead);
	c = hs__cipher_by_name("aes128-ctr");
	CHECK(c != NULL && c->key_len == 16 && c->iv_len == 16 && c->block_size == 16 && !c->aead);
	m = hs__mac_by_name("hmac-sha2-256-etm@openssh.com");
	CHECK(m != NULL && m->key_len == 32 && m->tag_len == 32 && m->etm);
	m = hs__mac_by_name("hmac-sha2-512-etm@openssh.com");
	CHECK(m != NULL && m->key_len == 64 && m->tag_len == 64 && m->etm);
	m = hs__mac_by_name("hmac-sha2-256");
	CHECK(m != NULL && m->key_len == 32 && m->tag_len == 32 && !m->etm);
	m = hs__mac_by_name("hmac-sha2-512");
	CHECK(m != NULL && m->key_len == 64 && m->tag_len == 64 && !m->etm);

	/* Nothing weak, nothing approximate. */
	CHECK(hs__cipher_by_name("aes128-cbc") == NULL);
	CHECK(hs__cipher_by_name("3des-cbc") == NULL);
	CHECK(hs__cipher_by_name("chacha20-poly1305") == NULL);
	CHECK(hs__cipher_by_name("AES128-CTR") == NULL);
	CHECK(hs__cipher_by_name("") == NULL);
	CHECK(hs__cipher_by_name(NULL) == NULL);
	CHECK(hs__mac_by_name("hmac-sha1") == NULL);
	CHECK(hs__mac_by_name("hmac-sha2-256-etm") == NULL);
	CHECK(hs__mac_by_name(NULL) == NULL);
}

static void test_init_refusals(void)
{
	const struct hs_cipher_info *ctr = hs__cipher_by_name("aes128-ctr");
	const struct hs_cipher_info *gcm = hs__cipher_by_name("aes128-gcm@openssh.com");
	const struct hs_cipher_info *chacha = hs__cipher_by_name("chacha20-poly1305@openssh.com");
	const struct hs_mac_info *etm = hs__mac_by_name("hmac-sha2-256-etm@openssh.com");
	const struct hs_mac_info *plain = hs__mac_by_name("hmac-sha2-256");
	struct hs_cipher_info fake;
	struct hs_cipher_ctx ctx;
	const uint8_t zero[16] = { 0 };

	/* Encrypt-and-MAC: the length field counts toward the block. */
	CHECK_EQ_INT(hs__cipher_init(&ctx, ctr, key, iv, plain, mac_key, 1), 0);
	CHECK(ctx.impl != NULL && ctx.mac == plain);
	CHECK_EQ_INT(hs__cipher_tag_len(&ctx), 32);
	CHECK_EQ_INT(hs__cipher_block_size(&ctx), 16);
	CHECK_EQ_INT(hs__cipher_length_in_block(&ctx), 1);
	hs__cipher_cleanup(&ctx);
	CHECK(ctx.impl == NULL && ctx.cipher == NULL);
	CHECK_EQ_INT(hs__cipher_length_in_block(&ctx), 0);
	CHECK_EQ_INT(hs__cipher_length_in_block(NULL), 0);
	CHECK_EQ_INT(hs__cipher_init(&ctx, ctr, key, iv, etm, mac_key, 0), 0);
	CHECK_EQ_INT(hs__cipher_length_in_block(&ctx), 0);
	hs__cipher_cleanup(&ctx);
	CHECK_EQ_INT(hs__cipher_init(&ctx, chacha, key, NULL, NULL, NULL, 0), 0);
	CHECK_EQ_INT(hs__cipher_length_in_block(&ctx), 0);
	hs__cipher_cleanup(&ctx);
	CHECK_EQ_INT(hs__cipher_init(&ctx, ctr, key, iv, plain, NULL, 0), HS_ERR_INVALID_ARG);
	CHECK(ctx.impl == NULL && ctx.cipher == NULL);
	/* CTR without a MAC, key, IV or MAC key. */
	CHECK_EQ_INT(hs__cipher_init(&ctx, ctr, key, iv, NULL, mac_key, 1), HS_ERR_INVALID_ARG);
	CHECK_EQ_INT(hs__cipher_init(&ctx, ctr, key, iv, etm, NULL, 1), HS_ERR_INVALID_ARG);
	CHECK_EQ_INT(hs__cipher_init(&ctx, ctr, key, NULL, etm, mac_key, 1), HS_ERR_INVALID_ARG);
	CHECK_EQ_INT(hs__cipher_init(&ctx, ctr, NULL, iv, etm, mac_key, 1), HS_ERR_INVALID_ARG);
	CHECK_EQ_INT(hs__cipher_init(&ctx, gcm, key, NULL, NULL, NULL, 1), HS_ERR_INVALID_ARG);
	CHECK_EQ_INT(hs__cipher_init(&ctx, NULL, key, iv, NULL, NULL, 1), HS_ERR_INVALID_ARG);
	CHECK_EQ_INT(hs__cipher_init(NULL, chacha, key, iv, NULL, NULL, 1), HS_ERR_INVALID_ARG);
	/* Only our own table entries describe a cipher. */
	fake = *chacha;
	CHECK_EQ_INT(hs__cipher_init(&ctx, &fake, key, NULL, NULL, NULL, 1), HS_ERR_INVALID_ARG);
	CHECK(ctx.impl == NULL);

	/* AEAD: a negotiated MAC is ignored. */
	CHECK_EQ_INT(hs__cipher_init(&ctx, gcm, key, iv, etm, mac_key, 1), 0);
	CHECK(ctx.mac == NULL);
	CHECK_EQ_INT(hs__cipher_tag_len(&ctx), 16);
	CHECK_EQ_INT(hs__cipher_block_size(&ctx), 16);
	hs__cipher_cleanup(&ctx);
	CHECK(ctx.impl == NULL && ctx.cipher == NULL);
	/* Cleanup twice, and on a zeroed or NULL context. */
	hs__cipher_cleanup(&ctx);
	hs__cipher_cleanup(NULL);
	CHECK_EQ_INT(hs__cipher_tag_len(&ctx), 0);
	CHECK_EQ_INT(hs__cipher_block_size(&ctx), 0);

	/* An unset context is refused, not dereferenced. */
	uint8_t pkt[20], tag[16];
	uint32_t len;
	make_packet(pkt, 16, 1);
	CHECK_EQ_INT(hs__cipher_seal(&ctx, 0, pkt, sizeof(pkt), tag), HS_ERR_INVALID_ARG);
	CHECK_EQ_INT(hs__cipher_open(&ctx, 0, pkt, sizeof(pkt), zero), HS_ERR_INVALID_ARG);
	CHECK_EQ_INT(hs__cipher_peek_length(&ctx, 0, pkt, &len), HS_ERR_INVALID_ARG);
}

/* Seal and open a run of packets of many sizes and sequence numbers. */
static void test_roundtrip(const struct suite *s)
{
	static const size_t bodies[] = { 8, 16, 24, 32, 48, 64, 72, 128, 136, 256, 1008, 4096, 32768, 65536 };
	static const uint32_t seqnrs[] = { 0, 1, 2, 3, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff, 42 };
	static uint8_t pkt[MAX_PACKET], plain[MAX_PACKET];
	uint8_t tag[64];
	struct hs_cipher_ctx tx, rx;
	int len_clear;

	CHECK_EQ_INT(pair(s, &tx, &rx), 0);
	/* chacha and encrypt-and-MAC encrypt the length field. */
	len_clear = strcmp(s->cipher, "chacha20-poly1305@openssh.com") != 0 && !hs__cipher_length_in_block(&tx);
	size_t bs = hs__cipher_block_size(&tx);
	size_t tl = hs__cipher_tag_len(&tx);
	CHECK(tl == 16 || tl == 32 || tl == 64);
	for (size_t i = 0; i < COUNT(bodies); i++) {
		for (size_t j = 0; j < COUNT(seqnrs); j++) {
			size_t body = frame(&tx, bodies[i]) - 4;
			uint32_t seqnr = seqnrs[j];
			uint32_t plen = 0;
			if ((hs__cipher_length_in_block(&tx) ? 4 + body : body) % bs != 0)
				continue;
			make_packet(plain, body, (uint32_t)(i * 31 + j));
			memcpy(pkt, plain, 4 + body);
			CHECK_EQ_INT(hs__cipher_seal(&tx, seqnr, pkt, 4 + body, tag), 0);
			/* GCM and ETM leave the length in clear, chacha and EaM
			 * do not; the body is always encrypted. */
			if (len_clear)
				CHECK_MEM(pkt, plain, 4);
			else
				CHECK(memcmp(pkt, plain, 4) != 0);
			CHECK(memcmp(pkt + 4, plain + 4, body) != 0);
			CHECK_EQ_INT(hs__cipher_peek_length(&rx, seqnr, pkt, &plen), 0);
			CHECK_EQ_INT(plen, body);
			CHECK_EQ_INT(hs__cipher_open(&rx, seqnr, pkt, 4 + body, tag), 0);
			CHECK_MEM(pkt, plain, 4 + body);
		}
	}
	hs__cipher_cleanup(&tx);
	hs__cipher_cleanup(&rx);
}

/* Every single bit of packet and tag matters; a refused packet is left
 * exactly as it came, and refusing it does not move the receiver on. */
static void test_tamper(const struct suite *s)
{
	enum {
		MAXLEN = 4 + 48
	};
	uint8_t plain[MAXLEN], sealed[MAXLEN], pkt[MAXLEN], tag[64], bad[64];
	struct hs_cipher_ctx tx, rx;
	int refused = 0, tries = 0, untouched = 0;

	CHECK_EQ_INT(pair(s, &tx, &rx), 0);
	size_t tl = hs__cipher_tag_len(&tx);
	size_t len = frame(&tx, 48);
	make_packet(plain, len - 4, 7);
	memcpy(sealed, plain, len);
	CHECK_EQ_INT(hs__cipher_seal(&tx, 5, sealed, len, tag), 0);

	for (size_t bit = 0; bit < (len + tl) * 8; bit++) {
		memcpy(pkt, sealed, len);
		memcpy(bad, tag, tl);
		if (bit < len * 8)
			pkt[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		else
			bad[bit / 8 - len] ^= (uint8_t)(1u << (bit % 8));
		uint8_t before[MAXLEN];
		memcpy(before, pkt, len);
		tries++;
		if (hs__cipher_open(&rx, 5, pkt, len, bad) == HS_ERR_MAC)
			refused++;
		if (memcmp(pkt, before, len) == 0)
			untouched++;
	}
	CHECK_EQ_INT(refused, tries);
	CHECK_EQ_INT(untouched, tries);

	/* A truncated tag is not a shorter valid tag: all zeros fails. */
	memset(bad, 0, sizeof(bad));
	memcpy(pkt, sealed, len);
	CHECK_EQ_INT(hs__cipher_open(&rx, 5, pkt, len, bad), HS_ERR_MAC);

	/* After all that, the genuine packet still opens. */
	memcpy(pkt, sealed, len);
	CHECK_EQ_INT(hs__cipher_open(&rx, 5, pkt, len, tag), 0);
	CHECK_MEM(pkt, plain, len);
	hs__cipher_cleanup(&tx);
	hs__cipher_cleanup(&rx);
}

/* A packet opened under another sequence number, or out of order, or a
 * second time, is refused. GCM binds the invocation counter, not seqnr, so
 * there only order counts (aesgcm_test.c shows seqnr is ignored). */
static void test_wrong_seqnr_and_replay(const struct suite *s)
{
	enum {
		MAXLEN = 4 + 32
	};
	uint8_t p0[MAXLEN], p1[MAXLEN], t0[64], t1[64], c0[MAXLEN], c1[MAXLEN];
	struct hs_cipher_ctx tx, rx;
	int gcm = strstr(s->cipher, "gcm") != NULL;

	CHECK_EQ_INT(pair(s, &tx, &rx), 0);
	size_t len = frame(&tx, 32);
	make_packet(p0, len - 4, 100);
	make_packet(p1, len - 4, 101);
	CHECK_EQ_INT(hs__cipher_seal(&tx, 1000, p0, len, t0), 0);
	CHECK_EQ_INT(hs__cipher_seal(&tx, 1001, p1, len, t1), 0);
	memcpy(c0, p0, len);
	memcpy(c1, p1, len);

	if (!gcm) {
		CHECK_EQ_INT(hs__cipher_open(&rx, 1001, p0, len, t0), HS_ERR_MAC);
		CHECK_EQ_INT(hs__cipher_open(&rx, 999, p0, len, t0), HS_ERR_MAC);
		CHECK_EQ_INT(hs__cipher_open(&rx, 1000 + 0x10000, p0, len, t0), HS_ERR_MAC);
		CHECK_MEM(p0, c0, len);
	}
	/* Out of order: packet 1 in packet 0's place. */
	CHECK_EQ_INT(hs__cipher_open(&rx, 1000, p1, len, t1), HS_ERR_MAC);
	CHECK_MEM(p1, c1, len);
	CHECK_EQ_INT(hs__cipher_open(&rx, 1000, p0, len, t0), 0);
	/* Replay of packet 0 where packet 1 belongs. */
	memcpy(p0, c0, len);
	CHECK_EQ_INT(hs__cipher_open(&rx, 1001, p0, len, t0), HS_ERR_MAC);
	CHECK_MEM(p0, c0, len);
	CHECK_EQ_INT(hs__cipher_open(&rx, 1001, p1, len, t1), 0);
	hs__cipher_cleanup(&tx);
	hs__cipher_cleanup(&rx);
}

/* Shapes no sender may produce: refused before any cryptography. */
static void test_shapes(const struct suite *s)
{
	static uint8_t pkt[4 + 4096];
	uint8_t tag[64] = { 0 };
	struct hs_cipher_ctx tx, rx;

	CHECK_EQ_INT(pair(s, &tx, &rx), 0);
	size_t bs = hs__cipher_block_size(&tx);
	const size_t bad[] = { 0, 1, 3, 4, bs - 1 + 4, bs + 1 + 4, 2 * bs + 3 + 4, 4 + 4095 };
	for (size_t i = 0; i < COUNT(bad); i++) {
		size_t len = bad[i];
		if (len >= 4)
			make_packet(pkt, len - 4, 9);
		CHECK_EQ_INT(hs__cipher_open(&rx, 0, pkt, len, tag), HS_ERR_FORMAT);
		if (len >= 4)
			make_packet(pkt, len - 4, 9);
		CHECK_EQ_INT(hs__cipher_seal(&tx, 0, pkt, len, tag), HS_ERR_INTERNAL);
	}
	/* What is well shaped in one family is not in the other: ETM/AEAD
	 * want packet_length a block multiple, EaM the whole packet. */
	size_t other = hs__cipher_length_in_block(&tx) ? 4 + 2 * bs : 2 * bs;
	make_packet(pkt, other - 4, 9);
	CHECK_EQ_INT(hs__cipher_open(&rx, 0, pkt, other, tag), HS_ERR_FORMAT);
	make_packet(pkt, other - 4, 9);
	CHECK_EQ_INT(hs__cipher_seal(&tx, 0, pkt, other, tag), HS_ERR_INTERNAL);
	/* Sealing: the length field must say what len says. */
	size_t len = frame(&tx, 2 * bs);
	make_packet(pkt, len - 4, 9);
	pkt[3] ^= 0x01;
	CHECK_EQ_INT(hs__cipher_seal(&tx, 0, pkt, len, tag), HS_ERR_INTERNAL);
	/* Direction: a receiving context does not seal, nor a sending one open. */
	make_packet(pkt, len - 4, 9);
	CHECK_EQ_INT(hs__cipher_seal(&rx, 0, pkt, len, tag), HS_ERR_INVALID_ARG);
	CHECK_EQ_INT(hs__cipher_open(&tx, 0, pkt, len, tag), HS_ERR_INVALID_ARG);
	CHECK_EQ_INT(hs__cipher_seal(&tx, 0, NULL, len, tag), HS_ERR_INVALID_ARG);
	CHECK_EQ_INT(hs__cipher_open(&rx, 0, pkt, len, NULL), HS_ERR_INVALID_ARG);
	/* The pair still works after all the refusals. */
	make_packet(pkt, len - 4, 9);
	CHECK_EQ_INT(hs__cipher_seal(&tx, 0, pkt, len, tag), 0);
	CHECK_EQ_INT(hs__cipher_open(&rx, 0, pkt, len, tag), 0);
	hs__cipher_cleanup(&tx);
	hs__cipher_cleanup(&rx);
}

/* An authentic packet whose length field disagrees with the length the
 * caller framed (only a bug could produce one; chacha's raw seal lets us
 * make it) is refused and wiped. */
static void test_length_mismatch(void)
{
	const struct hs_cipher_info *c = hs__cipher_by_name("chacha20-poly1305@openssh.com");
	struct hs_chachapoly *cp = NULL;
	struct hs_cipher_ctx rx;
	uint8_t pkt[4 + 16], tag[16], zero[sizeof(pkt)] = { 0 };

	make_packet(pkt, 8, 3); /* says 8, is 16 */
	CHECK_EQ_INT(hs__chachapoly_new(&cp, key, 1), 0);
	CHECK_EQ_INT(hs__chachapoly_seal(cp, 77, pkt, sizeof(pkt), tag), 0);
	hs__chachapoly_free(cp);
	CHECK_EQ_INT(hs__cipher_init(&rx, c, key, NULL, NULL, NULL, 0), 0);
	CHECK_EQ_INT(hs__cipher_open(&rx, 77, pkt, sizeof(pkt), tag), HS_ERR_FORMAT);
	CHECK_MEM(pkt, zero, sizeof(pkt));
	hs__cipher_cleanup(&rx);
}

/* Init copies the keys: wiping the caller's copies changes nothing. */
static void test_keys_copied(const struct suite *s)
{
	uint8_t k[64], v[16], mk[64], pkt[4 + 32], plain[4 + 32], tag[64];
	struct hs_cipher_ctx tx, rx;
	size_t len;

	memcpy(k, key, sizeof(k));
	memcpy(v, iv, sizeof(v));
	memcpy(mk, mac_key, sizeof(mk));
	CHECK_EQ_INT(pair(s, &tx, &rx), 0);
	memset(key, 0x5a, sizeof(key));
	memset(iv, 0x5a, sizeof(iv));
	memset(mac_key, 0x5a, sizeof(mac_key));
	len = frame(&tx, 32);
	make_packet(plain, len - 4, 4);
	memcpy(pkt, plain, len);
	CHECK_EQ_INT(hs__cipher_seal(&tx, 3, pkt, len, tag), 0);
	CHECK_EQ_INT(hs__cipher_open(&rx, 3, pkt, len, tag), 0);
	CHECK_MEM(pkt, plain, len);
	hs__cipher_cleanup(&tx);
	hs__cipher_cleanup(&rx);
	memcpy(key, k, sizeof(k));
	memcpy(iv, v, sizeof(v));
	memcpy(mac_key, mk, sizeof(mk));
}

/* The data path allocates nothing of its own: the modes only calloc in
 * init. For the AEAD ciphers libcrypto allocates nothing either. For the
 * HMACs (ETM and EaM alike) it does: OpenSSL 3.0 re-initialises an HMAC (or any SHA-2
 * digest) context by freeing and duplicating its provider state, two small
 * allocations per MAC, and offers no way around it short of a hand-made
 * HMAC. The bound below pins that: a per-packet EVP_MAC_CTX_new/dup or a
 * re-keying per packet would cost more and fail. */
static void test_allocations(const struct suite *s, int counting)
{
	enum {
		ROUNDS = 50,
		MACS_PER_ROUND = 3
	};
	static uint8_t pkt[4 + 1024];
	uint8_t tag[64], bad[64];
	struct hs_cipher_ctx tx, rx;
	uint32_t plen;

	if (!counting)
		return;
	CHECK_EQ_INT(pair(s, &tx, &rx), 0);
	size_t tl = hs__cipher_tag_len(&tx);
	size_t len = frame(&tx, 1024);
	size_t before = allocations;
	for (uint32_t i = 0; i < ROUNDS; i++) {
		make_packet(pkt, len - 4, i);
		CHECK_EQ_INT(hs__cipher_seal(&tx, i, pkt, len, tag), 0);
		CHECK_EQ_INT(hs__cipher_peek_length(&rx, i, pkt, &plen), 0);
		CHECK_EQ_INT(plen, len - 4);
		memcpy(bad, tag, tl);
		bad[0] ^= 1;
		CHECK_EQ_INT(hs__cipher_open(&rx, i, pkt, len, bad), HS_ERR_MAC);
		CHECK_EQ_INT(hs__cipher_open(&rx, i, pkt, len, tag), 0);
	}
	size_t used = allocations - before;
	if (s->mac == NULL)
		CHECK_EQ_INT(used, 0);
	else
		CHECK(used <= 2 * ROUNDS * MACS_PER_ROUND);
	if (used != 0)
		fprintf(stderr, "note: %s/%s: %zu libcrypto allocations in %d packets\n", s->cipher,
		        s->mac ? s->mac : "-", used, ROUNDS);
	hs__cipher_cleanup(&tx);
	hs__cipher_cleanup(&rx);
}

int main(void)
{
	/* Must precede OpenSSL's first allocation. */
	int counting = CRYPTO_set_mem_functions(count_malloc, count_realloc, count_free);
	CHECK(counting == 1);

	fill(key, sizeof(key), 1);
	fill(iv, sizeof(iv), 2);
	fill(mac_key, sizeof(mac_key), 3);

	test_tables();
	test_init_refusals();
	test_length_mismatch();
	for (size_t i = 0; i < COUNT(suites); i++) {
		int before = hs_test_failed;
		test_roundtrip(&suites[i]);
		test_tamper(&suites[i]);
		test_wrong_seqnr_and_replay(&suites[i]);
		test_shapes(&suites[i]);
		test_keys_copied(&suites[i]);
		test_allocations(&suites[i], counting);
		if (hs_test_failed != before)
			fprintf(stderr, "failures above: %s / %s\n", suites[i].cipher,
			        suites[i].mac ? suites[i].mac : "-");
	}
	return hs_test_done();
}
