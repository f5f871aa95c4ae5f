/*
 * net/clock_sync.h — one clock for the cluster: the wire format of the
 * clock pings (carried as membership datagrams, CNET_SVC_MEMBER, beside
 * the HELLOs) and the pure offset estimator (net/clock_sync.c, host-tested
 * and fuzzed). The glue that sends, answers and applies them is
 * net/member_clock.c.
 *
 * Every node but the origin (node 0) measures the offset of its clock to
 * the origin's: it sends a PING with its send time t_send; the origin
 * answers at once (in its receive path) with a PONG carrying t_send back,
 * its own clock t_origin and its wall-clock base; the node notes the
 * receive time t_recv. One sample: round trip rtt = t_recv - t_send and
 * offset = t_origin - (t_send + t_recv) / 2, right within rtt / 2. The
 * estimator keeps the last CLOCK_WINDOW samples and follows the one with
 * the smallest round trip: its error bound is that rtt / 2.
 *
 * Wire (all big-endian, cnet_be*()):
 *   offset  size  field
 *        0     4  magic          CLOCK_MSG_MAGIC ("UNC1")
 *        4     4  kind           CLOCK_PING or CLOCK_PONG
 *        8     8  seq            the pinger's sequence number, echoed
 *       16     8  t_send         the pinger's clock_ns() when it sent
 *       24     8  t_origin       PONG: the origin's clock_ns(); PING: 0
 *       32     8  realtime_base  PONG: the origin's wall clock at its boot
 *                                (ns since the epoch); PING: 0
 *       40     8  tsc_hz         PONG: the origin's TSC ticks per second,
 *                                CLOCK_HZ_MIN..CLOCK_HZ_MAX; PING: 0
 *       48        (end)
 * Times are below 2^63.
 *
 * The rate. Each node calibrates its TSC at boot, and under QEMU on a
 * busy host two calibrations of the same host TSC can differ by 2x: so
 * every node counts its TSC at the origin's rate (tsc_hz of the first
 * PONG) for the cluster clock, and only the offset is estimated. What
 * is left is the TSCs' true rate difference (none between QEMU guests of
 * one host; a few ppm between machines), which the slew (1000 ppm)
 * follows.
 */
#ifndef NET_CLOCK_SYNC_H
#define NET_CLOCK_SYNC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CLOCK_MSG_MAGIC 0x554e4331u /* "UNC1" */
#define CLOCK_MSG_LEN	48
#define CLOCK_PING	1
#define CLOCK_PONG	2
#define CLOCK_TIME_MAX	0x7fffffffffffffffull
#define CLOCK_HZ_MIN	1000000ull	/* 1 MHz */
#define CLOCK_HZ_MAX	100000000000ull /* 100 GHz */

struct clock_msg_wire {
	uint32_t magic;		/* be */
	uint32_t kind;		/* be */
	uint64_t seq;		/* be */
	uint64_t t_send;	/* be */
	uint64_t t_origin;	/* be */
	uint64_t realtime_base; /* be */
	uint64_t tsc_hz;	/* be */
} __attribute__((packed));
_Static_assert(sizeof(struct clock_msg_wire) == CLOCK_MSG_LEN, "clock msg");

struct clock_msg {
	uint32_t kind;
	uint64_t seq, t_send, t_origin, realtime_base, tsc_hz;
};

void clock_msg_encode(const struct clock_msg *m, struct clock_msg_wire *w);
/*
 * Checks a clock datagram from a peer and decodes it: 0, or
 *   -EBADMSG  len is not CLOCK_MSG_LEN;
 *   -EPROTO   a wrong magic;
 *   -EINVAL   an unknown kind, a time at or above 2^63, a PING whose
 *             t_origin, realtime_base or tsc_hz is not 0, or a PONG whose
 *             tsc_hz is outside CLOCK_HZ_MIN..CLOCK_HZ_MAX.
 * Pure. Whether a PONG's times make sense is the estimator's business.
 */
int clock_msg_decode(const void *msg, size_t len, struct clock_msg *out);

/* ---- the estimator ------------------------------------------------------ */

#define CLOCK_WINDOW	    8 /* samples the estimate is chosen from */
#define CLOCK_MAX_RTT_NS    (50ull * 1000 * 1000)	   /* slower: refused */
#define CLOCK_MAX_OFFSET_NS (3600ull * 1000 * 1000 * 1000) /* absurd */
/* Once warm, a sample further than this (beyond both error bounds) from
 * the current estimate is refused as absurd. */
#define CLOCK_MAX_SHIFT_NS (20ull * 1000 * 1000)
/* The applied offset moves toward the estimate by at most 1 ns per
 * CLOCK_SLEW_DIV ns of local time (1000 ppm): the cluster clock runs at
 * 0.999..1.001 of the local one, never backwards. */
#define CLOCK_SLEW_DIV 1000

struct clock_sample {
	uint64_t rtt;
	int64_t off;
};

struct clock_est {
	struct clock_sample win[CLOCK_WINDOW]; /* the last samples */
	unsigned n, next;		       /* samples held; next slot */
	int64_t target;			       /* the best sample's offset */
	uint64_t err;			       /* its error bound: rtt / 2 */
	int64_t base_off;	 /* the applied offset at base_local ... */
	uint64_t base_local;	 /* ... from where it slews to target */
	uint64_t taken, refused; /* samples accepted / refused */
};

void clock_est_init(struct clock_est *e);
/* True once CLOCK_WINDOW samples were taken: until then every new best
 * sample is applied at once (a step, before the program runs); after,
 * it is slewed to. */
bool clock_est_warm(const struct clock_est *e);
/*
 * One round trip: sent at local t_send, answered at the origin's t_origin,
 * received at local t_recv; `now` is the local time of the update (>=
 * t_recv). 0, or -EINVAL (refused and counted, nothing applied): t_recv
 * before t_send, a round trip over CLOCK_MAX_RTT_NS, an offset over
 * CLOCK_MAX_OFFSET_NS either way, or (once warm) one further than
 * CLOCK_MAX_SHIFT_NS beyond the error bounds from the estimate.
 */
int clock_est_sample(struct clock_est *e, uint64_t t_send, uint64_t t_origin,
		     uint64_t t_recv, uint64_t now);
/* The offset to add to the local clock at local time `local` (>= the last
 * update's `now`): local + offset never decreases as local grows. */
int64_t clock_est_offset(const struct clock_est *e, uint64_t local);

#endif
