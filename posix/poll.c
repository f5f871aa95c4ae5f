/*
 * posix/poll.c — poll, ppoll, select and pselect over the fds of the vfs
 * (vfs_poll_fd says what each kind of file reports: pipes by their state,
 * the console by its input, every other file always readable and
 * writable).
 *
 * A blocked caller sleeps on the cluster-wide word vfs_poll_seq, which
 * every change of a pipe bumps while someone polls (posix/vfs_pipe.c), so a
 * pipe written on another node wakes it; it then scans its fds again.
 * Standard input bumps no word: while a scan found the console not ready,
 * the sleep lasts at most POLL_CONSOLE_NS, and the caller scans again.
 * These are cancellation points (on entry and while asleep), and so are
 * blocked pipe reads and writes (posix_file_block). The signal
 * masks of ppoll and pselect are ignored: no signal reaches a handler.
 */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <sys/select.h>
#include <sys/time.h>

#include "posix/posix_impl.h"
#include "posix/vfs.h"

_Static_assert(POLLIN == VFS_POLLIN && POLLPRI == VFS_POLLPRI &&
		   POLLOUT == VFS_POLLOUT && POLLERR == VFS_POLLERR &&
		   POLLHUP == VFS_POLLHUP && POLLNVAL == VFS_POLLNVAL,
	       "poll.h and vfs.h give the events the same bits");
_Static_assert(PIPE_BUF == VFS_PIPE_BUF, "limits.h states the pipes' PIPE_BUF");

#define NS		1000000000LL
#define POLL_CONSOLE_NS 20000000ull

/* This thread's last scan found the console not readable. */
static __thread bool console_pending;

int posix_console_poll(void)
{
	int r = ksys_console_poll();
	if (r == 0)
		console_pending = true;
	return r;
}

/* The events of one pollfd: POLLRDNORM and POLLWRNORM as POLLIN and
 * POLLOUT, each reported under the name asked for. */
static short poll_one(const struct pollfd *p)
{
	uint32_t want = 0, got;
	short r = 0;

	if (p->events & (POLLIN | POLLRDNORM))
		want |= VFS_POLLIN;
	if (p->events & (POLLOUT | POLLWRNORM))
		want |= VFS_POLLOUT;
	got = vfs_poll_fd(p->fd, want);
	if (got & VFS_POLLIN)
		r |= (short)(p->events & (POLLIN | POLLRDNORM));
	if (got & VFS_POLLOUT)
		r |= (short)(p->events & (POLLOUT | POLLWRNORM));
	return (short)(r | (short)(got & (POLLERR | POLLHUP | POLLNVAL)));
}

/* Scans every fd once: the number with events. */
static int poll_scan(struct pollfd *fds, nfds_t nfds)
{
	int n = 0;

	for (nfds_t i = 0; i < nfds; i++) {
		fds[i].revents = fds[i].fd < 0 ? 0 : poll_one(&fds[i]);
		if (fds[i].revents)
			n++;
	}
	return n;
}

/* A cancellation request the thread must act on now. */
static bool cancel_due(const struct pthread *self)
{
	return self->cancel_pending &&
	       self->cancel_state == PTHREAD_CANCEL_ENABLE;
}

int posix_file_block(uint32_t *word, uint32_t val)
{
	struct pthread *self = pthread_cur();
	int err = 0;

	self->wait_word = word; /* pthread_cancel wakes it */
	posix_sig_intr_clear();
	if (!cancel_due(self))
		ksys_futex_wait(word, val, 0);
	posix_sig_deliver();
	if (cancel_due(self))
		err = -ECANCELED;
	else if (posix_sig_intr() < 0)
		err = -EINTR; /* with SA_RESTART: 0, the caller waits again */
	self->wait_word = NULL;
	return err;
}

/*
 * Runs scan(arg) until it finds something or timeout_ns (-1: none, 0: one
 * scan) passes; returns scan's last result. Registered in vfs_pollers
 * before each scan reads vfs_poll_seq, so a change after the scan bumps
 * the word the sleep compares.
 */
static int poll_wait(int (*scan)(void *), void *arg, int64_t timeout_ns)
{
	struct pthread *self = pthread_cur();
	uint64_t deadline = 0;
	int n;

	posix_testcancel();
	if (timeout_ns > 0)
		deadline = ksys_clock_ns() + (uint64_t)timeout_ns;
	__atomic_add_fetch(&vfs_pollers, 1, __ATOMIC_SEQ_CST);
	for (;;) {
		uint32_t seq = __atomic_load_n(&vfs_poll_seq, __ATOMIC_SEQ_CST);
		uint64_t left = 0, now;

		console_pending = false;
		n = scan(arg);
		if (n || !timeout_ns)
			break;
		if (timeout_ns > 0) {
			now = ksys_clock_ns();
			if (now >= deadline)
				break;
			left = deadline - now;
		}
		if (console_pending && (!left || left > POLL_CONSOLE_NS))
			left = POLL_CONSOLE_NS; /* then scan again */
		self->wait_word = &vfs_poll_seq;
		if (cancel_due(self))
			break;
		posix_sig_intr_clear();
		ksys_futex_wait(&vfs_poll_seq, seq, left); /* 0: forever */
		self->wait_word = NULL;
		posix_sig_deliver();
		if (cancel_due(self))
			break;
		if (posix_sig_intr()) { /* never restarted (as Linux) */
			errno = EINTR;
			n = -1;
			break;
		}
	}
	self->wait_word = NULL;
	__atomic_sub_fetch(&vfs_pollers, 1, __ATOMIC_SEQ_CST);
	posix_testcancel();
	return n;
}

struct poll_args {
	struct pollfd *fds;
	nfds_t nfds;
};

static int poll_scan_cb(void *arg)
{
	struct poll_args *a = arg;

	return poll_scan(a->fds, a->nfds);
}

static int poll_ns(struct pollfd *fds, nfds_t nfds, int64_t timeout_ns)
{
	struct poll_args a = {fds, nfds};

	if (nfds > (nfds_t)vfs_open_max() && nfds > 0) {
		errno = EINVAL; /* more than RLIMIT_NOFILE, as Linux */
		return -1;
	}
	if (nfds && !fds) {
		errno = EFAULT;
		return -1;
	}
	return poll_wait(poll_scan_cb, &a, timeout_ns);
}

int poll(struct pollfd *fds, nfds_t nfds, int timeout_ms)
{
	return poll_ns(fds, nfds, timeout_ms < 0 ? -1 : timeout_ms * 1000000LL);
}

/* A relative timespec in ns, -1 for NULL; -2 if malformed. */
static int64_t ts_ns(const struct timespec *ts)
{
	if (!ts)
		return -1;
	if (ts->tv_sec < 0 || ts->tv_nsec < 0 || ts->tv_nsec >= NS)
		return -2;
	if (ts->tv_sec >= INT64_MAX / NS - 1)
		return -1; /* centuries: as good as forever */
	return (int64_t)ts->tv_sec * NS + ts->tv_nsec;
}

int ppoll(struct pollfd *fds, nfds_t nfds, const struct timespec *timeout,
	  const sigset_t *sigmask)
{
	int64_t ns = ts_ns(timeout);

	(void)sigmask;
	if (ns == -2) {
		errno = EINVAL;
		return -1;
	}
	return poll_ns(fds, nfds, ns);
}

/* ---- select ---------------------------------------------------------------- */

struct select_args {
	int nfds;
	fd_set *sets[3], in[3]; /* read, write, except; what was asked */
};

/* One scan: the asked fds that are ready stay in the sets; the count of
 * bits set. -1 (errno EBADF) for an asked fd that is not open. */
static int select_scan(void *arg)
{
	struct select_args *a = arg;
	fd_set out[3];
	int n = 0;

	for (int k = 0; k < 3; k++)
		FD_ZERO(&out[k]);
	for (int fd = 0; fd < a->nfds; fd++) {
		bool r = a->sets[0] && FD_ISSET(fd, &a->in[0]);
		bool w = a->sets[1] && FD_ISSET(fd, &a->in[1]);
		bool x = a->sets[2] && FD_ISSET(fd, &a->in[2]);
		uint32_t got;

		if (!r && !w && !x)
			continue;
		got = vfs_poll_fd(fd, VFS_POLLIN | VFS_POLLOUT);
		if (got & VFS_POLLNVAL) {
			errno = EBADF;
			return -1;
		}
		/* as Linux: end of file and errors make an fd readable */
		if (r && (got & (VFS_POLLIN | VFS_POLLHUP | VFS_POLLERR)))
			FD_SET(fd, &out[0]), n++;
		if (w && (got & (VFS_POLLOUT | VFS_POLLERR)))
			FD_SET(fd, &out[1]), n++;
		/* exceptional conditions (urgent data) never arise */
	}
	if (n)
		for (int k = 0; k < 3; k++)
			if (a->sets[k])
				*a->sets[k] = out[k];
	return n;
}

static int select_ns(int nfds, fd_set *r, fd_set *w, fd_set *x,
		     int64_t timeout_ns)
{
	struct select_args a = {.nfds = nfds, .sets = {r, w, x}};
	int n;

	if (nfds < 0 || nfds > FD_SETSIZE) {
		errno = EINVAL;
		return -1;
	}
	for (int k = 0; k < 3; k++)
		if (a.sets[k])
			a.in[k] = *a.sets[k];
	n = poll_wait(select_scan, &a, timeout_ns);
	if (!n) /* timed out: nothing is ready */
		for (int k = 0; k < 3; k++)
			if (a.sets[k])
				FD_ZERO(a.sets[k]);
	return n;
}

int select(int nfds, fd_set *r, fd_set *w, fd_set *x, struct timeval *tv)
{
	int64_t ns = -1;

	if (tv) {
		if (tv->tv_sec < 0 || tv->tv_usec < 0 ||
		    tv->tv_usec >= 1000000) {
			errno = EINVAL;
			return -1;
		}
		ns = tv->tv_sec >= INT64_MAX / NS - 1
			 ? -1
			 : (int64_t)tv->tv_sec * NS + tv->tv_usec * 1000LL;
	}
	return select_ns(nfds, r, w, x, ns);
}

int pselect(int nfds, fd_set *r, fd_set *w, fd_set *x,
	    const struct timespec *timeout, const sigset_t *sigmask)
{
	int64_t ns = ts_ns(timeout);

	(void)sigmask;
	if (ns == -2) {
		errno = EINVAL;
		return -1;
	}
	return select_ns(nfds, r, w, x, ns);
}
