/*
 * arch/x86_64/ipi.c — inter-processor interrupts: reschedule.
 */
#include "arch/x86_64/apic.h"
#include "arch/x86_64/trap.h"
#include "kernel/thread.h"

static void resched_ipi(struct trap_frame *tf)
{
	(void)tf;
	/* need_resched is already set; trap_dispatch reschedules on return */
}

void sched_kick(struct cpu *c)
{
	if (c != this_cpu() &&
	    __atomic_load_n(&c->need_resched, __ATOMIC_RELAXED))
		lapic_send_ipi(c->apic_id, VEC_IPI_RESCHED);
}

static int ipi_init(void)
{
	trap_register(VEC_IPI_RESCHED, resched_ipi);
	return 0;
}
#include "kernel/init.h"
INITCALL(INIT_CORE, ipi_init);
