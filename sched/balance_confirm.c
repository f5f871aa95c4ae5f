/*
 * sched/balance_confirm.c — the balancer acts on an imbalance only when it
 * has seen it twice. Loads are samples (a creator awake for a few
 * milliseconds, a thread waiting for a page); a move made on one sample
 * can be undone by the next. A move {from, to} proposed in this period
 * is carried out only if the previous period proposed it too.
 */
#include "sched/policy.h"

int sched_moves_confirmed(const struct sched_move *prev, int nprev,
			  const struct sched_move *cur, int ncur,
			  struct sched_move *out)
{
	bool used[SCHED_MAX_MOVES] = {false};
	int n = 0;
	if (nprev > SCHED_MAX_MOVES)
		nprev = SCHED_MAX_MOVES;
	for (int i = 0; i < ncur; i++)
		for (int j = 0; j < nprev; j++) {
			if (used[j] || prev[j].from != cur[i].from ||
			    prev[j].to != cur[i].to)
				continue;
			used[j] =
			    true; /* each earlier proposal confirms one move */
			out[n++] = cur[i];
			break;
		}
	return n;
}
