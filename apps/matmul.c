/*
 * apps/matmul.c — parallel matrix multiply with pthreads: C = A x B for
 * N x N doubles, rows split over T threads; checks the result against a
 * single-threaded multiply and prints a checksum and the timing.
 *
 *   usage: matmul [N] [threads]      (defaults: 192, the number of CPUs)
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int n, nthreads;
static double *a, *b, *c, *ref;

struct slice {
	int lo, hi;
};

static void multiply_rows(double *out, int lo, int hi)
{
	for (int i = lo; i < hi; i++)
		for (int j = 0; j < n; j++) {
			double s = 0;
			for (int k = 0; k < n; k++)
				s += a[i * n + k] * b[k * n + j];
			out[i * n + j] = s;
		}
}

static void *worker(void *arg)
{
	struct slice *s = arg;
	multiply_rows(c, s->lo, s->hi);
	return NULL;
}

static double seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	n = argc > 1 ? atoi(argv[1]) : 192;
	nthreads =
	    argc > 2 ? atoi(argv[2]) : (int)sysconf(_SC_NPROCESSORS_ONLN);
	if (n < 1 || nthreads < 1 || nthreads > 256) {
		fprintf(stderr, "matmul: bad arguments (N=%d threads=%d)\n", n,
			nthreads);
		return 2;
	}
	a = malloc(sizeof(double) * n * n);
	b = malloc(sizeof(double) * n * n);
	c = malloc(sizeof(double) * n * n);
	ref = malloc(sizeof(double) * n * n);
	if (!a || !b || !c || !ref) {
		fprintf(stderr, "matmul: out of memory\n");
		return 1;
	}
	for (int i = 0; i < n * n; i++) {
		a[i] = (double)((i * 7) % 13) - 6;
		b[i] = (double)((i * 11) % 17) / 4;
	}
	double t0 = seconds();
	multiply_rows(ref, 0, n);
	double t1 = seconds();
	pthread_t *t = malloc(sizeof(*t) * nthreads);
	struct slice *s = malloc(sizeof(*s) * nthreads);
	for (int i = 0; i < nthreads; i++) {
		s[i].lo = n * i / nthreads;
		s[i].hi = n * (i + 1) / nthreads;
		pthread_create(&t[i], NULL, worker, &s[i]);
	}
	for (int i = 0; i < nthreads; i++)
		pthread_join(t[i], NULL);
	double t2 = seconds();
	double sum = 0;
	for (int i = 0; i < n * n; i++)
		sum += c[i];
	int same = !memcmp(c, ref, sizeof(double) * n * n);
	printf("matmul: N=%d threads=%d checksum=%.1f %s\n", n, nthreads, sum,
	       same ? "matches the serial result"
		    : "DIFFERS from the serial result");
	printf("matmul: serial %.3f s, parallel %.3f s, speedup %.2f\n",
	       t1 - t0, t2 - t1, (t1 - t0) / (t2 - t1));
	return same ? 0 : 1;
}
