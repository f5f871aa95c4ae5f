/*
 * kernel/time.h — the monotonic clock (TSC-based) and timer API.
 */
#ifndef KERNEL_TIME_H
#define KERNEL_TIME_H

#include <stdbool.h>
#include <stdint.h>

#include "kernel/list.h"

#define NSEC_PER_SEC  1000000000ull
#define NSEC_PER_MSEC 1000000ull
#define NSEC_PER_USEC 1000ull

/* Nanoseconds since boot; 0 until clock_init(). Monotonic, all CPUs. */
uint64_t clock_ns(void);
/* Start the clock: `hz` TSC ticks per second, TSC value at boot. */
void clock_init(uint64_t tsc_hz, uint64_t tsc_at_boot);
uint64_t clock_tsc_hz(void);
uint64_t clock_cycles_to_ns(uint64_t cycles);
/* Nanoseconds since boot with the TSC counted at `hz` ticks per second
 * (another node's calibration: the cluster clock's time base). */
uint64_t clock_ns_at_hz(uint64_t hz);
/* Wall-clock offset (ns since the epoch at boot), from the RTC. */
void clock_set_realtime_base(uint64_t epoch_ns);
uint64_t clock_realtime_ns(void);
/*
 * The cluster's clock: what the program reads (ksys_clock_ns,
 * ksys_realtime_ns). net/member_clock.c installs it once the view is
 * formed: the origin's clock, as this node estimates it. Until then, and
 * on a node alone, the node's own clock_ns / clock_realtime_ns. Both
 * functions must be callable from any context and never block.
 */
void clock_set_cluster(uint64_t (*mono)(void), uint64_t (*realtime)(void));
uint64_t clock_cluster_ns(void);
uint64_t clock_cluster_realtime_ns(void);

/*
 * Timers. Callbacks run in interrupt context on the CPU that armed the timer,
 * with interrupts off: they must not block (waking a thread is fine).
 * A timer is one-shot unless `period_ns` is non-zero.
 */
struct timer {
	struct list_node link; /* (cpu timer lock) wheel slot */
	uint64_t expires;      /* (cpu timer lock) tick number */
	uint64_t period_ticks; /* (cpu timer lock) 0 = one-shot */
	uint64_t deadline_ns;  /* (cpu timer lock) never fire before it */
	uint64_t period_ns;    /* (cpu timer lock) */
	void (*fn)(struct timer *t, void *arg);
	void *arg;
	int cpu;    /* (cpu timer lock) CPU whose wheel holds it, -1 if idle */
	bool armed; /* (cpu timer lock) */
	bool running; /* (a) callback in progress */
};

void timer_init(struct timer *t, void (*fn)(struct timer *, void *), void *arg);
/* Arm to fire after `delay_ns` (rounded up to a tick), then every `period_ns`. */
void timer_arm(struct timer *t, uint64_t delay_ns, uint64_t period_ns);
/* Returns true if the timer was armed and is now cancelled. */
bool timer_cancel(struct timer *t);
/* Cancels and waits until a callback already running elsewhere finished.
 * The caller must not hold a lock that the callback takes. */
bool timer_cancel_sync(struct timer *t);

/* Called by the tick interrupt on each CPU. */
void timer_tick(void);
void timer_cpu_init(int cpu);
uint64_t timer_ticks(void);
uint32_t timer_hz(void);
void timer_set_hz(uint32_t hz);

#endif
