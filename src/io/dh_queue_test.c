/* The waiting order of key exchange computations (io/dh_queue.c). */
#include "io/dh_queue.h"

#include "hs_test.h"

static struct hs_dh_waiter w[6];

static int index_of(const struct hs_dh_waiter *x)
{
	return x == NULL ? -1 : (int)(x - w);
}

/* Arrival order within a class; authenticated peers before the rest. */
static void test_order(void)
{
	struct hs_dh_queue q;
	hs__dh_queue_init(&q);
	CHECK(hs__dh_queue_pop(&q) == NULL);
	hs__dh_queue_push(&q, &w[0], 0);
	hs__dh_queue_push(&q, &w[1], 0);
	hs__dh_queue_push(&q, &w[2], 1);
	hs__dh_queue_push(&q, &w[3], 0);
	hs__dh_queue_push(&q, &w[4], 1);
	CHECK_EQ_INT(index_of(hs__dh_queue_pop(&q)), 2);
	hs__dh_queue_push(&q, &w[5], 1); /* arrives later, still before the strangers */
	CHECK_EQ_INT(index_of(hs__dh_queue_pop(&q)), 4);
	CHECK_EQ_INT(index_of(hs__dh_queue_pop(&q)), 5);
	CHECK_EQ_INT(index_of(hs__dh_queue_pop(&q)), 0);
	CHECK_EQ_INT(index_of(hs__dh_queue_pop(&q)), 1);
	CHECK_EQ_INT(index_of(hs__dh_queue_pop(&q)), 3);
	CHECK(hs__dh_queue_pop(&q) == NULL);
	CHECK(!hs__dh_queue_waiting(&w[3]));
}

/* A waiter leaves from the head, the middle or the tail; the others keep
 * their order and the queue its ends. Removing one not waiting is nothing. */
static void test_remove(void)
{
	struct hs_dh_queue q;
	hs__dh_queue_init(&q);
	for (int i = 0; i < 5; i++)
		hs__dh_queue_push(&q, &w[i], 0);
	hs__dh_queue_remove(&w[2]); /* middle */
	hs__dh_queue_remove(&w[2]); /* again: nothing */
	hs__dh_queue_remove(&w[0]); /* head */
	hs__dh_queue_remove(&w[4]); /* tail */
	hs__dh_queue_push(&q, &w[5], 0);
	CHECK_EQ_INT(index_of(hs__dh_queue_pop(&q)), 1);
	CHECK_EQ_INT(index_of(hs__dh_queue_pop(&q)), 3);
	CHECK_EQ_INT(index_of(hs__dh_queue_pop(&q)), 5);
	CHECK(hs__dh_queue_pop(&q) == NULL);
	CHECK(hs__dh_queue_empty(&q));

	/* the only one leaves: both ends clear, and the queue works again */
	hs__dh_queue_push(&q, &w[0], 1);
	hs__dh_queue_remove(&w[0]);
	CHECK(hs__dh_queue_empty(&q));
	hs__dh_queue_push(&q, &w[1], 1);
	CHECK_EQ_INT(index_of(hs__dh_queue_pop(&q)), 1);
}

int main(void)
{
	test_order();
	test_remove();
	return hs_test_done();
}
