/*
 * tests/unit/test_dsm_ra.c — the DSM read-ahead window (cluster/dsm_ra.c):
 * exact pages asked for along a forward stream, while the thread catches
 * up with copies still on their way, after a jump, at the limit, and off.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "cluster/dsm_ra.h"

/* One fault: the count returned, and the first page when it is not 0. */
static void expect(struct dsm_ra *ra, uint64_t page, uint32_t max,
		   uint32_t count, uint64_t first)
{
	uint64_t got = 0xdead;
	assert_int_equal(dsm_ra_fault(ra, page, max, &got), count);
	if (count)
		assert_int_equal(got, first);
	else
		assert_int_equal(got, 0xdead); /* untouched */
}

/* A stream whose copies all arrive before the thread gets there: it
 * faults at the first page past each window, and the window doubles. */
static void test_stream(void **state)
{
	(void)state;
	struct dsm_ra ra;
	memset(&ra, 0, sizeof(ra));
	expect(&ra, 100, 16, 0, 0);   /* a first fault: nothing yet */
	expect(&ra, 101, 16, 4, 102); /* in sequence: 102..105 */
	assert_int_equal(ra.win, 4);
	expect(&ra, 106, 16, 8, 107); /* window 8: 107..114 */
	assert_int_equal(ra.end, 114);
	expect(&ra, 115, 16, 16, 116); /* window 16: 116..131 */
	expect(&ra, 132, 16, 16, 133); /* the limit holds */
	assert_int_equal(ra.win, 16);
	assert_int_equal(ra.end, 148);
}

/* The thread catches up with copies on their way: each fault inside the
 * window asks only for the pages beyond what was asked. */
static void test_catching_up(void **state)
{
	(void)state;
	struct dsm_ra ra;
	memset(&ra, 0, sizeof(ra));
	expect(&ra, 10, 32, 0, 0);
	expect(&ra, 11, 32, 4, 12);  /* 12..15 */
	expect(&ra, 12, 32, 5, 16);  /* window 8 from 12: 16..20 */
	expect(&ra, 13, 32, 9, 21);  /* window 16 from 13: 21..29 */
	expect(&ra, 14, 32, 17, 30); /* window 32 from 14: 30..46 */
	expect(&ra, 15, 32, 1, 47);  /* window 32 from 15: just 47 */
	expect(&ra, 30, 32, 15, 48); /* window 32 from 30: 48..62 */
	assert_int_equal(ra.end, 62);
}

/* A fault anywhere else closes the window; a backward or repeated fault
 * is no sequence. */
static void test_jumps(void **state)
{
	(void)state;
	struct dsm_ra ra;
	memset(&ra, 0, sizeof(ra));
	expect(&ra, 50, 16, 0, 0);
	expect(&ra, 51, 16, 4, 52);
	expect(&ra, 200, 16, 0, 0); /* beyond the window and its next page */
	assert_int_equal(ra.win, 0);
	expect(&ra, 200, 16, 0, 0); /* the same page again */
	expect(&ra, 199, 16, 0, 0); /* backwards */
	expect(&ra, 201, 16, 0, 0); /* not next to 199: no sequence */
	expect(&ra, 202, 16, 4, 203);
	expect(&ra, 52, 16, 0, 0); /* back to the old stream: a new start */
	expect(&ra, 53, 16, 4, 54);
}

/* max 0 is off; a small max caps the first window; max is capped at
 * DSM_RA_MAX. */
static void test_limits(void **state)
{
	(void)state;
	struct dsm_ra ra;
	memset(&ra, 0, sizeof(ra));
	expect(&ra, 1, 0, 0, 0);
	expect(&ra, 2, 0, 0, 0);
	expect(&ra, 3, 0, 0, 0);
	expect(&ra, 4, 2, 2, 5); /* 3 then 4 is a sequence: window 2 */
	expect(&ra, 7, 2, 2, 8);
	memset(&ra, 0, sizeof(ra));
	expect(&ra, 1000, 1000, 0, 0);
	expect(&ra, 1001, 1000, 4, 1002);
	for (int i = 0; i < 8; i++)
		dsm_ra_fault(&ra, ra.end + 1, 1000, &(uint64_t){0});
	assert_int_equal(ra.win, DSM_RA_MAX);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_stream),
	    cmocka_unit_test(test_catching_up),
	    cmocka_unit_test(test_jumps),
	    cmocka_unit_test(test_limits),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
