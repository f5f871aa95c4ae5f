/*
 * kernel/csync_proto.c — the cluster lock service's protocol engine
 * (kernel/csync_proto.h): object records, the mutex token, the home
 * queues, and the checks on every peer message.
 *
 * The whole engine is guarded by its caller's lock (kernel/csync.c:
 * eng_lock); nothing here blocks.
 */
#include "kernel/kstring.h"

#include "kernel/csync_proto.h"
#include "kernel/errno.h"

struct wl_ent {
	struct wl_ent *next;
	int node;
	uint32_t wid; /* cond/sem/barrier waiter; 0 for a mutex request */
	int flag; /* mutex request: 1 = try */
};

struct csync_wl {
	struct wl_ent *head, *tail;
	uint32_t n;
};

/* One object as this node knows it: the node part (a mutex's token and
 * local lock) and, at the home, the home part. */
struct csync_obj {
	struct csync_obj *next; /* hash chain */
	uint32_t h;
	/* node part (mutex) */
	bool has_token; /* the token is here */
	bool requested; /* a REQ is at the home, no GRANT yet */
	bool recall_pending; /* give the token back at the next unlock */
	bool locked; /* held by owner, count times */
	uint32_t owner, count;
	struct csync_wl local; /* threads of this node waiting for the lock */
	uint32_t nretry; /* woken by CSE_RETRY, not yet back */
	uint32_t try_wid; /* a trylock waiting for the home's answer */
	/* home part */
	bool is_home;
	int holder; /* mutex: node with the token or granted it */
	bool recalling; /* mutex: a RECALL (or GRANT asking back) is out */
	struct csync_wl q; /* mutex: nodes asking; others: waiters */
	uint32_t value; /* barrier: threads per round; sem: value */
};

struct csync_self {
	struct csync_self *next;
	struct csync_msg m;
};

/* ---- helpers ------------------------------------------------------------ */

static bool wl_add(struct csync *e, struct csync_wl *l, int node, uint32_t wid,
		   int flag)
{
	struct wl_ent *x = e->ops->alloc(e->ctx, sizeof(*x));
	if (!x)
		return false;
	x->next = NULL;
	x->node = node;
	x->wid = wid;
	x->flag = flag;
	if (l->tail)
		l->tail->next = x;
	else
		l->head = x;
	l->tail = x;
	l->n++;
	return true;
}

/* Removes the first entry matching (node, wid): true if there was one. */
static bool wl_del(struct csync *e, struct csync_wl *l, int node, uint32_t wid,
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

static bool wl_pop(struct csync *e, struct csync_wl *l, int *node,
		   uint32_t *wid, int *flag)
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

static struct wl_ent *wl_find_node(struct csync_wl *l, int node)
{
	for (struct wl_ent *x = l->head; x; x = x->next)
		if (x->node == node)
			return x;
	return NULL;
}

static void wl_clear(struct csync *e, struct csync_wl *l)
{
	int n;
	uint32_t w;
	while (wl_pop(e, l, &n, &w, NULL))
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

static void obj_free(struct csync *e, uint32_t h)
{
	struct csync_obj **p = slot_of(e, h), *o = *p;
	if (!o)
		return;
	*p = o->next;
	wl_clear(e, &o->local);
	wl_clear(e, &o->q);
	e->ops->free(e->ctx, o);
}

static void emit(struct csync *e, int dst, const struct csync_msg *m)
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

static void send_msg(struct csync *e, int dst, int type, uint32_t h,
		     uint32_t wid, int32_t a)
{
	struct csync_msg m = { .type = (uint8_t)type, .h = h, .wid = wid, .a = a };
	emit(e, dst, &m);
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
			obj_free(e, e->tab[b]->h);
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
static void settle(struct csync *e, struct csync_obj *o)
{
	if (!o->has_token || o->locked || !o->recall_pending)
		return;
	if (o->nretry || o->try_wid)
		return; /* a woken thread is about to take it */
	bool want = o->local.n > 0;
	o->has_token = false;
	o->recall_pending = false;
	o->requested = want;
	e->st.token_out++;
	send_msg(e, csync_h_home(o->h), CM_RETURN, o->h, 0, want);
}

/* Wakes up to `max` threads of this node waiting for the lock: each
 * retries (o->nretry counts them until they do). */
static void wake_local(struct csync *e, struct csync_obj *o, uint32_t max)
{
	int n;
	uint32_t wid;
	for (uint32_t i = 0; i < max && wl_pop(e, &o->local, &n, &wid, NULL); i++) {
		o->nretry++;
		e->ops->wake(e->ctx, wid, CSE_RETRY, 0);
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
		send_msg(e, home, CM_REQ, h, 0, 1);
		return CSYNC_WAIT;
	}
	if (!wl_add(e, &o->local, e->self, wid, 0))
		return -ENOMEM;
	if (!o->has_token && !o->requested) {
		o->requested = true;
		send_msg(e, home, CM_REQ, h, 0, 0);
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
		return csync_h_kind(h) == CSK_MUTEX && csync_h_home(h) != e->self
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
		obj_free(e, h);
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
		queued = wl_del(e, &o->local, e->self, wid, NULL);
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
	if (o->locked) {
		if (try)
			send_msg(e, from, CM_NOTFREE, o->h, 0, 0);
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
	wake_local(e, o, UINT32_MAX);
	if (o->try_wid) {
		uint32_t w = o->try_wid;
		o->try_wid = 0;
		o->nretry++;
		e->ops->wake(e->ctx, w, CSE_RETRY, 0);
	}
	settle(e, o);
}

static void node_busy(struct csync *e, struct csync_obj *o)
{
	if (o->try_wid) {
		uint32_t w = o->try_wid;
		o->try_wid = 0;
		e->ops->wake(e->ctx, w, CSE_DONE, -EBUSY);
	}
	settle(e, o);
}

/* ---- mutex: the home part ------------------------------------------------ */

static void home_recall(struct csync *e, struct csync_obj *o)
{
	if (o->recalling || !o->q.head || o->holder < 0)
		return;
	o->recalling = true;
	send_msg(e, o->holder, CM_RECALL, o->h, 0, o->q.head->flag);
}

static void home_grant_next(struct csync *e, struct csync_obj *o)
{
	int n;
	uint32_t w;
	if (!wl_pop(e, &o->q, &n, &w, NULL))
		n = e->self; /* nobody asked (a holder died): keep it here */
	o->holder = n;
	o->recalling = o->q.head != NULL;
	send_msg(e, n, CM_GRANT, o->h, 0, o->recalling);
}

static void home_req(struct csync *e, int from, struct csync_obj *o, int try)
{
	if (from == o->holder)
		return; /* a lock after a try the home already granted */
	struct wl_ent *x = wl_find_node(&o->q, from);
	if (x) {
		if (!try)
			x->flag = 0; /* a try became a lock: both want it */
		return;
	}
	if (!wl_add(e, &o->q, from, 0, try ? 1 : 0))
		return;
	home_recall(e, o);
}

static void home_return(struct csync *e, int from, struct csync_obj *o, int want)
{
	if (from != o->holder) {
		e->st.bad++;
		return;
	}
	o->holder = -1;
	o->recalling = false;
	if (want && !wl_find_node(&o->q, from))
		wl_add(e, &o->q, from, 0, 0);
	home_grant_next(e, o);
}

static void home_notfree(struct csync *e, int from, struct csync_obj *o)
{
	if (from != o->holder || !o->recalling) {
		e->st.bad++;
		return;
	}
	o->recalling = false;
	int n;
	uint32_t w;
	while (o->q.head && o->q.head->flag) {
		wl_pop(e, &o->q, &n, &w, NULL);
		send_msg(e, n, CM_BUSY, o->h, 0, 0);
	}
	home_recall(e, o);
}

/* ---- cond, barrier, sem: the home part ----------------------------------- */

/* Wakes up to `max` waiters of o->q, one message per node (more only past
 * CSYNC_MAXW waiters); `serial` (a wid of serial_node) gets val 1. */
static void home_wake(struct csync *e, struct csync_obj *o, uint32_t max,
		      int serial_node, uint32_t serial)
{
	struct csync_wl take = { NULL, NULL, 0 };
	while (take.n < max && o->q.head) {
		struct wl_ent *x = o->q.head; /* move, do not copy */
		o->q.head = x->next;
		if (!o->q.head)
			o->q.tail = NULL;
		o->q.n--;
		x->next = NULL;
		if (take.tail)
			take.tail->next = x;
		else
			take.head = x;
		take.tail = x;
		take.n++;
	}
	struct csync_msg m;
	for (int n = 0; n < e->nodes; n++) {
		memset(&m, 0, CSYNC_HDR);
		m.type = CM_WAKE;
		m.h = o->h;
		m.wid = n == serial_node ? serial : 0;
		for (struct wl_ent *x = take.head; x; x = x->next) {
			if (x->node != n)
				continue;
			m.w[m.n++] = x->wid;
			if (m.n == CSYNC_MAXW) {
				emit(e, n, &m);
				m.n = 0;
			}
		}
		if (m.n)
			emit(e, n, &m);
	}
	wl_clear(e, &take);
}

static void home_request(struct csync *e, int from, struct csync_obj *o,
			 const struct csync_msg *m)
{
	int32_t r = 0;
	switch (m->type) {
	case CM_CWAIT:
		if (!wl_add(e, &o->q, from, m->wid, 0))
			r = -ENOMEM;
		send_msg(e, from, r ? CM_RESULT : CM_CACK, o->h, m->wid, r);
		return;
	case CM_CSIGNAL:
		home_wake(e, o, m->a ? UINT32_MAX : 1, -1, 0);
		return;
	case CM_CANCEL:
		send_msg(e, from, CM_CANCELR, o->h, m->wid,
			 wl_del(e, &o->q, from, m->wid, NULL));
		return;
	case CM_ARRIVE:
		if (!wl_add(e, &o->q, from, m->wid, 0)) {
			send_msg(e, from, CM_RESULT, o->h, m->wid, -ENOMEM);
			return;
		}
		if (o->q.n >= o->value)
			home_wake(e, o, UINT32_MAX, from, m->wid);
		return;
	case CM_SWAIT:
		if (o->value > 0) {
			o->value--;
		} else if (m->a) {
			r = -EAGAIN;
		} else {
			if (wl_add(e, &o->q, from, m->wid, 0))
				return; /* answered by a post */
			r = -ENOMEM;
		}
		break;
	case CM_SPOST: {
		int n;
		uint32_t w;
		if (wl_pop(e, &o->q, &n, &w, NULL))
			send_msg(e, n, CM_RESULT, o->h, w, 0);
		else if (o->value >= 0x7fffffffu)
			r = -EOVERFLOW;
		else
			o->value++;
		break;
	}
	case CM_SGET:
		r = (int32_t)o->value;
		break;
	case CM_DESTROY:
		if (o->q.n) {
			r = -EBUSY;
			break;
		}
		send_msg(e, from, CM_RESULT, o->h, m->wid, 0);
		obj_free(e, o->h);
		return;
	}
	send_msg(e, from, CM_RESULT, o->h, m->wid, r);
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
		ok = kind == CSK_COND || kind == CSK_SEM;
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
	send_msg(e, home, type, h, wid, a);
	drain(e);
	return type == CM_CSIGNAL ? 0 : CSYNC_WAIT;
}

/* ---- received messages --------------------------------------------------- */

size_t csync_encode(const struct csync_msg *m, void *buf)
{
	uint8_t *b = buf;
	memcpy(b, m, CSYNC_HDR); /* x86_64: the wire's little-endian layout */
	memcpy(b + CSYNC_HDR, m->w, 4u * m->n);
	return CSYNC_HDR + 4u * m->n;
}

/* Which direction and kind each type may have. */
static const struct {
	uint8_t to_home; /* 1: sent to the object's home */
	uint8_t kinds; /* bit per enum csync_kind */
} rule[CM_MAX] = {
	[CM_REQ] = { 1, 1 << CSK_MUTEX },
	[CM_RECALL] = { 0, 1 << CSK_MUTEX },
	[CM_RETURN] = { 1, 1 << CSK_MUTEX },
	[CM_NOTFREE] = { 1, 1 << CSK_MUTEX },
	[CM_GRANT] = { 0, 1 << CSK_MUTEX },
	[CM_BUSY] = { 0, 1 << CSK_MUTEX },
	[CM_CWAIT] = { 1, 1 << CSK_COND },
	[CM_CACK] = { 0, 1 << CSK_COND },
	[CM_CSIGNAL] = { 1, 1 << CSK_COND },
	[CM_CANCEL] = { 1, 1 << CSK_COND | 1 << CSK_SEM },
	[CM_CANCELR] = { 0, 1 << CSK_COND | 1 << CSK_SEM },
	[CM_WAKE] = { 0, 1 << CSK_COND | 1 << CSK_BARRIER },
	[CM_ARRIVE] = { 1, 1 << CSK_BARRIER },
	[CM_SWAIT] = { 1, 1 << CSK_SEM },
	[CM_SPOST] = { 1, 1 << CSK_SEM },
	[CM_SGET] = { 1, 1 << CSK_SEM },
	[CM_DESTROY] = { 1, 0x1e },
	[CM_RESULT] = { 0, 0x1e },
};

int csync_decode(struct csync *e, int from, const void *buf, size_t len,
		 struct csync_msg *m)
{
	if (len < CSYNC_HDR || len > CSYNC_WIRE_MAX || from < 0 ||
	    from >= e->nodes)
		goto bad;
	memcpy(m, buf, CSYNC_HDR);
	if (m->type == 0 || m->type >= CM_MAX || m->pad ||
	    len != CSYNC_HDR + 4u * m->n || (m->n != 0) != (m->type == CM_WAKE) ||
	    !(m->h & CSYNC_H_FLAG))
		goto bad;
	int kind = csync_h_kind(m->h), home = csync_h_home(m->h);
	if (kind <= 0 || kind >= CSK_MAX || !(rule[m->type].kinds & (1 << kind)))
		goto bad;
	/* to the home: we must be it; from the home: the sender must be */
	if (rule[m->type].to_home ? home != e->self : home != from)
		goto bad;
	memcpy(m->w, (const uint8_t *)buf + CSYNC_HDR, 4u * m->n);
	for (unsigned i = 0; i < m->n; i++)
		if (!m->w[i])
			goto bad;
	bool needs_wid = m->type == CM_CWAIT || m->type == CM_CACK ||
			 m->type == CM_CANCEL || m->type == CM_CANCELR ||
			 m->type == CM_ARRIVE || m->type == CM_SWAIT ||
			 m->type == CM_SPOST || m->type == CM_SGET ||
			 m->type == CM_DESTROY || m->type == CM_RESULT;
	if (needs_wid && !m->wid)
		goto bad;
	return 0;
bad:
	e->st.bad++;
	return -EINVAL;
}

static void dispatch(struct csync *e, int from, const struct csync_msg *m)
{
	int kind = csync_h_kind(m->h);
	if (rule[m->type].to_home) {
		struct csync_obj *o = get(e, m->h);
		if (!o || !o->is_home) {
			e->st.bad++; /* destroyed, or never made */
			if (m->wid && m->type != CM_REQ && m->type != CM_RETURN &&
			    m->type != CM_NOTFREE)
				send_msg(e, from, CM_RESULT, m->h, m->wid, -EINVAL);
			return;
		}
		switch (m->type) {
		case CM_REQ:
			home_req(e, from, o, m->a);
			break;
		case CM_RETURN:
			home_return(e, from, o, m->a);
			break;
		case CM_NOTFREE:
			home_notfree(e, from, o);
			break;
		default:
			if (m->type == CM_DESTROY && kind == CSK_MUTEX) {
				/* the mutex records stay (see csync.c) */
				send_msg(e, from, CM_RESULT, m->h, m->wid, 0);
				break;
			}
			home_request(e, from, o, m);
		}
		return;
	}
	if (m->type == CM_WAKE) {
		for (unsigned i = 0; i < m->n; i++)
			e->ops->wake(e->ctx, m->w[i], CSE_DONE,
				     m->wid && m->w[i] == m->wid);
		return;
	}
	if (m->type == CM_CACK || m->type == CM_CANCELR || m->type == CM_RESULT) {
		int ev = m->type == CM_CACK ? CSE_ACK
			 : m->type == CM_CANCELR ? CSE_CANCEL
						  : CSE_DONE;
		e->ops->wake(e->ctx, m->wid, ev, m->a);
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
				while (wl_find_node(&o->q, node)) {
					w = wl_find_node(&o->q, node)->wid;
					wl_del(e, &o->q, node, w, NULL);
				}
				if (csync_h_kind(o->h) == CSK_MUTEX &&
				    o->holder == node) {
					o->holder = -1; /* its threads are gone */
					o->recalling = false;
					home_grant_next(e, o);
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
