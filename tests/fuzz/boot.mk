# Fuzz targets of the boot-information parsers: build/fuzz/mb2, build/fuzz/pvh.
# Seeds: tests/fuzz/corpus/{mb2,pvh}/ (made by tests/fuzz/boot_seeds.py).
FUZZ_TARGETS += mb2 pvh
FUZZ_SRCS_mb2 := tests/fuzz/fuzz_mb2.c boot/mb2.c boot/boot_mmap.c \
	kernel/format.c
FUZZ_SRCS_pvh := tests/fuzz/fuzz_pvh.c boot/pvh.c boot/boot_mmap.c \
	kernel/format.c
