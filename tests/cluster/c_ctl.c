/*
 * c_ctl.c — a program that keeps running while the host steers the cluster
 * with tools/unumctl (tests/qemu/ctl). Round after round it starts THREADS
 * threads that fill their slice of a shared array (in the global address
 * space: pages move between nodes) REPS times and return its sum; main
 * checks every round's total against the closed form, exactly, and notes
 * on which nodes the threads ran.
 *
 * The test boots with sched.policy=local (every thread on node 0) and
 * switches to round_robin while this runs; the program goes on until it
 * has run MIN rounds, seen its threads on more than one node in 3 rounds
 * and run AFTER seconds more since the first such round (the host checks
 * the cluster meanwhile), or for at most SECS seconds (then it fails: the
 * switch never took effect). A round is printed when its threads ran on
 * other nodes than the round before, and every 100th round.
 *
 * usage (after the kernel's "--"): [MIN [SECS [AFTER [THREADS [REPS]]]]]
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

int ksys_node(void); /* the kernel's: the node this thread runs on */

#define WORDS	    (16 * 1024) /* 16 pages of uint32_t */
#define THREADS_MAX 16

static uint32_t data[WORDS] __attribute__((aligned(4096)));

struct job {
	int round, index, threads, reps;
	int node;     /* where it ran */
	uint64_t sum; /* of its slice */
};

static uint32_t value(int round, uint32_t j)
{
	return (j * 2654435761u) ^ (uint32_t)round;
}

static void *worker(void *arg)
{
	struct job *jb = arg;
	uint32_t lo = (uint32_t)(WORDS / jb->threads * jb->index);
	uint32_t hi = (uint32_t)(WORDS / jb->threads * (jb->index + 1));
	jb->node = ksys_node();
	for (int r = 0; r < jb->reps; r++)
		for (uint32_t j = lo; j < hi; j++)
			((volatile uint32_t *)data)[j] = value(jb->round, j);
	uint64_t s = 0;
	for (uint32_t j = lo; j < hi; j++)
		s += data[j];
	jb->sum = s;
	return NULL;
}

static int arg(int argc, char **argv, int i, int def, int lo, int hi)
{
	if (argc <= i)
		return def;
	int v = atoi(argv[i]);
	if (v < lo || v > hi) {
		printf("c_ctl: argument %d '%s' out of %d..%d\n", i, argv[i],
		       lo, hi);
		exit(2);
	}
	return v;
}

int main(int argc, char **argv)
{
	int min = arg(argc, argv, 1, 3, 1, 100000);
	int secs = arg(argc, argv, 2, 240, 1, 100000);
	int after = arg(argc, argv, 3, 10, 0, 100000);
	int threads = arg(argc, argv, 4, 4, 1, THREADS_MAX);
	int reps = arg(argc, argv, 5, 20, 1, 100000);
	int spread = 0, round, last[THREADS_MAX];
	static struct job jobs[THREADS_MAX];
	pthread_t t[THREADS_MAX];
	time_t end = time(NULL) + secs, spread_end = 0;

	for (int i = 0; i < threads; i++)
		last[i] = -1;
	for (round = 1; time(NULL) < end &&
			(round <= min || spread < 3 || time(NULL) < spread_end);
	     round++) {
		for (int i = 0; i < threads; i++) {
			jobs[i] = (struct job){round, i, threads, reps, -1, 0};
			if (pthread_create(&t[i], NULL, worker, &jobs[i])) {
				printf(
				    "c_ctl: round %d: pthread_create failed\n",
				    round);
				return 1;
			}
		}
		uint64_t got = 0, want = 0;
		int other = 0, changed = round % 100 == 0;
		for (int i = 0; i < threads; i++) {
			pthread_join(t[i], NULL);
			got += jobs[i].sum;
			other |= jobs[i].node != jobs[0].node;
			changed |= jobs[i].node != last[i];
			last[i] = jobs[i].node;
		}
		for (uint32_t j = 0; j < (uint32_t)(WORDS / threads * threads);
		     j++)
			want += value(round, j);
		if (changed || got != want) {
			printf("c_ctl: round %d: threads on nodes", round);
			for (int i = 0; i < threads; i++)
				printf(" %d", jobs[i].node);
			printf(": sum %llu %s\n", (unsigned long long)got,
			       got == want ? "ok" : "WRONG");
		}
		if (got != want) {
			printf("c_ctl: round %d: sum %llu, expected %llu\n",
			       round, (unsigned long long)got,
			       (unsigned long long)want);
			return 1;
		}
		if (other && !spread++)
			spread_end = time(NULL) + after;
	}
	if (spread < 3) {
		printf("c_ctl: %d rounds, threads never spread over the nodes "
		       "(the policy switch did not take effect)\n",
		       round - 1);
		return 1;
	}
	printf("c_ctl: %d rounds, every sum exact\n", round - 1);
	return 0;
}
