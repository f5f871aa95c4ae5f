/*
 * arch/x86_64/trap.h — interrupt and exception entry.
 */
#ifndef ARCH_X86_64_TRAP_H
#define ARCH_X86_64_TRAP_H

#include <stdbool.h>
#include <stdint.h>

/* Saved by isr.S, in this order from the lowest address up. */
struct trap_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error;
	uint64_t rip, cs, rflags, rsp, ss;
};
_Static_assert(sizeof(struct trap_frame) == 22 * 8, "trap frame layout");

#define VEC_DE		0
#define VEC_NMI		2
#define VEC_UD		6
#define VEC_DF		8
#define VEC_GP		13
#define VEC_PF		14
#define VEC_MC		18
#define VEC_IRQ_BASE	32
#define VEC_TIMER	0x40
#define VEC_IPI_RESCHED 0xf0
#define VEC_IPI_CALL	0xf1
#define VEC_MIGRATE	0xf2 /* `int` at a safe point: see trap_set_exit_hook */
#define VEC_SPURIOUS	0xff

typedef void (*irq_handler_fn)(struct trap_frame *tf);

void idt_init(void); /* build the shared IDT once */
void idt_load(void); /* load it on this CPU */
/* Marks a gate (not) present: only the double-fault self-test uses it. */
void idt_set_present(uint8_t vector, bool present);
void gdt_init_cpu(int cpu); /* this CPU's GDT and TSS with IST stacks */
void trap_register(uint8_t vector, irq_handler_fn fn);
/* A free device vector (VEC_DEV_FIRST..VEC_DEV_LAST) bound to fn, for MSI
 * and MSI-X; -ENOSPC when none is left. */
#define VEC_DEV_FIRST 0x50
#define VEC_DEV_LAST  0xdf
int trap_alloc_vector(irq_handler_fn fn);

/*
 * Page-fault hook: the memory manager (and tests) claim faults here. Returns
 * true when the fault was resolved and the access may be retried.
 */
typedef bool (*pf_hook_fn)(struct trap_frame *tf, uint64_t addr);
void trap_set_pf_hook(pf_hook_fn fn);	       /* tests: consulted first */
void trap_set_mm_fault_handler(pf_hook_fn fn); /* the memory manager */

/*
 * Called at the end of every trap taken on a thread's behalf, after any
 * reschedule, with interrupts off, when the current thread has a
 * migration pending (thread->migrate_to >= 0). The hook may rewrite the
 * frame so the iret goes elsewhere (sched/migrate.c).
 */
typedef void (*trap_exit_fn)(struct trap_frame *tf);
void trap_set_exit_hook(trap_exit_fn fn);
/* The same place, after it, when the current thread has a signal kick
 * (thread->sig_kick, kernel/ksys_signal.c). */
void trap_set_signal_hook(trap_exit_fn fn);
/* Consulted for a fault that would crash the node (an unresolved page
 * fault, an exception without a handler), interrupts off, with the fault
 * address (CR2 for page faults, else 0): true when it took the fault
 * (rewrote the frame), so the kernel goes on (kernel/ksys_signal.c). */
void trap_set_fault_hook(pf_hook_fn fn);
/* Loads every register from tf and irets to it (arch/x86_64/isr.S). */
void arch_trap_resume(const struct trap_frame *tf) __attribute__((noreturn));

/* Crash report and backtrace (arch/x86_64/crash.c). */
void crash_report(struct trap_frame *tf) __attribute__((noreturn));
void backtrace_print(uint64_t rbp, uint64_t rip);
const char *ksym_lookup(uint64_t addr, uint64_t *offset);

#endif
