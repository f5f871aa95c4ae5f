/*
 * tests/unit/test_mman_space.c — the address space of memory maps
 * (posix/mman_space.c) on the host: the kernel's heap regions are one
 * host mapping cut in per-node pieces; ksys_release zeroes (one node:
 * frames given back) or does nothing (several nodes: the DSM keeps the
 * pages). Each test uses a node of its own, so areas start empty.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

#include <cmocka.h>

#include "kernel/ksys.h"
#include "posix/mman_impl.h"

#define NODES  10
#define REGION (16ul << 20) /* a node's heap region; maps: the upper half */
#define P      MMAN_PAGE

static uint8_t *mem;
static int nodes = 1;
static int releases;

void ksys_heap_region(int node, uintptr_t *base, size_t *size)
{
	if (node < 0 || node >= NODES) {
		*base = *size = 0;
		return;
	}
	*base = (uintptr_t)mem + (size_t)node * REGION;
	*size = REGION;
}

void ksys_release(uintptr_t va, size_t len)
{
	releases++;
	if (nodes == 1)
		memset((void *)va, 0, len);
}

int ksys_cluster_nodes(void)
{
	return nodes;
}

static uintptr_t lo(int k)
{
	return (uintptr_t)mem + (size_t)k * REGION + REGION / 2;
}

static int setup(void **state)
{
	nodes = 1;
	releases = 0;
	return 0;
}

static void test_sequential_and_top(void **state)
{
	uintptr_t a = mman_space_take(0, 2 * P), b = mman_space_take(0, P);
	assert_int_equal(a, lo(0));
	assert_int_equal(b, lo(0) + 2 * P);
	/* giving back what ends at top lowers it: taken again at once */
	assert_int_equal(mman_space_give(0, b, b + P), 0);
	assert_int_equal(releases, 1);
	assert_int_equal(mman_space_take(0, P), b);
	assert_int_equal(mman_space_give(0, b, b + P), 0);
	assert_int_equal(mman_space_give(0, a, a + 2 * P), 0);
	assert_int_equal(mman_space_take(0, 3 * P), lo(0));
}

static void test_first_fit_and_merge(void **state)
{
	uintptr_t a = mman_space_take(1, P), b = mman_space_take(1, P),
		  c = mman_space_take(1, P);
	assert_int_equal(mman_space_give(1, a, a + P), 0);
	assert_int_equal(mman_space_give(1, b, b + P), 0);
	/* a and b merged: 2 pages fit there, below c */
	assert_int_equal(mman_space_take(1, 2 * P), a);
	/* nothing free below c now: the next comes from top */
	assert_int_equal(mman_space_take(1, P), c + P);
	/* a hole of one page does not take two */
	assert_int_equal(mman_space_give(1, a + P, a + 2 * P), 0);
	assert_int_equal(mman_space_take(1, 2 * P), c + 2 * P);
	assert_int_equal(mman_space_take(1, P), a + P);
}

static void test_take_at_and_gap(void **state)
{
	uintptr_t l = lo(2);
	assert_true(mman_space_is_free(2, l, l + 10 * P));
	mman_space_take_at(2, l + 4 * P, l + 5 * P);
	assert_false(mman_space_is_free(2, l + 4 * P, l + 5 * P));
	assert_false(mman_space_is_free(2, l, l + 5 * P));
	assert_true(mman_space_is_free(2, l, l + 4 * P));
	assert_true(mman_space_is_free(2, l + 5 * P, l + 50 * P));
	/* the gap below is free space, first fit */
	assert_int_equal(mman_space_take(2, 2 * P), l);
	assert_int_equal(mman_space_take(2, 3 * P), l + 5 * P);
	assert_int_equal(mman_space_take(2, 2 * P), l + 2 * P);
	/* taking inside a free extent splits it */
	assert_int_equal(mman_space_give(2, l, l + 4 * P), 0);
	mman_space_take_at(2, l + P, l + 2 * P);
	assert_true(mman_space_is_free(2, l, l + P));
	assert_true(mman_space_is_free(2, l + 2 * P, l + 4 * P));
	assert_false(mman_space_is_free(2, l, l + 2 * P));
	assert_int_equal(mman_space_take(2, 2 * P), l + 2 * P);
	assert_int_equal(mman_space_take(2, P), l);
}

static void test_full(void **state)
{
	assert_int_equal(mman_space_take(3, REGION / 2), lo(3));
	assert_int_equal(mman_space_take(3, P), 0);
	assert_false(
	    mman_space_is_free(3, lo(3) + REGION / 2, lo(3) + REGION / 2 + P));
	assert_int_equal(mman_space_give(3, lo(3), lo(3) + P), 0);
	assert_int_equal(mman_space_take(3, P), lo(3));
}

static void test_area_of(void **state)
{
	assert_int_equal(mman_area_of(lo(4), lo(4) + P), 4);
	assert_int_equal(
	    mman_area_of(lo(4) + REGION / 2 - P, lo(4) + REGION / 2), 4);
	assert_int_equal(mman_area_of(lo(4) - P, lo(4) + P), -1); /* heap */
	assert_int_equal(mman_area_of(lo(4), lo(4) + REGION), -1);
	assert_int_equal(mman_area_of(lo(4), lo(4)), -1);
	assert_int_equal(mman_area_of(P, 2 * P), -1);
}

static int all(uintptr_t a, size_t n, int c)
{
	for (size_t i = 0; i < n; i++)
		if (((uint8_t *)a)[i] != c)
			return 0;
	return 1;
}

/* Several nodes: a range given back keeps its bytes (the DSM's pages)
 * and is zeroed when taken again; it does not lower top. */
static void test_several_nodes_zeroes(void **state)
{
	nodes = 2;
	uintptr_t a = mman_space_take(5, 3 * P);
	memset((void *)a, 0x5a, 3 * P);
	assert_int_equal(mman_space_give(5, a, a + 3 * P), 0);
	assert_true(all(a, 3 * P, 0x5a));
	mman_space_take_at(5, a + P, a + 2 * P);
	assert_true(all(a + P, P, 0));
	assert_true(all(a, P, 0x5a) && all(a + 2 * P, P, 0x5a));
	assert_int_equal(mman_space_take(5, P), a);
	assert_true(all(a, P, 0));
	assert_int_equal(mman_space_take(5, 2 * P), a + 3 * P); /* top */
	assert_int_equal(mman_space_take(5, P), a + 2 * P);
	assert_true(all(a + 2 * P, P, 0));
	/* mman_zero stores zeros itself on several nodes */
	memset((void *)a, 1, P);
	mman_zero(a, P);
	assert_true(all(a, P, 0));
}

/* A dirty and a clean extent side by side stay apart (only the dirty
 * one is zeroed), and is_free sees them as one free range. */
static void test_dirty_beside_clean(void **state)
{
	uintptr_t a = mman_space_take(6, 2 * P);
	uintptr_t c = mman_space_take(6, P); /* keeps top above */
	nodes = 2;
	assert_int_equal(mman_space_give(6, a + P, a + 2 * P), 0); /* dirty */
	nodes = 1;
	assert_int_equal(mman_space_give(6, a, a + P), 0); /* clean */
	assert_true(mman_space_is_free(6, a, a + 2 * P));
	assert_false(mman_space_is_free(6, a, c + P));
	assert_int_equal(mman_space_take(6, P), a);
	assert_int_equal(mman_space_take(6, P), a + P);
}

int main(void)
{
	mem = mmap(NULL, NODES * REGION, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (mem == MAP_FAILED)
		return 1;
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_sequential_and_top, setup),
	    cmocka_unit_test_setup(test_first_fit_and_merge, setup),
	    cmocka_unit_test_setup(test_take_at_and_gap, setup),
	    cmocka_unit_test_setup(test_full, setup),
	    cmocka_unit_test_setup(test_area_of, setup),
	    cmocka_unit_test_setup(test_several_nodes_zeroes, setup),
	    cmocka_unit_test_setup(test_dirty_beside_clean, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
