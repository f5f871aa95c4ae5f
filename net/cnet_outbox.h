/*
 * net/cnet_outbox.h — messages an engine queues under its own lock and
 * sends once the lock is dropped. Sending may block (a full window), and a
 * node whose engine lock is held across a send stops draining what its
 * peers send it: two nodes could wait for each other for ever. Every
 * engine that talks on the transport from under a lock (the DSM, the lock
 * service, the RPC layer) uses this one outbox.
 *
 * Memory. An outbox never drops a message silently. cnet_outbox_put
 * copies the message into one allocation of the kernel heap; when the
 * heap has none, into one of the outbox's reserve buffers (allocated at
 * init, each as large as the largest message the engine sends); when the
 * reserve is in use too, it waits for memory (retrying every
 * CNET_OUTBOX_RETRY_NS, at most CNET_OUTBOX_WAIT_NS: every wait ends; a
 * reserve buffer comes back as soon as its message was sent), and
 * only then fails with -ENOMEM, counted in `lost` and reported on the
 * console with the service and the node. The engine decides what a
 * refused message means (the RPC layer fails the call; the DSM and the
 * lock service report it: their peer was promised that message).
 *
 * Order. Messages leave in the order they were put. With `ordered`, two
 * threads that flush one after the other also keep their order: the
 * outbox's order lock is taken before the engine's lock is dropped and
 * held across the sends.
 *
 * Locking: head/tail are guarded by the engine's lock (the caller of put
 * and take); the reserve by the outbox's own spinlock; the counters are
 * atomics. Lock order: the engine's lock, then `order`.
 */
#ifndef NET_CNET_OUTBOX_H
#define NET_CNET_OUTBOX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kernel/spinlock.h"
#include "kernel/sync.h"
#include "net/cnet.h"
#include "net/cnet_rel.h"

struct cnet_outmsg {
	struct cnet_outmsg *next;
	int dst;
	uint16_t service;
	bool reserved; /* a reserve buffer, not a heap allocation */
	size_t len;
	uint8_t data[]; /* the message as it goes on the wire */
};

struct cnet_outbox_stats {
	uint64_t sent;	      /* messages handed to the transport */
	uint64_t send_errors; /* the transport refused (dead node, too large) */
	uint64_t from_reserve; /* put while the kernel heap had no room */
	uint64_t waited;       /* puts that had to wait for memory */
	uint64_t lost;	       /* puts refused with -ENOMEM after the wait */
};

struct cnet_outbox {
	const char *name;	   /* (c) for messages: "dsm", "lock", "rpc" */
	size_t max_len;		   /* (c) the largest message put */
	bool ordered;		   /* (c) */
	struct cnet_outmsg *head;  /* (engine's lock) */
	struct cnet_outmsg **tail; /* (engine's lock) */
	struct mutex order;	   /* held across a flush when `ordered` */
	struct spinlock reserve_lock;
	struct cnet_outmsg *reserve; /* (reserve_lock) free reserve buffers */
	struct cnet_outbox_stats st; /* (atomic) */
	/* (c) the heap, the transport and the wait for memory
	 * (CNET_OUTBOX_WAIT_NS); tests may replace them after init */
	void *(*alloc)(size_t n);
	int (*send)(int node, uint16_t service, const void *msg, size_t len);
	uint64_t wait_ns;
};

/* Sets the outbox up with `reserve` buffers of max_len bytes. 0, or
 * -ENOMEM (the reserve could not be allocated). */
int cnet_outbox_init(struct cnet_outbox *ob, const char *name, size_t max_len,
		     int reserve, bool ordered);
/* Queues the parts (struct cnet_iov, net/cnet_rel.h) as one message for `dst`
 * on `service` (the engine's lock held; may sleep while memory is short). 0,
 * -E2BIG (longer than max_len: a bug of the engine), or -ENOMEM (see above). */
int cnet_outbox_put(struct cnet_outbox *ob, int dst, uint16_t service,
		    const struct cnet_iov *parts, int nparts);
/* Whether anything is queued (the engine's lock held). */
static inline bool cnet_outbox_pending(const struct cnet_outbox *ob)
{
	return ob->head != NULL;
}
/* Removes, in order, every queued message for which `take` says true and
 * hands it to `fn` (the engine's lock held; fn may put more, which are
 * looked at too). For messages an engine delivers to itself. */
void cnet_outbox_extract(struct cnet_outbox *ob,
			 bool (*take)(const struct cnet_outmsg *m, void *ctx),
			 void (*fn)(const struct cnet_outmsg *m, void *ctx),
			 void *ctx);
/* Drops `engine_lock` (held by the caller) and sends what was queued, in
 * order. Returns the first error of the transport (each is counted and
 * reported), 0 if every message left. */
int cnet_outbox_unlock_and_send(struct cnet_outbox *ob,
				struct mutex *engine_lock);
void cnet_outbox_get_stats(const struct cnet_outbox *ob,
			   struct cnet_outbox_stats *st);

#endif
