/*
 * boot/efi/efi_fw.c — the EFI loader's firmware calls: files on the ESP,
 * page allocation, ACPI and GOP lookup, and the hand-over (final memory
 * map, ExitBootServices, jump to the kernel). Firmware is called through
 * gnu-efi's uefi_call_wrapper (its crt0 calls efi_main the System V way).
 */
#include <stdarg.h>

#include "boot/efi/efi_fw.h"
#include "kernel/kstring.h"

char efi_msg[EFI_MSG_MAX];

EFI_STATUS efi_fail(EFI_STATUS status, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	kvsnprintf(efi_msg, sizeof(efi_msg), fmt, ap);
	va_end(ap);
	return status;
}

const char *efi_status_name(EFI_STATUS status)
{
	switch (status) {
	case EFI_SUCCESS:
		return "Success";
	case EFI_LOAD_ERROR:
		return "Load Error";
	case EFI_INVALID_PARAMETER:
		return "Invalid Parameter";
	case EFI_UNSUPPORTED:
		return "Unsupported";
	case EFI_BUFFER_TOO_SMALL:
		return "Buffer Too Small";
	case EFI_DEVICE_ERROR:
		return "Device Error";
	case EFI_OUT_OF_RESOURCES:
		return "Out of Resources";
	case EFI_VOLUME_CORRUPTED:
		return "Volume Corrupt";
	case EFI_NO_MEDIA:
		return "No Media";
	case EFI_NOT_FOUND:
		return "Not Found";
	case EFI_ACCESS_DENIED:
		return "Access Denied";
	case EFI_SECURITY_VIOLATION:
		return "Security Violation";
	default:
		return "Error";
	}
}

EFI_STATUS efi_open_root(EFI_HANDLE image, EFI_FILE_HANDLE *root)
{
	EFI_LOADED_IMAGE *li;
	EFI_FILE_IO_INTERFACE *fs;
	EFI_STATUS st;

	st = uefi_call_wrapper(BS->HandleProtocol, 3, image,
			       &LoadedImageProtocol, (void **)&li);
	if (EFI_ERROR(st))
		return efi_fail(st,
				"the firmware gives no loaded-image "
				"protocol (%s)",
				efi_status_name(st));
	st = uefi_call_wrapper(BS->HandleProtocol, 3, li->DeviceHandle,
			       &FileSystemProtocol, (void **)&fs);
	if (EFI_ERROR(st))
		return efi_fail(st,
				"the loader was not started from a FAT "
				"partition (network boot?): it reads the "
				"kernel from its own partition (%s)",
				efi_status_name(st));
	st = uefi_call_wrapper(fs->OpenVolume, 2, fs, root);
	if (EFI_ERROR(st))
		return efi_fail(st, "cannot open the loader's partition (%s)",
				efi_status_name(st));
	return EFI_SUCCESS;
}

EFI_STATUS efi_alloc_low(UINT64 bytes, UINT32 type, EFI_PHYSICAL_ADDRESS *pa)
{
	UINTN pages = EFI_SIZE_TO_PAGES(bytes ? bytes : 1);
	EFI_STATUS st;

	*pa = 0xffffffffull;
	st = uefi_call_wrapper(BS->AllocatePages, 4, AllocateMaxAddress,
			       (EFI_MEMORY_TYPE)type, pages, pa);
	if (EFI_ERROR(st))
		return efi_fail(EFI_OUT_OF_RESOURCES,
				"not enough memory below 4 GiB for %lu bytes "
				"(%s)",
				bytes, efi_status_name(st));
	return EFI_SUCCESS;
}

void efi_free_low(EFI_PHYSICAL_ADDRESS pa, UINT64 bytes)
{
	if (pa)
		uefi_call_wrapper(BS->FreePages, 2, pa,
				  EFI_SIZE_TO_PAGES(bytes ? bytes : 1));
}

static EFI_STATUS open_file(EFI_FILE_HANDLE root, const char *path,
			    EFI_FILE_HANDLE *fh)
{
	CHAR16 wpath[EFI_PATH_MAX];
	size_t i;
	EFI_STATUS st;

	for (i = 0; path[i] && i + 1 < EFI_PATH_MAX; i++)
		wpath[i] = (CHAR16)(unsigned char)path[i];
	wpath[i] = 0;
	st = uefi_call_wrapper(root->Open, 5, root, fh, wpath,
			       EFI_FILE_MODE_READ, 0ull);
	if (st == EFI_NOT_FOUND)
		return efi_fail(st,
				"%s: file not found on the loader's "
				"partition",
				path);
	if (EFI_ERROR(st))
		return efi_fail(st, "%s: cannot open (%s)", path,
				efi_status_name(st));
	return EFI_SUCCESS;
}

EFI_STATUS efi_read_file(EFI_FILE_HANDLE root, const char *path, UINT64 max,
			 enum efi_alloc how, void **buf, UINT64 *size)
{
	EFI_FILE_HANDLE fh;
	EFI_FILE_INFO *info;
	EFI_PHYSICAL_ADDRESS pa = 0;
	UINT64 len, done = 0;
	void *p = NULL;
	EFI_STATUS st;

	st = open_file(root, path, &fh);
	if (EFI_ERROR(st))
		return st;
	info = LibFileInfo(fh);
	if (!info) {
		st = efi_fail(EFI_DEVICE_ERROR, "%s: cannot read its size",
			      path);
		goto close;
	}
	len = info->FileSize;
	if (info->Attribute & EFI_FILE_DIRECTORY)
		st = efi_fail(EFI_LOAD_ERROR, "%s: is a directory, not a file",
			      path);
	else if (len > max)
		st = efi_fail(EFI_LOAD_ERROR,
			      "%s: file is %lu bytes, more "
			      "than the %lu this loader takes",
			      path, len, max);
	FreePool(info);
	if (EFI_ERROR(st))
		goto close;

	if (how == EFI_ALLOC_POOL) {
		p = AllocatePool(len ? len : 1);
		if (!p)
			st = efi_fail(EFI_OUT_OF_RESOURCES,
				      "%s: not enough "
				      "memory to read %lu bytes",
				      path, len);
	} else {
		st = efi_alloc_low(len, EfiLoaderData, &pa);
		if (EFI_ERROR(st))
			efi_fail(st,
				 "%s: not enough memory below 4 GiB for "
				 "%lu bytes",
				 path, len);
		p = (void *)(UINTN)pa;
	}
	if (EFI_ERROR(st))
		goto close;

	while (done < len) {
		UINTN n = len - done;
		st = uefi_call_wrapper(fh->Read, 3, fh, &n, (UINT8 *)p + done);
		if (EFI_ERROR(st) || !n) {
			st = efi_fail(EFI_ERROR(st) ? st : EFI_DEVICE_ERROR,
				      "%s: read failed after %lu of %lu "
				      "bytes (%s)",
				      path, done, len, efi_status_name(st));
			if (how == EFI_ALLOC_POOL)
				FreePool(p);
			else
				efi_free_low(pa, len);
			goto close;
		}
		done += n;
	}
	*buf = p;
	*size = len;
close:
	uefi_call_wrapper(fh->Close, 1, fh);
	return st;
}

static const char *efi_type_name(UINT32 t)
{
	static const char *const names[] = {
	    "reserved",		  "loader code",
	    "loader data",	  "boot-services code",
	    "boot-services data", "runtime code",
	    "runtime data",	  "free",
	    "unusable",		  "ACPI tables",
	    "ACPI NVS",		  "MMIO",
	    "MMIO port space",	  "PAL code",
	    "persistent memory",
	};
	return t < sizeof(names) / sizeof(names[0]) ? names[t] : "OS-specific";
}

/* After a failed AllocateAddress: who holds [base, base + len)? */
static void explain_in_use(UINT64 base, UINT64 len)
{
	UINTN entries, key, dsize;
	UINT32 dver;
	UINT8 *map = (UINT8 *)LibMemoryMap(&entries, &key, &dsize, &dver);
	char *m = efi_msg + strlen(efi_msg);
	size_t room = sizeof(efi_msg) - (size_t)(m - efi_msg);

	if (!map)
		return;
	for (UINTN i = 0; i < entries; i++) {
		struct efi_mdesc d;
		memcpy(&d, map + i * dsize, sizeof(d));
		UINT64 end = d.phys_start + (d.pages << 12);
		if (d.type == EFI_MT_CONVENTIONAL || end <= base ||
		    d.phys_start >= base + len)
			continue;
		ksnprintf(m, room, ": 0x%lx-0x%lx is %s", d.phys_start, end,
			  efi_type_name(d.type));
		break;
	}
	FreePool(map);
}

EFI_STATUS efi_place_ranges(const struct efi_range *r, UINT32 n)
{
	for (UINT32 i = 0; i < n; i++) {
		EFI_PHYSICAL_ADDRESS pa = r[i].base;
		EFI_STATUS st = uefi_call_wrapper(
		    BS->AllocatePages, 4, AllocateAddress, EfiLoaderCode,
		    EFI_SIZE_TO_PAGES(r[i].len), &pa);
		if (EFI_ERROR(st)) {
			efi_free_ranges(r, i);
			efi_fail(EFI_OUT_OF_RESOURCES,
				 "cannot place the kernel at 0x%lx-0x%lx, "
				 "where it is linked: the memory is not free "
				 "(%s)",
				 r[i].base, r[i].base + r[i].len,
				 efi_status_name(st));
			explain_in_use(r[i].base, r[i].len);
			return EFI_OUT_OF_RESOURCES;
		}
	}
	return EFI_SUCCESS;
}

void efi_free_ranges(const struct efi_range *r, UINT32 n)
{
	for (UINT32 i = 0; i < n; i++)
		uefi_call_wrapper(BS->FreePages, 2, r[i].base,
				  EFI_SIZE_TO_PAGES(r[i].len));
}

UINT64 efi_find_rsdp(void)
{
	static EFI_GUID acpi20 = ACPI_20_TABLE_GUID, acpi10 = ACPI_TABLE_GUID;
	UINT64 v1 = 0;

	for (UINTN i = 0; i < ST->NumberOfTableEntries; i++) {
		EFI_CONFIGURATION_TABLE *t = &ST->ConfigurationTable[i];
		if (!CompareGuid(&t->VendorGuid, &acpi20))
			return (UINT64)(UINTN)t->VendorTable;
		if (!CompareGuid(&t->VendorGuid, &acpi10))
			v1 = (UINT64)(UINTN)t->VendorTable;
	}
	return v1;
}

void efi_find_framebuffer(struct boot_framebuffer *fb)
{
	EFI_GUID guid = EFI_GRAPHICS_OUTPUT_PROTOCOL_GUID;
	EFI_GRAPHICS_OUTPUT_PROTOCOL *gop;
	EFI_GRAPHICS_OUTPUT_MODE_INFORMATION *info;

	memset(fb, 0, sizeof(*fb));
	if (EFI_ERROR(LibLocateProtocol(&guid, (void **)&gop)) || !gop ||
	    !gop->Mode || !gop->Mode->Info)
		return;
	info = gop->Mode->Info;
	if (info->PixelFormat != PixelRedGreenBlueReserved8BitPerColor &&
	    info->PixelFormat != PixelBlueGreenRedReserved8BitPerColor &&
	    info->PixelFormat != PixelBitMask)
		return; /* PixelBltOnly: no linear framebuffer */
	fb->addr = gop->Mode->FrameBufferBase;
	fb->width = info->HorizontalResolution;
	fb->height = info->VerticalResolution;
	fb->pitch = info->PixelsPerScanLine * 4;
	fb->bpp = 32;
}

/* How often a stale map key is tolerated before giving up. */
#define EXIT_TRIES 8

EFI_STATUS efi_exit_and_start(EFI_HANDLE image, struct boot_info *bi,
			      UINT64 entry64)
{
	UINTN cap = 0, size, key, dsize = 0;
	UINT32 dver;
	UINT8 *map = NULL;
	EFI_STATUS st;

	st = uefi_call_wrapper(BS->GetMemoryMap, 5, &cap, NULL, &key, &dsize,
			       &dver);
	if (st != EFI_BUFFER_TOO_SMALL)
		return efi_fail(st, "GetMemoryMap gave no size (%s)",
				efi_status_name(st));
	for (int tries = 0; tries < EXIT_TRIES; tries++) {
		if (!map) {
			/* Allocating adds descriptors: keep slack. */
			cap += 16 * (dsize ? dsize : 48);
			map = AllocatePool(cap);
			if (!map)
				return efi_fail(EFI_OUT_OF_RESOURCES,
						"no memory for the memory map "
						"(%lu bytes)",
						(UINT64)cap);
		}
		size = cap;
		st = uefi_call_wrapper(BS->GetMemoryMap, 5, &size,
				       (EFI_MEMORY_DESCRIPTOR *)map, &key,
				       &dsize, &dver);
		if (st == EFI_BUFFER_TOO_SMALL) {
			FreePool(map);
			map = NULL;
			cap = size;
			continue;
		}
		if (EFI_ERROR(st))
			break;
		if (efi_mmap_convert(map, size, dsize, bi)) {
			st = EFI_UNSUPPORTED;
			break;
		}
		st = uefi_call_wrapper(BS->ExitBootServices, 2, image, key);
		if (!EFI_ERROR(st)) {
			/* No firmware from here on: the kernel's _start64
			 * sets up its own stack, tables and GDT. */
			__asm__ volatile("cli\n\t"
					 "jmp *%2"
					 :
					 : "D"((UINT64)BOOT_EFI_MAGIC),
					   "S"((UINT64)(UINTN)bi), "r"(entry64)
					 : "memory");
			__builtin_unreachable();
		}
		if (st != EFI_INVALID_PARAMETER)
			break;
	}
	if (map)
		FreePool(map);
	if (st == EFI_UNSUPPORTED)
		return efi_fail(st,
				"the firmware's memory descriptors are "
				"%lu bytes, smaller than UEFI's 40",
				(UINT64)dsize);
	if (st == EFI_INVALID_PARAMETER || st == EFI_BUFFER_TOO_SMALL)
		return efi_fail(st,
				"ExitBootServices: the memory map kept "
				"changing (%d tries)",
				EXIT_TRIES);
	return efi_fail(st, "ExitBootServices failed (%s)",
			efi_status_name(st));
}

void efi_wait_key(UINT32 secs)
{
	EFI_EVENT ev[2];
	EFI_INPUT_KEY k;
	UINTN idx;

	if (!secs)
		return;
	while (!EFI_ERROR(
	    uefi_call_wrapper(ST->ConIn->ReadKeyStroke, 2, ST->ConIn, &k)))
		; /* drop keys typed earlier */
	if (EFI_ERROR(uefi_call_wrapper(BS->CreateEvent, 5, EVT_TIMER, 0, NULL,
					NULL, &ev[1])))
		return;
	ev[0] = ST->ConIn->WaitForKey;
	if (!EFI_ERROR(uefi_call_wrapper(BS->SetTimer, 3, ev[1], TimerRelative,
					 (UINT64)secs * 10000000ull)))
		uefi_call_wrapper(BS->WaitForEvent, 3, 2, ev, &idx);
	uefi_call_wrapper(BS->CloseEvent, 1, ev[1]);
}
