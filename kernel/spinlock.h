/*
 * kernel/spinlock.h — ticket spinlocks (FIFO under contention).
 *
 * spin_lock_irqsave() is the form to use for anything an interrupt handler
 * may also take. Spinlocks never sleep and must not be held across a
 * context switch, except the run-queue lock, which the scheduler hands over.
 * On the host (unit tests) the same code runs; interrupts are stand-ins.
 */
#ifndef KERNEL_SPINLOCK_H
#define KERNEL_SPINLOCK_H

#include <stdint.h>

#include "kernel/arch.h"

struct spinlock {
	uint16_t next;	/* ticket handed to the next arrival */
	uint16_t owner; /* ticket now served */
};

#define SPINLOCK_INIT                                                          \
	{                                                                      \
		0, 0                                                           \
	}

static inline void spin_lock_init(struct spinlock *l)
{
	l->next = 0;
	l->owner = 0;
}

#ifdef UNUM_HOST
#define SPIN_HOOK() ((void)0)
#else
/* Services cross-CPU calls while spinning, so a CPU spinning with
 * interrupts off still answers TLB shootdowns (kernel/smp.h). */
void arch_spin_hook(void);
#define SPIN_HOOK() arch_spin_hook()
#endif

static inline void spin_lock(struct spinlock *l)
{
	uint16_t t = __atomic_fetch_add(&l->next, 1, __ATOMIC_RELAXED);
	while (__atomic_load_n(&l->owner, __ATOMIC_ACQUIRE) != t) {
		arch_cpu_relax();
		SPIN_HOOK();
	}
}

static inline void spin_unlock(struct spinlock *l)
{
	__atomic_store_n(&l->owner, (uint16_t)(l->owner + 1), __ATOMIC_RELEASE);
}

static inline int spin_trylock(struct spinlock *l)
{
	uint16_t o = __atomic_load_n(&l->owner, __ATOMIC_RELAXED);
	uint16_t exp = o;
	return __atomic_compare_exchange_n(&l->next, &exp, (uint16_t)(o + 1),
					   false, __ATOMIC_ACQUIRE,
					   __ATOMIC_RELAXED);
}

static inline int spin_is_locked(struct spinlock *l)
{
	return __atomic_load_n(&l->owner, __ATOMIC_RELAXED) !=
	       __atomic_load_n(&l->next, __ATOMIC_RELAXED);
}

static inline unsigned long spin_lock_irqsave(struct spinlock *l)
{
	unsigned long f = arch_irq_save();
	spin_lock(l);
	return f;
}

static inline void spin_unlock_irqrestore(struct spinlock *l, unsigned long f)
{
	spin_unlock(l);
	arch_irq_restore(f);
}

#endif
