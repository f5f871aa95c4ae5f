/*
 * tests/unit/test_malloc_arenas.c — one heap per arena (node): a thread
 * allocates in its own arena's region; blocks go back to the arena they
 * came from whoever frees them (also after a realloc on another node); a
 * thread that moves takes its cache along; the counters are per arena;
 * misuse across arenas is caught as within one. Small blocks freed on
 * another node wait in the freeing thread's cache and go back a batch at a
 * time (full, slot wanted, thread exit, malloc_trim), counted exactly
 * then; the arena's node takes them back class by class and reuses them.
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tests/unit/test_malloc.h"

#define KIB ((size_t)1 << 10)

static struct posix_malloc_stats arena(int k)
{
	struct posix_malloc_stats st;
	assert_int_equal(posix_malloc_arena_stats(k, &st), 0);
	return st;
}

struct job {
	int arena;
	void *(*fn)(void *);
	void *arg;
	void *ret;
};

static void *job_main(void *a)
{
	struct job *j = a;
	host_arena = j->arena;
	j->ret = j->fn(j->arg);
	posix_malloc_thread_exit();
	return NULL;
}

/* Runs fn(arg) on a thread of arena k ("on node k"); its result. */
static void *on_arena(int k, void *(*fn)(void *), void *arg)
{
	struct job j = {k, fn, arg, NULL};
	pthread_t t;
	assert_int_equal(pthread_create(&t, NULL, job_main, &j), 0);
	assert_int_equal(pthread_join(t, NULL), 0);
	return j.ret;
}

static void *alloc_100(void *arg)
{
	(void)arg;
	char *p = um_malloc(100);
	memset(p, 0x5a, 100);
	return p;
}

static void *free_it(void *p)
{
	um_free(p);
	return NULL;
}

void test_arena_local_blocks(void **state)
{
	(void)state;
	void *p0 = um_malloc(64);
	void *p1 = on_arena(1, alloc_100, NULL);
	assert_non_null(p0);
	assert_non_null(p1);
	/* separate regions: 8 GiB apart at least */
	uintptr_t d = (uintptr_t)p1 > (uintptr_t)p0
			  ? (uintptr_t)p1 - (uintptr_t)p0
			  : (uintptr_t)p0 - (uintptr_t)p1;
	assert_true(d >= HOST_REGION_SIZE / 2);
	struct posix_malloc_stats a1 = arena(1);
	assert_int_equal(a1.nr_allocs, 1);
	assert_int_equal(a1.bytes_in_use, 112); /* 100 rounds up to 112 */
	assert_true(a1.bytes_mapped >= 64 * KIB);
	/* freed on node 0: waits in this thread's cache, still in use */
	struct posix_malloc_stats a0 = arena(0);
	um_free(p1);
	a1 = arena(1);
	assert_int_equal(a1.nr_frees, 0);
	assert_int_equal(a1.bytes_in_use, 112);
	assert_int_equal(a1.nr_remote_recv, 0);
	/* malloc_trim pushes it: back to arena 1 */
	assert_int_equal(um_malloc_trim(0), 1);
	a1 = arena(1);
	assert_int_equal(a1.nr_frees, 1);
	assert_int_equal(a1.bytes_in_use, 0);
	assert_int_equal(a1.nr_remote_recv, 1);
	assert_int_equal(a1.nr_remote_recv_batches, 1);
	assert_int_equal(arena(0).nr_remote_sent, a0.nr_remote_sent + 1);
	assert_int_equal(arena(0).nr_remote_sent_batches,
			 a0.nr_remote_sent_batches + 1);
	um_free(p0);
	struct posix_malloc_stats err;
	assert_int_equal(posix_malloc_arena_stats(-1, &err), -EINVAL);
	assert_int_equal(posix_malloc_arena_stats(POSIX_HEAP_ARENAS, &err),
			 -EINVAL);
	/* an arena never used has nothing */
	assert_int_equal(arena(7).nr_allocs, 0);
	assert_int_equal(arena(7).bytes_mapped, 0);
}

struct many {
	void *p[64];
	int n;
};

static void *alloc_many(void *arg)
{
	struct many *m = arg;
	for (int i = 0; i < m->n; i++) {
		m->p[i] = um_malloc((size_t)(i * 37 % 3000) + 1);
		memset(m->p[i], i, (size_t)(i * 37 % 3000) + 1);
	}
	/* and a large block, a chunk run */
	return um_malloc(200 * KIB);
}

static void *free_many(void *arg)
{
	struct many *m = arg;
	for (int i = 0; i < m->n; i++)
		um_free(m->p[i]);
	return NULL;
}

void test_arena_remote_frees(void **state)
{
	(void)state;
	struct many m = {.n = 64};
	struct posix_malloc_stats before = arena(2);
	void *big = on_arena(2, alloc_many, &m);
	for (int i = 0; i < m.n; i++) {
		const unsigned char *b = m.p[i];
		assert_int_equal(b[0], (unsigned char)i);
	}
	assert_int_equal(arena(2).nr_allocs, before.nr_allocs + 65);
	/* node 3 frees them all: every one goes back to arena 2 */
	on_arena(3, free_many, &m);
	on_arena(3, free_it, big);
	struct posix_malloc_stats after = arena(2);
	assert_int_equal(after.nr_frees, before.nr_frees + 65);
	assert_int_equal(after.bytes_in_use, before.bytes_in_use);
	assert_int_equal(arena(3).nr_allocs, 0);
	assert_int_equal(arena(3).bytes_in_use, 0);
	/* arena 2 hands its blocks out again */
	void *again = on_arena(2, alloc_100, NULL);
	assert_int_equal(arena(2).bytes_in_use, before.bytes_in_use + 112);
	um_free(again);
	assert_int_equal(posix_malloc_check(), 0);
}

void test_arena_realloc_and_size(void **state)
{
	(void)state;
	char *p = on_arena(1, alloc_100, NULL);
	assert_int_equal(um_malloc_usable_size(p), 112);
	/* grown on node 0: moves to arena 0, contents kept */
	char *q = um_realloc(p, 5000);
	assert_non_null(q);
	assert_true(q != p);
	for (int i = 0; i < 100; i++)
		assert_int_equal(q[i], 0x5a);
	assert_int_equal(arena(1).bytes_in_use, 112); /* until pushed */
	assert_int_equal(um_malloc_trim(0), 1);
	assert_int_equal(arena(1).bytes_in_use, 0);
	/* shrunk a little: stays where it is */
	assert_ptr_equal(um_realloc(q, 4000), q);
	um_free(q);
}

/* A thread that moves from node 0 to node 4: what its cache holds is
 * still handed out (blocks of arena 0, correct wherever they are used);
 * its first allocation that needs the heap comes from arena 4, and the
 * cache goes back to arena 0 and serves arena 4 from then on. */
static void *move(void *arg)
{
	(void)arg;
	void *a = um_malloc(48); /* the cache now holds a batch of 48s */
	host_arena = 4;
	void *b = um_malloc(48); /* from the cache: arena 0 */
	assert_int_equal(arena(4).nr_allocs, 0);
	void *c = um_malloc(5000); /* the heap: arena 4 */
	assert_int_equal(arena(4).nr_allocs, 1);
	assert_int_equal(arena(4).bytes_in_use, 5120);
	void *d = um_malloc(48); /* the cache serves arena 4 now */
	assert_int_equal(arena(4).nr_allocs, 2);
	um_free(a); /* arena 0's blocks, freed on node 4 */
	um_free(b);
	um_free(c);
	um_free(d);
	return NULL;
}

void test_arena_moving_thread(void **state)
{
	(void)state;
	struct posix_malloc_stats a0 = arena(0);
	on_arena(0, move, NULL);
	assert_int_equal(arena(4).bytes_in_use, 0);
	assert_int_equal(arena(4).nr_frees, 2);
	assert_int_equal(arena(0).bytes_in_use, a0.bytes_in_use);
	assert_int_equal(arena(0).nr_allocs, a0.nr_allocs + 2);
	assert_int_equal(posix_malloc_check(), 0);
}

void test_arena_misuse(void **state)
{
	(void)state;
	char *p = on_arena(5, alloc_100, NULL);
	um_free(p);
	assert_int_equal(merr.count, 0);
	um_free(p); /* again, on another node than the arena's */
	assert_int_equal(merr.count, 1);
	assert_string_equal(merr.msg, "free(): double free");
	assert_ptr_equal(merr.p, p);
	merr_reset();
	static char not_heap[64];
	um_free(not_heap + 16);
	assert_int_equal(merr.count, 1);
	assert_string_equal(merr.msg, "free(): invalid pointer");
	merr_reset();
	assert_int_equal(um_malloc_usable_size(not_heap), 0);
	assert_int_equal(merr.count, 1);
	assert_string_equal(merr.msg, "malloc_usable_size(): invalid pointer");
	merr_reset();
}

/* ---- remote frees: batched, pushed, taken back -------------------------- */

#define NB 80

/* Blocks of one arena, and what a thread of another saw while freeing. */
struct blocks {
	int n;
	size_t size[NB];
	void *p[NB];
	int arena;			/* theirs */
	struct posix_malloc_stats seen; /* their arena's, mid-way */
};

static void blocks_sized(struct blocks *b, int arena, int n, size_t size)
{
	memset(b, 0, sizeof(*b));
	b->arena = arena;
	b->n = n;
	for (int i = 0; i < n; i++)
		b->size[i] = size;
}

static void *alloc_blocks(void *arg)
{
	struct blocks *b = arg;
	for (int i = 0; i < b->n; i++) {
		b->p[i] = um_malloc(b->size[i]);
		assert_non_null(b->p[i]);
		memset(b->p[i], i, b->size[i]);
	}
	return NULL;
}

static void *free_many_blocks(void *arg)
{
	struct blocks *b = arg;
	for (int i = 0; i < b->n; i++)
		um_free(b->p[i]);
	return NULL;
}

/* The calling thread gets a live cache (of its own arena). */
static void go_live(void)
{
	um_free(um_malloc(16));
}

/* Frees the first n-1 blocks, notes their arena's stats, frees the last. */
static void *free_all_but_watch(void *arg)
{
	struct blocks *b = arg;
	go_live();
	for (int i = 0; i < b->n - 1; i++)
		um_free(b->p[i]);
	b->seen = arena(b->arena);
	um_free(b->p[b->n - 1]);
	return NULL;
}

/* Arena k received n more blocks in `batches` more pushes since `was`;
 * arena 0 (the freeing threads') sent them, since `was0`. */
static void assert_pushed(int k, const struct posix_malloc_stats *was,
			  const struct posix_malloc_stats *was0, uint64_t n,
			  uint64_t batches)
{
	struct posix_malloc_stats now = arena(k), now0 = arena(0);
	assert_int_equal(now.nr_frees, was->nr_frees + n);
	assert_int_equal(now.nr_remote_recv, was->nr_remote_recv + n);
	assert_int_equal(now.nr_remote_recv_batches,
			 was->nr_remote_recv_batches + batches);
	assert_int_equal(now0.nr_remote_sent, was0->nr_remote_sent + n);
	assert_int_equal(now0.nr_remote_sent_batches,
			 was0->nr_remote_sent_batches + batches);
}

static int ptr_cmp(const void *a, const void *b)
{
	uintptr_t x = *(const uintptr_t *)a, y = *(const uintptr_t *)b;
	return x < y ? -1 : x > y;
}

/* The same set of addresses in a[0..n) and b[0..n)? */
static bool same_set(void **a, void **b, int n)
{
	void *x[NB], *y[NB];
	memcpy(x, a, (size_t)n * sizeof(void *));
	memcpy(y, b, (size_t)n * sizeof(void *));
	qsort(x, (size_t)n, sizeof(void *), ptr_cmp);
	qsort(y, (size_t)n, sizeof(void *), ptr_cmp);
	return !memcmp(x, y, (size_t)n * sizeof(void *));
}

/* 64 frees on node 0 of arena 6's blocks: nothing reaches arena 6 until
 * the 64th, which pushes one batch of 64; arena 6 hands exactly those
 * blocks out again on its next allocation from the central lists. */
void test_remote_batch(void **state)
{
	(void)state;
	struct blocks b, again;
	blocks_sized(&b, 6, RFREE_BATCH + 1, 100); /* one more, kept */
	on_arena(6, alloc_blocks, &b);
	struct posix_malloc_stats s6 = arena(6), s0 = arena(0);
	assert_int_equal(s6.bytes_in_use, (RFREE_BATCH + 1) * 112);
	b.n = RFREE_BATCH;
	on_arena(0, free_all_but_watch, &b);
	/* after 63 frees: none counted yet */
	assert_int_equal(b.seen.nr_frees, s6.nr_frees);
	assert_int_equal(b.seen.bytes_in_use, s6.bytes_in_use);
	assert_int_equal(b.seen.nr_remote_recv, 0);
	/* the 64th pushed one batch (the thread's exit found nothing more) */
	assert_pushed(6, &s6, &s0, RFREE_BATCH, 1);
	assert_int_equal(arena(6).bytes_in_use, 112);
	assert_int_equal(arena(6).nr_remote_recv, RFREE_BATCH);
	assert_int_equal(arena(6).nr_remote_sent, 0);
	assert_non_null(heap_peek(6)->remote.head);
	assert_int_equal(posix_malloc_check(), 0); /* with the stack full */
	/* arena 6 allocates again: takes the stack, same blocks come back */
	blocks_sized(&again, 6, RFREE_BATCH, 100);
	on_arena(6, alloc_blocks, &again);
	assert_null(heap_peek(6)->remote.head);
	assert_true(same_set(b.p, again.p, RFREE_BATCH));
	assert_int_equal(arena(6).bytes_in_use, (RFREE_BATCH + 1) * 112);
	assert_int_equal(posix_malloc_check(), 0);
	again.p[RFREE_BATCH] = b.p[RFREE_BATCH];
	again.n = RFREE_BATCH + 1;
	on_arena(6, free_many_blocks, &again);
	assert_int_equal(arena(6).bytes_in_use, 0);
}

/* A thread that ends pushes what it still holds: a partial batch. */
void test_remote_exit_pushes(void **state)
{
	(void)state;
	struct blocks b;
	blocks_sized(&b, 8, 10, 200);
	on_arena(8, alloc_blocks, &b);
	struct posix_malloc_stats s8 = arena(8), s0 = arena(0);
	on_arena(0, free_all_but_watch, &b);
	assert_int_equal(b.seen.nr_frees, s8.nr_frees);
	assert_int_equal(b.seen.bytes_in_use, 10 * 224);
	assert_pushed(8, &s8, &s0, 10, 1);
	assert_int_equal(arena(8).bytes_in_use, 0);
	assert_int_equal(posix_malloc_check(), 0);
}

/* A block waiting in a pending chain is free: a second free of it is a
 * double free, malloc_usable_size refuses it, and it is pushed once. */
static void *free_twice(void *p)
{
	go_live();
	um_free(p);
	assert_int_equal(merr.count, 0);
	um_free(p);
	assert_int_equal(merr.count, 1);
	assert_string_equal(merr.msg, "free(): double free");
	assert_ptr_equal(merr.p, p);
	merr_reset();
	assert_int_equal(um_malloc_usable_size(p), 0);
	assert_int_equal(merr.count, 1);
	merr_reset();
	assert_int_equal(posix_malloc_check(), 0); /* checks the chain */
	return NULL;
}

void test_remote_double_free(void **state)
{
	(void)state;
	struct blocks b;
	blocks_sized(&b, 8, 1, 300);
	on_arena(8, alloc_blocks, &b);
	struct posix_malloc_stats s8 = arena(8), s0 = arena(0);
	on_arena(0, free_twice, b.p[0]);
	assert_pushed(8, &s8, &s0, 1, 1); /* once, not twice */
	assert_int_equal(arena(8).bytes_in_use, 0);
}

/* malloc_trim on node 0 pushes; on node 9 it takes the stack back. */
static void *free_and_trim(void *arg)
{
	struct blocks *b = arg;
	go_live();
	for (int i = 0; i < b->n; i++)
		um_free(b->p[i]);
	b->seen = arena(b->arena);
	assert_int_equal(um_malloc_trim(0), 1);
	assert_int_equal(um_malloc_trim(0), 0); /* nothing left to do */
	return NULL;
}

static void *trim(void *arg)
{
	(void)arg;
	return (void *)(intptr_t)um_malloc_trim(0);
}

void test_remote_trim(void **state)
{
	(void)state;
	struct blocks b;
	blocks_sized(&b, 9, 5, 40);
	on_arena(9, alloc_blocks, &b);
	on_arena(0, free_and_trim, &b);
	assert_int_equal(b.seen.nr_frees, 0);
	assert_int_equal(b.seen.bytes_in_use, 5 * 48);
	struct posix_malloc_stats a9 = arena(9);
	assert_int_equal(a9.nr_frees, 5);
	assert_int_equal(a9.bytes_in_use, 0);
	assert_int_equal(a9.nr_remote_recv_batches, 1);
	/* pushed by trim, not by the thread's exit: one batch */
	void **head = heap_peek(9)->remote.head;
	assert_non_null(head);
	assert_int_equal(on_arena(0, trim, NULL), 0); /* not arena 9's node */
	assert_ptr_equal(heap_peek(9)->remote.head, head);
	assert_int_equal(on_arena(9, trim, NULL), 1);
	assert_null(heap_peek(9)->remote.head);
	assert_int_equal(on_arena(9, trim, NULL), 0);
	assert_int_equal(arena(9).nr_frees, 5); /* taken back, not recounted */
	assert_int_equal(posix_malloc_check(), 0);
}

/* One chain of several classes goes back to each class's own list. */
static const size_t mixed[] = {16, 100, 1000, 2000, 5000};
#define NMIXED (int)(sizeof(mixed) / sizeof(mixed[0]))

void test_remote_mixed_classes(void **state)
{
	(void)state;
	struct blocks b, kept, again;
	blocks_sized(&b, 10, 3 * NMIXED, 0);
	for (int i = 0; i < b.n; i++)
		b.size[i] = mixed[i % NMIXED];
	kept = b; /* one more of each class, so the spans stay */
	kept.n = NMIXED;
	on_arena(10, alloc_blocks, &b);
	on_arena(10, alloc_blocks, &kept);
	size_t in_use = arena(10).bytes_in_use;
	on_arena(0, free_all_but_watch, &b);
	assert_int_equal(b.seen.nr_remote_recv, 0);
	assert_int_equal(arena(10).nr_remote_recv, 3 * NMIXED);
	assert_int_equal(arena(10).nr_remote_recv_batches, 1);
	assert_int_equal(arena(10).bytes_in_use,
			 in_use - 3 * (16 + 112 + 1024 + 2048 + 5120));
	assert_int_equal(posix_malloc_check(), 0);
	/* node 10 allocates the same sizes: the same blocks, class by class */
	again = b;
	on_arena(10, alloc_blocks, &again);
	for (int c = 0; c < NMIXED; c++) {
		void *x[3], *y[3];
		for (int i = 0; i < 3; i++) {
			x[i] = b.p[c + i * NMIXED];
			y[i] = again.p[c + i * NMIXED];
		}
		assert_true(same_set(x, y, 3));
	}
	assert_int_equal(arena(10).bytes_in_use, in_use);
	assert_int_equal(posix_malloc_check(), 0);
	on_arena(10, free_many_blocks, &again);
	on_arena(10, free_many_blocks, &kept);
	assert_int_equal(arena(10).bytes_in_use, 0);
}

/* Five arenas' blocks freed by one thread: the fifth takes the oldest
 * slot, whose chain is pushed then; a chain is pushed at RFREE_BYTES. */
static void *free_five(void *arg)
{
	struct blocks *b = arg;
	go_live();
	for (int i = 0; i < 4; i++)
		um_free(b->p[i]);
	assert_int_equal(arena(11).nr_remote_recv, 0);
	um_free(b->p[4]); /* arena 15: slot 0 (arena 11) pushed */
	assert_int_equal(arena(11).nr_remote_recv, 1);
	for (int k = 12; k <= 15; k++)
		assert_int_equal(arena(k).nr_remote_recv, 0);
	/* 32 KiB blocks of arena 12: a push at 256 KiB, the 8th */
	for (int i = 5; i < 12; i++)
		um_free(b->p[i]);
	assert_int_equal(arena(12).nr_remote_recv, 0);
	um_free(b->p[12]);
	assert_int_equal(arena(12).nr_remote_recv, 1 + 8);
	assert_int_equal(arena(12).nr_remote_recv_batches, 1);
	return NULL;
}

void test_remote_slots(void **state)
{
	(void)state;
	struct blocks b, one;
	memset(&b, 0, sizeof(b));
	for (int k = 11; k <= 15; k++) {
		blocks_sized(&one, k, 1, 64);
		on_arena(k, alloc_blocks, &one);
		b.p[k - 11] = one.p[0];
	}
	blocks_sized(&one, 12, 8, 30000);
	on_arena(12, alloc_blocks, &one);
	memcpy(&b.p[5], one.p, 8 * sizeof(void *));
	on_arena(0, free_five, &b);
	for (int k = 11; k <= 15; k++) {
		assert_int_equal(arena(k).bytes_in_use, 0);
		/* arena 12's 64-byte block went with its big ones */
		assert_int_equal(arena(k).nr_remote_recv_batches, 1);
	}
	assert_int_equal(posix_malloc_check(), 0);
}
