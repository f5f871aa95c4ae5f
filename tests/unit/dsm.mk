# The DSM coherence engine against a simulated cluster (with the dsm.check
# invariant checker fed every access change), the checker alone, and the
# read-ahead window.
UNIT_TESTS += dsm dsm_check dsm_ra
UNIT_SRCS_dsm := tests/unit/test_dsm.c mm/dsm_proto.c mm/dsm_stats.c mm/dsm_check.c \
	mm/dsm_home_msg.c \
	kernel/format.c
UNIT_SRCS_dsm_check := tests/unit/test_dsm_check.c mm/dsm_check.c \
	kernel/format.c
UNIT_SRCS_dsm_ra := tests/unit/test_dsm_ra.c mm/dsm_ra.c
