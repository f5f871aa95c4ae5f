/*
 * t_pipes.c — pipes, fd flags and readiness: pipe/pipe2 round trips, end
 * of file, EPIPE, EAGAIN and partial writes with O_NONBLOCK, blocking
 * reads and writes woken by another thread, PIPE_BUF atomicity with two
 * writer threads, fcntl flags, dup/dup2/dup3 and F_DUPFD_CLOEXEC, poll,
 * ppoll, select and pselect (readiness, POLLHUP/POLLERR/POLLNVAL, timeouts
 * of 0, finite and infinite), and EBADF on closed fds; exact results and
 * exact errno values.
 */
#define _GNU_SOURCE /* pipe2, dup3, ppoll, as with glibc */
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/select.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "ptest.h"

#define PIPE_CAP (64 * 1024)

static int is_open(int fd)
{
	return fcntl(fd, F_GETFD) != -1;
}

/* ---- basics ---------------------------------------------------------------- */

static void test_round_trip(void)
{
	int p[2];
	char buf[64];
	struct stat st;

	CHECK_EQ(pipe(p), 0, "pipe");
	CHECK(p[0] >= 3 && p[1] == p[0] + 1, "pipe: the two lowest free fds");
	CHECK_EQ(fstat(p[0], &st), 0, "fstat of a pipe");
	CHECK(S_ISFIFO(st.st_mode), "a pipe is a FIFO");
	CHECK_EQ(fcntl(p[0], F_GETFL) & O_ACCMODE, O_RDONLY,
		 "read end: O_RDONLY");
	CHECK_EQ(fcntl(p[1], F_GETFL) & O_ACCMODE, O_WRONLY,
		 "write end: O_WRONLY");
	CHECK_EQ(fcntl(p[0], F_GETFD), 0, "pipe: no FD_CLOEXEC");
	CHECK_EQ(write(p[1], "hello", 5), 5, "write 5 bytes");
	CHECK_EQ(write(p[1], "", 0), 0, "write of 0 bytes");
	CHECK_EQ(read(p[0], buf, 3), 3, "read 3 of them");
	CHECK(!memcmp(buf, "hel", 3), "first 3 bytes in order");
	CHECK_EQ(read(p[0], buf, sizeof(buf)), 2, "read returns what is there");
	CHECK(!memcmp(buf, "lo", 2), "the rest in order");
	CHECK_ERRNO(lseek(p[0], 0, SEEK_SET), ESPIPE,
		    "lseek on a pipe: ESPIPE");
	CHECK_ERRNO(pread(p[0], buf, 1, 0), ESPIPE, "pread on a pipe: ESPIPE");
	CHECK_ERRNO(pwrite(p[1], buf, 1, 0), ESPIPE,
		    "pwrite on a pipe: ESPIPE");
	CHECK_ERRNO(read(p[1], buf, 1), EBADF,
		    "read from the write end: EBADF");
	CHECK_ERRNO(write(p[0], "x", 1), EBADF, "write to the read end: EBADF");
	CHECK_EQ(read(p[0], buf, 0), 0, "read of 0 bytes");
	CHECK_EQ(close(p[1]), 0, "close the write end");
	CHECK_EQ(read(p[0], buf, sizeof(buf)), 0,
		 "no writer, empty: end of file");
	CHECK_EQ(close(p[0]), 0, "close the read end");
	CHECK_ERRNO(close(p[0]), EBADF, "close again: EBADF");
	CHECK_ERRNO(pipe(NULL), EFAULT, "pipe(NULL): EFAULT");
}

/* stdio over a pipe, as a program would use one */
static void test_stdio(void)
{
	char line[64];
	int p[2];

	pipe(p);
	FILE *w = fdopen(p[1], "w"), *r = fdopen(p[0], "r");
	CHECK(w && r, "fdopen of both ends");
	CHECK_EQ(isatty(p[0]), 0, "a pipe is no terminal");
	fprintf(w, "line %d\nsecond\n", 42);
	CHECK_EQ(fflush(w), 0, "fflush into the pipe");
	CHECK(fgets(line, sizeof(line), r) && !strcmp(line, "line 42\n"),
	      "fgets the first line");
	CHECK(fgets(line, sizeof(line), r) && !strcmp(line, "second\n"),
	      "fgets the second");
	CHECK_EQ(fclose(w), 0, "fclose the write end");
	CHECK(!fgets(line, sizeof(line), r) && feof(r), "then end of file");
	CHECK_EQ(fclose(r), 0, "fclose the read end");
}

static void test_eof_and_epipe(void)
{
	int p[2], d;
	char buf[16];

	pipe(p);
	d = dup(p[1]);
	CHECK(d > p[1], "dup of the write end");
	write(p[1], "ab", 2);
	close(p[1]);
	CHECK_EQ(read(p[0], buf, sizeof(buf)), 2, "data left after a close");
	fcntl(p[0], F_SETFL, O_NONBLOCK);
	CHECK_ERRNO(read(p[0], buf, 1), EAGAIN,
		    "a dup'ed write end still open: no EOF (EAGAIN)");
	close(d);
	CHECK_EQ(read(p[0], buf, 1), 0, "last write end closed: EOF");
	close(p[0]);

	pipe(p);
	close(p[0]);
	CHECK_ERRNO(write(p[1], "x", 1), EPIPE, "no reader: EPIPE");
	CHECK_EQ(write(p[1], buf, 0), 0, "write of 0 bytes, no reader: 0");
	close(p[1]);
}

static void test_nonblock(void)
{
	static char big[PIPE_CAP + 8192];
	int p[2];
	long total = 0, n;

	CHECK_EQ(pipe2(p, O_NONBLOCK), 0, "pipe2(O_NONBLOCK)");
	CHECK(fcntl(p[0], F_GETFL) & O_NONBLOCK, "read end: O_NONBLOCK");
	CHECK(fcntl(p[1], F_GETFL) & O_NONBLOCK, "write end: O_NONBLOCK");
	CHECK_ERRNO(read(p[0], big, 10), EAGAIN, "empty, O_NONBLOCK: EAGAIN");
	while ((n = write(p[1], big, 4096)) > 0)
		total += n;
	CHECK_EQ(errno, EAGAIN, "full, O_NONBLOCK: EAGAIN");
	CHECK_EQ(total, PIPE_CAP, "a pipe holds 64 KiB");
	CHECK_ERRNO(write(p[1], big, 1), EAGAIN, "full: 1 byte is EAGAIN");
	CHECK_EQ(read(p[0], big, 100), 100, "make room for 100 bytes");
	CHECK_ERRNO(write(p[1], big, 200), EAGAIN,
		    "200 bytes (<= PIPE_BUF) into 100 free: EAGAIN, nothing");
	CHECK_EQ(write(p[1], big, 8192), 100,
		 "8192 bytes (> PIPE_BUF) into 100 free: partial, 100");
	CHECK_EQ(read(p[0], big, sizeof(big)), PIPE_CAP,
		 "one read drains the whole pipe");
	CHECK_EQ(fcntl(p[0], F_SETFL, 0), 0, "F_SETFL 0: blocking again");
	CHECK_EQ(fcntl(p[0], F_GETFL), O_RDONLY, "F_GETFL: O_RDONLY only");
	CHECK_EQ(fcntl(p[0], F_SETFL, O_NONBLOCK), 0, "F_SETFL O_NONBLOCK");
	CHECK_EQ(fcntl(p[0], F_GETFL), O_RDONLY | O_NONBLOCK,
		 "F_GETFL: O_RDONLY | O_NONBLOCK");
	close(p[0]);
	close(p[1]);

	CHECK_EQ(pipe2(p, O_CLOEXEC), 0, "pipe2(O_CLOEXEC)");
	CHECK_EQ(fcntl(p[0], F_GETFD), FD_CLOEXEC, "read end: FD_CLOEXEC");
	CHECK_EQ(fcntl(p[1], F_GETFD), FD_CLOEXEC, "write end: FD_CLOEXEC");
	CHECK_EQ(fcntl(p[1], F_GETFL) & O_NONBLOCK, 0,
		 "O_CLOEXEC only: blocking");
	CHECK_EQ(fcntl(p[0], F_SETFD, 0), 0, "F_SETFD 0");
	CHECK_EQ(fcntl(p[0], F_GETFD), 0, "F_GETFD: 0");
	close(p[0]);
	close(p[1]);
	CHECK_ERRNO(pipe2(p, O_APPEND), EINVAL, "pipe2(O_APPEND): EINVAL");
}

/* ---- blocking across threads -------------------------------------------------- */

static int bp[2];

static void *late_writer(void *arg)
{
	pt_sleep_ms(50);
	write(bp[1], "late", 4);
	return arg;
}

static void *drainer(void *arg)
{
	static char buf[8192];
	long *sum = arg;
	long n;

	pt_sleep_ms(50);
	while ((n = read(bp[0], buf, sizeof(buf))) > 0)
		for (long i = 0; i < n; i++)
			*sum += (unsigned char)buf[i];
	return NULL;
}

static void test_blocking(void)
{
	static unsigned char big[3 * PIPE_CAP];
	pthread_t t;
	char buf[16];
	long want = 0, got = 0;
	uint64_t t0;

	pipe(bp);
	pthread_create(&t, NULL, late_writer, NULL);
	t0 = pt_now_ns();
	CHECK_EQ(read(bp[0], buf, sizeof(buf)), 4,
		 "blocked read woken by a write");
	CHECK(pt_now_ns() - t0 >= 40000000ull,
	      "the read waited for the writer");
	CHECK(!memcmp(buf, "late", 4), "and got its bytes");
	pthread_join(t, NULL);

	for (size_t i = 0; i < sizeof(big); i++) {
		big[i] = (unsigned char)(i * 7 + i / 251);
		want += big[i];
	}
	pthread_create(&t, NULL, drainer, &got);
	CHECK_EQ(write(bp[1], big, sizeof(big)), (long)sizeof(big),
		 "blocking write of 3 pipes' worth completes");
	close(bp[1]);
	pthread_join(t, NULL);
	CHECK_EQ(got, want, "every byte arrived once (checksum)");
	close(bp[0]);
}

/* Two writers of PIPE_BUF-byte records: a record is never split. */
#define RECS 200
static int ap[2];

static void *rec_writer(void *arg)
{
	static char rec[2][PIPE_BUF];
	int id = (int)(intptr_t)arg;

	for (int s = 0; s < RECS; s++) {
		memset(rec[id], (id << 7) | (s & 127), PIPE_BUF);
		if (write(ap[1], rec[id], PIPE_BUF) != PIPE_BUF)
			return (void *)1;
	}
	return NULL;
}

static void test_atomic(void)
{
	static unsigned char stream[2 * RECS * PIPE_BUF];
	pthread_t t[2];
	void *r0, *r1;
	size_t have = 0;
	long n;
	int bad = 0, next[2] = {0, 0};

	CHECK_EQ(PIPE_BUF, 4096, "PIPE_BUF is 4096");
	pipe(ap);
	for (int i = 0; i < 2; i++)
		pthread_create(&t[i], NULL, rec_writer, (void *)(intptr_t)i);
	while (have < sizeof(stream) &&
	       (n = read(ap[0], stream + have,
			 1000 < sizeof(stream) - have
			     ? 1000
			     : sizeof(stream) - have)) > 0)
		have += (size_t)n;
	pthread_join(t[0], &r0);
	pthread_join(t[1], &r1);
	CHECK(!r0 && !r1, "each write of PIPE_BUF bytes wrote it all");
	CHECK_EQ(have, sizeof(stream), "every record arrived");
	for (size_t r = 0; r < 2 * RECS; r++) {
		unsigned char *rec = stream + r * PIPE_BUF;
		int id = rec[0] >> 7, seq = rec[0] & 127;

		for (int i = 1; i < PIPE_BUF; i++)
			if (rec[i] != rec[0])
				bad++;
		if (seq != (next[id] & 127))
			bad++;
		next[id]++;
	}
	CHECK_EQ(bad, 0, "no record interleaved with another, each in order");
	CHECK(next[0] == RECS && next[1] == RECS, "both writers' records");
	close(ap[0]);
	close(ap[1]);
}

/* ---- dup ---------------------------------------------------------------------- */

static void test_dup(void)
{
	int p[2];

	pipe(p);
	CHECK_ERRNO(dup3(p[0], p[0], 0), EINVAL, "dup3 onto itself: EINVAL");
	CHECK_ERRNO(dup3(p[0], 40, O_NONBLOCK), EINVAL,
		    "dup3 with a flag other than O_CLOEXEC: EINVAL");
	CHECK_ERRNO(dup3(99, 40, 0), EBADF, "dup3 of a closed fd: EBADF");
	CHECK_ERRNO(dup3(p[0], -1, 0), EBADF, "dup3 onto -1: EBADF");
	CHECK_EQ(dup3(p[0], 40, O_CLOEXEC), 40, "dup3(O_CLOEXEC)");
	CHECK_EQ(fcntl(40, F_GETFD), FD_CLOEXEC, "dup3's fd: FD_CLOEXEC");
	CHECK_EQ(dup3(p[1], 40, 0), 40, "dup3 onto an open fd replaces it");
	CHECK_EQ(fcntl(40, F_GETFD), 0, "now without FD_CLOEXEC");
	CHECK_EQ(fcntl(40, F_GETFL) & O_ACCMODE, O_WRONLY,
		 "40 is the write end");
	CHECK_EQ(dup2(p[0], p[0]), p[0], "dup2 onto itself: the fd");
	CHECK_ERRNO(dup2(99, 41), EBADF, "dup2 of a closed fd: EBADF");
	CHECK_ERRNO(dup(99), EBADF, "dup of a closed fd: EBADF");
	int d = fcntl(p[0], F_DUPFD_CLOEXEC, 50);
	CHECK_EQ(d, 50, "F_DUPFD_CLOEXEC: the lowest free fd >= 50");
	CHECK_EQ(fcntl(d, F_GETFD), FD_CLOEXEC,
		 "F_DUPFD_CLOEXEC sets FD_CLOEXEC");
	CHECK_EQ(fcntl(p[0], F_GETFD), 0, "the original keeps its flag");
	CHECK_EQ(write(40, "q", 1), 1, "write through the dup'ed write end");
	char c = 0;
	CHECK_EQ(read(d, &c, 1), 1, "read through the dup'ed read end");
	CHECK_EQ(c, 'q', "the same pipe");
	close(40);
	close(d);
	close(p[0]);
	close(p[1]);
	CHECK_ERRNO(fcntl(99, F_GETFL), EBADF, "fcntl of a closed fd: EBADF");
	CHECK_ERRNO(read(99, &c, 1), EBADF, "read of a closed fd: EBADF");
	CHECK_ERRNO(write(99, &c, 1), EBADF, "write of a closed fd: EBADF");
	CHECK_ERRNO(read(-1, &c, 1), EBADF, "read of fd -1: EBADF");
	CHECK(!is_open(p[0]), "closed fds stay closed");
}

/* ---- poll ----------------------------------------------------------------------- */

static int pp[2];

static void *poke(void *arg)
{
	pt_sleep_ms(50);
	write(pp[1], "!", 1);
	return arg;
}

static void test_poll(void)
{
	struct pollfd f[3];
	pthread_t t;
	uint64_t t0;
	char c;

	pipe(pp);
	f[0] = (struct pollfd){.fd = pp[0], .events = POLLIN};
	f[1] = (struct pollfd){.fd = pp[1], .events = POLLOUT};
	CHECK_EQ(poll(f, 1, 0), 0, "poll, empty pipe, timeout 0: 0");
	CHECK_EQ(f[0].revents, 0, "revents 0");
	CHECK_EQ(poll(f, 2, 0), 1, "write end ready");
	CHECK_EQ(f[1].revents, POLLOUT, "write end: POLLOUT");
	t0 = pt_now_ns();
	CHECK_EQ(poll(f, 1, 100), 0, "poll with 100 ms: times out");
	CHECK(pt_now_ns() - t0 >= 100000000ull, "after at least 100 ms");
	CHECK(pt_now_ns() - t0 < 5000000000ull, "and not forever");
	write(pp[1], "x", 1);
	CHECK_EQ(poll(f, 2, -1), 2, "data: both ready");
	CHECK_EQ(f[0].revents, POLLIN, "read end: POLLIN");
	f[0].events = POLLRDNORM;
	CHECK_EQ(poll(f, 1, 0), 1, "POLLRDNORM asked");
	CHECK_EQ(f[0].revents, POLLRDNORM, "POLLRDNORM reported");
	f[0].events = POLLOUT;
	CHECK_EQ(poll(f, 1, 0), 0, "read end asked for POLLOUT: nothing");
	f[0].events = POLLIN;
	read(pp[0], &c, 1);

	pthread_create(&t, NULL, poke, NULL);
	t0 = pt_now_ns();
	CHECK_EQ(poll(f, 1, -1), 1, "infinite poll woken by another thread");
	CHECK(pt_now_ns() - t0 >= 40000000ull, "it slept until the write");
	CHECK_EQ(f[0].revents, POLLIN, "POLLIN");
	pthread_join(t, NULL);
	read(pp[0], &c, 1);
	pthread_create(&t, NULL, poke, NULL);
	CHECK_EQ(poll(f, 1, 5000), 1, "finite poll woken before its timeout");
	pthread_join(t, NULL);

	f[2] = (struct pollfd){.fd = -5, .events = POLLIN, .revents = 7};
	CHECK_EQ(poll(&f[2], 1, 0), 0, "negative fd: ignored");
	CHECK_EQ(f[2].revents, 0, "its revents 0");
	f[2] = (struct pollfd){.fd = 99, .events = POLLIN};
	CHECK_EQ(poll(&f[2], 1, 0), 1, "a closed fd counts");
	CHECK_EQ(f[2].revents, POLLNVAL, "POLLNVAL");
	f[2] = (struct pollfd){.fd = 1, .events = POLLOUT};
	CHECK_EQ(poll(&f[2], 1, 0), 1, "stdout");
	CHECK_EQ(f[2].revents, POLLOUT, "stdout writable");
	f[2] = (struct pollfd){.fd = 0, .events = POLLIN};
	CHECK_EQ(poll(&f[2], 1, 0), 1, "stdin");
	CHECK_EQ(f[2].revents, POLLIN, "stdin readable (end of file)");
	int fd = open("/tmp/t_pipes.reg", O_CREAT | O_RDWR, 0644);
	f[2] = (struct pollfd){.fd = fd, .events = POLLIN | POLLOUT};
	CHECK_EQ(poll(&f[2], 1, -1), 1, "regular file");
	CHECK_EQ(f[2].revents, POLLIN | POLLOUT, "regular file always ready");
	close(fd);
	unlink("/tmp/t_pipes.reg");

	close(pp[1]);
	f[0].events = POLLIN;
	CHECK_EQ(poll(f, 1, 0), 1, "writer gone");
	CHECK_EQ(f[0].revents, POLLIN | POLLHUP, "data and POLLHUP");
	read(pp[0], &c, 1);
	f[0].events = 0;
	CHECK_EQ(poll(f, 1, 0), 1, "POLLHUP even when not asked");
	CHECK_EQ(f[0].revents, POLLHUP, "empty, no writer: POLLHUP only");
	close(pp[0]);

	pipe(pp);
	close(pp[0]);
	f[1] = (struct pollfd){.fd = pp[1], .events = POLLOUT};
	CHECK_EQ(poll(&f[1], 1, 0), 1, "reader gone");
	CHECK_EQ(f[1].revents, POLLOUT | POLLERR, "POLLOUT | POLLERR");
	close(pp[1]);

	CHECK_ERRNO(poll(f, 1025, 0), EINVAL,
		    "nfds over RLIMIT_NOFILE: EINVAL");
	struct timespec bad = {0, 1000000000L}, zero = {0, 0};
	CHECK_ERRNO(ppoll(f, 1, &bad, NULL), EINVAL,
		    "ppoll, tv_nsec 1e9: EINVAL");
	bad.tv_sec = -1;
	bad.tv_nsec = 0;
	CHECK_ERRNO(ppoll(f, 1, &bad, NULL), EINVAL,
		    "ppoll, tv_sec -1: EINVAL");
	CHECK_EQ(poll(NULL, 0, 10), 0, "poll of nothing sleeps, returns 0");
	pipe(pp);
	f[0] = (struct pollfd){.fd = pp[0], .events = POLLIN};
	CHECK_EQ(ppoll(f, 1, &zero, NULL), 0, "ppoll, zero timeout: 0");
	write(pp[1], "x", 1);
	CHECK_EQ(ppoll(f, 1, NULL, NULL), 1, "ppoll, no timeout, ready: 1");
	close(pp[0]);
	close(pp[1]);
}

/* ---- cancellation ------------------------------------------------------------- */

static int cleaned;

static void cleanup(void *arg)
{
	cleaned++;
}

enum { IN_READ, IN_WRITE, IN_POLL };

static void *blocker(void *arg)
{
	static char big[PIPE_CAP];
	struct pollfd f = {.fd = pp[0], .events = POLLIN};
	long kind = (long)(intptr_t)arg;

	pthread_cleanup_push(cleanup, NULL);
	if (kind == IN_READ)
		read(pp[0], big, 1);
	else if (kind == IN_WRITE) {
		/* full first, so that the blocked write has moved nothing
		 * (one that has returns its count instead) */
		fcntl(pp[1], F_SETFL, O_NONBLOCK);
		while (write(pp[1], big, sizeof(big)) > 0)
			;
		fcntl(pp[1], F_SETFL, 0);
		write(pp[1], big, 1);
	} else
		poll(&f, 1, -1);
	pthread_cleanup_pop(0);
	return NULL;
}

static void test_cancel(void)
{
	static const char *what[] = {"read of an empty pipe",
				     "write to a full pipe", "poll"};
	char name[96];

	for (long k = IN_READ; k <= IN_POLL; k++) {
		pthread_t t;
		void *rv = NULL;

		pipe(pp);
		cleaned = 0;
		pthread_create(&t, NULL, blocker, (void *)(intptr_t)k);
		pt_sleep_ms(50);
		pthread_cancel(t);
		pthread_join(t, &rv);
		snprintf(name, sizeof(name), "pthread_cancel of a blocked %s",
			 what[k]);
		CHECK(rv == PTHREAD_CANCELED, name);
		snprintf(name, sizeof(name), "%s: cleanup handler ran",
			 what[k]);
		CHECK_EQ(cleaned, 1, name);
		close(pp[0]);
		close(pp[1]);
	}
}

/* ---- select --------------------------------------------------------------------- */

static void test_select(void)
{
	fd_set r, w;
	struct timeval tv = {0, 0};
	struct timespec ts = {0, 50000000L};
	pthread_t t;
	uint64_t t0;

	CHECK_EQ(FD_SETSIZE, 1024, "FD_SETSIZE covers the fd table");
	pipe(pp);
	FD_ZERO(&r);
	FD_SET(pp[0], &r);
	CHECK_EQ(select(pp[0] + 1, &r, NULL, NULL, &tv), 0, "select, empty: 0");
	CHECK(!FD_ISSET(pp[0], &r), "the set is cleared");
	FD_SET(pp[0], &r);
	t0 = pt_now_ns();
	CHECK_EQ(pselect(pp[0] + 1, &r, NULL, NULL, &ts, NULL), 0,
		 "pselect with 50 ms: times out");
	CHECK(pt_now_ns() - t0 >= 50000000ull, "after at least 50 ms");
	FD_ZERO(&r);
	FD_ZERO(&w);
	FD_SET(pp[0], &r);
	FD_SET(pp[1], &w);
	CHECK_EQ(select(pp[1] + 1, &r, &w, NULL, NULL), 1,
		 "select: the write end is ready");
	CHECK(!FD_ISSET(pp[0], &r) && FD_ISSET(pp[1], &w), "only it is set");
	FD_SET(pp[0], &r);
	pthread_create(&t, NULL, poke, NULL);
	CHECK_EQ(select(pp[0] + 1, &r, NULL, NULL, NULL), 1,
		 "infinite select woken by another thread");
	CHECK(FD_ISSET(pp[0], &r), "the read end is set");
	pthread_join(t, NULL);
	FD_ZERO(&r);
	FD_SET(99, &r);
	CHECK_ERRNO(select(100, &r, NULL, NULL, &tv), EBADF,
		    "select on a closed fd: EBADF");
	CHECK_ERRNO(select(-1, NULL, NULL, NULL, &tv), EINVAL,
		    "select, nfds -1: EINVAL");
	CHECK_ERRNO(select(FD_SETSIZE + 1, NULL, NULL, NULL, &tv), EINVAL,
		    "select, nfds over FD_SETSIZE: EINVAL");
	tv.tv_usec = 1000000;
	CHECK_ERRNO(select(0, NULL, NULL, NULL, &tv), EINVAL,
		    "select, tv_usec 1e6: EINVAL");
	close(pp[1]);
	FD_ZERO(&r);
	FD_SET(pp[0], &r);
	tv.tv_usec = 0;
	CHECK_EQ(select(pp[0] + 1, &r, NULL, NULL, &tv), 1,
		 "select: a pipe without writers is readable (EOF)");
	close(pp[0]);
}

int main(void)
{
	test_round_trip();
	test_stdio();
	test_eof_and_epipe();
	test_nonblock();
	test_blocking();
	test_atomic();
	test_dup();
	test_poll();
	test_select();
	test_cancel();
	return pt_done();
}
