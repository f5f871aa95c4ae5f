/*
 * tests/ktest/kb_smp.c — SMP benchmarks (boot key bench=): IPI round trip,
 * TLB shootdown, and the speedup of a CPU-bound parallel loop from 1 CPU to
 * all of them.
 */
#include "kernel/kstring.h"
#include "kernel/ktest.h"
#include "kernel/smp.h"
#include "kernel/thread.h"
#include "mm/frame.h"
#include "mm/vm.h"

static void nothing(void *arg)
{
	(void)arg;
}

BENCH(ipi_round_trip)
{
	if (nr_cpus < 2)
		return;
	const int n = 2000;
	int other = this_cpu()->id == 0 ? 1 : 0;
	uint64_t t0 = arch_rdtsc();
	for (int i = 0; i < n; i++)
		smp_call(other, nothing, NULL);
	bench_report("ipi_round_trip", (arch_rdtsc() - t0) / n, "cycles");
}

BENCH(tlb_shootdown)
{
	const int n = 1000;
	const uintptr_t va = 0x0000004000800000ul;
	uint64_t pa = frame_alloc(0);
	if (!pa)
		return;
	uint64_t total = 0;
	for (int i = 0; i < n; i++) {
		vm_map_page(va, pa, VM_READ);
		uint64_t t0 = arch_rdtsc();
		vm_unmap_page(va, NULL);
		total += arch_rdtsc() - t0;
	}
	frame_free(pa, 0);
	char name[48];
	ksnprintf(name, sizeof(name), "tlb_shootdown_%dcpu", nr_cpus);
	bench_report(name, total / n, "cycles");
}

/* A fixed amount of integer work split over `workers` threads. */
static void *crunch(void *arg)
{
	uint64_t x = (uintptr_t)arg | 1, n = 40000000 / 8;
	for (uint64_t i = 0; i < n; i++)
		x = x * 6364136223846793005ull + 1442695040888963407ull;
	return (void *)x;
}

static uint64_t run_parallel(int workers, uint64_t mask)
{
	struct thread *t[8];
	uint64_t t0 = clock_ns();
	for (int i = 0; i < 8; i++) /* 8 equal chunks over the CPUs in mask */
		t[i] = thread_create_on("crunch", crunch, (void *)(uintptr_t)i,
					PRIO_DEFAULT, mask);
	for (int i = 0; i < 8; i++)
		thread_join(t[i], NULL);
	(void)workers;
	return clock_ns() - t0;
}

BENCH(parallel_speedup)
{
	uint64_t one = run_parallel(1, 1);
	uint64_t all = run_parallel(nr_cpus, CPUMASK_ALL);
	bench_report("parallel_1cpu", one / 1000, "us");
	char name[48];
	ksnprintf(name, sizeof(name), "parallel_%dcpu", nr_cpus);
	bench_report(name, all / 1000, "us");
	ksnprintf(name, sizeof(name), "parallel_speedup_x100_%dcpu", nr_cpus);
	bench_report(name, all ? one * 100 / all : 0, "ratio_x100");
}
