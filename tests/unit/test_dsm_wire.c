/*
 * tests/unit/test_dsm_wire.c — the DSM's wire header (cluster/dsm_wire.c):
 * the exact bytes on the wire (big-endian), a round trip with and without
 * a page, and each malformed message refused with its error.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "cluster/dsm_wire.h"
#include "kernel/errno.h"

static uint8_t buf[DSM_WIRE_MAX + 1];

static size_t put(const struct dsm_msg *m)
{
	struct dsm_wire_hdr h;
	dsm_wire_encode(m, &h);
	memcpy(buf, &h, sizeof(h));
	if (!m->data)
		return sizeof(h);
	memcpy(buf + sizeof(h), m->data, DSM_PAGE);
	return sizeof(h) + DSM_PAGE;
}

static void test_bytes(void **state)
{
	(void)state;
	struct dsm_msg m = {
	    DSM_RECALL, 0x5a, 0x0102, 0x03040506, 0x0708090a0b0c0d0eull, NULL};
	assert_int_equal(put(&m), 16);
	static const uint8_t want[16] = {
	    DSM_RECALL, 0x5a, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06,
	    0x07,	0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e};
	assert_memory_equal(buf, want, sizeof(want));
}

static void test_round_trip(void **state)
{
	(void)state;
	static uint8_t page[DSM_PAGE];
	for (size_t i = 0; i < sizeof(page); i++)
		page[i] = (uint8_t)(i * 7);
	struct dsm_msg in = {DSM_GRANT, 3, 2, 77, 0xffffffffc0000ull, page};
	size_t len = put(&in);
	struct dsm_msg out;
	assert_int_equal(dsm_wire_decode(2, buf, len, &out), 0);
	assert_int_equal(out.type, DSM_GRANT);
	assert_int_equal(out.flags, 3);
	assert_int_equal(out.from, 2);
	assert_int_equal(out.version, 77);
	assert_int_equal(out.page, 0xffffffffc0000ull);
	assert_ptr_equal(out.data, buf + DSM_WIRE_HLEN);
	assert_memory_equal(out.data, page, DSM_PAGE);

	in.data = NULL;
	len = put(&in);
	assert_int_equal(dsm_wire_decode(2, buf, len, &out), 0);
	assert_null(out.data);
}

static void test_malformed(void **state)
{
	(void)state;
	struct dsm_msg in = {DSM_READ_REQ, 0, 1, 0, 42, NULL};
	size_t len = put(&in);
	struct dsm_msg out;
	/* shorter than the header */
	assert_int_equal(dsm_wire_decode(1, buf, 0, &out), -EBADMSG);
	assert_int_equal(dsm_wire_decode(1, buf, len - 1, &out), -EBADMSG);
	/* a body that is not exactly one page */
	assert_int_equal(dsm_wire_decode(1, buf, len + 1, &out), -EBADMSG);
	assert_int_equal(dsm_wire_decode(1, buf, len + DSM_PAGE - 1, &out),
			 -EBADMSG);
	assert_int_equal(dsm_wire_decode(1, buf, len + DSM_PAGE + 1, &out),
			 -EBADMSG);
	/* another sender than the transport's */
	assert_int_equal(dsm_wire_decode(0, buf, len, &out), -EPROTO);
	assert_int_equal(dsm_wire_decode(257, buf, len, &out), -EPROTO);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_bytes),
	    cmocka_unit_test(test_round_trip),
	    cmocka_unit_test(test_malformed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
