/*
 * tests/fuzz/fuzz_sched_ctl_req.c — the kernel's parser of live-control
 * requests from outside (sched/control_proto.c: ctl_req_decode and, for a
 * policy request, ctl_policy_parse), fed arbitrary bytes. A request that
 * decodes must encode back to the same bytes, and its policy text must
 * split into a name and key=value words that fit their buffers.
 */
#include <assert.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "sched/control_proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ctl_request rq;
	if (ctl_req_decode(data, size, &rq))
		return 0;
	uint8_t buf[sizeof(struct ctl_req) + CTL_ARG_MAX];
	int n = ctl_req_encode(&rq, buf, sizeof(buf));
	assert(n == (int)size && !memcmp(buf, data, size));
	if (rq.op == CTL_OP_POLICY_SET) {
		struct ctl_policy_args a;
		char why[128];
		if (!ctl_policy_parse(rq.arg, rq.arg_len, &a, why,
				      sizeof(why))) {
			assert(a.name[0] &&
			       strlen(a.name) <= CTL_POLICY_NAME_MAX);
			assert(a.nkeys >= 0 && a.nkeys <= CTL_KEYS_MAX);
			for (int i = 0; i < a.nkeys; i++)
				assert(a.key[i][0] && a.value[i][0]);
		} else {
			assert(why[0]);
		}
	}
	return 0;
}
