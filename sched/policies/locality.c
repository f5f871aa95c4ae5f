/*
 * sched/policies/locality.c — threads go where their pages are: a new
 * thread starts on the node holding most of the pages its creator touched
 * recently (threads that share data stay together), unless that node is
 * overloaded (more than twice the cluster's mean load per CPU), in which
 * case the least loaded node takes it. `steal` is the reverse view: a new
 * thread stays with its creator, and idle nodes pull work (balance).
 */
#include "sched/policy.h"

static int loc_place(void *state, const struct sched_view *v)
{
	(void)state;
	int best = v->self;
	uint32_t most = 0;
	uint64_t sum = 0, cpus = 0;
	for (int n = 0; n < v->nodes; n++) {
		if (!v->n[n].alive)
			continue;
		sum += v->n[n].runnable;
		cpus += v->n[n].cpus;
		if (v->pages_on[n] > most) {
			most = v->pages_on[n];
			best = n;
		}
	}
	uint32_t mean = cpus ? (uint32_t)(sum * 1000 / cpus) : 0;
	if (sched_load_milli(&v->n[best]) <= 2 * mean + 1000)
		return best;
	int lo = best;
	for (int n = 0; n < v->nodes; n++)
		if (v->n[n].alive && sched_load_milli(&v->n[n]) < sched_load_milli(&v->n[lo]))
			lo = n;
	return lo;
}

static const struct sched_policy_ops loc_policy = {
	.name = "locality",
	.place = loc_place,
};
DEFINE_SCHED_POLICY(loc_policy);

static int steal_place(void *state, const struct sched_view *v)
{
	(void)state;
	return v->self;
}

/* Every node with less runnable work than CPUs pulls from the busiest. */
static int steal_balance(void *state, const struct sched_view *v,
			 struct sched_move *out, int max)
{
	(void)state;
	struct sched_node_load l[SCHED_MAX_NODES];
	int moves = 0;
	for (int n = 0; n < v->nodes; n++)
		l[n] = v->n[n];
	for (int idle = 0; idle < v->nodes && moves < max; idle++) {
		while (moves < max && l[idle].alive && l[idle].runnable < l[idle].cpus) {
			int busy = -1;
			for (int n = 0; n < v->nodes; n++)
				if (l[n].alive && l[n].threads && l[n].runnable > l[n].cpus &&
				    (busy < 0 || l[n].runnable > l[busy].runnable))
					busy = n;
			if (busy < 0)
				break;
			out[moves++] = (struct sched_move){ busy, idle };
			l[busy].runnable--, l[busy].threads--;
			l[idle].runnable++, l[idle].threads++;
		}
	}
	return moves;
}

static const struct sched_policy_ops steal_policy = {
	.name = "steal",
	.place = steal_place,
	.balance = steal_balance,
};
DEFINE_SCHED_POLICY(steal_policy);
