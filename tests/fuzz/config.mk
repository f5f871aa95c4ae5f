# tests/fuzz/config.mk — fuzz target of the boot configuration parser:
# build/fuzz/config. Seeds: tests/fuzz/corpus/config/ (byte 0 splits the
# rest into a config module and a command line; see fuzz_config.c).
FUZZ_TARGETS += config
# The registered choices of the real key table: CONFIG_CHOICE_SRCS, from
# tests/unit/config.mk (included later, hence '=').
FUZZ_SRCS_config = tests/fuzz/fuzz_config.c kernel/config.c \
	kernel/config_get.c kernel/config_keys.c kernel/format.c \
	$(CONFIG_CHOICE_SRCS)
