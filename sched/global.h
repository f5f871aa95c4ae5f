/*
 * sched/global.h — the global (cluster-wide) scheduler.
 */
#ifndef SCHED_GLOBAL_H
#define SCHED_GLOBAL_H

/* The node for a new thread, by the policy in force. */
int sched_place(void);
/* Switches the policy while the program runs: 0 or -EINVAL (no such
 * policy), -ENOMEM. */
int sched_set_policy(const char *name);
const char *sched_policy_name(void);
/* The same on every live node (this one first): 0, -EINVAL, -ENOMEM. */
int sched_set_policy_all(const char *name);

#endif
