/*
 * tests/unit/test_vfs_cpio_bad.c — host tests of the initrd parser
 * (posix/vfs_initrd.c) on malformed archives: every kind, made with the
 * writer of vfs_test.c, fails with its exact error and one-line message and
 * leaves nothing mounted.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
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

static struct vfs_stat stat_of(const char *path)
{
	struct vfs_stat st;

	assert_int_equal(vfs_stat(path, &st), 0);
	return st;
}

/* Whether "/" is empty (only "." and ".."). */
static bool root_empty(void)
{
	struct vfs_dirent de;
	int fd = vfs_opendir("/"), n = 0;

	assert_true(fd >= 0);
	while (vfs_readdir(fd, &de) == 1)
		n++;
	vfs_close(fd);
	return n == 2;
}

/* Mounting w fails with ret and exactly msg, and leaves nothing behind. */
static void expect_bad(struct cpio_w *w, int ret, const char *msg)
{
	long alive = vfs_nodes_alive;

	assert_int_equal(mount(w, "/"), ret);
	assert_string_equal(err, msg);
	assert_true(root_empty());
	assert_int_equal(vfs_nodes_alive, alive);
	cw_free(w);
}

/* One entry with the given name bytes and name size, then a trailer. */
static void raw_name(struct cpio_w *w, const char *name, size_t len,
		     uint32_t namesize)
{
	uint32_t f[CW_NFIELDS] = {0};

	f[CW_MODE] = REG;
	f[CW_NAMESIZE] = namesize;
	cw_raw(w, "070701", f, name, len, NULL, 0);
	cw_trailer(w);
}

static void test_bad_headers(void **state)
{
	struct cpio_w w = {0};
	uint32_t f[CW_NFIELDS] = {[CW_MODE] = REG, [CW_NAMESIZE] = 2};

	cw_raw(&w, "070707", f, "a", 2, NULL, 0); /* the odc magic */
	cw_trailer(&w);
	expect_bad(&w, -EINVAL,
		   "initrd: entry 0 at offset 0: bad magic (not 070701 or "
		   "070702)");
	cw_entry(&w, "a", REG, "x", 1);
	cw_raw(&w, "07070X", f, "b", 2, NULL, 0);
	expect_bad(&w, -EINVAL,
		   "initrd: entry 1 at offset 116: bad magic (not 070701 or "
		   "070702)");
	static const struct {
		int field;
		const char *text, *name;
	} hex[] = {
	    {CW_FILESIZE, "0000000g", "filesize"},
	    {CW_NAMESIZE, " 0000002", "namesize"},
	    {CW_INO, "-0000001", "ino"},
	    {CW_CHECK, "0x000000", "check"},
	};
	for (size_t i = 0; i < sizeof(hex) / sizeof(hex[0]); i++) {
		char want[128];

		cw_entry(&w, "a", REG, "x", 1);
		assert_int_equal(cw_entry(&w, "b", REG, "y", 1), 116);
		cw_trailer(&w);
		cw_poke(&w, 116, hex[i].field, hex[i].text);
		snprintf(want, sizeof(want),
			 "initrd: entry 1 at offset 116: field %s is not 8 "
			 "hex digits",
			 hex[i].name);
		expect_bad(&w, -EINVAL, want);
	}
	/* lower-case hex is hex */
	cw_entry(&w, "b", REG, "y", 1);
	cw_trailer(&w);
	cw_poke(&w, 0, CW_MODE, "000081a4");
	assert_int_equal(mount(&w, "/"), 0);
	assert_int_equal(stat_of("/b").mode, VFS_S_IFREG | 0644);
	cw_free(&w);
	vfs_reset();
	assert_int_equal(vfs_init(test_clock), 0);
	/* cut headers */
	cw_entry(&w, "a", REG, "x", 1);
	w.len = 50;
	expect_bad(&w, -EINVAL,
		   "initrd: entry 0 at offset 0: truncated header (50 of 110 "
		   "bytes)");
	cw_entry(&w, "a", REG, "x", 1);
	cw_trailer(&w);
	w.len = 116 + 109;
	expect_bad(&w, -EINVAL,
		   "initrd: entry 1 at offset 116: truncated header (109 of "
		   "110 bytes)");
	/* missing trailer; nothing at all */
	cw_entry(&w, "a", REG, "x", 1);
	cw_entry(&w, "b", REG, "y", 1);
	expect_bad(&w, -EINVAL,
		   "initrd: entry 2 at offset 232: archive ends without a "
		   "TRAILER!!! entry");
	expect_bad(&w, -EINVAL,
		   "initrd: entry 0 at offset 0: archive ends without a "
		   "TRAILER!!! entry");
	assert_int_equal(vfs_mount_initrd(NULL, 5, "/", err, sizeof(err)),
			 -EINVAL);
	assert_string_equal(err, "initrd: archive pointer is NULL");
}

static void test_bad_names(void **state)
{
	struct cpio_w w = {0};

	raw_name(&w, "a", 2, 0x100);
	expect_bad(&w, -EINVAL,
		   "initrd: entry 0 at offset 0: name (256 bytes) runs past "
		   "the end of the archive");
	raw_name(&w, "", 0, 0);
	expect_bad(&w, -EINVAL, "initrd: entry 0 at offset 0: name size is 0");
	raw_name(&w, "ab", 2, 2);
	expect_bad(&w, -EINVAL,
		   "initrd: entry 0 at offset 0: name is not NUL-terminated");
	raw_name(&w, "a\0b", 4, 4);
	expect_bad(&w, -EINVAL,
		   "initrd: entry 0 at offset 0: name is not NUL-terminated");
	static const struct {
		const char *name, *why;
	} paths[] = {
	    {"", "empty path component"},      {"/etc/passwd", "absolute path"},
	    {"..", "'..' in the path"},	       {"a/../b", "'..' in the path"},
	    {"./..", "'..' in the path"},      {"a//b", "empty path component"},
	    {"a/", "empty path component"},    {"./", "empty path component"},
	    {".//a", "empty path component"},  {"a/./b", "'.' in the path"},
	    {"a/.", "'.' in the path"},	       {".", "'.' is not a directory"},
	    {"./.", "'.' is not a directory"},
	};
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		char want[128];

		cw_entry(&w, paths[i].name, REG, NULL, 0);
		cw_trailer(&w);
		snprintf(want, sizeof(want),
			 "initrd: entry 0 ('%s') at offset 0: %s",
			 paths[i].name, paths[i].why);
		expect_bad(&w, -EINVAL, want);
	}
	/* names from the archive stay on one line */
	cw_entry(&w, "/a\nb\x7f\x01", REG, NULL, 0);
	cw_trailer(&w);
	expect_bad(&w, -EINVAL,
		   "initrd: entry 0 ('/a?b?"
		   "?') at offset 0: absolute path");
	/* too long: a component, the whole path */
	static char name[VFS_PATH_MAX + 1], want[sizeof(err)];

	memset(name, 'n', VFS_NAME_MAX + 1);
	name[VFS_NAME_MAX + 1] = '\0';
	cw_entry(&w, name, REG, NULL, 0);
	cw_trailer(&w);
	snprintf(want, sizeof(want),
		 "initrd: entry 0 ('%s') at offset 0: path component longer "
		 "than 255 bytes",
		 name);
	expect_bad(&w, -EINVAL, want);
	for (int i = 0; i < VFS_PATH_MAX; i += 2)
		memcpy(name + i, "d/", 2);
	name[VFS_PATH_MAX - 1] = 'f'; /* 4096 bytes */
	name[VFS_PATH_MAX] = '\0';
	cw_entry(&w, name, REG, NULL, 0);
	cw_trailer(&w);
	snprintf(want, sizeof(want),
		 "initrd: entry 0 ('%s') at offset 0: path longer than 4095 "
		 "bytes",
		 name);
	expect_bad(&w, -EINVAL, want);
}

static void test_bad_entries(void **state)
{
	struct cpio_w w = {0};
	uint32_t f[CW_NFIELDS] = {[CW_MODE] = REG, [CW_NAMESIZE] = 2};

	f[CW_FILESIZE] = 100;
	cw_raw(&w, "070701", f, "f", 2, "0123456789", 10);
	expect_bad(&w, -EINVAL,
		   "initrd: entry 0 ('f') at offset 0: data (100 bytes) runs "
		   "past the end of the archive");
	f[CW_FILESIZE] = 0xffffffff;
	cw_raw(&w, "070701", f, "f", 2, NULL, 0);
	cw_trailer(&w);
	expect_bad(&w, -EINVAL,
		   "initrd: entry 0 ('f') at offset 0: data (4294967295 "
		   "bytes) runs past the end of the archive");
	f[CW_FILESIZE] = 1;
	f[CW_CHECK] = 5;
	cw_raw(&w, "070702", f, "f", 2, "a", 1);
	cw_trailer(&w);
	expect_bad(&w, -EINVAL,
		   "initrd: entry 0 ('f') at offset 0: checksum 0x5 does not "
		   "match the data (0x61)");
	cw_entry(&w, "l", 0120777, "target", 6);
	cw_trailer(&w);
	expect_bad(&w, -EINVAL,
		   "initrd: entry 0 ('l') at offset 0: unsupported file type "
		   "(mode 0xa1ff); only files and directories");
	cw_entry(&w, "a", REG, NULL, 0);
	cw_entry(&w, "dev/tty", 020620, NULL, 0);
	cw_trailer(&w);
	expect_bad(&w, -EINVAL,
		   "initrd: entry 1 ('dev/tty') at offset 112: unsupported "
		   "file type (mode 0x2190); only files and directories");
	cw_entry(&w, "d", DIR, "abc", 3);
	cw_trailer(&w);
	expect_bad(&w, -EINVAL,
		   "initrd: entry 0 ('d') at offset 0: directory with 3 bytes "
		   "of data");
}

static void test_bad_tree(void **state)
{
	struct cpio_w w = {0};
	static const struct {
		const char *first;
		uint32_t mode1;
		const char *second;
		uint32_t mode2;
		const char *why;
	} cases[] = {
	    {"a", REG, "a", REG, "duplicate name"},
	    {"a", DIR, "a", DIR, "duplicate name"},
	    {"a", REG, "a", DIR, "duplicate name"},
	    {"a", DIR, "a", REG, "duplicate name"},
	    {"a/x", REG, "a", REG, "duplicate name"},
	    {"a/x", REG, "a/x", DIR, "duplicate name"},
	    {"a", REG, "a/b", REG, "a parent directory is a file"},
	    {"a", REG, "a/b/c", DIR, "a parent directory is a file"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char want[128];
		size_t off;

		cw_entry(&w, cases[i].first, cases[i].mode1, NULL, 0);
		off = cw_entry(&w, cases[i].second, cases[i].mode2, NULL, 0);
		cw_trailer(&w);
		snprintf(want, sizeof(want),
			 "initrd: entry 1 ('%s') at offset %zu: %s",
			 cases[i].second, off, cases[i].why);
		expect_bad(&w, -EINVAL, want);
	}
	/* a made-up parent may be stated once, later */
	cw_entry(&w, "a/x", REG, NULL, 0);
	cw_entry(&w, "a", DIR, NULL, 0);
	cw_entry(&w, "a", DIR, NULL, 0);
	cw_trailer(&w);
	expect_bad(&w, -EINVAL,
		   "initrd: entry 2 ('a') at offset 228: duplicate name");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	    T(test_bad_headers),
	    T(test_bad_names),
	    T(test_bad_entries),
	    T(test_bad_tree),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
