/*
 * tests/ktest/kb_sched.c — scheduler benchmarks (boot key bench=): thread
 * create+join and context switch, in TSC cycles.
 */
#include "kernel/ktest.h"
#include "kernel/sync.h"
#include "kernel/thread.h"

static void *nop(void *arg)
{
	return arg;
}

BENCH(thread_create_join)
{
	const int n = 2000;
	uint64_t t0 = arch_rdtsc();
	for (int i = 0; i < n; i++)
		thread_join(thread_create("b", nop, NULL, PRIO_DEFAULT), NULL);
	bench_report("thread_create_join", (arch_rdtsc() - t0) / n, "cycles");
}

static volatile int stop_yield;
static void *yielder(void *arg)
{
	(void)arg;
	while (!stop_yield)
		thread_yield();
	return NULL;
}

/* Two threads on one CPU yielding to each other: one yield = one switch. */
BENCH(context_switch)
{
	const uint64_t n = 20000;
	stop_yield = 0;
	uint64_t sw0 = cpus[0]->nr_switches;
	struct thread *t = thread_create_on("y", yielder, NULL, 1, 1);
	struct thread *self = thread_current();
	int old = self->prio;
	self->prio = 1; /* same priority as the yielder, on CPU 0 */
	thread_set_affinity(self, 1);
	uint64_t t0 = arch_rdtsc();
	for (uint64_t i = 0; i < n; i++)
		thread_yield();
	uint64_t dt = arch_rdtsc() - t0;
	uint64_t sw = cpus[0]->nr_switches - sw0;
	stop_yield = 1;
	thread_join(t, NULL);
	self->prio = old;
	thread_set_affinity(self, CPUMASK_ALL);
	bench_report("context_switch", sw ? dt / sw : 0, "cycles");
}

BENCH(mutex_uncontended)
{
	struct mutex m;
	const int n = 100000;
	mutex_init(&m);
	uint64_t t0 = arch_rdtsc();
	for (int i = 0; i < n; i++) {
		mutex_lock(&m);
		mutex_unlock(&m);
	}
	bench_report("mutex_lock_unlock", (arch_rdtsc() - t0) / n, "cycles");
}
