/*
 * sched/affinity.c — threads' CPU sets over the cluster
 * (ksys_set_affinity). CPUs are numbered 0..total-1 over the nodes in
 * node order, node 0's first. A thread keeps its set in its cluster slot
 * (cluster_thread(t)->aff, carried by TM_MIGRATE); on its node it runs on
 * the set's CPUs there (the kernel's per-thread affinity mask); a node
 * with none of them sends it to the first node that has some; the
 * balancer (sched_shed) never picks a thread for a node outside its set.
 * An explicit unum_migrate still moves it (and the set stays as it was).
 */
#include "cluster/thread_state.h"
#include "kernel/errno.h"
#include "kernel/futex.h"
#include "kernel/kstring.h"
#include "kernel/thread.h"
#include "net/cnet.h"
#include "sched/migrate.h"
#include "sched/thread_msg.h"

uint64_t sched_aff_local(const uint64_t *set, int node)
{
	int base = 0;
	for (int i = 0; i < node; i++)
		base += cnet_node_cpus(i);
	int n = cnet_node_cpus(node);
	uint64_t mask = 0;
	for (int c = 0; c < n && c < 64; c++) {
		int g = base + c;
		if (g < TM_AFF_WORDS * 64 && (set[g / 64] & (1ull << (g % 64))))
			mask |= 1ull << c;
	}
	return mask;
}

bool sched_aff_allows(const uint64_t *set, int node)
{
	bool any = false;
	for (int w = 0; w < TM_AFF_WORDS; w++)
		any |= set[w] != 0;
	return !any || sched_aff_local(set, node) != 0;
}

/* Where the set sends a thread of this node: -1 to stay, else a node. */
static int aff_target(const uint64_t *set)
{
	if (sched_aff_allows(set, cnet_self()))
		return -1;
	for (int i = 0; i < cnet_nodes(); i++)
		if (cnet_alive(i) && sched_aff_local(set, i))
			return i;
	return -1;
}

void sched_aff_arrived(struct thread *t)
{
	uint64_t local = sched_aff_local(cluster_thread(t)->aff, cnet_self());
	if (local)
		thread_set_affinity(t, local);
}

struct aff_find {
	uint32_t tid;
	const uint64_t *set;
	struct thread *self;
};

/* Under the thread list's lock: a thread other than the caller is
 * restricted (or marked to move) here; the caller after the walk. */
static bool aff_one(struct thread *t, void *arg)
{
	struct aff_find *f = arg;
	if (!t->app_tid || !t->posix || t->state == THREAD_EXITED ||
	    t->app_tid != f->tid)
		return false;
	memcpy(cluster_thread(t)->aff, f->set, TM_AFF_WORDS * 8);
	if (t == thread_current()) {
		f->self = t;
		return true;
	}
	int to = aff_target(f->set);
	if (to >= 0) {
		__atomic_store_n(&t->migrate_to, to, __ATOMIC_RELEASE);
		futex_kick(t);
	} else {
		thread_set_affinity(t, sched_aff_local(f->set, cnet_self()));
	}
	return true;
}

int sched_affinity_local(uint32_t tid, const uint64_t *set)
{
	struct aff_find f = {tid, set, NULL};
	if (!thread_for_each(aff_one, &f))
		return -ESRCH;
	if (f.self) {
		int to = aff_target(set);
		if (to >= 0)
			__atomic_store_n(&f.self->migrate_to, to,
					 __ATOMIC_RELEASE);
		else
			thread_set_affinity(f.self,
					    sched_aff_local(set, cnet_self()));
	}
	return 0;
}

int sched_set_affinity(uint32_t tid, const uint64_t *set)
{
	if (tid == 0)
		return -ESRCH;
	if (!sched_affinity_local(tid, set))
		return 0;
	struct tm_aff_req r = {tid, 0, {0}};
	memcpy(r.set, set, sizeof(r.set));
	return sched_ask_others(&r, sizeof(r));
}
