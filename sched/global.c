/*
 * sched/global.c — the global scheduler's core: the policy in force
 * (sched.policy, switchable at run time with sched_set_policy), the view of
 * the cluster it decides on (node loads from the membership heartbeats),
 * and placement of new threads.
 */
#include "kernel/config.h"
#include "kernel/errno.h"
#include "kernel/init.h"
#include "kernel/kstring.h"
#include "kernel/log.h"
#include "kernel/thread.h"
#include "mm/kmalloc.h"
#include "net/cnet.h"
#include "kernel/ksys.h"
#include "sched/global.h"
#include "sched/migrate.h"
#include "sched/policy.h"

static const struct sched_policy_ops *policy; /* (a) the one in force */
static void *policy_state; /* (a) with it */

uint32_t sched_least_loaded_threshold(void);
uint32_t sched_least_loaded_threshold(void)
{
	return (uint32_t)config_uint("sched.least_loaded.threshold");
}

int sched_set_policy(const char *name)
{
	const struct sched_policy_ops *p = sched_policy_find(name);
	if (!p)
		return -EINVAL;
	void *st = NULL;
	if (p->state_size && !(st = kzalloc(p->state_size)))
		return -ENOMEM;
	if (p->init)
		p->init(st);
	/* the old state is kept: a placement may still be using it */
	__atomic_store_n(&policy_state, st, __ATOMIC_RELEASE);
	__atomic_store_n(&policy, p, __ATOMIC_RELEASE);
	pr_info("sched", "global policy: %s", p->name);
	return 0;
}

const char *sched_policy_name(void) { return policy ? policy->name : "none"; }

static void build_view(struct sched_view *v)
{
	memset(v, 0, sizeof(*v));
	v->nodes = cnet_nodes();
	v->self = cnet_self();
	for (int n = 0; n < v->nodes && n < SCHED_MAX_NODES; n++) {
		v->n[n].alive = cnet_alive(n);
		v->n[n].cpus = (uint16_t)cnet_node_cpus(n);
		/* our own load is read here; the others' come by gossip */
		v->n[n].runnable = n == v->self ? sched_runnable() : cnet_node_load(n);
		v->n[n].threads = v->n[n].runnable;
	}
}

int sched_place(void)
{
	const struct sched_policy_ops *p = __atomic_load_n(&policy, __ATOMIC_ACQUIRE);
	if (!p || cnet_nodes() <= 1)
		return cnet_self();
	struct sched_view *v = kmalloc(sizeof(*v));
	if (!v)
		return cnet_self();
	build_view(v);
	int n = p->place(__atomic_load_n(&policy_state, __ATOMIC_ACQUIRE), v);
	kfree(v);
	return n >= 0 && n < cnet_nodes() && cnet_alive(n) ? n : cnet_self();
}

/*
 * The balancer, on the origin while the program runs: every
 * sched.period_ms the policy in force (if it balances) looks at the
 * gossiped loads and proposes moves; each becomes an order to the node
 * that gives a thread (sched_shed). After moving, it waits long enough for
 * the loads it decides on to reflect the moves (two gossip periods), so
 * it does not move the same imbalance twice.
 */
#define MAX_MOVES 8

static void *balancer(void *arg)
{
	(void)arg;
	uint64_t period = config_uint("sched.period_ms") * NSEC_PER_MSEC;
	uint64_t gossip = config_uint("cluster.heartbeat_ms") * NSEC_PER_MSEC;
	uint64_t settle = 2 * (period > gossip ? period : gossip);
	uint64_t quiet_until = 0;
	struct sched_view *v = kmalloc(sizeof(*v));
	if (!v)
		return NULL;
	for (;;) {
		thread_sleep_ns(period);
		const struct sched_policy_ops *p =
		    __atomic_load_n(&policy, __ATOMIC_ACQUIRE);
		if (!ksys_app_running() || !p->balance || clock_ns() < quiet_until)
			continue;
		struct sched_move mv[MAX_MOVES];
		build_view(v);
		int n = p->balance(__atomic_load_n(&policy_state, __ATOMIC_ACQUIRE),
				   v, mv, MAX_MOVES);
		int done = 0;
		for (int i = 0; i < n; i++) {
			if (mv[i].from < 0 || mv[i].from >= v->nodes || mv[i].to < 0 ||
			    mv[i].to >= v->nodes || mv[i].from == mv[i].to)
				continue;
			done += sched_shed(mv[i].from, mv[i].to) == 0;
		}
		if (done) {
			pr_info("sched", "%s: %d thread(s) to move", p->name, done);
			quiet_until = clock_ns() + settle;
		}
	}
}

static int sched_global_start(void)
{
	return sched_set_policy(config_str("sched.policy"));
}
INITCALL(7, sched_global_start);

static int balancer_start(void)
{
	if (cnet_nodes() <= 1 || cnet_self() != 0)
		return 0;
	struct thread *t = thread_create("balancer", balancer, NULL, PRIO_DEFAULT - 2);
	if (!t)
		return -ENOMEM;
	thread_detach(t);
	return 0;
}
INITCALL(9, balancer_start);
