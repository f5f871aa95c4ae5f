/*
 * tests/unit/test_vfs.c — host tests of the file layer's fd side
 * (posix/vfs_fd.c, posix/vfs_ramfs.c): the console fds, open flags, reads
 * and writes, offsets, holes, truncation, dup/fcntl, the fd limit, time
 * stamps and running out of memory.
 * Names and directories: test_vfs_ns.c; the initrd: test_vfs_initrd.c.
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

#define RW (VFS_O_RDWR | VFS_O_CREAT)

static char console[256];
static size_t console_len;
static int console_calls;

static void console_cb(const char *buf, size_t len)
{
	assert_true(console_len + len <= sizeof(console));
	memcpy(console + console_len, buf, len);
	console_len += len;
	console_calls++;
}

static int setup(void **state)
{
	test_now_ns = 100;
	console_len = 0;
	console_calls = 0;
	vfs_console_write = console_cb;
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

/* Creates path with the given contents; returns nothing, asserts. */
static void make_file(const char *path, const char *text)
{
	int fd = vfs_open(path, RW | VFS_O_TRUNC, 0644);

	assert_true(fd >= 3);
	assert_int_equal(vfs_write(fd, text, strlen(text)), strlen(text));
	assert_int_equal(vfs_close(fd), 0);
}

static void test_init_twice(void **state)
{
	assert_int_equal(vfs_init(test_clock), -EBUSY);
}

static void test_console(void **state)
{
	struct vfs_stat st;
	char b[4];

	assert_int_equal(vfs_write(1, "hi ", 3), 3);
	assert_int_equal(vfs_write(2, "there", 5), 5);
	assert_int_equal(vfs_write(0, "!", 1), 1);
	assert_int_equal(console_len, 9);
	assert_memory_equal(console, "hi there!", 9);
	assert_int_equal(vfs_write(1, "", 0), 0);
	assert_int_equal(console_calls, 3);
	assert_int_equal(vfs_write(1, NULL, 1), -EFAULT);
	vfs_console_write = NULL;
	assert_int_equal(vfs_write(1, "lost", 4), 4);
	assert_int_equal(vfs_read(0, b, sizeof(b)), 0);
	assert_int_equal(vfs_fstat(1, &st), 0);
	assert_int_equal(st.mode, VFS_S_IFCHR | 0620);
	assert_int_equal(st.size, 0);
	assert_int_equal(st.nlink, 1);
	assert_int_equal(vfs_lseek(1, 0, VFS_SEEK_SET), -ESPIPE);
	assert_int_equal(vfs_pread(0, b, 1, 0), -ESPIPE);
	assert_int_equal(vfs_pwrite(1, "x", 1, 0), -ESPIPE);
	assert_int_equal(vfs_ftruncate(1, 0), -EINVAL);
	assert_int_equal(vfs_fcntl(2, VFS_F_GETFL, 0), VFS_O_RDWR);
	/* 0, 1 and 2 share one description */
	assert_int_equal(vfs_fcntl(0, VFS_F_SETFL, VFS_O_NONBLOCK), 0);
	assert_int_equal(vfs_fcntl(2, VFS_F_GETFL, 0),
			 VFS_O_RDWR | VFS_O_NONBLOCK);
	/* a closed console fd is reused first */
	assert_int_equal(vfs_close(1), 0);
	assert_int_equal(vfs_write(1, "x", 1), -EBADF);
	assert_int_equal(vfs_open("/f", RW, 0600), 1);
	assert_int_equal(vfs_fstat(1, &st), 0);
	assert_int_equal(st.mode, VFS_S_IFREG | 0600);
}

static void test_open_create(void **state)
{
	struct vfs_stat st;
	char b[16];
	int fd;

	assert_int_equal(vfs_open("/f", VFS_O_RDWR, 0), -ENOENT);
	fd = vfs_open("/f", RW, 0644 | 0170000);
	assert_int_equal(fd, 3);
	assert_int_equal(vfs_fstat(fd, &st), 0);
	assert_int_equal(st.mode, VFS_S_IFREG | 0644);
	assert_int_equal(st.nlink, 1);
	assert_int_equal(st.size, 0);
	assert_int_equal(st.blocks, 0);
	assert_int_equal(st.blksize, VFS_BLKSIZE);
	assert_int_equal(st.mtime_ns, 100);
	assert_int_equal(vfs_write(fd, "hello", 5), 5);
	assert_int_equal(vfs_lseek(fd, 0, VFS_SEEK_SET), 0);
	assert_int_equal(vfs_read(fd, b, sizeof(b)), 5);
	assert_memory_equal(b, "hello", 5);
	assert_int_equal(vfs_read(fd, b, sizeof(b)), 0);
	assert_int_equal(vfs_read(fd, NULL, 0), 0);
	assert_int_equal(vfs_close(fd), 0);
	assert_int_equal(vfs_close(fd), -EBADF);
	/* an existing file opens as is; O_EXCL refuses it */
	assert_int_equal(vfs_open("/f", VFS_O_CREAT | VFS_O_EXCL, 0), -EEXIST);
	fd = vfs_open("f", RW, 0);
	assert_int_equal(fd, 3);
	assert_int_equal(vfs_stat("/f", &st), 0);
	assert_int_equal(st.size, 5);
	assert_int_equal(vfs_close(fd), 0);
}

static void test_open_errors(void **state)
{
	char name[300];

	make_file("/f", "x");
	assert_int_equal(vfs_mkdir("/d", 0755), 0);
	assert_int_equal(vfs_open("/f", VFS_O_ACCMODE, 0), -EINVAL);
	assert_int_equal(vfs_open("/f", VFS_O_DIRECTORY, 0), -ENOTDIR);
	assert_int_equal(vfs_open("/f/", VFS_O_RDONLY, 0), -ENOTDIR);
	assert_int_equal(vfs_open("/f/x", RW, 0), -ENOTDIR);
	assert_int_equal(vfs_open("/new/", RW, 0), -EISDIR);
	assert_int_equal(vfs_open("/new", RW | VFS_O_DIRECTORY, 0), -EINVAL);
	assert_int_equal(vfs_open("/nodir/new", RW, 0), -ENOENT);
	assert_int_equal(vfs_open("/d", VFS_O_WRONLY, 0), -EISDIR);
	assert_int_equal(vfs_open("/d", VFS_O_RDWR, 0), -EISDIR);
	assert_int_equal(vfs_open("/d", VFS_O_RDONLY | VFS_O_CREAT, 0),
			 -EISDIR);
	assert_int_equal(vfs_open("/d", VFS_O_RDONLY | VFS_O_TRUNC, 0),
			 -EISDIR);
	assert_int_equal(vfs_open("", VFS_O_RDONLY, 0), -ENOENT);
	assert_int_equal(vfs_open(NULL, VFS_O_RDONLY, 0), -EFAULT);
	memset(name, 'a', sizeof(name));
	name[0] = '/';
	name[VFS_NAME_MAX + 2] = '\0'; /* a 256-byte component */
	assert_int_equal(vfs_open(name, RW, 0), -ENAMETOOLONG);
	name[VFS_NAME_MAX + 1] = '\0'; /* 255 bytes */
	assert_int_equal(vfs_open(name, RW, 0), 3);
	/* a directory opens read-only, and reads as EISDIR */
	int fd = vfs_open("/d", VFS_O_RDONLY, 0);
	char b[4];

	assert_int_equal(fd, 4);
	assert_int_equal(vfs_read(fd, b, 4), -EISDIR);
	assert_int_equal(vfs_pread(fd, b, 4, 0), -EISDIR);
	assert_int_equal(vfs_write(fd, b, 4), -EBADF);
	assert_int_equal(vfs_ftruncate(fd, 0), -EINVAL);
	assert_int_equal(vfs_lseek(fd, 0, VFS_SEEK_END), -EINVAL);
}

static void test_path_too_long(void **state)
{
	char *p = malloc(VFS_PATH_MAX + 1);

	for (int i = 0; i < VFS_PATH_MAX; i += 2)
		memcpy(p + i, "a/", 2);
	p[VFS_PATH_MAX - 1] = '\0'; /* 4095 bytes: allowed, a is missing */
	assert_int_equal(vfs_open(p, VFS_O_RDONLY, 0), -ENOENT);
	p[VFS_PATH_MAX - 1] = 'a';
	p[VFS_PATH_MAX] = '\0';
	assert_int_equal(vfs_open(p, VFS_O_RDONLY, 0), -ENAMETOOLONG);
	assert_int_equal(vfs_mkdir(p, 0), -ENAMETOOLONG);
	free(p);
}

static void test_access_modes(void **state)
{
	char b[4];
	int r, w;

	make_file("/f", "abc");
	r = vfs_open("/f", VFS_O_RDONLY, 0);
	w = vfs_open("/f", VFS_O_WRONLY, 0);
	assert_int_equal(vfs_write(r, "x", 1), -EBADF);
	assert_int_equal(vfs_pwrite(r, "x", 1, 0), -EBADF);
	assert_int_equal(vfs_read(w, b, 1), -EBADF);
	assert_int_equal(vfs_pread(w, b, 1, 0), -EBADF);
	assert_int_equal(vfs_ftruncate(r, 0), -EINVAL);
	assert_int_equal(vfs_read(r, NULL, 1), -EFAULT);
	assert_int_equal(vfs_write(w, NULL, 1), -EFAULT);
	for (int fd = -1; fd <= VFS_OPEN_MAX; fd += VFS_OPEN_MAX + 1) {
		struct vfs_stat st;
		struct vfs_dirent de;

		assert_int_equal(vfs_read(fd, b, 1), -EBADF);
		assert_int_equal(vfs_write(fd, b, 1), -EBADF);
		assert_int_equal(vfs_pread(fd, b, 1, 0), -EBADF);
		assert_int_equal(vfs_pread(fd, b, 1, -1), -EBADF);
		assert_int_equal(vfs_pwrite(fd, b, 1, -1), -EBADF);
		assert_int_equal(vfs_lseek(fd, 0, VFS_SEEK_SET), -EBADF);
		assert_int_equal(vfs_fstat(fd, &st), -EBADF);
		assert_int_equal(vfs_close(fd), -EBADF);
		assert_int_equal(vfs_ftruncate(fd, 0), -EBADF);
		assert_int_equal(vfs_fcntl(fd, VFS_F_GETFL, 0), -EBADF);
		assert_int_equal(vfs_dup(fd), -EBADF);
		assert_int_equal(vfs_dup2(fd, 5), -EBADF);
		assert_int_equal(vfs_fchdir(fd), -EBADF);
		assert_int_equal(vfs_readdir(fd, &de), -EBADF);
	}
	assert_int_equal(vfs_read(7, b, 1), -EBADF); /* in range, unused */
	assert_int_equal(vfs_fstat(r, NULL), -EFAULT);
}

static void test_trunc_and_append(void **state)
{
	struct vfs_stat st;
	char b[16];
	int a, c;

	make_file("/f", "0123456789");
	test_now_ns = 200;
	a = vfs_open("/f", VFS_O_RDONLY | VFS_O_TRUNC, 0);
	assert_int_equal(vfs_fstat(a, &st), 0);
	assert_int_equal(st.size, 0); /* as Linux: O_TRUNC even read-only */
	assert_int_equal(st.mtime_ns, 200);
	vfs_close(a);
	make_file("/f", "ab");
	a = vfs_open("/f", VFS_O_WRONLY | VFS_O_APPEND, 0);
	c = vfs_open("/f", VFS_O_WRONLY | VFS_O_APPEND, 0);
	assert_int_equal(vfs_lseek(a, 0, VFS_SEEK_SET), 0);
	assert_int_equal(vfs_write(a, "cd", 2), 2);
	assert_int_equal(vfs_lseek(a, 0, VFS_SEEK_CUR), 4);
	assert_int_equal(vfs_write(c, "ef", 2), 2);
	assert_int_equal(vfs_write(a, "g", 1), 1);
	assert_int_equal(vfs_fcntl(a, VFS_F_GETFL, 0),
			 VFS_O_WRONLY | VFS_O_APPEND);
	/* pwrite writes where it is told even with O_APPEND */
	assert_int_equal(vfs_pwrite(a, "A", 1, 0), 1);
	assert_int_equal(vfs_fcntl(a, VFS_F_SETFL, VFS_O_RDWR), 0);
	assert_int_equal(vfs_fcntl(a, VFS_F_GETFL, 0), VFS_O_WRONLY);
	assert_int_equal(vfs_lseek(a, 1, VFS_SEEK_SET), 1);
	assert_int_equal(vfs_write(a, "B", 1), 1);
	assert_int_equal(vfs_pread(c, b, sizeof(b), 0), -EBADF);
	int r = vfs_open("/f", VFS_O_RDONLY, 0);

	assert_int_equal(vfs_read(r, b, sizeof(b)), 7);
	assert_memory_equal(b, "ABcdefg", 7);
}

static void test_lseek(void **state)
{
	char b[8];
	int fd;

	make_file("/f", "abcdef");
	fd = vfs_open("/f", VFS_O_RDWR, 0);
	assert_int_equal(vfs_lseek(fd, 2, VFS_SEEK_SET), 2);
	assert_int_equal(vfs_lseek(fd, 1, VFS_SEEK_CUR), 3);
	assert_int_equal(vfs_read(fd, b, 2), 2);
	assert_memory_equal(b, "de", 2);
	assert_int_equal(vfs_lseek(fd, -1, VFS_SEEK_END), 5);
	assert_int_equal(vfs_lseek(fd, -7, VFS_SEEK_END), -EINVAL);
	assert_int_equal(vfs_lseek(fd, -1, VFS_SEEK_SET), -EINVAL);
	assert_int_equal(vfs_lseek(fd, 0, 3), -EINVAL);
	assert_int_equal(vfs_lseek(fd, 5, VFS_SEEK_CUR), 10);
	assert_int_equal(vfs_lseek(fd, INT64_MAX, VFS_SEEK_CUR), -EOVERFLOW);
	assert_int_equal(vfs_lseek(fd, INT64_MAX, VFS_SEEK_SET), INT64_MAX);
	assert_int_equal(vfs_read(fd, b, 1), 0);
	assert_int_equal(vfs_write(fd, "x", 1), -EFBIG);
	/* writing past the end leaves a hole of zeros */
	assert_int_equal(vfs_lseek(fd, 10, VFS_SEEK_SET), 10);
	assert_int_equal(vfs_write(fd, "z", 1), 1);
	assert_int_equal(vfs_pread(fd, b, 8, 4), 7);
	assert_memory_equal(b, "ef\0\0\0\0z", 7);
	assert_int_equal(vfs_pread(fd, b, 8, -1), -EINVAL);
	assert_int_equal(vfs_pwrite(fd, b, 8, -1), -EINVAL);
	assert_int_equal(vfs_lseek(fd, 0, VFS_SEEK_CUR), 11);
}

/* Byte i of the test pattern. */
static uint8_t pat(uint64_t i)
{
	return (uint8_t)(i * 7 + (i >> 12) * 13 + 1);
}

static void test_chunks_and_holes(void **state)
{
	enum { N = 3 * VFS_BLKSIZE + 123 };
	static uint8_t in[N], out[N + 10];
	struct vfs_stat st;
	int fd = vfs_open("/big", RW, 0600);

	for (size_t i = 0; i < N; i++)
		in[i] = pat(i);
	/* written in odd pieces across chunk edges */
	for (size_t off = 0; off < N; off += 1000)
		assert_int_equal(
		    vfs_write(fd, in + off, N - off < 1000 ? N - off : 1000),
		    N - off < 1000 ? N - off : 1000);
	assert_int_equal(vfs_pread(fd, out, sizeof(out), 0), N);
	assert_memory_equal(in, out, N);
	for (size_t off = 1; off < N; off += 997) {
		memset(out, 0xee, 50);
		assert_int_equal(vfs_pread(fd, out, 50, off),
				 N - off < 50 ? N - off : 50);
		assert_memory_equal(out, in + off, N - off < 50 ? N - off : 50);
	}
	assert_int_equal(vfs_fstat(fd, &st), 0);
	assert_int_equal(st.blocks, 4 * (VFS_BLKSIZE / 512));
	/* a far, sparse write: one chunk, the rest zeros */
	assert_int_equal(vfs_pwrite(fd, "Q", 1, 1ULL << 30), 1);
	assert_int_equal(vfs_fstat(fd, &st), 0);
	assert_int_equal(st.size, (1ULL << 30) + 1);
	assert_int_equal(st.blocks, 5 * (VFS_BLKSIZE / 512));
	memset(out, 0xee, 20);
	assert_int_equal(vfs_pread(fd, out, 20, (1ULL << 30) - 19), 20);
	for (int i = 0; i < 19; i++)
		assert_int_equal(out[i], 0);
	assert_int_equal(out[19], 'Q');
	assert_int_equal(vfs_pread(fd, out, 20, 1ULL << 29), 20);
	assert_int_equal(out[0] | out[7] | out[19], 0);
}

static void test_truncate(void **state)
{
	struct vfs_stat st;
	char b[2 * VFS_BLKSIZE];
	int fd = vfs_open("/f", RW, 0600);

	memset(b, 'x', sizeof(b));
	assert_int_equal(vfs_write(fd, b, sizeof(b)), sizeof(b));
	test_now_ns = 300;
	/* shrink inside the second chunk, then grow: the tail reads zeros */
	assert_int_equal(vfs_ftruncate(fd, VFS_BLKSIZE + 3), 0);
	assert_int_equal(vfs_fstat(fd, &st), 0);
	assert_int_equal(st.size, VFS_BLKSIZE + 3);
	assert_int_equal(st.mtime_ns, 300);
	assert_int_equal(st.ctime_ns, 300);
	assert_int_equal(vfs_ftruncate(fd, sizeof(b)), 0);
	assert_int_equal(vfs_pread(fd, b, sizeof(b), 0), sizeof(b));
	for (size_t i = 0; i < sizeof(b); i++)
		assert_int_equal(b[i], i < VFS_BLKSIZE + 3 ? 'x' : 0);
	/* shrink to a chunk edge frees the chunk after it */
	assert_int_equal(vfs_truncate("/f", VFS_BLKSIZE), 0);
	assert_int_equal(vfs_fstat(fd, &st), 0);
	assert_int_equal(st.blocks, VFS_BLKSIZE / 512);
	assert_int_equal(vfs_truncate("/f", 0), 0);
	assert_int_equal(vfs_fstat(fd, &st), 0);
	assert_int_equal(st.blocks, 0);
	/* growing makes no chunks */
	assert_int_equal(vfs_truncate("/f", 1ULL << 35), 0);
	assert_int_equal(vfs_fstat(fd, &st), 0);
	assert_int_equal(st.size, 1ULL << 35);
	assert_int_equal(st.blocks, 0);
	assert_int_equal(vfs_truncate("/f", -1), -EINVAL);
	assert_int_equal(vfs_ftruncate(fd, -1), -EINVAL);
	assert_int_equal(vfs_truncate("/f", VFS_FILE_MAX), 0);
	assert_int_equal(vfs_truncate("/f", VFS_FILE_MAX + 1), -EFBIG);
	assert_int_equal(vfs_ftruncate(fd, VFS_FILE_MAX + 1), -EFBIG);
	assert_int_equal(vfs_truncate("/nope", 0), -ENOENT);
	assert_int_equal(vfs_truncate("/", 0), -EISDIR);
	assert_int_equal(vfs_truncate("/f/", 0), -ENOTDIR);
}

static void test_file_max(void **state)
{
	int fd = vfs_open("/f", RW, 0600);

	assert_int_equal(vfs_pwrite(fd, "abcde", 5, VFS_FILE_MAX - 2), 2);
	assert_int_equal(vfs_pwrite(fd, "abcde", 5, VFS_FILE_MAX), -EFBIG);
	assert_int_equal(vfs_lseek(fd, 0, VFS_SEEK_END), VFS_FILE_MAX);
	assert_int_equal(vfs_write(fd, "a", 1), -EFBIG);
	assert_int_equal(vfs_write(fd, "a", 0), 0);
}

static void test_unlink_open_file(void **state)
{
	struct vfs_stat st;
	char b[8];
	long before;
	int fd;

	make_file("/f", "keep");
	fd = vfs_open("/f", VFS_O_RDWR, 0);
	before = vfs_nodes_alive;
	assert_int_equal(vfs_unlink("/f"), 0);
	assert_int_equal(vfs_stat("/f", &st), -ENOENT);
	assert_int_equal(vfs_fstat(fd, &st), 0);
	assert_int_equal(st.nlink, 0);
	assert_int_equal(vfs_read(fd, b, 8), 4);
	assert_memory_equal(b, "keep", 4);
	assert_int_equal(vfs_write(fd, "!", 1), 1);
	assert_int_equal(vfs_pread(fd, b, 8, 0), 5);
	assert_memory_equal(b, "keep!", 5);
	int d = vfs_dup(fd);

	assert_int_equal(vfs_close(fd), 0);
	assert_int_equal(vfs_nodes_alive, before);
	assert_int_equal(vfs_close(d), 0);
	assert_int_equal(vfs_nodes_alive, before - 1);
	/* a new file of the same name is another file */
	make_file("/f", "new");
	assert_int_equal(vfs_stat("/f", &st), 0);
	assert_int_equal(st.size, 3);
}

static void test_dup_fcntl(void **state)
{
	char b[4];
	int fd, d;

	make_file("/f", "abcd");
	fd = vfs_open("/f", VFS_O_RDONLY | VFS_O_CLOEXEC, 0);
	assert_int_equal(fd, 3);
	assert_int_equal(vfs_fcntl(fd, VFS_F_GETFD, 0), VFS_FD_CLOEXEC);
	d = vfs_dup(fd);
	assert_int_equal(d, 4);
	assert_int_equal(vfs_fcntl(d, VFS_F_GETFD, 0), 0);
	assert_int_equal(vfs_read(fd, b, 2), 2);
	assert_int_equal(vfs_read(d, b, 2), 2); /* shared offset */
	assert_memory_equal(b, "cd", 2);
	assert_int_equal(vfs_fcntl(d, VFS_F_SETFD, VFS_FD_CLOEXEC), 0);
	assert_int_equal(vfs_fcntl(d, VFS_F_GETFD, 0), VFS_FD_CLOEXEC);
	assert_int_equal(vfs_fcntl(fd, VFS_F_SETFD, 0), 0);
	assert_int_equal(vfs_fcntl(fd, VFS_F_GETFD, 0), 0);
	assert_int_equal(vfs_fcntl(fd, VFS_F_DUPFD, 10), 10);
	assert_int_equal(vfs_fcntl(fd, VFS_F_DUPFD, 10), 11);
	assert_int_equal(vfs_fcntl(fd, VFS_F_DUPFD, -1), -EINVAL);
	assert_int_equal(vfs_fcntl(fd, VFS_F_DUPFD, VFS_OPEN_MAX), -EINVAL);
	assert_int_equal(vfs_fcntl(fd, VFS_F_DUPFD, VFS_OPEN_MAX - 1),
			 VFS_OPEN_MAX - 1);
	assert_int_equal(vfs_fcntl(fd, VFS_F_DUPFD, VFS_OPEN_MAX - 1), -EMFILE);
	assert_int_equal(vfs_fcntl(fd, 99, 0), -EINVAL);
	/* dup2 onto an open fd closes it first; onto itself is a no-op */
	assert_int_equal(vfs_dup2(fd, 1), 1);
	assert_int_equal(vfs_lseek(1, 0, VFS_SEEK_CUR), 4);
	assert_int_equal(vfs_dup2(fd, fd), fd);
	assert_int_equal(vfs_dup2(fd, -1), -EBADF);
	assert_int_equal(vfs_dup2(fd, VFS_OPEN_MAX), -EBADF);
	assert_int_equal(vfs_dup2(fd, 20), 20);
	assert_int_equal(vfs_close(fd), 0);
	assert_int_equal(vfs_read(20, b, 4), 0);
	assert_int_equal(vfs_lseek(20, 1, VFS_SEEK_SET), 1);
	assert_int_equal(vfs_read(1, b, 4), 3);
	assert_memory_equal(b, "bcd", 3);
}

static void test_emfile(void **state)
{
	struct vfs_stat st;
	int fd;

	make_file("/f", "");
	for (int i = 3; i < VFS_OPEN_MAX; i++)
		assert_int_equal(vfs_open("/f", VFS_O_RDONLY, 0), i);
	assert_int_equal(vfs_open("/f", VFS_O_RDONLY, 0), -EMFILE);
	assert_int_equal(vfs_open("/g", RW, 0600), -EMFILE);
	assert_int_equal(vfs_stat("/g", &st), -ENOENT); /* not made */
	assert_int_equal(vfs_dup(5), -EMFILE);
	assert_int_equal(vfs_fcntl(5, VFS_F_DUPFD, 0), -EMFILE);
	assert_int_equal(vfs_opendir("/"), -EMFILE);
	assert_int_equal(vfs_close(500), 0);
	fd = vfs_open("/g", RW, 0600);
	assert_int_equal(fd, 500);
}

/* RLIMIT_NOFILE: a lower fd limit refuses new fds from it up with the
 * errors open, F_DUPFD and dup2 give at the table's end; fds already
 * above it stay usable. */
static void test_open_max(void **state)
{
	char b[4];
	int hi;

	make_file("/f", "abcd");
	hi = vfs_open("/f", VFS_O_RDONLY, 0);
	assert_int_equal(vfs_dup2(hi, 9), 9);
	assert_int_equal(vfs_set_open_max(-1), -EINVAL);
	assert_int_equal(vfs_set_open_max(VFS_OPEN_MAX + 1), -EINVAL);
	assert_int_equal(vfs_set_open_max(6), 0);
	assert_int_equal(vfs_open_max(), 6);
	assert_int_equal(vfs_open("/f", VFS_O_RDONLY, 0), 4);
	assert_int_equal(vfs_dup(hi), 5);
	assert_int_equal(vfs_open("/f", VFS_O_RDONLY, 0), -EMFILE);
	assert_int_equal(vfs_dup(hi), -EMFILE);
	assert_int_equal(vfs_fcntl(hi, VFS_F_DUPFD, 6), -EINVAL);
	assert_int_equal(vfs_dup2(hi, 6), -EBADF);
	assert_int_equal(vfs_read(9, b, 4), 4); /* above the limit: usable */
	assert_int_equal(vfs_close(9), 0);
	assert_int_equal(vfs_set_open_max(VFS_OPEN_MAX), 0);
	assert_int_equal(vfs_dup2(hi, 9), 9);
}

static void test_times(void **state)
{
	struct vfs_stat st;
	char b[4];
	int fd;

	test_now_ns = 1000;
	fd = vfs_open("/f", RW, 0600);
	test_now_ns = 2000;
	assert_int_equal(vfs_write(fd, "ab", 2), 2);
	assert_int_equal(vfs_fstat(fd, &st), 0);
	assert_int_equal(st.atime_ns, 1000);
	assert_int_equal(st.mtime_ns, 2000);
	assert_int_equal(st.ctime_ns, 2000);
	test_now_ns = 3000;
	assert_int_equal(vfs_pread(fd, b, 2, 0), 2);
	assert_int_equal(vfs_fstat(fd, &st), 0);
	assert_int_equal(st.atime_ns, 3000);
	assert_int_equal(st.mtime_ns, 2000);
	assert_int_equal(vfs_stat("/", &st), 0);
	assert_int_equal(st.mtime_ns, 1000); /* entry made at 1000 */
	test_now_ns = 4000;
	assert_int_equal(vfs_unlink("/f"), 0);
	assert_int_equal(vfs_fstat(fd, &st), 0);
	assert_int_equal(st.ctime_ns, 4000);
	assert_int_equal(vfs_stat("/", &st), 0);
	assert_int_equal(st.mtime_ns, 4000);
}

static void test_out_of_memory(void **state)
{
	struct vfs_stat st;
	char big[VFS_BLKSIZE + 10];
	int fd;

	vfs_fail_alloc_countdown = 1; /* the open file */
	assert_int_equal(vfs_open("/f", RW, 0600), -ENOMEM);
	vfs_fail_alloc_countdown = 2; /* the node */
	assert_int_equal(vfs_open("/f", RW, 0600), -ENOSPC);
	vfs_fail_alloc_countdown = 3; /* the name */
	assert_int_equal(vfs_open("/f", RW, 0600), -ENOSPC);
	assert_int_equal(vfs_stat("/f", &st), -ENOENT);
	vfs_fail_alloc_countdown = 1;
	assert_int_equal(vfs_mkdir("/d", 0755), -ENOSPC);
	vfs_fail_alloc_countdown = 2;
	assert_int_equal(vfs_mkdir("/d", 0755), -ENOSPC);
	assert_int_equal(vfs_stat("/d", &st), -ENOENT);
	fd = vfs_open("/f", RW, 0600);
	assert_true(fd >= 0);
	/* a write makes the map, a leaf and a chunk; each may fail */
	vfs_fail_alloc_countdown = 1;
	assert_int_equal(vfs_write(fd, "x", 1), -ENOSPC);
	vfs_fail_alloc_countdown = 2; /* map made, leaf fails */
	assert_int_equal(vfs_write(fd, "x", 1), -ENOSPC);
	vfs_fail_alloc_countdown = 2; /* leaf made, chunk fails */
	assert_int_equal(vfs_write(fd, "x", 1), -ENOSPC);
	assert_int_equal(vfs_fstat(fd, &st), 0);
	assert_int_equal(st.size, 0);
	memset(big, 'b', sizeof(big));
	/* the first chunk is made, the second is not: a short write */
	vfs_fail_alloc_countdown = 2;
	assert_int_equal(vfs_write(fd, big, sizeof(big)), VFS_BLKSIZE);
	assert_int_equal(vfs_fstat(fd, &st), 0);
	assert_int_equal(st.size, VFS_BLKSIZE);
	make_file("/g", "g");
	vfs_fail_alloc_countdown = 1;
	assert_int_equal(vfs_rename("/g", "/h"), -ENOSPC);
	assert_int_equal(vfs_stat("/g", &st), 0);
	vfs_fail_alloc_countdown = 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	    T(test_init_twice),	      T(test_console),
	    T(test_open_create),      T(test_open_errors),
	    T(test_path_too_long),    T(test_access_modes),
	    T(test_trunc_and_append), T(test_lseek),
	    T(test_chunks_and_holes), T(test_truncate),
	    T(test_file_max),	      T(test_unlink_open_file),
	    T(test_dup_fcntl),	      T(test_emfile),
	    T(test_open_max),	      T(test_times),
	    T(test_out_of_memory),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
