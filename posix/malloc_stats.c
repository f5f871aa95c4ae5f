/*
 * posix/malloc_stats.c — the heap's statistics per arena (posix/heap.h)
 * and the whole check (posix_malloc_check).
 *
 * An arena's counters are spread where they are written without sharing:
 * each live thread cache's own (its allocations and frees in its arena,
 * and the remote frees it pushed to others), the sum of exited caches and
 * of threads without one (h->retired), and what other nodes pushed back
 * (h->remote, on a page of its own). A snapshot adds them up under the
 * arena's tc_lock, which keeps the list of caches still.
 */
#include <errno.h>
#include <string.h>

#include "posix/malloc.h"

static uint64_t ld(const uint64_t *c)
{
	return __atomic_load_n(c, __ATOMIC_RELAXED);
}

static void counters_add(struct heap_counters *sum,
			 const struct heap_counters *c)
{
	sum->allocs += ld(&c->allocs);
	sum->frees += ld(&c->frees);
	sum->bytes_alloc += ld(&c->bytes_alloc);
	sum->bytes_free += ld(&c->bytes_free);
	sum->rsent += ld(&c->rsent);
	sum->rsent_batches += ld(&c->rsent_batches);
}

/* Adds heap h's counters to *st. */
static void heap_sum(struct heap *h, struct posix_malloc_stats *st)
{
	struct heap_counters sum;
	struct tcache *t;

	memset(&sum, 0, sizeof(sum));
	ulock_lock(&h->tc_lock);
	counters_add(&sum, &h->retired);
	for (t = h->threads; t; t = t->next)
		counters_add(&sum, &t->cnt);
	ulock_unlock(&h->tc_lock);
	sum.frees += ld(&h->remote.objects);
	sum.bytes_free += ld(&h->remote.bytes);
	st->nr_allocs += sum.allocs;
	st->nr_frees += sum.frees;
	st->bytes_in_use += (size_t)(sum.bytes_alloc - sum.bytes_free);
	st->bytes_mapped +=
	    (size_t)(__atomic_load_n(&h->top, __ATOMIC_RELAXED) - h->first)
	    << CHUNK_SHIFT;
	st->nr_remote_sent += sum.rsent;
	st->nr_remote_sent_batches += sum.rsent_batches;
	st->nr_remote_recv += ld(&h->remote.objects);
	st->nr_remote_recv_batches += ld(&h->remote.batches);
}

/* The stats of arenas [from, to) together. */
static void stats_of(int from, int to, struct posix_malloc_stats *st)
{
	memset(st, 0, sizeof(*st));
	for (int k = from; k < to; k++) {
		struct heap *h = heap_peek(k);
		if (h)
			heap_sum(h, st);
	}
}

void posix_malloc_stats(struct posix_malloc_stats *st)
{
	stats_of(0, POSIX_HEAP_ARENAS, st);
}

int posix_malloc_arena_stats(int k, struct posix_malloc_stats *st)
{
	if (k < 0 || k >= POSIX_HEAP_ARENAS)
		return -EINVAL;
	stats_of(k, k + 1, st);
	return 0;
}

int posix_malloc_check(void)
{
	for (int k = 0; k < POSIX_HEAP_ARENAS; k++) {
		struct heap *h = heap_peek(k);
		int rc = h ? heap_check(h) : 0;
		if (rc)
			return rc;
	}
	return 0;
}
