# tests/ktest/ — in-kernel tests (KTEST) and benchmarks (BENCH), linked into
# every kernel; selected at boot with ktest= and bench=.
KERNEL_SRCS += tests/ktest/kt_thread.c tests/ktest/kt_sync.c \
	tests/ktest/kt_timer.c tests/ktest/kt_mm.c tests/ktest/kt_smp.c \
	tests/ktest/kb_sched.c tests/ktest/kb_smp.c
KERNEL_SRCS += tests/ktest/kt_virtio.c tests/ktest/kt_virtio_io.c
KERNEL_SRCS += tests/ktest/kt_cluster.c tests/ktest/kt_outbox.c \
	tests/ktest/kt_exit_note.c
KERNEL_SRCS += tests/ktest/kb_net.c
