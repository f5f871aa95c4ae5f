/*
 * kernel/percpu.h — one struct cpu per CPU, reached through the GS base.
 *
 * Guard keys: (c) constant after the CPU starts; (l) this CPU only, with
 * interrupts off; (rq) the CPU's run-queue lock; (a) atomic.
 */
#ifndef KERNEL_PERCPU_H
#define KERNEL_PERCPU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kernel/list.h"
#include "kernel/spinlock.h"

#define MAX_CPUS 64
#define NR_PRIO	 32 /* 0 = highest; PRIO_IDLE is below them all */

struct thread;

struct runqueue {
	struct spinlock lock;
	uint32_t bitmap; /* (rq) bit p set: queue[p] non-empty */
	struct list_node queue[NR_PRIO]; /* (rq) runnable, not running */
	uint32_t nr_queued;		 /* (rq) */
};

#define TIMER_WHEEL_SLOTS 256

struct cpu {
	struct cpu *self; /* (c) %gs:0, for this_cpu() */
	/* (l) the current thread's kernel stack, %gs:8 and %gs:16: interrupt
	 * entry moves onto it when it interrupts code on another stack
	 * (application stacks live in the global address space) */
	uintptr_t kstack_lo, kstack_top;
	int id;			/* (c) dense logical id, 0 = boot CPU */
	uint32_t apic_id;	/* (c) */
	struct thread *current; /* (l) */
	struct thread *idle;	/* (c) */
	int preempt_off; /* (l) >0: the current thread must not be preempted */
	bool need_resched; /* (a) */
	bool online;	   /* (a) */
	struct runqueue rq;
	struct thread *switched_from; /* (rq) handed to sched_finish_switch */
	struct thread *reap;	      /* (l) exited detached thread to free */
	struct thread *push; /* (l) thread to move to a CPU it may run on */

	struct spinlock timer_lock;
	struct list_node wheel[TIMER_WHEEL_SLOTS]; /* (timer_lock) */
	uint64_t ticks; /* (timer_lock) ticks seen by this CPU */

	/* statistics, (l) */
	uint64_t nr_switches;
	uint64_t nr_steals;
	uint64_t nr_irqs;
	uint64_t idle_ns;
	uint64_t app_ns; /* (rq) run time of app_cpu threads switched out */
};

#include "kernel/percpu_asm.h"
_Static_assert(offsetof(struct cpu, kstack_lo) == CPU_KSTACK_LO_OFF, "asm");
_Static_assert(offsetof(struct cpu, kstack_top) == CPU_KSTACK_TOP_OFF, "asm");

extern struct cpu *cpus[MAX_CPUS]; /* (c) set as CPUs come up */
extern int nr_cpus;		   /* (a) CPUs online */

#ifdef UNUM_HOST
extern struct cpu host_cpu0;
static inline struct cpu *this_cpu(void)
{
	return &host_cpu0;
}
#else
static inline struct cpu *this_cpu(void)
{
	struct cpu *c;
	__asm__ volatile("movq %%gs:0, %0" : "=r"(c));
	return c;
}
#endif

static inline void preempt_disable(void)
{
	this_cpu()->preempt_off++;
	__asm__ volatile("" ::: "memory");
}
void preempt_enable(void);

#endif
