# Host unit tests of the EFI loader's loader.conf parser, ELF checker and
# memory-map converter (boot/efi/): build/unit/efi
UNIT_TESTS += efi
UNIT_SRCS_efi := tests/unit/test_efi_main.c tests/unit/test_efi_conf.c \
	tests/unit/test_efi_elf.c tests/unit/test_efi_mmap.c \
	boot/efi/efi_conf.c boot/efi/efi_elf.c boot/efi/efi_mmap.c \
	boot/boot_mmap.c kernel/format.c
