/*
 * cluster/csync_wire.c — the cluster lock service's messages on the wire
 * (layout in cluster/csync_wire.h): encoding, and the checks every message from a peer passes before the
 * engine sees it (type, length, kind, direction, wids).
 */
#include "cluster/csync_priv.h"
#include "cluster/csync_proto.h"
#include "cluster/csync_wire.h"
#include "kernel/errno.h"
#include "kernel/kstring.h"
#include "net/cnet_wire.h"

size_t csync_encode(const struct csync_msg *m, void *buf)
{
	uint8_t *b = buf;
	struct csync_wire_hdr h = {
	    .type = m->type,
	    .n = m->n,
	    .pad = 0,
	    .h = cnet_be32(m->h),
	    .wid = cnet_be32(m->wid),
	    .a = cnet_be32((uint32_t)m->a),
	};
	memcpy(b, &h, sizeof(h));
	for (unsigned i = 0; i < m->n; i++) {
		uint32_t w = cnet_be32(m->w[i]);
		memcpy(b + CSYNC_HDR + 4 * i, &w, 4);
	}
	return CSYNC_HDR + 4u * m->n;
}

/* Which direction and kind each type may have. */
static const struct {
	uint8_t to_home; /* 1: sent to the object's home */
	uint8_t kinds;	 /* bit per enum csync_kind */
} rule[CM_MAX] = {
    [CM_REQ] = {1, 1 << CSK_MUTEX},
    [CM_RECALL] = {0, 1 << CSK_MUTEX},
    [CM_RETURN] = {1, 1 << CSK_MUTEX},
    [CM_NOTFREE] = {1, 1 << CSK_MUTEX},
    [CM_GRANT] = {0, 1 << CSK_MUTEX},
    [CM_BUSY] = {0, 1 << CSK_MUTEX},
    [CM_CWAIT] = {1, 1 << CSK_COND},
    [CM_CACK] = {0, 1 << CSK_COND},
    [CM_CSIGNAL] = {1, 1 << CSK_COND},
    [CM_CANCEL] = {1, 1 << CSK_COND | 1 << CSK_SEM | 1 << CSK_RWLOCK},
    [CM_CANCELR] = {0, 1 << CSK_COND | 1 << CSK_SEM | 1 << CSK_RWLOCK},
    [CM_WAKE] = {0, 1 << CSK_COND | 1 << CSK_BARRIER},
    [CM_ARRIVE] = {1, 1 << CSK_BARRIER},
    [CM_SWAIT] = {1, 1 << CSK_SEM},
    [CM_SPOST] = {1, 1 << CSK_SEM},
    [CM_SGET] = {1, 1 << CSK_SEM},
    [CM_DESTROY] = {1, 0x3e},
    [CM_RESULT] = {0, 0x3e},
    [CM_RDLOCK] = {1, 1 << CSK_RWLOCK},
    [CM_WRLOCK] = {1, 1 << CSK_RWLOCK},
    [CM_TRYRD] = {1, 1 << CSK_RWLOCK},
    [CM_TRYWR] = {1, 1 << CSK_RWLOCK},
    [CM_RWUNLOCK] = {1, 1 << CSK_RWLOCK},
};

int csync_decode(struct csync *e, int from, const void *buf, size_t len,
		 struct csync_msg *m)
{
	if (len < CSYNC_HDR || len > CSYNC_WIRE_MAX || from < 0 ||
	    from >= e->nodes)
		goto bad;
	struct csync_wire_hdr h;
	memcpy(&h, buf, sizeof(h));
	m->type = h.type;
	m->n = h.n;
	m->pad = h.pad;
	m->h = cnet_be32(h.h);
	m->wid = cnet_be32(h.wid);
	m->a = (int32_t)cnet_be32(h.a);
	if (m->type == 0 || m->type >= CM_MAX || m->pad ||
	    len != CSYNC_HDR + 4u * m->n || (m->type == CM_WAKE && m->n == 0) ||
	    (m->n != 0 && m->type != CM_WAKE && m->type != CM_ARRIVE) ||
	    !(m->h & CSYNC_H_FLAG))
		goto bad;
	int kind = csync_h_kind(m->h), home = csync_h_home(m->h);
	if (kind <= 0 || kind >= CSK_MAX ||
	    !(rule[m->type].kinds & (1 << kind)))
		goto bad;
	/* to the home: we must be it; from the home: the sender must be */
	if (rule[m->type].to_home ? home != e->self : home != from)
		goto bad;
	for (unsigned i = 0; i < m->n; i++) {
		uint32_t w;
		memcpy(&w, (const uint8_t *)buf + CSYNC_HDR + 4 * i, 4);
		m->w[i] = cnet_be32(w);
		if (!m->w[i])
			goto bad;
	}
	bool needs_wid = m->type == CM_CWAIT || m->type == CM_CACK ||
			 m->type == CM_CANCEL || m->type == CM_CANCELR ||
			 m->type == CM_ARRIVE || m->type == CM_SWAIT ||
			 m->type == CM_SPOST || m->type == CM_SGET ||
			 m->type == CM_DESTROY || m->type == CM_RESULT ||
			 m->type >= CM_RDLOCK;
	if (needs_wid && !m->wid)
		goto bad;
	return 0;
bad:
	e->st.bad++;
	return -EINVAL;
}

bool csp_to_home(int type)
{
	return rule[type].to_home;
}
