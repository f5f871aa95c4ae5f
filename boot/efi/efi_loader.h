/*
 * boot/efi/efi_loader.h — the firmware-independent parts of the GNU-EFI
 * loader (BOOTX64.EFI): the loader.conf parser, the kernel ELF checker and
 * the EFI memory map converter. They are pure functions over byte buffers,
 * so the host unit tests (tests/unit/test_efi_*.c) and the fuzz target run
 * them as they are; boot/efi/efi_main.c does the firmware calls around them.
 *
 * Every function returns 0 or a negative errno and, on error, writes one
 * line naming what was wrong into err (errlen bytes, always terminated).
 */
#ifndef BOOT_EFI_EFI_LOADER_H
#define BOOT_EFI_EFI_LOADER_H

#include <stddef.h>
#include <stdint.h>

#include "boot/boot_info.h"

/* ---- loader.conf (docs/BOOT.md, "The EFI loader") ---------------------- */

#define EFI_CONF_PATH	       "\\EFI\\unum\\loader.conf"
#define EFI_CONF_MAX_BYTES     65536 /* a longer loader.conf is an error */
#define EFI_PATH_MAX	       256 /* bytes of a path on the ESP, NUL included */
#define EFI_ERROR_WAIT_DEFAULT 10  /* seconds an error stays on screen */
#define EFI_ERROR_WAIT_MAX     600

struct efi_conf_module {
	char path[EFI_PATH_MAX];     /* "\dir\file", backslashes */
	char name[BOOT_MODNAME_MAX]; /* what the kernel sees; default: path */
};

struct efi_conf {
	char kernel[EFI_PATH_MAX];
	char cmdline[BOOT_CMDLINE_MAX];
	uint32_t nr_modules;
	struct efi_conf_module modules[BOOT_MAX_MODULES];
	uint32_t error_wait; /* seconds, 0..EFI_ERROR_WAIT_MAX */
};

/* The settings without a loader.conf: kernel \unum.elf, empty command
 * line, no modules, errors shown for EFI_ERROR_WAIT_DEFAULT seconds. */
void efi_conf_default(struct efi_conf *c);

/*
 * Parses loader.conf text (len bytes, no terminator needed) over the
 * settings already in c. Lines are `key=value`; `#` starts a comment line.
 * Keys: kernel=PATH (at most once), cmdline=TEXT (repeatable, joined with
 * one space), module=PATH [NAME] (repeatable, in order), error_wait=SECONDS.
 * Returns 0, or -EINVAL with "line N: ..." in err; c is then partly set.
 */
int efi_conf_parse(const char *text, size_t len, struct efi_conf *c, char *err,
		   size_t errlen);

/* ---- kernel ELF ---------------------------------------------------------- */

#define EFI_ELF_MAX_SEGS     16
#define EFI_ELF_LIMIT	     (4ull << 30) /* segments must lie below 4 GiB */
#define EFI_ELF_NOTE_NAME    "Unum"
#define EFI_ELF_NOTE_ENTRY64 0x100 /* desc: 8-byte physical _start64 */

struct efi_elf_seg {
	uint64_t paddr;	 /* where the bytes go (physical) */
	uint64_t offset; /* in the file */
	uint64_t filesz; /* bytes copied from the file */
	uint64_t memsz;	 /* bytes in memory; the rest is zeroed */
};

/* A page-aligned physical range [base, base + len). */
struct efi_range {
	uint64_t base;
	uint64_t len;
};

struct efi_elf {
	uint32_t nr_segs;
	struct efi_elf_seg segs[EFI_ELF_MAX_SEGS]; /* PT_LOAD, file order */
	uint64_t entry64;			   /* from the "Unum" note */
};

/*
 * Checks a whole kernel file: ELF64, little-endian, x86_64, ET_EXEC, every
 * table and segment inside the file, PT_LOAD segments below 4 GiB and not
 * overlapping, and a "Unum" note of type 0x100 whose address lies in a
 * loaded segment. Returns 0 and fills e, or -ENOEXEC with a message.
 */
int efi_elf_check(const void *file, size_t len, struct efi_elf *e, char *err,
		  size_t errlen);

/* The pages the segments of a checked ELF occupy: sorted, merged where they
 * share or touch pages. Returns the number of ranges (<= nr_segs). */
uint32_t efi_elf_ranges(const struct efi_elf *e,
			struct efi_range r[EFI_ELF_MAX_SEGS]);

/* ---- memory map ------------------------------------------------------------
 */

/* EFI_MEMORY_DESCRIPTOR as the firmware lays it out (UEFI 2.x, 7.2). The
 * firmware's descriptor size may be larger: step by the size it reports. */
struct efi_mdesc {
	uint32_t type;
	uint32_t pad;
	uint64_t phys_start;
	uint64_t virt_start;
	uint64_t pages; /* 4 KiB each */
	uint64_t attribute;
};
_Static_assert(sizeof(struct efi_mdesc) == 40, "EFI_MEMORY_DESCRIPTOR");

/* EFI memory types that matter here (EFI_MEMORY_TYPE). */
enum {
	EFI_MT_RESERVED = 0,
	EFI_MT_LOADER_CODE = 1,
	EFI_MT_LOADER_DATA = 2,
	EFI_MT_BS_CODE = 3,
	EFI_MT_BS_DATA = 4,
	EFI_MT_CONVENTIONAL = 7,
	EFI_MT_UNUSABLE = 8,
	EFI_MT_ACPI_RECLAIM = 9,
	EFI_MT_ACPI_NVS = 10,
};

/* The loader allocates its struct boot_info with this OS-loader memory type
 * (0x80000000..: reserved for OS loaders by UEFI), so the converted map
 * shows those pages as reserved and the kernel does not reuse them. */
#define EFI_MT_UNUM_BOOT_INFO 0x80554e55u

/* enum boot_mem_type for an EFI memory type: loader and boot-services code
 * and data and conventional memory are usable after ExitBootServices; ACPI
 * reclaim and NVS keep their meaning; unusable memory is bad; everything
 * else (runtime services, MMIO, reserved, OS-loader types) is reserved. */
uint32_t efi_mem_type_to_boot(uint32_t efi_type);

/*
 * Fills bi->mmap from a map returned by GetMemoryMap (map_size bytes of
 * desc_size-byte descriptors), then normalizes it (boot_mmap_normalize).
 * Uses no firmware service, so it may run between the last GetMemoryMap and
 * ExitBootServices. Sets bi->mmap_truncated when the map does not fit.
 * Returns 0, or -EINVAL when desc_size is smaller than a descriptor.
 */
int efi_mmap_convert(const void *map, size_t map_size, size_t desc_size,
		     struct boot_info *bi);

#endif
