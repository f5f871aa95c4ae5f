/*
 * tests/unit/test_efi.h — shared by the unit tests of the EFI loader's
 * firmware-independent parts (tests/unit/test_efi*.c, boot/efi/).
 */
#ifndef TESTS_UNIT_TEST_EFI_H
#define TESTS_UNIT_TEST_EFI_H

#include <errno.h>

/* Each file runs its own cmocka group; returns the number of failures. */
int efi_run_conf_tests(void);
int efi_run_elf_tests(void);
int efi_run_mmap_tests(void);

#endif
