/*
 * tests/unit/test_buddy.c — unit tests of the buddy frame allocator
 * (mm/buddy.c): exact free counts and block layouts, splitting and merging,
 * exhaustion, every error of buddy_free, the invariant checker itself, and
 * a seeded 100k-operation random stress checked against a frame bitmap.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "mm/buddy.h"

#define MAXF 8192

static struct buddy_frame meta[MAXF];
static struct buddy b;

/* Free blocks on the list of one order. */
static unsigned nblocks(unsigned order)
{
	unsigned n = 0;

	for (uint32_t i = b.free_head[order]; i != BUDDY_NONE;
	     i = b.frames[i].next)
		n++;
	return n;
}

/* Asserts the number of free blocks of every order, 0 through 10. */
static void assert_blocks(const unsigned want[BUDDY_MAX_ORDER])
{
	for (unsigned o = 0; o < BUDDY_MAX_ORDER; o++)
		assert_int_equal(nblocks(o), want[o]);
}

static void setup_range(uint64_t base, uint64_t n)
{
	assert_int_equal(buddy_init(&b, base, n, meta), 0);
	assert_int_equal(buddy_add_range(&b, base, n), 0);
	assert_true(buddy_check(&b));
}

static void test_meta_size(void **state)
{
	(void)state;
	assert_int_equal(sizeof(struct buddy_frame), 12);
	assert_int_equal(buddy_meta_size(0), 0);
	assert_int_equal(buddy_meta_size(1000), 12000);
}

static void test_init(void **state)
{
	uint64_t pfn = 77;

	(void)state;
	assert_int_equal(buddy_init(&b, 0x100, 64, meta), 0);
	assert_int_equal(buddy_nr_free(&b), 0);
	assert_int_equal(b.nr_usable, 0);
	assert_true(buddy_check(&b));
	assert_int_equal(buddy_alloc(&b, 0, &pfn), -ENOMEM);
	assert_int_equal(pfn, 77);
	for (unsigned i = 0; i < 64; i++)
		assert_int_equal(meta[i].flags, BUDDY_F_RESERVED);

	assert_int_equal(buddy_init(&b, 0, BUDDY_NONE, meta), -EINVAL);
	assert_int_equal(buddy_init(&b, 1ull << 52, 1, meta), -EINVAL);
	assert_int_equal(buddy_init(&b, (1ull << 52) - 10, 11, meta), -EINVAL);
	assert_int_equal(buddy_init(&b, (1ull << 52) - 10, 10, meta), 0);
	assert_int_equal(buddy_init(&b, 5, 0, meta), 0);
	assert_true(buddy_check(&b));
	assert_int_equal(buddy_add_range(&b, 5, 1), -EINVAL);
}

/* [3, 103) of [0, 4096): 3(0) 4(2) 8(3) 16(4) 32(5) 64(5) 96(2) 100(1) 102(0).
 */
static void test_add_range_blocks(void **state)
{
	const unsigned want[BUDDY_MAX_ORDER] = {2, 1, 2, 1, 1, 2};
	uint64_t pfn;

	(void)state;
	assert_int_equal(buddy_init(&b, 0, 4096, meta), 0);
	assert_int_equal(buddy_add_range(&b, 3, 100), 0);
	assert_int_equal(buddy_nr_free(&b), 100);
	assert_int_equal(b.nr_usable, 100);
	assert_true(buddy_check(&b));
	assert_blocks(want);
	assert_int_equal(meta[4].flags, BUDDY_F_FREE);
	assert_int_equal(meta[4].order, 2);
	assert_int_equal(meta[5].flags, 0);
	/* LIFO lists: the last block pushed comes out first. */
	assert_int_equal(buddy_alloc(&b, 5, &pfn), 0);
	assert_int_equal(pfn, 64);
	assert_int_equal(buddy_alloc(&b, 5, &pfn), 0);
	assert_int_equal(pfn, 32);
	assert_int_equal(buddy_alloc(&b, 6, &pfn), -ENOMEM);
	assert_int_equal(buddy_nr_free(&b), 36);
	assert_true(buddy_check(&b));
}

/* A range whose base is not aligned: blocks follow the absolute pfn. */
static void test_unaligned_base(void **state)
{
	const unsigned want[BUDDY_MAX_ORDER] = {2, 1, 0, 2};
	uint64_t pfn;

	(void)state;
	setup_range(5, 20); /* 5(0) 6(1) 8(3) 16(3) 24(0) */
	assert_int_equal(buddy_nr_free(&b), 20);
	assert_blocks(want);
	/* The buddy of 8..15 at order 3 is 0..7, outside the range: no merge
	 * past the base, and no order-4 block. */
	assert_int_equal(buddy_alloc(&b, 4, &pfn), -ENOMEM);
	assert_int_equal(buddy_alloc(&b, 3, &pfn), 0);
	assert_int_equal(pfn, 16);
	assert_int_equal(buddy_free(&b, 16, 3), 0);
	assert_blocks(want);
	assert_true(buddy_check(&b));
}

static void test_add_range_errors(void **state)
{
	(void)state;
	assert_int_equal(buddy_init(&b, 100, 50, meta), 0);
	assert_int_equal(buddy_add_range(&b, 110, 10), 0);
	assert_int_equal(buddy_add_range(&b, 99, 2), -EINVAL);	 /* below */
	assert_int_equal(buddy_add_range(&b, 140, 11), -EINVAL); /* past */
	assert_int_equal(buddy_add_range(&b, 150, 1), -EINVAL);
	assert_int_equal(buddy_add_range(&b, 101, UINT64_MAX), -EINVAL);
	assert_int_equal(buddy_add_range(&b, UINT64_MAX, 2), -EINVAL);
	assert_int_equal(buddy_add_range(&b, 105, 6), -EINVAL); /* overlaps */
	assert_int_equal(buddy_add_range(&b, 119, 1), -EINVAL);
	assert_int_equal(buddy_nr_free(&b), 10);
	assert_int_equal(b.nr_usable, 10);
	assert_int_equal(meta[5].flags, BUDDY_F_RESERVED);
	assert_true(buddy_check(&b));
	assert_int_equal(buddy_add_range(&b, 130, 0), 0);
	assert_int_equal(buddy_add_range(&b, 150, 0), 0);
	/* Adding the neighbours merges with what is already free. */
	assert_int_equal(buddy_add_range(&b, 100, 10), 0);
	assert_int_equal(buddy_add_range(&b, 120, 30), 0);
	assert_int_equal(buddy_nr_free(&b), 50);
	assert_true(buddy_check(&b));
	/* 100(2) 104(3) 112(4) 128(4) 144(2) 148(1) */
	assert_int_equal(nblocks(4), 2);
	assert_int_equal(nblocks(3), 1);
	assert_int_equal(nblocks(2), 2);
	assert_int_equal(nblocks(1), 1);
}

static void test_split_merge(void **state)
{
	unsigned want[BUDDY_MAX_ORDER] = {0};
	uint64_t p0, p1, p2, p3;

	(void)state;
	setup_range(0, 1024);
	want[10] = 1;
	assert_blocks(want);
	/* One frame splits the whole block: one free block of each order. */
	assert_int_equal(buddy_alloc(&b, 0, &p0), 0);
	assert_int_equal(p0, 0);
	assert_int_equal(buddy_nr_free(&b), 1023);
	for (unsigned o = 0; o < 10; o++)
		want[o] = 1;
	want[10] = 0;
	assert_blocks(want);
	assert_true(buddy_check(&b));
	assert_int_equal(buddy_alloc(&b, 0, &p1), 0);
	assert_int_equal(p1, 1);
	assert_int_equal(buddy_alloc(&b, 1, &p2), 0);
	assert_int_equal(p2, 2);
	assert_int_equal(buddy_alloc(&b, 9, &p3), 0);
	assert_int_equal(p3, 512);
	assert_int_equal(buddy_nr_free(&b), 1024 - 516);
	assert_true(buddy_check(&b));
	/* Free out of order: nothing merges until both halves are free. */
	assert_int_equal(buddy_free(&b, p0, 0), 0);
	assert_int_equal(nblocks(0), 1);
	assert_int_equal(buddy_free(&b, p2, 1), 0);
	assert_int_equal(nblocks(1), 1);
	assert_int_equal(buddy_free(&b, p3, 9), 0);
	assert_int_equal(nblocks(9), 1);
	assert_true(buddy_check(&b));
	assert_int_equal(buddy_free(&b, p1, 0), 0);
	memset(want, 0, sizeof(want));
	want[10] = 1;
	assert_blocks(want);
	assert_int_equal(buddy_nr_free(&b), 1024);
	assert_int_equal(meta[0].flags, BUDDY_F_FREE);
	assert_int_equal(meta[0].order, 10);
	assert_true(buddy_check(&b));
}

static void test_exhaustion(void **state)
{
	uint64_t pfn[16], x = 9;

	(void)state;
	setup_range(32, 16);
	assert_int_equal(buddy_alloc(&b, 5, &x), -ENOMEM);
	for (unsigned i = 0; i < 16; i++) {
		assert_int_equal(buddy_alloc(&b, 0, &pfn[i]), 0);
		assert_int_equal(pfn[i], 32 + i);
	}
	assert_int_equal(buddy_nr_free(&b), 0);
	assert_int_equal(buddy_alloc(&b, 0, &x), -ENOMEM);
	assert_int_equal(buddy_alloc(&b, 1, &x), -ENOMEM);
	assert_int_equal(buddy_alloc(&b, BUDDY_MAX_ORDER, &x), -EINVAL);
	assert_int_equal(buddy_alloc(&b, 1000, &x), -EINVAL);
	assert_int_equal(x, 9);
	assert_true(buddy_check(&b));
	for (unsigned i = 0; i < 16; i++)
		assert_int_equal(buddy_free(&b, pfn[15 - i], 0), 0);
	assert_int_equal(nblocks(4), 1);
	assert_int_equal(buddy_nr_free(&b), 16);
	assert_true(buddy_check(&b));
}

/* Every rejected free leaves the allocator exactly as it was. */
static void assert_rejected(uint64_t pfn, unsigned order)
{
	struct buddy before = b;
	struct buddy_frame mbefore[64];

	memcpy(mbefore, meta, sizeof(mbefore));
	assert_int_equal(buddy_free(&b, pfn, order), -EINVAL);
	assert_memory_equal(&before, &b, sizeof(b));
	assert_memory_equal(mbefore, meta, sizeof(mbefore));
	assert_true(buddy_check(&b));
}

static void test_free_errors(void **state)
{
	uint64_t a, c, d;

	(void)state;
	assert_int_equal(buddy_init(&b, 64, 64, meta), 0);
	assert_int_equal(buddy_add_range(&b, 64, 32), 0); /* 96..127 reserved */
	assert_int_equal(buddy_alloc(&b, 2, &a), 0);
	assert_int_equal(a, 64);
	assert_int_equal(buddy_alloc(&b, 0, &c), 0);
	assert_int_equal(c, 68);
	assert_int_equal(buddy_alloc(&b, 0, &d), 0);
	assert_int_equal(d, 69);

	assert_rejected(a, BUDDY_MAX_ORDER); /* order too big */
	assert_rejected(a, 200);
	assert_rejected(63, 0);	 /* below the range */
	assert_rejected(128, 0); /* past the range */
	assert_rejected(UINT64_MAX, 0);
	assert_rejected(66, 2); /* misaligned */
	assert_rejected(69, 1);
	assert_rejected(96, 0); /* reserved */
	assert_rejected(112, 4);
	assert_rejected(65, 0); /* tail of an allocated block */
	assert_rejected(a, 1);	/* wrong order */
	assert_rejected(a, 3);
	assert_rejected(72, 3); /* free block: never allocated */
	assert_rejected(73, 0); /* tail of a free block */

	assert_int_equal(buddy_free(&b, c, 0), 0);
	assert_rejected(c, 0); /* double free, still order 0 */
	assert_int_equal(buddy_free(&b, d, 0), 0);
	assert_rejected(d, 0); /* double free of a now-merged tail */
	assert_rejected(c, 0);
	assert_rejected(c, 1); /* c now heads a merged free block */
	assert_int_equal(buddy_free(&b, a, 2), 0);
	assert_rejected(a, 2);
	assert_int_equal(buddy_nr_free(&b), 32);
	assert_int_equal(nblocks(5), 1);
}

/* The checker itself must catch each kind of broken state. */
static void test_check_detects(void **state)
{
	uint64_t a, c;

	(void)state;
	setup_range(0, 64);
	assert_int_equal(buddy_alloc(&b, 0, &a), 0);
	assert_int_equal(buddy_alloc(&b, 0, &c), 0);
	assert_true(buddy_check(&b));

	b.nr_free++; /* count off */
	assert_false(buddy_check(&b));
	b.nr_free--;

	meta[5].flags = BUDDY_F_HEAD; /* a flag on a tail of free 4..7 */
	assert_false(buddy_check(&b));
	meta[5].flags = 0;

	meta[a].flags = 0; /* a stray tail */
	assert_false(buddy_check(&b));
	meta[a].flags = BUDDY_F_HEAD;

	b.free_head[3] = BUDDY_NONE; /* free block 8..15 off its list */
	assert_false(buddy_check(&b));
	b.free_head[3] = 8;

	meta[8].next = 8; /* a cycle */
	assert_false(buddy_check(&b));
	meta[8].next = BUDDY_NONE;

	/* Free a and c behind the allocator's back without merging: two free
	 * buddies of order 0. */
	meta[a].flags = BUDDY_F_FREE;
	meta[c].flags = BUDDY_F_FREE;
	meta[a].next = c;
	meta[c].prev = (uint32_t)a;
	b.free_head[0] = (uint32_t)a;
	b.nr_free += 2;
	assert_false(buddy_check(&b));
}

/* ---- random stress ---- */

static uint64_t rng_state;

static uint64_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

#define S_BASE	  3
#define S_N	  6000
#define S_HOLE_LO 1100 /* [1100, 1300) stays reserved */
#define S_HOLE_HI 1300

struct live {
	uint64_t pfn;
	unsigned order;
};

static uint8_t used[S_N];

static void test_stress(void **state)
{
	static struct live live[S_N];
	uint64_t nlive = 0, inuse = 0, usable;
	unsigned want[BUDDY_MAX_ORDER];

	(void)state;
	assert_int_equal(buddy_init(&b, S_BASE, S_N, meta), 0);
	assert_int_equal(buddy_add_range(&b, S_BASE, S_HOLE_LO - S_BASE), 0);
	assert_int_equal(
	    buddy_add_range(&b, S_HOLE_HI, S_BASE + S_N - S_HOLE_HI), 0);
	usable = S_N - (S_HOLE_HI - S_HOLE_LO);
	assert_int_equal(buddy_nr_free(&b), usable);
	for (unsigned o = 0; o < BUDDY_MAX_ORDER; o++)
		want[o] = nblocks(o);
	memset(used, 0, sizeof(used));
	rng_state = 0x9e3779b97f4a7c15ull;

	for (unsigned step = 0; step < 100000; step++) {
		uint64_t r = rng();

		if (nlive == 0 || (r & 15) < 9) { /* 9:7, so it fills up */
			/* Geometric order: half of them order 0. */
			unsigned order =
			    (unsigned)__builtin_ctzll(r >> 8 | 1u << 10);
			uint64_t pfn;
			int err = buddy_alloc(&b, order, &pfn);

			if (err) {
				assert_int_equal(err, -ENOMEM);
				continue;
			}
			assert_int_equal(pfn & ((1ull << order) - 1), 0);
			assert_true(pfn >= S_BASE);
			assert_true(pfn + (1ull << order) <= S_BASE + S_N);
			for (uint64_t f = pfn; f < pfn + (1ull << order); f++) {
				assert_false(f >= S_HOLE_LO && f < S_HOLE_HI);
				assert_int_equal(used[f - S_BASE], 0);
				used[f - S_BASE] = 1;
			}
			live[nlive].pfn = pfn;
			live[nlive++].order = order;
			inuse += 1ull << order;
		} else {
			uint64_t i = (r >> 16) % nlive;
			struct live l = live[i];

			assert_int_equal(buddy_free(&b, l.pfn, l.order), 0);
			for (uint64_t f = l.pfn; f < l.pfn + (1ull << l.order);
			     f++)
				used[f - S_BASE] = 0;
			live[i] = live[--nlive];
			inuse -= 1ull << l.order;
			if ((r & 0xff) == 0) /* now and then, free it again */
				assert_int_equal(buddy_free(&b, l.pfn, l.order),
						 -EINVAL);
		}
		assert_int_equal(buddy_nr_free(&b), usable - inuse);
		if (step % 8 == 0)
			assert_true(buddy_check(&b));
	}
	while (nlive) {
		nlive--;
		assert_int_equal(
		    buddy_free(&b, live[nlive].pfn, live[nlive].order), 0);
	}
	/* Everything merged back into the blocks it started as. */
	assert_int_equal(buddy_nr_free(&b), usable);
	assert_true(buddy_check(&b));
	assert_blocks(want);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_meta_size),
	    cmocka_unit_test(test_init),
	    cmocka_unit_test(test_add_range_blocks),
	    cmocka_unit_test(test_unaligned_base),
	    cmocka_unit_test(test_add_range_errors),
	    cmocka_unit_test(test_split_merge),
	    cmocka_unit_test(test_exhaustion),
	    cmocka_unit_test(test_free_errors),
	    cmocka_unit_test(test_check_detects),
	    cmocka_unit_test(test_stress),
	};

	return cmocka_run_group_tests_name("buddy", tests, NULL, NULL);
}
