# sched/ — the global scheduler: its core and one file per policy. Every
# file of sched/policies/ is linked in (and registers itself): adding a
# policy is adding its file.
SCHED_POLICY_SRCS := $(sort $(wildcard sched/policies/*.c))
KERNEL_SRCS += sched/global.c sched/policy_find.c sched/balance_confirm.c \
	$(SCHED_POLICY_SRCS) \
	sched/remote.c sched/migrate.c sched/migrate_rules.c sched/thread_msg.c sched/affinity.c sched/control.c \
	sched/control_proto.c sched/report.c sched/remote_stdin.c
