# tests/unit/vfs.mk — host tests of the file layer (posix/vfs*.c): fds and
# file data (vfs), names and directories (vfs_ns), the initrd (vfs_initrd),
# malformed archives (vfs_cpio_bad), generated files (vfs_proc), pipes,
# devices and readiness (vfs_pipe).
VFS_SRCS := posix/vfs.c posix/vfs_ns.c posix/vfs_fd.c posix/vfs_ramfs.c \
	posix/vfs_initrd.c posix/vfs_proc.c posix/vfs_pipe.c posix/vfs_dev.c \
	posix/ulock.c kernel/format.c tests/unit/vfs_test.c
UNIT_TESTS += vfs vfs_ns vfs_initrd vfs_cpio_bad vfs_proc vfs_pipe
UNIT_SRCS_vfs := tests/unit/test_vfs.c $(VFS_SRCS)
UNIT_SRCS_vfs_ns := tests/unit/test_vfs_ns.c $(VFS_SRCS)
UNIT_SRCS_vfs_initrd := tests/unit/test_vfs_initrd.c $(VFS_SRCS)
UNIT_SRCS_vfs_cpio_bad := tests/unit/test_vfs_cpio_bad.c $(VFS_SRCS)
UNIT_SRCS_vfs_proc := tests/unit/test_vfs_proc.c $(VFS_SRCS)
UNIT_SRCS_vfs_pipe := tests/unit/test_vfs_pipe.c $(VFS_SRCS)
$(B)/unit/vfs_pipe: HCFLAGS += -pthread
