/*
 * tests/fuzz/fuzz_efi_loader.c — libFuzzer target for the EFI loader's
 * checks of outside input (boot/efi/): the first byte picks loader.conf
 * text (efi_conf_parse), a kernel file (efi_elf_check, efi_elf_ranges) or
 * a firmware memory map (efi_mmap_convert, second byte: descriptor size);
 * the invariants of each result are checked after every run.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "boot/efi/efi_loader.h"
#include "tests/fuzz/boot_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_conf(const uint8_t *p, size_t n)
{
	static struct efi_conf c;
	char err[200];
	int rc;

	efi_conf_default(&c);
	memset(err, 'x', sizeof(err));
	rc = efi_conf_parse((const char *)p, n, &c, err, sizeof(err));
	CHECK(rc == 0 || rc == -EINVAL);
	CHECK(terminated(err, sizeof(err)));
	CHECK(rc ? !strncmp(err, "line ", 5) || !strncmp(err, "file is ", 8)
		 : err[0] == 0);
	if (rc)
		return;
	CHECK(terminated(c.kernel, sizeof(c.kernel)) && c.kernel[0] == '\\');
	CHECK(strlen(c.kernel) > 1);
	CHECK(terminated(c.cmdline, sizeof(c.cmdline)));
	CHECK(c.nr_modules <= BOOT_MAX_MODULES);
	CHECK(c.error_wait <= EFI_ERROR_WAIT_MAX);
	for (uint32_t i = 0; i < c.nr_modules; i++) {
		CHECK(terminated(c.modules[i].path, EFI_PATH_MAX));
		CHECK(c.modules[i].path[0] == '\\');
		CHECK(terminated(c.modules[i].name, BOOT_MODNAME_MAX));
		CHECK(c.modules[i].name[0] != 0);
	}
}

static void check_elf(const uint8_t *p, size_t n)
{
	static struct efi_elf e;
	struct efi_range r[EFI_ELF_MAX_SEGS];
	char err[300];
	bool entry_ok = false;
	uint32_t nr;
	int rc;

	memset(err, 'x', sizeof(err));
	rc = efi_elf_check(p, n, &e, err, sizeof(err));
	CHECK(rc == 0 || rc == -ENOEXEC);
	CHECK(terminated(err, sizeof(err)));
	CHECK(rc ? err[0] != 0 : err[0] == 0);
	if (rc)
		return;
	CHECK(e.nr_segs >= 1 && e.nr_segs <= EFI_ELF_MAX_SEGS);
	for (uint32_t i = 0; i < e.nr_segs; i++) {
		const struct efi_elf_seg *s = &e.segs[i];
		CHECK(s->filesz <= s->memsz && s->memsz);
		CHECK(s->offset <= n && s->filesz <= n - s->offset);
		CHECK(s->paddr < EFI_ELF_LIMIT &&
		      s->memsz <= EFI_ELF_LIMIT - s->paddr);
		if (e.entry64 >= s->paddr && e.entry64 < s->paddr + s->filesz)
			entry_ok = true;
		for (uint32_t k = 0; k < i; k++)
			CHECK(s->paddr >= e.segs[k].paddr + e.segs[k].memsz ||
			      e.segs[k].paddr >= s->paddr + s->memsz);
	}
	CHECK(entry_ok);
	nr = efi_elf_ranges(&e, r);
	CHECK(nr >= 1 && nr <= e.nr_segs);
	for (uint32_t i = 0; i < nr; i++) {
		CHECK(!(r[i].base & 0xfff) && !(r[i].len & 0xfff) && r[i].len);
		if (i)
			CHECK(r[i].base > r[i - 1].base + r[i - 1].len);
	}
	for (uint32_t i = 0; i < e.nr_segs; i++) {
		bool in = false;
		for (uint32_t k = 0; k < nr; k++)
			in |= e.segs[i].paddr >= r[k].base &&
			      e.segs[i].paddr + e.segs[i].memsz <=
				  r[k].base + r[k].len;
		CHECK(in);
	}
}

static void check_mmap(const uint8_t *p, size_t n)
{
	static struct boot_info bi;
	size_t dsize;
	uint8_t *copy;
	int rc;

	if (!n)
		return;
	dsize = 40 + p[0] % 32;
	copy = malloc(n - 1 ? n - 1 : 1);
	if (!copy)
		return;
	memcpy(copy, p + 1, n - 1);
	memset(&bi, 0x5a, sizeof(bi));
	rc = efi_mmap_convert(copy, n - 1, dsize, &bi);
	CHECK(rc == 0);
	CHECK(bi.nr_mmap <= BOOT_MAX_MMAP);
	for (uint32_t i = 0; i < bi.nr_mmap; i++) {
		CHECK(bi.mmap[i].len);
		CHECK(bi.mmap[i].type >= BOOT_MEM_USABLE &&
		      bi.mmap[i].type <= BOOT_MEM_BAD);
		if (i)
			CHECK(bi.mmap[i].base >=
			      bi.mmap[i - 1].base + bi.mmap[i - 1].len);
	}
	free(copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *copy;

	if (!size)
		return 0;
	/* an exactly sized copy, so ASan sees any read past the end */
	copy = malloc(size - 1 ? size - 1 : 1);
	if (!copy)
		return 0;
	memcpy(copy, data + 1, size - 1);
	switch (data[0] % 3) {
	case 0:
		check_conf(copy, size - 1);
		break;
	case 1:
		check_elf(copy, size - 1);
		break;
	default:
		check_mmap(copy, size - 1);
		break;
	}
	free(copy);
	return 0;
}
