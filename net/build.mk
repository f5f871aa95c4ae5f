# net/ — the cluster transport. Pure C, also built into the host tests
# (tests/unit/net.mk, tests/fuzz/net.mk): SipHash, the frame codec, the
# reliability layer (per-peer ordered delivery), RPC matching, and the
# codecs of the transport's own messages (control, HELLO).
KERNEL_SRCS += net/siphash.c net/cnet_frame.c net/cnet_rel.c \
	net/cnet_rel_tx.c net/cnet_rel_rx.c net/cnet_rpc.c \
	net/cnet_ctl_msg.c net/member_msg.c net/clock_sync.c
# The kernel glue: services and sending, membership and the view, RPC and
# the engines' outbox, the control service, raw frames, power-off,
# counters; the echo service.
KERNEL_SRCS += net/cnet.c net/member.c net/cnet_call.c net/cnet_outbox.c \
	net/cnet_ctl.c net/cnet_raw.c net/cnet_off.c net/cnet_stats.c \
	net/member_clock.c
KERNEL_SRCS += net/cnet_echo.c

