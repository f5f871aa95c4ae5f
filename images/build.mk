# images/build.mk: bootable images built from $(B)/unum.elf.
#
#   $(B)/images/unum.iso       for people: boots straight into Unum with the
#                              keys of boot/grub.cfg (none by default)
#   $(B)/images/unum-test.iso  for the QEMU harness: the same menu with
#                              ISO_TEST_KEYS added, so the kernel runs its
#                              tests and leaves QEMU with a status
#
# Both are hybrid GRUB rescue images (grub-mkrescue): they boot from CD or
# disk under BIOS (i386-pc) and UEFI (x86_64-efi). Two images rather than a
# menu with two entries: with timeout=0 nobody could pick the second entry,
# and the kernel's keys must be fixed before the boot starts.

ISO_TEST_KEYS := test.mode=1 ktest=all,-virtio.*
GRUB_MKRESCUE := grub-mkrescue
# No fonts, locales or themes: the menu is never shown (9 MB instead of 20).
GRUB_MKRESCUE_FLAGS := --fonts= --locales= --themes=

# $(call iso_rule,name,sed-script): stage $(B)/images/<name>.root/boot/ and
# pack it. The sed script edits grub.cfg; a test image whose grub.cfg ends up
# without test.mode=1 is an error (the harness would wait for a status that
# never comes).
define iso_rule
$(B)/images/$(1).iso: $(B)/unum.elf boot/grub.cfg images/build.mk
	@rm -rf $(B)/images/$(1).root
	@mkdir -p $(B)/images/$(1).root/boot/grub
	cp $(B)/unum.elf $(B)/images/$(1).root/boot/unum.elf
	sed -e '$(2)' boot/grub.cfg > $(B)/images/$(1).root/boot/grub/grub.cfg
	@if [ '$(1)' = unum-test ] && ! grep -q '^[[:space:]]*multiboot2 .*test\.mode=1' \
		$(B)/images/$(1).root/boot/grub/grub.cfg; then \
		echo "images/build.mk: boot/grub.cfg has no 'multiboot2 /boot/unum.elf' line to add test keys to" >&2; \
		exit 1; fi
	@command -v $(GRUB_MKRESCUE) >/dev/null || \
		{ echo "images/build.mk: $(GRUB_MKRESCUE) not found (run tools/setup)" >&2; exit 1; }
	$(GRUB_MKRESCUE) $(GRUB_MKRESCUE_FLAGS) -o $$@ $(B)/images/$(1).root > $(B)/images/$(1).log 2>&1 || \
		{ cat $(B)/images/$(1).log >&2; rm -f $$@; exit 1; }
endef

$(eval $(call iso_rule,unum,))
$(eval $(call iso_rule,unum-test,s|^\([[:space:]]*multiboot2[[:space:]][[:space:]]*/boot/unum\.elf\)|\1 $(ISO_TEST_KEYS)|))

.PHONY: iso
iso: $(B)/images/unum.iso $(B)/images/unum-test.iso

# The harness boots the test image; bench boots the plain one (in `all`).
test: $(B)/images/unum-test.iso
