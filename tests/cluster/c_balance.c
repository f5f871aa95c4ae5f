/*
 * c_balance.c — an imbalanced workload converges once a balancing policy
 * is switched on while it runs. Booted on 2 nodes of 1 CPU each with
 * sched.policy=local, so all WORKERS CPU-bound threads start on the
 * origin; then main switches the policy live (<unum.h> unum_sched_policy)
 * to argv[1] and the workers run on. Each worker records the node it
 * finished on; argv[2] is how many must finish on node 1 (least_loaded:
 * half; steal: one per idle CPU). Each worker's result (a long LCG chain)
 * must be exact whatever moves it made: it is checked against a jump-ahead
 * computation of the same chain.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>
#include <unum.h>

#include "ptest.h"

#define WORKERS 4
#define A	6364136223846793005ull
#define C	1442695040888963407ull

#define CHUNK 65536

static uint64_t work; /* iterations per worker, a multiple of CHUNK */

/* The one loop both the calibration and the workers run. */
static __attribute__((noinline)) uint64_t chain(uint64_t x)
{
	for (int i = 0; i < CHUNK; i++) {
		x = x * A + C;
		__asm__ volatile("" : "+r"(x)); /* one step per iteration */
	}
	return x;
}

struct worker {
	pthread_t id;
	uint64_t seed, result;
	int moves;
	volatile int node; /* where it runs: written when that changes */
};

static void *worker(void *arg)
{
	struct worker *w = arg;
	uint64_t x = w->seed;
	int node = w->node = unum_node();
	for (uint64_t i = 0; i < work; i += CHUNK) {
		x = chain(x);
		if (unum_node() != node) {
			node = w->node = unum_node();
			w->moves++;
		}
	}
	w->result = x;
	return NULL;
}

/* x after n steps of x = A x + C, in O(log n). */
static uint64_t jump(uint64_t x, uint64_t n)
{
	uint64_t a = A, c = C, ra = 1, rc = 0;
	while (n) {
		if (n & 1) {
			ra *= a;
			rc = rc * a + c;
		}
		c = c * (a + 1);
		a *= a;
		n >>= 1;
	}
	return ra * x + rc;
}

static uint64_t now_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		printf("usage: c_balance POLICY WORKERS_ON_NODE_1\n");
		return 2;
	}
	int want = atoi(argv[2]);
	CHECK_EQ(unum_nodes(), 2, "two nodes");
	CHECK_EQ(jump(7, 3), ((7 * A + C) * A + C) * A + C,
		 "the jump-ahead matches the chain");

	/* calibrate: the work one CPU does in about 4 s */
	uint64_t x = 1, t0 = now_ns(), n = 0;
	while (now_ns() - t0 < 100000000ull) {
		x = chain(x);
		n += CHUNK;
	}
	work = n * 40 + CHUNK * (x & 1);
	printf("# calibration: %llu iterations in 100 ms\n",
	       (unsigned long long)n);

	struct worker w[WORKERS] = {0};
	for (int i = 0; i < WORKERS; i++) {
		w[i].seed = 1000 + (uint64_t)i;
		w[i].node = -1;
		CHECK_EQ(pthread_create(&w[i].id, NULL, worker, &w[i]), 0,
			 "create a worker");
	}
	CHECK_EQ(unum_sched_policy("nosuch"), EINVAL,
		 "an unknown policy: EINVAL");
	int started = 0;
	while (started < WORKERS) { /* all running on the origin */
		started = 0;
		for (int i = 0; i < WORKERS; i++)
			started += w[i].node == 0;
		usleep(10000);
	}
	CHECK_EQ(unum_sched_policy(argv[1]), 0,
		 "switch the policy while the workers run");
	/* watch the workers spread: the first time the balance is reached,
	 * and that it holds (no worker ends before the watch does) */
	uint64_t t1 = now_ns(), reached = 0;
	int on1 = 0;
	while (now_ns() - t1 < 2500000000ull) {
		on1 = 0;
		for (int i = 0; i < WORKERS; i++)
			on1 += w[i].node == 1;
		if (on1 == want && !reached)
			reached = now_ns() - t1;
		usleep(10000);
	}
	printf("# %s: %d of %d workers on node 1 after 2.5 s; balance first "
	       "reached after %llu ms\n",
	       argv[1], on1, WORKERS, (unsigned long long)reached / 1000000);
	CHECK_EQ(on1, want, "the workload converged to the policy's balance");
	CHECK(reached > 0, "the balance was reached while the workers ran");
	int exact = 0, moved = 0;
	for (int i = 0; i < WORKERS; i++) {
		pthread_join(w[i].id, NULL);
		exact += w[i].result == jump(w[i].seed, work);
		moved += w[i].moves;
	}
	printf("# %d move(s) in all, %llu ms\n", moved,
	       (unsigned long long)(now_ns() - t0) / 1000000);
	CHECK_EQ(exact, WORKERS, "every worker's result is exact");
	return pt_done();
}
