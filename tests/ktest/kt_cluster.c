/*
 * tests/ktest/kt_cluster.c — the cluster transport between the nodes of a
 * running cluster (every node runs the suite at once): the view, all-to-all
 * round trips of many sizes with the bytes checked, bulk transfer, and a
 * final barrier so no node powers off while others still test against it.
 * With one node they exercise the local path (no NIC). x_ and y_ check
 * faults the host makes (forged frames, a node killed) when a boot key asks
 * for them, before the final barrier.
 */
#include "cluster/csync.h"
#include "kernel/config.h"
#include "kernel/errno.h"
#include "kernel/kstring.h"
#include "kernel/ksys.h"
#include "kernel/ktest.h"
#include "kernel/thread.h"
#include "mm/kmalloc.h"
#include "net/cnet.h"
#include "net/cnet_echo.h"

#define SEC NSEC_PER_SEC

KTEST(cluster, a_view_complete)
{
	KT_EQ(cnet_nodes(), config_uint("cluster.nodes"));
	for (int n = 0; n < cnet_nodes(); n++)
		KT_ASSERT(cnet_alive(n));
	KT_ASSERT(cnet_self() < cnet_nodes());
	KT_ASSERT(cnet_total_cpus() >= cnet_nodes());
	KT_EQ(cnet_barrier(1, 60 * SEC), 0); /* everybody is up */
}

static void fill(uint8_t *b, size_t n, uint32_t seed)
{
	for (size_t i = 0; i < n; i++) {
		seed = seed * 1103515245u + 12345u;
		b[i] = (uint8_t)(seed >> 16);
	}
}

KTEST(cluster, b_echo_all_to_all)
{
	static const size_t sizes[] = {1,    64,   1000,  1500, 4096,
				       4200, 9000, 20000, 60000};
	uint8_t *out = kmalloc(65536), *in = kmalloc(65536);
	KT_ASSERT(out && in);
	int bad = 0, errors = 0;
	for (int n = 0; n < cnet_nodes(); n++)
		for (int round = 0; round < 4; round++)
			for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]);
			     k++) {
				size_t len = sizes[k];
				fill(out, len,
				     (uint32_t)(n * 1000 + round * 10 + k));
				memset(in, 0, len);
				int got =
				    cnet_echo(n, out, len, in, 65536, 20 * SEC);
				if (got < 0)
					errors++;
				else if ((size_t)got != len ||
					 memcmp(in, out, len))
					bad++;
			}
	kfree(out);
	kfree(in);
	KT_EQ(errors, 0);
	KT_EQ(bad, 0);
}

/* Many round trips in flight from several threads at once. */
struct flood {
	int node;
	int bad;
};

static void *flood_thread(void *arg)
{
	struct flood *f = arg;
	uint8_t out[2048], in[2048];
	for (int i = 0; i < 50; i++) {
		size_t len = 16 + (size_t)(i * 37 % 2000);
		fill(out, len, (uint32_t)i * 7u + (uint32_t)f->node);
		int got =
		    cnet_echo(f->node, out, len, in, sizeof(in), 20 * SEC);
		if (got != (int)len || memcmp(in, out, len))
			f->bad++;
	}
	return NULL;
}

KTEST(cluster, c_concurrent_round_trips)
{
	struct thread *t[8];
	struct flood f[8];
	for (int i = 0; i < 8; i++) {
		f[i].node = i % cnet_nodes();
		f[i].bad = 0;
		KT_ASSERT(t[i] = thread_create("flood", flood_thread, &f[i],
					       PRIO_DEFAULT));
	}
	int bad = 0;
	for (int i = 0; i < 8; i++) {
		KT_EQ(thread_join(t[i], NULL), 0);
		bad += f[i].bad;
	}
	KT_EQ(bad, 0);
}

KTEST(cluster, d_bulk_checksum)
{
	const size_t chunk = 32768, total = 1 << 20;
	uint8_t *out = kmalloc(chunk), *in = kmalloc(chunk);
	KT_ASSERT(out && in);
	int next = (cnet_self() + 1) % cnet_nodes();
	uint64_t sum_out = 0, sum_in = 0;
	for (size_t off = 0; off < total; off += chunk) {
		fill(out, chunk, (uint32_t)off);
		int got = cnet_echo(next, out, chunk, in, chunk, 30 * SEC);
		KT_EQ(got, (int64_t)chunk);
		for (size_t i = 0; i < chunk; i++) {
			sum_out = sum_out * 31 + out[i];
			sum_in = sum_in * 31 + in[i];
		}
	}
	kfree(out);
	kfree(in);
	KT_EQ(sum_in, sum_out);
}

/* ---- RPC (net/cnet_call.c) ---------------------------------------------- */

enum { RT_REVERSE = 1, RT_ENOENT, RT_SLOW, RT_BIG, RT_NEVER };

static int rpc_test(int from, const void *args, size_t len, void *out,
		    size_t cap, void *ctx)
{
	(void)from, (void)ctx;
	const uint8_t *a = args;
	if (len < 1)
		return -EINVAL;
	switch (a[0]) {
	case RT_REVERSE:
		if (len - 1 > cap)
			return -E2BIG;
		for (size_t i = 1; i < len; i++)
			((uint8_t *)out)[len - 1 - i] = a[i];
		return (int)(len - 1);
	case RT_ENOENT:
		return -ENOENT;
	case RT_SLOW:
		thread_sleep_ns(300 * NSEC_PER_MSEC);
		return 0;
	case RT_BIG:
		memset(out, 7, 5000);
		return 5000;
	case RT_NEVER: /* the caller's node dies first (y_node_death) */
		thread_sleep_ns(600 * SEC);
		return 0;
	}
	return -EPROTO;
}

/* Calls to every node (ourselves included): results, remote errors,
 * overflow and time-outs exact; a late reply is not mistaken for the
 * next call's. */
KTEST(cluster, e_rpc)
{
	KT_EQ(cnet_serve(CNET_SVC_RPC_TEST, rpc_test, NULL), 0);
	KT_EQ(cnet_barrier(2, 60 * SEC), 0); /* served everywhere */
	uint8_t args[101], back[200];
	int bad = 0;
	for (int n = 0; n < cnet_nodes(); n++) {
		args[0] = RT_REVERSE;
		fill(args + 1, 100, (uint32_t)n);
		KT_EQ(cnet_call(n, CNET_SVC_RPC_TEST, args, 101, back,
				sizeof(back), 20 * SEC),
		      100);
		for (int i = 0; i < 100; i++)
			bad += back[i] != args[100 - i];
		args[0] = RT_ENOENT;
		KT_EQ(cnet_call(n, CNET_SVC_RPC_TEST, args, 1, back,
				sizeof(back), 20 * SEC),
		      -ENOENT);
		args[0] = RT_BIG;
		KT_EQ(cnet_call(n, CNET_SVC_RPC_TEST, args, 1, back,
				sizeof(back), 20 * SEC),
		      -EOVERFLOW);
		args[0] = RT_SLOW;
		KT_EQ(cnet_call(n, CNET_SVC_RPC_TEST, args, 1, back,
				sizeof(back), 50 * NSEC_PER_MSEC),
		      -ETIMEDOUT);
		args[0] =
		    RT_REVERSE; /* answered after the slow one's late reply */
		KT_EQ(cnet_call(n, CNET_SVC_RPC_TEST, args, 2, back,
				sizeof(back), 20 * SEC),
		      1);
		KT_EQ(back[0], args[1]);
	}
	KT_EQ(bad, 0);
	KT_EQ(cnet_call(0, CNET_SVC_MAX - 1, args, 1, back, sizeof(back), SEC),
	      -EINVAL);
	KT_EQ(cnet_call(cnet_nodes(), CNET_SVC_RPC_TEST, args, 1, back,
			sizeof(back), SEC),
	      -EHOSTUNREACH);
	/* everybody done before y_node_death blocks the victim's RPC thread */
	KT_EQ(cnet_barrier(3, 60 * SEC), 0);
}

KTEST(cluster, zz_all_done)
{
	KT_EQ(cnet_barrier(4, 120 * SEC), 0);
}

/*
 * Faults made by the host (tests/qemu/cluster), each asked for by a boot
 * key; without its key a test passes at once, so `ktest=all` never waits.
 */

/* A round trip of 4 KiB with every live node: the cluster still works. */
static int echo_live_nodes(void)
{
	uint8_t *out = kmalloc(4096), *in = kmalloc(4096);
	int bad = 0;
	if (!out || !in) {
		kfree(out);
		kfree(in);
		return -1;
	}
	for (int n = 0; n < cnet_nodes(); n++) {
		if (!cnet_alive(n))
			continue;
		fill(out, 4096, (uint32_t)n * 77u);
		int got = cnet_echo(n, out, 4096, in, 4096, 20 * SEC);
		if (got != 4096 || memcmp(in, out, 4096))
			bad++;
	}
	kfree(out);
	kfree(in);
	return bad;
}

static int death_reported = -1; /* (a) the death callback's node */

static void on_death(int node, void *ctx)
{
	(void)ctx;
	__atomic_store_n(&death_reported, node, __ATOMIC_RELEASE);
}

/* A thread of this node blocked on a mutex homed at the victim (which
 * holds it) while the victim dies: the lock service fails it. */
static uint32_t victim_mutex; /* (c) */
static int blocked_rc = 1;    /* (a) 1 while it waits */

static void *lock_victims_mutex(void *arg)
{
	int rc = csync_kmutex_lock(victim_mutex,
				   0x70000000u + (uint32_t)cnet_self(), 0);
	__atomic_store_n(&blocked_rc, rc, __ATOMIC_RELEASE);
	return arg;
}

/* test.cluster_kill=K: the host kills node K while every node waits here.
 * The others must declare it dead, tell the death callback, and go on;
 * a mutex homed at K fails with EHOSTUNREACH instead of hanging. */
KTEST(cluster, y_node_death)
{
	int victim = (int)config_uint("test.cluster_kill");
	if (!victim)
		return;
	KT_ASSERT(victim < cnet_nodes());
	cnet_on_node_death(on_death, NULL);
	/* the victim's first lock-service object: serial 1, locked there */
	victim_mutex = 0x80000000u | (uint32_t)victim << 25 |
		       (uint32_t)KSYS_CS_MUTEX << 22 | 1;
	if (cnet_self() == victim) {
		uint32_t h = 0;
		KT_EQ(csync_kcreate(KSYS_CS_MUTEX, 0, 0, &h), 0);
		KT_EQ(h, victim_mutex);
		KT_EQ(csync_kmutex_lock(h, 0x7fffffffu, 0), 0);
	} else {
		thread_sleep_ns(200 *
				NSEC_PER_MSEC); /* after the victim's lock */
		KT_ASSERT(thread_create("kt-csync", lock_victims_mutex, NULL,
					PRIO_DEFAULT));
	}
	if (cnet_self() == victim) {
		thread_sleep_ns(120 * SEC);
		ktest_fail(ctx, __FILE__, __LINE__,
			   "node %d is still alive: the host was to kill it",
			   victim);
		return;
	}
	/* A call in flight to the victim (it never answers) ends with the
	 * death, not with its 100 s time-out. */
	uint64_t t0 = clock_ns();
	uint8_t op = RT_NEVER, r;
	KT_EQ(cnet_call(victim, CNET_SVC_RPC_TEST, &op, 1, &r, 1, 100 * SEC),
	      -EHOSTUNREACH);
	KT_ASSERT(clock_ns() - t0 < 60 * SEC);
	KT_ASSERT(!cnet_alive(victim));
	/* The callback runs just after, from the poll thread. */
	t0 = clock_ns();
	while (__atomic_load_n(&death_reported, __ATOMIC_ACQUIRE) < 0 &&
	       clock_ns() - t0 < SEC)
		thread_sleep_ns(NSEC_PER_MSEC);
	KT_EQ(__atomic_load_n(&death_reported, __ATOMIC_ACQUIRE), victim);
	for (int n = 0; n < cnet_nodes(); n++)
		KT_EQ(cnet_alive(n), n != victim);
	uint8_t b = 0;
	KT_EQ(cnet_send(victim, CNET_SVC_ECHO, &b, 1), -EHOSTUNREACH);
	KT_EQ(echo_live_nodes(), 0);
	t0 = clock_ns();
	while (__atomic_load_n(&blocked_rc, __ATOMIC_ACQUIRE) == 1 &&
	       clock_ns() - t0 < 5 * SEC)
		thread_sleep_ns(NSEC_PER_MSEC);
	KT_EQ(__atomic_load_n(&blocked_rc, __ATOMIC_ACQUIRE), -EHOSTUNREACH);
	KT_EQ(csync_kmutex_lock(victim_mutex, 1, 0), -EHOSTUNREACH);
}

/* test.cluster_inject=N: the host sends N frames with a bad MAC and N of
 * another cluster; each is dropped and counted once, and nothing else. */
KTEST(cluster, x_forged_frames)
{
	uint64_t want = config_uint("test.cluster_inject");
	if (!want)
		return;
	struct cnet_stats st;
	uint64_t t0 = clock_ns();
	for (;;) {
		cnet_get_stats(&st);
		if ((st.bad_mac >= want && st.wrong_cluster >= want) ||
		    clock_ns() - t0 > 120 * SEC)
			break;
		thread_sleep_ns(10 * NSEC_PER_MSEC);
	}
	thread_sleep_ns(100 * NSEC_PER_MSEC); /* any extra frame comes too */
	cnet_get_stats(&st);
	KT_EQ(st.bad_mac, want);
	KT_EQ(st.wrong_cluster, want);
	KT_EQ(st.bad_length, 0);
	KT_EQ(echo_live_nodes(), 0);
}
