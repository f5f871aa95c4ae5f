/*
 * tests/fuzz/fuzz_pvh.c — libFuzzer target: arbitrary bytes as a PVH start
 * info for pvh_parse. The input is also the physical memory: phys_read
 * serves address a from input byte a, and fails outside the input.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "boot/boot_info.h"
#include "tests/fuzz/boot_check.h"

struct phys {
	const uint8_t *mem;
	size_t size;
};

static bool phys_read(uint64_t phys, void *dst, size_t len, void *ctx)
{
	const struct phys *p = ctx;

	if (phys > p->size || len > p->size - phys)
		return false;
	memcpy(dst, p->mem + phys, len);
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct boot_info bi;
	char err[160];
	uint8_t *info = malloc(size ? size : 1);
	struct phys mem = {data, size};
	uint64_t rsdp;
	int ret;

	if (!info)
		return 0;
	if (size)
		memcpy(info, data, size);
	memset(err, 'x', sizeof(err));
	ret = pvh_parse(info, size, phys_read, &mem, &bi, err, sizeof(err));
	check_boot_info(&bi, ret, err, sizeof(err), "pvh: ");
	CHECK(bi.source == BOOT_SRC_PVH);
	CHECK(!bi.rsdp_is_copy);
	if (ret == 0) {
		memcpy(&rsdp, data + 32, 8);
		CHECK(bi.rsdp == rsdp);
	}
	free(info);
	return 0;
}
