/*
 * c_locality.c — `locality` moves a thread to the node where its pages
 * are. Booted on 2 nodes with sched.policy=round_robin: a reader starts on
 * node 0, a writer on node 1; the writer fills PAGES pages of a buffer on
 * its own stack (node 1's stack region: their home is node 1) and keeps
 * rewriting them; the reader reads them over and over and checks that
 * every page is whole (all its words equal), with a sequence count in the
 * page's first word (odd while the writer is in the page). With
 * the policy switched live to locality, the reader's faults come from
 * node 1, and it must be moved there. Its checks must all hold.
 */
#include <pthread.h>
#include <stdint.h>
#include <time.h>
#include <unistd.h>
#include <unum.h>

#include "ptest.h"

#define PAGES 32
#define WORDS 512

static volatile uint64_t (*volatile buf)[WORDS]; /* word 0: sequence */
static volatile int ready, stop, reader_node = -1, writer_node = -1;
static long torn, reads;

static void *writer(void *arg)
{
	(void)arg;
	volatile uint64_t mine[PAGES][WORDS] __attribute__((aligned(4096)));
	writer_node = unum_node();
	for (int p = 0; p < PAGES; p++)
		for (int w = 0; w < WORDS; w++)
			mine[p][w] = w ? 1 : 0;
	buf = mine;
	ready = 1;
	for (uint64_t v = 2; !stop; v++) {
		for (int p = 0; p < PAGES; p++) {
			mine[p][0]++; /* odd: being written */
			for (int w = 1; w < WORDS; w++)
				mine[p][w] = v;
			mine[p][0]++;
		}
		usleep(2000);
	}
	return NULL;
}

static void *reader(void *arg)
{
	(void)arg;
	reader_node = unum_node();
	while (!ready)
		usleep(1000);
	while (!stop) {
		for (int p = 0; p < PAGES; p++) {
			uint64_t s1 = buf[p][0], first = buf[p][1], bad = 0;
			for (int w = 2; w < WORDS; w++)
				bad |= buf[p][w] != first;
			if (!(s1 & 1) && buf[p][0] == s1 && bad)
				torn++; /* a stable page that was not whole */
		}
		reads++;
		reader_node = unum_node();
	}
	return NULL;
}

static uint64_t now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000u + (uint64_t)t.tv_nsec / 1000000u;
}

int main(void)
{
	CHECK_EQ(unum_nodes(), 2, "two nodes");
	pthread_t w, r;
	pthread_attr_t a;
	pthread_attr_init(&a);
	pthread_attr_setstacksize(&a, 1 << 20);
	/* round_robin starts after main's node: the writer to node 1, then
	 * the reader to node 0 */
	CHECK_EQ(pthread_create(&w, &a, writer, NULL), 0, "create the writer");
	CHECK_EQ(pthread_create(&r, NULL, reader, NULL), 0,
		 "create the reader");
	while (!ready || reader_node < 0)
		usleep(1000);
	CHECK_EQ(reader_node, 0, "the reader starts on node 0 (round_robin)");
	CHECK_EQ(writer_node, 1,
		 "the writer starts on node 1, its buffer on its stack there");
	usleep(300000); /* the reader reads remote pages a while */
	CHECK_EQ(unum_sched_policy("locality"), 0,
		 "switch to locality while they run");
	uint64_t t0 = now_ms(), moved = 0;
	while (now_ms() - t0 < 5000 && !moved) {
		if (reader_node == 1)
			moved = now_ms() - t0;
		usleep(10000);
	}
	printf("# reader on node %d, %llu ms after the switch\n", reader_node,
	       (unsigned long long)moved);
	CHECK_EQ(reader_node, 1,
		 "locality moved the reader to its pages' node");
	stop = 1;
	pthread_join(w, NULL);
	pthread_join(r, NULL);
	CHECK(reads > 0, "the reader read");
	CHECK_EQ(torn, 0, "no stable page was ever seen half written");
	return pt_done();
}
