/*
 * posix/time.c — clocks and sleeping: clock_gettime (REALTIME, MONOTONIC,
 * PROCESS_CPUTIME, THREAD_CPUTIME and the CPU clocks of
 * clock_getcpuclockid and pthread_getcpuclockid), clock_getres, nanosleep,
 * clock_nanosleep, sleep, usleep, sched_yield (pause: posix/signal_wait.c).
 *
 * pthread_getcpuclockid gives a clock naming the thread (THREAD_CLOCK +
 * its pthread_t). The kernel tells a thread only its own CPU time, so that
 * clock reads for the thread itself; for another thread it is EINVAL.
 */
#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <time.h>
#include <unistd.h>

#include "posix/posix_impl.h"

#define THREAD_CLOCK ((clockid_t)0x40000000)

/* A CPU clock the calling thread can read: CLOCK_THREAD_CPUTIME_ID for
 * its own pthread_getcpuclockid clock, -1 for another thread's. */
static clockid_t cpu_clock(clockid_t clock)
{
	if (clock < THREAD_CLOCK || clock >= THREAD_CLOCK + POSIX_MAX_THREADS)
		return clock;
	return clock - THREAD_CLOCK == pthread_self() ? CLOCK_THREAD_CPUTIME_ID
						      : (clockid_t)-1;
}

int pthread_getcpuclockid(pthread_t id, clockid_t *clock)
{
	if (!posix_thread_lookup(id))
		return ESRCH;
	*clock = THREAD_CLOCK + id;
	return 0;
}

/* The one process's clock: for 0 or getpid(); ESRCH for any other pid. */
int clock_getcpuclockid(pid_t pid, clockid_t *clock)
{
	if (pid != 0 && pid != getpid())
		return ESRCH;
	*clock = CLOCK_PROCESS_CPUTIME_ID;
	return 0;
}

static void ns_to_ts(uint64_t ns, struct timespec *ts)
{
	ts->tv_sec = (time_t)(ns / 1000000000ull);
	ts->tv_nsec = (long)(ns % 1000000000ull);
}

/* This thread's last CLOCK_MONOTONIC reading. It lives in the thread's
 * TLS, which travels with it when it migrates: its readings never go
 * backwards even where two nodes' estimates of the cluster clock (the
 * origin's, kernel/time.h) differ by up to their error bounds. */
static __thread uint64_t mono_last;

int clock_gettime(clockid_t clock, struct timespec *ts)
{
	uint64_t ns;
	switch (cpu_clock(clock)) {
	case CLOCK_REALTIME:
		ns = ksys_realtime_ns();
		break;
	case CLOCK_MONOTONIC:
		ns = ksys_clock_ns();
		if (ns < mono_last)
			ns = mono_last;
		mono_last = ns;
		break;
	case CLOCK_PROCESS_CPUTIME_ID:
		ns = ksys_process_cpu_ns();
		break;
	case CLOCK_THREAD_CPUTIME_ID:
		ns = ksys_thread_cpu_ns();
		break;
	default:
		errno = EINVAL;
		return -1;
	}
	ns_to_ts(ns, ts);
	return 0;
}

int clock_getres(clockid_t clock, struct timespec *res)
{
	clock = cpu_clock(clock);
	if (clock != CLOCK_REALTIME && clock != CLOCK_MONOTONIC &&
	    clock != CLOCK_PROCESS_CPUTIME_ID &&
	    clock != CLOCK_THREAD_CPUTIME_ID) {
		errno = EINVAL;
		return -1;
	}
	if (res) {
		res->tv_sec = 0;
		res->tv_nsec = 1; /* the TSC; sleeps are rounded to the tick */
	}
	return 0;
}

int clock_settime(clockid_t clock, const struct timespec *ts)
{
	(void)clock, (void)ts;
	errno = EPERM;
	return -1;
}

/* Sleeps `ns`; a cancellation point. A signal handler that runs ends it
 * early: returns the ns that were left then, else 0. */
static uint64_t sleep_ns(uint64_t ns)
{
	struct pthread *self = pthread_cur();
	uint64_t end = ksys_clock_ns() + ns, left = 0;
	posix_testcancel();
	__atomic_store_n(&self->wait_word, &self->sig_word, __ATOMIC_RELEASE);
	posix_sig_intr_clear();
	for (;;) {
		uint64_t now = ksys_clock_ns();
		if (now >= end)
			break;
		posix_sig_sleep(end - now);
		if (posix_sig_intr() || self->cancel_pending) {
			now = ksys_clock_ns();
			left = now < end ? end - now : 1;
			break;
		}
	}
	__atomic_store_n(&self->wait_word, NULL, __ATOMIC_RELEASE);
	posix_testcancel();
	return left;
}

/* As glibc on Linux: EINVAL for the calling thread's CPU clock and for
 * a clock that does not exist; ENOTSUP (which POSIX allows for CPU-time
 * clocks) for the process's; unknown flags are ignored. */
int clock_nanosleep(clockid_t clock, int flags, const struct timespec *req,
		    struct timespec *rem)
{
	clock = cpu_clock(clock);
	if (clock == CLOCK_PROCESS_CPUTIME_ID)
		return ENOTSUP;
	if (clock != CLOCK_REALTIME && clock != CLOCK_MONOTONIC)
		return EINVAL;
	if (!req || req->tv_nsec < 0 || req->tv_nsec >= 1000000000L ||
	    req->tv_sec < 0)
		return EINVAL;
	uint64_t ns;
	if (flags & TIMER_ABSTIME) {
		int64_t rel = posix_abs_to_rel(clock, req);
		ns = rel > 1 ? (uint64_t)rel : 0;
	} else {
		ns = (uint64_t)req->tv_sec * 1000000000ull +
		     (uint64_t)req->tv_nsec;
	}
	uint64_t left = sleep_ns(ns);
	if (rem && !(flags & TIMER_ABSTIME)) {
		rem->tv_sec = (time_t)(left / 1000000000ull);
		rem->tv_nsec = (long)(left % 1000000000ull);
	}
	return left ? EINTR : 0;
}

int nanosleep(const struct timespec *req, struct timespec *rem)
{
	int rc = clock_nanosleep(CLOCK_MONOTONIC, 0, req, rem);
	if (rc) {
		errno = rc;
		return -1;
	}
	return 0;
}

unsigned sleep(unsigned s)
{
	uint64_t left = sleep_ns((uint64_t)s * 1000000000ull);
	return (unsigned)((left + 999999999ull) / 1000000000ull);
}

int usleep(useconds_t us)
{
	if (sleep_ns((uint64_t)us * 1000ull)) {
		errno = EINTR;
		return -1;
	}
	return 0;
}

int sched_yield(void)
{
	ksys_yield();
	return 0;
}
