# tests/unit/sched_ctl.mk — host tests of live control: the request/reply
# codec (sched/control_proto.c), unumctl's reading of reply frames
# (tools/unumctl_reply.c) and config_check_value on the real key table
# (with its registered choices: CONFIG_CHOICE_SRCS of tests/unit/config.mk,
# included later, hence '=').
UNIT_TESTS += sched_control
UNIT_SRCS_sched_control = tests/unit/test_sched_control.c \
	sched/control_proto.c tools/unumctl_reply.c net/cnet_frame.c \
	net/siphash.c kernel/config.c kernel/config_get.c \
	kernel/config_keys.c kernel/format.c $(CONFIG_CHOICE_SRCS)
