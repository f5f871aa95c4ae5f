/*
 * net/member_clock.c — one clock for the cluster (net/clock_sync.h): every
 * node but the origin pings the origin with membership datagrams, fast
 * while the view forms (CLOCK_WINDOW samples, a step before the program
 * runs) and then once a heartbeat, and follows the origin's clock through
 * the estimator (the best round trip of the last CLOCK_WINDOW, slewed,
 * never backwards). The origin answers in its receive path. The result is
 * installed as the kernel's cluster clock (clock_set_cluster,
 * kernel/time.h), which the program reads as CLOCK_MONOTONIC and
 * CLOCK_REALTIME.
 *
 * Guards: (L) cn.lock; (a) atomic loads and stores; (s) written under
 * cn.lock, read through the sequence count pub.seq. A PONG the codec
 * refuses counts as the transport's bad_msg; a sample the estimator
 * refuses, or a PONG that answers no open ping, as clock_refused.
 */
#include "kernel/kstring.h"
#include "kernel/log.h"
#include "kernel/thread.h"
#include "kernel/time.h"
#include "net/clock_sync.h"
#include "net/cnet_impl.h"

#define WARM_PERIOD_NS (2 * NSEC_PER_MSEC) /* between pings while forming */
#define WAIT_WARM_NS   (2000 * NSEC_PER_MSEC)

static struct clock_est est; /* (L) */
static uint64_t ping_seq;    /* (L) the last ping's number */
static uint64_t ping_sent;   /* (L) and its send time; 0: none open */
static uint64_t next_ping;   /* (L) */
static uint64_t bad_pongs;   /* (L) answering no open ping, or a wrong rate */
static uint64_t rt_base;     /* (L, a) the origin's wall clock at its boot */
static uint64_t base_hz;     /* (L) written once, before the clock is installed:
			    the origin's TSC rate, 0 until the first pong */
static uint64_t ping_hz;     /* (L) base_hz when the open ping was sent */

/* This node's clock as the estimator counts it: the local TSC at the
 * origin's rate (net/clock_sync.h). */
static uint64_t local_ns(void)
{
	return base_hz ? clock_ns_at_hz(base_hz) : clock_ns();
}

/* What readers use: a copy of the estimator's applied state. */
static struct {
	uint32_t seq; /* odd while being written */
	int64_t target, base_off;
	uint64_t base_local;
} pub; /* (s) */

static void publish(void)
{
	__atomic_store_n(&pub.seq, pub.seq + 1, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	pub.target = est.target;
	pub.base_off = est.base_off;
	pub.base_local = est.base_local;
	__atomic_store_n(&pub.seq, pub.seq + 1, __ATOMIC_RELEASE);
}

static uint64_t cluster_mono(void)
{
	struct clock_est e;
	uint32_t s;
	uint64_t local;
	do {
		s = __atomic_load_n(&pub.seq, __ATOMIC_ACQUIRE);
		e.target = pub.target;
		e.base_off = pub.base_off;
		e.base_local = pub.base_local;
		local = clock_ns_at_hz(base_hz);
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
	} while ((s & 1) || s != __atomic_load_n(&pub.seq, __ATOMIC_RELAXED));
	return (uint64_t)((int64_t)local + clock_est_offset(&e, local));
}

static uint64_t cluster_realtime(void)
{
	return __atomic_load_n(&rt_base, __ATOMIC_RELAXED) + cluster_mono();
}

static void send_msg(int to, const struct clock_msg *m)
{
	struct clock_msg_wire w;
	clock_msg_encode(m, &w);
	cnet_rel_send_dgram(&cn.rel, to, CNET_SVC_MEMBER, &w, sizeof(w));
}

void member_clock_tick(uint64_t now, uint64_t period)
{
	if (cn.self == 0 || !cn.alive[0] || now < next_ping)
		return;
	struct clock_msg m = {CLOCK_PING, ++ping_seq, 0, 0, 0, 0};
	ping_sent = m.t_send = local_ns();
	ping_hz = base_hz;
	send_msg(0, &m);
	next_ping = now + (clock_est_warm(&est) ? period : WARM_PERIOD_NS);
}

void member_clock_dgram(int from, const void *msg, size_t len)
{
	uint64_t t_recv = local_ns();
	struct clock_msg m;
	if (clock_msg_decode(msg, len, &m)) {
		cn.stats.bad_msg++;
		return;
	}
	if (m.kind == CLOCK_PING) {
		if (cn.self != 0)
			return; /* only the origin answers */
		m.kind = CLOCK_PONG;
		m.t_origin = clock_ns();
		m.realtime_base = clock_realtime_ns() - m.t_origin;
		m.tsc_hz = clock_tsc_hz();
		send_msg(from, &m);
		return;
	}
	/* a pong: from the origin, to the ping still open */
	if (from != 0 || cn.self == 0 || m.seq != ping_seq ||
	    m.t_send != ping_sent || !ping_sent) {
		bad_pongs++;
		return;
	}
	ping_sent = 0;
	if (!base_hz) { /* the first: adopt the origin's rate, then sample */
		base_hz = m.tsc_hz;
		return;
	}
	if (m.tsc_hz != base_hz || ping_hz != base_hz) {
		bad_pongs++;
		return;
	}
	if (clock_est_sample(&est, m.t_send, m.t_origin, t_recv, local_ns()))
		return; /* refused: counted by the estimator */
	__atomic_store_n(&rt_base, m.realtime_base, __ATOMIC_RELAXED);
	publish();
}

void member_clock_start(void)
{
	mutex_lock(&cn.lock);
	clock_est_init(&est);
	publish();
	mutex_unlock(&cn.lock);
	if (cn.self == 0)
		return; /* the origin's clock is the cluster's */
	uint64_t deadline = clock_ns() + WAIT_WARM_NS;
	for (;;) {
		mutex_lock(&cn.lock);
		bool warm = clock_est_warm(&est);
		mutex_unlock(&cn.lock);
		if (warm || clock_ns() > deadline)
			break;
		thread_sleep_ns(NSEC_PER_MSEC);
	}
	struct cnet_clock_info ci;
	cnet_clock_info(&ci);
	if (ci.taken < CLOCK_WINDOW)
		pr_warn("cluster",
			"clock: only %lu sample(s) of the origin's clock in "
			"time; it may still step",
			ci.taken);
	pr_info("cluster",
		"clock: offset to the origin %ld ns, within %lu ns (best round "
		"trip %lu ns)",
		ci.offset_ns, ci.error_ns, 2 * ci.error_ns);
	clock_set_cluster(cluster_mono, cluster_realtime);
}

void cnet_clock_info(struct cnet_clock_info *out)
{
	memset(out, 0, sizeof(*out));
	if (!cn.up)
		return;
	mutex_lock(&cn.lock);
	out->offset_ns = clock_est_offset(&est, local_ns());
	out->target_ns = est.target;
	out->error_ns = est.err;
	out->taken = est.taken;
	out->refused = est.refused + bad_pongs;
	mutex_unlock(&cn.lock);
}
