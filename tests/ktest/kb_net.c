/*
 * tests/ktest/kb_net.c — BENCH(net): the cluster interconnect between node 0
 * and node 1 (bench/net.sh boots two nodes with tools/unum-run -n 2 and
 * bench=net on both):
 *   unum_raw_echo_{64,4096}     raw frame round trip with no transport
 *                               (net/cnet_raw.h): the floor, ns
 *   unum_rpc_rtt_{64,4096}      cnet_echo round trip of a 64-byte and a
 *                               4096-byte body over the transport, ns
 *                               (the echo service answers in node 1's
 *                               receive path)
 *   unum_call_rtt_{64,4096}     cnet_call round trip of the same bodies to
 *                               an RPC service on node 1, whose thread
 *                               answers (the path of the kernel's own RPCs)
 *   (each also as _p50, the median; the three measured interleaved)
 *   unum_stream                 cnet_send of 32 KiB messages to node 1 for
 *                               STREAM_NS, until node 1 has counted them all,
 *                               in KBps (10^3 bytes of message per second)
 *   unum_remote_spawn           a thread started on node 1 (the path of a
 *                               remote pthread_create) until it has run and
 *                               said so in a message back, ns
 *   unum_spawn_rtt_64           the 64-byte echo round trip, measured after
 *                               each of those starts (its ratio's baseline)
 * and, to tell where the transport's and the remote start's time goes:
 *   unum_local_spawn            the same thread started on node 0 until it
 *                               has run and said so (no message), ns
 *   unum_mac_4096               the frame MAC (SipHash-2-4) over 4 KiB, ns
 *   unum_copy_4096              a 4 KiB memcpy, ns
 * Node 0 measures and prints; node 1 serves (raw echo, echo, RPC, sink) and
 * waits at a barrier until node 0 is done.
 */
#include "kernel/errno.h"
#include "kernel/kstring.h"
#include "kernel/ksys.h"
#include "kernel/ktest.h"
#include "kernel/log.h"
#include "kernel/sync.h"
#include "kernel/thread.h"
#include "kernel/time.h"
#include "mm/kmalloc.h"
#include "net/cnet.h"
#include "net/cnet_echo.h"
#include "net/cnet_raw.h"
#include "net/siphash.h"

#define ROUNDS	   2000
#define WARMUP	   100
#define WAIT_NS	   NSEC_PER_SEC
#define STREAM_MSG (32 * 1024)
#define STREAM_NS  NSEC_PER_SEC
#define SERVE_NS   (600 * NSEC_PER_SEC)
#define ETH_HDR	   14

/*
 * The three round trips are measured interleaved, in blocks of BLOCK of
 * each in turn, so that all three see the same moments of a shared,
 * noisy host: their ratios are what the benchmark is for.
 */
enum rtt_kind { RTT_RAW, RTT_ECHO, RTT_CALL, RTT_KINDS };
#define BLOCK 50
_Static_assert(WARMUP % BLOCK == 0 && ROUNDS % BLOCK == 0, "whole blocks");

static uint64_t rtt[RTT_KINDS][ROUNDS];

/* ---- raw echo ------------------------------------------------------------ */

static struct semaphore raw_sem;
static uint32_t raw_want; /* (a) the sequence number awaited */

static void raw_reply(const void *frame, size_t len, void *ctx)
{
	(void)ctx;
	uint32_t seq;
	if (len < ETH_HDR + 8)
		return;
	memcpy(&seq, (const uint8_t *)frame + ETH_HDR + 4, sizeof(seq));
	if (seq == __atomic_load_n(&raw_want, __ATOMIC_ACQUIRE))
		sem_up(&raw_sem);
}

/* One raw frame of ETH_HDR + payload bytes to node 1 and its echo. */
static bool raw_round(uint8_t *f, size_t payload)
{
	static uint32_t seq; /* (node 0's bench thread) */
	seq++;
	f[ETH_HDR] = CNET_RAW_REQUEST;
	memcpy(f + ETH_HDR + 4, &seq, sizeof(seq));
	__atomic_store_n(&raw_want, seq, __ATOMIC_RELEASE);
	return !cnet_raw_send(1, f, ETH_HDR + payload) &&
	       !sem_down(&raw_sem, WAIT_NS);
}

/* ---- echo and RPC over the transport ------------------------------------ */

static int bench_serve(int from, const void *args, size_t len, void *out,
		       size_t cap, void *ctx)
{
	(void)from, (void)ctx;
	if (len > cap)
		return -EOVERFLOW;
	memcpy(out, args, len);
	return (int)len;
}

/* One round trip of kind k with len bytes: true if answered in time. */
static bool round_trip(enum rtt_kind k, uint8_t *frame, const void *out,
		       size_t len, void *in)
{
	switch (k) {
	case RTT_RAW:
		return raw_round(frame, len);
	case RTT_ECHO:
		return cnet_echo(1, out, len, in, len, WAIT_NS) == (int)len;
	case RTT_CALL:
		return cnet_call(1, CNET_SVC_BENCH_RPC, out, len, in, len,
				 WAIT_NS) == (int)len;
	default:
		return false;
	}
}

static int cmp_u64(uint64_t a, uint64_t b)
{
	return a < b ? -1 : a > b;
}

/* Mean and median of n samples (sorts them). */
static void summarize(uint64_t *v, int n, uint64_t *mean, uint64_t *p50)
{
	uint64_t sum = 0;
	for (int i = 1; i < n; i++) /* insertion sort: n is small */
		for (int j = i; j > 0 && cmp_u64(v[j], v[j - 1]) < 0; j--) {
			uint64_t t = v[j];
			v[j] = v[j - 1];
			v[j - 1] = t;
		}
	for (int i = 0; i < n; i++)
		sum += v[i];
	*mean = n ? sum / (uint64_t)n : 0;
	*p50 = n ? v[n / 2] : 0;
}

static void report_rtt(const char *name, uint64_t *v, int n, int lost)
{
	char buf[64];
	uint64_t mean, p50;
	if (lost)
		pr_warn("bench",
			"%s: %d of %d round trips got no answer "
			"within a second",
			name, lost, ROUNDS);
	if (!n)
		return;
	summarize(v, n, &mean, &p50);
	bench_report(name, mean, "ns");
	ksnprintf(buf, sizeof(buf), "%s_p50", name);
	bench_report(buf, p50, "ns");
}

/* Raw echo, transport echo and RPC round trips of len bytes, interleaved. */
static void rtt_run(size_t len, const char *const names[RTT_KINDS])
{
	uint8_t *frame = kzalloc(ETH_HDR + len);
	uint8_t *out = kmalloc(len), *in = kmalloc(len);
	int n[RTT_KINDS] = {0}, lost[RTT_KINDS] = {0};
	if (!frame || !out || !in)
		goto out;
	memset(out, 0xa5, len);
	for (int b = 0; b < (WARMUP + ROUNDS) / BLOCK; b++)
		for (int k = 0; k < RTT_KINDS; k++)
			for (int i = 0; i < BLOCK; i++) {
				uint64_t t0 = clock_ns();
				bool ok = round_trip(k, frame, out, len, in);
				uint64_t dt = clock_ns() - t0;
				if (b * BLOCK + i < WARMUP)
					continue;
				if (ok)
					rtt[k][n[k]++] = dt;
				else
					lost[k]++;
			}
	for (int k = 0; k < RTT_KINDS; k++)
		report_rtt(names[k], rtt[k], n[k], lost[k]);
out:
	kfree(frame);
	kfree(out);
	kfree(in);
}

/* ---- streaming to a sink ------------------------------------------------- */

enum { SINK_DATA = 1, SINK_END, SINK_RESULT, SINK_STARTED };

struct sink_hdr {
	uint32_t kind;
	uint32_t pad;
	uint64_t bytes; /* SINK_RESULT: message bytes counted */
};

static uint64_t sink_bytes;  /* node 1: (sink thread) */
static uint64_t sink_result; /* node 0: (a) */
static struct semaphore sink_sem;
static uint64_t spawn_want; /* node 0: (a) the thread awaited */
static struct semaphore spawn_sem;

/* A result or a start report wakes its waiter from the receive path. */
static bool sink_fast(int from, const void *msg, size_t len, void *ctx)
{
	(void)from, (void)ctx;
	struct sink_hdr h;
	if (len < sizeof(h))
		return false;
	memcpy(&h, msg, sizeof(h));
	if (h.kind == SINK_RESULT) {
		__atomic_store_n(&sink_result, h.bytes, __ATOMIC_RELEASE);
		sem_up(&sink_sem);
	} else if (h.kind == SINK_STARTED) {
		if (h.bytes == __atomic_load_n(&spawn_want, __ATOMIC_ACQUIRE))
			sem_up(&spawn_sem);
	} else {
		return false;
	}
	return true;
}

static void sink_handler(int from, const void *msg, size_t len, void *ctx)
{
	(void)ctx;
	struct sink_hdr h;
	if (len < sizeof(h))
		return;
	memcpy(&h, msg, sizeof(h));
	if (h.kind == SINK_DATA) {
		sink_bytes += len;
	} else if (h.kind == SINK_END) {
		struct sink_hdr r = {SINK_RESULT, 0, sink_bytes};
		sink_bytes = 0;
		cnet_send(from, CNET_SVC_SINK, &r, sizeof(r));
	} else {
		sink_fast(from, msg, len, ctx); /* from ourselves */
	}
}

static void stream_run(void)
{
	uint8_t *m = kzalloc(STREAM_MSG);
	uint64_t sent = 0;
	if (!m)
		return;
	struct sink_hdr h = {SINK_DATA, 0, 0};
	memcpy(m, &h, sizeof(h));
	uint64_t t0 = clock_ns();
	while (clock_ns() - t0 < STREAM_NS) {
		if (cnet_send(1, CNET_SVC_SINK, m, STREAM_MSG))
			break;
		sent += STREAM_MSG;
	}
	h.kind = SINK_END;
	int rc = cnet_send(1, CNET_SVC_SINK, &h, sizeof(h));
	if (!rc)
		rc = sem_down(&sink_sem, 30 * NSEC_PER_SEC);
	uint64_t dt = clock_ns() - t0;
	kfree(m);
	uint64_t got = __atomic_load_n(&sink_result, __ATOMIC_ACQUIRE);
	if (rc || got != sent) {
		pr_warn("bench",
			"unum_stream: node 1 counted %lu of %lu bytes "
			"(%d)",
			got, sent, rc);
		return;
	}
	bench_report("unum_stream", got * 1000000 / (dt ? dt : 1), "KBps");
}

/* ---- remote thread start ----------------------------------------------- */

#define SPAWNS	    200
#define SPAWN_STACK (64 * 1024)

long arch_kcall(long (*fn)(void *), void *arg);

static long started_ack(void *arg)
{
	struct sink_hdr h = {SINK_STARTED, 0, (uint64_t)(uintptr_t)arg};
	cnet_send(0, CNET_SVC_SINK, &h, sizeof(h));
	return 0;
}

/* The new thread, on node 1, on a stack in node 1's part of the GAS. */
static void started(void *arg)
{
	/* arg: the start record, the id copied to the top of our stack */
	arch_kcall(started_ack, (void *)(uintptr_t) * (uint64_t *)arg);
	ksys_thread_exit();
}

/* The new thread on node 0: says so without a message. */
static long local_ack(void *arg)
{
	if ((uint64_t)(uintptr_t)arg ==
	    __atomic_load_n(&spawn_want, __ATOMIC_ACQUIRE))
		sem_up(&spawn_sem);
	return 0;
}

static void started_local(void *arg)
{
	arch_kcall(local_ack, (void *)(uintptr_t) * (uint64_t *)arg);
	ksys_thread_exit();
}

/*
 * From the start request on node 0 to the new thread running on `node`
 * and saying so, with stacks from that node's part of the GAS. On node 1
 * (started, a message back): the remote thread creation path of
 * pthread_create (sched/remote.c, TM_SPAWN, ksys_spawn_local) with one
 * extra one-way message, against the transport round trip of the same
 * run. On node 0 (started_local): what a remote start costs beyond the
 * message that carries it.
 */
static void spawn_run(int node, void (*entry)(void *), const char *name,
		      const char *rtt_name)
{
	uintptr_t base;
	size_t size;
	uint8_t out[64], in[64];
	int n = 0, lost = 0, m = 0, rtt_lost = 0;
	memset(out, 0xa5, sizeof(out));
	ksys_stack_region_of(node, &base, &size);
	for (int i = 0; i < WARMUP / 10 + SPAWNS; i++) {
		bool counted = i >= WARMUP / 10;
		uint64_t id = ((uint64_t)node << 32) + (uint64_t)i + 1;
		uintptr_t top = base + (uintptr_t)(i + 1) * SPAWN_STACK;
		__atomic_store_n(&spawn_want, id, __ATOMIC_RELEASE);
		uint64_t t0 = clock_ns();
		int rc =
		    ksys_thread_spawn_on(node, entry, &id, sizeof(id), top, 0);
		if (!rc)
			rc = sem_down(&spawn_sem, WAIT_NS);
		uint64_t dt = clock_ns() - t0;
		if (rc)
			lost += counted;
		else if (counted)
			rtt[0][n++] = dt;
		if (!rtt_name)
			continue;
		/* The round trip it is compared with, at the same moments. */
		t0 = clock_ns();
		bool ok = round_trip(RTT_ECHO, NULL, out, sizeof(out), in);
		dt = clock_ns() - t0;
		if (!ok)
			rtt_lost += counted;
		else if (counted)
			rtt[1][m++] = dt;
	}
	report_rtt(name, rtt[0], n, lost);
	if (rtt_name)
		report_rtt(rtt_name, rtt[1], m, rtt_lost);
}

/* Per-byte costs on the transport's path, in ns per 4 KiB. */
static void byte_costs(void)
{
	enum { N = 1000, LEN = 4096 };
	uint8_t *a = kmalloc(LEN), *b = kmalloc(LEN);
	if (!a || !b)
		goto out;
	static const uint8_t kb[16] = {1, 2,  3,  4,  5,  6,  7,  8,
				       9, 10, 11, 12, 13, 14, 15, 16};
	struct siphash_key k;
	siphash_key_load(&k, kb);
	for (int i = 0; i < LEN; i++)
		a[i] = (uint8_t)i;
	uint64_t sum = 0, t0 = clock_ns();
	for (int i = 0; i < N; i++) {
		a[0] = (uint8_t)i;
		sum += siphash24(&k, a, LEN);
	}
	uint64_t mac = (clock_ns() - t0) / N;
	t0 = clock_ns();
	for (int i = 0; i < N; i++) {
		a[0] = (uint8_t)i;
		memcpy(b, a, LEN);
		__asm__ volatile("" ::"r"(b) : "memory");
	}
	uint64_t copy = (clock_ns() - t0) / N;
	__asm__ volatile("" ::"r"(sum));
	bench_report("unum_mac_4096", mac, "ns");
	bench_report("unum_copy_4096", copy, "ns");
out:
	kfree(a);
	kfree(b);
}

BENCH(net)
{
	if (cnet_nodes() < 2) {
		pr_info("bench", "net skipped: needs 2 nodes (bench/net.sh "
				 "boots them with tools/unum-run -n 2)");
		return;
	}
	sem_init(&raw_sem, 0);
	sem_init(&sink_sem, 0);
	sem_init(&spawn_sem, 0);
	int rc = cnet_register(CNET_SVC_SINK, sink_handler, NULL);
	if (!rc)
		rc = cnet_set_fast(CNET_SVC_SINK, sink_fast);
	if (rc && rc != -EEXIST) {
		pr_err("bench", "net: cannot register the sink service (%d)",
		       rc);
		return;
	}
	rc = cnet_serve(CNET_SVC_BENCH_RPC, bench_serve, NULL);
	if (rc && rc != -EEXIST) {
		pr_err("bench", "net: cannot register the RPC service (%d)",
		       rc);
		return;
	}
	if (cnet_barrier(1, 60 * NSEC_PER_SEC)) {
		pr_err("bench", "net: node(s) missing at the start barrier");
		return;
	}
	if (cnet_self() == 0) {
		static const char *const names64[RTT_KINDS] = {
		    "unum_raw_echo_64", "unum_rpc_rtt_64", "unum_call_rtt_64"};
		static const char *const names4k[RTT_KINDS] = {
		    "unum_raw_echo_4096", "unum_rpc_rtt_4096",
		    "unum_call_rtt_4096"};
		cnet_raw_set_handler(raw_reply, NULL);
		rtt_run(64, names64);
		rtt_run(4096, names4k);
		cnet_raw_set_handler(NULL, NULL);
		stream_run();
		spawn_run(1, started, "unum_remote_spawn", "unum_spawn_rtt_64");
		spawn_run(0, started_local, "unum_local_spawn", NULL);
		byte_costs();
	}
	/* Node 1 serves until node 0 arrives here. */
	if (cnet_barrier(2, SERVE_NS))
		pr_err("bench", "net: node(s) missing at the end barrier");
}
