/*
 * tests/unit/test_efi_elf.c — unit tests of the EFI loader's kernel ELF
 * checker (boot/efi/efi_elf.c): a small hand-built kernel image, then one
 * defect at a time with the exact message, and the page ranges to allocate.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "boot/efi/efi_loader.h"
#include "tests/unit/test_efi.h"

#define FILE_LEN  0x2100
#define PH(i)	  (64 + (i)*56)
#define NOTE_OFF  0x1100
#define UNUM_NOTE (NOTE_OFF + 24) /* after the 24-byte Xen note */

static uint8_t img[FILE_LEN];
static struct efi_elf e;
static char err[300];

static void put16(size_t off, uint16_t v)
{
	memcpy(img + off, &v, 2);
}
static void put32(size_t off, uint32_t v)
{
	memcpy(img + off, &v, 4);
}
static void put64(size_t off, uint64_t v)
{
	memcpy(img + off, &v, 8);
}

static void phdr(int i, uint32_t type, uint64_t off, uint64_t paddr,
		 uint64_t filesz, uint64_t memsz)
{
	put32(PH(i), type);
	put32(PH(i) + 4, 7);
	put64(PH(i) + 8, off);
	put64(PH(i) + 16, paddr | 0xffffffff80000000ull); /* vaddr */
	put64(PH(i) + 24, paddr);
	put64(PH(i) + 32, filesz);
	put64(PH(i) + 40, memsz);
	put64(PH(i) + 48, 0x1000);
}

/* A kernel like Unum's: a boot segment with the notes, a second segment. */
static void build(void)
{
	memset(img, 0, sizeof(img));
	memcpy(img, "\177ELF\2\1\1", 7);
	put16(16, 2);  /* ET_EXEC */
	put16(18, 62); /* EM_X86_64 */
	put32(20, 1);
	put64(24, 0x100020);
	put64(32, 64); /* phoff */
	put16(52, 64);
	put16(54, 56);
	put16(56, 3);
	phdr(0, 1, 0x1000, 0x100000, 0x200, 0x3000);
	phdr(1, 4, NOTE_OFF, 0x100100, 52, 52);
	phdr(2, 1, 0x2000, 0x200000, 0x100, 0x100);
	/* Xen PVH note, then Unum's */
	put32(NOTE_OFF, 4);
	put32(NOTE_OFF + 4, 8);
	put32(NOTE_OFF + 8, 18);
	memcpy(img + NOTE_OFF + 12, "Xen", 4);
	put64(NOTE_OFF + 16, 0x100020);
	put32(UNUM_NOTE, 5);
	put32(UNUM_NOTE + 4, 8);
	put32(UNUM_NOTE + 8, 0x100);
	memcpy(img + UNUM_NOTE + 12, "Unum", 5);
	put64(UNUM_NOTE + 20, 0x100010);
}

static int check(size_t len)
{
	memset(err, 'x', sizeof(err));
	return efi_elf_check(img, len, &e, err, sizeof(err));
}

static void expect_bad(size_t len, const char *msg)
{
	assert_int_equal(check(len), -ENOEXEC);
	assert_string_equal(err, msg);
}

static void test_elf_good(void **state)
{
	struct efi_range r[EFI_ELF_MAX_SEGS];

	(void)state;
	build();
	assert_int_equal(check(FILE_LEN), 0);
	assert_string_equal(err, "");
	assert_int_equal(e.nr_segs, 2);
	assert_int_equal(e.segs[0].paddr, 0x100000);
	assert_int_equal(e.segs[0].offset, 0x1000);
	assert_int_equal(e.segs[0].filesz, 0x200);
	assert_int_equal(e.segs[0].memsz, 0x3000);
	assert_int_equal(e.segs[1].paddr, 0x200000);
	assert_int_equal(e.segs[1].memsz, 0x100);
	assert_int_equal(e.entry64, 0x100010);
	assert_int_equal(efi_elf_ranges(&e, r), 2);
	assert_int_equal(r[0].base, 0x100000);
	assert_int_equal(r[0].len, 0x3000);
	assert_int_equal(r[1].base, 0x200000);
	assert_int_equal(r[1].len, 0x1000);
	/* an empty segment is skipped */
	phdr(2, 1, 0x5000000, 0x900000000ull, 0, 0);
	assert_int_equal(check(FILE_LEN), 0);
	assert_int_equal(e.nr_segs, 1);
}

static void test_elf_header(void **state)
{
	(void)state;
	build();
	expect_bad(3, "not an ELF file (no \\177ELF at the start)");
	expect_bad(40, "file is 40 bytes, too short for an ELF header (64 "
		       "bytes): the file is truncated");
	img[1] = 'e';
	expect_bad(FILE_LEN, "not an ELF file (no \\177ELF at the start)");
	build();
	img[4] = 1;
	expect_bad(FILE_LEN, "ELF class 1 is not ELFCLASS64: not a 64-bit "
			     "kernel");
	build();
	img[5] = 2;
	expect_bad(FILE_LEN, "ELF data encoding 2 is not little-endian");
	build();
	put16(18, 183);
	expect_bad(FILE_LEN, "ELF machine 183 is not x86_64 (EM_X86_64 = 62): "
			     "a kernel for another machine");
	build();
	put16(16, 3);
	expect_bad(FILE_LEN, "ELF type 3 is not an executable (ET_EXEC = 2)");
	build();
	put16(54, 32);
	expect_bad(FILE_LEN, "program header size 32 is not 56");
	build();
	put16(56, 0);
	expect_bad(FILE_LEN, "no program headers");
	build();
	put64(32, 0xffffffffffffff00ull);
	expect_bad(FILE_LEN, "program headers (offset 0xffffffffffffff00, 3 of "
			     "56 bytes) run past the end of the file (0x2100 "
			     "bytes): the file is truncated");
	build();
	expect_bad(200, "program headers (offset 0x40, 3 of 56 bytes) run past "
			"the end of the file (0xc8 bytes): the file is "
			"truncated");
}

static void test_elf_segments(void **state)
{
	(void)state;
	build();
	expect_bad(0x2080, "segment 2: file data (offset 0x2000, 0x100 bytes) "
			   "runs past the end of the file (0x2080 bytes): the "
			   "file is truncated");
	phdr(0, 1, 0x1000, 0x100000, 0x4000, 0x3000);
	expect_bad(FILE_LEN, "segment 0: file size 0x4000 is larger than its "
			     "memory size 0x3000");
	build();
	phdr(2, 1, 0xffffffffffffff00ull, 0x200000, 0x200, 0x200);
	expect_bad(FILE_LEN, "segment 2: file data (offset 0xffffffffffffff00, "
			     "0x200 bytes) runs past the end of the file "
			     "(0x2100 bytes): the file is truncated");
	build();
	phdr(2, 1, 0x2000, 0xfffff000, 0x100, 0x1001);
	expect_bad(FILE_LEN, "segment 2 at physical 0xfffff000 (0x1001 bytes) "
			     "does not lie below 4 GiB");
	phdr(2, 1, 0x2000, 0xfffffffffffff000ull, 0x100, 0x2000);
	expect_bad(FILE_LEN, "segment 2 at physical 0xfffffffffffff000 "
			     "(0x2000 bytes) does not lie below 4 GiB");
	phdr(2, 1, 0x2000, 0xfffff000, 0x100, 0x1000); /* ends at 4 GiB: ok */
	assert_int_equal(check(FILE_LEN), 0);
	phdr(2, 1, 0x2000, 0x102f00, 0x100, 0x100);
	expect_bad(FILE_LEN, "segment 2 (physical 0x102f00-0x103000) overlaps "
			     "an earlier segment (0x100000-0x103000)");
	phdr(2, 1, 0x2000, 0xff000, 0x100, 0x1001);
	expect_bad(FILE_LEN, "segment 2 (physical 0xff000-0x100001) overlaps "
			     "an earlier segment (0x100000-0x103000)");
	build();
	put32(PH(0), 6);
	put32(PH(2), 6);
	expect_bad(FILE_LEN, "no loadable segment");
}

static void test_elf_too_many_segments(void **state)
{
	(void)state;
	build();
	put16(56, 18);
	for (int i = 3; i < 18; i++)
		phdr(i, 1, 0, 0x300000 + (uint64_t)i * 0x1000, 0, 0x1000);
	expect_bad(FILE_LEN, "more than 16 loadable segments");
	put16(56, 17);
	assert_int_equal(check(FILE_LEN), 0);
	assert_int_equal(e.nr_segs, 16);
}

static void test_elf_notes(void **state)
{
	(void)state;
	build();
	img[UNUM_NOTE + 15] = 'x';
	expect_bad(FILE_LEN, "no Unum entry note (name \"Unum\", type 0x100): "
			     "the kernel has no 64-bit entry for this loader");
	build();
	put32(UNUM_NOTE + 8, 0x101);
	expect_bad(FILE_LEN, "no Unum entry note (name \"Unum\", type 0x100): "
			     "the kernel has no 64-bit entry for this loader");
	build();
	put32(UNUM_NOTE + 4, 4);
	expect_bad(FILE_LEN, "the Unum entry note has 4 bytes of data, not 8");
	build();
	put32(UNUM_NOTE, 0x1000);
	expect_bad(FILE_LEN,
		   "segment 1: a note (name 4096 bytes, data 8 bytes) "
		   "runs past the end of the segment");
	build();
	put32(UNUM_NOTE + 4, 0xffffffff);
	expect_bad(FILE_LEN, "segment 1: a note (name 5 bytes, data 4294967295 "
			     "bytes) runs past the end of the segment");
	build();
	phdr(1, 4, NOTE_OFF, 0x100100, 51, 51); /* cuts the entry short */
	expect_bad(FILE_LEN, "segment 1: a note (name 5 bytes, data 8 bytes) "
			     "runs past the end of the segment");
	build();
	phdr(1, 4, 0x3000, 0x100100, 52, 52);
	expect_bad(FILE_LEN, "segment 1: notes (offset 0x3000, 0x34 bytes) run "
			     "past the end of the file (0x2100 bytes): the "
			     "file is truncated");
	build();
	put64(UNUM_NOTE + 20, 0x100200); /* in memsz, not in file data */
	expect_bad(FILE_LEN, "the 64-bit entry 0x100200 is not inside the file "
			     "data of a loadable segment");
	put64(UNUM_NOTE + 20, 0x2000ff);
	assert_int_equal(check(FILE_LEN), 0);
	assert_int_equal(e.entry64, 0x2000ff);
}

static void test_elf_ranges(void **state)
{
	struct efi_range r[EFI_ELF_MAX_SEGS];
	struct efi_elf x;

	(void)state;
	memset(&x, 0, sizeof(x));
	x.nr_segs = 4;
	x.segs[0] = (struct efi_elf_seg){0x300800, 0, 0, 0x100};
	x.segs[1] = (struct efi_elf_seg){0x100000, 0, 0, 0x1800};
	x.segs[2] = (struct efi_elf_seg){0x101800, 0, 0, 0x100};
	x.segs[3] = (struct efi_elf_seg){0x102000, 0, 0, 0x1};
	assert_int_equal(efi_elf_ranges(&x, r), 2);
	assert_int_equal(r[0].base, 0x100000); /* shares, then touches */
	assert_int_equal(r[0].len, 0x3000);
	assert_int_equal(r[1].base, 0x300000);
	assert_int_equal(r[1].len, 0x1000);
	x.nr_segs = 0;
	assert_int_equal(efi_elf_ranges(&x, r), 0);
}

int efi_run_elf_tests(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_elf_good),
	    cmocka_unit_test(test_elf_header),
	    cmocka_unit_test(test_elf_segments),
	    cmocka_unit_test(test_elf_too_many_segments),
	    cmocka_unit_test(test_elf_notes),
	    cmocka_unit_test(test_elf_ranges),
	};
	return cmocka_run_group_tests_name("efi_elf", tests, NULL, NULL);
}
