/*
 * tests/fuzz/fuzz_cnet_rel.c — libFuzzer target of the reliability layer's
 * receive path (net/cnet_rel*.c): node 1 of four, fed a script of
 * operations decoded from the input.
 *
 * Operations (first byte of each, modulo 10): a raw frame; an authentic
 * frame (valid MAC) with fields drawn from the input — epochs from a small
 * set so handshakes, reboots and stale frames happen, sequence and ack
 * numbers near the receiver's own so they land in its window; a whole
 * fragmented message sent in order as a correct peer would; time passing
 * (timers run); a message or datagram sent by node 1; a peer fenced;
 * the next few allocations failing.
 * Delivered messages sometimes answer from inside the callback.
 * Checked after every operation: bytes held per peer within rx_buf, queued
 * within tx_buf, total memory bounded, messages no longer than max_msg;
 * at the end every byte allocated is freed by cnet_rel_destroy.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/errno.h"
#include "net/cnet_rel.h"
#include "net/cnet_rel_priv.h"

#define CHECK(cond)                                                            \
	do {                                                                   \
		if (!(cond))                                                   \
			abort();                                               \
	} while (0)

#define SELF	   1
#define SELF_EPOCH 0x5e1f5e1fu
#define MAX_MSG	   8192
#define RX_BUF	   16384
#define TX_BUF	   16384

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct rd {
	const uint8_t *p;
	size_t n;
};

static uint8_t u8(struct rd *r)
{
	if (!r->n)
		return 0;
	r->n--;
	return *r->p++;
}

static uint16_t u16(struct rd *r)
{
	return (uint16_t)(u8(r) | u8(r) << 8);
}

static uint32_t u32(struct rd *r)
{
	return u16(r) | (uint32_t)u16(r) << 16;
}

static int64_t alloc_bytes;
static unsigned fail_next; /* allocations to refuse */
static struct cnet_rel R;
static uint64_t now;
static uint8_t scratch[CNET_ETH_HLEN + CNET_MTU_MAX];

static void *f_alloc(void *ctx, size_t size)
{
	(void)ctx;
	if (fail_next) {
		fail_next--;
		return NULL;
	}
	alloc_bytes += (int64_t)size;
	return malloc(size ? size : 1);
}

static void f_free(void *ctx, void *p, size_t size)
{
	(void)ctx;
	alloc_bytes -= (int64_t)size;
	free(p);
}

static int f_tx(void *ctx, int peer, const void *frame, size_t len)
{
	(void)ctx;
	CHECK(len >= CNET_FRAME_OVERHEAD && len <= CNET_ETH_HLEN + 1500);
	CHECK(peer == CNET_NODE_BCAST ||
	      (peer >= 0 && peer < 4 && peer != SELF));
	(void)frame;
	return 0;
}

static void f_deliver(void *ctx, int peer, uint16_t service, const void *msg,
		      size_t len)
{
	(void)ctx;
	CHECK(len <= MAX_MSG);
	/* Answer some, from inside the callback (allowed). */
	if (len && (((const uint8_t *)msg)[0] & 1) && peer != SELF)
		cnet_rel_send(&R, peer, service, msg, len / 2, now);
}

static void f_dgram(void *ctx, const struct cnet_dgram_info *info,
		    const void *msg, size_t len)
{
	(void)ctx;
	(void)msg;
	CHECK(len <= 1500 - CNET_HDR_LEN);
	CHECK(info->dst_node == SELF || info->dst_node == CNET_NODE_BCAST);
}

static void f_event(void *ctx, int peer, const struct cnet_peer_event *ev)
{
	(void)ctx;
	CHECK(peer >= 0 && peer < 4 && peer != SELF);
	if (ev->kind == CNET_PEER_UP || ev->kind == CNET_PEER_RESET)
		cnet_rel_send(&R, peer, 1, "hi", 2, now);
}

static const struct cnet_rel_ops ops = {
    .tx = f_tx,
    .deliver = f_deliver,
    .dgram = f_dgram,
    .peer_event = f_event,
    .alloc = f_alloc,
    .free = f_free,
};

static int pick_peer(struct rd *r)
{
	static const int peers[4] = {0, 2, 3, 0};

	return peers[u8(r) & 3];
}

static uint32_t peer_epoch(int peer, unsigned which)
{
	return 0xa0a00000u + (uint32_t)peer * 16 + (which & 1);
}

/* Frames are built with the largest MTU: too-long ones must be refused. */
static void inject(const struct cnet_frame_info *fi, const void *pl, size_t len)
{
	struct cnet_frame_params p = R.fp;
	int n;

	p.mtu = CNET_MTU_MAX;
	n = cnet_frame_encode(&p, fi, pl, len, scratch, sizeof(scratch));
	if (n > 0)
		cnet_rel_input(&R, scratch, (size_t)n, now);
}

static void authentic(struct rd *r)
{
	static const uint8_t kinds[6] = {CNET_F_DATA | CNET_F_ACK,
					 CNET_F_DATA | CNET_F_ACK,
					 CNET_F_ACK,
					 CNET_F_HELLO,
					 CNET_F_DGRAM,
					 0};
	static uint8_t pl[1500];
	struct cnet_frame_info fi;
	int peer = pick_peer(r);
	struct cnet_peer *p = R.peers[peer];
	uint8_t k = u8(r), e = u8(r);
	size_t len = u16(r) % 1500;

	memset(&fi, 0, sizeof(fi));
	fi.flags = kinds[k % 6] ? kinds[k % 6] : u8(r);
	fi.src_node = (uint16_t)(k & 0x80 ? u8(r) % 5 : peer);
	fi.dst_node = k & 0x40 ? CNET_NODE_BCAST : SELF;
	fi.src_epoch = (e & 3) == 3 ? u32(r) : peer_epoch(peer, e & 1);
	fi.dst_epoch = (e & 12) == 12 ? u32(r) : (e & 12) == 8 ? 0 : SELF_EPOCH;
	fi.window = e & 16 ? u32(r) : (uint32_t)u16(r) * 4;
	if (fi.flags & CNET_F_ACK) {
		uint32_t una = p ? p->snd_una : 1,
			 out = p ? p->snd_nxt - una : 0;

		fi.ack = una + u8(r) % (out + 2) - (e & 32 ? 1 : 0);
		fi.sack = e & 64 ? (uint64_t)u32(r) << 32 | u32(r) : 0;
		fi.seq = u32(r);
	}
	if (fi.flags & (CNET_F_DATA | CNET_F_DGRAM)) {
		fi.service = u8(r);
		fi.frag_count = (uint16_t)(1 + u8(r) % 8);
		fi.frag_index = (uint16_t)(u8(r) % (fi.frag_count + 1));
		fi.msg_len = u16(r) % (MAX_MSG + 2);
		if (len > fi.msg_len)
			len = fi.msg_len;
	}
	if (fi.flags & CNET_F_DATA)
		fi.seq = (p ? p->rcv_nxt : 1) + (uint32_t)(int8_t)u8(r);
	if (fi.flags == CNET_F_DGRAM) {
		fi.frag_index = 0;
		fi.frag_count = 1;
		fi.msg_len = (uint32_t)len;
	}
	if (!(fi.flags & (CNET_F_DATA | CNET_F_DGRAM)))
		len = 0;
	for (size_t i = 0; i < len; i++)
		pl[i] = u8(r);
	inject(&fi, pl, len);
}

/* A correct peer's message, in order from its next sequence number. */
static void whole_message(struct rd *r)
{
	static uint8_t msg[MAX_MSG];
	struct cnet_frame_info fi;
	int peer = pick_peer(r);
	struct cnet_peer *p = R.peers[peer];
	uint32_t len = u16(r) % (MAX_MSG + 1), fs = 1 + u16(r) % 1436, off = 0;
	uint16_t count = (uint16_t)(len ? (len + fs - 1) / fs : 1);
	uint8_t skip = u8(r);

	if (!p || !p->epoch)
		return;
	for (uint32_t i = 0; i < len; i++)
		msg[i] = (uint8_t)(i + skip);
	memset(&fi, 0, sizeof(fi));
	fi.flags = CNET_F_DATA | CNET_F_ACK;
	fi.service = 9;
	fi.src_epoch = p->epoch;
	fi.dst_epoch = SELF_EPOCH;
	fi.src_node = (uint16_t)peer;
	fi.dst_node = SELF;
	fi.frag_count = count;
	fi.msg_len = len;
	fi.ack = p->snd_una;
	fi.window = RX_BUF;
	for (uint16_t i = 0; i < count; i++, off += fs) {
		uint32_t n = len - off < fs ? len - off : fs;

		fi.frag_index = i;
		fi.seq = p->rcv_nxt + (skip & 1 ? count - 1u - i : i);
		if (skip & 2 && i == 0)
			continue; /* a hole */
		inject(&fi, msg + off, n);
	}
}

static void check(void)
{
	int64_t bound = 64 * 1024;

	for (int i = 0; i < 4; i++) {
		struct cnet_peer *p = R.peers[i];

		if (!p)
			continue;
		CHECK(cnet_rel_rx_used(p) <= RX_BUF);
		CHECK(p->tx_bytes <= TX_BUF);
		CHECK(p->snd_nxt - p->snd_una <= CNET_REL_WND);
		bound += (int64_t)sizeof(*p) + RX_BUF + MAX_MSG + TX_BUF +
			 CNET_REL_WND * 32 + 64 * 32;
	}
	CHECK(alloc_bytes <= bound);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cnet_rel_config cfg;
	struct rd r = {data, size};
	static uint8_t buf[9000];

	cnet_rel_config_default(&cfg);
	cnet_key_derive(&cfg.key, "fuzz", 4);
	cfg.cluster_id = 0x554e554d;
	cfg.epoch = SELF_EPOCH;
	cfg.self = SELF;
	cfg.max_nodes = 4;
	cfg.max_msg = MAX_MSG;
	cfg.rx_buf = RX_BUF;
	cfg.tx_buf = TX_BUF;
	now = 1000000000;
	CHECK(cnet_rel_init(&R, &cfg, &ops, NULL) == 0);
	while (r.n) {
		uint8_t op = u8(&r) % 10;
		int peer;
		size_t len;

		switch (op) {
		case 0: /* raw bytes */
			len = u16(&r) % 1600;
			if (len > r.n)
				len = r.n;
			memcpy(buf, r.p, len);
			r.p += len;
			r.n -= len;
			cnet_rel_input(&R, buf, len, now);
			break;
		case 1:
		case 2:
		case 3:
			authentic(&r);
			break;
		case 4:
			whole_message(&r);
			break;
		case 5:
			now += (uint64_t)u16(&r) * 1000;
			cnet_rel_poll(&R, now);
			break;
		case 6:
			peer = u8(&r) % 5 - 1;
			len = u16(&r) % (MAX_MSG + 2);
			memset(buf, (int)len, len);
			cnet_rel_send(&R, peer, 3, buf, len, now);
			break;
		case 7:
			cnet_rel_peer_reset(&R, pick_peer(&r));
			break;
		case 8:
			peer = u8(&r) & 1 ? CNET_NODE_BCAST : pick_peer(&r);
			cnet_rel_send_dgram(&R, peer, 4, buf, u16(&r) % 1500);
			break;
		case 9: /* memory runs out for a while */
			fail_next = u8(&r) % 4;
			break;
		}
		check();
	}
	fail_next = 0;
	cnet_rel_destroy(&R);
	CHECK(alloc_bytes == 0);
	return 0;
}
