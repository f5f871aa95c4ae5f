/*
 * tests/unit/test_vfs_proc.c — generated files of the file layer
 * (posix/vfs_proc.c): each open takes its own snapshot of the generator's
 * text, read in any pieces; they cannot be written, truncated, renamed or
 * removed; texts larger than the first guess; memory exhaustion.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "kernel/errno.h"
#include "posix/vfs.h"
#include "posix/vfs_impl.h"
#include "tests/unit/vfs_test.h"

static int calls;  /* of the generator: its text changes with each */
static size_t big; /* > 0: the generator writes this many 'x' */

static size_t gen(char *buf, size_t len)
{
	calls++;
	if (big) {
		if (len) {
			size_t n = big < len - 1 ? big : len - 1;
			memset(buf, 'x', n);
			buf[n] = 0;
		}
		return big;
	}
	return (size_t)snprintf(buf, len, "calls %d\nkey value\n", calls);
}

static int setup(void **state)
{
	calls = 0;
	big = 0;
	vfs_fail_alloc_countdown = 0;
	assert_int_equal(vfs_init(test_clock), 0);
	assert_int_equal(vfs_mkdir("/proc", 0555), 0);
	assert_int_equal(vfs_proc_add("/proc/x", gen), 0);
	return 0;
}

static int teardown(void **state)
{
	vfs_reset();
	assert_int_equal(vfs_nodes_alive, 0);
	return 0;
}

static void test_snapshot_per_open(void **state)
{
	char buf[64];
	int a = vfs_open("/proc/x", VFS_O_RDONLY, 0);
	int b = vfs_open("/proc/x", VFS_O_RDONLY, 0);
	assert_true(a >= 0 && b >= 0);
	assert_int_equal(calls, 2);
	/* a's text in pieces of 3 bytes */
	size_t got = 0;
	int64_t n;
	while ((n = vfs_read(a, buf + got, 3)) > 0)
		got += (size_t)n;
	assert_int_equal(n, 0);
	buf[got] = 0;
	assert_string_equal(buf, "calls 1\nkey value\n");
	n = vfs_read(b, buf, sizeof(buf));
	assert_int_equal(n, 18);
	assert_memory_equal(buf, "calls 2\nkey value\n", 18);
	assert_int_equal(vfs_pread(a, buf, 5, 8), 5);
	assert_memory_equal(buf, "key v", 5);
	assert_int_equal(calls, 2); /* reads never regenerate */
	assert_int_equal(vfs_close(a), 0);
	assert_int_equal(vfs_close(b), 0);
	struct vfs_stat st;
	assert_int_equal(vfs_stat("/proc/x", &st), 0);
	assert_int_equal(st.mode, VFS_S_IFREG | 0444);
	assert_int_equal(st.size, 0);
}

static void test_read_only(void **state)
{
	assert_int_equal(vfs_open("/proc/x", VFS_O_WRONLY, 0), -EROFS);
	assert_int_equal(vfs_open("/proc/x", VFS_O_RDWR, 0), -EROFS);
	assert_int_equal(vfs_open("/proc/x", VFS_O_RDONLY | VFS_O_TRUNC, 0),
			 -EROFS);
	assert_int_equal(vfs_truncate("/proc/x", 0), -EROFS);
	assert_int_equal(vfs_unlink("/proc/x"), -EROFS);
	assert_int_equal(vfs_rename("/proc/x", "/proc/y"), -EROFS);
	assert_int_equal(vfs_proc_add("/proc/x", gen), -EEXIST);
	assert_int_equal(vfs_proc_add("/nodir/x", gen), -ENOENT);
	assert_int_equal(calls, 0);
}

static void test_large_text(void **state)
{
	big = 10000;
	int fd = vfs_open("/proc/x", VFS_O_RDONLY, 0);
	assert_true(fd >= 0);
	assert_int_equal(calls, 2); /* the first guess was too small */
	char *buf = malloc(big + 10);
	assert_int_equal(vfs_read(fd, buf, big + 10), (int64_t)big);
	for (size_t i = 0; i < big; i++)
		assert_int_equal(buf[i], 'x');
	free(buf);
	assert_int_equal(vfs_close(fd), 0);
}

static void test_out_of_memory(void **state)
{
	/* the description, then the snapshot */
	vfs_fail_alloc_countdown = 2;
	assert_int_equal(vfs_open("/proc/x", VFS_O_RDONLY, 0), -ENOMEM);
	vfs_fail_alloc_countdown = 1;
	assert_int_equal(vfs_proc_add("/proc/z", gen), -ENOSPC);
	int fd = vfs_open("/proc/x", VFS_O_RDONLY, 0);
	assert_true(fd >= 0);
	assert_int_equal(vfs_close(fd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	    T(test_snapshot_per_open),
	    T(test_read_only),
	    T(test_large_text),
	    T(test_out_of_memory),
#undef T
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
