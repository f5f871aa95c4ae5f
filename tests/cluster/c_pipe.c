/*
 * c_pipe.c — pipes between threads on different nodes (each thread moves
 * itself with unum_migrate, so the placement policy does not matter):
 *   - 1 MiB from a writer on node 1 to a reader on node 0, in writes of
 *     varying sizes, and 1 MiB the other way: byte count and FNV-1a
 *     checksum exact, end of file after the writer's close;
 *   - a poll with no timeout on one node woken by a write on the other
 *     (both ways), and a finite poll likewise;
 *   - a writer blocked on a full pipe on node 0 released when the reader
 *     on node 1 closes: the partial count, then EPIPE;
 *   - a read blocked on node 1 ended by pthread_cancel from node 0.
 * Booted by tests/qemu/dsm on 2 nodes.
 */
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <time.h>
#include <unistd.h>
#include <unum.h>

#include "ptest.h"

#define TOTAL	 (1024 * 1024)
#define PIPE_CAP (64 * 1024)

/* The stream's byte i (xorshift of the index). */
static uint8_t byte_at(uint32_t i)
{
	uint32_t x = i * 2654435761u + 1;
	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return (uint8_t)(x >> 8);
}

static uint64_t fnv(uint64_t h, const uint8_t *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 0x100000001b3ull;
	return h;
}

#define FNV_INIT 0xcbf29ce484222325ull

struct end {
	int fd, node;  /* the fd, the node to run on */
	int ran_on;    /* where it ran */
	long count;    /* bytes moved */
	uint64_t hash; /* FNV-1a of them */
	int last;      /* writer: close's result; reader: last read's */
};

static int move_to(int node)
{
	if (unum_node() != node)
		unum_migrate(pthread_self(), node);
	return unum_node();
}

static void *writer(void *arg)
{
	static uint8_t chunk[2][9000];
	struct end *e = arg;
	uint8_t *buf = chunk[e->node];
	uint32_t pos = 0;
	size_t size = 1;

	e->ran_on = move_to(e->node);
	e->hash = FNV_INIT;
	while (pos < TOTAL) {
		size_t n = size;
		long w;

		if (n > TOTAL - pos)
			n = TOTAL - pos;
		for (size_t i = 0; i < n; i++)
			buf[i] = byte_at(pos + (uint32_t)i);
		w = write(e->fd, buf, n);
		if (w <= 0)
			break;
		e->hash = fnv(e->hash, buf, (size_t)w);
		pos += (uint32_t)w;
		size = size * 3 % 8999 + 1; /* 1 .. 8999 bytes */
	}
	e->count = pos;
	e->last = close(e->fd);
	return NULL;
}

static void *reader(void *arg)
{
	static uint8_t chunk[2][5000];
	struct end *e = arg;
	uint8_t *buf = chunk[e->node];
	long n;

	e->ran_on = move_to(e->node);
	e->hash = FNV_INIT;
	while ((n = read(e->fd, buf, sizeof(chunk[0]))) > 0) {
		e->hash = fnv(e->hash, buf, (size_t)n);
		e->count += n;
	}
	e->last = (int)n;
	close(e->fd);
	return NULL;
}

static void one_way(int wnode, int rnode)
{
	static uint8_t all[TOTAL];
	struct end w = {0}, r = {0};
	pthread_t tw, tr;
	int p[2];
	char name[120];

	for (uint32_t i = 0; i < TOTAL; i++)
		all[i] = byte_at(i);
	pipe(p);
	r.fd = p[0], r.node = rnode;
	w.fd = p[1], w.node = wnode;
	uint64_t t0 = pt_now_ns();
	pthread_create(&tr, NULL, reader, &r);
	pthread_create(&tw, NULL, writer, &w);
	pthread_join(tw, NULL);
	pthread_join(tr, NULL);
	printf("# 1 MiB node %d -> node %d in %llu ms\n", wnode, rnode,
	       (unsigned long long)((pt_now_ns() - t0) / 1000000));
	snprintf(name, sizeof(name), "1 MiB node %d -> node %d: ", wnode,
		 rnode);
	char *tail = name + strlen(name);
	strcpy(tail, "writer and reader on their nodes");
	CHECK(w.ran_on == wnode && r.ran_on == rnode, name);
	strcpy(tail, "every byte written");
	CHECK_EQ(w.count, TOTAL, name);
	strcpy(tail, "every byte read");
	CHECK_EQ(r.count, TOTAL, name);
	strcpy(tail, "reader's checksum exact");
	CHECK(r.hash == fnv(FNV_INIT, all, TOTAL), name);
	strcpy(tail, "writer's checksum exact");
	CHECK(w.hash == r.hash, name);
	strcpy(tail, "end of file after the close");
	CHECK_EQ(r.last, 0, name);
}

/* ---- poll across nodes --------------------------------------------------------- */

struct poker {
	int fd, node, ran_on, delay_ms;
};

static void *poke(void *arg)
{
	struct poker *k = arg;

	k->ran_on = move_to(k->node);
	pt_sleep_ms(k->delay_ms);
	write(k->fd, "!", 1);
	return NULL;
}

struct poller {
	int fd, node, ran_on, timeout, rc;
	short revents;
	uint64_t waited;
};

static void *do_poll(void *arg)
{
	struct poller *q = arg;
	struct pollfd f = {.fd = q->fd, .events = POLLIN};
	uint64_t t0;

	q->ran_on = move_to(q->node);
	t0 = pt_now_ns();
	q->rc = poll(&f, 1, q->timeout);
	q->waited = pt_now_ns() - t0;
	q->revents = f.revents;
	return NULL;
}

static void poll_across(int pnode, int wnode, int timeout)
{
	struct poller q = {.node = pnode, .timeout = timeout};
	struct poker k = {.node = wnode, .delay_ms = 200};
	pthread_t tq, tk;
	char name[120];
	int p[2];

	pipe(p);
	q.fd = p[0];
	k.fd = p[1];
	pthread_create(&tq, NULL, do_poll, &q);
	pthread_create(&tk, NULL, poke, &k);
	pthread_join(tk, NULL);
	pthread_join(tq, NULL);
	snprintf(name, sizeof(name),
		 "poll(%d) on node %d, write on node %d: ", timeout, pnode,
		 wnode);
	char *tail = name + strlen(name);
	strcpy(tail, "on their nodes");
	CHECK(q.ran_on == pnode && k.ran_on == wnode, name);
	strcpy(tail, "woken with 1");
	CHECK_EQ(q.rc, 1, name);
	strcpy(tail, "POLLIN");
	CHECK_EQ(q.revents, POLLIN, name);
	strcpy(tail, "slept until the write");
	CHECK(q.waited >= 100000000ull, name);
	close(p[0]);
	close(p[1]);
}

/* ---- EPIPE across nodes --------------------------------------------------------- */

static void *late_close(void *arg)
{
	struct poker *k = arg;

	k->ran_on = move_to(k->node);
	pt_sleep_ms(k->delay_ms);
	close(k->fd);
	return NULL;
}

static void epipe_across(void)
{
	static uint8_t big[2 * PIPE_CAP];
	struct poker k = {.node = 1, .delay_ms = 200};
	pthread_t t;
	int p[2];

	move_to(0);
	pipe(p);
	k.fd = p[0];
	pthread_create(&t, NULL, late_close, &k);
	CHECK_EQ(write(p[1], big, sizeof(big)), PIPE_CAP,
		 "writer on node 0 blocked on a full pipe: the reader on node "
		 "1 closes, the write returns what went in");
	pthread_join(t, NULL);
	CHECK_EQ(k.ran_on, 1, "the reader ran on node 1");
	CHECK_ERRNO(write(p[1], big, 1), EPIPE, "then EPIPE");
	close(p[1]);
}

/* ---- cancellation across nodes -------------------------------------------------- */

static void *blocked_reader(void *arg)
{
	struct poker *k = arg;
	char c;

	k->ran_on = move_to(k->node);
	read(k->fd, &c, 1); /* nobody writes */
	return NULL;
}

static void cancel_across(void)
{
	struct poker k = {.node = 1};
	void *rv = NULL;
	pthread_t t;
	int p[2];

	pipe(p);
	k.fd = p[0];
	pthread_create(&t, NULL, blocked_reader, &k);
	pt_sleep_ms(200);
	pthread_cancel(t);
	pthread_join(t, &rv);
	CHECK(rv == PTHREAD_CANCELED,
	      "a read blocked on node 1 is cancelled from node 0");
	CHECK_EQ(k.ran_on, 1, "the reader ran on node 1");
	close(p[0]);
	close(p[1]);
}

int main(void)
{
	CHECK(unum_nodes() >= 2, "the cluster has at least 2 nodes");
	if (unum_nodes() < 2)
		return pt_done();
	one_way(1, 0);
	one_way(0, 1);
	poll_across(0, 1, -1);
	poll_across(1, 0, -1);
	poll_across(0, 1, 10000);
	epipe_across();
	cancel_across();
	return pt_done();
}
