/*
 * tests/unit/test_boot_mmap.c — unit tests of boot_mmap_normalize
 * (boot/boot_mmap.c): hand-made cases, then random maps checked address by
 * address against a plain model of the rules.
 */
#include <string.h>

#include "tests/unit/test_boot.h"

enum {
	U = BOOT_MEM_USABLE,
	R = BOOT_MEM_RESERVED,
	A = BOOT_MEM_ACPI_RECLAIM,
	N = BOOT_MEM_ACPI_NVS,
	X = BOOT_MEM_BAD
};

static struct boot_info bi;

static void set_map(const struct boot_mem_region *r, uint32_t n)
{
	memset(&bi, 0, sizeof(bi));
	memcpy(bi.mmap, r, n * sizeof(*r));
	bi.nr_mmap = n;
}

static void test_mmap_empty(void **state)
{
	static const struct boot_mem_region r[] = {{0x1000, 0, U}, {0, 0, R}};

	(void)state;
	set_map(r, 0);
	boot_mmap_normalize(&bi);
	assert_int_equal(bi.nr_mmap, 0);
	set_map(r, 2); /* only empty regions */
	boot_mmap_normalize(&bi);
	assert_int_equal(bi.nr_mmap, 0);
	assert_int_equal(bi.mmap[0].len, 0);
	assert_int_equal(bi.mmap[1].type, 0);
	assert_false(bi.mmap_truncated);
}

static void test_mmap_sort_and_merge(void **state)
{
	static const struct boot_mem_region r[] = {
	    {0x5000, 0x1000, U}, {0x1000, 0x1000, U}, {0x2000, 0x1000, U},
	    {0x3000, 0x1000, R}, {0x7000, 0x1000, U}, {0x6000, 0x1000, U},
	    {0x4000, 0, X},
	};

	(void)state;
	set_map(r, 7);
	boot_mmap_normalize(&bi);
	assert_int_equal(bi.nr_mmap, 3);
	assert_region(&bi, 0, 0x1000, 0x2000, U); /* adjacent: merged */
	assert_region(&bi, 1, 0x3000, 0x1000, R); /* other type: kept apart */
	assert_region(&bi, 2, 0x5000, 0x3000, U); /* gap at 0x4000 */
	assert_int_equal(bi.mmap[3].len, 0);
}

static void test_mmap_overlaps(void **state)
{
	static const struct boot_mem_region r[] = {
	    {0x0, 0x3000, U},	  /* tail cut by reserved */
	    {0x2000, 0x2000, R},  /* ... */
	    {0x10000, 0x3000, A}, /* ACPI over usable at its end */
	    {0x12000, 0x2000, U}, /* head cut */
	    {0x20000, 0x1000, U}, /* duplicates of one type */
	    {0x20000, 0x1000, U}, /* ... */
	    {0x20800, 0x1000, U}, /* overlapping, same type */
	    {0x30000, 0x1000, R}, /* reserved vs NVS: NVS wins */
	    {0x30800, 0x1000, N}, /* ... */
	    {0x40000, 0x1000, 0}, /* invalid type 0 beats usable */
	    {0x40000, 0x2000, U}, /* ... */
	    {0x50000, 0x1000, 9}, /* unknown 9 beats bad (5) */
	    {0x50000, 0x1000, X}, /* ... */
	};

	(void)state;
	set_map(r, 13);
	boot_mmap_normalize(&bi);
	assert_int_equal(bi.nr_mmap, 10);
	assert_region(&bi, 0, 0x0, 0x2000, U);
	assert_region(&bi, 1, 0x2000, 0x2000, R);
	assert_region(&bi, 2, 0x10000, 0x3000, A);
	assert_region(&bi, 3, 0x13000, 0x1000, U);
	assert_region(&bi, 4, 0x20000, 0x1800, U);
	assert_region(&bi, 5, 0x30000, 0x800, R);
	assert_region(&bi, 6, 0x30800, 0x1000, N);
	assert_region(&bi, 7, 0x40000, 0x1000, 0);
	assert_region(&bi, 8, 0x41000, 0x1000, U);
	assert_region(&bi, 9, 0x50000, 0x1000, 9);
}

static void test_mmap_nesting(void **state)
{
	static const struct boot_mem_region r[] = {
	    {0x0, 0x100000, U},	     /* split by the two below */
	    {0x9f000, 0x1000, R},    /* ... */
	    {0xa0000, 0x1000, X},    /* ... */
	    {0x200000, 0x100000, R}, /* swallows the usable inside */
	    {0x280000, 0x1000, U},   /* ... */
	    {0x400000, 0x100000, R}, /* a stack of three types */
	    {0x410000, 0x10000, N},  /* ... */
	    {0x418000, 0x1000, X},   /* ... */
	};

	(void)state;
	set_map(r, 8);
	boot_mmap_normalize(&bi);
	assert_int_equal(bi.nr_mmap, 10);
	assert_region(&bi, 0, 0x0, 0x9f000, U);
	assert_region(&bi, 1, 0x9f000, 0x1000, R);
	assert_region(&bi, 2, 0xa0000, 0x1000, X);
	assert_region(&bi, 3, 0xa1000, 0x5f000, U);
	assert_region(&bi, 4, 0x200000, 0x100000, R);
	assert_region(&bi, 5, 0x400000, 0x10000, R);
	assert_region(&bi, 6, 0x410000, 0x8000, N);
	assert_region(&bi, 7, 0x418000, 0x1000, X);
	assert_region(&bi, 8, 0x419000, 0x7000, N);
	assert_region(&bi, 9, 0x420000, 0xe0000, R);
	assert_int_equal(bi.mmap[10].len, 0); /* unused slots are cleared */
}

static void test_mmap_top_of_memory(void **state)
{
	static const struct boot_mem_region r[] = {
	    {0xfffffffffffff000ull, 0x2000, R}, /* clipped at 2^64 - 1 */
	    {0xffffffffffffffffull, 5, U},	/* nothing left */
	    {0xffffffffffffe000ull, 0x1000, U},
	};

	(void)state;
	set_map(r, 3);
	boot_mmap_normalize(&bi);
	assert_int_equal(bi.nr_mmap, 2);
	assert_region(&bi, 0, 0xffffffffffffe000ull, 0x1000, U);
	assert_region(&bi, 1, 0xfffffffffffff000ull, 0xfff, R);
}

static void test_mmap_overflow(void **state)
{
	(void)state;
	memset(&bi, 0, sizeof(bi));
	/* 64 usable regions, each with a reserved hole in the middle: 192
	 * pieces, of which the lowest 128 are kept. */
	for (uint32_t i = 0; i < 64; i++) {
		bi.mmap[i] =
		    (struct boot_mem_region){0x10000ull * i, 0x3000, U};
		bi.mmap[64 + i] = (struct boot_mem_region){
		    0x10000ull * (63 - i) + 0x1000, 0x1000, R};
	}
	bi.nr_mmap = 128;
	boot_mmap_normalize(&bi);
	assert_true(bi.mmap_truncated);
	assert_int_equal(bi.nr_mmap, BOOT_MAX_MMAP);
	assert_region(&bi, 0, 0x0, 0x1000, U);
	assert_region(&bi, 1, 0x1000, 0x1000, R);
	assert_region(&bi, 2, 0x2000, 0x1000, U);
	/* piece 127 is the middle of region 42 */
	assert_region(&bi, 126, 0x10000ull * 42, 0x1000, U);
	assert_region(&bi, 127, 0x10000ull * 42 + 0x1000, 0x1000, R);

	/* a flag set by the parser survives */
	memset(&bi, 0, sizeof(bi));
	bi.mmap_truncated = true;
	boot_mmap_normalize(&bi);
	assert_true(bi.mmap_truncated);
}

/* ---- random maps against a model ---------------------------------------- */

#define SPACE 96 /* addresses 0..SPACE-1 */

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint32_t rnd(uint32_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng % n);
}

static uint64_t rank(uint32_t t)
{
	return t == U ? 0 : (uint64_t)t + 1;
}

static void check_against_model(const struct boot_mem_region *in, uint32_t n)
{
	int32_t want[SPACE], got[SPACE];

	for (int a = 0; a < SPACE; a++) {
		want[a] = -1;
		got[a] = -1;
		for (uint32_t i = 0; i < n; i++)
			if ((uint64_t)a >= in[i].base &&
			    (uint64_t)a < in[i].base + in[i].len &&
			    (want[a] < 0 || rank(in[i].type) > rank(want[a])))
				want[a] = (int32_t)in[i].type;
	}
	assert_false(bi.mmap_truncated);
	assert_true(bi.nr_mmap <= BOOT_MAX_MMAP);
	for (uint32_t i = 0; i < bi.nr_mmap; i++) {
		const struct boot_mem_region *r = &bi.mmap[i];

		assert_true(r->len > 0);
		assert_true(r->base + r->len <= SPACE);
		if (i) {
			const struct boot_mem_region *p = &bi.mmap[i - 1];

			assert_true(p->base + p->len <= r->base);
			if (p->base + p->len == r->base)
				assert_int_not_equal(p->type, r->type);
		}
		for (uint64_t a = r->base; a < r->base + r->len; a++)
			got[a] = (int32_t)r->type;
	}
	assert_memory_equal(got, want, sizeof(want));
}

static void test_mmap_random(void **state)
{
	static const uint32_t types[] = {U, U, U, R, A, N, X, 0, 7};
	struct boot_mem_region in[BOOT_MAX_MMAP];

	(void)state;
	for (int iter = 0; iter < 20000; iter++) {
		uint32_t n = iter % 10 == 0 ? BOOT_MAX_MMAP : rnd(12);

		for (uint32_t i = 0; i < n; i++) {
			in[i].base = rnd(SPACE);
			in[i].len = rnd(SPACE - (uint32_t)in[i].base + 1);
			if (rnd(3))
				in[i].len %= 24;
			in[i].type = types[rnd(9)];
		}
		set_map(in, n);
		boot_mmap_normalize(&bi);
		check_against_model(in, n);
		/* normalizing a normal map changes nothing */
		struct boot_mem_region again[BOOT_MAX_MMAP];
		uint32_t nr = bi.nr_mmap;

		memcpy(again, bi.mmap, sizeof(again));
		boot_mmap_normalize(&bi);
		assert_int_equal(bi.nr_mmap, nr);
		assert_memory_equal(bi.mmap, again, sizeof(again));
	}
}

static const struct CMUnitTest mmap_tests[] = {
    cmocka_unit_test(test_mmap_empty),
    cmocka_unit_test(test_mmap_sort_and_merge),
    cmocka_unit_test(test_mmap_overlaps),
    cmocka_unit_test(test_mmap_nesting),
    cmocka_unit_test(test_mmap_top_of_memory),
    cmocka_unit_test(test_mmap_overflow),
    cmocka_unit_test(test_mmap_random),
};

int boot_run_mmap_tests(void)
{
	return cmocka_run_group_tests_name("boot_mmap", mmap_tests, NULL, NULL);
}
