# tests/unit/console.mk — host tests of the standard-input framing
# (kernel/console_frame.c, shared with tools/unum-stdin).
UNIT_TESTS += console_frame
UNIT_SRCS_console_frame := tests/unit/test_console_frame.c kernel/console_frame.c
