/*
 * tests/unit/cnet_harness.h — a host harness for net/cnet_rel: up to four
 * nodes, a counting allocator that can be made to fail, and a link that
 * either holds every frame for the test to pass on by hand (manual mode) or
 * simulates a network that loses, duplicates, delays and reorders frames
 * with a seeded PRNG (sim mode). Time is simulated (h->now).
 */
#ifndef TESTS_UNIT_CNET_HARNESS_H
#define TESTS_UNIT_CNET_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net/cnet_rel.h"

#define H_MAXN	  4
#define H_KEY	  "test cluster key"
#define H_CLUSTER 0x554e554du

struct hframe {
	struct hframe *next; /* manual mode: FIFO */
	uint64_t at, id;     /* sim mode: delivery time, tie-break */
	int from, to;
	size_t len;
	uint8_t data[];
};

struct hevent {
	int node, peer;
	struct cnet_peer_event ev;
};

struct hmsg { /* the last messages delivered (manual mode) */
	int node, peer;
	uint16_t service;
	size_t len;
	uint8_t *data;
};

struct harness;

struct hnode {
	struct harness *h;
	int id;
	bool up; /* rel initialised */
	struct cnet_rel rel;
	struct cnet_rel_config cfg;
	uint64_t deadline; /* last poll result */
};

struct harness {
	struct hnode node[H_MAXN];
	int n;
	uint64_t now;
	bool sim; /* link mode */
	/* manual mode */
	struct hframe *head, **tail;
	unsigned queued;
	/* sim mode */
	uint64_t rng;
	unsigned loss_pm, dup_pm; /* per mille */
	unsigned reorder;	  /* extra delay up to reorder * 4 us */
	uint64_t latency_ns;
	struct hframe **heap;
	size_t nheap, capheap;
	uint64_t next_id;
	uint64_t tx_total, tx_lost, tx_dup;
	bool tx_fail; /* tx returns -ENOBUFS and drops */
	/* observations */
	struct hevent events[64];
	unsigned nevents;
	struct hmsg msgs[64];
	unsigned nmsgs;
	uint64_t delivered_total;
	void (*on_deliver)(struct harness *h, int node, int peer,
			   uint16_t service, const void *msg, size_t len);
	void (*on_event)(struct harness *h, int node, int peer,
			 const struct cnet_peer_event *ev);
	void (*on_dgram)(struct harness *h, int node,
			 const struct cnet_dgram_info *info, const void *msg,
			 size_t len);
	void *user;
	/* allocator */
	int64_t alloc_bytes, alloc_count;
	long fail_in; /* > 0: the fail_in-th allocation from now fails */
	uint64_t alloc_failures;
};

extern const struct cnet_rel_ops h_ops;

uint64_t h_rand(struct harness *h);
/* Resets *h; n nodes with the default config (mtu given), not started. */
void h_setup(struct harness *h, int n, uint32_t mtu);
/* Starts node i with its cfg (epoch given). */
void h_start(struct harness *h, int i, uint32_t epoch);
/* Destroys node i (a reboot: h_start it again with another epoch). */
void h_stop(struct harness *h, int i);
/* Destroys everything; checks that all memory came back. */
void h_teardown(struct harness *h);

/* Manual mode. */
struct hframe *h_take(struct harness *h);	 /* next frame sent, or NULL */
int h_feed(struct harness *h, struct hframe *f); /* input at f->to; frees */
void h_drop(struct hframe *f);
unsigned h_pump(struct harness *h); /* feeds every queued frame, repeatedly */
struct cnet_peer_stats h_stats(struct harness *h, int node, int peer);
void h_clear_msgs(struct harness *h);
uint64_t h_poll(struct harness *h, int node);

/* Sim mode: runs until done(h) or the simulated time passes limit_ns;
 * returns true if done. */
void h_sim_start(struct harness *h, uint64_t seed, unsigned loss_pm,
		 unsigned dup_pm, unsigned reorder);
bool h_sim_run(struct harness *h, bool (*done)(struct harness *h),
	       void (*step)(struct harness *h), uint64_t limit_ns);

/* A frame's header (host order), for assertions. */
struct cnet_frame_info h_info(const struct hframe *f);
/* Builds an authentic frame from node `from` to `to`. */
struct hframe *h_forge(struct harness *h, int from, int to,
		       const struct cnet_frame_info *fi, const void *payload,
		       size_t len);

#endif
