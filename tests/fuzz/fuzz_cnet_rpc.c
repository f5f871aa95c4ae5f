/*
 * tests/fuzz/fuzz_cnet_rpc.c — the RPC matching layer (net/cnet_rpc.c) fed
 * messages as a peer could send them, between calls of its own, cancels,
 * time-outs and a peer going down, all chosen by the input. Beyond not
 * crashing: every call finishes exactly once (done) or is cancelled, a
 * reply never writes past its caller's buffer, and a matched reply's
 * status is 0 or a negative errno in range.
 *
 * Input: a sequence of records, each [op][peer][len][len bytes]: op 0..3
 * deliver the bytes as a message from peer, 4 starts a call to peer with
 * a reply buffer of len bytes, 5 cancels the oldest call, 6 lets time pass
 * (len ms), 7 takes peer down.
 */
#include <assert.h>
#include <stdint.h>
#include <string.h>

#include "kernel/errno.h"
#include "net/cnet_rpc.h"

#define SLOTS	8
#define CAP_MAX 64

static struct {
	bool live;
	uint32_t id;
	size_t cap;
	uint8_t buf[CAP_MAX + 8]; /* 8 guard bytes */
} calls[SLOTS];

static int send_ok(void *ctx, int peer, uint16_t service,
		   const struct cnet_iov *iov, int iovcnt)
{
	(void)ctx, (void)peer, (void)service, (void)iov, (void)iovcnt;
	return 0;
}

static int serve(void *ctx, int peer, uint16_t service, uint32_t call_id,
		 const void *args, size_t len)
{
	(void)ctx, (void)peer, (void)service, (void)call_id, (void)args;
	return len & 1 ? -ENOENT : 0;
}

static const struct cnet_rpc_ops ops = {send_ok, serve};

static void done(void *arg, uint32_t call_id, int status, size_t reply_len)
{
	int k = (int)(intptr_t)arg;
	assert(calls[k].live && calls[k].id == call_id);
	assert(status <= 0 && status >= -CNET_RPC_MAX_ERRNO);
	assert(status != 0 || reply_len <= calls[k].cap);
	for (int i = 0; i < 8; i++)
		assert(calls[k].buf[calls[k].cap + (size_t)i] ==
		       0xee); /* guard */
	(void)reply_len;
	calls[k].live = false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct cnet_rpc_call storage[SLOTS];
	struct cnet_rpc rpc;
	uint64_t now = 1000;
	memset(calls, 0, sizeof(calls));
	assert(cnet_rpc_init(&rpc, storage, SLOTS, &ops, NULL) == 0);
	size_t i = 0;
	while (i + 3 <= size) {
		uint8_t op = data[i] & 7, peer = data[i + 1] & 3,
			len = data[i + 2];
		i += 3;
		if (op <= 3) {
			size_t n = len <= size - i ? len : size - i;
			cnet_rpc_input(&rpc, peer, 5, data + i, n);
			i += n;
		} else if (op == 4) {
			int k = 0;
			while (k < SLOTS && calls[k].live)
				k++;
			if (k == SLOTS)
				continue;
			calls[k].cap = len % (CAP_MAX + 1);
			memset(calls[k].buf, 0xee, sizeof(calls[k].buf));
			calls[k].live = true;
			uint32_t id;
			if (cnet_rpc_call(&rpc, peer, 5, "x", 1, calls[k].buf,
					  calls[k].cap, 1000000, now, done,
					  (void *)(intptr_t)k, &id))
				calls[k].live = false;
			else
				calls[k].id = id;
		} else if (op == 5) {
			for (int k = 0; k < SLOTS; k++)
				if (calls[k].live) {
					assert(cnet_rpc_cancel(
						   &rpc, calls[k].id) == 0);
					calls[k].live = false;
					break;
				}
		} else if (op == 6) {
			now += (uint64_t)len * 1000000;
			cnet_rpc_poll(&rpc, now);
		} else {
			cnet_rpc_peer_down(&rpc, peer, -ECONNRESET);
		}
	}
	/* whatever is left ends now, once */
	for (int p = 0; p < 4; p++)
		cnet_rpc_peer_down(&rpc, p, -ECONNRESET);
	for (int k = 0; k < SLOTS; k++)
		assert(!calls[k].live);
	return 0;
}
