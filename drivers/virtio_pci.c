/*
 * drivers/virtio_pci.c — the virtio 1.0 PCI transport: capabilities,
 * status handshake, feature negotiation, queue set-up, notification and
 * MSI-X interrupts (see virtio.h).
 */
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/trap.h"
#include "drivers/virtio.h"
#include "kernel/errno.h"
#include "kernel/kstring.h"
#include "kernel/percpu.h"
#include "kernel/time.h"
#include "mm/frame.h"
#include "mm/vm.h"

/* virtio-pci capability (virtio 1.0 section 4.1.4). */
#define CAP_LEN		2
#define CAP_CFG_TYPE	3
#define CAP_BAR		4
#define CAP_OFFSET	8
#define CAP_LENGTH	12
#define CAP_NOTIFY_MULT 16
#define CFG_COMMON	1
#define CFG_NOTIFY	2
#define CFG_ISR		3
#define CFG_DEVICE	4

#define RESET_TIMEOUT_NS NSEC_PER_SEC

/* Which device and source each MSI-X vector stands for; written before the
 * entry is unmasked, constant after. */
static struct {
	struct virtio_dev *vd;
	int source;
} vec_map[256];

static void virtio_msix_handler(struct trap_frame *tf)
{
	uint8_t v = (uint8_t)tf->vector;
	struct virtio_dev *vd = vec_map[v].vd;
	if (vd && vd->irq)
		vd->irq(vd, vec_map[v].source);
}

struct cap_loc {
	bool found;
	uint8_t bar;
	uint32_t off, len;
};

static const char *const cap_names[] = {"", "common", "notify", "ISR",
					"device"};

/* Maps a capability's region: NULL with the reason in err. */
static volatile uint8_t *map_cap(struct pci_dev *pd, const struct cap_loc *c,
				 int type, uint32_t min_len, char *err,
				 size_t errlen)
{
	char name[16];
	pci_name(pd, name, sizeof(name));
	if (!c->found) {
		ksnprintf(err, errlen,
			  "%s has no %s configuration "
			  "capability",
			  name, cap_names[type]);
		return NULL;
	}
	const struct pci_bar *b = &pd->bar[c->bar];
	if (c->len < min_len || b->type == PCI_BAR_NONE ||
	    b->type == PCI_BAR_IO || c->off >= b->size ||
	    c->len > b->size - c->off) {
		ksnprintf(err, errlen,
			  "%s: the %s capability (BAR%u "
			  "offset 0x%x length %u) is not a memory region of at "
			  "least %u bytes inside its BAR",
			  name, cap_names[type], c->bar, c->off, c->len,
			  min_len);
		return NULL;
	}
	volatile uint8_t *p = pci_map_bar(pd, c->bar, c->off, c->len);
	if (!p)
		ksnprintf(err, errlen,
			  "%s: BAR%u is unassigned or "
			  "cannot be mapped",
			  name, c->bar);
	return p;
}

void virtio_reset(struct virtio_dev *vd)
{
	vd->common->device_status = 0;
	uint64_t t0 = clock_ns();
	while (vd->common->device_status != 0 &&
	       clock_ns() - t0 < RESET_TIMEOUT_NS)
		arch_cpu_relax();
}

uint8_t virtio_status(struct virtio_dev *vd)
{
	return vd->common->device_status;
}

static void set_status(struct virtio_dev *vd, uint8_t bits)
{
	vd->common->device_status = (uint8_t)(vd->common->device_status | bits);
}

int virtio_pci_open(struct pci_dev *pd, struct virtio_dev *vd, char *err,
		    size_t errlen)
{
	struct cap_loc caps[CFG_DEVICE + 1] = {0};
	uint32_t mult = 0;
	char name[16];

	memset(vd, 0, sizeof(*vd));
	vd->pci = pd;
	pci_name(pd, name, sizeof(name));
	for (uint8_t c = pci_find_cap(pd, PCI_CAP_VENDOR, 0); c;
	     c = pci_find_cap(pd, PCI_CAP_VENDOR, c)) {
		uint8_t type = pci_read8(pd, c + CAP_CFG_TYPE);
		uint8_t bar = pci_read8(pd, c + CAP_BAR);
		uint8_t clen = pci_read8(pd, c + CAP_LEN);
		/* The first usable capability of each type counts. */
		if (type < CFG_COMMON || type > CFG_DEVICE ||
		    caps[type].found || bar >= PCI_NR_BARS || clen < 16 ||
		    (type == CFG_NOTIFY && clen < 20))
			continue;
		if (type == CFG_NOTIFY)
			mult = pci_read32(pd, c + CAP_NOTIFY_MULT);
		caps[type] =
		    (struct cap_loc){true, bar, pci_read32(pd, c + CAP_OFFSET),
				     pci_read32(pd, c + CAP_LENGTH)};
	}
	if (!caps[CFG_COMMON].found && !caps[CFG_NOTIFY].found &&
	    !caps[CFG_ISR].found) {
		ksnprintf(
		    err, errlen,
		    "%s (%04x:%04x) is a legacy-only "
		    "virtio device (no virtio 1.0 capabilities); Unum drives "
		    "virtio 1.0 devices only (QEMU: drop disable-modern=on)",
		    name, pd->vendor, pd->device);
		return -ENODEV;
	}
	pci_command(pd, PCI_CMD_MEM | PCI_CMD_MASTER, 0);
	vd->common = (volatile void *)map_cap(
	    pd, &caps[CFG_COMMON], CFG_COMMON,
	    sizeof(struct virtio_pci_common_cfg), err, errlen);
	if (!vd->common)
		return -ENODEV;
	vd->notify_base =
	    map_cap(pd, &caps[CFG_NOTIFY], CFG_NOTIFY, 2, err, errlen);
	if (!vd->notify_base)
		return -ENODEV;
	vd->notify_mult = mult;
	vd->notify_len = caps[CFG_NOTIFY].len;
	vd->isr = map_cap(pd, &caps[CFG_ISR], CFG_ISR, 1, err, errlen);
	if (!vd->isr)
		return -ENODEV;
	if (caps[CFG_DEVICE].found && caps[CFG_DEVICE].len) {
		vd->device_cfg =
		    map_cap(pd, &caps[CFG_DEVICE], CFG_DEVICE, 1, err, errlen);
		if (!vd->device_cfg)
			return -ENODEV;
		vd->device_cfg_len = caps[CFG_DEVICE].len;
	}
	virtio_reset(vd);
	if (vd->common->device_status != 0) {
		ksnprintf(err, errlen, "%s did not reset within 1 s", name);
		return -EIO;
	}
	set_status(vd, VIRTIO_STATUS_ACKNOWLEDGE);
	set_status(vd, VIRTIO_STATUS_DRIVER);
	return 0;
}

int virtio_negotiate(struct virtio_dev *vd, uint64_t wanted, char *err,
		     size_t errlen)
{
	volatile struct virtio_pci_common_cfg *c = vd->common;
	char name[16];
	pci_name(vd->pci, name, sizeof(name));

	c->device_feature_select = 0;
	uint64_t dev = c->device_feature;
	c->device_feature_select = 1;
	dev |= (uint64_t)c->device_feature << 32;
	if (!(dev & VIRTIO_F_VERSION_1)) {
		set_status(vd, VIRTIO_STATUS_FAILED);
		ksnprintf(
		    err, errlen,
		    "%s offers no VIRTIO_F_VERSION_1 "
		    "(features 0x%lx): a legacy device; Unum drives virtio "
		    "1.0 devices only",
		    name, dev);
		return -ENODEV;
	}
	vd->features = dev & (wanted | VIRTIO_F_VERSION_1);
	c->driver_feature_select = 0;
	c->driver_feature = (uint32_t)vd->features;
	c->driver_feature_select = 1;
	c->driver_feature = (uint32_t)(vd->features >> 32);
	set_status(vd, VIRTIO_STATUS_FEATURES_OK);
	if (!(c->device_status & VIRTIO_STATUS_FEATURES_OK)) {
		set_status(vd, VIRTIO_STATUS_FAILED);
		ksnprintf(err, errlen, "%s refused the features 0x%lx", name,
			  vd->features);
		return -EIO;
	}
	return 0;
}

int virtio_setup_irqs(struct virtio_dev *vd, unsigned nr_queues,
		      virtio_irq_fn fn)
{
	struct pci_dev *pd = vd->pci;
	int n = pci_msix_enable(pd);
	if (n < 0)
		return -ENOTSUP;
	if ((unsigned)n < nr_queues + 1) {
		pci_msix_disable(pd);
		return -ENOTSUP;
	}
	vd->irq = fn;
	uint32_t apic = cpus[0]->apic_id;
	for (unsigned i = 0; i <= nr_queues; i++) {
		/* Vectors are never given back (trap.h has no free): a
		 * failure here leaks the ones already taken. */
		int v = trap_alloc_vector(virtio_msix_handler);
		if (v < 0) {
			pci_msix_disable(pd);
			return -ENOSPC;
		}
		vec_map[v].vd = vd;
		vec_map[v].source = i == 0 ? VIRTIO_IRQ_CONFIG : (int)i - 1;
		if (pci_msix_set(pd, i, (uint8_t)v, apic)) {
			pci_msix_disable(pd);
			return -ENOTSUP;
		}
	}
	vd->common->msix_config = 0;
	if (vd->common->msix_config != 0) {
		pci_msix_disable(pd);
		return -ENOTSUP;
	}
	vd->msix = true;
	vd->msix_vectors = (uint16_t)(nr_queues + 1);
	return 0;
}

static unsigned order_for(size_t bytes)
{
	unsigned order = 0;
	while ((PAGE_SIZE << order) < bytes)
		order++;
	return order;
}

int virtio_queue_init(struct virtio_dev *vd, struct virtio_queue *q,
		      uint16_t index, uint16_t max_size)
{
	volatile struct virtio_pci_common_cfg *c = vd->common;
	struct virtq_layout l;

	if (max_size == 0 || max_size > VIRTQ_MAX_SIZE)
		return -EINVAL;
	if (index >= c->num_queues)
		return -ENOENT;
	c->queue_select = index;
	uint16_t size = c->queue_size;
	if (size == 0)
		return -ENOENT;
	if (size > max_size)
		size = max_size;
	while (size & (size - 1)) /* round down to a power of two */
		size &= (uint16_t)(size - 1);
	virtq_layout(size, &l);
	unsigned order = order_for(l.total);
	uint64_t pa = frame_alloc(order);
	if (!pa)
		return -ENOMEM;
	memset(q, 0, sizeof(*q));
	spin_lock_init(&q->lock);
	virtq_init(&q->vq, size, phys_to_virt(pa));
	q->vd = vd;
	q->index = index;
	q->size = size;
	q->ring_pa = pa;
	q->ring_order = order;

	c->queue_size = size;
	c->queue_desc_lo = (uint32_t)(pa + l.desc_off);
	c->queue_desc_hi = (uint32_t)((pa + l.desc_off) >> 32);
	c->queue_driver_lo = (uint32_t)(pa + l.avail_off);
	c->queue_driver_hi = (uint32_t)((pa + l.avail_off) >> 32);
	c->queue_device_lo = (uint32_t)(pa + l.used_off);
	c->queue_device_hi = (uint32_t)((pa + l.used_off) >> 32);
	uint16_t vec = vd->msix ? (uint16_t)(index + 1) : VIRTIO_MSI_NO_VECTOR;
	c->queue_msix_vector = vec;
	uint64_t noff = (uint64_t)c->queue_notify_off * vd->notify_mult;
	if (c->queue_msix_vector != vec || noff + 2 > vd->notify_len) {
		frame_free(pa, order);
		q->ring_pa = 0;
		return -EIO;
	}
	q->notify = (volatile uint16_t *)(vd->notify_base + noff);
	c->queue_enable = 1;
	return 0;
}

void virtio_queue_free(struct virtio_queue *q)
{
	if (q->ring_pa)
		frame_free(q->ring_pa, q->ring_order);
	q->ring_pa = 0;
}

void virtio_driver_ok(struct virtio_dev *vd)
{
	set_status(vd, VIRTIO_STATUS_DRIVER_OK);
}

void virtio_fail(struct virtio_dev *vd)
{
	set_status(vd, VIRTIO_STATUS_FAILED);
	virtio_reset(vd);
	if (vd->msix)
		pci_msix_disable(vd->pci);
	vd->msix = false;
	for (int v = 0; v < 256; v++)
		if (vec_map[v].vd == vd)
			vec_map[v].vd = NULL;
}

void virtio_notify(struct virtio_queue *q)
{
	*q->notify = q->index;
}

uint8_t virtio_isr(struct virtio_dev *vd)
{
	return *vd->isr;
}

uint8_t virtio_cfg_generation(struct virtio_dev *vd)
{
	return vd->common->config_generation;
}

uint8_t virtio_cfg_read8(struct virtio_dev *vd, uint32_t off)
{
	if (!vd->device_cfg || off >= vd->device_cfg_len)
		return 0;
	return *(volatile uint8_t *)(vd->device_cfg + off);
}

uint16_t virtio_cfg_read16(struct virtio_dev *vd, uint32_t off)
{
	if (!vd->device_cfg || (off & 1) || off + 2 > vd->device_cfg_len)
		return 0;
	return *(volatile uint16_t *)(vd->device_cfg + off);
}

uint32_t virtio_cfg_read32(struct virtio_dev *vd, uint32_t off)
{
	if (!vd->device_cfg || (off & 3) || off + 4 > vd->device_cfg_len)
		return 0;
	return *(volatile uint32_t *)(vd->device_cfg + off);
}
