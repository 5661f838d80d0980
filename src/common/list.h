/*
 * An intrusive doubly linked list: each element holds a struct
 * hs_list_node, and the list is a circular chain through a head node (a
 * sentinel) that belongs to the owner of the list. Inserting and removing
 * take constant time and never allocate; removing needs only the node, not
 * the head. HS_LIST_ENTRY turns a node back into its element.
 *
 *     struct peer { ...; struct hs_list_node link; };
 *     struct hs_list_node peers;              (the owner's head)
 *     hs__list_init(&peers);
 *     hs__list_insert_tail(&peers, &p->link);
 *     HS_LIST_FOREACH(n, &peers) use(HS_LIST_ENTRY(n, struct peer, link));
 *     hs__list_remove(&p->link);
 *
 * A node is unlinked when zeroed (calloc), after hs__list_node_init(), and
 * after hs__list_remove(); removing an unlinked node does nothing. The list
 * does not own its elements: free an element only after removing it.
 */
#ifndef HS_COMMON_LIST_H
#define HS_COMMON_LIST_H

#include <stddef.h>

struct hs_list_node {
	struct hs_list_node *prev, *next;
};

/* An empty list: the head points at itself. */
static inline void hs__list_init(struct hs_list_node *head)
{
	head->prev = head->next = head;
}

/* A node that is in no list (as hs__list_remove leaves it). */
static inline void hs__list_node_init(struct hs_list_node *n)
{
	n->prev = n->next = n;
}

static inline int hs__list_empty(const struct hs_list_node *head)
{
	return head->next == head;
}

/* Is the node in a list? (False for a zeroed node.) */
static inline int hs__list_linked(const struct hs_list_node *n)
{
	return n->next != NULL && n->next != n;
}

/* Put n (unlinked) after pos, which is the head or a node of a list. */
static inline void hs__list_insert_after(struct hs_list_node *pos, struct hs_list_node *n)
{
	n->prev = pos;
	n->next = pos->next;
	pos->next->prev = n;
	pos->next = n;
}

/* Put n (unlinked) before pos, which is the head or a node of a list. */
static inline void hs__list_insert_before(struct hs_list_node *pos, struct hs_list_node *n)
{
	hs__list_insert_after(pos->prev, n);
}

/* First or last in the list. */
static inline void hs__list_insert_head(struct hs_list_node *head, struct hs_list_node *n)
{
	hs__list_insert_after(head, n);
}

static inline void hs__list_insert_tail(struct hs_list_node *head, struct hs_list_node *n)
{
	hs__list_insert_before(head, n);
}

/* Take n out of its list; n is then unlinked. Does nothing if it already
 * was. */
static inline void hs__list_remove(struct hs_list_node *n)
{
	if (!hs__list_linked(n))
		return;
	n->prev->next = n->next;
	n->next->prev = n->prev;
	hs__list_node_init(n);
}

/* The first or last node, or NULL when the list is empty. */
static inline struct hs_list_node *hs__list_first(const struct hs_list_node *head)
{
	return hs__list_empty(head) ? NULL : head->next;
}

/* Take the first node out of the list and return it; NULL when empty. */
static inline struct hs_list_node *hs__list_pop_first(struct hs_list_node *head)
{
	struct hs_list_node *n = head->next;
	if (n == head)
		return NULL;
	head->next = n->next;
	n->next->prev = head;
	hs__list_node_init(n);
	return n;
}

static inline struct hs_list_node *hs__list_last(const struct hs_list_node *head)
{
	return hs__list_empty(head) ? NULL : head->prev;
}

/* The element of type `type` whose member `member` is the node ptr; the
 * _CONST form for a node seen through a const pointer. */
#define HS_LIST_ENTRY_CONST(ptr, type, member) \
	((const type *)(const void *)((const char *)(ptr)-offsetof(type, member)))
#define HS_LIST_ENTRY(ptr, type, member) ((type *)(void *)((char *)(ptr)-offsetof(type, member)))

/* Visit every node from first to last. The body must not remove node. */
#define HS_LIST_FOREACH(node, head) for ((node) = (head)->next; (node) != (head); (node) = (node)->next)

/* The same, but the body may remove (and free) node; tmp holds the next
 * one. The body must not remove any other node. */
#define HS_LIST_FOREACH_SAFE(node, tmp, head) \
	for ((node) = (head)->next, (tmp) = (node)->next; (node) != (head); (node) = (tmp), (tmp) = (node)->next)

#endif
