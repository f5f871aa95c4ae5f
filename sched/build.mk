# sched/ — the global scheduler: its core and one file per policy.
KERNEL_SRCS += sched/global.c sched/policy_find.c sched/balance_confirm.c sched/policies/basic.c \
	sched/policies/least_loaded.c sched/policies/locality.c \
	sched/remote.c sched/migrate.c sched/migrate_rules.c sched/thread_msg.c sched/control.c \
	sched/control_proto.c sched/report.c
