/*
 * kernel/migrate_point.h — a safe point for thread migration, for the
 * kernel's calls from the application (kernel/ksys.c, cluster/csync.c).
 *
 * On the way back to the application from a call that may have slept, on
 * the application's stack: if a move is pending (sched/migrate.c), a trap
 * from here carries the application's registers, which the trap exit hook
 * ships (and a pending signal kick is taken the same way: see
 * kernel/ksys_signal.c). Must not be used on a kernel stack (the hook ignores it there).
 */
#ifndef KERNEL_MIGRATE_POINT_H
#define KERNEL_MIGRATE_POINT_H

#include "arch/x86_64/trap.h"
#include "kernel/thread.h"

static inline void ksys_migrate_point(void)
{
	struct thread *t = thread_current();
	if (__builtin_expect(
		__atomic_load_n(&t->migrate_to, __ATOMIC_RELAXED) >= 0 ||
		    __atomic_load_n(&t->sig_kick, __ATOMIC_RELAXED),
		0))
		__asm__ volatile("int %0" : : "i"(VEC_MIGRATE) : "memory");
}

/* True while a move of the calling thread is pending, or a signal for it
 * (ksys_signal_kick): a wait that may end early (a condition wait, a
 * semaphore wait) ends so the move or the signal can happen. */
static inline bool thread_moving(void)
{
	struct thread *t = thread_current();
	return __atomic_load_n(&t->migrate_to, __ATOMIC_RELAXED) >= 0 ||
	       __atomic_load_n(&t->sig_kick, __ATOMIC_RELAXED);
}

#endif
