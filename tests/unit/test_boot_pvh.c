/*
 * tests/unit/test_boot_pvh.c — unit tests of the PVH start-info parser
 * (boot/pvh.c).
 *
 * A fake physical memory window [FM_BASE, FM_BASE + fm.size) serves
 * phys_read; the start info, strings, module list and memory map are placed
 * in it at the addresses below, and reads outside it fail.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "tests/unit/test_boot.h"

#define FM_BASE 0x10000ull
#define FM_MAX	0x20000u
#define SI	FM_BASE /* start info */
#define MODLIST (FM_BASE + 0x100)
#define MODNAME (FM_BASE + 0x400)
#define MEMMAP	(FM_BASE + 0x800)   /* up to 4096 entries */
#define CMDLINE (FM_BASE + 0x19000) /* up to 5000 bytes */

struct fake_mem {
	_Alignas(8) uint8_t buf[FM_MAX];
	size_t size; /* readable bytes from FM_BASE */
	unsigned reads;
};

struct e820 {
	uint64_t addr, size;
	uint32_t type;
};

static struct fake_mem fm;
static struct boot_info bi;
static char err[256];

static bool fm_read(uint64_t phys, void *dst, size_t len, void *ctx)
{
	struct fake_mem *f = ctx;

	f->reads++;
	if (phys < FM_BASE || phys - FM_BASE > f->size ||
	    len > f->size - (phys - FM_BASE))
		return false;
	memcpy(dst, f->buf + (phys - FM_BASE), len);
	return true;
}

static void put32(uint64_t phys, uint32_t v)
{
	memcpy(fm.buf + (phys - FM_BASE), &v, 4);
}

static void put64(uint64_t phys, uint64_t v)
{
	memcpy(fm.buf + (phys - FM_BASE), &v, 8);
}

static void put_str(uint64_t phys, const char *s)
{
	memcpy(fm.buf + (phys - FM_BASE), s, strlen(s) + 1);
}

/* A version-1 start info with nothing in it yet. */
static void si_init(void)
{
	memset(&fm, 0, sizeof(fm));
	fm.size = FM_MAX;
	put32(SI, PVH_START_MAGIC);
	put32(SI + 4, 1);
}

static void si_module(uint32_t i, uint64_t base, uint64_t len, uint64_t name)
{
	uint64_t e = MODLIST + 32ull * i;

	put64(e, base);
	put64(e + 8, len);
	put64(e + 16, name);
	put32(SI + 12, i + 1);
	put64(SI + 16, MODLIST);
}

static void si_memmap(const struct e820 *map, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		uint64_t e = MEMMAP + 24ull * i;

		put64(e, map[i].addr);
		put64(e + 8, map[i].size);
		put32(e + 16, map[i].type);
	}
	put64(SI + 40, MEMMAP);
	put32(SI + 48, n);
}

static int parse_n(size_t avail)
{
	return pvh_parse(fm.buf, avail, fm_read, &fm, &bi, err, sizeof(err));
}

static int parse(void)
{
	return parse_n(56);
}

static void expect_error(const char *msg)
{
	assert_int_equal(parse(), -EINVAL);
	assert_string_equal(err, msg);
	assert_int_equal(bi.source, BOOT_SRC_PVH);
}

static const struct e820 qemu_map[] = {
    {0x100000, 0x7ee0000, 1}, {0x0, 0x9fc00, 1},	{0x9fc00, 0x400, 2},
    {0xf0000, 0x10000, 2},    {0xfffc0000, 0x40000, 2}, {0x7fe0000, 0x20000, 2},
    {0x7fe0000, 0, 4}, /* empty: dropped */
};

static void test_pvh_good(void **state)
{
	(void)state;
	si_init();
	put64(SI + 24, CMDLINE);
	put_str(CMDLINE, "console=ttyS0 unum.node=2");
	put_str(MODNAME, "initrd.img");
	si_module(0, 0x800000, 0x12345, MODNAME);
	si_module(1, 0x900000, 0x1000, 0);
	put64(SI + 32, 0xf5a80);
	si_memmap(qemu_map, 7);

	assert_int_equal(parse(), 0);
	assert_string_equal(err, "");
	assert_int_equal(bi.source, BOOT_SRC_PVH);
	assert_string_equal(bi.loader, "");
	assert_string_equal(bi.cmdline, "console=ttyS0 unum.node=2");
	assert_false(bi.cmdline_truncated);
	assert_int_equal(bi.nr_modules, 2);
	assert_false(bi.modules_truncated);
	assert_int_equal(bi.modules[0].base, 0x800000);
	assert_int_equal(bi.modules[0].len, 0x12345);
	assert_string_equal(bi.modules[0].name, "initrd.img");
	assert_int_equal(bi.modules[1].base, 0x900000);
	assert_int_equal(bi.modules[1].len, 0x1000);
	assert_string_equal(bi.modules[1].name, "");
	assert_int_equal(bi.rsdp, 0xf5a80);
	assert_false(bi.rsdp_is_copy);
	assert_int_equal(bi.nr_mmap, 6);
	assert_false(bi.mmap_truncated);
	assert_region(&bi, 0, 0x0, 0x9fc00, BOOT_MEM_USABLE);
	assert_region(&bi, 1, 0x9fc00, 0x400, BOOT_MEM_RESERVED);
	assert_region(&bi, 2, 0xf0000, 0x10000, BOOT_MEM_RESERVED);
	assert_region(&bi, 3, 0x100000, 0x7ee0000, BOOT_MEM_USABLE);
	assert_region(&bi, 4, 0x7fe0000, 0x20000, BOOT_MEM_RESERVED);
	assert_region(&bi, 5, 0xfffc0000, 0x40000, BOOT_MEM_RESERVED);
	assert_int_equal(bi.fb.addr, 0);
}

static void test_pvh_version0(void **state)
{
	(void)state;
	si_init();
	put32(SI + 4, 0);
	put64(SI + 24, CMDLINE);
	put_str(CMDLINE, "quiet");
	si_module(0, 0x800000, 0x10, 0);
	put64(SI + 32, 0xe0000);
	assert_int_equal(parse_n(40), -EINVAL);
	assert_string_equal(err, "pvh: no memory map (start info version 0)");
	/* everything before the memory map was parsed */
	assert_string_equal(bi.cmdline, "quiet");
	assert_int_equal(bi.nr_modules, 1);
	assert_int_equal(bi.modules[0].base, 0x800000);
	assert_int_equal(bi.rsdp, 0xe0000);
	assert_int_equal(bi.nr_mmap, 0);
}

static void test_pvh_later_version(void **state)
{
	(void)state;
	si_init();
	put32(SI + 4, 3);
	si_memmap(qemu_map, 2);
	assert_int_equal(parse(), 0);
	assert_int_equal(bi.nr_mmap, 2);
	assert_region(&bi, 0, 0x0, 0x9fc00, BOOT_MEM_USABLE);
	assert_region(&bi, 1, 0x100000, 0x7ee0000, BOOT_MEM_USABLE);
	assert_string_equal(bi.cmdline, "");
}

static void test_pvh_header_errors(void **state)
{
	(void)state;
	si_init();
	si_memmap(qemu_map, 1);
	assert_int_equal(parse_n(39), -EINVAL);
	assert_string_equal(err, "pvh: start info is 39 bytes, too short "
				 "(version 0 needs 40)");
	assert_int_equal(parse_n(40), -EINVAL);
	assert_string_equal(err, "pvh: start info version 1 needs 56 bytes, "
				 "only 40 available");
	put32(SI, 0x36d76289);
	expect_error("pvh: bad magic 0x36d76289 (expected 0x336ec578)");
	assert_int_equal(pvh_parse(fm.buf, 0, fm_read, &fm, &bi, NULL, 0),
			 -EINVAL);
}

static void test_pvh_cmdline_edges(void **state)
{
	static char big[5000];

	(void)state;
	si_init();
	si_memmap(qemu_map, 1);
	put64(SI + 24, 0x900000);
	expect_error("pvh: command line at 0x900000 is unreadable at byte 0");

	/* a NUL that is the last readable byte still ends the string */
	put64(SI + 24, CMDLINE);
	put_str(CMDLINE, "abcdefghijklmnopqrstuvwxyz");
	fm.size = CMDLINE + 27 - FM_BASE;
	assert_int_equal(parse(), 0);
	assert_string_equal(bi.cmdline, "abcdefghijklmnopqrstuvwxyz");

	/* without the NUL the read runs into the hole */
	fm.size--;
	expect_error("pvh: command line at 0x29000 is unreadable at byte 26");
	assert_string_equal(bi.cmdline, "");

	/* a string running into the hole after the first chunk */
	fm.size = FM_MAX;
	memset(big, 'c', sizeof(big) - 1);
	put_str(CMDLINE, big);
	fm.size = CMDLINE + 100 - FM_BASE;
	expect_error("pvh: command line at 0x29000 is unreadable at byte 100");

	/* longer than the buffer: cut, and nothing past it is read */
	fm.size = CMDLINE + BOOT_CMDLINE_MAX - FM_BASE;
	assert_int_equal(parse(), 0);
	assert_true(bi.cmdline_truncated);
	assert_int_equal(strlen(bi.cmdline), BOOT_CMDLINE_MAX - 1);
	assert_memory_equal(bi.cmdline, big, BOOT_CMDLINE_MAX - 1);

	/* exactly the longest string that fits */
	fm.size = FM_MAX;
	put_str(CMDLINE, big + sizeof(big) - BOOT_CMDLINE_MAX);
	assert_int_equal(parse(), 0);
	assert_false(bi.cmdline_truncated);
	assert_int_equal(strlen(bi.cmdline), BOOT_CMDLINE_MAX - 1);

	/* an address whose string would wrap past 2^64 */
	put64(SI + 24, 0xfffffffffffffff0ull);
	expect_error("pvh: command line at 0xfffffffffffffff0 is unreadable at "
		     "byte 0");
}

static void test_pvh_module_errors(void **state)
{
	(void)state;
	si_init();
	si_memmap(qemu_map, 1);
	si_module(0, 0x800000, 0x1000, 0);
	put64(SI + 16, 0);
	expect_error("pvh: nr_modules is 1 but modlist_paddr is 0");

	si_module(1, 0x900000, 0x1000, 0);
	fm.size = MODLIST + 32 + 31 - FM_BASE;
	expect_error("pvh: module list at 0x10100 is unreadable (module 1)");
	assert_int_equal(bi.nr_modules, 1);

	fm.size = FM_MAX;
	si_module(1, 0xfffffffffffff000ull, 0x1000, 0);
	expect_error("pvh: module 1 (paddr 0xfffffffffffff000, size 0x1000) "
		     "wraps past the end of the address space");

	si_module(1, 0x900000, 0x1000, 0x7000000);
	expect_error("pvh: module 1 command line at 0x7000000 is unreadable "
		     "at byte 0");
	assert_string_equal(bi.modules[1].name, "");
}

static void test_pvh_module_truncation(void **state)
{
	static char name[300];

	(void)state;
	si_init();
	si_memmap(qemu_map, 1);
	memset(name, 'm', sizeof(name) - 1);
	put_str(MODNAME, name);
	for (uint32_t i = 0; i < 20; i++)
		si_module(i, 0x100000 * (i + 1), i, i ? 0 : MODNAME);
	/* the entries past the 16th are never read */
	put64(MODLIST + 32 * 16 + 8, 0xffffffffffffffffull);
	assert_int_equal(parse(), 0);
	assert_true(bi.modules_truncated);
	assert_int_equal(bi.nr_modules, BOOT_MAX_MODULES);
	assert_int_equal(strlen(bi.modules[0].name), BOOT_MODNAME_MAX - 1);
	assert_memory_equal(bi.modules[0].name, name, BOOT_MODNAME_MAX - 1);
	for (uint32_t i = 1; i < BOOT_MAX_MODULES; i++) {
		assert_int_equal(bi.modules[i].base, 0x100000 * (i + 1));
		assert_int_equal(bi.modules[i].len, i);
	}
	assert_false(bi.cmdline_truncated);
}

static void test_pvh_memmap_errors(void **state)
{
	(void)state;
	si_init();
	si_memmap(qemu_map, 0);
	expect_error("pvh: no memory map (memmap_entries is 0)");
	put32(SI + 48, 4097);
	expect_error("pvh: memmap_entries 4097 is absurd (more than 4096)");
	si_memmap(qemu_map, 4);
	put64(SI + 40, 0);
	expect_error("pvh: memmap_entries is 4 but memmap_paddr is 0");
	si_memmap(qemu_map, 4);
	fm.size = MEMMAP + 3 * 24 + 23 - FM_BASE;
	expect_error("pvh: memory map at 0x10800 is unreadable (entry 3)");
	fm.size = FM_MAX;
	put64(MEMMAP + 2 * 24 + 8, 0xffffffffffffffffull);
	expect_error("pvh: memory map entry 2 (addr 0x9fc00, size "
		     "0xffffffffffffffff) wraps past the end of the address "
		     "space");
	/* a map whose last entries would lie past 2^64 */
	put64(SI + 40, 0xffffffffffffffe0ull);
	expect_error("pvh: memory map at 0xffffffffffffffe0 is unreadable "
		     "(entry 0)");
}

static void test_pvh_memmap_types_and_overflow(void **state)
{
	static struct e820 map[4096];

	(void)state;
	static const uint32_t first[4] = {7, 3, 4, 5};

	for (uint32_t i = 0; i < 4096; i++)
		map[i] =
		    (struct e820){0x2000ull * i, 0x1000, i < 4 ? first[i] : 1};
	si_init();
	si_memmap(map, 4096); /* the largest map accepted */
	assert_int_equal(parse(), 0);
	assert_true(bi.mmap_truncated);
	assert_int_equal(bi.nr_mmap, BOOT_MAX_MMAP);
	assert_region(&bi, 0, 0x0, 0x1000, BOOT_MEM_RESERVED);
	assert_region(&bi, 1, 0x2000, 0x1000, BOOT_MEM_ACPI_RECLAIM);
	assert_region(&bi, 2, 0x4000, 0x1000, BOOT_MEM_ACPI_NVS);
	assert_region(&bi, 3, 0x6000, 0x1000, BOOT_MEM_BAD);
	assert_region(&bi, 127, 0x2000 * 127, 0x1000, BOOT_MEM_USABLE);
}

static const struct CMUnitTest pvh_tests[] = {
    cmocka_unit_test(test_pvh_good),
    cmocka_unit_test(test_pvh_version0),
    cmocka_unit_test(test_pvh_later_version),
    cmocka_unit_test(test_pvh_header_errors),
    cmocka_unit_test(test_pvh_cmdline_edges),
    cmocka_unit_test(test_pvh_module_errors),
    cmocka_unit_test(test_pvh_module_truncation),
    cmocka_unit_test(test_pvh_memmap_errors),
    cmocka_unit_test(test_pvh_memmap_types_and_overflow),
};

int boot_run_pvh_tests(void)
{
	return cmocka_run_group_tests_name("pvh", pvh_tests, NULL, NULL);
}
