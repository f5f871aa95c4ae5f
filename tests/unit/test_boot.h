/*
 * tests/unit/test_boot.h — shared by the unit tests of boot/ (test_boot*.c).
 */
#ifndef TESTS_UNIT_TEST_BOOT_H
#define TESTS_UNIT_TEST_BOOT_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "boot/boot_info.h"

/* Each file runs its own cmocka group; returns the number of failures. */
int boot_run_pvh_tests(void);
int boot_run_mmap_tests(void);

/* Asserts that region i of bi is exactly {base, len, type}. */
#define assert_region(bi, i, b, l, t)                                          \
	do {                                                                   \
		assert_int_equal((bi)->mmap[i].base, (b));                     \
		assert_int_equal((bi)->mmap[i].len, (l));                      \
		assert_int_equal((bi)->mmap[i].type, (t));                     \
	} while (0)

#endif
