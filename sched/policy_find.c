/*
 * sched/policy_find.c — the policies linked in, found by name. The linker
 * collects DEFINE_SCHED_POLICY pointers in section sched_policies and
 * provides its bounds.
 */
#include "kernel/kstring.h"

#include "sched/policy.h"

extern const struct sched_policy_ops *const __start_sched_policies[];
extern const struct sched_policy_ops *const __stop_sched_policies[];

const struct sched_policy_ops *sched_policy_find(const char *name)
{
	for (const struct sched_policy_ops *const *p = __start_sched_policies;
	     p < __stop_sched_policies; p++)
		if (!strcmp((*p)->name, name))
			return *p;
	return NULL;
}

const struct sched_policy_ops *sched_policy_at(unsigned i)
{
	return i < (unsigned)(__stop_sched_policies - __start_sched_policies)
		   ? __start_sched_policies[i]
		   : NULL;
}
