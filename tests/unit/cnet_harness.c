/*
 * tests/unit/cnet_harness.c — the nodes, allocator and links of the
 * cnet_rel/cnet_rpc host tests (see cnet_harness.h).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/cnet_harness.h"

#define HDR 16 /* allocation header: the size, checked on free */

static void *h_alloc(void *ctx, size_t size)
{
	struct harness *h = ctx;
	uint8_t *p;

	if (h->fail_in > 0 && --h->fail_in == 0) {
		h->alloc_failures++;
		return NULL;
	}
	p = malloc(HDR + size);
	assert_non_null(p);
	memcpy(p, &size, sizeof(size));
	h->alloc_bytes += (int64_t)size;
	h->alloc_count++;
	return p + HDR;
}

static void h_free(void *ctx, void *ptr, size_t size)
{
	struct harness *h = ctx;
	uint8_t *p = (uint8_t *)ptr - HDR;
	size_t was;

	memcpy(&was, p, sizeof(was));
	assert_int_equal(was, size); /* cnet_rel passes the right size */
	h->alloc_bytes -= (int64_t)size;
	h->alloc_count--;
	free(p);
}

uint64_t h_rand(struct harness *h)
{
	uint64_t z = (h->rng += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* ---- the link ---------------------------------------------------------- */

static bool before(const struct hframe *a, const struct hframe *b)
{
	return a->at < b->at || (a->at == b->at && a->id < b->id);
}

static void heap_push(struct harness *h, struct hframe *f)
{
	size_t i;

	if (h->nheap == h->capheap) {
		h->capheap = h->capheap ? 2 * h->capheap : 256;
		h->heap = realloc(h->heap, h->capheap * sizeof(*h->heap));
		assert_non_null(h->heap);
	}
	i = h->nheap++;
	while (i && before(f, h->heap[(i - 1) / 2])) {
		h->heap[i] = h->heap[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	h->heap[i] = f;
}

static struct hframe *heap_pop(struct harness *h)
{
	struct hframe *top = h->heap[0], *last = h->heap[--h->nheap];
	size_t i = 0;

	for (;;) {
		size_t c = 2 * i + 1;

		if (c >= h->nheap)
			break;
		if (c + 1 < h->nheap && before(h->heap[c + 1], h->heap[c]))
			c++;
		if (!before(h->heap[c], last))
			break;
		h->heap[i] = h->heap[c];
		i = c;
	}
	if (h->nheap)
		h->heap[i] = last;
	return top;
}

static struct hframe *frame_new(int from, int to, const void *data, size_t len)
{
	struct hframe *f = malloc(sizeof(*f) + len);

	assert_non_null(f);
	f->next = NULL;
	f->from = from;
	f->to = to;
	f->len = len;
	memcpy(f->data, data, len);
	return f;
}

static void sim_send(struct harness *h, struct hframe *f)
{
	f->at = h->now + h->latency_ns;
	if (h->reorder)
		f->at += h_rand(h) % (h->reorder * 4000ull + 1);
	f->id = h->next_id++;
	heap_push(h, f);
}

static int h_tx(void *ctx, int peer, const void *frame, size_t len)
{
	struct hnode *n = ctx;
	struct harness *h = n->h;
	struct hframe *f;

	if (h->tx_fail)
		return -ENOBUFS;
	h->tx_total++;
	f = frame_new(n->id, peer, frame, len);
	if (!h->sim) {
		*h->tail = f;
		h->tail = &f->next;
		h->queued++;
		return 0;
	}
	if (h_rand(h) % 1000 < h->loss_pm) {
		h->tx_lost++;
		free(f);
		return 0;
	}
	if (h_rand(h) % 1000 < h->dup_pm) {
		h->tx_dup++;
		sim_send(h, frame_new(n->id, peer, frame, len));
	}
	sim_send(h, f);
	return 0;
}

static void h_deliver(void *ctx, int peer, uint16_t service, const void *msg,
		      size_t len)
{
	struct hnode *n = ctx;
	struct harness *h = n->h;

	h->delivered_total++;
	if (!h->sim) {
		struct hmsg *m = &h->msgs[h->nmsgs++ % 64];

		free(m->data);
		m->node = n->id;
		m->peer = peer;
		m->service = service;
		m->len = len;
		m->data = malloc(len + 1);
		memcpy(m->data, msg, len);
	}
	if (h->on_deliver)
		h->on_deliver(h, n->id, peer, service, msg, len);
}

static void h_dgram(void *ctx, const struct cnet_dgram_info *info,
		    const void *msg, size_t len)
{
	struct hnode *n = ctx;

	if (n->h->on_dgram)
		n->h->on_dgram(n->h, n->id, info, msg, len);
}

static void h_event(void *ctx, int peer, const struct cnet_peer_event *ev)
{
	struct hnode *n = ctx;
	struct harness *h = n->h;
	struct hevent *e = &h->events[h->nevents++ % 64];

	e->node = n->id;
	e->peer = peer;
	e->ev = *ev;
	if (h->on_event)
		h->on_event(h, n->id, peer, ev);
}

/* The ctx of every op is the node; the allocator finds the harness. */
static void *n_alloc(void *ctx, size_t size)
{
	return h_alloc(((struct hnode *)ctx)->h, size);
}

static void n_free(void *ctx, void *p, size_t size)
{
	h_free(((struct hnode *)ctx)->h, p, size);
}

const struct cnet_rel_ops h_ops = {
    .tx = h_tx,
    .deliver = h_deliver,
    .dgram = h_dgram,
    .peer_event = h_event,
    .alloc = n_alloc,
    .free = n_free,
};

/* ---- nodes --------------------------------------------------------------- */

void h_setup(struct harness *h, int n, uint32_t mtu)
{
	struct siphash_key key;

	memset(h, 0, sizeof(*h));
	h->n = n;
	h->tail = &h->head;
	h->now = 1000000; /* not 0: deadlines are absolute */
	cnet_key_derive(&key, H_KEY, strlen(H_KEY));
	for (int i = 0; i < n; i++) {
		struct hnode *nd = &h->node[i];

		nd->h = h;
		nd->id = i;
		cnet_rel_config_default(&nd->cfg);
		nd->cfg.key = key;
		nd->cfg.cluster_id = H_CLUSTER;
		nd->cfg.self = (uint16_t)i;
		nd->cfg.max_nodes = (uint16_t)n;
		nd->cfg.mtu = mtu;
		nd->deadline = CNET_NEVER;
	}
}

void h_start(struct harness *h, int i, uint32_t epoch)
{
	struct hnode *nd = &h->node[i];

	nd->cfg.epoch = epoch;
	assert_int_equal(cnet_rel_init(&nd->rel, &nd->cfg, &h_ops, nd), 0);
	nd->up = true;
	nd->deadline = CNET_NEVER;
}

void h_stop(struct harness *h, int i)
{
	if (h->node[i].up)
		cnet_rel_destroy(&h->node[i].rel);
	h->node[i].up = false;
	h->node[i].deadline = CNET_NEVER;
}

void h_teardown(struct harness *h)
{
	struct hframe *f;

	for (int i = 0; i < h->n; i++)
		h_stop(h, i);
	while ((f = h_take(h)))
		free(f);
	while (h->nheap)
		free(heap_pop(h));
	free(h->heap);
	h->heap = NULL;
	for (unsigned i = 0; i < 64; i++) {
		free(h->msgs[i].data);
		h->msgs[i].data = NULL;
	}
	assert_int_equal(h->alloc_count, 0);
	assert_int_equal(h->alloc_bytes, 0);
}

/* ---- manual mode --------------------------------------------------------- */

struct hframe *h_take(struct harness *h)
{
	struct hframe *f = h->head;

	if (!f)
		return NULL;
	h->head = f->next;
	if (!h->head)
		h->tail = &h->head;
	h->queued--;
	return f;
}

void h_drop(struct hframe *f)
{
	free(f);
}

int h_feed(struct harness *h, struct hframe *f)
{
	int rc = -ENODEV;

	for (int i = 0; i < h->n; i++) {
		if (!h->node[i].up || i == f->from)
			continue;
		if (f->to == i || f->to == CNET_NODE_BCAST)
			rc = cnet_rel_input(&h->node[i].rel, f->data, f->len,
					    h->now);
	}
	free(f);
	return rc;
}

unsigned h_pump(struct harness *h)
{
	struct hframe *f;
	unsigned n = 0;

	while ((f = h_take(h))) {
		h_feed(h, f);
		n++;
	}
	return n;
}

struct cnet_peer_stats h_stats(struct harness *h, int node, int peer)
{
	struct cnet_peer_stats st;

	memset(&st, 0, sizeof(st));
	cnet_rel_peer_stats(&h->node[node].rel, peer, &st);
	return st;
}

void h_clear_msgs(struct harness *h)
{
	h->nmsgs = 0;
	h->nevents = 0;
}

uint64_t h_poll(struct harness *h, int node)
{
	return h->node[node].deadline =
		   cnet_rel_poll(&h->node[node].rel, h->now);
}

struct cnet_frame_info h_info(const struct hframe *f)
{
	struct cnet_frame_info fi;
	const struct cnet_hdr *hd =
	    (const struct cnet_hdr *)(f->data + CNET_ETH_HLEN);

	assert_true(f->len >= CNET_FRAME_OVERHEAD);
	fi.flags = hd->flags;
	fi.service = cnet_be16(hd->service);
	fi.src_epoch = cnet_be32(hd->src_epoch);
	fi.dst_epoch = cnet_be32(hd->dst_epoch);
	fi.src_node = cnet_be16(hd->src_node);
	fi.dst_node = cnet_be16(hd->dst_node);
	fi.frag_index = cnet_be16(hd->frag_index);
	fi.frag_count = cnet_be16(hd->frag_count);
	fi.seq = cnet_be32(hd->seq);
	fi.ack = cnet_be32(hd->ack);
	fi.sack = cnet_be64(hd->sack);
	fi.window = cnet_be32(hd->window);
	fi.msg_len = cnet_be32(hd->msg_len);
	fi.payload_len = cnet_be16(hd->payload_len);
	return fi;
}

struct hframe *h_forge(struct harness *h, int from, int to,
		       const struct cnet_frame_info *fi, const void *payload,
		       size_t len)
{
	const struct cnet_rel_config *c = &h->node[from].cfg;
	struct cnet_frame_params p = {c->key,	    c->cluster_id, c->self,
				      c->max_nodes, CNET_MTU_MAX,  c->max_msg};
	uint8_t buf[CNET_ETH_HLEN + CNET_MTU_MAX];
	int n;

	n = cnet_frame_encode(&p, fi, payload, len, buf, sizeof(buf));
	assert_true(n > 0);
	return frame_new(from, to, buf, (size_t)n);
}

/* ---- sim mode ------------------------------------------------------------ */

void h_sim_start(struct harness *h, uint64_t seed, unsigned loss_pm,
		 unsigned dup_pm, unsigned reorder)
{
	h->sim = true;
	h->rng = seed;
	h->loss_pm = loss_pm;
	h->dup_pm = dup_pm;
	h->reorder = reorder;
	h->latency_ns = 20000;
}

bool h_sim_run(struct harness *h, bool (*done)(struct harness *h),
	       void (*step)(struct harness *h), uint64_t limit_ns)
{
	for (;;) {
		uint64_t t = CNET_NEVER;

		if (done(h))
			return true;
		if (step)
			step(h);
		for (int i = 0; i < h->n; i++) {
			if (h->node[i].up)
				h_poll(h, i);
			if (h->node[i].deadline < t)
				t = h->node[i].deadline;
		}
		if (h->nheap && h->heap[0]->at < t)
			t = h->heap[0]->at;
		if (t == CNET_NEVER || t > limit_ns)
			return done(h);
		if (t > h->now)
			h->now = t;
		while (h->nheap && h->heap[0]->at <= h->now) {
			struct hframe *f = heap_pop(h);

			if (f->to >= 0 && f->to < h->n && h->node[f->to].up)
				cnet_rel_input(&h->node[f->to].rel, f->data,
					       f->len, h->now);
			free(f);
		}
	}
}
