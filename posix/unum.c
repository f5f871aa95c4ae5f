/*
 * posix/unum.c — the <unum.h> extensions: where am I, move a thread.
 */
#include <errno.h>
#include <unum.h>

#include "posix/posix_impl.h"

int unum_node(void)
{
	return ksys_node();
}

int unum_nodes(void)
{
	int n = ksys_cluster_nodes();
	return n > 0 ? n : 1;
}

int unum_migrate(pthread_t thread, int node)
{
	if (!posix_thread_started(thread))
		return ESRCH;
	int rc = ksys_migrate((uint32_t)thread, node);
	return rc < 0 ? -rc : 0;
}

int unum_sched_policy(const char *name)
{
	if (!name)
		return EINVAL;
	int rc = ksys_set_policy(name);
	return rc < 0 ? -rc : 0;
}
