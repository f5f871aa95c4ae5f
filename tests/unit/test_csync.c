/*
 * tests/unit/test_csync.c — the cluster lock service's engine against a
 * simulated cluster: N nodes, each with simulated threads that lock a
 * mutex, wait on a condition, pass a barrier or take a semaphore; messages
 * travel in per-sender FIFOs whose deliveries interleave at random (seeded),
 * and threads give up timed waits at random. Checked: mutual exclusion,
 * exact counts, one serial thread per barrier round, no thread passes a
 * barrier early, and no lost wake-up (the simulation always finishes).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cluster/csync_proto.h"
#include "kernel/errno.h"

#define MAXN  5
#define MAXT  12
#define QCAP  4096
#define MAXEV 16

struct qmsg {
	uint8_t buf[CSYNC_WIRE_MAX];
	size_t len;
};

struct chan {
	struct qmsg q[QCAP];
	int head, n;
};

struct ev {
	int ev, val;
};

struct sthread {
	int node, tid;
	uint32_t wid;
	int state, step, iter, result;
	struct ev evs[MAXEV];
	int nev;
};

static struct sim {
	int n;
	struct csync e[MAXN];
	struct chan ch[MAXN][MAXN]; /* [from][to] */
	struct sthread t[MAXT];
	int nt;
	unsigned seed;
} S;

static unsigned rnd(void)
{
	S.seed = S.seed * 1103515245u + 12345u;
	return S.seed >> 8;
}

static void op_send(void *ctx, int dst, const struct csync_msg *m)
{
	int from = (int)(intptr_t)ctx;
	struct chan *c = &S.ch[from][dst];
	assert_true(c->n < QCAP);
	struct qmsg *q = &c->q[(c->head + c->n++) % QCAP];
	q->len = csync_encode(m, q->buf);
}

static struct sthread *by_wid(int node, uint32_t wid)
{
	for (int i = 0; i < S.nt; i++)
		if (S.t[i].node == node && S.t[i].wid == wid)
			return &S.t[i];
	return NULL;
}

static void op_wake(void *ctx, uint32_t wid, uint32_t h, int ev, int val)
{
	(void)h;
	struct sthread *t = by_wid((int)(intptr_t)ctx, wid);
	assert_non_null(t);
	assert_true(t->nev < MAXEV);
	t->evs[t->nev++] = (struct ev){ev, val};
}

static void *op_alloc(void *c, size_t n)
{
	(void)c;
	return malloc(n);
}
static void op_free(void *c, void *p)
{
	(void)c;
	free(p);
}

static const struct csync_ops ops = {op_send, op_wake, op_alloc, op_free};

static void sim_init(int nodes, int threads, unsigned seed)
{
	memset(&S, 0, sizeof(S));
	S.n = nodes;
	S.seed = seed;
	for (int i = 0; i < nodes; i++)
		csync_init(&S.e[i], i, nodes, &ops, (void *)(intptr_t)i);
	S.nt = threads;
	for (int i = 0; i < threads; i++) {
		S.t[i].node = i % nodes;
		S.t[i].tid = 100 + i;
		S.t[i].wid = (uint32_t)(i / nodes + 1);
	}
}

static void sim_fini(void)
{
	for (int i = 0; i < S.n; i++)
		csync_destroy_all(&S.e[i]);
}

/* Delivers one message from a random non-empty channel: false if none. */
static bool deliver_one(void)
{
	int cand[MAXN * MAXN], nc = 0;
	for (int f = 0; f < S.n; f++)
		for (int d = 0; d < S.n; d++)
			if (S.ch[f][d].n)
				cand[nc++] = f * MAXN + d;
	if (!nc)
		return false;
	int k = cand[rnd() % (unsigned)nc], f = k / MAXN, d = k % MAXN;
	struct chan *c = &S.ch[f][d];
	struct qmsg *q = &c->q[c->head];
	c->head = (c->head + 1) % QCAP;
	c->n--;
	struct csync_msg m;
	assert_int_equal(csync_decode(&S.e[d], f, q->buf, q->len, &m), 0);
	csync_receive(&S.e[d], f, &m);
	return true;
}

static bool pop_ev(struct sthread *t, struct ev *out)
{
	if (!t->nev)
		return false;
	*out = t->evs[0];
	memmove(t->evs, t->evs + 1, sizeof(t->evs[0]) * (size_t)--t->nev);
	return true;
}

/* Runs steps until every thread is done (state -1): each step delivers a
 * message or moves a thread. */
static void run(bool (*step)(struct sthread *), int max_steps)
{
	for (int s = 0; s < max_steps; s++) {
		bool alive = false;
		for (int i = 0; i < S.nt; i++)
			alive |= S.t[i].state >= 0;
		if (!alive)
			return;
		if (rnd() % 2 && deliver_one())
			continue;
		struct sthread *t = &S.t[rnd() % (unsigned)S.nt];
		if (t->state >= 0)
			step(t);
	}
	fail_msg("no progress: a wake-up was lost");
}

/* ---- mutex ---------------------------------------------------------------- */

enum { M_IDLE, M_WAIT, M_CS, M_TRYWAIT };
static uint32_t mh;
static int holders, counter, iters;
static bool timeouts; /* threads give up waits at random */

static void mutex_enter(struct sthread *t)
{
	holders++;
	assert_int_equal(holders, 1);
	t->state = M_CS;
	t->step = (int)(rnd() % 3);
}

static bool mutex_step(struct sthread *t)
{
	struct csync *e = &S.e[t->node];
	struct ev ev;
	int rc;
	switch (t->state) {
	case M_IDLE: {
		bool try = rnd() % 5 == 0;
		rc = csync_mutex_lock(e, mh, (uint32_t)t->tid, t->wid,
				      try ? CSF_TRY : 0, 1);
		if (rc == 0)
			mutex_enter(t);
		else if (rc == CSYNC_WAIT)
			t->state = try ? M_TRYWAIT : M_WAIT;
		else
			assert_int_equal(rc, -EBUSY);
		break;
	}
	case M_WAIT:
	case M_TRYWAIT:
		if (!pop_ev(t, &ev)) {
			if (timeouts && rnd() % 8 == 0) {
				csync_mutex_cancel(e, mh, t->wid);
				t->nev = 0;
				t->state = M_IDLE;
			}
			break;
		}
		if (ev.ev == CSE_DONE) {
			assert_int_equal(ev.val, -EBUSY);
			t->state = M_IDLE;
			break;
		}
		assert_int_equal(ev.ev, CSE_RETRY);
		rc = csync_mutex_lock(
		    e, mh, (uint32_t)t->tid, t->wid,
		    CSF_RETRY | (t->state == M_TRYWAIT ? CSF_TRY : 0), 1);
		if (rc == 0)
			mutex_enter(t);
		else if (rc == CSYNC_WAIT)
			t->state = M_WAIT;
		else
			t->state = M_IDLE;
		break;
	case M_CS:
		if (t->step-- > 0)
			break;
		counter++;
		holders--;
		assert_int_equal(
		    csync_mutex_unlock(e, mh, (uint32_t)t->tid, false, NULL),
		    0);
		t->state = ++t->iter == iters ? -1 : M_IDLE;
		break;
	}
	return true;
}

static void mutex_case(int nodes, int threads, unsigned seed, bool to)
{
	timeouts = to;
	sim_init(nodes, threads, seed);
	assert_int_equal(csync_create(&S.e[seed % (unsigned)nodes], CSK_MUTEX,
				      CSM_ERRORCHECK, 0, &mh),
			 0);
	holders = counter = 0;
	iters = 40;
	run(mutex_step, 2000000);
	assert_int_equal(counter, threads * iters);
	while (deliver_one())
		;
	uint64_t in = 0, out = 0;
	for (int i = 0; i < nodes; i++) {
		assert_int_equal(S.e[i].st.bad, 0);
		in += S.e[i].st.token_in;
		out += S.e[i].st.token_out;
	}
	/* quiet: every token given back was granted again (none lost) */
	assert_int_equal(in, out);
	assert_true(in > 0);
	sim_fini();
}

static void test_mutex(void **st)
{
	(void)st;
	for (unsigned seed = 1; seed <= 60; seed++)
		mutex_case(2 + (int)(seed % 4), 3 + (int)(seed % 9), seed,
			   seed % 2);
}

/* A mutex used by one node only: no message after the first grant. */
static void test_mutex_local(void **st)
{
	(void)st;
	sim_init(3, 0, 7);
	assert_int_equal(csync_create(&S.e[1], CSK_MUTEX, CSM_NORMAL, 0, &mh),
			 0);
	for (int i = 0; i < 100; i++) {
		assert_int_equal(csync_mutex_lock(&S.e[1], mh, 5, 1, 0, 1), 0);
		assert_int_equal(
		    csync_mutex_lock(&S.e[1], mh, 6, 2, CSF_TRY, 1), -EBUSY);
		assert_int_equal(
		    csync_mutex_unlock(&S.e[1], mh, 5, false, NULL), 0);
	}
	assert_int_equal(S.e[1].st.msgs_out, 0);
	assert_int_equal(S.e[1].st.local_hits, 100);
	/* node 2 takes it once, then keeps it */
	S.nt = 1;
	S.t[0] = (struct sthread){.node = 2, .tid = 9, .wid = 1};
	assert_int_equal(csync_mutex_lock(&S.e[2], mh, 9, 1, 0, 1), CSYNC_WAIT);
	while (deliver_one())
		;
	assert_int_equal(S.t[0].nev, 1);
	assert_int_equal(csync_mutex_lock(&S.e[2], mh, 9, 1, CSF_RETRY, 1), 0);
	assert_int_equal(csync_mutex_unlock(&S.e[2], mh, 9, false, NULL), 0);
	uint64_t before = S.e[2].st.msgs_out;
	for (int i = 0; i < 50; i++) {
		assert_int_equal(csync_mutex_lock(&S.e[2], mh, 9, 1, 0, 1), 0);
		assert_int_equal(
		    csync_mutex_unlock(&S.e[2], mh, 9, false, NULL), 0);
	}
	assert_int_equal(S.e[2].st.msgs_out, before);
	assert_int_equal(S.e[1].st.token_out, 1);
	sim_fini();
}

/* ---- condition variable: a token passed round the threads ----------------- */

enum {
	C_LOCK,
	C_LOCKWAIT,
	C_CHECK,
	C_ACKWAIT,
	C_SLEEP,
	C_CANCELWAIT,
	C_RELOCK
};
static uint32_t ch_, cm;
static int turn, rounds_done, crounds;

static bool cond_lock(struct sthread *t, int flags)
{
	int rc = csync_mutex_lock(&S.e[t->node], cm, (uint32_t)t->tid, t->wid,
				  flags, 1);
	if (rc == 0) {
		holders++;
		assert_int_equal(holders, 1);
		return true;
	}
	assert_int_equal(rc, CSYNC_WAIT);
	return false;
}

static void cond_unlock(struct sthread *t)
{
	holders--;
	assert_int_equal(csync_mutex_unlock(&S.e[t->node], cm, (uint32_t)t->tid,
					    false, NULL),
			 0);
}

static bool cond_step(struct sthread *t)
{
	struct csync *e = &S.e[t->node];
	int me = (int)(t - S.t);
	struct ev ev;
	switch (t->state) {
	case C_LOCK:
	case C_RELOCK:
		if (t->step) { /* waiting for CSE_RETRY */
			if (!pop_ev(t, &ev))
				break;
			assert_int_equal(ev.ev, CSE_RETRY);
		}
		t->step = !cond_lock(t, t->step ? CSF_RETRY : 0);
		if (!t->step)
			t->state = C_CHECK;
		break;
	case C_CHECK:
		if (turn == me) {
			rounds_done++;
			turn = (me + 1) % S.nt;
			csync_request(e, ch_, CM_CSIGNAL, 0, 1);
			cond_unlock(t);
			t->state = ++t->iter == crounds ? -1 : C_LOCK;
			break;
		}
		assert_int_equal(csync_request(e, ch_, CM_CWAIT, t->wid, 0),
				 CSYNC_WAIT);
		t->state = C_ACKWAIT;
		break;
	case C_ACKWAIT:
		if (!pop_ev(t, &ev))
			break;
		assert_int_equal(ev.ev, CSE_ACK);
		cond_unlock(t);
		t->state = C_SLEEP;
		break;
	case C_SLEEP:
		if (pop_ev(t, &ev)) {
			assert_int_equal(ev.ev, CSE_DONE);
			t->state = C_RELOCK;
		} else if (rnd() % 16 == 0) {
			csync_request(e, ch_, CM_CANCEL, t->wid, 0);
			t->state = C_CANCELWAIT;
		}
		break;
	case C_CANCELWAIT:
		if (!pop_ev(t, &ev))
			break;
		/* a wake before the answer counts as a wake-up */
		if (ev.ev == CSE_DONE)
			break;
		assert_int_equal(ev.ev, CSE_CANCEL);
		t->state = C_RELOCK;
		break;
	}
	return true;
}

static void test_cond(void **st)
{
	(void)st;
	for (unsigned seed = 1; seed <= 40; seed++) {
		int nodes = 2 + (int)(seed % 3), threads = 2 + (int)(seed % 5);
		sim_init(nodes, threads, seed);
		assert_int_equal(
		    csync_create(&S.e[0], CSK_MUTEX, CSM_NORMAL, 0, &cm), 0);
		assert_int_equal(
		    csync_create(&S.e[nodes - 1], CSK_COND, 0, 0, &ch_), 0);
		holders = turn = rounds_done = 0;
		crounds = 20;
		run(cond_step, 4000000);
		assert_int_equal(rounds_done, threads * crounds);
		while (deliver_one())
			;
		sim_fini();
	}
}

/* ---- barrier ----------------------------------------------------------------- */

static uint32_t bh;
static int arrived[64], serial_count[64], brounds;

static bool barrier_step(struct sthread *t)
{
	struct ev ev;
	if (t->state == 0) {
		arrived[t->iter]++;
		assert_int_equal(
		    csync_request(&S.e[t->node], bh, CM_ARRIVE, t->wid, 0),
		    CSYNC_WAIT);
		t->state = 1;
	} else if (pop_ev(t, &ev)) {
		assert_int_equal(ev.ev, CSE_DONE);
		assert_int_equal(arrived[t->iter], S.nt); /* nobody early */
		serial_count[t->iter] += ev.val;
		t->state = ++t->iter == brounds ? -1 : 0;
	}
	return true;
}

static void test_barrier(void **st)
{
	(void)st;
	for (unsigned seed = 1; seed <= 40; seed++) {
		int nodes = 2 + (int)(seed % 4), threads = 2 + (int)(seed % 10);
		sim_init(nodes, threads, seed);
		assert_int_equal(csync_create(&S.e[1], CSK_BARRIER, 0,
					      (uint32_t)threads, &bh),
				 0);
		brounds = 10;
		memset(arrived, 0, sizeof(arrived));
		memset(serial_count, 0, sizeof(serial_count));
		run(barrier_step, 1000000);
		for (int r = 0; r < brounds; r++)
			assert_int_equal(serial_count[r], 1);
		/* per round: one arrival per thread off the home, one release
		 * per other node */
		uint64_t msgs = 0;
		int home_threads = 0;
		for (int i = 0; i < nodes; i++)
			msgs += S.e[i].st.msgs_out;
		for (int i = 0; i < threads; i++)
			home_threads += S.t[i].node == 1;
		assert_true(msgs <=
			    (uint64_t)brounds *
				(uint64_t)(threads - home_threads + nodes - 1));
		sim_fini();
	}
}

/* ---- semaphore and rwlock: requests answered by the home -------------------- */

/* A thread takes the object (a request that may wait or, if `try`, fail
 * with `busy`), gives up timed waits at random (cancel), holds it, and
 * releases it with a request answered at once. */
struct req_model {
	uint32_t *h;
	int busy;     /* a try's refusal */
	bool try_arg; /* the request's argument: try (sem), else the tid */
	int (*acquire)(struct sthread *t, bool *try); /* request type */
	void (*enter)(struct sthread *t);
	int (*leave)(struct sthread *t); /* release request type */
};

static uint32_t sh, rwh;
static int readers, writers;

static bool req_step(struct sthread *t, const struct req_model *md)
{
	struct csync *e = &S.e[t->node];
	struct ev ev;
	switch (t->state) {
	case 0: { /* ask */
		bool try;
		int type = md->acquire(t, &try);
		t->step = try;
		int32_t arg = md->try_arg ?
		try:
			(int32_t) t->tid;
		assert_int_equal(csync_request(e, *md->h, type, t->wid, arg),
				 CSYNC_WAIT);
		t->state = 1;
		break;
	}
	case 1: /* waiting for the answer */
		if (pop_ev(t, &ev)) {
			assert_int_equal(ev.ev, CSE_DONE);
			if (ev.val == 0) {
				md->enter(t);
				t->state = 3;
			} else {
				assert_int_equal(ev.val, md->busy);
				assert_true(t->step);
				t->state = 0;
			}
		} else if (!t->step && timeouts && rnd() % 10 == 0) {
			csync_request(e, *md->h, CM_CANCEL, t->wid, 0);
			t->state = 2;
		}
		break;
	case 2: /* cancelled: a grant may come before the answer */
		if (!pop_ev(t, &ev))
			break;
		if (ev.ev == CSE_DONE) {
			assert_int_equal(ev.val, 0);
			md->enter(t);
			t->state = 4;
			break;
		}
		assert_int_equal(ev.ev, CSE_CANCEL);
		t->state = 0;
		break;
	case 4: /* holding; the cancel answer follows the grant */
		if (!pop_ev(t, &ev))
			break;
		assert_int_equal(ev.ev, CSE_CANCEL);
		assert_int_equal(ev.val, 0);
		t->state = 3;
		break;
	case 3: /* holding: release */
		assert_int_equal(
		    csync_request(e, *md->h, md->leave(t), t->wid, t->tid),
		    CSYNC_WAIT);
		t->state = 5;
		break;
	case 5:
		if (!pop_ev(t, &ev))
			break;
		assert_int_equal(ev.ev, CSE_DONE);
		assert_int_equal(ev.val, 0);
		t->state = ++t->iter == iters ? -1 : 0;
		break;
	}
	return true;
}

/* a semaphore of 1 as a lock */
static int sem_acquire(struct sthread *t, bool *try)
{
	(void)t;
	*try = rnd() % 4 == 0;
	return CM_SWAIT;
}
static void sem_enter(struct sthread *t)
{
	(void)t;
	holders++;
	assert_int_equal(holders, 1);
}
static int sem_leave(struct sthread *t)
{
	(void)t;
	counter++;
	holders--;
	return CM_SPOST;
}
static const struct req_model sem_model = {&sh,		-EAGAIN,   true,
					   sem_acquire, sem_enter, sem_leave};
static bool sem_step(struct sthread *t)
{
	return req_step(t, &sem_model);
}

static void test_sem(void **st)
{
	(void)st;
	for (unsigned seed = 1; seed <= 40; seed++) {
		int nodes = 2 + (int)(seed % 3), threads = 2 + (int)(seed % 7);
		sim_init(nodes, threads, seed);
		assert_int_equal(csync_create(&S.e[0], CSK_SEM, 0, 1, &sh), 0);
		holders = counter = 0;
		iters = 15;
		timeouts = true;
		run(sem_step, 2000000);
		assert_int_equal(counter, threads * iters);
		sim_fini();
	}
}

/* rwlock: writers alone, readers together */
static int rw_acquire(struct sthread *t, bool *try)
{
	static const int types[] = {CM_RDLOCK, CM_WRLOCK, CM_TRYRD, CM_TRYWR};
	int k = (int)(rnd() % 4);
	t->result = k % 2; /* writer */
	*try = k >= 2;
	return types[k];
}
static void rw_enter(struct sthread *t)
{
	if (t->result)
		writers++;
	else
		readers++;
	assert_true(writers <= 1);
	assert_true(!writers || !readers);
}
static int rw_leave(struct sthread *t)
{
	if (t->result)
		writers--;
	else
		readers--;
	return CM_RWUNLOCK;
}
static const struct req_model rw_model = {&rwh,	      -EBUSY,	false,
					  rw_acquire, rw_enter, rw_leave};
static bool rw_step(struct sthread *t)
{
	return req_step(t, &rw_model);
}

static void test_rwlock(void **st)
{
	(void)st;
	for (unsigned seed = 1; seed <= 40; seed++) {
		int nodes = 2 + (int)(seed % 3), threads = 2 + (int)(seed % 8);
		sim_init(nodes, threads, seed);
		assert_int_equal(
		    csync_create(&S.e[seed % 2], CSK_RWLOCK, 0, 0, &rwh), 0);
		readers = writers = 0;
		iters = 20;
		timeouts = seed % 2;
		run(rw_step, 2000000);
		while (deliver_one())
			;
		/* errors: EDEADLK, EPERM, EBUSY */
		struct csync *e = &S.e[0];
		S.t[0].nev = 0;
		S.t[0].state = 0;
		struct ev ev;
		int calls[][2] = {{CM_WRLOCK, 0},	 {CM_WRLOCK, -EDEADLK},
				  {CM_TRYRD, -EDEADLK},	 {CM_RWUNLOCK, 0},
				  {CM_RWUNLOCK, -EPERM}, {CM_RDLOCK, 0},
				  {CM_TRYRD, 0},	 {CM_TRYWR, -EBUSY}};
		for (unsigned i = 0; i < sizeof(calls) / sizeof(calls[0]);
		     i++) {
			csync_request(e, rwh, calls[i][0], S.t[0].wid,
				      S.t[0].tid);
			while (deliver_one())
				;
			assert_true(pop_ev(&S.t[0], &ev));
			assert_int_equal(ev.val, calls[i][1]);
		}
		sim_fini();
	}
}

/* ---- decode: bad messages are refused and counted --------------------------- */

static void test_decode(void **st)
{
	(void)st;
	sim_init(3, 0, 1);
	struct csync *e = &S.e[1];
	uint32_t h;
	assert_int_equal(csync_create(e, CSK_MUTEX, 0, 0, &h), 0);
	struct csync_msg m = {.type = CM_REQ, .h = h}, out;
	uint8_t buf[CSYNC_WIRE_MAX + 8];
	size_t len = csync_encode(&m, buf);
	assert_int_equal(csync_decode(e, 0, buf, len, &out), 0);
	assert_int_equal(csync_decode(e, 0, buf, len - 1, &out), -EINVAL);
	assert_int_equal(csync_decode(e, 7, buf, len, &out), -EINVAL);
	m.type = CM_GRANT; /* from a node that is not the home */
	len = csync_encode(&m, buf);
	assert_int_equal(csync_decode(e, 0, buf, len, &out), -EINVAL);
	m.type = CM_CWAIT; /* wrong kind */
	m.wid = 1;
	len = csync_encode(&m, buf);
	assert_int_equal(csync_decode(e, 0, buf, len, &out), -EINVAL);
	m.type = CM_WAKE; /* n = 0 */
	len = csync_encode(&m, buf);
	assert_int_equal(csync_decode(e, 1, buf, len, &out), -EINVAL);
	m.type = 200;
	len = csync_encode(&m, buf);
	assert_int_equal(csync_decode(e, 0, buf, len, &out), -EINVAL);
	assert_int_equal(e->st.bad, 6);
	/* state errors: a RETURN from a node that never had the token */
	m = (struct csync_msg){.type = CM_RETURN, .h = h};
	csync_receive(e, 2, &m);
	assert_int_equal(e->st.bad, 7);
	sim_fini();
}

/* ---- node death: the token comes home, requests fail ------------------------ */

static void test_death(void **st)
{
	(void)st;
	sim_init(3, 0, 1);
	S.nt = 2;
	S.t[0] = (struct sthread){.node = 2, .tid = 9, .wid = 1};
	S.t[1] = (struct sthread){.node = 1, .tid = 5, .wid = 1};
	assert_int_equal(csync_create(&S.e[0], CSK_MUTEX, 0, 0, &mh), 0);
	assert_int_equal(csync_mutex_lock(&S.e[1], mh, 5, 1, 0, 1), CSYNC_WAIT);
	while (deliver_one())
		;
	/* node 1 holds it (its thread was woken with CSE_RETRY, but node 1 is
	 * not simulated further): it dies */
	csync_node_dead(&S.e[0], 1);
	csync_node_dead(&S.e[2], 1);
	assert_int_equal(csync_mutex_lock(&S.e[0], mh, 7, 1, 0, 1), 0);
	assert_int_equal(csync_mutex_unlock(&S.e[0], mh, 7, false, NULL), 0);
	/* node 0 dies: node 2 cannot ask its mutexes any more */
	csync_node_dead(&S.e[2], 0);
	assert_int_equal(csync_mutex_lock(&S.e[2], mh, 9, 1, 0, 1),
			 -EHOSTUNREACH);
	sim_fini();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_mutex),  cmocka_unit_test(test_mutex_local),
	    cmocka_unit_test(test_cond),   cmocka_unit_test(test_barrier),
	    cmocka_unit_test(test_sem),	   cmocka_unit_test(test_rwlock),
	    cmocka_unit_test(test_decode), cmocka_unit_test(test_death),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
