/*
 * tests/unit/test_cnet_ctl.c — the control service's codec
 * (net/cnet_ctl_msg.c, net/cnet_ctl_wire.h): the exact wire bytes, round
 * trips of both kinds, every refusal with its exact errno and the order of
 * the checks, and sweeps that truncate a message to every length and flip
 * every bit (in exact-size heap buffers, so ASan catches any read past the
 * end).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "kernel/errno.h"
#include "net/cnet_ctl_wire.h"
#include "net/cnet_wire.h"

/* A message of kind, status and text in a heap buffer of its exact size;
 * text_len as given (a lie, when it is not strlen(text)). */
static uint8_t *make(uint32_t kind, int32_t status, uint32_t text_len,
		     const char *text, size_t *len)
{
	size_t n = text ? strlen(text) : 0;
	uint8_t *m = malloc(CNET_CTL_HLEN + n + 1);
	struct cnet_ctl_hdr h;

	cnet_ctl_encode(&h, kind, status, text_len);
	memcpy(m, &h, sizeof(h));
	if (n)
		memcpy(m + CNET_CTL_HLEN, text, n);
	*len = CNET_CTL_HLEN + n;
	return m;
}

/* Decodes a copy of msg in a buffer of exactly len bytes. */
static int decode(const void *msg, size_t len, struct cnet_ctl_msg *out)
{
	uint8_t *copy = malloc(len ? len : 1);
	int rc;

	memcpy(copy, msg, len);
	rc = cnet_ctl_decode(copy, len, out);
	free(copy);
	return rc;
}

static void test_wire_bytes(void **state)
{
	static const uint8_t exit_bytes[] = {
	    0,	  0,	0,    1,    /* kind: EXIT */
	    0xff, 0xff, 0xff, 0xfd, /* status: -3 */
	    0,	  0,	0,    0,    /* text_len */
	};
	static const uint8_t console_bytes[] = {
	    0,	 0,   0,   2, /* kind: CONSOLE */
	    0,	 0,   0,   0, /* status */
	    0,	 0,   0,   3, /* text_len */
	    'a', 'b', 'c',    /* text */
	};
	struct cnet_ctl_hdr h;
	size_t len;
	uint8_t *m;

	(void)state;
	assert_int_equal(sizeof(h), 12);
	cnet_ctl_encode(&h, CNET_CTL_EXIT, -3, 0);
	assert_memory_equal(&h, exit_bytes, sizeof(exit_bytes));
	m = make(CNET_CTL_CONSOLE, 0, 3, "abc", &len);
	assert_int_equal(len, sizeof(console_bytes));
	assert_memory_equal(m, console_bytes, len);
	free(m);
}

static void test_exit_round_trip(void **state)
{
	static const int32_t statuses[] = {0,	1,  3,	       127,
					   128, -1, INT32_MIN, INT32_MAX};
	struct cnet_ctl_msg d;
	size_t len;

	(void)state;
	for (size_t i = 0; i < sizeof(statuses) / sizeof(statuses[0]); i++) {
		uint8_t *m = make(CNET_CTL_EXIT, statuses[i], 0, NULL, &len);
		assert_int_equal(len, CNET_CTL_HLEN);
		assert_int_equal(cnet_ctl_decode(m, len, &d), 0);
		assert_int_equal(d.kind, CNET_CTL_EXIT);
		assert_int_equal(d.status, statuses[i]);
		assert_null(d.text);
		assert_int_equal(d.text_len, 0);
		free(m);
	}
}

static void test_console_round_trip(void **state)
{
	static const char *texts[] = {"", "x", "hello, world\n",
				      "unum: ready\n\0not here"};
	struct cnet_ctl_msg d;
	size_t len;

	(void)state;
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		uint32_t n = (uint32_t)strlen(texts[i]);
		uint8_t *m = make(CNET_CTL_CONSOLE, 0, n, texts[i], &len);
		assert_int_equal(cnet_ctl_decode(m, len, &d), 0);
		assert_int_equal(d.kind, CNET_CTL_CONSOLE);
		assert_int_equal(d.status, 0);
		assert_int_equal(d.text_len, n);
		/* the text is the message's own bytes, not a copy */
		assert_ptr_equal(d.text, (const char *)m + CNET_CTL_HLEN);
		assert_memory_equal(d.text, texts[i], n);
		free(m);
	}
}

static void test_short(void **state)
{
	struct cnet_ctl_msg d;
	size_t len;
	uint8_t *m = make(CNET_CTL_EXIT, 1, 0, NULL, &len);

	(void)state;
	for (size_t n = 0; n < CNET_CTL_HLEN; n++)
		assert_int_equal(decode(m, n, &d), -EBADMSG);
	assert_int_equal(cnet_ctl_decode(NULL, 0, &d), -EBADMSG);
	free(m);
}

static void test_bad_kind(void **state)
{
	/* 0x01000000: EXIT written in little-endian order */
	static const uint32_t kinds[] = {
	    0, 3, 4, 0xff, 0x01000000u, 0x02000000u, 0xffffffffu};
	struct cnet_ctl_msg d;
	size_t len;

	(void)state;
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		uint8_t *m = make(kinds[i], 0, 0, NULL, &len);
		assert_int_equal(cnet_ctl_decode(m, len, &d), -EPROTO);
		free(m);
		/* the kind is checked before the lengths */
		m = make(kinds[i], 0, 99, "abc", &len);
		assert_int_equal(cnet_ctl_decode(m, len, &d), -EPROTO);
		free(m);
	}
}

static void test_bad_lengths(void **state)
{
	struct cnet_ctl_msg d;
	size_t len;
	uint8_t *m;

	(void)state;
	/* EXIT: nothing may follow the header, and text_len is 0 */
	m = make(CNET_CTL_EXIT, 0, 0, "x", &len);
	assert_int_equal(cnet_ctl_decode(m, len, &d), -EBADMSG);
	free(m);
	m = make(CNET_CTL_EXIT, 0, 1, "x", &len);
	assert_int_equal(cnet_ctl_decode(m, len, &d), -EBADMSG);
	free(m);
	m = make(CNET_CTL_EXIT, 0, 5, NULL, &len);
	assert_int_equal(cnet_ctl_decode(m, len, &d), -EBADMSG);
	free(m);
	/* CONSOLE: text_len is exactly the bytes after the header */
	m = make(CNET_CTL_CONSOLE, 0, 4, "abc", &len);
	assert_int_equal(cnet_ctl_decode(m, len, &d), -EBADMSG);
	free(m);
	m = make(CNET_CTL_CONSOLE, 0, 2, "abc", &len);
	assert_int_equal(cnet_ctl_decode(m, len, &d), -EBADMSG);
	free(m);
	m = make(CNET_CTL_CONSOLE, 0, 0, "abc", &len);
	assert_int_equal(cnet_ctl_decode(m, len, &d), -EBADMSG);
	free(m);
	m = make(CNET_CTL_CONSOLE, 0, 0xffffffffu, "abc", &len);
	assert_int_equal(cnet_ctl_decode(m, len, &d), -EBADMSG);
	free(m);
	m = make(CNET_CTL_CONSOLE, 0, 1, NULL, &len);
	assert_int_equal(cnet_ctl_decode(m, len, &d), -EBADMSG);
	free(m);
}

static void test_console_status(void **state)
{
	struct cnet_ctl_msg d;
	size_t len;
	uint8_t *m;

	(void)state;
	m = make(CNET_CTL_CONSOLE, 1, 3, "abc", &len);
	assert_int_equal(cnet_ctl_decode(m, len, &d), -EINVAL);
	free(m);
	m = make(CNET_CTL_CONSOLE, -1, 0, NULL, &len);
	assert_int_equal(cnet_ctl_decode(m, len, &d), -EINVAL);
	free(m);
	/* a bad length is reported before the status */
	m = make(CNET_CTL_CONSOLE, 1, 9, "abc", &len);
	assert_int_equal(cnet_ctl_decode(m, len, &d), -EBADMSG);
	free(m);
}

/* Every prefix of a valid CONSOLE message is refused as too short or as
 * disagreeing with its text_len; every one-bit change is refused or
 * decodes to what its bytes say (re-encoding gives them back). */
static void test_sweeps(void **state)
{
	struct cnet_ctl_msg d;
	size_t len;
	uint8_t *m = make(CNET_CTL_CONSOLE, 0, 5, "hello", &len);

	(void)state;
	for (size_t n = 0; n < len; n++)
		assert_int_equal(decode(m, n, &d), -EBADMSG);
	for (size_t bit = 0; bit < len * 8; bit++) {
		m[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		int rc = decode(m, len, &d);
		if (rc == 0) {
			struct cnet_ctl_hdr h;
			cnet_ctl_encode(&h, d.kind, d.status,
					(uint32_t)d.text_len);
			assert_memory_equal(&h, m, sizeof(h));
			assert_int_equal(d.kind, CNET_CTL_CONSOLE);
			assert_true(bit >= CNET_CTL_HLEN * 8);
		} else {
			assert_true(rc == -EBADMSG || rc == -EPROTO ||
				    rc == -EINVAL);
		}
		m[bit / 8] ^= (uint8_t)(1u << (bit % 8));
	}
	free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_wire_bytes),
	    cmocka_unit_test(test_exit_round_trip),
	    cmocka_unit_test(test_console_round_trip),
	    cmocka_unit_test(test_short),
	    cmocka_unit_test(test_bad_kind),
	    cmocka_unit_test(test_bad_lengths),
	    cmocka_unit_test(test_console_status),
	    cmocka_unit_test(test_sweeps),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
