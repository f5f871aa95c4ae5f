/*
 * sched/control.c — live control of a running cluster (tools/unumctl):
 * status of every node, switching the global policy on every node, and
 * thread migration, on service CNET_SVC_SCHED_CTL.
 *
 * A request comes from a host as an authenticated datagram
 * (CNET_FROM_HOST, which the service takes with cnet_accept_host; format
 * in sched/control_wire.h, checked in one place by
 * sched/control_proto.c). The node it targets coordinates: it answers
 * itself, asks the other live nodes with reliable messages on the same
 * service (QUERY/REPORT, APPLY/DONE) and, when every node answered, sends
 * one datagram back to the host. Nothing here blocks waiting for a peer:
 * the service has one thread, which also receives the peers' answers, so a
 * request in progress is a `struct pending` completed by later messages.
 * A node that never answers (dead meanwhile) is reported as such when the
 * host repeats the request after PARTIAL_AFTER_NS.
 *
 * Every variable below is touched by the service's thread only (s).
 */
#include "cluster/dsm.h"
#include "kernel/config.h"
#include "kernel/errno.h"
#include "kernel/init.h"
#include "kernel/kstring.h"
#include "kernel/log.h"
#include "kernel/percpu.h"
#include "kernel/thread.h"
#include "kernel/time.h"
#include "mm/frame.h"
#include "mm/kmalloc.h"
#include "mm/vm.h"
#include "net/cnet.h"
#include "net/cnet_wire.h"
#include "sched/control_proto.h"
#include "sched/global.h"
#include "sched/migrate.h"

#define PENDING_MAX	 4
#define DONE_MAX	 8
#define PARTIAL_AFTER_NS (1000 * NSEC_PER_MSEC)
#define REPLY_MTU	 1500 /* replies fit the smallest Ethernet MTU */
#define WHY_MAX		 160

/* A request in progress on this (the coordinating) node. */
struct pending {
	uint32_t req_id; /* 0: free */
	uint32_t token;	 /* names it in the peers' answers */
	uint8_t op;
	uint8_t mac[6];
	uint64_t started;
	uint64_t want, got; /* nodes asked / answered (bit = node id) */
	uint16_t nodes, first, count;	      /* STATUS */
	struct ctl_node_info *recs;	      /* STATUS: count records */
	char policy[CTL_POLICY_NAME_MAX + 1]; /* POLICY_SET */
	int applied;			      /* POLICY_SET: nodes done */
	int32_t status;
	char text[CTL_TEXT_MAX + 1];
};

/* A finished POLICY_SET or MIGRATE: repeats are answered from here. */
struct done {
	uint32_t req_id;
	uint8_t op;
	int32_t status;
	char text[CTL_TEXT_MAX + 1];
};

static struct pending pending[PENDING_MAX]; /* (s) */
static struct done done[DONE_MAX];	    /* (s) ring */
static unsigned done_next;		    /* (s) */
static uint32_t next_token = 1;		    /* (s) */
static uint64_t bad_requests;		    /* (s) malformed, dropped */

/* ---- answers ------------------------------------------------------------- */

static void send_reply(const struct ctl_request *rq, int32_t status,
		       uint16_t nodes, uint16_t first, uint16_t count,
		       const struct ctl_node_info *recs, const char *text)
{
	struct ctl_reply r = {
	    .op = rq->op,
	    .node = (uint16_t)cnet_self(),
	    .req_id = rq->req_id,
	    .status = status,
	    .nodes = nodes,
	    .first = first,
	    .count = count,
	};
	uint8_t *buf = kmalloc(REPLY_MTU);
	if (!buf)
		return;
	size_t tl = strnlen(text, CTL_TEXT_MAX);
	int n = ctl_rep_encode(&r, recs, text, tl, buf, REPLY_MTU - 64);
	int rc = n < 0 ? n
		       : cnet_send_host(rq->reply_mac, CNET_SVC_SCHED_CTL, buf,
					(size_t)n);
	if (rc)
		pr_warn("control", "cannot answer request %u: error %d",
			rq->req_id, rc);
	kfree(buf);
}

static void remember(const struct ctl_request *rq, int32_t status,
		     const char *text)
{
	struct done *d = &done[done_next++ % DONE_MAX];
	d->req_id = rq->req_id;
	d->op = rq->op;
	d->status = status;
	kstrlcpy(d->text, text, sizeof(d->text));
}

static const struct done *find_done(const struct ctl_request *rq)
{
	for (int i = 0; i < DONE_MAX; i++)
		if (done[i].req_id == rq->req_id && done[i].op == rq->op)
			return &done[i];
	return NULL;
}

/* ---- this node's record
 * ------------------------------------------------------ */

static void view_record(int n, struct ctl_node_info *r)
{
	memset(r, 0, sizeof(*r));
	r->node = (uint16_t)n;
	cnet_node_mac(n, r->mac);
	r->alive = cnet_alive(n);
	r->cpus = (uint16_t)cnet_node_cpus(n);
}

static void local_record(struct ctl_node_info *r)
{
	struct dsm_stats ds;
	view_record(cnet_self(), r);
	r->alive = r->reported = true;
	r->cpus = (uint16_t)nr_cpus;
	r->runnable = sched_runnable();
	r->threads = sched_app_threads();
	r->mem_mb = (uint32_t)((frame_total_count() * PAGE_SIZE) >> 20);
	r->free_mb = (uint32_t)((frame_free_count() * PAGE_SIZE) >> 20);
	memset(&ds, 0, sizeof(ds));
	if (dsm_active())
		dsm_get_stats(&ds);
	r->dsm_faults = ds.read_faults + ds.write_faults;
	r->dsm_pages_in = ds.pages_in;
	r->dsm_pages_out = ds.pages_out;
	r->dsm_invalidations = ds.inv_recv;
	r->dsm_msgs = ds.msgs_sent + ds.msgs_recv;
	kstrlcpy(r->policy, sched_policy_name(), sizeof(r->policy));
}

/* ---- requests in progress
 * ----------------------------------------------------- */

static struct pending *pending_new(const struct ctl_request *rq)
{
	struct pending *p = &pending[0];
	for (int i = 0; i < PENDING_MAX; i++) {
		if (!pending[i].req_id) {
			p = &pending[i];
			break;
		}
		if (pending[i].started < p->started)
			p = &pending[i]; /* all busy: the oldest goes */
	}
	kfree(p->recs);
	memset(p, 0, sizeof(*p));
	p->req_id = rq->req_id;
	p->token = next_token++;
	if (!p->token)
		p->token = next_token++;
	p->op = rq->op;
	memcpy(p->mac, rq->reply_mac, 6);
	p->started = clock_ns();
	return p;
}

static struct pending *find_pending_req(const struct ctl_request *rq)
{
	for (int i = 0; i < PENDING_MAX; i++)
		if (pending[i].req_id == rq->req_id && pending[i].op == rq->op)
			return &pending[i];
	return NULL;
}

static struct pending *find_pending_token(uint32_t token)
{
	for (int i = 0; i < PENDING_MAX; i++)
		if (pending[i].req_id && pending[i].token == token)
			return &pending[i];
	return NULL;
}

/* "1 3" for the bits of m. */
static void list_nodes(char *buf, size_t n, uint64_t m)
{
	size_t at = 0;
	buf[0] = '\0';
	for (int i = 0; i < 64 && at < n; i++)
		if (m & (1ull << i))
			at += (size_t)ksnprintf(buf + at, n - at, "%s%d",
						at ? " " : "", i);
}

/* Answers the host with what p gathered, and forgets p. */
static void finish(struct pending *p)
{
	struct ctl_request rq = {.op = p->op, .req_id = p->req_id};
	memcpy(rq.reply_mac, p->mac, 6);
	uint64_t missing = p->want & ~p->got;
	if (p->op == CTL_OP_STATUS) {
		send_reply(&rq, 0, p->nodes, p->first, p->count, p->recs, "");
	} else {
		if (!p->status && missing) {
			char who[64];
			list_nodes(who, sizeof(who), missing);
			p->status = -ETIMEDOUT;
			ksnprintf(p->text, sizeof(p->text),
				  "policy %s in force on %d node(s); no answer "
				  "from node(s) %s",
				  p->policy, p->applied, who);
		} else if (!p->status) {
			ksnprintf(p->text, sizeof(p->text),
				  "policy %s in force on %d node(s)", p->policy,
				  p->applied);
		}
		remember(&rq, p->status, p->text);
		send_reply(&rq, p->status, 0, 0, 0, NULL, p->text);
	}
	kfree(p->recs);
	memset(p, 0, sizeof(*p));
}

static void maybe_finish(struct pending *p)
{
	if ((p->want & ~p->got) == 0)
		finish(p);
}

static int peer_send(int node, uint8_t kind, uint32_t token, int32_t status,
		     const void *body, size_t len)
{
	struct ctl_peer h = {
	    .magic = cnet_be32(CTL_PEER_MAGIC),
	    .kind = kind,
	    .len = cnet_be16((uint16_t)len),
	    .token = cnet_be32(token),
	    .status = cnet_be32((uint32_t)status),
	};
	return cnet_send2(node, CNET_SVC_SCHED_CTL, &h, sizeof(h), body, len);
}

/* ---- STATUS
 * ------------------------------------------------------------------ */

static void status_start(const struct ctl_request *rq)
{
	int nodes = cnet_nodes(), self = cnet_self();
	unsigned per = ctl_recs_per_reply(REPLY_MTU);
	if (rq->first >= nodes) {
		char why[80];
		ksnprintf(why, sizeof(why),
			  "node %u is not in the view (%d node(s))", rq->first,
			  nodes);
		send_reply(rq, -EINVAL, 0, 0, 0, NULL, why);
		return;
	}
	struct pending *p = pending_new(rq);
	p->nodes = (uint16_t)nodes;
	p->first = rq->first;
	p->count =
	    (uint16_t)((unsigned)(nodes - rq->first) < per ? nodes - rq->first
							   : per);
	p->recs = kzalloc(p->count * sizeof(*p->recs));
	if (!p->recs) {
		memset(p, 0, sizeof(*p));
		send_reply(rq, -ENOMEM, 0, 0, 0, NULL, "out of memory");
		return;
	}
	for (int i = 0; i < p->count; i++) {
		int n = p->first + i;
		if (n == self) {
			local_record(&p->recs[i]);
			continue;
		}
		view_record(n, &p->recs[i]);
		if (p->recs[i].alive &&
		    !peer_send(n, CTL_PEER_QUERY, p->token, 0, NULL, 0))
			p->want |= 1ull << n;
	}
	maybe_finish(p);
}

/* ---- POLICY_SET
 * ------------------------------------------------------------------ */

/* Parses, checks and installs text on this node: 0, or -errno and why. */
static int policy_apply(const char *text, size_t len, char *name, char *why,
			size_t why_len)
{
	struct ctl_policy_args *a = kmalloc(sizeof(*a));
	if (!a) {
		kstrlcpy(why, "out of memory", why_len);
		return -ENOMEM;
	}
	int rc = ctl_policy_parse(text, len, a, why, why_len);
	if (!rc) {
		const char *keys[CTL_KEYS_MAX], *values[CTL_KEYS_MAX];
		struct sched_policy_choice *c;
		for (int i = 0; i < a->nkeys; i++)
			keys[i] = a->key[i], values[i] = a->value[i];
		rc = sched_policy_prepare(a->name, keys, values, a->nkeys, &c,
					  why, why_len);
		if (!rc)
			sched_policy_install(c);
	}
	if (name)
		kstrlcpy(name, a->name, CTL_POLICY_NAME_MAX + 1);
	kfree(a);
	return rc;
}

static void policy_start(const struct ctl_request *rq)
{
	char why[WHY_MAX], name[CTL_POLICY_NAME_MAX + 1];
	pr_info("control", "unumctl: policy set %s", rq->arg);
	int rc = policy_apply(rq->arg, rq->arg_len, name, why, sizeof(why));
	if (rc) {
		remember(rq, rc, why);
		send_reply(rq, rc, 0, 0, 0, NULL, why);
		return;
	}
	struct pending *p = pending_new(rq);
	kstrlcpy(p->policy, name, sizeof(p->policy));
	p->applied = 1;
	for (int n = 0; n < cnet_nodes(); n++)
		if (n != cnet_self() && cnet_alive(n) &&
		    !peer_send(n, CTL_PEER_APPLY, p->token, 0, rq->arg,
			       rq->arg_len))
			p->want |= 1ull << n;
	maybe_finish(p);
}

/* ---- MIGRATE
 * ------------------------------------------------------------------------ */

static void migrate(const struct ctl_request *rq)
{
	int rc = rq->node >= (uint32_t)cnet_nodes()
		     ? -EHOSTUNREACH
		     : sched_migrate(rq->tid, (int)rq->node);
	pr_info("control", "unumctl: migrate thread %u to node %u: %d", rq->tid,
		rq->node, rc);
	remember(rq, rc, "");
	send_reply(rq, rc, 0, 0, 0, NULL, "");
}

/* ---- input
 * ------------------------------------------------------------------------ */

static void host_request(const void *msg, size_t len)
{
	struct ctl_request rq;
	int rc = ctl_req_decode(msg, len, &rq);
	if (rc) {
		if (bad_requests++ < 5)
			pr_warn("control", "malformed request dropped (%d)",
				rc);
		return;
	}
	if (rq.target != cnet_self())
		return; /* another node coordinates it */
	const struct done *d = find_done(&rq);
	if (d) { /* a repeat: never act twice */
		send_reply(&rq, d->status, 0, 0, 0, NULL, d->text);
		return;
	}
	struct pending *p = find_pending_req(&rq);
	if (p) { /* a repeat while peers are still answering */
		if (clock_ns() - p->started > PARTIAL_AFTER_NS)
			finish(p);
		return;
	}
	switch (rq.op) {
	case CTL_OP_STATUS:
		status_start(&rq);
		break;
	case CTL_OP_POLICY_SET:
		policy_start(&rq);
		break;
	case CTL_OP_MIGRATE:
		migrate(&rq);
		break;
	}
}

static void peer_message(int from, const void *msg, size_t len)
{
	struct ctl_peer h;
	if (len < sizeof(h))
		return;
	memcpy(&h, msg, sizeof(h));
	const uint8_t *body = (const uint8_t *)msg + sizeof(h);
	size_t blen = cnet_be16(h.len);
	uint32_t token = cnet_be32(h.token);
	if (cnet_be32(h.magic) != CTL_PEER_MAGIC || blen != len - sizeof(h))
		return;
	char why[WHY_MAX];
	struct ctl_node_info r;
	struct pending *p;
	switch (h.kind) {
	case CTL_PEER_QUERY: {
		struct ctl_node_rec w;
		local_record(&r);
		ctl_rec_encode(&r, &w);
		peer_send(from, CTL_PEER_REPORT, token, 0, &w, sizeof(w));
		break;
	}
	case CTL_PEER_REPORT:
		p = find_pending_token(token);
		if (!p || p->op != CTL_OP_STATUS ||
		    blen != sizeof(struct ctl_node_rec) ||
		    ctl_rec_decode((const struct ctl_node_rec *)body, &r) ||
		    r.node != from || from < p->first ||
		    from >= p->first + p->count)
			break;
		p->recs[from - p->first] = r;
		p->got |= 1ull << from;
		maybe_finish(p);
		break;
	case CTL_PEER_APPLY: {
		int rc = policy_apply((const char *)body, blen, NULL, why,
				      sizeof(why));
		peer_send(from, CTL_PEER_DONE, token, rc, why,
			  rc ? strnlen(why, sizeof(why)) : 0);
		break;
	}
	case CTL_PEER_DONE:
		p = find_pending_token(token);
		if (!p || p->op != CTL_OP_POLICY_SET ||
		    !(p->want & (1ull << from)))
			break;
		p->got |= 1ull << from;
		int32_t st = (int32_t)cnet_be32(h.status);
		if (!st) {
			p->applied++;
		} else if (!p->status) {
			size_t n = blen < WHY_MAX - 1 ? blen : WHY_MAX - 1;
			for (size_t i = 0; i < n; i++) /* shown to people */
				why[i] = body[i] >= 0x20 && body[i] <= 0x7e
					     ? (char)body[i]
					     : '?';
			why[n] = '\0';
			p->status = st >= -4095 && st < 0 ? st : -EIO;
			ksnprintf(p->text, sizeof(p->text), "node %d: %s", from,
				  why);
		}
		maybe_finish(p);
		break;
	}
}

static void ctl_handler(int from, const void *msg, size_t len, void *ctx)
{
	(void)ctx;
	if (from == CNET_FROM_HOST)
		host_request(msg, len);
	else
		peer_message(from, msg, len);
}

static int control_start(void)
{
	int rc = cnet_register(CNET_SVC_SCHED_CTL, ctl_handler, NULL);
	return rc ? rc : cnet_accept_host(CNET_SVC_SCHED_CTL); /* unumctl */
}
INITCALL(INIT_CLUSTER, control_start);
