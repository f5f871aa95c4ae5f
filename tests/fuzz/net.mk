# tests/fuzz/net.mk — fuzz targets of the cluster transport: the frame
# decoder (build/fuzz/cnet_frame) and a receiver fed arbitrary and forged
# authentic frames (build/fuzz/cnet_rel), and the RPC matching layer fed
# peers' messages between its own calls (build/fuzz/cnet_rpc; seeds in
# tests/fuzz/corpus/cnet_rpc/). Seeds: tests/fuzz/corpus/cnet_*/ (made by
# tests/fuzz/cnet_seeds.py). The codecs of the transport's own messages:
# control messages (build/fuzz/cnet_ctl) and HELLOs (build/fuzz/
# member_hello); seeds in tests/fuzz/corpus/{cnet_ctl,member_hello}/ (made
# by tests/fuzz/net_msg_seeds.py).
FUZZ_TARGETS += cnet_frame cnet_rel cnet_rpc
FUZZ_SRCS_cnet_frame := tests/fuzz/fuzz_cnet_frame.c net/siphash.c \
	net/cnet_frame.c
FUZZ_SRCS_cnet_rel := tests/fuzz/fuzz_cnet_rel.c net/siphash.c \
	net/cnet_frame.c net/cnet_rel.c net/cnet_rel_tx.c net/cnet_rel_rx.c
FUZZ_SRCS_cnet_rpc := tests/fuzz/fuzz_cnet_rpc.c net/cnet_rpc.c
FUZZ_TARGETS += cnet_ctl member_hello
FUZZ_SRCS_cnet_ctl := tests/fuzz/fuzz_cnet_ctl.c net/cnet_ctl_msg.c
FUZZ_SRCS_member_hello := tests/fuzz/fuzz_member_hello.c net/member_msg.c
# The cluster clock's pings and pongs, and the estimator fed with them
# (build/fuzz/clock_msg; seeds in tests/fuzz/corpus/clock_msg/).
FUZZ_TARGETS += clock_msg
FUZZ_SRCS_clock_msg := tests/fuzz/fuzz_clock_msg.c net/clock_sync.c
