/*
 * bench/dsm/team.c — a team whose main works as thread 0, the way OpenMP
 * and most hand-written pthread programs start: main creates T-1 helpers,
 * computes its own share, then joins them. Each thread sums an integer
 * hash over its slice of [0, N) into a slot on a page of its own; the sum
 * must equal the serial one exactly. With placement that ignores main,
 * a 2-thread team on 2 nodes runs both threads on node 0.
 *
 *   team N T     prints "team: N=.. threads=T sum=.. matches the serial
 *                result" and "team: serial S s, parallel P s, speedup X";
 *                exit status 1 if the sums differ.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unum.h>

#define MAX_THREADS 64

static long n;
static int nthreads;
/* one page per thread: no slot shares a page with another's */
static char pad[MAX_THREADS][4096] __attribute__((aligned(4096)));
#define SLOT(i) (*(uint64_t *)pad[i])
#define NODE(i) (*(int *)(pad[i] + 64))

static double seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static uint64_t work(long lo, long hi)
{
	uint64_t s = 0;
	for (long i = lo; i < hi; i++) {
		uint64_t x = (uint64_t)i * 0x9e3779b97f4a7c15ull;
		for (int k = 0; k < 16; k++)
			x ^= x >> 29, x *= 0xbf58476d1ce4e5b9ull;
		s += x >> 40;
	}
	return s;
}

static void *member(void *arg)
{
	int i = (int)(intptr_t)arg;
	SLOT(i) = work(n * i / nthreads, n * (i + 1) / nthreads);
	NODE(i) = unum_node();
	return NULL;
}

int main(int argc, char **argv)
{
	n = argc > 1 ? atol(argv[1]) : 2000000;
	nthreads = argc > 2 ? atoi(argv[2]) : 2;
	if (n < 1 || nthreads < 1 || nthreads > MAX_THREADS) {
		fprintf(stderr, "usage: team N T (1 <= T <= %d)\n",
			MAX_THREADS);
		return 2;
	}
	double t0 = seconds();
	uint64_t ref = work(0, n);
	double t1 = seconds();
	pthread_t t[MAX_THREADS];
	for (int i = 1; i < nthreads; i++)
		if (pthread_create(&t[i], NULL, member, (void *)(intptr_t)i)) {
			fprintf(stderr, "team: pthread_create failed\n");
			return 1;
		}
	member(0); /* main is thread 0 */
	for (int i = 1; i < nthreads; i++)
		pthread_join(t[i], NULL);
	double t2 = seconds();
	uint64_t sum = 0;
	for (int i = 0; i < nthreads; i++)
		sum += SLOT(i);
	printf("team: N=%ld threads=%d sum=%llu %s\n", n, nthreads,
	       (unsigned long long)sum,
	       sum == ref ? "matches the serial result"
			  : "DIFFERS from the serial result");
	printf("team: nodes of threads 0..%d:", nthreads - 1);
	for (int i = 0; i < nthreads; i++)
		printf(" %d", NODE(i));
	printf("\nteam: serial %.3f s, parallel %.3f s, speedup %.2f\n",
	       t1 - t0, t2 - t1, (t1 - t0) / (t2 - t1));
	return sum == ref ? 0 : 1;
}
