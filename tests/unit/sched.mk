UNIT_TESTS += sched_policy
UNIT_SRCS_sched_policy := tests/unit/test_sched_policy.c sched/policy_find.c \
	sched/balance_confirm.c $(SCHED_POLICY_SRCS)
UNIT_TESTS += thread_msg
UNIT_SRCS_thread_msg := tests/unit/test_thread_msg.c sched/thread_msg.c \
	sched/migrate_rules.c
