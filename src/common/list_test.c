/* The intrusive list (common/list.h): order of insertion at either end and
 * beside a node, removal from the head, the middle and the tail, removal
 * while iterating, removal of a node that is in no list, and the way back
 * from a node to its element. */
#include "common/list.h"

#include "hs_test.h"

struct item {
	int value;
	struct hs_list_node link;
};

static struct item items[6];

/* The values in the list, in order, as a string ("0123"); "" when empty. */
static const char *order(const struct hs_list_node *head)
{
	static char buf[32];
	size_t n = 0;
	const struct hs_list_node *node;
	HS_LIST_FOREACH(node, head)
	{
		if (n + 1 < sizeof buf)
			buf[n++] = (char)('0' + HS_LIST_ENTRY_CONST(node, struct item, link)->value);
	}
	buf[n] = '\0';
	return buf;
}

/* Walk backwards too: prev must mirror next. */
static const char *reverse(const struct hs_list_node *head)
{
	static char buf[32];
	size_t n = 0;
	for (const struct hs_list_node *node = head->prev; node != head && n + 1 < sizeof buf; node = node->prev)
		buf[n++] = (char)('0' + HS_LIST_ENTRY_CONST(node, struct item, link)->value);
	buf[n] = '\0';
	return buf;
}

static void reset(void)
{
	for (int i = 0; i < 6; i++) {
		items[i].value = i;
		hs__list_node_init(&items[i].link);
	}
}

static void test_empty(void)
{
	struct hs_list_node head;
	hs__list_init(&head);
	CHECK(hs__list_empty(&head));
	CHECK(hs__list_first(&head) == NULL);
	CHECK(hs__list_last(&head) == NULL);
	CHECK_STR(order(&head), "");
	/* a zeroed node, as calloc leaves it, is in no list */
	struct item zero = { 0, { NULL, NULL } };
	CHECK(!hs__list_linked(&zero.link));
	hs__list_remove(&zero.link);
	CHECK(zero.link.next == NULL || zero.link.next == &zero.link);
}

static void test_insert(void)
{
	struct hs_list_node head;
	reset();
	hs__list_init(&head);
	hs__list_insert_tail(&head, &items[1].link);
	hs__list_insert_tail(&head, &items[2].link);
	hs__list_insert_head(&head, &items[0].link);
	CHECK_STR(order(&head), "012");
	CHECK_STR(reverse(&head), "210");
	hs__list_insert_after(&items[0].link, &items[3].link);
	hs__list_insert_before(&items[2].link, &items[4].link);
	CHECK_STR(order(&head), "03142");
	CHECK_STR(reverse(&head), "24130");
	CHECK(!hs__list_empty(&head));
	CHECK(hs__list_first(&head) == &items[0].link);
	CHECK(hs__list_last(&head) == &items[2].link);
	CHECK(hs__list_linked(&items[3].link));
	CHECK(!hs__list_linked(&items[5].link));
	CHECK(HS_LIST_ENTRY(hs__list_first(&head), struct item, link) == &items[0]);
}

static void test_remove(void)
{
	struct hs_list_node head;
	reset();
	hs__list_init(&head);
	for (int i = 0; i < 5; i++)
		hs__list_insert_tail(&head, &items[i].link);
	hs__list_remove(&items[2].link); /* the middle */
	CHECK_STR(order(&head), "0134");
	CHECK(!hs__list_linked(&items[2].link));
	hs__list_remove(&items[2].link); /* again: nothing */
	CHECK_STR(order(&head), "0134");
	hs__list_remove(&items[0].link); /* the head */
	hs__list_remove(&items[4].link); /* the tail */
	CHECK_STR(order(&head), "13");
	CHECK_STR(reverse(&head), "31");
	CHECK(hs__list_first(&head) == &items[1].link);
	CHECK(hs__list_last(&head) == &items[3].link);
	hs__list_remove(&items[5].link); /* never linked */
	CHECK_STR(order(&head), "13");
	/* a removed node can go into a list again */
	hs__list_insert_head(&head, &items[4].link);
	CHECK_STR(order(&head), "413");
	hs__list_remove(&items[1].link);
	hs__list_remove(&items[3].link);
	hs__list_remove(&items[4].link);
	CHECK(hs__list_empty(&head));
	CHECK_STR(reverse(&head), "");
}

/* The safe walk lets the body remove the node it stands on. */
static void test_remove_while_walking(void)
{
	struct hs_list_node head, *node, *tmp;
	reset();
	hs__list_init(&head);
	for (int i = 0; i < 6; i++)
		hs__list_insert_tail(&head, &items[i].link);
	int seen = 0;
	HS_LIST_FOREACH_SAFE(node, tmp, &head)
	{
		seen++;
		if (HS_LIST_ENTRY(node, struct item, link)->value % 2 == 0)
			hs__list_remove(node);
	}
	CHECK_EQ_INT(seen, 6);
	CHECK_STR(order(&head), "135");
	HS_LIST_FOREACH_SAFE(node, tmp, &head)
	{
		hs__list_remove(node);
	}
	CHECK(hs__list_empty(&head));
	for (int i = 0; i < 6; i++)
		CHECK(!hs__list_linked(&items[i].link));
}

/* Popping takes the first, unlinks it, and gives NULL once empty. */
static void test_pop_first(void)
{
	struct hs_list_node head;
	reset();
	hs__list_init(&head);
	CHECK(hs__list_pop_first(&head) == NULL);
	for (int i = 0; i < 3; i++)
		hs__list_insert_tail(&head, &items[i].link);
	struct hs_list_node *n = hs__list_pop_first(&head);
	CHECK(n == &items[0].link);
	CHECK(!hs__list_linked(n));
	CHECK_STR(order(&head), "12");
	CHECK_STR(reverse(&head), "21");
	CHECK(hs__list_pop_first(&head) == &items[1].link);
	CHECK(hs__list_pop_first(&head) == &items[2].link);
	CHECK(hs__list_empty(&head));
	CHECK(hs__list_pop_first(&head) == NULL);
}

int main(void)
{
	test_empty();
	test_pop_first();
	test_insert();
	test_remove();
	test_remove_while_walking();
	return hs_test_done();
}
