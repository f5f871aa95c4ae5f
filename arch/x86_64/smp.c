/*
 * arch/x86_64/smp.c — starting the application processors (INIT-SIPI-SIPI
 * through a real-mode trampoline) and cross-CPU calls over IPIs.
 */
#include "arch/x86_64/acpi.h"
#include "arch/x86_64/apic.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/percpu_arch.h"
#include "arch/x86_64/trampoline.h"
#include "arch/x86_64/trap.h"
#include "kernel/config.h"
#include "kernel/kstring.h"
#include "kernel/log.h"
#include "kernel/panic.h"
#include "kernel/smp.h"
#include "kernel/thread.h"
#include "mm/kmalloc.h"
#include "mm/vm.h"

extern const char trampoline_start[], trampoline_end[], trampoline_params[];
void arch_fpu_cpu_init(void);
void sched_cpu_start(struct cpu *c, struct thread *first, bool first_is_idle);
struct thread *thread_alloc_struct(const char *name, int prio);

/* ---- cross-CPU calls ---------------------------------------------------- */

static struct spinlock call_lock = SPINLOCK_INIT; /* one call in flight */
static struct {
	smp_call_fn fn; /* (call_lock) */
	void *arg;	/* (call_lock) */
	int remaining;	/* (a) targets that have not run it yet */
} call;
static bool call_pending[MAX_CPUS]; /* (a) set by the sender per target */

uint64_t smp_online_mask(void)
{
	uint64_t m = 0;
	for (int i = 0; i < nr_cpus; i++)
		if (cpus[i] &&
		    __atomic_load_n(&cpus[i]->online, __ATOMIC_ACQUIRE))
			m |= 1ull << i;
	return m;
}

void smp_poll_calls(void)
{
	struct cpu *c = this_cpu();
	if (!c || !__atomic_load_n(&call_pending[c->id], __ATOMIC_ACQUIRE))
		return;
	unsigned long f = arch_irq_save();
	if (__atomic_exchange_n(&call_pending[c->id], false,
				__ATOMIC_ACQ_REL)) {
		call.fn(call.arg);
		__atomic_fetch_sub(&call.remaining, 1, __ATOMIC_RELEASE);
	}
	arch_irq_restore(f);
}

/* Spinning lock-takers service calls (kernel/spinlock.h). */
void arch_spin_hook(void);
void arch_spin_hook(void)
{
	smp_poll_calls();
}

static void call_ipi(struct trap_frame *tf)
{
	(void)tf;
	smp_poll_calls();
}

void smp_call_mask(uint64_t mask, smp_call_fn fn, void *arg)
{
	struct cpu *self = this_cpu();
	mask &= smp_online_mask();
	if (mask & (1ull << self->id)) {
		unsigned long f = arch_irq_save();
		fn(arg);
		arch_irq_restore(f);
		mask &= ~(1ull << self->id);
	}
	if (!mask)
		return;
	while (!spin_trylock(&call_lock))
		smp_poll_calls();
	call.fn = fn;
	call.arg = arg;
	__atomic_store_n(&call.remaining, __builtin_popcountll(mask),
			 __ATOMIC_RELEASE);
	for (int i = 0; i < nr_cpus; i++)
		if (mask & (1ull << i))
			__atomic_store_n(&call_pending[i], true,
					 __ATOMIC_RELEASE);
	for (int i = 0; i < nr_cpus; i++)
		if (mask & (1ull << i))
			lapic_send_ipi(cpus[i]->apic_id, VEC_IPI_CALL);
	while (__atomic_load_n(&call.remaining, __ATOMIC_ACQUIRE)) {
		smp_poll_calls();
		arch_cpu_relax();
	}
	spin_unlock(&call_lock);
}

int smp_call(int cpu, smp_call_fn fn, void *arg)
{
	if (cpu < 0 || cpu >= nr_cpus || !(smp_online_mask() & (1ull << cpu)))
		return -22; /* -EINVAL */
	smp_call_mask(1ull << cpu, fn, arg);
	return 0;
}

/* ---- TLB shootdown ------------------------------------------------------ */

static void flush_one(void *va)
{
	invlpg((uintptr_t)va);
}

void vm_flush_page(uintptr_t va)
{
	invlpg(va);
	uint64_t others = smp_online_mask() & ~(1ull << this_cpu()->id);
	if (others)
		smp_call_mask(others, flush_one, (void *)va);
}

/* ---- starting the APs --------------------------------------------------- */

void ap_entry(struct cpu *c, uint64_t kernel_cr3);
void ap_entry(struct cpu *c, uint64_t kernel_cr3)
{
	write_cr3(kernel_cr3); /* leave the trampoline's tables */
	wrmsr(MSR_GS_BASE, (uint64_t)c);
	gdt_init_cpu(c->id);
	idt_load();
	arch_fpu_cpu_init();
	lapic_init();
	c->apic_id = lapic_id();
	sched_cpu_start(c, c->idle, true);
	lapic_timer_start(timer_hz());
	arch_irq_enable();
	sched_idle_loop();
}

static void trampoline_setup(void)
{
	memcpy(phys_to_virt(TRAMPOLINE_BASE), trampoline_start,
	       trampoline_end - trampoline_start);
	uint64_t *pml4 = phys_to_virt(TRAMPOLINE_PML4);
	uint64_t *pdpt = phys_to_virt(TRAMPOLINE_PDPT);
	uint64_t *pd = phys_to_virt(TRAMPOLINE_PD);
	const uint64_t *kpml4 = phys_to_virt(read_cr3() & ~0xfffull);
	memset(pml4, 0, 4096);
	memset(pdpt, 0, 4096);
	memset(pd, 0, 4096);
	pml4[0] = TRAMPOLINE_PDPT | 3;
	pdpt[0] = TRAMPOLINE_PD | 3;
	pd[0] = 0x83; /* 2 MiB identity: the trampoline page */
	for (int i = 256; i < 512; i++)
		pml4[i] = kpml4[i];
}

static bool start_ap(int id, uint32_t apic_id)
{
	struct cpu *c = kzalloc(sizeof(*c));
	struct arch_cpu *a = kzalloc(sizeof(*a));
	struct thread *idle = thread_alloc_struct("idle", PRIO_IDLE);
	if (!c || !a || !idle || !(idle->stack = kmalloc(KSTACK_SIZE))) {
		pr_err("smp", "no memory for CPU %d", id);
		return false;
	}
	c->self = c;
	c->id = id;
	c->apic_id = apic_id;
	c->idle = idle;
	c->kstack_lo = (uintptr_t)idle->stack;
	c->kstack_top = (uintptr_t)idle->stack + KSTACK_SIZE;
	idle->cpu = id;
	idle->affinity = 1ull << id;
	arch_cpus[id] = a;
	cpus[id] = c;

	struct trampoline_params *p =
	    (void *)((uint8_t *)phys_to_virt(TRAMPOLINE_BASE) +
		     (trampoline_params - trampoline_start));
	p->kernel_cr3 = read_cr3();
	p->stack = (uint64_t)idle->stack + KSTACK_SIZE;
	p->entry = (uint64_t)ap_entry;
	p->cpu = (uint64_t)c;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);

	nr_cpus = id + 1; /* visible before it runs: it indexes cpus[] */
	lapic_send_init_sipi(apic_id, TRAMPOLINE_BASE >> 12);
	uint64_t deadline = clock_ns() + 2000000000ull;
	while (!__atomic_load_n(&c->online, __ATOMIC_ACQUIRE)) {
		if (clock_ns() > deadline) {
			pr_err("smp",
			       "CPU %d (APIC id %u) did not start; going on "
			       "without it",
			       id, apic_id);
			nr_cpus = id;
			cpus[id] = NULL;
			return false;
		}
		arch_cpu_relax();
	}
	return true;
}

void smp_boot(void)
{
	static struct acpi_topology topo;
	char err[160];

	trap_register(VEC_IPI_CALL, call_ipi);
	if (!kernel_acpi_ok) {
		pr_warn("smp", "no ACPI tables: running on the boot CPU only");
		return;
	}
	if (acpi_topology(&kernel_acpi, &topo, err, sizeof(err))) {
		pr_warn("smp", "%s: running on the boot CPU only", err);
		return;
	}
	if (topo.cpus_truncated)
		pr_warn("smp", "more than %d CPUs listed; using the first %d",
			ACPI_MAX_CPUS, ACPI_MAX_CPUS);
	uint64_t max = config_uint("smp.max_cpus");
	if (max > MAX_CPUS)
		max = MAX_CPUS;
	trampoline_setup();
	uint32_t self = this_cpu()->apic_id;
	int started = 1;
	for (uint32_t i = 0; i < topo.nr_cpus && (uint64_t)started < max; i++) {
		if (topo.apic_ids[i] == self)
			continue;
		if (start_ap(started, topo.apic_ids[i]))
			started++;
	}
	pr_info("smp", "%d CPU(s) online (%u listed by ACPI)%s", started,
		topo.nr_cpus, topo.hpet_addr ? ", HPET present" : "");
	for (uint32_t i = 0; i < topo.nr_mcfg; i++)
		pr_info("smp", "PCI ECAM segment %u buses %u-%u at 0x%lx",
			topo.mcfg[i].segment, topo.mcfg[i].bus_start,
			topo.mcfg[i].bus_end, topo.mcfg[i].base);
}
