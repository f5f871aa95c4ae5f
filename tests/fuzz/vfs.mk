# tests/fuzz/vfs.mk — fuzz target of the initrd (cpio newc) parser and the
# file layer under it: build/fuzz/cpio. Seeds: tests/fuzz/corpus/cpio/
# (made by tests/fuzz/cpio_seeds.sh with GNU cpio).
FUZZ_TARGETS += cpio
FUZZ_SRCS_cpio := tests/fuzz/fuzz_cpio.c posix/vfs.c posix/vfs_ns.c \
	posix/vfs_fd.c posix/vfs_ramfs.c posix/vfs_initrd.c posix/ulock.c \
	kernel/format.c tests/unit/vfs_test.c
