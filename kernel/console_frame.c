/*
 * kernel/console_frame.c — the standard-input framing (format in
 * kernel/console_frame.h): a byte-at-a-time decoder, pure, also built on
 * the host (tools/unum-stdin, tests/unit/test_console_frame.c).
 */
#include "kernel/console_frame.h"

enum {
	CFD_MAGIC, /* hunting for the magic byte */
	CFD_LEN0,
	CFD_LEN1,
	CFD_CHECK,
	CFD_DATA,
	CFD_DONE, /* after the end of input */
};

void console_frame_header(uint8_t hdr[CONSOLE_FRAME_HLEN], uint16_t len)
{
	hdr[0] = CONSOLE_FRAME_MAGIC;
	hdr[1] = (uint8_t)(len & 0xff);
	hdr[2] = (uint8_t)(len >> 8);
	hdr[3] = (uint8_t)(CONSOLE_FRAME_CHECK ^ hdr[1] ^ hdr[2]);
}

void console_frame_init(struct console_frame_dec *d)
{
	*d = (struct console_frame_dec){.state = CFD_MAGIC};
}

/* The header's last byte: checks it all, then starts the frame. */
static int header_done(struct console_frame_dec *d, uint8_t check)
{
	uint16_t len = (uint16_t)(d->hdr[0] | d->hdr[1] << 8);
	if (check != (uint8_t)(CONSOLE_FRAME_CHECK ^ d->hdr[0] ^ d->hdr[1]) ||
	    len > CONSOLE_FRAME_MAX) {
		d->bad_headers++;
		d->state = CFD_MAGIC;
		return CONSOLE_FRAME_NONE;
	}
	if (len == 0) {
		d->eof = true;
		d->state = CFD_DONE;
		return CONSOLE_FRAME_EOF;
	}
	d->left = len;
	d->state = CFD_DATA;
	return CONSOLE_FRAME_NONE;
}

int console_frame_feed(struct console_frame_dec *d, uint8_t b, uint8_t *out)
{
	switch (d->state) {
	case CFD_MAGIC:
		if (b == CONSOLE_FRAME_MAGIC)
			d->state = CFD_LEN0;
		else
			d->skipped++;
		return CONSOLE_FRAME_NONE;
	case CFD_LEN0:
		d->hdr[0] = b;
		d->state = CFD_LEN1;
		return CONSOLE_FRAME_NONE;
	case CFD_LEN1:
		d->hdr[1] = b;
		d->state = CFD_CHECK;
		return CONSOLE_FRAME_NONE;
	case CFD_CHECK:
		return header_done(d, b);
	case CFD_DATA:
		*out = b;
		if (--d->left == 0)
			d->state = CFD_MAGIC;
		return CONSOLE_FRAME_DATA;
	default:
		d->after_eof++;
		return CONSOLE_FRAME_NONE;
	}
}
