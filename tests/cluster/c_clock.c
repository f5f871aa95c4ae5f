/*
 * c_clock.c — one clock for the cluster (net/member_clock.c), on 2 or
 * more nodes:
 *   - a token goes round a ring of threads, one per node, through shared
 *     memory: each holder reads CLOCK_MONOTONIC (then CLOCK_REALTIME),
 *     checks that its reading is not below the one the previous holder
 *     wrote before passing the token (causal order), writes its own and
 *     passes on; ROUNDS rounds each;
 *   - a thread moved back and forth between the origin and node 1 (and
 *     node 2 on 3 nodes) reads a non-decreasing CLOCK_MONOTONIC across
 *     every move;
 *   - /proc/cluster shows every node's clock offset and error bound; the
 *     bound is below 10 ms on every node (printed as diagnostics).
 */
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <unum.h>

#include "ptest.h"

#define ROUNDS 150
#define MOVES  20
#define MAXN   8

static uint64_t read_clock(clockid_t c)
{
	struct timespec ts;
	clock_gettime(c, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

struct ring {
	clockid_t clk;
	int n;
	int turn;      /* whose turn: a ring index */
	uint64_t last; /* the reading the last holder wrote */
	int back;      /* readings below the previous holder's */
	int64_t worst; /* the most negative difference seen */
	int wrong_node[MAXN];
	pthread_t id[MAXN];
};

static struct ring ring;

static void *holder(void *arg)
{
	int me = (int)(intptr_t)arg, n = ring.n;
	while (unum_node() != me)
		if (unum_migrate(pthread_self(), me))
			sched_yield();
	for (int r = 0; r < ROUNDS; r++) {
		while (__atomic_load_n(&ring.turn, __ATOMIC_ACQUIRE) != me)
			sched_yield();
		uint64_t prev = __atomic_load_n(&ring.last, __ATOMIC_ACQUIRE);
		uint64_t now = read_clock(ring.clk);
		if (unum_node() != me)
			ring.wrong_node[me]++;
		if (now < prev) {
			ring.back++;
			if ((int64_t)(now - prev) < ring.worst)
				ring.worst = (int64_t)(now - prev);
		}
		__atomic_store_n(&ring.last, now, __ATOMIC_RELEASE);
		__atomic_store_n(&ring.turn, (me + 1) % n, __ATOMIC_RELEASE);
	}
	return NULL;
}

static void run_ring(clockid_t clk, const char *name, int nodes)
{
	memset(&ring, 0, sizeof(ring));
	ring.clk = clk;
	ring.n = nodes;
	ring.turn = -1; /* nobody until all are in place */
	for (int i = 1; i < nodes; i++) {
		pthread_create(&ring.id[i], NULL, holder, (void *)(intptr_t)i);
	}
	ring.last = read_clock(clk);
	__atomic_store_n(&ring.turn, 0, __ATOMIC_RELEASE);
	holder((void *)0);
	for (int i = 1; i < nodes; i++)
		pthread_join(ring.id[i], NULL);
	int wrong = 0;
	for (int i = 0; i < nodes; i++)
		wrong += ring.wrong_node[i];
	char what[128];
	snprintf(what, sizeof(what),
		 "%s: %d readings passed round %d nodes, none below the "
		 "previous holder's",
		 name, ROUNDS * nodes, nodes);
	if (ring.back)
		printf("# %s: %d reading(s) went back, worst by %lld ns\n",
		       name, ring.back, (long long)ring.worst);
	CHECK_EQ(ring.back, 0, what);
	snprintf(what, sizeof(what), "%s: every holder ran on its own node",
		 name);
	CHECK_EQ(wrong, 0, what);
}

static int mover_back, mover_moves, mover_wrong;

static void *mover(void *arg)
{
	int nodes = (int)(intptr_t)arg;
	uint64_t last = read_clock(CLOCK_MONOTONIC);
	for (int i = 0; i < MOVES; i++) {
		int to = (i % 2) ? 0 : 1 + (i / 2) % (nodes - 1);
		if (unum_migrate(pthread_self(), to) == 0)
			mover_moves++;
		if (unum_node() != to)
			mover_wrong++;
		for (int k = 0; k < 50; k++) {
			uint64_t now = read_clock(CLOCK_MONOTONIC);
			if (now < last)
				mover_back++;
			last = now;
		}
	}
	return NULL;
}

/* Every "clock_error_ns N" line of /proc/cluster: how many, and the
 * largest N. */
static int proc_clock(uint64_t *max_err)
{
	static char buf[65536];
	int fd = open("/proc/cluster", O_RDONLY);
	if (fd < 0)
		return -1;
	size_t n = 0;
	ssize_t got;
	while (n < sizeof(buf) - 1 &&
	       (got = read(fd, buf + n, sizeof(buf) - 1 - n)) > 0)
		n += (size_t)got;
	close(fd);
	buf[n] = 0;
	int lines = 0;
	*max_err = 0;
	for (char *p = buf; (p = strstr(p, "clock_")) != NULL; p++) {
		unsigned long long v;
		long long o;
		if (sscanf(p, "clock_error_ns %llu", &v) == 1) {
			lines++;
			if (v > *max_err)
				*max_err = v;
		} else if (sscanf(p, "clock_offset_ns %lld", &o) == 1) {
			printf("# clock_offset_ns %lld\n", o);
		}
	}
	return lines;
}

int main(void)
{
	int nodes = unum_nodes();
	if (nodes > MAXN)
		nodes = MAXN;
	CHECK(nodes >= 2, "the cluster has at least 2 nodes");
	if (nodes < 2)
		return pt_done();
	run_ring(CLOCK_MONOTONIC, "CLOCK_MONOTONIC", nodes);
	run_ring(CLOCK_REALTIME, "CLOCK_REALTIME", nodes);

	pthread_t m;
	pthread_create(&m, NULL, mover, (void *)(intptr_t)nodes);
	pthread_join(m, NULL);
	CHECK_EQ(mover_moves, MOVES, "the thread moved every time");
	CHECK_EQ(mover_wrong, 0, "and ran where it was moved");
	CHECK_EQ(mover_back, 0,
		 "its CLOCK_MONOTONIC never went back across the moves");

	uint64_t max_err;
	int lines = proc_clock(&max_err);
	printf("# largest clock error bound: %llu ns\n",
	       (unsigned long long)max_err);
	CHECK_EQ(lines, nodes, "/proc/cluster: a clock_error_ns line a node");
	CHECK(max_err < 10000000, "every node's clock error bound is below "
				  "10 ms");
	return pt_done();
}
