/*
 * posix_bench.c: POSIX threads microbenchmarks, built unmodified for Unum
 * (tools/unum-cc) and for the Linux baseline guest (gcc -static -pthread),
 * so both systems run the same code in the same QEMU configuration.
 *
 * usage: posix_bench [-t MIN_SECONDS] [name...]
 *
 * Prints one line per benchmark, "bench: <name> <value> <unit>":
 *   thread_create_join      ns per pthread_create + pthread_join
 *   mutex_uncontended       ns per pthread_mutex_lock + unlock
 *   cond_pingpong           ns per round trip between two threads through
 *                           a mutex and two condition variables
 *   malloc_free_1thread     ns per malloc(64) + free pair, one thread
 *   malloc_free_allthreads  the same from sysconf(_SC_NPROCESSORS_ONLN)
 *                           threads at once: wall time / all pairs
 *   pipe_pingpong           ns per round trip of one byte between two
 *                           threads through two pipes (blocking reads)
 * Each benchmark scales its iteration count until one timed run lasts at
 * least MIN_SECONDS (default 0.2) of CLOCK_MONOTONIC time and reports that
 * run, so it takes ~0.2-1 s whatever the speed of the machine. Names given
 * on the command line select benchmarks. Exit status 0, or 1 with a message
 * on stderr when a call fails, 2 on bad usage.
 *
 * Only C11 and POSIX threads: no Linux or Unum specifics.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MALLOC_SIZE 64
#define MAX_THREADS 256

static int64_t min_run_ns = 200000000;

static void fail(const char *what, int err)
{
	fprintf(stderr, "posix_bench: %s: %s\n", what, strerror(err));
	exit(1);
}

static int64_t now_ns(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
		fail("clock_gettime(CLOCK_MONOTONIC)", errno);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* ---- thread_create_join ----------------------------------------------------
 */

static void *noop_thread(void *arg)
{
	return arg;
}

static int64_t bench_thread_create_join(long n)
{
	int64_t t0 = now_ns();
	pthread_t t;
	void *ret;
	int err;

	for (long i = 0; i < n; i++) {
		err = pthread_create(&t, NULL, noop_thread, NULL);
		if (err)
			fail("pthread_create", err);
		err = pthread_join(t, &ret);
		if (err)
			fail("pthread_join", err);
	}
	return now_ns() - t0;
}

/* ---- mutex_uncontended -----------------------------------------------------
 */

static pthread_mutex_t bench_mutex = PTHREAD_MUTEX_INITIALIZER;

static int64_t bench_mutex_uncontended(long n)
{
	int64_t t0 = now_ns();
	int err;

	for (long i = 0; i < n; i++) {
		err = pthread_mutex_lock(&bench_mutex);
		if (err)
			fail("pthread_mutex_lock", err);
		err = pthread_mutex_unlock(&bench_mutex);
		if (err)
			fail("pthread_mutex_unlock", err);
	}
	return now_ns() - t0;
}

/* ---- cond_pingpong ----------------------------------------------------------
 */

/* The ball goes to the partner (turn 1) and back (turn 0); -1 stops it. */
static struct {
	pthread_mutex_t lock;
	pthread_cond_t to_partner; /* turn became 1 or -1 */
	pthread_cond_t to_main;	   /* turn became 0 */
	int turn;		   /* (lock) */
} pp = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER,
	PTHREAD_COND_INITIALIZER, 0};

static void *pingpong_partner(void *arg)
{
	int err;

	err = pthread_mutex_lock(&pp.lock);
	if (err)
		fail("pthread_mutex_lock", err);
	for (;;) {
		while (pp.turn == 0) {
			err = pthread_cond_wait(&pp.to_partner, &pp.lock);
			if (err)
				fail("pthread_cond_wait", err);
		}
		if (pp.turn < 0)
			break;
		pp.turn = 0;
		err = pthread_cond_signal(&pp.to_main);
		if (err)
			fail("pthread_cond_signal", err);
	}
	err = pthread_mutex_unlock(&pp.lock);
	if (err)
		fail("pthread_mutex_unlock", err);
	return arg;
}

/* pp_pass(v): give the ball to the partner with turn v. Called with the lock.
 */
static void pp_pass(int v)
{
	int err;

	pp.turn = v;
	err = pthread_cond_signal(&pp.to_partner);
	if (err)
		fail("pthread_cond_signal", err);
}

static int64_t bench_cond_pingpong(long n)
{
	pthread_t t;
	int64_t t0;
	void *ret;
	int err;

	pp.turn = 0;
	err = pthread_create(&t, NULL, pingpong_partner, NULL);
	if (err)
		fail("pthread_create", err);
	err = pthread_mutex_lock(&pp.lock);
	if (err)
		fail("pthread_mutex_lock", err);
	t0 = now_ns();
	for (long i = 0; i < n; i++) {
		pp_pass(1);
		while (pp.turn != 0) {
			err = pthread_cond_wait(&pp.to_main, &pp.lock);
			if (err)
				fail("pthread_cond_wait", err);
		}
	}
	t0 = now_ns() - t0;
	pp_pass(-1);
	err = pthread_mutex_unlock(&pp.lock);
	if (err)
		fail("pthread_mutex_unlock", err);
	err = pthread_join(t, &ret);
	if (err)
		fail("pthread_join", err);
	return t0;
}

/* ---- malloc_free -----------------------------------------------------------
 */

static void malloc_free_loop(long n)
{
	/* Stores to it keep the compiler from pairing malloc with free away. */
	void *volatile sink = NULL;

	for (long i = 0; i < n; i++) {
		char *p = malloc(MALLOC_SIZE);

		if (!p)
			fail("malloc(64)", ENOMEM);
		p[0] = (char)i;
		sink = p;
		free(p);
	}
	(void)sink;
}

static int64_t bench_malloc_free_1thread(long n)
{
	int64_t t0 = now_ns();

	malloc_free_loop(n);
	return now_ns() - t0;
}

/* All workers start together when main opens the gate. */
static struct {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int waiting; /* (lock) workers at the gate */
	int open;    /* (lock) */
	long n;	     /* pairs per worker, set before the workers start */
} gate = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0, 0};

static void *malloc_worker(void *arg)
{
	int err;

	err = pthread_mutex_lock(&gate.lock);
	if (err)
		fail("pthread_mutex_lock", err);
	gate.waiting++;
	err = pthread_cond_broadcast(&gate.cond);
	if (err)
		fail("pthread_cond_broadcast", err);
	while (!gate.open) {
		err = pthread_cond_wait(&gate.cond, &gate.lock);
		if (err)
			fail("pthread_cond_wait", err);
	}
	err = pthread_mutex_unlock(&gate.lock);
	if (err)
		fail("pthread_mutex_unlock", err);
	malloc_free_loop(gate.n);
	return arg;
}

static long nthreads(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	if (n < 1)
		return 1;
	return n > MAX_THREADS ? MAX_THREADS : n;
}

/* Returns the wall time of all workers; the caller divides by n * threads. */
static int64_t bench_malloc_free_allthreads(long n)
{
	pthread_t t[MAX_THREADS];
	long nt = nthreads();
	int64_t t0;
	void *ret;
	int err;

	gate.waiting = 0;
	gate.open = 0;
	gate.n = n;
	for (long i = 0; i < nt; i++) {
		err = pthread_create(&t[i], NULL, malloc_worker, NULL);
		if (err)
			fail("pthread_create", err);
	}
	err = pthread_mutex_lock(&gate.lock);
	if (err)
		fail("pthread_mutex_lock", err);
	while (gate.waiting < nt) {
		err = pthread_cond_wait(&gate.cond, &gate.lock);
		if (err)
			fail("pthread_cond_wait", err);
	}
	t0 = now_ns();
	gate.open = 1;
	err = pthread_cond_broadcast(&gate.cond);
	if (err)
		fail("pthread_cond_broadcast", err);
	err = pthread_mutex_unlock(&gate.lock);
	if (err)
		fail("pthread_mutex_unlock", err);
	for (long i = 0; i < nt; i++) {
		err = pthread_join(t[i], &ret);
		if (err)
			fail("pthread_join", err);
	}
	return now_ns() - t0;
}

/* ---- pipe_pingpong ----------------------------------------------------------
 */

static int pipe_to_partner[2], pipe_to_main[2];

static void pipe_xfer(int rfd, int wfd, char *c)
{
	if (read(rfd, c, 1) != 1)
		fail("read(pipe)", errno);
	if (*c && write(wfd, c, 1) != 1)
		fail("write(pipe)", errno);
}

/* Echoes every byte back until it reads a 0. */
static void *pipe_partner(void *arg)
{
	char c = 1;

	while (c)
		pipe_xfer(pipe_to_partner[0], pipe_to_main[1], &c);
	return arg;
}

static int64_t bench_pipe_pingpong(long n)
{
	pthread_t t;
	int64_t t0;
	char c = 1;
	int err;

	if (pipe(pipe_to_partner) || pipe(pipe_to_main))
		fail("pipe", errno);
	err = pthread_create(&t, NULL, pipe_partner, NULL);
	if (err)
		fail("pthread_create", err);
	t0 = now_ns();
	for (long i = 0; i < n; i++) {
		if (write(pipe_to_partner[1], &c, 1) != 1)
			fail("write(pipe)", errno);
		if (read(pipe_to_main[0], &c, 1) != 1)
			fail("read(pipe)", errno);
	}
	t0 = now_ns() - t0;
	c = 0;
	if (write(pipe_to_partner[1], &c, 1) != 1)
		fail("write(pipe)", errno);
	err = pthread_join(t, NULL);
	if (err)
		fail("pthread_join", err);
	close(pipe_to_partner[0]);
	close(pipe_to_partner[1]);
	close(pipe_to_main[0]);
	close(pipe_to_main[1]);
	return t0;
}

/* ---- driver
 * ------------------------------------------------------------------ */

struct bench {
	const char *name;
	int64_t (*run)(long n); /* elapsed ns of n operations */
	int all_threads;	/* n operations per thread, on every CPU */
};

static const struct bench benches[] = {
    {"thread_create_join", bench_thread_create_join, 0},
    {"mutex_uncontended", bench_mutex_uncontended, 0},
    {"cond_pingpong", bench_cond_pingpong, 0},
    {"malloc_free_1thread", bench_malloc_free_1thread, 0},
    {"malloc_free_allthreads", bench_malloc_free_allthreads, 1},
    {"pipe_pingpong", bench_pipe_pingpong, 0},
};
#define NBENCH (sizeof(benches) / sizeof(benches[0]))

/*
 * Grow n until one run lasts min_run_ns: tenfold while runs are too short to
 * extrapolate from (under 1/20 of the target), then straight to the count
 * that should last 1.5 times the target.
 */
static void run_bench(const struct bench *b)
{
	long n = 16, ops;
	int64_t t;

	for (;;) {
		t = b->run(n);
		if (t >= min_run_ns)
			break;
		if (t < min_run_ns / 20 || t <= 0) {
			n *= 10;
		} else {
			double next =
			    (double)n * 1.5 * (double)min_run_ns / (double)t;
			n = next > (double)n * 2 ? (long)next : n * 2;
		}
		if (n > 1000000000L) {
			fprintf(stderr,
				"posix_bench: %s: clock does not advance\n",
				b->name);
			exit(1);
		}
	}
	ops = b->all_threads ? n * nthreads() : n;
	printf("bench: %s %.1f ns\n", b->name, (double)t / (double)ops);
	fflush(stdout);
	fprintf(stderr, "posix_bench: %s: %ld operations in %.3f s\n", b->name,
		ops, (double)t / 1e9);
}

static void usage(void)
{
	fprintf(stderr, "usage: posix_bench [-t MIN_SECONDS] [name...]\n"
			"benchmarks:");
	for (size_t i = 0; i < NBENCH; i++)
		fprintf(stderr, " %s", benches[i].name);
	fprintf(stderr, "\n");
	exit(2);
}

int main(int argc, char **argv)
{
	int first = 1;

	if (argc >= 3 && strcmp(argv[1], "-t") == 0) {
		char *end;
		double s = strtod(argv[2], &end);

		if (end == argv[2] || *end || !(s > 0 && s <= 60)) {
			fprintf(stderr,
				"posix_bench: -t '%s': not a number of "
				"seconds from 0 to 60\n",
				argv[2]);
			usage();
		}
		min_run_ns = (int64_t)(s * 1e9);
		first = 3;
	}
	for (int i = first; i < argc; i++) {
		size_t j;

		for (j = 0; j < NBENCH; j++)
			if (strcmp(argv[i], benches[j].name) == 0)
				break;
		if (j == NBENCH) {
			fprintf(stderr, "posix_bench: unknown benchmark '%s'\n",
				argv[i]);
			usage();
		}
	}
	fprintf(stderr, "posix_bench: %ld CPUs online\n", nthreads());
	for (size_t j = 0; j < NBENCH; j++) {
		int wanted = first == argc;

		for (int i = first; i < argc; i++)
			if (strcmp(argv[i], benches[j].name) == 0)
				wanted = 1;
		if (wanted)
			run_bench(&benches[j]);
	}
	return 0;
}
