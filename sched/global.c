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
#include "sched/global.h"
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
		v->n[n].runnable = cnet_node_load(n);
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

static int sched_global_start(void)
{
	return sched_set_policy(config_str("sched.policy"));
}
INITCALL(7, sched_global_start);
