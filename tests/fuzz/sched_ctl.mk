# tests/fuzz/sched_ctl.mk — fuzz targets of live control: the kernel's
# request parser (build/fuzz/sched_ctl_req) and unumctl's reading of reply
# frames (build/fuzz/unumctl_reply). Seeds: tests/fuzz/corpus/sched_ctl_req/
# and unumctl_reply/ (made by tests/fuzz/sched_ctl_seeds.py).
FUZZ_TARGETS += sched_ctl_req unumctl_reply
FUZZ_SRCS_sched_ctl_req := tests/fuzz/fuzz_sched_ctl_req.c \
	sched/control_proto.c kernel/format.c
FUZZ_SRCS_unumctl_reply := tests/fuzz/fuzz_unumctl_reply.c \
	tools/unumctl_reply.c sched/control_proto.c net/cnet_frame.c \
	net/siphash.c kernel/format.c
