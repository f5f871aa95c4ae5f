/*
 * kernel/panic.c — panic: report, backtrace, stop.
 */
#include <stdarg.h>

#include "arch/x86_64/trap.h"
#include "kernel/arch.h"
#include "kernel/kstring.h"
#include "kernel/log.h"
#include "kernel/panic.h"

void kernel_stop(void)
{
	arch_irq_disable();
	kprintf("unum: stopped\n");
	power_off(EXIT_STATUS_PANIC);
}

void panic(const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	arch_irq_disable();
	va_start(ap, fmt);
	kvsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	console_break_lock();
	kprintf("\nPANIC: %s\n", msg);
	backtrace_print((uint64_t)__builtin_frame_address(0),
			(uint64_t)__builtin_return_address(0));
	kernel_stop();
}
