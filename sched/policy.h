/*
 * sched/policy.h — the global scheduler's policies: where a new thread goes,
 * and which threads a periodic balance would move. A policy is a const ops
 * table in sched/policies/, registered with DEFINE_SCHED_POLICY into a
 * linker section; the core (sched/global.c) finds it by name
 * (sched.policy=) and can switch policies while the program runs.
 *
 * Policies are pure functions of a view of the cluster (struct sched_view)
 * built by the core from the nodes' gossiped load reports, so they are
 * unit-tested on the host with simulated views.
 */
#ifndef SCHED_POLICY_H
#define SCHED_POLICY_H

#include <stdbool.h>
#include <stdint.h>

#include "kernel/config.h"

#define SCHED_MAX_NODES 64

struct sched_node_load {
	bool alive;
	uint16_t cpus;	     /* CPUs of the node */
	uint32_t runnable;   /* threads running, queued or waiting for a page */
	uint32_t threads;    /* application threads living there */
	uint16_t util;	     /* CPU busy, permille of all its CPUs, recent */
	uint64_t free_mb;    /* free memory */
	uint64_t dsm_faults; /* DSM faults per second, recent */
};

struct sched_view {
	int nodes; /* in the membership view */
	int self;  /* the node asking */
	struct sched_node_load n[SCHED_MAX_NODES];
	/* locality: for the creating thread, how many of the pages it touched
	 * recently have their home (or current owner) on each node */
	uint32_t pages_on[SCHED_MAX_NODES];
};

/* A move the balancer proposes: one thread from one node to another. */
struct sched_move {
	int from, to;
};

/*
 * Members say what lock their caller holds and whether they are optional.
 * No member is ever called with a lock held: place() runs in the thread
 * creating a thread, concurrently on every CPU (state it changes is
 * atomic); balance() and toward() run only in the balancer thread of a
 * node; init() and set() on a fresh state nobody else sees yet.
 */
struct sched_policy_ops {
	/* Required. The value of sched.policy= and of unumctl policy. */
	const char *name;
	/* Required; no lock. The node for a new thread. */
	int (*place)(void *state, const struct sched_view *v);
	/* Optional; no lock (the origin's balancer thread). Up to `max`
	 * moves that would even the load out; returns how many. Called every
	 * sched.period_ms on the origin. */
	int (*balance)(void *state, const struct sched_view *v,
		       struct sched_move *out, int max);
	/* Optional; no lock (each node's balancer thread). For one thread of
	 * this node: the node it should move to, given how many of the pages
	 * it waited for recently have their home on each node (pages_on), or
	 * -1 to stay. Called every sched.period_ms on every node for its own
	 * threads. */
	int (*toward)(void *state, const struct sched_view *v,
		      const uint32_t *pages_on);
	/* Optional (0: no state). Size of the per-policy state. */
	unsigned state_size;
	/* Optional; no lock, state not yet published. Initialises the state
	 * (keys such as sched.least_loaded.threshold are read here). */
	void (*init)(void *state);
	/* Optional (NULL: the policy has no keys); no lock, state not yet
	 * published. One of the policy's keys (sched.<name>.<x>, in the boot
	 * key table) set while the program runs (unumctl policy set), on
	 * state after init() and before the policy is in force; the value
	 * was checked against the key's range. 0, or -ENOENT: not a key this
	 * policy reads. */
	int (*set)(void *state, const char *key, uint64_t value);
};

/* Registers a policy: the core finds it by name, and its name becomes one
 * of the values sched.policy= accepts (kernel/config_keys.c lists none). */
#define DEFINE_SCHED_POLICY(var)                                               \
	const struct sched_policy_ops *const sched_policy_ptr_##var            \
	    __attribute__((used, section("sched_policies"), aligned(8))) =     \
		&var;                                                          \
	DEFINE_CFG_CHOICES(sched_policy_##var, "sched.policy", &var.name, 1)

/* The policies linked in, found by name (host tests link the same files). */
const struct sched_policy_ops *sched_policy_find(const char *name);
/* The i-th policy linked in, NULL past the last. */
const struct sched_policy_ops *sched_policy_at(unsigned i);

/* Most moves one balance pass proposes. */
#define SCHED_MAX_MOVES 8

/* The moves of `cur` that `prev` (the previous period's proposals) also
 * proposed, each earlier proposal confirming at most one move, into out
 * (room for ncur); returns how many. The balancer carries out only these,
 * so an imbalance seen in one sample moves nothing. */
int sched_moves_confirmed(const struct sched_move *prev, int nprev,
			  const struct sched_move *cur, int ncur,
			  struct sched_move *out);

/* Helpers shared by policies: a node's load per CPU, in 1/1000ths. */
static inline uint32_t sched_load_milli(const struct sched_node_load *l)
{
	return l->cpus ? l->runnable * 1000u / l->cpus : ~0u;
}

#endif
