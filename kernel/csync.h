/*
 * kernel/csync.h — the cluster lock service's kernel side; the calls posix/
 * makes are in kernel/ksys.h (ksys_csync_*), the protocol in
 * kernel/csync_proto.h.
 */
#ifndef KERNEL_CSYNC_H
#define KERNEL_CSYNC_H

/* Prints this node's lock-service counters (with dsm.stats=1 at exit). */
void csync_print_stats(void);

#endif
