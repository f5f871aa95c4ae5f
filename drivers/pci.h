/*
 * drivers/pci.h — PCI: enumeration, configuration space, BARs, capabilities
 * and message-signalled interrupts.
 *
 * Configuration space is reached through ECAM (memory-mapped, 4 KiB per
 * function) where the ACPI MCFG table describes it, else through the legacy
 * port pair 0xCF8/0xCFC (segment 0 only, 256 bytes per function). pci_init
 * walks every bus reachable from the root buses (following PCI-to-PCI
 * bridges as the firmware numbered them), sizes each function's BARs and
 * prints one line per function.
 *
 * Interrupts: MSI-X (table in a BAR) and MSI deliver a vector from
 * trap_alloc_vector() to one local APIC. Without either, a driver polls:
 * the IOAPIC inputs stay masked (arch/x86_64/apic.h), so INTx is only seen
 * through the Interrupt Status bit of the status register
 * (pci_intx_pending).
 *
 * Locking: the device list is built once by pci_init (INITCALL at INIT_BUS,
 * before the drivers at INIT_DEVICES) and is read-only afterwards. Config
 * accesses through ports are serialised by an internal lock; ECAM accesses
 * need none. A device's MSI/MSI-X state belongs to the driver that claimed
 * it (pci_claim): only that driver calls the pci_msi and pci_msix functions.
 */
#ifndef DRIVERS_PCI_H
#define DRIVERS_PCI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PCI_MAX_DEVS 128
#define PCI_NR_BARS  6

/* Configuration-space registers (type 0 and 1 headers). */
#define PCI_VENDOR_ID	  0x00
#define PCI_DEVICE_ID	  0x02
#define PCI_COMMAND	  0x04
#define PCI_STATUS	  0x06
#define PCI_REVISION	  0x08
#define PCI_CLASS_PROG	  0x09
#define PCI_HEADER_TYPE	  0x0e
#define PCI_BAR0	  0x10
#define PCI_SECONDARY_BUS 0x19
#define PCI_SUBSYS_VENDOR 0x2c
#define PCI_SUBSYS_ID	  0x2e
#define PCI_CAP_PTR	  0x34
#define PCI_IRQ_LINE	  0x3c
#define PCI_IRQ_PIN	  0x3d

#define PCI_CMD_IO	     0x0001
#define PCI_CMD_MEM	     0x0002
#define PCI_CMD_MASTER	     0x0004
#define PCI_CMD_INTX_DISABLE 0x0400
#define PCI_STATUS_INTX	     0x0008 /* an INTx is asserted */
#define PCI_STATUS_CAPS	     0x0010

/* Capability ids. */
#define PCI_CAP_MSI    0x05
#define PCI_CAP_VENDOR 0x09
#define PCI_CAP_PCIE   0x10
#define PCI_CAP_MSIX   0x11

enum pci_bar_type {
	PCI_BAR_NONE, /* not implemented (size 0) */
	PCI_BAR_IO,   /* I/O ports */
	PCI_BAR_MEM32,
	PCI_BAR_MEM64, /* takes this slot and the next */
};

struct pci_bar {
	enum pci_bar_type type;
	bool prefetch;
	uint64_t base; /* as assigned by the firmware: physical or port */
	uint64_t size; /* bytes (ports for I/O) */
};

enum pci_irq_mode { PCI_IRQ_NONE, PCI_IRQ_INTX, PCI_IRQ_MSI, PCI_IRQ_MSIX };

/*
 * One function. Fields are constant after pci_init, except those marked
 * (drv): they belong to the driver that claimed the device.
 */
struct pci_dev {
	uint16_t seg;
	uint8_t bus, dev, fn;
	uint16_t vendor, device;
	uint8_t class_code, subclass, prog_if, revision;
	uint8_t header_type; /* 0 device, 1 bridge (bit 7 masked off) */
	uint16_t subsys_vendor, subsys_id;
	uint8_t irq_pin; /* 0 none, 1..4 INTA..INTD */
	struct pci_bar bar[PCI_NR_BARS];
	uint8_t secondary_bus; /* bridges: the bus behind it */
	bool on_root_bus;
	uint8_t bar_skip;	   /* BARs pci_init tried to place (internal) */
	uint8_t msi_cap, msix_cap; /* capability offsets, 0 if absent */
	volatile uint8_t *ecam;	   /* this function's 4 KiB, or NULL: ports */

	const char *driver;	       /* (drv) name of the claiming driver */
	enum pci_irq_mode irq_mode;    /* (drv) */
	uint16_t msix_size;	       /* (drv) table entries, once enabled */
	volatile uint32_t *msix_table; /* (drv) mapped table */
};

/* How configuration space was reached. */
enum pci_cfg_mech { PCI_CFG_NONE, PCI_CFG_PORTIO, PCI_CFG_ECAM };

/* Enumerates once (later calls return the first result): 0, or -ENODEV if
 * no configuration mechanism answers. */
int pci_init(void);
enum pci_cfg_mech pci_cfg_mechanism(void);
int pci_count(void);
/* The index-th function in bus order; NULL past the end. */
struct pci_dev *pci_get(int index);
/* The next function after `from` (NULL: the first) with this vendor and a
 * device id in [dev_lo, dev_hi]; NULL when there is none. */
struct pci_dev *pci_find(uint16_t vendor, uint16_t dev_lo, uint16_t dev_hi,
			 struct pci_dev *from);
/* Marks the device as driven by `driver`: 0, or -EBUSY if already claimed. */
int pci_claim(struct pci_dev *d, const char *driver);

/* Configuration space. Offsets past the reachable space (256 bytes by
 * ports, 4096 by ECAM) or not aligned to the width read as all ones and
 * are not written. */
uint8_t pci_read8(const struct pci_dev *d, uint16_t off);
uint16_t pci_read16(const struct pci_dev *d, uint16_t off);
uint32_t pci_read32(const struct pci_dev *d, uint16_t off);
void pci_write8(const struct pci_dev *d, uint16_t off, uint8_t v);
void pci_write16(const struct pci_dev *d, uint16_t off, uint16_t v);
void pci_write32(const struct pci_dev *d, uint16_t off, uint32_t v);

/* Sets (and clears) bits of the command register. */
void pci_command(const struct pci_dev *d, uint16_t set, uint16_t clear);
/* Maps [off, off+len) of memory BAR `bar` uncached; NULL if the BAR is not
 * a memory BAR, is unassigned, or the range does not fit in it. */
void *pci_map_bar(const struct pci_dev *d, int bar, uint64_t off, uint64_t len);
/* Offset of the first capability with this id after offset `after` (0:
 * from the start), or 0 if none. A looping or out-of-range list ends the
 * walk. */
uint8_t pci_find_cap(const struct pci_dev *d, uint8_t id, uint8_t after);
/* "00:03.0" (or "0001:00:03.0" outside segment 0) into buf. */
const char *pci_name(const struct pci_dev *d, char *buf, size_t len);

/* ---- interrupts (drivers/pci_irq.c) ------------------------------------ */

/* Maps the MSI-X table, masks every entry and enables MSI-X (INTx off).
 * Returns the number of table entries, -ENOENT if the device has no MSI-X
 * capability, -EINVAL if the table does not fit its BAR, -ENOMEM. */
int pci_msix_enable(struct pci_dev *d);
/* Points entry `entry` at `vector` on the CPU with local APIC id `apic_id`
 * and unmasks it. -EINVAL if MSI-X is not enabled or entry is out of range;
 * -ERANGE if apic_id does not fit the 8-bit destination. */
int pci_msix_set(struct pci_dev *d, unsigned entry, uint8_t vector,
		 uint32_t apic_id);
int pci_msix_mask(struct pci_dev *d, unsigned entry, bool masked);
void pci_msix_disable(struct pci_dev *d);
/* One MSI message (INTx off). -ENOENT without an MSI capability, -ERANGE
 * as above. */
int pci_msi_enable(struct pci_dev *d, uint8_t vector, uint32_t apic_id);
void pci_msi_disable(struct pci_dev *d);
/* INTx on or off (command register bit 10). Nothing routes INTx to a CPU:
 * a driver in INTx mode polls pci_intx_pending and its device's own
 * interrupt status. */
void pci_intx_enable(struct pci_dev *d, bool on);
bool pci_intx_pending(const struct pci_dev *d);

#endif
