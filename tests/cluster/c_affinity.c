/*
 * c_affinity.c — CPU sets over the cluster (posix/affinity.c,
 * sched/affinity.c) on 2 nodes, run with sched.policy=least_loaded and a
 * short sched.period_ms:
 *   - a thread on the origin pinned by main to node 1's first CPU moves
 *     there (unum_node() == 1) and get returns exactly the set;
 *   - three unpinned spinners are put on node 1 beside it: node 1 has
 *     four runnable threads, node 0 none, so the balancer moves threads
 *     from node 1 to node 0 — never the pinned one, which checks its
 *     node all the while (at least one spinner must have been moved, or
 *     the balancer was not tempted);
 *   - main sets the pinned thread (living on node 1) to all of node 1's
 *     CPUs (through the other node) and reads the set back exactly; then
 *     pins it to CPU 0 and it comes back to node 0;
 *   - a thread pinning itself to node 1 with sched_setaffinity(0) moves
 *     at once.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <unistd.h>
#include <unum.h>

#include "ptest.h"

#define SPINNERS 3

static volatile int stop, pinned_away, pinned_at1, phase;
static int spin_end[SPINNERS];

static void *pinned(void *arg)
{
	(void)arg;
	while (unum_node() != 1)
		sched_yield();
	pinned_at1 = 1;
	while (phase == 0) {
		if (unum_node() != 1)
			pinned_away++;
		for (volatile int i = 0; i < 10000; i++)
			;
	}
	while (unum_node() != 0 && !stop)
		sched_yield();
	return (void *)(long)unum_node();
}

static void *spinner(void *arg)
{
	int i = (int)(long)arg;
	unum_migrate(pthread_self(), 1);
	while (!stop)
		for (volatile int k = 0; k < 10000; k++)
			;
	spin_end[i] = unum_node();
	return NULL;
}

static void *self_pin(void *arg)
{
	int c1 = (int)(long)arg;
	cpu_set_t s;
	CPU_ZERO(&s);
	CPU_SET(c1, &s);
	if (sched_setaffinity(0, sizeof(s), &s))
		return (void *)-1L;
	return (void *)(long)unum_node();
}

int main(void)
{
	long total = sysconf(_SC_NPROCESSORS_ONLN);
	int nodes = unum_nodes();
	CHECK_EQ(nodes, 2, "2 nodes");
	int c1 = (int)(total / nodes); /* node 1's first CPU (same sizes) */
	cpu_set_t s, got;

	pthread_t p;
	pthread_create(&p, NULL, pinned, NULL);
	CPU_ZERO(&s);
	CPU_SET(c1, &s);
	CHECK_EQ(pthread_setaffinity_np(p, sizeof(s), &s), 0,
		 "pin a thread to node 1's first CPU");
	for (int i = 0; i < 500 && !pinned_at1; i++)
		pt_sleep_ms(10);
	CHECK(pinned_at1, "it runs on node 1");
	CHECK_EQ(pthread_getaffinity_np(p, sizeof(got), &got), 0, "get");
	CHECK(CPU_EQUAL(&got, &s), "returns exactly that CPU");

	pthread_t sp[SPINNERS];
	for (int i = 0; i < SPINNERS; i++)
		pthread_create(&sp[i], NULL, spinner, (void *)(long)i);
	pt_sleep_ms(2500); /* many balancing rounds */
	CHECK_EQ(pinned_away, 0, "the balancer never moved the pinned thread");

	CPU_ZERO(&s);
	for (long c = c1; c < total; c++)
		CPU_SET(c, &s);
	CHECK_EQ(pthread_setaffinity_np(p, sizeof(s), &s), 0,
		 "set it to all of node 1's CPUs, from node 0");
	CHECK_EQ(pthread_getaffinity_np(p, sizeof(got), &got), 0, "get");
	CHECK(CPU_EQUAL(&got, &s), "returns exactly node 1's CPUs");
	CPU_ZERO(&s);
	CPU_SET(0, &s);
	CHECK_EQ(pthread_setaffinity_np(p, sizeof(s), &s), 0,
		 "pin it to CPU 0 (node 0)");
	phase = 1;
	void *where;
	pthread_join(p, &where);
	CHECK_EQ((long)where, 0L, "it came back to node 0");

	stop = 1;
	int moved = 0;
	for (int i = 0; i < SPINNERS; i++) {
		pthread_join(sp[i], NULL);
		moved += spin_end[i] == 0;
	}
	printf("# %d of %d unpinned spinners moved to node 0\n", moved,
	       SPINNERS);
	CHECK(moved >= 1, "the balancer moved an unpinned thread instead");

	pthread_t q;
	pthread_create(&q, NULL, self_pin, (void *)(long)c1);
	pthread_join(q, &where);
	CHECK_EQ((long)where, 1L,
		 "sched_setaffinity(0) to node 1's CPU: the caller moves");
	return pt_done();
}
