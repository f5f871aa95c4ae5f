/*
 * kernel/console_frame.h — the framing of standard input on its serial
 * line: tools/unum-stdin (the host) encodes, the kernel's console input
 * (kernel/console_in.c) decodes. Declared once here.
 *
 * The stream is a sequence of frames. Each frame is a 4-byte header
 *
 *   byte 0   CONSOLE_FRAME_MAGIC (0xA5)
 *   byte 1   length, low byte
 *   byte 2   length, high byte (little-endian 16-bit length)
 *   byte 3   CONSOLE_FRAME_CHECK ^ byte 1 ^ byte 2
 *
 * followed by `length` data bytes (1 .. CONSOLE_FRAME_MAX), which are the
 * program's input as they are: any byte value. A frame of length 0 is the
 * end of input. Since the length comes before the data, no data byte is
 * ever read as a marker, and the end of input cannot be confused with data.
 *
 * A header that is wrong (bad magic, bad check byte, length over
 * CONSOLE_FRAME_MAX) is counted in bad_headers and dropped whole; bytes up
 * to the next magic byte are skipped (counted in skipped). Bytes after the
 * end of input are counted in after_eof and dropped. Nothing the host sends
 * can make the decoder fail otherwise.
 */
#ifndef KERNEL_CONSOLE_FRAME_H
#define KERNEL_CONSOLE_FRAME_H

#include <stdbool.h>
#include <stdint.h>

#define CONSOLE_FRAME_MAGIC 0xA5
#define CONSOLE_FRAME_CHECK 0x5A
#define CONSOLE_FRAME_HLEN  4
#define CONSOLE_FRAME_MAX   4096

/* Writes the header of a frame of `len` bytes (0: end of input). */
void console_frame_header(uint8_t hdr[CONSOLE_FRAME_HLEN], uint16_t len);

struct console_frame_dec {
	uint8_t state;	/* CFD_* in console_frame.c */
	uint8_t hdr[2]; /* the length bytes of the header being read */
	uint16_t left;	/* data bytes left in the current frame */
	bool eof;	/* the end-of-input frame was seen */
	uint64_t bad_headers, skipped, after_eof;
};

enum {
	CONSOLE_FRAME_NONE = 0, /* the byte was framing (or dropped) */
	CONSOLE_FRAME_DATA = 1, /* the byte is a data byte: *out */
	CONSOLE_FRAME_EOF = 2,	/* the byte ended the input (once) */
};

void console_frame_init(struct console_frame_dec *d);
/* Feeds one byte from the line: CONSOLE_FRAME_*. */
int console_frame_feed(struct console_frame_dec *d, uint8_t b, uint8_t *out);

#endif
