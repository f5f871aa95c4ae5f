/*
 * posix/malloc_remote.c — small objects freed on another node than their
 * heap's, given back in batches (issue #15).
 *
 * The freeing thread keeps them in a pending chain per heap (malloc.c);
 * a full chain is pushed here onto its heap's remote stack with one CAS
 * loop, and the heap's counters are credited once for the whole chain,
 * all on the heap's remote page. The heap's own node takes the stack back
 * with one exchange when it needs memory, and sorts the objects back to
 * their classes' central lists with its local locks. A free from another
 * node thus costs the owner's page a write per batch, not several remote
 * faults per object.
 */
#include "posix/malloc.h"

void remote_push(struct tc_remote *p, struct heap_counters *cnt)
{
	struct heap_remote *r = &p->heap->remote;
	void **old = __atomic_load_n(&r->head, __ATOMIC_RELAXED);

	do
		p->tail[0] = old;
	while (!__atomic_compare_exchange_n(
	    &r->head, &old, p->head, true, __ATOMIC_RELEASE, __ATOMIC_RELAXED));
	__atomic_fetch_add(&r->batches, 1, __ATOMIC_RELAXED);
	__atomic_fetch_add(&r->objects, p->n, __ATOMIC_RELAXED);
	__atomic_fetch_add(&r->bytes, p->bytes, __ATOMIC_RELAXED);
	__atomic_store_n(&cnt->rsent, cnt->rsent + p->n, __ATOMIC_RELAXED);
	__atomic_store_n(&cnt->rsent_batches, cnt->rsent_batches + 1,
			 __ATOMIC_RELAXED);
	p->heap = NULL;
	p->head = p->tail = NULL;
	p->n = 0;
	p->bytes = 0;
}

uint32_t remote_drain(struct heap *h)
{
	void **head[NCLASSES + 1] = {NULL}, **o, **next;
	uint32_t n[NCLASSES + 1] = {0}, total = 0;
	unsigned c;

	/* a plain load first: the page stays shared while nothing came */
	if (!__atomic_load_n(&h->remote.head, __ATOMIC_RELAXED))
		return 0;
	o = __atomic_exchange_n(&h->remote.head, NULL, __ATOMIC_ACQUIRE);
	for (; o; o = next, total++) {
		next = o[0];
		/* the object is out of its span, so the span keeps its class */
		c = __atomic_load_n(&h->spans[chunk_of(h, o)].cls,
				    __ATOMIC_RELAXED);
		o[0] = head[c];
		head[c] = o;
		n[c]++;
	}
	for (c = 1; c <= NCLASSES; c++)
		if (head[c])
			central_release(h, c, head[c], n[c]);
	return total;
}
