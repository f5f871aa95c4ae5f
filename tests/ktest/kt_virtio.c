/*
 * tests/ktest/kt_virtio.c — PCI and virtio-net bring-up under the QEMU set-up
 * of tests/qemu/net-loopback: two virtio-net NICs (MACs 52:54:00:00:00:01
 * and :02) on one hub, and QEMU's "edu" test device for MSI and INTx.
 * Checks the configuration mechanism (ports on -M pc, ECAM on -M q35),
 * enumeration and BARs, config-space bounds, the capability walk, MSI
 * delivery and polled INTx, what the NICs read from their devices, and
 * (with the host's help) a link going down and up.
 * Traffic tests: kt_virtio_io.c. Excluded from plain runs ("-virtio.*").
 */
#include "arch/x86_64/acpi.h"
#include "arch/x86_64/trap.h"
#include "drivers/netdev.h"
#include "drivers/pci.h"
#include "drivers/virtio_net.h"
#include "kernel/errno.h"
#include "kernel/kstring.h"
#include "kernel/ktest.h"
#include "kernel/log.h"
#include "kernel/percpu.h"
#include "kernel/thread.h"
#include "kernel/time.h"

#define EDU_VENDOR     0x1234
#define EDU_DEVICE     0x11e8
#define EDU_IDENT      0x00
#define EDU_LIVENESS   0x04
#define EDU_IRQ_STATUS 0x24
#define EDU_IRQ_RAISE  0x60
#define EDU_IRQ_ACK    0x64

static struct pci_dev *find_one(struct ktest_ctx *ctx, uint16_t vendor,
				uint16_t lo, uint16_t hi, const char *what)
{
	struct pci_dev *d = pci_find(vendor, lo, hi, NULL);
	if (!d) {
		ktest_fail(ctx, __FILE__, __LINE__,
			   "no %s on the PCI bus (run "
			   "under tests/qemu/net-loopback)",
			   what);
		ktest_abort(ctx);
	}
	return d;
}

KTEST(virtio, pci_mechanism_matches_mcfg)
{
	char err[160];
	bool mcfg = kernel_acpi_ok && acpi_find(&kernel_acpi, "MCFG", 0, err,
						sizeof(err)) != NULL;
	KT_EQ(pci_cfg_mechanism(), mcfg ? PCI_CFG_ECAM : PCI_CFG_PORTIO);
	struct pci_dev *host = pci_get(0);
	KT_ASSERT(host);
	KT_EQ(host->bus, 0);
	KT_EQ(host->dev, 0);
	KT_EQ(host->class_code, 0x06);		     /* bridge */
	KT_EQ(host->subclass, 0x00);		     /* host bridge */
	KT_EQ(host->device, mcfg ? 0x29c0 : 0x1237); /* q35 MCH, i440FX */
	KT_ASSERT(pci_get(pci_count()) == NULL);
	KT_ASSERT(pci_get(-1) == NULL);
}

KTEST(virtio, pci_nics_and_bars)
{
	int n = 0;
	for (struct pci_dev *d = NULL;
	     (d = pci_find(VIRTIO_PCI_VENDOR, 0x1000, 0x107f, d));) {
		KT_ASSERT(d->device == 0x1000 || d->device == 0x1041);
		KT_EQ(d->class_code, 0x02); /* network */
		KT_ASSERT(d->driver && !strcmp(d->driver, "virtio-net"));
		KT_EQ(pci_claim(d, "other"), -EBUSY);
		/* QEMU: BAR1 4 KiB (the MSI-X table; absent with
		 * vectors=0), BAR4 16 KiB 64-bit prefetchable (the virtio
		 * 1.0 regions). */
		if (d->msix_cap) {
			KT_EQ(d->bar[1].type, PCI_BAR_MEM32);
			KT_EQ(d->bar[1].size, 4096);
			KT_ASSERT(d->bar[1].base != 0);
			KT_EQ(d->bar[1].base & 4095, 0);
		} else {
			KT_EQ(d->bar[1].type, PCI_BAR_NONE);
		}
		KT_EQ(d->bar[4].type, PCI_BAR_MEM64);
		KT_EQ(d->bar[4].prefetch, 1);
		KT_EQ(d->bar[4].size, 16384);
		KT_ASSERT(d->bar[4].base != 0);
		KT_EQ(d->bar[4].base & 16383, 0);
		KT_EQ(d->bar[5].type, PCI_BAR_NONE); /* upper half of BAR4 */
		n++;
	}
	KT_EQ(n, 2);
	struct pci_dev *edu =
	    find_one(ctx, EDU_VENDOR, EDU_DEVICE, EDU_DEVICE, "edu device");
	KT_EQ(edu->bar[0].type, PCI_BAR_MEM32);
	KT_EQ(edu->bar[0].size, 1u << 20);
	KT_ASSERT(edu->bar[0].base != 0);
	KT_EQ(edu->bar[0].base & ((1u << 20) - 1), 0);
	KT_ASSERT(pci_map_bar(edu, 0, 0, (1u << 20) + 1) == NULL);
	KT_ASSERT(pci_map_bar(edu, 0, 1u << 20, 1) == NULL);
	KT_ASSERT(pci_map_bar(edu, 1, 0, 4096) == NULL); /* unimplemented */
	KT_ASSERT(pci_map_bar(edu, 6, 0, 4096) == NULL);
}

KTEST(virtio, pci_config_bounds_and_command)
{
	struct pci_dev *edu =
	    find_one(ctx, EDU_VENDOR, EDU_DEVICE, EDU_DEVICE, "edu device");
	KT_EQ(pci_read16(edu, PCI_VENDOR_ID), EDU_VENDOR);
	KT_EQ(pci_read32(edu, 0), (uint32_t)EDU_DEVICE << 16 | EDU_VENDOR);
	KT_EQ(pci_read8(edu, 1), EDU_VENDOR >> 8);
	KT_EQ(pci_read32(edu, 2), 0xffffffffu); /* misaligned */
	KT_EQ(pci_read16(edu, 1), 0xffff);
	KT_EQ(pci_read8(edu, 4096), 0xff); /* past every mechanism */
	if (pci_cfg_mechanism() == PCI_CFG_PORTIO)
		KT_EQ(pci_read32(edu, 256), 0xffffffffu);
	pci_write32(edu, 2, 0); /* misaligned: ignored */
	KT_EQ(pci_read16(edu, PCI_VENDOR_ID), EDU_VENDOR);

	uint16_t cmd = pci_read16(edu, PCI_COMMAND);
	pci_command(edu, PCI_CMD_MASTER, 0);
	KT_EQ(pci_read16(edu, PCI_COMMAND), cmd | PCI_CMD_MASTER);
	pci_command(edu, 0, PCI_CMD_MASTER);
	KT_EQ(pci_read16(edu, PCI_COMMAND), cmd & ~PCI_CMD_MASTER);
	pci_write16(edu, PCI_COMMAND, cmd);
}

KTEST(virtio, pci_capability_walk)
{
	struct pci_dev *nic =
	    find_one(ctx, VIRTIO_PCI_VENDOR, 0x1000, 0x107f, "virtio NIC");
	unsigned types = 0, n = 0;
	for (uint8_t c = pci_find_cap(nic, PCI_CAP_VENDOR, 0); c;
	     c = pci_find_cap(nic, PCI_CAP_VENDOR, c)) {
		KT_ASSERT(c >= 0x40);
		KT_EQ(pci_read8(nic, c), PCI_CAP_VENDOR);
		types |= 1u << pci_read8(nic, c + 3);
		KT_ASSERT(++n <= 8);
	}
	/* common, notify, ISR, device, PCI config access: one each. */
	KT_EQ(n, 5);
	KT_EQ(types, 0x3e);
	/* QEMU drops MSI-X with vectors=0 (the polled set-up). */
	KT_EQ(pci_find_cap(nic, PCI_CAP_MSIX, 0), nic->msix_cap);
	if (nic->msix_cap)
		KT_EQ(pci_find_cap(nic, PCI_CAP_MSIX, nic->msix_cap), 0);
	KT_EQ(pci_find_cap(nic, 0x7f, 0), 0);
	KT_EQ(nic->msi_cap, 0);
	struct pci_dev *edu =
	    find_one(ctx, EDU_VENDOR, EDU_DEVICE, EDU_DEVICE, "edu device");
	KT_ASSERT(edu->msi_cap != 0);
	KT_EQ(edu->msix_cap, 0);
}

static int edu_vec = -1;
static uint64_t edu_irqs;

static void edu_irq(struct trap_frame *tf)
{
	(void)tf;
	__atomic_fetch_add(&edu_irqs, 1, __ATOMIC_RELAXED);
}

static bool wait_irqs(uint64_t n)
{
	uint64_t t0 = clock_ns();
	while (__atomic_load_n(&edu_irqs, __ATOMIC_RELAXED) < n)
		if (clock_ns() - t0 > NSEC_PER_SEC)
			return false;
		else
			thread_yield();
	return true;
}

KTEST(virtio, pci_msi_and_polled_intx)
{
	struct pci_dev *edu =
	    find_one(ctx, EDU_VENDOR, EDU_DEVICE, EDU_DEVICE, "edu device");
	struct pci_dev *nic =
	    find_one(ctx, VIRTIO_PCI_VENDOR, 0x1000, 0x107f, "virtio NIC");
	pci_command(edu, PCI_CMD_MEM, 0);
	volatile uint32_t *r = pci_map_bar(edu, 0, 0, 4096);
	KT_ASSERT(r);
	KT_EQ(r[EDU_IDENT / 4], 0x010000ed);
	r[EDU_LIVENESS / 4] = 0x12345678;
	KT_EQ(r[EDU_LIVENESS / 4], ~0x12345678u);

	if (edu_vec < 0)
		edu_vec = trap_alloc_vector(edu_irq);
	KT_ASSERT(edu_vec >= VEC_DEV_FIRST);
	KT_EQ(pci_msi_enable(edu, (uint8_t)edu_vec, 256), -ERANGE);
	KT_EQ(pci_msi_enable(nic, (uint8_t)edu_vec, 0), -ENOENT);
	KT_EQ(pci_msix_enable(edu), -ENOENT);
	KT_EQ(pci_msix_set(edu, 0, (uint8_t)edu_vec, 0), -EINVAL);

	/* MSI: each raise is one message. */
	KT_EQ(pci_msi_enable(edu, (uint8_t)edu_vec, cpus[0]->apic_id), 0);
	KT_EQ(edu->irq_mode, PCI_IRQ_MSI);
	uint64_t before = __atomic_load_n(&edu_irqs, __ATOMIC_RELAXED);
	for (uint64_t i = 1; i <= 3; i++) {
		r[EDU_IRQ_RAISE / 4] = 0x5;
		KT_ASSERT(wait_irqs(before + i));
		KT_EQ(r[EDU_IRQ_STATUS / 4], 0x5);
		r[EDU_IRQ_ACK / 4] = 0x5;
		KT_EQ(r[EDU_IRQ_STATUS / 4], 0);
	}
	KT_EQ(edu_irqs, before + 3);
	KT_ASSERT(!pci_intx_pending(edu)); /* MSI does not assert INTx */

	/* INTx, polled through the status register; no vector fires. */
	pci_intx_enable(edu, true);
	KT_EQ(edu->irq_mode, PCI_IRQ_INTX);
	KT_EQ(pci_read16(edu, PCI_COMMAND) & PCI_CMD_INTX_DISABLE, 0);
	KT_ASSERT(!pci_intx_pending(edu));
	r[EDU_IRQ_RAISE / 4] = 0x1;
	KT_ASSERT(pci_intx_pending(edu));
	r[EDU_IRQ_ACK / 4] = 0x1;
	KT_ASSERT(!pci_intx_pending(edu));
	KT_EQ(edu_irqs, before + 3);
	pci_intx_enable(edu, false);
	KT_EQ(edu->irq_mode, PCI_IRQ_NONE);
}

static struct netdev *nic(struct ktest_ctx *ctx, int i)
{
	struct netdev *nd = netdev_get(i);
	if (!nd || !virtio_net_dev(nd)) {
		ktest_fail(
		    ctx, __FILE__, __LINE__,
		    "needs two virtio-net NICs "
		    "(run under tests/qemu/net-loopback); have %d NIC(s)",
		    netdev_count());
		ktest_abort(ctx);
	}
	return nd;
}

KTEST(virtio, nic_mac_mtu_link_features)
{
	KT_EQ(netdev_count(), 2);
	KT_ASSERT(netdev_get(2) == NULL);
	for (int i = 0; i < 2; i++) {
		struct netdev *nd = nic(ctx, i);
		struct virtio_dev *vd = virtio_net_dev(nd);
		char name[8];
		ksnprintf(name, sizeof(name), "eth%d", i);
		KT_ASSERT(!strcmp(nd->name, name));
		KT_EQ(nd->index, i);
		const uint8_t mac[ETH_ALEN] = {0x52, 0x54, 0,
					       0,    0,	   (uint8_t)(i + 1)};
		KT_EQ(memcmp(nd->mac, mac, ETH_ALEN), 0);
		/* Exactly the features asked for that the device has. */
		KT_ASSERT(vd->features & VIRTIO_F_VERSION_1);
		KT_ASSERT(vd->features & VIRTIO_NET_F_MAC);
		KT_ASSERT(vd->features & VIRTIO_NET_F_STATUS);
		KT_EQ(vd->features &
			  ~(VIRTIO_F_VERSION_1 | VIRTIO_NET_FEATURES),
		      0);
		uint32_t want = ETH_MTU_DEFAULT;
		if (vd->features & VIRTIO_NET_F_MTU) {
			uint16_t dev =
			    virtio_cfg_read16(vd, VIRTIO_NET_CFG_MTU);
			want = dev < ETH_MTU_JUMBO ? dev : ETH_MTU_JUMBO;
		}
		KT_EQ(nd->mtu, want);
		KT_ASSERT(nd->link_up);
		KT_EQ(virtio_cfg_read16(vd, VIRTIO_NET_CFG_STATUS) &
			  VIRTIO_NET_S_LINK_UP,
		      VIRTIO_NET_S_LINK_UP);
		KT_EQ(virtio_status(vd),
		      VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |
			  VIRTIO_STATUS_FEATURES_OK | VIRTIO_STATUS_DRIVER_OK);
		/* MSI-X when the device has room for config + 2 queues. */
		bool msix =
		    vd->pci->msix_cap &&
		    (pci_read16(vd->pci, vd->pci->msix_cap + 2) & 0x7ff) >= 2;
		KT_EQ(nd->polled, !msix);
		KT_EQ(vd->pci->irq_mode, msix ? PCI_IRQ_MSIX : PCI_IRQ_NONE);
		KT_EQ(nd->rx_buffers, 256);
		/* Out-of-range config reads give 0, not a fault. */
		KT_EQ(virtio_cfg_read32(vd, 0xfffffff0u), 0);
		KT_EQ(virtio_cfg_read16(vd, 1), 0);
	}
}

static bool wait_link(struct netdev *nd, bool up, uint64_t timeout_ns)
{
	uint64_t t0 = clock_ns();
	while (__atomic_load_n(&nd->link_up, __ATOMIC_ACQUIRE) != up)
		if (clock_ns() - t0 > timeout_ns)
			return false;
		else
			thread_sleep_ns(NSEC_PER_MSEC);
	return true;
}

/*
 * Needs the host to take eth1's link down and up again (QEMU monitor
 * "set_link", done by tests/qemu/net-loopback's link cases when it sees
 * the lines below); the other cases leave it out ("-virtio.link_*").
 */
KTEST(virtio, link_down_and_up)
{
	struct netdev *a = nic(ctx, 0), *b = nic(ctx, 1);
	struct netdev_stats s0, s1, r0, r1;
	static uint8_t frame[60];
	memcpy(frame, a->mac, ETH_ALEN);
	memcpy(frame + ETH_ALEN, b->mac, ETH_ALEN);
	frame[12] = 0x88;
	frame[13] = 0xb6;
	KT_ASSERT(b->link_up);
	netdev_get_stats(b, &s0);
	kprintf("ktest: virtio.link: waiting for eth1's link to go down\n");
	KT_ASSERT(wait_link(b, false, 60 * NSEC_PER_SEC));
	KT_EQ(virtio_cfg_read16(virtio_net_dev(b), VIRTIO_NET_CFG_STATUS) &
		  VIRTIO_NET_S_LINK_UP,
	      0);
	KT_EQ(netdev_xmit(b, frame, sizeof(frame)), -EHOSTUNREACH);
	KT_EQ(netdev_xmit_wait(b, frame, sizeof(frame), NSEC_PER_MSEC),
	      -EHOSTUNREACH);
	netdev_get_stats(b, &s1);
	KT_EQ(s1.tx_errors - s0.tx_errors, 2);
	KT_EQ(s1.tx_frames, s0.tx_frames);
	if (!b->polled) /* the change came as a configuration interrupt */
		KT_ASSERT(s1.irqs > s0.irqs);
	KT_ASSERT(a->link_up); /* only eth1's */
	kprintf("ktest: virtio.link: down; waiting for it to come up\n");
	KT_ASSERT(wait_link(b, true, 60 * NSEC_PER_SEC));
	netdev_get_stats(a, &r0);
	KT_EQ(netdev_xmit(b, frame, sizeof(frame)), 0);
	uint64_t t0 = clock_ns();
	do {
		netdev_get_stats(a, &r1);
		if (r1.rx_frames > r0.rx_frames)
			break;
		thread_sleep_ns(NSEC_PER_MSEC);
	} while (clock_ns() - t0 < NSEC_PER_SEC);
	KT_EQ(r1.rx_frames - r0.rx_frames, 1);
	KT_EQ(r1.rx_bytes - r0.rx_bytes, sizeof(frame));
}
