/*
 * tests/unit/test_malloc_arenas.c — one heap per arena (node): a thread
 * allocates in its own arena's region; blocks go back to the arena they
 * came from whoever frees them (also after a realloc on another node); a
 * thread that moves takes its cache along; the counters are per arena;
 * misuse across arenas is caught as within one.
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
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
	/* freed on node 0: back to arena 1 */
	um_free(p1);
	a1 = arena(1);
	assert_int_equal(a1.nr_frees, 1);
	assert_int_equal(a1.bytes_in_use, 0);
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
