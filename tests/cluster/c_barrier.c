/*
 * c_barrier.c — barrier arrivals are combined per node (cluster/csync.c).
 * On 2 nodes with sched.policy=round_robin, four threads (two per node)
 * go through ROUNDS rounds of one pthread barrier homed on the origin:
 * every round has exactly one serial thread and nobody runs ahead; and
 * node 1, whose two threads arrive together, sends about one arrival
 * message per round (two without combining): counted by a thread on
 * node 1 from the lock service's counters (ksys_csync_stats).
 */
#include <pthread.h>
#include <stdint.h>
#include <unum.h>

#include "ptest.h"

int ksys_csync_stats(uint64_t *out,
		     int n); /* the kernel's: messages out first */

#define THREADS 4
#define ROUNDS	200

static pthread_barrier_t bar;
static int serials, behind;
static volatile int round_now;
static uint64_t node1_msgs = UINT64_MAX;
static int where[THREADS];

static void *worker(void *arg)
{
	int id = (int)(intptr_t)arg;
	uint64_t before[1] = {0}, after[1] = {0};
	where[id] = unum_node();
	pthread_barrier_wait(&bar); /* everybody placed; the count is learnt */
	pthread_barrier_wait(&bar);
	if (id == 0) /* on node 1 */
		ksys_csync_stats(before, 1);
	for (int r = 0; r < ROUNDS; r++) {
		if (round_now != r)
			__atomic_add_fetch(&behind, 1, __ATOMIC_RELAXED);
		pthread_barrier_wait(&bar);
		if (pthread_barrier_wait(&bar) ==
		    PTHREAD_BARRIER_SERIAL_THREAD) {
			__atomic_add_fetch(&serials, 1, __ATOMIC_RELAXED);
			round_now = r + 1;
		}
		pthread_barrier_wait(
		    &bar); /* round_now is set before anyone reads */
	}
	if (id == 0 && ksys_csync_stats(after, 1) == 1)
		node1_msgs = after[0] - before[0];
	return NULL;
}

int main(void)
{
	CHECK_EQ(unum_nodes(), 2, "two nodes");
	pthread_barrier_init(&bar, NULL, THREADS);
	pthread_t t[THREADS];
	for (int i = 0; i < THREADS; i++)
		pthread_create(&t[i], NULL, worker, (void *)(intptr_t)i);
	for (int i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
	/* round_robin starts after main's node */
	CHECK(where[0] == 1 && where[1] == 0 && where[2] == 1 && where[3] == 0,
	      "two threads on each node");
	CHECK_EQ(serials, ROUNDS, "exactly one serial thread per round");
	CHECK_EQ(behind, 0, "nobody ran ahead of a round");
	printf("# node 1 sent %llu lock-service messages for %d barrier waits "
	       "of its 2 threads each\n",
	       (unsigned long long)node1_msgs, 3 * ROUNDS);
	CHECK(
	    node1_msgs <= 3 * ROUNDS * 3 / 2,
	    "node 1's arrivals are combined (at most 1.5 messages per round, not 2)");
	return pt_done();
}
