/*
 * drivers/netdev_impl.h — for NIC drivers only: handing received frames to
 * the rx handler, waking senders, link changes and counters.
 */
#ifndef DRIVERS_NETDEV_IMPL_H
#define DRIVERS_NETDEV_IMPL_H

#include "drivers/netdev.h"

/* From the driver's thread (not interrupt context), one frame at a time:
 * counts the frame and calls the rx handler, which now owns the buffer;
 * with no handler, gives the buffer back through ops->rx_done and counts
 * it in rx_dropped. */
void netdev_deliver(struct netdev *nd, void *frame, size_t len);
/* TX buffers came free: wakes netdev_xmit_wait callers. Any context but
 * interrupts. */
void netdev_tx_space(struct netdev *nd);
/* Records the link state, logging a change. */
void netdev_set_link(struct netdev *nd, bool up);

static inline void netdev_stat_add(uint64_t *counter, uint64_t n)
{
	__atomic_fetch_add(counter, n, __ATOMIC_RELAXED);
}

#endif
