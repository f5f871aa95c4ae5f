/*
 * tests/unit/test_boot.c — unit tests of the Multiboot2 parser (boot/mb2.c),
 * and main() for the boot/ tests (PVH and the memory-map normalizer live in
 * test_boot_pvh.c and test_boot_mmap.c).
 *
 * Infos are built tag by tag with the mb2_* helpers below, then corrupted
 * field by field.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "tests/unit/test_boot.h"

struct mb2b {
	_Alignas(8) uint8_t b[16384];
	size_t len;
};

struct mmap_ent {
	uint64_t base, len;
	uint32_t type;
};

static struct mb2b m;
static struct boot_info bi;
static char err[256];

static void put32(size_t off, uint32_t v)
{
	memcpy(m.b + off, &v, 4);
}

static void put64(size_t off, uint64_t v)
{
	memcpy(m.b + off, &v, 8);
}

static void mb2_init(void)
{
	memset(&m, 0, sizeof(m));
	m.len = 8;
}

/* Appends a tag; returns its offset. */
static size_t mb2_tag(uint32_t type, const void *payload, size_t plen)
{
	size_t off = m.len;

	put32(off, type);
	put32(off + 4, (uint32_t)(8 + plen));
	if (plen)
		memcpy(m.b + off + 8, payload, plen);
	m.len = (off + 8 + plen + 7) & ~(size_t)7;
	return off;
}

static size_t mb2_str(uint32_t type, const char *s)
{
	return mb2_tag(type, s, strlen(s) + 1);
}

static size_t mb2_module(uint32_t start, uint32_t end, const char *name)
{
	uint8_t p[512];

	memcpy(p, &start, 4);
	memcpy(p + 4, &end, 4);
	memcpy(p + 8, name, strlen(name) + 1);
	return mb2_tag(3, p, 8 + strlen(name) + 1);
}

static size_t mb2_mmap(const struct mmap_ent *e, size_t n)
{
	static uint8_t p[8 + 24 * 200];
	uint32_t esize = 24, ver = 0;

	memcpy(p, &esize, 4);
	memcpy(p + 4, &ver, 4);
	for (size_t i = 0; i < n; i++) {
		uint8_t *q = p + 8 + 24 * i;
		uint32_t zero = 0;

		memcpy(q, &e[i].base, 8);
		memcpy(q + 8, &e[i].len, 8);
		memcpy(q + 16, &e[i].type, 4);
		memcpy(q + 20, &zero, 4);
	}
	return mb2_tag(6, p, 8 + 24 * n);
}

/* Closes the info with an end tag and sets total_size. */
static size_t mb2_finish(void)
{
	size_t off = mb2_tag(0, NULL, 0);

	put32(0, (uint32_t)m.len);
	return off;
}

static int parse(void)
{
	return mb2_parse(m.b, m.len, &bi, err, sizeof(err));
}

static void expect_error(const char *msg)
{
	assert_int_equal(parse(), -EINVAL);
	assert_string_equal(err, msg);
	assert_int_equal(bi.source, BOOT_SRC_MULTIBOOT2);
}

static const uint8_t rsdp2[36] = "RSD PTR \x42OEMID \x02\x00\x10\x0f\x00\x24"
				 "\x00\x00\x00\x10\x10\x0f\x00\x00\x00\x00\x77"
				 "\x00\x00";

static void test_mb2_good(void **state)
{
	static const struct mmap_ent map[] = {
	    {0x100000, 0x7ee0000, 1},
	    {0x0, 0x9fc00, 1},
	    {0x9fc00, 0x400, 2},
	    {0xf0000, 0x10000, 2},
	    {0x7fe0000, 0x20000, 2},
	    {0xfffc0000, 0x40000, 2},
	    {0x100000000, 0x40000000, 1},
	    {0x180000000, 0x1000000, 7}, /* pmem: reserved */
	};
	uint8_t fb[24] = {0}, basic[12] = {0};
	uint64_t fbaddr = 0xfd000000;
	uint32_t pitch = 4096, w = 1024, h = 768;

	memcpy(fb, &fbaddr, 8);
	memcpy(fb + 8, &pitch, 4);
	memcpy(fb + 12, &w, 4);
	memcpy(fb + 16, &h, 4);
	fb[20] = 32; /* bpp */
	fb[21] = 1;  /* RGB */
	mb2_init();
	mb2_str(1, "console=ttyS0 unum.node=1");
	mb2_str(2, "GRUB 2.06-13+deb12u1");
	mb2_module(0x200000, 0x201000, "config");
	mb2_module(0x300000, 0x340123, "app.elf arg1 arg2");
	mb2_tag(4, basic, 8);  /* basic meminfo: skipped */
	mb2_tag(5, basic, 12); /* boot device: skipped */
	mb2_mmap(map, 8);
	mb2_tag(8, fb, sizeof(fb));
	mb2_tag(15, rsdp2, sizeof(rsdp2));
	mb2_finish();
	(void)state;

	assert_int_equal(parse(), 0);
	assert_string_equal(err, "");
	assert_int_equal(bi.source, BOOT_SRC_MULTIBOOT2);
	assert_string_equal(bi.cmdline, "console=ttyS0 unum.node=1");
	assert_false(bi.cmdline_truncated);
	assert_string_equal(bi.loader, "GRUB 2.06-13+deb12u1");
	assert_int_equal(bi.nr_modules, 2);
	assert_false(bi.modules_truncated);
	assert_int_equal(bi.modules[0].base, 0x200000);
	assert_int_equal(bi.modules[0].len, 0x1000);
	assert_string_equal(bi.modules[0].name, "config");
	assert_int_equal(bi.modules[1].base, 0x300000);
	assert_int_equal(bi.modules[1].len, 0x40123);
	assert_string_equal(bi.modules[1].name, "app.elf arg1 arg2");
	assert_int_equal(bi.nr_mmap, 8);
	assert_false(bi.mmap_truncated);
	assert_region(&bi, 0, 0x0, 0x9fc00, BOOT_MEM_USABLE);
	assert_region(&bi, 1, 0x9fc00, 0x400, BOOT_MEM_RESERVED);
	assert_region(&bi, 2, 0xf0000, 0x10000, BOOT_MEM_RESERVED);
	assert_region(&bi, 3, 0x100000, 0x7ee0000, BOOT_MEM_USABLE);
	assert_region(&bi, 4, 0x7fe0000, 0x20000, BOOT_MEM_RESERVED);
	assert_region(&bi, 5, 0xfffc0000, 0x40000, BOOT_MEM_RESERVED);
	assert_region(&bi, 6, 0x100000000, 0x40000000, BOOT_MEM_USABLE);
	assert_region(&bi, 7, 0x180000000, 0x1000000, BOOT_MEM_RESERVED);
	assert_int_equal(bi.rsdp, 0);
	assert_true(bi.rsdp_is_copy);
	assert_memory_equal(bi.rsdp_copy, rsdp2, 36);
	assert_int_equal(bi.fb.addr, 0xfd000000);
	assert_int_equal(bi.fb.pitch, 4096);
	assert_int_equal(bi.fb.width, 1024);
	assert_int_equal(bi.fb.height, 768);
	assert_int_equal(bi.fb.bpp, 32);
}

static void test_mb2_pmem_above_4g(void **state)
{
	static const struct mmap_ent map[] = {
	    {0x100000000, 0x1000000, 7},
	    {0x101000000, 0x1000, 12},
	    {0x101001000, 0x1000, 5},
	};

	(void)state;
	mb2_init();
	mb2_mmap(map, 3);
	mb2_finish();
	assert_int_equal(parse(), 0);
	assert_int_equal(bi.nr_mmap, 2);
	assert_region(&bi, 0, 0x100000000, 0x1001000, BOOT_MEM_RESERVED);
	assert_region(&bi, 1, 0x101001000, 0x1000, BOOT_MEM_BAD);
	assert_string_equal(bi.cmdline, "");
	assert_string_equal(bi.loader, "");
	assert_int_equal(bi.nr_modules, 0);
	assert_false(bi.rsdp_is_copy);
	assert_int_equal(bi.fb.addr, 0);
}

static void test_mb2_header_errors(void **state)
{
	(void)state;
	mb2_init();
	mb2_finish();
	assert_int_equal(mb2_parse(m.b, 4, &bi, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "multiboot2: info is 4 bytes, too short for "
				 "its 8-byte header");
	assert_int_equal(mb2_parse(m.b + 4, 12, &bi, err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "is not 8-byte aligned"));
	assert_int_equal(mb2_parse(m.b, 15, &bi, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "multiboot2: total_size 16 exceeds the 15 "
				 "bytes available");
	put32(0, 4);
	expect_error("multiboot2: total_size 4 is smaller than the 8-byte "
		     "header");
	put32(0, 8);
	expect_error("multiboot2: no end tag (tags stop at offset 8, "
		     "total_size 8)");
}

static void test_mb2_tag_runs_past_end(void **state)
{
	static const struct mmap_ent map[] = {{0, 0x1000, 1},
					      {0x1000, 0x1000, 2}};
	char cmd[32];

	(void)state;
	memset(cmd, 'x', 31);
	cmd[31] = '\0';
	mb2_init();
	mb2_str(1, cmd); /* offset 8, size 40 */
	size_t off = mb2_mmap(map, 2);
	mb2_finish();
	assert_int_equal(off, 48);
	put32(off + 4, 200);
	expect_error("multiboot2: tag 6 at offset 48 runs past the end "
		     "(size 200, 72 bytes left)");
	/* what came before the fault was kept */
	assert_string_equal(bi.cmdline, cmd);
	put32(off + 4, 4);
	expect_error("multiboot2: tag 6 at offset 48 has size 4, less than "
		     "its 8-byte header");
}

static void test_mb2_end_tag(void **state)
{
	(void)state;
	mb2_init();
	mb2_str(1, "a");
	size_t end = mb2_finish();
	put32(end + 4, 16);
	put32(0, (uint32_t)(m.len + 8));
	m.len += 8;
	expect_error("multiboot2: end tag at offset 24 has size 16, not 8");

	/* without an end tag, running out of tags is an error */
	mb2_init();
	mb2_str(1, "a");
	put32(0, (uint32_t)m.len);
	expect_error("multiboot2: no end tag (tags stop at offset 24, "
		     "total_size 24)");
	put32(0, 18); /* just past the string */
	expect_error("multiboot2: no end tag (tags stop at offset 24, "
		     "total_size 18)");

	/* bytes after the end tag are ignored */
	mb2_init();
	mb2_finish();
	put32(0, 64);
	m.len = 64;
	assert_int_equal(parse(), 0);
}

static void test_mb2_unaligned_tag_size(void **state)
{
	uint8_t junk[5] = {1, 2, 3, 4, 5};

	(void)state;
	mb2_init();
	mb2_tag(77, junk, 5); /* size 13, next tag at 24 */
	mb2_str(1, "x");
	mb2_finish();
	assert_int_equal(parse(), 0);
	assert_string_equal(bi.cmdline, "x");
}

static void test_mb2_mmap_errors(void **state)
{
	static const struct mmap_ent map[] = {{0, 0x1000, 1}};

	(void)state;
	mb2_init();
	size_t off = mb2_mmap(map, 1);
	mb2_finish();
	put32(off + 8, 20);
	expect_error("multiboot2: tag 6 (memory map) at offset 8: entry_size "
		     "20 is invalid (must be a multiple of 8, at least 24)");
	put32(off + 8, 28);
	expect_error("multiboot2: tag 6 (memory map) at offset 8: entry_size "
		     "28 is invalid (must be a multiple of 8, at least 24)");
	put32(off + 8, 16);
	expect_error("multiboot2: tag 6 (memory map) at offset 8: entry_size "
		     "16 is invalid (must be a multiple of 8, at least 24)");
	put32(off + 8, 32);
	expect_error("multiboot2: tag 6 (memory map) at offset 8: 24 bytes of "
		     "entries is not a whole number of 32-byte entries");
	put32(off + 8, 24);
	put32(off + 4, 12);
	expect_error("multiboot2: tag 6 (memory map) at offset 8 is too short "
		     "(size 12, need at least 16)");
	put32(off + 4, 40);
	put64(off + 16, 0xfffffffffffff000ull);
	put64(off + 24, 0x1000);
	expect_error("multiboot2: tag 6 (memory map) at offset 8: entry 0 "
		     "(base 0xfffffffffffff000, length 0x1000) wraps past the "
		     "end of the address space");
	put64(off + 24, 0xfff); /* ends at 2^64 - 1: fine */
	assert_int_equal(parse(), 0);
	assert_region(&bi, 0, 0xfffffffffffff000ull, 0xfff, BOOT_MEM_USABLE);

	/* no entries at all is a valid, empty map */
	mb2_init();
	mb2_mmap(map, 0);
	mb2_finish();
	assert_int_equal(parse(), 0);
	assert_int_equal(bi.nr_mmap, 0);
}

static void test_mb2_mmap_wide_entries(void **state)
{
	uint8_t p[8 + 2 * 32] = {0};
	uint32_t esize = 32, t1 = 1, t2 = 3;
	uint64_t b0 = 0x1000, l0 = 0x2000, b1 = 0x3000, l1 = 0x1000;

	(void)state;
	memcpy(p, &esize, 4);
	memcpy(p + 8, &b0, 8);
	memcpy(p + 16, &l0, 8);
	memcpy(p + 24, &t1, 4);
	memset(p + 28, 0xee, 12); /* reserved and future fields */
	memcpy(p + 40, &b1, 8);
	memcpy(p + 48, &l1, 8);
	memcpy(p + 56, &t2, 4);
	mb2_init();
	mb2_tag(6, p, sizeof(p));
	mb2_finish();
	assert_int_equal(parse(), 0);
	assert_int_equal(bi.nr_mmap, 2);
	assert_region(&bi, 0, 0x1000, 0x2000, BOOT_MEM_USABLE);
	assert_region(&bi, 1, 0x3000, 0x1000, BOOT_MEM_ACPI_RECLAIM);
}

static void test_mb2_string_errors(void **state)
{
	(void)state;
	mb2_init();
	mb2_tag(1, "abc", 3);
	mb2_finish();
	expect_error("multiboot2: tag 1 (command line) at offset 8: string is "
		     "not NUL-terminated");
	mb2_init();
	mb2_tag(2, NULL, 0);
	mb2_finish();
	expect_error("multiboot2: tag 2 (boot loader name) at offset 8 has no "
		     "room for its string (size 8)");
	/* an empty string is fine */
	mb2_init();
	mb2_str(1, "");
	mb2_finish();
	assert_int_equal(parse(), 0);
	assert_string_equal(bi.cmdline, "");
	assert_false(bi.cmdline_truncated);
}

static void test_mb2_module_errors(void **state)
{
	(void)state;
	mb2_init();
	mb2_module(0x2000, 0x1000, "m");
	mb2_finish();
	expect_error("multiboot2: tag 3 (module) at offset 8: mod_end 0x1000 "
		     "is below mod_start 0x2000");
	mb2_init();
	size_t off = mb2_module(0x1000, 0x1000, "m");
	mb2_finish();
	assert_int_equal(parse(), 0); /* an empty module is allowed */
	assert_int_equal(bi.modules[0].len, 0);
	put32(off + 4, 16);
	expect_error("multiboot2: tag 3 (module) at offset 8 has no room for "
		     "its string (size 16)");
	put32(off + 4, 12);
	expect_error("multiboot2: tag 3 (module) at offset 8 is too short "
		     "(size 12, need at least 16)");
	put32(off + 4, 18);
	put32(off + 16, 0x41414141);
	expect_error("multiboot2: tag 3 (module) at offset 8: string is not "
		     "NUL-terminated");
}

static void test_mb2_short_fixed_tags(void **state)
{
	uint8_t buf[40] = {0};

	(void)state;
	mb2_init();
	mb2_tag(14, buf, 19);
	mb2_finish();
	expect_error("multiboot2: tag 14 (ACPI RSDP v1) at offset 8 is too "
		     "short (size 27, need at least 28)");
	mb2_init();
	mb2_tag(15, buf, 35);
	mb2_finish();
	expect_error("multiboot2: tag 15 (ACPI RSDP v2) at offset 8 is too "
		     "short (size 43, need at least 44)");
	mb2_init();
	mb2_tag(8, buf, 22);
	mb2_finish();
	expect_error("multiboot2: tag 8 (framebuffer) at offset 8 is too "
		     "short (size 30, need at least 31)");
}

static void test_mb2_rsdp_versions(void **state)
{
	uint8_t v1[20];

	(void)state;
	memcpy(v1, "RSD PTR \x11OEMIDX\x00\x00\x0e\x00\x00", 20);
	mb2_init();
	mb2_tag(14, v1, 20);
	mb2_finish();
	assert_int_equal(parse(), 0);
	assert_true(bi.rsdp_is_copy);
	assert_int_equal(bi.rsdp, 0);
	assert_memory_equal(bi.rsdp_copy, v1, 20);
	for (int i = 20; i < 36; i++)
		assert_int_equal(bi.rsdp_copy[i], 0);

	/* the v2 copy wins whichever tag comes first */
	mb2_init();
	mb2_tag(15, rsdp2, 36);
	mb2_tag(14, v1, 20);
	mb2_finish();
	assert_int_equal(parse(), 0);
	assert_memory_equal(bi.rsdp_copy, rsdp2, 36);
	mb2_init();
	mb2_tag(14, v1, 20);
	mb2_tag(15, rsdp2, 36);
	mb2_finish();
	assert_int_equal(parse(), 0);
	assert_memory_equal(bi.rsdp_copy, rsdp2, 36);
}

static void test_mb2_framebuffer_not_rgb(void **state)
{
	uint8_t fb[24] = {0};
	uint64_t addr = 0xb8000;

	(void)state;
	memcpy(fb, &addr, 8);
	fb[20] = 16;
	fb[21] = 2; /* EGA text */
	mb2_init();
	mb2_tag(8, fb, sizeof(fb));
	mb2_finish();
	assert_int_equal(parse(), 0);
	assert_int_equal(bi.fb.addr, 0);
	assert_int_equal(bi.fb.bpp, 0);
}

static void test_mb2_truncation(void **state)
{
	static char big[5000], name[200];
	char want[64];

	(void)state;
	memset(big, 'c', sizeof(big) - 1);
	memset(name, 'n', sizeof(name) - 1);
	mb2_init();
	mb2_str(1, big);
	mb2_str(2, name);
	for (uint32_t i = 0; i < 20; i++) {
		snprintf(want, sizeof(want), "mod%u", i);
		mb2_module(0x100000 * (i + 1), 0x100000 * (i + 1) + i,
			   i ? want : name);
	}
	mb2_finish();
	assert_int_equal(parse(), 0);
	assert_true(bi.cmdline_truncated);
	assert_int_equal(strlen(bi.cmdline), BOOT_CMDLINE_MAX - 1);
	assert_memory_equal(bi.cmdline, big, BOOT_CMDLINE_MAX - 1);
	assert_int_equal(strlen(bi.loader), BOOT_LOADER_MAX - 1);
	assert_memory_equal(bi.loader, name, BOOT_LOADER_MAX - 1);
	assert_true(bi.modules_truncated);
	assert_int_equal(bi.nr_modules, BOOT_MAX_MODULES);
	assert_int_equal(strlen(bi.modules[0].name), BOOT_MODNAME_MAX - 1);
	for (uint32_t i = 1; i < BOOT_MAX_MODULES; i++) {
		snprintf(want, sizeof(want), "mod%u", i);
		assert_string_equal(bi.modules[i].name, want);
		assert_int_equal(bi.modules[i].base, 0x100000 * (i + 1));
		assert_int_equal(bi.modules[i].len, i);
	}
}

static void test_mb2_mmap_overflow(void **state)
{
	static struct mmap_ent map[130];

	(void)state;
	for (int i = 0; i < 130; i++)
		map[i] = (struct mmap_ent){0x2000 * i, 0x1000, 1};
	mb2_init();
	mb2_mmap(map, 130);
	mb2_finish();
	assert_int_equal(parse(), 0);
	assert_true(bi.mmap_truncated);
	assert_int_equal(bi.nr_mmap, BOOT_MAX_MMAP);
	assert_region(&bi, 127, 0x2000 * 127, 0x1000, BOOT_MEM_USABLE);

	/* zero-length entries take no slot */
	for (int i = 0; i < 130; i++)
		map[i].len = i < 2 ? 0 : 0x1000;
	mb2_init();
	mb2_mmap(map, 130);
	mb2_finish();
	assert_int_equal(parse(), 0);
	assert_false(bi.mmap_truncated);
	assert_int_equal(bi.nr_mmap, 128);
	assert_region(&bi, 0, 0x4000, 0x1000, BOOT_MEM_USABLE);
}

static void test_mb2_small_err_buffer(void **state)
{
	char small[12];

	(void)state;
	mb2_init();
	mb2_finish();
	put32(0, 4);
	assert_int_equal(mb2_parse(m.b, m.len, &bi, small, sizeof(small)),
			 -EINVAL);
	assert_string_equal(small, "multiboot2:");
	assert_int_equal(mb2_parse(m.b, m.len, &bi, NULL, 0), -EINVAL);
	/* a previous message is cleared by a good parse */
	put32(0, 16);
	assert_int_equal(mb2_parse(m.b, m.len, &bi, small, sizeof(small)), 0);
	assert_string_equal(small, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_mb2_good),
	    cmocka_unit_test(test_mb2_pmem_above_4g),
	    cmocka_unit_test(test_mb2_header_errors),
	    cmocka_unit_test(test_mb2_tag_runs_past_end),
	    cmocka_unit_test(test_mb2_end_tag),
	    cmocka_unit_test(test_mb2_unaligned_tag_size),
	    cmocka_unit_test(test_mb2_mmap_errors),
	    cmocka_unit_test(test_mb2_mmap_wide_entries),
	    cmocka_unit_test(test_mb2_string_errors),
	    cmocka_unit_test(test_mb2_module_errors),
	    cmocka_unit_test(test_mb2_short_fixed_tags),
	    cmocka_unit_test(test_mb2_rsdp_versions),
	    cmocka_unit_test(test_mb2_framebuffer_not_rgb),
	    cmocka_unit_test(test_mb2_truncation),
	    cmocka_unit_test(test_mb2_mmap_overflow),
	    cmocka_unit_test(test_mb2_small_err_buffer),
	};
	int failed = cmocka_run_group_tests_name("mb2", tests, NULL, NULL);

	failed += boot_run_pvh_tests();
	failed += boot_run_mmap_tests();
	return failed ? 1 : 0;
}
