/*
 * tests/ktest/kt_thread.c — threads and the scheduler: create/join/detach,
 * errors, round-robin, preemption, priorities, FPU state across switches,
 * sleep.
 */
#include "kernel/errno.h"
#include "kernel/ktest.h"
#include "kernel/sync.h"
#include "kernel/thread.h"

static void *twice(void *arg)
{
	return (void *)((uintptr_t)arg * 2);
}

KTEST(thread, create_join)
{
	struct thread *t[100];
	for (uintptr_t i = 0; i < 100; i++) {
		t[i] = thread_create("kt", twice, (void *)i, PRIO_DEFAULT);
		KT_ASSERT(t[i]);
	}
	for (uintptr_t i = 0; i < 100; i++) {
		void *rv;
		KT_EQ(thread_join(t[i], &rv), 0);
		KT_EQ((uintptr_t)rv, i * 2);
	}
}

KTEST(thread, storm)
{
	uint64_t base = thread_count();
	struct thread *t[50];
	for (int round = 0; round < 60; round++) { /* 3000 threads */
		for (uintptr_t i = 0; i < 50; i++) {
			t[i] = thread_create("storm", twice, (void *)i,
					     PRIO_DEFAULT);
			KT_ASSERT(t[i]);
		}
		for (int i = 0; i < 50; i++)
			KT_EQ(thread_join(t[i], NULL), 0);
	}
	KT_EQ(thread_count(), base);
}

static void *sleepy(void *arg)
{
	thread_sleep_ns((uintptr_t)arg);
	return NULL;
}

KTEST(thread, detach_reaps)
{
	uint64_t base = thread_count();
	for (int i = 0; i < 20; i++) {
		struct thread *t = thread_create(
		    "det", sleepy, (void *)(uintptr_t)(i % 2 ? 0 : 2000000),
		    PRIO_DEFAULT);
		KT_ASSERT(t);
		KT_EQ(thread_detach(t), 0);
		KT_EQ(thread_detach(t), -EINVAL);
	}
	for (int i = 0; i < 200 && thread_count() != base; i++)
		thread_sleep_ns(1000000);
	KT_EQ(thread_count(), base);
}

KTEST(thread, join_errors)
{
	KT_EQ(thread_join(thread_current(), NULL), -EDEADLK);
	struct thread *t =
	    thread_create("je", sleepy, (void *)5000000, PRIO_DEFAULT);
	KT_ASSERT(t);
	KT_EQ(thread_detach(t), 0);
	KT_EQ(thread_join(t, NULL), -EINVAL);
	KT_ASSERT(thread_create("bad", twice, NULL, NR_PRIO) == NULL);
	KT_ASSERT(thread_create("bad", twice, NULL, -1) == NULL);
	thread_sleep_ns(10000000);
}

/* Two equal-priority threads that yield take strict turns. */
struct rr {
	volatile int turn_log[200];
	volatile int n;
};
static void *rr_worker(void *arg)
{
	struct rr *r = arg;
	for (int i = 0; i < 50; i++) {
		int idx = __atomic_fetch_add(&r->n, 1, __ATOMIC_RELAXED);
		r->turn_log[idx] = (int)(uintptr_t)thread_current()->tid;
		thread_yield();
	}
	return NULL;
}

KTEST(sched, yield_round_robin)
{
	static struct rr r;
	r.n = 0;
	/* pinned to one CPU so the turns are strict at any CPU count, and
	 * both queued (interrupts off) before either runs: they outrank us */
	KT_EQ(thread_set_affinity(thread_current(), 1), 0);
	unsigned long f = arch_irq_save();
	struct thread *a = thread_create_on("rrA", rr_worker, &r, 4, 1);
	struct thread *b = thread_create_on("rrB", rr_worker, &r, 4, 1);
	arch_irq_restore(f);
	KT_EQ(thread_set_affinity(thread_current(), CPUMASK_ALL), 0);
	KT_ASSERT(a && b);
	KT_EQ(thread_join(a, NULL), 0);
	KT_EQ(thread_join(b, NULL), 0);
	KT_EQ(r.n, 100);
	for (int i = 2; i < 100; i++)
		KT_EQ(r.turn_log[i], r.turn_log[i - 2]);
	KT_ASSERT(r.turn_log[0] != r.turn_log[1]);
}

/* A thread that never yields is preempted at the end of its slice. */
static volatile int spin_flag;
static void *spinner(void *arg)
{
	(void)arg;
	uint64_t end = clock_ns() + 2000000000ull;
	while (!spin_flag && clock_ns() < end)
		;
	return (void *)(uintptr_t)spin_flag;
}
static void *setter(void *arg)
{
	(void)arg;
	spin_flag = 1;
	return NULL;
}

KTEST(sched, preemption)
{
	spin_flag = 0;
	/* both queued on CPU 0 before either runs (they outrank us) */
	KT_EQ(thread_set_affinity(thread_current(), 1), 0);
	unsigned long f = arch_irq_save();
	struct thread *a = thread_create_on("spin", spinner, NULL, 5, 1);
	struct thread *b = thread_create_on("set", setter, NULL, 5, 1);
	arch_irq_restore(f);
	KT_EQ(thread_set_affinity(thread_current(), CPUMASK_ALL), 0);
	KT_ASSERT(a && b);
	void *rv;
	KT_EQ(thread_join(a, &rv), 0);
	KT_EQ(thread_join(b, NULL), 0);
	KT_EQ((uintptr_t)rv, 1); /* the setter ran while the spinner spun */
}

/* A higher-priority thread that wakes runs before lower ones continue. */
static volatile int prio_log[3], prio_n;
static void *prio_worker(void *arg)
{
	prio_log[__atomic_fetch_add(&prio_n, 1, __ATOMIC_RELAXED)] =
	    (int)(uintptr_t)arg;
	return NULL;
}

KTEST(sched, priority_order)
{
	prio_n = 0;
	/* on CPU 0 with interrupts off, so none runs before all are queued */
	struct thread *t[3];
	KT_EQ(thread_set_affinity(thread_current(), 1), 0);
	unsigned long f = arch_irq_save();
	t[0] = thread_create_on("p20", prio_worker, (void *)20, 20, 1);
	t[1] = thread_create_on("p2", prio_worker, (void *)2, 2, 1);
	t[2] = thread_create_on("p10", prio_worker, (void *)10, 10, 1);
	arch_irq_restore(f);
	KT_EQ(thread_set_affinity(thread_current(), CPUMASK_ALL), 0);
	for (int i = 0; i < 3; i++)
		KT_EQ(thread_join(t[i], NULL), 0);
	KT_EQ(prio_log[0], 2);
	KT_EQ(prio_log[1], 10);
	KT_EQ(prio_log[2], 20);
}

/* Vector registers survive switches and preemption (FXSAVE per thread). */
static void *fpu_worker(void *arg)
{
	uint64_t pat = (uintptr_t)arg, out[2];
	__asm__ volatile("movq %0, %%xmm5; movq %0, %%xmm15"
			 :
			 : "r"(pat)
			 : "xmm5", "xmm15");
	for (int i = 0; i < 200; i++) {
		thread_yield();
		__asm__ volatile("movq %%xmm5, %0; movq %%xmm15, %1"
				 : "=r"(out[0]), "=r"(out[1]));
		if (out[0] != pat || out[1] != pat)
			return (void *)1;
	}
	return NULL;
}

KTEST(sched, fpu_state_preserved)
{
	struct thread *t[4];
	for (uintptr_t i = 0; i < 4; i++)
		t[i] = thread_create_on(
		    "fpu", fpu_worker,
		    (void *)(0x1111111111111111ull * (i + 1)), PRIO_DEFAULT, 1);
	for (int i = 0; i < 4; i++) {
		void *rv;
		KT_ASSERT(t[i]);
		KT_EQ(thread_join(t[i], &rv), 0);
		KT_EQ((uintptr_t)rv, 0);
	}
}

KTEST(sched, sleep_at_least)
{
	uint64_t t0 = clock_ns();
	thread_sleep_ns(20000000);
	uint64_t dt = clock_ns() - t0;
	KT_ASSERT(dt >= 20000000);
}
