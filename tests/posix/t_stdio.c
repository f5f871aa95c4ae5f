/*
 * t_stdio.c — the standard streams belong to the process, not to the thread
 * that used them first: a thread that printed and exited leaves stdin,
 * stdout and stderr (and descriptors 0, 1, 2) open for every other thread,
 * and its buffered output is not lost.
 *
 * The harness (tests/qemu/posix, and tests/qemu/dsm on two nodes) compares
 * the program's whole output with t_stdio.out, so a line lost anywhere
 * fails the test; it ends with a line left unterminated in stdout's
 * buffer, which exit() must write. Every write of main's is flushed before the
 * next thread starts, so the order is the same whatever the buffering of
 * stdout.
 */
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "ptest.h"

static void *printer(void *a)
{
	int k = (int)(intptr_t)a;
	printf("helper %d: printf\n", k);
	fflush(stdout);
	fprintf(stderr, "helper %d: stderr\n", k);
	return NULL;
}

/* Leaves half a line in stdout's buffer: it must come out, whole, before
 * the rest of the line that main writes. */
static void *half_line(void *a)
{
	printf("helper: half a line, ");
	return a;
}

/* More than one buffer's worth in one line. */
static void *long_line(void *a)
{
	char line[3001];
	memset(line, 'x', sizeof(line) - 1);
	line[sizeof(line) - 1] = 0;
	printf("helper: %s\n", line);
	return a;
}

static void *exit_printing(void *a)
{
	puts("helper: puts, then pthread_exit");
	pthread_exit(a);
}

static void run(void *(*fn)(void *), void *arg)
{
	pthread_t t;
	if (pthread_create(&t, NULL, fn, arg) != 0 ||
	    pthread_join(t, NULL) != 0)
		printf("main: pthread_create or pthread_join failed\n");
}

int main(void)
{
	run(printer, (void *)1);
	printf("main: printf after helper 1 exited\n");
	fflush(stdout);
	static const char w[] = "main: write(1) after helper 1 exited\n";
	CHECK_EQ(write(1, w, sizeof(w) - 1), (long)(sizeof(w) - 1),
		 "write(1) after a printing thread exited");
	CHECK(fcntl(0, F_GETFD) >= 0 && fcntl(1, F_GETFD) >= 0 &&
		  fcntl(2, F_GETFD) >= 0,
	      "descriptors 0, 1 and 2 still open");

	for (int k = 2; k <= 4; k++)
		run(printer, (void *)(intptr_t)k);
	fflush(stdout);
	fprintf(stderr, "main: stderr after helpers 2-4\n");

	run(half_line, NULL);
	printf("main: the rest of the line\n");
	run(long_line, NULL);
	run(exit_printing, NULL);
	fflush(stdout);
	CHECK_EQ(fileno(stdout), 1, "stdout is still descriptor 1");
	CHECK(!ferror(stdout) && !ferror(stderr),
	      "no error on stdout or stderr");
	int status = pt_done();
	/* left in the buffer: exit() must flush it */
	printf("main: the last words, with no newline");
	return status;
}
