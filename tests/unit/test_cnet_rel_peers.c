/*
 * tests/unit/test_cnet_rel_peers.c — the reliability layer frame by frame,
 * continued (see test_cnet_rel.c): peer reboots and stale frames, fencing,
 * datagrams, sends to ourselves, every error return, allocation failures,
 * a hostile (authenticated) peer and a NIC that refuses frames.
 */
#include "tests/unit/cnet_rel_manual.h"
#include "tests/unit/test_cnet_rel.h"

void test_peer_reboot(void **state)
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

void test_we_rebooted(void **state)
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

void test_fence(void **state)
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

void test_datagrams(void **state)
{
	static uint8_t big[1437];
	struct hframe *f;

	(void)state;
	h_setup(&H, 3, 1500);
	h_start(&H, 0, EA);
	h_start(&H, 1, EB);
	h_start(&H, 2, EB + 1);
	H.on_dgram = on_dgram;
	assert_int_equal(
	    cnet_rel_send_dgram(&H.node[0].rel, CNET_NODE_BCAST, 77, "beat", 4),
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
	assert_int_equal(cnet_rel_peer_stats(&H.node[1].rel, 0,
					     &(struct cnet_peer_stats){0}),
			 -ENOENT);
	assert_int_equal(cnet_rel_send_dgram(&H.node[0].rel, 2, 1, big, 1436),
			 0);
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
		assert_int_equal(
		    cnet_rel_send_dgram(&H.node[0].rel, 1, 5, "q", 1), 0);
		assert_int_equal(h_feed(&H, take()), -ENOENT);
		assert_int_equal(H.node[1].rel.drops.unknown_service, 1);
		H.node[1].rel.ops = &h_ops;
	}
	teardown_h();
}

void test_dgram_stale(void **state)
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
	assert_int_equal(h_feed(&H, h_forge(&H, 0, 1, &fi, "x", 1)),
			 -ECANCELED);
	fi.dst_epoch = EB;
	assert_int_equal(h_feed(&H, h_forge(&H, 0, 1, &fi, "x", 1)), 0);
	teardown_h();
}

void test_self_send(void **state)
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
	assert_int_equal(cnet_rel_sendv(&H.node[0].rel, 0, 5, iov, 3, H.now),
			 0);
	assert_int_equal(H.nmsgs, 2);
	assert_int_equal(H.msgs[1].len, 5);
	assert_memory_equal(H.msgs[1].data, "abcde", 5);
	assert_int_equal(cnet_rel_sendv(&H.node[0].rel, 0, 5, iov, 0, H.now),
			 0);
	assert_int_equal(H.msgs[2].len, 0);
	assert_null(h_take(&H));
	/* Gathered to a peer. */
	assert_int_equal(cnet_rel_sendv(&H.node[0].rel, 1, 6, iov, 3, H.now),
			 0);
	h_pump(&H);
	assert_int_equal(H.msgs[3].node, 1);
	assert_memory_equal(H.msgs[3].data, "abcde", 5);
	teardown_h();
}

void test_config_and_errors(void **state)
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
		assert_int_equal(cnet_rel_init(&r, &c, &h_ops, &H.node[0]),    \
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

void test_alloc_failures(void **state)
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
void test_hostile_peer(void **state)
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
void test_tx_failure(void **state)
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
