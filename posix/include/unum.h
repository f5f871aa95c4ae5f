/*
 * <unum.h> — what Unum adds for programs that want to know about the
 * cluster under them. Ordinary POSIX programs need none of it.
 */
#ifndef _UNUM_H
#define _UNUM_H

#include <pthread.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The node the calling thread runs on now (0 is the origin, which runs
 * main), and how many nodes the cluster has. */
int unum_node(void);
int unum_nodes(void);
/* Moves `thread` to `node` at its next safe point (the call returns
 * before the move; a thread moving itself moves before it returns).
 * 0, ESRCH (no such thread), EINVAL (no such node), EHOSTUNREACH (the
 * node is dead), ETIMEDOUT or EAGAIN. */
int unum_migrate(pthread_t thread, int node);
/* Switches the global scheduling policy (sched.policy: local,
 * round_robin, least_loaded, locality, steal) on every node while the
 * program runs. 0, or EINVAL for a name the image does not have. */
int unum_sched_policy(const char *name);

#ifdef __cplusplus
}
#endif

#endif
