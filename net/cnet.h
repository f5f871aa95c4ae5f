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

#define CNET_MAX_NODES 64

/* Services (numbers on the wire). */
enum cnet_service {
	CNET_SVC_MEMBER = 1, /* datagrams: hello, view, heartbeat */
	CNET_SVC_ECHO = 2, /* tests and benchmarks: echo back */
	CNET_SVC_SINK = 3, /* tests and benchmarks: count and checksum */
	CNET_SVC_CONTROL = 4, /* exit, console forwarding */
	CNET_SVC_DSM = 5,
	CNET_SVC_THREAD = 6, /* remote thread creation */
	CNET_SVC_FUTEX = 7,
	CNET_SVC_LOCK = 8, /* cluster lock service (kernel/csync.c) */
	CNET_SVC_MAX = 16,
};

typedef void (*cnet_handler_fn)(int from, const void *msg, size_t len,
				void *ctx);

/* 0, or -EINVAL (bad service), -EEXIST. */
int cnet_register(uint16_t service, cnet_handler_fn fn, void *ctx);
/* Reliable, ordered; blocks while the peer's window is full. 0, or
 * -EHOSTUNREACH (no such node, or it is dead), -E2BIG, -ENOMEM. */
int cnet_send(int node, uint16_t service, const void *msg, size_t len);
/* The same with a header and a body gathered (no extra copy). */
int cnet_send2(int node, uint16_t service, const void *hdr, size_t hlen,
	       const void *body, size_t blen);

int cnet_self(void); /* our node id (0 when alone) */
int cnet_nodes(void); /* nodes in the view */
bool cnet_alive(int node);
/* The cluster's CPUs (sum over live nodes). */
int cnet_total_cpus(void);
int cnet_node_cpus(int node);
/* Runnable threads on a node, from its last heartbeat. */
uint32_t cnet_node_load(int node);

/* Called (in a kernel thread) when a node is declared dead. */
typedef void (*cnet_view_fn)(int dead_node, void *ctx);
void cnet_on_node_death(cnet_view_fn fn, void *ctx);

/* Every node powers off with `status` (the origin's QEMU exit status). */
void cnet_exit_all(int status) __attribute__((noreturn));

struct cnet_stats {
	uint64_t frames_in, frames_out, dropped, bad_mac, wrong_cluster,
		bad_length, stale_epoch, unknown_service;
	uint64_t msgs_in, msgs_out, local_msgs;
};
void cnet_get_stats(struct cnet_stats *s);

#endif
