/*
 * net/cnet_rpc.h — remote procedure calls over the cluster transport: the
 * matching layer only. A table of outstanding calls (storage from the
 * caller), call ids, replies matched to them, timeouts (-ETIMEDOUT), remote
 * errors carried as a negative errno in the reply header (struct
 * cnet_rpc_hdr in net/cnet_wire.h). Pure: messages go out through ops->send
 * (the glue: cnet_rel_sendv), come in through cnet_rpc_input (the glue:
 * from cnet_rel's deliver), time is a parameter, and the kernel glue adds
 * the blocking (a wait queue woken by the done callback).
 *
 * A call id is (generation << 12) | slot, so a reply that comes after its
 * call timed out or was cancelled does not match the slot's next call
 * (counted in stale_replies).
 *
 * Locking: none inside; the caller serialises every call on one struct
 * cnet_rpc. Callbacks (send, serve, done) run inside those calls; done and
 * serve may call cnet_rpc_call, cnet_rpc_reply and cnet_rpc_cancel. done
 * may run before cnet_rpc_call returns (a call to ourselves answered at
 * once): the caller's wait object must exist before it calls.
 */
#ifndef NET_CNET_RPC_H
#define NET_CNET_RPC_H

#include <stddef.h>
#include <stdint.h>

#include "kernel/list.h"
#include "net/cnet_rel.h"
#include "net/cnet_wire.h"

#define CNET_RPC_SLOT_BITS 12
#define CNET_RPC_MAX_CALLS (1u << CNET_RPC_SLOT_BITS)
#define CNET_RPC_MAX_ERRNO 4095 /* remote status is 0 or -4095 .. -1 */

/*
 * A call finished: status 0 (reply_len bytes copied to the reply buffer),
 * the remote handler's negative errno, -ETIMEDOUT, -ECONNRESET (or what
 * cnet_rpc_peer_down was given), -EOVERFLOW (the reply did not fit:
 * reply_len is its size, nothing copied), -EPROTO (malformed reply).
 */
typedef void (*cnet_rpc_done_fn)(void *arg, uint32_t call_id, int status,
				 size_t reply_len);

struct cnet_rpc_call {
	struct list_node link; /* rpc->busy or rpc->free */
	uint32_t id;	       /* 0 while free */
	int peer;
	uint16_t service;
	uint64_t deadline; /* CNET_NEVER: no timeout */
	void *reply;
	size_t reply_cap;
	cnet_rpc_done_fn done;
	void *arg;
};

/* Both run inside a call of this API: their caller holds the lock that
 * serialises the struct cnet_rpc (rpc_lock in net/cnet_call.c). */
struct cnet_rpc_ops {
	/* Required; rpc lock held. Send one message; 0 or -errno (-EAGAIN:
	 * window full). May queue it to be sent once the lock is dropped. */
	int (*send)(void *ctx, int peer, uint16_t service,
		    const struct cnet_iov *iov, int iovcnt);
	/* Required; rpc lock held. A call arrived (args valid during the
	 * call). Return 0 and answer later with cnet_rpc_reply(), or a
	 * negative errno to have the call answered with it now. */
	int (*serve)(void *ctx, int peer, uint16_t service, uint32_t call_id,
		     const void *args, size_t len);
};

struct cnet_rpc_stats {
	uint64_t calls;		/* started */
	uint64_t replies;	/* matched to a call */
	uint64_t remote_errors; /* of those, with a negative status */
	uint64_t timeouts;
	uint64_t stale_replies; /* matched no outstanding call */
	uint64_t bad_msgs;	/* malformed RPC messages */
	uint64_t served;	/* calls handed to serve */
};

struct cnet_rpc {
	const struct cnet_rpc_ops *ops;
	void *ctx;
	struct cnet_rpc_call *calls;
	uint32_t ncalls;
	uint32_t gen; /* next generation, 1 .. 2^20-1 */
	struct list_node busy, free;
	struct cnet_rpc_stats st;
};

/* ncalls slots of storage (1 .. CNET_RPC_MAX_CALLS). 0 or -EINVAL. */
int cnet_rpc_init(struct cnet_rpc *rpc, struct cnet_rpc_call *calls,
		  uint32_t ncalls, const struct cnet_rpc_ops *ops, void *ctx);

/*
 * Sends a call; done runs once when it finishes (see cnet_rpc_done_fn).
 * timeout_ns 0: no timeout. Returns 0 with *call_id set (if call_id is not
 * NULL), or -EAGAIN (no free slot, or send said -EAGAIN), -EINVAL (done is
 * NULL), or send's error; done is not called then.
 */
int cnet_rpc_call(struct cnet_rpc *rpc, int peer, uint16_t service,
		  const void *args, size_t len, void *reply, size_t reply_cap,
		  uint64_t timeout_ns, uint64_t now, cnet_rpc_done_fn done,
		  void *arg, uint32_t *call_id);

/*
 * Answers call_id from peer on service: status 0 or -1 .. -4095, data
 * only meaningful with 0. Returns send's result, or -EINVAL (bad status).
 */
int cnet_rpc_reply(struct cnet_rpc *rpc, int peer, uint16_t service,
		   uint32_t call_id, int status, const void *data, size_t len);

/*
 * A message received on an RPC service. Returns 0, or for a message that
 * was dropped: -EBADMSG (shorter than the header), -EPROTO (bad kind,
 * reserved bits, or a call with a status; a reply with an impossible
 * status also finishes its call with -EPROTO), -ENOENT (a reply that
 * matches no outstanding call).
 */
int cnet_rpc_input(struct cnet_rpc *rpc, int peer, uint16_t service,
		   const void *msg, size_t len);

/* Finishes the calls whose time is up with -ETIMEDOUT; returns the next
 * deadline (CNET_NEVER if none). */
uint64_t cnet_rpc_poll(struct cnet_rpc *rpc, uint64_t now);

/* Forgets an outstanding call without calling done. 0 or -ENOENT. */
int cnet_rpc_cancel(struct cnet_rpc *rpc, uint32_t call_id);

/* Finishes every call to peer with err (e.g. -ECONNRESET on
 * CNET_PEER_RESET, -EHOSTUNREACH when membership declares it dead). */
void cnet_rpc_peer_down(struct cnet_rpc *rpc, int peer, int err);

#endif
