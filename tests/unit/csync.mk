# The cluster lock service's engine against a simulated cluster.
UNIT_TESTS += csync
UNIT_SRCS_csync := tests/unit/test_csync.c kernel/csync_proto.c kernel/csync_home.c kernel/csync_wire.c
