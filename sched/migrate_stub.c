/*
 * sched/migrate_stub.c — TEMPORARY: sched_migrate() until sched/migrate.c
 * (thread migration, written on another branch) is merged; delete this
 * file then. Lets the control service link and its error path be tested.
 */
#include "kernel/errno.h"
#include "sched/global.h"

int sched_migrate(uint32_t tid, int node)
{
	(void)tid, (void)node;
	return -ENOSYS;
}
