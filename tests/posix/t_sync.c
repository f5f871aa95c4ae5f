/*
 * t_sync.c — mutexes (normal, recursive, errorcheck, timed), condition
 * variables (both clocks), rwlocks, barriers, spinlocks: behaviour, error
 * codes and exact results under contention.
 */
#include <pthread.h>
#include <semaphore.h>
#include <stdint.h>
#include <time.h>
#include <unistd.h>

#include "ptest.h"

#define NT    8
#define ITERS 20000

static pthread_mutex_t counter_lock = PTHREAD_MUTEX_INITIALIZER;
static long counter;

static void *count(void *a)
{
	for (int i = 0; i < ITERS; i++) {
		pthread_mutex_lock(&counter_lock);
		counter++;
		pthread_mutex_unlock(&counter_lock);
	}
	return a;
}

static struct timespec in_ms(clockid_t c, long ms)
{
	struct timespec ts;
	clock_gettime(c, &ts);
	ts.tv_nsec += (ms % 1000) * 1000000;
	ts.tv_sec += ms / 1000 + ts.tv_nsec / 1000000000;
	ts.tv_nsec %= 1000000000;
	return ts;
}

static void *try_other(void *m)
{
	return (void *)(intptr_t)pthread_mutex_trylock(m);
}
static void *timed_other(void *m)
{
	struct timespec ts = in_ms(CLOCK_REALTIME, 20);
	return (void *)(intptr_t)pthread_mutex_timedlock(m, &ts);
}
static void *unlock_other(void *m)
{
	return (void *)(intptr_t)pthread_mutex_unlock(m);
}

static pthread_mutex_t pm = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t pc = PTHREAD_COND_INITIALIZER;
static int turn, rounds;
static void *pingpong(void *a)
{
	int me = (int)(intptr_t)a;
	for (int i = 0; i < 2000; i++) {
		pthread_mutex_lock(&pm);
		while (turn != me)
			pthread_cond_wait(&pc, &pm);
		rounds++;
		turn = !me;
		pthread_cond_signal(&pc);
		pthread_mutex_unlock(&pm);
	}
	return NULL;
}

static pthread_barrier_t bar;
static int phase_sum[5];
static int serials;
static void *barrier_worker(void *a)
{
	for (int p = 0; p < 5; p++) {
		__atomic_fetch_add(&phase_sum[p], 1, __ATOMIC_RELAXED);
		if (pthread_barrier_wait(&bar) == PTHREAD_BARRIER_SERIAL_THREAD)
			__atomic_fetch_add(&serials, 1, __ATOMIC_RELAXED);
		if (phase_sum[p] != NT)
			return (void *)1;
	}
	return a;
}

static pthread_rwlock_t rw = PTHREAD_RWLOCK_INITIALIZER;
static long shared_a, shared_b;
static void *rw_worker(void *a)
{
	long bad = 0;
	for (int i = 0; i < 5000; i++) {
		if (i % 10 == 0) {
			pthread_rwlock_wrlock(&rw);
			shared_a++;
			shared_b++;
			pthread_rwlock_unlock(&rw);
		} else {
			pthread_rwlock_rdlock(&rw);
			bad += shared_a != shared_b;
			pthread_rwlock_unlock(&rw);
		}
	}
	(void)a;
	return (void *)bad;
}

static pthread_spinlock_t spin;
static long spin_counter;
static void *spin_worker(void *a)
{
	for (int i = 0; i < ITERS; i++) {
		pthread_spin_lock(&spin);
		spin_counter++;
		pthread_spin_unlock(&spin);
	}
	return a;
}

int main(void)
{
	pthread_t t[NT];
	void *rv;

	for (int i = 0; i < NT; i++)
		pthread_create(&t[i], NULL, count, NULL);
	for (int i = 0; i < NT; i++)
		pthread_join(t[i], NULL);
	CHECK_EQ(counter, NT * ITERS, "contended mutex counter is exact");

	pthread_mutexattr_t ma;
	pthread_mutex_t m;
	pthread_mutexattr_init(&ma);
	CHECK_EQ(pthread_mutexattr_settype(&ma, 99), EINVAL,
		 "bad mutex type: EINVAL");
	pthread_mutexattr_settype(&ma, PTHREAD_MUTEX_ERRORCHECK);
	pthread_mutex_init(&m, &ma);
	CHECK_EQ(pthread_mutex_unlock(&m), EPERM,
		 "errorcheck unlock unowned: EPERM");
	pthread_mutex_lock(&m);
	CHECK_EQ(pthread_mutex_lock(&m), EDEADLK, "errorcheck relock: EDEADLK");
	pthread_create(&t[0], NULL, try_other, &m);
	pthread_join(t[0], &rv);
	CHECK_EQ((intptr_t)rv, EBUSY, "trylock of a held mutex: EBUSY");
	pthread_create(&t[0], NULL, unlock_other, &m);
	pthread_join(t[0], &rv);
	CHECK_EQ((intptr_t)rv, EPERM,
		 "errorcheck unlock by another thread: EPERM");
	CHECK_EQ(pthread_mutex_destroy(&m), EBUSY,
		 "destroy a locked mutex: EBUSY");
	struct timespec ts;
	CHECK_EQ(pthread_mutex_unlock(&m), 0, "unlock");
	CHECK_EQ(pthread_mutex_destroy(&m), 0, "destroy");
	CHECK_EQ(pthread_mutex_lock(&m), EINVAL,
		 "lock a destroyed mutex: EINVAL");

	pthread_mutexattr_settype(&ma, PTHREAD_MUTEX_RECURSIVE);
	pthread_mutex_init(&m, &ma);
	CHECK_EQ(pthread_mutex_lock(&m), 0, "recursive lock 1");
	CHECK_EQ(pthread_mutex_lock(&m), 0, "recursive lock 2");
	CHECK_EQ(pthread_mutex_trylock(&m), 0, "recursive trylock 3");
	pthread_mutex_unlock(&m);
	pthread_mutex_unlock(&m);
	pthread_create(&t[0], NULL, try_other, &m);
	pthread_join(t[0], &rv);
	CHECK_EQ((intptr_t)rv, EBUSY, "still held after 2 of 3 unlocks");
	CHECK_EQ(pthread_mutex_unlock(&m), 0, "third unlock");
	CHECK_EQ(pthread_mutex_unlock(&m), EPERM,
		 "recursive over-unlock: EPERM");
	pthread_mutex_destroy(&m);

	pthread_mutex_init(&m, NULL);
	pthread_mutex_lock(&m);
	struct timespec bad_ts = {0, 2000000000L};
	CHECK_EQ(pthread_mutex_timedlock(&m, &bad_ts), EINVAL,
		 "timedlock bad timespec: EINVAL");
	pthread_mutex_unlock(&m);
	pthread_mutex_lock(&m);
	pthread_create(&t[0], NULL, timed_other, &m);
	pthread_join(t[0], &rv);
	CHECK_EQ((intptr_t)rv, ETIMEDOUT,
		 "timedlock of a held mutex: ETIMEDOUT");
	pthread_mutex_unlock(&m);

	pthread_cond_t c;
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	CHECK_EQ(pthread_condattr_setclock(&ca, CLOCK_PROCESS_CPUTIME_ID),
		 EINVAL, "condattr bad clock: EINVAL");
	CHECK_EQ(pthread_condattr_setclock(&ca, CLOCK_MONOTONIC), 0,
		 "condattr monotonic");
	pthread_cond_init(&c, &ca);
	pthread_mutex_lock(&m);
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ts = in_ms(CLOCK_MONOTONIC, 30);
	CHECK_EQ(pthread_cond_timedwait(&c, &m, &ts), ETIMEDOUT,
		 "cond timedwait (monotonic): ETIMEDOUT");
	clock_gettime(CLOCK_MONOTONIC, &t1);
	long waited = (t1.tv_sec - t0.tv_sec) * 1000 +
		      (t1.tv_nsec - t0.tv_nsec) / 1000000;
	CHECK(waited >= 29, "timedwait waited until the deadline");
	CHECK_EQ(pthread_mutex_trylock(&m), EBUSY,
		 "mutex held again after timedwait");
	pthread_mutex_unlock(&m);
	CHECK_EQ(pthread_cond_wait(&c, &m), EPERM,
		 "cond_wait without the mutex: EPERM");
	pthread_cond_destroy(&c);

	pthread_create(&t[0], NULL, pingpong, (void *)0);
	pthread_create(&t[1], NULL, pingpong, (void *)1);
	pthread_join(t[0], NULL);
	pthread_join(t[1], NULL);
	CHECK_EQ(rounds, 4000, "condition-variable ping-pong is exact");

	CHECK_EQ(pthread_barrier_init(&bar, NULL, 0), EINVAL,
		 "barrier of 0: EINVAL");
	pthread_barrier_init(&bar, NULL, NT);
	for (int i = 0; i < NT; i++)
		pthread_create(&t[i], NULL, barrier_worker, NULL);
	long bad = 0;
	for (int i = 0; i < NT; i++) {
		pthread_join(t[i], &rv);
		bad += (intptr_t)rv;
	}
	CHECK_EQ(bad, 0, "no thread passed a barrier early");
	CHECK_EQ(serials, 5, "one serial thread per barrier round");
	CHECK_EQ(pthread_barrier_destroy(&bar), 0, "barrier destroy");

	for (int i = 0; i < 4; i++)
		pthread_create(&t[i], NULL, rw_worker, NULL);
	bad = 0;
	for (int i = 0; i < 4; i++) {
		pthread_join(t[i], &rv);
		bad += (intptr_t)rv;
	}
	CHECK_EQ(bad, 0, "readers never see a half-done write");
	CHECK_EQ(shared_a, 4 * 500, "every write happened");
	pthread_rwlock_rdlock(&rw);
	CHECK_EQ(pthread_rwlock_tryrdlock(&rw), 0, "two read locks at once");
	CHECK_EQ(pthread_rwlock_trywrlock(&rw), EBUSY,
		 "trywrlock with readers: EBUSY");
	pthread_rwlock_unlock(&rw);
	pthread_rwlock_unlock(&rw);
	CHECK_EQ(pthread_rwlock_unlock(&rw), EPERM,
		 "unlock an unheld rwlock: EPERM");
	pthread_rwlock_wrlock(&rw);
	CHECK_EQ(pthread_rwlock_wrlock(&rw), EDEADLK, "wrlock twice: EDEADLK");
	pthread_rwlock_unlock(&rw);

	pthread_spin_init(&spin, 0);
	for (int i = 0; i < 4; i++)
		pthread_create(&t[i], NULL, spin_worker, NULL);
	for (int i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	CHECK_EQ(spin_counter, 4 * ITERS, "spinlock counter is exact");
	pthread_spin_lock(&spin);
	CHECK_EQ(pthread_spin_trylock(&spin), EBUSY,
		 "spin_trylock held: EBUSY");
	pthread_spin_unlock(&spin);

	/* POSIX: a deadline counts only when sem_timedwait would block (on
	 * a cluster too, where the semaphore lives at its home) */
	sem_t sm;
	struct timespec past;
	sem_init(&sm, 0, 1);
	clock_gettime(CLOCK_REALTIME, &past);
	past.tv_sec -= 1;
	CHECK_EQ(sem_timedwait(&sm, &past), 0,
		 "sem_timedwait, past deadline, free: taken");
	CHECK_ERRNO(sem_timedwait(&sm, &past), ETIMEDOUT,
		    "sem_timedwait, past deadline, taken: ETIMEDOUT");
	past.tv_nsec = 1000000000; /* malformed, but never looked at */
	sem_post(&sm);
	CHECK_EQ(sem_timedwait(&sm, &past), 0,
		 "sem_timedwait, bad deadline, free: taken");
	CHECK_ERRNO(sem_timedwait(&sm, &past), EINVAL,
		    "sem_timedwait, bad deadline, would block: EINVAL");
	sem_destroy(&sm);
	return pt_done();
}
