# The DSM coherence engine against a simulated cluster.
UNIT_TESTS += dsm
UNIT_SRCS_dsm := tests/unit/test_dsm.c mm/dsm_proto.c
