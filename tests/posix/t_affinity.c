/*
 * t_affinity.c — CPU sets on one node (posix/affinity.c): the CPU_*
 * macros, sched_getaffinity/sched_setaffinity (pid 0 and getpid() = the
 * caller), pthread_getaffinity_np/pthread_setaffinity_np on the caller
 * and on another thread: exact sets back, and the errors (EINVAL for an
 * empty set, a CPU that does not exist or a set too small to hold every
 * CPU; ESRCH for another pid or a thread that does not exist).
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <unistd.h>

#include "ptest.h"

static volatile int stop;

static void *spinner(void *arg)
{
	(void)arg;
	while (!stop)
		sched_yield();
	return NULL;
}

int main(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	cpu_set_t s, all, got;
	CPU_ZERO(&s);
	CHECK_EQ(CPU_COUNT(&s), 0, "CPU_ZERO: empty");
	CPU_SET(3, &s);
	CPU_SET(70, &s);
	CHECK(CPU_ISSET(3, &s) && CPU_ISSET(70, &s) && !CPU_ISSET(4, &s),
	      "CPU_SET/CPU_ISSET");
	CHECK_EQ(CPU_COUNT(&s), 2, "CPU_COUNT");
	CPU_CLR(3, &s);
	CHECK(!CPU_ISSET(3, &s) && CPU_COUNT(&s) == 1, "CPU_CLR");
	cpu_set_t a, b, d;
	CPU_ZERO(&a);
	CPU_ZERO(&b);
	CPU_SET(1, &a);
	CPU_SET(2, &a);
	CPU_SET(2, &b);
	CPU_AND(&d, &a, &b);
	CHECK(CPU_COUNT(&d) == 1 && CPU_ISSET(2, &d), "CPU_AND");
	CPU_OR(&d, &a, &b);
	CHECK_EQ(CPU_COUNT(&d), 2, "CPU_OR");
	CPU_XOR(&d, &a, &b);
	CHECK(CPU_COUNT(&d) == 1 && CPU_ISSET(1, &d), "CPU_XOR");
	CHECK(CPU_EQUAL(&a, &a) && !CPU_EQUAL(&a, &b), "CPU_EQUAL");
	CHECK_EQ(CPU_ALLOC_SIZE(65), 2 * sizeof(unsigned long),
		 "CPU_ALLOC_SIZE");

	CPU_ZERO(&all);
	for (long c = 0; c < n; c++)
		CPU_SET(c, &all);
	CHECK_EQ(sched_getaffinity(0, sizeof(got), &got), 0,
		 "sched_getaffinity(0)");
	CHECK(CPU_EQUAL(&got, &all), "at first every CPU");

	CPU_ZERO(&s);
	CPU_SET(n - 1, &s);
	CHECK_EQ(sched_setaffinity(0, sizeof(s), &s), 0,
		 "sched_setaffinity(0): the last CPU");
	CHECK_EQ(sched_getaffinity(0, sizeof(got), &got), 0,
		 "sched_getaffinity after it");
	CHECK(CPU_EQUAL(&got, &s), "gives exactly that set");
	CHECK_EQ(pthread_getaffinity_np(pthread_self(), sizeof(got), &got), 0,
		 "pthread_getaffinity_np(self)");
	CHECK(CPU_EQUAL(&got, &s), "the same set");
	CHECK_EQ(sched_setaffinity(getpid(), sizeof(all), &all), 0,
		 "sched_setaffinity(getpid()): every CPU");
	sched_getaffinity(0, sizeof(got), &got);
	CHECK(CPU_EQUAL(&got, &all), "every CPU again");

	CPU_ZERO(&s);
	errno = 0;
	CHECK_EQ(sched_setaffinity(0, sizeof(s), &s), -1, "empty set: -1");
	CHECK_EQ(errno, EINVAL, "and EINVAL");
	CPU_SET(n, &s);
	errno = 0;
	CHECK_EQ(sched_setaffinity(0, sizeof(s), &s), -1,
		 "a CPU that does not exist: -1");
	CHECK_EQ(errno, EINVAL, "and EINVAL");
	CPU_SET(0, &s);
	CHECK_EQ(pthread_setaffinity_np(pthread_self(), sizeof(s), &s), EINVAL,
		 "pthread_setaffinity_np with one CPU too many: EINVAL");
	sched_getaffinity(0, sizeof(got), &got);
	CHECK(CPU_EQUAL(&got, &all), "a refused set changes nothing");
	errno = 0;
	CHECK_EQ(sched_getaffinity(getpid() + 1, sizeof(got), &got), -1,
		 "another pid: -1");
	CHECK_EQ(errno, ESRCH, "and ESRCH");
	errno = 0;
	CHECK_EQ(sched_setaffinity(getpid() + 1, sizeof(all), &all), -1,
		 "setting another pid: -1");
	CHECK_EQ(errno, ESRCH, "and ESRCH");
	CHECK_EQ(pthread_getaffinity_np((pthread_t)99999, sizeof(got), &got),
		 ESRCH, "pthread_getaffinity_np of no thread: ESRCH");
	CHECK_EQ(pthread_setaffinity_np((pthread_t)99999, sizeof(all), &all),
		 ESRCH, "pthread_setaffinity_np of no thread: ESRCH");
	errno = 0;
	CHECK_EQ(sched_getaffinity(0, 0, &got), -1, "a zero-size set: -1");
	CHECK_EQ(errno, EINVAL, "and EINVAL");

	pthread_t t;
	pthread_create(&t, NULL, spinner, NULL);
	CPU_ZERO(&s);
	CPU_SET(0, &s);
	CHECK_EQ(pthread_setaffinity_np(t, sizeof(s), &s), 0,
		 "another thread: pinned to CPU 0");
	CHECK_EQ(pthread_getaffinity_np(t, sizeof(got), &got), 0,
		 "its set read back");
	CHECK(CPU_EQUAL(&got, &s), "exactly CPU 0");
	sched_getaffinity(0, sizeof(got), &got);
	CHECK(CPU_EQUAL(&got, &all), "the caller's set did not change");
	pt_sleep_ms(20);
	stop = 1;
	CHECK_EQ(pthread_join(t, NULL), 0, "the pinned thread ran and ended");
	return pt_done();
}
