/*
 * kernel/futex.c — address-keyed wait queues in a hash table of buckets.
 */
#include "kernel/errno.h"
#include "kernel/futex.h"
#include "kernel/init.h"
#include "kernel/sync.h"
#include "kernel/thread.h"

#define FUTEX_BUCKETS 256

struct fwaiter {
	struct list_node link; /* (bucket lock) */
	const uint32_t *addr;
	struct thread *t;
	bool woken; /* (bucket lock) */
	int result; /* (bucket lock) 0, or -ETIMEDOUT from the timer */
};

static struct futex_bucket {
	struct spinlock lock;
	struct list_node waiters; /* (lock) struct fwaiter */
} buckets[FUTEX_BUCKETS];

static struct futex_bucket *bucket_of(const uint32_t *addr)
{
	uint64_t k = (uintptr_t)addr >> 2;
	k ^= k >> 17;
	k *= 0x9e3779b97f4a7c15ull;
	return &buckets[k >> 56];
}

static int futex_init(void)
{
	for (int i = 0; i < FUTEX_BUCKETS; i++) {
		spin_lock_init(&buckets[i].lock);
		list_init(&buckets[i].waiters);
	}
	return 0;
}
INITCALL(INIT_CORE, futex_init);

struct ftimeout {
	struct futex_bucket *b;
	struct fwaiter *w;
};

static void futex_timeout(struct timer *tm, void *arg)
{
	struct ftimeout *ft = arg;
	(void)tm;
	spin_lock(&ft->b->lock);
	if (!ft->w->woken) {
		ft->w->woken = true;
		ft->w->result = -ETIMEDOUT;
		list_del(&ft->w->link);
		thread_wake(ft->w->t);
	}
	spin_unlock(&ft->b->lock);
}

int futex_wait_until(const uint32_t *addr, bool (*ready)(void *), void *ctx,
		     uint64_t timeout_ns)
{
	struct futex_bucket *b = bucket_of(addr);
	struct fwaiter w = {
	    .addr = addr, .t = thread_current(), .woken = false, .result = 0};
	struct ftimeout ft = {b, &w};
	struct timer tm;

	/* Queue first, then test with no lock held: the test may read a
	 * word in a page the DSM must fetch (a fault that sleeps). A wake-up
	 * after queueing is never lost: it finds us in the bucket. */
	unsigned long f = spin_lock_irqsave(&b->lock);
	list_add_tail(&b->waiters, &w.link);
	spin_unlock_irqrestore(&b->lock, f);
	bool now_ready = ready(ctx);
	/* a signal kick before we were queued found nobody to wake */
	bool kicked = __atomic_load_n(&w.t->sig_kick, __ATOMIC_SEQ_CST);
	f = spin_lock_irqsave(&b->lock);
	if (!w.woken && (now_ready || kicked)) {
		list_del(&w.link);
		spin_unlock_irqrestore(&b->lock, f);
		return now_ready ? -EAGAIN : -EINTR;
	}
	if (timeout_ns) {
		timer_init(&tm, futex_timeout, &ft);
		timer_arm(&tm, timeout_ns, 0);
	}
	while (!w.woken) {
		thread_block(&b->lock, f);
		f = spin_lock_irqsave(&b->lock);
	}
	spin_unlock_irqrestore(&b->lock, f);
	if (timeout_ns)
		timer_cancel_sync(&tm);
	return w.result;
}

struct word_test {
	const uint32_t *addr;
	uint32_t expected;
};

static bool word_changed(void *p)
{
	struct word_test *t = p;
	return __atomic_load_n(t->addr, __ATOMIC_SEQ_CST) != t->expected;
}

int futex_wait(const uint32_t *addr, uint32_t expected, uint64_t timeout_ns)
{
	struct word_test t = {addr, expected};
	return futex_wait_until(addr, word_changed, &t, timeout_ns);
}

/* Wakes up to n waiters of this node only. */
int futex_wake_local(const uint32_t *addr, int n)
{
	struct futex_bucket *b = bucket_of(addr);
	int woken = 0;
	struct list_node *it, *tmp;

	unsigned long f = spin_lock_irqsave(&b->lock);
	list_for_each_safe(it, tmp, &b->waiters)
	{
		if (woken >= n)
			break;
		struct fwaiter *w = container_of(it, struct fwaiter, link);
		if (w->addr != addr)
			continue;
		list_del(&w->link);
		w->woken = true;
		thread_wake(w->t);
		woken++;
	}
	spin_unlock_irqrestore(&b->lock, f);
	return woken;
}

bool futex_kick(struct thread *t)
{
	for (int i = 0; i < FUTEX_BUCKETS; i++) {
		struct futex_bucket *b = &buckets[i];
		struct list_node *it;
		unsigned long f = spin_lock_irqsave(&b->lock);
		list_for_each(it, &b->waiters)
		{
			struct fwaiter *w =
			    container_of(it, struct fwaiter, link);
			if (w->t != t)
				continue;
			list_del(&w->link);
			w->woken = true;
			thread_wake(t);
			spin_unlock_irqrestore(&b->lock, f);
			return true;
		}
		spin_unlock_irqrestore(&b->lock, f);
	}
	return false;
}

/* With several nodes, waiters may sleep on any of them: the wake-up goes
 * to every other node too (spurious wake-ups are allowed to futex users;
 * they re-check their word). */
static futex_remote_fn remote_wake;

void futex_set_remote(futex_remote_fn fn)
{
	remote_wake = fn;
}

int futex_wake(const uint32_t *addr, int n)
{
	int woken = futex_wake_local(addr, n);
	if (woken < n && remote_wake)
		remote_wake(addr, n - woken);
	return woken;
}
