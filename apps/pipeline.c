/*
 * apps/pipeline.c — a producer/consumer pipeline: a producer, S stages
 * that each transform items, and a consumer, connected by bounded queues
 * (mutex + two condition variables). Checks that every item arrives once,
 * in order, transformed exactly S times.
 *
 *   usage: pipeline [items] [stages]
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#define QCAP 16

struct queue {
	long buf[QCAP];
	int head, tail, count;
	pthread_mutex_t m;
	pthread_cond_t not_full, not_empty;
};

static void q_init(struct queue *q)
{
	q->head = q->tail = q->count = 0;
	pthread_mutex_init(&q->m, NULL);
	pthread_cond_init(&q->not_full, NULL);
	pthread_cond_init(&q->not_empty, NULL);
}

static void q_put(struct queue *q, long v)
{
	pthread_mutex_lock(&q->m);
	while (q->count == QCAP)
		pthread_cond_wait(&q->not_full, &q->m);
	q->buf[q->tail] = v;
	q->tail = (q->tail + 1) % QCAP;
	q->count++;
	pthread_cond_signal(&q->not_empty);
	pthread_mutex_unlock(&q->m);
}

static long q_get(struct queue *q)
{
	pthread_mutex_lock(&q->m);
	while (q->count == 0)
		pthread_cond_wait(&q->not_empty, &q->m);
	long v = q->buf[q->head];
	q->head = (q->head + 1) % QCAP;
	q->count--;
	pthread_cond_signal(&q->not_full);
	pthread_mutex_unlock(&q->m);
	return v;
}

static long items;
static int stages;
static struct queue *qs;

static void *producer(void *arg)
{
	(void)arg;
	for (long i = 1; i <= items; i++)
		q_put(&qs[0], i);
	q_put(&qs[0], -1);
	return NULL;
}

static void *stage(void *arg)
{
	long k = (long)arg;
	for (;;) {
		long v = q_get(&qs[k]);
		q_put(&qs[k + 1], v < 0 ? v : v * 2 + 1);
		if (v < 0)
			return NULL;
	}
}

int main(int argc, char **argv)
{
	items = argc > 1 ? atol(argv[1]) : 20000;
	stages = argc > 2 ? atoi(argv[2]) : 4;
	if (items < 1 || stages < 1 || stages > 32) {
		fprintf(stderr, "pipeline: bad arguments\n");
		return 2;
	}
	qs = malloc(sizeof(*qs) * (stages + 1));
	for (int i = 0; i <= stages; i++)
		q_init(&qs[i]);
	pthread_t p, s[32];
	pthread_create(&p, NULL, producer, NULL);
	for (long k = 0; k < stages; k++)
		pthread_create(&s[k], NULL, stage, (void *)k);
	long got = 0, bad = 0;
	for (long i = 1;; i++) {
		long v = q_get(&qs[stages]);
		if (v < 0)
			break;
		long want = i;
		for (int k = 0; k < stages; k++)
			want = want * 2 + 1;
		bad += v != want;
		got++;
	}
	pthread_join(p, NULL);
	for (int k = 0; k < stages; k++)
		pthread_join(s[k], NULL);
	printf("pipeline: %ld items through %d stages, %ld wrong\n", got,
	       stages, bad);
	return got == items && bad == 0 ? 0 : 1;
}
