/*
 * tests/unit/test_cnet_rel.c — the reliability layer (net/cnet_rel*.c),
 * frame by frame: the handshake, fragmentation at MTU 9000 and 1500,
 * delayed, piggybacked and immediate acks, the sack bitmap, reordering and
 * duplicates, the RTT estimator's exact values, Karn's rule, exponential
 * backoff and its cap, fast retransmission, flow control and -EAGAIN, peer
 * reboots and stale frames, fencing, datagrams, sends to ourselves, every
 * error return, allocation failures and a hostile (authenticated) peer.
 * The randomised simulated-link runs are in test_cnet_rel_sim.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/cnet_harness.h"
#include "tests/unit/test_cnet_rel.h"

#define US 1000ull
#define MS 1000000ull
#define EA 0xA1A1A1A1u
#define EB 0xB1B1B1B1u

static struct harness H;

static struct hframe *take(void)
{
	struct hframe *f = h_take(&H);

	assert_non_null(f);
	return f;
}

/* The next frame sent must be of this kind from `from`; returns it. */
static struct hframe *expect(int from, uint8_t flags)
{
	struct hframe *f = take();
	struct cnet_frame_info fi = h_info(f);

	assert_int_equal(f->from, from);
	assert_int_equal(fi.flags, flags);
	return f;
}

static struct hframe *copy(const struct hframe *f)
{
	struct hframe *c = malloc(sizeof(*c) + f->len);

	memcpy(c, f, sizeof(*c) + f->len);
	c->next = NULL;
	return c;
}

static void start2(uint32_t mtu)
{
	h_setup(&H, 2, mtu);
	h_start(&H, 0, EA);
	h_start(&H, 1, EB);
}

/* Node 0 and 1 learn each other's epochs. */
static void connect01(void)
{
	assert_int_equal(cnet_rel_connect(&H.node[0].rel, 1, H.now), 0);
	assert_int_equal(h_pump(&H), 2); /* HELLO, HELLO back */
	assert_int_equal(h_stats(&H, 0, 1).epoch, EB);
	assert_int_equal(h_stats(&H, 1, 0).epoch, EA);
	h_clear_msgs(&H);
}

static int send(int from, int to, uint16_t svc, const void *m, size_t len)
{
	return cnet_rel_send(&H.node[from].rel, to, svc, m, len, H.now);
}

static void teardown_h(void)
{
	h_teardown(&H);
}

static void test_handshake_first_message(void **state)
{
	struct hframe *f;
	struct cnet_frame_info fi;
	struct cnet_peer_stats st;

	(void)state;
	start2(1500);
	assert_int_equal(send(0, 1, 7, "ping", 4), 0);
	f = expect(0, CNET_F_HELLO);
	fi = h_info(f);
	assert_int_equal(fi.src_epoch, EA);
	assert_int_equal(fi.dst_epoch, 0);
	assert_int_equal(fi.src_node, 0);
	assert_int_equal(fi.dst_node, 1);
	assert_int_equal(fi.window, 256 * 1024);
	assert_null(h_take(&H));
	assert_int_equal(h_feed(&H, f), 0);
	assert_int_equal(H.nevents, 1); /* B: UP */
	assert_int_equal(H.events[0].node, 1);
	assert_int_equal(H.events[0].ev.kind, CNET_PEER_UP);
	assert_int_equal(H.events[0].ev.epoch, EA);

	f = expect(1, CNET_F_HELLO); /* B answers: it knows A now */
	fi = h_info(f);
	assert_int_equal(fi.src_epoch, EB);
	assert_int_equal(fi.dst_epoch, EA);
	assert_int_equal(h_feed(&H, f), 0);
	assert_int_equal(H.nevents, 2); /* A: UP */
	assert_int_equal(H.events[1].node, 0);
	assert_int_equal(H.events[1].ev.epoch, EB);

	f = expect(0, CNET_F_DATA | CNET_F_ACK);
	fi = h_info(f);
	assert_int_equal(fi.seq, 1);
	assert_int_equal(fi.ack, 1);
	assert_int_equal(fi.service, 7);
	assert_int_equal(fi.frag_index, 0);
	assert_int_equal(fi.frag_count, 1);
	assert_int_equal(fi.msg_len, 4);
	assert_int_equal(fi.dst_epoch, EB);
	assert_null(h_take(&H));
	assert_int_equal(h_feed(&H, f), 0);
	assert_int_equal(H.nmsgs, 1);
	assert_int_equal(H.msgs[0].node, 1);
	assert_int_equal(H.msgs[0].peer, 0);
	assert_int_equal(H.msgs[0].service, 7);
	assert_int_equal(H.msgs[0].len, 4);
	assert_memory_equal(H.msgs[0].data, "ping", 4);

	/* B's ack waits for ack_delay (200 us), then goes alone. */
	assert_null(h_take(&H));
	assert_true(h_poll(&H, 1) == H.now + 200 * US);
	H.now += 200 * US;
	assert_true(h_poll(&H, 1) == CNET_NEVER);
	f = expect(1, CNET_F_ACK);
	fi = h_info(f);
	assert_int_equal(fi.ack, 2);
	assert_true(fi.sack == 0);
	assert_int_equal(fi.window, 256 * 1024);
	assert_int_equal(fi.seq, 1);
	assert_int_equal(h_feed(&H, f), 0);

	st = h_stats(&H, 0, 1);
	assert_int_equal(st.srtt_ns, 200 * US); /* first sample: R */
	assert_int_equal(st.rttvar_ns, 100 * US); /* R/2 */
	assert_int_equal(st.rto_ns, 1 * MS); /* 600 us, raised to rto_min */
	assert_int_equal(st.inflight, 0);
	assert_int_equal(st.frames_out, 2);
	assert_int_equal(st.hellos_out, 1);
	assert_int_equal(st.msgs_out, 1);
	assert_int_equal(st.frames_in, 2);
	assert_int_equal(st.tx_queued, 0);
	st = h_stats(&H, 1, 0);
	assert_int_equal(st.frames_out, 2);
	assert_int_equal(st.acks_out, 1);
	assert_int_equal(st.msgs_in, 1);
	assert_true(h_poll(&H, 0) == CNET_NEVER);
	assert_true(h_poll(&H, 1) == CNET_NEVER);
	teardown_h();
}

static void fill(uint8_t *b, size_t n, unsigned salt)
{
	for (size_t i = 0; i < n; i++)
		b[i] = (uint8_t)(i * 31 + (i >> 9) + salt);
}

/* Sends one message of len bytes and checks the fragments' payloads. */
static void frag_case(uint32_t mtu, size_t len, const uint16_t *want,
		      unsigned nwant)
{
	static uint8_t msg[65536];
	struct hframe *f;

	start2(mtu);
	connect01();
	fill(msg, len, (unsigned)len);
	assert_int_equal(send(0, 1, 3, msg, len), 0);
	for (unsigned i = 0; i < nwant; i++) {
		struct cnet_frame_info fi;

		while ((f = take())->from == 1) /* B's acks */
			h_drop(f);
		assert_int_equal(h_info(f).flags, CNET_F_DATA | CNET_F_ACK);
		fi = h_info(f);
		assert_int_equal(fi.payload_len, want[i]);
		assert_int_equal(fi.frag_index, i);
		assert_int_equal(fi.frag_count, nwant);
		assert_int_equal(fi.msg_len, len);
		assert_int_equal(fi.seq, 1 + i);
		h_feed(&H, f);
	}
	while ((f = h_take(&H))) {
		assert_int_equal(f->from, 1);
		h_drop(f);
	}
	assert_int_equal(H.nmsgs, 1);
	assert_int_equal(H.msgs[0].len, len);
	assert_memory_equal(H.msgs[0].data, msg, len);
	teardown_h();
}

static void test_fragmentation(void **state)
{
	/* A page plus a 12-byte RPC and a 16-byte DSM header. */
	static const uint16_t page9000[] = {4124};
	static const uint16_t page1500[] = {1436, 1436, 1252};
	static const uint16_t max9000[] = {8936};
	static const uint16_t over9000[] = {8936, 1};
	static const uint16_t empty[] = {0};
	static const uint16_t big[] = {8936, 8936, 8936, 8936,
				       8936, 8936, 8936, 2984};

	(void)state;
	frag_case(9000, 4124, page9000, 1);
	frag_case(1500, 4124, page1500, 3);
	frag_case(9000, 8936, max9000, 1);
	frag_case(9000, 8937, over9000, 2);
	frag_case(1500, 0, empty, 1);
	frag_case(9000, 65536, big, 8);
}

static void test_ack_policy(void **state)
{
	struct hframe *f1, *f2, *f3, *f;
	struct cnet_frame_info fi;

	(void)state;
	start2(1500);
	connect01();
	assert_int_equal(send(0, 1, 1, "a", 1), 0);
	assert_int_equal(send(0, 1, 1, "b", 1), 0);
	assert_int_equal(send(0, 1, 1, "c", 1), 0);
	f1 = take();
	f2 = take();
	f3 = take();
	/* One in-order frame: the ack waits. */
	h_feed(&H, f1);
	assert_null(h_take(&H));
	assert_true(h_poll(&H, 1) == H.now + 200 * US);
	/* The second: ack at once. */
	H.now += 50 * US;
	h_feed(&H, f2);
	f = expect(1, CNET_F_ACK);
	assert_int_equal(h_info(f).ack, 3);
	h_drop(f);
	assert_true(h_poll(&H, 1) == CNET_NEVER);
	/* The third waits again; a message from B carries the ack. */
	h_feed(&H, f3);
	assert_true(h_poll(&H, 1) == H.now + 200 * US);
	assert_int_equal(send(1, 0, 1, "z", 1), 0);
	f = expect(1, CNET_F_DATA | CNET_F_ACK);
	fi = h_info(f);
	assert_int_equal(fi.ack, 4);
	assert_int_equal(fi.seq, 1);
	h_drop(f);
	assert_null(h_take(&H));
	/* Only B's own retransmission timer remains (rto_init 20 ms). */
	assert_true(h_poll(&H, 1) == H.now + 20 * MS);
	assert_int_equal(h_stats(&H, 1, 0).acks_out, 1);
	/* A reply sent from inside deliver carries the ack too. */
	teardown_h();
}

static void reply_in_deliver(struct harness *h, int node, int peer,
			     uint16_t service, const void *msg, size_t len)
{
	(void)msg;
	if (node == 1 && service == 9)
		assert_int_equal(cnet_rel_send(&h->node[1].rel, peer, 10, "re",
					       2, h->now),
				 0);
	(void)len;
}

static void test_reply_from_deliver_piggybacks(void **state)
{
	struct hframe *f;
	struct cnet_frame_info fi;

	(void)state;
	start2(1500);
	connect01();
	H.on_deliver = reply_in_deliver;
	assert_int_equal(send(0, 1, 9, "call", 4), 0);
	h_feed(&H, take());
	f = expect(1, CNET_F_DATA | CNET_F_ACK);
	fi = h_info(f);
	assert_int_equal(fi.ack, 2); /* covers the message just delivered */
	assert_int_equal(fi.service, 10);
	h_drop(f);
	assert_null(h_take(&H));
	assert_int_equal(h_stats(&H, 1, 0).acks_out, 0);
	assert_true(h_poll(&H, 1) == H.now + 20 * MS); /* no ack pending */
	teardown_h();
}

static void test_sack_reorder_dup(void **state)
{
	struct hframe *f[6], *a;
	struct cnet_frame_info fi;
	char m[2] = "0";

	(void)state;
	start2(1500);
	connect01();
	for (int i = 1; i <= 5; i++) {
		m[0] = (char)('0' + i);
		assert_int_equal(send(0, 1, 1, m, 1), 0);
	}
	for (int i = 1; i <= 5; i++)
		f[i] = take();
	/* 2 and 4 ahead of the gap: stored, acked at once with the bitmap. */
	h_feed(&H, copy(f[2]));
	a = expect(1, CNET_F_ACK);
	fi = h_info(a);
	assert_int_equal(fi.ack, 1);
	assert_true(fi.sack == 0x1); /* seq 2 = ack + 1 + bit 0 */
	h_drop(a);
	h_feed(&H, copy(f[4]));
	a = expect(1, CNET_F_ACK);
	fi = h_info(a);
	assert_true(fi.sack == 0x5); /* seq 2 and 4 */
	assert_int_equal(fi.window, 256 * 1024);
	h_drop(a);
	assert_int_equal(H.nmsgs, 0);
	assert_int_equal(h_stats(&H, 1, 0).rx_used, 2);
	/* The gap closes: 1 and 2 delivered, ack at once. */
	h_feed(&H, f[1]);
	a = expect(1, CNET_F_ACK);
	fi = h_info(a);
	assert_int_equal(fi.ack, 3);
	assert_true(fi.sack == 0x1); /* seq 4 */
	h_drop(a);
	assert_int_equal(H.nmsgs, 2);
	assert_int_equal(H.msgs[0].data[0], '1');
	assert_int_equal(H.msgs[1].data[0], '2');
	/* A duplicate of 2 (already delivered): dropped, acked again. */
	h_feed(&H, f[2]);
	a = expect(1, CNET_F_ACK);
	assert_int_equal(h_info(a).ack, 3);
	h_drop(a);
	/* A duplicate of 4 (stored): dropped, acked again. */
	h_feed(&H, copy(f[4]));
	h_drop(expect(1, CNET_F_ACK));
	/* 3 closes the gap: 3 and 4 delivered. */
	h_feed(&H, copy(f[3]));
	a = expect(1, CNET_F_ACK);
	assert_int_equal(h_info(a).ack, 5);
	assert_true(h_info(a).sack == 0);
	h_drop(a);
	h_feed(&H, f[3]); /* 3 again */
	h_drop(expect(1, CNET_F_ACK));
	h_drop(f[4]);
	h_feed(&H, f[5]);
	assert_null(h_take(&H)); /* in order, first of two: delayed */
	assert_int_equal(H.nmsgs, 5);
	for (int i = 0; i < 5; i++)
		assert_int_equal(H.msgs[i].data[0], '1' + i);
	assert_int_equal(h_stats(&H, 1, 0).dup_drops, 3);
	assert_int_equal(h_stats(&H, 1, 0).out_of_order, 2);
	assert_int_equal(h_stats(&H, 1, 0).rx_used, 0);
	assert_int_equal(h_stats(&H, 1, 0).max_rx_used, 2);
	teardown_h();
}

/* One message 0 -> 1 whose ack comes back rtt later (B acks at once). */
static void exchange(uint64_t rtt)
{
	assert_int_equal(send(0, 1, 1, "x", 1), 0);
	H.now += rtt / 2;
	h_feed(&H, take());
	h_poll(&H, 1);
	H.now += rtt - rtt / 2;
	h_feed(&H, expect(1, CNET_F_ACK));
}

static void test_rtt_estimator(void **state)
{
	struct cnet_peer_stats st;

	(void)state;
	h_setup(&H, 2, 1500);
	H.node[0].cfg.rto_min_ns = 1;
	H.node[1].cfg.ack_delay_ns = 0;
	h_start(&H, 0, EA);
	h_start(&H, 1, EB);
	connect01();
	exchange(100 * US);
	st = h_stats(&H, 0, 1);
	assert_int_equal(st.srtt_ns, 100000);
	assert_int_equal(st.rttvar_ns, 50000);
	assert_int_equal(st.rto_ns, 300000); /* srtt + 4 rttvar */
	exchange(200 * US);
	st = h_stats(&H, 0, 1);
	assert_int_equal(st.rttvar_ns, 62500); /* (3*50000 + 100000) / 4 */
	assert_int_equal(st.srtt_ns, 112500); /* (7*100000 + 200000) / 8 */
	assert_int_equal(st.rto_ns, 362500);
	exchange(112500);
	st = h_stats(&H, 0, 1);
	assert_int_equal(st.rttvar_ns, 46875); /* 3/4 of 62500 */
	assert_int_equal(st.srtt_ns, 112500);
	assert_int_equal(st.rto_ns, 300000);
	for (int i = 0; i < 60; i++)
		exchange(112500);
	st = h_stats(&H, 0, 1);
	assert_int_equal(st.rttvar_ns, 0);
	assert_int_equal(st.rto_ns, 113500); /* srtt + 1 us granularity */
	teardown_h();
}

static void test_backoff_karn_unreachable(void **state)
{
	static const uint64_t gaps_ms[] = {20, 40, 80, 160, 320, 640, 1000,
					   1000};
	struct hframe *f;
	struct cnet_peer_stats st;
	uint64_t t0;

	(void)state;
	start2(1500);
	connect01();
	assert_int_equal(send(0, 1, 1, "x", 1), 0);
	h_drop(take());
	t0 = H.now;
	for (unsigned i = 0; i < 8; i++) {
		assert_true(h_poll(&H, 0) == t0 + gaps_ms[i] * MS);
		H.now = t0 + gaps_ms[i] * MS;
		t0 = H.now;
		h_poll(&H, 0);
		f = expect(0, CNET_F_DATA | CNET_F_ACK);
		assert_int_equal(h_info(f).seq, 1);
		if (i < 7)
			h_drop(f);
		assert_int_equal(H.nevents, i == 7 ? 1 : 0);
	}
	assert_int_equal(H.events[0].ev.kind, CNET_PEER_UNREACHABLE);
	assert_int_equal(H.events[0].peer, 1);
	st = h_stats(&H, 0, 1);
	assert_int_equal(st.timeouts, 8);
	assert_int_equal(st.retransmits, 8);
	assert_int_equal(st.rto_ns, 1000 * MS);
	/* The 9th copy arrives; its ack gives no sample (Karn): the RTO
	 * stays backed off. */
	h_feed(&H, f);
	H.now += 200 * US;
	h_poll(&H, 1);
	h_feed(&H, expect(1, CNET_F_ACK));
	st = h_stats(&H, 0, 1);
	assert_int_equal(st.srtt_ns, 0);
	assert_int_equal(st.rto_ns, 1000 * MS);
	assert_int_equal(st.inflight, 0);
	assert_true(h_poll(&H, 0) == CNET_NEVER); /* retransmissions stop */
	/* A frame sent once gives a sample and ends the backoff. */
	assert_int_equal(send(0, 1, 1, "y", 1), 0);
	h_feed(&H, take());
	H.now += 200 * US;
	h_poll(&H, 1);
	h_feed(&H, expect(1, CNET_F_ACK));
	st = h_stats(&H, 0, 1);
	assert_int_equal(st.srtt_ns, 200 * US);
	assert_int_equal(st.rto_ns, 1 * MS);
	/* Unreachable is told again only after progress and 8 more. */
	teardown_h();
}

static void test_fast_retransmit(void **state)
{
	struct hframe *f2, *f3, *f4, *a;
	struct cnet_peer_stats st;

	(void)state;
	h_setup(&H, 2, 1500);
	H.node[1].cfg.ack_delay_ns = 0;
	h_start(&H, 0, EA);
	h_start(&H, 1, EB);
	connect01();
	exchange(100 * US); /* srtt 100 us: resend a hole after 125 us */
	assert_int_equal(send(0, 1, 1, "2", 1), 0);
	assert_int_equal(send(0, 1, 1, "3", 1), 0);
	assert_int_equal(send(0, 1, 1, "4", 1), 0);
	f2 = take();
	f3 = take();
	f4 = take();
	h_drop(f2);
	H.now += 50 * US;
	h_feed(&H, f3);
	a = expect(1, CNET_F_ACK);
	assert_true(h_info(a).sack == 1);
	H.now += 50 * US; /* 100 us after sending: not yet */
	h_feed(&H, a);
	assert_null(h_take(&H));
	h_feed(&H, f4);
	a = expect(1, CNET_F_ACK);
	assert_true(h_info(a).sack == 3);
	H.now += 30 * US; /* 130 us: resent */
	h_feed(&H, a);
	a = expect(0, CNET_F_DATA | CNET_F_ACK);
	assert_int_equal(h_info(a).seq, 2);
	assert_null(h_take(&H)); /* only the hole */
	st = h_stats(&H, 0, 1);
	assert_int_equal(st.fast_retransmits, 1);
	assert_int_equal(st.retransmits, 1);
	assert_int_equal(st.timeouts, 0);
	h_feed(&H, a);
	h_poll(&H, 1);
	h_feed(&H, expect(1, CNET_F_ACK));
	assert_int_equal(h_stats(&H, 0, 1).inflight, 0);
	assert_int_equal(H.nmsgs, 4);
	teardown_h();
}

static void test_window_and_eagain(void **state)
{
	static uint8_t msg[16384];
	struct cnet_peer_stats st;
	struct hframe *f;
	unsigned frames = 0;

	(void)state;
	h_setup(&H, 2, 1500);
	for (int i = 0; i < 2; i++) {
		H.node[i].cfg.max_msg = 16384;
		H.node[i].cfg.rx_buf = 16384;
		H.node[i].cfg.tx_buf = 32768;
	}
	h_start(&H, 0, EA);
	h_start(&H, 1, EB);
	connect01();
	fill(msg, sizeof(msg), 1);
	assert_int_equal(send(0, 1, 1, msg, sizeof(msg)), 0);
	assert_int_equal(send(0, 1, 1, msg, sizeof(msg)), 0);
	assert_int_equal(send(0, 1, 1, msg, 1), -EAGAIN);
	/* The whole of the first message fits B's window, no more. */
	assert_int_equal(H.queued, 12);
	st = h_stats(&H, 0, 1);
	assert_int_equal(st.inflight, 16384);
	assert_int_equal(st.peer_window, 16384);
	while ((f = h_take(&H))) {
		h_feed(&H, f);
		h_poll(&H, 1);
		frames++;
		st = h_stats(&H, 0, 1);
		assert_true(st.inflight <= st.peer_window);
	}
	assert_int_equal(H.nmsgs, 2);
	assert_int_equal(H.nevents, 1);
	assert_int_equal(H.events[0].ev.kind, CNET_PEER_WRITABLE);
	assert_int_equal(send(0, 1, 1, msg, 1), 0);
	h_pump(&H);
	H.now += 1 * MS;
	h_poll(&H, 1);
	h_pump(&H);
	st = h_stats(&H, 0, 1);
	assert_int_equal(st.max_inflight, 16384);
	assert_int_equal(st.window_overruns, 0);
	assert_int_equal(st.tx_queued, 0);
	assert_int_equal(h_stats(&H, 1, 0).max_rx_used, 16384);
	assert_int_equal(h_stats(&H, 1, 0).rx_nobuf, 0);
	assert_int_equal(H.nmsgs, 3);
	teardown_h();
}

static void test_peer_reboot(void **state)
{
	struct hframe *old_b, *old_a, *f;
	struct cnet_peer_stats st;

	(void)state;
	start2(1500);
	connect01();
	assert_int_equal(send(1, 0, 1, "from old B", 10), 0);
	old_b = take(); /* B's frame, kept for later */
	assert_int_equal(send(0, 1, 1, "lost 1", 6), 0);
	assert_int_equal(send(0, 1, 1, "lost 2", 6), 0);
	old_a = take(); /* to B's first incarnation */
	h_drop(take());

	h_stop(&H, 1); /* B reboots */
	h_start(&H, 1, EB + 1);
	assert_int_equal(h_feed(&H, copy(old_a)), -ECANCELED);
	assert_int_equal(H.node[1].rel.drops.stale_epoch, 1);
	f = expect(1, CNET_F_HELLO); /* new B introduces itself */
	assert_int_equal(h_info(f).src_epoch, EB + 1);
	assert_int_equal(h_info(f).dst_epoch, 0);
	assert_int_equal(h_feed(&H, f), 0);
	assert_int_equal(H.nevents, 1);
	assert_int_equal(H.events[0].node, 0);
	assert_int_equal(H.events[0].ev.kind, CNET_PEER_RESET);
	assert_int_equal(H.events[0].ev.epoch, EB + 1);
	assert_int_equal(H.events[0].ev.dropped, 2);
	st = h_stats(&H, 0, 1);
	assert_int_equal(st.resets, 1);
	assert_int_equal(st.tx_queued, 0);
	assert_int_equal(st.inflight, 0);
	assert_true(h_poll(&H, 0) == CNET_NEVER); /* nothing to resend */
	f = expect(0, CNET_F_HELLO);
	assert_int_equal(h_info(f).dst_epoch, EB + 1);
	h_feed(&H, f);
	assert_int_equal(H.events[1].node, 1);
	assert_int_equal(H.events[1].ev.kind, CNET_PEER_UP);

	/* Frames of the old incarnations are refused. */
	assert_int_equal(h_feed(&H, old_b), -ECANCELED);
	assert_int_equal(h_feed(&H, old_a), -ECANCELED);
	assert_int_equal(H.node[0].rel.drops.stale_epoch, 1);
	assert_int_equal(H.node[1].rel.drops.stale_epoch, 2);
	assert_null(h_take(&H));
	/* The new pair starts at sequence 1 both ways. */
	assert_int_equal(send(0, 1, 1, "new", 3), 0);
	f = take();
	assert_int_equal(h_info(f).seq, 1);
	h_feed(&H, f);
	assert_int_equal(H.nmsgs, 1);
	assert_memory_equal(H.msgs[0].data, "new", 3);
	teardown_h();
}

static void test_we_rebooted(void **state)
{
	struct hframe *f;

	(void)state;
	start2(1500);
	connect01();
	h_stop(&H, 0); /* A reboots; B still talks to the old A */
	h_start(&H, 0, EA + 1);
	assert_int_equal(send(1, 0, 1, "hi", 2), 0);
	assert_int_equal(h_feed(&H, take()), -ECANCELED);
	f = expect(0, CNET_F_HELLO); /* A: "I am new" */
	assert_int_equal(h_info(f).dst_epoch, 0);
	h_feed(&H, f);
	assert_int_equal(H.events[0].node, 1);
	assert_int_equal(H.events[0].ev.kind, CNET_PEER_RESET);
	assert_int_equal(H.events[0].ev.dropped, 1);
	h_pump(&H); /* B's HELLO back */
	assert_int_equal(h_stats(&H, 0, 1).epoch, EB);
	assert_int_equal(send(1, 0, 1, "again", 5), 0);
	h_pump(&H);
	assert_int_equal(H.nmsgs, 1);
	assert_memory_equal(H.msgs[0].data, "again", 5);
	teardown_h();
}

static void test_fence(void **state)
{
	(void)state;
	start2(1500);
	connect01();
	assert_int_equal(send(0, 1, 1, "x", 1), 0);
	h_drop(take());
	cnet_rel_peer_reset(&H.node[0].rel, 1);
	assert_int_equal(h_stats(&H, 0, 1).epoch, 0);
	assert_int_equal(h_stats(&H, 0, 1).tx_queued, 0);
	assert_true(h_poll(&H, 0) == CNET_NEVER);
	assert_int_equal(H.nevents, 0); /* the caller knows */
	/* B's current incarnation is refused from now on, silently. */
	assert_int_equal(send(1, 0, 1, "y", 1), 0);
	assert_int_equal(h_feed(&H, take()), -ECANCELED);
	assert_null(h_take(&H));
	/* Its HELLO too: only a reboot (a new epoch) gets through. */
	h_stop(&H, 1);
	h_start(&H, 1, EB);
	assert_int_equal(cnet_rel_connect(&H.node[1].rel, 0, H.now), 0);
	assert_int_equal(h_feed(&H, take()), -ECANCELED);
	h_stop(&H, 1);
	h_start(&H, 1, EB + 7);
	assert_int_equal(cnet_rel_connect(&H.node[1].rel, 0, H.now), 0);
	assert_int_equal(h_feed(&H, take()), 0);
	assert_int_equal(h_stats(&H, 0, 1).epoch, EB + 7);
	cnet_rel_peer_reset(&H.node[0].rel, 3); /* unknown peer: nothing */
	teardown_h();
}

static struct cnet_dgram_info dg_info;
static char dg_msg[32];

static void on_dgram(struct harness *h, int node,
		     const struct cnet_dgram_info *info, const void *msg,
		     size_t len)
{
	(void)h;
	(void)node;
	dg_info = *info;
	if (len >= sizeof(dg_msg))
		len = sizeof(dg_msg) - 1;
	memcpy(dg_msg, msg, len);
	dg_msg[len] = 0;
}

static void test_datagrams(void **state)
{
	static uint8_t big[1437];
	struct hframe *f;

	(void)state;
	h_setup(&H, 3, 1500);
	h_start(&H, 0, EA);
	h_start(&H, 1, EB);
	h_start(&H, 2, EB + 1);
	H.on_dgram = on_dgram;
	assert_int_equal(cnet_rel_send_dgram(&H.node[0].rel, CNET_NODE_BCAST,
					     77, "beat", 4),
			 0);
	f = expect(0, CNET_F_DGRAM);
	assert_int_equal(f->to, CNET_NODE_BCAST);
	memcpy(f->data + 6, "\x02\x00\x00\x00\x00\x07", 6); /* glue's job */
	h_feed(&H, f);
	assert_int_equal(dg_info.src_node, 0);
	assert_int_equal(dg_info.dst_node, CNET_NODE_BCAST);
	assert_int_equal(dg_info.src_epoch, EA);
	assert_int_equal(dg_info.service, 77);
	assert_memory_equal(dg_info.src_mac, "\x02\x00\x00\x00\x00\x07", 6);
	assert_string_equal(dg_msg, "beat");
	/* No reliable state is created by datagrams. */
	assert_int_equal(cnet_rel_peer_stats(&H.node[1].rel, 0, &(struct cnet_peer_stats){0}),
			 -ENOENT);
	assert_int_equal(cnet_rel_send_dgram(&H.node[0].rel, 2, 1, big, 1436), 0);
	h_pump(&H);
	assert_int_equal(cnet_rel_send_dgram(&H.node[0].rel, 2, 1, big, 1437),
			 -E2BIG);
	assert_int_equal(cnet_rel_send_dgram(&H.node[0].rel, 0, 1, "x", 1),
			 -EHOSTUNREACH);
	assert_int_equal(cnet_rel_send_dgram(&H.node[0].rel, 3, 1, "x", 1),
			 -EHOSTUNREACH);
	assert_int_equal(cnet_rel_send_dgram(&H.node[0].rel, -1, 1, "x", 1),
			 -EHOSTUNREACH);
	/* Without a handler: counted. */
	H.on_dgram = NULL;
	{
		struct cnet_rel_ops ops = h_ops;

		ops.dgram = NULL;
		H.node[1].rel.ops = &ops;
		assert_int_equal(cnet_rel_send_dgram(&H.node[0].rel, 1, 5, "q", 1),
				 0);
		assert_int_equal(h_feed(&H, take()), -ENOENT);
		assert_int_equal(H.node[1].rel.drops.unknown_service, 1);
		H.node[1].rel.ops = &h_ops;
	}
	teardown_h();
}

static void test_dgram_stale(void **state)
{
	struct cnet_frame_info fi;

	(void)state;
	start2(1500);
	H.on_dgram = on_dgram;
	memset(&fi, 0, sizeof(fi));
	fi.flags = CNET_F_DGRAM;
	fi.src_epoch = EA;
	fi.dst_epoch = EB + 5; /* to another incarnation of B */
	fi.src_node = 0;
	fi.dst_node = 1;
	fi.frag_count = 1;
	fi.msg_len = 1;
	assert_int_equal(h_feed(&H, h_forge(&H, 0, 1, &fi, "x", 1)), -ECANCELED);
	fi.dst_epoch = EB;
	assert_int_equal(h_feed(&H, h_forge(&H, 0, 1, &fi, "x", 1)), 0);
	teardown_h();
}

static void test_self_send(void **state)
{
	struct cnet_iov iov[3] = {{"ab", 2}, {NULL, 0}, {"cde", 3}};

	(void)state;
	start2(1500);
	assert_int_equal(send(0, 0, 4, "me", 2), 0);
	assert_int_equal(H.nmsgs, 1);
	assert_int_equal(H.msgs[0].node, 0);
	assert_int_equal(H.msgs[0].peer, 0);
	assert_int_equal(H.msgs[0].service, 4);
	assert_memory_equal(H.msgs[0].data, "me", 2);
	assert_int_equal(cnet_rel_sendv(&H.node[0].rel, 0, 5, iov, 3, H.now), 0);
	assert_int_equal(H.nmsgs, 2);
	assert_int_equal(H.msgs[1].len, 5);
	assert_memory_equal(H.msgs[1].data, "abcde", 5);
	assert_int_equal(cnet_rel_sendv(&H.node[0].rel, 0, 5, iov, 0, H.now), 0);
	assert_int_equal(H.msgs[2].len, 0);
	assert_null(h_take(&H));
	/* Gathered to a peer. */
	assert_int_equal(cnet_rel_sendv(&H.node[0].rel, 1, 6, iov, 3, H.now), 0);
	h_pump(&H);
	assert_int_equal(H.msgs[3].node, 1);
	assert_memory_equal(H.msgs[3].data, "abcde", 5);
	teardown_h();
}

static void test_config_and_errors(void **state)
{
	struct cnet_rel_config c;
	struct cnet_rel r;
	struct cnet_rel_ops ops = h_ops;
	struct cnet_iov iov = {"x", 1};
	static uint8_t big[65537];

	(void)state;
	start2(1500);
	c = H.node[0].cfg;
	assert_null(cnet_rel_config_check(&c));
#define BAD(field, val, msg)                                                   \
	do {                                                                   \
		c = H.node[0].cfg;                                             \
		c.field = val;                                                 \
		assert_string_equal(cnet_rel_config_check(&c), msg);           \
		assert_int_equal(cnet_rel_init(&r, &c, &h_ops, &H.node[0]),     \
				 -EINVAL);                                     \
	} while (0)
	BAD(epoch, 0, "cnet: epoch must not be 0");
	BAD(max_nodes, 0, "cnet: max_nodes must be 1 .. 65534");
	BAD(max_nodes, 65535, "cnet: max_nodes must be 1 .. 65534");
	BAD(self, 2, "cnet: self must be below max_nodes (or NONE)");
	BAD(mtu, 255, "cnet: mtu out of range");
	BAD(mtu, 9001, "cnet: mtu out of range");
	BAD(max_msg, 0, "cnet: max_msg out of range");
	BAD(max_msg, (1u << 20) + 1, "cnet: max_msg out of range");
	BAD(rx_buf, 65535, "cnet: rx_buf must be at least max_msg");
	BAD(tx_buf, 65535, "cnet: tx_buf must be at least max_msg");
	BAD(rto_min_ns, 0, "cnet: need 0 < rto_min <= rto_init <= rto_max");
	BAD(rto_init_ns, 2000000000ull,
	    "cnet: need 0 < rto_min <= rto_init <= rto_max");
	BAD(rto_max_ns, 10, "cnet: need 0 < rto_min <= rto_init <= rto_max");
	BAD(unreachable_after, 0, "cnet: unreachable_after must not be 0");
	c = H.node[0].cfg;
	c.self = CNET_NODE_NONE;
	assert_null(cnet_rel_config_check(&c));
	ops.tx = NULL;
	assert_int_equal(cnet_rel_init(&r, &H.node[0].cfg, &ops, &H.node[0]),
			 -EINVAL);
	ops = h_ops;
	ops.free = NULL;
	assert_int_equal(cnet_rel_init(&r, &H.node[0].cfg, &ops, &H.node[0]),
			 -EINVAL);

	assert_int_equal(send(0, 1, 1, big, 65537), -E2BIG);
	assert_int_equal(send(0, 2, 1, "x", 1), -EHOSTUNREACH);
	assert_int_equal(send(0, -1, 1, "x", 1), -EHOSTUNREACH);
	assert_int_equal(cnet_rel_sendv(&H.node[0].rel, 1, 1, &iov, -1, H.now),
			 -EINVAL);
	assert_int_equal(cnet_rel_sendv(&H.node[0].rel, 1, 1, NULL, 1, H.now),
			 -EINVAL);
	assert_int_equal(cnet_rel_connect(&H.node[0].rel, 0, H.now),
			 -EHOSTUNREACH);
	assert_int_equal(cnet_rel_connect(&H.node[0].rel, 2, H.now),
			 -EHOSTUNREACH);
	assert_int_equal(cnet_rel_peer_stats(&H.node[0].rel, 1,
					     &(struct cnet_peer_stats){0}),
			 -ENOENT);
	assert_int_equal(cnet_rel_peer_stats(&H.node[0].rel, 9,
					     &(struct cnet_peer_stats){0}),
			 -ENOENT);
	/* Our id: settable until a peer has state. */
	assert_int_equal(cnet_rel_set_self(&H.node[0].rel, 2), -EINVAL);
	assert_int_equal(cnet_rel_set_self(&H.node[0].rel, CNET_NODE_NONE), 0);
	assert_int_equal(send(0, 1, 1, "x", 1), -EHOSTUNREACH);
	assert_int_equal(cnet_rel_connect(&H.node[0].rel, 1, H.now),
			 -EHOSTUNREACH);
	assert_int_equal(cnet_rel_set_self(&H.node[0].rel, 0), 0);
	assert_int_equal(send(0, 1, 1, "x", 1), 0);
	assert_int_equal(cnet_rel_set_self(&H.node[0].rel, 0), -EBUSY);
	teardown_h();
}

static void test_alloc_failures(void **state)
{
	struct hframe *f1, *f2;
	struct cnet_rel r;

	(void)state;
	start2(1500);
	H.fail_in = 1; /* the txbuf */
	assert_int_equal(cnet_rel_init(&r, &H.node[0].cfg, &h_ops, &H.node[0]),
			 -ENOMEM);
	H.fail_in = 2; /* the peer table */
	assert_int_equal(cnet_rel_init(&r, &H.node[0].cfg, &h_ops, &H.node[0]),
			 -ENOMEM);
	H.fail_in = 1; /* the peer's state */
	assert_int_equal(send(0, 1, 1, "x", 1), -ENOMEM);
	assert_int_equal(cnet_rel_connect(&H.node[0].rel, 1, H.now), 0);
	H.fail_in = 1; /* B's state for A, at A's HELLO */
	assert_int_equal(h_feed(&H, take()), -ENOBUFS);
	assert_int_equal(H.node[1].rel.drops.no_buffer, 1);
	H.node[1].rel.drops.no_buffer = 0;
	H.now += 20 * MS; /* A's HELLO again */
	h_poll(&H, 0);
	h_pump(&H);
	h_clear_msgs(&H);
	H.fail_in = 1; /* the message copy */
	assert_int_equal(send(0, 1, 1, "x", 1), -ENOMEM);
	/* A fragment ahead of a gap, with no memory: dropped, sent again. */
	assert_int_equal(send(0, 1, 1, "1", 1), 0);
	assert_int_equal(send(0, 1, 1, "2", 1), 0);
	f1 = take();
	f2 = take();
	H.fail_in = 1;
	h_feed(&H, f2);
	assert_int_equal(h_stats(&H, 1, 0).rx_nobuf, 1);
	assert_int_equal(H.node[1].rel.drops.no_buffer, 1);
	h_feed(&H, expect(1, CNET_F_ACK)); /* no sack for it */
	h_feed(&H, f1);
	assert_int_equal(H.nmsgs, 1);
	H.now += 20 * MS; /* A's RTO: 2 is resent */
	h_poll(&H, 0);
	h_pump(&H);
	assert_int_equal(H.nmsgs, 2);
	/* Reassembly buffer: a 3-fragment message with memory failing. */
	{
		static uint8_t m[3000];

		fill(m, sizeof(m), 3);
		assert_int_equal(send(0, 1, 1, m, sizeof(m)), 0);
		H.fail_in = 1;
		h_feed(&H, take()); /* first fragment: no buffer */
		assert_int_equal(h_stats(&H, 1, 0).rx_nobuf, 2);
		h_pump(&H);
		H.now += 40 * MS;
		h_poll(&H, 0);
		h_pump(&H);
		H.now += 1 * MS;
		h_poll(&H, 1);
		h_pump(&H);
		assert_int_equal(H.nmsgs, 3);
		assert_memory_equal(H.msgs[2].data, m, sizeof(m));
	}
	teardown_h();
}

/* DATA from B to A as B's current incarnation would send it. */
static struct hframe *forge_data(uint32_t seq, uint16_t idx, uint16_t count,
				 uint32_t msg_len, const char *pl)
{
	struct cnet_frame_info fi;

	memset(&fi, 0, sizeof(fi));
	fi.flags = CNET_F_DATA | CNET_F_ACK;
	fi.service = 2;
	fi.src_epoch = EB;
	fi.dst_epoch = EA;
	fi.src_node = 1;
	fi.dst_node = 0;
	fi.frag_index = idx;
	fi.frag_count = count;
	fi.seq = seq;
	fi.ack = 1;
	fi.window = 65536;
	fi.msg_len = msg_len;
	return h_forge(&H, 1, 0, &fi, pl, strlen(pl));
}

/* An authenticated peer that breaks the protocol cannot wedge us. */
static void test_hostile_peer(void **state)
{
	struct cnet_frame_info fi;
	struct cnet_peer_stats st;
	struct hframe *f;

	(void)state;
	start2(1500);
	connect01();
	memset(&fi, 0, sizeof(fi));
	fi.flags = CNET_F_ACK;
	fi.src_epoch = EB;
	fi.dst_epoch = EA;
	fi.src_node = 1;
	fi.dst_node = 0;
	fi.ack = 5; /* we sent nothing */
	fi.window = 65536;
	assert_int_equal(h_feed(&H, h_forge(&H, 1, 0, &fi, NULL, 0)), 0);
	assert_int_equal(H.node[0].rel.drops.bad_ack, 1);

	h_feed(&H, forge_data(1, 1, 2, 4, "ab")); /* no start */
	h_feed(&H, forge_data(2, 0, 2, 4, "ab"));
	h_feed(&H, forge_data(3, 0, 1, 2, "xy")); /* other message midway */
	h_feed(&H, forge_data(4, 0, 1, 2, "ok"));
	h_feed(&H, forge_data(5, 0, 2, 3, "ab"));
	h_feed(&H, forge_data(6, 1, 2, 3, "cd")); /* past msg_len */
	h_feed(&H, forge_data(7, 0, 2, 4, "ab"));
	h_feed(&H, forge_data(8, 1, 2, 4, "c")); /* ends short */
	h_feed(&H, forge_data(9, 0, 1, 4, "fine"));
	h_feed(&H, forge_data(10 + CNET_REL_WND, 0, 1, 1, "z"));
	st = h_stats(&H, 0, 1);
	assert_int_equal(st.bad_frag, 4);
	assert_int_equal(H.node[0].rel.drops.bad_frag, 4);
	assert_int_equal(st.out_of_window, 1);
	assert_int_equal(st.msgs_in, 2);
	assert_int_equal(st.rx_used, 0);
	assert_int_equal(H.nmsgs, 2);
	assert_memory_equal(H.msgs[0].data, "ok", 2);
	assert_memory_equal(H.msgs[1].data, "fine", 4);

	/* A zero window with nothing in flight: we send anyway. */
	fi.ack = 1;
	fi.window = 0;
	h_feed(&H, h_forge(&H, 1, 0, &fi, NULL, 0));
	while ((f = h_take(&H)))
		h_drop(f);
	assert_int_equal(send(0, 1, 1, "x", 1), 0);
	assert_non_null(H.head);
	assert_int_equal(h_stats(&H, 0, 1).window_overruns, 1);
	assert_int_equal(send(0, 1, 1, "y", 1), 0); /* this one waits */
	assert_int_equal(h_stats(&H, 0, 1).window_overruns, 1);
	assert_int_equal(h_stats(&H, 0, 1).inflight, 1);
	teardown_h();
}

/* A NIC that refuses frames: they count as lost and are sent again. */
static void test_tx_failure(void **state)
{
	(void)state;
	start2(1500);
	H.tx_fail = true;
	assert_int_equal(send(0, 1, 1, "x", 1), 0);
	assert_int_equal(h_stats(&H, 0, 1).frames_out, 1);
	assert_null(h_take(&H));
	H.tx_fail = false;
	H.now += 20 * MS;
	h_poll(&H, 0); /* the HELLO again */
	h_pump(&H);
	assert_int_equal(H.nmsgs, 1);
	h_clear_msgs(&H);
	H.tx_fail = true;
	assert_int_equal(send(0, 1, 1, "y", 1), 0);
	H.tx_fail = false;
	H.now += 20 * MS;
	h_poll(&H, 0);
	h_pump(&H);
	assert_int_equal(H.nmsgs, 1);
	assert_memory_equal(H.msgs[0].data, "y", 1);
	teardown_h();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_handshake_first_message),
		cmocka_unit_test(test_fragmentation),
		cmocka_unit_test(test_ack_policy),
		cmocka_unit_test(test_reply_from_deliver_piggybacks),
		cmocka_unit_test(test_sack_reorder_dup),
		cmocka_unit_test(test_rtt_estimator),
		cmocka_unit_test(test_backoff_karn_unreachable),
		cmocka_unit_test(test_fast_retransmit),
		cmocka_unit_test(test_window_and_eagain),
		cmocka_unit_test(test_peer_reboot),
		cmocka_unit_test(test_we_rebooted),
		cmocka_unit_test(test_fence),
		cmocka_unit_test(test_datagrams),
		cmocka_unit_test(test_dgram_stale),
		cmocka_unit_test(test_self_send),
		cmocka_unit_test(test_config_and_errors),
		cmocka_unit_test(test_alloc_failures),
		cmocka_unit_test(test_hostile_peer),
		cmocka_unit_test(test_tx_failure),
		cmocka_unit_test(test_sim_random_schedules),
		cmocka_unit_test(test_sim_restart),
		cmocka_unit_test(test_sim_three_nodes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
