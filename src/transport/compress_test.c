/* zlib streams: round trips across packets, the per-packet inflation cap
 * (a zlib bomb is refused), bad data refused, and the packet layer's
 * pre-authentication inflation allowance. */
#include "transport/compress.h"

#include <stdlib.h>

#include "common/limits.h"
#include "hs_test.h"
#include "transport/packet.h"

static void test_roundtrip(void)
{
	struct hs_zstream *d = hs__z_new(1), *i = hs__z_new(0);
	struct hs_buf c, p;
	hs__buf_init(&c, 1 << 20, 0);
	hs__buf_init(&p, 1 << 20, 0);
	uint8_t msg[5000];
	for (size_t k = 0; k < sizeof msg; k++)
		msg[k] = (uint8_t)(k % 7 == 0 ? k : 'a');
	for (int round = 0; round < 20; round++) {
		hs__buf_reset(&c);
		hs__buf_reset(&p);
		size_t n = (size_t)(round * 250 + 1);
		CHECK_EQ_INT(hs__z_deflate(d, msg, n, &c), 0);
		/* each packet decompresses on its own (partial flush) */
		CHECK_EQ_INT(hs__z_inflate(i, hs__buf_ptr(&c), hs__buf_len(&c), &p, 65536), 0);
		CHECK_EQ_INT(hs__buf_len(&p), n);
		CHECK_MEM(hs__buf_ptr(&p), msg, n);
	}
	hs__z_free(d);
	hs__z_free(i);
	hs__buf_cleanup(&c);
	hs__buf_cleanup(&p);
}

static void test_bomb(void)
{
	struct hs_zstream *d = hs__z_new(1), *i = hs__z_new(0);
	struct hs_buf c, p;
	hs__buf_init(&c, 1 << 22, 0);
	hs__buf_init(&p, 1 << 22, 0);
	size_t big = 4u << 20;
	uint8_t *zeros = calloc(1, big);
	CHECK_EQ_INT(hs__z_deflate(d, zeros, big, &c), 0);
	CHECK(hs__buf_len(&c) < 10000); /* 4 MiB of zeros: a few KiB compressed */
	CHECK_EQ_INT(hs__z_inflate(i, hs__buf_ptr(&c), hs__buf_len(&c), &p, 256 * 1024), HS_ERR_COMPRESSION);
	CHECK(hs__buf_len(&p) <= 256 * 1024);
	/* exactly at the cap is fine */
	struct hs_zstream *d2 = hs__z_new(1), *i2 = hs__z_new(0);
	hs__buf_reset(&c);
	hs__buf_reset(&p);
	CHECK_EQ_INT(hs__z_deflate(d2, zeros, 65536, &c), 0);
	CHECK_EQ_INT(hs__z_inflate(i2, hs__buf_ptr(&c), hs__buf_len(&c), &p, 65536), 0);
	CHECK_EQ_INT(hs__buf_len(&p), 65536);
	free(zeros);
	hs__z_free(d), hs__z_free(i), hs__z_free(d2), hs__z_free(i2);
	hs__buf_cleanup(&c);
	hs__buf_cleanup(&p);
}

static void test_garbage(void)
{
	struct hs_zstream *i = hs__z_new(0);
	struct hs_buf p;
	hs__buf_init(&p, 65536, 0);
	const uint8_t junk[] = { 0xff, 0xff, 0xff, 0xff, 0x00, 0x13, 0x37 };
	CHECK_EQ_INT(hs__z_inflate(i, junk, sizeof junk, &p, 65536), HS_ERR_COMPRESSION);
	hs__z_free(i);
	hs__buf_cleanup(&p);
	CHECK_EQ_INT(hs__comp_by_name("zlib"), HS_COMP_ZLIB);
	CHECK_EQ_INT(hs__comp_by_name("zlib@openssh.com"), HS_COMP_ZLIB_OPENSSH);
	CHECK_EQ_INT(hs__comp_by_name("none"), HS_COMP_NONE);
	CHECK_EQ_INT(hs__comp_by_name("lz4"), -1);
}

/* Through the packet layer: compressed packets round trip, and the
 * inflation allowance ends a stream of bombs. */
static void test_packets(void)
{
	struct hs_packet_io tx, rx;
	hs__packet_init(&tx, HS_MAX_PACKET_SIZE_DEFAULT, HS_OUTPUT_CAP);
	hs__packet_init(&rx, HS_MAX_PACKET_SIZE_DEFAULT, HS_OUTPUT_CAP);
	CHECK_EQ_INT(hs__packet_start_compression(&tx, &tx.tx, 1), 0);
	CHECK_EQ_INT(hs__packet_start_compression(&rx, &rx.rx, 0), 0);
	rx.rx.inflate_left = HS_MAX_PREAUTH_INFLATE;
	uint8_t *zeros = calloc(1, 200000);
	int refused = 0;
	for (int k = 0; k < 10 && !refused; k++) {
		CHECK_EQ_INT(hs__packet_begin(&tx, 94), 0);
		CHECK_EQ_INT(hs__buf_put(&tx.out, zeros, 200000), 0);
		CHECK_EQ_INT(hs__packet_finish(&tx), 0);
		CHECK(hs__buf_len(&tx.out) < 2000);
		CHECK_EQ_INT(hs__packet_feed(&rx, hs__buf_ptr(&tx.out), hs__buf_len(&tx.out)), 0);
		hs__buf_reset(&tx.out);
		struct hs_view v;
		uint32_t seq;
		int r = hs__packet_read(&rx, &v, &seq);
		if (r == 0) {
			CHECK_EQ_INT(v.len, 200001);
			CHECK_EQ_INT(v.ptr[0], 94);
			hs__packet_done(&rx);
		} else {
			CHECK_EQ_INT(r, HS_ERR_COMPRESSION);
			refused = k;
		}
	}
	/* 1 MiB allowance: the sixth 200 kB packet is one too many */
	CHECK_EQ_INT(refused, 5);
	free(zeros);
	hs__packet_cleanup(&tx);
	hs__packet_cleanup(&rx);
}

int main(void)
{
	test_roundtrip();
	test_bomb();
	test_garbage();
	test_packets();
	return hs_test_done();
}
