# tests/unit/net.mk — host tests of the cluster transport (net/): SipHash
# against the reference vectors, the frame codec's every refusal, the
# reliability layer frame by frame and against a simulated lossy link
# (CNET_SIM_SEEDS=N to change the number of schedules), RPC matching, and
# the codecs of the transport's own messages (control, HELLO).
CNET_REL_SRCS := net/siphash.c net/cnet_frame.c net/cnet_rel.c \
	net/cnet_rel_tx.c net/cnet_rel_rx.c
UNIT_TESTS += siphash cnet_frame cnet_rel cnet_rpc
UNIT_SRCS_siphash := tests/unit/test_siphash.c net/siphash.c net/cnet_frame.c
UNIT_SRCS_cnet_frame := tests/unit/test_cnet_frame.c net/siphash.c \
	net/cnet_frame.c
UNIT_SRCS_cnet_rel := tests/unit/test_cnet_rel.c \
	tests/unit/test_cnet_rel_peers.c tests/unit/test_cnet_rel_sim.c \
	tests/unit/cnet_harness.c $(CNET_REL_SRCS)
UNIT_SRCS_cnet_rpc := tests/unit/test_cnet_rpc.c \
	tests/unit/test_cnet_rpc_link.c tests/unit/cnet_harness.c \
	net/cnet_rpc.c $(CNET_REL_SRCS)
UNIT_TESTS += cnet_ctl member_hello
UNIT_SRCS_cnet_ctl := tests/unit/test_cnet_ctl.c net/cnet_ctl_msg.c
UNIT_SRCS_member_hello := tests/unit/test_member_hello.c net/member_msg.c
# The simulated-link stress is long: optimise it (still with sanitizers).
$(B)/unit/cnet_rel: HCFLAGS += -O2
UNIT_TESTS += clock_sync
UNIT_SRCS_clock_sync := tests/unit/test_clock_sync.c net/clock_sync.c
