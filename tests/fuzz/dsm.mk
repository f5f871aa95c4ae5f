FUZZ_TARGETS += dsm
FUZZ_SRCS_dsm := tests/fuzz/fuzz_dsm.c cluster/dsm_proto.c cluster/dsm_check.c cluster/dsm_home_msg.c \
	kernel/format.c
