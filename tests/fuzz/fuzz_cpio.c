/*
 * tests/fuzz/fuzz_cpio.c — libFuzzer target of the initrd
 * (posix/vfs_initrd.c): the input, copied into a buffer of exactly its size,
 * is mounted at "/" of a fresh file layer.
 *
 * Checked: no crash, out-of-bounds read or leak; the mount gives 0 or
 * -EINVAL; a failure leaves "/" empty with an "initrd: " message on one line
 * and no node behind; after success every directory reads back (".", "..",
 * then names that stat to the same inode) and every file reads whole, with
 * read() agreeing with its size and with pread(), and refuses writing; a
 * second mount of the same archive fails with -EEXIST and changes nothing;
 * vfs_reset() frees every node.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/errno.h"
#include "posix/vfs.h"
#include "posix/vfs_impl.h"

#define CHECK(cond)                                                            \
	do {                                                                   \
		if (!(cond))                                                   \
			abort();                                               \
	} while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char path[VFS_PATH_MAX + VFS_NAME_MAX + 2];
static uint8_t chunk[4096], chunk2[4096];

static void check_file(const struct vfs_stat *st)
{
	int fd = vfs_open(path, VFS_O_RDONLY, 0);
	uint64_t total = 0;
	int64_t n;

	CHECK(fd >= 0);
	while ((n = vfs_read(fd, chunk, sizeof(chunk))) > 0) {
		CHECK(vfs_pread(fd, chunk2, (size_t)n, (int64_t)total) == n);
		CHECK(!memcmp(chunk, chunk2, (size_t)n));
		total += (uint64_t)n;
	}
	CHECK(n == 0 && total == st->size);
	CHECK(vfs_close(fd) == 0);
	CHECK(vfs_open(path, VFS_O_WRONLY, 0) == -EROFS);
	CHECK(vfs_unlink(path) == -EROFS);
}

/* Walks the directory named by path (which it extends and restores). The
 * names are read first and the fd closed, so depth needs no fds. */
static unsigned walk(void)
{
	struct vfs_dirent de;
	struct vfs_stat st;
	size_t len = strlen(path), count = 0, cap = 0;
	char **names = NULL;
	unsigned files = 0;
	int fd = vfs_opendir(path);

	CHECK(fd >= 0);
	CHECK(vfs_readdir(fd, &de) == 1 && !strcmp(de.name, "."));
	CHECK(vfs_readdir(fd, &de) == 1 && !strcmp(de.name, ".."));
	while (vfs_readdir(fd, &de) == 1) {
		if (count == cap) {
			cap = cap ? 2 * cap : 8;
			names = realloc(names, cap * sizeof(*names));
			CHECK(names);
		}
		names[count] = strdup(de.name);
		CHECK(names[count] && strlen(de.name) >= 1);
		CHECK(!strchr(de.name, '/'));
		count++;
	}
	CHECK(vfs_closedir(fd) == 0);
	for (size_t i = 0; i < count; i++) {
		size_t n = strlen(names[i]);

		CHECK(len + 1 + n < sizeof(path));
		path[len] = '/';
		memcpy(path + len + 1, names[i], n + 1);
		if (len == 1) /* the root: no double slash */
			memmove(path + 1, path + 2, n + 1);
		CHECK(vfs_stat(path, &st) == 0);
		if ((st.mode & VFS_S_IFMT) == VFS_S_IFDIR) {
			files += walk();
		} else {
			CHECK((st.mode & VFS_S_IFMT) == VFS_S_IFREG);
			check_file(&st);
			files++;
		}
		path[len] = '\0';
		free(names[i]);
	}
	free(names);
	return files;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *buf = malloc(size ? size : 1);
	char err[512];
	long empty;
	int ret;

	CHECK(buf);
	memcpy(buf, data, size);
	CHECK(vfs_init(NULL) == 0);
	empty = vfs_nodes_alive;
	ret = vfs_mount_initrd(buf, size, "/", err, sizeof(err));
	CHECK(ret == 0 || ret == -EINVAL);
	CHECK(!strchr(err, '\n'));
	if (ret) {
		CHECK(!strncmp(err, "initrd: ", 8));
		CHECK(vfs_nodes_alive == empty);
		strcpy(path, "/");
		CHECK(walk() == 0);
	} else {
		long alive = vfs_nodes_alive;

		CHECK(err[0] == '\0');
		strcpy(path, "/");
		walk();
		ret = vfs_mount_initrd(buf, size, "/", err, sizeof(err));
		CHECK(ret == (alive == empty ? 0 : -EEXIST));
		CHECK(vfs_nodes_alive == alive);
	}
	vfs_reset();
	CHECK(vfs_nodes_alive == 0);
	free(buf);
	return 0;
}
