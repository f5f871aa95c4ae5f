/*
 * kernel/panic.h — stopping the kernel. panic() is for a broken invariant of
 * the kernel's own state, never for bad input from outside.
 */
#ifndef KERNEL_PANIC_H
#define KERNEL_PANIC_H

#include <stdbool.h>

#define EXIT_STATUS_PANIC 127

void panic(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
/* Stop after a fatal report: test mode exits QEMU with EXIT_STATUS_PANIC. */
void kernel_stop(void) __attribute__((noreturn));

#define assert(cond)                                                     \
	do {                                                             \
		if (__builtin_expect(!(cond), 0))                        \
			panic("assertion failed: %s (%s:%d)", #cond,      \
			      __FILE__, __LINE__);                       \
	} while (0)

/* Power: test mode leaves QEMU through isa-debug-exit with `status`;
 * otherwise ACPI soft-off (status only logged). */
void power_set_test_mode(bool on);
bool power_test_mode(void);
void power_off(int status) __attribute__((noreturn));

#endif
