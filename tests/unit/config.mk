# tests/unit/config.mk — host tests of the boot configuration: the parser
# (config) and the real key table with its docs/CONFIG.md sync (config_keys).
CONFIG_SRCS := kernel/config.c kernel/config_get.c kernel/config_keys.c \
	kernel/format.c
UNIT_TESTS += config config_keys
UNIT_SRCS_config := tests/unit/test_config.c $(CONFIG_SRCS)
UNIT_SRCS_config_keys := tests/unit/test_config_keys.c $(CONFIG_SRCS)
