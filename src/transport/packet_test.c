/* Packet framing for every cipher: seal then open, one flipped bit
 * rejected, wrong sequence number rejected, lengths and padding checked,
 * partial input waits. */
#include "transport/packet.h"

#include <stdlib.h>

#include "common/limits.h"
#include "hs_test.h"

static const char *const ciphers[] = { "chacha20-poly1305@openssh.com",
	                               "aes256-gcm@openssh.com",
	                               "aes128-gcm@openssh.com",
	                               "aes256-ctr",
	                               "aes128-ctr",
	                               NULL };

static void keyed_pair(struct hs_packet_io *tx, struct hs_packet_io *rx, const char *cipher, const char *mac)
{
	uint8_t key[64], iv[16], mkey[64];
	for (int i = 0; i < 64; i++) {
		key[i] = (uint8_t)(i * 7);
		mkey[i] = (uint8_t)(i * 3 + 1);
	}
	for (int i = 0; i < 16; i++)
		iv[i] = (uint8_t)(0xa0 + i);
	hs__packet_init(tx, HS_MAX_PACKET_SIZE_DEFAULT, HS_OUTPUT_CAP);
	hs__packet_init(rx, HS_MAX_PACKET_SIZE_DEFAULT, HS_OUTPUT_CAP);
	if (cipher == NULL)
		return;
	const struct hs_cipher_info *ci = hs__cipher_by_name(cipher);
	const struct hs_mac_info *mi = ci->aead ? NULL : hs__mac_by_name(mac);
	struct hs_cipher_ctx e, d;
	memset(&e, 0, sizeof e);
	memset(&d, 0, sizeof d);
	CHECK_EQ_INT(hs__cipher_init(&e, ci, key, ci->iv_len ? iv : NULL, mi, mi ? mkey : NULL, 1), 0);
	CHECK_EQ_INT(hs__cipher_init(&d, ci, key, ci->iv_len ? iv : NULL, mi, mi ? mkey : NULL, 0), 0);
	hs__packet_set_cipher(&tx->tx, &e, 0);
	hs__packet_set_cipher(&rx->rx, &d, 0);
}

static void send_payload(struct hs_packet_io *tx, uint8_t msg, const uint8_t *body, size_t n)
{
	CHECK_EQ_INT(hs__packet_begin(tx, msg), 0);
	CHECK_EQ_INT(hs__buf_put(&tx->out, body, n), 0);
	CHECK_EQ_INT(hs__packet_finish(tx), 0);
}

static void move_bytes(struct hs_packet_io *from, struct hs_packet_io *to)
{
	CHECK_EQ_INT(hs__packet_feed(to, hs__buf_ptr(&from->out), hs__buf_len(&from->out)), 0);
	hs__buf_reset(&from->out);
}

static void test_roundtrip(const char *cipher, const char *mac)
{
	struct hs_packet_io tx, rx;
	keyed_pair(&tx, &rx, cipher, mac);
	uint8_t body[40000];
	for (size_t i = 0; i < sizeof body; i++)
		body[i] = (uint8_t)(i * 31);
	size_t sizes[] = { 0, 1, 7, 8, 15, 16, 17, 100, 1000, 32768, 35000 };
	for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
		send_payload(&tx, 94, body, sizes[s]);
		move_bytes(&tx, &rx);
		struct hs_view v;
		uint32_t seq;
		CHECK_EQ_INT(hs__packet_read(&rx, &v, &seq), 0);
		CHECK_EQ_INT(seq, s);
		CHECK_EQ_INT(v.len, sizes[s] + 1);
		CHECK_EQ_INT(v.ptr[0], 94);
		CHECK(sizes[s] == 0 || memcmp(v.ptr + 1, body, sizes[s]) == 0);
		hs__packet_done(&rx);
		struct hs_view none;
		CHECK_EQ_INT(hs__packet_read(&rx, &none, &seq), HS_ERR_NEED_MORE);
	}
	hs__packet_cleanup(&tx);
	hs__packet_cleanup(&rx);
}

/* Flip every bit position class: length, body, tag. Each must fail. */
static void test_tamper(const char *cipher, const char *mac)
{
	uint8_t body[100] = { 1, 2, 3 };
	struct hs_packet_io tx, rx;
	keyed_pair(&tx, &rx, cipher, mac);
	send_payload(&tx, 94, body, sizeof body);
	size_t len = hs__buf_len(&tx.out);
	uint8_t *copy = malloc(len);
	memcpy(copy, hs__buf_ptr(&tx.out), len);
	hs__packet_cleanup(&tx);
	hs__packet_cleanup(&rx);
	size_t positions[] = { 3, 4, 10, len / 2, len - 17, len - 1 };
	for (size_t i = 0; i < sizeof positions / sizeof positions[0]; i++) {
		keyed_pair(&tx, &rx, cipher, mac);
		copy[positions[i]] ^= 0x01;
		CHECK_EQ_INT(hs__packet_feed(&rx, copy, len), 0);
		struct hs_view v;
		uint32_t seq;
		int r = hs__packet_read(&rx, &v, &seq);
		/* a length flip may also show as an impossible length or as a
		 * wait for bytes that never come; never as success */
		CHECK(r == HS_ERR_MAC || r == HS_ERR_LIMIT || r == HS_ERR_FORMAT || r == HS_ERR_NEED_MORE);
		copy[positions[i]] ^= 0x01;
		hs__packet_cleanup(&tx);
		hs__packet_cleanup(&rx);
	}
	/* untampered, but out of sequence: the second packet opened first
	 * (seqnr for chacha20 and the MAC, invocation counter for GCM) */
	keyed_pair(&tx, &rx, cipher, mac);
	send_payload(&tx, 94, body, sizeof body);
	size_t first = hs__buf_len(&tx.out);
	send_payload(&tx, 94, body, sizeof body);
	CHECK_EQ_INT(hs__packet_feed(&rx, hs__buf_ptr(&tx.out) + first, hs__buf_len(&tx.out) - first), 0);
	struct hs_view v;
	uint32_t seq;
	int r = hs__packet_read(&rx, &v, &seq);
	CHECK(r == HS_ERR_MAC || r == HS_ERR_LIMIT || r == HS_ERR_FORMAT || r == HS_ERR_NEED_MORE);
	hs__packet_cleanup(&tx);
	hs__packet_cleanup(&rx);
	free(copy);
}

static void test_plain_rules(void)
{
	struct hs_packet_io rx;
	struct hs_view v;
	uint32_t seq;
	/* a length beyond the maximum is refused before waiting for it */
	hs__packet_init(&rx, HS_MAX_PACKET_SIZE_DEFAULT, HS_OUTPUT_CAP);
	const uint8_t huge[] = { 0x7f, 0xff, 0xff, 0xf8, 4 };
	CHECK_EQ_INT(hs__packet_feed(&rx, huge, sizeof huge), 0);
	CHECK_EQ_INT(hs__packet_read(&rx, &v, &seq), HS_ERR_LIMIT);
	hs__packet_cleanup(&rx);
	/* a length that is not a multiple of the block size */
	hs__packet_init(&rx, HS_MAX_PACKET_SIZE_DEFAULT, HS_OUTPUT_CAP);
	const uint8_t odd[] = { 0, 0, 0, 13, 4, 5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 };
	CHECK_EQ_INT(hs__packet_feed(&rx, odd, sizeof odd), 0);
	CHECK_EQ_INT(hs__packet_read(&rx, &v, &seq), HS_ERR_FORMAT);
	hs__packet_cleanup(&rx);
	/* padding shorter than 4 bytes */
	hs__packet_init(&rx, HS_MAX_PACKET_SIZE_DEFAULT, HS_OUTPUT_CAP);
	const uint8_t pad3[] = { 0, 0, 0, 12, 3, 5, 1, 2, 3, 4, 5, 6, 7, 0, 0, 0 };
	CHECK_EQ_INT(hs__packet_feed(&rx, pad3, sizeof pad3), 0);
	CHECK_EQ_INT(hs__packet_read(&rx, &v, &seq), HS_ERR_FORMAT);
	hs__packet_cleanup(&rx);
	/* padding that leaves no payload */
	hs__packet_init(&rx, HS_MAX_PACKET_SIZE_DEFAULT, HS_OUTPUT_CAP);
	const uint8_t nopayload[] = { 0, 0, 0, 12, 11, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 };
	CHECK_EQ_INT(hs__packet_feed(&rx, nopayload, sizeof nopayload), 0);
	CHECK_EQ_INT(hs__packet_read(&rx, &v, &seq), HS_ERR_FORMAT);
	hs__packet_cleanup(&rx);
	/* a valid plain packet arriving one byte at a time */
	struct hs_packet_io tx;
	hs__packet_init(&tx, HS_MAX_PACKET_SIZE_DEFAULT, HS_OUTPUT_CAP);
	hs__packet_init(&rx, HS_MAX_PACKET_SIZE_DEFAULT, HS_OUTPUT_CAP);
	send_payload(&tx, 5, (const uint8_t *)"abc", 3);
	size_t n = hs__buf_len(&tx.out);
	CHECK_EQ_INT(n % 8, 0);
	for (size_t i = 0; i < n; i++) {
		CHECK_EQ_INT(hs__packet_read(&rx, &v, &seq), HS_ERR_NEED_MORE);
		CHECK_EQ_INT(hs__packet_feed(&rx, hs__buf_ptr(&tx.out) + i, 1), 0);
	}
	CHECK_EQ_INT(hs__packet_read(&rx, &v, &seq), 0);
	CHECK_EQ_INT(v.len, 4);
	hs__packet_done(&rx);
	hs__packet_cleanup(&tx);
	hs__packet_cleanup(&rx);
}

/* Encrypt-and-MAC counts the length field toward the block (RFC 4253
 * §6): what goes on the wire, less the MAC, is a whole number of blocks
 * for every payload size. */
static void test_eam_framing(const char *cipher, const char *mac, size_t tag_len)
{
	struct hs_packet_io tx, rx;
	uint8_t body[300] = { 9 };
	keyed_pair(&tx, &rx, cipher, mac);
	for (size_t n = 0; n < 40; n++) {
		send_payload(&tx, 94, body, n * 7);
		size_t wire = hs__buf_len(&tx.out);
		CHECK(wire > tag_len && (wire - tag_len) % 16 == 0);
		move_bytes(&tx, &rx);
		struct hs_view v;
		uint32_t seq;
		CHECK_EQ_INT(hs__packet_read(&rx, &v, &seq), 0);
		CHECK_EQ_INT(v.len, n * 7 + 1);
		hs__packet_done(&rx);
	}
	hs__packet_cleanup(&tx);
	hs__packet_cleanup(&rx);
}

int main(void)
{
	test_plain_rules();
	test_roundtrip(NULL, NULL);
	for (int i = 0; ciphers[i] != NULL; i++) {
		const char *mac = strstr(ciphers[i], "ctr") ? "hmac-sha2-256-etm@openssh.com" : NULL;
		test_roundtrip(ciphers[i], mac);
		test_tamper(ciphers[i], mac);
		if (mac != NULL) {
			test_roundtrip(ciphers[i], "hmac-sha2-512-etm@openssh.com");
			test_tamper(ciphers[i], "hmac-sha2-512-etm@openssh.com");
		}
	}
	/* encrypt-and-MAC (non-etm) */
	test_roundtrip("aes128-ctr", "hmac-sha2-256");
	test_tamper("aes128-ctr", "hmac-sha2-256");
	test_eam_framing("aes128-ctr", "hmac-sha2-256", 32);
	test_roundtrip("aes256-ctr", "hmac-sha2-512");
	test_tamper("aes256-ctr", "hmac-sha2-512");
	test_eam_framing("aes256-ctr", "hmac-sha2-512", 64);
	return hs_test_done();
}
