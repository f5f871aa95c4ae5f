# net/ — the cluster transport: SipHash, the frame codec, the reliability
# layer (per-peer ordered delivery) and RPC matching. Pure C, also built
# into the host tests (tests/unit/net.mk, tests/fuzz/net.mk).
KERNEL_SRCS += net/siphash.c net/cnet_frame.c net/cnet_rel.c \
	net/cnet_rel_tx.c net/cnet_rel_rx.c net/cnet_rpc.c
KERNEL_SRCS += net/cnet.c net/cnet_call.c net/cnet_outbox.c net/member.c
KERNEL_SRCS += net/cnet_echo.c

