/*
 * t_main_exit.c — POSIX: when main calls pthread_exit the process goes on
 * until its last thread ends, then ends with status 0 (exit(0) is implied).
 * Main starts three workers (one detached) and a detached "last" thread,
 * and leaves; worker 3 makes one more thread, which outlives it. They
 * print in turn (each waits for the one before, worker 1 a while longer
 * so that main has left), and the last thread prints the checks' summary.
 * The harness compares the whole output with t_main_exit.out
 * (tests/qemu/posix on one node, tests/qemu/dsm with the threads on two),
 * so a program that ended early (a line missing) or never (a timeout)
 * fails.
 */
#include <pthread.h>
#include <semaphore.h>
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

#include "ptest.h"

static sem_t turn[6];	       /* turn[k]: thread k may print */
static int grandchild_rc = -1; /* worker 3's pthread_create; read by last */

static void say(int k, const char *who)
{
	sem_wait(&turn[k]);
	printf("%s %d: done\n", who, k);
	fflush(stdout);
	sem_post(&turn[k + 1]);
}

static void *grandchild(void *a)
{
	say((int)(intptr_t)a, "grandchild");
	return NULL;
}

static void *worker(void *a)
{
	int k = (int)(intptr_t)a;
	if (k == 1)
		usleep(300000); /* main has left by then */
	if (k == 3) {
		pthread_t g;
		grandchild_rc = pthread_create(&g, NULL, grandchild, (void *)4);
		if (!grandchild_rc)
			pthread_detach(g);
	}
	say(k, "worker");
	return NULL;
}

static void *last(void *a)
{
	(void)a;
	sem_wait(&turn[5]);
	CHECK_EQ(grandchild_rc, 0, "a worker made a thread after main left");
	CHECK(1, "the last thread runs after main's pthread_exit");
	pt_done();
	printf("last: the program ends when I return\n");
	fflush(stdout);
	return NULL;
}

int main(void)
{
	pthread_t t[3], l;
	pthread_attr_t det;
	for (int k = 0; k < 6; k++)
		sem_init(&turn[k], 0, k == 1);
	pthread_attr_init(&det);
	pthread_attr_setdetachstate(&det, PTHREAD_CREATE_DETACHED);
	for (int k = 1; k <= 3; k++)
		CHECK_EQ(pthread_create(&t[k - 1], k == 2 ? &det : NULL, worker,
					(void *)(intptr_t)k),
			 0, "worker made");
	CHECK_EQ(pthread_create(&l, &det, last, NULL), 0, "last made");
	printf("main: leaving with pthread_exit\n");
	fflush(stdout);
	pthread_exit(NULL);
}
