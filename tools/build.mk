# tools/ — host programs built from the tree.
#
# build/tools/cnet-inject: sends forged cluster frames onto a bridge
# (tests/qemu/cluster runs it inside tools/unum-run's network namespace). It
# links the kernel's own frame encoder, so it lays frames out as nodes
# expect. `make test` builds it.
CNET_INJECT_SRCS := tools/cnet-inject.c net/cnet_frame.c net/siphash.c

$(B)/tools/cnet-inject: $(CNET_INJECT_SRCS)
	@mkdir -p $(@D)
	@echo "  HOSTCC  $@"
	@$(CC) -std=gnu11 -I. -DUNUM_HOST -O2 -g $(WARN) $(CNET_INJECT_SRCS) -o $@

test: $(B)/tools/cnet-inject
