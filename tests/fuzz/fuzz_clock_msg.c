/*
 * tests/fuzz/fuzz_clock_msg.c — clock pings and pongs as the network could
 * deliver them (net/clock_sync.c), and the estimator fed with what the
 * codec accepts. Input: a sequence of 48-byte messages, each followed by
 * 8 bytes of local receive delay. Beyond not crashing and refusing with
 * one of its three errors, what is accepted re-encodes to the same bytes,
 * its times are below 2^63, and the estimator's cluster clock (local +
 * offset) never goes backwards whatever it is fed.
 */
#include <assert.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "kernel/errno.h"
#include "net/clock_sync.h"

/* The cluster clock at local time l. */
static uint64_t cluster(const struct clock_est *e, uint64_t l)
{
	return (uint64_t)((int64_t)l + clock_est_offset(e, l));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct clock_est e;
	clock_est_init(&e);
	/* above the largest offset refused as absurd: never below 0 */
	uint64_t local = 4000000000000ull, prev = 0;
	while (size > 0) {
		uint8_t buf[CLOCK_MSG_LEN];
		size_t len = size < CLOCK_MSG_LEN ? size : CLOCK_MSG_LEN;
		memcpy(buf, data, len);
		data += len;
		size -= len;
		uint64_t delay = 0;
		if (size >= 8) {
			memcpy(&delay, data, 8);
			data += 8;
			size -= 8;
		}
		struct clock_msg m;
		int rc = clock_msg_decode(buf, len, &m);
		if (rc) {
			assert(rc == -EBADMSG || rc == -EPROTO ||
			       rc == -EINVAL);
			continue;
		}
		assert(len == CLOCK_MSG_LEN && m.t_send <= CLOCK_TIME_MAX &&
		       m.t_origin <= CLOCK_TIME_MAX);
		struct clock_msg_wire w;
		clock_msg_encode(&m, &w);
		assert(!memcmp(&w, buf, sizeof(w)));
		local += delay % 100000000000ull;
		bool warm = clock_est_warm(&e);
		if (warm) {
			assert(cluster(&e, local) >= prev);
			prev = cluster(&e, local);
		}
		uint64_t sent = local - m.t_send % 100000000ull;
		uint64_t taken = e.taken, refused = e.refused;
		rc = clock_est_sample(&e, sent, m.t_origin, local, local);
		assert(rc == 0 || rc == -EINVAL);
		assert(rc ? e.refused == refused + 1 && e.taken == taken
			  : e.taken == taken + 1 && e.refused == refused);
		if (warm) /* a warm estimate moves on without a jump back */
			assert(cluster(&e, local) >= prev);
		if (clock_est_warm(&e))
			prev = cluster(&e, local);
	}
	return 0;
}
