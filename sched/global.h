/*
 * sched/global.h — the global (cluster-wide) scheduler.
 */
#ifndef SCHED_GLOBAL_H
#define SCHED_GLOBAL_H

#include <stddef.h>
#include <stdint.h>

struct sched_policy_ops;

/* The node for a new thread, by the policy in force. */
int sched_place(void);
/* Switches the policy while the program runs: 0 or -EINVAL (no such
 * policy), -ENOMEM. */
int sched_set_policy(const char *name);
const char *sched_policy_name(void);
/* The same on every live node (this one first): 0, -EINVAL, -ENOMEM. */
int sched_set_policy_all(const char *name);

/* A policy made ready with its keys, not yet in force (its state follows
 * it in the same allocation). */
struct sched_policy_choice {
	const struct sched_policy_ops *ops;
	void *state;
};

/*
 * Checks a policy name and n key=value pairs (keys[i] = values[i]; every
 * key must be a key of that policy: sched.<name>.<x> in the boot key table,
 * with a valid value) and prepares its state. 0, or -EINVAL / -ENOENT with
 * a message for people naming the offending name, key or value in why,
 * or -ENOMEM. Nothing changes until sched_policy_install.
 */
int sched_policy_prepare(const char *name, const char *const *keys,
			 const char *const *values, int n,
			 struct sched_policy_choice **out, char *why,
			 size_t why_len);
/* Puts a prepared policy in force on this node (taking it over; it is
 * never freed); cannot fail. */
void sched_policy_install(const struct sched_policy_choice *c);

/*
 * Moves thread tid (a cluster-wide thread id) to node: 0, or a negative
 * errno (-ESRCH no such thread, -EHOSTUNREACH node not alive, -ENOSYS not
 * implemented). sched/migrate.c.
 */
int sched_migrate(uint32_t tid, int node);

#endif
