/*
 * cluster/csync.h — the cluster lock service's kernel side; the calls posix/
 * makes are in kernel/ksys.h (ksys_csync_*), the protocol in
 * cluster/csync_proto.h.
 */
#ifndef CLUSTER_CSYNC_H
#define CLUSTER_CSYNC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The calls behind ksys_csync_* (kernel/ksys.h has their contract; the
 * global scheduler puts them in ksys's cluster table). Called from the
 * application's thread like the ksys calls: they switch to the kernel
 * stack themselves. */
bool csync_sys_active(void);
int csync_sys_create(int kind, int param, uint32_t value, uint32_t *h);
int csync_sys_destroy(uint32_t h);
int csync_sys_mutex_lock(uint32_t h, uint32_t tid, bool try,
			 uint64_t timeout_ns);
int csync_sys_mutex_unlock(uint32_t h, uint32_t tid);
int csync_sys_cond_wait(uint32_t c, uint32_t m, uint32_t tid,
			uint64_t timeout_ns, const volatile int *stop);
int csync_sys_cond_wake(uint32_t c, bool all);
int csync_sys_barrier_wait(uint32_t b);
int csync_sys_sem(uint32_t h, int op, uint64_t timeout_ns,
		  const volatile int *stop);
int csync_sys_rwlock(uint32_t h, int op, uint32_t tid, uint64_t timeout_ns);
int csync_sys_stats(uint64_t *out, int n);

/* This node's lock-service counters as one line into buf (like snprintf;
 * 0 when the service is off): the exit report with dsm.stats=1. */
size_t csync_stats_text(char *buf, size_t len);

/* For kernel threads (ktests): csync_sys_create and a blocking
 * csync_sys_mutex_lock without the switch to the kernel stack. */
int csync_kcreate(int kind, int param, uint32_t value, uint32_t *h);
int csync_kmutex_lock(uint32_t h, uint32_t tid, uint64_t timeout_ns);

#endif
