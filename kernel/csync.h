/*
 * kernel/csync.h — the cluster lock service's kernel side; the calls posix/
 * makes are in kernel/ksys.h (ksys_csync_*), the protocol in
 * kernel/csync_proto.h.
 */
#ifndef KERNEL_CSYNC_H
#define KERNEL_CSYNC_H

#include <stdint.h>

/* Prints this node's lock-service counters (with dsm.stats=1 at exit). */
void csync_print_stats(void);

/* For kernel threads (ktests): ksys_csync_create and a blocking
 * ksys_csync_mutex_lock without the switch to the kernel stack. */
int csync_kcreate(int kind, int param, uint32_t value, uint32_t *h);
int csync_kmutex_lock(uint32_t h, uint32_t tid, uint64_t timeout_ns);

#endif
