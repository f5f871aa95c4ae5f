/*
 * net/cnet_impl.h — state shared by the transport's kernel files (net/cnet.c,
 * member.c, cnet_ctl.c, cnet_raw.c, cnet_off.c, cnet_stats.c), and what
 * each of them offers the others.
 *
 * Guard keys: (L) cn.lock; (c) constant once the view is formed;
 * (q) the service's qlock; (a) atomic loads and stores.
 */
#ifndef NET_CNET_IMPL_H
#define NET_CNET_IMPL_H

#include "drivers/netdev.h"
#include "kernel/sync.h"
#include "net/cnet.h"
#include "net/cnet_rel.h"

struct cnet_svc {
	cnet_handler_fn fn; /* (c) */
	cnet_fast_fn fast;  /* (a) set once, after fn (cnet_set_fast) */
	bool host; /* (a) set once, after fn: takes datagrams from hosts
		      (cnet_accept_host) */
	void *ctx; /* (c) */
	struct spinlock qlock;
	struct list_node q;   /* (q) struct rx_item */
	struct semaphore sem; /* counts queued items */
};

struct cnet_state {
	struct mutex lock;
	struct cnet_rel rel; /* (L) */
	struct netdev *nd;   /* (c) */
	bool up;	     /* (c) the transport runs (more than one node) */
	int self, nodes;     /* (c) */
	uint8_t mac[CNET_MAX_NODES][6];	       /* (c) by node id */
	bool have_mac[CNET_MAX_NODES];	       /* (c) */
	int cpus[CNET_MAX_NODES];	       /* (c) */
	uint32_t mem_mb[CNET_MAX_NODES];       /* (c) */
	struct cnet_load load[CNET_MAX_NODES]; /* (L) gossiped probes */
	bool alive[CNET_MAX_NODES];	       /* (L) written; read racily */
	uint64_t last_seen[CNET_MAX_NODES];    /* (L) */
	struct cond writable; /* with lock: a peer's window opened */
	struct cnet_svc svc[CNET_SVC_MAX];
	struct cnet_stats stats; /* (L) mostly; counters */
};

extern struct cnet_state cn;

/* net/member.c, called with cn.lock held except member_join and
 * member_report_deaths. A refused HELLO counts as bad_msg. */
int member_join(unsigned want);
/* This node's probes now (the scheduler's probe, or runnable only). */
void member_probe(struct cnet_load *out);
void member_dgram(const struct cnet_dgram_info *info, const void *msg,
		  size_t len);
void member_tick(uint64_t now);
void member_report_deaths(void);
/* net/member_clock.c: the cluster clock. tick and dgram with cn.lock held
 * (a datagram from member `from`, not this node); start once the view is
 * formed, without it: waits (at most 2 s) for the first estimate and
 * installs the cluster clock. */
void member_clock_tick(uint64_t now, uint64_t period);
void member_clock_dgram(int from, const void *msg, size_t len);
void member_clock_start(void);

/* net/cnet_ctl.c: registers the control service (cnet_register's
 * errors). */
int cnet_ctl_start(void);

/* net/cnet_raw.c, from the NIC's receive thread: whether a frame is a raw
 * one (CNET_RAW_ETHERTYPE), and its handling (the frame is the caller's,
 * which releases it after). cnet_raw_start reads the bench= key. */
void cnet_raw_start(void);
bool cnet_raw_is_raw(const void *frame, size_t len);
void cnet_raw_input(struct netdev *nd, uint8_t *frame, size_t len);

/* net/cnet_off.c. True while some live peer has not acknowledged
 * everything sent to it (takes cn.lock). */
bool cnet_tx_pending(void);
/* The power-off hook (power_off_register). */
void cnet_power_off(bool orderly);

/* net/cnet_stats.c: prints the counters (the power-off line). */
void cnet_stats_print(void);

#endif
