# Host unit test of the boot-information parsers: build/unit/boot
UNIT_TESTS += boot
UNIT_SRCS_boot := tests/unit/test_boot.c tests/unit/test_boot_pvh.c \
	tests/unit/test_boot_mmap.c boot/mb2.c boot/pvh.c boot/boot_mmap.c \
	kernel/format.c
