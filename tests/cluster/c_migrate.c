/*
 * c_migrate.c — threads moved between nodes while they run (<unum.h>
 * unum_migrate), on a cluster of 2 or more nodes with sched.policy=local
 * (every thread starts on the origin):
 *   - workers in a mutex-heavy loop with floating-point state are moved
 *     to other nodes mid-run (a tenth into the loop they wait, yielding,
 *     until main has asked for the moves, so none can finish first); the shared counter, each worker's own
 *     double-precision sum and the node it ended on must be exact;
 *   - a thread sleeping in pthread_cond_wait is moved; it wakes on its
 *     new node when signalled and sees the predicate;
 *   - a thread asleep in sem_wait is moved and takes the post over there;
 *   - a thread holding a mutex moves only once it has unlocked it (a
 *     lock's owner stays where the lock's token is), right at the unlock;
 *   - a thread joined while it is moved is joined with its return value;
 *   - the main thread moves itself and back; its stack and TLS follow;
 *   - errors: a thread that does not exist (ESRCH), a node that does not
 *     (EINVAL).
 */
#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <stdint.h>
#include <unistd.h>
#include <unum.h>

#include "ptest.h"

#define WORKERS 4
#define ITERS	20000

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static long counter;
static int at_gate, released; /* a tenth into the loop, workers meet */

struct worker {
	pthread_t id;
	int index;
	double sum;
	int start_node, end_node;
};

static void *worker(void *arg)
{
	struct worker *w = arg;
	w->start_node = unum_node();
	double x = 0.5 + w->index;
	for (int i = 0; i < ITERS; i++) {
		if (i == ITERS / 10) { /* wait there until main has moved us */
			__atomic_add_fetch(&at_gate, 1, __ATOMIC_SEQ_CST);
			while (!__atomic_load_n(&released, __ATOMIC_SEQ_CST))
				sched_yield();
		}
		pthread_mutex_lock(&lock);
		counter++;
		pthread_mutex_unlock(&lock);
		x = x * 1.0000001 + 0.25; /* the FPU/SSE state must travel */
		w->sum += x;
	}
	w->end_node = unum_node();
	return (void *)(intptr_t)(100 + w->index);
}

static double expected_sum(int index)
{
	double x = 0.5 + index, s = 0;
	for (int i = 0; i < ITERS; i++) {
		x = x * 1.0000001 + 0.25;
		s += x;
	}
	return s;
}

static pthread_mutex_t cm = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int ready, woke_on = -1;
static __thread int tls_mark;

static void *sleeper(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&cm);
	while (!ready)
		pthread_cond_wait(&cv, &cm);
	woke_on = unum_node();
	pthread_mutex_unlock(&cm);
	return NULL;
}

static sem_t sem;
static volatile int sem_node = -1;

static void *sem_sleeper(void *arg)
{
	(void)arg;
	while (sem_wait(&sem) != 0)
		;
	sem_node = unum_node();
	return NULL;
}

static pthread_mutex_t hm = PTHREAD_MUTEX_INITIALIZER;
static volatile int holding, release, node_locked = -1, node_unlocked = -1;

static void *holder(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&hm);
	holding = 1;
	while (!release)
		; /* in application code, ticks land here: not a safe point */
	node_locked = unum_node();
	pthread_mutex_unlock(&hm);
	node_unlocked = unum_node();
	return NULL;
}

int main(void)
{
	int nodes = unum_nodes();
	CHECK(nodes >= 2, "the cluster has at least 2 nodes");
	if (nodes < 2)
		return pt_done();

	struct worker w[WORKERS];
	for (int i = 0; i < WORKERS; i++) {
		w[i].index = i;
		w[i].sum = 0;
		CHECK_EQ(pthread_create(&w[i].id, NULL, worker, &w[i]), 0,
			 "create a worker");
	}
	/* move every worker to another node in the middle of its loop */
	while (__atomic_load_n(&at_gate, __ATOMIC_SEQ_CST) < WORKERS)
		usleep(1000);
	int moved = 0;
	for (int i = 0; i < WORKERS; i++) {
		int rc = unum_migrate(w[i].id, 1 + i % (nodes - 1));
		if (rc)
			printf("# moving worker %d: %s\n", i, strerror(rc));
		moved += rc == 0;
	}
	__atomic_store_n(&released, 1, __ATOMIC_SEQ_CST);
	CHECK_EQ(moved, WORKERS, "every running worker can be moved");
	int results_ok = 0, ended_right = 0, sums_ok = 0;
	for (int i = 0; i < WORKERS; i++) {
		void *ret = NULL;
		pthread_join(w[i].id, &ret);
		results_ok += ret == (void *)(intptr_t)(100 + i);
		ended_right += w[i].start_node == 0 &&
			       w[i].end_node == 1 + i % (nodes - 1);
		sums_ok += w[i].sum == expected_sum(i);
	}
	CHECK_EQ(results_ok, WORKERS,
		 "moved workers are joined with their return values");
	CHECK_EQ(ended_right, WORKERS,
		 "each worker started on the origin and ended on its new node");
	CHECK_EQ(counter, (long)WORKERS * ITERS,
		 "the counter under a mutex is exact across moves");
	CHECK_EQ(sums_ok, WORKERS,
		 "floating-point state is exact across moves");

	/* a thread asleep in a condition wait */
	pthread_t s;
	CHECK_EQ(pthread_create(&s, NULL, sleeper, NULL), 0,
		 "create a sleeper");
	usleep(50000);
	CHECK_EQ(unum_migrate(s, nodes - 1), 0,
		 "a thread in pthread_cond_wait can be moved");
	usleep(50000);
	pthread_mutex_lock(&cm);
	ready = 1;
	pthread_cond_signal(&cv);
	pthread_mutex_unlock(&cm);
	pthread_join(s, NULL);
	CHECK_EQ(woke_on, nodes - 1, "the moved sleeper woke on its new node");

	/* a thread asleep in sem_wait */
	sem_init(&sem, 0, 0);
	CHECK_EQ(pthread_create(&s, NULL, sem_sleeper, NULL), 0,
		 "create a semaphore sleeper");
	usleep(50000);
	CHECK_EQ(unum_migrate(s, nodes - 1), 0,
		 "a thread in sem_wait can be moved");
	usleep(50000);
	sem_post(&sem);
	pthread_join(s, NULL);
	CHECK_EQ(sem_node, nodes - 1,
		 "the moved semaphore sleeper took the post on its new node");

	/* a thread that holds a mutex moves when it lets go of it */
	CHECK_EQ(pthread_create(&s, NULL, holder, NULL), 0,
		 "create a lock holder");
	while (!holding)
		usleep(1000);
	CHECK_EQ(unum_migrate(s, nodes - 1), 0,
		 "a thread holding a mutex can be asked to move");
	usleep(100000);
	release = 1;
	pthread_join(s, NULL);
	CHECK_EQ(node_locked, 0, "it stays while it holds the mutex");
	CHECK_EQ(node_unlocked, nodes - 1, "it moves as it unlocks");
	CHECK_EQ(pthread_mutex_trylock(&hm), 0,
		 "the mutex is free after the move");
	pthread_mutex_unlock(&hm);

	/* the main thread moves itself, with its stack and TLS */
	tls_mark = 4242;
	volatile int on_stack = 77;
	CHECK_EQ(unum_migrate(pthread_self(), 1), 0, "main moves itself");
	CHECK_EQ(unum_node(), 1, "main now runs on node 1");
	CHECK_EQ(tls_mark + on_stack, 4242 + 77,
		 "its TLS and stack came along");
	CHECK_EQ(unum_migrate(pthread_self(), 0), 0, "main moves back");
	CHECK_EQ(unum_node(), 0, "main runs on the origin again");

	CHECK_EQ(unum_migrate((pthread_t)99999, 1), ESRCH,
		 "moving a thread that does not exist: ESRCH");
	CHECK_EQ(unum_migrate(pthread_self(), nodes + 3), EINVAL,
		 "moving to a node that does not exist: EINVAL");
	return pt_done();
}
