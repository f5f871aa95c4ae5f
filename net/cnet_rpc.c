/*
 * net/cnet_rpc.c — the RPC matching layer: call slots, ids, replies,
 * timeouts. Contract in net/cnet_rpc.h, header layout in net/cnet_wire.h.
 */
#include "net/cnet_rpc.h"

#include "kernel/errno.h"
#include "kernel/kstring.h"

#define SLOT_MASK (CNET_RPC_MAX_CALLS - 1)
#define GEN_MAX	  ((1u << (32 - CNET_RPC_SLOT_BITS)) - 1)

int cnet_rpc_init(struct cnet_rpc *rpc, struct cnet_rpc_call *calls,
		  uint32_t ncalls, const struct cnet_rpc_ops *ops, void *ctx)
{
	memset(rpc, 0, sizeof(*rpc));
	if (!calls || !ncalls || ncalls > CNET_RPC_MAX_CALLS || !ops ||
	    !ops->send || !ops->serve)
		return -EINVAL;
	rpc->ops = ops;
	rpc->ctx = ctx;
	rpc->calls = calls;
	rpc->ncalls = ncalls;
	rpc->gen = 1;
	list_init(&rpc->busy);
	list_init(&rpc->free);
	for (uint32_t i = 0; i < ncalls; i++) {
		memset(&calls[i], 0, sizeof(calls[i]));
		list_add_tail(&rpc->free, &calls[i].link);
	}
	return 0;
}

static struct cnet_rpc_call *find(struct cnet_rpc *rpc, uint32_t id)
{
	uint32_t slot = id & SLOT_MASK;

	if (!id || slot >= rpc->ncalls || rpc->calls[slot].id != id)
		return NULL;
	return &rpc->calls[slot];
}

/* Frees the slot, then tells the caller (who may reuse it at once). */
static void finish(struct cnet_rpc *rpc, struct cnet_rpc_call *c, int status,
		   size_t reply_len)
{
	cnet_rpc_done_fn done = c->done;
	void *arg = c->arg;
	uint32_t id = c->id;

	c->id = 0;
	list_del(&c->link);
	list_add_tail(&rpc->free, &c->link);
	done(arg, id, status, reply_len);
}

static void put_hdr(struct cnet_rpc_hdr *h, uint8_t kind, uint32_t id,
		    int32_t status)
{
	h->kind = kind;
	h->reserved0 = 0;
	h->reserved1 = 0;
	h->call_id = cnet_be32(id);
	h->status = cnet_be32((uint32_t)status);
}

int cnet_rpc_call(struct cnet_rpc *rpc, int peer, uint16_t service,
		  const void *args, size_t len, void *reply, size_t reply_cap,
		  uint64_t timeout_ns, uint64_t now, cnet_rpc_done_fn done,
		  void *arg, uint32_t *call_id)
{
	struct cnet_rpc_hdr h;
	struct cnet_iov iov[2];
	struct cnet_rpc_call *c;
	struct list_node *n;
	uint32_t id;
	int err;

	if (!done)
		return -EINVAL;
	n = list_pop(&rpc->free);
	if (!n)
		return -EAGAIN;
	c = container_of(n, struct cnet_rpc_call, link);
	id = (rpc->gen << CNET_RPC_SLOT_BITS) | (uint32_t)(c - rpc->calls);
	rpc->gen = rpc->gen == GEN_MAX ? 1 : rpc->gen + 1;
	c->id = id;
	c->peer = peer;
	c->service = service;
	c->deadline = !timeout_ns || timeout_ns > CNET_NEVER - now
			  ? CNET_NEVER
			  : now + timeout_ns;
	c->reply = reply;
	c->reply_cap = reply_cap;
	c->done = done;
	c->arg = arg;
	list_add_tail(&rpc->busy, &c->link);
	if (call_id)
		*call_id = id;

	put_hdr(&h, CNET_RPC_CALL, id, 0);
	iov[0].base = &h;
	iov[0].len = sizeof(h);
	iov[1].base = args;
	iov[1].len = len;
	err = rpc->ops->send(rpc->ctx, peer, service, iov, 2);
	if (err) {
		/* Not sent, so not answered: done is not called. */
		if (c->id == id) {
			c->id = 0;
			list_del(&c->link);
			list_add_head(&rpc->free, &c->link);
		}
		return err;
	}
	rpc->st.calls++;
	return 0;
}

int cnet_rpc_reply(struct cnet_rpc *rpc, int peer, uint16_t service,
		   uint32_t call_id, int status, const void *data, size_t len)
{
	struct cnet_rpc_hdr h;
	struct cnet_iov iov[2];

	if (status > 0 || status < -CNET_RPC_MAX_ERRNO)
		return -EINVAL;
	put_hdr(&h, CNET_RPC_REPLY, call_id, status);
	iov[0].base = &h;
	iov[0].len = sizeof(h);
	iov[1].base = data;
	iov[1].len = len;
	return rpc->ops->send(rpc->ctx, peer, service, iov, 2);
}

static int input_reply(struct cnet_rpc *rpc, int peer, uint16_t service,
		       uint32_t id, int32_t status, const uint8_t *data,
		       size_t len)
{
	struct cnet_rpc_call *c = find(rpc, id);

	if (!c || c->peer != peer || c->service != service) {
		rpc->st.stale_replies++;
		return -ENOENT;
	}
	if (status > 0 || status < -CNET_RPC_MAX_ERRNO) {
		rpc->st.bad_msgs++;
		finish(rpc, c, -EPROTO, 0);
		return -EPROTO;
	}
	rpc->st.replies++;
	if (status)
		rpc->st.remote_errors++;
	if (len > c->reply_cap) {
		finish(rpc, c, status ? status : -EOVERFLOW, len);
		return 0;
	}
	if (len)
		memcpy(c->reply, data, len);
	finish(rpc, c, status, len);
	return 0;
}

int cnet_rpc_input(struct cnet_rpc *rpc, int peer, uint16_t service,
		   const void *msg, size_t len)
{
	const struct cnet_rpc_hdr *h = msg;
	const uint8_t *data = (const uint8_t *)msg + CNET_RPC_HLEN;
	uint32_t id;
	int32_t status;
	int rc;

	if (len < CNET_RPC_HLEN) {
		rpc->st.bad_msgs++;
		return -EBADMSG;
	}
	id = cnet_be32(h->call_id);
	status = (int32_t)cnet_be32(h->status);
	len -= CNET_RPC_HLEN;
	if (h->reserved0 || h->reserved1 ||
	    (h->kind != CNET_RPC_CALL && h->kind != CNET_RPC_REPLY) ||
	    (h->kind == CNET_RPC_CALL && status)) {
		rpc->st.bad_msgs++;
		return -EPROTO;
	}
	if (h->kind == CNET_RPC_REPLY)
		return input_reply(rpc, peer, service, id, status, data, len);
	rpc->st.served++;
	rc = rpc->ops->serve(rpc->ctx, peer, service, id, data, len);
	if (rc < 0)
		cnet_rpc_reply(rpc, peer, service, id,
			       rc < -CNET_RPC_MAX_ERRNO ? -EIO : rc, NULL, 0);
	return 0;
}

uint64_t cnet_rpc_poll(struct cnet_rpc *rpc, uint64_t now)
{
	uint64_t next;
	struct list_node *it;

again:
	/* done may start or cancel calls: rescan after each one. */
	next = CNET_NEVER;
	list_for_each(it, &rpc->busy)
	{
		struct cnet_rpc_call *c =
		    container_of(it, struct cnet_rpc_call, link);

		if (c->deadline <= now) {
			rpc->st.timeouts++;
			finish(rpc, c, -ETIMEDOUT, 0);
			goto again;
		}
		if (c->deadline < next)
			next = c->deadline;
	}
	return next;
}

int cnet_rpc_cancel(struct cnet_rpc *rpc, uint32_t call_id)
{
	struct cnet_rpc_call *c = find(rpc, call_id);

	if (!c)
		return -ENOENT;
	c->id = 0;
	list_del(&c->link);
	list_add_tail(&rpc->free, &c->link);
	return 0;
}

void cnet_rpc_peer_down(struct cnet_rpc *rpc, int peer, int err)
{
	struct list_node *it;

again:
	list_for_each(it, &rpc->busy)
	{
		struct cnet_rpc_call *c =
		    container_of(it, struct cnet_rpc_call, link);

		if (c->peer == peer) {
			finish(rpc, c, err, 0);
			goto again;
		}
	}
}
