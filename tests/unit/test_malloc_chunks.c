/*
 * tests/unit/test_malloc_chunks.c — white-box host tests of the heap's
 * building blocks: size classes and their division magic, free-run
 * buckets, and the chunk allocator (placement, coalescing, alignment,
 * in-place resizing, exhaustion, the consistency check) on private heaps.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <sys/mman.h>

#include <cmocka.h>

#include "tests/unit/test_malloc.h"

#define GIB ((size_t)1 << 30)

/* ---- size classes and buckets -------------------------------------------- */

void test_size_classes(void **state)
{
	unsigned c;
	uint32_t o;
	size_t n;

	assert_int_equal(size_class(0), 1);
	for (n = 1; n <= SMALL_MAX; n++) {
		c = size_class(n);
		assert_true(c >= 1 && c <= NCLASSES);
		assert_true(class_size[c] >= n);
		assert_true(c == 1 || class_size[c - 1] < n);
	}
	for (c = 1; c <= NCLASSES; c++) {
		assert_int_equal(class_size[c] % 16, 0);
		assert_int_equal(class_cap[c], CHUNK_SIZE / class_size[c]);
		assert_true(class_batch[c] >= 2 && class_batch[c] <= 32);
		/* the magic gives divisibility and index for every offset */
		for (o = 0; o < CHUNK_SIZE; o++) {
			uint64_t m = (uint64_t)o * class_magic[c];
			assert_int_equal((uint32_t)m < class_magic[c],
					 o % class_size[c] == 0);
			assert_int_equal(m >> 32, o / class_size[c]);
		}
	}
	assert_int_equal(class_size[NCLASSES], SMALL_MAX);
}

void test_buckets(void **state)
{
	unsigned prev = 0, b;
	uint32_t n;

	for (n = 1; n < 1u << 20; n++) {
		b = chunk_bucket(n);
		assert_true(b == prev || b == prev + 1);
		prev = b;
	}
	assert_int_equal(chunk_bucket(1), 1);
	assert_int_equal(chunk_bucket(15), 15);
	assert_int_equal(chunk_bucket(16), 16);
	assert_int_equal(chunk_bucket(17), 16);
	assert_int_equal(chunk_bucket(18), 17);
	assert_true(chunk_bucket(UINT32_MAX) < NBUCKETS);
}

/* ---- the chunk allocator on a private heap ------------------------------- */

#define PRIV_SIZE (1 * GIB)

/* The chunk calls with the byte accounting malloc.c does around them, so
 * heap_check's balance holds on private heaps too. */
static uint32_t c_alloc(struct heap *h, uint32_t n, uint32_t align, bool *fresh)
{
	uint32_t i = chunk_alloc(h, n, align, SPAN_LARGE, fresh);
	if (i)
		h->retired.bytes_alloc += (uint64_t)n << CHUNK_SHIFT;
	return i;
}

static int c_free(struct heap *h, uint32_t i, enum span_kind kind, uint32_t *n)
{
	int err = chunk_free(h, i, kind, n);
	if (!err)
		h->retired.bytes_free += (uint64_t)*n << CHUNK_SHIFT;
	return err;
}

static bool c_resize(struct heap *h, uint32_t i, uint32_t n)
{
	uint32_t old = h->spans[i].nchunks;
	bool ok = chunk_resize(h, i, n);
	if (ok && n > old)
		h->retired.bytes_alloc += (uint64_t)(n - old) << CHUNK_SHIFT;
	if (ok && n < old)
		h->retired.bytes_free += (uint64_t)(old - n) << CHUNK_SHIFT;
	return ok;
}

void test_heap_create(void **state)
{
	char *m = host_map(PRIV_SIZE);
	struct heap *h;

	assert_null(heap_create((uintptr_t)m, HEAP_MIN_REGION - 1));
	assert_null(heap_create((uintptr_t)m, 0));
	assert_null(heap_create(UINTPTR_MAX - 100, 200));
	h = heap_create((uintptr_t)m + 1, PRIV_SIZE - 1);
	assert_non_null(h);
	assert_int_equal(h->base % CHUNK_SIZE, 0);
	assert_true(h->base > (uintptr_t)m);
	assert_true(h->base + h->size <= (uintptr_t)m + PRIV_SIZE);
	assert_true(chunk_addr(h, h->first) >=
		    (uintptr_t)(h->spans + h->nchunks));
	assert_int_equal(h->top, h->first);
	assert_int_equal(h->key & 1, 1);
	assert_int_equal(heap_check(h), 0);
	munmap(m, PRIV_SIZE);
}

void test_chunks(void **state)
{
	char *m = host_map(PRIV_SIZE);
	struct heap *h = heap_create((uintptr_t)m, PRIV_SIZE);
	uint32_t a, b, c, d, f = h->first, n;
	bool fresh;

	a = c_alloc(h, 3, 1, &fresh);
	assert_int_equal(a, f);
	assert_true(fresh);
	b = c_alloc(h, 5, 1, &fresh);
	c = c_alloc(h, 2, 1, &fresh);
	assert_int_equal(b, f + 3);
	assert_int_equal(c, f + 8);
	assert_int_equal(chunk_block_len(h, b), 5);
	assert_int_equal(chunk_block_len(h, b + 1), 0);
	assert_int_equal(c_free(h, b + 1, SPAN_LARGE, &n), -EINVAL);
	assert_int_equal(c_free(h, b, SPAN_SMALL, &n), -EINVAL);
	assert_int_equal(c_free(h, b, SPAN_LARGE, &n), 0);
	assert_int_equal(n, 5);
	assert_int_equal(c_free(h, b, SPAN_LARGE, &n), -EALREADY);
	assert_int_equal(heap_check(h), 0);
	/* the same length comes back to the same place, not fresh */
	assert_int_equal(c_alloc(h, 5, 1, &fresh), b);
	assert_false(fresh);
	/* neighbours coalesce: a+b is one run of 8 */
	assert_int_equal(c_free(h, a, SPAN_LARGE, &n), 0);
	assert_int_equal(c_free(h, b, SPAN_LARGE, &n), 0);
	assert_int_equal(c_free(h, b, SPAN_LARGE, &n), -EALREADY);
	assert_int_equal(heap_check(h), 0);
	assert_int_equal(h->spans[a].kind, SPAN_FREE);
	assert_int_equal(h->spans[a].nchunks, 8);
	assert_int_equal(c_alloc(h, 8, 1, &fresh), a);
	/* shorter requests split the run */
	assert_int_equal(c_free(h, a, SPAN_LARGE, &n), 0);
	assert_int_equal(c_alloc(h, 2, 1, &fresh), a);
	assert_int_equal(c_alloc(h, 6, 1, &fresh), a + 2);
	assert_int_equal(h->top, c + 2);
	/* alignment is of the address */
	d = c_alloc(h, 1, 16, &fresh);
	assert_int_equal((chunk_addr(h, d) >> CHUNK_SHIFT) % 16, 0);
	assert_int_equal(heap_check(h), 0);
	/* exhaustion */
	assert_int_equal(c_alloc(h, h->nchunks, 1, &fresh), 0);
	assert_int_equal(c_alloc(h, 0, 1, &fresh), 0);
	assert_int_equal(c_alloc(h, 1, 3, &fresh), 0);
	assert_int_equal(heap_check(h), 0);
	munmap(m, PRIV_SIZE);
}

void test_chunk_resize(void **state)
{
	char *m = host_map(PRIV_SIZE);
	struct heap *h = heap_create((uintptr_t)m, PRIV_SIZE);
	uint32_t a, b, n;
	bool fresh;

	a = c_alloc(h, 4, 1, &fresh);
	assert_true(c_resize(h, a, 10)); /* into never-used chunks */
	assert_int_equal(h->top, a + 10);
	assert_true(c_resize(h, a, 2)); /* gives 8 back */
	assert_int_equal(h->spans[a + 2].kind, SPAN_FREE);
	assert_int_equal(h->spans[a + 2].nchunks, 8);
	b = c_alloc(h, 3, 1, &fresh);
	assert_int_equal(b, a + 2);
	assert_false(c_resize(h, a, 3)); /* b is in the way */
	assert_true(c_resize(h, b, 8));	 /* b takes the run back */
	assert_true(c_resize(h, b, 20)); /* ...and extends top */
	assert_int_equal(h->top, b + 20);
	assert_int_equal(c_free(h, b, SPAN_LARGE, &n), 0);
	assert_int_equal(n, 20);
	/* a free run ending at top is extended by an allocation */
	assert_int_equal(c_alloc(h, 30, 1, &fresh), b);
	assert_false(fresh);
	assert_int_equal(h->top, b + 30);
	assert_true(c_resize(h, a, 2));
	assert_int_equal(heap_check(h), 0);
	/* a corrupted descriptor is found */
	h->spans[b + 3].kind = SPAN_LARGE;
	assert_int_equal(heap_check(h), -EINVAL);
	assert_int_equal(merr.count, 1);
	assert_string_equal(merr.msg, "heap check: descriptor inside a run");
	assert_ptr_equal(merr.p, (void *)chunk_addr(h, b + 3));
	merr_reset();
	munmap(m, PRIV_SIZE);
}
