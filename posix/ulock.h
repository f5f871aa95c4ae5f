/*
 * posix/ulock.h — the POSIX layer's internal mutex: a 32-bit futex word
 * with three states (Drepper, "Futexes are tricky", mutex 3):
 *   0 free, 1 locked, 2 locked and maybe contended (unlock must wake).
 * Uncontended lock and unlock are one atomic instruction each and never
 * enter the kernel. Not recursive; no owner tracking.
 *
 * The wait/wake primitive under it is supplied by the environment: the
 * kernel glue forwards to futex_wait/futex_wake (kernel/futex.h); host
 * tests use Linux's futex system call.
 */
#ifndef POSIX_ULOCK_H
#define POSIX_ULOCK_H

#include <stdbool.h>
#include <stdint.h>

struct ulock {
	uint32_t word; /* 0 free, 1 locked, 2 locked with (possible) waiters */
};

#define ULOCK_INIT                                                             \
	{                                                                      \
		0                                                              \
	}

void ulock_lock(struct ulock *l);
void ulock_unlock(struct ulock *l);
/* True if the lock was free and is now held by the caller. */
bool ulock_trylock(struct ulock *l);

/*
 * Provided by the environment. ulock_futex_wait sleeps while *addr ==
 * expected (checked atomically against ulock_futex_wake); it may return
 * early or spuriously: 0 when woken, a negative errno otherwise (the
 * caller re-checks the word either way). ulock_futex_wake wakes up to n
 * sleepers on addr.
 */
int ulock_futex_wait(uint32_t *addr, uint32_t expected);
void ulock_futex_wake(uint32_t *addr, int n);

#endif
