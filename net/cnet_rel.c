/*
 * net/cnet_rel.c — the reliability layer's frame: set-up, peers and their
 * epochs (handshake, reboot detection, stale frames), input dispatch,
 * datagrams, timers and counters. Sending is in cnet_rel_tx.c, receiving
 * data in cnet_rel_rx.c; the contract is in cnet_rel.h.
 */
#include "net/cnet_rel.h"

#include "kernel/errno.h"
#include "kernel/kstring.h"
#include "net/cnet_rel_priv.h"

void cnet_rel_config_default(struct cnet_rel_config *c)
{
	memset(c, 0, sizeof(*c));
	c->mtu = CNET_DEF_MTU;
	c->max_msg = CNET_DEF_MAX_MSG;
	c->rx_buf = CNET_DEF_RX_BUF;
	c->tx_buf = CNET_DEF_TX_BUF;
	c->ack_delay_ns = CNET_DEF_ACK_DELAY_NS;
	c->rto_init_ns = CNET_DEF_RTO_INIT_NS;
	c->rto_min_ns = CNET_DEF_RTO_MIN_NS;
	c->rto_max_ns = CNET_DEF_RTO_MAX_NS;
	c->unreachable_after = CNET_DEF_UNREACHABLE_AFTER;
}

const char *cnet_rel_config_check(const struct cnet_rel_config *c)
{
	if (!c->epoch)
		return "cnet: epoch must not be 0";
	if (!c->max_nodes || c->max_nodes > CNET_NODE_BCAST)
		return "cnet: max_nodes must be 1 .. 65534";
	if (c->self != CNET_NODE_NONE && c->self >= c->max_nodes)
		return "cnet: self must be below max_nodes (or NONE)";
	if (c->mtu < CNET_MTU_MIN || c->mtu > CNET_MTU_MAX)
		return "cnet: mtu out of range";
	if (!c->max_msg || c->max_msg > CNET_MSG_LIMIT)
		return "cnet: max_msg out of range";
	if (c->rx_buf < c->max_msg)
		return "cnet: rx_buf must be at least max_msg";
	if (c->tx_buf < c->max_msg)
		return "cnet: tx_buf must be at least max_msg";
	if (!c->rto_min_ns || c->rto_min_ns > c->rto_max_ns ||
	    c->rto_init_ns < c->rto_min_ns || c->rto_init_ns > c->rto_max_ns)
		return "cnet: need 0 < rto_min <= rto_init <= rto_max";
	if (!c->unreachable_after)
		return "cnet: unreachable_after must not be 0";
	return NULL;
}

int cnet_rel_init(struct cnet_rel *r, const struct cnet_rel_config *cfg,
		  const struct cnet_rel_ops *ops, void *ctx)
{
	size_t psize = (size_t)cfg->max_nodes * sizeof(*r->peers);

	memset(r, 0, sizeof(*r));
	if (cnet_rel_config_check(cfg) || !ops || !ops->tx || !ops->deliver ||
	    !ops->alloc || !ops->free)
		return -EINVAL;
	r->cfg = *cfg;
	r->ops = ops;
	r->ctx = ctx;
	r->fp.key = cfg->key;
	r->fp.cluster_id = cfg->cluster_id;
	r->fp.self = cfg->self;
	r->fp.max_nodes = cfg->max_nodes;
	r->fp.mtu = cfg->mtu;
	r->fp.max_msg = cfg->max_msg;
	list_init(&r->active);
	r->txcap = CNET_ETH_HLEN + (size_t)cfg->mtu;
	r->txbuf = ops->alloc(ctx, r->txcap);
	r->peers = ops->alloc(ctx, psize);
	if (!r->txbuf || !r->peers)
		goto fail;
	memset(r->peers, 0, psize);
	return 0;
fail:
	if (r->txbuf)
		ops->free(ctx, r->txbuf, r->txcap);
	if (r->peers)
		ops->free(ctx, r->peers, psize);
	r->txbuf = NULL;
	r->peers = NULL;
	return -ENOMEM;
}

void cnet_rel_destroy(struct cnet_rel *r)
{
	struct list_node *it, *tmp;

	if (!r->peers)
		return;
	list_for_each_safe(it, tmp, &r->active)
	{
		struct cnet_peer *p = container_of(it, struct cnet_peer, link);

		cnet_rel_tx_drop(r, p);
		cnet_rel_rx_drop(r, p);
		r->ops->free(r->ctx, p, sizeof(*p));
	}
	r->ops->free(r->ctx, r->peers,
		     (size_t)r->cfg.max_nodes * sizeof(*r->peers));
	r->ops->free(r->ctx, r->txbuf, r->txcap);
	r->peers = NULL;
	r->txbuf = NULL;
}

int cnet_rel_set_self(struct cnet_rel *r, uint16_t self)
{
	if (self != CNET_NODE_NONE && self >= r->cfg.max_nodes)
		return -EINVAL;
	if (!list_empty(&r->active))
		return -EBUSY;
	r->cfg.self = self;
	r->fp.self = self;
	return 0;
}

/* A fresh connection's sequence state (seqs start at 1 per incarnation
 * pair); the RTT estimate is kept: the path has not changed. */
static void conn_init(struct cnet_peer *p)
{
	p->snd_una = p->snd_nxt = 1;
	p->rcv_nxt = 1;
	p->ack_sent = 0;
	p->peer_wnd = 0;
	p->backoff = 0;
	p->rto_deadline = CNET_NEVER;
	p->ack_deadline = CNET_NEVER;
	p->ack_pending = false;
	p->unacked = 0;
	p->timeouts = 0;
	p->unreachable_told = false;
}

/* The peer's state, allocated at first contact; NULL if out of memory. */
struct cnet_peer *cnet_rel_peer_get(struct cnet_rel *r, uint16_t id)
{
	struct cnet_peer *p = r->peers[id];

	if (p)
		return p;
	p = r->ops->alloc(r->ctx, sizeof(*p));
	if (!p)
		return NULL;
	memset(p, 0, sizeof(*p));
	p->id = id;
	list_init(&p->txq);
	p->rto = r->cfg.rto_init_ns;
	p->hello_deadline = CNET_NEVER;
	conn_init(p);
	list_add_tail(&r->active, &p->link);
	r->peers[id] = p;
	return p;
}

uint64_t cnet_rel_rto_now(const struct cnet_rel *r, const struct cnet_peer *p)
{
	uint64_t rto = p->rto;

	for (unsigned i = 0; i < p->backoff && rto < r->cfg.rto_max_ns; i++)
		rto <<= 1;
	return rto < r->cfg.rto_max_ns ? rto : r->cfg.rto_max_ns;
}

int cnet_rel_emit(struct cnet_rel *r, struct cnet_peer *p, int dst,
		  struct cnet_frame_info *fi, const void *payload, size_t len)
{
	int n;

	fi->src_node = r->cfg.self;
	fi->dst_node = (uint16_t)dst;
	fi->src_epoch = r->cfg.epoch;
	fi->dst_epoch = p ? p->epoch : 0;
	if (fi->flags & CNET_F_ACK)
		cnet_rel_rx_fill_ack(r, p, fi);
	n = cnet_frame_encode(&r->fp, fi, payload, len, r->txbuf, r->txcap);
	if (n < 0)
		return n;
	if (fi->flags & CNET_F_ACK) {
		p->ack_sent = fi->ack;
		p->ack_pending = false;
		p->ack_deadline = CNET_NEVER;
		p->unacked = 0;
	}
	if (p) {
		p->st.frames_out++;
		p->st.bytes_out += (uint64_t)n;
	}
	return r->ops->tx(r->ctx, dst, r->txbuf, (size_t)n);
}

void cnet_rel_event(struct cnet_rel *r, struct cnet_peer *p,
		    enum cnet_peer_event_kind kind, uint32_t dropped)
{
	struct cnet_peer_event ev = {kind, p->epoch, dropped};

	if (r->ops->peer_event)
		r->ops->peer_event(r->ctx, p->id, &ev);
}

static int send_hello(struct cnet_rel *r, struct cnet_peer *p)
{
	struct cnet_frame_info fi = {.flags = CNET_F_HELLO};

	fi.window = cnet_rel_rx_window(r, p);
	p->st.hellos_out++;
	return cnet_rel_emit(r, p, p->id, &fi, NULL, 0);
}

void cnet_rel_hello_start(struct cnet_rel *r, struct cnet_peer *p, uint64_t now)
{
	if (p->hello_pending)
		return;
	p->hello_pending = true;
	p->hello_backoff = 0;
	p->hello_sent_ns = now;
	p->hello_deadline = now + r->cfg.rto_init_ns;
	send_hello(r, p);
}

static void hello_timeout(struct cnet_rel *r, struct cnet_peer *p, uint64_t now)
{
	uint64_t t = r->cfg.rto_init_ns;

	if (p->hello_backoff < 32)
		p->hello_backoff++;
	for (unsigned i = 0; i < p->hello_backoff && t < r->cfg.rto_max_ns; i++)
		t <<= 1;
	p->hello_deadline =
	    now + (t < r->cfg.rto_max_ns ? t : r->cfg.rto_max_ns);
	send_hello(r, p);
	if (++p->timeouts >= r->cfg.unreachable_after && !p->unreachable_told) {
		p->unreachable_told = true;
		cnet_rel_event(r, p, CNET_PEER_UNREACHABLE, 0);
	}
}

static bool epoch_retired(const struct cnet_peer *p, uint32_t epoch)
{
	for (unsigned i = 0; i < CNET_RETIRED_EPOCHS; i++)
		if (p->retired[i] == epoch)
			return true;
	return false;
}

/* Drops everything of the current connection; returns messages dropped. */
static uint32_t conn_drop(struct cnet_rel *r, struct cnet_peer *p)
{
	uint32_t n = cnet_rel_tx_drop(r, p);

	cnet_rel_rx_drop(r, p);
	if (p->epoch) {
		p->retired[p->retired_next++ % CNET_RETIRED_EPOCHS] = p->epoch;
		p->epoch = 0;
	}
	p->hello_pending = false;
	p->hello_deadline = CNET_NEVER;
	conn_init(p);
	return n;
}

/* We learn the epoch of a peer we had none for. */
static void adopt_epoch(struct cnet_rel *r, struct cnet_peer *p, uint32_t epoch,
			uint32_t window)
{
	p->epoch = epoch;
	p->peer_wnd = window;
	p->hello_pending = false;
	p->hello_deadline = CNET_NEVER;
	p->timeouts = 0;
	cnet_rel_event(r, p, CNET_PEER_UP, 0);
}

/* A frame for an earlier incarnation of us, or from an earlier one of the
 * peer. If we know nothing of the peer, our HELLO tells it who we are. */
static int stale(struct cnet_rel *r, struct cnet_peer *p,
		 const struct cnet_frame_info *fi, uint64_t now)
{
	r->drops.stale_epoch++;
	if (!p->epoch && !epoch_retired(p, fi->src_epoch))
		cnet_rel_hello_start(r, p, now);
	return -ECANCELED;
}

static int input_hello(struct cnet_rel *r, struct cnet_peer *p,
		       const struct cnet_frame_info *fi, uint64_t now)
{
	/* The answer to our first HELLO is the first RTT sample (Karn:
	 * not if the HELLO was sent again). */
	bool sample = p->hello_pending && !p->hello_backoff &&
		      fi->dst_epoch == r->cfg.epoch;

	if (epoch_retired(p, fi->src_epoch) ||
	    (fi->dst_epoch && fi->dst_epoch != r->cfg.epoch))
		return stale(r, p, fi, now);
	if (sample)
		cnet_rel_rtt_sample(r, p, now - p->hello_sent_ns);
	if (p->epoch && p->epoch != fi->src_epoch) {
		/* The peer rebooted. */
		uint32_t dropped = conn_drop(r, p);

		p->st.resets++;
		p->epoch = fi->src_epoch;
		p->peer_wnd = fi->window;
		cnet_rel_event(r, p, CNET_PEER_RESET, dropped);
	} else if (!p->epoch) {
		adopt_epoch(r, p, fi->src_epoch, fi->window);
	}
	p->st.frames_in++;
	p->st.bytes_in += CNET_FRAME_OVERHEAD;
	if (fi->dst_epoch != r->cfg.epoch)
		send_hello(r, p); /* it does not know us yet */
	cnet_rel_tx_push(r, p, now);
	return 0;
}

static int input_dgram(struct cnet_rel *r, const struct cnet_frame_info *fi,
		       const uint8_t *frame, const void *payload)
{
	struct cnet_peer *p = NULL;
	struct cnet_dgram_info info;

	if (fi->src_node < r->cfg.max_nodes)
		p = r->peers[fi->src_node];
	if ((fi->dst_epoch && fi->dst_epoch != r->cfg.epoch) ||
	    (p && epoch_retired(p, fi->src_epoch))) {
		r->drops.stale_epoch++;
		return -ECANCELED;
	}
	if (!r->ops->dgram) {
		r->drops.unknown_service++;
		return -ENOENT;
	}
	info.src_node = fi->src_node;
	info.dst_node = fi->dst_node;
	info.src_epoch = fi->src_epoch;
	info.service = fi->service;
	memcpy(info.src_mac, frame + 6, 6);
	r->ops->dgram(r->ctx, &info, payload, fi->payload_len);
	return 0;
}

int cnet_rel_input(struct cnet_rel *r, const void *frame, size_t len,
		   uint64_t now)
{
	struct cnet_frame_info fi;
	const void *payload;
	struct cnet_peer *p;
	int err;

	err = cnet_frame_decode(&r->fp, frame, len, &fi, &payload, &r->drops);
	if (err)
		return err;
	if (fi.flags == CNET_F_DGRAM)
		return input_dgram(r, &fi, frame, payload);
	p = cnet_rel_peer_get(r, fi.src_node);
	if (!p) {
		r->drops.no_buffer++;
		return -ENOBUFS;
	}
	if (fi.flags == CNET_F_HELLO)
		return input_hello(r, p, &fi, now);

	/* DATA|ACK or ACK: only for this incarnation pair. */
	if (fi.dst_epoch != r->cfg.epoch || epoch_retired(p, fi.src_epoch))
		return stale(r, p, &fi, now);
	if (!p->epoch)
		adopt_epoch(r, p, fi.src_epoch, fi.window);
	else if (p->epoch != fi.src_epoch)
		return stale(r, p, &fi, now);
	p->st.frames_in++;
	p->st.bytes_in += len;
	cnet_rel_tx_ack(r, p, &fi, now);
	if (fi.flags & CNET_F_DATA)
		cnet_rel_rx_data(r, p, &fi, payload, now);
	cnet_rel_tx_push(r, p, now);
	/* An ack wanted at once that no data frame carried. */
	if (p->ack_pending && p->ack_deadline <= now)
		cnet_rel_rx_send_ack(r, p);
	return 0;
}

int cnet_rel_send_dgram(struct cnet_rel *r, int peer, uint16_t service,
			const void *msg, size_t len)
{
	struct cnet_frame_info fi = {.flags = CNET_F_DGRAM};
	struct cnet_peer *p = NULL;

	if (peer != CNET_NODE_BCAST &&
	    (peer < 0 || peer >= r->cfg.max_nodes || peer == r->cfg.self))
		return -EHOSTUNREACH;
	if (len > cnet_frame_max_payload(r->cfg.mtu) || len > r->cfg.max_msg)
		return -E2BIG;
	if (peer != CNET_NODE_BCAST)
		p = r->peers[peer];
	fi.service = service;
	fi.frag_count = 1;
	fi.msg_len = (uint32_t)len;
	return cnet_rel_emit(r, p, peer, &fi, msg, len);
}

int cnet_rel_connect(struct cnet_rel *r, int peer, uint64_t now)
{
	struct cnet_peer *p;

	if (peer < 0 || peer >= r->cfg.max_nodes || peer == r->cfg.self ||
	    r->cfg.self == CNET_NODE_NONE)
		return -EHOSTUNREACH;
	p = cnet_rel_peer_get(r, (uint16_t)peer);
	if (!p)
		return -ENOMEM;
	if (!p->epoch)
		cnet_rel_hello_start(r, p, now);
	return 0;
}

static uint64_t earliest(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

uint64_t cnet_rel_poll(struct cnet_rel *r, uint64_t now)
{
	uint64_t next = CNET_NEVER;
	struct list_node *it;

	list_for_each(it, &r->active)
	{
		struct cnet_peer *p = container_of(it, struct cnet_peer, link);

		if (p->ack_pending && now >= p->ack_deadline)
			cnet_rel_rx_send_ack(r, p);
		if (p->hello_pending && now >= p->hello_deadline)
			hello_timeout(r, p, now);
		if (now >= p->rto_deadline)
			cnet_rel_tx_timeout(r, p, now);
		if (p->ack_pending)
			next = earliest(next, p->ack_deadline);
		if (p->hello_pending)
			next = earliest(next, p->hello_deadline);
		next = earliest(next, p->rto_deadline);
	}
	return next;
}

void cnet_rel_peer_reset(struct cnet_rel *r, int peer)
{
	if (peer < 0 || peer >= r->cfg.max_nodes || !r->peers[peer])
		return;
	conn_drop(r, r->peers[peer]);
}

int cnet_rel_peer_stats(const struct cnet_rel *r, int peer,
			struct cnet_peer_stats *out)
{
	const struct cnet_peer *p;

	if (peer < 0 || peer >= r->cfg.max_nodes || !r->peers[peer])
		return -ENOENT;
	p = r->peers[peer];
	*out = p->st;
	out->srtt_ns = p->srtt;
	out->rttvar_ns = p->rttvar;
	out->rto_ns = cnet_rel_rto_now(r, p);
	out->epoch = p->epoch;
	out->inflight = p->inflight;
	out->peer_window = p->peer_wnd;
	out->tx_queued = p->tx_bytes;
	out->rx_used = cnet_rel_rx_used(p);
	return 0;
}
