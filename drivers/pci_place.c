/*
 * drivers/pci_place.c — placing the BARs the firmware left unassigned.
 *
 * Firmware normally assigns every BAR; minimal firmware (qboot, used for
 * PVH direct boot) leaves them at 0. Those BARs of functions on a root bus
 * are placed here, naturally aligned, largest first: memory BARs (64-bit
 * ones too) in [MEM_WIN_LO, MEM_WIN_HI), I/O BARs in [IO_WIN_LO, 0x10000),
 * around every range already in use. That memory window is inside the PCI
 * hole of QEMU's pc machine (low RAM ends at 0xe0000000 at most) and q35
 * (at 0xb0000000, where ECAM starts); real firmware assigns BARs itself.
 * Functions behind bridges would need the bridge windows programmed too:
 * their unassigned BARs stay unassigned, with a warning.
 */
#include "drivers/pci.h"
#include "drivers/pci_priv.h"
#include "kernel/log.h"

#define MEM_WIN_LO 0xe0000000ull
#define MEM_WIN_HI 0xfec00000ull
#define IO_WIN_LO  0xc000ull
#define IO_WIN_HI  0x10000ull
#define MAX_RANGES (PCI_MAX_DEVS * PCI_NR_BARS + 8)

struct range {
	uint64_t lo, hi; /* [lo, hi) */
	bool io;
};
static struct range used[MAX_RANGES]; /* (pci_init only) */
static int nr_used;

static void use_range(uint64_t lo, uint64_t size, bool io)
{
	if (nr_used < MAX_RANGES)
		used[nr_used++] = (struct range){lo, lo + size, io};
}

/* The lowest aligned address in [lo, hi) clear of every used range, or 0. */
static uint64_t place(uint64_t lo, uint64_t hi, uint64_t size, bool io)
{
	uint64_t a = (lo + size - 1) & ~(size - 1);
	for (int i = 0; i < nr_used;) {
		if (a + size > hi || a + size < a)
			return 0;
		if (used[i].io == io && a < used[i].hi &&
		    used[i].lo < a + size) {
			a = (used[i].hi + size - 1) & ~(size - 1);
			i = 0;
			continue;
		}
		i++;
	}
	return a + size <= hi ? a : 0;
}

static void assign_one(struct pci_dev *d, int i)
{
	struct pci_bar *b = &d->bar[i];
	bool io = b->type == PCI_BAR_IO;
	char name[16];
	uint64_t a = io ? place(IO_WIN_LO, IO_WIN_HI, b->size, true)
			: place(MEM_WIN_LO, MEM_WIN_HI, b->size, false);
	if (!a) {
		pr_warn("pci",
			"%s bar%d: no room for %lu bytes; left unassigned",
			pci_name(d, name, sizeof(name)), i, b->size);
		return;
	}
	uint16_t cmd = pci_read16(d, PCI_COMMAND);
	pci_write16(d, PCI_COMMAND, cmd & ~(PCI_CMD_IO | PCI_CMD_MEM));
	pci_write32(d, PCI_BAR0 + 4 * i,
		    (uint32_t)a |
			(pci_read32(d, PCI_BAR0 + 4 * i) & (io ? 3 : 0xf)));
	if (b->type == PCI_BAR_MEM64)
		pci_write32(d, PCI_BAR0 + 4 * i + 4, (uint32_t)(a >> 32));
	pci_write16(d, PCI_COMMAND, cmd);
	b->base = a;
	use_range(a, b->size, io);
}

void pci_place_bars(struct pci_dev *devs, int nr_devs,
		    const struct pci_range *reserved, int nr_reserved)
{
	nr_used = 0;
	for (int i = 0; i < nr_reserved; i++)
		use_range(reserved[i].lo, reserved[i].hi - reserved[i].lo,
			  false);
	for (int k = 0; k < nr_devs; k++)
		for (int i = 0; i < PCI_NR_BARS; i++)
			if (devs[k].bar[i].type != PCI_BAR_NONE &&
			    devs[k].bar[i].base)
				use_range(devs[k].bar[i].base,
					  devs[k].bar[i].size,
					  devs[k].bar[i].type == PCI_BAR_IO);
	for (;;) { /* the largest unassigned BAR first */
		struct pci_dev *best = NULL;
		int bi = 0;
		for (int k = 0; k < nr_devs; k++) {
			struct pci_dev *d = &devs[k];
			for (int i = 0; i < PCI_NR_BARS; i++) {
				struct pci_bar *b = &d->bar[i];
				if (b->type == PCI_BAR_NONE || b->base ||
				    d->bar_skip & (1u << i))
					continue;
				if (best && b->size <= best->bar[bi].size)
					continue;
				best = d;
				bi = i;
			}
		}
		if (!best)
			return;
		best->bar_skip |= 1u << bi;
		char name[16];
		if (!best->on_root_bus)
			pr_warn("pci",
				"%s bar%d is unassigned and behind a bridge; "
				"left unassigned",
				pci_name(best, name, sizeof(name)), bi);
		else if (best->bar[bi].size > (1ull << 28))
			pr_warn("pci",
				"%s bar%d: %lu bytes is too big to place; "
				"left unassigned",
				pci_name(best, name, sizeof(name)), bi,
				best->bar[bi].size);
		else
			assign_one(best, bi);
	}
}
