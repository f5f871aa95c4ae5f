/*
 * bench/sched/sched_bench.c — what moving threads between nodes costs
 * (bench/sched.sh; issue #8). On 2 nodes:
 *   migrate_round_trip  the main thread moves itself to node 1 and back
 *                       (<unum.h> unum_migrate), touching STACK_KIB of its
 *                       stack on each side; timed on node 0's clock from
 *                       before it leaves to after it is back: two moves,
 *                       each until its pages are back (median, us)
 *   remote_create_join  pthread_create of an empty thread placed on node 1
 *                       (sched.policy=round_robin) until pthread_join
 *                       returns, against the same on node 0 (median, us)
 * Prints "bench: NAME VALUE us" lines.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unum.h>

#define ROUNDS	  60
#define STACK_KIB 16

static uint64_t now_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

static int cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static uint64_t median(uint64_t *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp);
	return v[n / 2];
}

static volatile uint64_t sink;

static void touch(volatile uint8_t *buf)
{
	for (int i = 0; i < STACK_KIB * 1024; i += 4096)
		buf[i]++;
	sink += buf[0];
}

static void *where(void *arg)
{
	*(int *)arg = unum_node();
	return NULL;
}

int main(void)
{
	if (unum_nodes() < 2) {
		printf("sched_bench: needs 2 nodes\n");
		return 2;
	}
	uint64_t v[ROUNDS];
	volatile uint8_t buf[STACK_KIB * 1024];
	memset((void *)buf, 1, sizeof(buf));
	int bad = 0;
	for (int i = 0; i < ROUNDS; i++) {
		uint64_t t0 = now_ns();
		bad += unum_migrate(pthread_self(), 1) != 0 || unum_node() != 1;
		touch(buf);
		bad += unum_migrate(pthread_self(), 0) != 0 || unum_node() != 0;
		touch(buf);
		v[i] = now_ns() - t0;
	}
	printf("bench: migrate_round_trip %llu us\n",
	       (unsigned long long)median(v, ROUNDS) / 1000);

	/* round_robin alternates nodes: keep the samples by where they ran */
	uint64_t on[2][ROUNDS];
	int n[2] = {0, 0};
	for (int i = 0; i < 2 * ROUNDS + 4 && (n[0] < ROUNDS || n[1] < ROUNDS);
	     i++) {
		pthread_t t;
		int node = -1;
		uint64_t t0 = now_ns();
		if (pthread_create(&t, NULL, where, &node)) {
			bad++;
			continue;
		}
		pthread_join(t, NULL);
		uint64_t dt = now_ns() - t0;
		if (node == 0 || node == 1) {
			if (n[node] < ROUNDS)
				on[node][n[node]++] = dt;
		} else {
			bad++;
		}
	}
	if (n[0] && n[1]) {
		printf("bench: create_join_local %llu us\n",
		       (unsigned long long)median(on[0], n[0]) / 1000);
		printf("bench: create_join_remote %llu us\n",
		       (unsigned long long)median(on[1], n[1]) / 1000);
	}
	printf("sched_bench: %d error(s)\n", bad);
	return bad ? 1 : 0;
}
