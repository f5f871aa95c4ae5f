/*
 * tests/fuzz/fuzz_unumctl_reply.c — unumctl's reading of what arrives on
 * the bridge (tools/unumctl_reply.c: unumctl_accept, unumctl_print_status),
 * fed arbitrary bytes. Byte 0 chooses: even, the rest is a whole Ethernet
 * frame (almost always refused by the MAC check); odd, the rest is a
 * control payload sealed into an authentic frame from node 1 with the
 * fuzzer's key, so the reply decoder itself is reached. The expected
 * request id and operation come from the payload's own header, so matching
 * replies get printed (to /dev/null).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "net/cnet.h"
#include "net/cnet_wire.h"
#include "tools/unumctl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct cnet_frame_params host;
static FILE *null_out;

static void init(void)
{
	host = (struct cnet_frame_params){.cluster_id = 1,
					  .self = CNET_NODE_NONE,
					  .max_nodes = CNET_MAX_NODES,
					  .mtu = 9000,
					  .max_msg = 1 << 20};
	cnet_key_derive(&host.key, "fuzz", 4);
	null_out = fopen("/dev/null", "w");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t frame[CNET_FRAME_OVERHEAD + 9000];
	struct ctl_reply r;
	uint32_t req_id = 0;
	uint8_t op = 0;
	const uint8_t *frm = frame;
	size_t len;

	if (!null_out)
		init();
	if (size < 1)
		return 0;
	if (size >= 1 + 12) {
		op = data[1 + 5];
		req_id = (uint32_t)data[1 + 8] << 24 |
			 (uint32_t)data[1 + 9] << 16 |
			 (uint32_t)data[1 + 10] << 8 | data[1 + 11];
	}
	if (!(data[0] & 1)) {
		frm = data + 1;
		len = size - 1;
	} else {
		struct cnet_frame_params node = host;
		node.self = 1;
		struct cnet_frame_info fi = {.flags = CNET_F_DGRAM,
					     .service = CNET_SVC_SCHED_CTL,
					     .src_epoch = 7,
					     .src_node = 1,
					     .dst_node = CNET_NODE_NONE,
					     .frag_count = 1,
					     .msg_len = (uint32_t)(size - 1)};
		int n = cnet_frame_encode(&node, &fi, data + 1, size - 1, frame,
					  sizeof(frame));
		if (n < 0)
			return 0;
		len = (size_t)n;
	}
	if (!unumctl_accept(&host, frm, len, req_id, op, &r) &&
	    r.op == CTL_OP_STATUS)
		unumctl_print_status(null_out, &r, 1);
	return 0;
}
