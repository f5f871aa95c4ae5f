/*
 * tests/unit/test_dsm.c — the DSM coherence engine against a simulated
 * cluster: N nodes, each with a few "threads" reading and writing random
 * pages; messages travel in per-sender FIFOs whose deliveries interleave
 * at random (seeded). After every step: at most one writer per page, no
 * reader beside a writer; every access sees the last write (each write
 * increments a per-page counter that every copy must agree with); when the
 * system is quiet, the directory agrees with the nodes. Every change of a
 * node's access is also reported to the page's home, in the sender's FIFO,
 * where the dsm.check checker (cluster/dsm_check.c) must never find a
 * violation; and the fault-latency histograms add up to the fault counts.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cluster/dsm_check.h"
#include "cluster/dsm_home_msg.h"
#include "cluster/dsm_proto.h"
#include "kernel/errno.h"

#define MAXN 6
#define MAXP 40
#define MAXT 3
#define QCAP 512

struct qmsg {
	struct dsm_msg m;
	uint8_t data[DSM_PAGE];
	bool has_data;
};

struct sim;

struct node {
	struct sim *sim;
	int id;
	struct dsm d;
	uint8_t frame[MAXP][DSM_PAGE];
	enum dsm_access access[MAXP];
	uint8_t home_copy[MAXP][DSM_PAGE];
	bool has_home_copy[MAXP];
	/* threads: page and kind of the access in progress, or -1 */
	int t_page[MAXT];
	bool t_write[MAXT];
	bool t_waiting[MAXT];
};

struct sim {
	int n, pages, threads;
	struct node node[MAXN];
	struct qmsg *q[MAXN][MAXN]; /* q[src][dst] ring */
	int qh[MAXN][MAXN], qt[MAXN][MAXN];
	uint64_t latest[MAXP]; /* the value of the last completed write */
	uint64_t writes, reads, steps;
	uint64_t now_ns;	      /* the clock of the latency histograms */
	struct dsm_check check[MAXN]; /* at each home */
	int unknown_home; /* a page whose home op_home does not know, or -1 */
	int home_block;	  /* homes interleaved by runs of this many pages */
	unsigned rng;
};

static unsigned rnd(struct sim *s)
{
	s->rng = s->rng * 1103515245u + 12345u;
	return (s->rng >> 8) & 0xffffff;
}

static uint64_t val(const uint8_t *f)
{
	uint64_t v;
	memcpy(&v, f, 8);
	return v;
}

static void set_val(uint8_t *f, uint64_t v)
{
	memcpy(f, &v, 8);
}

/* ---- ops ---------------------------------------------------------------- */

static void op_send(void *ctx, int dst, const struct dsm_msg *m)
{
	struct node *nd = ctx;
	struct sim *s = nd->sim;
	int src = nd->id;
	int t = s->qt[src][dst];
	assert_true((t + 1) % QCAP != s->qh[src][dst]); /* no overflow */
	struct qmsg *qm = &s->q[src][dst][t];
	qm->m = *m;
	qm->has_data = m->data != NULL;
	if (m->data)
		memcpy(qm->data, m->data, DSM_PAGE);
	s->qt[src][dst] = (t + 1) % QCAP;
}

static void op_map(void *ctx, uint64_t page, enum dsm_access a,
		   const uint8_t *data, bool pristine)
{
	struct node *nd = ctx;
	if (pristine)
		memset(nd->frame[page], 0, DSM_PAGE); /* the image: value 0 */
	else if (data)
		memcpy(nd->frame[page], data, DSM_PAGE);
	nd->access[page] = a;
}

static void op_read_local(void *ctx, uint64_t page, uint8_t *buf)
{
	struct node *nd = ctx;
	assert_int_not_equal(nd->access[page], DSM_NONE);
	memcpy(buf, nd->frame[page], DSM_PAGE);
}

static void op_home_read(void *ctx, uint64_t page, uint8_t *buf)
{
	struct node *nd = ctx;
	if (nd->has_home_copy[page])
		memcpy(buf, nd->home_copy[page], DSM_PAGE);
	else
		memset(buf, 0, DSM_PAGE);
}

static void op_home_write(void *ctx, uint64_t page, const uint8_t *buf)
{
	struct node *nd = ctx;
	memcpy(nd->home_copy[page], buf, DSM_PAGE);
	nd->has_home_copy[page] = true;
}

static void op_complete(void *ctx, uint64_t page)
{
	struct node *nd = ctx;
	for (int t = 0; t < MAXT; t++)
		if (nd->t_page[t] == (int)page)
			nd->t_waiting[t] = false;
}

static int op_home(void *ctx, uint64_t page)
{
	struct node *nd = ctx;
	if ((int)page == nd->sim->unknown_home)
		return -1; /* as dsm.home=first_touch before the page's claim */
	uint64_t block =
	    nd->sim->home_block ? (uint64_t)nd->sim->home_block : 1;
	return (int)(page / block % (uint64_t)nd->sim->n); /* interleaved */
}

static void *op_alloc(void *ctx, size_t n)
{
	(void)ctx;
	return malloc(n);
}

static void op_free(void *ctx, void *p)
{
	(void)ctx;
	free(p);
}

static uint64_t op_now(void *ctx)
{
	struct node *nd = ctx;
	return nd->sim->now_ns;
}

/* dsm.check's report, in the FIFO to the home like the kernel sends it */
static void op_changed(void *ctx, uint64_t page, enum dsm_access a,
		       uint32_t version)
{
	struct node *nd = ctx;
	struct dsm_msg m = {DSM_CHECK_REPORT, (uint8_t)a, (uint16_t)nd->id,
			    version,	      page,	  NULL};
	op_send(ctx, op_home(ctx, page), &m);
}

/* Pages 0-3 are like static data (any node maps them pristine without
 * asking), 4 and up like heap and stacks (the home tracks every copy). */
#define TRACKED_FROM 4
static bool op_pristine_shared(void *ctx, uint64_t page)
{
	(void)ctx;
	return page < TRACKED_FROM;
}

static const struct dsm_ops sim_ops = {
    .send = op_send,
    .map = op_map,
    .read_local = op_read_local,
    .home_read = op_home_read,
    .home_write = op_home_write,
    .complete = op_complete,
    .home = op_home,
    .pristine_shared = op_pristine_shared,
    .alloc = op_alloc,
    .free = op_free,
    .now = op_now,
    .changed = op_changed,
};

/* ---- the simulated cluster ---------------------------------------------- */

static struct sim *sim_new(int n, int pages, int threads, unsigned seed)
{
	struct sim *s = calloc(1, sizeof(*s));
	s->n = n;
	s->pages = pages;
	s->threads = threads;
	s->rng = seed;
	s->unknown_home = -1;
	for (int a = 0; a < n; a++)
		for (int b = 0; b < n; b++)
			s->q[a][b] = malloc(sizeof(struct qmsg) * QCAP);
	for (int i = 0; i < n; i++) {
		struct node *nd = &s->node[i];
		nd->sim = s;
		nd->id = i;
		dsm_init(&nd->d, i, n, &sim_ops, nd);
		dsm_check_init(&s->check[i], n, op_alloc, op_free, NULL);
		for (int t = 0; t < MAXT; t++)
			nd->t_page[t] = -1;
	}
	return s;
}

static void sim_free(struct sim *s)
{
	for (int a = 0; a < s->n; a++)
		for (int b = 0; b < s->n; b++)
			free(s->q[a][b]);
	for (int i = 0; i < s->n; i++) {
		dsm_destroy(&s->node[i].d);
		dsm_check_destroy(&s->check[i]);
	}
	free(s);
}

static void check_invariant(struct sim *s)
{
	for (int p = 0; p < s->pages; p++) {
		int writers = 0, readers = 0;
		for (int i = 0; i < s->n; i++) {
			enum dsm_access a = s->node[i].access[p];
			writers += a == DSM_RW;
			readers += a == DSM_RO;
			/* every mapped copy holds the last written value */
			if (a != DSM_NONE &&
			    val(s->node[i].frame[p]) != s->latest[p])
				fail_msg(
				    "page %d node %d sees %lu, last write %lu",
				    p, i,
				    (unsigned long)val(s->node[i].frame[p]),
				    (unsigned long)s->latest[p]);
		}
		if (writers > 1 || (writers && readers))
			fail_msg("page %d: %d writers, %d readers", p, writers,
				 readers);
	}
}

/* One thread of one node does (or continues) an access. */
static void thread_step(struct sim *s, struct node *nd, int t)
{
	if (nd->t_waiting[t])
		return;
	if (nd->t_page[t] < 0) {
		nd->t_page[t] = (int)(rnd(s) % (unsigned)s->pages);
		nd->t_write[t] = rnd(s) % 3 == 0;
	}
	int p = nd->t_page[t];
	bool w = nd->t_write[t];
	enum dsm_access have = nd->access[p];
	if (w ? have == DSM_RW : have != DSM_NONE) {
		/* the access itself */
		assert_int_equal(val(nd->frame[p]), s->latest[p]);
		if (w) {
			set_val(nd->frame[p], ++s->latest[p]);
			s->writes++;
		} else {
			s->reads++;
		}
		nd->t_page[t] = -1;
		return;
	}
	int rc = dsm_fault(&nd->d, (uint64_t)p, w);
	assert_true(rc == DSM_FAULT_DONE || rc == DSM_FAULT_WAIT);
	if (rc == DSM_FAULT_WAIT)
		nd->t_waiting[t] = true;
}

static bool deliver_one(struct sim *s, int src, int dst)
{
	if (s->qh[src][dst] == s->qt[src][dst])
		return false;
	struct qmsg *qm = &s->q[src][dst][s->qh[src][dst]];
	s->qh[src][dst] = (s->qh[src][dst] + 1) % QCAP;
	struct dsm_msg m = qm->m;
	m.data = qm->has_data ? qm->data : NULL;
	if (m.type == DSM_CHECK_REPORT) {
		char rep[512];
		int rc = dsm_check_apply(&s->check[dst], src, m.page, m.flags,
					 m.version, rep, sizeof(rep));
		if (rc)
			fail_msg("dsm.check at node %d: %d\n%s", dst, rc, rep);
		return true;
	}
	int rc = dsm_receive(&s->node[dst].d, &m);
	if (rc)
		fail_msg("node %d rejected message type %d from %d: %d", dst,
			 m.type, src, rc);
	return true;
}

static bool queues_empty(struct sim *s)
{
	for (int a = 0; a < s->n; a++)
		for (int b = 0; b < s->n; b++)
			if (s->qh[a][b] != s->qt[a][b])
				return false;
	return true;
}

static void sim_step(struct sim *s)
{
	s->steps++;
	s->now_ns += 700;
	if (rnd(s) % 2) { /* deliver: any sender's FIFO, head first */
		int src = (int)(rnd(s) % (unsigned)s->n),
		    dst = (int)(rnd(s) % (unsigned)s->n);
		for (int k = 0; k < s->n * s->n && !deliver_one(s, src, dst);
		     k++) {
			dst = (dst + 1) % s->n;
			if (!dst)
				src = (src + 1) % s->n;
		}
	} else if (rnd(s) % 8 == 0) { /* read-ahead of a random page */
		struct node *nd = &s->node[rnd(s) % (unsigned)s->n];
		int rc = dsm_prefetch(&nd->d, rnd(s) % (unsigned)s->pages);
		assert_true(rc == 0 || rc == 1);
	} else {
		struct node *nd = &s->node[rnd(s) % (unsigned)s->n];
		thread_step(s, nd, (int)(rnd(s) % (unsigned)s->threads));
	}
	check_invariant(s);
}

/* Deliver everything, let waiting threads finish, then check the
 * directory against the nodes. */
static void sim_quiesce(struct sim *s)
{
	/* one message at a time, then every runnable thread: a woken thread
	 * does its access before the page can be taken away again (the kernel
	 * gives it the same chance: see dsm.c) */
	for (int rounds = 0; rounds < 100000; rounds++) {
		bool moved = false;
		for (int i = 0; i < s->n; i++)
			for (int t = 0; t < s->threads; t++)
				if (s->node[i].t_page[t] >= 0 &&
				    !s->node[i].t_waiting[t]) {
					thread_step(s, &s->node[i], t);
					moved = true;
				}
		for (int k = 0; k < s->n * s->n; k++) {
			if (deliver_one(s, k / s->n, k % s->n)) {
				moved = true;
				check_invariant(s);
				break;
			}
		}
		if (!moved && queues_empty(s))
			break;
	}
	assert_true(queues_empty(s));
	for (int p = 0; p < s->pages; p++) {
		int home = p % s->n, state, owner;
		uint64_t sharers;
		bool busy;
		if (!dsm_dir_state(&s->node[home].d, (uint64_t)p, &state,
				   &sharers, &owner, &busy))
			continue;
		assert_false(busy);
		for (int i = 0; i < s->n; i++) {
			enum dsm_access a = s->node[i].access[p];
			if (state == 2)
				assert_int_equal(a, i == owner ? DSM_RW
							       : DSM_NONE);
			else if (state == 1)
				assert_int_equal(
				    a, (sharers >> i) & 1 ? DSM_RO : DSM_NONE);
		}
	}
}

static uint64_t all_prefetches, all_prefetch_waits,
    all_declined; /* over the schedules */

static void run_schedule(int n, int pages, int threads, unsigned seed,
			 int steps)
{
	struct sim *s = sim_new(n, pages, threads, seed);
	for (int i = 0; i < steps; i++)
		sim_step(s);
	sim_quiesce(s);
	uint64_t reports = 0;
	for (int i = 0; i < n; i++)
		reports += s->check[i].reports;
	assert_true(reports > 0 || s->reads + s->writes == 0);
	for (int i = 0; i < n; i++) {
		const struct dsm_stats *st = &s->node[i].d.stats;
		uint64_t r = 0, w = 0;
		assert_int_equal(st->bad_msgs, 0);
		for (int b = 0; b < DSM_LAT_BUCKETS; b++) {
			r += st->read_lat[b];
			w += st->write_lat[b];
		}
		assert_int_equal(r, st->read_faults);
		assert_int_equal(w, st->write_faults);
		all_prefetches += st->prefetches;
		all_prefetch_waits += st->prefetch_waits;
		all_declined += st->prefetch_declined;
	}
	sim_free(s);
}

static void test_random_schedules(void **state)
{
	(void)state;
	for (unsigned seed = 1; seed <= 300; seed++)
		run_schedule(2 + (int)(seed % 4), 1 + (int)(seed % MAXP),
			     1 + (int)(seed % MAXT), seed, 3000);
	/* read-ahead was mixed in, and faults met copies on their way */
	assert_true(all_prefetches > 1000);
	assert_true(all_prefetch_waits > 50);
	assert_true(all_declined > 50 && all_prefetches - all_declined > 1000);
	print_message(
	    "read-ahead: %lu requests, %lu met by a fault on the way, "
	    "%lu declined\n",
	    (unsigned long)all_prefetches, (unsigned long)all_prefetch_waits,
	    (unsigned long)all_declined);
}

/* Two sharers upgrade one page at once: one is invalidated while its own
 * request waits at the home, then gets the page with data. */
static void test_concurrent_upgrades(void **state)
{
	(void)state;
	struct sim *s = sim_new(3, 1, 1, 7);
	struct node *a = &s->node[1], *b = &s->node[2];
	/* make the page non-pristine and shared by a and b */
	assert_int_equal(dsm_fault(&a->d, 0, true), DSM_FAULT_WAIT);
	sim_quiesce(s);
	assert_int_equal(a->access[0], DSM_RW);
	set_val(a->frame[0], ++s->latest[0]);
	assert_int_equal(dsm_fault(&b->d, 0, false), DSM_FAULT_WAIT);
	sim_quiesce(s);
	assert_int_equal(dsm_fault(&a->d, 0, false), DSM_FAULT_DONE);
	/* both ask to write before either request is delivered */
	assert_int_equal(dsm_fault(&a->d, 0, true), DSM_FAULT_WAIT);
	assert_int_equal(dsm_fault(&b->d, 0, true), DSM_FAULT_WAIT);
	deliver_one(s, 1, 0);
	deliver_one(s, 2, 0);
	sim_quiesce(s);
	/* the first got it, was recalled for the second: b owns it now */
	assert_int_equal(b->access[0], DSM_RW);
	assert_int_equal(a->access[0], DSM_NONE);
	assert_int_equal(val(b->frame[0]), s->latest[0]);
	assert_true(s->node[0].d.stats.recalls_sent >= 1);
	sim_free(s);
}

/* A never-written page is read locally, with no message at all. */
static void test_pristine_is_local(void **state)
{
	(void)state;
	struct sim *s = sim_new(4, 2, 1, 3);
	for (int i = 0; i < 4; i++) {
		assert_int_equal(dsm_fault(&s->node[i].d, 1, false),
				 DSM_FAULT_DONE);
		assert_int_equal(s->node[i].access[1], DSM_RO);
		assert_int_equal(s->node[i].d.stats.msgs_sent, 0);
		assert_int_equal(s->node[i].d.stats.local_hits, 1);
	}
	/* the first write invalidates every pristine copy */
	assert_int_equal(dsm_fault(&s->node[2].d, 1, true), DSM_FAULT_WAIT);
	sim_quiesce(s);
	for (int i = 0; i < 4; i++)
		assert_int_equal(s->node[i].access[1],
				 i == 2 ? DSM_RW : DSM_NONE);
	assert_int_equal(s->node[1].d.stats.inv_sent, 3); /* home of page 1 */
	sim_free(s);
}

/* A never-written page of heap or stack (TRACKED_FROM and up): only its
 * home maps it without asking, the others ask, and the first write
 * invalidates exactly the copies there are. */
static void test_pristine_tracked_by_home(void **state)
{
	(void)state;
	struct sim *s = sim_new(4, 8, 1, 3);
	/* page 5, home 1: the home reads and writes it with no message to
	 * another node */
	assert_int_equal(dsm_fault(&s->node[1].d, 5, false), DSM_FAULT_DONE);
	assert_int_equal(s->node[1].d.stats.local_hits, 1);
	assert_int_equal(dsm_fault(&s->node[1].d, 5, true), DSM_FAULT_WAIT);
	sim_quiesce(s);
	assert_int_equal(s->node[1].access[5], DSM_RW);
	for (int i = 0; i < 4; i++) {
		assert_int_equal(s->node[i].d.stats.inv_sent, 0);
		for (int j = 0; j < 4; j++)
			if (j != 1 || i != 1)
				assert_int_equal(s->qt[i][j],
						 0); /* nothing sent */
	}
	/* page 6, home 2: the home reads locally, node 0 must ask */
	assert_int_equal(dsm_fault(&s->node[2].d, 6, false), DSM_FAULT_DONE);
	assert_int_equal(dsm_fault(&s->node[0].d, 6, false), DSM_FAULT_WAIT);
	assert_int_equal(s->node[0].d.stats.msgs_sent, 1);
	sim_quiesce(s);
	assert_int_equal(s->node[0].access[6], DSM_RO);
	assert_int_equal(val(s->node[0].frame[6]), 0);
	/* node 3 writes: the home invalidates node 0 and itself, not node 1 */
	assert_int_equal(dsm_fault(&s->node[3].d, 6, true), DSM_FAULT_WAIT);
	sim_quiesce(s);
	assert_int_equal(s->node[2].d.stats.inv_sent, 2);
	assert_int_equal(s->node[1].d.stats.inv_recv, 0);
	for (int i = 0; i < 4; i++)
		assert_int_equal(s->node[i].access[6],
				 i == 3 ? DSM_RW : DSM_NONE);
	/* once written, even the home asks */
	assert_int_equal(dsm_fault(&s->node[2].d, 6, false), DSM_FAULT_WAIT);
	sim_quiesce(s);
	assert_int_equal(s->node[2].access[6], DSM_RO);
	assert_int_equal(s->node[3].access[6], DSM_RO);
	sim_free(s);
}

/* Writes page pg on node w (a fault, then the write), as a thread would. */
static void sim_write(struct sim *s, int w, int pg)
{
	int rc = dsm_fault(&s->node[w].d, (uint64_t)pg, true);
	assert_true(rc == DSM_FAULT_DONE || rc == DSM_FAULT_WAIT);
	sim_quiesce(s);
	assert_int_equal(s->node[w].access[pg], DSM_RW);
	set_val(s->node[w].frame[pg], ++s->latest[pg]);
}

/* Read-ahead: one request per page that needs one (none for a page whose
 * home is not known yet); a copy nobody waited
 * for is no fault; a fault meeting one on its way waits for it and counts
 * from then; the home declines pages never written or just granted for
 * writing, and a fault waiting on a declined one then asks for real. */
static void test_prefetch(void **state)
{
	(void)state;
	struct sim *s = sim_new(2, 12, 1, 5);
	struct node *a = &s->node[1];
	s->now_ns = 1000000;
	sim_write(s, 0, 4); /* homed at node 0, written there */
	assert_int_equal(dsm_prefetch(&a->d, 4), 1);
	sim_quiesce(s);
	assert_int_equal(a->d.stats.prefetch_declined, 1); /* just written */
	assert_int_equal(a->access[4], DSM_NONE);
	assert_int_equal(s->node[0].access[4], DSM_RW); /* not recalled */

	s->now_ns += DSM_AHEAD_FRESH_NS;
	assert_int_equal(dsm_prefetch(&a->d, 4), 1);
	assert_int_equal(dsm_prefetch(&a->d, 4), 0); /* already asked */
	assert_int_equal(dsm_prefetch(&a->d, 5), 0); /* its home: pristine */
	assert_int_equal(dsm_prefetch(&a->d, 2), 0); /* static, never written */
	sim_quiesce(s);
	assert_int_equal(a->access[4], DSM_RO);
	assert_int_equal(val(a->frame[4]), s->latest[4]);
	assert_int_equal(a->d.stats.prefetches, 2);
	assert_int_equal(a->d.stats.prefetch_declined, 1);
	assert_int_equal(a->d.stats.read_faults, 0);
	assert_int_equal(a->d.stats.pages_in, 1);
	for (int b = 0; b < DSM_LAT_BUCKETS; b++)
		assert_int_equal(a->d.stats.read_lat[b], 0);
	assert_int_equal(dsm_prefetch(&a->d, 4), 0); /* mapped */
	assert_int_equal(dsm_fault(&a->d, 4, false), DSM_FAULT_DONE);

	/* a page whose home is not known yet: nothing asked, nothing pending */
	sim_write(s, 0, 6);
	s->now_ns += DSM_AHEAD_FRESH_NS;
	s->unknown_home = 6;
	assert_int_equal(dsm_prefetch(&a->d, 6), 0);
	assert_int_equal(a->d.stats.prefetches, 2);
	s->unknown_home = -1;

	/* page 6: the fault comes while the copy is on its way */
	assert_int_equal(dsm_prefetch(&a->d, 6), 1);
	s->now_ns += 50000;
	assert_int_equal(dsm_fault(&a->d, 6, false), DSM_FAULT_WAIT);
	assert_int_equal(dsm_fault(&a->d, 6, false), DSM_FAULT_WAIT);
	s->now_ns += 5000; /* [4, 8) us after the fault, not the request */
	sim_quiesce(s);
	assert_int_equal(a->access[6], DSM_RO);
	assert_int_equal(s->node[0].access[6], DSM_RO); /* downgraded */
	assert_int_equal(a->d.stats.prefetch_waits, 1);
	assert_int_equal(a->d.stats.read_faults, 1);
	assert_int_equal(a->d.stats.read_lat[3], 1);

	/* page 8, never written: declined; a fault waiting on it asks again */
	assert_int_equal(dsm_prefetch(&a->d, 8), 1);
	assert_int_equal(dsm_fault(&a->d, 8, false), DSM_FAULT_WAIT);
	sim_quiesce(s);
	assert_int_equal(a->d.stats.prefetch_declined, 2);
	assert_int_equal(a->access[8], DSM_RO);
	assert_int_equal(a->d.stats.read_faults, 2);

	/* page 10, never written, declined under a write fault: the write
	 * retries on its own */
	assert_int_equal(dsm_prefetch(&a->d, 10), 1);
	assert_int_equal(dsm_fault(&a->d, 10, true), DSM_FAULT_WAIT);
	sim_quiesce(s);
	assert_int_equal(a->d.stats.prefetch_declined, 3);
	assert_int_equal(a->access[10], DSM_NONE);
	int rc = dsm_fault(&a->d, 10, true);
	assert_true(rc == DSM_FAULT_WAIT);
	sim_quiesce(s);
	assert_int_equal(a->access[10], DSM_RW);
	assert_int_equal(a->d.stats.write_faults, 1);
	assert_int_equal(a->d.stats.bad_msgs, 0);
	assert_int_equal(s->node[0].d.stats.bad_msgs, 0);
	sim_free(s);
}

/* Latency buckets are log2 microseconds; a fault lands in the bucket of
 * the time from its request to its page being mapped. */
static void test_latency_histogram(void **state)
{
	(void)state;
	assert_int_equal(dsm_lat_bucket(0), 0);
	assert_int_equal(dsm_lat_bucket(999), 0);
	assert_int_equal(dsm_lat_bucket(1000), 1);
	assert_int_equal(dsm_lat_bucket(1999), 1);
	assert_int_equal(dsm_lat_bucket(2000), 2);
	assert_int_equal(dsm_lat_bucket(5000), 3);
	assert_int_equal(dsm_lat_bucket(524287999), 19);
	assert_int_equal(dsm_lat_bucket(524288000), 20);
	assert_int_equal(dsm_lat_bucket(1048576000), 21);
	assert_int_equal(dsm_lat_bucket(UINT64_MAX), DSM_LAT_BUCKETS - 1);

	struct sim *s = sim_new(2, 2, 1, 9);
	struct node *a = &s->node[1];
	s->now_ns = 1000000;
	assert_int_equal(dsm_fault(&a->d, 0, true), DSM_FAULT_WAIT);
	s->now_ns += 5000; /* 5 us later: [4, 8) us */
	sim_quiesce(s);
	assert_int_equal(a->d.stats.write_faults, 1);
	assert_int_equal(a->d.stats.write_lat[3], 1);
	assert_int_equal(dsm_fault(&s->node[0].d, 0, false), DSM_FAULT_WAIT);
	s->now_ns += 300; /* under 1 us */
	sim_quiesce(s);
	assert_int_equal(s->node[0].d.stats.read_faults, 1);
	assert_int_equal(s->node[0].d.stats.read_lat[0], 1);
	for (int b = 0; b < DSM_LAT_BUCKETS; b++) {
		assert_int_equal(a->d.stats.read_lat[b], 0);
		assert_int_equal(a->d.stats.write_lat[b], b == 3);
	}
	sim_free(s);
}

/* The counters as text: exact keys and order, every bucket a line. */
static void test_stats_text(void **state)
{
	(void)state;
	struct dsm_stats st;
	memset(&st, 0, sizeof(st));
	st.read_faults = 12;
	st.write_faults = 5;
	st.local_hits = 3;
	st.prefetches = 9;
	st.prefetch_waits = 4;
	st.bytes_sent = 8192;
	st.bad_msgs = 1;
	st.read_lat[0] = 7;
	st.read_lat[3] = 3;
	st.read_lat[DSM_LAT_BUCKETS - 1] = 2;
	st.write_lat[12] = 5;
	char buf[4096];
	size_t n = dsm_stats_text(&st, buf, sizeof(buf));
	assert_int_equal(n, strlen(buf));
	const char *head =
	    "read_faults 12\nwrite_faults 5\nlocal_hits 3\n"
	    "prefetches 9\nprefetch_waits 4\nprefetch_declined 0\nprefetch_runs 0\npages_in 0\npages_out 0\ninv_sent 0\ninv_recv 0\n"
	    "recalls_sent 0\nrecalls_recv 0\nmsgs_sent 0\n"
	    "msgs_recv 0\nbytes_sent 8192\nbad_msgs 1\n"
	    "read_lat_us_lt_1 7\nread_lat_us_lt_2 0\n"
	    "read_lat_us_lt_4 0\nread_lat_us_lt_8 3\n";
	assert_memory_equal(buf, head, strlen(head));
	assert_non_null(
	    strstr(buf, "\nread_lat_us_lt_1048576 0\nread_lat_us_ge_1048576 2\n"
			"write_lat_us_lt_1 0\n"));
	assert_non_null(strstr(buf, "\nwrite_lat_us_lt_4096 5\n"));
	assert_string_equal(buf + n - strlen("write_lat_us_ge_1048576 0\n"),
			    "write_lat_us_ge_1048576 0\n");
	int lines = 0;
	for (size_t i = 0; i < n; i++)
		lines += buf[i] == '\n';
	assert_int_equal(lines, 17 + 2 * DSM_LAT_BUCKETS);
	char small[8];
	assert_int_equal(dsm_stats_text(&st, small, sizeof(small)), n);
	assert_string_equal(small, "read_fa");

	assert_int_equal(dsm_lat_summary(st.read_lat, buf, sizeof(buf)),
			 strlen("0-1:7 4-8:3 1048576+:2"));
	assert_string_equal(buf, "0-1:7 4-8:3 1048576+:2");
	dsm_lat_summary(st.write_lat, buf, sizeof(buf));
	assert_string_equal(buf, "2048-4096:5");
	memset(&st, 0, sizeof(st));
	dsm_lat_summary(st.write_lat, buf, sizeof(buf));
	assert_string_equal(buf, "none");
}

/* Malformed and unexpected messages are counted and dropped. */
static void test_bad_messages(void **state)
{
	(void)state;
	struct sim *s = sim_new(2, 2, 1, 5);
	struct dsm *d = &s->node[0].d;
	struct dsm_msg m = {.type = 99, .from = 1, .page = 0};
	assert_int_equal(dsm_receive(d, &m), -EINVAL);
	m.type = DSM_DATA; /* nobody asked */
	assert_int_equal(dsm_receive(d, &m), -EINVAL);
	m.type = DSM_INV_ACK; /* no transaction */
	assert_int_equal(dsm_receive(d, &m), -EINVAL);
	m.type = DSM_RECALL; /* not the owner */
	assert_int_equal(dsm_receive(d, &m), -EINVAL);
	m.type = DSM_READ_REQ;
	m.page = 1; /* node 1 is its home, not node 0 */
	assert_int_equal(dsm_receive(d, &m), -EINVAL);
	m.from = 40; /* not a node */
	assert_int_equal(dsm_receive(d, &m), -EINVAL);
	assert_int_equal(d->stats.bad_msgs, 6);
	assert_true(queues_empty(s));
	sim_free(s);
}

/* First-touch home claims from peers (cluster/dsm_home_msg.c). */
static void test_home_req(void **st)
{
	(void)st;
	const struct dsm_home_scope sc = {100, 200, 4, 1}; /* node 1 of 4 */
	struct dsm_home_req in = {DSM_HOME_CLAIM, 0, 101}, out;
	assert_int_equal(dsm_home_req_check(&in, sizeof(in), &sc, &out), 0);
	assert_int_equal(out.page, 101);
	in.op = DSM_HOME_CONFIRM;
	assert_int_equal(dsm_home_req_check(&in, sizeof(in), &sc, &out), 0);
	assert_int_equal(dsm_home_req_check(&in, sizeof(in) - 1, &sc, &out),
			 -EBADMSG);
	in.pad = 1;
	assert_int_equal(dsm_home_req_check(&in, sizeof(in), &sc, &out),
			 -EBADMSG);
	in.pad = 0, in.op = 3;
	assert_int_equal(dsm_home_req_check(&in, sizeof(in), &sc, &out),
			 -EPROTO);
	in.op = DSM_HOME_CLAIM, in.page = 102; /* managed by node 2 */
	assert_int_equal(dsm_home_req_check(&in, sizeof(in), &sc, &out),
			 -EINVAL);
	in.page = 97; /* below the static data */
	assert_int_equal(dsm_home_req_check(&in, sizeof(in), &sc, &out),
			 -EINVAL);
	in.page = 201; /* above it */
	assert_int_equal(dsm_home_req_check(&in, sizeof(in), &sc, &out),
			 -EINVAL);
}

/* dsm.protocol: the protocols registered themselves and are found by
 * name; sc is this engine. */
static void test_protocol_table(void **st)
{
	(void)st;
	const struct dsm_protocol *sc = dsm_protocol_find("sc");
	assert_non_null(sc);
	assert_null(dsm_protocol_find("rc"));
	assert_null(dsm_protocol_find(""));
	assert_string_equal(sc->name, "sc");
	assert_true(sc->fault == dsm_fault && sc->receive == dsm_receive &&
		    sc->init == dsm_init && sc->prefetch == dsm_prefetch_run);
}

/* Read-ahead of consecutive pages: one request per run of one home (the
 * pages mapped or already asked for are left out), each page answered on
 * its own with the current copy; the owners keep read copies. */
static void test_prefetch_run(void **state)
{
	(void)state;
	struct sim *s = sim_new(3, 12, 1, 9);
	s->home_block = 4; /* pages 0-3: node 0, 4-7: node 1, 8-11: node 2 */
	struct node *r = &s->node[2];
	s->now_ns = 1000000;
	for (int pg = 0; pg < 8; pg++)
		sim_write(s, 0, pg);
	s->now_ns += DSM_AHEAD_FRESH_NS;
	uint64_t sent = r->d.stats.msgs_sent;
	assert_int_equal(dsm_prefetch_run(&r->d, 1, 6), 6);
	assert_int_equal(r->d.stats.msgs_sent - sent, 2); /* nodes 0 and 1 */
	assert_int_equal(r->d.stats.prefetch_runs, 2);
	assert_int_equal(r->d.stats.prefetches, 6);
	assert_int_equal(dsm_prefetch_run(&r->d, 1, 6), 0); /* all asked */
	sim_quiesce(s);
	for (int pg = 1; pg <= 6; pg++) {
		assert_int_equal(r->access[pg], DSM_RO);
		assert_int_equal(val(r->frame[pg]), s->latest[pg]);
		assert_int_equal(s->node[0].access[pg],
				 DSM_RO); /* downgraded */
	}
	assert_int_equal(r->d.stats.pages_in, 6);
	assert_int_equal(r->d.stats.prefetch_declined, 0);
	assert_int_equal(r->d.stats.read_faults, 0);
	/* pages 0-3 of node 0: only page 0 is still to ask for */
	sent = r->d.stats.msgs_sent;
	assert_int_equal(dsm_prefetch_run(&r->d, 0, 4), 1);
	assert_int_equal(r->d.stats.msgs_sent - sent, 1);
	sim_quiesce(s);
	assert_int_equal(r->access[0], DSM_RO);
	/* a run longer than DSM_AHEAD_RUN is cut to it */
	struct sim *b = sim_new(2, MAXP, 1, 3);
	b->home_block = MAXP;
	assert_true(MAXP > DSM_AHEAD_RUN);
	for (int pg = 0; pg < MAXP; pg++)
		sim_write(b, 0, pg);
	b->now_ns += DSM_AHEAD_FRESH_NS;
	assert_int_equal(dsm_prefetch_run(&b->node[1].d, 0, MAXP),
			 DSM_AHEAD_RUN);
	assert_int_equal(b->node[1].d.stats.prefetch_runs, 1);
	sim_quiesce(b);
	for (int pg = 0; pg < MAXP; pg++)
		assert_int_equal(b->node[1].access[pg],
				 pg < DSM_AHEAD_RUN ? DSM_RO : DSM_NONE);
	check_invariant(s);
	check_invariant(b);
	sim_free(s);
	sim_free(b);
}

/* A peer's read-ahead run that is too long, wraps, or names a page of
 * another home is refused whole: nothing is answered. */
static void test_prefetch_run_bad(void **state)
{
	(void)state;
	struct sim *s = sim_new(2, 12, 1, 4);
	s->home_block = 4; /* pages 0-3: node 0, 4-7: node 1 */
	struct dsm *home = &s->node[0].d;
	struct dsm_msg m = {DSM_READ_REQ,      DSM_F_AHEAD, 1,
			    DSM_AHEAD_RUN + 1, 0,	    NULL};
	uint64_t sent = home->stats.msgs_sent;
	assert_int_equal(dsm_receive(home, &m), -EINVAL); /* too long */
	m.version = 5; /* pages 0-4: page 4 is node 1's */
	assert_int_equal(dsm_receive(home, &m), -EINVAL);
	m.page = UINT64_MAX - 1; /* wraps */
	m.version = 4;
	assert_int_equal(dsm_receive(home, &m), -EINVAL);
	assert_int_equal(home->stats.msgs_sent, sent);
	assert_int_equal(home->stats.bad_msgs, 3);
	m.page = 0; /* a good run of 4 pages never written: 4 declines */
	m.version = 4;
	assert_int_equal(dsm_receive(home, &m), 0);
	assert_int_equal(home->stats.msgs_sent - sent, 4);
	sim_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_protocol_table),
	    cmocka_unit_test(test_home_req),
	    cmocka_unit_test(test_pristine_is_local),
	    cmocka_unit_test(test_pristine_tracked_by_home),
	    cmocka_unit_test(test_concurrent_upgrades),
	    cmocka_unit_test(test_bad_messages),
	    cmocka_unit_test(test_latency_histogram),
	    cmocka_unit_test(test_stats_text),
	    cmocka_unit_test(test_random_schedules),
	    cmocka_unit_test(test_prefetch),
	    cmocka_unit_test(test_prefetch_run),
	    cmocka_unit_test(test_prefetch_run_bad),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
