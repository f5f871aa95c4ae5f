/*
 * kernel/console.c — log formatting and fan-out to console sinks.
 */
#include <stdbool.h>

#include "kernel/kstring.h"
#include "kernel/log.h"
#include "kernel/spinlock.h"
#include "kernel/time.h"

#define MAX_SINKS 4

static struct spinlock console_lock = SPINLOCK_INIT;
/* (console_lock) */
static const struct console_sink *sinks[MAX_SINKS];
static int nr_sinks;
/* set once at boot, read racily */
static enum log_level console_level = LOG_INFO;
static bool console_ts = true;

void console_add_sink(const struct console_sink *sink)
{
	unsigned long f = spin_lock_irqsave(&console_lock);
	if (nr_sinks < MAX_SINKS)
		sinks[nr_sinks++] = sink;
	spin_unlock_irqrestore(&console_lock, f);
}

void console_set_level(enum log_level lvl)
{
	console_level = lvl;
}
void console_set_timestamps(int on)
{
	console_ts = on;
}

void console_break_lock(void)
{
	spin_lock_init(&console_lock);
}

static void emit_locked(const char *s, size_t n)
{
	for (int i = 0; i < nr_sinks; i++)
		sinks[i]->write(s, n);
}

void kputs_raw(const char *s, size_t n)
{
	unsigned long f = spin_lock_irqsave(&console_lock);
	emit_locked(s, n);
	spin_unlock_irqrestore(&console_lock, f);
}

void kvlog(enum log_level lvl, const char *subsys, const char *fmt, va_list ap)
{
	static const char letters[] = "EWID";
	char line[512];
	int n = 0;

	if (lvl > console_level)
		return;
	if (console_ts) {
		uint64_t ns = clock_ns();
		n = ksnprintf(line, sizeof(line), "[%5u.%06u] ",
			      (unsigned)(ns / 1000000000u),
			      (unsigned)(ns / 1000u % 1000000u));
	}
	n += ksnprintf(line + n, sizeof(line) - n, "%c %s: ", letters[lvl],
		       subsys);
	if ((size_t)n < sizeof(line))
		n += kvsnprintf(line + n, sizeof(line) - n, fmt, ap);
	if ((size_t)n >= sizeof(line) - 1)
		n = sizeof(line) - 2;
	line[n++] = '\n';
	kputs_raw(line, n);
}

void klog(enum log_level lvl, const char *subsys, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	kvlog(lvl, subsys, fmt, ap);
	va_end(ap);
}

void kprintf(const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	int n = kvsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n > (int)sizeof(buf) - 1)
		n = sizeof(buf) - 1;
	kputs_raw(buf, n);
}
