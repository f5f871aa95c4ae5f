/*
 * arch/x86_64/trap.c — the IDT and the C side of interrupt entry: faults go
 * to the page-fault hook or the crash report, device and IPI vectors to
 * their registered handlers, and a pending reschedule is honoured on the
 * way out.
 */
#include "arch/x86_64/apic.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/trap.h"
#include "kernel/errno.h"
#include "kernel/percpu.h"
#include "kernel/spinlock.h"
#include "kernel/thread.h"

struct __attribute__((packed)) idt_entry {
	uint16_t off_lo;
	uint16_t sel;
	uint8_t ist;
	uint8_t type;
	uint16_t off_mid;
	uint32_t off_hi;
	uint32_t zero;
};

static struct idt_entry idt[256] __attribute__((aligned(16)));
static irq_handler_fn handlers[256]; /* set at init, before use */
static pf_hook_fn pf_hook;	     /* tests */
static pf_hook_fn mm_fault;	     /* mm/gas.c, later the DSM */
static trap_exit_fn exit_hook;	     /* sched/migrate.c, set at init */
static trap_exit_fn sig_hook;	     /* kernel/ksys_signal.c, set at init */
static pf_hook_fn fault_hook;	     /* kernel/ksys_signal.c, set at init */
extern const uint64_t isr_table[256];

void trap_register(uint8_t vector, irq_handler_fn fn)
{
	handlers[vector] = fn;
}

int trap_alloc_vector(irq_handler_fn fn)
{
	static struct spinlock lock = SPINLOCK_INIT;
	unsigned long f = spin_lock_irqsave(&lock);
	int v = -ENOSPC;
	for (int i = VEC_DEV_FIRST; i <= VEC_DEV_LAST; i++) {
		if (!handlers[i]) {
			handlers[i] = fn;
			v = i;
			break;
		}
	}
	spin_unlock_irqrestore(&lock, f);
	return v;
}
void trap_set_pf_hook(pf_hook_fn fn)
{
	pf_hook = fn;
}
void trap_set_mm_fault_handler(pf_hook_fn fn)
{
	mm_fault = fn;
}

void idt_init(void)
{
	for (int v = 0; v < 256; v++) {
		uint64_t a = isr_table[v];
		idt[v].off_lo = a & 0xffff;
		idt[v].sel = 0x08;
		idt[v].ist = v == VEC_DF    ? 1
			     : v == VEC_NMI ? 2
			     : v == VEC_MC  ? 3
					    : 4;
		idt[v].type = 0x8e; /* present, interrupt gate */
		idt[v].off_mid = (a >> 16) & 0xffff;
		idt[v].off_hi = a >> 32;
		idt[v].zero = 0;
	}
}

void idt_set_present(uint8_t vector, bool present)
{
	idt[vector].type = present ? 0x8e : 0x0e;
}

void idt_load(void)
{
	struct __attribute__((packed)) {
		uint16_t limit;
		uint64_t base;
	} p = {sizeof(idt) - 1, (uint64_t)idt};
	__asm__ volatile("lidt %0" : : "m"(p));
}

void trap_dispatch(struct trap_frame *tf);
void trap_dispatch(struct trap_frame *tf)
{
	uint64_t v = tf->vector;

	if (v == VEC_PF) {
		uint64_t addr = read_cr2();
		if (pf_hook && pf_hook(tf, addr))
			return;
		if (mm_fault) {
			/* the handler may block (DSM): let interrupts in */
			if (tf->rflags & (1ul << 9))
				arch_irq_enable();
			bool ok = mm_fault(tf, addr);
			arch_irq_disable();
			if (ok)
				return;
		}
		if (fault_hook && fault_hook(tf, addr))
			return;
		crash_report(tf);
	}
	if (v < VEC_IRQ_BASE && !handlers[v]) {
		if (v != VEC_DF && v != VEC_NMI && v != VEC_MC && fault_hook &&
		    fault_hook(tf, 0))
			return;
		crash_report(tf);
	}

	struct cpu *c = this_cpu();
	c->nr_irqs++;
	if (handlers[v])
		handlers[v](tf);
	if (v >= VEC_IRQ_BASE && v != VEC_SPURIOUS && v != VEC_MIGRATE)
		lapic_eoi();
	if (c->need_resched && c->preempt_off == 0 && c->current)
		schedule();
	struct thread *t = this_cpu()->current; /* may be another CPU now */
	if (exit_hook && t &&
	    __atomic_load_n(&t->migrate_to, __ATOMIC_RELAXED) >= 0)
		exit_hook(tf);
	if (sig_hook && t && __atomic_load_n(&t->sig_kick, __ATOMIC_RELAXED))
		sig_hook(tf);
}

void trap_set_signal_hook(trap_exit_fn fn)
{
	sig_hook = fn;
}

void trap_set_fault_hook(pf_hook_fn fn)
{
	fault_hook = fn;
}

void trap_set_exit_hook(trap_exit_fn fn)
{
	exit_hook = fn;
}
