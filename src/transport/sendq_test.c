/*
 * Tests of transport/sendq.c: packets built straight into the output,
 * held during a key exchange and flushed in order, the one rule for a
 * half-built packet (a failed build is abandoned in both places), and a
 * second begin while one is half built refused.
 */
#include "transport/sendq.h"

#include <string.h>

#include "common/limits.h"
#include "hs_test.h"
#include "transport/msgfilter.h"

/* Read back the unencrypted packets of out: their message numbers and the
 * first body byte of each. */
static size_t read_packets(struct hs_packet_io *tx, uint8_t *msgs, uint8_t *firsts, size_t max)
{
	struct hs_packet_io rx;
	size_t n = 0;
	hs__packet_init(&rx, HS_MAX_PACKET_SIZE_DEFAULT, HS_OUTPUT_CAP);
	REQUIRE(hs__packet_feed(&rx, hs__buf_ptr(&tx->out), hs__buf_len(&tx->out)) == 0);
	struct hs_view v;
	uint32_t seq;
	while (n < max && hs__packet_read(&rx, &v, &seq) == 0) {
		CHECK_EQ_INT(seq, n);
		msgs[n] = hs__view_left(&v) > 0 ? v.ptr[0] : 0;
		firsts[n] = hs__view_left(&v) > 1 ? v.ptr[1] : 0;
		n++;
		hs__packet_done(&rx);
	}
	hs__packet_cleanup(&rx);
	return n;
}

static int send_one(struct hs_sendq *q, struct hs_packet_io *pkt, int holding, uint8_t msg, uint8_t first)
{
	struct hs_buf *b;
	int r;
	if ((r = hs__sendq_begin(q, pkt, holding, msg, &b)) != 0)
		return r;
	return hs__sendq_end(q, pkt, hs__buf_put_u8(b, first));
}

static void test_direct_and_held(void)
{
	struct hs_sendq q;
	struct hs_packet_io pkt;
	uint8_t msgs[8], firsts[8];
	hs__sendq_init(&q, HS_HELD_MAX);
	hs__packet_init(&pkt, HS_MAX_PACKET_SIZE_DEFAULT, HS_OUTPUT_CAP);
	CHECK_EQ_INT(send_one(&q, &pkt, 0, HS_MSG_CHANNEL_DATA, 1), 0);
	/* during a key exchange: channel data is held, kex messages are not */
	CHECK_EQ_INT(send_one(&q, &pkt, 1, HS_MSG_CHANNEL_DATA, 2), 0);
	CHECK_EQ_INT(send_one(&q, &pkt, 1, HS_MSG_KEXINIT, 3), 0);
	CHECK_EQ_INT(send_one(&q, &pkt, 1, HS_MSG_CHANNEL_EOF, 4), 0);
	CHECK_EQ_INT(send_one(&q, &pkt, 1, HS_MSG_IGNORE, 5), 0);
	CHECK_EQ_INT(read_packets(&pkt, msgs, firsts, 8), 3);
	CHECK(msgs[0] == HS_MSG_CHANNEL_DATA && firsts[0] == 1);
	CHECK(msgs[1] == HS_MSG_KEXINIT && firsts[1] == 3);
	CHECK(msgs[2] == HS_MSG_IGNORE && firsts[2] == 5);
	/* after the exchange: the held ones, in order */
	CHECK_EQ_INT(hs__sendq_flush_held(&q, &pkt), 0);
	CHECK_EQ_INT(read_packets(&pkt, msgs, firsts, 8), 5);
	CHECK(msgs[3] == HS_MSG_CHANNEL_DATA && firsts[3] == 2);
	CHECK(msgs[4] == HS_MSG_CHANNEL_EOF && firsts[4] == 4);
	CHECK_EQ_INT(hs__buf_len(&q.held), 0);
	hs__packet_cleanup(&pkt);
	hs__sendq_cleanup(&q);
}

static void test_never_held(void)
{
	for (unsigned m = 0; m < 256; m++) {
		int expect = m <= HS_MSG_DEBUG || (m >= HS_MSG_KEXINIT && m <= 49);
		CHECK_EQ_INT(hs__sendq_never_held((uint8_t)m), expect);
	}
}

/* A build that fails is abandoned wherever it was going. */
static void test_abandon(void)
{
	struct hs_sendq q;
	struct hs_packet_io pkt;
	struct hs_buf *b;
	uint8_t msgs[8], firsts[8];
	hs__sendq_init(&q, HS_HELD_MAX);
	hs__packet_init(&pkt, HS_MAX_PACKET_SIZE_DEFAULT, HS_OUTPUT_CAP);
	CHECK_EQ_INT(send_one(&q, &pkt, 0, HS_MSG_CHANNEL_DATA, 1), 0);
	size_t out_before = hs__buf_len(&pkt.out);
	REQUIRE(hs__sendq_begin(&q, &pkt, 0, HS_MSG_CHANNEL_DATA, &b) == 0);
	CHECK(hs__sendq_building(&q, &pkt));
	CHECK_EQ_INT(hs__buf_put_u32(b, 7), 0);
	CHECK_EQ_INT(hs__sendq_end(&q, &pkt, HS_ERR_LIMIT), HS_ERR_LIMIT);
	CHECK(!hs__sendq_building(&q, &pkt));
	CHECK_EQ_INT(hs__buf_len(&pkt.out), out_before);

	CHECK_EQ_INT(send_one(&q, &pkt, 1, HS_MSG_CHANNEL_DATA, 2), 0);
	size_t held_before = hs__buf_len(&q.held);
	REQUIRE(hs__sendq_begin(&q, &pkt, 1, HS_MSG_CHANNEL_DATA, &b) == 0);
	CHECK(b == &q.held);
	CHECK_EQ_INT(hs__buf_put_u32(b, 7), 0);
	CHECK_EQ_INT(hs__sendq_end(&q, &pkt, HS_ERR_FORMAT), HS_ERR_FORMAT);
	CHECK_EQ_INT(hs__buf_len(&q.held), held_before);

	/* hs__sendq_abort drops either kind */
	REQUIRE(hs__sendq_begin(&q, &pkt, 1, HS_MSG_CHANNEL_DATA, &b) == 0);
	hs__sendq_abort(&q, &pkt);
	CHECK_EQ_INT(hs__buf_len(&q.held), held_before);
	REQUIRE(hs__sendq_begin(&q, &pkt, 0, HS_MSG_CHANNEL_DATA, &b) == 0);
	hs__sendq_abort(&q, &pkt);
	CHECK_EQ_INT(hs__buf_len(&pkt.out), out_before);

	CHECK_EQ_INT(hs__sendq_flush_held(&q, &pkt), 0);
	CHECK_EQ_INT(read_packets(&pkt, msgs, firsts, 8), 2);
	CHECK(firsts[0] == 1 && firsts[1] == 2);
	hs__packet_cleanup(&pkt);
	hs__sendq_cleanup(&q);
}

/* A second begin while one is half built is a broken invariant, not a
 * silent repair; the half-built one is untouched. */
static void test_begin_twice(void)
{
	struct hs_sendq q;
	struct hs_packet_io pkt;
	struct hs_buf *b, *b2;
	hs__sendq_init(&q, HS_HELD_MAX);
	hs__packet_init(&pkt, HS_MAX_PACKET_SIZE_DEFAULT, HS_OUTPUT_CAP);
	REQUIRE(hs__sendq_begin(&q, &pkt, 1, HS_MSG_CHANNEL_DATA, &b) == 0);
	CHECK_EQ_INT(hs__sendq_begin(&q, &pkt, 0, HS_MSG_KEXINIT, &b2), HS_ERR_INTERNAL);
	CHECK(b2 == NULL);
	CHECK_EQ_INT(hs__sendq_flush_held(&q, &pkt), HS_ERR_INTERNAL);
	CHECK_EQ_INT(hs__sendq_end(&q, &pkt, hs__buf_put_u8(b, 9)), 0);
	REQUIRE(hs__sendq_begin(&q, &pkt, 0, HS_MSG_KEXINIT, &b) == 0);
	CHECK_EQ_INT(hs__sendq_begin(&q, &pkt, 1, HS_MSG_CHANNEL_DATA, &b2), HS_ERR_INTERNAL);
	CHECK_EQ_INT(hs__sendq_end(&q, &pkt, 0), 0);
	hs__packet_cleanup(&pkt);
	hs__sendq_cleanup(&q);
}

/* The held queue has a ceiling: a peer that stalls its key exchange
 * cannot make us hold without limit. */
static void test_held_limit(void)
{
	struct hs_sendq q;
	struct hs_packet_io pkt;
	struct hs_buf *b;
	static uint8_t big[4096];
	int r = 0;
	size_t sent = 0;
	hs__sendq_init(&q, 64u * 1024u);
	hs__packet_init(&pkt, HS_MAX_PACKET_SIZE_DEFAULT, HS_OUTPUT_CAP);
	for (int i = 0; i < 100 && r == 0; i++) {
		if ((r = hs__sendq_begin(&q, &pkt, 1, HS_MSG_CHANNEL_DATA, &b)) == 0 &&
		    (r = hs__sendq_end(&q, &pkt, hs__buf_put_string(b, big, sizeof big))) == 0)
			sent++;
	}
	CHECK_EQ_INT(r, HS_ERR_LIMIT);
	CHECK(sent >= 10 && sent < 20);
	CHECK(hs__buf_len(&q.held) <= 64u * 1024u);
	CHECK(!hs__sendq_building(&q, &pkt));
	hs__packet_cleanup(&pkt);
	hs__sendq_cleanup(&q);
}

int main(void)
{
	test_direct_and_held();
	test_never_held();
	test_abandon();
	test_begin_twice();
	test_held_limit();
	return hs_test_done();
}
