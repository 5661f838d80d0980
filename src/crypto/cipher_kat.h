/*
 * Test-only helper shared by the known-answer tests of the packet ciphers
 * (chachapoly_test.c, aesgcm_test.c, etm_test.c): replays a list of whole
 * packets sealed by an independent implementation (AsyncSSH; see
 * testdata/gen_*_vectors.py) through hs__cipher_* and checks every byte.
 * Include after hs_test.h.
 */
#ifndef HS_CRYPTO_CIPHER_KAT_H
#define HS_CRYPTO_CIPHER_KAT_H

#include <stdint.h>
#include <string.h>

#include "crypto/cipher.h"

struct kat_packet {
	uint32_t seqnr;
	const char *plain;  /* the whole packet, length field included */
	const char *sealed; /* as on the wire, without the tag */
	const char *tag;
};

#define KAT_MAX_PACKET 2048

/* The packets of one list are a stream (GCM's invocation counter and the
 * CTR keystream run on), so they are sealed and opened in order. Before
 * each real open a forged tag is tried: it must be refused without
 * touching the buffer or moving the stream on. */
static inline void kat_run(const char *cipher_name, const char *mac_name, const char *key_hex, const char *iv_hex,
                           const char *mac_key_hex, const struct kat_packet *rows, size_t nrows)
{
	const struct hs_cipher_info *c = hs__cipher_by_name(cipher_name);
	const struct hs_mac_info *m = mac_name != NULL ? hs__mac_by_name(mac_name) : NULL;
	uint8_t key[64], iv[16], mac_key[64];
	struct hs_cipher_ctx tx, rx;

	CHECK(c != NULL);
	CHECK(mac_name == NULL || m != NULL);
	if (c == NULL || (mac_name != NULL && m == NULL))
		return;
	CHECK_EQ_INT(hs_test_unhex(key_hex, key, sizeof(key)), c->key_len);
	if (iv_hex != NULL)
		CHECK_EQ_INT(hs_test_unhex(iv_hex, iv, sizeof(iv)), c->iv_len);
	if (mac_key_hex != NULL)
		CHECK_EQ_INT(hs_test_unhex(mac_key_hex, mac_key, sizeof(mac_key)), m->key_len);
	CHECK_EQ_INT(hs__cipher_init(&tx, c, key, iv_hex ? iv : NULL, m, mac_key_hex ? mac_key : NULL, 1), 0);
	CHECK_EQ_INT(hs__cipher_init(&rx, c, key, iv_hex ? iv : NULL, m, mac_key_hex ? mac_key : NULL, 0), 0);

	for (size_t i = 0; i < nrows; i++) {
		static uint8_t plain[KAT_MAX_PACKET], sealed[KAT_MAX_PACKET], buf[KAT_MAX_PACKET];
		uint8_t tag[64], out_tag[64];
		uint32_t plen = 0;
		int pl = hs_test_unhex(rows[i].plain, plain, sizeof(plain));
		int sl = hs_test_unhex(rows[i].sealed, sealed, sizeof(sealed));
		int tl = hs_test_unhex(rows[i].tag, tag, sizeof(tag));
		uint32_t seqnr = rows[i].seqnr;

		CHECK(pl > 4 && pl == sl);
		CHECK_EQ_INT(tl, hs__cipher_tag_len(&tx));
		if (pl <= 4 || pl != sl || tl != (int)hs__cipher_tag_len(&tx)) {
			fprintf(stderr, "%s: bad vector %zu\n", cipher_name, i);
			break;
		}

		memcpy(buf, plain, (size_t)pl);
		CHECK_EQ_INT(hs__cipher_seal(&tx, seqnr, buf, (size_t)pl, out_tag), 0);
		CHECK_MEM(buf, sealed, (size_t)sl);
		CHECK_MEM(out_tag, tag, (size_t)tl);

		CHECK_EQ_INT(hs__cipher_peek_length(&rx, seqnr, sealed, &plen), 0);
		CHECK_EQ_INT(plen, pl - 4);

		memcpy(buf, sealed, (size_t)sl);
		memcpy(out_tag, tag, (size_t)tl);
		out_tag[tl - 1] ^= 0x80;
		CHECK_EQ_INT(hs__cipher_open(&rx, seqnr, buf, (size_t)sl, out_tag), HS_ERR_MAC);
		CHECK_MEM(buf, sealed, (size_t)sl);

		CHECK_EQ_INT(hs__cipher_open(&rx, seqnr, buf, (size_t)sl, tag), 0);
		CHECK_MEM(buf, plain, (size_t)pl);
	}
	hs__cipher_cleanup(&tx);
	hs__cipher_cleanup(&rx);
}

#endif
