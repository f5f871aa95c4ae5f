/*
 * net/cnet_impl.h — state shared by net/cnet.c and net/member.c.
 *
 * Guard keys: (L) cn.lock; (c) constant once the view is formed;
 * (q) the service's qlock.
 */
#ifndef NET_CNET_IMPL_H
#define NET_CNET_IMPL_H

#include "drivers/netdev.h"
#include "kernel/sync.h"
#include "net/cnet.h"
#include "net/cnet_rel.h"

struct cnet_svc {
	cnet_handler_fn fn; /* (c) */
	cnet_fast_fn fast; /* (a) set once, after fn (cnet_set_fast) */
	void *ctx; /* (c) */
	struct spinlock qlock;
	struct list_node q; /* (q) struct rx_item */
	struct semaphore sem; /* counts queued items */
};

struct cnet_state {
	struct mutex lock;
	struct cnet_rel rel; /* (L) */
	struct netdev *nd; /* (c) */
	bool up; /* (c) the transport runs (more than one node) */
	int self, nodes; /* (c) */
	uint8_t mac[CNET_MAX_NODES][6]; /* (c) by node id */
	bool have_mac[CNET_MAX_NODES]; /* (c) */
	int cpus[CNET_MAX_NODES]; /* (c) */
	uint32_t mem_mb[CNET_MAX_NODES]; /* (c) */
	struct cnet_load load[CNET_MAX_NODES]; /* (L) gossiped probes */
	bool alive[CNET_MAX_NODES]; /* (L) written; read racily */
	uint64_t last_seen[CNET_MAX_NODES]; /* (L) */
	struct cond writable; /* with lock: a peer's window opened */
	struct cnet_svc svc[CNET_SVC_MAX];
	struct cnet_stats stats; /* (L) mostly; counters */
};

extern struct cnet_state cn;

/* net/member.c, called with cn.lock held except member_join and
 * member_report_deaths. */
int member_join(unsigned want);
/* This node's probes now (the scheduler's probe, or runnable only). */
void member_probe(struct cnet_load *out);
void member_dgram(const struct cnet_dgram_info *info, const void *msg,
		  size_t len);
void member_tick(uint64_t now);
void member_report_deaths(void);

#endif
