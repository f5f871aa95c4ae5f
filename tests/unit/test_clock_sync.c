/*
 * tests/unit/test_clock_sync.c — the cluster clock's pure parts
 * (net/clock_sync.c): the ping/pong codec (exact bytes, round trip, every
 * refusal with its errno) and the offset estimator: the best round trip
 * of the window wins, a warm estimate is slewed at 1/CLOCK_SLEW_DIV and
 * never goes backwards, samples with a bad order, a long round trip, an
 * absurd offset or a jump from a warm estimate are refused, counted and
 * change nothing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "kernel/errno.h"
#include "net/clock_sync.h"

#define MS 1000000ull

static void test_wire_bytes(void **state)
{
	(void)state;
	struct clock_msg m = {CLOCK_PONG, 0x0102030405060708ull, 0x1112, 0x2122,
			      0x3132,	  2000000000ull};
	struct clock_msg_wire w;
	clock_msg_encode(&m, &w);
	const uint8_t *b = (const uint8_t *)&w;
	static const uint8_t head[] = {'U', 'N', 'C', '1', 0, 0, 0, 2,
				       1,   2,	 3,   4,   5, 6, 7, 8};
	assert_memory_equal(b, head, sizeof(head));
	assert_int_equal(b[22], 0x11);
	assert_int_equal(b[23], 0x12);
	struct clock_msg d;
	assert_int_equal(clock_msg_decode(&w, sizeof(w), &d), 0);
	assert_int_equal(d.kind, m.kind);
	assert_true(d.seq == m.seq && d.t_send == m.t_send &&
		    d.t_origin == m.t_origin &&
		    d.realtime_base == m.realtime_base && d.tsc_hz == m.tsc_hz);
}

static void test_refusals(void **state)
{
	(void)state;
	struct clock_msg m = {CLOCK_PING, 1, 5, 0, 0, 0}, d;
	struct clock_msg_wire w;
	clock_msg_encode(&m, &w);
	assert_int_equal(clock_msg_decode(&w, sizeof(w), &d), 0);
	assert_int_equal(clock_msg_decode(&w, sizeof(w) - 1, &d), -EBADMSG);
	assert_int_equal(clock_msg_decode(&w, 0, &d), -EBADMSG);
	struct clock_msg_wire x = w;
	x.magic ^= 1;
	assert_int_equal(clock_msg_decode(&x, sizeof(x), &d), -EPROTO);
	m.kind = 3;
	clock_msg_encode(&m, &w);
	assert_int_equal(clock_msg_decode(&w, sizeof(w), &d), -EINVAL);
	m.kind = CLOCK_PING;
	m.t_origin = 1; /* a ping carries no origin time */
	clock_msg_encode(&m, &w);
	assert_int_equal(clock_msg_decode(&w, sizeof(w), &d), -EINVAL);
	m.t_origin = 0;
	m.tsc_hz = 1;
	clock_msg_encode(&m, &w);
	assert_int_equal(clock_msg_decode(&w, sizeof(w), &d), -EINVAL);
	m = (struct clock_msg){CLOCK_PONG, 1, 5, 6, 7, CLOCK_HZ_MIN - 1};
	clock_msg_encode(&m, &w);
	assert_int_equal(clock_msg_decode(&w, sizeof(w), &d), -EINVAL);
	m.tsc_hz = CLOCK_HZ_MAX + 1;
	clock_msg_encode(&m, &w);
	assert_int_equal(clock_msg_decode(&w, sizeof(w), &d), -EINVAL);
	m.tsc_hz = CLOCK_HZ_MAX;
	m.t_send = CLOCK_TIME_MAX + 1;
	clock_msg_encode(&m, &w);
	assert_int_equal(clock_msg_decode(&w, sizeof(w), &d), -EINVAL);
}

/* Feeds a sample whose true offset is `off`, sent at local `at` with a
 * round trip rtt, the origin stamping it `skew` ns after the midpoint. */
static int feed(struct clock_est *e, uint64_t at, uint64_t rtt, int64_t off,
		int64_t skew)
{
	uint64_t mid = at + rtt / 2;
	return clock_est_sample(e, at, (uint64_t)((int64_t)mid + off + skew),
				at + rtt, at + rtt);
}

static void test_best_round_trip(void **state)
{
	(void)state;
	struct clock_est e;
	clock_est_init(&e);
	uint64_t t = 1000 * MS;
	/* slow samples are skewed (asymmetric delay), the fast one is not */
	assert_int_equal(feed(&e, t, 4 * MS, 500000, 900000), 0);
	assert_int_equal(e.target, 1400000);
	assert_int_equal(e.err, 2 * MS);
	assert_int_equal(feed(&e, t + MS * 10, 200000, 500000, 0), 0);
	assert_int_equal(e.target, 500000);
	assert_int_equal(e.err, 100000);
	for (int i = 0; i < CLOCK_WINDOW - 2; i++)
		assert_int_equal(
		    feed(&e, t + MS * (20 + i), 3 * MS, 500000, -1000000), 0);
	assert_true(clock_est_warm(&e));
	/* while forming it steps: the applied offset is the best at once */
	assert_int_equal(clock_est_offset(&e, t + 30 * MS), 500000);
	assert_int_equal(e.taken, CLOCK_WINDOW);
	assert_int_equal(e.refused, 0);
}

static void test_slew(void **state)
{
	(void)state;
	struct clock_est e;
	clock_est_init(&e);
	uint64_t t = 1000 * MS;
	for (int i = 0; i < CLOCK_WINDOW; i++)
		assert_int_equal(feed(&e, t + i * MS, 200000, 0, 0), 0);
	assert_int_equal(clock_est_offset(&e, t + 100 * MS), 0);
	/* a new best, 5 ms behind: slewed at 1/CLOCK_SLEW_DIV, never a step
	 * back */
	uint64_t at = t + 100 * MS;
	assert_int_equal(feed(&e, at, 100000, -5 * (int64_t)MS, 0), 0);
	assert_int_equal(e.target, -5 * (int64_t)MS);
	uint64_t now = at + 100000;
	assert_int_equal(clock_est_offset(&e, now), 0);
	assert_int_equal(clock_est_offset(&e, now + 1000 * MS),
			 -1 * (int64_t)MS);
	assert_int_equal(clock_est_offset(&e, now + 5000 * MS),
			 -5 * (int64_t)MS);
	assert_int_equal(clock_est_offset(&e, now + 9000 * MS),
			 -5 * (int64_t)MS);
	/* the cluster clock (local + offset) never decreases */
	uint64_t prev = 0;
	for (uint64_t l = now; l < now + 6000 * MS; l += 777777) {
		uint64_t c = (uint64_t)((int64_t)l + clock_est_offset(&e, l));
		assert_true(c >= prev);
		prev = c;
	}
	/* a better sample ahead mid-slew: continuous from where it was */
	uint64_t mid = now + 2000 * MS;
	int64_t before = clock_est_offset(&e, mid);
	assert_int_equal(
	    clock_est_sample(&e, mid - 50000,
			     (uint64_t)((int64_t)mid - 25000 + 1000000), mid,
			     mid),
	    0);
	assert_int_equal(clock_est_offset(&e, mid), before);
	assert_int_equal(e.target, 1000000);
	assert_int_equal(clock_est_offset(&e, mid + 1000 * MS),
			 before + (int64_t)MS);
}

static void test_refused(void **state)
{
	(void)state;
	struct clock_est e;
	clock_est_init(&e);
	uint64_t t = 1000 * MS;
	/* received before it was sent */
	assert_int_equal(clock_est_sample(&e, t, t, t - 1, t), -EINVAL);
	/* a round trip over CLOCK_MAX_RTT_NS */
	assert_int_equal(feed(&e, t, CLOCK_MAX_RTT_NS + 2, 0, 0), -EINVAL);
	/* an absurd offset */
	assert_int_equal(
	    feed(&e, 4000000 * MS, MS, -(int64_t)CLOCK_MAX_OFFSET_NS - 1, 0),
	    -EINVAL);
	assert_int_equal(e.refused, 3);
	assert_int_equal(e.taken, 0);
	for (int i = 0; i < CLOCK_WINDOW; i++)
		assert_int_equal(feed(&e, t + i * MS, 200000, 7000, 0), 0);
	/* warm: a sample far from the estimate beyond both bounds */
	int64_t far = 7000 + (int64_t)(CLOCK_MAX_SHIFT_NS + 100000 + 100000);
	assert_int_equal(feed(&e, t + 50 * MS, 10000, far + 10, 0), -EINVAL);
	assert_int_equal(e.refused, 4);
	assert_int_equal(e.target, 7000);
	assert_int_equal(clock_est_offset(&e, t + 60 * MS), 7000);
	/* within the shift: taken */
	assert_int_equal(feed(&e, t + 70 * MS, 10000, 7000 + 1000000, 0), 0);
	assert_int_equal(e.target, 7000 + 1000000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_wire_bytes),
	    cmocka_unit_test(test_refusals),
	    cmocka_unit_test(test_best_round_trip),
	    cmocka_unit_test(test_slew),
	    cmocka_unit_test(test_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
