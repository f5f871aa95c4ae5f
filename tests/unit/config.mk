# tests/unit/config.mk — host tests of the boot configuration: the parser
# (config) and the real key table with its docs/CONFIG.md sync (config_keys).
# The key table's registered choices come from the same files as in the
# kernel: every scheduling policy, every coherence protocol, dsm.home's
# modes (and what the policies and the protocol engine need to link).
CONFIG_SRCS := kernel/config.c kernel/config_get.c kernel/config_keys.c \
	kernel/format.c
CONFIG_CHOICE_SRCS = $(SCHED_POLICY_SRCS) $(DSM_PROTOCOL_SRCS) \
	cluster/dsm_home_mode.c cluster/dsm_stats.c tests/unit/sched_core_stub.c
UNIT_TESTS += config config_keys
UNIT_SRCS_config := tests/unit/test_config.c $(CONFIG_SRCS)
UNIT_SRCS_config_keys = tests/unit/test_config_keys.c $(CONFIG_SRCS) \
	$(CONFIG_CHOICE_SRCS)
