/*
 * kernel/thread.c — thread life cycle: create, exit, join, detach, sleep.
 */
#include "kernel/errno.h"
#include "kernel/kstring.h"
#include "kernel/log.h"
#include "kernel/panic.h"
#include "kernel/thread.h"
#include "mm/kmalloc.h"

static struct spinlock all_lock = SPINLOCK_INIT;
static struct list_node all_threads =
    LIST_HEAD_INIT(all_threads); /* (all_lock) */
static uint64_t nr_threads;	 /* (all_lock) */
static uint64_t next_tid = 1;	 /* (a) */

void sched_thread_entry(void);

struct thread *thread_current(void)
{
	return this_cpu()->current;
}

uint64_t thread_count(void)
{
	return __atomic_load_n(&nr_threads, __ATOMIC_RELAXED);
}

bool thread_for_each(bool (*fn)(struct thread *t, void *arg), void *arg)
{
	bool hit = false;
	struct list_node *it;
	unsigned long f = spin_lock_irqsave(&all_lock);
	list_for_each(it, &all_threads)
	{
		if (fn(container_of(it, struct thread, all_link), arg)) {
			hit = true;
			break;
		}
	}
	spin_unlock_irqrestore(&all_lock, f);
	return hit;
}

/* A thread and its FPU area in one allocation; the stack in another. */
struct thread_alloc {
	struct thread t;
	uint8_t fpu[512] __attribute__((aligned(16)));
};

static void thread_track(struct thread *t)
{
	unsigned long f = spin_lock_irqsave(&all_lock);
	list_add_tail(&all_threads, &t->all_link);
	nr_threads++;
	spin_unlock_irqrestore(&all_lock, f);
}

/* Chooses a CPU for a new thread: the least loaded one it may run on. */
static int pick_cpu(uint64_t affinity)
{
	int best = -1;
	uint32_t best_load = ~0u;
	for (int i = 0; i < nr_cpus; i++) {
		struct cpu *c = cpus[i];
		if (!c || !c->online || !(affinity & (1ull << i)))
			continue;
		uint32_t load =
		    __atomic_load_n(&c->rq.nr_queued, __ATOMIC_RELAXED) +
		    (c->current != c->idle);
		if (load < best_load) {
			best_load = load;
			best = i;
		}
	}
	return best;
}

struct thread *thread_alloc_struct(const char *name, int prio);
struct thread *thread_alloc_struct(const char *name, int prio)
{
	struct thread_alloc *ta = kzalloc(sizeof(*ta));
	if (!ta)
		return NULL;
	struct thread *t = &ta->t;
	t->fpu = ta->fpu;
	arch_fpu_init_area(t->fpu);
	kstrlcpy(t->name, name, sizeof(t->name));
	t->tid = __atomic_fetch_add(&next_tid, 1, __ATOMIC_RELAXED);
	t->prio = prio;
	t->affinity = CPUMASK_ALL;
	t->state = THREAD_BLOCKED;
	t->migrate_to = -1;
	spin_lock_init(&t->join_lock);
	list_init(&t->rq_link);
	return t;
}

struct thread *thread_create_on(const char *name, void *(*fn)(void *),
				void *arg, int prio, uint64_t affinity)
{
	if (prio < 0 || prio >= NR_PRIO)
		return NULL;
	int cpu = pick_cpu(affinity);
	if (cpu < 0)
		return NULL;
	struct thread *t = thread_alloc_struct(name, prio);
	if (!t)
		return NULL;
	t->stack = kmalloc(KSTACK_SIZE);
	if (!t->stack) {
		kfree(t);
		return NULL;
	}
	t->fn = fn;
	t->arg = arg;
	t->affinity = affinity;
	t->cpu = cpu;
	arch_thread_init_stack(t, sched_thread_entry);
	thread_track(t);
	sched_enqueue_new(t);
	return t;
}

struct thread *thread_create(const char *name, void *(*fn)(void *), void *arg,
			     int prio)
{
	return thread_create_on(name, fn, arg, prio, CPUMASK_ALL);
}

void thread_reap(struct thread *t)
{
	/* the thread is off every CPU: nothing runs on its stack any more */
	while (__atomic_load_n(&t->on_cpu, __ATOMIC_ACQUIRE))
		arch_cpu_relax();
	unsigned long f = spin_lock_irqsave(&all_lock);
	list_del(&t->all_link);
	nr_threads--;
	spin_unlock_irqrestore(&all_lock, f);
	kfree(t->stack);
	kfree(t); /* the struct thread_alloc starts with the thread */
}

void thread_exit(void *retval)
{
	struct thread *t = thread_current();
	unsigned long f = spin_lock_irqsave(&t->join_lock);
	t->retval = retval;
	struct thread *joiner = t->joiner;
	bool reap = t->detached;

	struct cpu *c = this_cpu(); /* interrupts are off from here on */
	spin_lock(&c->rq.lock);
	t->state = THREAD_EXITED;
	t->reap_on_switch = reap;
	spin_unlock(&c->rq.lock);
	spin_unlock(&t->join_lock);
	if (joiner)
		thread_wake(joiner);
	(void)f;
	schedule();
	panic("thread %s ran after exit", t->name);
}

/* Reads t->state under its run-queue lock. */
static bool thread_has_exited(struct thread *t)
{
	unsigned long f;
	struct cpu *c = rq_lock_thread(t, &f);
	bool e = t->state == THREAD_EXITED;
	spin_unlock_irqrestore(&c->rq.lock, f);
	return e;
}

int thread_join(struct thread *t, void **retval)
{
	struct thread *self = thread_current();
	if (t == self)
		return -EDEADLK;
	unsigned long f = spin_lock_irqsave(&t->join_lock);
	if (t->detached || t->joined) {
		spin_unlock_irqrestore(&t->join_lock, f);
		return -EINVAL;
	}
	t->joined = true;
	while (!thread_has_exited(t)) {
		t->joiner = self;
		thread_block(&t->join_lock, f);
		f = spin_lock_irqsave(&t->join_lock);
	}
	void *rv = t->retval;
	spin_unlock_irqrestore(&t->join_lock, f);
	if (retval)
		*retval = rv;
	thread_reap(t);
	return 0;
}

int thread_detach(struct thread *t)
{
	unsigned long f = spin_lock_irqsave(&t->join_lock);
	if (t->detached || t->joined) {
		spin_unlock_irqrestore(&t->join_lock, f);
		return -EINVAL;
	}
	t->detached = true;
	/* if it already exited, it was not marked for reaping: do it now */
	unsigned long f2;
	struct cpu *c = rq_lock_thread(t, &f2);
	bool exited = t->state == THREAD_EXITED;
	if (!exited) /* else thread_exit already chose: not reaped on switch */
		t->reap_on_switch = true;
	spin_unlock_irqrestore(&c->rq.lock, f2);
	spin_unlock_irqrestore(&t->join_lock, f);
	if (exited)
		thread_reap(t);
	return 0;
}

struct sleeper {
	struct spinlock lock;
	struct thread *t;
	bool done; /* (lock) */
};

static void sleep_timeout(struct timer *tm, void *arg)
{
	struct sleeper *s = arg;
	(void)tm;
	spin_lock(&s->lock);
	s->done = true;
	thread_wake(s->t);
	spin_unlock(&s->lock);
}

void thread_sleep_ns(uint64_t ns)
{
	struct sleeper s = {SPINLOCK_INIT, thread_current(), false};
	struct timer tm;

	timer_init(&tm, sleep_timeout, &s);
	unsigned long f = spin_lock_irqsave(&s.lock);
	timer_arm(&tm, ns, 0);
	while (!s.done) {
		thread_block(&s.lock, f);
		f = spin_lock_irqsave(&s.lock);
	}
	spin_unlock_irqrestore(&s.lock, f);
	timer_cancel_sync(&tm);
}
