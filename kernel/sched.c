/*
 * kernel/sched.c — the per-CPU scheduler: priority round-robin with time
 * slices, preemption from the tick, idle with hlt.
 *
 * Each CPU owns a run queue; a thread belongs to exactly one (t->cpu). The
 * run-queue lock is held across arch_switch and released by the thread that
 * was switched to (sched_finish_switch). The current thread is not in the
 * queue but keeps on_rq set, so a wakeup racing with a thread going to
 * sleep only flips its state back (no double enqueue, no lost wake-up).
 * Lock order: any wait-queue or object lock, then a run-queue lock.
 */
#include "kernel/log.h"
#include "kernel/panic.h"
#include "kernel/thread.h"

struct cpu *cpus[MAX_CPUS];
int nr_cpus;

static uint32_t slice_ticks = 10; /* set at boot */

uint32_t sched_slice_ticks(void)
{
	return slice_ticks;
}

void sched_set_slice_ms(uint32_t ms)
{
	uint32_t t = (uint32_t)((uint64_t)ms * timer_hz() / 1000);
	slice_ticks = t ? t : 1;
}

static void rq_enqueue(struct runqueue *rq, struct thread *t)
{
	list_add_tail(&rq->queue[t->prio], &t->rq_link);
	rq->bitmap |= 1u << t->prio;
	rq->nr_queued++;
}

static struct thread *rq_pick(struct runqueue *rq)
{
	if (!rq->bitmap)
		return NULL;
	int p = __builtin_ctz(rq->bitmap);
	struct list_node *n = list_pop(&rq->queue[p]);
	if (list_empty(&rq->queue[p]))
		rq->bitmap &= ~(1u << p);
	rq->nr_queued--;
	return container_of(n, struct thread, rq_link);
}

void sched_init_cpu(struct cpu *c, struct thread *boot_thread)
{
	spin_lock_init(&c->rq.lock);
	for (int p = 0; p < NR_PRIO; p++)
		list_init(&c->rq.queue[p]);
	c->current = boot_thread;
	boot_thread->cpu = c->id;
	boot_thread->on_rq = true;
	boot_thread->on_cpu = true;
	boot_thread->state = THREAD_RUNNABLE;
}

/* Runs in the thread that was switched to, with the run-queue lock held and
 * interrupts off: the previous thread is now fully off this CPU. */
static void sched_finish_switch(struct cpu *c)
{
	struct thread *prev = c->switched_from;
	c->switched_from = NULL;
	if (!prev)
		return;
	__atomic_store_n(&prev->on_cpu, false, __ATOMIC_RELEASE);
	if (prev->state == THREAD_EXITED && prev->reap_on_switch)
		c->reap = prev; /* freed after the run-queue lock is dropped */
}

static void reap_pending(struct cpu *c)
{
	struct thread *t = c->reap;
	if (t) {
		c->reap = NULL;
		thread_reap(t);
	}
}

void schedule(void)
{
	unsigned long f = arch_irq_save();
	struct cpu *c = this_cpu();
	struct thread *prev = c->current;

	spin_lock(&c->rq.lock);
	__atomic_store_n(&c->need_resched, false, __ATOMIC_RELAXED);
	if (prev != c->idle) {
		if (prev->state == THREAD_RUNNABLE)
			rq_enqueue(&c->rq, prev);
		else
			prev->on_rq = false;
	}
	struct thread *next = rq_pick(&c->rq);
	if (!next)
		next = c->idle;
	if (next != prev) {
		uint64_t now = clock_ns();
		prev->cpu_ns += now - prev->run_start;
		next->run_start = now;
		next->on_cpu = true;
		next->slice_left = slice_ticks;
		c->current = next;
		c->switched_from = prev;
		c->nr_switches++;
		arch_switch(prev, next);
		c = this_cpu(); /* back in prev, perhaps on another CPU */
		sched_finish_switch(c);
	}
	spin_unlock(&c->rq.lock);
	reap_pending(c);
	arch_irq_restore(f);
}

/* First code of every new thread (via arch_thread_start). */
void sched_thread_entry(void);
void sched_thread_entry(void)
{
	struct cpu *c = this_cpu();
	sched_finish_switch(c);
	spin_unlock(&c->rq.lock);
	reap_pending(c);
	arch_irq_enable();
	struct thread *t = c->current;
	thread_exit(t->fn(t->arg));
}

void sched_enqueue_new(struct thread *t)
{
	struct cpu *c = cpus[t->cpu];
	unsigned long f = spin_lock_irqsave(&c->rq.lock);
	t->state = THREAD_RUNNABLE;
	t->on_rq = true;
	rq_enqueue(&c->rq, t);
	struct thread *cur = c->current;
	if (cur == c->idle || t->prio < cur->prio)
		__atomic_store_n(&c->need_resched, true, __ATOMIC_RELAXED);
	spin_unlock_irqrestore(&c->rq.lock, f);
	sched_kick(c);
}

bool thread_wake(struct thread *t)
{
	struct cpu *c = cpus[t->cpu];
	bool woke = false;
	unsigned long f = spin_lock_irqsave(&c->rq.lock);
	if (t->state == THREAD_BLOCKED) {
		t->state = THREAD_RUNNABLE;
		woke = true;
		if (!t->on_rq) {
			t->on_rq = true;
			rq_enqueue(&c->rq, t);
			struct thread *cur = c->current;
			if (cur == c->idle || t->prio < cur->prio)
				__atomic_store_n(&c->need_resched, true,
						 __ATOMIC_RELAXED);
		}
	}
	spin_unlock_irqrestore(&c->rq.lock, f);
	if (woke)
		sched_kick(c);
	return woke;
}

void thread_block(struct spinlock *held, unsigned long flags)
{
	struct cpu *c = this_cpu(); /* interrupts are off: we stay here */
	struct thread *t = c->current;

	spin_lock(&c->rq.lock);
	t->state = THREAD_BLOCKED;
	spin_unlock(&c->rq.lock);
	spin_unlock(held);
	schedule();
	arch_irq_restore(flags);
}

void thread_yield(void)
{
	__atomic_store_n(&this_cpu()->need_resched, true, __ATOMIC_RELAXED);
	schedule();
}

void preempt_enable(void)
{
	struct cpu *c = this_cpu();
	__asm__ volatile("" ::: "memory");
	if (--c->preempt_off == 0 && c->need_resched && arch_irqs_enabled())
		schedule();
}

/* Timer tick on this CPU, interrupts off. */
void sched_tick(void)
{
	struct cpu *c = this_cpu();
	struct thread *t = c->current;
	if (t == c->idle) {
		if (c->rq.nr_queued)
			c->need_resched = true;
		return;
	}
	if (t->slice_left && --t->slice_left == 0)
		c->need_resched = true;
}

void sched_idle_loop(void)
{
	struct cpu *c = this_cpu();
	for (;;) {
		arch_irq_disable();
		if (c->rq.nr_queued || c->need_resched) {
			arch_irq_enable();
			schedule();
			continue;
		}
		uint64_t t0 = clock_ns();
		arch_cpu_idle(); /* sti; hlt: no wake-up lost in between */
		c->idle_ns += clock_ns() - t0;
		arch_irq_enable();
	}
}
