/*
 * tests/unit/malloc_bench.c — host micro-benchmark of the application heap
 * (posix/malloc*.c under its um_ names) against glibc's malloc in the same
 * run. Built with -O2 and no sanitizers (tests/unit/malloc.mk):
 *   make build/bench/malloc-host && build/bench/malloc-host
 * Each line: nanoseconds per malloc/free pair as seen by one thread (wall
 * time / pairs per thread), for 1, 2 and 4 threads, best of 3 runs.
 *   pair      malloc then free at once, sizes cycling 16..512
 *   batch     1000 blocks of 16..1024 bytes allocated, then all freed
 *   large     malloc/free of 64 KiB..1 MiB blocks
 *   xthread   one thread allocates, another frees (1, 2, 4 such pairs)
 */
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tests/unit/test_malloc.h"

struct allocator {
	const char *name;
	void *(*alloc)(size_t);
	void (*release)(void *);
};

static const struct allocator unum = {"unum", um_malloc, um_free};
static const struct allocator glibc = {"glibc", malloc, free};

static void escape(void *p)
{
	__asm__ volatile("" : : "r"(p) : "memory");
}

static double now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

enum { PAIRS = 4000000, BATCH = 1000, BATCH_ROUNDS = 4000, LARGE = 200000 };

/* xthread: a single-producer single-consumer ring, indices on their own
 * cache lines so the harness itself does not false-share. */
#define RING 1024
struct ring {
	void *volatile slot[RING];
	volatile unsigned long head __attribute__((aligned(64)));
	volatile unsigned long tail __attribute__((aligned(64)));
} __attribute__((aligned(64)));

struct job {
	const struct allocator *a;
	int kind;
	pthread_barrier_t *start;
	struct ring *ring; /* xthread: shared with the partner */
	int producer;
} __attribute__((aligned(64)));

static void run_pair(const struct allocator *a)
{
	static const size_t sizes[8] = {16, 32, 48, 64, 96, 128, 256, 512};
	long i;

	for (i = 0; i < PAIRS; i++) {
		void *p = a->alloc(sizes[i & 7]);
		escape(p);
		a->release(p);
	}
}

static void run_batch(const struct allocator *a)
{
	static __thread void *blk[BATCH];
	unsigned r = 12345;
	int i, k;

	for (k = 0; k < BATCH_ROUNDS; k++) {
		for (i = 0; i < BATCH; i++) {
			r = r * 1103515245 + 12345;
			blk[i] = a->alloc(16 + (r >> 16) % 1009);
			escape(blk[i]);
		}
		for (i = 0; i < BATCH; i++)
			a->release(blk[i]);
	}
}

static void run_large(const struct allocator *a)
{
	long i;

	for (i = 0; i < LARGE; i++) {
		char *p = a->alloc((size_t)64 * 1024 << (i & 4));
		p[0] = 1;
		escape(p);
		a->release(p);
	}
}

static void run_xthread(struct job *j)
{
	struct ring *r = j->ring;
	long i;

	for (i = 0; i < PAIRS / 2; i++) {
		if (j->producer) {
			void *p = j->a->alloc(16 + (size_t)(i & 255));
			while (r->head - __atomic_load_n(&r->tail,
							 __ATOMIC_ACQUIRE) >=
			       RING)
				sched_yield();
			r->slot[r->head % RING] = p;
			__atomic_store_n(&r->head, r->head + 1,
					 __ATOMIC_RELEASE);
		} else {
			while (__atomic_load_n(&r->head, __ATOMIC_ACQUIRE) ==
			       r->tail)
				sched_yield();
			j->a->release(r->slot[r->tail % RING]);
			__atomic_store_n(&r->tail, r->tail + 1,
					 __ATOMIC_RELEASE);
		}
	}
}

static void *worker(void *arg)
{
	struct job *j = arg;

	pthread_barrier_wait(j->start);
	if (j->kind == 0)
		run_pair(j->a);
	else if (j->kind == 1)
		run_batch(j->a);
	else if (j->kind == 2)
		run_large(j->a);
	else
		run_xthread(j);
	if (j->a == &unum)
		posix_malloc_thread_exit();
	return NULL;
}

static const char *const kinds[] = {"pair", "batch", "large", "xthread"};
static const long per_thread[] = {PAIRS, (long)BATCH *BATCH_ROUNDS, LARGE,
				  PAIRS / 2};

/* ns per pair per thread for nthreads threads running `kind`. */
static double measure(const struct allocator *a, int kind, int nthreads)
{
	static struct ring rings[4];
	pthread_t t[8];
	struct job j[8];
	pthread_barrier_t start;
	double t0;
	int i;

	pthread_barrier_init(&start, NULL, (unsigned)nthreads + 1);
	for (i = 0; i < nthreads; i++) {
		j[i] = (struct job){.a = a, .kind = kind, .start = &start};
		j[i].ring = &rings[i / 2];
		j[i].producer = i % 2 == 0;
		rings[i / 2].head = rings[i / 2].tail = 0;
		pthread_create(&t[i], NULL, worker, &j[i]);
	}
	pthread_barrier_wait(&start);
	t0 = now_ns();
	for (i = 0; i < nthreads; i++)
		pthread_join(t[i], NULL);
	pthread_barrier_destroy(&start);
	return (now_ns() - t0) / per_thread[kind];
}

int main(void)
{
	static const int threads[] = {1, 2, 4};
	struct posix_malloc_stats st;
	unsigned k, n;

	/* warm both: first-touch page faults are not what is measured */
	measure(&unum, 0, 1);
	measure(&glibc, 0, 1);
	printf("%-8s %7s %10s %10s %7s\n", "test", "threads", "unum ns",
	       "glibc ns", "ratio");
	for (k = 0; k < 4; k++) {
		for (n = 0; n < 3; n++) {
			int nt = k == 3 ? 2 * threads[n] : threads[n];
			double u = 1e30, g = 1e30, x;
			int r;
			/* best of 3, interleaved: the host is shared and noisy
			 */
			for (r = 0; r < 3; r++) {
				x = measure(&unum, (int)k, nt);
				u = x < u ? x : u;
				x = measure(&glibc, (int)k, nt);
				g = x < g ? x : g;
			}
			printf("%-8s %7d %10.1f %10.1f %7.2f\n", kinds[k], nt,
			       u, g, u / g);
		}
	}
	posix_malloc_stats(&st);
	printf("unum: %llu allocs, %llu frees, %zu bytes in use, %zu mapped\n",
	       (unsigned long long)st.nr_allocs,
	       (unsigned long long)st.nr_frees, st.bytes_in_use,
	       st.bytes_mapped);
	return posix_malloc_check() ? 1 : 0;
}
