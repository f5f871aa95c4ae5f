/*
 * drivers/netdev.c — the NIC registry, receive-handler dispatch and the
 * transmit wrappers shared by every NIC driver.
 */
#include "drivers/netdev.h"
#include "drivers/netdev_impl.h"
#include "kernel/errno.h"
#include "kernel/kstring.h"
#include "kernel/log.h"
#include "kernel/spinlock.h"
#include "kernel/time.h"

/* A netdev_xmit_wait caller re-tries at least this often even if no wakeup
 * comes (a driver that polls may free buffers without telling). */
#define TX_WAIT_SLICE_NS (10 * NSEC_PER_MSEC)

static struct spinlock reg_lock = SPINLOCK_INIT;
static struct netdev *devs[NETDEV_MAX]; /* (reg_lock) filled in order */
static int nr_devs;			/* (reg_lock; read atomically) */

void netdev_init(struct netdev *nd)
{
	memset(&nd->stats, 0, sizeof(nd->stats));
	mutex_init(&nd->rx_lock);
	nd->rx_fn = NULL;
	nd->rx_ctx = NULL;
	waitq_init(&nd->tx_wq);
	nd->tx_gen = 0;
	nd->index = -1;
	nd->name[0] = 0;
}

int netdev_register(struct netdev *nd)
{
	if (!nd->ops || !nd->ops->xmit || !nd->ops->rx_done ||
	    nd->mtu < ETH_MTU_MIN || nd->mtu > ETH_MTU_JUMBO)
		return -EINVAL;
	unsigned long f = spin_lock_irqsave(&reg_lock);
	if (nr_devs == NETDEV_MAX) {
		spin_unlock_irqrestore(&reg_lock, f);
		return -ENOSPC;
	}
	nd->index = nr_devs;
	ksnprintf(nd->name, sizeof(nd->name), "eth%d", nr_devs);
	devs[nr_devs] = nd;
	__atomic_store_n(&nr_devs, nr_devs + 1, __ATOMIC_RELEASE);
	spin_unlock_irqrestore(&reg_lock, f);
	return 0;
}

int netdev_count(void)
{
	return __atomic_load_n(&nr_devs, __ATOMIC_ACQUIRE);
}

struct netdev *netdev_get(int index)
{
	if (index < 0 || index >= netdev_count())
		return NULL;
	return devs[index];
}

void netdev_set_rx_handler(struct netdev *nd, netdev_rx_fn fn, void *ctx)
{
	mutex_lock(&nd->rx_lock);
	nd->rx_fn = fn;
	nd->rx_ctx = ctx;
	mutex_unlock(&nd->rx_lock);
}

void netdev_deliver(struct netdev *nd, void *frame, size_t len)
{
	netdev_stat_add(&nd->stats.rx_frames, 1);
	netdev_stat_add(&nd->stats.rx_bytes, len);
	mutex_lock(&nd->rx_lock);
	netdev_rx_fn fn = nd->rx_fn;
	if (fn)
		fn(nd, frame, len, nd->rx_ctx);
	mutex_unlock(&nd->rx_lock);
	if (!fn) {
		netdev_stat_add(&nd->stats.rx_dropped, 1);
		nd->ops->rx_done(nd, frame);
	}
}

int netdev_xmit(struct netdev *nd, const void *frame, size_t len)
{
	return nd->ops->xmit(nd, frame, len);
}

int netdev_xmit_wait(struct netdev *nd, const void *frame, size_t len,
		     uint64_t timeout_ns)
{
	uint64_t deadline = timeout_ns ? clock_ns() + timeout_ns : 0;
	for (;;) {
		unsigned long f = spin_lock_irqsave(&nd->tx_wq.lock);
		uint64_t gen = nd->tx_gen;
		spin_unlock_irqrestore(&nd->tx_wq.lock, f);

		int rc = nd->ops->xmit(nd, frame, len);
		if (rc != -EAGAIN)
			return rc;
		uint64_t now = clock_ns(), wait = TX_WAIT_SLICE_NS;
		if (deadline) {
			if (now >= deadline)
				return -ETIMEDOUT;
			if (deadline - now < wait)
				wait = deadline - now;
		}
		/* Buffers freed since we sampled gen: retry at once. */
		f = spin_lock_irqsave(&nd->tx_wq.lock);
		if (nd->tx_gen == gen)
			waitq_wait(&nd->tx_wq, &f, wait);
		spin_unlock_irqrestore(&nd->tx_wq.lock, f);
	}
}

int netdev_rx_done(struct netdev *nd, void *frame)
{
	return nd->ops->rx_done(nd, frame);
}

void netdev_tx_space(struct netdev *nd)
{
	unsigned long f = spin_lock_irqsave(&nd->tx_wq.lock);
	nd->tx_gen++;
	waitq_wake_all(&nd->tx_wq, 0);
	spin_unlock_irqrestore(&nd->tx_wq.lock, f);
}

void netdev_set_link(struct netdev *nd, bool up)
{
	bool was = __atomic_exchange_n(&nd->link_up, up, __ATOMIC_ACQ_REL);
	if (was != up && nd->index >= 0)
		pr_info("net", "%s: link %s", nd->name, up ? "up" : "down");
}

void netdev_get_stats(struct netdev *nd, struct netdev_stats *out)
{
	const uint64_t *src = (const uint64_t *)&nd->stats;
	uint64_t *dst = (uint64_t *)out;
	for (size_t i = 0; i < sizeof(*out) / sizeof(uint64_t); i++)
		dst[i] = __atomic_load_n(&src[i], __ATOMIC_RELAXED);
}
