/*
 * The connections of one listener waiting for a key exchange computation
 * slot: first come, first served, except that authenticated peers (whose
 * rekeys hold up live sessions) go before peers still logging in, so a
 * crowd of strangers cannot delay known hosts. Intrusive (a waiter lives
 * inside its connection, nothing here allocates) and doubly linked, so a
 * crowd that hangs up leaves in constant time each.
 */
#ifndef HS_IO_DH_QUEUE_H
#define HS_IO_DH_QUEUE_H

#include "common/list.h"

struct hs_dh_waiter {
	struct hs_list_node link; /* unlinked when not waiting */
	int authenticated;
};

struct hs_dh_queue {
	struct hs_list_node waiting[2]; /* [0]: authenticated, [1]: not yet */
};

void hs__dh_queue_init(struct hs_dh_queue *q);
/* Add w at the end of its class. w must not be waiting already. */
void hs__dh_queue_push(struct hs_dh_queue *q, struct hs_dh_waiter *w, int authenticated);
/* Take the next waiter (authenticated ones first), or NULL. */
struct hs_dh_waiter *hs__dh_queue_pop(struct hs_dh_queue *q);
/* Take w out wherever it is; nothing if it is not waiting. */
void hs__dh_queue_remove(struct hs_dh_waiter *w);
/* Is nobody waiting? Is w waiting? */
int hs__dh_queue_empty(const struct hs_dh_queue *q);
int hs__dh_queue_waiting(const struct hs_dh_waiter *w);

#endif
