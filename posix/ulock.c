/*
 * posix/ulock.c — the three-state futex mutex of posix/ulock.h.
 *
 * lock:   0 -> 1 by compare-and-swap; otherwise spin briefly (a holder
 *         usually leaves within a few hundred cycles), then mark the word
 *         2 by exchange and sleep until an exchange returns 0.
 * unlock: exchange with 0; if the old value was 2 someone may sleep, so
 *         wake one. A woken thread sets the word back to 2, because it
 *         cannot know whether others still sleep.
 */
#include "posix/ulock.h"

/* Spin iterations before sleeping: long enough to cover a short critical
 * section on another CPU, short enough to be cheap when the holder is
 * descheduled. */
#define ULOCK_SPIN 100

static inline void cpu_relax(void)
{
	__asm__ volatile("pause" : : : "memory");
}

static bool cas(uint32_t *w, uint32_t *expected, uint32_t desired)
{
	return __atomic_compare_exchange_n(w, expected, desired, false,
					   __ATOMIC_ACQUIRE, __ATOMIC_RELAXED);
}

bool ulock_trylock(struct ulock *l)
{
	uint32_t c = 0;
	return cas(&l->word, &c, 1);
}

static void ulock_lock_slow(struct ulock *l)
{
	uint32_t c;
	int i;

	for (i = 0; i < ULOCK_SPIN; i++) {
		cpu_relax();
		c = __atomic_load_n(&l->word, __ATOMIC_RELAXED);
		if (c == 2)
			break; /* others already sleep: join them */
		if (c == 0 && cas(&l->word, &c, 1))
			return;
	}
	c = __atomic_exchange_n(&l->word, 2, __ATOMIC_ACQUIRE);
	while (c != 0) {
		ulock_futex_wait(&l->word, 2);
		c = __atomic_exchange_n(&l->word, 2, __ATOMIC_ACQUIRE);
	}
}

void ulock_lock(struct ulock *l)
{
	uint32_t c = 0;
	if (__builtin_expect(cas(&l->word, &c, 1), 1))
		return;
	ulock_lock_slow(l);
}

void ulock_unlock(struct ulock *l)
{
	if (__atomic_exchange_n(&l->word, 0, __ATOMIC_RELEASE) == 2)
		ulock_futex_wake(&l->word, 1);
}
