/*
 * kernel/panic.h — stopping the kernel. panic() is for a broken invariant of
 * the kernel's own state, never for bad input from outside.
 */
#ifndef KERNEL_PANIC_H
#define KERNEL_PANIC_H

#include <stdbool.h>

#define EXIT_STATUS_PANIC 127

void panic(const char *fmt, ...)
    __attribute__((noreturn, format(printf, 1, 2)));
/* Stop after a fatal report: test mode exits QEMU with EXIT_STATUS_PANIC. */
void kernel_stop(void) __attribute__((noreturn));

#define assert(cond)                                                           \
	do {                                                                   \
		if (__builtin_expect(!(cond), 0))                              \
			panic("assertion failed: %s (%s:%d)", #cond, __FILE__, \
			      __LINE__);                                       \
	} while (0)

/* Power: test mode leaves QEMU through isa-debug-exit with `status`;
 * otherwise ACPI soft-off (status only logged). */
void power_set_test_mode(bool on);
bool power_test_mode(void);
void power_off(int status) __attribute__((noreturn));

/*
 * Something a subsystem does on the way off (say, let its last messages
 * reach the other nodes, then print its counters). Hooks run once, in
 * registration order, before the status is reported. `orderly` is true
 * when power_off was called by a thread with interrupts on (a normal
 * exit): the hook may then sleep briefly and take its locks. After a panic
 * or a crash it is false: the hook must not block or take a lock.
 */
typedef void (*power_off_hook_fn)(bool orderly);
#define POWER_OFF_HOOKS_MAX 8
/* 0, or -ENOSPC once POWER_OFF_HOOKS_MAX are registered. Boot-time only. */
int power_off_register(power_off_hook_fn fn);

#endif
