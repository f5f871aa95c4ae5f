/*
 * tests/unit/test_cnet_rel_sim.c — the reliability layer against a
 * simulated link (tests/unit/cnet_harness.c) that loses, duplicates, delays
 * and reorders frames, over thousands of seeded random schedules.
 *
 * Every flow (node s to node d) sends numbered messages of random sizes
 * (1 B .. 64 KiB, log-uniform, plus exact page and maximum sizes) whose
 * bytes are a function of (seed, s, d, incarnation, number). The receiver
 * checks each delivery: the next number, exactly once, in order, the right
 * service, byte-exact. After every step: bytes in flight within the window
 * the receiver advertised, bytes held within its budget. At the end: no
 * frame beyond a window ever sent, none dropped for lack of buffer, and
 * once everything is acked the link falls silent (no retransmission, no
 * deadline) even after 100 s more.
 *
 * Environment: CNET_SIM_SEEDS (default 2000) sets the number of random
 * schedules; CNET_SIM_SEED runs just that one seed (to reproduce a failure).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/cnet_harness.h"
#include "tests/unit/test_cnet_rel.h"

struct flow {
	uint32_t n;		 /* messages to send */
	uint32_t sent;		 /* accepted by cnet_rel_send */
	uint32_t got;		 /* next number the receiver expects */
	uint32_t tx_gen, rx_gen; /* sender's incarnation, as sent / expected */
	bool blocked;		 /* -EAGAIN: waiting for CNET_PEER_WRITABLE */
	bool have;		 /* buf holds message `sent` */
	size_t len;
	uint8_t *buf;
};

struct sim {
	uint64_t seed;
	struct flow f[H_MAXN][H_MAXN];
	uint8_t *scratch;
	uint64_t eagain, writable, resets, delivered;
	/* the restart scenario */
	int victim;		/* node that reboots, -1: none */
	uint32_t restart_after; /* deliveries to and from it first */
	bool restarted;
	uint32_t ups_after_restart;
};

static struct harness H;
static struct sim S;

static uint64_t mix(uint64_t z)
{
	z += 0x9e3779b97f4a7c15ull;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static uint64_t msg_key(int s, int d, uint32_t gen, uint32_t i)
{
	return mix(S.seed ^ ((uint64_t)s << 56) ^ ((uint64_t)d << 48) ^
		   ((uint64_t)gen << 32) ^ i);
}

static size_t msg_len(uint64_t key)
{
	uint64_t r = mix(key ^ 0x5151);
	unsigned bits = (unsigned)(r % 19);

	if (bits == 17)
		return 4096 + 12 + 16; /* a page with RPC and DSM headers */
	if (bits == 18)
		return 65536;
	return 1 + (size_t)((r >> 8) % (1ull << bits));
}

static void msg_fill(uint64_t key, uint8_t *b, size_t len)
{
	uint64_t x = key | 1;
	size_t i = 0;

	for (; i + 8 <= len; i += 8) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		memcpy(b + i, &x, 8);
	}
	for (; i < len; i++)
		b[i] = (uint8_t)(x >> (8 * (i & 7)));
}

static uint16_t msg_service(uint32_t i)
{
	return (uint16_t)(100 + (i & 0xff));
}

static void on_deliver(struct harness *h, int node, int peer, uint16_t service,
		       const void *msg, size_t len)
{
	struct flow *f = &S.f[peer][node];
	uint64_t key = msg_key(peer, node, f->rx_gen, f->got);
	size_t want = msg_len(key);

	(void)h;
	if (f->got >= f->n)
		fail_msg("seed %llu: %d->%d: message beyond the last",
			 (unsigned long long)S.seed, peer, node);
	if (len != want || service != msg_service(f->got))
		fail_msg("seed %llu: %d->%d message %u: len %zu service %u, "
			 "want %zu %u",
			 (unsigned long long)S.seed, peer, node, f->got, len,
			 service, want, msg_service(f->got));
	msg_fill(key, S.scratch, len);
	if (memcmp(msg, S.scratch, len))
		fail_msg("seed %llu: %d->%d message %u: bytes differ",
			 (unsigned long long)S.seed, peer, node, f->got);
	f->got++;
	S.delivered++;
}

static void on_event(struct harness *h, int node, int peer,
		     const struct cnet_peer_event *ev)
{
	struct flow *out = &S.f[node][peer], *in = &S.f[peer][node];

	(void)h;
	switch (ev->kind) {
	case CNET_PEER_WRITABLE:
		assert_true(out->blocked);
		out->blocked = false;
		S.writable++;
		break;
	case CNET_PEER_RESET:
		/* peer rebooted: what we had not seen acked is gone, the
		 * new incarnation expects our next message; its own
		 * messages start again at 0. */
		assert_int_equal(S.victim, peer);
		assert_true(S.restarted);
		assert_true(ev->dropped <= out->sent);
		assert_true(out->sent - ev->dropped <= out->got);
		out->got = out->sent;
		out->blocked = false;
		in->rx_gen = in->tx_gen;
		in->got = 0;
		S.resets++;
		break;
	case CNET_PEER_UP:
		if (S.restarted)
			S.ups_after_restart++;
		break;
	case CNET_PEER_UNREACHABLE:
		break;
	}
}

static void check_invariants(struct harness *h)
{
	for (int a = 0; a < h->n; a++) {
		for (int b = 0; b < h->n; b++) {
			struct cnet_peer_stats st;

			if (a == b || !h->node[a].up ||
			    cnet_rel_peer_stats(&h->node[a].rel, b, &st))
				continue;
			if (st.inflight > st.peer_window ||
			    st.rx_used > h->node[a].cfg.rx_buf)
				fail_msg("seed %llu: %d->%d inflight %u window "
					 "%u rx_used %u",
					 (unsigned long long)S.seed, a, b,
					 st.inflight, st.peer_window,
					 st.rx_used);
		}
	}
}

static void reboot_victim(struct harness *h)
{
	int v = S.victim;

	h_stop(h, v);
	h_start(h, v, (uint32_t)mix(S.seed ^ 0xe0e0) | 1);
	S.restarted = true;
	for (int d = 0; d < h->n; d++) {
		struct flow *f = &S.f[v][d];

		if (d == v)
			continue;
		f->tx_gen++;
		f->sent = 0;
		f->have = false;
		f->blocked = false;
	}
}

/* Every other node has had a message from the victim (so knows its
 * epoch), and restart_after messages went to or from it. */
static bool victim_known(struct harness *h)
{
	uint32_t total = 0;

	for (int o = 0; o < h->n; o++) {
		if (o == S.victim)
			continue;
		if (!S.f[S.victim][o].got)
			return false;
		total += S.f[S.victim][o].got + S.f[o][S.victim].got;
	}
	return total >= S.restart_after;
}

static void step(struct harness *h)
{
	check_invariants(h);
	if (S.victim >= 0 && !S.restarted && victim_known(h))
		reboot_victim(h);
	for (int s = 0; s < h->n; s++) {
		for (int d = 0; d < h->n; d++) {
			struct flow *f = &S.f[s][d];
			int rc;

			if (s == d)
				continue;
			while (f->sent < f->n && !f->blocked) {
				if (!f->have) {
					uint64_t k =
					    msg_key(s, d, f->tx_gen, f->sent);

					f->len = msg_len(k);
					msg_fill(k, f->buf, f->len);
					f->have = true;
				}
				rc = cnet_rel_send(&h->node[s].rel, d,
						   msg_service(f->sent), f->buf,
						   f->len, h->now);
				if (rc == -EAGAIN) {
					f->blocked = true;
					S.eagain++;
					break;
				}
				assert_int_equal(rc, 0);
				f->have = false;
				f->sent++;
			}
		}
	}
}

static bool all_done(struct harness *h)
{
	for (int s = 0; s < h->n; s++)
		for (int d = 0; d < h->n; d++)
			if (s != d && S.f[s][d].got < S.f[s][d].n)
				return false;
	return !(S.victim >= 0 && !S.restarted);
}

static bool quiet(struct harness *h)
{
	if (h->nheap)
		return false;
	for (int i = 0; i < h->n; i++)
		if (h_poll(h, i) != CNET_NEVER)
			return false;
	return true;
}

/* Runs one schedule; every flow sends n messages. */
static void run_one(uint64_t seed, int nodes, uint32_t n, unsigned max_loss,
		    int victim)
{
	static const uint32_t mtus[] = {1500, 9000, 1500, 9000, 600};
	static const uint32_t bufs[] = {65536, 131072, 262144};
	uint64_t r, tx_before;

	memset(&S, 0, sizeof(S));
	S.seed = seed;
	S.victim = victim;
	r = mix(seed);
	h_setup(&H, nodes, mtus[r % 5]);
	for (int i = 0; i < nodes; i++) {
		H.node[i].cfg.rx_buf = bufs[(r >> 8) % 3];
		H.node[i].cfg.tx_buf = bufs[(r >> 12) % 3];
		h_start(&H, i, (uint32_t)mix(seed + (uint64_t)i) | 1);
	}
	h_sim_start(&H, seed, (unsigned)((r >> 16) % (max_loss + 1)),
		    (unsigned)((r >> 28) % 101), (unsigned)((r >> 40) % 21));
	H.on_deliver = on_deliver;
	H.on_event = on_event;
	S.scratch = malloc(65536);
	for (int s = 0; s < nodes; s++)
		for (int d = 0; d < nodes; d++) {
			S.f[s][d].n = s == d ? 0 : n;
			S.f[s][d].buf = malloc(65536);
		}
	S.restart_after = 1 + (uint32_t)((r >> 48) % n);

	if (!h_sim_run(&H, all_done, step, H.now + 3600ull * 1000000000ull))
		fail_msg("seed %llu: stuck at %llu ns: flow 0->1 %u/%u/%u, "
			 "1->0 %u/%u/%u",
			 (unsigned long long)seed, (unsigned long long)H.now,
			 S.f[0][1].sent, S.f[0][1].got, n, S.f[1][0].sent,
			 S.f[1][0].got, n);
	/* Everything delivered: the acks settle, then silence. */
	assert_true(h_sim_run(&H, quiet, NULL, H.now + 60ull * 1000000000ull));
	tx_before = H.tx_total;
	H.now += 100ull * 1000000000ull;
	for (int i = 0; i < nodes; i++)
		assert_true(h_poll(&H, i) == CNET_NEVER);
	assert_true(H.tx_total == tx_before);
	for (int a = 0; a < nodes; a++) {
		for (int b = 0; b < nodes; b++) {
			struct cnet_peer_stats st;

			if (a == b)
				continue;
			assert_int_equal(
			    cnet_rel_peer_stats(&H.node[a].rel, b, &st), 0);
			if (st.inflight || st.tx_queued || st.rx_used ||
			    st.window_overruns || st.rx_nobuf ||
			    st.max_rx_used > H.node[a].cfg.rx_buf ||
			    st.bad_frag || st.out_of_window)
				fail_msg(
				    "seed %llu: %d->%d: inflight %u queued "
				    "%u rx_used %u overruns %llu nobuf "
				    "%llu max_rx %u",
				    (unsigned long long)seed, a, b, st.inflight,
				    st.tx_queued, st.rx_used,
				    (unsigned long long)st.window_overruns,
				    (unsigned long long)st.rx_nobuf,
				    st.max_rx_used);
		}
		if (H.node[a].rel.drops.bad_mac || H.node[a].rel.drops.bad_ack)
			fail_msg("seed %llu: unexpected drops",
				 (unsigned long long)seed);
	}
	if (victim >= 0) {
		assert_true(S.restarted);
		assert_int_equal(S.resets, nodes - 1);
	}
	free(S.scratch);
	for (int s = 0; s < nodes; s++)
		for (int d = 0; d < nodes; d++)
			free(S.f[s][d].buf);
	h_teardown(&H);
}

static unsigned env_uint(const char *name, unsigned def)
{
	const char *v = getenv(name);

	return v && *v ? (unsigned)strtoul(v, NULL, 0) : def;
}

void test_sim_random_schedules(void **state)
{
	unsigned seeds = env_uint("CNET_SIM_SEEDS", 2000);
	const char *one = getenv("CNET_SIM_SEED");
	uint64_t frames = 0, lost = 0, dups = 0, eagain = 0, writable = 0;

	(void)state;
	if (one && *one) {
		run_one(strtoull(one, NULL, 0), 2, 100, 300, -1);
		return;
	}
	for (unsigned i = 0; i < seeds; i++) {
		run_one(1000 + i, 2, 100, 300, -1);
		frames += H.tx_total;
		lost += H.tx_lost;
		dups += H.tx_dup;
		eagain += S.eagain;
		writable += S.writable;
	}
	print_message("%u schedules x 200 messages: %llu frames, %llu lost, "
		      "%llu duplicated, %llu -EAGAIN\n",
		      seeds, (unsigned long long)frames,
		      (unsigned long long)lost, (unsigned long long)dups,
		      (unsigned long long)eagain);
	assert_true(eagain > 0 && writable == eagain); /* both paths seen */
}

void test_sim_restart(void **state)
{
	(void)state;
	for (unsigned i = 0; i < 60; i++)
		run_one(50000 + i, 2, 60, 200, (int)(i & 1));
}

void test_sim_three_nodes(void **state)
{
	(void)state;
	for (unsigned i = 0; i < 40; i++)
		run_one(90000 + i, 3, 30, 100, i % 4 == 0 ? 2 : -1);
}
