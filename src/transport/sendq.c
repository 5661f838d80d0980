/*
 * Packet output: building packets into the output buffer or, during a key
 * exchange, into the held queue (sendq.h has the rules).
 */
#include "transport/sendq.h"

#include "transport/msgfilter.h"

void hs__sendq_init(struct hs_sendq *q, size_t max_held)
{
	hs__buf_init(&q->held, max_held, 0);
	q->held_mark = 0;
	q->building_held = 0;
}

void hs__sendq_cleanup(struct hs_sendq *q)
{
	hs__buf_cleanup(&q->held);
	q->building_held = 0;
}

int hs__sendq_never_held(uint8_t msg)
{
	return msg <= HS_MSG_DEBUG || (msg >= HS_MSG_KEXINIT && msg <= 49);
}

int hs__sendq_building(const struct hs_sendq *q, const struct hs_packet_io *pkt)
{
	return q->building_held || pkt->tx_building;
}

int hs__sendq_begin(struct hs_sendq *q, struct hs_packet_io *pkt, int holding, uint8_t msg, struct hs_buf **body)
{
	int r;
	*body = NULL;
	if (hs__sendq_building(q, pkt))
		return HS_ERR_INTERNAL;
	if (holding && !hs__sendq_never_held(msg)) {
		if ((r = hs__buf_begin_string(&q->held, &q->held_mark)) != 0)
			return r;
		if ((r = hs__buf_put_u8(&q->held, msg)) != 0) {
			hs__buf_truncate(&q->held, q->held_mark);
			return r;
		}
		q->building_held = 1;
		*body = &q->held;
		return 0;
	}
	if ((r = hs__packet_begin(pkt, msg)) != 0)
		return r;
	*body = &pkt->out;
	return 0;
}

void hs__sendq_abort(struct hs_sendq *q, struct hs_packet_io *pkt)
{
	if (q->building_held) {
		hs__buf_truncate(&q->held, q->held_mark);
		q->building_held = 0;
	}
	hs__packet_abort(pkt);
}

int hs__sendq_end(struct hs_sendq *q, struct hs_packet_io *pkt, int status)
{
	int r = status;
	if (r == 0 && q->building_held) {
		q->building_held = 0;
		if ((r = hs__buf_end_string(&q->held, q->held_mark)) != 0)
			hs__buf_truncate(&q->held, q->held_mark);
		return r;
	}
	if (r == 0 && (r = hs__packet_finish(pkt)) == 0)
		return 0;
	hs__sendq_abort(q, pkt);
	return r;
}

int hs__sendq_flush_held(struct hs_sendq *q, struct hs_packet_io *pkt)
{
	struct hs_view v = hs__buf_view(&q->held);
	struct hs_bytes rec;
	int r;
	if (q->building_held)
		return HS_ERR_INTERNAL;
	while (hs__view_left(&v) > 0) {
		if (hs__view_get_string(&v, &rec) != 0 || rec.len < 1)
			return HS_ERR_INTERNAL;
		if ((r = hs__packet_begin(pkt, rec.ptr[0])) != 0)
			return r;
		r = hs__buf_put(&pkt->out, rec.ptr + 1, rec.len - 1);
		if (r == 0)
			r = hs__packet_finish(pkt);
		if (r != 0) {
			hs__packet_abort(pkt);
			return r;
		}
	}
	hs__buf_reset(&q->held);
	hs__buf_shrink(&q->held, 0);
	return 0;
}
