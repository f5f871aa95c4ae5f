/*
 * bench/dsm/mstress.c — a malloc/free-heavy multithreaded program, as a
 * new user would write one: T threads (main waits), each R rounds of
 * malloc of a pseudo-random size (1..4000 bytes), fill, check and free,
 * with a window of WINDOW live blocks per thread so blocks outlive a
 * round; every HANDOFF_EVERY rounds a thread also hands a block to its
 * neighbour, which frees it (a block freed by another thread than the one
 * that made it, on another node when the two run on different nodes).
 *
 *   mstress T R    prints "mstress: threads=T rounds=R errors=0",
 *                  "mstress: parallel X s" and the "malloc:" lines of
 *                  /proc/dsm (node 0's allocator counters); exit status 1
 *                  on any error (a block that did not keep its bytes,
 *                  malloc failing).
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_THREADS   64
#define WINDOW	      16
#define HANDOFF_EVERY 256 /* rounds between two hand-overs */

static int nthreads, rounds;
static long errors; /* (atomic) */
/* one page per thread: the hand-over mailbox of thread i */
static struct box {
	void *p; /* (atomic) a block handed over, or NULL */
} * box;

static double seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int check(const unsigned char *p, int len, unsigned char v)
{
	for (int k = 0; k < len; k++)
		if (p[k] != v)
			return 1;
	return 0;
}

static void *worker(void *arg)
{
	int me = (int)(intptr_t)arg, bad = 0;
	uint64_t x = 0x9e3779b97f4a7c15ull * (uint64_t)(me + 1);
	unsigned char *live[WINDOW] = {0};
	int len[WINDOW] = {0};
	struct box *mine = (struct box *)((char *)box + 4096 * me);
	struct box *next =
	    (struct box *)((char *)box + 4096 * ((me + 1) % nthreads));
	for (int r = 0; r < rounds; r++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		int w = r % WINDOW, n = 1 + (int)(x % 4000);
		if (live[w]) {
			bad += check(live[w], len[w], (unsigned char)(w + me));
			free(live[w]);
		}
		live[w] = malloc((size_t)n);
		if (!live[w]) {
			bad++;
			len[w] = 0;
			continue;
		}
		len[w] = n;
		memset(live[w], w + me, (size_t)n);
		if (r % HANDOFF_EVERY)
			continue;
		/* take the block our neighbour handed us, hand one on */
		void *got = NULL;
		if (__atomic_load_n(&mine->p, __ATOMIC_ACQUIRE))
			got = __atomic_exchange_n(&mine->p, NULL,
						  __ATOMIC_ACQ_REL);
		if (got) {
			bad += check(got, 64, 0xa5);
			free(got);
		}
		if (!__atomic_load_n(&next->p, __ATOMIC_ACQUIRE)) {
			unsigned char *h = malloc(64);
			if (h) {
				memset(h, 0xa5, 64);
				void *old = NULL;
				if (!__atomic_compare_exchange_n(
					&next->p, &old, h, false,
					__ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
					free(h);
			}
		}
	}
	for (int w = 0; w < WINDOW; w++)
		if (live[w]) {
			bad += check(live[w], len[w], (unsigned char)(w + me));
			free(live[w]);
		}
	__atomic_fetch_add(&errors, bad, __ATOMIC_RELAXED);
	return NULL;
}

int main(int argc, char **argv)
{
	nthreads = argc > 1 ? atoi(argv[1]) : 8;
	rounds = argc > 2 ? atoi(argv[2]) : 20000;
	if (nthreads < 1 || nthreads > MAX_THREADS || rounds < 1) {
		fprintf(stderr, "usage: mstress T R (1 <= T <= %d)\n",
			MAX_THREADS);
		return 2;
	}
	box = aligned_alloc(4096, 4096 * (size_t)nthreads);
	if (!box)
		return 1;
	memset(box, 0, 4096 * (size_t)nthreads);
	pthread_t t[MAX_THREADS];
	double t0 = seconds();
	for (int i = 0; i < nthreads; i++)
		if (pthread_create(&t[i], NULL, worker, (void *)(intptr_t)i)) {
			fprintf(stderr, "mstress: pthread_create failed\n");
			return 1;
		}
	for (int i = 0; i < nthreads; i++)
		pthread_join(t[i], NULL);
	double t1 = seconds();
	for (int i = 0; i < nthreads; i++) {
		struct box *b = (struct box *)((char *)box + 4096 * i);
		if (b->p) {
			errors += check(b->p, 64, 0xa5);
			free(b->p);
		}
	}
	printf("mstress: threads=%d rounds=%d errors=%ld\n", nthreads, rounds,
	       errors);
	printf("mstress: parallel %.3f s\n", t1 - t0);
	/* the allocator's counters of this node, where the system has them */
	FILE *f = fopen("/proc/dsm", "r");
	char line[256];
	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, "malloc:", 7))
			printf("mstress: %s", line);
	if (f)
		fclose(f);
	return errors ? 1 : 0;
}
