/*
 * c_place.c — where new threads start under each placement policy. On 2
 * nodes of 1 CPU, main creates four CPU-bound threads 300 ms apart (so
 * every placement sees the loads the previous ones made, gossiped every
 * 100 ms) and prints where each started; argv[1] is the expected list,
 * one digit per thread:
 *   local         0000   (the creator's node)
 *   round_robin   1010   (the live nodes in turn, from the one after
 *                         main's: main counts as the first)
 *   least_loaded  1010   (the least loaded per CPU, main counted; a
 *                         tie keeps the creator's node; its balancer
 *                         moves nothing: main and two threads on node 0,
 *                         two on node 1, is as even as it gets)
 *   steal         0000   (new threads stay; idle nodes pull later)
 * With argv[2] = 0 the threads are created at once (a burst, as a team
 * starts): placement must not send the whole burst to the node that
 * looked least loaded before it (the core counts the threads it placed
 * since that node's last load report).
 * The threads stop when main says so; their work is not checked here.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <unum.h>

#include "ptest.h"

#define THREADS 4

/* Each on a page of its own: the spinning threads read `stop` from a page
 * nobody writes until the end, so main's writes to started_on[] do not
 * take it from them (and main is not held up refetching it). */
static volatile int stop_page[1024] __attribute__((aligned(4096)));
static volatile int started_page[1024] __attribute__((aligned(4096)));
#define stop	   (stop_page[0])
#define started_on started_page

static void *spin(void *arg)
{
	int i = (int)(long)arg;
	started_on[i] = unum_node();
	while (!stop)
		;
	return NULL;
}

int main(int argc, char **argv)
{
	if (argc != 2 && argc != 3) {
		printf("usage: c_place NNNN [GAP_MS]\n");
		return 2;
	}
	useconds_t gap = argc == 3 ? (useconds_t)atoi(argv[2]) * 1000 : 300000;
	pthread_t t[THREADS];
	char got[64] = "";
	for (int i = 0; i < THREADS; i++) {
		started_on[i] = -1;
		pthread_create(&t[i], NULL, spin, (void *)(long)i);
		while (started_on[i] < 0)
			usleep(1000);
		usleep(gap);
		snprintf(got + strlen(got), sizeof(got) - strlen(got), "%d",
			 started_on[i]);
	}
	stop = 1;
	for (int i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
	printf("# started on: %s\n", got);
	CHECK(!strcmp(got, argv[1]), "threads started where the policy says");
	return pt_done();
}
