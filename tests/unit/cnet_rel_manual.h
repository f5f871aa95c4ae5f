/*
 * tests/unit/cnet_rel_manual.h — shared by the frame-by-frame tests of the
 * reliability layer (test_cnet_rel.c, test_cnet_rel_peers.c): each file
 * gets its own harness H (manual link mode) and these helpers over it.
 */
#ifndef TESTS_UNIT_CNET_REL_MANUAL_H
#define TESTS_UNIT_CNET_REL_MANUAL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/cnet_harness.h"

#define US 1000ull
#define MS 1000000ull
#define EA 0xA1A1A1A1u
#define EB 0xB1B1B1B1u

static struct harness H;

static inline struct hframe *take(void)
{
	struct hframe *f = h_take(&H);

	assert_non_null(f);
	return f;
}

/* The next frame sent must be of this kind from `from`; returns it. */
static inline struct hframe *expect(int from, uint8_t flags)
{
	struct hframe *f = take();
	struct cnet_frame_info fi = h_info(f);

	assert_int_equal(f->from, from);
	assert_int_equal(fi.flags, flags);
	return f;
}

static inline struct hframe *copy(const struct hframe *f)
{
	struct hframe *c = malloc(sizeof(*c) + f->len);

	memcpy(c, f, sizeof(*c) + f->len);
	c->next = NULL;
	return c;
}

static inline void start2(uint32_t mtu)
{
	h_setup(&H, 2, mtu);
	h_start(&H, 0, EA);
	h_start(&H, 1, EB);
}

/* Node 0 and 1 learn each other's epochs. */
static inline void connect01(void)
{
	assert_int_equal(cnet_rel_connect(&H.node[0].rel, 1, H.now), 0);
	assert_int_equal(h_pump(&H), 2); /* HELLO, HELLO back */
	assert_int_equal(h_stats(&H, 0, 1).epoch, EB);
	assert_int_equal(h_stats(&H, 1, 0).epoch, EA);
	h_clear_msgs(&H);
}

/* The same with the HELLO round trip taking rtt: the first RTT sample. */
static inline void connect_rtt(uint64_t rtt)
{
	assert_int_equal(cnet_rel_connect(&H.node[0].rel, 1, H.now), 0);
	H.now += rtt / 2;
	h_feed(&H, expect(0, CNET_F_HELLO));
	H.now += rtt - rtt / 2;
	h_feed(&H, expect(1, CNET_F_HELLO));
	assert_null(h_take(&H));
	h_clear_msgs(&H);
}

static inline int send(int from, int to, uint16_t svc, const void *m,
		       size_t len)
{
	return cnet_rel_send(&H.node[from].rel, to, svc, m, len, H.now);
}

static inline void teardown_h(void)
{
	h_teardown(&H);
}

static inline void fill(uint8_t *b, size_t n, unsigned salt)
{
	for (size_t i = 0; i < n; i++)
		b[i] = (uint8_t)(i * 31 + (i >> 9) + salt);
}

#endif
