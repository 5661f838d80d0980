/* Two intrusive FIFO lists, authenticated waiters first. */
#include "io/dh_queue.h"

#include <stddef.h>

void hs__dh_queue_push(struct hs_dh_queue *q, struct hs_dh_waiter *w, int authenticated)
{
	int k = authenticated ? 0 : 1;
	w->next = NULL;
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
	struct hs_dh_waiter **pp = &q->head[k], *prev = NULL;
	while (*pp != NULL && *pp != w) {
		prev = *pp;
		pp = &(*pp)->next;
	}
	if (*pp == w) {
		*pp = w->next;
		if (q->tail[k] == w)
			q->tail[k] = prev;
	}
	w->next = NULL;
	w->queue = NULL;
}
