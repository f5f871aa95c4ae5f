FUZZ_TARGETS += csync
FUZZ_SRCS_csync := tests/fuzz/fuzz_csync.c kernel/csync_proto.c kernel/csync_home.c kernel/csync_wire.c
