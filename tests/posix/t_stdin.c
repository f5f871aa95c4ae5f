/*
 * t_stdin.c — standard input at its end (tests/qemu/posix boots with
 * </dev/null; tests/qemu/stdin covers input that comes): read gives 0 at
 * once and again, from main and from another thread (on 2 nodes: another
 * node); O_NONBLOCK reads 0 too (the end, not EAGAIN); poll and select see
 * fd 0 readable; pread and lseek on it: ESPIPE; /dev/stdin likewise.
 */
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sys/select.h>
#include <unistd.h>

#include "ptest.h"

static long thread_read;

static void *reader(void *arg)
{
	char c;
	(void)arg;
	thread_read = read(0, &c, 1);
	return NULL;
}

int main(void)
{
	char buf[16];
	pthread_t t;
	struct pollfd p = {.fd = 0, .events = POLLIN};
	fd_set rd;
	struct timeval tv = {0, 0};

	CHECK_EQ(read(0, buf, sizeof(buf)), 0, "read fd 0: the end at once");
	CHECK_EQ(read(0, buf, sizeof(buf)), 0, "and again");
	CHECK_EQ(read(0, buf, 0), 0, "a read of 0 bytes: 0");
	CHECK_EQ(poll(&p, 1, 0), 1, "poll: fd 0 ready at its end");
	CHECK_EQ(p.revents, POLLIN, "poll: POLLIN");
	FD_ZERO(&rd);
	FD_SET(0, &rd);
	CHECK_EQ(select(1, &rd, NULL, NULL, &tv), 1, "select: fd 0 readable");
	CHECK_EQ(pthread_create(&t, NULL, reader, NULL), 0, "a reader thread");
	CHECK_EQ(pthread_join(t, NULL), 0, "joined");
	CHECK_EQ(thread_read, 0, "the thread reads the end too");
	CHECK_ERRNO(pread(0, buf, 1, 0), ESPIPE, "pread fd 0: ESPIPE");
	CHECK_ERRNO(lseek(0, 0, SEEK_CUR), ESPIPE, "lseek fd 0: ESPIPE");

	int fl = fcntl(0, F_GETFL);
	CHECK(fl >= 0, "F_GETFL");
	CHECK_EQ(fcntl(0, F_SETFL, fl | O_NONBLOCK), 0, "O_NONBLOCK on");
	CHECK_EQ(read(0, buf, sizeof(buf)), 0,
		 "O_NONBLOCK: the end, not EAGAIN");
	CHECK_EQ(fcntl(0, F_SETFL, fl), 0, "O_NONBLOCK off");

	int fd = open("/dev/stdin", O_RDONLY);
	CHECK(fd >= 3, "open /dev/stdin");
	CHECK_EQ(read(fd, buf, sizeof(buf)), 0, "/dev/stdin: the end");
	CHECK_EQ(close(fd), 0, "close it");
	CHECK_ERRNO(read(-1, buf, 1), EBADF, "read fd -1: EBADF");
	return pt_done();
}
