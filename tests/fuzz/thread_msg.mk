# Fuzz target of the thread service's message checks (sched/thread_msg.c):
# build/fuzz/thread_msg. Seeds: tests/fuzz/corpus/thread_msg/ (made by
# tests/fuzz/thread_msg_seeds.py).
FUZZ_TARGETS += thread_msg
FUZZ_SRCS_thread_msg := tests/fuzz/fuzz_thread_msg.c sched/thread_msg.c
