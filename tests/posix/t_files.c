/*
 * t_files.c — the fd table, the RAM file system and the initrd:
 * open/read/write/close/lseek/stat/fstat/unlink/mkdir/opendir and their
 * errors; console fds; files from the initrd are read-only.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ptest.h"

int main(void)
{
	char buf[64];
	struct stat st;

	CHECK(write(1, "console write\n", 14) == 14, "write to fd 1");
	CHECK_EQ(read(0, buf, sizeof(buf)), 0, "read from fd 0 is EOF");

	int fd = open("/tmp.txt", O_CREAT | O_RDWR | O_TRUNC, 0644);
	CHECK(fd >= 3, "open O_CREAT gives a new fd");
	CHECK_EQ(write(fd, "hello, world", 12), 12, "write 12 bytes");
	CHECK_EQ(lseek(fd, 7, SEEK_SET), 7, "lseek SEEK_SET");
	CHECK_EQ(read(fd, buf, 5), 5, "read 5 bytes");
	CHECK(!memcmp(buf, "world", 5), "read the right bytes");
	CHECK_EQ(fstat(fd, &st), 0, "fstat");
	CHECK_EQ(st.st_size, 12, "fstat size");
	CHECK(S_ISREG(st.st_mode), "regular file");
	CHECK_EQ(lseek(fd, 100, SEEK_SET), 100, "seek past the end");
	CHECK_EQ(write(fd, "x", 1), 1, "write past the end");
	CHECK_EQ(pread(fd, buf, 4, 50), 4, "pread inside the hole");
	CHECK(buf[0] == 0 && buf[3] == 0, "holes read as zeros");
	CHECK_EQ(close(fd), 0, "close");
	CHECK_ERRNO(close(fd), EBADF, "close twice: EBADF");
	CHECK_ERRNO(read(fd, buf, 1), EBADF, "read a closed fd: EBADF");
	CHECK_ERRNO(lseek(1, 0, SEEK_SET), ESPIPE,
		    "lseek on the console: ESPIPE");

	CHECK_ERRNO(open("/tmp.txt", O_CREAT | O_EXCL | O_WRONLY, 0644), EEXIST,
		    "O_EXCL on an existing file: EEXIST");
	CHECK_ERRNO(open("/nope/file", O_RDONLY), ENOENT,
		    "open in a missing directory: ENOENT");
	CHECK_ERRNO(open("/tmp.txt/x", O_RDONLY), ENOTDIR,
		    "a file used as a directory: ENOTDIR");
	CHECK_EQ(stat("/tmp.txt", &st), 0, "stat");
	CHECK_EQ(st.st_size, 101, "stat size after the write past the end");

	CHECK_EQ(mkdir("/d", 0755), 0, "mkdir");
	CHECK_ERRNO(mkdir("/d", 0755), EEXIST, "mkdir twice: EEXIST");
	fd = open("/d/a", O_CREAT | O_WRONLY, 0644);
	close(fd);
	fd = open("/d/b", O_CREAT | O_WRONLY, 0644);
	close(fd);
	CHECK_ERRNO(rmdir("/d"), ENOTEMPTY, "rmdir a non-empty dir: ENOTEMPTY");
	CHECK_ERRNO(open("/d", O_WRONLY), EISDIR,
		    "open a directory for writing: EISDIR");
	DIR *d = opendir("/d");
	CHECK(d != NULL, "opendir");
	int names = 0;
	struct dirent *e;
	while ((e = readdir(d)))
		names += !strcmp(e->d_name, "a") || !strcmp(e->d_name, "b");
	CHECK_EQ(names, 2, "readdir lists both files");
	CHECK_EQ(closedir(d), 0, "closedir");
	CHECK_EQ(unlink("/d/a"), 0, "unlink");
	CHECK_ERRNO(unlink("/d/a"), ENOENT, "unlink twice: ENOENT");
	CHECK_EQ(rename("/d/b", "/c"), 0, "rename");
	CHECK_EQ(rmdir("/d"), 0, "rmdir the now empty dir");
	CHECK_ERRNO(stat("/d", &st), ENOENT, "stat a removed dir: ENOENT");

	FILE *f = fopen("/stdio.txt", "w+");
	CHECK(f != NULL, "fopen");
	fprintf(f, "%d %s %.2f\n", 42, "answer", 2.5);
	rewind(f);
	int n;
	char word[16];
	double x;
	CHECK_EQ(fscanf(f, "%d %15s %lf", &n, word, &x), 3,
		 "fscanf reads back");
	CHECK(n == 42 && !strcmp(word, "answer") && x == 2.5,
	      "stdio round trip");
	fclose(f);

	/* the initrd (a cpio archive given as a boot module) */
	f = fopen("/data/input.txt", "r");
	CHECK(f != NULL, "initrd file opens");
	if (f) {
		char line[64] = "";
		fgets(line, sizeof(line), f);
		CHECK(!strcmp(line, "unum initrd\n"), "initrd file content");
		fclose(f);
	}
	CHECK_ERRNO(open("/data/input.txt", O_WRONLY), EROFS,
		    "initrd is read-only: EROFS");
	return pt_done();
}
