/*
 * cluster/csync_opt.h — compile-time limits and tunables of the cluster lock
 * service (cluster/csync*.c). Each can be overridden with -D.
 */
#ifndef CLUSTER_CSYNC_OPT_H
#define CLUSTER_CSYNC_OPT_H

/* Threads of the holding node that may still take a mutex after its home
 * asked for the token, if they were already waiting: bounded unfairness
 * for throughput (a token move costs a round trip between nodes). */
#ifndef CSYNC_BATCH
#define CSYNC_BATCH 32
#endif

/* How often a thread blocked in a cond or semaphore wait looks at its
 * pthread cancel flag (pthread_cancel sends no message). */
#ifndef CSYNC_STOP_POLL_NS
#define CSYNC_STOP_POLL_NS (20 * 1000 * 1000ull)
#endif

/* Threads of one node blocked in the lock service at once (wait slots);
 * one more gets EAGAIN. */
#ifndef CSYNC_SLOTS
#define CSYNC_SLOTS 1024
#endif

/* Outbox buffers kept for when the kernel heap is out (net/cnet_outbox.h). */
#ifndef CSYNC_OUTBOX_RESERVE
#define CSYNC_OUTBOX_RESERVE 16
#endif

#endif
