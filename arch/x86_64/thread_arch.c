/*
 * arch/x86_64/thread_arch.c — a new thread's first stack frame, the FPU
 * template, and the idle instruction.
 */
#include "arch/x86_64/cpu.h"
#include "kernel/kstring.h"
#include "kernel/thread.h"

extern void arch_thread_start(void);

static uint8_t fpu_template[512] __attribute__((aligned(16)));

/* Enables x87/SSE for this CPU and, on the first call, records the clean
 * state new threads start from. */
void arch_fpu_cpu_init(void);
void arch_fpu_cpu_init(void)
{
	write_cr0((read_cr0() & ~(CR0_EM | CR0_TS)) | CR0_MP | CR0_NE);
	write_cr4(read_cr4() | CR4_OSFXSR | CR4_OSXMMEXCPT);
	uint32_t mxcsr = 0x1f80;
	__asm__ volatile("fninit; ldmxcsr %0" : : "m"(mxcsr));
	static bool have_template;
	if (!have_template) {
		__asm__ volatile("fxsave64 %0" : "=m"(fpu_template));
		have_template = true;
	}
}

void arch_fpu_init_area(uint8_t *area)
{
	memcpy(area, fpu_template, 512);
}

void arch_thread_init_stack(struct thread *t, void (*entry)(void))
{
	uint64_t *sp = (uint64_t *)((uint8_t *)t->stack + KSTACK_SIZE);
	*--sp = 0; /* keeps the entry's stack 16-aligned, ends backtraces */
	*--sp = (uint64_t)arch_thread_start; /* arch_switch's ret */
	*--sp = 0;			     /* rbp */
	*--sp = (uint64_t)entry; /* rbx: arch_thread_start jumps here */
	*--sp = 0;		 /* r12 */
	*--sp = 0;		 /* r13 */
	*--sp = 0;		 /* r14 */
	*--sp = 0;		 /* r15 */
	t->saved_rsp = (uint64_t)sp;
}

void arch_cpu_idle(void)
{
	__asm__ volatile("sti; hlt; cli" ::: "memory");
}
