/*
 * c_malloc.c — one heap per node: threads spread over the cluster
 * (sched.policy=round_robin) allocate from their own node's arena (a block
 * lies in the span of the global address space of the node that
 * allocated it); blocks allocated on one node are checked, grown with
 * realloc and freed on another; a malloc stress with exact checks runs on
 * every node at once; an impossible size fails with ENOMEM on every node.
 * Small blocks of node 0 freed by a thread on node 1 wait in that thread's
 * cache and come back to arena 0 in one batch when the thread exits, as
 * the last line of /proc/dsm counts them (on 1 node: no remote frees at
 * all). Built with tools/unum-cc; booted by tests/qemu/dsm on 2 and 4 nodes (and
 * on 1, where it must pass as well).
 */
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <unum.h>

#include "ptest.h"

#define GAS_DYN_BASE  0x0000100000000000ul
#define GAS_NODE_SPAN (1ul << 40)
#define MAXT	      8
#define HANDOFF	      48
#define ROUNDS	      400

static int nthreads;
static void *volatile sink;
static pthread_barrier_t bar;

struct result {
	int node;	 /* where the thread ran */
	int wrong_arena; /* its blocks outside its node's span */
	int bad_handoff; /* blocks from the previous thread that were wrong */
	int bad_stress;	 /* stress blocks whose bytes changed */
	int bad_enomem;	 /* a huge malloc that did not fail with ENOMEM */
};
static struct result res[MAXT];
static unsigned char *handoff[MAXT][HANDOFF]; /* [producer][i] */

static size_t hsize(int i)
{
	return i % 8 == 7 ? 100000 + 4096 * (size_t)i
			  : (size_t)(i * 97 % 3000) + 1;
}

static int node_of(const void *p)
{
	uintptr_t a = (uintptr_t)p;
	if (a < GAS_DYN_BASE)
		return -1;
	return (int)((a - GAS_DYN_BASE) / GAS_NODE_SPAN);
}

static void *worker(void *arg)
{
	int id = (int)(intptr_t)arg;
	struct result *r = &res[id];
	r->node = unum_node();
	/* blocks for the next thread (on the next node) */
	for (int i = 0; i < HANDOFF; i++) {
		unsigned char *p = malloc(hsize(i));
		if (!p) {
			r->wrong_arena++;
			continue;
		}
		memset(p, (id * 31 + i) & 0xff, hsize(i));
		if (node_of(p) != unum_node())
			r->wrong_arena++;
		handoff[id][i] = p;
	}
	pthread_barrier_wait(&bar);
	/* the previous thread's blocks: check, grow, check, free here */
	int from = (id + nthreads - 1) % nthreads;
	for (int i = 0; i < HANDOFF; i++) {
		unsigned char *p = handoff[from][i];
		unsigned char v = (unsigned char)((from * 31 + i) & 0xff);
		if (!p || malloc_usable_size(p) < hsize(i) || p[0] != v ||
		    p[hsize(i) - 1] != v) {
			r->bad_handoff++;
			continue;
		}
		unsigned char *q = realloc(p, hsize(i) + 5000);
		if (!q || q[0] != v || q[hsize(i) - 1] != v)
			r->bad_handoff++;
		free(q ? q : p);
	}
	/* stress: blocks of many sizes, filled, checked, freed */
	unsigned rng = (unsigned)id * 2654435761u + 7;
	unsigned char *live[32] = {0};
	size_t len[32] = {0};
	for (int round = 0; round < ROUNDS; round++) {
		rng = rng * 1103515245u + 12345u;
		int k = (int)((rng >> 8) % 32);
		if (live[k]) {
			unsigned char v = (unsigned char)(k + id);
			if (live[k][0] != v || live[k][len[k] - 1] != v)
				r->bad_stress++;
			free(live[k]);
			live[k] = NULL;
		} else {
			len[k] = (rng >> 12) % 20000 + 1;
			live[k] = malloc(len[k]);
			if (!live[k] || node_of(live[k]) != unum_node()) {
				r->bad_stress++;
				free(live[k]);
				live[k] = NULL;
				continue;
			}
			memset(live[k], k + id, len[k]);
		}
	}
	for (int k = 0; k < 32; k++)
		free(live[k]);
	errno = 0;
	sink = malloc((size_t)1 << 62); /* escapes: the compiler must call it */
	if (sink || errno != ENOMEM)
		r->bad_enomem++;
	return NULL;
}

/* The heap line of /proc/dsm (this node's arena); false if absent. */
struct heapline {
	int arena;
	unsigned long long in_use, mapped, allocs, frees, sent, sent_batches,
	    recv, recv_batches;
};

static int read_heapline(struct heapline *h)
{
	static __thread char buf[8192];
	int fd = open("/proc/dsm", O_RDONLY), used = -1;
	ssize_t n, got = 0;
	if (fd < 0)
		return 0;
	while (got < (ssize_t)sizeof(buf) - 1 &&
	       (n = read(fd, buf + got, sizeof(buf) - 1 - (size_t)got)) > 0)
		got += n;
	close(fd);
	buf[got] = 0;
	char *l = strstr(buf, "\nmalloc: ");
	if (!l)
		return 0;
	return sscanf(l + 1,
		      "malloc: arena %d: in use %llu bytes, mapped %llu bytes, "
		      "allocs %llu, frees %llu, remote frees sent %llu in %llu "
		      "batches, received %llu in %llu batches\n%n",
		      &h->arena, &h->in_use, &h->mapped, &h->allocs, &h->frees,
		      &h->sent, &h->sent_batches, &h->recv, &h->recv_batches,
		      &used) == 9 &&
	       l + 1 + used == buf + got;
}

#define NREMOTE 10

struct remote_free {
	void *blocks[NREMOTE];
	int node;	/* where the freeing thread ran */
	int pending_ok; /* its node's sent counters did not move */
};

/* Frees node 0's blocks on another node; they wait in this thread's
 * cache (it allocated, so it has one) until it exits. */
static void *free_remote(void *arg)
{
	struct remote_free *rf = arg;
	struct heapline a, b;
	rf->node = unum_node();
	if (rf->node == 0)
		return NULL;
	free(malloc(16));
	int ok = read_heapline(&a);
	for (int i = 0; i < NREMOTE; i++)
		free(rf->blocks[i]);
	ok &= read_heapline(&b);
	rf->pending_ok = ok && a.arena == rf->node && b.sent == a.sent &&
			 b.sent_batches == a.sent_batches;
	return NULL;
}

/* Node 0's blocks freed on node 1 come back to arena 0 at thread exit. */
static void check_remote_frees(int nodes)
{
	struct heapline before, after;
	struct remote_free rf;
	CHECK(read_heapline(&before) && before.arena == 0,
	      "/proc/dsm ends with arena 0's heap line on node 0");
	if (nodes == 1) {
		CHECK_EQ(before.sent + before.sent_batches + before.recv +
			     before.recv_batches,
			 0, "alone, no remote frees");
		return;
	}
	for (int i = 0; i < NREMOTE; i++)
		rf.blocks[i] = malloc(100);
	CHECK(read_heapline(&before), "arena 0's heap line before");
	rf.node = 0;
	rf.pending_ok = 0;
	for (int tries = 0; tries < 2 * nodes && rf.node == 0; tries++) {
		pthread_t t;
		pthread_create(&t, NULL, free_remote, &rf);
		pthread_join(t, NULL);
	}
	CHECK(rf.node != 0, "a thread ran on another node than 0");
	CHECK(rf.pending_ok, "remote frees wait in the freeing thread's cache");
	CHECK(read_heapline(&after), "arena 0's heap line after");
	CHECK_EQ(after.recv - before.recv, NREMOTE,
		 "arena 0 received the blocks freed on another node");
	CHECK_EQ(after.recv_batches - before.recv_batches, 1,
		 "in one batch, pushed at the thread's exit");
	CHECK(after.frees - before.frees >= NREMOTE,
	      "arena 0 counts them as freed");
}

int main(void)
{
	int nodes = unum_nodes();
	nthreads = 2 * nodes > MAXT ? MAXT : 2 * nodes;
	if (nthreads < 2)
		nthreads = 2;
	pthread_barrier_init(&bar, NULL, (unsigned)nthreads);
	pthread_t t[MAXT];
	for (int i = 0; i < nthreads; i++)
		pthread_create(&t[i], NULL, worker, (void *)(intptr_t)i);
	for (int i = 0; i < nthreads; i++)
		pthread_join(t[i], NULL);
	int on = 0, wrong = 0, handoff_bad = 0, stress_bad = 0, enomem_bad = 0;
	unsigned long used = 0;
	for (int i = 0; i < nthreads; i++) {
		used |= 1ul << res[i].node;
		wrong += res[i].wrong_arena;
		handoff_bad += res[i].bad_handoff;
		stress_bad += res[i].bad_stress;
		enomem_bad += res[i].bad_enomem;
	}
	for (int n = 0; n < nodes; n++)
		on += (used >> n) & 1;
	CHECK_EQ(on, nodes, "threads ran on every node");
	CHECK_EQ(wrong, 0,
		 "every block lies in the span of the node that allocated it");
	CHECK_EQ(handoff_bad, 0,
		 "blocks from another node: contents, size, realloc and free");
	CHECK_EQ(stress_bad, 0,
		 "malloc stress on every node: every byte as written");
	CHECK_EQ(enomem_bad, 0,
		 "an impossible size fails with ENOMEM on every node");
	void *p = malloc(100);
	CHECK_EQ(node_of(p), 0, "main's block is in node 0's span");
	free(p);
	check_remote_frees(nodes);
	return pt_done();
}
