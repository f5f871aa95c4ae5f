/*
 * kernel/sched.c — the per-CPU scheduler: priority round-robin with time
 * slices, preemption from the tick, idle with hlt, and balancing between
 * the CPUs of a node (a new thread goes to the least loaded CPU it may use;
 * an idle CPU pulls a queued thread from the busiest one).
 *
 * Each CPU owns a run queue; a thread belongs to exactly one (t->cpu, which
 * changes only with that queue's lock held). The run-queue lock is held
 * across arch_switch and released by the thread switched to, so a thread is
 * never visible in a queue while another CPU still runs on its stack. The
 * current thread is not in the queue but keeps on_rq set, so a wakeup
 * racing with a thread going to sleep only flips its state back.
 *
 * Lock order: wait-queue/object locks, then run-queue locks; two run-queue
 * locks are taken in CPU-id order.
 */
#include "kernel/log.h"
#include "kernel/panic.h"
#include "kernel/smp.h"
#include "kernel/thread.h"
#include "mm/kmalloc.h"

struct cpu *cpus[MAX_CPUS];
int nr_cpus;

static uint32_t slice_ticks = 10; /* (c) set at boot */

uint32_t sched_slice_ticks(void)
{
	return slice_ticks;
}

uint64_t sched_idle_ns(void)
{
	uint64_t ns = 0, now = clock_ns();
	for (int i = 0; i < nr_cpus; i++) {
		struct cpu *c = cpus[i];
		if (!c || !c->idle)
			continue;
		unsigned long f = arch_irq_save();
		spin_lock(&c->rq.lock);
		ns += c->idle->cpu_ns;
		if (c->current == c->idle)
			ns += now - c->idle->run_start;
		spin_unlock(&c->rq.lock);
		arch_irq_restore(f);
	}
	return ns;
}

uint64_t sched_app_ns(void)
{
	uint64_t ns = 0;
	for (int i = 0; i < nr_cpus; i++) {
		struct cpu *c = cpus[i];
		if (!c)
			continue;
		unsigned long f = arch_irq_save();
		spin_lock(&c->rq.lock);
		ns += c->app_ns;
		/* read under the lock: a switch after it would move run_start */
		if (c->current && c->current->app_cpu)
			ns += clock_ns() - c->current->run_start;
		spin_unlock(&c->rq.lock);
		arch_irq_restore(f);
	}
	return ns;
}

uint32_t sched_runnable(void)
{
	uint32_t n = 0;
	for (int i = 0; i < nr_cpus; i++)
		if (cpus[i])
			n += __atomic_load_n(&cpus[i]->rq.nr_queued,
					     __ATOMIC_RELAXED) +
			     (__atomic_load_n(&cpus[i]->current,
					      __ATOMIC_RELAXED) !=
			      cpus[i]->idle);
	return n ? n - 1 : 0; /* not the caller (running, so counted) */
}

void sched_set_slice_ms(uint32_t ms)
{
	uint32_t t = (uint32_t)((uint64_t)ms * timer_hz() / 1000);
	slice_ticks = t ? t : 1;
}

/* ---- run queues ------------------------------------------------------- */

static void rq_enqueue(struct runqueue *rq, struct thread *t)
{
	list_add_tail(&rq->queue[t->prio], &t->rq_link);
	rq->bitmap |= 1u << t->prio;
	rq->nr_queued++;
}

static void rq_remove(struct runqueue *rq, struct thread *t)
{
	list_del(&t->rq_link);
	if (list_empty(&rq->queue[t->prio]))
		rq->bitmap &= ~(1u << t->prio);
	rq->nr_queued--;
}

static struct thread *rq_pick(struct runqueue *rq)
{
	if (!rq->bitmap)
		return NULL;
	int p = __builtin_ctz(rq->bitmap);
	struct thread *t =
	    container_of(rq->queue[p].next, struct thread, rq_link);
	rq_remove(rq, t);
	return t;
}

/* Locks the run queue that owns t (t->cpu may change until we hold it). */
struct cpu *rq_lock_thread(struct thread *t, unsigned long *flags);
struct cpu *rq_lock_thread(struct thread *t, unsigned long *flags)
{
	for (;;) {
		struct cpu *c =
		    cpus[__atomic_load_n(&t->cpu, __ATOMIC_ACQUIRE)];
		*flags = spin_lock_irqsave(&c->rq.lock);
		if (t->cpu == c->id)
			return c;
		spin_unlock_irqrestore(&c->rq.lock, *flags);
	}
}

static bool cpu_idle_now(struct cpu *c)
{
	return __atomic_load_n(&c->current, __ATOMIC_RELAXED) == c->idle &&
	       !__atomic_load_n(&c->rq.nr_queued, __ATOMIC_RELAXED);
}

/* After queueing work on a busy CPU: wake an idle CPU that may take it. */
static void kick_idle_helper(struct cpu *busy, uint64_t affinity)
{
	if (cpu_idle_now(busy))
		return;
	for (int i = 0; i < nr_cpus; i++) {
		struct cpu *o = cpus[i];
		if (o && o != busy && o->online && (affinity & (1ull << i)) &&
		    cpu_idle_now(o)) {
			__atomic_store_n(&o->need_resched, true,
					 __ATOMIC_RELAXED);
			sched_kick(o);
			return;
		}
	}
}

/* Queues t (runnable, in no queue, t->cpu's lock NOT held) on a CPU its
 * affinity allows: its own if allowed, else the least loaded. `affine`
 * (wake-ups): when this CPU has nothing queued and t's CPU is idle, queue
 * t here instead — the waker usually blocks soon (ping-pong between two
 * threads then costs two switches, not two IPIs and two idle exits); if it
 * does not, the idle CPU pulls t at its next tick. */
static void enqueue_somewhere_how(struct thread *t, bool affine)
{
	int target = t->cpu;
	struct cpu *here = this_cpu();
	bool kick_helper = true;
	if (affine && here->id != target &&
	    (t->affinity & (1ull << here->id)) && here->current != here->idle &&
	    !__atomic_load_n(&here->rq.nr_queued, __ATOMIC_RELAXED) &&
	    cpu_idle_now(cpus[target])) {
		target = here->id;
		kick_helper = false;
	}
	if (!(t->affinity & (1ull << target))) {
		uint32_t best = ~0u;
		for (int i = 0; i < nr_cpus; i++) {
			struct cpu *o = cpus[i];
			if (!o || !o->online || !(t->affinity & (1ull << i)))
				continue;
			uint32_t load =
			    o->rq.nr_queued + (o->current != o->idle);
			if (load < best)
				best = load, target = i;
		}
	}
	struct cpu *c = cpus[target];
	unsigned long f = spin_lock_irqsave(&c->rq.lock);
	__atomic_store_n(&t->cpu, target, __ATOMIC_RELEASE);
	rq_enqueue(&c->rq, t);
	struct thread *cur = c->current;
	if (cur == c->idle || t->prio < cur->prio)
		__atomic_store_n(&c->need_resched, true, __ATOMIC_RELAXED);
	spin_unlock_irqrestore(&c->rq.lock, f);
	sched_kick(c);
	if (kick_helper)
		kick_idle_helper(c, t->affinity);
}

static void enqueue_somewhere(struct thread *t)
{
	enqueue_somewhere_how(t, false);
}

/* ---- switching -------------------------------------------------------- */

/* Runs in the thread switched to, run-queue lock held, interrupts off:
 * the previous thread is now fully off this CPU. */
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

/* Work deferred until the run-queue lock is dropped. */
static void after_switch(struct cpu *c)
{
	struct thread *t = c->reap;
	if (t) {
		c->reap = NULL;
		thread_reap(t);
	}
	t = c->push;
	if (t) {
		c->push = NULL;
		enqueue_somewhere(t);
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
		if (prev->state != THREAD_RUNNABLE)
			prev->on_rq = false;
		else if (prev->affinity & (1ull << c->id))
			rq_enqueue(&c->rq, prev);
		else
			c->push = prev; /* moved once it is off this CPU */
	}
	struct thread *next = rq_pick(&c->rq);
	if (!next)
		next = c->idle;
	if (next != prev) {
		uint64_t now = clock_ns();
		prev->cpu_ns += now - prev->run_start;
		if (prev->app_cpu)
			c->app_ns += now - prev->run_start;
		next->run_start = now;
		next->on_cpu = true;
		next->slice_left = slice_ticks;
		c->current = next;
		c->kstack_lo = (uintptr_t)next->stack;
		c->kstack_top = (uintptr_t)next->stack + KSTACK_SIZE;
		c->switched_from = prev;
		c->nr_switches++;
		arch_switch(prev, next);
		c = this_cpu(); /* back in prev, perhaps on another CPU */
		sched_finish_switch(c);
	}
	spin_unlock(&c->rq.lock);
	after_switch(c);
	arch_irq_restore(f);
}

/* First code of every new thread (via arch_thread_start). */
void sched_thread_entry(void);
void sched_thread_entry(void)
{
	struct cpu *c = this_cpu();
	sched_finish_switch(c);
	spin_unlock(&c->rq.lock);
	after_switch(c);
	arch_irq_enable();
	struct thread *t = c->current;
	thread_exit(t->fn(t->arg));
}

void sched_enqueue_new(struct thread *t)
{
	t->state = THREAD_RUNNABLE;
	t->on_rq = true;
	enqueue_somewhere(t);
}

bool thread_wake(struct thread *t)
{
	unsigned long f;
	struct cpu *c = rq_lock_thread(t, &f);
	bool woke = false, requeue = false;
	if (t->state == THREAD_BLOCKED) {
		t->state = THREAD_RUNNABLE;
		woke = true;
		if (!t->on_rq) {
			t->on_rq = true;
			requeue = true;
		}
	}
	spin_unlock_irqrestore(&c->rq.lock, f);
	if (requeue)
		enqueue_somewhere_how(t, true);
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

/* Moves a queued thread from the busiest CPU to c (c idle). */
static bool steal(struct cpu *c)
{
	struct cpu *busiest = NULL;
	uint32_t most = 0;
	for (int i = 0; i < nr_cpus; i++) {
		struct cpu *o = cpus[i];
		if (!o || o == c || !o->online)
			continue;
		uint32_t q =
		    __atomic_load_n(&o->rq.nr_queued, __ATOMIC_RELAXED);
		if (q > most)
			most = q, busiest = o;
	}
	if (!busiest)
		return false;
	struct cpu *first = c->id < busiest->id ? c : busiest;
	struct cpu *second = first == c ? busiest : c;
	unsigned long f = spin_lock_irqsave(&first->rq.lock);
	spin_lock(&second->rq.lock);
	struct thread *victim = NULL;
	for (int p = 0; p < NR_PRIO && !victim; p++) {
		struct list_node *it;
		list_for_each(it, &busiest->rq.queue[p])
		{
			struct thread *t =
			    container_of(it, struct thread, rq_link);
			if (t->affinity & (1ull << c->id)) {
				victim = t;
				break;
			}
		}
	}
	if (victim) {
		rq_remove(&busiest->rq, victim);
		__atomic_store_n(&victim->cpu, c->id, __ATOMIC_RELEASE);
		rq_enqueue(&c->rq, victim);
		c->nr_steals++;
	}
	spin_unlock(&second->rq.lock);
	spin_unlock_irqrestore(&first->rq.lock, f);
	return victim != NULL;
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
		if (!c->rq.nr_queued && nr_cpus > 1)
			steal(c);
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

/* ---- CPU start-up ----------------------------------------------------- */

static void *idle_entry(void *arg)
{
	(void)arg;
	sched_idle_loop();
}

struct thread *thread_alloc_struct(const char *name, int prio);
void arch_thread_start_idle(struct thread *t);

/* Sets up c's run queue; `first` is the context running now. If it is the
 * CPU's idle context (APs), it becomes the idle thread; else an idle thread
 * is made (boot CPU). */
void sched_cpu_start(struct cpu *c, struct thread *first, bool first_is_idle);
void sched_cpu_start(struct cpu *c, struct thread *first, bool first_is_idle)
{
	struct thread *idle = first_is_idle ? first : NULL;
	if (!idle) {
		idle = thread_alloc_struct("idle", PRIO_IDLE);
		if (!idle || !(idle->stack = kmalloc(KSTACK_SIZE)))
			panic("sched: no memory for CPU %d's idle thread",
			      c->id);
		idle->fn = idle_entry;
		extern void sched_thread_entry(void);
		arch_thread_init_stack(idle, sched_thread_entry);
	}
	idle->cpu = c->id;
	idle->affinity = 1ull << c->id;
	idle->state = THREAD_RUNNABLE;
	idle->prio = PRIO_IDLE;
	c->idle = idle;
	timer_cpu_init(c->id);
	spin_lock_init(&c->rq.lock);
	for (int p = 0; p < NR_PRIO; p++)
		list_init(&c->rq.queue[p]);
	c->current = first;
	c->kstack_lo = (uintptr_t)first->stack;
	c->kstack_top = (uintptr_t)first->stack + KSTACK_SIZE;
	first->cpu = c->id;
	first->on_rq = true;
	first->on_cpu = true;
	first->state = THREAD_RUNNABLE;
	first->run_start = clock_ns();
	__atomic_store_n(&c->online, true, __ATOMIC_RELEASE);
}

int thread_set_affinity(struct thread *t, uint64_t mask)
{
	if (!(mask & smp_online_mask()))
		return -22; /* -EINVAL: no online CPU allowed */
	unsigned long f;
	struct cpu *c = rq_lock_thread(t, &f);
	t->affinity = mask;
	bool allowed = mask & (1ull << c->id);
	bool queued = t->on_rq && c->current != t &&
		      t->state == THREAD_RUNNABLE && !list_empty(&t->rq_link);
	if (!allowed && queued)
		rq_remove(&c->rq, t);
	if (!allowed && c->current == t)
		__atomic_store_n(&c->need_resched, true, __ATOMIC_RELAXED);
	spin_unlock_irqrestore(&c->rq.lock, f);
	if (!allowed && queued)
		enqueue_somewhere(t);
	else if (!allowed && t == thread_current())
		schedule(); /* pushed to an allowed CPU on the way out */
	else if (!allowed)
		sched_kick(c);
	return 0;
}
