/*
 * c_death.c — a node dies under a running program. Booted on 3 nodes with
 * sched.policy=round_robin: six threads spread over the nodes, each says
 * where it runs ("# thread ID on node N") and then works on forever.
 * tests/qemu/migrate kills node 2 once every thread has spoken; the origin
 * must name exactly the threads that lived there and end the program
 * (status 1) — never hang.
 */
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>
#include <unum.h>

#define THREADS 6

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int spoken;

static void *worker(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&lock);
	printf("# thread %u on node %d\n", (unsigned)pthread_self(),
	       unum_node());
	spoken++;
	pthread_mutex_unlock(&lock);
	for (;;)
		usleep(20000);
	return NULL;
}

int main(void)
{
	pthread_t t[THREADS];
	for (int i = 0; i < THREADS; i++)
		pthread_create(&t[i], NULL, worker, NULL);
	for (;;) {
		pthread_mutex_lock(&lock);
		int n = spoken;
		pthread_mutex_unlock(&lock);
		if (n == THREADS)
			break;
		usleep(10000);
	}
	printf("# all %d threads running\n", THREADS);
	for (int i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL); /* never: node 2 is killed first */
	printf("# the program ended normally: wrong\n");
	return 0;
}
