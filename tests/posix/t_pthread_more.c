/*
 * t_pthread_more.c — the rest of pthreads: scheduling attributes and
 * parameters, pthread_getattr_np and the guard size, process-shared
 * attributes, mutex protocols and priority ceilings, robust mutexes (the
 * owner ends holding one), pthread_atfork, the CPU-time clocks,
 * clock_nanosleep's errors, attribute objects destroyed the ways glibc
 * tolerates, and the <unistd.h> option macros; exact results and errors.
 * tests/qemu/dsm runs it again with its threads spread over 2 nodes.
 */
#define _GNU_SOURCE /* pthread_getattr_np, as with glibc */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ptest.h"

/* ---- option macros and sysconf ------------------------------------------- */

static void test_options(void)
{
#if defined(_POSIX_THREAD_PRIORITY_SCHEDULING) &&                              \
    _POSIX_THREAD_PRIORITY_SCHEDULING > 0
	CHECK(1, "_POSIX_THREAD_PRIORITY_SCHEDULING defined");
#else
	CHECK(0, "_POSIX_THREAD_PRIORITY_SCHEDULING defined");
#endif
#if defined(_POSIX_THREAD_PRIO_INHERIT) && defined(_POSIX_THREAD_PRIO_PROTECT)
	CHECK(1, "_POSIX_THREAD_PRIO_INHERIT and _PROTECT defined");
#else
	CHECK(0, "_POSIX_THREAD_PRIO_INHERIT and _PROTECT defined");
#endif
#if defined(_POSIX_THREAD_PROCESS_SHARED) &&                                   \
    defined(_POSIX_THREAD_ROBUST_PRIO_INHERIT)
	CHECK(1, "_POSIX_THREAD_PROCESS_SHARED and _ROBUST_PRIO_INHERIT");
#else
	CHECK(0, "_POSIX_THREAD_PROCESS_SHARED and _ROBUST_PRIO_INHERIT");
#endif
#ifdef _POSIX_PRIORITY_SCHEDULING
	CHECK(0, "_POSIX_PRIORITY_SCHEDULING not defined (no sched_setparam)");
#else
	CHECK(1, "_POSIX_PRIORITY_SCHEDULING not defined (no sched_setparam)");
#endif
	CHECK_EQ(sysconf(_SC_THREAD_PRIORITY_SCHEDULING), 200809L,
		 "sysconf THREAD_PRIORITY_SCHEDULING");
	CHECK_EQ(sysconf(_SC_THREAD_PRIO_INHERIT), 200809L,
		 "sysconf THREAD_PRIO_INHERIT");
	CHECK_EQ(sysconf(_SC_THREAD_PRIO_PROTECT), 200809L,
		 "sysconf THREAD_PRIO_PROTECT");
	CHECK_EQ(sysconf(_SC_THREAD_PROCESS_SHARED), 200809L,
		 "sysconf THREAD_PROCESS_SHARED");
	CHECK_EQ(sysconf(_SC_THREAD_ROBUST_PRIO_INHERIT), 200809L,
		 "sysconf THREAD_ROBUST_PRIO_INHERIT");
}

/* ---- scheduling ------------------------------------------------------------ */

static void *report_sched(void *arg)
{
	int *out = arg;
	struct sched_param sp;
	pthread_getschedparam(pthread_self(), &out[0], &sp);
	out[1] = sp.sched_priority;
	return NULL;
}

static void test_sched_attr(void)
{
	pthread_attr_t a;
	int v;
	struct sched_param sp;
	pthread_attr_init(&a);
	CHECK(pthread_attr_getscope(&a, &v) == 0 && v == PTHREAD_SCOPE_SYSTEM,
	      "default scope SYSTEM");
	CHECK_EQ(pthread_attr_setscope(&a, PTHREAD_SCOPE_PROCESS), ENOTSUP,
		 "setscope PROCESS: ENOTSUP");
	CHECK_EQ(pthread_attr_setscope(&a, 7), EINVAL, "setscope 7: EINVAL");
	CHECK_EQ(pthread_attr_setscope(&a, PTHREAD_SCOPE_SYSTEM), 0,
		 "setscope SYSTEM");
	CHECK(pthread_attr_getinheritsched(&a, &v) == 0 &&
		  v == PTHREAD_INHERIT_SCHED,
	      "default inheritsched INHERIT");
	CHECK_EQ(pthread_attr_setinheritsched(&a, 0), EINVAL,
		 "setinheritsched 0: EINVAL");
	CHECK(pthread_attr_getschedpolicy(&a, &v) == 0 && v == SCHED_OTHER,
	      "default policy SCHED_OTHER");
	CHECK(pthread_attr_getschedparam(&a, &sp) == 0 &&
		  sp.sched_priority == 0,
	      "default priority 0");
	CHECK_EQ(pthread_attr_setschedpolicy(&a, 42), EINVAL,
		 "setschedpolicy 42: EINVAL");
	sp.sched_priority = 5;
	CHECK_EQ(pthread_attr_setschedparam(&a, &sp), EINVAL,
		 "priority 5 under SCHED_OTHER: EINVAL");
	CHECK_EQ(pthread_attr_setschedpolicy(&a, SCHED_FIFO), 0,
		 "setschedpolicy FIFO");
	CHECK_EQ(pthread_attr_setschedparam(&a, &sp), 0,
		 "priority 5 under SCHED_FIFO");
	sp.sched_priority = 100;
	CHECK_EQ(pthread_attr_setschedparam(&a, &sp), EINVAL,
		 "priority 100 under SCHED_FIFO: EINVAL");
	sp.sched_priority = 0;
	CHECK_EQ(pthread_attr_setschedparam(&a, &sp), EINVAL,
		 "priority 0 under SCHED_FIFO: EINVAL");
	CHECK(pthread_attr_getschedpolicy(&a, &v) == 0 && v == SCHED_FIFO &&
		  pthread_attr_getschedparam(&a, &sp) == 0 &&
		  sp.sched_priority == 5,
	      "attribute reports FIFO 5");

	/* explicit: the thread starts with the attribute's */
	int got[2] = {-1, -1};
	pthread_t t;
	CHECK_EQ(pthread_attr_setinheritsched(&a, PTHREAD_EXPLICIT_SCHED), 0,
		 "setinheritsched EXPLICIT");
	CHECK(pthread_create(&t, &a, report_sched, got) == 0 &&
		  pthread_join(t, NULL) == 0,
	      "create with explicit FIFO 5");
	CHECK(got[0] == SCHED_FIFO && got[1] == 5,
	      "explicit thread runs FIFO 5");
	/* explicit RR with a FIFO priority kept from before: checked at
	 * create; SCHED_OTHER with priority 5 is EINVAL there (glibc) */
	CHECK_EQ(pthread_attr_setschedpolicy(&a, SCHED_OTHER), 0,
		 "setschedpolicy OTHER with priority 5 kept");
	CHECK_EQ(pthread_create(&t, &a, report_sched, got), EINVAL,
		 "create explicit OTHER priority 5: EINVAL");
	/* inherit: the creator's */
	sp.sched_priority = 7;
	CHECK_EQ(pthread_setschedparam(pthread_self(), SCHED_RR, &sp), 0,
		 "main becomes RR 7");
	CHECK_EQ(pthread_attr_setinheritsched(&a, PTHREAD_INHERIT_SCHED), 0,
		 "setinheritsched INHERIT");
	CHECK(pthread_create(&t, &a, report_sched, got) == 0 &&
		  pthread_join(t, NULL) == 0,
	      "create inheriting");
	CHECK(got[0] == SCHED_RR && got[1] == 7, "inherited RR 7");
	pthread_attr_destroy(&a);
}

static void *idle_until(void *arg)
{
	pthread_barrier_t *b = arg;
	pthread_barrier_wait(b);
	pthread_barrier_wait(b);
	return NULL;
}

static void test_sched_thread(void)
{
	int pol;
	struct sched_param sp;
	CHECK(pthread_getschedparam(pthread_self(), &pol, &sp) == 0 &&
		  pol == SCHED_RR && sp.sched_priority == 7,
	      "getschedparam main RR 7");
	CHECK_EQ(pthread_setschedprio(pthread_self(), 99), 0,
		 "setschedprio 99");
	CHECK(pthread_getschedparam(pthread_self(), &pol, &sp) == 0 &&
		  pol == SCHED_RR && sp.sched_priority == 99,
	      "now RR 99");
	CHECK_EQ(pthread_setschedprio(pthread_self(), 100), EINVAL,
		 "setschedprio 100: EINVAL");
	sp.sched_priority = 1;
	CHECK_EQ(pthread_setschedparam(pthread_self(), 9, &sp), EINVAL,
		 "setschedparam policy 9: EINVAL");
	sp.sched_priority = 1;
	CHECK_EQ(pthread_setschedparam(pthread_self(), SCHED_OTHER, &sp),
		 EINVAL, "setschedparam OTHER 1: EINVAL");
	sp.sched_priority = 0;
	CHECK_EQ(pthread_setschedparam(pthread_self(), SCHED_OTHER, &sp), 0,
		 "back to OTHER 0");
	CHECK_EQ(pthread_setschedprio(pthread_self(), 1), EINVAL,
		 "setschedprio 1 under OTHER: EINVAL");

	/* another thread's, maybe on another node */
	pthread_barrier_t b;
	pthread_barrier_init(&b, NULL, 2);
	pthread_t t;
	pthread_create(&t, NULL, idle_until, &b);
	pthread_barrier_wait(&b);
	sp.sched_priority = 30;
	CHECK_EQ(pthread_setschedparam(t, SCHED_FIFO, &sp), 0,
		 "set another thread FIFO 30");
	CHECK(pthread_getschedparam(t, &pol, &sp) == 0 && pol == SCHED_FIFO &&
		  sp.sched_priority == 30,
	      "read it back");
	pthread_barrier_wait(&b);
	pthread_join(t, NULL);
	pthread_barrier_destroy(&b);
	CHECK_EQ(pthread_getschedparam(t, &pol, &sp), ESRCH,
		 "getschedparam joined thread: ESRCH");
	CHECK_EQ(pthread_setschedparam(t, SCHED_FIFO, &sp), ESRCH,
		 "setschedparam joined thread: ESRCH");
	CHECK_EQ(pthread_setschedprio(t, 1), ESRCH,
		 "setschedprio joined thread: ESRCH");
}

/* ---- getattr_np, guard size ------------------------------------------------ */

struct getattr_out {
	int rc, detach, done;
	void *addr;
	size_t size, guard;
	uintptr_t local; /* an address on its stack */
};

static void *report_attr(void *arg)
{
	struct getattr_out *o = arg;
	pthread_attr_t a;
	int x = 0;
	o->local = (uintptr_t)&x;
	o->rc = pthread_getattr_np(pthread_self(), &a);
	pthread_attr_getstack(&a, &o->addr, &o->size);
	pthread_attr_getguardsize(&a, &o->guard);
	pthread_attr_getdetachstate(&a, &o->detach);
	pthread_attr_destroy(&a);
	__atomic_store_n(&o->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

static void test_getattr(void)
{
	pthread_attr_t a;
	void *addr;
	size_t size, guard;
	int d, x = 0;
	CHECK_EQ(pthread_getattr_np(pthread_self(), &a), 0,
		 "getattr_np of main");
	pthread_attr_getstack(&a, &addr, &size);
	CHECK((uintptr_t)&x > (uintptr_t)addr &&
		  (uintptr_t)&x < (uintptr_t)addr + size,
	      "main's stack holds its locals");
	CHECK(size >= 64 * 1024 && size % 4096 == 0, "main's stack size");
	CHECK(pthread_attr_getguardsize(&a, &guard) == 0 && guard > 0,
	      "main has a guard");
	CHECK(pthread_attr_getdetachstate(&a, &d) == 0 &&
		  d == PTHREAD_CREATE_JOINABLE,
	      "main joinable");
	pthread_attr_destroy(&a);

	CHECK(pthread_attr_init(&a) == 0 &&
		  pthread_attr_getguardsize(&a, &guard) == 0 && guard > 0,
	      "default guard size");
	CHECK_EQ(pthread_attr_setguardsize(&a, 12345), 0, "setguardsize 12345");
	CHECK(pthread_attr_getguardsize(&a, &guard) == 0 && guard == 12345,
	      "getguardsize returns 12345");
	CHECK_EQ(pthread_attr_setstacksize(&a, (size_t)1 << 32), EINVAL,
		 "setstacksize 4 GiB: EINVAL (over the limit)");
	CHECK_EQ(pthread_attr_setguardsize(&a, (size_t)1 << 32), EINVAL,
		 "setguardsize 4 GiB: EINVAL");
	CHECK_EQ(pthread_attr_setstacksize(&a, 256 * 1024), 0,
		 "setstacksize 256 KiB");
	struct getattr_out o;
	memset(&o, 0, sizeof(o));
	pthread_t t;
	CHECK(pthread_create(&t, &a, report_attr, &o) == 0 &&
		  pthread_join(t, NULL) == 0,
	      "thread with guard 12345");
	CHECK_EQ(o.rc, 0, "getattr_np of a created thread");
	CHECK_EQ(o.size, 256 * 1024, "its stack size");
	CHECK_EQ(o.guard, 16384, "its guard: 12345 rounded to pages");
	CHECK(o.local > (uintptr_t)o.addr &&
		  o.local < (uintptr_t)o.addr + o.size,
	      "its stack holds its locals");
	CHECK_EQ(o.detach, PTHREAD_CREATE_JOINABLE, "it is joinable");

	/* a detached one; a stack of our own (no guard) */
	static char stack[128 * 1024] __attribute__((aligned(16)));
	pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstack(&a, stack, sizeof(stack));
	memset(&o, 0, sizeof(o));
	o.rc = -1;
	CHECK_EQ(pthread_create(&t, &a, report_attr, &o), 0,
		 "detached thread on our stack");
	for (int i = 0; i < 5000 && !__atomic_load_n(&o.done, __ATOMIC_ACQUIRE);
	     i++)
		usleep(1000);
	CHECK_EQ(o.rc, 0, "getattr_np of a detached thread");
	CHECK_EQ(o.detach, PTHREAD_CREATE_DETACHED, "it is detached");
	CHECK((char *)o.addr == stack && o.size == sizeof(stack),
	      "its stack is ours");
	CHECK_EQ(o.guard, 0, "no guard on our stack");
	pthread_attr_destroy(&a);
	CHECK_EQ(pthread_getattr_np(0, &a), ESRCH, "getattr_np(0): ESRCH");
}

/* ---- process-shared ------------------------------------------------------ */

static void test_pshared(void)
{
	pthread_mutexattr_t ma;
	pthread_condattr_t ca;
	pthread_rwlockattr_t ra;
	pthread_barrierattr_t ba;
	int v;
	pthread_mutexattr_init(&ma);
	pthread_condattr_init(&ca);
	pthread_rwlockattr_init(&ra);
	pthread_barrierattr_init(&ba);
	CHECK(pthread_mutexattr_getpshared(&ma, &v) == 0 &&
		  v == PTHREAD_PROCESS_PRIVATE &&
		  pthread_condattr_getpshared(&ca, &v) == 0 &&
		  v == PTHREAD_PROCESS_PRIVATE &&
		  pthread_rwlockattr_getpshared(&ra, &v) == 0 &&
		  v == PTHREAD_PROCESS_PRIVATE &&
		  pthread_barrierattr_getpshared(&ba, &v) == 0 &&
		  v == PTHREAD_PROCESS_PRIVATE,
	      "default PRIVATE for all four");
	CHECK(pthread_mutexattr_setpshared(&ma, PTHREAD_PROCESS_SHARED) == 0 &&
		  pthread_condattr_setpshared(&ca, PTHREAD_PROCESS_SHARED) ==
		      0 &&
		  pthread_rwlockattr_setpshared(&ra, PTHREAD_PROCESS_SHARED) ==
		      0 &&
		  pthread_barrierattr_setpshared(&ba, PTHREAD_PROCESS_SHARED) ==
		      0,
	      "set SHARED for all four");
	CHECK(pthread_mutexattr_getpshared(&ma, &v) == 0 &&
		  v == PTHREAD_PROCESS_SHARED &&
		  pthread_condattr_getpshared(&ca, &v) == 0 &&
		  v == PTHREAD_PROCESS_SHARED &&
		  pthread_rwlockattr_getpshared(&ra, &v) == 0 &&
		  v == PTHREAD_PROCESS_SHARED &&
		  pthread_barrierattr_getpshared(&ba, &v) == 0 &&
		  v == PTHREAD_PROCESS_SHARED,
	      "read back SHARED");
	CHECK_EQ(pthread_mutexattr_setpshared(&ma, 2), EINVAL,
		 "mutexattr pshared 2: EINVAL");
	CHECK_EQ(pthread_condattr_setpshared(&ca, -1), EINVAL,
		 "condattr pshared -1: EINVAL");
	CHECK_EQ(pthread_rwlockattr_setpshared(&ra, 2), EINVAL,
		 "rwlockattr pshared 2: EINVAL");
	CHECK_EQ(pthread_barrierattr_setpshared(&ba, 2), EINVAL,
		 "barrierattr pshared 2: EINVAL");
	/* the objects work */
	pthread_mutex_t m;
	pthread_cond_t c;
	pthread_rwlock_t r;
	pthread_barrier_t b;
	CHECK(pthread_mutex_init(&m, &ma) == 0 && pthread_mutex_lock(&m) == 0 &&
		  pthread_mutex_unlock(&m) == 0 &&
		  pthread_mutex_destroy(&m) == 0,
	      "shared mutex works");
	CHECK(pthread_cond_init(&c, &ca) == 0 && pthread_cond_signal(&c) == 0 &&
		  pthread_cond_destroy(&c) == 0,
	      "shared cond works");
	CHECK(pthread_rwlock_init(&r, &ra) == 0 &&
		  pthread_rwlock_rdlock(&r) == 0 &&
		  pthread_rwlock_unlock(&r) == 0 &&
		  pthread_rwlock_destroy(&r) == 0,
	      "shared rwlock works");
	CHECK(pthread_barrier_init(&b, &ba, 1) == 0 &&
		  pthread_barrier_wait(&b) == PTHREAD_BARRIER_SERIAL_THREAD &&
		  pthread_barrier_destroy(&b) == 0,
	      "shared barrier works");
	pthread_mutexattr_destroy(&ma);
	pthread_condattr_destroy(&ca);
	pthread_rwlockattr_destroy(&ra);
	pthread_barrierattr_destroy(&ba);
	CHECK_EQ(pthread_mutexattr_getpshared(&ma, &v), EINVAL,
		 "getpshared after destroy: EINVAL");
}

/* ---- protocols and ceilings ------------------------------------------------ */

static void test_protocol(void)
{
	pthread_mutexattr_t ma;
	int v;
	pthread_mutexattr_init(&ma);
	CHECK(pthread_mutexattr_getprotocol(&ma, &v) == 0 &&
		  v == PTHREAD_PRIO_NONE,
	      "default protocol NONE");
	CHECK(pthread_mutexattr_getprioceiling(&ma, &v) == 0 && v == 1,
	      "default ceiling 1 (SCHED_FIFO's minimum)");
	CHECK_EQ(pthread_mutexattr_setprotocol(&ma, 3), EINVAL,
		 "protocol 3: EINVAL");
	CHECK_EQ(pthread_mutexattr_setprioceiling(&ma, 0), EINVAL,
		 "ceiling 0: EINVAL");
	CHECK_EQ(pthread_mutexattr_setprioceiling(&ma, 100), EINVAL,
		 "ceiling 100: EINVAL");
	CHECK_EQ(pthread_mutexattr_setprotocol(&ma, PTHREAD_PRIO_INHERIT), 0,
		 "protocol INHERIT");
	pthread_mutex_t m;
	CHECK(pthread_mutex_init(&m, &ma) == 0 && pthread_mutex_lock(&m) == 0 &&
		  pthread_mutex_unlock(&m) == 0,
	      "INHERIT mutex locks");
	CHECK_EQ(pthread_mutex_getprioceiling(&m, &v), EINVAL,
		 "getprioceiling of a non-PROTECT mutex: EINVAL");
	pthread_mutex_destroy(&m);

	CHECK(pthread_mutexattr_setprotocol(&ma, PTHREAD_PRIO_PROTECT) == 0 &&
		  pthread_mutexattr_setprioceiling(&ma, 20) == 0,
	      "protocol PROTECT, ceiling 20");
	CHECK(pthread_mutexattr_getprotocol(&ma, &v) == 0 &&
		  v == PTHREAD_PRIO_PROTECT &&
		  pthread_mutexattr_getprioceiling(&ma, &v) == 0 && v == 20,
	      "read back PROTECT 20");
	CHECK_EQ(pthread_mutex_init(&m, &ma), 0, "PROTECT mutex");
	CHECK(pthread_mutex_getprioceiling(&m, &v) == 0 && v == 20,
	      "mutex ceiling 20");
	int old = 0;
	CHECK(pthread_mutex_setprioceiling(&m, 40, &old) == 0 && old == 20,
	      "setprioceiling 40, old 20");
	CHECK(pthread_mutex_getprioceiling(&m, &v) == 0 && v == 40,
	      "mutex ceiling 40");
	CHECK_EQ(pthread_mutex_setprioceiling(&m, 0, &old), EINVAL,
		 "setprioceiling 0: EINVAL");
	CHECK(pthread_mutex_lock(&m) == 0 &&
		  pthread_mutex_setprioceiling(&m, 30, &old) == 0 &&
		  old == 40 && pthread_mutex_unlock(&m) == 0,
	      "setprioceiling while holding it");
	/* a thread above the ceiling may not lock it */
	struct sched_param sp = {.sched_priority = 50};
	pthread_setschedparam(pthread_self(), SCHED_FIFO, &sp);
	CHECK_EQ(pthread_mutex_lock(&m), EINVAL,
		 "priority 50 above ceiling 30: EINVAL");
	CHECK_EQ(pthread_mutex_trylock(&m), EINVAL, "trylock too: EINVAL");
	sp.sched_priority = 30;
	pthread_setschedparam(pthread_self(), SCHED_FIFO, &sp);
	CHECK(pthread_mutex_lock(&m) == 0 && pthread_mutex_unlock(&m) == 0,
	      "priority 30 at the ceiling locks");
	sp.sched_priority = 0;
	pthread_setschedparam(pthread_self(), SCHED_OTHER, &sp);
	CHECK_EQ(pthread_mutex_destroy(&m), 0, "destroy PROTECT mutex");
	pthread_mutex_t plain;
	pthread_mutex_init(&plain, NULL);
	CHECK_EQ(pthread_mutex_setprioceiling(&plain, 10, &old), EINVAL,
		 "setprioceiling of a plain mutex: EINVAL");
	pthread_mutex_destroy(&plain);
	pthread_mutexattr_destroy(&ma);
}

/* ---- robust mutexes --------------------------------------------------------- */

static pthread_mutex_t rm, rm2;

static void *die_holding(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&rm);
	pthread_mutex_lock(&rm2);
	return NULL; /* ends holding both */
}

static void *lock_expect(void *arg)
{
	return (void *)(intptr_t)pthread_mutex_lock(arg);
}

static void *exit_holding(void *arg)
{
	pthread_mutex_lock(arg);
	pthread_exit(NULL);
}

static void test_robust(void)
{
	pthread_mutexattr_t ma;
	int v;
	pthread_mutexattr_init(&ma);
	CHECK(pthread_mutexattr_getrobust(&ma, &v) == 0 &&
		  v == PTHREAD_MUTEX_STALLED,
	      "default STALLED");
	CHECK_EQ(pthread_mutexattr_setrobust(&ma, 2), EINVAL,
		 "setrobust 2: EINVAL");
	CHECK(pthread_mutexattr_setrobust(&ma, PTHREAD_MUTEX_ROBUST) == 0 &&
		  pthread_mutexattr_getrobust(&ma, &v) == 0 &&
		  v == PTHREAD_MUTEX_ROBUST,
	      "set ROBUST");
	pthread_mutex_init(&rm, &ma);
	pthread_mutexattr_settype(&ma, PTHREAD_MUTEX_RECURSIVE);
	pthread_mutex_init(&rm2, &ma);

	CHECK_EQ(pthread_mutex_consistent(&rm), EINVAL,
		 "consistent on a consistent mutex: EINVAL");
	CHECK(pthread_mutex_lock(&rm) == 0 && pthread_mutex_unlock(&rm) == 0,
	      "robust mutex locks normally");
	CHECK_EQ(pthread_mutex_unlock(&rm), EPERM,
		 "unlock of an unlocked robust mutex: EPERM");

	pthread_t t;
	pthread_create(&t, NULL, die_holding, NULL);
	pthread_join(t, NULL);
	CHECK_EQ(pthread_mutex_lock(&rm), EOWNERDEAD,
		 "owner ended: EOWNERDEAD");
	CHECK_EQ(pthread_mutex_consistent(&rm), 0, "make it consistent");
	CHECK_EQ(pthread_mutex_consistent(&rm), EINVAL,
		 "consistent again: EINVAL");
	CHECK_EQ(pthread_mutex_unlock(&rm), 0, "unlock");
	CHECK(pthread_mutex_lock(&rm) == 0 && pthread_mutex_unlock(&rm) == 0,
	      "then it locks with 0");

	/* the recursive one: trylock sees the death too; not made consistent,
	 * it becomes unrecoverable */
	CHECK_EQ(pthread_mutex_trylock(&rm2), EOWNERDEAD,
		 "trylock, owner ended: EOWNERDEAD");
	CHECK_EQ(pthread_mutex_lock(&rm2), 0, "recursive relock");
	CHECK(pthread_mutex_unlock(&rm2) == 0 &&
		  pthread_mutex_unlock(&rm2) == 0,
	      "unlock twice without consistent");
	CHECK_EQ(pthread_mutex_lock(&rm2), ENOTRECOVERABLE,
		 "lock: ENOTRECOVERABLE");
	CHECK_EQ(pthread_mutex_trylock(&rm2), ENOTRECOVERABLE,
		 "trylock: ENOTRECOVERABLE");
	CHECK_EQ(pthread_mutex_destroy(&rm2), 0, "destroy it");
	CHECK(pthread_mutex_init(&rm2, &ma) == 0 &&
		  pthread_mutex_lock(&rm2) == 0 &&
		  pthread_mutex_unlock(&rm2) == 0,
	      "initialised again it works");

	/* a waiter blocked while the owner exits (pthread_exit) */
	pthread_mutex_lock(&rm);
	pthread_t w;
	pthread_create(&w, NULL, lock_expect, &rm);
	usleep(50000);
	pthread_mutex_unlock(&rm);
	void *res;
	pthread_join(w, &res);
	CHECK_EQ((intptr_t)res, 0, "waiter gets it with 0 (normal unlock)");
	/* w ended holding it (lock_expect does not unlock) */
	pthread_create(&w, NULL, lock_expect, &rm);
	pthread_join(w, &res);
	CHECK_EQ((intptr_t)res, EOWNERDEAD,
		 "next thread after an owner ended: EOWNERDEAD");
	/* and that one ended holding it, inconsistent: EOWNERDEAD again */
	CHECK_EQ(pthread_mutex_lock(&rm), EOWNERDEAD,
		 "still inconsistent: EOWNERDEAD again");
	pthread_mutex_consistent(&rm);
	pthread_mutex_unlock(&rm);
	pthread_create(&w, NULL, exit_holding, &rm);
	pthread_join(w, NULL);
	CHECK_EQ(pthread_mutex_timedlock(&rm, &(struct timespec){0, 0}),
		 EOWNERDEAD, "pthread_exit holding: timedlock EOWNERDEAD");
	pthread_mutex_consistent(&rm);
	pthread_mutex_unlock(&rm);

	/* a stalled (default) mutex whose owner ended stays locked */
	pthread_mutex_t sm;
	pthread_mutex_init(&sm, NULL);
	pthread_create(&w, NULL, exit_holding, &sm);
	pthread_join(w, NULL);
	CHECK_EQ(pthread_mutex_trylock(&sm), EBUSY,
		 "stalled mutex of an ended owner: EBUSY");
	pthread_mutex_destroy(&rm);
	pthread_mutex_destroy(&rm2);
	pthread_mutexattr_destroy(&ma);
}

/* 1024 robust or protocol mutexes at once (EAGAIN after); their records
 * made and dropped again and again at many addresses */
static pthread_mutex_t many[1025];

static void test_robust_table(void)
{
	pthread_mutexattr_t ma;
	pthread_mutexattr_init(&ma);
	pthread_mutexattr_setrobust(&ma, PTHREAD_MUTEX_ROBUST);
	int made = 0, rc = 0;
	for (int i = 0; i < 1025 && !rc; i++) {
		rc = pthread_mutex_init(&many[i], &ma);
		made += !rc;
	}
	CHECK_EQ(made, 1024, "1024 robust mutexes at once");
	CHECK_EQ(rc, EAGAIN, "the 1025th: EAGAIN");
	int bad = 0;
	for (int i = 0; i < 1024; i++)
		bad += pthread_mutex_lock(&many[i]) != 0 ||
		       pthread_mutex_unlock(&many[i]) != 0 ||
		       pthread_mutex_destroy(&many[i]) != 0;
	CHECK_EQ(bad, 0, "each locks, unlocks, is destroyed");
	for (int round = 0; round < 3; round++)
		for (int i = 0; i < 1025; i++) {
			bad += pthread_mutex_init(&many[i], &ma) != 0;
			bad += pthread_mutex_destroy(&many[i]) != 0;
		}
	CHECK_EQ(bad, 0, "3075 more made and destroyed one at a time");
	pthread_mutex_t plain = PTHREAD_MUTEX_INITIALIZER;
	CHECK(pthread_mutex_lock(&plain) == 0 &&
		  pthread_mutex_unlock(&plain) == 0 &&
		  pthread_mutex_consistent(&plain) == EINVAL,
	      "a static plain mutex beside them; consistent: EINVAL");
	pthread_mutexattr_destroy(&ma);
}

/* a condition wait on a robust mutex whose other user ends holding it */
static pthread_mutex_t cm;
static pthread_cond_t cv;
static int cv_go;

static void *signal_and_die(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&cm);
	cv_go = 1;
	pthread_cond_signal(&cv);
	return NULL; /* ends holding cm */
}

static void test_robust_cond(void)
{
	pthread_mutexattr_t ma;
	pthread_mutexattr_init(&ma);
	pthread_mutexattr_setrobust(&ma, PTHREAD_MUTEX_ROBUST);
	pthread_mutex_init(&cm, &ma);
	pthread_cond_init(&cv, NULL);
	pthread_mutex_lock(&cm);
	pthread_t t;
	pthread_create(&t, NULL, signal_and_die, NULL);
	int rc = 0;
	while (!cv_go && rc == 0)
		rc = pthread_cond_wait(&cv, &cm);
	CHECK_EQ(rc, EOWNERDEAD, "cond_wait wakes with EOWNERDEAD");
	CHECK_EQ(pthread_mutex_consistent(&cm), 0, "consistent after it");
	CHECK_EQ(pthread_mutex_unlock(&cm), 0, "and unlock");
	pthread_join(t, NULL);
	CHECK_EQ(pthread_cond_wait(&cv, &cm), EPERM,
		 "cond_wait without holding a robust mutex: EPERM");
	pthread_cond_destroy(&cv);
	pthread_mutex_destroy(&cm);
	pthread_mutexattr_destroy(&ma);
}

/* ---- atfork, CPU clocks, clock_nanosleep ------------------------------------ */

static void nothing(void) {}

static uint64_t ts_ns(const struct timespec *ts)
{
	return (uint64_t)ts->tv_sec * 1000000000ull + (uint64_t)ts->tv_nsec;
}

static void *cpu_clock_of_self(void *arg)
{
	clockid_t *c = arg;
	pthread_getcpuclockid(pthread_self(), c);
	return NULL;
}

static void test_clocks(void)
{
	CHECK_EQ(pthread_atfork(nothing, nothing, nothing), 0,
		 "pthread_atfork registers");
	CHECK_EQ(pthread_atfork(NULL, NULL, NULL), 0,
		 "pthread_atfork with no handlers");
	CHECK_ERRNO(fork(), ENOSYS, "fork stays ENOSYS");

	clockid_t c;
	struct timespec ts;
	CHECK(clock_getcpuclockid(0, &c) == 0 && c == CLOCK_PROCESS_CPUTIME_ID,
	      "clock_getcpuclockid(0)");
	CHECK(clock_getcpuclockid(getpid(), &c) == 0 &&
		  c == CLOCK_PROCESS_CPUTIME_ID,
	      "clock_getcpuclockid(getpid())");
	CHECK_EQ(clock_getcpuclockid(getpid() + 1, &c), ESRCH,
		 "clock_getcpuclockid(other pid): ESRCH");
	CHECK_EQ(clock_gettime(c, &ts), 0, "process CPU clock reads");

	CHECK_EQ(pthread_getcpuclockid(pthread_self(), &c), 0,
		 "pthread_getcpuclockid(self)");
	struct timespec t0, t1;
	CHECK_EQ(clock_gettime(c, &t0), 0, "own thread CPU clock reads");
	volatile uint64_t x = 0;
	for (int i = 0; i < 2000000; i++)
		x += (uint64_t)i;
	clock_gettime(c, &t1);
	CHECK(ts_ns(&t1) > ts_ns(&t0), "own thread CPU clock advances");
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	CHECK(ts_ns(&ts) >= ts_ns(&t1), "and agrees with THREAD_CPUTIME");
	CHECK_EQ(clock_getres(c, &ts), 0, "clock_getres of it");

	clockid_t other;
	pthread_t t;
	pthread_create(&t, NULL, cpu_clock_of_self, &other);
	pthread_join(t, NULL);
	CHECK(other != c, "another thread's CPU clock is another id");
	CHECK_EQ(pthread_getcpuclockid(t, &c), ESRCH,
		 "pthread_getcpuclockid(joined thread): ESRCH");

	struct timespec req = {0, 1000};
	CHECK_EQ(clock_nanosleep(CLOCK_THREAD_CPUTIME_ID, 0, &req, NULL),
		 EINVAL, "clock_nanosleep THREAD_CPUTIME: EINVAL");
	CHECK_EQ(clock_nanosleep((clockid_t)12345, 0, &req, NULL), EINVAL,
		 "clock_nanosleep bad clock: EINVAL");
	CHECK_EQ(clock_nanosleep(CLOCK_PROCESS_CPUTIME_ID, 0, &req, NULL),
		 ENOTSUP, "clock_nanosleep PROCESS_CPUTIME: ENOTSUP");
	req.tv_nsec = 1000000000L;
	CHECK_EQ(clock_nanosleep(CLOCK_MONOTONIC, 0, &req, NULL), EINVAL,
		 "clock_nanosleep tv_nsec 1e9: EINVAL");
	req.tv_nsec = -1;
	CHECK_EQ(clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME, &req, NULL),
		 EINVAL, "clock_nanosleep tv_nsec -1 absolute: EINVAL");
	req.tv_sec = -1;
	req.tv_nsec = 0;
	CHECK_EQ(clock_nanosleep(CLOCK_MONOTONIC, 0, &req, NULL), EINVAL,
		 "clock_nanosleep tv_sec -1: EINVAL");
	req.tv_sec = 0;
	req.tv_nsec = 1000;
	CHECK_EQ(clock_nanosleep(CLOCK_MONOTONIC, 0x100, &req, NULL), 0,
		 "clock_nanosleep unknown flag ignored (Linux)");
	CHECK_ERRNO(nanosleep(&(struct timespec){0, -5}, NULL), EINVAL,
		    "nanosleep tv_nsec -5: EINVAL");
}

/* ---- attribute objects destroyed the ways glibc tolerates ------------------ */

static void test_destroy(void)
{
	pthread_attr_t a;
	pthread_mutexattr_t ma;
	pthread_condattr_t ca;
	pthread_rwlockattr_t ra;
	pthread_barrierattr_t ba;
	CHECK_EQ(pthread_mutexattr_destroy(NULL), EINVAL,
		 "mutexattr_destroy(NULL): EINVAL");
	CHECK_EQ(pthread_condattr_destroy(NULL), EINVAL,
		 "condattr_destroy(NULL): EINVAL");
	CHECK_EQ(pthread_rwlockattr_destroy(NULL), EINVAL,
		 "rwlockattr_destroy(NULL): EINVAL");
	CHECK_EQ(pthread_barrierattr_destroy(NULL), EINVAL,
		 "barrierattr_destroy(NULL): EINVAL");
	CHECK_EQ(pthread_attr_destroy(NULL), EINVAL,
		 "attr_destroy(NULL): EINVAL");
	CHECK_EQ(pthread_attr_init(NULL), EINVAL, "attr_init(NULL): EINVAL");
	CHECK_EQ(pthread_mutexattr_init(NULL), EINVAL,
		 "mutexattr_init(NULL): EINVAL");
	memset(&a, 0, sizeof(a));
	memset(&ma, 0, sizeof(ma));
	memset(&ca, 0, sizeof(ca));
	memset(&ra, 0, sizeof(ra));
	memset(&ba, 0, sizeof(ba));
	CHECK(pthread_attr_destroy(&a) == EINVAL &&
		  pthread_mutexattr_destroy(&ma) == EINVAL &&
		  pthread_condattr_destroy(&ca) == EINVAL &&
		  pthread_rwlockattr_destroy(&ra) == EINVAL &&
		  pthread_barrierattr_destroy(&ba) == EINVAL,
	      "destroy of zeroed attributes: EINVAL");
	pthread_attr_init(&a);
	pthread_mutexattr_init(&ma);
	pthread_condattr_init(&ca);
	CHECK(pthread_attr_destroy(&a) == 0 &&
		  pthread_attr_destroy(&a) == EINVAL,
	      "attr destroyed twice: 0, EINVAL");
	CHECK(pthread_mutexattr_destroy(&ma) == 0 &&
		  pthread_mutexattr_destroy(&ma) == EINVAL,
	      "mutexattr destroyed twice: 0, EINVAL");
	CHECK(pthread_condattr_destroy(&ca) == 0 &&
		  pthread_condattr_destroy(&ca) == EINVAL,
	      "condattr destroyed twice: 0, EINVAL");
	int v;
	struct sched_param sp = {0};
	CHECK(pthread_attr_setschedpolicy(&a, SCHED_FIFO) == EINVAL &&
		  pthread_attr_getscope(&a, &v) == EINVAL &&
		  pthread_attr_setschedparam(&a, &sp) == EINVAL &&
		  pthread_attr_setguardsize(&a, 4096) == EINVAL,
	      "destroyed attr refused: EINVAL");
	pthread_t t;
	CHECK_EQ(pthread_create(&t, &a, report_sched, NULL), EINVAL,
		 "create with a destroyed attr: EINVAL");
	pthread_mutex_t m;
	CHECK_EQ(pthread_mutex_init(&m, &ma), EINVAL,
		 "mutex_init with a destroyed attr: EINVAL");
	CHECK(pthread_attr_init(&a) == 0 && pthread_attr_destroy(&a) == 0,
	      "a destroyed attr initialised again");
}

int main(void)
{
	test_options();
	test_sched_attr();
	test_sched_thread();
	test_getattr();
	test_pshared();
	test_protocol();
	test_robust();
	test_robust_table();
	test_robust_cond();
	test_clocks();
	test_destroy();
	return pt_done();
}
