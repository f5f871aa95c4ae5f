/*
 * boot/efi/efi_mmap.c — turns the firmware's memory map (GetMemoryMap) into
 * the map of struct boot_info. Runs between the last GetMemoryMap and
 * ExitBootServices, so it calls no firmware service and allocates nothing.
 */
#include <stdint.h>

#include "boot/efi/efi_loader.h"
#include "kernel/errno.h"
#include "kernel/kstring.h"

uint32_t efi_mem_type_to_boot(uint32_t efi_type)
{
	switch (efi_type) {
	case EFI_MT_LOADER_CODE:
	case EFI_MT_LOADER_DATA:
	case EFI_MT_BS_CODE:
	case EFI_MT_BS_DATA:
	case EFI_MT_CONVENTIONAL:
		return BOOT_MEM_USABLE;
	case EFI_MT_ACPI_RECLAIM:
		return BOOT_MEM_ACPI_RECLAIM;
	case EFI_MT_ACPI_NVS:
		return BOOT_MEM_ACPI_NVS;
	case EFI_MT_UNUSABLE:
		return BOOT_MEM_BAD;
	default:
		return BOOT_MEM_RESERVED;
	}
}

int efi_mmap_convert(const void *map, size_t map_size, size_t desc_size,
		     struct boot_info *bi)
{
	const uint8_t *p = map;
	uint32_t n = 0;

	memset(bi->mmap, 0, sizeof(bi->mmap));
	bi->nr_mmap = 0;
	bi->mmap_truncated = false;
	if (desc_size < sizeof(struct efi_mdesc))
		return -EINVAL;

	for (size_t off = 0; off <= map_size && map_size - off >= desc_size;
	     off += desc_size) {
		struct efi_mdesc d;
		struct boot_mem_region *last = n ? &bi->mmap[n - 1] : NULL;
		uint64_t len;
		uint32_t type;

		memcpy(&d, p + off, sizeof(d));
		if (!d.pages)
			continue;
		/* A region running past 2^64 is clipped there. */
		len = d.pages > (UINT64_MAX - d.phys_start) >> 12
			  ? UINT64_MAX - d.phys_start
			  : d.pages << 12;
		if (!len)
			continue;
		type = efi_mem_type_to_boot(d.type);
		/* The firmware splits memory by its own types: neighbours
		 * that become one type here are joined at once, so a long
		 * map still fits. */
		if (last && last->type == type &&
		    last->base + last->len == d.phys_start) {
			last->len += len;
			continue;
		}
		if (n == BOOT_MAX_MMAP) {
			bi->mmap_truncated = true;
			break;
		}
		bi->mmap[n].base = d.phys_start;
		bi->mmap[n].len = len;
		bi->mmap[n].type = type;
		n++;
	}
	bi->nr_mmap = n;
	boot_mmap_normalize(bi);
	return 0;
}
