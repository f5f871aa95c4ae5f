/*
 * cluster/csync.h — the cluster lock service's kernel side; the calls posix/
 * makes are in kernel/ksys.h (ksys_csync_*), the protocol in
 * cluster/csync_proto.h.
 */
#ifndef CLUSTER_CSYNC_H
#define CLUSTER_CSYNC_H

#include <stddef.h>
#include <stdint.h>

/* This node's lock-service counters as one line into buf (like snprintf;
 * 0 when the service is off): the exit report with dsm.stats=1. */
size_t csync_stats_text(char *buf, size_t len);

/* For kernel threads (ktests): ksys_csync_create and a blocking
 * ksys_csync_mutex_lock without the switch to the kernel stack. */
int csync_kcreate(int kind, int param, uint32_t value, uint32_t *h);
int csync_kmutex_lock(uint32_t h, uint32_t tid, uint64_t timeout_ns);

#endif
