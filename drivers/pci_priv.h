/*
 * drivers/pci_priv.h — shared between the files of the PCI driver only.
 */
#ifndef DRIVERS_PCI_PRIV_H
#define DRIVERS_PCI_PRIV_H

#include <stdint.h>

#include "drivers/pci.h"

struct pci_range {
	uint64_t lo, hi; /* [lo, hi) */
};

/* Places the unassigned BARs of devs[0..nr_devs) (drivers/pci_place.c),
 * around the BARs already assigned and the `reserved` memory ranges. Runs
 * once, from pci_init. */
void pci_place_bars(struct pci_dev *devs, int nr_devs,
		    const struct pci_range *reserved, int nr_reserved);

#endif
