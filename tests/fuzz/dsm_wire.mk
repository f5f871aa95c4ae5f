FUZZ_TARGETS += dsm_wire
FUZZ_SRCS_dsm_wire := tests/fuzz/fuzz_dsm_wire.c cluster/dsm_wire.c
