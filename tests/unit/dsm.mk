# The DSM coherence engine against a simulated cluster (with the dsm.check
# invariant checker fed every access change), the checker alone, and the
# read-ahead window, and its wire header.
UNIT_TESTS += dsm dsm_check dsm_ra dsm_wire
UNIT_SRCS_dsm := tests/unit/test_dsm.c cluster/dsm_proto.c cluster/dsm_protocol_find.c cluster/dsm_stats.c cluster/dsm_check.c \
	cluster/dsm_home_msg.c \
	kernel/format.c
UNIT_SRCS_dsm_check := tests/unit/test_dsm_check.c cluster/dsm_check.c \
	kernel/format.c
UNIT_SRCS_dsm_ra := tests/unit/test_dsm_ra.c cluster/dsm_ra.c
UNIT_SRCS_dsm_wire := tests/unit/test_dsm_wire.c cluster/dsm_wire.c
