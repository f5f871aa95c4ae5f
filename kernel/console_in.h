/*
 * kernel/console_in.h — the console's input: the program's standard input
 * on this node. A serial driver attaches a source (the line that carries
 * standard input, framed as kernel/console_frame.h says); its receive
 * interrupt drains the line into a bounded buffer, and readers block until
 * data or the end of input. With no source attached, input is at its end
 * at once (as on a node without a standard-input line).
 *
 * Flow control: bytes are taken from the line only while the buffer has
 * room; when it is full the source's receive interrupt is switched off and
 * the bytes wait in the device (and, behind it, in the host's pipe), so
 * none is ever dropped. A reader that makes room switches it back on.
 */
#ifndef KERNEL_CONSOLE_IN_H
#define KERNEL_CONSOLE_IN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct console_source {
	/* Required; console_in's lock held, irqs off: the next byte
	 * received, false when the device has none now. */
	bool (*getc)(uint8_t *c);
	/* Required; console_in's lock held, irqs off: receive interrupts
	 * on (there is room in the buffer) or off (it is full). */
	void (*rx_irq)(bool on);
};

/* Attaches the one source (at boot, before any reader). */
void console_in_attach(const struct console_source *src);
/* From the source's receive interrupt (or a poll): drains the line. */
void console_in_irq(void);
/*
 * Copies up to len bytes of input to buf (kernel memory): the count (at
 * least 1 when len is not 0), 0 at the end of input, -EAGAIN with nonblock
 * when there is nothing yet. Blocks otherwise until data or the end.
 */
int64_t console_in_read(void *buf, size_t len, bool nonblock);
/* True when a read would not block (data, or the end of input). */
bool console_in_ready(void);

struct console_in_stats {
	uint64_t bytes;	      /* data bytes received */
	uint64_t bad_headers; /* frame headers refused */
	uint64_t skipped;     /* bytes skipped looking for a header */
	uint64_t after_eof;   /* bytes dropped after the end of input */
	bool attached, eof;
};
void console_in_get_stats(struct console_in_stats *s);

#endif
