/*
 * cluster/thread_state.h — what the cluster services keep per thread, in
 * the slot that struct thread (kernel/thread.h) reserves for this layer
 * and knows nothing of. Zeroed when the thread is created.
 *
 * Guard keys: (o) only the thread itself; (r) written by the thread,
 * read (and halved) by the global scheduler without a lock: racy counts
 * of a probe.
 */
#ifndef CLUSTER_THREAD_STATE_H
#define CLUSTER_THREAD_STATE_H

#include <stdbool.h>
#include <stdint.h>

#include "cluster/dsm_ra.h"
#include "kernel/thread.h"
#include "net/cnet.h"

struct cluster_thread {
	/* (r) DSM faults it waited for, by the home node of the page (the
	 * locality policy's probe) */
	uint16_t dsm_src[CNET_MAX_NODES];
	/* (o, read racily by the load probe) waiting for a page in a DSM
	 * fault: it still wants the CPU, so the load probe counts it as
	 * runnable (as Linux's load average counts uninterruptible waits) */
	bool in_dsm_fault;
	/* (o) its DSM read-ahead window (cluster/dsm_ra.h; dsm_lock held) */
	struct dsm_ra dsm_ra;
	/* (o) cluster mutexes it holds (cluster/csync.c): it moves to
	 * another node only when it holds none, so a lock's owner is always
	 * where the lock's token is */
	uint32_t csync_held;
	/* (o, read racily by the balancer) its CPU set over the cluster
	 * (sched/affinity.c; CPU numbers 0..total-1, node 0's first), set by
	 * sched_setaffinity and carried when it migrates; all 0: every CPU */
	uint64_t aff[4];
};
_Static_assert(sizeof(struct cluster_thread) <=
		   sizeof(((struct thread *)0)->cluster),
	       "struct cluster_thread outgrew THREAD_CLUSTER_BYTES");

static inline struct cluster_thread *cluster_thread(struct thread *t)
{
	return (struct cluster_thread *)(void *)t->cluster;
}

#endif
