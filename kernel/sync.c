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

bool waitq_empty(struct waitq *wq) { return list_empty(&wq->waiters); }

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

int waitq_wait(struct waitq *wq, unsigned long *flags, uint64_t timeout_ns)
{
	struct waiter w = { .t = thread_current(), .result = 0, .woken = false };
	struct wait_timeout wt = { wq, &w };
	struct timer tm;

	list_init(&w.link);
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
}

int mutex_lock_timeout(struct mutex *m, uint64_t timeout_ns)
{
	struct thread *self = thread_current();
	unsigned long f = spin_lock_irqsave(&m->wq.lock);
	int rc = 0;
	if (!m->owner)
		m->owner = self;
	else
		rc = waitq_wait(&m->wq, &f, timeout_ns);
	/* woken means handed off: we own it even if the timer also fired */
	if (m->owner == self)
		rc = 0;
	spin_unlock_irqrestore(&m->wq.lock, f);
	return rc;
}

void mutex_lock(struct mutex *m) { mutex_lock_timeout(m, 0); }

bool mutex_trylock(struct mutex *m)
{
	unsigned long f = spin_lock_irqsave(&m->wq.lock);
	bool ok = !m->owner;
	if (ok)
		m->owner = thread_current();
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
	m->owner = n == &m->wq.waiters ? NULL
				       : container_of(n, struct waiter, link)->t;
	if (m->owner)
		waitq_wake_one(&m->wq, 0);
	spin_unlock_irqrestore(&m->wq.lock, f);
	return 0;
}

bool mutex_owned(struct mutex *m)
{
	return __atomic_load_n(&m->owner, __ATOMIC_RELAXED) == thread_current();
}

void cond_init(struct cond *c) { waitq_init(&c->wq); }

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
		rc = waitq_wait(&s->wq, &f, timeout_ns); /* 0: unit handed to us */
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
