/*
 * drivers/virtio.h — the virtio 1.0 PCI transport ("modern" devices):
 * the virtio-pci capabilities (common, notify, ISR and device
 * configuration), the status handshake, feature negotiation, split
 * virtqueues (drivers/virtq.h) and interrupts: one MSI-X vector per queue
 * plus one for configuration changes when the device has MSI-X, else the
 * driver polls.
 *
 * Legacy-only (virtio 0.9.5) devices are refused with a message saying so.
 *
 * A driver's bring-up: virtio_pci_open, virtio_negotiate, read the device
 * configuration, virtio_setup_irqs, virtio_queue_init per queue, post
 * buffers, virtio_driver_ok. On any failure: virtio_fail (which resets the
 * device, so it stops using memory we give back).
 *
 * Guard keys: (c) constant after bring-up; (q) the queue's lock.
 */
#ifndef DRIVERS_VIRTIO_H
#define DRIVERS_VIRTIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "drivers/pci.h"
#include "drivers/virtq.h"
#include "kernel/spinlock.h"

#define VIRTIO_PCI_VENDOR 0x1af4
/* PCI device ids: 0x1000 + n for transitional devices, 0x1040 + type for
 * modern ones (virtio 1.0 section 4.1.2). */
#define VIRTIO_PCI_ID_TRANS_NET	  0x1000
#define VIRTIO_PCI_ID_MODERN_BASE 0x1040
#define VIRTIO_ID_NET		  1

#define VIRTIO_F_VERSION_1 (1ull << 32)

#define VIRTIO_STATUS_ACKNOWLEDGE 1
#define VIRTIO_STATUS_DRIVER	  2
#define VIRTIO_STATUS_DRIVER_OK	  4
#define VIRTIO_STATUS_FEATURES_OK 8
#define VIRTIO_STATUS_NEEDS_RESET 64
#define VIRTIO_STATUS_FAILED	  128

#define VIRTIO_MSI_NO_VECTOR 0xffff
#define VIRTIO_ISR_QUEUE     1
#define VIRTIO_ISR_CONFIG    2
#define VIRTIO_IRQ_CONFIG    (-1) /* interrupt source: configuration change */
#define VIRTIO_MAX_QUEUES    8

/* The common configuration structure (virtio 1.0 section 4.1.4.3). */
struct virtio_pci_common_cfg {
	uint32_t device_feature_select;
	uint32_t device_feature;
	uint32_t driver_feature_select;
	uint32_t driver_feature;
	uint16_t msix_config;
	uint16_t num_queues;
	uint8_t device_status;
	uint8_t config_generation;
	uint16_t queue_select;
	uint16_t queue_size;
	uint16_t queue_msix_vector;
	uint16_t queue_enable;
	uint16_t queue_notify_off;
	uint32_t queue_desc_lo, queue_desc_hi;
	uint32_t queue_driver_lo, queue_driver_hi;
	uint32_t queue_device_lo, queue_device_hi;
};
_Static_assert(sizeof(struct virtio_pci_common_cfg) == 56, "common cfg");

struct virtio_dev;

/* Called in interrupt context (interrupts off) with the queue index, or
 * VIRTIO_IRQ_CONFIG; must not block (waking a thread is fine). */
typedef void (*virtio_irq_fn)(struct virtio_dev *vd, int source);

struct virtio_queue {
	struct spinlock lock;
	struct virtq vq;	   /* (q) */
	struct virtio_dev *vd;	   /* (c) */
	uint16_t index;		   /* (c) */
	uint16_t size;		   /* (c) */
	volatile uint16_t *notify; /* (c) where to write `index` */
	uint64_t ring_pa;	   /* (c) */
	unsigned ring_order;	   /* (c) frames of the ring, as an order */
};

struct virtio_dev {
	struct pci_dev *pci;			       /* (c) */
	volatile struct virtio_pci_common_cfg *common; /* (c) */
	volatile uint8_t *notify_base;		       /* (c) */
	uint32_t notify_mult;	      /* (c) notify_off_multiplier */
	uint32_t notify_len;	      /* (c) */
	volatile uint8_t *isr;	      /* (c) */
	volatile uint8_t *device_cfg; /* (c) NULL if the device has none */
	uint32_t device_cfg_len;      /* (c) */
	uint64_t features;	      /* (c) negotiated */
	bool msix; /* (c) MSI-X vectors set up; else the driver polls */
	uint16_t msix_vectors; /* (c) table entries in use */
	virtio_irq_fn irq;     /* (c) */
	void *priv;	       /* (c) the driver's */
};

/* Finds and maps the virtio capabilities, enables memory decoding and bus
 * mastering, resets the device and sets ACKNOWLEDGE and DRIVER. 0, or
 * -ENODEV (legacy-only device, or a required capability missing or not
 * inside its BAR), -ENOMEM, -EIO (the device does not reset); the reason
 * is in err, starting with the PCI address ("00:03.0 ..."). */
int virtio_pci_open(struct pci_dev *pd, struct virtio_dev *vd, char *err,
		    size_t errlen);
/* Offers `wanted` | VIRTIO_F_VERSION_1, keeps what the device also has in
 * vd->features, sets FEATURES_OK and checks the device kept it. 0, or
 * -ENODEV (no VERSION_1: a legacy device), -EIO (features refused). */
int virtio_negotiate(struct virtio_dev *vd, uint64_t wanted, char *err,
		     size_t errlen);
/* MSI-X: one vector for configuration changes (table entry 0) and one per
 * queue 0..nr_queues-1 (entry q + 1), all to the boot CPU, calling fn.
 * 0 with vd->msix set; -ENOTSUP when the device has no usable MSI-X (the
 * driver polls; vd->msix false); -ENOSPC when no CPU vector is left. */
int virtio_setup_irqs(struct virtio_dev *vd, unsigned nr_queues,
		      virtio_irq_fn fn);
/* Sets up queue `index` with min(device's size, max_size) entries (a power
 * of two), its ring in fresh frames, its MSI-X entry if any, and enables it.
 * 0, or -ENOENT (no such queue), -EINVAL (max_size is 0 or above
 * VIRTQ_MAX_SIZE), -ENOMEM, -EIO (the device refused the vector or the
 * notify offset is outside the notify region). */
int virtio_queue_init(struct virtio_dev *vd, struct virtio_queue *q,
		      uint16_t index, uint16_t max_size);
/* Gives the queue's ring back (after the device was reset). */
void virtio_queue_free(struct virtio_queue *q);
void virtio_driver_ok(struct virtio_dev *vd);
/* Marks the device FAILED and resets it. */
void virtio_fail(struct virtio_dev *vd);
void virtio_reset(struct virtio_dev *vd);
/* Tells the device about new buffers in q. */
void virtio_notify(struct virtio_queue *q);
uint8_t virtio_status(struct virtio_dev *vd);
/* Reads and clears the ISR status (polled mode: bit 1 = config changed). */
uint8_t virtio_isr(struct virtio_dev *vd);

/* Device configuration fields, at their natural width; 0 past the end. The
 * generation changes when the device changes the configuration: read
 * multi-field values until it stays the same. */
uint8_t virtio_cfg_read8(struct virtio_dev *vd, uint32_t off);
uint16_t virtio_cfg_read16(struct virtio_dev *vd, uint32_t off);
uint32_t virtio_cfg_read32(struct virtio_dev *vd, uint32_t off);
uint8_t virtio_cfg_generation(struct virtio_dev *vd);

#endif
