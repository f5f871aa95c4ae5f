/*
 * cluster/csync_home.c — the cluster lock service at an object's home: the
 * mutex token's FIFO of nodes, and condition-variable, barrier, semaphore
 * and rwlock requests. Guarded by the caller's engine lock.
 */
#include "cluster/csync_priv.h"
#include "cluster/csync_proto.h"
#include "kernel/errno.h"
#include "kernel/kstring.h"

/* ---- mutex: the token's queue ------------------------------------------------ */

void csp_home_recall(struct csync *e, struct csync_obj *o)
{
	if (o->recalling || !o->q.head || o->holder < 0)
		return;
	o->recalling = true;
	csp_send(e, o->holder, CM_RECALL, o->h, 0, o->q.head->flag);
}

void csp_home_grant_next(struct csync *e, struct csync_obj *o)
{
	int n;
	uint32_t w;
	if (!csp_wl_pop(e, &o->q, &n, &w, NULL))
		n = e->self; /* nobody asked (a holder died): keep it here */
	o->holder = n;
	o->recalling = o->q.head != NULL;
	csp_send(e, n, CM_GRANT, o->h, 0, o->recalling);
}

void csp_home_req(struct csync *e, int from, struct csync_obj *o, int try)
{
	if (from == o->holder)
		return; /* a lock after a try the home already granted */
	struct wl_ent *x = csp_wl_find_node(&o->q, from);
	if (x) {
		if (!try)
			x->flag = 0; /* a try became a lock: both want it */
		return;
	}
	if (!csp_wl_add(e, &o->q, from, 0, try ? 1 : 0))
		return;
	csp_home_recall(e, o);
}

void csp_home_return(struct csync *e, int from, struct csync_obj *o, int want)
{
	if (from != o->holder) {
		e->st.bad++;
		return;
	}
	o->holder = -1;
	o->recalling = false;
	if (want && !csp_wl_find_node(&o->q, from))
		csp_wl_add(e, &o->q, from, 0, 0);
	csp_home_grant_next(e, o);
}

void csp_home_notfree(struct csync *e, int from, struct csync_obj *o)
{
	if (from != o->holder || !o->recalling) {
		e->st.bad++;
		return;
	}
	o->recalling = false;
	int n;
	uint32_t w;
	while (o->q.head && o->q.head->flag) {
		csp_wl_pop(e, &o->q, &n, &w, NULL);
		csp_send(e, n, CM_BUSY, o->h, 0, 0);
	}
	csp_home_recall(e, o);
}

/* ---- cond, barrier, sem, rwlock: the home part ----------------------------------- */

/* Wakes up to `max` waiters of o->q, one message per node (more only past
 * CSYNC_MAXW waiters); `serial` (a wid of serial_node) gets val 1. */
static void home_wake(struct csync *e, struct csync_obj *o, uint32_t max,
		      int serial_node, uint32_t serial)
{
	struct csync_wl take = {NULL, NULL, 0};
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
				csp_emit(e, n, &m);
				m.n = 0;
			}
		}
		if (m.n)
			csp_emit(e, n, &m);
	}
	csp_wl_clear(e, &take);
}

/* Grants queued rwlock requests in order while they fit. */
static void rw_grant(struct csync *e, struct csync_obj *o)
{
	while (o->q.head && !o->writer) {
		struct wl_ent *x = o->q.head;
		if (x->flag && o->value)
			return; /* a writer waits for the readers */
		if (x->flag)
			o->writer = x->tid;
		else
			o->value++;
		int n;
		uint32_t w;
		csp_wl_pop(e, &o->q, &n, &w, NULL);
		csp_send(e, n, CM_RESULT, o->h, w, 0);
	}
}

/* An rwlock request: the result, or 1 when queued. */
static int32_t rw_request(struct csync *e, int from, struct csync_obj *o,
			  const struct csync_msg *m)
{
	uint32_t tid = (uint32_t)m->a;
	bool write = m->type == CM_WRLOCK || m->type == CM_TRYWR;
	bool try = m->type == CM_TRYRD || m->type == CM_TRYWR;
	if (m->type == CM_RWUNLOCK) {
		if (o->writer && o->writer == tid)
			o->writer = 0;
		else if (o->value)
			o->value--;
		else
			return -EPERM;
		rw_grant(e, o);
		return 0;
	}
	if (o->writer == tid && tid)
		return -EDEADLK;
	bool free = write ? !o->writer && !o->value && !o->q.head
			  : !o->writer && !o->q.head;
	if (free) {
		if (write)
			o->writer = tid;
		else
			o->value++;
		return 0;
	}
	if (try)
		return -EBUSY;
	if (!csp_wl_add(e, &o->q, from, m->wid, write))
		return -ENOMEM;
	o->q.tail->tid = tid;
	return 1;
}

void csp_home_request(struct csync *e, int from, struct csync_obj *o,
		      const struct csync_msg *m)
{
	int32_t r = 0;
	switch (m->type) {
	case CM_CWAIT:
		if (!csp_wl_add(e, &o->q, from, m->wid, 0))
			r = -ENOMEM;
		csp_send(e, from, r ? CM_RESULT : CM_CACK, o->h, m->wid, r);
		return;
	case CM_CSIGNAL:
		home_wake(e, o, m->a ? UINT32_MAX : 1, -1, 0);
		return;
	case CM_CANCEL:
		csp_send(e, from, CM_CANCELR, o->h, m->wid,
			 csp_wl_del(e, &o->q, from, m->wid, NULL));
		if (csync_h_kind(o->h) == CSK_RWLOCK)
			rw_grant(e, o); /* readers behind a writer that left */
		return;
	case CM_RDLOCK:
	case CM_WRLOCK:
	case CM_TRYRD:
	case CM_TRYWR:
	case CM_RWUNLOCK:
		r = rw_request(e, from, o, m);
		if (r == 1)
			return; /* answered when granted */
		break;
	case CM_ARRIVE: { /* wid, then the node's other arrivals in w[] */
		uint32_t last = m->wid;
		for (unsigned i = 0; i <= m->n; i++) {
			uint32_t w = i ? m->w[i - 1] : m->wid;
			if (!csp_wl_add(e, &o->q, from, w, 0))
				csp_send(e, from, CM_RESULT, o->h, w, -ENOMEM);
			else
				last = w;
		}
		if (o->q.n >= o->value)
			home_wake(e, o, UINT32_MAX, from, last);
		return;
	}
	case CM_SWAIT:
		if (o->value > 0) {
			o->value--;
		} else if (m->a) {
			r = -EAGAIN;
		} else {
			if (csp_wl_add(e, &o->q, from, m->wid, 0))
				return; /* answered by a post */
			r = -ENOMEM;
		}
		break;
	case CM_SPOST: {
		int n;
		uint32_t w;
		if (csp_wl_pop(e, &o->q, &n, &w, NULL))
			csp_send(e, n, CM_RESULT, o->h, w, 0);
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
		if (o->q.n || (csync_h_kind(o->h) == CSK_RWLOCK &&
			       (o->writer || o->value))) {
			r = -EBUSY;
			break;
		}
		csp_send(e, from, CM_RESULT, o->h, m->wid, 0);
		csp_obj_free(e, o->h);
		return;
	}
	csp_send(e, from, CM_RESULT, o->h, m->wid, r);
}
