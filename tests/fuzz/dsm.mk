FUZZ_TARGETS += dsm
FUZZ_SRCS_dsm := tests/fuzz/fuzz_dsm.c mm/dsm_proto.c mm/dsm_check.c mm/dsm_home_msg.c \
	kernel/format.c
