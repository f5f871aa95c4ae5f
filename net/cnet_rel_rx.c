/*
 * net/cnet_rel_rx.c — the receiving half of the reliability layer: data
 * frames are classified by sequence number (duplicate, beyond the window,
 * next expected, ahead of a gap), stored while a gap is open, reassembled
 * into messages strictly in sequence order and delivered; acks (cumulative
 * plus a bitmap of what is held beyond) are piggybacked or sent on a timer.
 *
 * Receive budget: the bytes held (the in-order part of the message being
 * reassembled plus the fragments beyond a gap) stay within rx_buf. The
 * window advertised with ack a is rx_buf minus the in-order part of the
 * message being reassembled at a — a function of a alone — and the sender
 * keeps the bytes it has in flight beyond a within it. So the bytes held
 * are at most partial(a) + (bytes sent beyond a) <= rx_buf, for honest
 * senders; a frame that would break the budget is dropped (rx_nobuf).
 */
#include "kernel/errno.h"
#include "kernel/kstring.h"
#include "net/cnet_rel_priv.h"

#define WND_MASK (CNET_REL_WND - 1)

uint32_t cnet_rel_rx_used(const struct cnet_peer *p)
{
	return (p->asm_buf ? p->asm_off : 0) + p->ooo_bytes;
}

uint32_t cnet_rel_rx_window(const struct cnet_rel *r, const struct cnet_peer *p)
{
	return r->cfg.rx_buf - (p->asm_buf ? p->asm_off : 0);
}

void cnet_rel_rx_fill_ack(const struct cnet_rel *r, const struct cnet_peer *p,
			  struct cnet_frame_info *fi)
{
	uint64_t sack = 0;

	for (unsigned i = 0; i < 64; i++)
		if (p->ooo[(p->rcv_nxt + 1 + i) & WND_MASK])
			sack |= 1ull << i;
	fi->ack = p->rcv_nxt;
	fi->sack = sack;
	fi->window = cnet_rel_rx_window(r, p);
}

int cnet_rel_rx_send_ack(struct cnet_rel *r, struct cnet_peer *p)
{
	struct cnet_frame_info fi = {.flags = CNET_F_ACK};

	fi.seq = p->snd_nxt;
	p->st.acks_out++;
	return cnet_rel_emit(r, p, p->id, &fi, NULL, 0);
}

static void asm_abort(struct cnet_rel *r, struct cnet_peer *p)
{
	if (p->asm_buf)
		r->ops->free(r->ctx, p->asm_buf, p->asm_len);
	p->asm_buf = NULL;
	p->asm_off = 0;
}

void cnet_rel_rx_drop(struct cnet_rel *r, struct cnet_peer *p)
{
	for (unsigned i = 0; i < CNET_REL_WND; i++) {
		struct cnet_rxseg *s = p->ooo[i];

		if (s)
			r->ops->free(r->ctx, s, sizeof(*s) + s->len);
		p->ooo[i] = NULL;
	}
	p->ooo_bytes = 0;
	asm_abort(r, p);
}

static void deliver(struct cnet_rel *r, struct cnet_peer *p, uint16_t service,
		    const void *msg, size_t len)
{
	p->st.msgs_in++;
	r->ops->deliver(r->ctx, p->id, service, msg, len);
}

/* A fragment that does not fit the message being reassembled: the sender
 * is broken. The sequence number is used up and the message discarded, so
 * the stream goes on. */
static void bad_frag(struct cnet_rel *r, struct cnet_peer *p)
{
	r->drops.bad_frag++;
	p->st.bad_frag++;
	asm_abort(r, p);
	p->rcv_nxt++;
}

/*
 * The fragment with sequence number rcv_nxt. Returns 0 once it is used up
 * (rcv_nxt advanced; a completed message delivered), or -ENOBUFS if it must
 * be dropped for want of memory (rcv_nxt unchanged).
 */
static int consume(struct cnet_rel *r, struct cnet_peer *p, uint16_t service,
		   uint16_t idx, uint16_t count, uint32_t msg_len,
		   const uint8_t *data, uint16_t len)
{
	uint8_t *msg;

	if (!p->asm_buf) {
		if (idx) {
			bad_frag(r, p);
			return 0;
		}
		if (count == 1) { /* the whole message: no copy */
			p->rcv_nxt++;
			deliver(r, p, service, data, len);
			return 0;
		}
		p->asm_buf = r->ops->alloc(r->ctx, msg_len);
		if (!p->asm_buf)
			return -ENOBUFS;
		p->asm_len = msg_len;
		p->asm_off = 0;
		p->asm_next = 0;
		p->asm_count = count;
		p->asm_service = service;
	} else if (idx != p->asm_next || count != p->asm_count ||
		   msg_len != p->asm_len || service != p->asm_service) {
		bad_frag(r, p);
		return 0;
	}
	if (len > p->asm_len - p->asm_off ||
	    (idx == count - 1 && p->asm_off + len != p->asm_len)) {
		bad_frag(r, p);
		return 0;
	}
	if (len)
		memcpy(p->asm_buf + p->asm_off, data, len);
	p->asm_off += len;
	p->rcv_nxt++;
	if (++p->asm_next < p->asm_count)
		return 0;
	msg = p->asm_buf;
	p->asm_buf = NULL;
	p->asm_off = 0;
	deliver(r, p, service, msg, msg_len);
	r->ops->free(r->ctx, msg, msg_len);
	return 0;
}

static void nobuf(struct cnet_rel *r, struct cnet_peer *p)
{
	r->drops.no_buffer++;
	p->st.rx_nobuf++;
}

/* Consumes the stored fragments that the gap's closing made in order.
 * Returns true if there were any. A stored fragment that cannot be used
 * for want of memory is dropped: the next ack no longer reports it, and
 * the sender sends it again. */
static bool drain(struct cnet_rel *r, struct cnet_peer *p)
{
	bool any = false;
	struct cnet_rxseg *s;

	while ((s = p->ooo[p->rcv_nxt & WND_MASK])) {
		int err;

		p->ooo[p->rcv_nxt & WND_MASK] = NULL;
		p->ooo_bytes -= s->len;
		err = consume(r, p, s->service, s->frag_index, s->frag_count,
			      s->msg_len, s->data, s->len);
		r->ops->free(r->ctx, s, sizeof(*s) + s->len);
		if (err) {
			nobuf(r, p);
			break;
		}
		any = true;
	}
	return any;
}

/* Stores a fragment that arrived ahead of a gap. Returns true if stored. */
static bool store(struct cnet_rel *r, struct cnet_peer *p,
		  const struct cnet_frame_info *fi, const void *payload)
{
	unsigned slot = fi->seq & WND_MASK;
	struct cnet_rxseg *s;

	if (p->ooo[slot]) {
		p->st.dup_drops++;
		return false;
	}
	if (cnet_rel_rx_used(p) + (uint64_t)fi->payload_len > r->cfg.rx_buf)
		goto nomem;
	s = r->ops->alloc(r->ctx, sizeof(*s) + fi->payload_len);
	if (!s)
		goto nomem;
	s->msg_len = fi->msg_len;
	s->service = fi->service;
	s->frag_index = fi->frag_index;
	s->frag_count = fi->frag_count;
	s->len = fi->payload_len;
	if (s->len)
		memcpy(s->data, payload, s->len);
	p->ooo[slot] = s;
	p->ooo_bytes += s->len;
	p->st.out_of_order++;
	return true;
nomem:
	nobuf(r, p);
	return false;
}

/* The high-water mark of the bytes held, counting the frame at hand. */
static void note_used(struct cnet_peer *p, uint64_t used)
{
	if (used > p->st.max_rx_used)
		p->st.max_rx_used = (uint32_t)used;
}

void cnet_rel_rx_data(struct cnet_rel *r, struct cnet_peer *p,
		      const struct cnet_frame_info *fi, const void *payload,
		      uint64_t now)
{
	uint32_t d = fi->seq - p->rcv_nxt;
	uint64_t used = cnet_rel_rx_used(p) + (uint64_t)fi->payload_len;
	bool ack_now = true;

	if ((int32_t)d < 0) {
		p->st.dup_drops++; /* our ack was probably lost: ack again */
	} else if (d >= CNET_REL_WND) {
		p->st.out_of_window++;
	} else if (d) {
		if (store(r, p, fi, payload))
			note_used(p, used);
	} else {
		bool drained;

		if (used > r->cfg.rx_buf) {
			nobuf(r, p);
			return;
		}
		if (p->asm_buf || fi->frag_count > 1)
			note_used(p, used); /* held in the reassembly buffer */
		if (consume(r, p, fi->service, fi->frag_index, fi->frag_count,
			    fi->msg_len, payload, fi->payload_len)) {
			nobuf(r, p);
			return;
		}
		drained = drain(r, p);
		if (p->ack_sent == p->rcv_nxt)
			return; /* a reply sent during delivery carried the ack
				 */
		/* Ack every second frame at once, and when a gap closed. */
		ack_now = drained || ++p->unacked >= 2;
	}
	p->ack_pending = true;
	if (ack_now)
		p->ack_deadline = now;
	else if (p->ack_deadline == CNET_NEVER)
		p->ack_deadline = now + r->cfg.ack_delay_ns;
}
