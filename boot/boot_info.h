/*
 * boot/boot_info.h — what every boot path tells the kernel.
 *
 * One struct, several producers: the Multiboot2 parser (GRUB), the PVH parser
 * (QEMU -kernel), and later the GNU-EFI loader. The kernel never learns which
 * one ran. Everything here is a physical address or a copy; producers copy
 * strings into the struct because the loader's memory is reused after boot.
 */
#ifndef BOOT_BOOT_INFO_H
#define BOOT_BOOT_INFO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BOOT_MAX_MMAP	 128
#define BOOT_MAX_MODULES 16
#define BOOT_CMDLINE_MAX 4096
#define BOOT_MODNAME_MAX 128
#define BOOT_LOADER_MAX	 64

enum boot_mem_type {
	BOOT_MEM_USABLE = 1,
	BOOT_MEM_RESERVED = 2,
	BOOT_MEM_ACPI_RECLAIM = 3,
	BOOT_MEM_ACPI_NVS = 4,
	BOOT_MEM_BAD = 5,
};

struct boot_mem_region {
	uint64_t base;
	uint64_t len;
	uint32_t type; /* enum boot_mem_type */
};

struct boot_module {
	uint64_t base; /* physical */
	uint64_t len;
	char name[BOOT_MODNAME_MAX]; /* the module's command line */
};

struct boot_framebuffer {
	uint64_t addr; /* physical; 0 if none */
	uint32_t pitch, width, height;
	uint8_t bpp;
};

enum boot_source {
	BOOT_SRC_NONE = 0,
	BOOT_SRC_MULTIBOOT2,
	BOOT_SRC_PVH,
	BOOT_SRC_EFI,
};

struct boot_info {
	uint32_t version; /* BOOT_INFO_VERSION (checked on the EFI path) */
	uint32_t size;	  /* sizeof(struct boot_info) of the producer */
	enum boot_source source;
	char loader[BOOT_LOADER_MAX]; /* boot loader name, if given */
	char cmdline[BOOT_CMDLINE_MAX];
	bool cmdline_truncated;

	uint32_t nr_mmap;
	bool mmap_truncated;
	struct boot_mem_region mmap[BOOT_MAX_MMAP];

	uint32_t nr_modules;
	bool modules_truncated;
	struct boot_module modules[BOOT_MAX_MODULES];

	uint64_t rsdp; /* physical address of the ACPI RSDP copy; 0 if none */
	uint8_t rsdp_copy[36]; /* Multiboot2 hands a copy, not an address */
	bool rsdp_is_copy;

	struct boot_framebuffer fb;
};

/* Magic values in eax/ebx at the 32-bit entry. */
#define MB2_BOOTLOADER_MAGIC 0x36d76289u
#define PVH_START_MAGIC	     0x336ec578u
/* edi at _start64 when a 64-bit loader (boot/efi) hands over a filled
 * struct boot_info; its `version` must be BOOT_INFO_VERSION. */
#define BOOT_EFI_MAGIC	  0x554e554du /* "UNUM" */
#define BOOT_INFO_VERSION 1

/*
 * Parsers of the loaders' data. Pure functions over a byte buffer (the kernel
 * maps the loader's memory and passes it in; the host tests pass crafted
 * buffers). `phys_read` gives access to memory that the info only points to
 * (PVH strings and tables); it returns false when the range is not readable.
 * Return 0, or -EINVAL with a message in err (errlen bytes) naming what was
 * malformed. On error the struct holds what was parsed before the fault.
 */
typedef bool (*boot_phys_read_fn)(uint64_t phys, void *dst, size_t len,
				  void *ctx);

int mb2_parse(const void *info, size_t avail, struct boot_info *bi, char *err,
	      size_t errlen);
int pvh_parse(const void *start_info, size_t avail, boot_phys_read_fn rd,
	      void *ctx, struct boot_info *bi, char *err, size_t errlen);

/* Sorts the map, clips overlaps (the more restrictive type wins) and merges
 * neighbours of one type. Used by every producer after parsing. */
void boot_mmap_normalize(struct boot_info *bi);

#endif
