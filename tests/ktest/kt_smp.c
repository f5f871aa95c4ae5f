/*
 * tests/ktest/kt_smp.c — several CPUs: every CPU runs threads, affinity is
 * honoured, cross-CPU calls reach each CPU, spinlocks and mutexes stay
 * exact under real contention, TLB shootdown makes an unmapped page fault
 * on every CPU at once.
 */
#include "arch/x86_64/trap.h"
#include "kernel/errno.h"
#include "kernel/ktest.h"
#include "kernel/kstring.h"
#include "kernel/smp.h"
#include "kernel/sync.h"
#include "kernel/thread.h"
#include "mm/frame.h"
#include "mm/vm.h"

static uint64_t online_mask(void)
{
	return smp_online_mask();
}

/* Busy threads, one more than CPUs: each CPU ends up running at least one. */
static volatile uint64_t seen_cpus;
static void *busy_record(void *arg)
{
	uint64_t end = clock_ns() + (uintptr_t)arg;
	while (clock_ns() < end)
		__atomic_fetch_or(&seen_cpus, 1ull << this_cpu()->id,
				  __ATOMIC_RELAXED);
	return NULL;
}

KTEST_EX(smp, every_cpu_runs_threads, 2)
{
	struct thread *t[MAX_CPUS + 1];
	int n = nr_cpus + 1;
	seen_cpus = 0;
	for (int i = 0; i < n; i++)
		KT_ASSERT(t[i] =
			      thread_create("busy", busy_record,
					    (void *)200000000ul, PRIO_DEFAULT));
	for (int i = 0; i < n; i++)
		KT_EQ(thread_join(t[i], NULL), 0);
	KT_EQ(seen_cpus, online_mask());
}

static void *where_am_i(void *arg)
{
	uint64_t bad = 0;
	int want = (int)(uintptr_t)arg;
	for (int i = 0; i < 200; i++) {
		if (this_cpu()->id != want)
			bad++;
		if (i % 10 == 0)
			thread_yield();
		else
			thread_sleep_ns(100000);
	}
	return (void *)bad;
}

KTEST(smp, affinity_honoured)
{
	struct thread *t[MAX_CPUS];
	for (int i = 0; i < nr_cpus; i++)
		KT_ASSERT(t[i] = thread_create_on("pin", where_am_i,
						  (void *)(uintptr_t)i,
						  PRIO_DEFAULT, 1ull << i));
	for (int i = 0; i < nr_cpus; i++) {
		void *bad;
		KT_EQ(thread_join(t[i], &bad), 0);
		KT_EQ((uintptr_t)bad, 0);
	}
	/* moving the current thread by changing its own mask */
	int target = nr_cpus - 1;
	KT_EQ(thread_set_affinity(thread_current(), 1ull << target), 0);
	KT_EQ(this_cpu()->id, target);
	KT_EQ(thread_set_affinity(thread_current(), 0), -EINVAL);
	KT_EQ(thread_set_affinity(thread_current(), CPUMASK_ALL), 0);
}

static volatile uint64_t call_hits;
static void record_call(void *arg)
{
	(void)arg;
	__atomic_fetch_or(&call_hits, 1ull << this_cpu()->id, __ATOMIC_RELAXED);
}

KTEST(smp, call_reaches_each_cpu)
{
	call_hits = 0;
	smp_call_mask(online_mask(), record_call, NULL);
	KT_EQ(call_hits, online_mask());
	for (int i = 0; i < nr_cpus; i++) {
		call_hits = 0;
		KT_EQ(smp_call(i, record_call, NULL), 0);
		KT_EQ(call_hits, 1ull << i);
	}
	KT_EQ(smp_call(MAX_CPUS, record_call, NULL), -EINVAL);
}

/* A ticket spinlock and a plain counter: every increment is kept. */
static struct spinlock ctr_lock = SPINLOCK_INIT;
static volatile uint64_t spin_counter;
static void *spin_worker(void *arg)
{
	for (int i = 0; i < 20000; i++) {
		unsigned long f = spin_lock_irqsave(&ctr_lock);
		spin_counter++;
		spin_unlock_irqrestore(&ctr_lock, f);
	}
	(void)arg;
	return NULL;
}

KTEST(smp, spinlock_contended_exact)
{
	struct thread *t[8];
	spin_counter = 0;
	for (int i = 0; i < 8; i++)
		KT_ASSERT(t[i] = thread_create("spin", spin_worker, NULL,
					       PRIO_DEFAULT));
	for (int i = 0; i < 8; i++)
		KT_EQ(thread_join(t[i], NULL), 0);
	KT_EQ(spin_counter, 8 * 20000);
}

/*
 * TLB shootdown: a reader pinned to every CPU reads a mapped page in a loop
 * (so each CPU has it cached in its TLB); the page is then unmapped, and the
 * fault hook must see a fault from every reader's CPU. A reader whose stale
 * TLB entry survived would keep reading without faulting.
 */
#define SHOOT_VA 0x0000004000400000ul
static volatile uint64_t fault_cpus, readers_ready, stop_readers, shoot_want;
static uint64_t shoot_pa;

/* Faulting readers retry (and fault again) until every reader's CPU has
 * faulted; only then is the page mapped back, so no CPU can skip its fault
 * by finding the page re-mapped by another. */
static bool shoot_hook(struct trap_frame *tf, uint64_t addr)
{
	(void)tf;
	if ((addr & ~(PAGE_SIZE - 1)) != SHOOT_VA)
		return false;
	uint64_t seen = __atomic_or_fetch(&fault_cpus, 1ull << this_cpu()->id,
					  __ATOMIC_RELAXED);
	if (seen == shoot_want) {
		int rc = vm_map_page(SHOOT_VA, shoot_pa, VM_READ);
		return rc == 0 || rc == -EEXIST;
	}
	return true;
}

static void *shoot_reader(void *arg)
{
	(void)arg;
	uint64_t sum = 0;
	(void)*(volatile uint64_t *)SHOOT_VA;
	__atomic_fetch_or(&readers_ready, 1ull << this_cpu()->id,
			  __ATOMIC_RELAXED);
	while (!stop_readers)
		sum += *(volatile uint64_t *)SHOOT_VA;
	return (void *)sum;
}

KTEST_EX(smp, tlb_shootdown_faults_everywhere, 2)
{
	struct thread *t[MAX_CPUS];
	uint64_t all = online_mask(), me = 1ull << this_cpu()->id;
	shoot_pa = frame_alloc(0);
	KT_ASSERT(shoot_pa);
	KT_EQ(vm_map_page(SHOOT_VA, shoot_pa, VM_READ), 0);
	fault_cpus = readers_ready = stop_readers = 0;
	trap_set_pf_hook(shoot_hook);
	uint64_t want = all & ~me;
	shoot_want = want;
	for (int i = 0; i < nr_cpus; i++)
		if (want & (1ull << i))
			KT_ASSERT(t[i] = thread_create_on("rd", shoot_reader,
							  NULL, PRIO_DEFAULT,
							  1ull << i));
	while (readers_ready != want)
		thread_yield();
	KT_EQ(vm_unmap_page(SHOOT_VA, NULL), 0); /* shootdown happens here */
	uint64_t deadline = clock_ns() + 5000000000ull;
	while (fault_cpus != want && clock_ns() < deadline)
		thread_yield();
	stop_readers = 1;
	for (int i = 0; i < nr_cpus; i++)
		if (want & (1ull << i))
			KT_EQ(thread_join(t[i], NULL), 0);
	trap_set_pf_hook(NULL);
	KT_EQ(fault_cpus, want);
	vm_unmap_page(SHOOT_VA, NULL);
	frame_free(shoot_pa, 0);
}
