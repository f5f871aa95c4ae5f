/*
 * kernel/timer.c — the clock and per-CPU timer wheels driven by the tick.
 *
 * A wheel has TIMER_WHEEL_SLOTS slots; a timer sits in slot expires % SLOTS
 * and fires on the tick where ticks >= expires (timers further than one
 * turn away are skipped until their turn). Callbacks run on the arming CPU,
 * in interrupt context, after the wheel lock is dropped.
 */
#include "kernel/arch.h"
#include "kernel/percpu.h"
#include "kernel/time.h"

static uint64_t tsc_hz, tsc_boot, ns_mult; /* (c) after clock_init */
static uint64_t realtime_base;		   /* (c) */
static uint32_t tick_hz = 1000;		   /* (c) */
static uint64_t tick_ns = 1000000;	   /* (c) */

void clock_init(uint64_t hz, uint64_t at_boot)
{
	tsc_boot = at_boot;
	tsc_hz = hz;
	ns_mult = (uint64_t)(((__uint128_t)NSEC_PER_SEC << 32) / hz);
}

uint64_t clock_tsc_hz(void)
{
	return tsc_hz;
}

uint64_t clock_cycles_to_ns(uint64_t cycles)
{
	return (uint64_t)(((__uint128_t)cycles * ns_mult) >> 32);
}

uint64_t clock_ns(void)
{
#ifdef UNUM_HOST
	return 0;
#else
	if (!ns_mult)
		return 0;
	return clock_cycles_to_ns(arch_rdtsc() - tsc_boot);
#endif
}

uint64_t clock_ns_at_hz(uint64_t hz)
{
#ifdef UNUM_HOST
	(void)hz;
	return 0;
#else
	if (!ns_mult || !hz)
		return 0;
	uint64_t mult = (NSEC_PER_SEC << 32) / hz; /* fits: 1e9 < 2^32 */
	return (uint64_t)(((__uint128_t)(arch_rdtsc() - tsc_boot) * mult) >>
			  32);
#endif
}

void clock_set_realtime_base(uint64_t epoch_ns)
{
	realtime_base = epoch_ns;
}
uint64_t clock_realtime_ns(void)
{
	return realtime_base + clock_ns();
}

static uint64_t (*cluster_mono)(void);	   /* (a) set once */
static uint64_t (*cluster_realtime)(void); /* (a) set once, before mono */

void clock_set_cluster(uint64_t (*mono)(void), uint64_t (*realtime)(void))
{
	__atomic_store_n(&cluster_realtime, realtime, __ATOMIC_RELEASE);
	__atomic_store_n(&cluster_mono, mono, __ATOMIC_RELEASE);
}

uint64_t clock_cluster_ns(void)
{
	uint64_t (*fn)(void) = __atomic_load_n(&cluster_mono, __ATOMIC_ACQUIRE);
	return fn ? fn() : clock_ns();
}

uint64_t clock_cluster_realtime_ns(void)
{
	uint64_t (*fn)(void) =
	    __atomic_load_n(&cluster_realtime, __ATOMIC_ACQUIRE);
	return fn ? fn() : clock_realtime_ns();
}

uint32_t timer_hz(void)
{
	return tick_hz;
}
void timer_set_hz(uint32_t hz)
{
	tick_hz = hz;
	tick_ns = NSEC_PER_SEC / hz;
}

void timer_cpu_init(int cpu)
{
	struct cpu *c = cpus[cpu];
	spin_lock_init(&c->timer_lock);
	for (int i = 0; i < TIMER_WHEEL_SLOTS; i++)
		list_init(&c->wheel[i]);
}

uint64_t timer_ticks(void)
{
	return this_cpu()->ticks;
}

void timer_init(struct timer *t, void (*fn)(struct timer *, void *), void *arg)
{
	list_init(&t->link);
	t->fn = fn;
	t->arg = arg;
	t->cpu = -1;
	t->armed = false;
	t->running = false;
	t->period_ticks = 0;
	t->period_ns = 0;
	t->deadline_ns = 0;
}

static uint64_t ns_to_ticks(uint64_t ns)
{
	uint64_t n = (ns + tick_ns - 1) / tick_ns;
	return n ? n : 1;
}

static void wheel_insert(struct cpu *c, struct timer *t, uint64_t delta)
{
	/* +1: the current tick may be almost over; never fire early */
	t->expires = c->ticks + delta + 1;
	t->armed = true;
	t->cpu = c->id;
	list_add_tail(&c->wheel[t->expires % TIMER_WHEEL_SLOTS], &t->link);
}

void timer_arm(struct timer *t, uint64_t delay_ns, uint64_t period_ns)
{
	timer_cancel(t);
	unsigned long f = arch_irq_save();
	struct cpu *c = this_cpu();
	spin_lock(&c->timer_lock);
	t->period_ticks = period_ns ? ns_to_ticks(period_ns) : 0;
	t->period_ns = period_ns;
	t->deadline_ns = clock_ns() + delay_ns;
	wheel_insert(c, t, ns_to_ticks(delay_ns));
	spin_unlock(&c->timer_lock);
	arch_irq_restore(f);
}

bool timer_cancel(struct timer *t)
{
	for (;;) {
		int cpu = __atomic_load_n(&t->cpu, __ATOMIC_ACQUIRE);
		if (cpu < 0)
			return false;
		struct cpu *c = cpus[cpu];
		unsigned long f = spin_lock_irqsave(&c->timer_lock);
		if (t->cpu != cpu) { /* moved meanwhile: retry */
			spin_unlock_irqrestore(&c->timer_lock, f);
			continue;
		}
		bool was = t->armed;
		if (was)
			list_del(&t->link);
		t->armed = false;
		t->period_ticks = 0;
		t->cpu = -1;
		spin_unlock_irqrestore(&c->timer_lock, f);
		return was;
	}
}

bool timer_cancel_sync(struct timer *t)
{
	bool was = timer_cancel(t);
	while (__atomic_load_n(&t->running, __ATOMIC_ACQUIRE))
		arch_cpu_relax();
	return was;
}

void timer_tick(void)
{
	struct cpu *c = this_cpu();
	struct list_node due;
	list_init(&due);

	spin_lock(&c->timer_lock);
	c->ticks++;
	struct list_node *slot = &c->wheel[c->ticks % TIMER_WHEEL_SLOTS], *it,
			 *tmp;
	list_for_each_safe(it, tmp, slot)
	{
		struct timer *t = container_of(it, struct timer, link);
		if (t->expires > c->ticks)
			continue;
		list_del(&t->link);
		/* ticks can come in bursts (a virtual CPU catching up): the
		 * clock, not the tick count, says whether the time is up */
		if (clock_ns() < t->deadline_ns) {
			wheel_insert(c, t, 0);
			continue;
		}
		t->armed = false;
		__atomic_store_n(&t->running, true, __ATOMIC_RELAXED);
		list_add_tail(&due, &t->link);
	}
	spin_unlock(&c->timer_lock);

	while (!list_empty(&due)) {
		struct timer *t =
		    container_of(list_pop(&due), struct timer, link);
		t->fn(t, t->arg);
		spin_lock(&c->timer_lock);
		if (t->period_ticks && !t->armed && t->cpu == c->id) {
			t->deadline_ns += t->period_ns;
			wheel_insert(c, t, t->period_ticks - 1);
		} else if (!t->armed && t->cpu == c->id)
			t->cpu = -1;
		spin_unlock(&c->timer_lock);
		__atomic_store_n(&t->running, false, __ATOMIC_RELEASE);
	}
}
