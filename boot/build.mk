# boot/ — boot-information parsers (Multiboot2, PVH) and the memory-map normalizer.
KERNEL_SRCS += boot/entry.S boot/mb2.c boot/pvh.c boot/boot_mmap.c
