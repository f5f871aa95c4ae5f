/*
 * tests/unit/test_vfs_map.c — the file layer's side of file maps
 * (posix/vfs_map.c): which fds can be mapped (exact errors), reads and
 * writes without an fd that never pass the file's end, and a reference
 * that keeps the file after its fd is closed and its name removed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "kernel/errno.h"
#include "posix/vfs.h"
#include "posix/vfs_impl.h"
#include "tests/unit/vfs_test.h"

static void test_which_fds(void **state)
{
	struct vfs_map *m;
	int w;
	uint64_t size;
	assert_int_equal(vfs_map_get(-1, &m, &w, &size), -EBADF);
	assert_int_equal(vfs_map_get(77, &m, &w, &size), -EBADF);
	assert_int_equal(vfs_map_get(VFS_OPEN_MAX, &m, &w, &size), -EBADF);
	assert_int_equal(vfs_map_get(1, &m, &w, &size), -ENODEV); /* console */
	int d = vfs_open("/", VFS_O_RDONLY, 0);
	assert_int_equal(vfs_map_get(d, &m, &w, &size), -ENODEV);
	int wo = vfs_open("/f", VFS_O_CREAT | VFS_O_WRONLY, 0644);
	assert_int_equal(vfs_write(wo, "hello", 5), 5);
	assert_int_equal(vfs_map_get(wo, &m, &w, &size), -EACCES);
	int ro = vfs_open("/f", VFS_O_RDONLY, 0);
	assert_int_equal(vfs_map_get(ro, &m, &w, &size), 0);
	assert_int_equal(w, 0);
	assert_int_equal(size, 5);
	vfs_map_put(m);
	int rw = vfs_open("/f", VFS_O_RDWR, 0);
	assert_int_equal(vfs_map_get(rw, &m, &w, &size), 0);
	assert_int_equal(w, 1);
	vfs_map_put(m);
	vfs_close(d);
	vfs_close(wo);
	vfs_close(ro);
	vfs_close(rw);
}

static void test_read_write_within_size(void **state)
{
	struct vfs_map *m;
	int w;
	uint64_t size;
	char buf[16];
	int fd = vfs_open("/f", VFS_O_CREAT | VFS_O_RDWR, 0644);
	assert_int_equal(vfs_write(fd, "0123456789", 10), 10);
	assert_int_equal(vfs_map_get(fd, &m, &w, &size), 0);
	assert_int_equal(vfs_map_read(m, buf, 16, 4), 6);
	assert_memory_equal(buf, "456789", 6);
	assert_int_equal(vfs_map_read(m, buf, 16, 10), 0);
	assert_int_equal(vfs_map_read(m, buf, 16, 1000), 0);
	/* a write is cut at the end: the file never grows */
	assert_int_equal(vfs_map_write(m, "abcdef", 6, 7), 3);
	assert_int_equal(vfs_map_write(m, "zz", 2, 10), 0);
	struct vfs_stat st;
	assert_int_equal(vfs_fstat(fd, &st), 0);
	assert_int_equal(st.size, 10);
	assert_int_equal(vfs_pread(fd, buf, 16, 0), 10);
	assert_memory_equal(buf, "0123456abc", 10);
	vfs_map_put(m);
	vfs_close(fd);
}

static void test_reference_outlives_fd(void **state)
{
	struct vfs_map *m, *m2;
	int w;
	uint64_t size;
	char buf[4];
	int fd = vfs_open("/f", VFS_O_CREAT | VFS_O_RDWR, 0644);
	assert_int_equal(vfs_write(fd, "data", 4), 4);
	assert_int_equal(vfs_map_get(fd, &m, &w, &size), 0);
	m2 = m;
	vfs_map_dup(m2);
	assert_int_equal(vfs_close(fd), 0);
	assert_int_equal(vfs_unlink("/f"), 0);
	long alive = vfs_nodes_alive;
	assert_int_equal(vfs_map_write(m, "DA", 2, 0), 2);
	assert_int_equal(vfs_map_read(m2, buf, 4, 0), 4);
	assert_memory_equal(buf, "DAta", 4);
	vfs_map_put(m);
	assert_int_equal(vfs_nodes_alive, alive); /* m2 still holds it */
	vfs_map_put(m2);
	assert_int_equal(vfs_nodes_alive, alive - 1);
}

static void test_initrd_read_only(void **state)
{
	struct cpio_w cw = {0};
	cw_entry(&cw, "ro.txt", VFS_S_IFREG | 0444, "initrd bytes", 12);
	cw_trailer(&cw);
	assert_int_equal(vfs_mount_initrd(cw.buf, cw.len, "/", NULL, 0), 0);
	struct vfs_map *m;
	int w;
	uint64_t size;
	char buf[16];
	int fd = vfs_open("/ro.txt", VFS_O_RDONLY, 0);
	assert_int_equal(vfs_map_get(fd, &m, &w, &size), 0);
	assert_int_equal(w, 0);
	assert_int_equal(size, 12);
	assert_int_equal(vfs_map_read(m, buf, 16, 0), 12);
	assert_memory_equal(buf, "initrd bytes", 12);
	assert_int_equal(vfs_map_write(m, "X", 1, 0), 0);
	vfs_map_put(m);
	vfs_close(fd);
	vfs_reset();
	cw_free(&cw);
	assert_int_equal(vfs_init(test_clock), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f)                                                                   \
	cmocka_unit_test_setup_teardown(f, vfs_test_setup, vfs_test_teardown)
	    T(test_which_fds),
	    T(test_read_write_within_size),
	    T(test_reference_outlives_fd),
	    T(test_initrd_read_only),
#undef T
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
