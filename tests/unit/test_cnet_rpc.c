/*
 * tests/unit/test_cnet_rpc.c — the RPC matching layer (net/cnet_rpc.c):
 * the header's wire bytes, calls and replies, remote errors, timeouts and
 * late replies, reply overflow, a full table, slot reuse with new ids,
 * cancel, peer failure, malformed messages, callbacks that start calls,
 * calls to ourselves. RPCs over the reliability layer on a lossy link:
 * test_cnet_rpc_link.c.
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
#include "tests/unit/test_cnet_rpc.h"

#define MS 1000000ull

/* ---- two RPC endpoints joined by a message FIFO -------------------------- */

struct msg {
	struct msg *next;
	int from, to;
	uint16_t service;
	size_t len;
	uint8_t data[];
};

struct ep {
	int id;
	struct cnet_rpc rpc;
	struct cnet_rpc_call calls[8];
	/* serve: what arrived, what to return */
	int serve_rc;
	unsigned served;
	uint32_t last_id;
	int last_peer;
	uint16_t last_service;
	char last_args[64];
	size_t last_len;
	bool loopback; /* send to ourselves is fed straight back */
};

static struct ep E[2];
static struct msg *head, **tail = &head;
static int send_rc;

struct done_rec {
	unsigned n;
	uint32_t id;
	int status;
	size_t len;
};

static int ep_send(void *ctx, int peer, uint16_t service,
		   const struct cnet_iov *iov, int iovcnt)
{
	struct ep *e = ctx;
	size_t len = 0, off = 0;
	struct msg *m;

	if (send_rc)
		return send_rc;
	for (int i = 0; i < iovcnt; i++)
		len += iov[i].len;
	m = malloc(sizeof(*m) + len);
	m->next = NULL;
	m->from = e->id;
	m->to = peer;
	m->service = service;
	m->len = len;
	for (int i = 0; i < iovcnt; i++) {
		if (iov[i].len)
			memcpy(m->data + off, iov[i].base, iov[i].len);
		off += iov[i].len;
	}
	if (e->loopback && peer == e->id) {
		cnet_rpc_input(&e->rpc, e->id, service, m->data, len);
		free(m);
		return 0;
	}
	*tail = m;
	tail = &m->next;
	return 0;
}

static int ep_serve(void *ctx, int peer, uint16_t service, uint32_t id,
		    const void *args, size_t len)
{
	struct ep *e = ctx;

	e->served++;
	e->last_id = id;
	e->last_peer = peer;
	e->last_service = service;
	e->last_len = len;
	memcpy(e->last_args, args, len < 64 ? len : 64);
	if (e->loopback && !e->serve_rc)
		cnet_rpc_reply(&e->rpc, peer, service, id, 0, "self", 4);
	return e->serve_rc;
}

static const struct cnet_rpc_ops ep_ops = {.send = ep_send, .serve = ep_serve};

static struct msg *pop(void)
{
	struct msg *m = head;

	assert_non_null(m);
	head = m->next;
	if (!head)
		tail = &head;
	return m;
}

/* Delivers the next message; returns cnet_rpc_input's result. */
static int pass(void)
{
	struct msg *m = pop();
	int rc =
	    cnet_rpc_input(&E[m->to].rpc, m->from, m->service, m->data, m->len);

	free(m);
	return rc;
}

static void on_done(void *arg, uint32_t id, int status, size_t len)
{
	struct done_rec *d = arg;

	d->n++;
	d->id = id;
	d->status = status;
	d->len = len;
}

static int setup(void **state)
{
	(void)state;
	memset(E, 0, sizeof(E));
	for (int i = 0; i < 2; i++) {
		E[i].id = i;
		assert_int_equal(
		    cnet_rpc_init(&E[i].rpc, E[i].calls, 8, &ep_ops, &E[i]), 0);
	}
	send_rc = 0;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	while (head)
		free(pop());
	return 0;
}

static int call(int from, int to, uint16_t svc, const char *args, void *reply,
		size_t cap, uint64_t timeout, uint64_t now, struct done_rec *d,
		uint32_t *id)
{
	return cnet_rpc_call(&E[from].rpc, to, svc, args, strlen(args), reply,
			     cap, timeout, now, on_done, d, id);
}

static void test_call_reply_wire(void **state)
{
	static const uint8_t want_call[] = {1, 0, 0, 0, 0,   0,	  0x10, 0,
					    0, 0, 0, 0, 'a', 'b', 'c'};
	static const uint8_t want_reply[] = {
	    2, 0, 0, 0, 0, 0, 0x10, 0, 0xff, 0xff, 0xff, 0xfe, 'n', 'o'};
	struct done_rec d = {0};
	char reply[16];
	uint32_t id;
	struct msg *m;

	(void)state;
	assert_int_equal(
	    call(0, 1, 5, "abc", reply, sizeof(reply), 0, 0, &d, &id), 0);
	assert_int_equal(id, 0x1000); /* generation 1, slot 0 */
	m = head;
	assert_int_equal(m->to, 1);
	assert_int_equal(m->service, 5);
	assert_int_equal(m->len, sizeof(want_call));
	assert_memory_equal(m->data, want_call, sizeof(want_call));
	assert_int_equal(pass(), 0);
	assert_int_equal(E[1].served, 1);
	assert_int_equal(E[1].last_id, id);
	assert_int_equal(E[1].last_peer, 0);
	assert_int_equal(E[1].last_service, 5);
	assert_int_equal(E[1].last_len, 3);
	assert_memory_equal(E[1].last_args, "abc", 3);
	assert_null(head); /* serve returned 0: the reply comes later */
	assert_int_equal(cnet_rpc_reply(&E[1].rpc, 0, 5, id, 0, "result", 6),
			 0);
	assert_int_equal(pass(), 0);
	assert_int_equal(d.n, 1);
	assert_int_equal(d.id, id);
	assert_int_equal(d.status, 0);
	assert_int_equal(d.len, 6);
	assert_memory_equal(reply, "result", 6);
	assert_int_equal(E[0].rpc.st.calls, 1);
	assert_int_equal(E[0].rpc.st.replies, 1);
	assert_int_equal(E[1].rpc.st.served, 1);
	assert_true(cnet_rpc_poll(&E[0].rpc, 0) == CNET_NEVER);

	/* A remote error with data, as bytes. */
	assert_int_equal(
	    call(0, 1, 5, "abc", reply, sizeof(reply), 0, 0, &d, &id), 0);
	assert_int_equal(id, 0x2001); /* the freed slot 0 waits its turn */
	pass();
	assert_int_equal(cnet_rpc_reply(&E[1].rpc, 0, 5, 0x1000, -2, "no", 2),
			 0);
	assert_memory_equal(head->data, want_reply, sizeof(want_reply));
	assert_int_equal(pass(), -ENOENT); /* 0x1000 is finished */
	assert_int_equal(E[0].rpc.st.stale_replies, 1);
	assert_int_equal(cnet_rpc_reply(&E[1].rpc, 0, 5, id, -EPERM, NULL, 0),
			 0);
	assert_int_equal(pass(), 0);
	assert_int_equal(d.n, 2);
	assert_int_equal(d.status, -EPERM);
	assert_int_equal(d.len, 0);
	assert_int_equal(E[0].rpc.st.remote_errors, 1);
}

static void test_serve_error_now(void **state)
{
	struct done_rec d = {0};
	char reply[4];

	(void)state;
	E[1].serve_rc = -ENOENT; /* e.g. no such service */
	assert_int_equal(
	    call(0, 1, 9, "x", reply, sizeof(reply), 0, 0, &d, NULL), 0);
	assert_int_equal(pass(), 0);
	assert_int_equal(pass(), 0); /* the error reply */
	assert_int_equal(d.n, 1);
	assert_int_equal(d.status, -ENOENT);
	E[1].serve_rc = -99999; /* not an errno: answered as -EIO */
	assert_int_equal(
	    call(0, 1, 9, "x", reply, sizeof(reply), 0, 0, &d, NULL), 0);
	pass();
	pass();
	assert_int_equal(d.status, -EIO);
}

static void test_timeout_and_late_reply(void **state)
{
	struct done_rec d = {0}, d2 = {0};
	char reply[4];
	uint32_t id, id2;

	(void)state;
	assert_int_equal(call(0, 1, 1, "t", reply, 4, 5 * MS, 100, &d, &id), 0);
	assert_int_equal(call(0, 1, 1, "u", reply, 4, 0, 100, &d2, &id2), 0);
	assert_true(cnet_rpc_poll(&E[0].rpc, 100) == 100 + 5 * MS);
	assert_true(cnet_rpc_poll(&E[0].rpc, 99 + 5 * MS) == 100 + 5 * MS);
	assert_int_equal(d.n, 0);
	assert_true(cnet_rpc_poll(&E[0].rpc, 100 + 5 * MS) == CNET_NEVER);
	assert_int_equal(d.n, 1);
	assert_int_equal(d.id, id);
	assert_int_equal(d.status, -ETIMEDOUT);
	assert_int_equal(E[0].rpc.st.timeouts, 1);
	pass();
	pass();
	cnet_rpc_reply(&E[1].rpc, 0, 1, id, 0, "ok", 2);
	assert_int_equal(pass(), -ENOENT);
	assert_int_equal(d.n, 1);
	assert_int_equal(d2.n, 0); /* no timeout: still waiting */
	/* A deadline beyond the clock's range means none. */
	assert_int_equal(
	    call(0, 1, 1, "v", reply, 4, UINT64_MAX - 5, 100, &d, NULL), 0);
	assert_true(cnet_rpc_poll(&E[0].rpc, 200) == CNET_NEVER);
}

static void test_overflow(void **state)
{
	struct done_rec d = {0};
	char reply[4] = "....";
	uint32_t id;

	(void)state;
	assert_int_equal(call(0, 1, 1, "q", reply, 4, 0, 0, &d, &id), 0);
	pass();
	cnet_rpc_reply(&E[1].rpc, 0, 1, id, 0, "toolong", 7);
	assert_int_equal(pass(), 0);
	assert_int_equal(d.status, -EOVERFLOW);
	assert_int_equal(d.len, 7);
	assert_memory_equal(reply, "....", 4);
	/* Exactly the capacity fits. */
	assert_int_equal(call(0, 1, 1, "q", reply, 4, 0, 0, &d, &id), 0);
	pass();
	cnet_rpc_reply(&E[1].rpc, 0, 1, id, 0, "four", 4);
	pass();
	assert_int_equal(d.status, 0);
	assert_memory_equal(reply, "four", 4);
}

static void test_table_full_and_ids(void **state)
{
	struct cnet_rpc_call two[2];
	struct done_rec d = {0};
	uint32_t ids[3];

	(void)state;
	assert_int_equal(cnet_rpc_init(&E[0].rpc, two, 2, &ep_ops, &E[0]), 0);
	assert_int_equal(call(0, 1, 1, "a", NULL, 0, 0, 0, &d, &ids[0]), 0);
	assert_int_equal(call(0, 1, 1, "b", NULL, 0, 0, 0, &d, &ids[1]), 0);
	assert_int_equal(call(0, 1, 1, "c", NULL, 0, 0, 0, &d, &ids[2]),
			 -EAGAIN);
	assert_int_equal(ids[0], 0x1000);
	assert_int_equal(ids[1], 0x2001);
	pass();
	pass();
	cnet_rpc_reply(&E[1].rpc, 0, 1, ids[0], 0, NULL, 0);
	pass();
	assert_int_equal(d.n, 1);
	assert_int_equal(call(0, 1, 1, "c", NULL, 0, 0, 0, &d, &ids[2]), 0);
	assert_int_equal(ids[2], 0x3000); /* slot 0 again, new generation */
	pass();
	/* The old id's duplicate reply matches nothing. */
	cnet_rpc_reply(&E[1].rpc, 0, 1, ids[0], 0, NULL, 0);
	assert_int_equal(pass(), -ENOENT);
	/* Ids that name no slot of the table. */
	cnet_rpc_reply(&E[1].rpc, 0, 1, 0x1005, 0, NULL, 0);
	assert_int_equal(pass(), -ENOENT);
	cnet_rpc_reply(&E[1].rpc, 0, 1, 0, 0, NULL, 0);
	assert_int_equal(pass(), -ENOENT);
	assert_int_equal(E[0].rpc.st.stale_replies, 3);
}

static void test_send_failure(void **state)
{
	struct done_rec d = {0};
	uint32_t id = 77;

	(void)state;
	send_rc = -EAGAIN;
	assert_int_equal(call(0, 1, 1, "a", NULL, 0, 0, 0, &d, &id), -EAGAIN);
	send_rc = -EHOSTUNREACH;
	assert_int_equal(call(0, 1, 1, "a", NULL, 0, 0, 0, &d, &id),
			 -EHOSTUNREACH);
	send_rc = 0;
	assert_int_equal(E[0].rpc.st.calls, 0);
	assert_true(cnet_rpc_poll(&E[0].rpc, 0) == CNET_NEVER);
	assert_int_equal(d.n, 0);
	/* All 8 slots are still free. */
	for (int i = 0; i < 8; i++)
		assert_int_equal(call(0, 1, 1, "a", NULL, 0, 0, 0, &d, NULL),
				 0);
	assert_int_equal(call(0, 1, 1, "a", NULL, 0, 0, 0, &d, NULL), -EAGAIN);
	assert_int_equal(cnet_rpc_call(&E[0].rpc, 1, 1, "", 0, NULL, 0, 0, 0,
				       NULL, NULL, NULL),
			 -EINVAL);
}

static void test_peer_down_and_cancel(void **state)
{
	struct done_rec d1 = {0}, d2 = {0}, d3 = {0};
	uint32_t id1, id2, id3;

	(void)state;
	assert_int_equal(call(0, 1, 1, "a", NULL, 0, 0, 0, &d1, &id1), 0);
	assert_int_equal(call(0, 2, 1, "b", NULL, 0, 0, 0, &d2, &id2), 0);
	assert_int_equal(call(0, 1, 1, "c", NULL, 0, 0, 0, &d3, &id3), 0);
	cnet_rpc_peer_down(&E[0].rpc, 1, -ECONNRESET);
	assert_int_equal(d1.n, 1);
	assert_int_equal(d1.status, -ECONNRESET);
	assert_int_equal(d3.n, 1);
	assert_int_equal(d3.status, -ECONNRESET);
	assert_int_equal(d2.n, 0);
	assert_int_equal(cnet_rpc_cancel(&E[0].rpc, id2), 0);
	assert_int_equal(cnet_rpc_cancel(&E[0].rpc, id2), -ENOENT);
	assert_int_equal(cnet_rpc_cancel(&E[0].rpc, id1), -ENOENT);
	assert_int_equal(d2.n, 0); /* cancel does not call done */
	/* Replies from the right id but the wrong peer or service. */
	assert_int_equal(call(0, 1, 1, "a", NULL, 0, 0, 0, &d1, &id1), 0);
	assert_int_equal(cnet_rpc_input(&E[0].rpc, 1, 2,
					"\x02\0\0\0\0\0\x40\x03\0\0\0\0", 12),
			 -ENOENT);
	assert_int_equal(cnet_rpc_input(&E[0].rpc, 2, 1,
					"\x02\0\0\0\0\0\x40\x03\0\0\0\0", 12),
			 -ENOENT);
	assert_int_equal(id1, 0x4003);
	assert_int_equal(cnet_rpc_input(&E[0].rpc, 1, 1,
					"\x02\0\0\0\0\0\x40\x03\0\0\0\0", 12),
			 0);
	assert_int_equal(d1.n, 2);
	assert_int_equal(d1.status, 0);
}

/* A raw RPC message (a string literal) into endpoint e from peer. */
#define IN(e, peer, lit)                                                       \
	cnet_rpc_input(&E[e].rpc, peer, 1, lit, sizeof(lit) - 1)

static void test_malformed(void **state)
{
	struct done_rec d = {0};
	uint32_t id;

	(void)state;
	assert_int_equal(IN(1, 0, ""), -EBADMSG);
	assert_int_equal(IN(1, 0, "\x01\0\0\0\0\0\0\x01\0\0\0"), -EBADMSG);
	assert_int_equal(IN(1, 0, "\x03\0\0\0\0\0\0\x01\0\0\0\0"), -EPROTO);
	assert_int_equal(IN(1, 0, "\x00\0\0\0\0\0\0\x01\0\0\0\0"), -EPROTO);
	assert_int_equal(IN(1, 0, "\x01\x01\0\0\0\0\0\x01\0\0\0\0"), -EPROTO);
	assert_int_equal(IN(1, 0, "\x01\0\0\x01\0\0\0\x01\0\0\0\0"), -EPROTO);
	/* A call with a status. */
	assert_int_equal(IN(1, 0, "\x01\0\0\0\0\0\0\x01\xff\xff\xff\xff"),
			 -EPROTO);
	assert_int_equal(E[1].rpc.st.bad_msgs, 7);
	assert_int_equal(E[1].served, 0);
	/* A reply with an impossible status (1, then -4096) finishes its
	 * call with -EPROTO. */
	assert_int_equal(call(0, 1, 1, "a", NULL, 0, 0, 0, &d, &id), 0);
	assert_int_equal(IN(0, 1, "\x02\0\0\0\0\0\x10\0\0\0\0\x01"), -EPROTO);
	assert_int_equal(d.status, -EPROTO);
	assert_int_equal(call(0, 1, 1, "a", NULL, 0, 0, 0, &d, &id), 0);
	assert_int_equal(id, 0x2001);
	assert_int_equal(IN(0, 1, "\x02\0\0\0\0\0\x20\x01\xff\xff\xf0\x00"),
			 -EPROTO);
	assert_int_equal(d.n, 2);
	assert_int_equal(d.status, -EPROTO);
	assert_int_equal(cnet_rpc_reply(&E[1].rpc, 0, 1, 5, 1, NULL, 0),
			 -EINVAL);
	assert_int_equal(cnet_rpc_reply(&E[1].rpc, 0, 1, 5, -4096, NULL, 0),
			 -EINVAL);
	assert_int_equal(cnet_rpc_reply(&E[1].rpc, 0, 1, 5, -4095, NULL, 0), 0);
}

static void test_init_errors(void **state)
{
	struct cnet_rpc r;
	struct cnet_rpc_call c[1];
	struct cnet_rpc_ops ops = ep_ops;

	(void)state;
	assert_int_equal(cnet_rpc_init(&r, c, 0, &ep_ops, NULL), -EINVAL);
	assert_int_equal(cnet_rpc_init(&r, NULL, 1, &ep_ops, NULL), -EINVAL);
	assert_int_equal(cnet_rpc_init(&r, c, 4097, &ep_ops, NULL), -EINVAL);
	assert_int_equal(cnet_rpc_init(&r, c, 1, NULL, NULL), -EINVAL);
	ops.serve = NULL;
	assert_int_equal(cnet_rpc_init(&r, c, 1, &ops, NULL), -EINVAL);
	ops = ep_ops;
	ops.send = NULL;
	assert_int_equal(cnet_rpc_init(&r, c, 1, &ops, NULL), -EINVAL);
	assert_int_equal(cnet_rpc_init(&r, c, 1, &ep_ops, NULL), 0);
}

/* done starts the next call in the slot it just freed. */
static struct done_rec chain_rec;
static void chain_done(void *arg, uint32_t id, int status, size_t len)
{
	(void)arg;
	on_done(&chain_rec, id, status, len);
	if (chain_rec.n < 3)
		assert_int_equal(cnet_rpc_call(&E[0].rpc, 1, 1, "n", 1, NULL, 0,
					       1 * MS, 10 * MS * chain_rec.n,
					       chain_done, NULL, NULL),
				 0);
}

static void test_done_reenters(void **state)
{
	(void)state;
	memset(&chain_rec, 0, sizeof(chain_rec));
	assert_int_equal(cnet_rpc_call(&E[0].rpc, 1, 1, "n", 1, NULL, 0, 1 * MS,
				       0, chain_done, NULL, NULL),
			 0);
	cnet_rpc_poll(&E[0].rpc, 1 * MS);
	assert_int_equal(chain_rec.n, 1);
	cnet_rpc_poll(&E[0].rpc, 11 * MS);
	assert_int_equal(chain_rec.n, 2);
	cnet_rpc_peer_down(&E[0].rpc, 1, -EHOSTUNREACH);
	assert_int_equal(chain_rec.n, 3);
	assert_int_equal(chain_rec.status, -EHOSTUNREACH);
	assert_true(cnet_rpc_poll(&E[0].rpc, 100 * MS) == CNET_NEVER);
}

static void test_self_call(void **state)
{
	struct done_rec d = {0};
	char reply[8];
	uint32_t id;

	(void)state;
	E[0].loopback = true;
	assert_int_equal(
	    call(0, 0, 3, "me", reply, sizeof(reply), 0, 0, &d, &id), 0);
	/* Answered before cnet_rpc_call returned. */
	assert_int_equal(d.n, 1);
	assert_int_equal(d.id, id);
	assert_int_equal(d.status, 0);
	assert_int_equal(d.len, 4);
	assert_memory_equal(reply, "self", 4);
	assert_null(head);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_call_reply_wire, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_serve_error_now, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_timeout_and_late_reply, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_overflow, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_table_full_and_ids, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_send_failure, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_peer_down_and_cancel, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_malformed, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_init_errors, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_done_reenters, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_self_call, setup, teardown),
	    cmocka_unit_test(test_rpc_over_lossy_link),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
