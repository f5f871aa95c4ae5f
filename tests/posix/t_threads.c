/*
 * t_threads.c — pthread create/join/detach/self/equal/once/attributes/
 * keys/exit/cancellation with cleanup handlers, their error codes, and a
 * storm of thousands of threads.
 */
#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <unistd.h>

#include "ptest.h"

static void *ret_arg(void *a)
{
	return a;
}

static pthread_once_t once = PTHREAD_ONCE_INIT;
static int once_runs;
static void once_fn(void)
{
	once_runs++;
}
static void *call_once(void *a)
{
	pthread_once(&once, once_fn);
	return a;
}

static pthread_key_t key;
static int dtor_calls;
static void key_dtor(void *v)
{
	dtor_calls += (int)(intptr_t)v;
}
static void *set_key(void *a)
{
	pthread_setspecific(key, a);
	return pthread_getspecific(key);
}

static volatile int cleanup_ran;
static void cleanup(void *a)
{
	cleanup_ran += (int)(intptr_t)a;
}
static void *cancellable(void *a)
{
	pthread_cleanup_push(cleanup, (void *)(intptr_t)10);
	pthread_cleanup_push(cleanup, (void *)(intptr_t)1);
	for (;;) {
		usleep(1000); /* a cancellation point */
	}
	pthread_cleanup_pop(0);
	pthread_cleanup_pop(0);
	return a;
}

/* Spins on pthread_testcancel only: a cancel must reach it even if it was
 * sent before the thread had started. */
static void *spins_on_testcancel(void *a)
{
	for (;;)
		pthread_testcancel();
	return a;
}

static void *sleeps_300ms(void *a)
{
	usleep(300000);
	return a;
}

static void *joins_it(void *a)
{
	void *rv;
	pthread_join(*(pthread_t *)a, &rv);
	return (void *)1; /* not reached: cancelled while it waits */
}

static void *exits_early(void *a)
{
	pthread_cleanup_push(cleanup, (void *)(intptr_t)100);
	pthread_exit((void *)(intptr_t)42);
	pthread_cleanup_pop(0);
	return a;
}

static void *get_self(void *a)
{
	*(pthread_t *)a = pthread_self();
	return NULL;
}

int main(void)
{
	pthread_t t, t2;
	void *rv;

	CHECK_EQ(pthread_create(&t, NULL, ret_arg, (void *)(intptr_t)1234), 0,
		 "create");
	CHECK_EQ(pthread_join(t, &rv), 0, "join");
	CHECK_EQ((intptr_t)rv, 1234, "join returns the value");
	CHECK_EQ(pthread_join(t, NULL), ESRCH,
		 "join of a reaped thread: ESRCH");
	CHECK_EQ(pthread_join(pthread_self(), NULL), EDEADLK,
		 "join self: EDEADLK");

	pthread_t seen;
	pthread_create(&t, NULL, get_self, &seen);
	pthread_join(t, NULL);
	CHECK(pthread_equal(seen, t),
	      "pthread_self in the thread equals the id");
	CHECK(!pthread_equal(pthread_self(), t), "pthread_equal distinguishes");

	pthread_attr_t attr;
	CHECK_EQ(pthread_attr_init(&attr), 0, "attr_init");
	int ds;
	pthread_attr_getdetachstate(&attr, &ds);
	CHECK_EQ(ds, PTHREAD_CREATE_JOINABLE, "default detach state");
	CHECK_EQ(pthread_attr_setdetachstate(&attr, 42), EINVAL,
		 "bad detach state: EINVAL");
	CHECK_EQ(pthread_attr_setstacksize(&attr, 1), EINVAL,
		 "stack too small: EINVAL");
	CHECK_EQ(pthread_attr_setstacksize(&attr, 256 * 1024), 0,
		 "setstacksize");
	size_t ss;
	pthread_attr_getstacksize(&attr, &ss);
	CHECK_EQ(ss, 256 * 1024, "getstacksize");
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	CHECK_EQ(pthread_create(&t, &attr, ret_arg, NULL), 0,
		 "create detached");
	CHECK_EQ(pthread_join(t, NULL), EINVAL,
		 "join a detached thread: EINVAL");
	pthread_attr_destroy(&attr);

	static char stack[64 * 1024] __attribute__((aligned(16)));
	pthread_attr_init(&attr);
	CHECK_EQ(pthread_attr_setstack(&attr, stack, sizeof(stack)), 0,
		 "setstack");
	CHECK_EQ(pthread_create(&t, &attr, ret_arg, (void *)(intptr_t)7), 0,
		 "create on a user stack");
	pthread_join(t, &rv);
	CHECK_EQ((intptr_t)rv, 7, "user-stack thread ran");
	pthread_attr_destroy(&attr);

	pthread_create(&t, NULL, ret_arg, NULL);
	CHECK_EQ(pthread_detach(t), 0, "detach");
	CHECK_EQ(pthread_detach(t) == 0 ? 0 : 1, 1, "second detach fails");

	pthread_t ts[8];
	for (int i = 0; i < 8; i++)
		pthread_create(&ts[i], NULL, call_once, NULL);
	for (int i = 0; i < 8; i++)
		pthread_join(ts[i], NULL);
	CHECK_EQ(once_runs, 1, "pthread_once runs once");

	CHECK_EQ(pthread_key_create(&key, key_dtor), 0, "key_create");
	pthread_create(&t, NULL, set_key, (void *)(intptr_t)5);
	pthread_join(t, &rv);
	CHECK_EQ((intptr_t)rv, 5, "getspecific sees the thread's value");
	CHECK_EQ(dtor_calls, 5, "key destructor ran at thread exit");
	CHECK(pthread_getspecific(key) == NULL,
	      "main thread's value is separate");
	CHECK_EQ(pthread_key_delete(key), 0, "key_delete");
	CHECK_EQ(pthread_setspecific(key, NULL), EINVAL,
		 "setspecific on a deleted key: EINVAL");

	pthread_create(&t, NULL, cancellable, NULL);
	usleep(5000);
	CHECK_EQ(pthread_cancel(t), 0, "cancel");
	pthread_join(t, &rv);
	CHECK(rv == PTHREAD_CANCELED,
	      "cancelled thread returns PTHREAD_CANCELED");
	CHECK_EQ(cleanup_ran, 11, "both cleanup handlers ran");

	cleanup_ran = 0;
	pthread_create(&t, NULL, exits_early, NULL);
	pthread_join(t, &rv);
	CHECK_EQ((intptr_t)rv, 42, "pthread_exit value");
	CHECK_EQ(cleanup_ran, 100, "pthread_exit runs cleanup handlers");
	CHECK_EQ(pthread_cancel(t), ESRCH, "cancel a reaped thread: ESRCH");

	/* a storm: thousands of create+join, 50 at a time */
	int bad = 0;
	for (int round = 0; round < 60; round++) {
		pthread_t s[50];
		for (intptr_t i = 0; i < 50; i++)
			if (pthread_create(&s[i], NULL, ret_arg, (void *)i))
				bad++;
		for (intptr_t i = 0; i < 50; i++) {
			pthread_join(s[i], &rv);
			bad += (intptr_t)rv != i;
		}
	}
	CHECK_EQ(bad, 0, "3000 threads created and joined with their values");

	/* cancel at once after create, before the thread has started */
	bad = 0;
	for (int i = 0; i < 20; i++) {
		pthread_t c;
		pthread_create(&c, NULL, spins_on_testcancel, NULL);
		pthread_cancel(c);
		pthread_join(c, &rv);
		bad += rv != PTHREAD_CANCELED;
	}
	CHECK_EQ(bad, 0, "a cancel sent before the start is acted on");

	/* a joiner cancelled while it waits leaves the thread joinable */
	pthread_t target, joiner;
	pthread_create(&target, NULL, sleeps_300ms, (void *)7);
	pthread_create(&joiner, NULL, joins_it, &target);
	usleep(100000);
	pthread_cancel(joiner);
	pthread_join(joiner, &rv);
	CHECK(rv == PTHREAD_CANCELED, "the joiner was cancelled while waiting");
	CHECK_EQ(pthread_join(target, &rv), 0,
		 "its target is still joinable (POSIX)");
	CHECK_EQ((intptr_t)rv, 7, "with its value");
	(void)t2;
	return pt_done();
}
