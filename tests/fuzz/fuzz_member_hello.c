/*
 * tests/fuzz/fuzz_member_hello.c — HELLO datagrams as the network could
 * deliver them (net/member_msg.c). Input: a mode byte, then the datagram;
 * mode bit 0 set: the frame's source is the HELLO's own mac field (so the
 * fuzzer reaches the checks behind it), else a fixed address. Beyond not
 * crashing and refusing with one of its three errors, what is accepted
 * must be safe to count into the view and to gossip: the right length,
 * the sender's MAC, flags 0 or 1, at least one CPU, util in permille; and
 * re-encoding it gives the same bytes.
 */
#include <assert.h>
#include <stdint.h>
#include <string.h>

#include "kernel/errno.h"
#include "net/member_wire.h"

static const uint8_t fixed_mac[6] = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	const uint8_t *msg = data + 1;
	size_t len = size - 1;
	const uint8_t *src = fixed_mac;
	if ((data[0] & 1) && len >= 10)
		src = msg + 4; /* the mac field, wherever it ends up */
	struct member_hello h;
	int rc = member_hello_decode(msg, len, src, &h);
	if (rc) {
		assert(rc == -EBADMSG || rc == -EPROTO || rc == -EINVAL);
		return 0;
	}
	assert(len == MEMBER_HELLO_LEN);
	assert(!memcmp(h.mac, src, 6));
	assert(h.cpus >= 1 && h.load.util <= MEMBER_UTIL_MAX);
	struct member_hello_wire w;
	member_hello_encode(&h, &w);
	assert(!memcmp(&w, msg, sizeof(w)));
	return 0;
}
