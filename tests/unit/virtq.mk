# tests/unit/virtq.mk — host tests of the split virtqueue ring logic
# (drivers/virtq.c) against a simulated virtio device.
UNIT_TESTS += virtq
UNIT_SRCS_virtq := tests/unit/test_virtq.c drivers/virtq.c
