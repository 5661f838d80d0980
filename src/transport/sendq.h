/*
 * The one way a packet is built and queued: begin, append the body, end.
 *
 * While a key exchange runs, only transport-generic and key-exchange
 * messages may be sent (RFC 4253 §7.1): any other message is built into a
 * held queue instead of the output, and flushed, in order, once the new
 * keys are in use. The caller never needs to know which happened.
 *
 * The rule for a half-built packet: hs__sendq_end takes the status of the
 * body's construction; when that is an error the packet is abandoned (the
 * output or the held queue is cut back to where it began) and the error is
 * returned. So every sender reads
 *
 *     if ((r = hs__sendq_begin(q, pkt, holding, MSG, &b)) != 0)
 *             return r;
 *     r = put fields into b ...;
 *     return hs__sendq_end(q, pkt, r);
 *
 * and no path can leave a packet half built. Beginning while one is half
 * built is a broken invariant (HS_ERR_INTERNAL), never silently repaired.
 */
#ifndef HS_TRANSPORT_SENDQ_H
#define HS_TRANSPORT_SENDQ_H

#include <stddef.h>
#include <stdint.h>

#include "transport/packet.h"
#include "wire/buf.h"

struct hs_sendq {
	struct hs_buf held; /* held messages: SSH strings of message number + body */
	size_t held_mark;   /* start of the held message being built */
	int building_held;  /* the message being built goes to held */
};

/* max_held: the most bytes the held queue may grow to (a peer that stalls
 * its key exchange cannot make us hold more). */
void hs__sendq_init(struct hs_sendq *q, size_t max_held);
void hs__sendq_cleanup(struct hs_sendq *q);

/* May msg be sent while a key exchange runs? (RFC 4253 §7.1: messages 1 to
 * 4, and 20 to 49 of the key exchange itself.) */
int hs__sendq_never_held(uint8_t msg);

/* Begin message msg; *body receives the buffer its fields are appended to.
 * holding: a key exchange is running (non-kex messages are held). */
int hs__sendq_begin(struct hs_sendq *q, struct hs_packet_io *pkt, int holding, uint8_t msg,
                    struct hs_buf **body) HS_MUST_CHECK;

/* End the message begun: queue it when status is 0, else abandon it.
 * Returns status, or the error of sealing the packet. */
int hs__sendq_end(struct hs_sendq *q, struct hs_packet_io *pkt, int status) HS_MUST_CHECK;

/* Abandon a message begun and not ended (the connection is failing). */
void hs__sendq_abort(struct hs_sendq *q, struct hs_packet_io *pkt);

/* Is a message being built? */
int hs__sendq_building(const struct hs_sendq *q, const struct hs_packet_io *pkt);

/* Seal and queue the held messages, in order, and free the held storage. */
int hs__sendq_flush_held(struct hs_sendq *q, struct hs_packet_io *pkt) HS_MUST_CHECK;

#endif
