/*
 * kernel/sync.h — wait queues and the sleeping synchronisation objects built
 * on them: mutexes (FIFO hand-off), condition variables, semaphores.
 *
 * Each object is guarded by the spinlock of its wait queue. Lock order: a
 * condition variable's lock, then its mutex's lock, then run-queue locks.
 * Timeouts are relative, in nanoseconds; 0 means wait forever.
 */
#ifndef KERNEL_SYNC_H
#define KERNEL_SYNC_H

#include <stdbool.h>
#include <stdint.h>

#include "kernel/list.h"
#include "kernel/spinlock.h"

struct thread;

struct waitq {
	struct spinlock lock;
	struct list_node waiters; /* (lock) struct waiter, FIFO */
};

struct waiter {
	struct list_node link; /* (waitq lock) */
	struct thread *t;
	int result; /* (waitq lock) what the waker said */
	bool woken; /* (waitq lock) */
};

void waitq_init(struct waitq *wq);
/*
 * With wq->lock held (taken by spin_lock_irqsave into *flags): queue the
 * current thread and sleep until woken or the timeout passes. Returns with
 * the lock held again: the waker's result, or -ETIMEDOUT.
 */
int waitq_wait(struct waitq *wq, unsigned long *flags, uint64_t timeout_ns);
/* The same, queued at the head (a waiter that was woken and lost a race). */
int waitq_wait_front(struct waitq *wq, unsigned long *flags,
		     uint64_t timeout_ns);
/* With wq->lock held: wake the oldest waiter; returns its thread or NULL. */
struct thread *waitq_wake_one(struct waitq *wq, int result);
/* With wq->lock held: wake all; returns how many. */
int waitq_wake_all(struct waitq *wq, int result);
bool waitq_empty(struct waitq *wq);

/*
 * Mutexes spin while the owner runs on another CPU, then sleep. Unlock wakes
 * the oldest waiter, which competes for the lock again (a woken waiter that
 * loses goes back to the head of the queue); once a waiter has waited
 * longer than MUTEX_HANDOFF_NS, the next unlock hands the mutex straight to
 * it, so nobody starves.
 */
#define MUTEX_HANDOFF_NS 1000000
struct mutex {
	struct waitq wq;
	struct thread *owner; /* (wq.lock; read racily to decide to spin) */
	bool
	    handoff; /* (wq.lock) the next unlock gives it to the first waiter */
};

void mutex_init(struct mutex *m);
void mutex_lock(struct mutex *m);
/* 0, or -ETIMEDOUT. */
int mutex_lock_timeout(struct mutex *m, uint64_t timeout_ns);
bool mutex_trylock(struct mutex *m);
/* -EPERM if the caller does not own it. */
int mutex_unlock(struct mutex *m);
bool mutex_owned(struct mutex *m);

struct cond {
	struct waitq wq;
};

void cond_init(struct cond *c);
/* Atomically releases m and waits; re-acquires m. 0 or -ETIMEDOUT. */
int cond_wait(struct cond *c, struct mutex *m, uint64_t timeout_ns);
void cond_signal(struct cond *c);
void cond_broadcast(struct cond *c);

struct semaphore {
	struct waitq wq;
	uint64_t count; /* (wq.lock) */
};

void sem_init(struct semaphore *s, uint64_t count);
/* 0, or -ETIMEDOUT. */
int sem_down(struct semaphore *s, uint64_t timeout_ns);
bool sem_trydown(struct semaphore *s);
void sem_up(struct semaphore *s);

#endif
