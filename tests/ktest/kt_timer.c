/*
 * tests/ktest/kt_timer.c — one-shot and periodic timers, cancellation,
 * many timers firing in deadline order.
 */
#include "kernel/ktest.h"
#include "kernel/sync.h"
#include "kernel/thread.h"

struct tcount {
	volatile int fired;
	volatile uint64_t at_ns;
	struct semaphore done;
};

static void count_cb(struct timer *t, void *arg)
{
	struct tcount *c = arg;
	(void)t;
	c->fired++;
	c->at_ns = clock_ns();
	sem_up(&c->done);
}

KTEST(timer, oneshot_fires_once_after_delay)
{
	struct tcount c = {0};
	struct timer t;
	sem_init(&c.done, 0);
	timer_init(&t, count_cb, &c);
	uint64_t t0 = clock_ns();
	timer_arm(&t, 5000000, 0);
	KT_EQ(sem_down(&c.done, 0), 0);
	KT_ASSERT(c.at_ns - t0 >= 5000000);
	thread_sleep_ns(20000000);
	KT_EQ(c.fired, 1);
	KT_ASSERT(!timer_cancel(&t));
}

KTEST(timer, periodic_then_cancel)
{
	struct tcount c = {0};
	struct timer t;
	sem_init(&c.done, 0);
	timer_init(&t, count_cb, &c);
	timer_arm(&t, 2000000, 2000000);
	for (int i = 0; i < 5; i++)
		KT_EQ(sem_down(&c.done, 0), 0);
	KT_ASSERT(timer_cancel_sync(&t));
	int n = c.fired;
	KT_ASSERT(n >= 5);
	thread_sleep_ns(20000000);
	KT_EQ(c.fired, n);
}

KTEST(timer, cancel_before_expiry)
{
	struct tcount c = {0};
	struct timer t;
	sem_init(&c.done, 0);
	timer_init(&t, count_cb, &c);
	timer_arm(&t, 50000000, 0);
	KT_ASSERT(timer_cancel(&t));
	KT_ASSERT(!timer_cancel(&t));
	thread_sleep_ns(80000000);
	KT_EQ(c.fired, 0);
}

#define NT 200
static struct timer many[NT];
static volatile uint64_t fire_order[NT];
static volatile int nfired;
static struct semaphore many_done;

static void order_cb(struct timer *t, void *arg)
{
	(void)t;
	fire_order[nfired++] = (uintptr_t)arg;
	if (nfired == NT)
		sem_up(&many_done);
}

/* Deadlines spread over more than one turn of the wheel (256 ticks). */
KTEST(timer, many_fire_in_deadline_order)
{
	nfired = 0;
	sem_init(&many_done, 0);
	unsigned long f = arch_irq_save(); /* arm all within one tick */
	for (int i = 0; i < NT; i++) {
		uint64_t ms = (uint64_t)((i * 37) % NT) * 2 + 1; /* 1..399 ms */
		timer_init(&many[i], order_cb, (void *)(uintptr_t)ms);
		timer_arm(&many[i], ms * 1000000, 0);
	}
	arch_irq_restore(f);
	KT_EQ(sem_down(&many_done, 0), 0);
	for (int i = 1; i < NT; i++)
		KT_ASSERT(fire_order[i - 1] <= fire_order[i]);
}
