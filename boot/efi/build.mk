# boot/efi/ — the GNU-EFI loader BOOTX64.EFI and the EFI system partition
# images that carry it (docs/BOOT.md).
#
#   make efi   $(B)/efi/BOOTX64.EFI
#              $(B)/images/unum-efi.img       for people: FAT ESP with the
#                                             loader, unum.elf and
#                                             boot/efi/loader.conf
#              $(B)/images/unum-efi-test.img  for tests/qemu/efi-boot: the
#                                             same with EFI_TEST_KEYS and a
#                                             config module
#
# The loader is firmware code, not kernel code: it is built with gcc against
# Debian's gnu-efi (headers /usr/include/efi, crt0 and linker script in
# /usr/lib), linked by GNU ld (ld.lld misplaces the relocations with
# gnu-efi's script and OVMF refuses the image), then converted to a PE
# application with objcopy. The shared parts (efi_conf.c, efi_elf.c,
# efi_mmap.c, boot/boot_mmap.c, kernel/format.c) are the same files the host
# unit tests build.

EFI_CC := gcc
EFI_LD := ld
EFI_OBJCOPY := objcopy
GNUEFI_INC := /usr/include/efi
GNUEFI_LIB := /usr/lib
EFI_CFLAGS := -std=gnu11 -I. -isystem $(GNUEFI_INC) \
	-isystem $(GNUEFI_INC)/x86_64 -DEFI_FUNCTION_WRAPPER -O2 \
	-ffreestanding -fpic -fshort-wchar -mno-red-zone -fno-stack-protector \
	-fno-strict-aliasing -maccumulate-outgoing-args $(WARN) -MMD -MP
EFI_LDFLAGS := -nostdlib -znocombreloc -shared -Bsymbolic \
	-T $(GNUEFI_LIB)/elf_x86_64_efi.lds
EFI_SRCS := boot/efi/efi_main.c boot/efi/efi_fw.c boot/efi/efi_conf.c \
	boot/efi/efi_elf.c boot/efi/efi_mmap.c boot/efi/efi_libc.c \
	boot/boot_mmap.c kernel/format.c
EFI_OBJS := $(patsubst %.c,$(B)/efi/%.o,$(EFI_SRCS))

# Size of the FAT image (sparse file); the kernel and modules must fit.
EFI_IMG_MB := 32
EFI_TEST_KEYS := test.mode=1 ktest=all,-virtio.*

$(B)/efi/%.o: %.c
	@mkdir -p $(@D)
	@test -f $(GNUEFI_INC)/efi.h || \
		{ echo "boot/efi: gnu-efi headers missing (run tools/setup)" >&2; exit 1; }
	@echo "  EFICC   $<"
	@$(EFI_CC) $(EFI_CFLAGS) -c $< -o $@

$(B)/efi/BOOTX64.so: $(EFI_OBJS)
	@echo "  EFILD   $@"
	@$(EFI_LD) $(EFI_LDFLAGS) $(GNUEFI_LIB)/crt0-efi-x86_64.o $(EFI_OBJS) \
		-L$(GNUEFI_LIB) -lefi -lgnuefi -o $@

$(B)/efi/BOOTX64.EFI: $(B)/efi/BOOTX64.so
	@echo "  EFIAPP  $@"
	@$(EFI_OBJCOPY) -j .text -j .sdata -j .data -j .dynamic -j .dynsym \
		-j .rel -j .rela -j .rel.* -j .rela.* -j .reloc \
		--target efi-app-x86_64 --subsystem=10 $< $@

# $(call efi_img,name,loader.conf source[,config module copied to \unum.cfg])
define efi_img
$(B)/images/$(1).img: $(B)/efi/BOOTX64.EFI $(B)/unum.elf $(2) $(3) boot/efi/build.mk
	@mkdir -p $$(@D)
	@echo "  ESPIMG  $$@"
	@command -v mformat >/dev/null || \
		{ echo "boot/efi: mtools missing (run tools/setup)" >&2; exit 1; }
	@rm -f $$@.tmp && truncate -s $(EFI_IMG_MB)M $$@.tmp
	@mformat -i $$@.tmp -v UNUM-ESP ::
	@mmd -i $$@.tmp ::/EFI ::/EFI/BOOT ::/EFI/unum
	@mcopy -i $$@.tmp $(B)/efi/BOOTX64.EFI ::/EFI/BOOT/BOOTX64.EFI
	@mcopy -i $$@.tmp $(B)/unum.elf ::/unum.elf
	@mcopy -i $$@.tmp $(2) ::/EFI/unum/loader.conf
	$(if $(3),@mcopy -i $$@.tmp $(3) ::/unum.cfg)
	@mv $$@.tmp $$@
endef

$(B)/efi/loader-test.conf: boot/efi/loader.conf boot/efi/build.mk
	@mkdir -p $(@D)
	@{ sed '/^cmdline=/d; /^module=/d; /^error_wait=/d' $<; \
	   echo 'cmdline=$(EFI_TEST_KEYS)'; \
	   echo 'module=\unum.cfg config'; \
	   echo 'error_wait=1'; } > $@

$(eval $(call efi_img,unum-efi,boot/efi/loader.conf,))
$(eval $(call efi_img,unum-efi-test,$(B)/efi/loader-test.conf,boot/efi/test-unum.cfg))

.PHONY: efi
efi: $(B)/efi/BOOTX64.EFI $(B)/images/unum-efi.img $(B)/images/unum-efi-test.img

# tests/qemu/efi-boot boots the test image.
test: $(B)/images/unum-efi-test.img $(B)/images/unum-efi.img
