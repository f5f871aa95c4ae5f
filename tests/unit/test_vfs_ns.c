/*
 * tests/unit/test_vfs_ns.c — host tests of the file layer's names
 * (posix/vfs.c, posix/vfs_ns.c, the directory calls of posix/vfs_fd.c):
 * path edge cases, mkdir/rmdir/unlink/rename, stat/access, chdir/getcwd,
 * reading directories while they change, and four threads at once.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "kernel/errno.h"
#include "posix/vfs.h"
#include "posix/vfs_impl.h"
#include "tests/unit/vfs_test.h"

static int setup(void **state)
{
	test_now_ns = 100;
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

static void touch(const char *path)
{
	int fd = vfs_open(path, VFS_O_WRONLY | VFS_O_CREAT, 0644);

	assert_true(fd >= 0);
	assert_int_equal(vfs_close(fd), 0);
}

static uint64_t ino_of(const char *path)
{
	struct vfs_stat st;

	assert_int_equal(vfs_stat(path, &st), 0);
	return st.ino;
}

static uint64_t nlink_of(const char *path)
{
	struct vfs_stat st;

	assert_int_equal(vfs_stat(path, &st), 0);
	return st.nlink;
}

static void assert_cwd(const char *want)
{
	char b[VFS_PATH_MAX];

	assert_int_equal(vfs_getcwd(b, sizeof(b)), 0);
	assert_string_equal(b, want);
}

/* Reads a whole directory into "name name ..." (after . and ..). */
static void list(const char *path, char *out, size_t size)
{
	struct vfs_dirent de;
	int fd = vfs_opendir(path), r;

	assert_true(fd >= 0);
	out[0] = '\0';
	assert_int_equal(vfs_readdir(fd, &de), 1);
	assert_string_equal(de.name, ".");
	assert_int_equal(vfs_readdir(fd, &de), 1);
	assert_string_equal(de.name, "..");
	while ((r = vfs_readdir(fd, &de)) == 1)
		snprintf(out + strlen(out), size - strlen(out), "%s%s",
			 out[0] ? " " : "", de.name);
	assert_int_equal(r, 0);
	assert_int_equal(vfs_closedir(fd), 0);
}

static void assert_list(const char *path, const char *want)
{
	char b[512];

	list(path, b, sizeof(b));
	assert_string_equal(b, want);
}

static void test_paths(void **state)
{
	uint64_t root = ino_of("/"), a, b;

	assert_int_equal(vfs_mkdir("/a", 0755), 0);
	assert_int_equal(vfs_mkdir("/a/b", 0755), 0);
	touch("/a/b/f");
	a = ino_of("/a");
	b = ino_of("/a/b");
	assert_int_equal(root, 1);
	assert_int_equal(ino_of("//"), root);
	assert_int_equal(ino_of("/.."), root);
	assert_int_equal(ino_of("/../../."), root);
	assert_int_equal(ino_of("."), root);
	assert_int_equal(ino_of("//a///b//"), b);
	assert_int_equal(ino_of("./a/../a/./b/."), b);
	assert_int_equal(ino_of("a/b/.."), a);
	assert_int_equal(ino_of("a/b/../../a/b/f"), ino_of("/a/b/f"));
	struct vfs_stat st;

	assert_int_equal(vfs_stat("/a/b/f/", &st), -ENOTDIR);
	assert_int_equal(vfs_stat("/a/b/f/.", &st), -ENOTDIR);
	assert_int_equal(vfs_stat("/a/b/f/..", &st), -ENOTDIR);
	assert_int_equal(vfs_stat("/a/x/f", &st), -ENOENT);
	assert_int_equal(vfs_stat("/a/b/g", &st), -ENOENT);
	assert_int_equal(vfs_stat("", &st), -ENOENT);
	assert_int_equal(vfs_stat(NULL, &st), -EFAULT);
	assert_int_equal(vfs_stat("/", NULL), -EFAULT);
	assert_int_equal(vfs_lstat("/a/b/f", &st), 0);
	assert_int_equal(st.mode, VFS_S_IFREG | 0644);
	/* names are bytes: case matters, no trimming */
	assert_int_equal(vfs_stat("/A", &st), -ENOENT);
	assert_int_equal(vfs_stat("/a ", &st), -ENOENT);
}

static void test_mkdir_rmdir(void **state)
{
	struct vfs_stat st;

	assert_int_equal(vfs_mkdir("/d", 0750 | 0170000), 0);
	assert_int_equal(vfs_stat("/d", &st), 0);
	assert_int_equal(st.mode, VFS_S_IFDIR | 0750);
	assert_int_equal(st.nlink, 2);
	assert_int_equal(st.size, 0);
	assert_int_equal(nlink_of("/"), 3);
	assert_int_equal(vfs_mkdir("/d", 0755), -EEXIST);
	assert_int_equal(vfs_mkdir("/d/", 0755), -EEXIST);
	assert_int_equal(vfs_mkdir("/", 0755), -EEXIST);
	assert_int_equal(vfs_mkdir("/d/..", 0755), -EEXIST);
	assert_int_equal(vfs_mkdir("/x/y", 0755), -ENOENT);
	assert_int_equal(vfs_mkdir("", 0755), -ENOENT);
	touch("/f");
	assert_int_equal(vfs_mkdir("/f", 0755), -EEXIST);
	assert_int_equal(vfs_mkdir("/f/y", 0755), -ENOTDIR);
	assert_int_equal(vfs_mkdir("/d/e/", 0755), 0); /* trailing slash */
	assert_int_equal(nlink_of("/d"), 3);
	assert_int_equal(vfs_stat("/d", &st), 0);
	assert_int_equal(st.size, 1);
	assert_int_equal(vfs_rmdir("/d"), -ENOTEMPTY);
	assert_int_equal(vfs_rmdir("/f"), -ENOTDIR);
	assert_int_equal(vfs_rmdir("/d/e/."), -EINVAL);
	assert_int_equal(vfs_rmdir("/d/e/.."), -ENOTEMPTY);
	assert_int_equal(vfs_rmdir("/"), -EBUSY);
	assert_int_equal(vfs_rmdir("///"), -EBUSY);
	assert_int_equal(vfs_rmdir("/nope"), -ENOENT);
	assert_int_equal(vfs_rmdir("/d/e/"), 0);
	assert_int_equal(nlink_of("/d"), 2);
	assert_int_equal(vfs_rmdir("/d"), 0);
	assert_int_equal(nlink_of("/"), 2);
	assert_int_equal(vfs_stat("/d", &st), -ENOENT);
}

static void test_unlink(void **state)
{
	touch("/f");
	assert_int_equal(vfs_mkdir("/d", 0755), 0);
	assert_int_equal(vfs_unlink("/d"), -EISDIR);
	assert_int_equal(vfs_unlink("/"), -EISDIR);
	assert_int_equal(vfs_unlink("/f/"), -ENOTDIR);
	assert_int_equal(vfs_unlink("/g"), -ENOENT);
	assert_int_equal(vfs_unlink("/g/h"), -ENOENT);
	assert_int_equal(vfs_unlink("/f/h"), -ENOTDIR);
	assert_int_equal(vfs_unlink(NULL), -EFAULT);
	assert_int_equal(vfs_unlink("/f"), 0);
	assert_int_equal(vfs_unlink("/f"), -ENOENT);
	assert_list("/", "d");
}

static void test_access(void **state)
{
	int fd = vfs_open("/x", VFS_O_WRONLY | VFS_O_CREAT, 0755);

	vfs_close(fd);
	touch("/f");
	assert_int_equal(vfs_access("/f", VFS_F_OK), 0);
	assert_int_equal(vfs_access("/f", VFS_R_OK | VFS_W_OK), 0);
	assert_int_equal(vfs_access("/f", VFS_X_OK), -EACCES);
	assert_int_equal(vfs_access("/x", VFS_X_OK), 0);
	assert_int_equal(vfs_access("/", VFS_X_OK | VFS_W_OK), 0);
	assert_int_equal(vfs_access("/f", 8), -EINVAL);
	assert_int_equal(vfs_access("/g", VFS_F_OK), -ENOENT);
	assert_int_equal(vfs_access("/f/", VFS_F_OK), -ENOTDIR);
}

static void test_chdir_getcwd(void **state)
{
	char b[8];
	int fd;

	assert_cwd("/");
	assert_int_equal(vfs_getcwd(b, 1), -ERANGE);
	assert_int_equal(vfs_getcwd(b, 2), 0);
	assert_string_equal(b, "/");
	assert_int_equal(vfs_getcwd(b, 0), -EINVAL);
	assert_int_equal(vfs_getcwd(NULL, 8), -EFAULT);
	assert_int_equal(vfs_mkdir("/ab", 0755), 0);
	assert_int_equal(vfs_mkdir("/ab/cd", 0755), 0);
	touch("/ab/f");
	assert_int_equal(vfs_chdir("ab/cd"), 0);
	assert_cwd("/ab/cd");
	assert_int_equal(vfs_getcwd(b, 6), -ERANGE);
	assert_int_equal(vfs_getcwd(b, 7), 0);
	assert_string_equal(b, "/ab/cd");
	assert_int_equal(vfs_chdir(".."), 0);
	assert_cwd("/ab");
	assert_int_equal(ino_of("f"), ino_of("/ab/f"));
	assert_int_equal(vfs_chdir("f"), -ENOTDIR);
	assert_int_equal(vfs_chdir("nope"), -ENOENT);
	assert_int_equal(vfs_chdir(""), -ENOENT);
	fd = vfs_open("f", VFS_O_RDONLY, 0);
	assert_int_equal(vfs_fchdir(fd), -ENOTDIR);
	vfs_close(fd);
	fd = vfs_opendir("cd");
	assert_int_equal(vfs_fchdir(fd), 0);
	assert_cwd("/ab/cd");
	vfs_close(fd);
	/* the cwd removed: it stays, empty, with no way up */
	uint64_t cd = ino_of(".");

	assert_int_equal(vfs_rmdir("/ab/cd"), 0);
	assert_int_equal(vfs_getcwd(b, sizeof(b)), -ENOENT);
	assert_int_equal(ino_of("."), cd); /* still stat-able */
	assert_int_equal(nlink_of("."), 0);
	assert_int_equal(vfs_mkdir("x", 0755), -ENOENT);
	assert_int_equal(vfs_open("x", VFS_O_RDWR | VFS_O_CREAT, 0), -ENOENT);
	assert_int_equal(vfs_chdir(".."), -ENOENT);
	assert_list(".", "");
	assert_int_equal(vfs_chdir("/ab"), 0);
	assert_cwd("/ab");
}

static void test_rename_files(void **state)
{
	struct vfs_stat st;
	uint64_t ino;
	char b[8];
	int fd;

	touch("/a");
	ino = ino_of("/a");
	assert_int_equal(vfs_rename("/a", "/b"), 0);
	assert_int_equal(vfs_stat("/a", &st), -ENOENT);
	assert_int_equal(ino_of("/b"), ino);
	assert_int_equal(nlink_of("/b"), 1);
	/* over an open file: the old one lives on through its fd */
	fd = vfs_open("/c", VFS_O_RDWR | VFS_O_CREAT, 0644);
	assert_int_equal(vfs_write(fd, "old", 3), 3);
	assert_int_equal(vfs_rename("/b", "/c"), 0);
	assert_int_equal(ino_of("/c"), ino);
	assert_int_equal(vfs_pread(fd, b, 8, 0), 3);
	assert_int_equal(vfs_fstat(fd, &st), 0);
	assert_int_equal(st.nlink, 0);
	vfs_close(fd);
	assert_int_equal(vfs_rename("/c", "/c"), 0); /* itself */
	assert_int_equal(vfs_rename("/c", "c"), 0);
	assert_int_equal(vfs_mkdir("/d", 0755), 0);
	assert_int_equal(vfs_rename("/c", "/d/c"), 0); /* another dir */
	assert_int_equal(ino_of("/d/c"), ino);
	assert_int_equal(vfs_rename("/d/c", "/d"), -EISDIR);
	assert_int_equal(vfs_rename("/d/c/", "/d/e"), -ENOTDIR);
	assert_int_equal(vfs_rename("/d/c", "/d/e/"), -ENOTDIR);
	assert_int_equal(vfs_rename("/d/x", "/d/e"), -ENOENT);
	assert_int_equal(vfs_rename("/d/c", "/x/e"), -ENOENT);
	assert_int_equal(vfs_rename("/d/c", "/d/c/e"), -ENOTDIR);
	assert_int_equal(vfs_rename("/d/c", "."), -EBUSY);
	assert_int_equal(vfs_rename("/d/c", "/d/.."), -EBUSY);
	assert_int_equal(vfs_rename("/", "/z"), -EBUSY);
	assert_int_equal(vfs_rename("/d/c", ""), -ENOENT);
	assert_int_equal(vfs_rename(NULL, "/z"), -EFAULT);
	assert_list("/", "d");
	assert_list("/d", "c");
}

static void test_rename_dirs(void **state)
{
	struct vfs_stat st;

	assert_int_equal(vfs_mkdir("/a", 0755), 0);
	assert_int_equal(vfs_mkdir("/a/sub", 0755), 0);
	touch("/a/sub/f");
	assert_int_equal(vfs_mkdir("/b", 0755), 0);
	assert_int_equal(vfs_chdir("/a/sub"), 0);
	/* a directory moves with its contents, the cwd with it */
	assert_int_equal(vfs_rename("/a/sub", "/b/moved"), 0);
	assert_cwd("/b/moved");
	assert_int_equal(vfs_stat("/b/moved/f", &st), 0);
	assert_int_equal(nlink_of("/a"), 2);
	assert_int_equal(nlink_of("/b"), 3);
	assert_int_equal(ino_of(".."), ino_of("/b"));
	assert_int_equal(vfs_rename("/b", "/b/moved/x"), -EINVAL);
	assert_int_equal(vfs_rename("/b", "/b/y"), -EINVAL);
	assert_int_equal(vfs_rename("/b/moved/f", "/a"), -EISDIR);
	touch("/file");
	assert_int_equal(vfs_rename("/a", "/file"), -ENOTDIR);
	assert_int_equal(vfs_rename("/a", "/b"), -ENOTEMPTY);
	/* over an empty directory */
	assert_int_equal(vfs_rename("/b", "/a"), 0);
	assert_int_equal(vfs_stat("/b", &st), -ENOENT);
	assert_cwd("/a/moved");
	assert_int_equal(nlink_of("/"), 3);
	assert_int_equal(nlink_of("/a"), 3);
	assert_int_equal(vfs_rename("/a/", "/c/"), 0); /* slashes: dirs */
	assert_cwd("/c/moved");
	assert_list("/", "file c");
}

static void test_readdir(void **state)
{
	struct vfs_dirent de;
	char b[256];
	int fd, f;

	assert_int_equal(vfs_mkdir("/d", 0755), 0);
	assert_list("/d", "");
	touch("/d/one");
	assert_int_equal(vfs_mkdir("/d/two", 0755), 0);
	touch("/d/three");
	fd = vfs_opendir("/d");
	assert_int_equal(vfs_readdir(fd, &de), 1);
	assert_string_equal(de.name, ".");
	assert_int_equal(de.ino, ino_of("/d"));
	assert_int_equal(de.type, VFS_DT_DIR);
	assert_int_equal(vfs_readdir(fd, &de), 1);
	assert_string_equal(de.name, "..");
	assert_int_equal(de.ino, ino_of("/"));
	assert_int_equal(vfs_readdir(fd, &de), 1);
	assert_string_equal(de.name, "one");
	assert_int_equal(de.type, VFS_DT_REG);
	assert_int_equal(de.ino, ino_of("/d/one"));
	int64_t pos = vfs_lseek(fd, 0, VFS_SEEK_CUR); /* telldir */

	/* removing the next entry: it is not seen; later ones are */
	assert_int_equal(vfs_rmdir("/d/two"), 0);
	touch("/d/four");
	assert_int_equal(vfs_readdir(fd, &de), 1);
	assert_string_equal(de.name, "three");
	assert_int_equal(vfs_readdir(fd, &de), 1);
	assert_string_equal(de.name, "four");
	assert_int_equal(vfs_readdir(fd, &de), 0);
	assert_int_equal(vfs_readdir(fd, &de), 0);
	touch("/d/five"); /* added after the end: seen */
	assert_int_equal(vfs_readdir(fd, &de), 1);
	assert_string_equal(de.name, "five");
	assert_int_equal(vfs_lseek(fd, pos, VFS_SEEK_SET), pos); /* seekdir */
	assert_int_equal(vfs_readdir(fd, &de), 1);
	assert_string_equal(de.name, "three");
	assert_int_equal(vfs_lseek(fd, 0, VFS_SEEK_SET), 0); /* rewind */
	assert_int_equal(vfs_readdir(fd, &de), 1);
	assert_string_equal(de.name, ".");
	assert_int_equal(vfs_readdir(fd, NULL), -EFAULT);
	f = vfs_open("/d/one", VFS_O_RDONLY, 0);
	assert_int_equal(vfs_readdir(f, &de), -ENOTDIR);
	assert_int_equal(vfs_opendir("/d/one"), -ENOTDIR);
	assert_int_equal(vfs_opendir("/nope"), -ENOENT);
	assert_int_equal(vfs_closedir(fd), 0);
	assert_int_equal(vfs_closedir(fd), -EBADF);
	list("/d", b, sizeof(b));
	assert_string_equal(b, "one three four five");
	/* the console reads as a character device in no directory */
	assert_int_equal(vfs_readdir(0, &de), -ENOTDIR);
}

static void test_readdir_removed_dir(void **state)
{
	struct vfs_dirent de;
	char name[VFS_NAME_MAX + 1];
	int fd;

	uint64_t ino;

	assert_int_equal(vfs_mkdir("/d", 0755), 0);
	ino = ino_of("/d");
	fd = vfs_opendir("/d");
	assert_int_equal(vfs_rmdir("/d"), 0);
	assert_int_equal(vfs_readdir(fd, &de), 1);
	assert_string_equal(de.name, ".");
	assert_int_equal(vfs_readdir(fd, &de), 1);
	assert_string_equal(de.name, "..");
	assert_int_equal(de.ino, ino); /* its own: there is no parent */
	assert_int_equal(vfs_readdir(fd, &de), 0);
	assert_int_equal(vfs_fchdir(fd), 0);
	assert_int_equal(vfs_getcwd(name, sizeof(name)), -ENOENT);
	assert_int_equal(vfs_close(fd), 0);
	/* the longest name comes back whole */
	memset(name, 'n', VFS_NAME_MAX);
	name[VFS_NAME_MAX] = '\0';
	assert_int_equal(vfs_chdir("/"), 0);
	touch(name);
	fd = vfs_opendir("/");
	for (int i = 0; i < 3; i++)
		assert_int_equal(vfs_readdir(fd, &de), 1);
	assert_string_equal(de.name, name);
	vfs_close(fd);
}

/* Many entries: readdir stays linear and sees each once. */
static void test_readdir_many(void **state)
{
	struct vfs_dirent de;
	char path[32];
	int fd, n = 0;

	assert_int_equal(vfs_mkdir("/m", 0755), 0);
	for (int i = 0; i < 2000; i++) {
		snprintf(path, sizeof(path), "/m/%d", i);
		touch(path);
	}
	fd = vfs_opendir("/m");
	while (vfs_readdir(fd, &de) == 1) {
		if (n >= 2) {
			snprintf(path, sizeof(path), "%d", n - 2);
			assert_string_equal(de.name, path);
			if ((n - 2) % 2 == 0) { /* remove as we go */
				snprintf(path, sizeof(path), "/m/%s", de.name);
				assert_int_equal(vfs_unlink(path), 0);
			}
		}
		n++;
	}
	assert_int_equal(n, 2002);
	vfs_close(fd);
	struct vfs_stat st;

	assert_int_equal(vfs_stat("/m", &st), 0);
	assert_int_equal(st.size, 1000);
	assert_int_equal(st.nlink, 2);
}

/* ---- four threads, each with its own files ------------------------------- */

#define THREADS 4
#define ROUNDS	150

static void *worker(void *arg)
{
	int id = (int)(intptr_t)arg;
	static __thread uint8_t buf[3 * VFS_BLKSIZE], back[3 * VFS_BLKSIZE];
	char path[32];

	for (int r = 0; r < ROUNDS; r++) {
		size_t len = (size_t)(r * 97 + id * 31) % sizeof(buf) + 1;
		int fd;

		snprintf(path, sizeof(path), "/t%d/f%d", id, r % 5);
		for (size_t i = 0; i < len; i++)
			buf[i] = (uint8_t)(i + r + id);
		fd =
		    vfs_open(path, VFS_O_RDWR | VFS_O_CREAT | VFS_O_EXCL, 0600);
		if (fd < 0 || vfs_write(fd, buf, len) != (int64_t)len ||
		    vfs_pread(fd, back, sizeof(back), 0) != (int64_t)len ||
		    memcmp(buf, back, len) || vfs_close(fd) || vfs_unlink(path))
			return (void *)1;
	}
	return NULL;
}

static void test_threads(void **state)
{
	pthread_t t[THREADS];
	struct vfs_dirent de;
	char dir[8];
	int fd;

	for (int i = 0; i < THREADS; i++) {
		snprintf(dir, sizeof(dir), "/t%d", i);
		assert_int_equal(vfs_mkdir(dir, 0755), 0);
	}
	for (int i = 0; i < THREADS; i++)
		assert_int_equal(
		    pthread_create(&t[i], NULL, worker, (void *)(intptr_t)i),
		    0);
	for (int i = 0; i < THREADS; i++) {
		void *ret;

		assert_int_equal(pthread_join(t[i], &ret), 0);
		assert_null(ret);
	}
	/* every file is gone: each directory holds only . and .. */
	for (int i = 0; i < THREADS; i++) {
		snprintf(dir, sizeof(dir), "/t%d", i);
		fd = vfs_opendir(dir);
		assert_int_equal(vfs_readdir(fd, &de), 1);
		assert_int_equal(vfs_readdir(fd, &de), 1);
		assert_int_equal(vfs_readdir(fd, &de), 0);
		assert_int_equal(vfs_closedir(fd), 0);
	}
	assert_int_equal(vfs_nodes_alive, 2 + THREADS); /* root, console */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	    T(test_paths),
	    T(test_mkdir_rmdir),
	    T(test_unlink),
	    T(test_access),
	    T(test_chdir_getcwd),
	    T(test_rename_files),
	    T(test_rename_dirs),
	    T(test_readdir),
	    T(test_readdir_removed_dir),
	    T(test_readdir_many),
	    T(test_threads),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
