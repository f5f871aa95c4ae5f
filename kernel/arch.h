/*
 * kernel/arch.h — the small machine interface that machine-independent code
 * (kernel/, mm/, sched/, net/, posix/) may use. Host builds (unit tests) get
 * single-threaded stand-ins, so the logic above it compiles and runs there.
 */
#ifndef KERNEL_ARCH_H
#define KERNEL_ARCH_H

#include <stdbool.h>
#include <stdint.h>

#ifdef UNUM_HOST
#include <sched.h>
/* Host: a spinning waiter yields, so lock holders preempted on a busy
 * machine get the CPU back. */
static inline unsigned long arch_irq_save(void)
{
	return 0;
}
static inline void arch_irq_restore(unsigned long flags)
{
	(void)flags;
}
static inline void arch_cpu_relax(void)
{
	sched_yield();
}
static inline bool arch_irqs_enabled(void)
{
	return false;
}
#else
/* Disables interrupts on this CPU; returns the previous state. */
static inline unsigned long arch_irq_save(void)
{
	unsigned long f;
	__asm__ volatile("pushfq; popq %0; cli" : "=r"(f) : : "memory");
	return f;
}
static inline void arch_irq_restore(unsigned long flags)
{
	if (flags & (1ul << 9))
		__asm__ volatile("sti" : : : "memory");
}
static inline void arch_irq_enable(void)
{
	__asm__ volatile("sti" : : : "memory");
}
static inline void arch_irq_disable(void)
{
	__asm__ volatile("cli" : : : "memory");
}
static inline bool arch_irqs_enabled(void)
{
	unsigned long f;
	__asm__ volatile("pushfq; popq %0" : "=r"(f));
	return f & (1ul << 9);
}
static inline void arch_cpu_relax(void)
{
	__asm__ volatile("pause" : : : "memory");
}
static inline uint64_t arch_rdtsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}
#endif

#endif
