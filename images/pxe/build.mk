# images/pxe/build.mk: the TFTP tree for network boot (docs/BOOT.md).
#
#   make pxe   $(B)/pxe/   a TFTP root:
#                boot/grub/i386-pc/core.0      BIOS PXE boot file
#                boot/grub/x86_64-efi/core.efi UEFI network boot file
#                boot/grub/grub.cfg            images/pxe/grub.cfg (+ PXE_KEYS)
#                boot/unum.elf                 the kernel
#                boot/unum.cfg                 the cluster's config module
#                                              (PXE_CONFIG)
#
# Point a DHCP server's boot file at one of the two core files by client
# architecture and its TFTP root at $(B)/pxe (tools/unum-pxe does exactly that
# inside a network namespace). PXE_KEYS are added to the kernel command line
# of every node; PXE_CONFIG replaces the config module.

PXE_KEYS :=
PXE_CONFIG := images/pxe/unum.cfg
GRUB_MKNETDIR := grub-mknetdir
# No fonts, locales or themes: the menu is never shown.
GRUB_MKNETDIR_FLAGS := --fonts= --locales= --themes=
PXE_PLATFORMS := i386-pc x86_64-efi

$(B)/pxe/.done: $(B)/unum.elf images/pxe/grub.cfg $(PXE_CONFIG) images/pxe/build.mk
	@command -v $(GRUB_MKNETDIR) >/dev/null || \
		{ echo "images/pxe: $(GRUB_MKNETDIR) not found (run tools/setup)" >&2; exit 1; }
	@for p in $(PXE_PLATFORMS); do [ -d /usr/lib/grub/$$p ] || \
		{ echo "images/pxe: GRUB for $$p missing in /usr/lib/grub (run tools/setup)" >&2; exit 1; }; done
	@rm -rf $(B)/pxe
	@mkdir -p $(B)/pxe/boot/grub
	@echo "  PXE     $(B)/pxe"
	@for p in $(PXE_PLATFORMS); do \
		$(GRUB_MKNETDIR) $(GRUB_MKNETDIR_FLAGS) --net-directory=$(B)/pxe \
			--subdir=boot/grub -d /usr/lib/grub/$$p > $(B)/pxe/mknetdir-$$p.log 2>&1 || \
			{ cat $(B)/pxe/mknetdir-$$p.log >&2; exit 1; }; done
	@rm -f $(B)/pxe/mknetdir-*.log
	@cp $(B)/unum.elf $(B)/pxe/boot/unum.elf
	@cp $(PXE_CONFIG) $(B)/pxe/boot/unum.cfg
	@sed -e 's|^\([[:space:]]*multiboot2[[:space:]].*boot\.ip=[^[:space:]]*\)|\1 $(PXE_KEYS)|' \
		-e 's|[[:space:]]*$$||' images/pxe/grub.cfg > $(B)/pxe/boot/grub/grub.cfg
	@grep -q '^[[:space:]]*multiboot2 /boot/unum.elf boot.mac=' $(B)/pxe/boot/grub/grub.cfg || \
		{ echo "images/pxe: grub.cfg has no 'multiboot2 /boot/unum.elf boot.mac=...' line" >&2; exit 1; }
	@touch $@

.PHONY: pxe
pxe: $(B)/pxe/.done

# tests/qemu/pxe-boot boots nodes from this tree.
test: $(B)/pxe/.done
