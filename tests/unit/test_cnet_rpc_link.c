/*
 * tests/unit/test_cnet_rpc_link.c — RPCs in both directions between two
 * nodes over the reliability layer on a simulated link that loses,
 * duplicates and reorders frames (tests/unit/cnet_harness.c), with the
 * glue a kernel would have: messages of the RPC service fed to
 * cnet_rpc_input, replies deferred while the send buffer is full.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "net/cnet_rpc.h"
#include "tests/unit/cnet_harness.h"
#include "tests/unit/test_cnet_rpc.h"

#define MS 1000000ull

/* ---- RPC over cnet_rel on a lossy simulated link ------------------------ */

#define NCALLS 400

static struct harness H;
static struct cnet_rpc R[2];
static struct cnet_rpc_call RC[2][16];
static uint8_t replies[2][16][16384];
static unsigned started[2], finished[2];

static int rel_send(void *ctx, int peer, uint16_t service,
		    const struct cnet_iov *iov, int iovcnt)
{
	struct hnode *n = ctx;

	return cnet_rel_sendv(&n->rel, peer, service, iov, iovcnt, H.now);
}

/* Replies the server could not send yet (its send buffer was full). */
struct pending {
	bool used;
	int peer;
	uint32_t id;
	size_t len;
	uint8_t data[16384];
};
static struct pending pend[2][16];
static unsigned deferred;

static int try_reply(int node, struct pending *p)
{
	int rc =
	    cnet_rpc_reply(&R[node], p->peer, 42, p->id, 0, p->data, p->len);

	if (rc != -EAGAIN) {
		assert_int_equal(rc, 0);
		p->used = false;
	}
	return rc;
}

/* The server answers at once — the arguments, each byte plus one — or as
 * soon as its send buffer has room. */
static int rel_serve(void *ctx, int peer, uint16_t service, uint32_t id,
		     const void *args, size_t len)
{
	struct hnode *n = ctx;
	struct pending *p = NULL;

	assert_int_equal(service, 42);
	for (int i = 0; i < 16 && !p; i++)
		if (!pend[n->id][i].used)
			p = &pend[n->id][i];
	assert_non_null(p); /* at most 16 calls outstanding per client */
	p->used = true;
	p->peer = peer;
	p->id = id;
	p->len = len;
	for (size_t i = 0; i < len; i++)
		p->data[i] = (uint8_t)(((const uint8_t *)args)[i] + 1);
	if (try_reply(n->id, p) == -EAGAIN)
		deferred++;
	return 0;
}

static const struct cnet_rpc_ops rel_rpc_ops = {.send = rel_send,
						.serve = rel_serve};

static size_t arg_len(int node, unsigned i)
{
	return (size_t)((node * 7919u + i * 104729u) % 16384);
}

static void rel_done(void *arg, uint32_t id, int status, size_t len)
{
	uintptr_t v = (uintptr_t)arg;
	int node = (int)(v >> 16);
	unsigned i = (unsigned)(v & 0xffff);
	uint8_t *rep = replies[node][id & 15];

	assert_int_equal(status, 0);
	assert_int_equal(len, arg_len(node, i));
	for (size_t k = 0; k < len; k++)
		assert_int_equal(rep[k], (uint8_t)(i + k + 1));
	finished[node]++;
}

static void rel_deliver(struct harness *h, int node, int peer, uint16_t service,
			const void *msg, size_t len)
{
	(void)h;
	assert_int_equal(service, 42);
	assert_int_equal(cnet_rpc_input(&R[node], peer, service, msg, len), 0);
}

static void rel_step(struct harness *h)
{
	static uint8_t args[16384];

	for (int n = 0; n < 2; n++) {
		for (int i = 0; i < 16; i++)
			if (pend[n][i].used && try_reply(n, &pend[n][i]))
				break;
		while (started[n] < NCALLS) {
			unsigned i = started[n];
			size_t len = arg_len(n, i);
			uint32_t slot;
			int rc;

			/* The slot the call will take is the free list's
			 * head: find it through a probe id afterwards. */
			for (size_t k = 0; k < len; k++)
				args[k] = (uint8_t)(i + k);
			if (list_empty(&R[n].free))
				break;
			slot = (uint32_t)(container_of(R[n].free.next,
						       struct cnet_rpc_call,
						       link) -
					  RC[n]);
			rc = cnet_rpc_call(
			    &R[n], 1 - n, 42, args, len, replies[n][slot],
			    16384, 30000 * MS, h->now, rel_done,
			    (void *)(uintptr_t)((n << 16) | i), NULL);
			if (rc == -EAGAIN)
				break;
			assert_int_equal(rc, 0);
			started[n]++;
		}
		cnet_rpc_poll(&R[n], h->now);
	}
}

static bool rel_all_done(struct harness *h)
{
	(void)h;
	return finished[0] == NCALLS && finished[1] == NCALLS;
}

void test_rpc_over_lossy_link(void **state)
{
	(void)state;
	h_setup(&H, 2, 1500);
	for (int i = 0; i < 2; i++) {
		h_start(&H, i, 0x1234 + (uint32_t)i);
		assert_int_equal(
		    cnet_rpc_init(&R[i], RC[i], 16, &rel_rpc_ops, &H.node[i]),
		    0);
	}
	h_sim_start(&H, 7, 100, 20, 10);
	H.on_deliver = rel_deliver;
	assert_true(
	    h_sim_run(&H, rel_all_done, rel_step, H.now + 3600000 * MS));
	assert_int_equal(R[0].st.timeouts + R[1].st.timeouts, 0);
	assert_int_equal(R[0].st.replies, NCALLS);
	assert_int_equal(R[1].st.served, NCALLS);
	assert_true(H.tx_lost > 0);
	assert_true(deferred > 0);
	h_teardown(&H);
}
