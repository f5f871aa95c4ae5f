/*
 * cluster/csync_proto.h — the cluster lock service (CNET_SVC_LOCK) as a pure
 * state machine: no locks, no blocking, no clock. The kernel glue
 * (cluster/csync.c) drives it from system calls and received messages; the
 * host tests drive it from a simulated cluster that reorders messages
 * between senders.
 *
 * Every object has a home node, encoded in its handle, where its state
 * lives (kernel memory, never the global address space):
 *   mutex    a token; the node holding it locks and unlocks with no
 *            message. Other nodes ask the home (REQ), which recalls the
 *            token from its holder (returned at the holder's next unlock)
 *            and grants it to the first node of its FIFO queue.
 *   cond     the home keeps the waiters (node, wid); waits are
 *            acknowledged once queued; signal/broadcast ask the home,
 *            which wakes per node in one message.
 *   barrier  the home counts arrivals and releases each node in one
 *            message naming its waiters (one of them serial).
 *   sem      value and waiters at the home; every operation a request.
 *   rwlock   writer, reader count and a FIFO at the home (writers first:
 *            a reader waits behind a queued writer); every operation a
 *            request carrying the caller's thread id.
 * A thread that must wait is named by a wid (the glue's wait slot, never
 * 0); the engine completes it with ops->wake.
 *
 * The transport is reliable and keeps each sender's messages in order;
 * messages to oneself never leave the engine (queued, handled after the
 * current call). Every received message is checked by csync_decode first.
 */
#ifndef CLUSTER_CSYNC_PROTO_H
#define CLUSTER_CSYNC_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CSYNC_MAX_NODES 64
#define CSYNC_MAXW	32 /* wids in one WAKE message */
#define CSYNC_BUCKETS	256

/* Handle: 1 | home:6 | kind:3 | param:2 | serial:20. Never 0, never
 * 0xFFFFFFFF (kind 7 is unused), never below 2^31 (the one-node table). */
#define CSYNC_H_FLAG  0x80000000u
#define CSYNC_SERIALS (1u << 20)
static inline int csync_h_home(uint32_t h)
{
	return (int)((h >> 25) & 63);
}
static inline int csync_h_kind(uint32_t h)
{
	return (int)((h >> 22) & 7);
}
static inline int csync_h_param(uint32_t h)
{
	return (int)((h >> 20) & 3);
}

enum csync_kind {
	CSK_MUTEX = 1,
	CSK_COND,
	CSK_BARRIER,
	CSK_SEM,
	CSK_RWLOCK,
	CSK_MAX
};

/* Mutex types (param of a mutex handle): PTHREAD_MUTEX_* values. */
enum { CSM_NORMAL = 0, CSM_RECURSIVE = 1, CSM_ERRORCHECK = 2, CSM_DEFAULT = 3 };

enum csync_msg_type {
	CM_REQ = 1, /* node -> home: want the token; a: 1 = try */
	CM_RECALL,  /* home -> holder; a: 1 = only if free (try) */
	CM_RETURN,  /* holder -> home: token back; a: 1 = want it again */
	CM_NOTFREE, /* holder -> home: try-recall refused, locked */
	CM_GRANT,   /* home -> node: token; a: 1 = return at next unlock */
	CM_BUSY,    /* home -> node: the try failed */
	CM_CWAIT,   /* node -> home: queue wid on the cond */
	CM_CACK,    /* home -> node: wid queued */
	CM_CSIGNAL, /* node -> home: a: 1 = broadcast */
	CM_CANCEL,  /* node -> home: take wid off the cond/sem queue */
	CM_CANCELR, /* home -> node: a: 1 = was queued (else woken) */
	CM_WAKE,    /* home -> node: w[] woken; wid: the serial one (barrier) */
	CM_ARRIVE, /* node -> home: wid, and w[] if any, arrive at the barrier */
	CM_SWAIT,  /* node -> home: sem down; a: 1 = try */
	CM_SPOST,  /* node -> home: sem up */
	CM_SGET,   /* node -> home: sem value */
	CM_DESTROY,  /* node -> home */
	CM_RESULT,   /* home -> node: wid's request done, a = result */
	CM_RDLOCK,   /* node -> home: a = tid */
	CM_WRLOCK,   /* node -> home: a = tid */
	CM_TRYRD,    /* node -> home: a = tid */
	CM_TRYWR,    /* node -> home: a = tid */
	CM_RWUNLOCK, /* node -> home: a = tid */
	CM_MAX
};

/* A decoded message. On the wire: the header packed, little-endian, then
 * n 32-bit wids. */
struct csync_msg {
	uint8_t type; /* enum csync_msg_type */
	uint8_t n;    /* wids in w[] (WAKE; ARRIVE: arrivals beside wid) */
	uint16_t pad; /* 0 */
	uint32_t h;   /* object handle */
	uint32_t wid; /* waiting thread at the sender (or serial, WAKE) */
	int32_t a;    /* argument / result */
	uint32_t w[CSYNC_MAXW];
};
#define CSYNC_HDR      16
#define CSYNC_WIRE_MAX (CSYNC_HDR + 4 * CSYNC_MAXW)

/* Events passed to ops->wake. */
enum csync_event {
	CSE_RETRY = 1, /* mutex: call csync_mutex_lock again (flag RETRY) */
	CSE_ACK,       /* cond: queued at the home, release the mutex now */
	CSE_DONE,      /* request done: val = result (barrier: 1 serial) */
	CSE_CANCEL,    /* cancel answered: val 1 = was queued, 0 = woken */
};

/* Every member runs inside a call of the engine, so its caller holds the
 * engine lock (cluster/csync.c: eng_lock); none may block or call back
 * into the engine. */
struct csync_ops {
	/* Required; engine lock held. Queue a message to another node (copy
	 * it before returning; send it once the lock is dropped). */
	void (*send)(void *ctx, int dst, const struct csync_msg *m);
	/* Required; engine lock held. Complete an event for wait slot wid of
	 * this node, waiting on object h (a peer may name any wid: the glue
	 * checks h). */
	void (*wake)(void *ctx, uint32_t wid, uint32_t h, int ev, int val);
	/* Required; engine lock held. Memory for objects and queues; NULL on
	 * exhaustion (the request then fails with -ENOMEM). */
	void *(*alloc)(void *ctx, size_t n);
	/* Required; engine lock held. Gives back what alloc gave. */
	void (*free)(void *ctx, void *p);
};

struct csync_stats {
	uint64_t msgs_out, msgs_in; /* to and from other nodes */
	uint64_t local_hits; /* mutex lock with the token here: no message */
	uint64_t token_in, token_out; /* grants received, tokens given back */
	uint64_t bad; /* messages refused by decode or by state */
};

struct csync_wl; /* a queue of (node, wid, flag) */
struct csync_obj;
struct csync_self; /* a message to oneself, waiting to be handled */

/* One node's engine. Every field is guarded by the caller's engine lock
 * (cluster/csync.c: eng_lock); self, nodes, ops and ctx are constant. */
struct csync {
	int self, nodes;
	const struct csync_ops *ops;
	void *ctx;
	uint32_t next_serial;
	bool dead[CSYNC_MAX_NODES];
	struct csync_obj *tab[CSYNC_BUCKETS];
	struct csync_self *loop_head, *loop_tail;
	bool running; /* draining loop messages */
	struct csync_stats st;
};

/* Waits: the call returned CSYNC_WAIT, ops->wake will say what happened. */
#define CSYNC_WAIT 1

void csync_init(struct csync *e, int self, int nodes,
		const struct csync_ops *ops, void *ctx);
void csync_destroy_all(struct csync *e);

/* A new object homed here (no message). value: barrier count, sem value.
 * 0, -ENOMEM, -EAGAIN (handles exhausted), -EINVAL. */
int csync_create(struct csync *e, int kind, int param, uint32_t value,
		 uint32_t *h);

/* Mutex. flags: */
#define CSF_TRY	  1 /* never wait for the lock itself */
#define CSF_RETRY 2 /* after CSE_RETRY */
int csync_mutex_lock(struct csync *e, uint32_t h, uint32_t tid, uint32_t wid,
		     int flags, uint32_t count);
/* Releases (all recursion levels if `all`, count returned in *count). */
int csync_mutex_unlock(struct csync *e, uint32_t h, uint32_t tid, bool all,
		       uint32_t *count);
/* A waiter gives up (timeout): false if it had already been woken. */
bool csync_mutex_cancel(struct csync *e, uint32_t h, uint32_t wid);
/* -EBUSY if held or awaited here; frees what only this node knows. */
int csync_mutex_destroy(struct csync *e, uint32_t h);
/* 0 not held here, 1 held by tid, 2 held by another thread of this node. */
int csync_mutex_state(struct csync *e, uint32_t h, uint32_t tid);

/* A request to the object's home: CM_CWAIT, CM_CSIGNAL, CM_CANCEL,
 * CM_ARRIVE, CM_SWAIT, CM_SPOST, CM_SGET, CM_DESTROY, CM_RDLOCK, CM_WRLOCK,
 * CM_TRYRD, CM_TRYWR, CM_RWUNLOCK. 0 (CM_CSIGNAL: sent),
 * CSYNC_WAIT, -EINVAL, -EHOSTUNREACH (home dead). */
int csync_request(struct csync *e, uint32_t h, int type, uint32_t wid,
		  int32_t a);
/* Several of this node's threads (wids[0..n-1], 1 <= n <= CSYNC_MAXW + 1)
 * arrive at barrier h in one message to its home. CSYNC_WAIT (each wid is
 * woken with CSE_DONE, val 1 for the serial one), or -EINVAL,
 * -EHOSTUNREACH. */
int csync_arrive(struct csync *e, uint32_t h, const uint32_t *wids, unsigned n);

/* Parses a peer's bytes: 0, or -EINVAL (counted in e->st.bad). */
int csync_decode(struct csync *e, int from, const void *buf, size_t len,
		 struct csync_msg *m);
size_t csync_encode(const struct csync_msg *m, void *buf);
/* Handles a decoded message from `from`. */
void csync_receive(struct csync *e, int from, const struct csync_msg *m);
/* A node died: its queue entries go, its tokens come home. */
void csync_node_dead(struct csync *e, int node);

#endif
