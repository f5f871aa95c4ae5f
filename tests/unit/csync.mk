# The cluster lock service's engine against a simulated cluster.
UNIT_TESTS += csync
UNIT_SRCS_csync := tests/unit/test_csync.c cluster/csync_proto.c cluster/csync_home.c cluster/csync_wire.c
