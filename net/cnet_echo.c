/*
 * net/cnet_echo.c — the echo service (CNET_SVC_ECHO): a node answers every
 * request with the same bytes. Used by the cluster ktests (all-to-all
 * round trips with checksums), the transport benchmarks, and a barrier
 * that lets every node finish its tests before any powers off.
 */
#include "kernel/errno.h"
#include "kernel/init.h"
#include "kernel/kstring.h"
#include "kernel/log.h"
#include "kernel/sync.h"
#include "kernel/thread.h"
#include "net/cnet.h"
#include "net/cnet_echo.h"

#define MAX_WAITERS 64

struct echo_hdr {
	uint32_t kind; /* 1 request, 2 reply, 3 barrier arrival */
	uint32_t slot;
	uint64_t tag;
};

static struct spinlock lock = SPINLOCK_INIT;
static struct waiter_slot {
	bool used;	 /* (lock) */
	uint64_t tag;	 /* (lock) */
	void *out;	 /* (lock) */
	size_t cap, got; /* (lock) */
	struct semaphore done;
} slots[MAX_WAITERS];
static uint64_t next_tag = 1;		      /* (lock) */
static uint32_t barrier_seen[CNET_MAX_NODES]; /* (lock) arrivals per node */
static struct cond barrier_cv;
static struct mutex barrier_m;

/* A reply: copied to its waiter, who is woken. False if it is not one
 * (or malformed). Spinlock only: it also runs in the receive path. */
static bool echo_reply(int from, const void *msg, size_t len, void *ctx)
{
	(void)from, (void)ctx;
	struct echo_hdr h;
	if (len < sizeof(h))
		return false;
	memcpy(&h, msg, sizeof(h));
	if (h.kind != 2)
		return false;
	if (h.slot >= MAX_WAITERS)
		return true; /* nobody's: dropped */
	const uint8_t *body = (const uint8_t *)msg + sizeof(h);
	size_t blen = len - sizeof(h);
	unsigned long f = spin_lock_irqsave(&lock);
	struct waiter_slot *s = &slots[h.slot];
	bool mine = s->used && s->tag == h.tag;
	if (mine) {
		s->got = blen < s->cap ? blen : s->cap;
		memcpy(s->out, body, s->got);
	}
	spin_unlock_irqrestore(&lock, f);
	if (mine)
		sem_up(&s->done);
	return true;
}

/* In the receive path: a reply is matched, a request answered at once
 * unless the window back is full (then the handler's thread answers). */
static bool echo_fast(int from, const void *msg, size_t len, void *ctx)
{
	struct echo_hdr h;
	if (len < sizeof(h))
		return false;
	memcpy(&h, msg, sizeof(h));
	if (h.kind != 1)
		return echo_reply(from, msg, len, ctx);
	h.kind = 2;
	return cnet_fast_send(from, CNET_SVC_ECHO, &h, sizeof(h),
			      (const uint8_t *)msg + sizeof(h),
			      len - sizeof(h)) != -EAGAIN;
}

static void echo_handler(int from, const void *msg, size_t len, void *ctx)
{
	(void)ctx;
	struct echo_hdr h;
	if (len < sizeof(h))
		return;
	memcpy(&h, msg, sizeof(h));
	const uint8_t *body = (const uint8_t *)msg + sizeof(h);
	size_t blen = len - sizeof(h);
	if (h.kind == 1) {
		h.kind = 2;
		cnet_send2(from, CNET_SVC_ECHO, &h, sizeof(h), body, blen);
	} else if (echo_reply(from, msg, len, ctx)) {
		/* a reply to ourselves (those from peers take the fast path) */
	} else if (h.kind == 3 && from < CNET_MAX_NODES) {
		mutex_lock(&barrier_m);
		barrier_seen[from]++;
		cond_broadcast(&barrier_cv);
		mutex_unlock(&barrier_m);
	}
}

int cnet_echo(int node, const void *buf, size_t len, void *out, size_t cap,
	      uint64_t timeout_ns)
{
	unsigned long f = spin_lock_irqsave(&lock);
	int i;
	for (i = 0; i < MAX_WAITERS && slots[i].used; i++)
		;
	if (i == MAX_WAITERS) {
		spin_unlock_irqrestore(&lock, f);
		return -EAGAIN;
	}
	struct waiter_slot *s = &slots[i];
	s->used = true;
	s->tag = next_tag++;
	s->out = out;
	s->cap = cap;
	s->got = 0;
	sem_init(&s->done, 0);
	struct echo_hdr h = {1, (uint32_t)i, s->tag};
	spin_unlock_irqrestore(&lock, f);
	int rc = cnet_send2(node, CNET_SVC_ECHO, &h, sizeof(h), buf, len);
	if (!rc)
		rc = sem_down(&s->done, timeout_ns);
	f = spin_lock_irqsave(&lock);
	s->used = false;
	size_t got = s->got;
	spin_unlock_irqrestore(&lock, f);
	return rc ? rc : (int)got;
}

int cnet_barrier(uint32_t round, uint64_t timeout_ns)
{
	struct echo_hdr h = {3, 0, round};
	for (int n = 0; n < cnet_nodes(); n++)
		if (cnet_alive(n))
			cnet_send(n, CNET_SVC_ECHO, &h, sizeof(h));
	uint64_t deadline = clock_ns() + timeout_ns;
	mutex_lock(&barrier_m);
	int rc = 0;
	for (;;) {
		bool all = true;
		for (int n = 0; n < cnet_nodes(); n++)
			if (cnet_alive(n) && barrier_seen[n] < round)
				all = false;
		if (all)
			break;
		uint64_t now = clock_ns();
		if (now >= deadline) {
			rc = -ETIMEDOUT;
			break;
		}
		cond_wait(&barrier_cv, &barrier_m, deadline - now);
	}
	mutex_unlock(&barrier_m);
	return rc;
}

/* A dead node no longer counts: waiters look again. */
static void barrier_node_died(int node, void *ctx)
{
	(void)node, (void)ctx;
	mutex_lock(&barrier_m);
	cond_broadcast(&barrier_cv);
	mutex_unlock(&barrier_m);
}

static int echo_init(void)
{
	mutex_init(&barrier_m);
	cond_init(&barrier_cv);
	cnet_on_node_death(barrier_node_died, NULL);
	int rc = cnet_register(CNET_SVC_ECHO, echo_handler, NULL);
	return rc ? rc : cnet_set_fast(CNET_SVC_ECHO, echo_fast);
}
INITCALL(INIT_NET_SVC, echo_init);
