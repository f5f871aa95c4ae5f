/*
 * boot/efi/efi_main.c — Unum's UEFI loader (BOOTX64.EFI, built with
 * gnu-efi). Reads \EFI\unum\loader.conf, places the kernel ELF at its
 * physical addresses, loads the modules, fills the same struct boot_info as
 * the Multiboot2 and PVH paths, exits boot services and jumps to the
 * kernel's 64-bit entry (_start64, boot/entry.S). On an error a person can
 * act on, it says what is wrong on the firmware console, frees what it took
 * and returns to the firmware with an error status. docs/BOOT.md has the
 * settings and the messages.
 */
#include "boot/efi/efi_fw.h"
#include "kernel/kstring.h"

#define LOADER_NAME "Unum EFI loader"
#define KERNEL_MAX  (256ull << 20) /* a bigger kernel file is an error */
#define MODULE_MAX  (1ull << 30)

/* What the loader holds; freed again on the way back to the firmware. */
struct loader {
	EFI_HANDLE image;
	EFI_FILE_HANDLE root;
	struct efi_conf conf;
	struct efi_elf elf;
	struct efi_range ranges[EFI_ELF_MAX_SEGS];
	UINT32 nr_ranges; /* placed, i.e. allocated */
	EFI_PHYSICAL_ADDRESS bi_pa;
	struct boot_info *bi;
};

static struct loader ld;

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
	char line[EFI_MSG_MAX];
	va_list ap;
	va_start(ap, fmt);
	kvsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	Print(L"unum-efi: %a\r\n", line);
}

static EFI_STATUS load_conf(void)
{
	char err[200];
	void *text;
	UINT64 len;
	EFI_STATUS st;

	efi_conf_default(&ld.conf);
	st = efi_read_file(ld.root, EFI_CONF_PATH, EFI_CONF_MAX_BYTES,
			   EFI_ALLOC_POOL, &text, &len);
	if (st == EFI_NOT_FOUND) {
		say("no %s: booting %s with an empty command line",
		    EFI_CONF_PATH, ld.conf.kernel);
		return EFI_SUCCESS;
	}
	if (EFI_ERROR(st))
		return st;
	int rc = efi_conf_parse(text, len, &ld.conf, err, sizeof(err));
	FreePool(text);
	if (rc)
		return efi_fail(EFI_LOAD_ERROR, "%s: %s", EFI_CONF_PATH, err);
	return EFI_SUCCESS;
}

/* Copies the segments into the placed pages and zeroes the rest. */
static void copy_segments(const UINT8 *file)
{
	for (UINT32 i = 0; i < ld.nr_ranges; i++)
		memset((void *)(UINTN)ld.ranges[i].base, 0, ld.ranges[i].len);
	for (UINT32 i = 0; i < ld.elf.nr_segs; i++) {
		const struct efi_elf_seg *s = &ld.elf.segs[i];
		memcpy((void *)(UINTN)s->paddr, file + s->offset, s->filesz);
	}
}

static EFI_STATUS load_kernel(void)
{
	const char *path = ld.conf.kernel;
	char err[200];
	void *file;
	UINT64 len;
	UINT32 n;
	EFI_STATUS st;

	st = efi_read_file(ld.root, path, KERNEL_MAX, EFI_ALLOC_POOL, &file,
			   &len);
	if (EFI_ERROR(st))
		return st;
	if (efi_elf_check(file, len, &ld.elf, err, sizeof(err))) {
		FreePool(file);
		return efi_fail(EFI_LOAD_ERROR, "%s: %s", path, err);
	}
	n = efi_elf_ranges(&ld.elf, ld.ranges);
	st = efi_place_ranges(ld.ranges, n);
	if (EFI_ERROR(st)) {
		char why[EFI_MSG_MAX];
		kstrlcpy(why, efi_msg, sizeof(why));
		FreePool(file);
		return efi_fail(st, "%s: %s", path, why);
	}
	ld.nr_ranges = n;
	copy_segments(file);
	FreePool(file);
	say("kernel %s: %u segment(s) at 0x%lx-0x%lx, 64-bit entry 0x%lx", path,
	    ld.elf.nr_segs, ld.ranges[0].base,
	    ld.ranges[n - 1].base + ld.ranges[n - 1].len, ld.elf.entry64);
	return EFI_SUCCESS;
}

static EFI_STATUS load_modules(void)
{
	struct boot_info *bi = ld.bi;

	for (UINT32 i = 0; i < ld.conf.nr_modules; i++) {
		const struct efi_conf_module *cm = &ld.conf.modules[i];
		struct boot_module *m = &bi->modules[i];
		void *buf;
		UINT64 len;
		EFI_STATUS st;

		st = efi_read_file(ld.root, cm->path, MODULE_MAX,
				   EFI_ALLOC_LOW_PAGES, &buf, &len);
		if (EFI_ERROR(st)) {
			char why[EFI_MSG_MAX];
			kstrlcpy(why, efi_msg, sizeof(why));
			return efi_fail(st, "module %u: %s", i + 1, why);
		}
		m->base = (UINT64)(UINTN)buf;
		m->len = len;
		kstrlcpy(m->name, cm->name, sizeof(m->name));
		bi->nr_modules = i + 1;
		say("module %s: %lu bytes at 0x%lx, name '%s'", cm->path, len,
		    m->base, m->name);
	}
	return EFI_SUCCESS;
}

/* Everything of boot_info but the memory map, which comes last. */
static EFI_STATUS fill_info(void)
{
	struct boot_info *bi;
	EFI_STATUS st;

	st = efi_alloc_low(sizeof(*bi), EFI_MT_UNUM_BOOT_INFO, &ld.bi_pa);
	if (EFI_ERROR(st))
		return st;
	bi = ld.bi = (struct boot_info *)(UINTN)ld.bi_pa;
	memset(bi, 0, sizeof(*bi));
	bi->version = BOOT_INFO_VERSION;
	bi->size = sizeof(*bi);
	bi->source = BOOT_SRC_EFI;
	kstrlcpy(bi->loader, LOADER_NAME, sizeof(bi->loader));
	kstrlcpy(bi->cmdline, ld.conf.cmdline, sizeof(bi->cmdline));
	bi->rsdp = efi_find_rsdp();
	efi_find_framebuffer(&bi->fb);
	return load_modules();
}

/* Gives back what was taken, newest first. */
static void undo(void)
{
	if (ld.bi) {
		for (UINT32 i = 0; i < ld.bi->nr_modules; i++)
			efi_free_low(ld.bi->modules[i].base,
				     ld.bi->modules[i].len);
		efi_free_low(ld.bi_pa, sizeof(*ld.bi));
		ld.bi = NULL;
	}
	efi_free_ranges(ld.ranges, ld.nr_ranges);
	ld.nr_ranges = 0;
	if (ld.root)
		uefi_call_wrapper(ld.root->Close, 1, ld.root);
}

static EFI_STATUS boot(void)
{
	EFI_STATUS st;

	st = efi_open_root(ld.image, &ld.root); /* the ESP we came from */
	if (!EFI_ERROR(st))
		st = load_conf(); /* kernel path, command line, modules */
	if (!EFI_ERROR(st))
		st = load_kernel(); /* check, place at p_paddr, copy */
	if (!EFI_ERROR(st))
		st = fill_info(); /* boot_info below 4 GiB, modules, tables */
	if (EFI_ERROR(st))
		return st;
	say("starting the kernel: command line '%s', %u module(s), RSDP "
	    "0x%lx, framebuffer 0x%lx",
	    ld.bi->cmdline, ld.bi->nr_modules, ld.bi->rsdp, ld.bi->fb.addr);
	/* final memory map, ExitBootServices, jump: returns only on error */
	return efi_exit_and_start(ld.image, ld.bi, ld.elf.entry64);
}

EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *systab);
EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *systab)
{
	EFI_STATUS st;

	InitializeLib(image, systab);
	memset(&ld, 0, sizeof(ld));
	ld.image = image;
	ld.conf.error_wait = EFI_ERROR_WAIT_DEFAULT;
	say("%s", LOADER_NAME);
	st = boot();
	undo();
	say("error: %s", efi_msg);
	say("returning to the firmware (%s)", efi_status_name(st));
	if (ld.conf.error_wait) {
		say("press a key to continue (or wait %u s)",
		    ld.conf.error_wait);
		efi_wait_key(ld.conf.error_wait);
	}
	return st;
}
