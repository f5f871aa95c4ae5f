/*
 * apps/mandelbrot.c — parallel Mandelbrot set: blocks of CHUNK rows handed
 * out dynamically (an atomic counter) to T threads; prints a small ASCII
 * rendering and the total iteration count, identical for any number of
 * threads. Written to run well on several nodes too: the counter has a
 * page of its own (taking a block writes only that page), a block of rows
 * is mostly whole pages of the result, and the parameters are read once.
 *
 *   usage: mandelbrot [width] [height] [threads]
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#define CHUNK 16

static int w, h, maxit = 500;
static int *iters;
static struct { /* alone in its page */
	_Alignas(4096) atomic_int v;
	char pad[4096 - sizeof(atomic_int)];
} next_row;

static void *worker(void *arg)
{
	(void)arg;
	const int W = w, H = h, M = maxit;
	int *out = iters;
	for (int y0; (y0 = atomic_fetch_add(&next_row.v, CHUNK)) < H;) {
		for (int y = y0; y < y0 + CHUNK && y < H; y++) {
			for (int x = 0; x < W; x++) {
				double cr = -2.2 + 3.2 * x / W,
				       ci = -1.2 + 2.4 * y / H;
				double zr = 0, zi = 0;
				int i = 0;
				while (i < M && zr * zr + zi * zi < 4) {
					double t = zr * zr - zi * zi + cr;
					zi = 2 * zr * zi + ci;
					zr = t;
					i++;
				}
				out[y * W + x] = i;
			}
		}
	}
	return NULL;
}

int main(int argc, char **argv)
{
	w = argc > 1 ? atoi(argv[1]) : 72;
	h = argc > 2 ? atoi(argv[2]) : 28;
	int nt = argc > 3 ? atoi(argv[3]) : (int)sysconf(_SC_NPROCESSORS_ONLN);
	if (w < 1 || h < 1 || nt < 1 || nt > 256) {
		fprintf(stderr, "mandelbrot: bad arguments\n");
		return 2;
	}
	iters = calloc((size_t)w * h, sizeof(int));
	pthread_t t[256];
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int i = 0; i < nt; i++)
		pthread_create(&t[i], NULL, worker, NULL);
	for (int i = 0; i < nt; i++)
		pthread_join(t[i], NULL);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	long total = 0;
	for (int y = 0; y < h; y++) {
		char line[1024];
		int x;
		for (x = 0; x < w && x < 1023; x++) {
			int i = iters[y * w + x];
			total += i;
			line[x] = i == maxit ? '#' : " .:-=+*%@"[i % 9];
		}
		line[x] = 0;
		if (w <= 160)
			puts(line);
	}
	printf("mandelbrot: %dx%d, %d threads, %ld iterations\n", w, h, nt,
	       total);
	printf("mandelbrot: parallel %.3f s\n",
	       (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9);
	return 0;
}
