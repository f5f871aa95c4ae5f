/*
 * c_sync.c — the cluster lock service seen from a pthread program on 2 or
 * more nodes (threads placed round-robin):
 *   - a mutex used by the threads of one node only sends no lock message
 *     (the node's counters, read with ksys_csync_stats, do not move), on
 *     the origin and on another node; a mutex homed elsewhere costs one
 *     token move, then nothing;
 *   - across nodes: a counter under a mutex, a condition-variable ping-pong
 *     between threads of different nodes, barrier rounds with one serial
 *     thread each, semaphores as a work queue; every result exact;
 *   - pthread_cancel of threads blocked in cond_wait and sem_wait (one of
 *     them on another node): cleanup handlers run, the mutex is released.
 * Booted by tests/qemu/dsm with dsm.stats=1 (counters printed at exit).
 */
#include <pthread.h>
#include <semaphore.h>
#include <stdint.h>
#include <time.h>
#include <unistd.h>

#include "ptest.h"

int ksys_node(void);
int ksys_csync_stats(uint64_t *out, int n);

enum { ST_OUT, ST_IN, ST_HITS, ST_TIN, ST_TOUT, ST_BAD, ST_N };

#define LOCAL_ITERS 5000
#define NT	    4
#define ITERS	    1000
#define PINGS	    300
#define ROUNDS	    10
#define ITEMS	    400

static pthread_mutex_t origin_mutex = PTHREAD_MUTEX_INITIALIZER;

/* Lock and unlock m n times: messages sent meanwhile, local hits. */
static void local_loop(pthread_mutex_t *m, int n, long *msgs, long *hits)
{
	uint64_t a[ST_N], b[ST_N];
	ksys_csync_stats(a, ST_N);
	for (int i = 0; i < n; i++) {
		pthread_mutex_lock(m);
		pthread_mutex_unlock(m);
	}
	ksys_csync_stats(b, ST_N);
	*msgs = (long)(b[ST_OUT] - a[ST_OUT]);
	*hits = (long)(b[ST_HITS] - a[ST_HITS]);
}

struct local_result {
	int node;
	long own_msgs, own_hits, far_msgs, far_hits, warm_msgs;
};

static void *local_worker(void *arg)
{
	struct local_result *r = arg;
	r->node = ksys_node();
	pthread_mutex_t own;
	pthread_mutex_init(&own, NULL); /* homed at this node */
	local_loop(&own, LOCAL_ITERS, &r->own_msgs, &r->own_hits);
	pthread_mutex_destroy(&own);
	/* homed at the origin: the first lock fetches the token */
	uint64_t a[ST_N], b[ST_N];
	ksys_csync_stats(a, ST_N);
	pthread_mutex_lock(&origin_mutex);
	pthread_mutex_unlock(&origin_mutex);
	ksys_csync_stats(b, ST_N);
	r->warm_msgs = (long)(b[ST_OUT] - a[ST_OUT]);
	local_loop(&origin_mutex, LOCAL_ITERS, &r->far_msgs, &r->far_hits);
	return NULL;
}

/* ---- cross-node workload ---------------------------------------------------- */

static pthread_mutex_t counter_lock = PTHREAD_MUTEX_INITIALIZER;
static long counter;
static pthread_mutex_t pm = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t pc = PTHREAD_COND_INITIALIZER;
static int turn, pings;
static pthread_barrier_t bar;
static int arrived[ROUNDS], serials, early;
static sem_t items, slots;
static long consumed_sum, consumed_n;
static pthread_mutex_t sum_lock = PTHREAD_MUTEX_INITIALIZER;
static int node_of[NT];

static void *worker(void *arg)
{
	int id = (int)(intptr_t)arg;
	node_of[id] = ksys_node();
	for (int i = 0; i < ITERS; i++) {
		pthread_mutex_lock(&counter_lock);
		counter++;
		pthread_mutex_unlock(&counter_lock);
	}
	if (id < 2) { /* threads 0 and 1: on different nodes */
		for (int i = 0; i < PINGS; i++) {
			pthread_mutex_lock(&pm);
			while (turn != id)
				pthread_cond_wait(&pc, &pm);
			pings++;
			turn = !id;
			pthread_cond_signal(&pc);
			pthread_mutex_unlock(&pm);
		}
	}
	for (int r = 0; r < ROUNDS; r++) {
		__atomic_fetch_add(&arrived[r], 1, __ATOMIC_SEQ_CST);
		if (pthread_barrier_wait(&bar) == PTHREAD_BARRIER_SERIAL_THREAD)
			__atomic_fetch_add(&serials, 1, __ATOMIC_SEQ_CST);
		if (__atomic_load_n(&arrived[r], __ATOMIC_SEQ_CST) != NT)
			__atomic_fetch_add(&early, 1, __ATOMIC_SEQ_CST);
	}
	if (id % 2 == 0) { /* producers */
		for (int i = 1; i <= ITEMS; i++) {
			sem_wait(&slots);
			sem_post(&items);
		}
	} else { /* consumers */
		long sum = 0;
		for (int i = 1; i <= ITEMS; i++) {
			sem_wait(&items);
			sem_post(&slots);
			sum += i;
		}
		pthread_mutex_lock(&sum_lock);
		consumed_sum += sum;
		consumed_n += ITEMS;
		pthread_mutex_unlock(&sum_lock);
	}
	return NULL;
}

/* ---- cancellation of threads blocked in the lock service ----------------- */

static pthread_mutex_t cm = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cc = PTHREAD_COND_INITIALIZER;
static sem_t never;
static int cleanup_ran, cancel_node[2];

static void unlock_cm(void *arg)
{
	(void)arg;
	cleanup_ran++;
	pthread_mutex_unlock(&cm);
}

static void *cancelled_in_cond(void *arg)
{
	cancel_node[(intptr_t)arg] = ksys_node();
	pthread_mutex_lock(&cm);
	pthread_cleanup_push(unlock_cm, NULL);
	for (;;)
		pthread_cond_wait(&cc, &cm);
	pthread_cleanup_pop(1);
	return arg;
}

static void *cancelled_in_sem(void *arg)
{
	sem_wait(&never);
	return arg;
}

static void print_stats(int node, const uint64_t *s, const char *when)
{
	printf("c_sync: node %d %s: lock messages out %lu in %lu, local hits "
	       "%lu, tokens in %lu out %lu, bad %lu\n",
	       node, when, (unsigned long)s[ST_OUT], (unsigned long)s[ST_IN],
	       (unsigned long)s[ST_HITS], (unsigned long)s[ST_TIN],
	       (unsigned long)s[ST_TOUT], (unsigned long)s[ST_BAD]);
}

/* Another node's counters, printed by main (threads elsewhere do not
 * print: the test reads one console). */
static uint64_t far_stats[ST_N];
static int far_node;
static void *stats_worker(void *arg)
{
	(void)arg;
	far_node = ksys_node();
	ksys_csync_stats(far_stats, ST_N);
	return NULL;
}

int main(void)
{
	uint64_t s[ST_N];
	CHECK_EQ(ksys_csync_stats(s, ST_N), ST_N, "the lock service runs");

	/* the origin's own mutex: no message at all */
	long msgs, hits;
	pthread_mutex_t mine;
	pthread_mutex_init(&mine, NULL);
	local_loop(&mine, LOCAL_ITERS, &msgs, &hits);
	CHECK_EQ(msgs, 0, "origin-only mutex: no lock message");
	CHECK_EQ(hits, LOCAL_ITERS,
		 "origin-only mutex: every lock a local hit");
	pthread_mutex_destroy(&mine);
	pthread_mutex_lock(&origin_mutex); /* resolve it here: homed at 0 */
	pthread_mutex_unlock(&origin_mutex);

	/* another node's threads */
	struct local_result r = {0};
	pthread_t t[NT];
	for (int tries = 0; tries < 4 && r.node == 0; tries++) {
		pthread_create(&t[0], NULL, local_worker, &r);
		pthread_join(t[0], NULL);
	}
	CHECK(r.node != 0, "a thread ran on another node");
	CHECK_EQ(r.own_msgs, 0, "other node's own mutex: no lock message");
	CHECK_EQ(r.own_hits, LOCAL_ITERS,
		 "other node's own mutex: all local hits");
	CHECK(r.warm_msgs >= 1 && r.warm_msgs <= 2,
	      "origin's mutex from another node: one request for the token");
	CHECK_EQ(r.far_msgs, 0, "then cached there: no lock message");
	CHECK_EQ(r.far_hits, LOCAL_ITERS, "then every lock a local hit");
	printf("c_sync: local-only mutex, %d lock/unlock pairs: %ld messages "
	       "(origin), %ld (node %d); origin-homed mutex on node %d: %ld "
	       "to fetch the token, then %ld\n",
	       LOCAL_ITERS, msgs, r.own_msgs, r.node, r.node, r.warm_msgs,
	       r.far_msgs);

	/* errors across nodes */
	sem_t z;
	CHECK_EQ(sem_init(&z, 0, 0), 0, "sem_init");
	CHECK_ERRNO(sem_trywait(&z), EAGAIN, "sem_trywait at 0: EAGAIN");
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_nsec += 20000000;
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	CHECK_ERRNO(sem_timedwait(&z, &ts), ETIMEDOUT,
		    "sem_timedwait at 0: ETIMEDOUT");
	sem_post(&z);
	sem_post(&z);
	int v = -1;
	sem_getvalue(&z, &v);
	CHECK_EQ(v, 2, "sem_getvalue after two posts");
	CHECK_EQ(sem_destroy(&z), 0, "sem_destroy");

	/* two threads cancelled in cond_wait, two in sem_wait: placed
	 * round-robin, one of each pair runs on another node */
	void *rv = NULL;
	sem_init(&never, 0, 0);
	for (intptr_t i = 0; i < 2; i++) {
		pthread_create(&t[0], NULL, cancelled_in_cond, (void *)i);
		usleep(100000);
		CHECK_EQ(pthread_cancel(t[0]), 0,
			 "cancel a thread in cond_wait");
		pthread_join(t[0], &rv);
		CHECK(rv == PTHREAD_CANCELED,
		      "cancelled in cond_wait: PTHREAD_CANCELED");
		CHECK_EQ(cleanup_ran, i + 1,
			 "its cleanup handler ran with the mutex held");
		CHECK_EQ(pthread_mutex_trylock(&cm), 0,
			 "and released the mutex");
		pthread_mutex_unlock(&cm);
	}
	for (int i = 0; i < 2; i++) {
		pthread_create(&t[0], NULL, cancelled_in_sem, NULL);
		usleep(100000);
		CHECK_EQ(pthread_cancel(t[0]), 0,
			 "cancel a thread in sem_wait");
		pthread_join(t[0], &rv);
		CHECK(rv == PTHREAD_CANCELED,
		      "cancelled in sem_wait: PTHREAD_CANCELED");
	}
	CHECK(cancel_node[0] != 0 || cancel_node[1] != 0,
	      "a cancelled cond waiter ran on another node");

	ksys_csync_stats(s, ST_N);
	print_stats(0, s, "before the workload");
	pthread_barrier_init(&bar, NULL, NT);
	sem_init(&items, 0, 0);
	sem_init(&slots, 0, 8);
	for (int i = 0; i < NT; i++)
		pthread_create(&t[i], NULL, worker, (void *)(intptr_t)i);
	for (int i = 0; i < NT; i++)
		pthread_join(t[i], NULL);
	CHECK(node_of[0] != node_of[1], "ping-pong threads on different nodes");
	CHECK_EQ(counter, NT * ITERS, "cross-node mutex counter is exact");
	CHECK_EQ(pings, 2 * PINGS, "cross-node condition ping-pong is exact");
	CHECK_EQ(serials, ROUNDS, "one serial thread per barrier round");
	CHECK_EQ(early, 0, "no thread left a barrier early");
	CHECK_EQ(consumed_n, (NT / 2) * ITEMS, "every item consumed once");
	CHECK_EQ(consumed_sum, (NT / 2) * (long)ITEMS * (ITEMS + 1) / 2,
		 "semaphore work queue sum is exact");
	v = -1;
	sem_getvalue(&slots, &v);
	CHECK_EQ(v, 8, "all slots back");
	CHECK_EQ(pthread_barrier_destroy(&bar), 0, "barrier destroy");
	ksys_csync_stats(s, ST_N);
	print_stats(0, s, "after the workload");
	for (int i = 0; i < 4 && far_node == 0; i++) {
		pthread_create(&t[0], NULL, stats_worker, NULL);
		pthread_join(t[0], NULL);
	}
	print_stats(far_node, far_stats, "after the workload");
	CHECK_EQ(far_stats[ST_BAD] + s[ST_BAD], 0, "no bad lock message");
	return pt_done();
}
