# tests/fuzz/net.mk — fuzz targets of the cluster transport: the frame
# decoder (build/fuzz/cnet_frame) and a receiver fed arbitrary and forged
# authentic frames (build/fuzz/cnet_rel). Seeds: tests/fuzz/corpus/cnet_*/
# (made by tests/fuzz/cnet_seeds.py).
FUZZ_TARGETS += cnet_frame cnet_rel
FUZZ_SRCS_cnet_frame := tests/fuzz/fuzz_cnet_frame.c net/siphash.c \
	net/cnet_frame.c
FUZZ_SRCS_cnet_rel := tests/fuzz/fuzz_cnet_rel.c net/siphash.c \
	net/cnet_frame.c net/cnet_rel.c net/cnet_rel_tx.c net/cnet_rel_rx.c
