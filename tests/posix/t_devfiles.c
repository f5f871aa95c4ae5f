/*
 * t_devfiles.c — the files a program expects: a writable /tmp, /dev/null,
 * /dev/zero, /dev/random and /dev/urandom, /dev/stdin, /dev/stdout and
 * /dev/stderr (aliases of fds 0-2), /etc/hostname, and getrandom and
 * getentropy (<sys/random.h>), with exact results and errno values.
 */
#define _GNU_SOURCE /* getentropy in <unistd.h>, as with glibc */
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdint.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ptest.h"

static int all(const unsigned char *b, size_t n, unsigned char v)
{
	for (size_t i = 0; i < n; i++)
		if (b[i] != v)
			return 0;
	return 1;
}

static void test_tmp(void)
{
	static char out[10000], in[10000];
	struct stat st;
	int fd;

	CHECK_EQ(stat("/tmp", &st), 0, "/tmp exists");
	CHECK(S_ISDIR(st.st_mode), "/tmp is a directory");
	CHECK_EQ(st.st_mode & 07777, 01777, "/tmp mode 1777");
	for (size_t i = 0; i < sizeof(out); i++)
		out[i] = (char)(i * 13 + 1);
	fd = open("/tmp/t_devfiles.dat", O_CREAT | O_EXCL | O_RDWR, 0600);
	CHECK(fd >= 3, "create a file in /tmp");
	CHECK_EQ(write(fd, out, sizeof(out)), (long)sizeof(out), "write it");
	CHECK_EQ(lseek(fd, 0, SEEK_SET), 0, "rewind");
	CHECK_EQ(read(fd, in, sizeof(in)), (long)sizeof(in), "read it back");
	CHECK(!memcmp(in, out, sizeof(in)), "the same bytes");
	CHECK_EQ(close(fd), 0, "close");
	CHECK_EQ(stat("/tmp/t_devfiles.dat", &st), 0, "stat it");
	CHECK_EQ(st.st_size, (long)sizeof(out), "its size");
	CHECK_EQ(unlink("/tmp/t_devfiles.dat"), 0, "unlink it");
	CHECK_ERRNO(stat("/tmp/t_devfiles.dat", &st), ENOENT, "gone: ENOENT");
	CHECK_EQ(mkdir("/tmp/sub", 0700), 0, "mkdir in /tmp");
	CHECK_EQ(rmdir("/tmp/sub"), 0, "rmdir in /tmp");
}

static void test_null_zero(void)
{
	unsigned char buf[5000];
	struct stat st;
	int fd;

	CHECK_EQ(stat("/dev/null", &st), 0, "/dev/null exists");
	CHECK(S_ISCHR(st.st_mode), "/dev/null is a character device");
	CHECK_EQ(st.st_mode & 0777, 0666, "/dev/null mode 666");
	fd = open("/dev/null", O_RDWR);
	CHECK(fd >= 3, "open /dev/null");
	CHECK_EQ(write(fd, buf, sizeof(buf)), (long)sizeof(buf),
		 "/dev/null takes every byte");
	CHECK_EQ(read(fd, buf, sizeof(buf)), 0, "/dev/null reads end of file");
	CHECK_EQ(isatty(fd), 0, "/dev/null is no terminal");
	CHECK_EQ(errno, ENOTTY, "isatty: ENOTTY");
	CHECK_EQ(isatty(1), 1, "stdout is the console, a terminal");
	CHECK_EQ(close(fd), 0, "close /dev/null");
	fd = open("/dev/null", O_WRONLY | O_TRUNC);
	CHECK(fd >= 3, "open /dev/null O_TRUNC");
	close(fd);

	fd = open("/dev/zero", O_RDONLY);
	CHECK(fd >= 3, "open /dev/zero");
	memset(buf, 0xaa, sizeof(buf));
	CHECK_EQ(read(fd, buf, sizeof(buf)), (long)sizeof(buf),
		 "/dev/zero fills the whole read");
	CHECK(all(buf, sizeof(buf), 0), "with zeros");
	CHECK_ERRNO(write(fd, buf, 1), EBADF, "O_RDONLY: write EBADF");
	close(fd);
	fd = open("/dev/zero", O_WRONLY);
	CHECK_EQ(write(fd, "abc", 3), 3, "/dev/zero takes writes");
	close(fd);
	struct pollfd p = {.fd = -1, .events = POLLIN | POLLOUT};
	p.fd = open("/dev/null", O_RDWR);
	CHECK_EQ(poll(&p, 1, 0), 1, "poll /dev/null");
	CHECK_EQ(p.revents, POLLIN | POLLOUT, "always ready");
	close(p.fd);
}

static void test_random_files(void)
{
	unsigned char a[64], b[64], z[64] = {0};
	int fd = open("/dev/urandom", O_RDONLY), fd2;

	CHECK(fd >= 3, "open /dev/urandom");
	CHECK_EQ(read(fd, a, sizeof(a)), 64, "read 64 bytes");
	CHECK_EQ(read(fd, b, sizeof(b)), 64, "read 64 more");
	CHECK(memcmp(a, b, sizeof(a)), "two reads differ");
	CHECK(memcmp(a, z, sizeof(a)), "not all zeros");
	close(fd);
	fd2 = open("/dev/random", O_RDONLY);
	CHECK(fd2 >= 3, "open /dev/random");
	CHECK_EQ(read(fd2, a, 33), 33, "/dev/random reads without blocking");
	CHECK(memcmp(a, b, 33), "and differs from before");
	fd = open("/dev/random", O_WRONLY);
	CHECK_EQ(write(fd, "seed", 4), 4, "writes to /dev/random are taken");
	close(fd);
	close(fd2);
}

static void test_getrandom(void)
{
	unsigned char a[300], b[300];
	unsigned int x = arc4random(), y = arc4random();

	CHECK_EQ(getrandom(a, 64, 0), 64, "getrandom 64 bytes");
	CHECK_EQ(getrandom(b, 64, GRND_NONBLOCK), 64, "GRND_NONBLOCK");
	CHECK(memcmp(a, b, 64), "two calls differ");
	CHECK_EQ(getrandom(b, 64, GRND_RANDOM), 64, "GRND_RANDOM");
	CHECK_EQ(getrandom(b, 64, GRND_INSECURE), 64, "GRND_INSECURE");
	CHECK_EQ(getrandom(b, 0, 0), 0, "0 bytes");
	CHECK_ERRNO(getrandom(b, 8, 0x8), EINVAL, "unknown flag: EINVAL");
	CHECK_ERRNO(getrandom(b, 8, GRND_RANDOM | GRND_INSECURE), EINVAL,
		    "GRND_RANDOM | GRND_INSECURE: EINVAL");
	CHECK_ERRNO(getrandom(NULL, 8, 0), EFAULT, "NULL buffer: EFAULT");
	CHECK_EQ(getentropy(a, 256), 0, "getentropy 256 bytes");
	CHECK_EQ(getentropy(b, 256), 0, "getentropy again");
	CHECK(memcmp(a, b, 256), "they differ");
	CHECK_ERRNO(getentropy(a, 257), EIO, "getentropy 257 bytes: EIO");
	CHECK_EQ(getentropy(a, 0), 0, "getentropy 0 bytes");
	CHECK(x != y || arc4random() != x, "arc4random (over getentropy)");
}

static void test_stdio_aliases(void)
{
	struct stat s0, s1;
	char c;
	int fd;

	fd = open("/dev/stdin", O_RDONLY);
	CHECK(fd >= 3, "open /dev/stdin");
	CHECK_EQ(read(fd, &c, 1), 0, "/dev/stdin reads end of file");
	CHECK_EQ(fstat(fd, &s0), 0, "fstat /dev/stdin's fd");
	CHECK_EQ(fstat(0, &s1), 0, "fstat fd 0");
	CHECK_EQ(s0.st_ino, s1.st_ino, "the same file as fd 0");
	close(fd);
	fd = open("/dev/stdout", O_WRONLY);
	CHECK(fd >= 3, "open /dev/stdout");
	CHECK_EQ(fstat(fd, &s0), 0, "fstat /dev/stdout's fd");
	CHECK_EQ(fstat(1, &s1), 0, "fstat fd 1");
	CHECK_EQ(s0.st_ino, s1.st_ino, "the same file as fd 1");
	CHECK_EQ(write(fd, "", 0), 0, "write to /dev/stdout");
	close(fd);
	fd = open("/dev/stderr", O_WRONLY | O_CLOEXEC);
	CHECK(fd >= 3, "open /dev/stderr");
	CHECK_EQ(fcntl(fd, F_GETFD), FD_CLOEXEC, "with O_CLOEXEC");
	close(fd);
	int saved = dup(2);
	close(2);
	CHECK_ERRNO(open("/dev/stderr", O_WRONLY), ENOENT,
		    "/dev/stderr with fd 2 closed: ENOENT");
	dup2(saved, 2);
	close(saved);
	int p[2];
	pipe(p);
	saved = dup(0);
	dup2(p[0], 0);
	fd = open("/dev/stdin", O_RDONLY);
	write(p[1], "z", 1);
	CHECK_EQ(read(fd, &c, 1), 1, "/dev/stdin follows fd 0 (a pipe)");
	CHECK_EQ(c, 'z', "the pipe's byte");
	CHECK_ERRNO(open("/dev/stdin", O_WRONLY), EACCES,
		    "/dev/stdin on a read end, for writing: EACCES");
	close(fd);
	dup2(saved, 0);
	close(saved);
	close(p[0]);
	close(p[1]);
}

static void test_hostname(void)
{
	char name[HOST_NAME_MAX + 1], want[HOST_NAME_MAX + 2], got[100];
	int fd;
	long n;

	gethostname(name, sizeof(name));
	snprintf(want, sizeof(want), "%s\n", name);
	fd = open("/etc/hostname", O_RDONLY);
	CHECK(fd >= 3, "open /etc/hostname");
	n = read(fd, got, sizeof(got) - 1);
	CHECK_EQ(n, (long)strlen(want), "its length: the name and a newline");
	got[n > 0 ? n : 0] = 0;
	CHECK(!strcmp(got, want), "gethostname's name");
	close(fd);
	CHECK_EQ(sethostname("pipes-test", 10), 0, "sethostname");
	fd = open("/etc/hostname", O_RDONLY);
	n = read(fd, got, sizeof(got) - 1);
	got[n > 0 ? n : 0] = 0;
	CHECK(!strcmp(got, "pipes-test\n"), "/etc/hostname follows it");
	close(fd);
	sethostname(name, strlen(name));
	CHECK_ERRNO(open("/etc/hostname", O_WRONLY), EROFS,
		    "/etc/hostname is read-only: EROFS");
}

static void test_dev_dir(void)
{
	const char *want[] = {"null",  "zero",	 "random", "urandom",
			      "stdin", "stdout", "stderr"};
	int seen = 0;
	DIR *d = opendir("/dev");
	struct dirent *e;

	CHECK(d != NULL, "opendir /dev");
	while (d && (e = readdir(d)))
		for (int i = 0; i < 7; i++)
			if (!strcmp(e->d_name, want[i]))
				seen |= 1 << i;
	if (d)
		closedir(d);
	CHECK_EQ(seen, 0x7f, "/dev lists the 7 devices");
}

int main(void)
{
	test_tmp();
	test_null_zero();
	test_random_files();
	test_getrandom();
	test_stdio_aliases();
	test_hostname();
	test_dev_dir();
	return pt_done();
}
