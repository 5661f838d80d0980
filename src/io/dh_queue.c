/* Two intrusive FIFO lists (common/list.h): removal is constant time
 * however many peers wait, and popping looks at the authenticated list
 * first. */
#include "io/dh_queue.h"

#include <stddef.h>

void hs__dh_queue_init(struct hs_dh_queue *q)
{
	hs__list_init(&q->waiting[0]);
	hs__list_init(&q->waiting[1]);
}

void hs__dh_queue_push(struct hs_dh_queue *q, struct hs_dh_waiter *w, int authenticated)
{
	w->authenticated = authenticated;
	hs__list_insert_tail(&q->waiting[authenticated ? 0 : 1], &w->link);
}

struct hs_dh_waiter *hs__dh_queue_pop(struct hs_dh_queue *q)
{
	for (int k = 0; k < 2; k++) {
		struct hs_list_node *n = hs__list_pop_first(&q->waiting[k]);
		if (n != NULL)
			return HS_LIST_ENTRY(n, struct hs_dh_waiter, link);
	}
	return NULL;
}

void hs__dh_queue_remove(struct hs_dh_waiter *w)
{
	hs__list_remove(&w->link);
}

int hs__dh_queue_empty(const struct hs_dh_queue *q)
{
	return hs__list_empty(&q->waiting[0]) && hs__list_empty(&q->waiting[1]);
}

int hs__dh_queue_waiting(const struct hs_dh_waiter *w)
{
	return hs__list_linked(&w->link);
}
