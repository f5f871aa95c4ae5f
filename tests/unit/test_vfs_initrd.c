/*
 * tests/unit/test_vfs_initrd.c — host tests of the initrd
 * (posix/vfs_initrd.c): archives made by the writer of vfs_test.c and by GNU
 * cpio (tests/fuzz/corpus/cpio/, read from the repo root where the test
 * runs) are mounted and read back byte for byte; read-only rules; mount
 * points; running out of memory at every allocation of a mount. Malformed
 * archives: test_vfs_cpio_bad.c.
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

#define REG 0100644
#define DIR 0040755

static char err[1024];

static int setup(void **state)
{
	test_now_ns = 5;
	vfs_fail_alloc_countdown = 0;
	assert_int_equal(vfs_init(test_clock), 0);
	return 0;
}

static int teardown(void **state)
{
	vfs_reset();
	assert_int_equal(vfs_nodes_alive, 0);
	return 0;
}

static int mount(const struct cpio_w *w, const char *at)
{
	return vfs_mount_initrd(w->buf, w->len, at, err, sizeof(err));
}

/* Reads the whole file at path (through fd reads of 1000 bytes). */
static size_t slurp(const char *path, uint8_t *buf, size_t size)
{
	int fd = vfs_open(path, VFS_O_RDONLY, 0);
	size_t n = 0;
	int64_t r;

	assert_true(fd >= 0);
	while ((r = vfs_read(fd, buf + n, size - n < 1000 ? size - n : 1000)) >
	       0)
		n += (size_t)r;
	assert_int_equal(r, 0);
	assert_int_equal(vfs_close(fd), 0);
	return n;
}

static void assert_file(const char *path, const void *want, size_t len)
{
	static uint8_t b[20000];

	assert_int_equal(slurp(path, b, sizeof(b)), len);
	assert_memory_equal(b, want, len);
}

static struct vfs_stat stat_of(const char *path)
{
	struct vfs_stat st;

	assert_int_equal(vfs_stat(path, &st), 0);
	return st;
}

/* The names in a directory, after "." and "..", space-separated. */
static const char *names(const char *path)
{
	static char out[512];
	struct vfs_dirent de;
	int fd = vfs_opendir(path);

	assert_true(fd >= 0);
	out[0] = '\0';
	assert_int_equal(vfs_readdir(fd, &de), 1);
	assert_int_equal(vfs_readdir(fd, &de), 1);
	while (vfs_readdir(fd, &de) == 1)
		snprintf(out + strlen(out), sizeof(out) - strlen(out), "%s%s",
			 out[0] ? " " : "", de.name);
	vfs_close(fd);
	return out;
}

static uint8_t big[10000];

/* Entries with padding of every length, a made-up parent, an empty file
 * and a large one (no trailer). */
static void basic_entries(struct cpio_w *w)
{
	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (uint8_t)(i * 31 + 7);
	cw_entry(w, ".", DIR, NULL, 0);
	cw_entry(w, "etc", DIR, NULL, 0);
	cw_entry(w, "etc/passwd", REG, "root:x:0:0\n", 11);
	cw_entry(w, "bin/tool", 0100755,
		 "\x7f"
		 "ELF",
		 4);
	cw_entry(w, "empty", REG, NULL, 0);
	cw_entry(w, "a", REG, "1", 1);
	cw_entry(w, "bb", REG, "22", 2);
	cw_entry(w, "ccc", REG, "333", 3);
	cw_entry(w, "dddd", REG, "4444", 4);
	cw_entry(w, "big", REG, big, sizeof(big));
}

static void basic_archive(struct cpio_w *w)
{
	basic_entries(w);
	cw_trailer(w);
}

static void test_mount_basic(void **state)
{
	struct cpio_w w = {0};
	struct vfs_stat st;
	struct vfs_node *n;

	basic_archive(&w);
	assert_int_equal(mount(&w, "/"), 0);
	assert_string_equal(err, "");
	assert_string_equal(names("/"), "etc bin empty a bb ccc dddd big");
	assert_string_equal(names("/etc"), "passwd");
	assert_file("/etc/passwd", "root:x:0:0\n", 11);
	assert_file("/bin/tool",
		    "\x7f"
		    "ELF",
		    4);
	assert_file("/empty", "", 0);
	assert_file("/a", "1", 1);
	assert_file("/bb", "22", 2);
	assert_file("/ccc", "333", 3);
	assert_file("/dddd", "4444", 4);
	assert_file("/big", big, sizeof(big));
	st = stat_of("/etc/passwd");
	assert_int_equal(st.mode, VFS_S_IFREG | 0644);
	assert_int_equal(st.size, 11);
	assert_int_equal(st.nlink, 1);
	assert_int_equal(st.mtime_ns, 1000000000000ULL);
	assert_int_equal(st.atime_ns, 1000000000000ULL); /* read, kept */
	assert_int_equal(st.ctime_ns, 1000000000000ULL);
	assert_int_equal(st.blocks, 1);
	assert_int_equal(stat_of("/big").blocks, 20);
	assert_int_equal(stat_of("/bin/tool").mode, VFS_S_IFREG | 0755);
	st = stat_of("/etc");
	assert_int_equal(st.mode, VFS_S_IFDIR | 0755);
	assert_int_equal(st.nlink, 2);
	assert_int_equal(st.mtime_ns, 1000000000000ULL);
	assert_int_equal(stat_of("/bin").mode, VFS_S_IFDIR | 0555);
	assert_int_equal(stat_of("/").nlink, 4);
	assert_int_equal(stat_of("/").mode, VFS_S_IFDIR | 0755); /* kept */
	/* zero copy: the data is the archive's */
	assert_int_equal(vfs_lookup("/big", &n), 0);
	assert_ptr_equal(n->rodata, w.buf + w.len - 124 - sizeof(big));
	/* pread inside, at and past the end */
	int fd = vfs_open("/big", VFS_O_RDONLY, 0);
	uint8_t b[16];

	assert_int_equal(vfs_pread(fd, b, 16, 9990), 10);
	assert_memory_equal(b, big + 9990, 10);
	assert_int_equal(vfs_pread(fd, b, 16, 10000), 0);
	assert_int_equal(vfs_pread(fd, b, 16, 1ULL << 50), 0);
	assert_int_equal(vfs_lseek(fd, 0, VFS_SEEK_END), 10000);
	assert_int_equal(vfs_ftruncate(fd, 0), -EINVAL);
	vfs_close(fd);
	cw_free(&w);
}

static void test_read_only(void **state)
{
	struct cpio_w w = {0};

	basic_archive(&w);
	assert_int_equal(mount(&w, "/"), 0);
	assert_int_equal(vfs_open("/etc/passwd", VFS_O_WRONLY, 0), -EROFS);
	assert_int_equal(vfs_open("/etc/passwd", VFS_O_RDWR, 0), -EROFS);
	assert_int_equal(vfs_open("/etc/passwd", VFS_O_RDONLY | VFS_O_TRUNC, 0),
			 -EROFS);
	assert_int_equal(vfs_open("/etc/new", VFS_O_RDWR | VFS_O_CREAT, 0),
			 -EROFS);
	assert_int_equal(
	    vfs_open("/etc/passwd", VFS_O_CREAT | VFS_O_EXCL | VFS_O_RDONLY, 0),
	    -EEXIST);
	int fd = vfs_open("/etc/passwd", VFS_O_RDONLY | VFS_O_CREAT, 0);

	assert_int_equal(fd, 3);
	assert_int_equal(vfs_write(fd, "x", 1), -EBADF);
	vfs_close(fd);
	assert_int_equal(vfs_mkdir("/etc/x", 0755), -EROFS);
	assert_int_equal(vfs_mkdir("/etc", 0755), -EEXIST);
	assert_int_equal(vfs_unlink("/etc/passwd"), -EROFS);
	assert_int_equal(vfs_unlink("/a"), -EROFS);
	assert_int_equal(vfs_rmdir("/etc"), -EROFS);
	assert_int_equal(vfs_rmdir("/bin"), -EROFS);
	assert_int_equal(vfs_rename("/etc/passwd", "/passwd"), -EROFS);
	assert_int_equal(vfs_rename("/a", "/z"), -EROFS);
	assert_int_equal(vfs_truncate("/a", 0), -EROFS);
	assert_int_equal(vfs_access("/a", VFS_W_OK), -EROFS);
	assert_int_equal(vfs_access("/a", VFS_R_OK), 0);
	assert_int_equal(vfs_access("/bin/tool", VFS_X_OK), 0);
	/* the mount point stays writable */
	assert_int_equal(vfs_mkdir("/tmp", 01777), 0);
	fd = vfs_open("/tmp/f", VFS_O_RDWR | VFS_O_CREAT, 0600);
	assert_int_equal(vfs_write(fd, "w", 1), 1);
	vfs_close(fd);
	assert_int_equal(vfs_rename("/tmp/f", "/etc/f"), -EROFS);
	assert_int_equal(vfs_rename("/tmp/f", "/a"), -EROFS);
	assert_int_equal(vfs_rename("/tmp", "/bin"), -EROFS);
	assert_int_equal(vfs_rename("/tmp/f", "/f"), 0);
	assert_int_equal(vfs_unlink("/f"), 0);
	assert_int_equal(vfs_chdir("/etc"), 0);
	assert_file("passwd", "root:x:0:0\n", 11);
	cw_free(&w);
}

static void test_mount_points(void **state)
{
	struct cpio_w w = {0}, w2 = {0};
	long alive;

	cw_entry(&w, "x/y", REG, "why", 3);
	cw_trailer(&w);
	cw_entry(&w2, "etc/other", REG, "o", 1);
	cw_entry(&w2, "x", REG, "clash", 5);
	cw_trailer(&w2);
	assert_int_equal(mount(&w, "/mnt"), -ENOENT);
	assert_string_equal(err, "initrd: mount point '/mnt' does not exist");
	assert_int_equal(vfs_mkdir("/mnt", 0755), 0);
	int fd = vfs_open("/file", VFS_O_RDWR | VFS_O_CREAT, 0600);

	vfs_close(fd);
	assert_int_equal(mount(&w, "/file"), -ENOTDIR);
	assert_string_equal(err,
			    "initrd: mount point '/file' is not a directory");
	assert_int_equal(vfs_mount_initrd(w.buf, w.len, NULL, err, 100),
			 -EFAULT);
	assert_string_equal(err,
			    "initrd: mount point '(null)' is not a valid path");
	assert_int_equal(vfs_mkdir("/gone", 0755), 0);
	assert_int_equal(vfs_chdir("/gone"), 0);
	assert_int_equal(vfs_rmdir("/gone"), 0);
	assert_int_equal(mount(&w, "."), -ENOENT);
	assert_string_equal(err, "initrd: mount point '.' does not exist");
	assert_int_equal(vfs_chdir("/"), 0);
	assert_int_equal(mount(&w, "/mnt/"), 0);
	assert_file("/mnt/x/y", "why", 3);
	assert_int_equal(mount(&w, "/mnt/x"), -EROFS);
	assert_string_equal(err, "initrd: mount point '/mnt/x' is read-only");
	/* a second archive beside the first; a taken name refuses it all */
	alive = vfs_nodes_alive;
	assert_int_equal(mount(&w2, "/mnt"), -EEXIST);
	assert_string_equal(err,
			    "initrd: 'x' already exists in the mount point");
	assert_int_equal(vfs_nodes_alive, alive);
	assert_string_equal(names("/mnt"), "x");
	assert_int_equal(mount(&w2, "/"), 0);
	assert_string_equal(names("/"), "mnt file etc x");
	assert_file("/x", "clash", 5);
	/* err may be NULL, or short */
	assert_int_equal(vfs_mount_initrd(w.buf, w.len, "/", NULL, 0), -EEXIST);
	assert_int_equal(vfs_mount_initrd(w.buf, w.len, "/", err, 8), -EEXIST);
	assert_string_equal(err, "initrd:");
	cw_free(&w);
	cw_free(&w2);
}

static void test_gnu_cpio(void **state)
{
	static uint8_t a[4096];
	const char *seeds[] = {"tests/fuzz/corpus/cpio/gnu_newc.cpio",
			       "tests/fuzz/corpus/cpio/gnu_crc.cpio"};

	for (int i = 0; i < 2; i++) {
		FILE *f = fopen(seeds[i], "rb");
		size_t len;
		struct vfs_stat st;

		assert_non_null(f);
		len = fread(a, 1, sizeof(a), f);
		fclose(f);
		assert_int_equal(len, 1536);
		assert_int_equal(
		    vfs_mount_initrd(a, len, "/", err, sizeof(err)), 0);
		assert_string_equal(names("/"), "empty sub link.txt top.txt");
		assert_string_equal(names("/sub"), "deeper hello.txt");
		assert_file("/sub/hello.txt", "hello, world\n", 13);
		assert_file("/sub/deeper/one", "x", 1);
		assert_file("/empty", "", 0);
		/* a hard link: newc carries the data on its last name */
		assert_file("/top.txt", "top\n", 4);
		assert_file("/link.txt", "top\n", 4);
		st = stat_of("/link.txt");
		assert_int_equal(st.ino, stat_of("/top.txt").ino);
		assert_int_equal(st.nlink, 2);
		assert_int_equal(st.mtime_ns, 1234567890000000000ULL);
		assert_int_equal(stat_of("/sub").nlink, 3);
		vfs_reset();
		assert_int_equal(vfs_init(test_clock), 0);
	}
}

static void test_names_and_links(void **state)
{
	struct cpio_w w = {0};

	cw_entry(&w, ".", DIR, NULL, 0);
	cw_entry(&w, "./d/e/f", REG, "deep", 4);
	cw_entry(&w, "././d", 040700, NULL, 0); /* made before, now stated */
	cw_link(&w, "h1", 77, 3, "data", 4);	/* the data first this time */
	cw_link(&w, "d/h2", 77, 3, NULL, 0);
	cw_link(&w, "solo", 78, 2, "s", 1); /* nlink 2, one name only */
	cw_trailer(&w);
	/* what follows the trailer is ignored */
	memcpy(w.buf + w.len - 3, "jnk", 3); /* the trailer's padding */
	for (int i = 0; i < 100; i++)
		cw_raw(&w, "garbag", (uint32_t[CW_NFIELDS]){0}, "", 0, NULL, 0);
	assert_int_equal(mount(&w, "/"), 0);
	assert_string_equal(names("/"), "d h1 solo");
	assert_string_equal(names("/d"), "e h2");
	assert_int_equal(stat_of("/d").mode, VFS_S_IFDIR | 0700);
	assert_int_equal(stat_of("/d/e").mode, VFS_S_IFDIR | 0555);
	assert_file("/d/e/f", "deep", 4);
	assert_file("/d/h2", "data", 4);
	assert_int_equal(stat_of("/d/h2").ino, stat_of("/h1").ino);
	assert_int_equal(stat_of("/h1").nlink, 2);
	assert_int_equal(stat_of("/solo").nlink, 1);
	cw_free(&w);
}

static void test_trailer_unpadded_and_crc(void **state)
{
	struct cpio_w w = {0};
	uint32_t f[CW_NFIELDS] = {0};

	f[CW_MODE] = REG;
	f[CW_FILESIZE] = 3;
	f[CW_NAMESIZE] = 2;
	f[CW_CHECK] = 'a' + 'b' + 'c';
	cw_raw(&w, "070702", f, "f", 2, "abc", 3);
	cw_trailer(&w);
	w.len -= 3; /* ends right after "TRAILER!!!\0" */
	assert_int_equal(mount(&w, "/"), 0);
	assert_file("/f", "abc", 3);
	cw_free(&w);
}

static void test_deep_archive(void **state)
{
	struct cpio_w w = {0};
	char path[VFS_PATH_MAX];

	for (size_t n = 0; n < VFS_PATH_MAX - 2; n += 2)
		memcpy(path + n, "d/", 2);
	memcpy(path + VFS_PATH_MAX - 2, "f", 2); /* 4095 bytes, 2047 deep */
	assert_int_equal(strlen(path), VFS_PATH_MAX - 1);
	cw_entry(&w, path, REG, "bottom", 6);
	cw_trailer(&w);
	assert_int_equal(mount(&w, "/"), 0);
	assert_file(path, "bottom", 6);
	/* freed without recursion at teardown; also by a failed mount */
	cw_free(&w);
	cw_entry(&w, path, REG, "bottom", 6);
	assert_int_equal(mount(&w, "/"), -EINVAL);
	cw_free(&w);
}

static void test_out_of_memory(void **state)
{
	struct cpio_w w = {0};
	long alive = vfs_nodes_alive;
	int k, ret;

	basic_entries(&w);
	cw_link(&w, "h1", 7, 2, NULL, 0);
	cw_link(&w, "h2", 7, 2, "x", 1);
	cw_trailer(&w);
	for (k = 1;; k++) {
		vfs_fail_alloc_countdown = k;
		ret = mount(&w, "/");
		if (!ret)
			break;
		assert_int_equal(ret, -ENOSPC);
		assert_non_null(strstr(err, "out of memory"));
		assert_string_equal(names("/"), "");
		assert_int_equal(vfs_nodes_alive, alive);
	}
	vfs_fail_alloc_countdown = 0;
	assert_true(k > 20);
	assert_file("/big", big, sizeof(big));
	cw_free(&w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	    T(test_mount_basic),     T(test_read_only),
	    T(test_mount_points),    T(test_gnu_cpio),
	    T(test_names_and_links), T(test_trailer_unpadded_and_crc),
	    T(test_deep_archive),    T(test_out_of_memory),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
