/*
 * net/clock_sync.c — the clock pings' codec and the offset estimator
 * (net/clock_sync.h). Pure: also built into the host tests and the fuzz
 * target.
 */
#include "kernel/errno.h"
#include "kernel/kstring.h"
#include "net/clock_sync.h"
#include "net/cnet_wire.h"

void clock_msg_encode(const struct clock_msg *m, struct clock_msg_wire *w)
{
	w->magic = cnet_be32(CLOCK_MSG_MAGIC);
	w->kind = cnet_be32(m->kind);
	w->seq = cnet_be64(m->seq);
	w->t_send = cnet_be64(m->t_send);
	w->t_origin = cnet_be64(m->t_origin);
	w->realtime_base = cnet_be64(m->realtime_base);
	w->tsc_hz = cnet_be64(m->tsc_hz);
}

int clock_msg_decode(const void *msg, size_t len, struct clock_msg *out)
{
	struct clock_msg_wire w;
	if (len != sizeof(w))
		return -EBADMSG;
	memcpy(&w, msg, sizeof(w));
	if (cnet_be32(w.magic) != CLOCK_MSG_MAGIC)
		return -EPROTO;
	out->kind = cnet_be32(w.kind);
	out->seq = cnet_be64(w.seq);
	out->t_send = cnet_be64(w.t_send);
	out->t_origin = cnet_be64(w.t_origin);
	out->realtime_base = cnet_be64(w.realtime_base);
	out->tsc_hz = cnet_be64(w.tsc_hz);
	if (out->kind != CLOCK_PING && out->kind != CLOCK_PONG)
		return -EINVAL;
	if (out->t_send > CLOCK_TIME_MAX || out->t_origin > CLOCK_TIME_MAX ||
	    out->realtime_base > CLOCK_TIME_MAX)
		return -EINVAL;
	if (out->kind == CLOCK_PING &&
	    (out->t_origin || out->realtime_base || out->tsc_hz))
		return -EINVAL;
	if (out->kind == CLOCK_PONG &&
	    (out->tsc_hz < CLOCK_HZ_MIN || out->tsc_hz > CLOCK_HZ_MAX))
		return -EINVAL;
	return 0;
}

void clock_est_init(struct clock_est *e)
{
	memset(e, 0, sizeof(*e));
}

bool clock_est_warm(const struct clock_est *e)
{
	return e->taken >= CLOCK_WINDOW;
}

static uint64_t dist(int64_t a, int64_t b)
{
	return a > b ? (uint64_t)(a - b) : (uint64_t)(b - a);
}

int64_t clock_est_offset(const struct clock_est *e, uint64_t local)
{
	uint64_t since = local > e->base_local ? local - e->base_local : 0;
	uint64_t room = since / CLOCK_SLEW_DIV;
	uint64_t gap = dist(e->target, e->base_off);
	if (gap <= room)
		return e->target;
	return e->target > e->base_off ? e->base_off + (int64_t)room
				       : e->base_off - (int64_t)room;
}

static int refuse(struct clock_est *e)
{
	e->refused++;
	return -EINVAL;
}

int clock_est_sample(struct clock_est *e, uint64_t t_send, uint64_t t_origin,
		     uint64_t t_recv, uint64_t now)
{
	if (t_recv < t_send || t_recv > CLOCK_TIME_MAX ||
	    t_origin > CLOCK_TIME_MAX || now < t_recv)
		return refuse(e);
	uint64_t rtt = t_recv - t_send;
	if (rtt > CLOCK_MAX_RTT_NS)
		return refuse(e);
	int64_t off = (int64_t)t_origin - (int64_t)(t_send + rtt / 2);
	if (dist(off, 0) > CLOCK_MAX_OFFSET_NS)
		return refuse(e);
	if (clock_est_warm(e) &&
	    dist(off, e->target) > e->err + rtt / 2 + CLOCK_MAX_SHIFT_NS)
		return refuse(e);
	bool warm = clock_est_warm(e);
	e->win[e->next] = (struct clock_sample){rtt, off};
	e->next = (e->next + 1) % CLOCK_WINDOW;
	if (e->n < CLOCK_WINDOW)
		e->n++;
	e->taken++;
	const struct clock_sample *best = &e->win[0];
	for (unsigned i = 1; i < e->n; i++)
		if (e->win[i].rtt < best->rtt)
			best = &e->win[i];
	if (!warm) { /* still forming: step */
		e->base_off = best->off;
		e->base_local = now;
	} else if (best->off != e->target) {
		e->base_off = clock_est_offset(e, now);
		e->base_local = now;
	}
	e->target = best->off;
	e->err = best->rtt / 2;
	return 0;
}
