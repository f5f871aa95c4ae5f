/*
 * cluster/csync_proto.c — the cluster lock service's protocol engine
 * (cluster/csync_proto.h): object records, the mutex token (node and home
 * side), the checks on every peer message and the dispatch of the rest to
 * the home requests (cluster/csync_home.c).
 *
 * The whole engine is guarded by its caller's lock (cluster/csync.c:
 * eng_lock); nothing here blocks.
 */
#include "kernel/kstring.h"

#include "cluster/csync_opt.h"
#include "cluster/csync_priv.h"
#include "cluster/csync_proto.h"
#include "kernel/errno.h"

/* ---- helpers ------------------------------------------------------------ */

bool csp_wl_add(struct csync *e, struct csync_wl *l, int node, uint32_t wid,
		int flag)
{
	struct wl_ent *x = e->ops->alloc(e->ctx, sizeof(*x));
	if (!x)
		return false;
	x->next = NULL;
	x->node = node;
	x->wid = wid;
	x->flag = flag;
	x->tid = 0;
	if (l->tail)
		l->tail->next = x;
	else
		l->head = x;
	l->tail = x;
	l->n++;
	return true;
}

/* Removes the first entry matching (node, wid): true if there was one. */
bool csp_wl_del(struct csync *e, struct csync_wl *l, int node, uint32_t wid,
		int *flag)
{
	struct wl_ent **p = &l->head, *prev = NULL;
	for (; *p; prev = *p, p = &(*p)->next) {
		struct wl_ent *x = *p;
		if (x->node != node || x->wid != wid)
			continue;
		*p = x->next;
		if (l->tail == x)
			l->tail = prev;
		l->n--;
		if (flag)
			*flag = x->flag;
		e->ops->free(e->ctx, x);
		return true;
	}
	return false;
}

bool csp_wl_pop(struct csync *e, struct csync_wl *l, int *node, uint32_t *wid,
		int *flag)
{
	struct wl_ent *x = l->head;
	if (!x)
		return false;
	l->head = x->next;
	if (!l->head)
		l->tail = NULL;
	l->n--;
	*node = x->node;
	*wid = x->wid;
	if (flag)
		*flag = x->flag;
	e->ops->free(e->ctx, x);
	return true;
}

struct wl_ent *csp_wl_find_node(struct csync_wl *l, int node)
{
	for (struct wl_ent *x = l->head; x; x = x->next)
		if (x->node == node)
			return x;
	return NULL;
}

void csp_wl_clear(struct csync *e, struct csync_wl *l)
{
	int n;
	uint32_t w;
	while (csp_wl_pop(e, l, &n, &w, NULL))
		;
}

static struct csync_obj **slot_of(struct csync *e, uint32_t h)
{
	struct csync_obj **p = &e->tab[(h * 0x9e3779b1u) >> 24];
	while (*p && (*p)->h != h)
		p = &(*p)->next;
	return p;
}

static struct csync_obj *get(struct csync *e, uint32_t h)
{
	return *slot_of(e, h);
}

/* A remote object's node record, made on first use. */
static struct csync_obj *get_node(struct csync *e, uint32_t h)
{
	struct csync_obj **p = slot_of(e, h);
	if (*p)
		return *p;
	if (csync_h_home(h) == e->self)
		return NULL; /* homed here: made by csync_create only */
	struct csync_obj *o = e->ops->alloc(e->ctx, sizeof(*o));
	if (!o)
		return NULL;
	memset(o, 0, sizeof(*o));
	o->h = h;
	o->holder = -1;
	*p = o;
	return o;
}

void csp_obj_free(struct csync *e, uint32_t h)
{
	struct csync_obj **p = slot_of(e, h), *o = *p;
	if (!o)
		return;
	*p = o->next;
	csp_wl_clear(e, &o->local);
	csp_wl_clear(e, &o->q);
	e->ops->free(e->ctx, o);
}

void csp_emit(struct csync *e, int dst, const struct csync_msg *m)
{
	if (dst != e->self) {
		if (dst < 0 || dst >= e->nodes || e->dead[dst])
			return; /* a dead node's part is dropped at its death */
		e->st.msgs_out++;
		e->ops->send(e->ctx, dst, m);
		return;
	}
	struct csync_self *s = e->ops->alloc(e->ctx, sizeof(*s));
	if (!s)
		return; /* out of kernel memory: see csync_create's note */
	s->next = NULL;
	s->m = *m;
	if (e->loop_tail)
		e->loop_tail->next = s;
	else
		e->loop_head = s;
	e->loop_tail = s;
}

void csp_send(struct csync *e, int dst, int type, uint32_t h, uint32_t wid,
	      int32_t a)
{
	struct csync_msg m = {
	    .type = (uint8_t)type, .h = h, .wid = wid, .a = a};
	csp_emit(e, dst, &m);
}

static void dispatch(struct csync *e, int from, const struct csync_msg *m);

/* Handles the messages to ourselves queued by the current call. */
static void drain(struct csync *e)
{
	if (e->running)
		return;
	e->running = true;
	while (e->loop_head) {
		struct csync_self *s = e->loop_head;
		e->loop_head = s->next;
		if (!e->loop_head)
			e->loop_tail = NULL;
		dispatch(e, e->self, &s->m);
		e->ops->free(e->ctx, s);
	}
	e->running = false;
}

void csync_init(struct csync *e, int self, int nodes,
		const struct csync_ops *ops, void *ctx)
{
	memset(e, 0, sizeof(*e));
	e->self = self;
	e->nodes = nodes;
	e->ops = ops;
	e->ctx = ctx;
	e->next_serial = 1;
}

void csync_destroy_all(struct csync *e)
{
	for (int b = 0; b < CSYNC_BUCKETS; b++)
		while (e->tab[b])
			csp_obj_free(e, e->tab[b]->h);
	while (e->loop_head) {
		struct csync_self *s = e->loop_head;
		e->loop_head = s->next;
		e->ops->free(e->ctx, s);
	}
	e->loop_tail = NULL;
}

int csync_create(struct csync *e, int kind, int param, uint32_t value,
		 uint32_t *h)
{
	if (kind <= 0 || kind >= CSK_MAX || param < 0 || param > 3)
		return -EINVAL;
	if (e->next_serial >= CSYNC_SERIALS)
		return -EAGAIN;
	struct csync_obj *o = e->ops->alloc(e->ctx, sizeof(*o));
	if (!o)
		return -ENOMEM;
	memset(o, 0, sizeof(*o));
	o->h = CSYNC_H_FLAG | (uint32_t)e->self << 25 | (uint32_t)kind << 22 |
	       (uint32_t)param << 20 | e->next_serial++;
	o->is_home = true;
	o->holder = e->self;
	o->has_token = kind == CSK_MUTEX; /* the creator's node holds it */
	o->value = value;
	struct csync_obj **p = slot_of(e, o->h);
	*p = o;
	*h = o->h;
	return 0;
}

/* ---- mutex: the node part ---------------------------------------------- */

/* Gives the token back if nobody here can use it before the home wants it. */
static void wake_local(struct csync *e, struct csync_obj *o, uint32_t max);

static void settle(struct csync *e, struct csync_obj *o)
{
	if (!o->has_token || o->locked || !o->recall_pending)
		return;
	if (o->nretry || o->try_wid)
		return; /* a woken thread is about to take it */
	if (o->local.n && o->batch < CSYNC_BATCH) {
		/* a few more local turns first: one token move per lock would
		 * make a contended mutex cost a round trip per lock */
		wake_local(e, o, 1);
		return;
	}
	bool want = o->local.n > 0;
	o->has_token = false;
	o->recall_pending = false;
	o->requested = want;
	e->st.token_out++;
	csp_send(e, csync_h_home(o->h), CM_RETURN, o->h, 0, want);
}

/* Wakes up to `max` threads of this node waiting for the lock: each
 * retries (o->nretry counts them until they do). */
static void wake_local(struct csync *e, struct csync_obj *o, uint32_t max)
{
	int n;
	uint32_t wid;
	for (uint32_t i = 0;
	     i < max && csp_wl_pop(e, &o->local, &n, &wid, NULL); i++) {
		o->nretry++;
		e->ops->wake(e->ctx, wid, o->h, CSE_RETRY, 0);
	}
}

static int mutex_lock(struct csync *e, uint32_t h, uint32_t tid, uint32_t wid,
		      int flags, uint32_t count)
{
	if (csync_h_kind(h) != CSK_MUTEX || !(h & CSYNC_H_FLAG))
		return -EINVAL;
	struct csync_obj *o = get_node(e, h);
	if (!o)
		return csync_h_home(h) == e->self ? -EINVAL : -ENOMEM;
	if ((flags & CSF_RETRY) && o->nretry)
		o->nretry--;
	int type = csync_h_param(h);
	if (o->locked && o->owner == tid) {
		if (type == CSM_RECURSIVE) {
			if (o->count == UINT32_MAX)
				return -EAGAIN;
			o->count++;
			return 0;
		}
		if (type == CSM_ERRORCHECK)
			return -EDEADLK;
		if (flags & CSF_TRY)
			return -EBUSY;
	}
	if (o->has_token && !o->locked) {
		o->locked = true;
		o->owner = tid;
		o->count = count ? count : 1;
		if (o->recall_pending)
			o->batch++;
		if (!(flags & CSF_RETRY))
			e->st.local_hits++;
		return 0;
	}
	int home = csync_h_home(h);
	if (!o->has_token && e->dead[home])
		return -EHOSTUNREACH;
	if (flags & CSF_TRY) {
		/* asked once already (CSF_RETRY), held here, or contended */
		if ((flags & CSF_RETRY) || o->has_token || o->requested ||
		    o->try_wid)
			return -EBUSY;
		o->try_wid = wid;
		csp_send(e, home, CM_REQ, h, 0, 1);
		return CSYNC_WAIT;
	}
	if (!csp_wl_add(e, &o->local, e->self, wid, 0))
		return -ENOMEM;
	if (!o->has_token && !o->requested) {
		o->requested = true;
		csp_send(e, home, CM_REQ, h, 0, 0);
	}
	return CSYNC_WAIT;
}

int csync_mutex_lock(struct csync *e, uint32_t h, uint32_t tid, uint32_t wid,
		     int flags, uint32_t count)
{
	int rc = mutex_lock(e, h, tid, wid, flags, count);
	struct csync_obj *o = get(e, h);
	if (o && rc != CSYNC_WAIT)
		settle(e, o);
	drain(e);
	return rc;
}

int csync_mutex_unlock(struct csync *e, uint32_t h, uint32_t tid, bool all,
		       uint32_t *count)
{
	struct csync_obj *o = csync_h_kind(h) == CSK_MUTEX ? get(e, h) : NULL;
	if (!o)
		return csync_h_kind(h) == CSK_MUTEX &&
			       csync_h_home(h) != e->self
			   ? -EPERM
			   : -EINVAL;
	if (!o->locked)
		return -EPERM;
	int type = csync_h_param(h);
	if (o->owner != tid &&
	    (type == CSM_ERRORCHECK || type == CSM_RECURSIVE || all))
		return -EPERM;
	if (count)
		*count = o->count;
	if (!all && type == CSM_RECURSIVE && --o->count > 0)
		return 0;
	o->locked = false;
	o->owner = 0;
	o->count = 0;
	if (o->recall_pending)
		settle(e, o);
	else
		wake_local(e, o, 1);
	drain(e);
	return 0;
}

int csync_mutex_destroy(struct csync *e, uint32_t h)
{
	struct csync_obj *o = csync_h_kind(h) == CSK_MUTEX ? get(e, h) : NULL;
	if (!o)
		return csync_h_home(h) == e->self ? -EINVAL : 0;
	if (o->locked || o->local.n || o->nretry || o->try_wid)
		return -EBUSY;
	/* Freed only when nobody else can know it: homed here, token here,
	 * no node asking. Otherwise the records stay (handles are never
	 * reused, so a stale record is only memory). */
	if (o->is_home && o->has_token && !o->q.n && !o->recalling)
		csp_obj_free(e, h);
	return 0;
}

bool csync_mutex_cancel(struct csync *e, uint32_t h, uint32_t wid)
{
	struct csync_obj *o = get(e, h);
	if (!o)
		return true;
	bool queued;
	if (o->try_wid == wid) {
		o->try_wid = 0; /* the answer will find no one */
		queued = true;
	} else {
		queued = csp_wl_del(e, &o->local, e->self, wid, NULL);
	}
	if (!queued && o->nretry) {
		/* woken but leaving: pass the wake-up on */
		o->nretry--;
		if (o->has_token && !o->locked)
			wake_local(e, o, 1);
	}
	settle(e, o);
	drain(e);
	return queued;
}

int csync_mutex_state(struct csync *e, uint32_t h, uint32_t tid)
{
	struct csync_obj *o = get(e, h);
	if (!o || !o->locked)
		return 0;
	return o->owner == tid ? 1 : 2;
}

static void node_recall(struct csync *e, int from, struct csync_obj *o, int try)
{
	if (!o->has_token) {
		e->st.bad++; /* the home thinks we hold it: a broken peer */
		return;
	}
	o->batch = 0;
	if (o->locked) {
		if (try)
			csp_send(e, from, CM_NOTFREE, o->h, 0, 0);
		else
			o->recall_pending = true;
		return;
	}
	o->recall_pending = true;
	settle(e, o);
}

static void node_grant(struct csync *e, struct csync_obj *o, int recall)
{
	if (o->has_token) {
		e->st.bad++;
		return;
	}
	e->st.token_in++;
	o->has_token = true;
	o->requested = false;
	o->recall_pending = recall != 0;
	o->batch = 0;
	wake_local(e, o, UINT32_MAX);
	if (o->try_wid) {
		uint32_t w = o->try_wid;
		o->try_wid = 0;
		o->nretry++;
		e->ops->wake(e->ctx, w, o->h, CSE_RETRY, 0);
	}
	settle(e, o);
}

static void node_busy(struct csync *e, struct csync_obj *o)
{
	if (o->try_wid) {
		uint32_t w = o->try_wid;
		o->try_wid = 0;
		e->ops->wake(e->ctx, w, o->h, CSE_DONE, -EBUSY);
	}
	settle(e, o);
}

int csync_request(struct csync *e, uint32_t h, int type, uint32_t wid,
		  int32_t a)
{
	int home = csync_h_home(h), kind = csync_h_kind(h);
	if (!(h & CSYNC_H_FLAG) || home >= e->nodes)
		return -EINVAL;
	bool ok;
	switch (type) {
	case CM_CWAIT:
	case CM_CSIGNAL:
		ok = kind == CSK_COND;
		break;
	case CM_CANCEL:
		ok = kind == CSK_COND || kind == CSK_SEM || kind == CSK_RWLOCK;
		break;
	case CM_RDLOCK:
	case CM_WRLOCK:
	case CM_TRYRD:
	case CM_TRYWR:
	case CM_RWUNLOCK:
		ok = kind == CSK_RWLOCK;
		break;
	case CM_ARRIVE:
		ok = kind == CSK_BARRIER;
		break;
	case CM_SWAIT:
	case CM_SPOST:
	case CM_SGET:
		ok = kind == CSK_SEM;
		break;
	case CM_DESTROY:
		ok = kind > 0 && kind < CSK_MAX;
		break;
	default:
		ok = false;
	}
	if (!ok || (type != CM_CSIGNAL && !wid))
		return -EINVAL;
	if (home == e->self && !get(e, h))
		return -EINVAL; /* destroyed, or never made */
	if (e->dead[home])
		return -EHOSTUNREACH;
	csp_send(e, home, type, h, wid, a);
	drain(e);
	return type == CM_CSIGNAL ? 0 : CSYNC_WAIT;
}

int csync_arrive(struct csync *e, uint32_t h, const uint32_t *wids, unsigned n)
{
	int home = csync_h_home(h);
	if (!(h & CSYNC_H_FLAG) || home >= e->nodes ||
	    csync_h_kind(h) != CSK_BARRIER || n == 0 || n > CSYNC_MAXW + 1)
		return -EINVAL;
	for (unsigned i = 0; i < n; i++)
		if (!wids[i])
			return -EINVAL;
	if (home == e->self && !get(e, h))
		return -EINVAL; /* destroyed, or never made */
	if (e->dead[home])
		return -EHOSTUNREACH;
	struct csync_msg m;
	memset(&m, 0, CSYNC_HDR);
	m.type = CM_ARRIVE;
	m.h = h;
	m.wid = wids[0];
	m.n = (uint8_t)(n - 1);
	memcpy(m.w, wids + 1, 4u * (n - 1));
	csp_emit(e, home, &m);
	drain(e);
	return CSYNC_WAIT;
}

/* ---- received messages --------------------------------------------------- */

static void dispatch(struct csync *e, int from, const struct csync_msg *m)
{
	int kind = csync_h_kind(m->h);
	if (csp_to_home(m->type)) {
		struct csync_obj *o = get(e, m->h);
		if (!o || !o->is_home) {
			e->st.bad++; /* destroyed, or never made */
			if (m->wid && m->type != CM_REQ &&
			    m->type != CM_RETURN && m->type != CM_NOTFREE)
				csp_send(e, from, CM_RESULT, m->h, m->wid,
					 -EINVAL);
			return;
		}
		switch (m->type) {
		case CM_REQ:
			csp_home_req(e, from, o, m->a);
			break;
		case CM_RETURN:
			csp_home_return(e, from, o, m->a);
			break;
		case CM_NOTFREE:
			csp_home_notfree(e, from, o);
			break;
		default:
			if (m->type == CM_DESTROY && kind == CSK_MUTEX) {
				/* the mutex records stay (see csync.c) */
				csp_send(e, from, CM_RESULT, m->h, m->wid, 0);
				break;
			}
			csp_home_request(e, from, o, m);
		}
		return;
	}
	if (m->type == CM_WAKE) {
		for (unsigned i = 0; i < m->n; i++)
			e->ops->wake(e->ctx, m->w[i], m->h, CSE_DONE,
				     m->wid && m->w[i] == m->wid);
		return;
	}
	if (m->type == CM_CACK || m->type == CM_CANCELR ||
	    m->type == CM_RESULT) {
		int ev = m->type == CM_CACK	 ? CSE_ACK
			 : m->type == CM_CANCELR ? CSE_CANCEL
						 : CSE_DONE;
		e->ops->wake(e->ctx, m->wid, m->h, ev, m->a);
		return;
	}
	struct csync_obj *o = get_node(e, m->h);
	if (!o) {
		e->st.bad++;
		return;
	}
	if (m->type == CM_RECALL)
		node_recall(e, from, o, m->a);
	else if (m->type == CM_GRANT)
		node_grant(e, o, m->a);
	else if (m->type == CM_BUSY)
		node_busy(e, o);
}

void csync_receive(struct csync *e, int from, const struct csync_msg *m)
{
	if (from != e->self)
		e->st.msgs_in++;
	if (from < 0 || from >= e->nodes || e->dead[from])
		return;
	dispatch(e, from, m);
	drain(e);
}

void csync_node_dead(struct csync *e, int node)
{
	if (node < 0 || node >= e->nodes || node == e->self || e->dead[node])
		return;
	e->dead[node] = true;
	for (int b = 0; b < CSYNC_BUCKETS; b++) {
		for (struct csync_obj *o = e->tab[b]; o; o = o->next) {
			if (o->is_home) {
				uint32_t w = 0;
				while (csp_wl_find_node(&o->q, node)) {
					w = csp_wl_find_node(&o->q, node)->wid;
					csp_wl_del(e, &o->q, node, w, NULL);
				}
				if (csync_h_kind(o->h) == CSK_MUTEX &&
				    o->holder == node) {
					o->holder =
					    -1; /* its threads are gone */
					o->recalling = false;
					csp_home_grant_next(e, o);
				}
			} else if (csync_h_home(o->h) == node) {
				/* waiters retry and find the home dead */
				wake_local(e, o, UINT32_MAX);
				if (o->try_wid)
					node_busy(e, o);
			}
		}
	}
	drain(e);
}
