/*
 * sched/thread_msg.c — validation of thread-service messages from peers
 * (see thread_msg.h). A migrated context is executed as it stands, so
 * everything in it that the CPU would trust is checked here first.
 */
#include <stdbool.h>
#include <stddef.h>

#include "kernel/errno.h"
#include "kernel/kstring.h"
#include "sched/thread_msg.h"

static const size_t sizes[] = {
    [TM_SPAWN] = sizeof(struct tm_spawn),
    [TM_MIGRATE] = sizeof(struct tm_migrate),
    [TM_SHED] = sizeof(struct tm_shed),
    [TM_ARRIVED] = sizeof(struct tm_arrived),
    [TM_WHERE] = sizeof(struct tm_where),
    [TM_POLICY] = sizeof(struct tm_policy),
    [TM_SIGNAL] = sizeof(struct tm_signal),
};

static int in_mem(const struct tm_limits *l, uint64_t a)
{
	for (int i = 0; i < 2; i++)
		if (a >= l->mem_lo[i] && a < l->mem_hi[i])
			return 1;
	return 0;
}

static int node_ok(const struct tm_limits *l, int32_t n)
{
	return n >= 0 && n < l->nodes;
}

/* No CPU at or above cpus; and not empty unless may_be_empty. */
static bool set_ok(const uint64_t *set, int cpus, bool may_be_empty)
{
	bool any = false;
	for (int w = 0; w < TM_AFF_WORDS; w++)
		for (int b = 0; b < 64; b++)
			if (set[w] & (1ull << b)) {
				if (w * 64 + b >= cpus)
					return false;
				any = true;
			}
	return any || may_be_empty;
}

static int check_migrate(const struct tm_migrate *m, const struct tm_limits *l)
{
	uint32_t mxcsr;
	memcpy(&mxcsr, m->fpu + TM_MXCSR_OFF, sizeof(mxcsr));
	if (m->rip < l->text_lo || m->rip >= l->text_hi)
		return -EINVAL;
	if (!in_mem(l, m->rsp) || !in_mem(l, m->fs_base) ||
	    !in_mem(l, m->posix))
		return -EINVAL;
	if ((m->rflags & ~TM_RFLAGS_OK) || !(m->rflags & TM_RFLAGS_IF))
		return -EINVAL;
	if (mxcsr & 0xffff0000u || m->app_tid == 0)
		return -EINVAL;
	return set_ok(m->aff, l->cpus, true) ? 0 : -EINVAL;
}

int thread_msg_check(const void *msg, size_t len, const struct tm_limits *lim)
{
	uint32_t kind;
	if (len < sizeof(kind))
		return -EBADMSG;
	memcpy(&kind, msg, sizeof(kind));
	if (kind == 0 || kind >= sizeof(sizes) / sizeof(sizes[0]) ||
	    !sizes[kind])
		return -EPROTO;
	if (len != sizes[kind])
		return -EBADMSG;
	int rc = 0;
	switch (kind) {
	case TM_SPAWN: {
		struct tm_spawn m;
		memcpy(&m, msg, sizeof(m));
		rc = m.entry >= lim->text_lo && m.entry < lim->text_hi &&
			     m.len >= 1 && m.len <= TM_SPAWN_DATA &&
			     in_mem(lim, m.stack_top) &&
			     (!m.fs_base || in_mem(lim, m.fs_base))
			 ? 0
			 : -EINVAL;
		break;
	}
	case TM_MIGRATE: {
		struct tm_migrate m;
		memcpy(&m, msg, sizeof(m));
		rc = check_migrate(&m, lim);
		break;
	}
	case TM_SHED: {
		struct tm_shed s;
		memcpy(&s, msg, sizeof(s));
		rc = node_ok(lim, s.node) ? 0 : -EINVAL;
		break;
	}
	case TM_WHERE: {
		struct tm_where w;
		memcpy(&w, msg, sizeof(w));
		rc = w.tid && (w.node == -1 || node_ok(lim, w.node)) ? 0
								     : -EINVAL;
		break;
	}
	case TM_SIGNAL: {
		struct tm_signal g;
		memcpy(&g, msg, sizeof(g));
		rc = g.tid && g.entry >= lim->text_lo && g.entry < lim->text_hi
			 ? 0
			 : -EINVAL;
		break;
	}
	case TM_POLICY: {
		const char *name =
		    (const char *)msg + offsetof(struct tm_policy, name);
		rc = name[0] && strnlen(name, TM_POLICY_NAME) < TM_POLICY_NAME
			 ? 0
			 : -EINVAL;
		break;
	}
	default:
		break;
	}
	return rc < 0 ? rc : (int)kind;
}

int thread_aff_req_check(const void *msg, size_t len, int cpus,
			 struct tm_aff_req *out)
{
	if (len != sizeof(*out))
		return -EBADMSG;
	memcpy(out, msg, sizeof(*out));
	return out->tid && !out->pad && set_ok(out->set, cpus, false) ? 0
								      : -EINVAL;
}

int thread_mig_req_check(const void *msg, size_t len, int nodes,
			 struct tm_mig_req *out)
{
	if (len != sizeof(*out))
		return -EBADMSG;
	memcpy(out, msg, sizeof(*out));
	return out->tid && out->node >= 0 && out->node < nodes ? 0 : -EINVAL;
}
