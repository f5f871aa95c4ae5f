/*
 * posix/signal_wait.c — waiting for signals: sigsuspend, pause, sigwait,
 * sigwaitinfo, sigtimedwait.
 *
 * A waiting thread sleeps on its own sig_word, which every sender bumps
 * (posix/signal.c), so no wake-up is lost between its check and its
 * sleep; cancellation requests wake it too (pthread_cancel wakes the
 * thread's wait_word).
 */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <time.h>
#include <unistd.h>

#include "posix/posix_impl.h"
#include "posix/signal_impl.h"

/* Sleeps until a handler ran; cancellation point. */
static int wait_handler(void)
{
	struct pthread *self = pthread_cur();
	__atomic_store_n(&self->wait_word, &self->sig_word, __ATOMIC_RELEASE);
	posix_sig_intr_clear();
	while (!posix_sig_intr()) {
		posix_testcancel();
		posix_sig_sleep(0);
	}
	__atomic_store_n(&self->wait_word, NULL, __ATOMIC_RELEASE);
	errno = EINTR;
	return -1;
}

int pause(void)
{
	posix_testcancel();
	return wait_handler();
}

int sigsuspend(const sigset_t *mask)
{
	struct pthread *self = pthread_cur();
	uint64_t old = self->sig_mask;
	uint64_t m = *mask & SIG_ALL & ~(SIG_BIT(SIGKILL) | SIG_BIT(SIGSTOP));
	posix_testcancel();
	/* the handlers run with the given mask (plus their own), the old
	 * one is back on return */
	__atomic_store_n(&self->sig_mask, m, __ATOMIC_SEQ_CST);
	int rc = wait_handler();
	__atomic_store_n(&self->sig_mask, old, __ATOMIC_SEQ_CST);
	posix_sig_deliver(); /* pending under the old mask only: none */
	return rc;
}

static void to_info(siginfo_t *info, int sig, const struct posix_sigdetail *d)
{
	if (!info)
		return;
	*info = (siginfo_t){.si_signo = sig,
			    .si_code = d->code,
			    .si_pid = d->pid,
			    .si_addr = d->addr,
			    .si_value.sival_ptr = d->value};
}

/* Waits for one of `set` up to timeout_ns (0: none; UINT64_MAX: poll):
 * the signal, -EAGAIN on time-out, -EINTR when a handler of a signal
 * outside the set ran. */
static int wait_set(uint64_t set, siginfo_t *info, uint64_t timeout_ns)
{
	struct pthread *self = pthread_cur();
	uint64_t end = timeout_ns && timeout_ns != UINT64_MAX
			   ? ksys_clock_ns() + timeout_ns
			   : 0;
	struct posix_sigdetail d;
	int sig;
	posix_testcancel();
	__atomic_store_n(&self->wait_word, &self->sig_word, __ATOMIC_RELEASE);
	posix_sig_intr_clear();
	for (;;) {
		if ((sig = sig_take(set, &d)))
			break;
		if (posix_sig_intr()) {
			sig = -EINTR;
			break;
		}
		uint64_t left = 0;
		if (timeout_ns == UINT64_MAX) {
			sig = -EAGAIN;
			break;
		}
		if (end) {
			uint64_t now = ksys_clock_ns();
			if (now >= end) {
				sig = -EAGAIN;
				break;
			}
			left = end - now;
		}
		posix_testcancel();
		posix_sig_sleep(left);
	}
	__atomic_store_n(&self->wait_word, NULL, __ATOMIC_RELEASE);
	if (sig > 0)
		to_info(info, sig, &d);
	return sig;
}

static int check_set(const sigset_t *set)
{
	return set ? 0 : -EINVAL;
}

int sigwait(const sigset_t *set, int *sig)
{
	if (check_set(set))
		return EINVAL;
	int rc;
	do
		rc = wait_set(*set & SIG_ALL, NULL, 0);
	while (rc == -EINTR); /* sigwait is not interrupted */
	*sig = rc;
	return 0;
}

int sigwaitinfo(const sigset_t *set, siginfo_t *info)
{
	return sigtimedwait(set, info, NULL);
}

int sigtimedwait(const sigset_t *set, siginfo_t *info,
		 const struct timespec *ts)
{
	uint64_t ns = 0;
	if (check_set(set) ||
	    (ts && (ts->tv_nsec < 0 || ts->tv_nsec >= 1000000000L ||
		    ts->tv_sec < 0))) {
		errno = EINVAL;
		return -1;
	}
	if (ts) {
		ns = (uint64_t)ts->tv_sec * 1000000000ull +
		     (uint64_t)ts->tv_nsec;
		if (ns == 0)
			ns = UINT64_MAX; /* poll */
	}
	int rc = wait_set(*set & SIG_ALL, info, ns);
	if (rc < 0) {
		errno = -rc;
		return -1;
	}
	return rc;
}
