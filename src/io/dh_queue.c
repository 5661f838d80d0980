/* Two intrusive doubly linked FIFO lists: removal is constant time however
 * many peers wait, and popping checks the authenticated list first. */
#include "io/dh_queue.h"

#include <stddef.h>

void hs__dh_queue_push(struct hs_dh_queue *q, struct hs_dh_waiter *w, int authenticated)
{
	int k = authenticated ? 0 : 1;
	w->next = NULL;
	w->prev = q->tail[k];
	w->queue = q;
	w->authenticated = authenticated;
	if (q->tail[k] != NULL)
		q->tail[k]->next = w;
	else
		q->head[k] = w;
	q->tail[k] = w;
}

struct hs_dh_waiter *hs__dh_queue_pop(struct hs_dh_queue *q)
{
	for (int k = 0; k < 2; k++) {
		struct hs_dh_waiter *w = q->head[k];
		if (w != NULL) {
			hs__dh_queue_remove(w);
			return w;
		}
	}
	return NULL;
}

void hs__dh_queue_remove(struct hs_dh_waiter *w)
{
	struct hs_dh_queue *q = w->queue;
	if (q == NULL)
		return;
	int k = w->authenticated ? 0 : 1;
	if (w->prev != NULL)
		w->prev->next = w->next;
	else
		q->head[k] = w->next;
	if (w->next != NULL)
		w->next->prev = w->prev;
	else
		q->tail[k] = w->prev;
	w->next = w->prev = NULL;
	w->queue = NULL;
}
