/*
 * sched/migrate_rules.c — see migrate_rules.h. A thread goes only from
 * the application's own context (its stack, interrupts on: nothing of the
 * kernel's is live in its registers) and only while it holds no cluster
 * mutex (a mutex's owner must be where the mutex's token is).
 */
#include "sched/migrate_rules.h"

enum mig_step migrate_step(const struct mig_point *p)
{
	if (p->to < 0)
		return MIG_NONE;
	if (p->to == p->self || p->to >= p->nodes)
		return MIG_DROP;
	if (!p->app || p->on_kstack || !p->irqs_on || p->locks)
		return MIG_LATER;
	return MIG_GO;
}
