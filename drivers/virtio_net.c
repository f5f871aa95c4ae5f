/*
 * drivers/virtio_net.c — the virtio-net driver: one receive and one
 * transmit queue, MAC, MTU (jumbo frames up to 9000) and link status, no
 * offloads. Each NIC has a kernel thread that hands received frames to the
 * netdev layer and reclaims transmit buffers; MSI-X interrupts (one vector
 * per queue and one for configuration changes) wake it, or it polls when
 * the device has no MSI-X.
 *
 * Buffers: every receive and transmit buffer is a slot in physically
 * contiguous chunks: [6 bytes pad][virtio_net_hdr 12][frame]. The pad puts
 * the frame's payload (after the 14-byte Ethernet header) at offset 32 of
 * the 64-aligned slot. Receive slots are lent to the receiver without a
 * copy (drivers/netdev.h, "RECEIVE BUFFER OWNERSHIP") and posted again when
 * given back; transmit copies the frame into a free slot, reclaimed when
 * the device has used it.
 *
 * Lock order: a queue lock (rxq or txq; never both), then nothing but the
 * scheduler's. Interrupt handlers take no driver lock.
 */
#include "arch/x86_64/cpu.h"
#include "drivers/netdev_impl.h"
#include "drivers/virtio_net.h"
#include "kernel/errno.h"
#include "kernel/init.h"
#include "kernel/kstring.h"
#include "kernel/log.h"
#include "kernel/sync.h"
#include "kernel/thread.h"
#include "kernel/time.h"
#include "mm/frame.h"
#include "mm/kmalloc.h"
#include "mm/vm.h"

#define HDR_LEN	       sizeof(struct virtio_net_hdr)
#define HDR_OFF	       6 /* where the device's part of a slot starts */
#define FRAME_OFF      (HDR_OFF + HDR_LEN) /* 18: the payload lands at 32 */
#define VLAN_HLEN      4 /* receive room for one tag we did not ask for */
#define SLOT_ALIGN     64
#define CHUNK_ORDER    4 /* 64 KiB of slots per chunk */
#define VNET_QUEUE_MAX 256
#define VNET_PRIO      8 /* woken by interrupts: runs before ordinary work */
#define IRQ_WAIT_NS    (100 * NSEC_PER_MSEC) /* re-check even without a kick */
#define POLL_SPIN_NS                                                           \
	(200 * NSEC_PER_USEC)	    /* polled: keep looking this long \
					      */
#define POLL_SLEEP_NS NSEC_PER_MSEC /* then look once a tick */

enum rx_state { RX_IDLE, RX_POSTED, RX_HELD };

struct pool {
	unsigned count, slot_size, per_chunk, nr_chunks;
	uint8_t **chunk; /* virtual addresses (direct map) */
};

struct vnet {
	struct netdev nd;
	struct virtio_dev vd;
	struct virtio_queue rxq, txq;
	struct pool rx, tx;  /* (c) */
	uint32_t rx_buf_len; /* (c) bytes the device may write per buffer */
	uint8_t *rx_state;   /* (rxq.lock) enum rx_state per slot */
	bool rx_dry;	     /* (rxq.lock) the device was seen with no buffer */
	uint16_t *tx_free;   /* (txq.lock) stack of free slots */
	unsigned tx_nfree;   /* (txq.lock) */
	bool tx_stalled;     /* (txq.lock) a sender got -EAGAIN: TX irqs on */
	struct semaphore work; /* the thread waits here */
	int kicked;	       /* (a) a wakeup is pending */
	int config_changed;    /* (a) */
	char where[16];	       /* (c) PCI address */
};

static const struct netdev_ops vnet_ops;

/* ---- buffer pools
 * ------------------------------------------------------------ */

static uint8_t *slot_addr(const struct pool *p, unsigned i)
{
	return p->chunk[i / p->per_chunk] +
	       (size_t)(i % p->per_chunk) * p->slot_size;
}

/* The slot whose frame starts at `frame`, or -1. */
static int slot_of(const struct pool *p, const void *frame)
{
	uintptr_t f = (uintptr_t)frame;
	for (unsigned c = 0; c < p->nr_chunks; c++) {
		uintptr_t base = (uintptr_t)p->chunk[c] + FRAME_OFF;
		if (f < base ||
		    f - base >= (uintptr_t)p->per_chunk * p->slot_size)
			continue;
		uintptr_t off = f - base;
		unsigned i = c * p->per_chunk + (unsigned)(off / p->slot_size);
		if (off % p->slot_size || i >= p->count)
			return -1;
		return (int)i;
	}
	return -1;
}

static void pool_free(struct pool *p)
{
	for (unsigned c = 0; p->chunk && c < p->nr_chunks; c++)
		if (p->chunk[c])
			frame_free(virt_to_phys(p->chunk[c]), CHUNK_ORDER);
	kfree(p->chunk);
	p->chunk = NULL;
}

/* `count` slots each holding HDR_OFF + buf_bytes. */
static int pool_init(struct pool *p, unsigned count, size_t buf_bytes)
{
	p->count = count;
	p->slot_size = (unsigned)((HDR_OFF + buf_bytes + SLOT_ALIGN - 1) &
				  ~(size_t)(SLOT_ALIGN - 1));
	p->per_chunk = (unsigned)((PAGE_SIZE << CHUNK_ORDER) / p->slot_size);
	p->nr_chunks = (count + p->per_chunk - 1) / p->per_chunk;
	p->chunk = kzalloc(p->nr_chunks * sizeof(*p->chunk));
	if (!p->chunk)
		return -ENOMEM;
	for (unsigned c = 0; c < p->nr_chunks; c++) {
		uint64_t pa = frame_alloc(CHUNK_ORDER);
		if (!pa) {
			pool_free(p);
			return -ENOMEM;
		}
		p->chunk[c] = phys_to_virt(pa);
	}
	return 0;
}

/* ---- receive
 * ----------------------------------------------------------------------- */

/* Posts receive slot i (rxq.lock held). */
static int rx_post(struct vnet *vn, unsigned i)
{
	struct virtq_seg seg = {virt_to_phys(slot_addr(&vn->rx, i) + HDR_OFF),
				vn->rx_buf_len, true};
	int rc = virtq_add(&vn->rxq.vq, &seg, 1, (void *)(uintptr_t)(i + 1));
	if (rc < 0)
		return rc;
	vn->rx_state[i] = RX_POSTED;
	vn->rx_dry = false;
	return 0;
}

/* Posts slot i again and tells the device (rxq.lock held at entry, released
 * on return with flags f). */
static void rx_repost_unlock(struct vnet *vn, unsigned i, unsigned long f)
{
	bool notify = false;
	if (rx_post(vn, i) == 0) {
		virtq_publish(&vn->rxq.vq);
		notify = virtq_needs_notify(&vn->rxq.vq);
	}
	spin_unlock_irqrestore(&vn->rxq.lock, f);
	if (notify)
		virtio_notify(&vn->rxq);
}

static void vnet_broken(struct vnet *vn, const char *queue)
{
	if (__atomic_exchange_n(&vn->nd.link_up, false, __ATOMIC_ACQ_REL))
		pr_err("virtio-net",
		       "%s: the device broke its %s queue (used "
		       "index ran ahead); the NIC is stopped",
		       vn->nd.name, queue);
}

/* Hands every received frame to the netdev layer; true if there was one. */
static bool rx_poll(struct vnet *vn)
{
	bool worked = false;
	for (;;) {
		void *cookie;
		uint32_t len;
		unsigned long f = spin_lock_irqsave(&vn->rxq.lock);
		int rc = virtq_pop(&vn->rxq.vq, &cookie, &len);
		if (rc == -EAGAIN || rc == -EPIPE) {
			spin_unlock_irqrestore(&vn->rxq.lock, f);
			if (rc == -EPIPE)
				vnet_broken(vn, "receive");
			return worked;
		}
		worked = true;
		/* Every buffer we posted is filled: the device has none
		 * (counted once until a buffer is posted again). */
		if (!vn->rx_dry && virtq_unused(&vn->rxq.vq) == 0) {
			vn->rx_dry = true;
			netdev_stat_add(&vn->nd.stats.rx_no_buffer, 1);
		}
		unsigned i = (unsigned)((uintptr_t)cookie - 1);
		if (cookie)
			vn->rx_state[i] = RX_IDLE;
		if (rc == -EIO || len < HDR_LEN + ETH_HLEN) {
			netdev_stat_add(&vn->nd.stats.rx_errors, 1);
			if (cookie)
				rx_repost_unlock(vn, i, f);
			else
				spin_unlock_irqrestore(&vn->rxq.lock, f);
			continue;
		}
		vn->rx_state[i] = RX_HELD;
		spin_unlock_irqrestore(&vn->rxq.lock, f);
		netdev_deliver(&vn->nd, slot_addr(&vn->rx, i) + FRAME_OFF,
			       len - HDR_LEN);
	}
}

static int vnet_rx_done(struct netdev *nd, void *frame)
{
	struct vnet *vn = nd->priv;
	int i = slot_of(&vn->rx, frame);
	if (i < 0)
		return -EINVAL;
	unsigned long f = spin_lock_irqsave(&vn->rxq.lock);
	if (vn->rx_state[i] != RX_HELD) {
		spin_unlock_irqrestore(&vn->rxq.lock, f);
		return -EINVAL;
	}
	vn->rx_state[i] = RX_IDLE;
	rx_repost_unlock(vn, (unsigned)i, f);
	return 0;
}

/* ---- transmit
 * ----------------------------------------------------------------------- */

/* Takes back every slot the device is done with (txq.lock held). */
static void tx_reclaim(struct vnet *vn)
{
	void *cookie;
	uint32_t len;
	int rc;
	while ((rc = virtq_pop(&vn->txq.vq, &cookie, &len)) != -EAGAIN) {
		if (rc == -EPIPE) {
			vnet_broken(vn, "transmit");
			return;
		}
		if (rc)
			netdev_stat_add(&vn->nd.stats.tx_errors, 1);
		if (cookie)
			vn->tx_free[vn->tx_nfree++] =
			    (uint16_t)((uintptr_t)cookie - 1);
	}
}

static int vnet_xmit(struct netdev *nd, const void *frame, size_t len)
{
	struct vnet *vn = nd->priv;
	int err = 0;
	if (len < ETH_HLEN)
		err = -EINVAL;
	else if (len > ETH_HLEN + nd->mtu)
		err = -E2BIG;
	else if (!__atomic_load_n(&nd->link_up, __ATOMIC_ACQUIRE))
		err = -EHOSTUNREACH;
	if (err) {
		netdev_stat_add(&nd->stats.tx_errors, 1);
		return err;
	}

	unsigned long f = spin_lock_irqsave(&vn->txq.lock);
	if (!vn->tx_nfree)
		tx_reclaim(vn);
	if (!vn->tx_nfree) {
		/* Ask for an interrupt when buffers come back, then look
		 * once more for completions that raced the request. */
		vn->tx_stalled = true;
		virtq_set_interrupts(&vn->txq.vq, true);
		tx_reclaim(vn);
	}
	if (!vn->tx_nfree) {
		spin_unlock_irqrestore(&vn->txq.lock, f);
		netdev_stat_add(&nd->stats.tx_dropped, 1);
		return -EAGAIN;
	}
	unsigned i = vn->tx_free[--vn->tx_nfree];
	uint8_t *s = slot_addr(&vn->tx, i);
	memset(s + HDR_OFF, 0, HDR_LEN);
	memcpy(s + FRAME_OFF, frame, len);
	struct virtq_seg seg = {virt_to_phys(s + HDR_OFF),
				(uint32_t)(HDR_LEN + len), false};
	if (virtq_add(&vn->txq.vq, &seg, 1, (void *)(uintptr_t)(i + 1)) < 0) {
		vn->tx_free[vn->tx_nfree++] = (uint16_t)i;
		spin_unlock_irqrestore(&vn->txq.lock, f);
		netdev_stat_add(&nd->stats.tx_errors, 1);
		return -EIO;
	}
	virtq_publish(&vn->txq.vq);
	bool notify = virtq_needs_notify(&vn->txq.vq);
	spin_unlock_irqrestore(&vn->txq.lock, f);
	if (notify)
		virtio_notify(&vn->txq);
	netdev_stat_add(&nd->stats.tx_frames, 1);
	netdev_stat_add(&nd->stats.tx_bytes, len);
	return 0;
}

/* A sender is waiting for buffers: reclaim and wake it. */
static bool tx_service(struct vnet *vn)
{
	bool wake = false;
	unsigned long f = spin_lock_irqsave(&vn->txq.lock);
	if (vn->tx_stalled) {
		tx_reclaim(vn);
		if (vn->tx_nfree) {
			vn->tx_stalled = false;
			virtq_set_interrupts(&vn->txq.vq, false);
			wake = true;
		}
	}
	spin_unlock_irqrestore(&vn->txq.lock, f);
	if (wake)
		netdev_tx_space(&vn->nd);
	return wake;
}

/* ---- the NIC's thread and interrupts
 * -------------------------------------------- */

static void update_link(struct vnet *vn)
{
	bool up = true;
	if (vn->vd.features & VIRTIO_NET_F_STATUS)
		up = virtio_cfg_read16(&vn->vd, VIRTIO_NET_CFG_STATUS) &
		     VIRTIO_NET_S_LINK_UP;
	netdev_set_link(&vn->nd, up);
}

/* Interrupt context: note what happened and wake the thread. */
static void vnet_irq(struct virtio_dev *vd, int source)
{
	struct vnet *vn = vd->priv;
	netdev_stat_add(&vn->nd.stats.irqs, 1);
	if (source == VIRTIO_IRQ_CONFIG)
		__atomic_store_n(&vn->config_changed, 1, __ATOMIC_RELEASE);
	if (!__atomic_exchange_n(&vn->kicked, 1, __ATOMIC_ACQ_REL))
		sem_up(&vn->work);
}

static void *vnet_thread(void *arg)
{
	struct vnet *vn = arg;
	uint64_t busy_at = clock_ns();
	for (;;) {
		if (!vn->nd.polled)
			sem_down(&vn->work, IRQ_WAIT_NS);
		/* Cleared before looking: a kick from now on comes again. */
		__atomic_store_n(&vn->kicked, 0, __ATOMIC_SEQ_CST);
		if (__atomic_exchange_n(&vn->config_changed, 0,
					__ATOMIC_ACQ_REL) ||
		    (vn->nd.polled &&
		     (virtio_isr(&vn->vd) & VIRTIO_ISR_CONFIG)))
			update_link(vn);
		bool worked = tx_service(vn);
		worked |= rx_poll(vn);
		if (!vn->nd.polled)
			continue;
		if (worked)
			busy_at = clock_ns();
		if (clock_ns() - busy_at < POLL_SPIN_NS)
			thread_yield();
		else
			thread_sleep_ns(POLL_SLEEP_NS);
	}
	return NULL;
}

/* ---- bring-up
 * ------------------------------------------------------------------------- */

/* MAC and MTU from the device configuration, read until consistent. */
static void read_config(struct vnet *vn, uint16_t *dev_mtu)
{
	struct virtio_dev *vd = &vn->vd;
	struct pci_dev *pd = vd->pci;
	uint8_t gen;
	int tries = 0;
	do {
		gen = virtio_cfg_generation(vd);
		for (int i = 0; i < ETH_ALEN; i++)
			vn->nd.mac[i] =
			    virtio_cfg_read8(vd, VIRTIO_NET_CFG_MAC + i);
		*dev_mtu = virtio_cfg_read16(vd, VIRTIO_NET_CFG_MTU);
	} while (gen != virtio_cfg_generation(vd) && ++tries < 100);

	bool zero = !(vn->nd.mac[0] | vn->nd.mac[1] | vn->nd.mac[2] |
		      vn->nd.mac[3] | vn->nd.mac[4] | vn->nd.mac[5]);
	if (!(vd->features & VIRTIO_NET_F_MAC) || zero || (vn->nd.mac[0] & 1)) {
		/* Locally administered, from the PCI address. */
		const uint8_t mac[ETH_ALEN] = {
		    0x02, 0, (uint8_t)pd->seg, pd->bus, pd->dev, pd->fn};
		if (vd->features & VIRTIO_NET_F_MAC)
			pr_warn("virtio-net",
				"%s: device MAC %02x:%02x:%02x:%02x:"
				"%02x:%02x is not a station address; using a "
				"local one",
				vn->where, vn->nd.mac[0], vn->nd.mac[1],
				vn->nd.mac[2], vn->nd.mac[3], vn->nd.mac[4],
				vn->nd.mac[5]);
		memcpy(vn->nd.mac, mac, ETH_ALEN);
	}
	vn->nd.mtu = ETH_MTU_DEFAULT;
	if (vd->features & VIRTIO_NET_F_MTU) {
		if (*dev_mtu < ETH_MTU_MIN)
			pr_warn("virtio-net",
				"%s: device MTU %u is below %u; "
				"using %u",
				vn->where, *dev_mtu, ETH_MTU_MIN,
				ETH_MTU_DEFAULT);
		else
			vn->nd.mtu =
			    *dev_mtu < ETH_MTU_JUMBO ? *dev_mtu : ETH_MTU_JUMBO;
	}
}

/* Queues, buffer pools, posted receive buffers. */
static int setup_rings(struct vnet *vn)
{
	int rc = virtio_queue_init(&vn->vd, &vn->rxq, VIRTIO_NET_RXQ,
				   VNET_QUEUE_MAX);
	if (rc)
		return rc;
	rc = virtio_queue_init(&vn->vd, &vn->txq, VIRTIO_NET_TXQ,
			       VNET_QUEUE_MAX);
	if (rc)
		return rc;
	vn->rx_buf_len =
	    (uint32_t)(HDR_LEN + ETH_HLEN + VLAN_HLEN + vn->nd.mtu);
	if ((rc = pool_init(&vn->rx, vn->rxq.size, vn->rx_buf_len)) ||
	    (rc = pool_init(&vn->tx, vn->txq.size,
			    HDR_LEN + ETH_HLEN + vn->nd.mtu)))
		return rc;
	vn->rx_state = kzalloc(vn->rx.count);
	vn->tx_free = kmalloc(vn->tx.count * sizeof(uint16_t));
	if (!vn->rx_state || !vn->tx_free)
		return -ENOMEM;
	for (unsigned i = 0; i < vn->tx.count; i++)
		vn->tx_free[i] = (uint16_t)i;
	vn->tx_nfree = vn->tx.count;
	for (unsigned i = 0; i < vn->rx.count; i++)
		if ((rc = rx_post(vn, i)))
			return rc;
	virtq_publish(&vn->rxq.vq);
	virtq_set_interrupts(&vn->txq.vq, false);
	vn->nd.rx_buffers = vn->rx.count;
	return 0;
}

static void free_rings(struct vnet *vn)
{
	pool_free(&vn->rx);
	pool_free(&vn->tx);
	kfree(vn->rx_state);
	kfree(vn->tx_free);
	virtio_queue_free(&vn->rxq);
	virtio_queue_free(&vn->txq);
}

static int vnet_probe(struct pci_dev *pd)
{
	char err[200];
	uint16_t dev_mtu;
	int rc;
	struct vnet *vn = kzalloc(sizeof(*vn));
	if (!vn)
		return -ENOMEM;
	pci_name(pd, vn->where, sizeof(vn->where));
	rc = virtio_pci_open(pd, &vn->vd, err, sizeof(err));
	if (rc)
		goto fail_log;
	vn->vd.priv = vn;
	rc = virtio_negotiate(&vn->vd, VIRTIO_NET_FEATURES, err, sizeof(err));
	if (rc)
		goto fail_dev_log;
	netdev_init(&vn->nd);
	vn->nd.ops = &vnet_ops;
	vn->nd.priv = vn;
	read_config(vn, &dev_mtu);
	sem_init(&vn->work, 0);
	vn->nd.polled = virtio_setup_irqs(&vn->vd, 2, vnet_irq) != 0;
	rc = setup_rings(vn);
	if (rc) {
		ksnprintf(err, sizeof(err),
			  "%s: setting up the "
			  "queues failed (%d)",
			  vn->where, rc);
		goto fail_rings;
	}
	virtio_driver_ok(&vn->vd);
	update_link(vn);
	virtio_notify(&vn->rxq);
	rc = netdev_register(&vn->nd);
	if (rc) {
		ksnprintf(err, sizeof(err),
			  "%s: cannot register "
			  "the NIC (%d)",
			  vn->where, rc);
		goto fail_rings;
	}
	/* Registered: vn stays even if the thread cannot start. */
	/* A polling thread shares the CPU round-robin with ordinary work. */
	if (!thread_create("virtio-net", vnet_thread, vn,
			   vn->nd.polled ? PRIO_DEFAULT : VNET_PRIO)) {
		pr_err("virtio-net",
		       "%s: out of memory for its thread; the NIC "
		       "is stopped",
		       vn->nd.name);
		virtio_fail(&vn->vd);
		netdev_set_link(&vn->nd, false);
		return -ENOMEM;
	}
	pr_info("virtio-net",
		"%s at %s: mac %02x:%02x:%02x:%02x:%02x:%02x mtu %u "
		"link %s, %s, rx %u tx %u buffers",
		vn->nd.name, vn->where, vn->nd.mac[0], vn->nd.mac[1],
		vn->nd.mac[2], vn->nd.mac[3], vn->nd.mac[4], vn->nd.mac[5],
		vn->nd.mtu, vn->nd.link_up ? "up" : "down",
		vn->nd.polled ? "polled (no MSI-X)" : "msi-x", vn->rx.count,
		vn->tx.count);
	return 0;

fail_rings:
	virtio_fail(&vn->vd);
	free_rings(vn);
	goto fail_log;
fail_dev_log:
	virtio_fail(&vn->vd);
fail_log:
	pr_err("virtio-net", "%s", err);
	kfree(vn);
	return rc;
}

static const struct netdev_ops vnet_ops = {
    .xmit = vnet_xmit,
    .rx_done = vnet_rx_done,
};

struct virtio_dev *virtio_net_dev(struct netdev *nd)
{
	return nd && nd->ops == &vnet_ops ? &((struct vnet *)nd->priv)->vd
					  : NULL;
}

static bool is_virtio_net(const struct pci_dev *pd)
{
	return pd->device == VIRTIO_PCI_ID_TRANS_NET ||
	       pd->device == VIRTIO_PCI_ID_MODERN_BASE + VIRTIO_ID_NET;
}

static int virtio_net_init(void)
{
	for (struct pci_dev *pd = NULL;
	     (pd = pci_find(VIRTIO_PCI_VENDOR, 0x1000, 0x107f, pd));)
		if (is_virtio_net(pd) && !pci_claim(pd, "virtio-net"))
			vnet_probe(pd);
	return 0;
}
INITCALL(INIT_DEVICES, virtio_net_init);
