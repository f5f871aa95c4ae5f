/*
 * kernel/futex.h — the wait/wake primitive under the POSIX layer's
 * synchronisation objects: their fast paths are atomic operations on a word
 * in application memory; only contention comes here.
 *
 * futex_wait sleeps if *addr still equals `expected` (checked under the
 * bucket lock, so a futex_wake after the caller changed the word is never
 * lost). Keys are virtual addresses: one address space.
 */
#ifndef KERNEL_FUTEX_H
#define KERNEL_FUTEX_H

#include <stdbool.h>
#include <stdint.h>

/* 0 when woken, -EAGAIN if *addr != expected, -ETIMEDOUT after timeout_ns
 * (0 = none). */
int futex_wait(const uint32_t *addr, uint32_t expected, uint64_t timeout_ns);
/* The same with a test of the caller's instead of the word's value: sleeps
 * on addr's queue unless ready(ctx) (called with no lock held, after
 * queueing, so a wake-up between the test and the sleep is not lost);
 * -EAGAIN when ready at once. */
int futex_wait_until(const uint32_t *addr, bool (*ready)(void *), void *ctx,
		     uint64_t timeout_ns);
/* Wakes up to n waiters on addr; returns how many were woken here (other
 * nodes are told through the remote hook). */
int futex_wake(const uint32_t *addr, int n);
int futex_wake_local(const uint32_t *addr, int n);
/* Ends t's futex wait, if it is in one, as a wake-up (futex users allow
 * spurious ones): migration moves waiters this way. True if it was. */
struct thread;
bool futex_kick(struct thread *t);
typedef void (*futex_remote_fn)(const uint32_t *addr, int n);
/* The cluster layer's hook for wake-ups of waiters on other nodes. */
void futex_set_remote(futex_remote_fn fn);

#endif
