/*
 * tests/ktest/kt_sync.c — mutexes, condition variables and semaphores under
 * contention: exact counts, FIFO hand-off, timeouts, error codes.
 */
#include "kernel/errno.h"
#include "kernel/ktest.h"
#include "kernel/sync.h"
#include "kernel/thread.h"

#define NWORKERS 8
#define NITERS	 5000

static struct mutex cnt_lock;
static volatile uint64_t counter;

static void *count_worker(void *arg)
{
	(void)arg;
	for (int i = 0; i < NITERS; i++) {
		mutex_lock(&cnt_lock);
		uint64_t v = counter;
		if (i % 64 == 0)
			thread_yield(); /* hold the lock across a switch */
		counter = v + 1;
		mutex_unlock(&cnt_lock);
	}
	return NULL;
}

KTEST(mutex, contended_counter_exact)
{
	struct thread *t[NWORKERS];
	mutex_init(&cnt_lock);
	counter = 0;
	for (int i = 0; i < NWORKERS; i++)
		KT_ASSERT(t[i] = thread_create("cnt", count_worker, NULL,
					       PRIO_DEFAULT));
	for (int i = 0; i < NWORKERS; i++)
		KT_EQ(thread_join(t[i], NULL), 0);
	KT_EQ(counter, NWORKERS * NITERS);
}

static void *try_unlock(void *arg)
{
	return (void *)(intptr_t)mutex_unlock(arg);
}

KTEST(mutex, errors)
{
	struct mutex m;
	mutex_init(&m);
	KT_EQ(mutex_unlock(&m), -EPERM);
	mutex_lock(&m);
	KT_ASSERT(mutex_owned(&m));
	KT_ASSERT(!mutex_trylock(&m));
	struct thread *t = thread_create("unl", try_unlock, &m, PRIO_DEFAULT);
	void *rv;
	KT_ASSERT(t);
	KT_EQ(thread_join(t, &rv), 0);
	KT_EQ((intptr_t)rv, -EPERM);
	KT_EQ(mutex_unlock(&m), 0);
	KT_ASSERT(mutex_trylock(&m));
	KT_EQ(mutex_unlock(&m), 0);
}

static void *lock_timeout(void *arg)
{
	return (void *)(intptr_t)mutex_lock_timeout(arg, 5000000);
}

KTEST(mutex, timeout)
{
	struct mutex m;
	mutex_init(&m);
	mutex_lock(&m);
	struct thread *t = thread_create("mto", lock_timeout, &m, PRIO_DEFAULT);
	void *rv;
	KT_ASSERT(t);
	KT_EQ(thread_join(t, &rv), 0);
	KT_EQ((intptr_t)rv, -ETIMEDOUT);
	KT_ASSERT(waitq_empty(&m.wq));
	KT_EQ(mutex_unlock(&m), 0);
}

/* Waiters get the mutex in the order they asked for it. */
static struct mutex fifo_lock;
static volatile int fifo_log[6], fifo_n;
static void *fifo_worker(void *arg)
{
	mutex_lock(&fifo_lock);
	fifo_log[fifo_n++] = (int)(uintptr_t)arg;
	mutex_unlock(&fifo_lock);
	return NULL;
}

KTEST(mutex, fifo_handoff)
{
	struct thread *t[6];
	mutex_init(&fifo_lock);
	fifo_n = 0;
	mutex_lock(&fifo_lock);
	for (uintptr_t i = 0; i < 6; i++) {
		KT_ASSERT(t[i] =
			      thread_create_on("fifo", fifo_worker, (void *)i,
					       PRIO_DEFAULT, CPUMASK_ALL));
		/* let it run until it has queued on the mutex */
		for (int spin = 0; spin < 1000; spin++) {
			int n = 0;
			struct list_node *it;
			unsigned long f = spin_lock_irqsave(&fifo_lock.wq.lock);
			list_for_each(it, &fifo_lock.wq.waiters) n++;
			spin_unlock_irqrestore(&fifo_lock.wq.lock, f);
			if (n == (int)i + 1)
				break;
			thread_sleep_ns(100000);
		}
	}
	mutex_unlock(&fifo_lock);
	for (int i = 0; i < 6; i++)
		KT_EQ(thread_join(t[i], NULL), 0);
	for (int i = 0; i < 6; i++)
		KT_EQ(fifo_log[i], i);
}

/* Two threads hand a token back and forth through one condition variable. */
struct pingpong {
	struct mutex m;
	struct cond c;
	int turn;   /* (m) */
	int rounds; /* (m) */
};
static struct pingpong pp;
static void *pp_side(void *arg)
{
	int me = (int)(uintptr_t)arg;
	for (int i = 0; i < 1000; i++) {
		mutex_lock(&pp.m);
		while (pp.turn != me)
			cond_wait(&pp.c, &pp.m, 0);
		pp.rounds++;
		pp.turn = !me;
		cond_broadcast(&pp.c);
		mutex_unlock(&pp.m);
	}
	return NULL;
}

KTEST(cond, ping_pong_exact)
{
	mutex_init(&pp.m);
	cond_init(&pp.c);
	pp.turn = 0;
	pp.rounds = 0;
	struct thread *a =
	    thread_create("ping", pp_side, (void *)0, PRIO_DEFAULT);
	struct thread *b =
	    thread_create("pong", pp_side, (void *)1, PRIO_DEFAULT);
	KT_ASSERT(a && b);
	KT_EQ(thread_join(a, NULL), 0);
	KT_EQ(thread_join(b, NULL), 0);
	KT_EQ(pp.rounds, 2000);
}

/* A storm of waiters, woken by broadcasts, none lost. */
#define STORM 32
static struct mutex st_m;
static struct cond st_c;
static int st_gen, st_woken, st_waiting;
static void *storm_waiter(void *arg)
{
	(void)arg;
	for (int round = 1; round <= 20; round++) {
		mutex_lock(&st_m);
		st_waiting++;
		while (st_gen < round)
			cond_wait(&st_c, &st_m, 0);
		st_woken++;
		mutex_unlock(&st_m);
	}
	return NULL;
}

KTEST(cond, wakeup_storm)
{
	struct thread *t[STORM];
	mutex_init(&st_m);
	cond_init(&st_c);
	st_gen = st_woken = st_waiting = 0;
	for (int i = 0; i < STORM; i++)
		KT_ASSERT(t[i] = thread_create("storm", storm_waiter, NULL,
					       PRIO_DEFAULT));
	for (int round = 1; round <= 20; round++) {
		/* wait until every waiter has arrived for this round */
		for (;;) {
			mutex_lock(&st_m);
			bool all = st_waiting == STORM * round;
			if (all) {
				st_gen = round;
				cond_broadcast(&st_c);
			}
			mutex_unlock(&st_m);
			if (all)
				break;
			thread_yield();
		}
	}
	for (int i = 0; i < STORM; i++)
		KT_EQ(thread_join(t[i], NULL), 0);
	KT_EQ(st_woken, STORM * 20);
}

KTEST(cond, timeout_reacquires)
{
	struct mutex m;
	struct cond c;
	mutex_init(&m);
	cond_init(&c);
	mutex_lock(&m);
	KT_EQ(cond_wait(&c, &m, 3000000), -ETIMEDOUT);
	KT_ASSERT(mutex_owned(&m));
	KT_EQ(mutex_unlock(&m), 0);
}

/* Bounded buffer with two semaphores: every item arrives once. */
#define SLOTS 8
#define ITEMS 2000
static struct semaphore sem_free, sem_full;
static struct mutex buf_m;
static int buf[SLOTS], head, tail;
static void *producer(void *arg)
{
	for (int i = 1; i <= ITEMS; i++) {
		sem_down(&sem_free, 0);
		mutex_lock(&buf_m);
		buf[head++ % SLOTS] = i;
		mutex_unlock(&buf_m);
		sem_up(&sem_full);
	}
	(void)arg;
	return NULL;
}
static void *consumer(void *arg)
{
	uint64_t sum = 0;
	for (int i = 0; i < ITEMS; i++) {
		sem_down(&sem_full, 0);
		mutex_lock(&buf_m);
		sum += buf[tail++ % SLOTS];
		mutex_unlock(&buf_m);
		sem_up(&sem_free);
	}
	(void)arg;
	return (void *)(uintptr_t)sum;
}

KTEST(sem, bounded_buffer_exact)
{
	sem_init(&sem_free, SLOTS);
	sem_init(&sem_full, 0);
	mutex_init(&buf_m);
	head = tail = 0;
	struct thread *p = thread_create("prod", producer, NULL, PRIO_DEFAULT);
	struct thread *c = thread_create("cons", consumer, NULL, PRIO_DEFAULT);
	KT_ASSERT(p && c);
	void *sum;
	KT_EQ(thread_join(p, NULL), 0);
	KT_EQ(thread_join(c, &sum), 0);
	KT_EQ((uintptr_t)sum, (uint64_t)ITEMS * (ITEMS + 1) / 2);
	KT_EQ(sem_free.count, SLOTS);
	KT_EQ(sem_full.count, 0);
}

KTEST(sem, timeout_and_try)
{
	struct semaphore s;
	sem_init(&s, 1);
	KT_ASSERT(sem_trydown(&s));
	KT_ASSERT(!sem_trydown(&s));
	KT_EQ(sem_down(&s, 2000000), -ETIMEDOUT);
	sem_up(&s);
	KT_EQ(sem_down(&s, 2000000), 0);
	KT_EQ(s.count, 0);
}
