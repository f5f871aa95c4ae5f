/*
 * sched/policies/basic.c — `local` (every thread stays on its creator's
 * node) and `round_robin` (new threads go to the live nodes in turn).
 */
#include "sched/policy.h"

static int local_place(void *state, const struct sched_view *v)
{
	(void)state;
	return v->self;
}

static const struct sched_policy_ops local_policy = {
    .name = "local",
    .place = local_place,
};
DEFINE_SCHED_POLICY(local_policy);

struct rr_state {
	uint32_t next;
};

/* The creator counts as the first of its team: the turns start at the
 * node after its own, so main (on the origin) and the threads it creates
 * are spread evenly from the first pthread_create. */
static int rr_place(void *state, const struct sched_view *v)
{
	struct rr_state *s = state;
	for (int tries = 0; tries < v->nodes; tries++) {
		uint32_t k = __atomic_fetch_add(&s->next, 1, __ATOMIC_RELAXED);
		int n = (int)((k + 1 + (uint32_t)v->self) % (uint32_t)v->nodes);
		if (v->n[n].alive)
			return n;
	}
	return v->self;
}

static const struct sched_policy_ops rr_policy = {
    .name = "round_robin",
    .place = rr_place,
    .state_size = sizeof(struct rr_state),
};
DEFINE_SCHED_POLICY(rr_policy);
