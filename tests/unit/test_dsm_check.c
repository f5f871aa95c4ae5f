/*
 * tests/unit/test_dsm_check.c — the dsm.check invariant checker
 * (cluster/dsm_check.c) fed legal sequences of access reports and illegal ones,
 * with the exact report of each violation. (tests/unit/test_dsm.c also
 * runs it under the random schedules of the simulated cluster, where it
 * must never fire.)
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cluster/dsm_check.h"
#include "kernel/errno.h"

static void *t_alloc(void *ctx, size_t n)
{
	(void)ctx;
	return malloc(n);
}

static void t_free(void *ctx, void *p)
{
	(void)ctx;
	free(p);
}

static char rep[512];

static int apply(struct dsm_check *c, int node, uint64_t page, unsigned a,
		 uint32_t v)
{
	rep[0] = 0;
	return dsm_check_apply(c, node, page, a, v, rep, sizeof(rep));
}

/* Readers of a pristine page, a write that invalidates them, a recall
 * that downgrades the writer, then a new writer: all legal. */
static void test_legal_sequence(void **state)
{
	(void)state;
	struct dsm_check c;
	dsm_check_init(&c, 3, t_alloc, t_free, NULL);
	assert_int_equal(apply(&c, 0, 5, DSM_RO, 0), DSM_CHECK_OK);
	assert_int_equal(apply(&c, 1, 5, DSM_RO, 0), DSM_CHECK_OK);
	assert_int_equal(apply(&c, 2, 5, DSM_RO, 0), DSM_CHECK_OK);
	assert_int_equal(apply(&c, 0, 5, DSM_NONE, 0), DSM_CHECK_OK);
	assert_int_equal(apply(&c, 1, 5, DSM_NONE, 0), DSM_CHECK_OK);
	assert_int_equal(apply(&c, 2, 5, DSM_RW, 1),
			 DSM_CHECK_OK); /* upgrade */
	assert_int_equal(apply(&c, 2, 5, DSM_RO, 1), DSM_CHECK_OK); /* recall */
	assert_int_equal(apply(&c, 0, 5, DSM_RO, 1), DSM_CHECK_OK);
	assert_int_equal(apply(&c, 0, 5, DSM_NONE, 1), DSM_CHECK_OK);
	assert_int_equal(apply(&c, 2, 5, DSM_NONE, 1), DSM_CHECK_OK);
	assert_int_equal(apply(&c, 1, 5, DSM_RW, 2), DSM_CHECK_OK);
	/* another page is independent */
	assert_int_equal(apply(&c, 0, 6, DSM_RW, 1), DSM_CHECK_OK);
	assert_string_equal(rep, "");
	assert_int_equal(c.reports, 12);
	assert_int_equal(c.violations, 0);
	dsm_check_destroy(&c);
}

/* A second writer while the first still holds the page. */
static void test_two_writers(void **state)
{
	(void)state;
	struct dsm_check c;
	dsm_check_init(&c, 4, t_alloc, t_free, NULL);
	assert_int_equal(apply(&c, 1, 0x10, DSM_RO, 0), DSM_CHECK_OK);
	assert_int_equal(apply(&c, 1, 0x10, DSM_NONE, 0), DSM_CHECK_OK);
	assert_int_equal(apply(&c, 3, 0x10, DSM_RW, 1), DSM_CHECK_OK);
	assert_int_equal(apply(&c, 2, 0x10, DSM_RW, 2), DSM_CHECK_VIOLATION);
	assert_string_equal(rep,
			    "dsm.check: page 0x10000: node 2 took RW at "
			    "version 2 while node 3 holds RW\n"
			    "dsm.check: holders: node 2 RW v2, node 3 RW v1\n"
			    "dsm.check: last transitions: node 1 NONE->RO v0; "
			    "node 1 RO->NONE v0; "
			    "node 3 NONE->RW v1; node 2 NONE->RW v2");
	assert_int_equal(c.violations, 1);
	dsm_check_destroy(&c);
}

/* A reader beside a writer, either order; only the last 4 transitions. */
static void test_reader_beside_writer(void **state)
{
	(void)state;
	struct dsm_check c;
	dsm_check_init(&c, 2, t_alloc, t_free, NULL);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(apply(&c, 0, 1, DSM_RO, 0), DSM_CHECK_OK);
		assert_int_equal(apply(&c, 0, 1, DSM_NONE, 0), DSM_CHECK_OK);
	}
	assert_int_equal(apply(&c, 0, 1, DSM_RW, 1), DSM_CHECK_OK);
	assert_int_equal(apply(&c, 1, 1, DSM_RO, 1), DSM_CHECK_VIOLATION);
	assert_string_equal(rep,
			    "dsm.check: page 0x1000: node 1 took RO at version "
			    "1 while node 0 holds RW\n"
			    "dsm.check: holders: node 0 RW v1, node 1 RO v1\n"
			    "dsm.check: last transitions: node 0 NONE->RO v0; "
			    "node 0 RO->NONE v0; "
			    "node 0 NONE->RW v1; node 1 NONE->RO v1");
	dsm_check_destroy(&c);

	dsm_check_init(&c, 2, t_alloc, t_free, NULL);
	assert_int_equal(apply(&c, 1, 1, DSM_RO, 0), DSM_CHECK_OK);
	assert_int_equal(apply(&c, 0, 1, DSM_RW, 1), DSM_CHECK_VIOLATION);
	assert_string_equal(rep,
			    "dsm.check: page 0x1000: node 0 took RW at version "
			    "1 while node 1 holds RO\n"
			    "dsm.check: holders: node 0 RW v1, node 1 RO v0\n"
			    "dsm.check: last transitions: node 1 NONE->RO v0; "
			    "node 0 NONE->RW v1");
	dsm_check_destroy(&c);
}

/* A copy older than one already handed out is stale, even alone. */
static void test_stale_copy(void **state)
{
	(void)state;
	struct dsm_check c;
	dsm_check_init(&c, 2, t_alloc, t_free, NULL);
	assert_int_equal(apply(&c, 0, 2, DSM_RW, 3), DSM_CHECK_OK);
	assert_int_equal(apply(&c, 0, 2, DSM_NONE, 3), DSM_CHECK_OK);
	assert_int_equal(apply(&c, 1, 2, DSM_RO, 2), DSM_CHECK_VIOLATION);
	assert_string_equal(rep,
			    "dsm.check: page 0x2000: node 1 took RO at version "
			    "2, older than version 3 already seen\n"
			    "dsm.check: holders: node 1 RO v2\n"
			    "dsm.check: last transitions: node 0 NONE->RW v3; "
			    "node 0 RW->NONE v3; node 1 NONE->RO v2");
	dsm_check_destroy(&c);
}

/* Out-of-range input is refused and changes nothing; a short buffer gets a
 * cut, terminated report. */
static void test_bad_input_and_short_buffer(void **state)
{
	(void)state;
	struct dsm_check c;
	dsm_check_init(&c, 2, t_alloc, t_free, NULL);
	assert_int_equal(apply(&c, 2, 0, DSM_RO, 0), -EINVAL);
	assert_int_equal(apply(&c, -1, 0, DSM_RO, 0), -EINVAL);
	assert_int_equal(apply(&c, 0, 0, 3, 0), -EINVAL);
	assert_int_equal(c.reports, 0);
	assert_int_equal(apply(&c, 0, 0, DSM_RW, 1), DSM_CHECK_OK);
	char small[16];
	memset(small, 'x', sizeof(small));
	assert_int_equal(
	    dsm_check_apply(&c, 1, 0, DSM_RW, 2, small, sizeof(small)),
	    DSM_CHECK_VIOLATION);
	assert_string_equal(small, "dsm.check: page");
	dsm_check_destroy(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_legal_sequence),
	    cmocka_unit_test(test_two_writers),
	    cmocka_unit_test(test_reader_beside_writer),
	    cmocka_unit_test(test_stale_copy),
	    cmocka_unit_test(test_bad_input_and_short_buffer),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
