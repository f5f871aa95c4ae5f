/*
 * kernel/sync.c — wait queues, mutexes, condition variables, semaphores.
 *
 * Ownership is handed off: an unlock with waiters gives the mutex (or the
 * semaphore's unit) straight to the oldest waiter, so waiters are served in
 * FIFO order and a running thread cannot barge past them forever.
 */
#include "kernel/errno.h"
#include "kernel/sync.h"
#include "kernel/thread.h"

void waitq_init(struct waitq *wq)
{
	spin_lock_init(&wq->lock);
	list_init(&wq->waiters);
}

bool waitq_empty(struct waitq *wq)
{
	return list_empty(&wq->waiters);
}

struct wait_timeout {
	struct waitq *wq;
	struct waiter *w;
};

static void waitq_timeout(struct timer *tm, void *arg)
{
	struct wait_timeout *wt = arg;
	(void)tm;
	spin_lock(&wt->wq->lock);
	if (!wt->w->woken) {
		list_del(&wt->w->link);
		wt->w->woken = true;
		wt->w->result = -ETIMEDOUT;
		thread_wake(wt->w->t);
	}
	spin_unlock(&wt->wq->lock);
}

static int waitq_wait_at(struct waitq *wq, unsigned long *flags,
			 uint64_t timeout_ns, bool front)
{
	struct waiter w = {.t = thread_current(), .result = 0, .woken = false};
	struct wait_timeout wt = {wq, &w};
	struct timer tm;

	list_init(&w.link);
	if (front)
		list_add_head(&wq->waiters, &w.link);
	else
		list_add_tail(&wq->waiters, &w.link);
	if (timeout_ns) {
		timer_init(&tm, waitq_timeout, &wt);
		timer_arm(&tm, timeout_ns, 0);
	}
	while (!w.woken) {
		thread_block(&wq->lock, *flags);
		*flags = spin_lock_irqsave(&wq->lock);
	}
	if (timeout_ns) {
		/* the callback takes wq->lock: wait for it unlocked */
		spin_unlock_irqrestore(&wq->lock, *flags);
		timer_cancel_sync(&tm);
		*flags = spin_lock_irqsave(&wq->lock);
	}
	return w.result;
}

int waitq_wait(struct waitq *wq, unsigned long *flags, uint64_t timeout_ns)
{
	return waitq_wait_at(wq, flags, timeout_ns, false);
}

int waitq_wait_front(struct waitq *wq, unsigned long *flags,
		     uint64_t timeout_ns)
{
	return waitq_wait_at(wq, flags, timeout_ns, true);
}

struct thread *waitq_wake_one(struct waitq *wq, int result)
{
	struct list_node *n = list_pop(&wq->waiters);
	if (!n)
		return NULL;
	struct waiter *w = container_of(n, struct waiter, link);
	w->woken = true;
	w->result = result;
	struct thread *t = w->t;
	thread_wake(t); /* w may be gone once t runs: read t first */
	return t;
}

int waitq_wake_all(struct waitq *wq, int result)
{
	int n = 0;
	while (waitq_wake_one(wq, result))
		n++;
	return n;
}

void mutex_init(struct mutex *m)
{
	waitq_init(&m->wq);
	m->owner = NULL;
	m->handoff = false;
}

#define MUTEX_SPIN_MAX 20000

/* Spins while the owner is running; true if we took the lock. */
static bool mutex_spin(struct mutex *m)
{
	for (int i = 0; i < MUTEX_SPIN_MAX; i++) {
		struct thread *o = __atomic_load_n(&m->owner, __ATOMIC_RELAXED);
		if (!o) {
			if (mutex_trylock(m))
				return true;
		} else if (!__atomic_load_n(&o->on_cpu, __ATOMIC_RELAXED)) {
			return false; /* the owner sleeps: so shall we */
		}
		arch_cpu_relax();
	}
	return false;
}

int mutex_lock_timeout(struct mutex *m, uint64_t timeout_ns)
{
	struct thread *self = thread_current();
	if (mutex_trylock(m) || mutex_spin(m))
		return 0;
	uint64_t start = clock_ns();
	uint64_t deadline = timeout_ns ? start + timeout_ns : 0;
	bool lost = false;
	int rc = 0;
	unsigned long f = spin_lock_irqsave(&m->wq.lock);
	for (;;) {
		if (!m->owner && !m->handoff) {
			m->owner = self;
			break;
		}
		uint64_t left = 0;
		if (deadline) {
			uint64_t now = clock_ns();
			if (now >= deadline) {
				rc = -ETIMEDOUT;
				break;
			}
			left = deadline - now;
		}
		if (lost && clock_ns() - start > MUTEX_HANDOFF_NS)
			m->handoff = true;
		rc = lost ? waitq_wait_front(&m->wq, &f, left)
			  : waitq_wait(&m->wq, &f, left);
		if (m->owner == self) { /* handed off */
			rc = 0;
			break;
		}
		if (rc == -ETIMEDOUT)
			break;
		lost = true;
	}
	if (rc && m->handoff && waitq_empty(&m->wq))
		m->handoff = false; /* nobody left to hand it to */
	spin_unlock_irqrestore(&m->wq.lock, f);
	return rc;
}

void mutex_lock(struct mutex *m)
{
	mutex_lock_timeout(m, 0);
}

bool mutex_trylock(struct mutex *m)
{
	struct thread *self = thread_current();
	unsigned long f = spin_lock_irqsave(&m->wq.lock);
	bool ok = !m->owner && !m->handoff;
	if (ok)
		m->owner = self;
	spin_unlock_irqrestore(&m->wq.lock, f);
	return ok;
}

int mutex_unlock(struct mutex *m)
{
	unsigned long f = spin_lock_irqsave(&m->wq.lock);
	if (m->owner != thread_current()) {
		spin_unlock_irqrestore(&m->wq.lock, f);
		return -EPERM;
	}
	struct list_node *n = m->wq.waiters.next;
	if (n != &m->wq.waiters && m->handoff) {
		m->owner = container_of(n, struct waiter, link)->t;
		m->handoff = false;
	} else {
		m->owner = NULL;
	}
	waitq_wake_one(&m->wq, 0);
	spin_unlock_irqrestore(&m->wq.lock, f);
	return 0;
}

bool mutex_owned(struct mutex *m)
{
	return __atomic_load_n(&m->owner, __ATOMIC_RELAXED) == thread_current();
}

void cond_init(struct cond *c)
{
	waitq_init(&c->wq);
}

int cond_wait(struct cond *c, struct mutex *m, uint64_t timeout_ns)
{
	unsigned long f = spin_lock_irqsave(&c->wq.lock);
	mutex_unlock(m); /* queued before the mutex is free: no lost signal */
	int rc = waitq_wait(&c->wq, &f, timeout_ns);
	spin_unlock_irqrestore(&c->wq.lock, f);
	mutex_lock(m);
	return rc;
}

void cond_signal(struct cond *c)
{
	unsigned long f = spin_lock_irqsave(&c->wq.lock);
	waitq_wake_one(&c->wq, 0);
	spin_unlock_irqrestore(&c->wq.lock, f);
}

void cond_broadcast(struct cond *c)
{
	unsigned long f = spin_lock_irqsave(&c->wq.lock);
	waitq_wake_all(&c->wq, 0);
	spin_unlock_irqrestore(&c->wq.lock, f);
}

void sem_init(struct semaphore *s, uint64_t count)
{
	waitq_init(&s->wq);
	s->count = count;
}

int sem_down(struct semaphore *s, uint64_t timeout_ns)
{
	unsigned long f = spin_lock_irqsave(&s->wq.lock);
	int rc = 0;
	if (s->count)
		s->count--;
	else
		rc = waitq_wait(&s->wq, &f,
				timeout_ns); /* 0: unit handed to us */
	spin_unlock_irqrestore(&s->wq.lock, f);
	return rc;
}

bool sem_trydown(struct semaphore *s)
{
	unsigned long f = spin_lock_irqsave(&s->wq.lock);
	bool ok = s->count > 0;
	if (ok)
		s->count--;
	spin_unlock_irqrestore(&s->wq.lock, f);
	return ok;
}

void sem_up(struct semaphore *s)
{
	unsigned long f = spin_lock_irqsave(&s->wq.lock);
	if (!waitq_wake_one(&s->wq, 0))
		s->count++;
	spin_unlock_irqrestore(&s->wq.lock, f);
}
