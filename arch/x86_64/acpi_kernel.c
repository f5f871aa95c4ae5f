/*
 * arch/x86_64/acpi_kernel.c — the kernel's ACPI instance: the RSDP from the boot
 * info or the BIOS areas, tables read through the direct map.
 */
#include "arch/x86_64/acpi.h"
#include "arch/x86_64/cpu.h"
#include "boot/boot_info.h"
#include "kernel/kstring.h"
#include "kernel/log.h"

struct acpi kernel_acpi;
bool kernel_acpi_ok;

static const void *direct_map(uint64_t pa, size_t len, void *ctx)
{
	(void)ctx;
	if (pa == 0 || pa + len < pa || pa + len > (64ull << 30))
		return NULL;
	return phys_to_virt(pa);
}

/* The RSDP lies on a 16-byte boundary in the EBDA's first KiB or in
 * 0xe0000..0xfffff. */
static const void *scan_bios(void)
{
	uint16_t ebda_seg = *(const uint16_t *)phys_to_virt(0x40e);
	uint64_t ranges[2][2] = {
	    {(uint64_t)ebda_seg << 4, ((uint64_t)ebda_seg << 4) + 1024},
	    {0xe0000, 0x100000}};
	for (int r = 0; r < 2; r++)
		for (uint64_t pa = ranges[r][0]; pa + 36 <= ranges[r][1];
		     pa += 16)
			if (!memcmp(phys_to_virt(pa), "RSD PTR ", 8) &&
			    acpi_checksum_ok(phys_to_virt(pa), 20))
				return phys_to_virt(pa);
	return NULL;
}

void acpi_kernel_init(const struct boot_info *bi)
{
	char err[160];
	const void *rsdp = NULL;

	if (bi->rsdp_is_copy)
		rsdp = bi->rsdp_copy;
	else if (bi->rsdp)
		rsdp = phys_to_virt(bi->rsdp);
	else
		rsdp = scan_bios();
	if (!rsdp) {
		pr_warn("acpi", "no RSDP found; ACPI power-off unavailable");
		return;
	}
	if (acpi_init(&kernel_acpi, rsdp, 36, direct_map, NULL, err,
		      sizeof(err))) {
		pr_warn("acpi", "%s; ignoring ACPI", err);
		return;
	}
	kernel_acpi_ok = true;
	pr_info("acpi", "%s at 0x%lx, %u tables",
		kernel_acpi.xsdt ? "XSDT" : "RSDT", kernel_acpi.root,
		kernel_acpi.nr_tables);
}
