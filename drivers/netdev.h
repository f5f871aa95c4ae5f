/*
 * drivers/netdev.h — network interfaces: what the cluster transport (net/)
 * sees of a NIC, whichever driver runs it (virtio-net here; e1000 for real
 * machines can sit beside it through the same ops table).
 *
 * Frames are plain Ethernet frames: destination MAC, source MAC, EtherType
 * (big-endian), payload; no FCS, no VLAN handling. A NIC sends frames of
 * ETH_HLEN to ETH_HLEN + mtu bytes.
 *
 * RECEIVE BUFFER OWNERSHIP (zero copy). Received frames are not copied: the
 * rx handler gets a pointer into the driver's DMA buffer.
 *   1. From the handler call on, the frame (its `len` bytes, and the buffer
 *      around them) belongs to the receiver. The driver neither reads,
 *      writes nor reuses it, and the device cannot write it.
 *   2. The receiver gives it back with netdev_rx_done(nd, frame) — the same
 *      pointer it got — exactly once: inside the handler or later, from any
 *      thread (not from interrupt context). After that it must not touch
 *      the frame again. Giving back a pointer that is not a held receive
 *      buffer returns -EINVAL and changes nothing (a second give-back is
 *      caught only until the buffer is filled and handed out again).
 *   3. Every held buffer is one fewer buffer posted to the device. With none
 *      left the device holds arriving frames back (QEMU queues them; real
 *      NICs drop them), counted in stats.rx_no_buffer. Hold buffers briefly:
 *      QEMU's hub may also deliver frames it held back out of order.
 *   4. With no handler registered the driver gives the buffer back itself
 *      and counts the frame in stats.rx_dropped.
 * The payload (frame + ETH_HLEN) is 16-byte aligned; the buffer may be
 * written in place by its holder.
 *
 * The rx handler runs in the driver's kernel thread, one frame at a time in
 * the order the NIC received them, never in interrupt context. It may block
 * briefly (a long block stalls that NIC's receive path) and may transmit on
 * any NIC. It must not call netdev_set_rx_handler (that waits for running
 * handlers, its own included).
 *
 * Guard keys: (c) constant after netdev_register; (a) atomic; (rx) the
 * rx_lock mutex; (w) tx_wq.lock.
 */
#ifndef DRIVERS_NETDEV_H
#define DRIVERS_NETDEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kernel/sync.h"

#define NETDEV_MAX	8
#define NETDEV_NAME_MAX 16
#define ETH_ALEN	6
#define ETH_HLEN	14
#define ETH_MTU_MIN	68
#define ETH_MTU_DEFAULT 1500
#define ETH_MTU_JUMBO	9000 /* the largest MTU a Unum NIC uses */

struct netdev;

/* Receive handler: `frame` is an Ethernet frame of `len` bytes that the
 * receiver now owns (see "RECEIVE BUFFER OWNERSHIP" above). */
typedef void (*netdev_rx_fn)(struct netdev *nd, void *frame, size_t len,
			     void *ctx);

struct netdev_stats {
	uint64_t rx_frames;    /* frames received (dropped ones included) */
	uint64_t rx_bytes;     /* their bytes (Ethernet header included) */
	uint64_t rx_dropped;   /* received with no rx handler registered */
	uint64_t rx_no_buffer; /* times every posted buffer was found filled:
				* the device had none left for more frames */
	uint64_t rx_errors;    /* malformed completions from the device */
	uint64_t tx_frames;    /* frames queued to the device */
	uint64_t tx_bytes;
	uint64_t tx_dropped; /* xmit refused: no free TX buffer (-EAGAIN) */
	uint64_t tx_errors;  /* xmit refused: bad length or link down */
	uint64_t irqs;	     /* device interrupts taken (0 when polled) */
};

/*
 * A driver's operations. None is called from interrupt context. Callers
 * hold none of the driver's locks, but may hold their own (the transport
 * sends under cn.lock) and nd->rx_lock when they act from inside the rx
 * handler: members never block and never wait for the rx handler.
 */
struct netdev_ops {
	/*
	 * Required; no driver lock (maybe the caller's and nd->rx_lock).
	 * Copies the frame into a transmit buffer and queues it; never
	 * blocks. 0, or -EINVAL (len < ETH_HLEN), -E2BIG (len > ETH_HLEN +
	 * mtu), -EHOSTUNREACH (link down), -EAGAIN (every TX buffer is in
	 * flight: retry, or use netdev_xmit_wait), -EIO (device failed).
	 */
	int (*xmit)(struct netdev *nd, const void *frame, size_t len);
	/* Required; no driver lock (maybe nd->rx_lock: from the rx handler).
	 * Takes back a receive buffer: 0, or -EINVAL if `frame` is not a
	 * buffer the receiver holds. */
	int (*rx_done)(struct netdev *nd, void *frame);
};

struct netdev {
	char name[NETDEV_NAME_MAX]; /* (c) "eth0", ... set by netdev_register */
	int index;		    /* (c) */
	uint8_t mac[ETH_ALEN];	    /* (c) */
	uint32_t mtu; /* (c) largest payload: frames up to mtu + ETH_HLEN */
	bool link_up; /* (a) the driver's view of the link */
	bool polled;  /* (c) no interrupts: the driver polls */
	uint32_t rx_buffers; /* (c) receive buffers the driver lends out */
	const struct netdev_ops *ops; /* (c) */
	void *priv;		      /* (c) the driver's */
	struct netdev_stats stats;    /* (a) added to by the driver */

	struct mutex rx_lock; /* held while a handler runs */
	netdev_rx_fn rx_fn;   /* (rx) NULL: frames are dropped */
	void *rx_ctx;	      /* (rx) */

	struct waitq tx_wq; /* netdev_xmit_wait callers */
	uint64_t tx_gen;    /* (w) bumped when TX buffers come free */
};

/* Sets up the locks and clears the counters and the handler; the driver
 * calls it before anything else touches nd. */
void netdev_init(struct netdev *nd);
/* Publishes a NIC the driver filled in (mac, mtu, ops, priv, link_up,
 * polled, rx_buffers) after netdev_init: names it "eth<index>". 0, or -EINVAL
 * (missing ops, mtu outside ETH_MTU_MIN..ETH_MTU_JUMBO), -ENOSPC (NETDEV_MAX
 * reached). */
int netdev_register(struct netdev *nd);
int netdev_count(void);
/* The index-th NIC in registration order (PCI bus order); NULL if none. */
struct netdev *netdev_get(int index);

/* Sets (fn NULL: clears) the receive handler. Returns once no call to the
 * previous handler is in progress; it is never called again after. */
void netdev_set_rx_handler(struct netdev *nd, netdev_rx_fn fn, void *ctx);

/* ops->xmit. */
int netdev_xmit(struct netdev *nd, const void *frame, size_t len);
/* The same, but waits up to timeout_ns (0: forever) for a free TX buffer
 * instead of returning -EAGAIN; -ETIMEDOUT when the time is up. */
int netdev_xmit_wait(struct netdev *nd, const void *frame, size_t len,
		     uint64_t timeout_ns);
/* ops->rx_done: gives a received frame back (see the ownership rules). */
int netdev_rx_done(struct netdev *nd, void *frame);
/* A snapshot of the counters. */
void netdev_get_stats(struct netdev *nd, struct netdev_stats *out);

#endif
