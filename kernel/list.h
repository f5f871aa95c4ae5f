/*
 * kernel/list.h — intrusive doubly-linked circular lists.
 * A list head is a node whose next/prev point to itself when empty.
 */
#ifndef KERNEL_LIST_H
#define KERNEL_LIST_H

#include <stdbool.h>
#include <stddef.h>

struct list_node {
	struct list_node *next, *prev;
};

#define LIST_HEAD_INIT(name)                                                   \
	{                                                                      \
		&(name), &(name)                                               \
	}
#define container_of(p, type, member)                                          \
	((type *)((char *)(p)-offsetof(type, member)))

static inline void list_init(struct list_node *h)
{
	h->next = h->prev = h;
}
static inline bool list_empty(const struct list_node *h)
{
	return h->next == h;
}

static inline void list_insert_between(struct list_node *n, struct list_node *p,
				       struct list_node *nx)
{
	n->next = nx;
	n->prev = p;
	p->next = n;
	nx->prev = n;
}
static inline void list_add_tail(struct list_node *h, struct list_node *n)
{
	list_insert_between(n, h->prev, h);
}
static inline void list_add_head(struct list_node *h, struct list_node *n)
{
	list_insert_between(n, h, h->next);
}
static inline void list_del(struct list_node *n)
{
	n->prev->next = n->next;
	n->next->prev = n->prev;
	n->next = n->prev = n;
}
static inline struct list_node *list_pop(struct list_node *h)
{
	if (list_empty(h))
		return NULL;
	struct list_node *n = h->next;
	list_del(n);
	return n;
}

#define list_for_each(it, h)                                                   \
	for ((it) = (h)->next; (it) != (h); (it) = (it)->next)
#define list_for_each_safe(it, tmp, h)                                         \
	for ((it) = (h)->next, (tmp) = (it)->next; (it) != (h);                \
	     (it) = (tmp), (tmp) = (it)->next)

#endif
