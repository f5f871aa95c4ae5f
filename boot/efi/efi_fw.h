/*
 * boot/efi/efi_fw.h — private header of the EFI loader: the firmware calls
 * (files, pages, tables, ExitBootServices) that boot/efi/efi_main.c strings
 * together. Only boot/efi/efi_*.c built with gnu-efi include it.
 *
 * Every function returns EFI_SUCCESS or an error status and then leaves a
 * message for a person in efi_msg (without the "unum-efi: " prefix).
 */
#ifndef BOOT_EFI_EFI_FW_H
#define BOOT_EFI_EFI_FW_H

#include <efi.h>
#include <efilib.h>

#include "boot/efi/efi_loader.h"

#define EFI_MSG_MAX 512
extern char efi_msg[EFI_MSG_MAX];

/* Sets efi_msg (printf-style, kernel/format.c) and returns status. */
EFI_STATUS efi_fail(EFI_STATUS status, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* A short English name of a status: "Not Found", "Out of Resources". */
const char *efi_status_name(EFI_STATUS status);

/* The root directory of the partition the loader was started from. */
EFI_STATUS efi_open_root(EFI_HANDLE image, EFI_FILE_HANDLE *root);

enum efi_alloc {
	EFI_ALLOC_POOL, /* AllocatePool(EfiLoaderData): free with FreePool */
	EFI_ALLOC_LOW_PAGES, /* pages below 4 GiB: free with FreePages */
};

/*
 * Reads a whole file (path with backslashes) into memory got as `how`
 * says. Larger than max bytes is an error. *buf and *size are set on
 * success; a missing file gives EFI_NOT_FOUND.
 */
EFI_STATUS efi_read_file(EFI_FILE_HANDLE root, const char *path, UINT64 max,
			 enum efi_alloc how, void **buf, UINT64 *size);

/* AllocatePages(AllocateAddress) of each range, as EfiLoaderCode (so the
 * firmware's NX policy leaves it executable). On failure the ranges placed
 * so far are freed and the message names the range and who holds it. */
EFI_STATUS efi_place_ranges(const struct efi_range *r, UINT32 n);
void efi_free_ranges(const struct efi_range *r, UINT32 n);

/* Pages below 4 GiB of the given memory type; *pa set on success. */
EFI_STATUS efi_alloc_low(UINT64 bytes, UINT32 type, EFI_PHYSICAL_ADDRESS *pa);
void efi_free_low(EFI_PHYSICAL_ADDRESS pa, UINT64 bytes);

/* ACPI RSDP (2.0 table first, else 1.0), 0 if the firmware has none. */
UINT64 efi_find_rsdp(void);

/* The GOP framebuffer, if a linear one exists; fb left zero otherwise. */
void efi_find_framebuffer(struct boot_framebuffer *fb);

/*
 * Takes the final memory map into bi, exits boot services (retrying with a
 * fresh map key) and jumps to entry64 with edi = BOOT_EFI_MAGIC and esi =
 * bi, interrupts off. Returns only when the firmware refused to let go.
 */
EFI_STATUS efi_exit_and_start(EFI_HANDLE image, struct boot_info *bi,
			      UINT64 entry64);

/* Waits for a key or `secs` seconds, whichever comes first. */
void efi_wait_key(UINT32 secs);

#endif
