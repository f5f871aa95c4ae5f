# kernel/ — console, panic, boot config, threads, scheduler, locks, timers, ktest.
KERNEL_SRCS += kernel/main.c kernel/init.c kernel/string.c kernel/format.c \
	kernel/console.c kernel/console_in.c \
	kernel/console_frame.c kernel/panic.c kernel/config.c kernel/config_get.c \
	kernel/config_keys.c kernel/sched.c kernel/thread.c kernel/timer.c \
	kernel/sync.c kernel/ktest.c kernel/futex.c kernel/exit_note.c \
	kernel/ksys.c kernel/ksys_signal.c
