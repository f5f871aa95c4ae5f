/*
 * sched/policies/steal.c — work stealing, the reverse view of `locality`:
 * a new thread stays with its creator, and every node with less runnable
 * work than CPUs pulls threads from the busiest node (balance).
 */
#include "sched/policy.h"

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
		while (moves < max && l[idle].alive &&
		       l[idle].runnable < l[idle].cpus) {
			int busy = -1;
			for (int n = 0; n < v->nodes; n++)
				if (l[n].alive && l[n].threads &&
				    l[n].runnable > l[n].cpus &&
				    (busy < 0 ||
				     l[n].runnable > l[busy].runnable))
					busy = n;
			if (busy < 0)
				break;
			out[moves++] = (struct sched_move){busy, idle};
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
