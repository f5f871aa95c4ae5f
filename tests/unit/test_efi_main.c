/*
 * tests/unit/test_efi_main.c — runs the unit tests of the EFI loader's
 * shared parts: loader.conf, kernel ELF checks, memory-map conversion.
 */
#include "tests/unit/test_efi.h"

int main(void)
{
	int failed = 0;

	failed += efi_run_conf_tests();
	failed += efi_run_elf_tests();
	failed += efi_run_mmap_tests();
	return failed;
}
