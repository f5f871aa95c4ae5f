/*
 * tests/unit/test_cnet_rel.c — the reliability layer (net/cnet_rel*.c),
 * frame by frame: the handshake, fragmentation at MTU 9000 and 1500,
 * delayed, piggybacked and immediate acks, the sack bitmap, reordering and
 * duplicates, the RTT estimator's exact values, Karn's rule, exponential
 * backoff and its cap, fast retransmission, flow control and -EAGAIN.
 * Peers rebooting, errors and failures: test_cnet_rel_peers.c; randomised
 * simulated-link runs: test_cnet_rel_sim.c. main() runs them all.
 */
#include "tests/unit/cnet_rel_manual.h"
#include "tests/unit/test_cnet_rel.h"

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
	H.now += 50 * US;
	assert_int_equal(h_feed(&H, f), 0);
	/* The HELLO's round trip is the first RTT sample: SRTT = R,
	 * RTTVAR = R/2. */
	assert_int_equal(h_stats(&H, 0, 1).srtt_ns, 50 * US);
	assert_int_equal(h_stats(&H, 0, 1).rttvar_ns, 25 * US);
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
	assert_int_equal(st.srtt_ns, 68750);   /* (7 * 50000 + 200000) / 8 */
	assert_int_equal(st.rttvar_ns, 56250); /* (3 * 25000 + 150000) / 4 */
	assert_int_equal(st.rto_ns, 1 * MS);   /* 293750, raised to rto_min */
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
		assert_int_equal(
		    cnet_rel_send(&h->node[1].rel, peer, 10, "re", 2, h->now),
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
	connect_rtt(100 * US);
	st = h_stats(&H, 0, 1);
	assert_int_equal(st.srtt_ns, 100000);
	assert_int_equal(st.rttvar_ns, 50000);
	assert_int_equal(st.rto_ns, 300000); /* srtt + 4 rttvar */
	exchange(200 * US);
	st = h_stats(&H, 0, 1);
	assert_int_equal(st.rttvar_ns, 62500); /* (3*50000 + 100000) / 4 */
	assert_int_equal(st.srtt_ns, 112500);  /* (7*100000 + 200000) / 8 */
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
	/* The RTO is rto_min (1 ms) after the handshake's sample. */
	static const uint64_t gaps_ms[] = {1,  2,   4,	 8,   16,   32,
					   64, 128, 256, 512, 1000, 1000};
	struct hframe *f;
	struct cnet_peer_stats st;
	uint64_t t0;

	(void)state;
	start2(1500);
	connect01();
	assert_int_equal(send(0, 1, 1, "x", 1), 0);
	h_drop(take());
	t0 = H.now;
	for (unsigned i = 0; i < 12; i++) {
		assert_true(h_poll(&H, 0) == t0 + gaps_ms[i] * MS);
		H.now = t0 + gaps_ms[i] * MS;
		t0 = H.now;
		h_poll(&H, 0);
		f = expect(0, CNET_F_DATA | CNET_F_ACK);
		assert_int_equal(h_info(f).seq, 1);
		if (i < 11)
			h_drop(f);
		assert_int_equal(H.nevents, i >= 7 ? 1 : 0); /* 8 in a row */
	}
	assert_int_equal(H.events[0].ev.kind, CNET_PEER_UNREACHABLE);
	assert_int_equal(H.events[0].peer, 1);
	st = h_stats(&H, 0, 1);
	assert_int_equal(st.timeouts, 12);
	assert_int_equal(st.retransmits, 12);
	assert_int_equal(st.rto_ns, 1000 * MS);
	/* The 13th copy arrives; its ack gives no sample (Karn): the RTO
	 * stays backed off. */
	h_feed(&H, f);
	H.now += 200 * US;
	h_poll(&H, 1);
	h_feed(&H, expect(1, CNET_F_ACK));
	st = h_stats(&H, 0, 1);
	assert_int_equal(st.srtt_ns, 1); /* the handshake's (0 ns, as 1) */
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
	assert_int_equal(st.srtt_ns, 25000);   /* (7 * 1 + 200000) / 8 */
	assert_int_equal(st.rttvar_ns, 49999); /* (0 + 199999) / 4 */
	assert_int_equal(st.rto_ns, 1 * MS);   /* backoff over */
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
	connect_rtt(100 * US); /* srtt 100 us: resend a hole after 125 us */
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
	assert_int_equal(h_info(a).seq, 1); /* message "2" */
	assert_null(h_take(&H));	    /* only the hole */
	st = h_stats(&H, 0, 1);
	assert_int_equal(st.fast_retransmits, 1);
	assert_int_equal(st.retransmits, 1);
	assert_int_equal(st.timeouts, 0);
	h_feed(&H, a);
	h_poll(&H, 1);
	h_feed(&H, expect(1, CNET_F_ACK));
	assert_int_equal(h_stats(&H, 0, 1).inflight, 0);
	assert_int_equal(H.nmsgs, 3);
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
