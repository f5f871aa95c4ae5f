/*
 * net/cnet_rel_tx.c — the sending half of the reliability layer: messages
 * are queued whole, cut into fragments as the window opens, kept until
 * cumulatively acked, and resent on a timeout or when the peer's sack
 * bitmap shows a hole.
 *
 * RTT and RTO follow RFC 6298 (Jacobson/Karels): SRTT += (R - SRTT)/8,
 * RTTVAR += (|SRTT - R| - RTTVAR)/4 (RTTVAR first, with the old SRTT), the
 * first sample sets SRTT = R, RTTVAR = R/2; RTO = SRTT + max(1 us,
 * 4 RTTVAR) within [rto_min, rto_max]. Karn: only frames sent once give
 * samples, and the doubled RTO stays until one does.
 */
#include "kernel/errno.h"
#include "kernel/kstring.h"
#include "net/cnet_rel_priv.h"

#define WND_MASK	   (CNET_REL_WND - 1)
#define RTO_GRANULARITY_NS 1000ull

static uint32_t frag_size(const struct cnet_rel *r)
{
	return cnet_frame_max_payload(r->cfg.mtu);
}

/* (Re)transmits the fragment with sequence number seq. */
static int xmit(struct cnet_rel *r, struct cnet_peer *p, uint32_t seq,
		uint64_t now)
{
	struct cnet_txseg *s = &p->seg[seq & WND_MASK];
	struct cnet_txmsg *m = s->msg;
	struct cnet_frame_info fi = {.flags = CNET_F_DATA | CNET_F_ACK};

	fi.service = m->service;
	fi.frag_index = s->frag;
	fi.frag_count = m->nfrags;
	fi.seq = seq;
	fi.msg_len = m->len;
	s->sent_ns = now;
	s->xmit++;
	return cnet_rel_emit(r, p, p->id, &fi,
			     m->data + (size_t)s->frag * frag_size(r), s->len);
}

static void retransmit(struct cnet_rel *r, struct cnet_peer *p, uint32_t seq,
		       uint64_t now)
{
	p->st.retransmits++;
	xmit(r, p, seq, now);
}

static struct cnet_txmsg *next_msg(struct cnet_peer *p, struct cnet_txmsg *m)
{
	if (m->link.next == &p->txq)
		return NULL;
	return container_of(m->link.next, struct cnet_txmsg, link);
}

void cnet_rel_tx_push(struct cnet_rel *r, struct cnet_peer *p, uint64_t now)
{
	uint32_t fs = frag_size(r);

	if (!p->tx_next)
		return;
	if (!p->epoch) {
		cnet_rel_hello_start(r, p, now);
		return;
	}
	while (p->tx_next) {
		struct cnet_txmsg *m = p->tx_next;
		uint32_t off = (uint32_t)m->next_frag * fs;
		uint32_t len = m->len - off < fs ? m->len - off : fs;
		uint32_t seq = p->snd_nxt;
		struct cnet_txseg *s = &p->seg[seq & WND_MASK];

		if (p->snd_nxt - p->snd_una >= CNET_REL_WND)
			break;
		if ((uint64_t)p->inflight + len > p->peer_wnd) {
			/* Nothing in flight means no ack will come to open
			 * the window: send anyway (a correct peer never lets
			 * this happen; see cnet_rel_rx.c). */
			if (p->inflight)
				break;
			p->st.window_overruns++;
		}
		s->msg = m;
		s->frag = m->next_frag;
		s->len = (uint16_t)len;
		s->xmit = 0;
		s->sacked = false;
		p->snd_nxt++;
		p->inflight += len;
		if (p->inflight > p->st.max_inflight)
			p->st.max_inflight = p->inflight;
		if (++m->next_frag == m->nfrags)
			p->tx_next = next_msg(p, m);
		if (p->rto_deadline == CNET_NEVER)
			p->rto_deadline = now + cnet_rel_rto_now(r, p);
		if (xmit(r, p, seq, now) < 0)
			break; /* the NIC is full; the RTO resends it */
	}
}

int cnet_rel_sendv(struct cnet_rel *r, int peer, uint16_t service,
		   const struct cnet_iov *iov, int iovcnt, uint64_t now)
{
	uint32_t fs = frag_size(r);
	struct cnet_txmsg *m;
	struct cnet_peer *p;
	size_t len = 0, off = 0;

	if (iovcnt < 0 || (iovcnt && !iov))
		return -EINVAL;
	for (int i = 0; i < iovcnt; i++) {
		if (iov[i].len > r->cfg.max_msg - len)
			return -E2BIG;
		len += iov[i].len;
	}
	if (peer < 0 || peer >= r->cfg.max_nodes ||
	    r->cfg.self == CNET_NODE_NONE)
		return -EHOSTUNREACH;
	if (peer == r->cfg.self && iovcnt <= 1) {
		r->ops->deliver(r->ctx, peer, service,
				iovcnt ? iov[0].base : "", len);
		return 0;
	}
	p = NULL;
	if (peer != r->cfg.self) {
		p = cnet_rel_peer_get(r, (uint16_t)peer);
		if (!p)
			return -ENOMEM;
		if ((uint64_t)p->tx_bytes + len > r->cfg.tx_buf) {
			p->tx_blocked = true;
			return -EAGAIN;
		}
	}
	m = r->ops->alloc(r->ctx, sizeof(*m) + len);
	if (!m)
		return -ENOMEM;
	for (int i = 0; i < iovcnt; i++) {
		if (iov[i].len)
			memcpy(m->data + off, iov[i].base, iov[i].len);
		off += iov[i].len;
	}
	if (!p) { /* to ourselves, gathered */
		r->ops->deliver(r->ctx, peer, service, m->data, len);
		r->ops->free(r->ctx, m, sizeof(*m) + len);
		return 0;
	}
	m->len = (uint32_t)len;
	m->service = service;
	m->nfrags = (uint16_t)(len ? (len + fs - 1) / fs : 1);
	m->next_frag = 0;
	list_add_tail(&p->txq, &m->link);
	p->tx_bytes += m->len;
	p->st.msgs_out++;
	if (!p->tx_next)
		p->tx_next = m;
	cnet_rel_tx_push(r, p, now);
	return 0;
}

int cnet_rel_send(struct cnet_rel *r, int peer, uint16_t service,
		  const void *msg, size_t len, uint64_t now)
{
	struct cnet_iov iov = {msg, len};

	return cnet_rel_sendv(r, peer, service, &iov, 1, now);
}

void cnet_rel_rtt_sample(struct cnet_rel *r, struct cnet_peer *p, uint64_t rtt)
{
	uint64_t rto, var4;

	if (!rtt)
		rtt = 1; /* srtt 0 means "no sample" */
	if (!p->srtt) {
		p->srtt = rtt;
		p->rttvar = rtt / 2;
	} else {
		uint64_t delta = p->srtt > rtt ? p->srtt - rtt : rtt - p->srtt;

		p->rttvar = (3 * p->rttvar + delta) / 4;
		p->srtt = (7 * p->srtt + rtt) / 8;
	}
	var4 = 4 * p->rttvar;
	if (var4 < RTO_GRANULARITY_NS)
		var4 = RTO_GRANULARITY_NS;
	rto = p->srtt + var4;
	if (rto < r->cfg.rto_min_ns)
		rto = r->cfg.rto_min_ns;
	if (rto > r->cfg.rto_max_ns)
		rto = r->cfg.rto_max_ns;
	p->rto = rto;
	p->backoff = 0;
}

/* Frees what ack covers; returns the RTT sample (0: none, by Karn). */
static uint64_t take_acked(struct cnet_rel *r, struct cnet_peer *p,
			   uint32_t ack, uint64_t now)
{
	uint64_t sample = 0;

	for (; p->snd_una != ack; p->snd_una++) {
		struct cnet_txseg *s = &p->seg[p->snd_una & WND_MASK];
		struct cnet_txmsg *m = s->msg;

		p->inflight -= s->len;
		if (s->xmit == 1)
			sample = now - s->sent_ns ? now - s->sent_ns : 1;
		if (s->frag == m->nfrags - 1) {
			list_del(&m->link);
			p->tx_bytes -= m->len;
			r->ops->free(r->ctx, m, sizeof(*m) + m->len);
		}
		s->msg = NULL;
	}
	return sample;
}

void cnet_rel_tx_ack(struct cnet_rel *r, struct cnet_peer *p,
		     const struct cnet_frame_info *fi, uint64_t now)
{
	uint32_t acked = fi->ack - p->snd_una;
	uint32_t hi, seq;
	uint64_t sample;

	if ((int32_t)acked < 0)
		return; /* an older ack, overtaken */
	if (acked > p->snd_nxt - p->snd_una) {
		r->drops.bad_ack++;
		return;
	}
	sample = take_acked(r, p, fi->ack, now);
	p->peer_wnd = fi->window;
	if (acked) {
		p->timeouts = 0;
		p->unreachable_told = false;
		if (sample)
			cnet_rel_rtt_sample(r, p, sample);
		p->rto_deadline = p->snd_una == p->snd_nxt
				      ? CNET_NEVER
				      : now + cnet_rel_rto_now(r, p);
	}
	/* The bitmap: what arrived beyond the hole at snd_una. */
	hi = p->snd_una;
	for (seq = p->snd_una + 1; seq - p->snd_una < p->snd_nxt - p->snd_una;
	     seq++) {
		uint32_t bit = seq - fi->ack - 1;
		struct cnet_txseg *s = &p->seg[seq & WND_MASK];

		s->sacked = bit < 64 && ((fi->sack >> bit) & 1);
		if (s->sacked)
			hi = seq;
	}
	/* A hole below something that arrived is lost once it has had
	 * 1.25 SRTT to arrive (reordering slack), then resent once per
	 * that time. */
	if (hi != p->snd_una) {
		uint64_t wait =
		    p->srtt ? p->srtt + p->srtt / 4 : cnet_rel_rto_now(r, p);

		for (seq = p->snd_una; seq != hi; seq++) {
			struct cnet_txseg *s = &p->seg[seq & WND_MASK];

			if (!s->sacked && now - s->sent_ns >= wait) {
				p->st.fast_retransmits++;
				retransmit(r, p, seq, now);
			}
		}
	}
	if (p->tx_blocked && p->tx_bytes + r->cfg.max_msg <= r->cfg.tx_buf) {
		p->tx_blocked = false;
		cnet_rel_event(r, p, CNET_PEER_WRITABLE, 0);
	}
}

void cnet_rel_tx_timeout(struct cnet_rel *r, struct cnet_peer *p, uint64_t now)
{
	uint64_t expired = cnet_rel_rto_now(r, p);

	if (p->snd_una == p->snd_nxt) {
		p->rto_deadline = CNET_NEVER;
		return;
	}
	p->st.timeouts++;
	if (p->backoff < 32)
		p->backoff++;
	p->rto_deadline = now + cnet_rel_rto_now(r, p);
	/* The oldest always; the others if not known to have arrived and
	 * out for a whole RTO (the acks that would report them are lost). */
	for (uint32_t seq = p->snd_una; seq != p->snd_nxt; seq++) {
		struct cnet_txseg *s = &p->seg[seq & WND_MASK];

		if (seq == p->snd_una ||
		    (!s->sacked && now - s->sent_ns >= expired))
			retransmit(r, p, seq, now);
	}
	if (++p->timeouts >= r->cfg.unreachable_after && !p->unreachable_told) {
		p->unreachable_told = true;
		cnet_rel_event(r, p, CNET_PEER_UNREACHABLE, 0);
	}
}

uint32_t cnet_rel_tx_drop(struct cnet_rel *r, struct cnet_peer *p)
{
	struct list_node *it;
	uint32_t n = 0;

	while ((it = list_pop(&p->txq))) {
		struct cnet_txmsg *m =
		    container_of(it, struct cnet_txmsg, link);

		r->ops->free(r->ctx, m, sizeof(*m) + m->len);
		n++;
	}
	for (unsigned i = 0; i < CNET_REL_WND; i++)
		p->seg[i].msg = NULL;
	p->tx_next = NULL;
	p->tx_bytes = 0;
	p->tx_blocked = false;
	p->inflight = 0;
	return n;
}
