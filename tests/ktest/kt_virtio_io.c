/*
 * tests/ktest/kt_virtio_io.c — virtio-net traffic between the two NICs of
 * tests/qemu/net-loopback (joined by one QEMU hub: what eth0 sends, eth1
 * receives, and back). Every frame carries a sequence number, its length
 * and a pattern, all checked on arrival: exact bytes, order and counters
 * for small, 1500-byte and jumbo frames; bursts several times larger than
 * the rings (receive refill, transmit reclaim and waiting); receive
 * buffers held by the receiver (no reuse, no delivery without buffers,
 * refill on give-back, double give-back refused); frames with no handler.
 * BENCH(virtio_echo): raw frame round trip, 64 B and a 4 KiB payload.
 */
#include "drivers/netdev.h"
#include "drivers/virtio_net.h"
#include "kernel/errno.h"
#include "kernel/kstring.h"
#include "kernel/ktest.h"
#include "kernel/log.h"
#include "kernel/sync.h"
#include "kernel/thread.h"
#include "kernel/time.h"

/* 0x88B6, IEEE local experimental 2 (the cluster transport has 0x88B5). */
#define ETYPE_HI 0x88
#define ETYPE_LO 0xb6
#define HDR_MIN	 22 /* Ethernet header, sequence, length */
#define MAXHOLD	 300
#define MAXSEEN	 1024
#define WAIT_NS	 (2 * NSEC_PER_SEC)

/* What one NIC's handler saw. Written by the handler (the NIC's thread),
 * read by the test after the semaphore or an atomic count says so. */
struct rxlog {
	struct netdev *nd, *peer; /* receiver, expected sender */
	struct semaphore sem;	  /* up per test frame */
	unsigned count;		  /* (a) test frames */
	unsigned other;		  /* (a) frames of other EtherTypes */
	uint32_t next_seq;
	size_t last_len;
	bool hold;	    /* (a) keep the buffers */
	bool any_order;	    /* sequence numbers may come in any order, once */
	unsigned reordered; /* with any_order: frames out of sequence (info) */
	uint8_t seen[MAXSEEN / 8]; /* with any_order: sequence numbers seen */
	unsigned nheld;
	void *held[MAXHOLD];
	char why[160]; /* the first problem, "" if none */
};
static struct rxlog logs[2];
static uint8_t txbuf[ETH_HLEN + ETH_MTU_JUMBO];

static void put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4);
}
static uint32_t get32(const uint8_t *p)
{
	uint32_t v;
	memcpy(&v, p, 4);
	return v;
}
static uint8_t pat(uint32_t seq, size_t k)
{
	return (uint8_t)(seq * 131u + k * 7u + (k >> 8));
}

static void fill(uint8_t *f, const struct netdev *from, const struct netdev *to,
		 uint32_t seq, size_t len)
{
	memcpy(f, to->mac, ETH_ALEN);
	memcpy(f + ETH_ALEN, from->mac, ETH_ALEN);
	f[12] = ETYPE_HI;
	f[13] = ETYPE_LO;
	if (len < HDR_MIN)
		return;
	put32(f + 14, seq);
	put32(f + 18, (uint32_t)len);
	for (size_t k = HDR_MIN; k < len; k++)
		f[k] = pat(seq, k);
}

/* Checks a test frame against what l expects; the first problem goes to
 * l->why. */
static void check_frame(struct rxlog *l, const uint8_t *f, size_t len)
{
	const char *what = NULL;
	size_t bad = 0;
	uint32_t seq = len >= HDR_MIN ? get32(f + 14) : l->next_seq;
	if (memcmp(f, l->nd->mac, ETH_ALEN))
		what = "destination MAC";
	else if (memcmp(f + ETH_ALEN, l->peer->mac, ETH_ALEN))
		what = "source MAC";
	else if (len >= HDR_MIN && get32(f + 18) != len)
		what = "length field";
	else if (!l->any_order && seq != l->next_seq)
		what = "sequence (out of order or lost)";
	else if (l->any_order &&
		 (seq >= MAXSEEN || (l->seen[seq / 8] >> (seq % 8)) & 1))
		what = "sequence (a duplicate)";
	if (!what && l->any_order && seq != l->next_seq)
		l->reordered++;
	for (size_t k = HDR_MIN; !what && k < len; k++)
		if (f[k] != pat(seq, k)) {
			what = "payload byte";
			bad = k;
		}
	if (what && !l->why[0])
		ksnprintf(l->why, sizeof(l->why),
			  "%s: frame %u (%zu bytes, seq "
			  "%u, expected %u): bad %s at %zu",
			  l->nd->name, l->count, len, seq, l->next_seq, what,
			  bad);
	if (l->any_order && seq < MAXSEEN)
		l->seen[seq / 8] |= (uint8_t)(1u << (seq % 8));
	l->next_seq = seq + 1;
}

static void rx_handler(struct netdev *nd, void *frame, size_t len, void *ctx)
{
	struct rxlog *l = ctx;
	const uint8_t *f = frame;
	if (len < ETH_HLEN || f[12] != ETYPE_HI || f[13] != ETYPE_LO) {
		__atomic_fetch_add(&l->other, 1, __ATOMIC_RELAXED);
		netdev_rx_done(nd, frame);
		return;
	}
	check_frame(l, f, len);
	l->last_len = len;
	if (__atomic_load_n(&l->hold, __ATOMIC_ACQUIRE) && l->nheld < MAXHOLD) {
		l->held[l->nheld++] = frame;
	} else {
		int rc = netdev_rx_done(nd, frame);
		if (rc && !l->why[0])
			ksnprintf(l->why, sizeof(l->why), "rx_done gave %d",
				  rc);
	}
	__atomic_fetch_add(&l->count, 1, __ATOMIC_RELEASE);
	sem_up(&l->sem);
}

static bool wait_for(struct rxlog *l, unsigned n, uint64_t timeout_ns)
{
	uint64_t end = clock_ns() + timeout_ns;
	while (__atomic_load_n(&l->count, __ATOMIC_ACQUIRE) < n) {
		uint64_t now = clock_ns();
		if (now >= end)
			return false;
		sem_down(&l->sem, end - now);
	}
	return true;
}

#define EXPECT_CLEAN(l)                                                        \
	do {                                                                   \
		if ((l)->why[0]) {                                             \
			ktest_fail(ctx, __FILE__, __LINE__, "%s", (l)->why);   \
			ktest_abort(ctx);                                      \
		}                                                              \
	} while (0)

static struct netdev *nic(struct ktest_ctx *ctx, int i)
{
	struct netdev *nd = netdev_get(i);
	if (!nd || !virtio_net_dev(nd)) {
		ktest_fail(
		    ctx, __FILE__, __LINE__,
		    "needs two virtio-net NICs "
		    "(run under tests/qemu/net-loopback); have %d NIC(s)",
		    netdev_count());
		ktest_abort(ctx);
	}
	return nd;
}

/* Fresh logs and handlers on both NICs; buffers an aborted test still
 * held are given back. */
static void prepare(struct ktest_ctx *ctx, struct netdev *nd[2])
{
	for (int i = 0; i < 2; i++)
		nd[i] = nic(ctx, i);
	for (int i = 0; i < 2; i++) {
		struct rxlog *l = &logs[i];
		netdev_set_rx_handler(nd[i], NULL, NULL);
		for (unsigned k = 0; k < l->nheld; k++)
			netdev_rx_done(nd[i], l->held[k]);
		memset(l, 0, sizeof(*l));
		l->nd = nd[i];
		l->peer = nd[1 - i];
		sem_init(&l->sem, 0);
	}
	for (int i = 0; i < 2; i++)
		netdev_set_rx_handler(nd[i], rx_handler, &logs[i]);
}

static void finish(struct netdev *nd[2])
{
	for (int i = 0; i < 2; i++)
		netdev_set_rx_handler(nd[i], NULL, NULL);
}

static int send(struct netdev *from, struct netdev *to, uint32_t seq,
		size_t len)
{
	fill(txbuf, from, to, seq, len);
	return netdev_xmit_wait(from, txbuf, len, WAIT_NS);
}

static uint32_t min_mtu(struct netdev *nd[2])
{
	return nd[0]->mtu < nd[1]->mtu ? nd[0]->mtu : nd[1]->mtu;
}

KTEST(virtio, loopback_small_1500_jumbo)
{
	struct netdev *nd[2];
	struct netdev_stats tx0, rx0, tx1, rx1;
	prepare(ctx, nd);
	size_t sizes[] = {14, 22, 60, 64, 1514, ETH_HLEN + min_mtu(nd)};
	for (int dir = 0; dir < 2; dir++) {
		struct netdev *from = nd[dir], *to = nd[1 - dir];
		struct rxlog *l = &logs[1 - dir];
		for (unsigned i = 0; i < sizeof(sizes) / sizeof(sizes[0]);
		     i++) {
			netdev_get_stats(from, &tx0);
			netdev_get_stats(to, &rx0);
			fill(txbuf, from, to, i, sizes[i]);
			KT_EQ(netdev_xmit(from, txbuf, sizes[i]), 0);
			KT_ASSERT(wait_for(l, i + 1, WAIT_NS));
			EXPECT_CLEAN(l);
			KT_EQ(l->last_len, sizes[i]);
			netdev_get_stats(from, &tx1);
			netdev_get_stats(to, &rx1);
			KT_EQ(tx1.tx_frames - tx0.tx_frames, 1);
			KT_EQ(tx1.tx_bytes - tx0.tx_bytes, sizes[i]);
			KT_EQ(rx1.rx_frames - rx0.rx_frames, 1);
			KT_EQ(rx1.rx_bytes - rx0.rx_bytes, sizes[i]);
			KT_EQ(rx1.rx_errors, rx0.rx_errors);
		}
	}
	KT_EQ(logs[0].other + logs[1].other, 0);
	finish(nd);
}

KTEST(virtio, xmit_refused_and_counted)
{
	struct netdev *nd[2];
	struct netdev_stats s0, s1;
	prepare(ctx, nd);
	struct netdev *a = nd[0];
	netdev_get_stats(a, &s0);
	fill(txbuf, a, nd[1], 0, ETH_HLEN + a->mtu + 1);
	KT_EQ(netdev_xmit(a, txbuf, 0), -EINVAL);
	KT_EQ(netdev_xmit(a, txbuf, ETH_HLEN - 1), -EINVAL);
	KT_EQ(netdev_xmit(a, txbuf, ETH_HLEN + a->mtu + 1), -E2BIG);
	KT_EQ(netdev_xmit_wait(a, txbuf, ETH_HLEN + a->mtu + 1, WAIT_NS),
	      -E2BIG);
	netdev_get_stats(a, &s1);
	KT_EQ(s1.tx_errors - s0.tx_errors, 4);
	KT_EQ(s1.tx_frames, s0.tx_frames);
	/* Not receive buffers: refused, nothing changes. */
	KT_EQ(netdev_rx_done(a, txbuf), -EINVAL);
	KT_EQ(netdev_rx_done(a, NULL), -EINVAL);
	KT_EQ(logs[1].count, 0);
	finish(nd);
}

/*
 * n frames from -> to, lengths from len_of(i), sequence numbers 0..n-1;
 * checks every byte and counter. With window > 0 the sender never has more
 * than `window` frames unreceived, so the receive ring never runs dry and
 * the frames must arrive in order. With window 0 it sends as fast as the
 * transmit ring allows (waiting for reclaimed buffers); the receive ring
 * may then run dry, QEMU holds frames back and its hub may deliver them
 * out of order (it flushes the sending port's queue before the receiving
 * NIC's), so each frame must arrive exactly once, in any order.
 */
static void burst(struct ktest_ctx *ctx, struct netdev *from, struct netdev *to,
		  struct rxlog *l, unsigned n,
		  size_t (*len_of)(unsigned, uint32_t), uint32_t mtu,
		  unsigned window)
{
	struct netdev_stats tx0, rx0, tx1, rx1;
	uint64_t bytes = 0;
	KT_ASSERT(n <= MAXSEEN);
	netdev_get_stats(from, &tx0);
	netdev_get_stats(to, &rx0);
	unsigned base = l->count; /* nothing is in flight between bursts */
	memset(l->seen, 0, sizeof(l->seen));
	l->next_seq = 0;
	l->reordered = 0;
	l->any_order = window == 0;
	for (unsigned i = 0; i < n; i++) {
		size_t len = len_of(i, mtu);
		if (window && i >= window)
			KT_ASSERT(wait_for(l, base + i - window + 1, WAIT_NS));
		KT_EQ(send(from, to, i, len), 0);
		bytes += len;
	}
	KT_ASSERT(wait_for(l, base + n, 10 * NSEC_PER_SEC));
	EXPECT_CLEAN(l);
	KT_EQ(l->count, base + n);
	if (window)
		KT_EQ(l->next_seq, n);
	else
		for (unsigned i = 0; i < n; i++)
			KT_EQ((l->seen[i / 8] >> (i % 8)) & 1, 1);
	l->any_order = false;
	netdev_get_stats(from, &tx1);
	netdev_get_stats(to, &rx1);
	KT_EQ(tx1.tx_frames - tx0.tx_frames, n);
	KT_EQ(tx1.tx_bytes - tx0.tx_bytes, bytes);
	KT_EQ(rx1.rx_frames - rx0.rx_frames, n);
	KT_EQ(rx1.rx_bytes - rx0.rx_bytes, bytes);
	KT_EQ(rx1.rx_errors, rx0.rx_errors);
	KT_EQ(rx1.rx_dropped, rx0.rx_dropped);
	if (!to->polled)
		KT_ASSERT(rx1.irqs > rx0.irqs);
}

static size_t mixed_len(unsigned i, uint32_t mtu)
{
	(void)mtu;
	return 60 + (i * 97u) % (1514 - 60 + 1);
}
static size_t full_len(unsigned i, uint32_t mtu)
{
	(void)i;
	return ETH_HLEN + mtu;
}

KTEST(virtio, burst_beyond_rings)
{
	struct netdev *nd[2];
	prepare(ctx, nd);
	/* Three times the receive ring and more: every buffer is refilled
	 * and every transmit slot reclaimed several times over. */
	unsigned n = 3 * nd[1]->rx_buffers + 17, j = 2 * nd[0]->rx_buffers + 5;
	uint32_t mtu = min_mtu(nd);
	unsigned win = nd[1]->rx_buffers / 2;
	burst(ctx, nd[0], nd[1], &logs[1], n, mixed_len, mtu, win);
	burst(ctx, nd[0], nd[1], &logs[1], n, mixed_len, mtu, 0);
	burst(ctx, nd[1], nd[0], &logs[0], j, full_len, mtu, win);
	burst(ctx, nd[1], nd[0], &logs[0], j, full_len, mtu, 0);
	KT_EQ(logs[0].other + logs[1].other, 0);
	finish(nd);
}

KTEST(virtio, rx_buffers_held_then_refilled)
{
	struct netdev *nd[2];
	struct netdev_stats s0, s1;
	prepare(ctx, nd);
	struct netdev *a = nd[0], *b = nd[1];
	struct rxlog *l = &logs[1];
	unsigned r = b->rx_buffers, extra = 20;
	KT_ASSERT(r + 1 <= MAXHOLD && r + extra <= MAXSEEN);
	__atomic_store_n(&l->hold, true, __ATOMIC_RELEASE);
	netdev_get_stats(b, &s0);
	for (unsigned i = 0; i < r + extra; i++)
		KT_EQ(send(a, b, i, 64 + i % 512), 0);
	/* Every buffer is held: exactly r frames arrive, the rest wait. */
	KT_ASSERT(wait_for(l, r, WAIT_NS));
	thread_sleep_ns(50 * NSEC_PER_MSEC);
	KT_EQ(__atomic_load_n(&l->count, __ATOMIC_ACQUIRE), r);
	EXPECT_CLEAN(l);
	netdev_get_stats(b, &s1);
	KT_ASSERT(s1.rx_no_buffer > s0.rx_no_buffer);
	/* Held buffers are distinct and untouched by later traffic. */
	for (unsigned i = 0; i < r; i++) {
		const uint8_t *f = l->held[i];
		KT_EQ(get32(f + 14), i);
		KT_EQ(get32(f + 18), 64 + i % 512);
		for (size_t k = HDR_MIN; k < 64 + i % 512; k++)
			KT_EQ(f[k], pat(i, k));
		KT_EQ(((uintptr_t)f + ETH_HLEN) % 16, 0);
		if (i)
			KT_ASSERT(l->held[i] != l->held[i - 1]);
	}
	/* The device is out of buffers: QEMU holds the other frames back and,
	 * when buffers return, may deliver them out of order (its hub flushes
	 * the sending port's queue before the receiving NIC's). From here on
	 * each must arrive exactly once, in any order. */
	l->any_order = true;
	for (unsigned i = 0; i < r; i++)
		l->seen[i / 8] |= (uint8_t)(1u << (i % 8));
	/* Not a held buffer's frame pointer: refused, nothing changes. */
	KT_EQ(netdev_rx_done(b, (uint8_t *)l->held[1] + 1), -EINVAL);
	KT_EQ(netdev_rx_done(b, (uint8_t *)l->held[1] - 1), -EINVAL);
	KT_EQ(netdev_rx_done(a, l->held[1]), -EINVAL); /* the other NIC's */
	/* One back: exactly one more frame arrives (and is held). */
	KT_EQ(netdev_rx_done(b, l->held[0]), 0);
	KT_ASSERT(wait_for(l, r + 1, WAIT_NS));
	thread_sleep_ns(20 * NSEC_PER_MSEC);
	KT_EQ(__atomic_load_n(&l->count, __ATOMIC_ACQUIRE), r + 1);
	/* No frame can arrive now (no buffer posted): stop holding, give
	 * all back; the rest arrive in order. */
	__atomic_store_n(&l->hold, false, __ATOMIC_RELEASE);
	unsigned nheld = l->nheld;
	KT_EQ(nheld, r + 1);
	for (unsigned i = 1; i < nheld; i++)
		KT_EQ(netdev_rx_done(b, l->held[i]), 0);
	l->nheld = 0;
	KT_ASSERT(wait_for(l, r + extra, WAIT_NS));
	EXPECT_CLEAN(l);
	for (unsigned i = 0; i < r + extra; i++)
		KT_EQ((l->seen[i / 8] >> (i % 8)) & 1, 1);
	l->any_order = false;
	l->next_seq = r + extra;
	/* Every buffer is posted again: a full ring's worth flows. */
	burst(ctx, a, b, l, r, mixed_len, min_mtu(nd), r / 2);
	/* Given back twice: the second is refused (with nothing else in
	 * flight, so the buffer cannot have been filled again meanwhile). */
	__atomic_store_n(&l->hold, true, __ATOMIC_RELEASE);
	l->nheld = 0;
	l->next_seq = 0;
	unsigned before = l->count;
	KT_EQ(send(a, b, 0, 100), 0);
	KT_ASSERT(wait_for(l, before + 1, WAIT_NS));
	EXPECT_CLEAN(l);
	KT_EQ(l->nheld, 1);
	void *f = l->held[0];
	l->nheld = 0;
	KT_EQ(netdev_rx_done(b, f), 0);
	KT_EQ(netdev_rx_done(b, f), -EINVAL);
	finish(nd);
}

KTEST(virtio, no_handler_drops_and_recycles)
{
	struct netdev *nd[2];
	struct netdev_stats s0, s1;
	prepare(ctx, nd);
	struct netdev *a = nd[0], *b = nd[1];
	netdev_set_rx_handler(b, NULL, NULL);
	netdev_get_stats(b, &s0);
	/* More than a ring: dropped buffers must come back to the device. */
	unsigned n = b->rx_buffers + 10;
	for (unsigned i = 0; i < n; i++)
		KT_EQ(send(a, b, i, 60), 0);
	uint64_t t0 = clock_ns();
	do {
		netdev_get_stats(b, &s1);
		if (s1.rx_frames - s0.rx_frames >= n)
			break;
		thread_sleep_ns(NSEC_PER_MSEC);
	} while (clock_ns() - t0 < WAIT_NS);
	KT_EQ(s1.rx_frames - s0.rx_frames, n);
	KT_EQ(s1.rx_dropped - s0.rx_dropped, n);
	KT_EQ(logs[1].count, 0);
	netdev_set_rx_handler(b, rx_handler, &logs[1]);
	KT_EQ(send(a, b, 0, 1514), 0);
	KT_ASSERT(wait_for(&logs[1], 1, WAIT_NS));
	EXPECT_CLEAN(&logs[1]);
	finish(nd);
}

/* ---- BENCH(virtio_echo)
 * ----------------------------------------------------------- */

#define ECHO_N	  2000
#define ECHO_WARM 50
static struct semaphore echo_sem;
static uint64_t rtt[ECHO_N];

/* eth1: send the frame straight back (swapping the MACs in place: the
 * buffer is ours until rx_done). */
static void echo_back(struct netdev *nd, void *frame, size_t len, void *ctx)
{
	(void)ctx;
	uint8_t *f = frame, tmp[ETH_ALEN];
	memcpy(tmp, f, ETH_ALEN);
	memcpy(f, f + ETH_ALEN, ETH_ALEN);
	memcpy(f + ETH_ALEN, tmp, ETH_ALEN);
	netdev_xmit_wait(nd, frame, len, NSEC_PER_SEC);
	netdev_rx_done(nd, frame);
}

static void echo_arrived(struct netdev *nd, void *frame, size_t len, void *ctx)
{
	(void)len;
	(void)ctx;
	netdev_rx_done(nd, frame);
	sem_up(&echo_sem);
}

static void echo_run(struct netdev *a, struct netdev *b, size_t len,
		     const char *name)
{
	char key[48];
	fill(txbuf, a, b, 0, len);
	for (int i = -ECHO_WARM; i < ECHO_N; i++) {
		uint64_t t0 = clock_ns();
		if (netdev_xmit_wait(a, txbuf, len, NSEC_PER_SEC) ||
		    sem_down(&echo_sem, NSEC_PER_SEC)) {
			kprintf("bench: %s failed: no echo within 1 s\n", name);
			return;
		}
		if (i >= 0)
			rtt[i] = clock_ns() - t0;
	}
	for (int i = 1; i < ECHO_N; i++) /* insertion sort */
		for (int j = i; j > 0 && rtt[j - 1] > rtt[j]; j--) {
			uint64_t t = rtt[j];
			rtt[j] = rtt[j - 1];
			rtt[j - 1] = t;
		}
	bench_report(name, rtt[ECHO_N / 2], "ns");
	ksnprintf(key, sizeof(key), "%s_min", name);
	bench_report(key, rtt[0], "ns");
	ksnprintf(key, sizeof(key), "%s_p99", name);
	bench_report(key, rtt[ECHO_N * 99 / 100], "ns");
}

/* Round trip of one raw frame eth0 -> eth1 -> eth0 (median, min, p99 of
 * 2000): a 64-byte frame and a frame with a 4 KiB payload (jumbo MTU). */
BENCH(virtio_echo)
{
	struct netdev *a = netdev_get(0), *b = netdev_get(1);
	if (!virtio_net_dev(a) || !virtio_net_dev(b)) {
		kprintf("bench: virtio_echo skipped: needs two virtio-net NICs "
			"(tests/qemu/net-loopback)\n");
		return;
	}
	sem_init(&echo_sem, 0);
	netdev_set_rx_handler(b, echo_back, NULL);
	netdev_set_rx_handler(a, echo_arrived, NULL);
	echo_run(a, b, 64, "virtio_echo_64");
	if (a->mtu >= 4096 && b->mtu >= 4096)
		echo_run(a, b, ETH_HLEN + 4096, "virtio_echo_4k");
	else
		kprintf("bench: virtio_echo_4k skipped: MTU %u < 4096\n",
			a->mtu < b->mtu ? a->mtu : b->mtu);
	netdev_set_rx_handler(a, NULL, NULL);
	netdev_set_rx_handler(b, NULL, NULL);
}
