/*
 * tests/unit/test_slab.c — unit tests of the slab caches (mm/slab.c), the
 * aligned_alloc page provider shared with the kmalloc tests, a 4-thread
 * stress, and main() for both groups (kmalloc lives in test_kmalloc.c).
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/test_slab.h"

/* ---- the page provider ---- */

static void *tp_alloc(unsigned order, void *ctx)
{
	struct test_pages *tp = ctx;
	size_t sz = SLAB_PAGE_SIZE << order;
	char *p;

	__atomic_fetch_add(&tp->allocs, 1, __ATOMIC_RELAXED);
	if (__atomic_load_n(&tp->fail, __ATOMIC_RELAXED))
		return NULL;
	if (tp->misalign) {
		p = aligned_alloc(2 * sz, 2 * sz);
		p += SLAB_PAGE_SIZE;
	} else {
		p = aligned_alloc(sz, sz);
	}
	if (!p)
		return NULL;
	__atomic_fetch_add(&tp->blocks, 1, __ATOMIC_RELAXED);
	__atomic_fetch_add(&tp->pages, 1l << order, __ATOMIC_RELAXED);
	return p;
}

static void tp_free(void *p, unsigned order, void *ctx)
{
	struct test_pages *tp = ctx;
	size_t sz = SLAB_PAGE_SIZE << order;

	__atomic_fetch_add(&tp->frees, 1, __ATOMIC_RELAXED);
	__atomic_fetch_sub(&tp->blocks, 1, __ATOMIC_RELAXED);
	__atomic_fetch_sub(&tp->pages, 1l << order, __ATOMIC_RELAXED);
	if ((uintptr_t)p & (sz - 1)) { /* one of the misaligned ones */
		free((char *)p - SLAB_PAGE_SIZE);
		return;
	}
	if (tp->quarantine && tp->nheld < TP_MAX_HELD) {
		tp->held[tp->nheld++] = p;
		return;
	}
	free(p);
}

struct slab_page_ops test_pages_ops(struct test_pages *tp)
{
	struct slab_page_ops ops = {
	    .alloc_pages = tp_alloc,
	    .free_pages = tp_free,
	    .ctx = tp,
	};
	return ops;
}

void test_pages_release_held(struct test_pages *tp)
{
	while (tp->nheld)
		free(tp->held[--tp->nheld]);
}

/* ---- helpers ---- */

static struct test_pages tp;
static struct slab_page_ops ops;
static struct slab_cache cache, other;

static int setup(void **state)
{
	(void)state;
	memset(&tp, 0, sizeof(tp));
	ops = test_pages_ops(&tp);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	test_pages_release_held(&tp);
	return tp.blocks == 0 ? 0 : -1; /* every page went back */
}

static struct slab_stats stats(struct slab_cache *c)
{
	struct slab_stats s;

	slab_cache_stats(c, &s);
	return s;
}

#define assert_slabs(c, inuse, partial, full, empty)                           \
	do {                                                                   \
		struct slab_stats s_ = stats(c);                               \
		assert_int_equal(s_.objs_in_use, (inuse));                     \
		assert_int_equal(s_.slabs_partial, (partial));                 \
		assert_int_equal(s_.slabs_full, (full));                       \
		assert_int_equal(s_.slabs_empty, (empty));                     \
		assert_int_equal(s_.slabs, (partial) + (full) + (empty));      \
	} while (0)

/* ---- init and layout ---- */

static void test_init_errors(void **state)
{
	struct slab_page_ops bad = ops;

	(void)state;
	assert_int_equal(slab_cache_init(&cache, "x", 16, 0, NULL), -EINVAL);
	bad.alloc_pages = NULL;
	assert_int_equal(slab_cache_init(&cache, "x", 16, 0, &bad), -EINVAL);
	bad = ops;
	bad.free_pages = NULL;
	assert_int_equal(slab_cache_init(&cache, "x", 16, 0, &bad), -EINVAL);
	assert_int_equal(slab_cache_init(&cache, "x", 0, 0, &ops), -EINVAL);
	assert_int_equal(slab_cache_init(&cache, "x", 16, 3, &ops), -EINVAL);
	assert_int_equal(slab_cache_init(&cache, "x", 16, 24, &ops), -EINVAL);
	assert_int_equal(slab_cache_init(&cache, "x", 16, 8192, &ops), -EINVAL);
	assert_int_equal(slab_cache_init(&cache, "x", 65500, 0, &ops), -EINVAL);
	assert_int_equal(slab_cache_init(&cache, "x", 65536, 0, &ops), -EINVAL);
	assert_int_equal(slab_cache_init(&cache, "x", SIZE_MAX, 0, &ops),
			 -EINVAL);
	assert_int_equal(
	    slab_cache_init_order(&cache, "x", 16, 0, SLAB_MAX_ORDER + 1, &ops),
	    -EINVAL);
	assert_int_equal(slab_cache_init_order(&cache, "x", 4096, 0, 0, &ops),
			 -EINVAL);
	assert_int_equal(slab_cache_init_order(&cache, "x", 4000, 0, 0, &ops),
			 0);
	assert_int_equal(cache.objs_per_slab, 1);
	assert_int_equal(tp.allocs, 0); /* nothing allocated up front */
}

/* The header is 40 bytes plus one 64-bit bitmap word per 64 objects. */
static void test_layout(void **state)
{
	static const struct {
		size_t size, align;
		unsigned order;
		uint32_t objs;
		size_t off, stride;
	} want[] = {
	    {16, 0, 0, 251, 72, 16},	  {1, 0, 0, 499, 104, 8},
	    {100, 64, 0, 31, 64, 128},	  {2048, 16, 2, 7, 48, 2048},
	    {5000, 0, 3, 6, 48, 5000},	  {40000, 0, 4, 1, 48, 40000},
	    {24, 4096, 3, 7, 4096, 4096},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		assert_int_equal(slab_cache_init(&cache, "l", want[i].size,
						 want[i].align, &ops),
				 0);
		assert_int_equal(cache.order, want[i].order);
		assert_int_equal(cache.objs_per_slab, want[i].objs);
		assert_int_equal(cache.obj_off, want[i].off);
		assert_int_equal(cache.stride, want[i].stride);
		assert_int_equal(cache.slab_bytes, 4096ul << want[i].order);
		assert_true(cache.obj_off +
				cache.objs_per_slab * cache.stride <=
			    cache.slab_bytes);
	}
	assert_int_equal(slab_cache_init_order(&cache, "l", 16, 16, 1, &ops),
			 0);
	assert_int_equal(cache.objs_per_slab, 505);
	assert_int_equal(cache.obj_off, 112);
	assert_string_equal(cache.name, "l");
}

/* ---- allocation ---- */

struct obj {
	char *p;
	size_t size;
	int cache;
};

static int cmp_obj(const void *a, const void *b)
{
	const struct obj *x = a, *y = b;

	return x->p < y->p ? -1 : x->p > y->p;
}

/* Many objects of several sizes: aligned, disjoint, intact, exact stats. */
static void test_many_sizes(void **state)
{
	static const size_t sizes[][2] = {
	    {8, 0}, {24, 8}, {100, 64}, {1000, 16}, {5000, 32},
	};
	enum { NC = 5, PER = 700 };
	static struct slab_cache cs[NC];
	static struct obj all[NC * PER];
	size_t n = 0;

	(void)state;
	for (int c = 0; c < NC; c++)
		assert_int_equal(slab_cache_init(&cs[c], "many", sizes[c][0],
						 sizes[c][1], &ops),
				 0);
	for (int i = 0; i < PER; i++) {
		for (int c = 0; c < NC; c++) {
			char *p = slab_alloc(&cs[c]);

			assert_non_null(p);
			assert_int_equal((uintptr_t)p % cs[c].align, 0);
			memset(p, (int)(n & 0xff), sizes[c][0]);
			all[n].p = p;
			all[n].cache = c;
			all[n++].size = sizes[c][0];
		}
	}
	qsort(all, n, sizeof(all[0]), cmp_obj);
	for (size_t i = 0; i + 1 < n; i++)
		assert_true(all[i].p + all[i].size <= all[i + 1].p);
	for (int c = 0; c < NC; c++) {
		uint32_t per = cs[c].objs_per_slab;
		uint64_t full = PER / per, part = PER % per ? 1 : 0;

		assert_slabs(&cs[c], PER, part, full, 0);
		assert_int_equal(stats(&cs[c]).allocs, PER);
	}
	/* Each slab knows its cache; free everything. */
	for (size_t i = 0; i < n; i++) {
		struct slab_cache *c = &cs[all[i].cache];
		uintptr_t slab = (uintptr_t)all[i].p & ~(c->slab_bytes - 1);

		assert_ptr_equal(slab_cache_of((void *)slab), c);
		assert_int_equal(slab_free(c, all[i].p), 0);
	}
	for (int c = 0; c < NC; c++) {
		assert_slabs(&cs[c], 0, 0, 0, 1); /* one spare kept */
		assert_int_equal(stats(&cs[c]).frees, PER);
	}
	assert_int_equal(tp.blocks, NC);
	for (int c = 0; c < NC; c++)
		assert_int_equal(slab_cache_destroy(&cs[c]), 0);
	assert_int_equal(tp.blocks, 0);
}

static void test_reuse(void **state)
{
	void *a, *b2, *c, *d;

	(void)state;
	assert_int_equal(slab_cache_init(&cache, "reuse", 64, 0, &ops), 0);
	a = slab_alloc(&cache);
	b2 = slab_alloc(&cache);
	assert_ptr_equal((char *)b2, (char *)a + 64);
	assert_int_equal((uintptr_t)a & 4095, cache.obj_off);
	assert_int_equal(slab_free(&cache, a), 0);
	c = slab_alloc(&cache); /* the lowest free object comes back */
	assert_ptr_equal(c, a);
	d = slab_alloc(&cache);
	assert_ptr_equal((char *)d, (char *)a + 128);
	assert_slabs(&cache, 3, 1, 0, 0);
	assert_int_equal(tp.allocs, 1);
	assert_int_equal(slab_free(&cache, b2), 0);
	assert_int_equal(slab_free(&cache, c), 0);
	assert_int_equal(slab_free(&cache, d), 0);
	assert_slabs(&cache, 0, 0, 0, 1);
	assert_int_equal(slab_cache_destroy(&cache), 0);
}

/* Empty slabs beyond one spare go back to the provider. */
static void test_empty_release(void **state)
{
	enum { MAXO = 3 * 251 };
	static void *objs[MAXO];
	uint32_t n;

	(void)state;
	assert_int_equal(slab_cache_init(&cache, "rel", 16, 0, &ops), 0);
	n = cache.objs_per_slab;
	assert_int_equal(n, 251);
	for (uint32_t i = 0; i < 3 * n; i++)
		assert_non_null(objs[i] = slab_alloc(&cache));
	assert_slabs(&cache, 3 * n, 0, 3, 0);
	assert_int_equal(tp.blocks, 3);
	/* Objects of one slab are contiguous: find slab boundaries. */
	qsort(objs, 3 * n, sizeof(void *), cmp_obj);
	assert_int_equal(slab_free(&cache, objs[0]), 0);
	assert_slabs(&cache, 3 * n - 1, 1, 2, 0);
	for (uint32_t i = 1; i < n; i++)
		assert_int_equal(slab_free(&cache, objs[i]), 0);
	assert_slabs(&cache, 2 * n, 0, 2, 1); /* the spare */
	assert_int_equal(tp.blocks, 3);
	for (uint32_t i = n; i < 2 * n; i++)
		assert_int_equal(slab_free(&cache, objs[i]), 0);
	assert_slabs(&cache, n, 0, 1, 1); /* the second empty one went back */
	assert_int_equal(tp.blocks, 2);
	assert_int_equal(tp.frees, 1);
	/* The spare is used before a new slab is fetched. */
	assert_non_null(objs[0] = slab_alloc(&cache));
	assert_slabs(&cache, n + 1, 1, 1, 0);
	assert_int_equal(tp.allocs, 3);
	assert_int_equal(slab_free(&cache, objs[0]), 0);
	assert_int_equal(slab_cache_destroy(&cache), -EBUSY);
	assert_int_equal(tp.blocks, 2);
	slab_cache_shrink(&cache);
	assert_slabs(&cache, n, 0, 1, 0);
	assert_int_equal(tp.blocks, 1);
	for (uint32_t i = 2 * n; i < 3 * n; i++)
		assert_int_equal(slab_free(&cache, objs[i]), 0);
	assert_slabs(&cache, 0, 0, 0, 1);
	assert_int_equal(slab_cache_destroy(&cache), 0);
	assert_slabs(&cache, 0, 0, 0, 0);
	assert_int_equal(tp.blocks, 0);
}

/* Every bad free is refused, counted, and changes nothing else. */
static void assert_bad_free(struct slab_cache *c, void *p)
{
	struct slab_stats before = stats(c), after;

	assert_int_equal(slab_free(c, p), -EINVAL);
	after = stats(c);
	before.bad_frees++;
	assert_memory_equal(&before, &after, sizeof(before));
}

static void test_free_errors(void **state)
{
	char *a, *b2, *o, *slab;
	void *zeros;

	(void)state;
	assert_int_equal(slab_cache_init(&cache, "err", 32, 0, &ops), 0);
	assert_int_equal(slab_cache_init(&other, "other", 32, 0, &ops), 0);
	a = slab_alloc(&cache);
	b2 = slab_alloc(&cache);
	o = slab_alloc(&other);
	slab = (char *)((uintptr_t)a & ~4095ul);
	assert_ptr_equal(slab_cache_of(slab), &cache);

	assert_bad_free(&cache, NULL);
	assert_bad_free(&cache, a + 1); /* inside an object */
	assert_bad_free(&cache, a + 16);
	assert_bad_free(&cache, slab); /* the header */
	assert_bad_free(&cache, slab + cache.obj_off - 32);
	assert_bad_free(&cache, /* past the last object */
			slab + cache.obj_off + cache.objs_per_slab * 32);
	assert_bad_free(&cache, o); /* another cache's object */
	assert_bad_free(&other, a);
	assert_bad_free(&cache, a + 64);   /* a free object: never allocated */
	zeros = aligned_alloc(4096, 4096); /* not a slab at all */
	memset(zeros, 0, 4096);
	assert_null(slab_cache_of(zeros));
	assert_bad_free(&cache, (char *)zeros + cache.obj_off);
	free(zeros);

	assert_int_equal(slab_free(&cache, a), 0);
	assert_bad_free(&cache, a); /* double free */
	assert_int_equal(stats(&cache).bad_frees, 10);
	assert_int_equal(stats(&other).bad_frees, 1);
	assert_slabs(&cache, 1, 1, 0, 0);
	/* Still works after all that. */
	assert_ptr_equal(slab_alloc(&cache), a);
	assert_int_equal(slab_free(&cache, a), 0);
	assert_int_equal(slab_free(&cache, b2), 0);
	assert_bad_free(&cache, b2);
	assert_int_equal(slab_free(&other, o), 0);

	/* A freed slab's header is wiped: stale pointers are refused. */
	tp.quarantine = true;
	slab_cache_shrink(&cache);
	assert_null(slab_cache_of(slab));
	assert_bad_free(&cache, a);
	tp.quarantine = false;
	assert_int_equal(slab_cache_destroy(&cache), 0);
	assert_int_equal(slab_cache_destroy(&other), 0);
}

static void test_oom(void **state)
{
	void *p;

	(void)state;
	assert_int_equal(slab_cache_init_order(&cache, "oom", 64, 0, 1, &ops),
			 0);
	tp.fail = true;
	assert_null(slab_alloc(&cache));
	assert_null(slab_alloc(&cache));
	assert_int_equal(stats(&cache).alloc_failures, 2);
	tp.fail = false;
	/* A provider that breaks the alignment contract: refused, handed back.
	 */
	tp.misalign = true;
	assert_null(slab_alloc(&cache));
	assert_int_equal(stats(&cache).alloc_failures, 3);
	assert_int_equal(tp.blocks, 0);
	tp.misalign = false;
	assert_non_null(p = slab_alloc(&cache));
	assert_slabs(&cache, 1, 1, 0, 0);
	assert_int_equal(stats(&cache).allocs, 1);
	assert_int_equal(slab_free(&cache, p), 0);
	assert_int_equal(slab_cache_destroy(&cache), 0);
}

/* SLAB_DEBUG (on in host builds): a write after free is noticed. */
static void test_poison(void **state)
{
	unsigned char *p, *q;

	(void)state;
	assert_int_equal(SLAB_DEBUG, 1);
	assert_int_equal(slab_cache_init(&cache, "poison", 48, 16, &ops), 0);
	p = slab_alloc(&cache);
	for (int i = 0; i < 48; i++)
		assert_int_equal(p[i], SLAB_POISON);
	memset(p, 0, 48);
	assert_int_equal(slab_free(&cache, p), 0);
	for (int i = 0; i < 48; i++)
		assert_int_equal(p[i], SLAB_POISON);
	assert_int_equal(stats(&cache).poison_errors, 0);
	p[47] = 1; /* the bug under test: a write after free */
	q = slab_alloc(&cache);
	assert_ptr_equal(q, p);
	assert_int_equal(stats(&cache).poison_errors, 1);
	assert_int_equal(slab_free(&cache, q), 0);
	assert_int_equal(slab_cache_destroy(&cache), 0);
}

/* ---- threads ---- */

/*
 * Operations per thread. Each op ends with a sched_yield(): host threads,
 * unlike kernel CPUs holding a spinlock with interrupts off, get preempted
 * while holding or queued on a ticket, and the host arch_cpu_relax() does
 * not yield, so without it the waiters spin through whole time slices
 * (minutes instead of a second on a loaded 2-CPU machine). Two threads
 * still run at once and contend for the lock.
 */
#ifndef SLAB_MT_OPS
#define SLAB_MT_OPS 20000
#endif

enum { NTHREADS = 4, SLOTS = 300, OPS = SLAB_MT_OPS, OBJ = 40 };

struct worker {
	pthread_t t;
	unsigned id;
	unsigned long errors;
};

static void *worker(void *arg)
{
	struct worker *w = arg;
	uint32_t *live[SLOTS] = {NULL};
	uint64_t r = 0x2545f4914f6cdd1dull * (w->id + 1);

	for (unsigned i = 0; i < OPS; i++) {
		unsigned s;
		uint32_t tag;

		r ^= r << 13;
		r ^= r >> 7;
		r ^= r << 17;
		sched_yield(); /* see SLAB_MT_OPS */
		s = (unsigned)(r % SLOTS);
		tag = w->id << 16 | s; /* unique to this thread and slot */
		if (live[s]) {
			for (int k = 0; k < OBJ / 4; k++)
				if (live[s][k] != tag)
					w->errors++;
			if (slab_free(&cache, live[s]))
				w->errors++;
			live[s] = NULL;
		} else {
			live[s] = slab_alloc(&cache);
			if (!live[s] || (uintptr_t)live[s] % 16) {
				w->errors++;
				live[s] = NULL;
				continue;
			}
			for (int k = 0; k < OBJ / 4; k++)
				live[s][k] = tag;
		}
	}
	for (unsigned s = 0; s < SLOTS; s++)
		if (live[s] && slab_free(&cache, live[s]))
			w->errors++;
	return NULL;
}

static void test_threads(void **state)
{
	struct worker w[NTHREADS];
	struct slab_stats s;

	(void)state;
	assert_int_equal(slab_cache_init(&cache, "mt", OBJ, 16, &ops), 0);
	for (unsigned i = 0; i < NTHREADS; i++) {
		w[i].id = i;
		w[i].errors = 0;
		assert_int_equal(pthread_create(&w[i].t, NULL, worker, &w[i]),
				 0);
	}
	for (unsigned i = 0; i < NTHREADS; i++) {
		assert_int_equal(pthread_join(w[i].t, NULL), 0);
		assert_int_equal(w[i].errors, 0);
	}
	s = stats(&cache);
	assert_int_equal(s.objs_in_use, 0);
	assert_int_equal(s.allocs, s.frees);
	assert_true(s.allocs >= NTHREADS * OPS / 2);
	assert_int_equal(s.bad_frees, 0);
	assert_int_equal(s.poison_errors, 0);
	assert_int_equal(s.slabs, s.slabs_empty);
	assert_true(s.slabs_empty <= 1);
	assert_int_equal(slab_cache_destroy(&cache), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_init_errors, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_layout, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_many_sizes, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_reuse, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_empty_release, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_free_errors, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_oom, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_poison, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_threads, setup, teardown),
	};
	int failed = cmocka_run_group_tests_name("slab", tests, NULL, NULL);

	return failed + kmalloc_run_tests();
}
