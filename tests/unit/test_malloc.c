/*
 * tests/unit/test_malloc.c — host tests of the application heap
 * (posix/malloc*.c) through its um_-prefixed API: exact results and errno
 * of every function, alignment of every size and power-of-two alignment,
 * overlap, realloc, reuse, misuse detection, statistics; main() for all
 * groups (white-box ones in test_malloc_chunks.c, threaded ones in
 * test_malloc_mt.c).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tests/unit/test_malloc.h"

#define KIB ((size_t)1 << 10)
#define MIB ((size_t)1 << 20)
#define GIB ((size_t)1 << 30)

static int setup(void **state)
{
	merr_reset();
	return 0;
}

/* Every test leaves no unexpected error and a consistent heap. */
static int teardown(void **state)
{
	assert_int_equal(merr.count, 0);
	assert_int_equal(posix_malloc_check(), 0);
	assert_int_equal(merr.count, 0);
	return 0;
}

static void expect_error(const char *msg, void *p)
{
	assert_int_equal(merr.count, 1);
	assert_string_equal(merr.msg, msg);
	assert_ptr_equal(merr.p, p);
	merr_reset();
}

static struct posix_malloc_stats stats(void)
{
	struct posix_malloc_stats st;
	posix_malloc_stats(&st);
	return st;
}

static bool all_bytes(const void *p, int v, size_t n)
{
	const unsigned char *b = p;
	size_t i;

	for (i = 0; i < n; i++)
		if (b[i] != (unsigned char)v)
			return false;
	return true;
}

/* ---- malloc, calloc, free ------------------------------------------------ */

static void test_malloc_basic(void **state)
{
	void *p, *q;

	p = um_malloc(0);
	q = um_malloc(0);
	assert_non_null(p);
	assert_non_null(q);
	assert_ptr_not_equal(p, q);
	assert_int_equal(um_malloc_usable_size(p), 16);
	assert_int_equal(um_malloc_usable_size(NULL), 0);
	um_free(p);
	um_free(q);
	um_free(NULL);

	p = um_malloc(100);
	assert_int_equal(um_malloc_usable_size(p), 112);
	um_free(p);
	p = um_malloc(SMALL_MAX + 1);
	assert_int_equal(um_malloc_usable_size(p), CHUNK_SIZE);
	um_free(p);

	/* success leaves errno alone */
	errno = 1234;
	p = um_calloc(2, 3);
	q = um_realloc(p, 500);
	um_free(q);
	um_free(um_malloc(200000));
	assert_int_equal(um_posix_memalign(&p, 64, 10), 0);
	um_free(p);
	assert_int_equal(errno, 1234);

	errno = 0;
	assert_null(um_malloc(SIZE_MAX));
	assert_int_equal(errno, ENOMEM);
	errno = 0;
	assert_null(um_malloc(HOST_REGION_SIZE + 1));
	assert_int_equal(errno, ENOMEM);
	errno = 0;
	assert_null(um_malloc(SIZE_MAX - CHUNK_SIZE / 2));
	assert_int_equal(errno, ENOMEM);
}

/* The region is exhausted (the block is never touched: no memory used). */
static void test_malloc_exhausted(void **state)
{
	void *p = um_malloc(7 * GIB);

	assert_non_null(p);
	errno = 0;
	assert_null(um_malloc(1 * GIB));
	assert_int_equal(errno, ENOMEM);
	errno = 0;
	assert_null(um_calloc(1, 1 * GIB));
	assert_int_equal(errno, ENOMEM);
	um_free(p);
	p = um_malloc(1 * GIB);
	assert_non_null(p);
	um_free(p);
}

/* Every size 1..64 KiB: aligned, big enough, and no overlap among 255
 * live blocks at a time (each filled with its own byte, checked later). */
static void test_every_size(void **state)
{
	enum { GROUP = 255 };
	static void *blk[GROUP];
	static size_t len[GROUP];
	unsigned g = 0, i;
	size_t n;

	for (n = 1; n <= 64 * KIB; n++) {
		void *p = um_malloc(n);
		assert_non_null(p);
		assert_int_equal((uintptr_t)p % 16, 0);
		assert_true(um_malloc_usable_size(p) >= n);
		memset(p, (int)g + 1, n);
		blk[g] = p;
		len[g++] = n;
		if (g < GROUP && n < 64 * KIB)
			continue;
		for (i = 0; i < g; i++) {
			assert_true(all_bytes(blk[i], (int)i + 1, len[i]));
			um_free(blk[i]);
		}
		g = 0;
	}
}

static void test_calloc_zeroes(void **state)
{
	size_t sizes[] = {1, 100, 4000, 32768, 100000, 3 * MIB}, i;
	unsigned char *p, *q;

	p = um_calloc(0, 5);
	assert_non_null(p);
	um_free(p);
	p = um_calloc(5, 0);
	assert_non_null(p);
	um_free(p);
	errno = 0;
	assert_null(um_calloc(SIZE_MAX, 2));
	assert_int_equal(errno, ENOMEM);
	errno = 0;
	assert_null(um_calloc((size_t)1 << 32, (size_t)1 << 32));
	assert_int_equal(errno, ENOMEM);
	errno = 0;
	assert_null(um_calloc(1, SIZE_MAX));
	assert_int_equal(errno, ENOMEM);

	/* reused memory is cleared */
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		p = um_malloc(sizes[i]);
		memset(p, 0xa5, sizes[i]);
		um_free(p);
		q = um_calloc(sizes[i], 1);
		if (sizes[i] <= SMALL_MAX) /* the thread cache is LIFO */
			assert_ptr_equal(q, p);
		assert_true(all_bytes(q, 0, sizes[i]));
		q[0] = 1;
		um_free(q);
		q = um_calloc(1, sizes[i]);
		assert_true(all_bytes(q, 0, sizes[i]));
		um_free(q);
	}
}

/* ---- realloc ------------------------------------------------------------- */

static void fill_seq(unsigned char *p, size_t n, unsigned seed)
{
	size_t i;
	for (i = 0; i < n; i++)
		p[i] = (unsigned char)(i * 31 + seed);
}

static bool check_seq(const unsigned char *p, size_t n, unsigned seed)
{
	size_t i;
	for (i = 0; i < n; i++)
		if (p[i] != (unsigned char)(i * 31 + seed))
			return false;
	return true;
}

static void test_realloc_edges(void **state)
{
	struct posix_malloc_stats a, b;
	void *p, *q;

	p = um_realloc(NULL, 10);
	assert_non_null(p);
	assert_int_equal(um_malloc_usable_size(p), 16);
	a = stats();
	errno = 0;
	assert_null(um_realloc(p, 0));
	assert_int_equal(errno, 0);
	b = stats();
	assert_int_equal(b.nr_frees, a.nr_frees + 1);
	assert_ptr_equal(um_malloc(10), p); /* it was freed */
	um_free(p);

	/* in place while it fits and stays at least half used */
	p = um_malloc(100);
	assert_ptr_equal(um_realloc(p, 112), p);
	assert_ptr_equal(um_realloc(p, 57), p);
	assert_ptr_equal(um_realloc(p, 97), p);
	q = um_realloc(p, 40);
	assert_ptr_not_equal(q, p);
	assert_int_equal(um_malloc_usable_size(q), 48);
	p = um_realloc(q, 113);
	assert_int_equal(um_malloc_usable_size(p), 128);
	um_free(p);

	/* failure leaves the block alone */
	p = um_malloc(300);
	fill_seq(p, 300, 7);
	errno = 0;
	assert_null(um_realloc(p, SIZE_MAX));
	assert_int_equal(errno, ENOMEM);
	assert_true(check_seq(p, 300, 7));
	errno = 0;
	assert_null(um_reallocarray(p, SIZE_MAX / 2, 3));
	assert_int_equal(errno, ENOMEM);
	assert_true(check_seq(p, 300, 7));
	q = um_reallocarray(p, 100, 10);
	assert_non_null(q);
	assert_true(check_seq(q, 300, 7));
	assert_int_equal(um_malloc_usable_size(q), 1024);
	um_free(q);
	q = um_reallocarray(NULL, 3, 5);
	assert_int_equal(um_malloc_usable_size(q), 16);
	um_free(q);
}

/* Growth and shrinking through every regime keep the contents. */
static void test_realloc_contents(void **state)
{
	unsigned char *p = um_malloc(1);
	size_t n = 1, next;

	p[0] = 31 * 0 + 3;
	while (n < 20 * MIB) {
		next = n + n / 2 + 1;
		p = um_realloc(p, next);
		assert_non_null(p);
		assert_true(check_seq(p, n, 3));
		fill_seq(p, next, 3);
		n = next;
	}
	while (n > 1) {
		next = n / 3;
		if (!next)
			next = 1;
		p = um_realloc(p, next);
		assert_non_null(p);
		assert_true(check_seq(p, next, 3));
		n = next;
	}
	um_free(p);
}

/* Large blocks shrink in place and grow back into what they gave up. */
static void test_realloc_large_in_place(void **state)
{
	struct posix_malloc_stats a, b;
	unsigned char *p = um_malloc(10 * MIB), *q;

	fill_seq(p, 1 * MIB, 9);
	a = stats();
	assert_ptr_equal(um_realloc(p, 1 * MIB), p);
	b = stats();
	assert_int_equal(b.bytes_in_use, a.bytes_in_use - 9 * MIB);
	assert_int_equal(b.nr_allocs, a.nr_allocs);
	assert_int_equal(um_malloc_usable_size(p), 1 * MIB);
	assert_ptr_equal(um_realloc(p, 10 * MIB - 5), p);
	assert_int_equal(um_malloc_usable_size(p), 10 * MIB);
	assert_true(check_seq(p, 1 * MIB, 9));
	assert_int_equal(stats().bytes_in_use, a.bytes_in_use);
	/* large to small moves */
	q = um_realloc(p, 1000);
	assert_ptr_not_equal(q, p);
	assert_int_equal(um_malloc_usable_size(q), 1024);
	assert_true(check_seq(q, 1000, 9));
	um_free(q);
}

/* ---- aligned allocation -------------------------------------------------- */

static void test_memalign_every_alignment(void **state)
{
	size_t extra[] = {1, 7, 16, 100, 4096, 40000, 100000};
	enum { N = sizeof(extra) / sizeof(extra[0]) + 3 };
	size_t a, n, sz[N];
	void *p[N];
	unsigned i, k;

	for (a = 1; a <= 1 * MIB; a <<= 1) {
		memcpy(sz, extra, sizeof(extra));
		sz[N - 3] = a > 1 ? a - 1 : 1;
		sz[N - 2] = a;
		sz[N - 1] = 3 * a + 1;
		for (k = 0; k < 3; k++) {
			for (i = 0; i < N; i++) {
				n = sz[i];
				if (k == 0) {
					assert_int_equal(
					    um_posix_memalign(&p[i],
							      a < 8 ? 8 : a, n),
					    0);
				} else if (k == 1) {
					p[i] = um_memalign(a, n);
				} else {
					p[i] = um_aligned_alloc(a, n);
				}
				assert_non_null(p[i]);
				assert_int_equal((uintptr_t)p[i] % a, 0);
				assert_int_equal((uintptr_t)p[i] % 16, 0);
				assert_true(um_malloc_usable_size(p[i]) >= n);
				memset(p[i], (int)i + 1, n);
			}
			for (i = 0; i < N; i++) {
				assert_true(all_bytes(p[i], (int)i + 1, sz[i]));
				um_free(p[i]);
			}
		}
	}
	/* alignments far above a chunk */
	for (a = 2 * MIB; a <= 1 * GIB; a <<= 3) {
		p[0] = um_memalign(a, 10);
		assert_non_null(p[0]);
		assert_int_equal((uintptr_t)p[0] % a, 0);
		um_free(p[0]);
	}
}

static void test_memalign_errors(void **state)
{
	size_t bad[] = {0, 3, 4, 12, 24, 48, (size_t)1 << 63 | 8};
	void *sentinel = (void *)0x1234, *p;
	unsigned i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		p = sentinel;
		errno = 4321;
		assert_int_equal(um_posix_memalign(&p, bad[i], 16), EINVAL);
		assert_ptr_equal(p, sentinel);
		assert_int_equal(errno, 4321);
	}
	p = sentinel;
	errno = 4321;
	assert_int_equal(um_posix_memalign(&p, 16, SIZE_MAX), ENOMEM);
	assert_int_equal(um_posix_memalign(&p, (size_t)1 << 40, 16), ENOMEM);
	assert_int_equal(um_posix_memalign(&p, 64, 9 * GIB), ENOMEM);
	assert_ptr_equal(p, sentinel);
	assert_int_equal(errno, 4321);

	errno = 0;
	assert_null(um_memalign(0, 16));
	assert_int_equal(errno, EINVAL);
	errno = 0;
	assert_null(um_memalign(48, 16));
	assert_int_equal(errno, EINVAL);
	errno = 0;
	assert_null(um_aligned_alloc(24, 48));
	assert_int_equal(errno, EINVAL);
	errno = 0;
	assert_null(um_memalign(4096, SIZE_MAX));
	assert_int_equal(errno, ENOMEM);
	errno = 0;
	assert_null(um_pvalloc(SIZE_MAX - 100));
	assert_int_equal(errno, ENOMEM);
}

static void test_valloc(void **state)
{
	void *p = um_valloc(1);

	assert_int_equal((uintptr_t)p % 4096, 0);
	assert_true(um_malloc_usable_size(p) >= 1);
	um_free(p);
	p = um_pvalloc(0);
	assert_int_equal((uintptr_t)p % 4096, 0);
	assert_true(um_malloc_usable_size(p) >= 4096);
	um_free(p);
	p = um_pvalloc(5000);
	assert_int_equal((uintptr_t)p % 4096, 0);
	assert_true(um_malloc_usable_size(p) >= 8192);
	um_free(p);
	p = um_valloc(100000);
	assert_int_equal((uintptr_t)p % 4096, 0);
	um_free(p);
}

/* ---- reuse and bounded growth -------------------------------------------- */

static void test_large_reuse_bounded(void **state)
{
	struct posix_malloc_stats a = stats(), b;
	void *first = NULL, *p, *q;
	int i;

	for (i = 0; i < 1000; i++) {
		p = um_malloc(10 * MIB);
		assert_non_null(p);
		((char *)p)[0] = 1;
		((char *)p)[10 * MIB - 1] = 2;
		if (i == 1)
			first = p;
		if (i > 1)
			assert_ptr_equal(p, first);
		um_free(p);
	}
	b = stats();
	assert_true(b.bytes_mapped <= a.bytes_mapped + 10 * MIB);
	assert_int_equal(b.bytes_in_use, a.bytes_in_use);
	assert_int_equal(b.nr_allocs, a.nr_allocs + 1000);
	assert_int_equal(b.nr_frees, a.nr_frees + 1000);

	/* two alternating blocks also stay within two blocks' worth */
	for (i = 0; i < 500; i++) {
		p = um_malloc(10 * MIB);
		q = um_malloc(10 * MIB + 1);
		assert_non_null(p);
		assert_non_null(q);
		um_free(p);
		um_free(q);
	}
	assert_true(stats().bytes_mapped <= b.bytes_mapped + 21 * MIB);
}

/* ---- misuse -------------------------------------------------------------- */

static void test_double_free(void **state)
{
	void *p, *big, *q;

	p = um_malloc(64);
	um_free(p);
	um_free(p);
	expect_error("free(): double free", p);
	assert_int_equal(um_malloc_usable_size(p), 0);
	expect_error("malloc_usable_size(): invalid pointer", p);
	errno = 0;
	assert_null(um_realloc(p, 100));
	assert_int_equal(errno, EINVAL);
	expect_error("realloc(): invalid pointer", p);

	big = um_malloc(1 * MIB);
	q = um_malloc(1 * MIB);
	um_free(big);
	um_free(big);
	expect_error("free(): double free", big);
	um_free(q); /* merges with big's run */
	um_free(big);
	expect_error("free(): double free", big);
	um_free(q);
	expect_error("free(): double free", q);
}

static void test_invalid_pointers(void **state)
{
	char *p = um_malloc(100), *big = um_malloc(200000);
	int local;

	um_free(p + 8);
	expect_error("free(): invalid pointer", p + 8);
	um_free(p + 1);
	expect_error("free(): invalid pointer", p + 1);
	um_free(big + 4096);
	expect_error("free(): invalid pointer", big + 4096);
	um_free(big + CHUNK_SIZE);
	expect_error("free(): invalid pointer", big + CHUNK_SIZE);
	um_free(&local);
	expect_error("free(): invalid pointer", &local);
	um_free((void *)16);
	expect_error("free(): invalid pointer", (void *)16);
	assert_int_equal(um_malloc_usable_size(big + 16), 0);
	expect_error("malloc_usable_size(): invalid pointer", big + 16);
	assert_null(um_realloc(&local, 10));
	expect_error("realloc(): invalid pointer", &local);
	/* a never carved object of a live span */
	um_free(p + 112 * (CHUNK_SIZE / 112 - 1));
	expect_error("free(): invalid pointer",
		     p + 112 * (CHUNK_SIZE / 112 - 1));
	um_free(p);
	um_free(big);
}

/* posix_malloc_check finds a write into a freed block. */
static void test_check_finds_corruption(void **state)
{
	void **p = um_malloc(64), *key;

	um_free(p);
	key = p[1];
	p[1] = NULL;
	assert_int_equal(posix_malloc_check(), -EINVAL);
	expect_error("heap check: free object without the key", p);
	p[1] = key;
}

/* ---- statistics and newlib entry points ---------------------------------- */

static void test_stats(void **state)
{
	struct posix_malloc_stats a = stats(), b;
	void *p, *q;

	p = um_malloc(100);
	q = um_calloc(1, 100000);
	b = stats();
	assert_int_equal(b.nr_allocs, a.nr_allocs + 2);
	assert_int_equal(b.nr_frees, a.nr_frees);
	assert_int_equal(b.bytes_in_use, a.bytes_in_use + 112 + 2 * CHUNK_SIZE);
	assert_true(b.bytes_mapped >= b.bytes_in_use);
	um_free(p);
	um_free(q);
	b = stats();
	assert_int_equal(b.nr_allocs, a.nr_allocs + 2);
	assert_int_equal(b.nr_frees, a.nr_frees + 2);
	assert_int_equal(b.bytes_in_use, a.bytes_in_use);
}

static void test_newlib_entry_points(void **state)
{
	void *p, *q;

	p = um__malloc_r(NULL, 20);
	assert_int_equal(um__malloc_usable_size_r(NULL, p), 32);
	q = um__realloc_r(NULL, p, 200);
	assert_int_equal(um__malloc_usable_size_r(NULL, q), 224);
	um__free_r(NULL, q);
	p = um__calloc_r(NULL, 10, 10);
	assert_true(all_bytes(p, 0, 100));
	um__free_r(NULL, p);
	p = um__memalign_r(NULL, 256, 10);
	assert_int_equal((uintptr_t)p % 256, 0);
	um__free_r(NULL, p);
	errno = 0;
	assert_null(um__calloc_r(NULL, SIZE_MAX, SIZE_MAX));
	assert_int_equal(errno, ENOMEM);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_size_classes),
	    T(test_buckets),
	    T(test_malloc_basic),
	    T(test_malloc_exhausted),
	    T(test_every_size),
	    T(test_calloc_zeroes),
	    T(test_realloc_edges),
	    T(test_realloc_contents),
	    T(test_realloc_large_in_place),
	    T(test_memalign_every_alignment),
	    T(test_memalign_errors),
	    T(test_valloc),
	    T(test_large_reuse_bounded),
	    T(test_double_free),
	    T(test_invalid_pointers),
	    T(test_check_finds_corruption),
	    T(test_stats),
	    T(test_newlib_entry_points),
	    T(test_heap_create),
	    T(test_chunks),
	    T(test_chunk_resize),
	    T(test_ulock_basic),
	    T(test_ulock_contended),
	    T(test_thread_exit),
	    T(test_stress_4),
	    T(test_stress_16),
	    T(test_arena_local_blocks),
	    T(test_arena_remote_frees),
	    T(test_arena_realloc_and_size),
	    T(test_arena_moving_thread),
	    T(test_arena_misuse),
	    T(test_remote_batch),
	    T(test_remote_exit_pushes),
	    T(test_remote_double_free),
	    T(test_remote_trim),
	    T(test_remote_mixed_classes),
	    T(test_remote_slots),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
