/*
 * tests/unit/test_slab.h — shared by the unit tests of mm/slab.c and
 * mm/kmalloc.c (test_slab.c, test_kmalloc.c): a page provider over
 * aligned_alloc that counts what it hands out and can be told to fail.
 */
#ifndef TESTS_UNIT_TEST_SLAB_H
#define TESTS_UNIT_TEST_SLAB_H

#include <setjmp.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "mm/slab.h"

#define TP_MAX_HELD 64

struct test_pages {
	long blocks;	    /* blocks handed out and not taken back (atomic) */
	long pages;	    /* their pages (atomic) */
	long allocs, frees; /* calls (atomic) */
	bool fail;	    /* alloc_pages returns NULL */
	bool misalign; /* alloc_pages returns a block 4 KiB off its alignment */
	bool quarantine;	 /* free_pages keeps blocks (still readable) */
	void *held[TP_MAX_HELD]; /* quarantined blocks */
	unsigned nheld;
};

/* ops for a provider; ctx points at tp. */
struct slab_page_ops test_pages_ops(struct test_pages *tp);

/* Really frees the quarantined blocks. */
void test_pages_release_held(struct test_pages *tp);

/* The kmalloc group; returns the number of failures. */
int kmalloc_run_tests(void);

#endif
