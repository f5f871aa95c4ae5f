/*
 * c_shared.c — one address space across the nodes: threads spread over the
 * cluster (sched.policy=round_robin) share a counter under a mutex, write
 * neighbouring words of one page (false sharing), and read and write many
 * pages under per-page locks with per-page checksums. Every result must be
 * exact. Built with tools/unum-cc; booted by tests/qemu/cluster on 2 and 4
 * nodes (and on 1, where it must pass as well).
 */
#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "ptest.h"

#define ITERS 300
#define PAGES 24
#define WORDS (4096 / 8)

static pthread_mutex_t counter_lock = PTHREAD_MUTEX_INITIALIZER;
static long counter;

static volatile uint64_t neighbours[64] __attribute__((aligned(4096)));

static uint64_t pages[PAGES][WORDS] __attribute__((aligned(4096)));
static pthread_mutex_t page_lock[PAGES];
static int nthreads;

static uint64_t checksum(const uint64_t *p)
{
	uint64_t s = 0;
	for (int i = 1; i < WORDS; i++)
		s = s * 1000003u + p[i];
	return s;
}

static void *worker(void *arg)
{
	long id = (long)arg;
	unsigned rng = (unsigned)id * 2654435761u + 1;
	for (int i = 0; i < ITERS; i++) {
		pthread_mutex_lock(&counter_lock);
		counter++;
		pthread_mutex_unlock(&counter_lock);
		neighbours[id]++; /* its own word of a shared page */
		rng = rng * 1103515245u + 12345u;
		int p = (int)((rng >> 8) % PAGES);
		pthread_mutex_lock(&page_lock[p]);
		if (pages[p][0] != checksum(pages[p]))
			pages[p][0] = ~0ull; /* poisoned: checked below */
		else {
			pages[p][1 + (rng >> 4) % (WORDS - 1)] +=
			    (uint64_t)id + 1;
			pages[p][0] = checksum(pages[p]);
		}
		pthread_mutex_unlock(&page_lock[p]);
	}
	return NULL;
}

int main(void)
{
	nthreads = 2 * (int)sysconf(_SC_NPROCESSORS_ONLN);
	if (nthreads > 64)
		nthreads = 64;
	for (int p = 0; p < PAGES; p++) {
		pthread_mutex_init(&page_lock[p], NULL);
		pages[p][0] = checksum(pages[p]);
	}
	pthread_t t[64];
	for (long i = 0; i < nthreads; i++)
		CHECK_EQ(pthread_create(&t[i], NULL, worker, (void *)i), 0,
			 "create a worker");
	for (int i = 0; i < nthreads; i++)
		pthread_join(t[i], NULL);
	CHECK_EQ(counter, (long)nthreads * ITERS,
		 "shared counter under a mutex is exact");
	int bad = 0;
	for (int i = 0; i < nthreads; i++)
		bad += neighbours[i] != ITERS;
	CHECK_EQ(bad, 0,
		 "false sharing: every thread's word counts its own writes");
	int corrupt = 0;
	uint64_t total = 0;
	for (int p = 0; p < PAGES; p++) {
		corrupt += pages[p][0] != checksum(pages[p]);
		for (int w = 1; w < WORDS; w++)
			total += pages[p][w];
	}
	CHECK_EQ(corrupt, 0, "every page's checksum matches its contents");
	uint64_t expect = 0;
	for (int i = 0; i < nthreads; i++)
		expect += (uint64_t)(i + 1) * ITERS;
	CHECK_EQ(total, expect, "no write to any page was lost");
	return pt_done();
}
