/*
 * tests/unit/test_efi_mmap.c — unit tests of the EFI memory map converter
 * (boot/efi/efi_mmap.c): the type table, descriptor strides, merging, the
 * loader's reserved boot_info pages, clipping and truncation.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "boot/efi/efi_loader.h"
#include "tests/unit/test_efi.h"

enum {
	U = BOOT_MEM_USABLE,
	R = BOOT_MEM_RESERVED,
	A = BOOT_MEM_ACPI_RECLAIM,
	N = BOOT_MEM_ACPI_NVS,
	X = BOOT_MEM_BAD
};

#define MAXD 300
static uint8_t map[MAXD * 64];
static size_t nd, stride = 48;
static struct boot_info bi;

static void reset(size_t desc_size)
{
	memset(map, 0xa5, sizeof(map)); /* the padding is not read */
	nd = 0;
	stride = desc_size;
}

static void add(uint32_t type, uint64_t base, uint64_t pages)
{
	struct efi_mdesc d = {type, 0, base, 0, pages, 0xf};
	memcpy(map + nd * stride, &d, sizeof(d));
	nd++;
}

static int convert(void)
{
	memset(&bi, 0x5a, sizeof(bi));
	return efi_mmap_convert(map, nd * stride, stride, &bi);
}

#define assert_region(i, b, l, t)                                              \
	do {                                                                   \
		assert_int_equal(bi.mmap[i].base, (b));                        \
		assert_int_equal(bi.mmap[i].len, (l));                         \
		assert_int_equal(bi.mmap[i].type, (t));                        \
	} while (0)

static void test_mmap_types(void **state)
{
	static const uint32_t want[16] = {R, U, U, U, U, R, R, U,
					  X, A, N, R, R, R, R, R};

	(void)state;
	for (uint32_t t = 0; t < 16; t++)
		assert_int_equal(efi_mem_type_to_boot(t), want[t]);
	assert_int_equal(efi_mem_type_to_boot(0x70000000), R);
	assert_int_equal(efi_mem_type_to_boot(EFI_MT_UNUM_BOOT_INFO), R);
	assert_int_equal(efi_mem_type_to_boot(0xffffffff), R);
}

/* A map like OVMF's: boot-services pieces become one usable region; the
 * loader's boot_info pages stay reserved. */
static void test_mmap_ovmf_like(void **state)
{
	(void)state;
	reset(48);
	add(EFI_MT_BS_CODE, 0x0, 1);
	add(EFI_MT_CONVENTIONAL, 0x1000, 0x9f);
	add(EFI_MT_CONVENTIONAL, 0x100000, 0x700);
	add(EFI_MT_LOADER_CODE, 0x800000, 0x10);
	add(EFI_MT_UNUM_BOOT_INFO, 0x810000, 3);
	add(EFI_MT_LOADER_DATA, 0x813000, 0x1);
	add(EFI_MT_BS_DATA, 0x814000, 0x7ec);
	add(EFI_MT_ACPI_RECLAIM, 0x1000000, 0x10);
	add(EFI_MT_ACPI_NVS, 0x1010000, 0x10);
	add(6 /* runtime data */, 0x1020000, 0x10);
	add(EFI_MT_UNUSABLE, 0x1030000, 1);
	add(11 /* MMIO */, 0xffc00000, 0x400);
	assert_int_equal(convert(), 0);
	assert_false(bi.mmap_truncated);
	assert_int_equal(bi.nr_mmap, 9);
	assert_region(0, 0x0, 0xa0000, U);
	assert_region(1, 0x100000, 0x710000, U);
	assert_region(2, 0x810000, 0x3000, R);
	assert_region(3, 0x813000, 0x7ed000, U);
	assert_region(4, 0x1000000, 0x10000, A);
	assert_region(5, 0x1010000, 0x10000, N);
	assert_region(6, 0x1020000, 0x10000, R);
	assert_region(7, 0x1030000, 0x1000, X);
	assert_region(8, 0xffc00000, 0x400000, R);
	assert_int_equal(bi.mmap[9].len, 0);
}

static void test_mmap_stride_and_sort(void **state)
{
	(void)state;
	/* the minimal 40-byte stride, an unsorted map, zero-page entries */
	reset(40);
	add(EFI_MT_CONVENTIONAL, 0x200000, 0x100);
	add(EFI_MT_ACPI_NVS, 0x100000, 0);
	add(EFI_MT_CONVENTIONAL, 0x100000, 0x100);
	add(EFI_MT_RESERVED, 0x180000, 0x10);
	assert_int_equal(convert(), 0);
	assert_int_equal(bi.nr_mmap, 3);
	assert_region(0, 0x100000, 0x80000, U);
	assert_region(1, 0x180000, 0x10000, R); /* reserved wins the overlap */
	assert_region(2, 0x190000, 0x170000, U);

	/* a trailing partial descriptor is ignored */
	reset(48);
	add(EFI_MT_CONVENTIONAL, 0x100000, 1);
	memset(&bi, 0, sizeof(bi));
	assert_int_equal(efi_mmap_convert(map, 48 + 47, 48, &bi), 0);
	assert_int_equal(bi.nr_mmap, 1);
	assert_region(0, 0x100000, 0x1000, U);
	assert_int_equal(efi_mmap_convert(map, 47, 48, &bi), 0);
	assert_int_equal(bi.nr_mmap, 0);
}

static void test_mmap_bad_desc_size(void **state)
{
	(void)state;
	reset(48);
	add(EFI_MT_CONVENTIONAL, 0x100000, 1);
	memset(&bi, 0x5a, sizeof(bi));
	assert_int_equal(efi_mmap_convert(map, 48, 39, &bi), -EINVAL);
	assert_int_equal(bi.nr_mmap, 0);
	assert_false(bi.mmap_truncated);
	assert_int_equal(efi_mmap_convert(map, 48, 0, &bi), -EINVAL);
}

static void test_mmap_clip_top(void **state)
{
	(void)state;
	reset(48);
	add(EFI_MT_CONVENTIONAL, 0xfffffffffff00000ull, 0x1000); /* past 2^64 */
	add(EFI_MT_CONVENTIONAL, 0x1000, 0xffffffffffffffffull);
	assert_int_equal(convert(), 0);
	assert_int_equal(bi.nr_mmap, 1);
	assert_region(0, 0x1000, 0xffffffffffffefffull, U);
}

static void test_mmap_truncated(void **state)
{
	(void)state;
	reset(48);
	/* 200 regions that stay apart: alternating types */
	for (uint64_t i = 0; i < 200; i++)
		add(i % 2 ? EFI_MT_CONVENTIONAL : EFI_MT_ACPI_NVS,
		    0x100000 + i * 0x1000, 1);
	assert_int_equal(convert(), 0);
	assert_true(bi.mmap_truncated);
	assert_int_equal(bi.nr_mmap, BOOT_MAX_MMAP);
	assert_region(0, 0x100000, 0x1000, N);
	assert_region(127, 0x17f000, 0x1000, U);
	/* 200 pieces of one type: merged as they come, nothing lost */
	reset(48);
	for (uint64_t i = 0; i < 200; i++)
		add(i % 2 ? EFI_MT_CONVENTIONAL : EFI_MT_BS_DATA,
		    0x100000 + i * 0x1000, 1);
	assert_int_equal(convert(), 0);
	assert_false(bi.mmap_truncated);
	assert_int_equal(bi.nr_mmap, 1);
	assert_region(0, 0x100000, 200 * 0x1000, U);
}

int efi_run_mmap_tests(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_mmap_types),
	    cmocka_unit_test(test_mmap_ovmf_like),
	    cmocka_unit_test(test_mmap_stride_and_sort),
	    cmocka_unit_test(test_mmap_bad_desc_size),
	    cmocka_unit_test(test_mmap_clip_top),
	    cmocka_unit_test(test_mmap_truncated),
	};
	return cmocka_run_group_tests_name("efi_mmap", tests, NULL, NULL);
}
