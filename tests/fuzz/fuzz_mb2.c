/*
 * tests/fuzz/fuzz_mb2.c — libFuzzer target: arbitrary bytes as a Multiboot2
 * info for mb2_parse, then the invariants of boot_check.h.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "boot/boot_info.h"
#include "tests/fuzz/boot_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct boot_info bi;
	char err[160];
	/* malloc'd copy: 8-byte aligned as GRUB's, and exactly sized so that
	 * ASan sees any read past the end */
	uint8_t *info = malloc(size ? size : 1);
	int ret;

	if (!info)
		return 0;
	if (size)
		memcpy(info, data, size);
	memset(err, 'x', sizeof(err));
	ret = mb2_parse(info, size, &bi, err, sizeof(err));
	check_boot_info(&bi, ret, err, sizeof(err), "multiboot2: ");
	CHECK(bi.source == BOOT_SRC_MULTIBOOT2);
	CHECK(bi.rsdp == 0);
	for (uint32_t i = 0; i < bi.nr_modules; i++)
		CHECK(bi.modules[i].base + bi.modules[i].len <= UINT32_MAX);
	free(info);
	return 0;
}
