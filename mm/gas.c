/*
 * mm/gas.c — first-touch mapping of the global address space on one node.
 */
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/trap.h"
#include "kernel/errno.h"
#include "kernel/kstring.h"
#include "kernel/log.h"
#include "kernel/panic.h"
#include "kernel/spinlock.h"
#include "mm/frame.h"
#include "mm/gas.h"
#include "mm/vm.h"

extern char __gas_data_start[], __gas_data_end[], __gas_bss_end[];
extern char __gas_data_lma[];

static struct spinlock guard_lock = SPINLOCK_INIT;
static struct {
	uintptr_t va, len;
} guards[GAS_MAX_GUARDS];      /* (guard_lock) */
static int nr_guards;	       /* (guard_lock) */
static struct gas_stats stats; /* (a) */

bool gas_contains(uintptr_t va)
{
	return (va >= (uintptr_t)__gas_data_start &&
		va < (uintptr_t)__gas_bss_end) ||
	       (va >= GAS_DYN_BASE && va < GAS_DYN_BASE + GAS_DYN_SIZE);
}

int gas_guard_add(uintptr_t va, size_t len)
{
	unsigned long f = spin_lock_irqsave(&guard_lock);
	int rc = -ENOSPC;
	if (nr_guards < GAS_MAX_GUARDS) {
		guards[nr_guards].va = va;
		guards[nr_guards].len = len;
		nr_guards++;
		rc = 0;
	}
	spin_unlock_irqrestore(&guard_lock, f);
	return rc;
}

void gas_guard_remove(uintptr_t va)
{
	unsigned long f = spin_lock_irqsave(&guard_lock);
	for (int i = 0; i < nr_guards; i++)
		if (guards[i].va == va) {
			guards[i] = guards[--nr_guards];
			break;
		}
	spin_unlock_irqrestore(&guard_lock, f);
}

static bool in_guard(uintptr_t va)
{
	bool hit = false;
	unsigned long f = spin_lock_irqsave(&guard_lock);
	for (int i = 0; i < nr_guards && !hit; i++)
		hit = va >= guards[i].va && va < guards[i].va + guards[i].len;
	spin_unlock_irqrestore(&guard_lock, f);
	return hit;
}

/* The coherence engine, once one took the GAS over (stored with release
 * order after the engine is ready; read with acquire). */
static const struct gas_coherence_ops *coherence;

void gas_set_coherence(const struct gas_coherence_ops *ops)
{
	assert(ops && ops->fault && !coherence);
	__atomic_store_n(&coherence, ops, __ATOMIC_RELEASE);
}

void gas_release(uintptr_t va, size_t len)
{
	/* Under a coherence engine a page's mapping is the engine's: freeing
	 * it here would leave the engine believing the node still holds it.
	 * The page stays (a later user of the range finds it current). */
	if (__atomic_load_n(&coherence, __ATOMIC_ACQUIRE))
		return;
	for (uintptr_t p = va & ~(PAGE_SIZE - 1); p < va + len;
	     p += PAGE_SIZE) {
		uint64_t pa;
		if (vm_unmap_page(p, &pa) == 0) {
			frame_free(pa, 0);
			__atomic_fetch_add(&stats.pages_released, 1,
					   __ATOMIC_RELAXED);
		}
	}
}

void gas_get_stats(struct gas_stats *s)
{
	*s = stats;
}

/* Fills a fresh frame for the page at va: image bytes for static data,
 * zeros elsewhere. */
static void fill_page(uintptr_t va, uint8_t *frame)
{
	uintptr_t ds = (uintptr_t)__gas_data_start,
		  de = (uintptr_t)__gas_data_end;
	memset(frame, 0, PAGE_SIZE);
	if (va + PAGE_SIZE <= ds || va >= de)
		return;
	uintptr_t from = va < ds ? ds : va;
	uintptr_t to = va + PAGE_SIZE < de ? va + PAGE_SIZE : de;
	uint64_t lma = (uint64_t)(uintptr_t)__gas_data_lma + (from - ds);
	memcpy(frame + (from - va), phys_to_virt(lma), to - from);
	__atomic_fetch_add(&stats.faults_static, 1, __ATOMIC_RELAXED);
}

static bool gas_fault(struct trap_frame *tf, uint64_t addr)
{
	(void)tf;
	if (!gas_contains(addr))
		return false;
	if (in_guard(addr)) {
		pr_err(
		    "gas",
		    "touch of a guard page at 0x%lx (a stack overflow or PROT_NONE memory)",
		    addr);
		return false;
	}
	const struct gas_coherence_ops *c =
	    __atomic_load_n(&coherence, __ATOMIC_ACQUIRE);
	if (c)
		return c->fault(addr, tf->error & 2);
	uintptr_t va = addr & ~(PAGE_SIZE - 1);
	if (vm_query(va, NULL, NULL))
		return true; /* another CPU mapped it meanwhile */
	uint64_t pa = frame_alloc(0);
	if (!pa) {
		pr_err("gas", "out of memory mapping 0x%lx", addr);
		return false;
	}
	fill_page(va, phys_to_virt(pa));
	int rc = vm_map_page(va, pa, VM_READ | VM_WRITE);
	if (rc) {
		frame_free(pa, 0); /* -EEXIST: lost a race, the page is there */
		return rc == -EEXIST;
	}
	__atomic_fetch_add(&stats.faults_zero, 1, __ATOMIC_RELAXED);
	__atomic_fetch_add(&stats.pages_mapped, 1, __ATOMIC_RELAXED);
	return true;
}

void gas_init(void)
{
	trap_set_mm_fault_handler(gas_fault);
	pr_info("gas",
		"static %lu KiB at %p (data %lu KiB), dynamic %lu TiB at 0x%lx",
		((uintptr_t)__gas_bss_end - (uintptr_t)__gas_data_start) >> 10,
		(void *)__gas_data_start,
		((uintptr_t)__gas_data_end - (uintptr_t)__gas_data_start) >> 10,
		GAS_DYN_SIZE >> 40, GAS_DYN_BASE);
}
