# tools/ — host programs built from the tree.
#
# build/tools/cnet-inject: sends forged cluster frames onto a bridge
# (tests/qemu/cluster runs it inside tools/unum-run's network namespace). It
# links the kernel's own frame encoder, so it lays frames out as nodes
# expect. `make test` builds it.
CNET_INJECT_SRCS := tools/cnet-inject.c net/cnet_frame.c net/siphash.c

$(B)/tools/cnet-inject: $(CNET_INJECT_SRCS) tools/tool_args.h
	@mkdir -p $(@D)
	@echo "  HOSTCC  $@"
	@$(CC) -std=gnu11 -I. -DUNUM_HOST -O2 -g $(WARN) $(CNET_INJECT_SRCS) -o $@

test: $(B)/tools/cnet-inject

# build/tools/unumctl: live control of a running cluster from a host on its
# segment (status, policy set, migrate; docs/SCHEDULING.md). Built from the
# kernel's own frame codec and control protocol; `make all` builds it.
UNUMCTL_SRCS := tools/unumctl.c tools/unumctl_reply.c sched/control_proto.c \
	net/cnet_frame.c net/siphash.c kernel/format.c

$(B)/tools/unumctl: $(UNUMCTL_SRCS) tools/unumctl.h sched/control_proto.h \
		sched/control_wire.h tools/tool_args.h
	@mkdir -p $(@D)
	@echo "  HOSTCC  $@"
	@$(CC) -std=gnu11 -I. -DUNUM_HOST -O2 -g $(WARN) $(UNUMCTL_SRCS) -o $@

all: $(B)/tools/unumctl
test: $(B)/tools/unumctl

# build/tools/unum-stdin: frames a program's standard input for its serial
# line (kernel/console_frame.h); tools/unum-run runs it. `make all` builds it.
UNUM_STDIN_SRCS := tools/unum-stdin.c kernel/console_frame.c

$(B)/tools/unum-stdin: $(UNUM_STDIN_SRCS) kernel/console_frame.h
	@mkdir -p $(@D)
	@echo "  HOSTCC  $@"
	@$(CC) -std=gnu11 -I. -DUNUM_HOST -O2 -g $(WARN) $(UNUM_STDIN_SRCS) -o $@

all: $(B)/tools/unum-stdin
