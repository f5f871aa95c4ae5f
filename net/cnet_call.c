/*
 * net/cnet_call.c — remote procedure calls for the kernel: the matching
 * layer of net/cnet_rpc.c (call ids, replies, remote errors as negative
 * errno) given blocking, timeouts and node death.
 *
 * A caller's cnet_call() sends a CALL on the service and sleeps on its
 * own semaphore until the REPLY is matched to it (cnet_rpc's done), its
 * time is up (it cancels the call; a reply that raced wins), or the node
 * is declared dead (cnet_rpc_peer_down: every call to it ends at once with
 * -EHOSTUNREACH). An RPC service (cnet_serve) runs its function in the
 * service's own thread, which may block: the call is taken out of the
 * matching layer, answered with the lock dropped, and the reply sent
 * under it again. Replies come back on the same service number, so every
 * node registers the RPC services it calls (cnet_serve does both).
 *
 * Replies from peers are matched in the transport's receive path
 * (rpc_fast_reply, cnet_set_fast), not in the service's thread.
 *
 * Locking: rpc_lock (a mutex) serialises every use of `rpc`; the done
 * callback runs under it. Lock order: the transport's lock, then
 * rpc_lock (the fast path); never the other way. Nothing is sent under
 * rpc_lock: what the matching layer sends is queued (net/cnet_outbox.h) and sent
 * once the lock is dropped, since sending may block on a full window,
 * and a node whose RPC threads wait for the lock would stop draining
 * what its peers send it (two nodes calling each other could wait for
 * each other for ever).
 */
#include "kernel/errno.h"
#include "kernel/init.h"
#include "kernel/kstring.h"
#include "kernel/log.h"
#include "kernel/sync.h"
#include "kernel/time.h"
#include "mm/kmalloc.h"
#include "net/cnet.h"
#include "net/cnet_opt.h"
#include "net/cnet_outbox.h"
#include "net/cnet_rpc.h"

#define NCALLS		  256
#define CNET_CALL_RESERVE 2 /* outbox buffers for when the heap is out */

static struct mutex rpc_lock;
static struct cnet_rpc rpc;		   /* (rpc_lock) */
static struct cnet_rpc_call calls[NCALLS]; /* (rpc_lock) its storage */
static bool rpc_ready;			   /* (c) after cnet_call_init */

/* Per RPC service: the function, and the call being taken out of the
 * matching layer (only the service's thread touches `taken`). */
static struct rpc_svc {
	cnet_serve_fn fn;
	void *ctx;
	struct {
		bool yes;
		uint32_t id;
		void *args;
		size_t len;
	} taken;
} svcs[CNET_SVC_MAX];

/* (rpc_lock) what the matching layer sends, sent once rpc_lock is dropped */
static struct cnet_outbox outbox;

static int op_send(void *ctx, int peer, uint16_t service,
		   const struct cnet_iov *iov, int iovcnt)
{
	(void)ctx;
	return cnet_outbox_put(&outbox, peer, service, iov, iovcnt);
}

/* Drops rpc_lock, then sends what was queued under it: the first error. */
static int unlock_and_send(void)
{
	return cnet_outbox_unlock_and_send(&outbox, &rpc_lock);
}

/* A CALL arrived (rpc_lock held, in the service's thread): taken out to
 * be answered once the lock is dropped. */
static int op_serve(void *ctx, int peer, uint16_t service, uint32_t call_id,
		    const void *args, size_t len)
{
	(void)ctx, (void)peer;
	struct rpc_svc *s = &svcs[service];
	if (!s->fn)
		return -ENOENT;
	void *copy = kmalloc(len ? len : 1);
	if (!copy)
		return -ENOMEM;
	memcpy(copy, args, len);
	s->taken.yes = true;
	s->taken.id = call_id;
	s->taken.args = copy;
	s->taken.len = len;
	return 0;
}

static const struct cnet_rpc_ops ops = {
    .send = op_send,
    .serve = op_serve,
};

struct call_wait {
	struct semaphore done;
	int status;
	size_t len;
};

static void call_done(void *arg, uint32_t call_id, int status, size_t reply_len)
{
	(void)call_id;
	struct call_wait *w = arg;
	w->status = status;
	w->len = reply_len;
	sem_up(&w->done);
}

int cnet_call(int node, uint16_t service, const void *args, size_t len,
	      void *reply, size_t cap, uint64_t timeout_ns)
{
	if (!rpc_ready || service == 0 || service >= CNET_SVC_MAX ||
	    !svcs[service].fn)
		return -EINVAL;
	if (node < 0 || node >= cnet_nodes() || !cnet_alive(node))
		return -EHOSTUNREACH;
	struct call_wait w;
	uint32_t id;
	sem_init(&w.done, 0);
	mutex_lock(&rpc_lock);
	int rc = cnet_rpc_call(&rpc, node, service, args, len, reply, cap, 0,
			       clock_ns(), call_done, &w, &id);
	int sent = unlock_and_send();
	if (rc)
		return rc;
	if (sent) { /* the call never left: forget it, unless it is answered */
		mutex_lock(&rpc_lock);
		rc = cnet_rpc_cancel(&rpc, id);
		mutex_unlock(&rpc_lock);
		if (!rc)
			return sent;
	}
	if (sem_down(&w.done, timeout_ns)) {
		mutex_lock(&rpc_lock);
		rc = cnet_rpc_cancel(&rpc, id);
		mutex_unlock(&rpc_lock);
		if (!rc)
			return -ETIMEDOUT;
		sem_down(&w.done, 0); /* the reply won the race: done ran */
	}
	return w.status < 0 ? w.status : (int)w.len;
}

#define REPLY_MAX 8192

/* Every message of an RPC service, in its thread. */
static void rpc_deliver(int from, const void *msg, size_t len, void *ctx)
{
	struct rpc_svc *s = ctx;
	uint16_t service = (uint16_t)(s - svcs);
	mutex_lock(&rpc_lock);
	int rc = cnet_rpc_input(&rpc, from, service, msg, len);
	unlock_and_send(); /* a call refused at once is answered at once */
	if (rc && rc != -ENOENT)
		pr_warn("cnet",
			"bad RPC message on service %u from node %d (%zu "
			"bytes): %d",
			service, from, len, rc);
	if (!s->taken.yes)
		return;
	s->taken.yes = false;
	void *out = kmalloc(REPLY_MAX);
	int n = out ? s->fn(from, s->taken.args, s->taken.len, out, REPLY_MAX,
			    s->ctx)
		    : -ENOMEM;
	if (n > REPLY_MAX)
		n = -EOVERFLOW;
	mutex_lock(&rpc_lock);
	rc = cnet_rpc_reply(&rpc, from, service, s->taken.id, n < 0 ? n : 0,
			    out, n < 0 ? 0 : (size_t)n);
	int sent = unlock_and_send();
	if (!rc)
		rc = sent;
	if (rc)
		pr_warn("cnet", "reply on service %u to node %d lost: %d",
			service, from, rc);
	kfree(out);
	kfree(s->taken.args);
}

/* A reply from a peer, in the transport's receive path (its lock held):
 * matched to its caller, who is woken, with no hand-off to the service's
 * thread. Matching a reply sends nothing (done only wakes), so the lock
 * is dropped without the outbox; rpc_lock is never held while taking the
 * transport's lock, so taking it here cannot deadlock. */
static bool rpc_fast_reply(int from, const void *msg, size_t len, void *ctx)
{
	struct rpc_svc *s = ctx;
	uint16_t service = (uint16_t)(s - svcs);
	if (len < CNET_RPC_HLEN || ((const uint8_t *)msg)[0] != CNET_RPC_REPLY)
		return false;
	mutex_lock(&rpc_lock);
	int rc = cnet_rpc_input(&rpc, from, service, msg, len);
	mutex_unlock(&rpc_lock);
	if (rc && rc != -ENOENT)
		pr_warn("cnet",
			"bad RPC reply on service %u from node %d (%zu "
			"bytes): %d",
			service, from, len, rc);
	return true;
}

int cnet_serve(uint16_t service, cnet_serve_fn fn, void *ctx)
{
	if (!rpc_ready || service == 0 || service >= CNET_SVC_MAX || !fn)
		return -EINVAL;
	struct rpc_svc *s = &svcs[service];
	if (s->fn)
		return -EEXIST;
	s->fn = fn;
	s->ctx = ctx;
	int rc = cnet_register(service, rpc_deliver, s);
	if (rc)
		s->fn = NULL;
	else
		cnet_set_fast(service, rpc_fast_reply);
	return rc;
}

/* A dead node answers nothing: its callers stop waiting now. */
static void node_died(int node, void *ctx)
{
	(void)ctx;
	mutex_lock(&rpc_lock);
	cnet_rpc_peer_down(&rpc, node, -EHOSTUNREACH);
	mutex_unlock(&rpc_lock);
}

static int cnet_call_init(void)
{
	mutex_init(&rpc_lock);
	int rc = cnet_outbox_init(&outbox, "rpc", CNET_DEF_MAX_MSG,
				  CNET_CALL_RESERVE, false);
	if (rc)
		return rc;
	if (cnet_rpc_init(&rpc, calls, NCALLS, &ops, NULL))
		return -EINVAL;
	rpc_ready = true;
	if (cnet_nodes() > 1)
		cnet_on_node_death(node_died, NULL);
	return 0;
}
INITCALL(INIT_NET_SVC, cnet_call_init);
