/*
 * sched/policies/least_loaded.c — MOSIX-like: a new thread goes to the node
 * with the lowest load per CPU (ties: the creator's node, then the lowest
 * id); the balancer moves threads from the most to the least loaded node
 * while their difference exceeds sched.least_loaded.threshold (in
 * thousandths of a thread per CPU; default 1000: one thread per CPU).
 */
#include "kernel/errno.h"
#include "kernel/kstring.h"
#include "sched/policy.h"

struct ll_state {
	uint32_t threshold;
};

uint32_t sched_least_loaded_threshold(void); /* the core: boot key */

static void ll_init(void *state)
{
	struct ll_state *s = state;
	s->threshold = sched_least_loaded_threshold();
}

static int ll_set(void *state, const char *key, uint64_t value)
{
	struct ll_state *s = state;
	if (strcmp(key, "sched.least_loaded.threshold"))
		return -ENOENT;
	s->threshold = (uint32_t)value;
	return 0;
}

static int least_loaded(const struct sched_view *v, int prefer)
{
	int best = -1;
	uint32_t best_load = ~0u;
	for (int n = 0; n < v->nodes; n++) {
		if (!v->n[n].alive)
			continue;
		uint32_t l = sched_load_milli(&v->n[n]);
		if (l < best_load || (l == best_load && n == prefer)) {
			best = n;
			best_load = l;
		}
	}
	return best < 0 ? v->self : best;
}

static int ll_place(void *state, const struct sched_view *v)
{
	(void)state;
	return least_loaded(v, v->self);
}

static int ll_balance(void *state, const struct sched_view *v,
		      struct sched_move *out, int max)
{
	struct ll_state *s = state;
	struct sched_node_load l[SCHED_MAX_NODES];
	int moves = 0;
	for (int n = 0; n < v->nodes; n++)
		l[n] = v->n[n];
	while (moves < max) {
		int hi = -1, lo = -1;
		for (int n = 0; n < v->nodes; n++) {
			if (!l[n].alive || !l[n].cpus)
				continue;
			if (hi < 0 ||
			    sched_load_milli(&l[n]) > sched_load_milli(&l[hi]))
				hi = n;
			if (lo < 0 ||
			    sched_load_milli(&l[n]) < sched_load_milli(&l[lo]))
				lo = n;
		}
		if (hi < 0 || hi == lo || !l[hi].threads)
			break;
		/* moving one thread must not just swap the imbalance */
		uint32_t after_hi = (l[hi].runnable - 1) * 1000u / l[hi].cpus;
		uint32_t after_lo = (l[lo].runnable + 1) * 1000u / l[lo].cpus;
		if (sched_load_milli(&l[hi]) - sched_load_milli(&l[lo]) <=
			s->threshold ||
		    after_lo > after_hi + s->threshold)
			break;
		out[moves++] = (struct sched_move){hi, lo};
		l[hi].runnable--, l[hi].threads--;
		l[lo].runnable++, l[lo].threads++;
	}
	return moves;
}

static const struct sched_policy_ops ll_policy = {
    .name = "least_loaded",
    .place = ll_place,
    .balance = ll_balance,
    .state_size = sizeof(struct ll_state),
    .init = ll_init,
    .set = ll_set,
};
DEFINE_SCHED_POLICY(ll_policy);
