/*
 * kernel/log.h — the kernel log: leveled, timestamped lines on the console.
 *
 * Line format: "[    0.012345] I subsys: message". Levels: E W I D.
 * Output goes to every registered console sink; lines never interleave.
 */
#ifndef KERNEL_LOG_H
#define KERNEL_LOG_H

#include <stdarg.h>
#include <stddef.h>

enum log_level { LOG_ERR, LOG_WARN, LOG_INFO, LOG_DEBUG };

struct console_sink {
	void (*write)(
	    const char *s,
	    size_t n); /* called with the console lock held, irqs off */
};

void console_add_sink(const struct console_sink *sink);
void console_set_level(enum log_level lvl);
void console_set_timestamps(int on);
/* Forcibly take over the console (panic path: another CPU may hold the lock). */
void console_break_lock(void);

void klog(enum log_level lvl, const char *subsys, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void kvlog(enum log_level lvl, const char *subsys, const char *fmt, va_list ap);
/* Raw output, no prefix and no level filter. */
void kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void kputs_raw(const char *s, size_t n);

#define pr_err(sub, ...)   klog(LOG_ERR, sub, __VA_ARGS__)
#define pr_warn(sub, ...)  klog(LOG_WARN, sub, __VA_ARGS__)
#define pr_info(sub, ...)  klog(LOG_INFO, sub, __VA_ARGS__)
#define pr_debug(sub, ...) klog(LOG_DEBUG, sub, __VA_ARGS__)

#endif
