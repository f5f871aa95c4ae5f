/*
 * kernel/smp.h — cross-CPU calls. One call is in flight at a time; waiting
 * senders and spinning lock-takers service calls addressed to their own CPU,
 * so two CPUs calling each other (or one spinning with interrupts off) never
 * deadlock. Call functions run with interrupts off, in an IPI handler or a
 * spin loop: they must be short and must not take locks.
 */
#ifndef KERNEL_SMP_H
#define KERNEL_SMP_H

#include <stdbool.h>
#include <stdint.h>

typedef void (*smp_call_fn)(void *arg);

/* Runs fn(arg) on every online CPU in mask (this CPU included if set) and
 * waits until all have run it. */
void smp_call_mask(uint64_t mask, smp_call_fn fn, void *arg);
/* Runs fn on one CPU and waits. -EINVAL if it is not online. */
int smp_call(int cpu, smp_call_fn fn, void *arg);
/* Services a call addressed to this CPU, if any. Cheap when none. */
void smp_poll_calls(void);
uint64_t smp_online_mask(void);
/* Starts the other CPUs listed by ACPI (boot CPU, after the scheduler). */
void smp_boot(void);

#endif
