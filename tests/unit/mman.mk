# tests/unit/mman.mk — host tests of the address space of memory maps
# (posix/mman_space.c: first fit, merging, reuse, zeros after reuse on
# several nodes) and of the file layer's side of file maps
# (posix/vfs_map.c).
UNIT_TESTS += mman_space vfs_map
UNIT_SRCS_mman_space := tests/unit/test_mman_space.c posix/mman_space.c
UNIT_SRCS_vfs_map = tests/unit/test_vfs_map.c posix/vfs_map.c $(VFS_SRCS)
