/*
 * tests/unit/test_kmalloc.c — unit tests of the kernel heap (mm/kmalloc.c)
 * over the aligned_alloc page provider of test_slab.c: size classes,
 * alignment, the large path, krealloc, every refused kfree, and threads.
 * kmalloc is global, so the tests run in order on one instance.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "mm/kmalloc.h"
#include "tests/unit/test_slab.h"

static struct test_pages kp;

static struct kmalloc_stats kstats(void)
{
	struct kmalloc_stats s;

	kmalloc_stats(&s);
	return s;
}

/* kfree_checked refuses p, and exactly one more bad free is counted. */
static void assert_bad_kfree(void *p)
{
	uint64_t before = kstats().bad_frees;

	assert_int_equal(kfree_checked(p), -EINVAL);
	assert_int_equal(kstats().bad_frees, before + 1);
}

static void test_before_init(void **state)
{
	struct slab_page_ops ops = test_pages_ops(&kp), bad = ops;
	char x[32];

	(void)state;
	assert_null(kmalloc(16));
	assert_null(kzalloc(16));
	assert_null(krealloc(NULL, 16));
	assert_int_equal(ksize(x), 0);
	assert_int_equal(kfree_checked(NULL), 0);
	assert_int_equal(kfree_checked(x), -EINVAL);
	kfree(NULL);
	assert_int_equal(kstats().bad_frees, 1);
	assert_int_equal(kstats().classes[0].objs_per_slab, 0);

	assert_int_equal(kmalloc_init(NULL), -EINVAL);
	bad.alloc_pages = NULL;
	assert_int_equal(kmalloc_init(&bad), -EINVAL);
	bad = ops;
	bad.free_pages = NULL;
	assert_int_equal(kmalloc_init(&bad), -EINVAL);
	assert_int_equal(kmalloc_init(&ops), 0);
	assert_int_equal(kmalloc_init(&ops), -EBUSY);
	assert_int_equal(kp.allocs, 0);
}

static void test_classes(void **state)
{
	static const size_t req[][2] = {
	    {0, 16},	  {1, 16},	{15, 16},     {16, 16},
	    {17, 32},	  {32, 32},	{33, 64},     {64, 64},
	    {65, 128},	  {128, 128},	{129, 256},   {256, 256},
	    {257, 512},	  {512, 512},	{513, 1024},  {1000, 1024},
	    {1024, 1024}, {1025, 2048}, {2047, 2048}, {2048, 2048},
	};
	enum { N = sizeof(req) / sizeof(req[0]) };
	void *p[N];
	struct kmalloc_stats s;

	(void)state;
	for (unsigned i = 0; i < N; i++) {
		p[i] = kmalloc(req[i][0]);
		assert_non_null(p[i]);
		assert_int_equal((uintptr_t)p[i] % KMALLOC_ALIGN, 0);
		assert_int_equal(ksize(p[i]), req[i][1]);
		memset(p[i], 0xa5, req[i][1]);
	}
	s = kstats();
	/* 16: four; 32, 64, 128, 256, 512: two each; 1024: three; 2048: three
	 */
	assert_int_equal(s.classes[0].objs_in_use, 4);
	for (unsigned c = 1; c <= 5; c++)
		assert_int_equal(s.classes[c].objs_in_use, 2);
	assert_int_equal(s.classes[6].objs_in_use, 3);
	assert_int_equal(s.classes[7].objs_in_use, 3);
	for (unsigned c = 0; c < KMALLOC_NR_CLASSES; c++) {
		assert_int_equal(s.classes[c].order, KMALLOC_SLAB_ORDER);
		assert_int_equal(s.classes[c].slabs, 1);
	}
	assert_int_equal(s.classes[7].objs_per_slab, 3);
	assert_int_equal(s.large_in_use, 0);
	/* kmalloc(0) objects are distinct. */
	assert_ptr_not_equal(p[0], p[1]);
	for (unsigned i = 0; i < N; i++)
		assert_int_equal(kfree_checked(p[i]), 0);
	s = kstats();
	for (unsigned c = 0; c < KMALLOC_NR_CLASSES; c++) {
		assert_int_equal(s.classes[c].objs_in_use, 0);
		assert_int_equal(s.classes[c].slabs_empty, 1);
	}
	assert_int_equal(kp.blocks, KMALLOC_NR_CLASSES);
}

static void test_kzalloc(void **state)
{
	unsigned char *p, *q;

	(void)state;
	p = kmalloc(100);
	memset(p, 0xff, 100);
	kfree(p);
	q = kzalloc(100);
	assert_ptr_equal(q, p);
	for (int i = 0; i < 100; i++)
		assert_int_equal(q[i], 0);
	kfree(q);
	q = kzalloc(20000);
	assert_non_null(q);
	for (int i = 0; i < 20000; i++)
		assert_int_equal(q[i], 0);
	kfree(q);
}

static void test_large(void **state)
{
	long blocks = kp.blocks;
	char *a, *b, *c, *d;
	struct kmalloc_stats s;

	(void)state;
	a = kmalloc(KMALLOC_MAX_SMALL + 1);
	assert_non_null(a);
	assert_int_equal((uintptr_t)a & (KMALLOC_BLOCK - 1), KMALLOC_LARGE_HDR);
	assert_int_equal(ksize(a), 8192 - 16);
	memset(a, 1, ksize(a));
	b = kmalloc(8176); /* still one 8 KiB block */
	assert_int_equal(ksize(b), 8176);
	c = kmalloc(8177); /* 16 KiB */
	assert_int_equal(ksize(c), 16384 - 16);
	assert_int_equal((uintptr_t)c & 16383, 16);
	d = kmalloc(KMALLOC_MAX_SIZE);
	assert_non_null(d);
	assert_int_equal(ksize(d), (4096ul << 10) - 16);
	d[KMALLOC_MAX_SIZE - 1] = 7;
	s = kstats();
	assert_int_equal(s.large_in_use, 4);
	assert_int_equal(s.large_pages, 2 + 2 + 4 + 1024);
	assert_int_equal(kp.blocks, blocks + 4);

	assert_null(kmalloc(KMALLOC_MAX_SIZE + 1));
	assert_null(kmalloc(SIZE_MAX));
	assert_null(kzalloc(SIZE_MAX - 8));
	kp.fail = true;
	assert_null(kmalloc(5000));
	kp.fail = false;
	kp.misalign = true;
	assert_null(kmalloc(5000));
	kp.misalign = false;
	s = kstats();
	assert_int_equal(s.large_failures, 5);
	assert_int_equal(s.large_in_use, 4);
	assert_int_equal(kp.blocks, blocks + 4);

	kfree(a);
	kfree(b);
	kfree(c);
	kfree(d);
	s = kstats();
	assert_int_equal(s.large_in_use, 0);
	assert_int_equal(s.large_pages, 0);
	assert_int_equal(kp.blocks, blocks);
}

static void test_kfree_errors(void **state)
{
	struct slab_page_ops ops = test_pages_ops(&kp);
	struct slab_cache foreign;
	uint64_t bad = kstats().bad_frees;
	char *p, *l, *f, *blk;
	uint32_t hdr[4] = {0x4b4c5247u, 0, 0, 0};

	(void)state;
	p = kmalloc(64);
	l = kmalloc(10000);	 /* a 16 KiB block */
	assert_bad_kfree(p + 1); /* inside a slab object */
	assert_bad_kfree(p + 16);
	assert_bad_kfree(l + 16); /* inside a large block */
	assert_bad_kfree(l - 16); /* its header */
	memset(l, 0, 10000);
	assert_bad_kfree(l + 8192 - 16); /* its second 8 KiB */
	assert_int_equal(ksize(l + 16), 0);
	assert_int_equal(ksize(p + 16), 0);

	/* An object of a slab cache that is not kmalloc's. */
	assert_int_equal(slab_cache_init_order(&foreign, "foreign", 64, 16,
					       KMALLOC_SLAB_ORDER, &ops),
			 0);
	f = slab_alloc(&foreign);
	assert_bad_kfree(f);
	assert_int_equal(ksize(f), 0);
	assert_int_equal(slab_free(&foreign, f), 0);
	assert_int_equal(slab_cache_destroy(&foreign), 0);

	/* Blocks that only look like kmalloc's. */
	blk = aligned_alloc(KMALLOC_BLOCK, KMALLOC_BLOCK);
	memset(blk, 0, KMALLOC_BLOCK);
	assert_bad_kfree(blk + 16);
	hdr[1] = 0; /* a large header with an impossible order */
	memcpy(blk, hdr, sizeof(hdr));
	assert_bad_kfree(blk + 16);
	hdr[1] = KMALLOC_MAX_ORDER + 1;
	memcpy(blk, hdr, sizeof(hdr));
	assert_bad_kfree(blk + 16);
	free(blk);

	/* Double frees, with the freed blocks kept readable. */
	assert_int_equal(kfree_checked(p), 0);
	assert_bad_kfree(p);
	kp.quarantine = true;
	assert_int_equal(kfree_checked(l), 0);
	assert_bad_kfree(l);
	kp.quarantine = false;
	test_pages_release_held(&kp);
	assert_int_equal(kstats().bad_frees, bad + 11);
	assert_int_equal(kstats().large_in_use, 0);
}

static void test_krealloc(void **state)
{
	char *p, *q, *x;

	(void)state;
	p = krealloc(NULL, 10);
	assert_int_equal(ksize(p), 16);
	memcpy(p, "abcdefghijklmno", 16);
	assert_ptr_equal(krealloc(p, 16), p);
	q = krealloc(p, 100);
	assert_ptr_not_equal(q, p);
	assert_int_equal(ksize(q), 128);
	assert_string_equal(q, "abcdefghijklmno");
	assert_int_equal(kfree_checked(p), -EINVAL); /* p went back */
	p = krealloc(q, 5000);
	assert_int_equal(ksize(p), 8176);
	assert_string_equal(p, "abcdefghijklmno");
	assert_ptr_equal(krealloc(p, 100), p); /* shrinking stays put */
	/* Out of memory: NULL, and p untouched and still live. */
	kp.fail = true;
	assert_null(krealloc(p, 100000));
	kp.fail = false;
	assert_string_equal(p, "abcdefghijklmno");
	assert_int_equal(kstats().large_in_use, 1);
	assert_null(krealloc(p, 0));
	assert_int_equal(kstats().large_in_use, 0);
	/* Not a kmalloc pointer: refused, nothing freed. */
	x = aligned_alloc(KMALLOC_BLOCK, KMALLOC_BLOCK);
	memset(x, 0, KMALLOC_BLOCK);
	assert_null(krealloc(x + 64, 100));
	free(x);
	assert_null(krealloc(q, 100)); /* q was freed by the move */
	assert_int_equal(ksize(NULL), 0);
}

/* ---- threads ---- */

/* Operations per thread; each yields, as explained at SLAB_MT_OPS. */
#ifndef KMALLOC_MT_OPS
#define KMALLOC_MT_OPS 10000
#endif

enum { KT_THREADS = 4, KT_SLOTS = 200, KT_OPS = KMALLOC_MT_OPS };

struct kworker {
	pthread_t t;
	uint32_t id;
	unsigned long errors;
};

static void *kworker(void *arg)
{
	struct kworker *w = arg;
	uint32_t *live[KT_SLOTS] = {NULL};
	size_t len[KT_SLOTS];
	uint64_t r = 0x9e3779b97f4a7c15ull * (w->id + 3);

	for (unsigned i = 0; i < KT_OPS; i++) {
		unsigned s;
		uint32_t tag;

		r ^= r << 13;
		r ^= r >> 7;
		r ^= r << 17;
		sched_yield();
		s = (unsigned)(r % KT_SLOTS);
		tag = w->id << 16 | s;
		if (live[s]) {
			for (size_t k = 0; k < len[s] / 4; k++)
				if (live[s][k] != tag)
					w->errors++;
			if (kfree_checked(live[s]))
				w->errors++;
			live[s] = NULL;
			continue;
		}
		/* Mostly small; one in 64 large. */
		len[s] = (r >> 20) % 64 ? 4 + (r >> 32) % 2045
					: 3000 + (r >> 32) % 20000;
		live[s] = kmalloc(len[s]);
		if (!live[s] || (uintptr_t)live[s] % KMALLOC_ALIGN ||
		    ksize(live[s]) < len[s]) {
			w->errors++;
			live[s] = NULL;
			continue;
		}
		for (size_t k = 0; k < len[s] / 4; k++)
			live[s][k] = tag;
	}
	for (unsigned s = 0; s < KT_SLOTS; s++)
		if (live[s] && kfree_checked(live[s]))
			w->errors++;
	return NULL;
}

static void test_kmalloc_threads(void **state)
{
	struct kworker w[KT_THREADS];
	struct kmalloc_stats s;
	uint64_t bad = kstats().bad_frees;

	(void)state;
	for (uint32_t i = 0; i < KT_THREADS; i++) {
		w[i].id = i;
		w[i].errors = 0;
		assert_int_equal(pthread_create(&w[i].t, NULL, kworker, &w[i]),
				 0);
	}
	for (unsigned i = 0; i < KT_THREADS; i++) {
		assert_int_equal(pthread_join(w[i].t, NULL), 0);
		assert_int_equal(w[i].errors, 0);
	}
	s = kstats();
	for (unsigned c = 0; c < KMALLOC_NR_CLASSES; c++) {
		assert_int_equal(s.classes[c].objs_in_use, 0);
		assert_int_equal(s.classes[c].allocs, s.classes[c].frees);
		assert_int_equal(s.classes[c].poison_errors, 0);
		assert_true(s.classes[c].slabs_empty <= 1);
		assert_int_equal(s.classes[c].slabs, s.classes[c].slabs_empty);
	}
	assert_int_equal(s.large_in_use, 0);
	assert_int_equal(s.large_pages, 0);
	assert_int_equal(s.bad_frees, bad);
}

int kmalloc_run_tests(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_before_init),
	    cmocka_unit_test(test_classes),
	    cmocka_unit_test(test_kzalloc),
	    cmocka_unit_test(test_large),
	    cmocka_unit_test(test_kfree_errors),
	    cmocka_unit_test(test_krealloc),
	    cmocka_unit_test(test_kmalloc_threads),
	};

	return cmocka_run_group_tests_name("kmalloc", tests, NULL, NULL);
}
