/*
 * net/cnet.h — the cluster transport as the rest of the kernel sees it:
 * numbered services, reliable ordered messages between node ids, a message
 * to oneself never touching the NIC, and the membership view.
 *
 * Handlers run in a kernel thread of their service (one per service, so a
 * service sees each sender's messages in order) and may block.
 */
#ifndef NET_CNET_H
#define NET_CNET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net/cnet_svc.h"

#define CNET_MAX_NODES 64

typedef void (*cnet_handler_fn)(int from, const void *msg, size_t len,
				void *ctx);

/* `from` of a datagram sent by a host outside the cluster (authenticated
 * with the cluster key, but not a member). Only a service that called
 * cnet_accept_host gets such datagrams; for the others they count as
 * unknown_service. */
#define CNET_FROM_HOST (-1)

/* 0, or -EINVAL (bad service), -EEXIST. */
int cnet_register(uint16_t service, cnet_handler_fn fn, void *ctx);

/*
 * A registered service also takes datagrams from hosts outside the cluster
 * (tools/unumctl): they are queued for its thread like messages, with
 * `from` = CNET_FROM_HOST, and it answers them with cnet_send_host. The
 * service checks them itself: the transport only authenticated them.
 * 0, or -EINVAL (bad service, or not registered).
 */
int cnet_accept_host(uint16_t service);

/*
 * A registered service's fast path, for messages nobody needs to block
 * on (a reply matched to its waiter, a request answered at once): called
 * in the transport's receive path, with its lock held, for each message
 * from a peer before it is queued for the service's thread, with the
 * service's ctx. It returns true if it consumed the message, false to
 * queue it as usual. It must not block for long (a short mutex is fine)
 * and may call into the transport only through cnet_fast_send. A
 * consumed message may overtake messages of the service still queued.
 * Messages a node sends itself are always queued.
 */
typedef bool (*cnet_fast_fn)(int from, const void *msg, size_t len, void *ctx);
/* 0, or -EINVAL (bad service, or not registered). */
int cnet_set_fast(uint16_t service, cnet_fast_fn fn);
/* cnet_send2 from a fast path, to a peer: it never waits, and the ack of
 * the message at hand rides on the frame. 0, or -EAGAIN (the peer's window
 * is full: queue the message for the service's thread instead),
 * -EHOSTUNREACH, -E2BIG, -ENOMEM. Anywhere else it panics. */
int cnet_fast_send(int node, uint16_t service, const void *hdr, size_t hlen,
		   const void *body, size_t blen);
/* Reliable, ordered; blocks while the peer's window is full. 0, or
 * -EHOSTUNREACH (no such node, or it is dead), -E2BIG, -ENOMEM. */
int cnet_send(int node, uint16_t service, const void *msg, size_t len);
/* The same with a header and a body gathered (no extra copy). */
int cnet_send2(int node, uint16_t service, const void *hdr, size_t hlen,
	       const void *body, size_t blen);

/* One datagram (at most the MTU minus 64 bytes) to a host outside the
 * cluster at Ethernet address mac, sealed with the cluster key: the answer
 * to a CNET_FROM_HOST message. 0, or -EHOSTUNREACH (no transport), -E2BIG,
 * -ENOMEM, or the NIC's error. */
int cnet_send_host(const uint8_t mac[6], uint16_t service, const void *msg,
		   size_t len);

int cnet_self(void);  /* our node id (0 when alone) */
int cnet_nodes(void); /* nodes in the view */
bool cnet_alive(int node);
/* The cluster's CPUs (sum over live nodes). */
int cnet_total_cpus(void);
int cnet_node_cpus(int node);
/* A node's Ethernet address from the view: true and mac, or false. */
bool cnet_node_mac(int node, uint8_t mac[6]);
/* Runnable threads on a node, from its last heartbeat. */
uint32_t cnet_node_load(int node);

/* A node's load probes, gossiped in its heartbeats (on the wire: struct
 * member_hello_wire, net/member_wire.h). */
struct cnet_load {
	uint32_t runnable; /* the program's threads running, queued or waiting
			      for a page */
	uint16_t util; /* CPU busy over the last period, permille of all CPUs */
	uint16_t threads;      /* the program's threads living there */
	uint32_t free_mb;      /* free memory */
	uint32_t faults_per_s; /* DSM faults per second, last period */
	/* threads started here at other nodes' request since boot (mod
	 * 2^32): a placer subtracts it from what it sent here to know how
	 * many of its placements this report does not show yet */
	uint32_t spawned;
};
/* From its last heartbeat (our own: measured now). false: no such node. */
bool cnet_node_probe(int node, struct cnet_load *out);
/* The scheduler's probe of this node (without it: all zeros, no thread of
 * the program runs before it is installed). */
void cnet_set_load_probe(void (*fn)(struct cnet_load *out));

/*
 * Remote procedure calls (net/cnet_call.c). An RPC service answers each
 * call in its service thread (it may block): fn writes at most cap bytes
 * of reply to out and returns their number, or a negative errno that the
 * caller gets back as it is.
 */
typedef int (*cnet_serve_fn)(int from, const void *args, size_t len, void *out,
			     size_t cap, void *ctx);
/* Registers an RPC service (on every node that calls it too: replies come
 * back on it). 0, -EINVAL, -EEXIST, -ENOMEM. */
int cnet_serve(uint16_t service, cnet_serve_fn fn, void *ctx);
/*
 * Calls `service` on `node` (ourselves too: no NIC) and waits for the
 * answer, at most timeout_ns (0: no limit). Returns the reply's length
 * (copied into reply), or a negative errno: the remote function's,
 * -ETIMEDOUT, -EHOSTUNREACH (the node is dead, or is declared dead while
 * we wait), -EOVERFLOW (the reply is longer than cap: nothing copied),
 * -EAGAIN (too many calls at once), -EINVAL (not an RPC service here).
 */
int cnet_call(int node, uint16_t service, const void *args, size_t len,
	      void *reply, size_t cap, uint64_t timeout_ns);

/* Called (in a kernel thread) when a node is declared dead. */
typedef void (*cnet_view_fn)(int dead_node, void *ctx);
void cnet_on_node_death(cnet_view_fn fn, void *ctx);

/* Every node powers off with `status` (the origin's QEMU exit status). */
void cnet_exit_all(int status) __attribute__((noreturn));
/* The same for every node but this one, which goes on (after waiting,
 * bounded, for the messages to be acknowledged). */
void cnet_stop_others(int status);
/* Writes on the origin's console (from any node; the origin's own goes
 * through its service thread too). 0 or cnet_send's errors. */
int cnet_console(const char *s, size_t n);

/* The transport's counters (net/cnet_stats.c). */
struct cnet_stats {
	uint64_t frames_in, frames_out;
	/* frames the reliability layer refused, or messages lost for want of
	 * memory */
	uint64_t dropped;
	/* frames refused by the frame decoder (net/cnet_frame.h) */
	uint64_t bad_mac, wrong_cluster, bad_length, stale_epoch;
	uint64_t unknown_service;
	/* authentic messages of the transport's own services (HELLO,
	 * control) that their decoder refused */
	uint64_t bad_msg;
	uint64_t msgs_in, msgs_out, local_msgs;
};
void cnet_get_stats(struct cnet_stats *s);

/* The cluster clock on this node (net/member_clock.c): the offset applied
 * now to the local clock to read the origin's, the estimate it slews to,
 * the estimate's error bound (half the best round trip of the last
 * samples), samples taken and refused. All 0 on the origin and alone. */
struct cnet_clock_info {
	int64_t offset_ns, target_ns;
	uint64_t error_ns, taken, refused;
};
void cnet_clock_info(struct cnet_clock_info *out);

#endif
