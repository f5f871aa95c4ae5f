# Fuzz target of the EFI loader's input checks (boot/efi/): loader.conf,
# kernel ELF and firmware memory map. build/fuzz/efi_loader; seeds in
# tests/fuzz/corpus/efi_loader/ (made by tests/fuzz/efi_seeds.py).
FUZZ_TARGETS += efi_loader
FUZZ_SRCS_efi_loader := tests/fuzz/fuzz_efi_loader.c boot/efi/efi_conf.c \
	boot/efi/efi_elf.c boot/efi/efi_mmap.c boot/boot_mmap.c kernel/format.c
