/*
 * tests/unit/test_console_frame.c — the standard-input framing
 * (kernel/console_frame.h): every byte value through frames of every size
 * up to the limit, the magic byte inside data, the end of input, and bad
 * input from the host (bad magic, bad check byte, a length over the limit,
 * bytes after the end) counted and skipped, never taken as data.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "kernel/console_frame.h"

struct out {
	uint8_t data[3 * CONSOLE_FRAME_MAX];
	size_t len;
	int eofs;
};

static void feed(struct console_frame_dec *d, const uint8_t *b, size_t n,
		 struct out *o)
{
	for (size_t i = 0; i < n; i++) {
		uint8_t c = 0;
		int r = console_frame_feed(d, b[i], &c);
		if (r == CONSOLE_FRAME_DATA) {
			assert_true(o->len < sizeof(o->data));
			o->data[o->len++] = c;
		} else if (r == CONSOLE_FRAME_EOF) {
			o->eofs++;
		} else {
			assert_int_equal(r, CONSOLE_FRAME_NONE);
		}
	}
}

static void frame(struct console_frame_dec *d, const uint8_t *b, uint16_t n,
		  struct out *o)
{
	uint8_t h[CONSOLE_FRAME_HLEN];
	console_frame_header(h, n);
	feed(d, h, sizeof(h), o);
	feed(d, b, n, o);
}

static void test_header_layout(void **state)
{
	uint8_t h[CONSOLE_FRAME_HLEN];
	(void)state;
	console_frame_header(h, 0x1234);
	assert_int_equal(h[0], 0xA5);
	assert_int_equal(h[1], 0x34);
	assert_int_equal(h[2], 0x12);
	assert_int_equal(h[3], 0x5A ^ 0x34 ^ 0x12);
	console_frame_header(h, 0);
	assert_int_equal(h[1], 0);
	assert_int_equal(h[2], 0);
	assert_int_equal(h[3], 0x5A);
}

/* Every byte value, in frames of 1 .. CONSOLE_FRAME_MAX bytes, comes out
 * exactly, magic bytes and zeros included; then one end of input. */
static void test_round_trip(void **state)
{
	static const uint16_t sizes[] = {1,   2,   3,	 255,
					 256, 257, 4095, CONSOLE_FRAME_MAX};
	static struct out o;
	static uint8_t in[CONSOLE_FRAME_MAX];
	struct console_frame_dec d;
	(void)state;
	for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		memset(&o, 0, sizeof(o));
		console_frame_init(&d);
		for (int i = 0; i < sizes[s]; i++)
			in[i] = (uint8_t)(i * 7 + s);
		frame(&d, in, sizes[s], &o);
		frame(&d, in, sizes[s], &o);
		frame(&d, NULL, 0, &o);
		assert_int_equal(o.len, 2u * sizes[s]);
		assert_memory_equal(o.data, in, sizes[s]);
		assert_memory_equal(o.data + sizes[s], in, sizes[s]);
		assert_int_equal(o.eofs, 1);
		assert_true(d.eof);
		assert_int_equal(d.bad_headers + d.skipped + d.after_eof, 0);
	}
}

/* A data frame made only of header-like bytes is data. */
static void test_magic_in_data(void **state)
{
	struct console_frame_dec d;
	struct out o = {0};
	uint8_t in[8];
	(void)state;
	console_frame_init(&d);
	console_frame_header(in, 0);	 /* an end-of-input header ... */
	console_frame_header(in + 4, 0); /* ... twice, as data */
	frame(&d, in, sizeof(in), &o);
	assert_int_equal(o.len, 8);
	assert_memory_equal(o.data, in, 8);
	assert_int_equal(o.eofs, 0);
	assert_false(d.eof);
}

/* Garbage, a bad check byte and a length over the limit are counted and
 * dropped; the good frames around them come through. */
static void test_bad_input(void **state)
{
	struct console_frame_dec d;
	struct out o = {0};
	const uint8_t good[] = {'o', 'k'};
	const uint8_t junk[] = {0x00, 0xff, 'x'};
	uint8_t bad_check[] = {0xA5, 2, 0, 0x00};
	uint8_t too_long[CONSOLE_FRAME_HLEN];
	(void)state;
	console_frame_init(&d);
	feed(&d, junk, sizeof(junk), &o);
	assert_int_equal(d.skipped, 3);
	frame(&d, good, 2, &o);
	feed(&d, bad_check, sizeof(bad_check), &o);
	assert_int_equal(d.bad_headers, 1);
	console_frame_header(too_long, CONSOLE_FRAME_MAX + 1);
	feed(&d, too_long, sizeof(too_long), &o);
	assert_int_equal(d.bad_headers, 2);
	frame(&d, good, 2, &o);
	assert_int_equal(o.len, 4);
	assert_memory_equal(o.data, "okok", 4);
	frame(&d, NULL, 0, &o);
	assert_int_equal(o.eofs, 1);
	/* after the end: nothing more, counted */
	frame(&d, good, 2, &o);
	frame(&d, NULL, 0, &o);
	assert_int_equal(o.len, 4);
	assert_int_equal(o.eofs, 1);
	assert_int_equal(d.after_eof, 2 * CONSOLE_FRAME_HLEN + 2);
}

/* Random bytes never crash the decoder nor give more data than input. */
static void test_random_input(void **state)
{
	static struct out o;
	struct console_frame_dec d;
	(void)state;
	srand(17);
	for (int round = 0; round < 200; round++) {
		uint8_t b[512];
		memset(&o, 0, sizeof(o));
		console_frame_init(&d);
		for (size_t i = 0; i < sizeof(b); i++)
			b[i] = (uint8_t)(rand() % 4 ? rand() : 0xA5);
		feed(&d, b, sizeof(b), &o);
		assert_true(o.len <= sizeof(b));
		assert_true(o.eofs <= 1);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_header_layout),
	    cmocka_unit_test(test_round_trip),
	    cmocka_unit_test(test_magic_in_data),
	    cmocka_unit_test(test_bad_input),
	    cmocka_unit_test(test_random_input),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
