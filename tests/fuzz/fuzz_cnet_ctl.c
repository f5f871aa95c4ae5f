/*
 * tests/fuzz/fuzz_cnet_ctl.c — control-service messages as a peer could
 * send them (net/cnet_ctl_msg.c). Beyond not crashing and refusing with
 * one of its three errors, what is accepted must be what its bytes say:
 * a known kind, an EXIT with nothing after its header, a CONSOLE whose
 * text is exactly the rest of the message, and re-encoding the decoded
 * header gives the same bytes.
 */
#include <assert.h>
#include <stdint.h>
#include <string.h>

#include "kernel/errno.h"
#include "net/cnet_ctl_wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cnet_ctl_msg m;
	int rc = cnet_ctl_decode(data, size, &m);
	if (rc) {
		assert(rc == -EBADMSG || rc == -EPROTO || rc == -EINVAL);
		return 0;
	}
	assert(size >= CNET_CTL_HLEN);
	assert(m.text_len == size - CNET_CTL_HLEN);
	if (m.kind == CNET_CTL_EXIT) {
		assert(size == CNET_CTL_HLEN && !m.text);
	} else {
		assert(m.kind == CNET_CTL_CONSOLE && m.status == 0);
		assert(m.text == (const char *)data + CNET_CTL_HLEN);
	}
	struct cnet_ctl_hdr h;
	cnet_ctl_encode(&h, m.kind, m.status, (uint32_t)m.text_len);
	assert(!memcmp(&h, data, sizeof(h)));
	return 0;
}
