/*
 * cluster/dsm_proto.c — the DSM coherence engine (see cluster/dsm_proto.h).
 *
 * Two roles in one node: as a *requester* it tracks what it maps of each
 * page it has touched (struct dsm_page); as the *home* of some pages it
 * keeps their directory entry (struct dsm_dir): state, sharers, owner, the
 * transaction in flight and the FIFO of requests waiting behind it.
 * Nothing here locks: the caller serialises all calls on one struct dsm.
 */
#include "cluster/dsm_proto.h"
#include "kernel/errno.h"
#include "kernel/kstring.h"

enum { DIR_PRISTINE, DIR_SHARED, DIR_EXCLUSIVE };

struct dsm_page {
	struct dsm_page *next;
	uint64_t page;
	uint8_t access;	  /* enum dsm_access */
	bool pristine_ok; /* may map the image copy without asking (the
			   * home of a page not pristine_shared: only while
			   * its directory says pristine and idle) */
	bool pending;	  /* a request is out */
	bool pending_write;
	bool prefetch; /* the request out (only while pending) is a
			* read-ahead nobody waits for */
	uint32_t version;
	uint64_t req_ns; /* when the pending request was sent */
};

struct dsm_req {
	struct dsm_req *next;
	uint8_t type; /* DSM_READ_REQ or DSM_WRITE_REQ */
	uint16_t from;
};

struct dsm_dir {
	struct dsm_dir *next;
	uint64_t page;
	uint8_t state;
	uint64_t sharers; /* DIR_PRISTINE: only for pages not pristine_shared */
	int owner;
	uint32_t version;
	uint64_t excl_ns; /* when it was last granted for writing */
	/* the transaction in flight */
	bool busy;
	uint8_t tx_type;
	int tx_req;
	int acks_left;
	bool tx_from_pristine;
	bool tx_req_has_copy;
	struct dsm_req *q_head, *q_tail; /* waiting requests, FIFO */
};

unsigned dsm_lat_bucket(uint64_t ns)
{
	uint64_t us = ns / 1000;
	unsigned b = us ? 64 - (unsigned)__builtin_clzll(us) : 0;
	return b < DSM_LAT_BUCKETS - 1 ? b : DSM_LAT_BUCKETS - 1;
}

static uint64_t now(struct dsm *d)
{
	return d->ops->now ? d->ops->now(d->ctx) : 0;
}

/* This node's access to a page changed (dsm.check reports it). */
static void changed(struct dsm *d, struct dsm_page *p)
{
	if (d->ops->changed)
		d->ops->changed(d->ctx, p->page, (enum dsm_access)p->access,
				p->version);
}

static unsigned hash(uint64_t page)
{
	return (unsigned)((page * 0x9e3779b97f4a7c15ull) >> 54) % DSM_HASH;
}

void dsm_init(struct dsm *d, int self, int nodes, const struct dsm_ops *ops,
	      void *ctx)
{
	memset(d, 0, sizeof(*d));
	d->self = self;
	d->nodes = nodes;
	d->ops = ops;
	d->ctx = ctx;
}

static bool pristine_shared(struct dsm *d, uint64_t page)
{
	return !d->ops->pristine_shared ||
	       d->ops->pristine_shared(d->ctx, page);
}

static struct dsm_page *page_get(struct dsm *d, uint64_t page, bool create)
{
	unsigned h = hash(page);
	for (struct dsm_page *p = d->pages[h]; p; p = p->next)
		if (p->page == page)
			return p;
	if (!create)
		return NULL;
	struct dsm_page *p = d->ops->alloc(d->ctx, sizeof(*p));
	if (!p)
		return NULL;
	memset(p, 0, sizeof(*p));
	p->page = page;
	p->pristine_ok =
	    pristine_shared(d, page) || d->ops->home(d->ctx, page) == d->self;
	p->next = d->pages[h];
	d->pages[h] = p;
	return p;
}

static struct dsm_dir *dir_get(struct dsm *d, uint64_t page, bool create)
{
	unsigned h = hash(page);
	for (struct dsm_dir *e = d->dirs[h]; e; e = e->next)
		if (e->page == page)
			return e;
	if (!create)
		return NULL;
	struct dsm_dir *e = d->ops->alloc(d->ctx, sizeof(*e));
	if (!e)
		return NULL;
	memset(e, 0, sizeof(*e));
	e->page = page;
	e->state = DIR_PRISTINE;
	e->owner = -1;
	e->next = d->dirs[h];
	d->dirs[h] = e;
	return e;
}

static void send(struct dsm *d, int dst, uint8_t type, uint8_t flags,
		 uint64_t page, uint32_t version, const uint8_t *data)
{
	struct dsm_msg m = {type,    flags, (uint16_t)d->self,
			    version, page,  data};
	d->stats.msgs_sent++;
	if (data) {
		d->stats.pages_out++;
		d->stats.bytes_sent += DSM_PAGE;
	}
	d->ops->send(d->ctx, dst, &m);
}

/* ---- requester side ------------------------------------------------------ */

int dsm_fault(struct dsm *d, uint64_t page, bool write)
{
	struct dsm_page *p = page_get(d, page, true);
	if (!p)
		return -ENOMEM;
	if (write ? p->access == DSM_RW : p->access != DSM_NONE)
		return DSM_FAULT_DONE; /* raced with a completion */
	if (p->pending) {
		if (p->prefetch && !write) {
			/* a read-ahead still on its way: a fault now, whose
			 * latency is from here */
			p->prefetch = false;
			p->req_ns = now(d);
			d->stats.read_faults++;
			d->stats.prefetch_waits++;
		}
		return DSM_FAULT_WAIT; /* another thread's request covers us */
	}
	if (!write && p->pristine_ok && !pristine_shared(d, page)) {
		/* the home, of a page whose copies it tracks: a sharer now,
		 * unless it stopped being pristine or a request is in flight */
		struct dsm_dir *e = dir_get(d, page, true);
		if (!e)
			return -ENOMEM;
		if (e->state != DIR_PRISTINE || e->busy)
			p->pristine_ok = false;
		else
			e->sharers |= 1ull << d->self;
	}
	if (!write && p->pristine_ok) {
		d->ops->map(d->ctx, page, DSM_RO, NULL, true);
		p->access = DSM_RO;
		d->stats.local_hits++;
		changed(d, p);
		return DSM_FAULT_DONE;
	}
	p->pending = true;
	p->pending_write = write;
	p->req_ns = now(d);
	if (write)
		d->stats.write_faults++;
	else
		d->stats.read_faults++;
	send(d, d->ops->home(d->ctx, page),
	     write ? DSM_WRITE_REQ : DSM_READ_REQ, 0, page, 0, NULL);
	return DSM_FAULT_WAIT;
}

/* Marks `page` as asked for ahead: 1, 0 if there is nothing to ask (its
 * home in *home), -ENOMEM. */
static int ahead_mark(struct dsm *d, uint64_t page, int *home)
{
	*home = d->ops->home(d->ctx, page);
	if (*home < 0) /* not known yet (dsm.home=first_touch) */
		return 0;
	struct dsm_page *p = page_get(d, page, true);
	if (!p)
		return -ENOMEM;
	if (p->access != DSM_NONE || p->pending || p->pristine_ok)
		return 0;
	p->pending = true;
	p->pending_write = false;
	p->prefetch = true;
	p->req_ns = now(d);
	d->stats.prefetches++;
	return 1;
}

int dsm_prefetch_run(struct dsm *d, uint64_t page, uint32_t n)
{
	uint64_t first = 0;
	uint32_t len = 0, asked = 0;
	int run_home = -1, home, rc = 0;
	if (n > DSM_AHEAD_RUN)
		n = DSM_AHEAD_RUN;
	for (uint32_t i = 0; i <= n; i++) {
		int marked = 0;
		if (i < n) {
			marked = ahead_mark(d, page + i, &home);
			if (marked < 0) {
				rc = marked;
				n = i; /* send what is marked, then fail */
			}
		}
		if (len && (marked <= 0 || home != run_home)) {
			d->stats.prefetch_runs++;
			send(d, run_home, DSM_READ_REQ, DSM_F_AHEAD, first, len,
			     NULL);
			len = 0;
		}
		if (marked > 0) {
			if (!len) {
				first = page + i;
				run_home = home;
			}
			len++;
			asked++;
		}
	}
	return rc < 0 ? rc : (int)asked;
}

int dsm_prefetch(struct dsm *d, uint64_t page)
{
	return dsm_prefetch_run(d, page, 1);
}

static int recv_data_or_grant(struct dsm *d, const struct dsm_msg *m)
{
	struct dsm_page *p = page_get(d, m->page, false);
	bool grant = m->type == DSM_GRANT;
	if (!p || !p->pending || p->pending_write != grant)
		return -EINVAL;
	if (m->flags & DSM_F_DECLINED) {
		if (grant || m->data || m->flags != DSM_F_DECLINED)
			return -EINVAL;
		d->stats.prefetch_declined++;
		if (!p->prefetch) { /* a fault waits on it now: ask for real */
			send(d, d->ops->home(d->ctx, m->page), DSM_READ_REQ, 0,
			     m->page, 0, NULL);
			return 0;
		}
		p->pending = false;
		p->prefetch = false;
		d->ops->complete(d->ctx, m->page); /* a write fault may wait */
		return 0;
	}
	bool pristine = m->flags & DSM_F_PRISTINE;
	bool nodata = (m->flags & DSM_F_NODATA) || pristine;
	if (!nodata && !m->data)
		return -EINVAL;
	if (!nodata)
		d->stats.pages_in++;
	/* NODATA without pristine: our read copy is current; upgrade it */
	d->ops->map(d->ctx, m->page, grant ? DSM_RW : DSM_RO,
		    nodata ? NULL : m->data, pristine);
	p->access = grant ? DSM_RW : DSM_RO;
	p->pristine_ok = false;
	p->pending = false;
	p->version = m->version;
	uint64_t t = now(d), lat = t > p->req_ns ? t - p->req_ns : 0;
	if (p->prefetch)
		p->prefetch = false; /* arrived before anyone needed it */
	else
		(grant ? d->stats.write_lat
		       : d->stats.read_lat)[dsm_lat_bucket(lat)]++;
	changed(d, p);
	d->ops->complete(d->ctx, m->page);
	return 0;
}

static int recv_inv(struct dsm *d, const struct dsm_msg *m)
{
	struct dsm_page *p = page_get(d, m->page, true);
	if (!p)
		return -ENOMEM;
	if (p->access == DSM_RW)
		return -EINVAL; /* owners get recalls, not invalidations */
	d->stats.inv_recv++;
	bool had = p->access != DSM_NONE;
	if (had)
		d->ops->map(d->ctx, m->page, DSM_NONE, NULL, false);
	p->access = DSM_NONE;
	p->pristine_ok = false; /* somebody writes it now */
	if (had)
		changed(d, p);
	send(d, m->from, DSM_INV_ACK, 0, m->page, 0, NULL);
	return 0;
}

static int recv_recall(struct dsm *d, const struct dsm_msg *m)
{
	struct dsm_page *p = page_get(d, m->page, false);
	if (!p || p->access != DSM_RW)
		return -EINVAL;
	d->stats.recalls_recv++;
	/* copy before unmapping: the unmap stops any writer (it waits for the
	 * shootdown), so the copy must be taken after it; map to RO first */
	bool keep = m->flags & DSM_F_DOWNGRADE;
	d->ops->map(d->ctx, m->page, keep ? DSM_RO : DSM_RO, NULL, false);
	d->ops->read_local(d->ctx, m->page, d->buf);
	if (!keep)
		d->ops->map(d->ctx, m->page, DSM_NONE, NULL, false);
	p->access = keep ? DSM_RO : DSM_NONE;
	changed(d, p); /* the transient RO of an invalidation is not reported */
	send(d, m->from, DSM_RECALL_REPLY, 0, m->page, p->version, d->buf);
	return 0;
}

/* ---- home side ------------------------------------------------------------ */

static void start(struct dsm *d, struct dsm_dir *e, uint8_t type, int from);

static void finish(struct dsm *d, struct dsm_dir *e)
{
	e->busy = false;
	while (!e->busy && e->q_head) {
		struct dsm_req *r = e->q_head;
		e->q_head = r->next;
		if (!e->q_head)
			e->q_tail = NULL;
		uint8_t type = r->type;
		int from = r->from;
		d->ops->free(d->ctx, r);
		start(d, e, type, from);
	}
}

static void grant(struct dsm *d, struct dsm_dir *e, const uint8_t *data)
{
	int r = e->tx_req;
	uint8_t flags = 0;
	if (e->tx_from_pristine)
		flags = DSM_F_PRISTINE;
	else if (e->tx_req_has_copy)
		flags = DSM_F_NODATA;
	else if (!data) {
		d->ops->home_read(d->ctx, e->page, d->buf);
		data = d->buf;
	}
	e->version++;
	e->excl_ns = now(d);
	e->state = DIR_EXCLUSIVE;
	e->owner = r;
	e->sharers = 0;
	send(d, r, DSM_GRANT, flags, e->page, e->version, flags ? NULL : data);
	finish(d, e);
}

static void start(struct dsm *d, struct dsm_dir *e, uint8_t type, int from)
{
	uint64_t bit = 1ull << from;
	e->busy = true;
	e->tx_type = type;
	e->tx_req = from;
	if (type == DSM_READ_REQ) {
		if (e->state == DIR_EXCLUSIVE && e->owner != from) {
			d->stats.recalls_sent++;
			send(d, e->owner, DSM_RECALL, DSM_F_DOWNGRADE, e->page,
			     0, NULL);
			return; /* continues in recv_recall_reply */
		}
		if (e->state == DIR_PRISTINE) {
			send(d, from, DSM_DATA, DSM_F_PRISTINE, e->page,
			     e->version, NULL);
			e->sharers |=
			    bit; /* tracked when not pristine_shared */
		} else {
			d->ops->home_read(d->ctx, e->page, d->buf);
			send(d, from, DSM_DATA, 0, e->page, e->version, d->buf);
			if (e->state ==
			    DIR_EXCLUSIVE) { /* the owner asked: demote */
				e->state = DIR_SHARED;
				e->owner = -1;
			}
			e->sharers |= bit;
		}
		finish(d, e);
		return;
	}
	/* write */
	e->tx_from_pristine = e->state == DIR_PRISTINE;
	e->tx_req_has_copy = false;
	if (e->state == DIR_EXCLUSIVE) {
		if (e->owner == from) { /* already the owner */
			e->tx_req_has_copy = true;
			grant(d, e, NULL);
			return;
		}
		d->stats.recalls_sent++;
		send(d, e->owner, DSM_RECALL, 0, e->page, 0, NULL);
		return; /* continues in recv_recall_reply */
	}
	uint64_t targets;
	if (e->state == DIR_PRISTINE && pristine_shared(d, e->page)) {
		/* anyone may hold the image's copy: invalidate everyone */
		targets =
		    (d->nodes >= 64 ? ~0ull : (1ull << d->nodes) - 1) & ~bit;
	} else {
		e->tx_req_has_copy = (e->sharers & bit) != 0;
		targets = e->sharers & ~bit;
	}
	e->acks_left = __builtin_popcountll(targets);
	for (int n = 0; n < d->nodes; n++)
		if (targets & (1ull << n)) {
			d->stats.inv_sent++;
			send(d, n, DSM_INV, 0, e->page, 0, NULL);
		}
	if (!e->acks_left)
		grant(d, e, NULL);
}

/* One request for one page of this home (of a read-ahead run, or alone). */
static int request_one(struct dsm *d, uint8_t type, uint8_t flags, int from,
		       uint64_t page)
{
	struct dsm_dir *e = dir_get(d, page, true);
	if (!e)
		return -ENOMEM;
	if (type == DSM_READ_REQ && (flags & DSM_F_AHEAD) &&
	    (e->busy || e->state == DIR_PRISTINE ||
	     (e->state == DIR_EXCLUSIVE &&
	      now(d) - e->excl_ns < DSM_AHEAD_FRESH_NS))) {
		send(d, from, DSM_DATA, DSM_F_DECLINED, page, e->version, NULL);
		return 0;
	}
	if (!e->busy) {
		start(d, e, type, from);
		return 0;
	}
	struct dsm_req *r = d->ops->alloc(d->ctx, sizeof(*r));
	if (!r)
		return -ENOMEM;
	r->next = NULL;
	r->type = type;
	r->from = (uint16_t)from;
	if (e->q_tail)
		e->q_tail->next = r;
	else
		e->q_head = r;
	e->q_tail = r;
	return 0;
}

static int recv_request(struct dsm *d, const struct dsm_msg *m)
{
	uint32_t run = 1;
	if (m->type == DSM_READ_REQ && (m->flags & DSM_F_AHEAD) && m->version)
		run = m->version;
	if (run > DSM_AHEAD_RUN || m->page + run < m->page)
		return -EINVAL;
	for (uint32_t i = 0; i < run; i++) /* every page ours, or none */
		if (d->ops->home(d->ctx, m->page + i) != d->self)
			return -EINVAL;
	for (uint32_t i = 0; i < run; i++) {
		int rc =
		    request_one(d, m->type, m->flags, m->from, m->page + i);
		if (rc)
			return rc;
	}
	return 0;
}

static int recv_inv_ack(struct dsm *d, const struct dsm_msg *m)
{
	struct dsm_dir *e = dir_get(d, m->page, false);
	if (!e || !e->busy || e->tx_type != DSM_WRITE_REQ || e->acks_left <= 0)
		return -EINVAL;
	if (--e->acks_left == 0)
		grant(d, e, NULL);
	return 0;
}

static int recv_recall_reply(struct dsm *d, const struct dsm_msg *m)
{
	struct dsm_dir *e = dir_get(d, m->page, false);
	if (!e || !e->busy || e->state != DIR_EXCLUSIVE ||
	    e->owner != m->from || !m->data)
		return -EINVAL;
	d->stats.pages_in++;
	d->ops->home_write(d->ctx, m->page, m->data);
	if (e->tx_type == DSM_READ_REQ) {
		e->state = DIR_SHARED;
		e->sharers = (1ull << e->owner) | (1ull << e->tx_req);
		e->owner = -1;
		send(d, e->tx_req, DSM_DATA, 0, e->page, e->version, m->data);
		finish(d, e);
	} else {
		e->tx_req_has_copy = false;
		e->tx_from_pristine = false;
		grant(d, e, m->data);
	}
	return 0;
}

int dsm_receive(struct dsm *d, const struct dsm_msg *m)
{
	int rc = -EINVAL;
	d->stats.msgs_recv++;
	if (m->from >= d->nodes || m->from >= DSM_MAX_NODES) {
		d->stats.bad_msgs++;
		return -EINVAL;
	}
	switch (m->type) {
	case DSM_READ_REQ:
	case DSM_WRITE_REQ:
		rc = recv_request(d, m);
		break;
	case DSM_DATA:
	case DSM_GRANT:
		rc = recv_data_or_grant(d, m);
		break;
	case DSM_INV:
		rc = recv_inv(d, m);
		break;
	case DSM_INV_ACK:
		rc = recv_inv_ack(d, m);
		break;
	case DSM_RECALL:
		rc = recv_recall(d, m);
		break;
	case DSM_RECALL_REPLY:
		rc = recv_recall_reply(d, m);
		break;
	}
	if (rc == -EINVAL)
		d->stats.bad_msgs++;
	return rc;
}

enum dsm_access dsm_access_of(struct dsm *d, uint64_t page)
{
	struct dsm_page *p = page_get(d, page, false);
	return p ? (enum dsm_access)p->access : DSM_NONE;
}

bool dsm_dir_state(struct dsm *d, uint64_t page, int *state, uint64_t *sharers,
		   int *owner, bool *busy)
{
	struct dsm_dir *e = dir_get(d, page, false);
	if (!e)
		return false;
	*state = e->state;
	*sharers = e->sharers;
	*owner = e->owner;
	*busy = e->busy;
	return true;
}

void dsm_destroy(struct dsm *d)
{
	for (int h = 0; h < DSM_HASH; h++) {
		while (d->pages[h]) {
			struct dsm_page *p = d->pages[h];
			d->pages[h] = p->next;
			d->ops->free(d->ctx, p);
		}
		while (d->dirs[h]) {
			struct dsm_dir *e = d->dirs[h];
			d->dirs[h] = e->next;
			while (e->q_head) {
				struct dsm_req *r = e->q_head;
				e->q_head = r->next;
				d->ops->free(d->ctx, r);
			}
			d->ops->free(d->ctx, e);
		}
	}
}

/* ---- the protocol table ------------------------------------------------- */

static const struct dsm_protocol sc_protocol = {
    .name = "sc",
    .init = dsm_init,
    .fault = dsm_fault,
    .receive = dsm_receive,
    .prefetch = dsm_prefetch_run,
};
DEFINE_DSM_PROTOCOL(sc_protocol);
