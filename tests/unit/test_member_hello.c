/*
 * tests/unit/test_member_hello.c — the HELLO codec (net/member_msg.c,
 * net/member_wire.h): the exact wire bytes, round trips (every load field
 * one by one, at its limits), every refusal with its exact errno and the
 * order of the checks, and sweeps that truncate or lengthen a HELLO and
 * flip every bit (in exact-size heap buffers, so ASan catches any read
 * past the end).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "kernel/errno.h"
#include "net/member_wire.h"

static const uint8_t MAC[6] = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56};

static struct member_hello good(void)
{
	struct member_hello h;

	memset(&h, 0, sizeof(h));
	memcpy(h.mac, MAC, 6);
	h.origin = true;
	h.in_view = false;
	h.cpus = 0x0102;
	h.mem_mb = 0x03040506;
	h.load.runnable = 0x0708090a;
	h.load.util = 0x0304; /* 772 permille */
	h.load.threads = 0x0b0c;
	h.load.free_mb = 0x0d0e0f10;
	h.load.faults_per_s = 0x11121314;
	h.load.spawned = 0x15161718;
	return h;
}

/* The wire bytes of h, in a heap buffer of exactly len bytes (the HELLO
 * cut or padded with zeros). */
static uint8_t *wire(const struct member_hello *h, size_t len)
{
	struct member_hello_wire w;
	uint8_t *b = calloc(1, len ? len : 1);

	member_hello_encode(h, &w);
	memcpy(b, &w, len < sizeof(w) ? len : sizeof(w));
	return b;
}

static int decode_bytes(const uint8_t *b, size_t len, struct member_hello *out)
{
	uint8_t *copy = malloc(len ? len : 1);
	int rc;

	memcpy(copy, b, len);
	rc = member_hello_decode(copy, len, MAC, out);
	free(copy);
	return rc;
}

static void assert_same(const struct member_hello *a,
			const struct member_hello *b)
{
	assert_memory_equal(a->mac, b->mac, 6);
	assert_int_equal(a->origin, b->origin);
	assert_int_equal(a->in_view, b->in_view);
	assert_int_equal(a->cpus, b->cpus);
	assert_int_equal(a->mem_mb, b->mem_mb);
	assert_int_equal(a->load.runnable, b->load.runnable);
	assert_int_equal(a->load.util, b->load.util);
	assert_int_equal(a->load.threads, b->load.threads);
	assert_int_equal(a->load.free_mb, b->load.free_mb);
	assert_int_equal(a->load.faults_per_s, b->load.faults_per_s);
	assert_int_equal(a->load.spawned, b->load.spawned);
}

static void test_wire_bytes(void **state)
{
	static const uint8_t want[MEMBER_HELLO_LEN] = {
	    0x55, 0x4e, 0x48, 0x32,		/* magic "UNH2" */
	    0x52, 0x54, 0x00, 0x12, 0x34, 0x56, /* mac */
	    1,	  0,				/* origin, in_view */
	    0x01, 0x02,				/* cpus */
	    0x03, 0x04, 0x05, 0x06,		/* mem_mb */
	    0x07, 0x08, 0x09, 0x0a,		/* runnable */
	    0x03, 0x04,				/* util */
	    0x0b, 0x0c,				/* threads */
	    0x0d, 0x0e, 0x0f, 0x10,		/* free_mb */
	    0x11, 0x12, 0x13, 0x14,		/* faults_per_s */
	    0x15, 0x16, 0x17, 0x18,		/* spawned */
	};
	struct member_hello h = good();
	uint8_t *b = wire(&h, MEMBER_HELLO_LEN);

	(void)state;
	assert_int_equal(sizeof(struct member_hello_wire), 38);
	assert_memory_equal(b, want, sizeof(want));
	free(b);
}

static void test_round_trip(void **state)
{
	struct member_hello h = good(), d;
	uint8_t *b;

	(void)state;
	b = wire(&h, MEMBER_HELLO_LEN);
	assert_int_equal(member_hello_decode(b, MEMBER_HELLO_LEN, MAC, &d), 0);
	assert_same(&h, &d);
	free(b);
	/* every field at its limits */
	h.origin = false;
	h.in_view = true;
	h.cpus = 1;
	h.mem_mb = 0;
	h.load.runnable = 0;
	h.load.util = MEMBER_UTIL_MAX;
	h.load.threads = 0;
	h.load.free_mb = 0;
	h.load.faults_per_s = 0;
	b = wire(&h, MEMBER_HELLO_LEN);
	assert_int_equal(member_hello_decode(b, MEMBER_HELLO_LEN, MAC, &d), 0);
	assert_same(&h, &d);
	free(b);
	h.cpus = 0xffff;
	h.mem_mb = 0xffffffffu;
	h.load.runnable = 0xffffffffu;
	h.load.util = 0;
	h.load.threads = 0xffff;
	h.load.free_mb = 0xffffffffu;
	h.load.faults_per_s = 0xffffffffu;
	b = wire(&h, MEMBER_HELLO_LEN);
	assert_int_equal(member_hello_decode(b, MEMBER_HELLO_LEN, MAC, &d), 0);
	assert_same(&h, &d);
	free(b);
}

static void test_bad_length(void **state)
{
	struct member_hello h = good(), d;

	(void)state;
	for (size_t n = 0; n <= 2 * MEMBER_HELLO_LEN; n++) {
		if (n == MEMBER_HELLO_LEN)
			continue;
		uint8_t *b = wire(&h, n);
		assert_int_equal(member_hello_decode(b, n, MAC, &d), -EBADMSG);
		free(b);
	}
	assert_int_equal(member_hello_decode(NULL, 0, MAC, &d), -EBADMSG);
}

static void test_bad_magic(void **state)
{
	struct member_hello h = good(), d;
	uint8_t *b = wire(&h, MEMBER_HELLO_LEN);

	(void)state;
	/* the magic in little-endian order (the format before it was
	 * declared): refused */
	b[0] = 0x31, b[1] = 0x48, b[2] = 0x4e, b[3] = 0x55;
	assert_int_equal(member_hello_decode(b, MEMBER_HELLO_LEN, MAC, &d),
			 -EPROTO);
	memset(b, 0, 4);
	assert_int_equal(member_hello_decode(b, MEMBER_HELLO_LEN, MAC, &d),
			 -EPROTO);
	/* the magic is checked before the MAC and the fields */
	b[4] ^= 1;
	b[12] = b[13] = 0;
	assert_int_equal(member_hello_decode(b, MEMBER_HELLO_LEN, MAC, &d),
			 -EPROTO);
	free(b);
}

static void test_bad_fields(void **state)
{
	static const uint8_t other[6] = {0x52, 0x54, 0x00, 0x12, 0x34, 0x57};
	struct member_hello h = good(), d;
	uint8_t *b = wire(&h, MEMBER_HELLO_LEN);

	(void)state;
	/* the MAC must be the frame's source */
	assert_int_equal(member_hello_decode(b, MEMBER_HELLO_LEN, other, &d),
			 -EINVAL);
	/* flags are 0 or 1 */
	for (unsigned v = 2; v < 256; v += 37) {
		b[10] = (uint8_t)v;
		assert_int_equal(decode_bytes(b, MEMBER_HELLO_LEN, &d),
				 -EINVAL);
		b[10] = 1;
		b[11] = (uint8_t)v;
		assert_int_equal(decode_bytes(b, MEMBER_HELLO_LEN, &d),
				 -EINVAL);
		b[11] = 0;
	}
	/* at least one CPU */
	b[12] = b[13] = 0;
	assert_int_equal(decode_bytes(b, MEMBER_HELLO_LEN, &d), -EINVAL);
	b[13] = 1;
	assert_int_equal(decode_bytes(b, MEMBER_HELLO_LEN, &d), 0);
	/* util is permille */
	b[22] = MEMBER_UTIL_MAX >> 8, b[23] = MEMBER_UTIL_MAX & 0xff;
	assert_int_equal(decode_bytes(b, MEMBER_HELLO_LEN, &d), 0);
	b[23]++;
	assert_int_equal(decode_bytes(b, MEMBER_HELLO_LEN, &d), -EINVAL);
	b[22] = b[23] = 0xff;
	assert_int_equal(decode_bytes(b, MEMBER_HELLO_LEN, &d), -EINVAL);
	free(b);
}

/* encode writes the flags as 0 or 1 whatever bool it is given */
static void test_encode_flags(void **state)
{
	struct member_hello h = good(), d;
	struct member_hello_wire w;

	(void)state;
	h.origin = true;
	h.in_view = true;
	member_hello_encode(&h, &w);
	assert_int_equal(w.origin, 1);
	assert_int_equal(w.in_view, 1);
	assert_int_equal(member_hello_decode(&w, sizeof(w), MAC, &d), 0);
	assert_true(d.origin && d.in_view);
}

/* Every one-bit change of a HELLO is refused, or decodes to what its bytes
 * say (re-encoding gives them back). */
static void test_bit_flips(void **state)
{
	struct member_hello h = good(), d;
	uint8_t *b = wire(&h, MEMBER_HELLO_LEN);

	(void)state;
	for (size_t bit = 0; bit < MEMBER_HELLO_LEN * 8; bit++) {
		b[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		int rc = decode_bytes(b, MEMBER_HELLO_LEN, &d);
		if (rc == 0) {
			struct member_hello_wire w;
			member_hello_encode(&d, &w);
			assert_memory_equal(&w, b, sizeof(w));
			assert_true(bit >= 10 * 8); /* not magic, not MAC */
		} else {
			assert_true(rc == -EPROTO || rc == -EINVAL);
		}
		b[bit / 8] ^= (uint8_t)(1u << (bit % 8));
	}
	free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_wire_bytes),
	    cmocka_unit_test(test_round_trip),
	    cmocka_unit_test(test_bad_length),
	    cmocka_unit_test(test_bad_magic),
	    cmocka_unit_test(test_bad_fields),
	    cmocka_unit_test(test_encode_flags),
	    cmocka_unit_test(test_bit_flips),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
