/*
 * tests/unit/test_malloc_mt.c — threaded host tests of the application
 * heap: the futex mutex (posix/ulock.c), thread caches on fresh threads
 * and at thread exit, and stresses of 4 and 16 threads in which most
 * blocks are freed by another thread than the one that allocated them.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tests/unit/test_malloc.h"

static void run_thread(void *(*fn)(void *), void *arg)
{
	pthread_t t;

	assert_int_equal(pthread_create(&t, NULL, fn, arg), 0);
	assert_int_equal(pthread_join(t, NULL), 0);
}

/* ---- ulock --------------------------------------------------------------- */

static struct ulock lk = ULOCK_INIT;
static long counter;

static void *lock_once(void *arg)
{
	ulock_lock(&lk);
	counter++;
	ulock_unlock(&lk);
	return NULL;
}

void test_ulock_basic(void **state)
{
	pthread_t t;
	int spins = 0;

	counter = 0;
	assert_true(ulock_trylock(&lk));
	assert_int_equal(lk.word, 1);
	assert_false(ulock_trylock(&lk));
	ulock_unlock(&lk);
	assert_int_equal(lk.word, 0);
	ulock_lock(&lk);
	assert_int_equal(lk.word, 1);
	/* a second locker marks the word contended and sleeps */
	assert_int_equal(pthread_create(&t, NULL, lock_once, NULL), 0);
	while (__atomic_load_n(&lk.word, __ATOMIC_RELAXED) != 2) {
		assert_true(++spins < 10000000);
		sched_yield();
	}
	assert_int_equal(counter, 0);
	ulock_unlock(&lk);
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_int_equal(counter, 1);
	assert_int_equal(lk.word, 0);
}

enum { LOCKERS = 8, LOCK_ROUNDS = 100000 };

static void *lock_many(void *arg)
{
	int i;

	for (i = 0; i < LOCK_ROUNDS; i++) {
		ulock_lock(&lk);
		counter++;
		ulock_unlock(&lk);
	}
	return NULL;
}

void test_ulock_contended(void **state)
{
	pthread_t t[LOCKERS];
	int i;

	counter = 0;
	for (i = 0; i < LOCKERS; i++)
		assert_int_equal(pthread_create(&t[i], NULL, lock_many, NULL),
				 0);
	for (i = 0; i < LOCKERS; i++)
		assert_int_equal(pthread_join(t[i], NULL), 0);
	assert_int_equal(counter, (long)LOCKERS * LOCK_ROUNDS);
	assert_int_equal(lk.word, 0);
}

/* ---- thread caches ------------------------------------------------------- */

enum { REUSE_N = 50 };

static int cmp_ptr(const void *a, const void *b)
{
	uintptr_t x = *(const uintptr_t *)a, y = *(const uintptr_t *)b;
	return x < y ? -1 : x > y;
}

/* On a fresh thread: blocks freed come back, as the same set. */
static void *reuse_thread(void *arg)
{
	void *a[REUSE_N], *b[REUSE_N];
	int i;

	for (i = 0; i < REUSE_N; i++)
		a[i] = um_malloc(200);
	for (i = 0; i < REUSE_N; i++)
		um_free(a[i]);
	for (i = 0; i < REUSE_N; i++)
		b[i] = um_malloc(200);
	qsort(a, REUSE_N, sizeof(a[0]), cmp_ptr);
	qsort(b, REUSE_N, sizeof(b[0]), cmp_ptr);
	*(bool *)arg = memcmp(a, b, sizeof(a)) == 0;
	for (i = 0; i < REUSE_N; i++)
		um_free(b[i]);
	posix_malloc_thread_exit();
	return NULL;
}

static void *exit_thread(void *arg)
{
	void **out = arg;
	int i;

	/* leave objects of many classes in the cache */
	for (i = 1; i < 3000; i += 7)
		um_free(um_malloc((size_t)i * 10));
	out[0] = um_malloc(64);
	um_free(out[0]);
	posix_malloc_thread_exit();
	/* still usable without a cache */
	out[1] = um_malloc(100);
	out[2] = um_malloc(100000);
	um_free(out[1]);
	um_free(out[2]);
	out[1] = um_malloc(48);
	posix_malloc_thread_exit(); /* a second call does nothing */
	return NULL;
}

/* Short-lived threads: each leaves blocks of many classes in its cache
 * and one block for the main thread, then exits. */
static void *short_thread(void *arg)
{
	void *keep[40];
	int i;

	for (i = 0; i < 40; i++)
		keep[i] = um_malloc((size_t)(i * 97 + 1) * (i % 3 ? 1 : 40));
	for (i = 0; i < 40; i++)
		um_free(keep[i]);
	*(void **)arg = um_malloc(300);
	posix_malloc_thread_exit();
	return NULL;
}

static void many_threads(void)
{
	enum { ROUNDS = 50, WIDTH = 8 };
	struct posix_malloc_stats a, b;
	void *out[WIDTH];
	pthread_t t[WIDTH];
	int r, i;

	posix_malloc_stats(&a);
	for (r = 0; r < ROUNDS; r++) {
		for (i = 0; i < WIDTH; i++)
			assert_int_equal(
			    pthread_create(&t[i], NULL, short_thread, &out[i]),
			    0);
		for (i = 0; i < WIDTH; i++) {
			assert_int_equal(pthread_join(t[i], NULL), 0);
			assert_int_equal(um_malloc_usable_size(out[i]), 320);
			um_free(out[i]);
		}
	}
	posix_malloc_stats(&b);
	assert_int_equal(b.bytes_in_use, a.bytes_in_use);
	assert_int_equal(b.nr_allocs - a.nr_allocs, ROUNDS * WIDTH * 41);
	assert_int_equal(b.nr_frees - a.nr_frees, ROUNDS * WIDTH * 41);
	assert_int_equal(posix_malloc_check(), 0);
}

void test_thread_exit(void **state)
{
	struct posix_malloc_stats a, b;
	bool same = false;
	void *out[3];

	run_thread(reuse_thread, &same);
	assert_true(same);

	posix_malloc_stats(&a);
	run_thread(exit_thread, out);
	posix_malloc_stats(&b);
	assert_int_equal(b.bytes_in_use, a.bytes_in_use + 48);
	assert_int_equal(b.nr_allocs - b.nr_frees,
			 a.nr_allocs - a.nr_frees + 1);
	assert_int_equal(um_malloc_usable_size(out[1]), 48);
	um_free(out[1]);
	/* the exited thread's cached block is still known to be free */
	um_free(out[0]);
	assert_int_equal(merr.count, 1);
	assert_string_equal(merr.msg, "free(): double free");
	assert_ptr_equal(merr.p, out[0]);
	merr_reset();

	many_threads();
}

/* ---- stress -------------------------------------------------------------- */

#define MAX_THREADS 16
#define MAILBOX	    1024
#define LOCAL	    64

struct blk {
	unsigned char *p;
	size_t n;
	unsigned char v;
};

struct mailbox {
	pthread_mutex_t lock;
	unsigned len;
	struct blk b[MAILBOX];
};

struct stress {
	int nthreads, iters;
	pthread_barrier_t barrier;
	struct mailbox box[MAX_THREADS];
	int failures; /* (atomic) */
};

struct worker {
	struct stress *s;
	int id;
	uint64_t rng;
};

static uint64_t rnd(struct worker *w)
{
	w->rng ^= w->rng << 13;
	w->rng ^= w->rng >> 7;
	w->rng ^= w->rng << 17;
	return w->rng;
}

/* Small sizes mostly, some medium, a few large. */
static size_t pick_size(struct worker *w)
{
	unsigned r = (unsigned)(rnd(w) % 100);

	if (r < 70)
		return rnd(w) % 512 + 1;
	if (r < 95)
		return rnd(w) % 32768 + 1;
	return rnd(w) % 300000 + 1;
}

/* Whole block up to 4 KiB, else both ends: overlap shows either way. */
static void paint(struct blk *b)
{
	if (b->n <= 4096) {
		memset(b->p, b->v, b->n);
	} else {
		memset(b->p, b->v, 2048);
		memset(b->p + b->n - 2048, b->v, 2048);
	}
}

static bool all_painted(const unsigned char *p, unsigned char v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] != v)
			return false;
	return true;
}

static bool intact(const struct blk *b)
{
	size_t i, n = b->n <= 4096 ? b->n : 2048;

	for (i = 0; i < n; i++)
		if (b->p[i] != b->v || b->p[b->n - 1 - i] != b->v)
			return false;
	return true;
}

static void release(struct worker *w, struct blk *b)
{
	if (!intact(b))
		__atomic_fetch_add(&w->s->failures, 1, __ATOMIC_RELAXED);
	um_free(b->p);
}

static void make(struct worker *w, struct blk *b)
{
	unsigned kind = (unsigned)(rnd(w) % 10);

	b->n = pick_size(w);
	b->v = (unsigned char)(rnd(w) | 1);
	if (kind == 0)
		b->p = um_calloc(1, b->n);
	else if (kind == 1)
		b->p = um_memalign((size_t)16 << (rnd(w) % 8), b->n);
	else
		b->p = um_malloc(b->n);
	if (!b->p || (kind == 0 && b->p[b->n - 1] != 0))
		__atomic_fetch_add(&w->s->failures, 1, __ATOMIC_RELAXED);
	if (b->p)
		paint(b);
}

static void drain(struct worker *w)
{
	struct mailbox *mb = &w->s->box[w->id];
	struct blk got[MAILBOX];
	unsigned i, n;

	pthread_mutex_lock(&mb->lock);
	n = mb->len;
	memcpy(got, mb->b, n * sizeof(got[0]));
	mb->len = 0;
	pthread_mutex_unlock(&mb->lock);
	for (i = 0; i < n; i++)
		release(w, &got[i]);
}

static bool send(struct worker *w, struct blk *b)
{
	struct mailbox *mb = &w->s->box[(w->id + 1) % w->s->nthreads];
	bool ok;

	pthread_mutex_lock(&mb->lock);
	ok = mb->len < MAILBOX;
	if (ok)
		mb->b[mb->len++] = *b;
	pthread_mutex_unlock(&mb->lock);
	return ok;
}

static void *stress_worker(void *arg)
{
	struct worker *w = arg;
	struct blk local[LOCAL], b;
	unsigned slot;
	int i;

	memset(local, 0, sizeof(local));
	for (i = 0; i < w->s->iters; i++) {
		make(w, &b);
		if (!b.p)
			continue;
		if (rnd(w) % 2 == 0 && send(w, &b))
			; /* freed by the next thread */
		else {
			slot = (unsigned)(rnd(w) % LOCAL);
			if (local[slot].p)
				release(w, &local[slot]);
			local[slot] = b;
		}
		/* grow or shrink a kept block now and then */
		slot = (unsigned)(rnd(w) % LOCAL);
		if (i % 16 == 0 && local[slot].p) {
			size_t keep =
			    local[slot].n < 2048 ? local[slot].n : 2048;
			struct blk r = local[slot];
			if (!intact(&r))
				__atomic_fetch_add(&w->s->failures, 1,
						   __ATOMIC_RELAXED);
			r.n = pick_size(w);
			r.p = um_realloc(r.p, r.n);
			if (!r.p || !all_painted(r.p, local[slot].v,
						 keep < r.n ? keep : r.n))
				__atomic_fetch_add(&w->s->failures, 1,
						   __ATOMIC_RELAXED);
			paint(&r);
			local[slot] = r;
		}
		if (i % 8 == 0)
			drain(w);
	}
	pthread_barrier_wait(&w->s->barrier); /* no more sends */
	drain(w);
	for (slot = 0; slot < LOCAL; slot++)
		if (local[slot].p)
			release(w, &local[slot]);
	posix_malloc_thread_exit();
	return NULL;
}

static void stress(int nthreads, int iters)
{
	static struct stress s;
	struct worker w[MAX_THREADS];
	pthread_t t[MAX_THREADS];
	struct posix_malloc_stats a, b;
	int i;

	memset(&s, 0, sizeof(s));
	s.nthreads = nthreads;
	s.iters = iters;
	pthread_barrier_init(&s.barrier, NULL, (unsigned)nthreads);
	for (i = 0; i < nthreads; i++)
		pthread_mutex_init(&s.box[i].lock, NULL);
	posix_malloc_stats(&a);
	for (i = 0; i < nthreads; i++) {
		w[i].s = &s;
		w[i].id = i;
		w[i].rng = 0x9e3779b97f4a7c15ull * (uint64_t)(i + 1);
		assert_int_equal(
		    pthread_create(&t[i], NULL, stress_worker, &w[i]), 0);
	}
	for (i = 0; i < nthreads; i++)
		assert_int_equal(pthread_join(t[i], NULL), 0);
	posix_malloc_stats(&b);
	assert_int_equal(s.failures, 0);
	assert_int_equal(b.bytes_in_use, a.bytes_in_use);
	assert_int_equal(b.nr_allocs - b.nr_frees, a.nr_allocs - a.nr_frees);
	assert_true(b.nr_allocs - a.nr_allocs >= (uint64_t)nthreads * iters);
	assert_int_equal(posix_malloc_check(), 0);
	pthread_barrier_destroy(&s.barrier);
}

void test_stress_4(void **state)
{
	stress(4, 40000);
}

void test_stress_16(void **state)
{
	stress(16, 10000);
}
