/*
 * tests/unit/test_vfs_pipe.c — pipes, devices and readiness of the file
 * layer (posix/vfs_pipe.c, posix/vfs_dev.c, vfs_poll_fd and vfs_dup3 of
 * posix/vfs_fd.c) on the host: the ring across its wrap, EOF, EPIPE,
 * EAGAIN and partial writes, poll events of each end, the node freed with
 * its last end, out-of-memory and fd exhaustion all or nothing, a blocked
 * reader and writer woken by host threads, the poll word bumped only with
 * pollers, /dev/null, /dev/zero, random through the fill hook, and
 * /dev/stdin as an alias of fd 0.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "kernel/errno.h"
#include "posix/vfs.h"
#include "posix/vfs_impl.h"
#include "tests/unit/vfs_test.h"

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

static void test_ring_wraps(void **state)
{
	static uint8_t out[VFS_PIPE_SIZE], in[VFS_PIPE_SIZE];
	int p[2];

	assert_int_equal(vfs_pipe(p, VFS_O_NONBLOCK), 0);
	assert_int_equal(p[0], 3);
	assert_int_equal(p[1], 4);
	for (size_t i = 0; i < sizeof(out); i++)
		out[i] = (uint8_t)(i * 31 + 7);
	/* move the head to the middle, then fill: the data wraps */
	assert_int_equal(vfs_write(p[1], out, 40000), 40000);
	assert_int_equal(vfs_read(p[0], in, 40000), 40000);
	assert_int_equal(vfs_write(p[1], out, VFS_PIPE_SIZE), VFS_PIPE_SIZE);
	assert_int_equal(vfs_write(p[1], out, 1), -EAGAIN);
	memset(in, 0, sizeof(in));
	assert_int_equal(vfs_read(p[0], in, 1000), 1000);
	assert_int_equal(vfs_read(p[0], in + 1000, sizeof(in)),
			 VFS_PIPE_SIZE - 1000);
	assert_memory_equal(in, out, VFS_PIPE_SIZE);
	assert_int_equal(vfs_read(p[0], in, 1), -EAGAIN);
	assert_int_equal(vfs_close(p[0]), 0);
	assert_int_equal(vfs_close(p[1]), 0);
}

static void test_ends(void **state)
{
	static uint8_t buf[VFS_PIPE_SIZE];
	struct vfs_stat st;
	int p[2];
	long alive;

	alive = vfs_nodes_alive;
	assert_int_equal(vfs_pipe(p, 0), 0);
	assert_int_equal(vfs_nodes_alive, alive + 1);
	assert_int_equal(vfs_fstat(p[0], &st), 0);
	assert_int_equal(st.mode & VFS_S_IFMT, VFS_S_IFIFO);
	assert_int_equal(vfs_fcntl(p[0], VFS_F_GETFL, 0), VFS_O_RDONLY);
	assert_int_equal(vfs_fcntl(p[1], VFS_F_GETFL, 0), VFS_O_WRONLY);
	assert_int_equal(vfs_lseek(p[0], 0, VFS_SEEK_CUR), -ESPIPE);
	assert_int_equal(vfs_pread(p[0], buf, 1, 0), -ESPIPE);
	assert_int_equal(vfs_pwrite(p[1], buf, 1, 0), -ESPIPE);
	assert_int_equal(vfs_read(p[1], buf, 1), -EBADF);
	assert_int_equal(vfs_write(p[0], buf, 1), -EBADF);
	assert_int_equal(vfs_poll_fd(p[0], VFS_POLLIN), 0);
	assert_int_equal(vfs_poll_fd(p[1], VFS_POLLOUT | VFS_POLLIN),
			 VFS_POLLOUT);
	assert_int_equal(vfs_write(p[1], "ab", 2), 2);
	assert_int_equal(vfs_poll_fd(p[0], VFS_POLLIN), VFS_POLLIN);
	assert_int_equal(vfs_poll_fd(p[0], 0), 0);
	/* fill so that less than PIPE_BUF is free: not writable */
	assert_int_equal(vfs_fcntl(p[1], VFS_F_SETFL, VFS_O_NONBLOCK), 0);
	assert_int_equal(vfs_write(p[1], buf, VFS_PIPE_SIZE - 2 - 100),
			 VFS_PIPE_SIZE - 2 - 100);
	assert_int_equal(vfs_poll_fd(p[1], VFS_POLLOUT), 0);
	assert_int_equal(vfs_write(p[1], buf, 101), -EAGAIN);
	assert_int_equal(vfs_write(p[1], buf, sizeof(buf)), 100);
	assert_int_equal(vfs_close(p[1]), 0);
	assert_int_equal(vfs_poll_fd(p[0], VFS_POLLIN),
			 VFS_POLLIN | VFS_POLLHUP);
	assert_int_equal(vfs_read(p[0], buf, 2), 2);
	assert_memory_equal(buf, "ab", 2);
	while (vfs_read(p[0], buf, sizeof(buf)) > 0)
		;
	assert_int_equal(vfs_read(p[0], buf, 1), 0);
	assert_int_equal(vfs_poll_fd(p[0], VFS_POLLIN), VFS_POLLHUP);
	assert_int_equal(vfs_close(p[0]), 0);
	assert_int_equal(vfs_nodes_alive, alive);
	assert_int_equal(vfs_poll_fd(p[0], VFS_POLLIN), VFS_POLLNVAL);

	assert_int_equal(vfs_pipe(p, 0), 0);
	assert_int_equal(vfs_close(p[0]), 0);
	assert_int_equal(vfs_write(p[1], buf, 1), -EPIPE);
	assert_int_equal(vfs_write(p[1], buf, 0), 0);
	assert_int_equal(vfs_poll_fd(p[1], VFS_POLLOUT),
			 VFS_POLLOUT | VFS_POLLERR);
	assert_int_equal(vfs_close(p[1]), 0);
	assert_int_equal(vfs_pipe(p, VFS_O_APPEND), -EINVAL);
	assert_int_equal(vfs_pipe(NULL, 0), -EFAULT);
}

static void test_no_memory_no_fds(void **state)
{
	long alive = vfs_nodes_alive;
	int p[2] = {-1, -1};

	/* allocations: the pipe, its ring, the node, the two ends */
	for (int k = 1; k <= 6; k++) {
		vfs_fail_alloc_countdown = k;
		int rc = vfs_pipe(p, 0);
		vfs_fail_alloc_countdown = 0;
		if (rc == 0) {
			assert_int_equal(k, 6);
			vfs_close(p[0]);
			vfs_close(p[1]);
			break;
		}
		assert_int_equal(rc, -ENOMEM);
		assert_int_equal(vfs_nodes_alive, alive);
		assert_int_equal(vfs_fcntl(3, VFS_F_GETFD, 0), -EBADF);
	}
	/* one fd left: -EMFILE, nothing taken */
	assert_int_equal(vfs_set_open_max(4), 0);
	assert_int_equal(vfs_pipe(p, 0), -EMFILE);
	assert_int_equal(vfs_fcntl(3, VFS_F_GETFD, 0), -EBADF);
	assert_int_equal(vfs_nodes_alive, alive);
	assert_int_equal(vfs_set_open_max(VFS_OPEN_MAX), 0);
}

static void test_dup3(void **state)
{
	int p[2];

	assert_int_equal(vfs_pipe(p, VFS_O_CLOEXEC), 0);
	assert_int_equal(vfs_fcntl(p[0], VFS_F_GETFD, 0), VFS_FD_CLOEXEC);
	assert_int_equal(vfs_dup3(p[0], p[0], 0), -EINVAL);
	assert_int_equal(vfs_dup3(p[0], 9, VFS_O_NONBLOCK), -EINVAL);
	assert_int_equal(vfs_dup3(77, 9, 0), -EBADF);
	assert_int_equal(vfs_dup3(p[0], VFS_OPEN_MAX, 0), -EBADF);
	assert_int_equal(vfs_dup3(p[0], 9, 0), 9);
	assert_int_equal(vfs_fcntl(9, VFS_F_GETFD, 0), 0);
	assert_int_equal(vfs_dup3(p[1], 9, VFS_O_CLOEXEC), 9);
	assert_int_equal(vfs_fcntl(9, VFS_F_GETFD, 0), VFS_FD_CLOEXEC);
	assert_int_equal(vfs_fcntl(9, VFS_F_GETFL, 0), VFS_O_WRONLY);
	assert_int_equal(vfs_fcntl(p[0], VFS_F_DUPFD_CLOEXEC, 20), 20);
	assert_int_equal(vfs_fcntl(20, VFS_F_GETFD, 0), VFS_FD_CLOEXEC);
	/* the write end is open at 9 too: no EOF yet */
	assert_int_equal(vfs_close(p[1]), 0);
	assert_int_equal(vfs_fcntl(20, VFS_F_SETFL, VFS_O_NONBLOCK), 0);
	char c;
	assert_int_equal(vfs_read(p[0], &c, 1), -EAGAIN);
	assert_int_equal(vfs_close(9), 0);
	assert_int_equal(vfs_read(p[0], &c, 1), 0);
	vfs_close(20);
	vfs_close(p[0]);
}

/* ---- blocking, with host threads ------------------------------------------- */

static int tp[2];

static void *slow_reader(void *arg)
{
	static uint8_t buf[4096];
	long *sum = arg;
	int64_t n;

	usleep(20000);
	while ((n = vfs_read(tp[0], buf, sizeof(buf))) > 0)
		for (int64_t i = 0; i < n; i++)
			*sum += buf[i];
	return NULL;
}

static void *slow_writer(void *arg)
{
	usleep(20000);
	vfs_write(tp[1], "xyz", 3);
	return arg;
}

static void test_blocking(void **state)
{
	static uint8_t big[3 * VFS_PIPE_SIZE + 5];
	long want = 0, got = 0;
	pthread_t t;
	char buf[8];
	uint32_t seq;

	assert_int_equal(vfs_pipe(tp, 0), 0);
	pthread_create(&t, NULL, slow_writer, NULL);
	assert_int_equal(vfs_read(tp[0], buf, sizeof(buf)), 3);
	assert_memory_equal(buf, "xyz", 3);
	pthread_join(t, NULL);
	for (size_t i = 0; i < sizeof(big); i++) {
		big[i] = (uint8_t)(i ^ (i >> 9));
		want += big[i];
	}
	pthread_create(&t, NULL, slow_reader, &got);
	assert_int_equal(vfs_write(tp[1], big, sizeof(big)), sizeof(big));
	/* nobody polls: the poll word stays put */
	seq = vfs_poll_seq;
	assert_int_equal(vfs_write(tp[1], "q", 1), 1);
	assert_int_equal(vfs_poll_seq, seq);
	want += 'q';
	__atomic_add_fetch(&vfs_pollers, 1, __ATOMIC_SEQ_CST);
	assert_int_equal(vfs_close(tp[1]), 0);
	assert_true(vfs_poll_seq != seq);
	__atomic_sub_fetch(&vfs_pollers, 1, __ATOMIC_SEQ_CST);
	pthread_join(t, NULL);
	assert_int_equal(got, want);
	assert_int_equal(vfs_close(tp[0]), 0);
}

/* A blocked writer is released by the last reader's close. */
static void *late_close(void *arg)
{
	usleep(20000);
	vfs_close(tp[0]);
	return arg;
}

static void test_epipe_wakes(void **state)
{
	static uint8_t big[VFS_PIPE_SIZE + 10];
	pthread_t t;

	assert_int_equal(vfs_pipe(tp, 0), 0);
	pthread_create(&t, NULL, late_close, NULL);
	assert_int_equal(vfs_write(tp[1], big, sizeof(big)), VFS_PIPE_SIZE);
	pthread_join(t, NULL);
	assert_int_equal(vfs_write(tp[1], big, 1), -EPIPE);
	vfs_close(tp[1]);
}

/* vfs_block's -ECANCELED ends the wait: nothing moved, or the count. */
static int cancelled(uint32_t *word, uint32_t val)
{
	return -ECANCELED;
}

static void test_block_hook(void **state)
{
	static uint8_t big[VFS_PIPE_SIZE + 10];
	int p[2];

	assert_int_equal(vfs_pipe(p, 0), 0);
	vfs_block = cancelled;
	assert_int_equal(vfs_read(p[0], big, 1), -ECANCELED);
	assert_int_equal(vfs_write(p[1], big, sizeof(big)), VFS_PIPE_SIZE);
	assert_int_equal(vfs_write(p[1], big, 1), -ECANCELED);
	vfs_block = NULL;
	vfs_close(p[0]);
	vfs_close(p[1]);
}

/* ---- devices ----------------------------------------------------------------- */

static void fill(void *buf, size_t len)
{
	memset(buf, 0x5a, len);
}

static void test_devices(void **state)
{
	uint8_t buf[100];
	struct vfs_stat st, s0;
	int fd, p[2];

	assert_int_equal(vfs_dev_init(fill), 0);
	assert_int_equal(vfs_dev_init(fill), -EEXIST);
	assert_int_equal(vfs_stat("/dev/null", &st), 0);
	assert_int_equal(st.mode, VFS_S_IFCHR | 0666);
	fd = vfs_open("/dev/null", VFS_O_RDWR | VFS_O_TRUNC, 0);
	assert_true(fd >= 3);
	assert_int_equal(vfs_write(fd, buf, sizeof(buf)), sizeof(buf));
	assert_int_equal(vfs_read(fd, buf, sizeof(buf)), 0);
	assert_int_equal(vfs_poll_fd(fd, VFS_POLLIN | VFS_POLLOUT),
			 VFS_POLLIN | VFS_POLLOUT);
	assert_int_equal(vfs_isatty(fd), 0);
	assert_int_equal(vfs_isatty(0), 1);
	assert_int_equal(vfs_isatty(99), -EBADF);
	vfs_close(fd);
	fd = vfs_open("/dev/zero", VFS_O_RDONLY, 0);
	memset(buf, 1, sizeof(buf));
	assert_int_equal(vfs_pread(fd, buf, sizeof(buf), 123), sizeof(buf));
	for (size_t i = 0; i < sizeof(buf); i++)
		assert_int_equal(buf[i], 0);
	vfs_close(fd);
	fd = vfs_open("/dev/urandom", VFS_O_RDONLY, 0);
	assert_int_equal(vfs_read(fd, buf, 10), 10);
	assert_int_equal(buf[9], 0x5a);
	vfs_close(fd);

	/* /dev/stdin: the description of fd 0, whatever it is now */
	fd = vfs_open("/dev/stdin", VFS_O_RDONLY, 0);
	assert_true(fd >= 3);
	assert_int_equal(vfs_fstat(fd, &st), 0);
	assert_int_equal(vfs_fstat(0, &s0), 0);
	assert_int_equal(st.ino, s0.ino);
	vfs_close(fd);
	assert_int_equal(vfs_pipe(p, 0), 0);
	assert_int_equal(vfs_dup2(p[1], 1), 1);
	fd = vfs_open("/dev/stdout", VFS_O_WRONLY | VFS_O_CLOEXEC, 0);
	assert_int_equal(vfs_fcntl(fd, VFS_F_GETFD, 0), VFS_FD_CLOEXEC);
	assert_int_equal(vfs_write(fd, "hi", 2), 2);
	assert_int_equal(vfs_read(p[0], buf, sizeof(buf)), 2);
	assert_int_equal(vfs_open("/dev/stdout", VFS_O_RDONLY, 0), -EACCES);
	assert_int_equal(
	    vfs_open("/dev/stdout", VFS_O_WRONLY | VFS_O_CREAT | VFS_O_EXCL, 0),
	    -EEXIST);
	vfs_close(fd);
	vfs_close(1);
	assert_int_equal(vfs_open("/dev/stdout", VFS_O_WRONLY, 0), -ENOENT);
	vfs_close(p[0]);
	vfs_close(p[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	    T(test_ring_wraps), T(test_ends),	  T(test_no_memory_no_fds),
	    T(test_dup3),	T(test_blocking), T(test_epipe_wakes),
	    T(test_block_hook), T(test_devices),
#undef T
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
