/*
 * cluster/csync.c — the cluster lock service's glue: the engine
 * (cluster/csync_proto.c) on the transport (CNET_SVC_LOCK), wait slots for
 * the threads it makes wait, and the ksys_csync_* calls posix/ makes when
 * the cluster has more than one node.
 *
 * Locks, in the order they are taken:
 *   eng_lock   (mutex) the engine, the outbox's queue and the wait slots;
 *   the outbox's order lock (net/cnet_outbox.h, ordered): taken before
 *              eng_lock is dropped, held while the queued messages go
 *              out: messages leave in engine order.
 * A waiting thread sleeps on its slot's semaphore (one up per event) with
 * no lock held. Handlers run in the service's thread and never wait for a
 * lock object: a blocked request is answered later by the home.
 */
#include "cluster/csync.h"
#include "cluster/csync_opt.h"
#include "cluster/csync_proto.h"
#include "cluster/thread_state.h"
#include "kernel/config.h"
#include "kernel/errno.h"
#include "kernel/init.h"
#include "kernel/kstring.h"
#include "kernel/ksys.h"
#include "kernel/log.h"
#include "kernel/migrate_point.h"
#include "kernel/sync.h"
#include "kernel/time.h"
#include "mm/kmalloc.h"
#include "net/cnet.h"
#include "net/cnet_outbox.h"

_Static_assert(KSYS_CS_MUTEX == CSK_MUTEX && KSYS_CS_COND == CSK_COND &&
		   KSYS_CS_BARRIER == CSK_BARRIER && KSYS_CS_SEM == CSK_SEM &&
		   KSYS_CS_RWLOCK == CSK_RWLOCK,
	       "ksys.h and csync_proto.h agree on kinds");

long arch_kcall(long (*fn)(void *), void *arg);

#define NSLOTS CSYNC_SLOTS

/* A waiting thread. Events are counted, not queued: each kind happens at
 * most once per wait except CSE_RETRY. */
struct wslot {
	uint32_t wid; /* (eng_lock) 0: free */
	uint32_t h;   /* (eng_lock) the object it waits on */
	int home;     /* (eng_lock) node whose answer it waits for */
	uint32_t retry, ack, done, cancel; /* (eng_lock) events seen */
	int done_val, cancel_val;	   /* (eng_lock) */
	struct semaphore sem;		   /* one up per event */
};

static bool active; /* (c) after csync_start */
static struct mutex eng_lock;
static struct csync eng;	   /* (eng_lock) */
static struct cnet_outbox outbox;  /* (eng_lock) to send after it */
static struct wslot slots[NSLOTS]; /* (eng_lock) */
static uint32_t slot_gen = 1;	   /* (eng_lock) */

/* ---- engine ops (called with eng_lock held) ------------------------------ */

static void op_send(void *ctx, int dst, const struct csync_msg *m)
{
	(void)ctx;
	uint8_t buf[CSYNC_WIRE_MAX];
	struct cnet_iov part = {buf, csync_encode(m, buf)};
	/* Fails only after the outbox's reserve and its bounded wait, counted
	 * and reported there; the waiter then ends by its own time-out, or
	 * waits as a lost message's would (no resend of engine state yet). */
	(void)cnet_outbox_put(&outbox, dst, CNET_SVC_LOCK, &part, 1);
}

static struct wslot *slot_of(uint32_t wid)
{
	uint32_t i = wid % NSLOTS;
	return wid && slots[i].wid == wid ? &slots[i] : NULL;
}

static void bgroup_released(uint32_t h);

static void op_wake(void *ctx, uint32_t wid, uint32_t h, int ev, int val)
{
	(void)ctx;
	struct wslot *s = slot_of(wid);
	if (!s)
		return; /* it gave up (timed out) already */
	if (s->h != h) {
		eng.st
		    .bad++; /* a peer named a slot waiting on another object */
		return;
	}
	if (ev == CSE_RETRY) {
		s->retry++;
	} else if (ev == CSE_ACK) {
		s->ack++;
	} else if (ev == CSE_DONE) {
		s->done++;
		s->done_val = val;
		if (csync_h_kind(h) == CSK_BARRIER)
			bgroup_released(h);
	} else {
		s->cancel++;
		s->cancel_val = val;
	}
	sem_up(&s->sem);
}

static void *op_alloc(void *ctx, size_t n)
{
	(void)ctx;
	return kmalloc(n);
}
static void op_free(void *ctx, void *p)
{
	(void)ctx;
	kfree(p);
}

static const struct csync_ops ops = {op_send, op_wake, op_alloc, op_free};

/* ---- locking and sending ---------------------------------------------------- */

static void eng_enter(void)
{
	mutex_lock(&eng_lock);
}

/* Drops eng_lock and sends what the engine queued, in order. */
static void eng_leave(void)
{
	cnet_outbox_unlock_and_send(&outbox, &eng_lock);
}

static struct wslot *slot_get(uint32_t h)
{
	for (uint32_t n = 0; n < NSLOTS; n++) {
		uint32_t i = (slot_gen + n) % NSLOTS;
		if (slots[i].wid)
			continue;
		struct wslot *s = &slots[i];
		uint32_t gen = slot_gen++ % (UINT32_MAX / NSLOTS - 1) + 1;
		s->wid = gen * NSLOTS + i; /* never 0; wid % NSLOTS == i */
		s->h = h;
		s->home = csync_h_home(h);
		s->retry = s->ack = s->done = s->cancel = 0;
		s->done_val = s->cancel_val = 0;
		sem_init(&s->sem, 0);
		return s;
	}
	return NULL;
}

static void slot_put(struct wslot *s)
{
	s->wid = 0;
}

enum { STOP_NONE, STOP_CANCEL, STOP_MOVE };

/* Sleeps until `ready` holds for the slot, the deadline (0 = none)
 * passes, or, for a wait that may stop (stop not NULL), *stop (the
 * waiter's pthread cancel flag, in the GAS) is set or the thread is to
 * move to another node (sched/migrate.c): both are polled every
 * CSYNC_STOP_POLL_NS with no lock held, as reading the flag may fault.
 * A move stops the wait only if the thread holds at most held_ok
 * cluster mutexes (a cond wait's own mutex is released by then): a thread
 * that still holds one moves later. Called and returns with eng_lock
 * held; false on time-out or stop (*stopped: STOP_CANCEL or STOP_MOVE). */
static bool slot_wait(struct wslot *s, bool (*ready)(struct wslot *),
		      uint64_t deadline, const volatile int *stop, int *stopped,
		      uint32_t held_ok)
{
	while (!ready(s)) {
		uint64_t left = 0;
		if (deadline) {
			uint64_t now = clock_ns();
			if (now >= deadline)
				return false;
			left = deadline - now;
		}
		if (stop && (!left || left > CSYNC_STOP_POLL_NS))
			left = CSYNC_STOP_POLL_NS;
		eng_leave();
		sem_down(&s->sem, left);
		int why =
		    !stop   ? STOP_NONE
		    : *stop ? STOP_CANCEL
		    : thread_moving() &&
			    cluster_thread(thread_current())->csync_held <=
				held_ok
			? STOP_MOVE
			: STOP_NONE;
		eng_enter();
		if (why && !ready(s)) {
			*stopped = why;
			return false;
		}
	}
	return true;
}

static bool got_retry_or_done(struct wslot *s)
{
	return s->retry || s->done;
}
static bool got_ack_or_done(struct wslot *s)
{
	return s->ack || s->done;
}
static bool got_done(struct wslot *s)
{
	return s->done;
}
static bool got_cancel(struct wslot *s)
{
	return s->cancel;
}

static uint64_t deadline_of(uint64_t timeout_ns)
{
	return timeout_ns ? clock_ns() + timeout_ns : 0;
}

/* ---- mutexes -------------------------------------------------------------------- */

/* With eng_lock held. count: the recursion count to restore (cond). */
static int mutex_lock_locked(uint32_t h, uint32_t tid, int flags,
			     uint64_t deadline, uint32_t count)
{
	struct wslot *s = slot_get(h);
	if (!s)
		return -EAGAIN;
	int rc;
	for (;;) {
		rc = csync_mutex_lock(&eng, h, tid, s->wid, flags, count);
		if (rc != CSYNC_WAIT)
			break;
		if (!slot_wait(s, got_retry_or_done, deadline, NULL, NULL, 0)) {
			csync_mutex_cancel(&eng, h, s->wid);
			rc = -ETIMEDOUT;
			break;
		}
		if (s->done) {
			rc = s->done_val; /* a trylock's -EBUSY */
			break;
		}
		s->retry--;
		flags |= CSF_RETRY;
	}
	slot_put(s);
	return rc;
}

struct mutex_args {
	uint32_t h, tid;
	int flags;
	uint64_t timeout;
};

static long do_mutex_lock(void *p)
{
	struct mutex_args *a = p;
	eng_enter();
	int rc = mutex_lock_locked(a->h, a->tid, a->flags,
				   deadline_of(a->timeout), 1);
	eng_leave();
	return rc;
}

int csync_sys_mutex_lock(uint32_t h, uint32_t tid, bool try,
			 uint64_t timeout_ns)
{
	struct mutex_args a = {h, tid, try ? CSF_TRY : 0, timeout_ns};
	int rc = (int)arch_kcall(do_mutex_lock, &a);
	if (!rc)
		cluster_thread(thread_current())->csync_held++;
	ksys_migrate_point(); /* (it may have slept; moves once it holds none) */
	return rc;
}

int csync_kmutex_lock(uint32_t h, uint32_t tid, uint64_t timeout_ns)
{
	struct mutex_args a = {h, tid, 0, timeout_ns};
	return (int)do_mutex_lock(&a);
}

static long do_mutex_unlock(void *p)
{
	struct mutex_args *a = p;
	eng_enter();
	int rc = csync_mutex_unlock(&eng, a->h, a->tid, false, NULL);
	eng_leave();
	return rc;
}

int csync_sys_mutex_unlock(uint32_t h, uint32_t tid)
{
	struct mutex_args a = {h, tid, 0, 0};
	int rc = (int)arch_kcall(do_mutex_unlock, &a);
	struct thread *t = thread_current();
	if (!rc && cluster_thread(t)->csync_held)
		cluster_thread(t)->csync_held--;
	ksys_migrate_point(); /* a move waiting for this unlock */
	return rc;
}

/* ---- condition variables ------------------------------------------------------------- */

struct cond_args {
	uint32_t c, m, tid;
	uint64_t timeout;
	const volatile int *stop;
	uint32_t count; /* out, with -EINTR: the recursion count to relock */
};

static long do_cond_wait(void *p)
{
	struct cond_args *a = p;
	uint64_t deadline = deadline_of(a->timeout);
	eng_enter();
	if (csync_mutex_state(&eng, a->m, a->tid) != 1) {
		eng_leave();
		return -EPERM;
	}
	struct wslot *s = slot_get(a->c);
	int rc = s ? csync_request(&eng, a->c, CM_CWAIT, s->wid, 0) : -EAGAIN;
	if (rc < 0)
		goto out;
	/* queued at the home before the mutex goes: no signal is lost */
	slot_wait(s, got_ack_or_done, 0, NULL, NULL, 0);
	if (!s->ack) {
		rc = s->done_val; /* the cond is gone, or its home */
		goto out;
	}
	uint32_t count = 1;
	csync_mutex_unlock(&eng, a->m, a->tid, true, &count);
	rc = 0;
	int stopped = STOP_NONE;
	if (!slot_wait(s, got_done, deadline, a->stop, &stopped, 1)) {
		if (csync_request(&eng, a->c, CM_CANCEL, s->wid, 0) ==
		    CSYNC_WAIT)
			slot_wait(s, got_cancel, 0, NULL, NULL, 0);
		/* woken before the home saw the cancel: a wake-up */
		if (!s->done && stopped == STOP_MOVE) {
			/* to move: out without the mutex, which the caller
			 * takes again on the new node (a spurious wake-up) */
			slot_put(s);
			eng_leave();
			a->count = count;
			return -EINTR;
		}
		if (!s->done)
			rc = stopped == STOP_CANCEL ? -ECANCELED : -ETIMEDOUT;
	}
	slot_put(s);
	s = NULL;
	int lrc = mutex_lock_locked(a->m, a->tid, 0, 0, count);
	if (lrc)
		rc = lrc;
out:
	if (s)
		slot_put(s);
	eng_leave();
	return rc;
}

static long do_relock(void *p)
{
	struct cond_args *a = p;
	eng_enter();
	int rc = mutex_lock_locked(a->m, a->tid, 0, 0, a->count);
	eng_leave();
	return rc;
}

int csync_sys_cond_wait(uint32_t c, uint32_t m, uint32_t tid,
			uint64_t timeout_ns, const volatile int *stop)
{
	struct cond_args a = {c, m, tid, timeout_ns, stop, 0};
	int rc = (int)arch_kcall(do_cond_wait, &a);
	if (rc == -EINTR) { /* the mutex is released: move, then take it */
		struct thread *t = thread_current();
		cluster_thread(t)->csync_held--;
		ksys_migrate_point();
		rc = (int)arch_kcall(do_relock, &a);
		t = thread_current(); /* (another kernel thread now) */
		if (!rc)
			cluster_thread(t)->csync_held++;
	}
	ksys_migrate_point();
	return rc;
}

/* ---- requests answered by the home ------------------------------------------------------ */

struct req_args {
	uint32_t h;
	int type;
	int32_t a;
	uint64_t timeout;
	const volatile int *stop;
};

static long do_request(void *p)
{
	struct req_args *a = p;
	uint64_t deadline = deadline_of(a->timeout);
	eng_enter();
	if (a->type == CM_CSIGNAL) {
		int rc = csync_request(&eng, a->h, CM_CSIGNAL, 0, a->a);
		eng_leave();
		return rc;
	}
	struct wslot *s = slot_get(a->h);
	int rc = s ? csync_request(&eng, a->h, a->type, s->wid, a->a) : -EAGAIN;
	int stopped = STOP_NONE;
	if (rc == CSYNC_WAIT) {
		if (slot_wait(s, got_done, deadline, a->stop, &stopped, 0)) {
			rc = s->done_val;
		} else {
			/* sem_timedwait: cancel; a grant before it counts */
			if (csync_request(&eng, a->h, CM_CANCEL, s->wid, 0) ==
			    CSYNC_WAIT)
				slot_wait(s, got_cancel, 0, NULL, NULL, 0);
			rc = s->done		      ? s->done_val
			     : stopped == STOP_CANCEL ? -ECANCELED
			     : stopped == STOP_MOVE
				 ? -EINTR /* moves, asks again */
				 : -ETIMEDOUT;
		}
	}
	if (s)
		slot_put(s);
	eng_leave();
	return rc;
}

static int request(uint32_t h, int type, int32_t arg, uint64_t timeout_ns,
		   const volatile int *stop)
{
	struct req_args a = {h, type, arg, timeout_ns, stop};
	int rc = (int)arch_kcall(do_request, &a);
	ksys_migrate_point(); /* (it may have slept) */
	return rc;
}

int csync_sys_cond_wake(uint32_t c, bool all)
{
	return request(c, CM_CSIGNAL, all, 0, NULL);
}

/*
 * Barrier arrivals are combined per node: the first of this node's
 * threads to arrive in a round (the leader) waits, at most
 * BAR_WINDOW_NS, until as many local threads have arrived as arrived in
 * the previous round (`expect`, learnt at each release), then sends all
 * of them in one message; the others only wait for their release. So a
 * barrier round costs one message per node each way once the pattern is
 * known. A thread that no longer comes (it moved, it ended) only delays
 * its node's arrival by the window until the next release teaches the new
 * count. Groups are few (BAR_GROUPS barriers at once); beyond them, or
 * beyond a message's room, a thread arrives alone.
 */
#define BAR_GROUPS    16
#define BAR_WINDOW_NS (2 * NSEC_PER_MSEC)

static struct bgroup {
	uint32_t h; /* (eng_lock) the barrier, 0: free */
	uint32_t n; /* (eng_lock) arrivals gathered, not yet sent */
	uint32_t wids[CSYNC_MAXW + 1]; /* (eng_lock) */
	uint32_t expect;       /* (eng_lock) local arrivals in the last round */
	uint32_t sent;	       /* (eng_lock) arrivals sent this round */
	uint64_t used;	       /* (eng_lock) for reuse of the least recent */
	struct semaphore full; /* the leader waits on it */
} bgroups[BAR_GROUPS];
static uint64_t bgroup_clock; /* (eng_lock) */

static struct bgroup *bgroup_get(uint32_t h)
{
	struct bgroup *idle = NULL;
	for (int i = 0; i < BAR_GROUPS; i++) {
		struct bgroup *g = &bgroups[i];
		if (g->h == h) {
			g->used = ++bgroup_clock;
			return g;
		}
		if (!g->n && (!idle || g->used < idle->used))
			idle = g;
	}
	if (idle) {
		idle->h = h;
		idle->n = idle->sent = 0;
		idle->expect = 1;
		idle->used = ++bgroup_clock;
		sem_init(&idle->full, 0);
	}
	return idle;
}

/* A release reached this node (op_wake): the round's count is learnt. */
static void bgroup_released(uint32_t h)
{
	for (int i = 0; i < BAR_GROUPS; i++)
		if (bgroups[i].h == h && bgroups[i].sent) {
			bgroups[i].expect = bgroups[i].sent;
			bgroups[i].sent = 0;
		}
}

static long do_barrier(void *p)
{
	uint32_t h = *(uint32_t *)p;
	eng_enter();
	struct wslot *s = slot_get(h);
	if (!s) {
		eng_leave();
		return -EAGAIN;
	}
	struct bgroup *g = bgroup_get(h);
	int rc = CSYNC_WAIT;
	bool added = false, leader = false;
	if (g && g->n <= CSYNC_MAXW) {
		g->wids[g->n++] = s->wid;
		added = true;
		leader = g->n == 1;
	}
	/* this round's arrivals here are all in once sent + gathered reach
	 * the count learnt at the last release */
	if (!added) {
		rc = csync_arrive(&eng, h, &s->wid, 1); /* alone: no room */
	} else if (!leader) {
		if (g->sent + g->n >= g->expect)
			sem_up(&g->full); /* the leader sends for us */
	} else {
		uint64_t end = clock_ns() + BAR_WINDOW_NS;
		for (;;) {
			uint64_t now = clock_ns();
			if (g->sent + g->n >= g->expect || g->n > CSYNC_MAXW ||
			    now >= end)
				break;
			eng_leave();
			sem_down(&g->full, end - now);
			eng_enter();
		}
		uint32_t wids[CSYNC_MAXW + 1], n = g->n;
		memcpy(wids, g->wids, sizeof(wids[0]) * n);
		g->n = 0;
		g->sent += n;
		rc = csync_arrive(&eng, h, wids, n);
		for (uint32_t i = 1; rc < 0 && i < n; i++)
			op_wake(NULL, wids[i], h, CSE_DONE,
				rc); /* theirs failed too */
	}
	if (rc == CSYNC_WAIT) {
		slot_wait(s, got_done, 0, NULL, NULL, 0);
		rc = s->done_val;
	}
	slot_put(s);
	eng_leave();
	return rc;
}

int csync_sys_barrier_wait(uint32_t b)
{
	int rc = (int)arch_kcall(do_barrier, &b);
	ksys_migrate_point(); /* (it may have slept) */
	return rc;
}

int csync_sys_sem(uint32_t h, int op, uint64_t timeout_ns,
		  const volatile int *stop)
{
	switch (op) {
	case KSYS_SEM_WAIT: {
		/* a thread that is to move stops waiting, moves, and asks
		 * again from its new node for the time left */
		uint64_t end = timeout_ns ? clock_ns() + timeout_ns : 0;
		struct thread *t = thread_current();
		for (;;) {
			uint64_t left = 0, now = clock_ns();
			if (end && now >= end)
				return -ETIMEDOUT;
			if (end)
				left = end - now;
			/* sig_save[0]: set when a signal's trampoline was
			 * entered (kernel/ksys_signal.c): -EINTR to posix/ */
			__atomic_store_n(&t->sig_save[0], 0, __ATOMIC_RELAXED);
			int rc = request(h, CM_SWAIT, 0, left, stop);
			t = thread_current(); /* it may have moved */
			if (rc != -EINTR ||
			    __atomic_load_n(&t->sig_save[0], __ATOMIC_RELAXED))
				return rc; /* posix/ checks it was a signal */
		}
	}
	case KSYS_SEM_TRYWAIT:
		return request(h, CM_SWAIT, 1, 0, NULL);
	case KSYS_SEM_POST:
		return request(h, CM_SPOST, 0, 0, NULL);
	case KSYS_SEM_VALUE:
		return request(h, CM_SGET, 0, 0, NULL);
	}
	return -EINVAL;
}

int csync_sys_rwlock(uint32_t h, int op, uint32_t tid, uint64_t timeout_ns)
{
	static const int type[] = {
	    [KSYS_RW_RD] = CM_RDLOCK,	    [KSYS_RW_WR] = CM_WRLOCK,
	    [KSYS_RW_TRYRD] = CM_TRYRD,	    [KSYS_RW_TRYWR] = CM_TRYWR,
	    [KSYS_RW_UNLOCK] = CM_RWUNLOCK,
	};
	if (op < 0 || op > KSYS_RW_UNLOCK)
		return -EINVAL;
	return request(h, type[op], (int32_t)tid, timeout_ns, NULL);
}

/* ---- objects ------------------------------------------------------------------------------ */

struct create_args {
	int kind, param;
	uint32_t value;
	uint32_t *h;
};

static long do_create(void *p)
{
	struct create_args *a = p;
	uint32_t h = 0;
	eng_enter();
	int rc = csync_create(&eng, a->kind, a->param, a->value, &h);
	eng_leave();
	*a->h = h;
	return rc;
}

int csync_sys_create(int kind, int param, uint32_t value, uint32_t *h)
{
	struct create_args a = {kind, param, value, h};
	return (int)arch_kcall(do_create, &a);
}

int csync_kcreate(int kind, int param, uint32_t value, uint32_t *h)
{
	struct create_args a = {kind, param, value, h};
	return (int)do_create(&a);
}

static long do_mutex_destroy(void *p)
{
	eng_enter();
	int rc = csync_mutex_destroy(&eng, *(uint32_t *)p);
	eng_leave();
	return rc;
}

int csync_sys_destroy(uint32_t h)
{
	if (csync_h_kind(h) == CSK_MUTEX)
		return (int)arch_kcall(do_mutex_destroy, &h);
	return request(h, CM_DESTROY, 0, 0, NULL);
}

bool csync_sys_active(void)
{
	return active;
}

int csync_sys_stats(uint64_t *out, int n)
{
	if (!active)
		return -ENODEV;
	struct csync_stats st = eng.st; /* racy read: counters */
	uint64_t v[] = {st.msgs_out, st.msgs_in,   st.local_hits,
			st.token_in, st.token_out, st.bad};
	int k = n < 6 ? n : 6;
	for (int i = 0; i < k; i++)
		out[i] = v[i];
	return k;
}

size_t csync_stats_text(char *buf, size_t len)
{
	size_t n = 0;
	if (!active)
		return 0;
	struct csync_stats st = eng.st; /* racy read at exit is fine */
	kappendf(buf, len, &n,
		 "csync: node %d: messages %lu/%lu, local lock hits "
		 "%lu, tokens in %lu out %lu, bad %lu\n",
		 cnet_self(), st.msgs_out, st.msgs_in, st.local_hits,
		 st.token_in, st.token_out, st.bad);
	return n;
}

/* ---- the service ----------------------------------------------------------------------------- */

static void lock_handler(int from, const void *msg, size_t len, void *ctx)
{
	(void)ctx;
	struct csync_msg m;
	eng_enter();
	if (csync_decode(&eng, from, msg, len, &m) == 0)
		csync_receive(&eng, from, &m);
	eng_leave();
}

/* Waits for a dead home fail; its tokens and queue entries are dropped. */
static void node_died(int node, void *ctx)
{
	(void)ctx;
	eng_enter();
	csync_node_dead(&eng, node);
	for (int i = 0; i < NSLOTS; i++) {
		struct wslot *s = &slots[i];
		if (s->wid && s->home == node) {
			if (!s->done) {
				s->done++;
				s->done_val = -EHOSTUNREACH;
			}
			s->cancel++;
			sem_up(&s->sem);
		}
	}
	eng_leave();
	pr_info("csync", "node %d died: its locks fail with EHOSTUNREACH",
		node);
}

static int csync_start(void)
{
	if (cnet_nodes() <= 1)
		return 0; /* one node: posix/ keeps its local objects */
	mutex_init(&eng_lock);
	int rc = cnet_outbox_init(&outbox, "lock", CSYNC_WIRE_MAX,
				  CSYNC_OUTBOX_RESERVE, true);
	if (rc)
		return rc;
	csync_init(&eng, cnet_self(), cnet_nodes(), &ops, NULL);
	rc = cnet_register(CNET_SVC_LOCK, lock_handler, NULL);
	if (rc)
		return rc;
	cnet_on_node_death(node_died, NULL);
	active = true;
	return 0;
}
INITCALL(INIT_CLUSTER, csync_start);
