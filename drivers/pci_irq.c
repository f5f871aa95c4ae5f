/*
 * drivers/pci_irq.c — message-signalled interrupts of PCI functions: MSI-X
 * (the table lives in a memory BAR), MSI (one message in the capability),
 * and INTx, which is only ever polled (the IOAPIC inputs stay masked).
 *
 * A message is a write of `vector` to 0xFEE00000 | apic_id << 12: fixed
 * delivery, edge triggered, physical destination. Without interrupt
 * remapping that reaches APIC ids 0..255 only.
 */
#include "drivers/pci.h"
#include "kernel/errno.h"

#define MSI_ADDR_BASE 0xfee00000u

/* MSI capability. */
#define MSI_CTRL	  2
#define MSI_CTRL_ENABLE	  0x0001
#define MSI_CTRL_MME_MASK 0x0070 /* multiple message enable */
#define MSI_CTRL_64BIT	  0x0080
#define MSI_CTRL_MASKABLE 0x0100
#define MSI_ADDR_LO	  4
#define MSI_ADDR_HI	  8

/* MSI-X capability and table entries. */
#define MSIX_CTRL	    2
#define MSIX_CTRL_SIZE_MASK 0x07ff
#define MSIX_CTRL_FN_MASK   0x4000
#define MSIX_CTRL_ENABLE    0x8000
#define MSIX_TABLE	    4
#define MSIX_ENTRY_WORDS    4 /* addr lo, addr hi, data, vector control */
#define MSIX_VCTRL_MASKED   1u

static int msi_address(uint32_t apic_id, uint32_t *addr)
{
	if (apic_id > 255)
		return -ERANGE;
	*addr = MSI_ADDR_BASE | apic_id << 12;
	return 0;
}

/* ---- MSI-X ------------------------------------------------------------------
 */

static void msix_ctrl(struct pci_dev *d, uint16_t set, uint16_t clear)
{
	uint16_t c = pci_read16(d, d->msix_cap + MSIX_CTRL);
	pci_write16(d, d->msix_cap + MSIX_CTRL, (uint16_t)((c & ~clear) | set));
}

int pci_msix_enable(struct pci_dev *d)
{
	if (!d->msix_cap)
		return -ENOENT;
	if (d->irq_mode == PCI_IRQ_MSIX)
		return d->msix_size;
	uint16_t ctrl = pci_read16(d, d->msix_cap + MSIX_CTRL);
	uint32_t tbl = pci_read32(d, d->msix_cap + MSIX_TABLE);
	unsigned size = (ctrl & MSIX_CTRL_SIZE_MASK) + 1u;
	unsigned bir = tbl & 7;
	uint64_t off = tbl & ~7u, len = (uint64_t)size * MSIX_ENTRY_WORDS * 4;
	if (bir >= PCI_NR_BARS)
		return -EINVAL;
	const struct pci_bar *b = &d->bar[bir];
	if ((b->type != PCI_BAR_MEM32 && b->type != PCI_BAR_MEM64) ||
	    !b->base || off >= b->size || len > b->size - off)
		return -EINVAL;
	if (!d->msix_table) {
		d->msix_table = pci_map_bar(d, (int)bir, off, len);
		if (!d->msix_table)
			return -ENOMEM;
	}
	if (d->irq_mode == PCI_IRQ_MSI)
		pci_msi_disable(d);
	/* A message is a memory write by the device: bus mastering on. */
	pci_command(d, PCI_CMD_MEM | PCI_CMD_MASTER | PCI_CMD_INTX_DISABLE, 0);
	/* Enabled with the function masked while every entry is masked. */
	msix_ctrl(d, MSIX_CTRL_ENABLE | MSIX_CTRL_FN_MASK, 0);
	for (unsigned i = 0; i < size; i++)
		d->msix_table[i * MSIX_ENTRY_WORDS + 3] = MSIX_VCTRL_MASKED;
	msix_ctrl(d, 0, MSIX_CTRL_FN_MASK);
	d->msix_size = (uint16_t)size;
	d->irq_mode = PCI_IRQ_MSIX;
	return (int)size;
}

int pci_msix_set(struct pci_dev *d, unsigned entry, uint8_t vector,
		 uint32_t apic_id)
{
	uint32_t addr;
	if (d->irq_mode != PCI_IRQ_MSIX || entry >= d->msix_size)
		return -EINVAL;
	int rc = msi_address(apic_id, &addr);
	if (rc)
		return rc;
	volatile uint32_t *e = d->msix_table + entry * MSIX_ENTRY_WORDS;
	e[3] = MSIX_VCTRL_MASKED;
	e[0] = addr;
	e[1] = 0;
	e[2] = vector;
	e[3] = 0;
	return 0;
}

int pci_msix_mask(struct pci_dev *d, unsigned entry, bool masked)
{
	if (d->irq_mode != PCI_IRQ_MSIX || entry >= d->msix_size)
		return -EINVAL;
	d->msix_table[entry * MSIX_ENTRY_WORDS + 3] =
	    masked ? MSIX_VCTRL_MASKED : 0;
	return 0;
}

void pci_msix_disable(struct pci_dev *d)
{
	if (d->irq_mode != PCI_IRQ_MSIX)
		return;
	msix_ctrl(d, 0, MSIX_CTRL_ENABLE);
	d->irq_mode = PCI_IRQ_NONE;
}

/* ---- MSI
 * ---------------------------------------------------------------------- */

int pci_msi_enable(struct pci_dev *d, uint8_t vector, uint32_t apic_id)
{
	uint32_t addr;
	if (!d->msi_cap)
		return -ENOENT;
	int rc = msi_address(apic_id, &addr);
	if (rc)
		return rc;
	if (d->irq_mode == PCI_IRQ_MSIX)
		pci_msix_disable(d);
	uint8_t c = d->msi_cap;
	uint16_t ctrl = pci_read16(d, c + MSI_CTRL);
	bool is64 = ctrl & MSI_CTRL_64BIT;
	uint16_t data_off = is64 ? 0x0c : 0x08;
	uint16_t mask_off = is64 ? 0x10 : 0x0c;

	pci_write16(d, c + MSI_CTRL,
		    ctrl & ~(MSI_CTRL_ENABLE | MSI_CTRL_MME_MASK));
	pci_write32(d, c + MSI_ADDR_LO, addr);
	if (is64)
		pci_write32(d, c + MSI_ADDR_HI, 0);
	pci_write16(d, c + data_off, vector);
	if (ctrl & MSI_CTRL_MASKABLE)
		pci_write32(d, c + mask_off, 0);
	pci_command(d, PCI_CMD_MASTER | PCI_CMD_INTX_DISABLE, 0);
	pci_write16(d, c + MSI_CTRL,
		    (ctrl & ~MSI_CTRL_MME_MASK) | MSI_CTRL_ENABLE);
	d->irq_mode = PCI_IRQ_MSI;
	return 0;
}

void pci_msi_disable(struct pci_dev *d)
{
	if (d->irq_mode != PCI_IRQ_MSI)
		return;
	uint16_t ctrl = pci_read16(d, d->msi_cap + MSI_CTRL);
	pci_write16(d, d->msi_cap + MSI_CTRL, ctrl & ~MSI_CTRL_ENABLE);
	d->irq_mode = PCI_IRQ_NONE;
}

/* ---- INTx (polled)
 * -------------------------------------------------------------- */

void pci_intx_enable(struct pci_dev *d, bool on)
{
	if (on) {
		pci_msi_disable(d);
		pci_msix_disable(d);
		pci_command(d, 0, PCI_CMD_INTX_DISABLE);
		d->irq_mode = PCI_IRQ_INTX;
	} else {
		pci_command(d, PCI_CMD_INTX_DISABLE, 0);
		if (d->irq_mode == PCI_IRQ_INTX)
			d->irq_mode = PCI_IRQ_NONE;
	}
}

bool pci_intx_pending(const struct pci_dev *d)
{
	return pci_read16(d, PCI_STATUS) & PCI_STATUS_INTX;
}
