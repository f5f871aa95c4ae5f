FUZZ_TARGETS += csync
FUZZ_SRCS_csync := tests/fuzz/fuzz_csync.c cluster/csync_proto.c cluster/csync_home.c cluster/csync_wire.c
