/*
 * sched/policies/locality.c — threads go where their pages are: a new
 * thread starts on the node holding most of the pages its creator touched
 * recently (threads that share data stay together), unless that node is
 * overloaded (more than twice the cluster's mean load per CPU), in which
 * case the least loaded node takes it; a running thread whose recent page
 * faults come mostly from one other node moves there (toward). The
 * reverse view is `steal` (steal.c).
 */
#include <stdbool.h>

#include "sched/policy.h"

/* The cluster's mean load per CPU, in thousandths. */
static uint32_t mean_load(const struct sched_view *v)
{
	uint64_t sum = 0, cpus = 0;
	for (int n = 0; n < v->nodes; n++) {
		if (!v->n[n].alive)
			continue;
		sum += v->n[n].runnable;
		cpus += v->n[n].cpus;
	}
	return cpus ? (uint32_t)(sum * 1000 / cpus) : 0;
}

static bool overloaded(const struct sched_view *v, int n)
{
	return sched_load_milli(&v->n[n]) > 2 * mean_load(v) + 1000;
}

static int loc_place(void *state, const struct sched_view *v)
{
	(void)state;
	int best = v->self;
	uint32_t most = 0;
	for (int n = 0; n < v->nodes; n++) {
		if (v->n[n].alive && v->pages_on[n] > most) {
			most = v->pages_on[n];
			best = n;
		}
	}
	if (!overloaded(v, best))
		return best;
	int lo = best;
	for (int n = 0; n < v->nodes; n++)
		if (v->n[n].alive &&
		    sched_load_milli(&v->n[n]) < sched_load_milli(&v->n[lo]))
			lo = n;
	return lo;
}

/*
 * A running thread moves to the node where most of the pages it waited
 * for recently live: at least LOC_MIN_FAULTS faults, LOC_SHARE percent of
 * them from that node, and that node not overloaded.
 */
#define LOC_MIN_FAULTS 16
#define LOC_SHARE      75

static int loc_toward(void *state, const struct sched_view *v,
		      const uint32_t *pages_on)
{
	(void)state;
	uint64_t total = 0;
	int best = -1;
	for (int n = 0; n < v->nodes; n++) {
		total += pages_on[n];
		if (v->n[n].alive && (best < 0 || pages_on[n] > pages_on[best]))
			best = n;
	}
	if (best < 0 || best == v->self || total < LOC_MIN_FAULTS ||
	    (uint64_t)pages_on[best] * 100 < total * LOC_SHARE ||
	    overloaded(v, best))
		return -1;
	return best;
}

static const struct sched_policy_ops loc_policy = {
    .name = "locality",
    .place = loc_place,
    .toward = loc_toward,
};
DEFINE_SCHED_POLICY(loc_policy);
