/*
 * sched/global.c — the global scheduler's core: the policy in force
 * (sched.policy, switchable at run time with sched_set_policy), the view of
 * the cluster it decides on (node loads from the membership heartbeats),
 * and placement of new threads.
 */
#include "cluster/dsm.h"
#include "cluster/thread_state.h"
#include "kernel/config.h"
#include "kernel/errno.h"
#include "kernel/init.h"
#include "kernel/kstring.h"
#include "kernel/ksys.h"
#include "kernel/log.h"
#include "kernel/percpu.h"
#include "kernel/spinlock.h"
#include "kernel/thread.h"
#include "mm/frame.h"
#include "mm/kmalloc.h"
#include "mm/vm.h"
#include "net/cnet.h"
#include "sched/global.h"
#include "sched/migrate.h"
#include "sched/policy.h"
#include "sched/remote_impl.h"

/* (a) the policy in force and its state, published as one pointer so a
 * placement never pairs one policy with another's state; never freed (a
 * placement may still be using an old one: a few bytes per switch) */
static const struct sched_policy_choice *in_force;

uint32_t sched_least_loaded_threshold(void);
uint32_t sched_least_loaded_threshold(void)
{
	return (uint32_t)config_uint("sched.least_loaded.threshold");
}

/* why := the names of the policies linked in, after a prefix. */
static void list_policies(char *why, size_t n, const char *name)
{
	size_t at =
	    (size_t)ksnprintf(why, n, "unknown policy '%s' (policies:", name);
	for (unsigned i = 0; sched_policy_at(i) && at < n; i++)
		at += (size_t)ksnprintf(why + at, n - at, " %s",
					sched_policy_at(i)->name);
	if (at < n)
		ksnprintf(why + at, n - at, ")");
}

/* One key=value for policy p on st: 0, or -errno and why. */
static int prepare_key(const struct sched_policy_ops *p, void *st,
		       const char *key, const char *value, char *why,
		       size_t why_len)
{
	char prefix[48];
	struct cfg_value v;
	char expect[96];
	size_t pl =
	    (size_t)ksnprintf(prefix, sizeof(prefix), "sched.%s.", p->name);
	int rc = config_check_value(&boot_config, key, value, &v, expect,
				    sizeof(expect));
	if (rc == -ENOENT || strncmp(key, prefix, pl) || !p->set) {
		ksnprintf(why, why_len, "unknown key '%s' for policy '%s'%s",
			  key, p->name, p->set ? "" : " (it has no keys)");
		return -ENOENT;
	}
	if (rc) {
		ksnprintf(why, why_len, "bad value '%s' for key '%s': %s",
			  value, key, expect);
		return -EINVAL;
	}
	const struct cfg_key *k = NULL;
	for (size_t i = 0; i < boot_config.nkeys; i++)
		if (!strcmp(boot_config.keys[i].name, key))
			k = &boot_config.keys[i];
	if (!k || k->type != CFG_UINT || p->set(st, key, v.u)) {
		ksnprintf(why, why_len, "unknown key '%s' for policy '%s'", key,
			  p->name);
		return -ENOENT;
	}
	return 0;
}

int sched_policy_prepare(const char *name, const char *const *keys,
			 const char *const *values, int n,
			 struct sched_policy_choice **out, char *why,
			 size_t why_len)
{
	const struct sched_policy_ops *p = sched_policy_find(name);
	if (!p) {
		list_policies(why, why_len, name);
		return -EINVAL;
	}
	struct sched_policy_choice *c = kzalloc(sizeof(*c) + p->state_size);
	if (!c) {
		ksnprintf(why, why_len, "out of memory");
		return -ENOMEM;
	}
	c->ops = p;
	c->state = p->state_size ? c + 1 : NULL;
	if (p->init)
		p->init(c->state);
	for (int i = 0; i < n; i++) {
		int rc =
		    prepare_key(p, c->state, keys[i], values[i], why, why_len);
		if (rc) {
			kfree(c);
			return rc;
		}
	}
	*out = c;
	return 0;
}

void sched_policy_install(const struct sched_policy_choice *c)
{
	__atomic_store_n(&in_force, c, __ATOMIC_RELEASE);
	pr_info("sched", "global policy: %s", c->ops->name);
}

int sched_set_policy(const char *name)
{
	struct sched_policy_choice *c;
	char why[160];
	int rc =
	    sched_policy_prepare(name, NULL, NULL, 0, &c, why, sizeof(why));
	if (rc)
		return rc;
	sched_policy_install(c);
	return 0;
}

const char *sched_policy_name(void)
{
	const struct sched_policy_choice *c =
	    __atomic_load_n(&in_force, __ATOMIC_ACQUIRE);
	return c ? c->ops->name : "none";
}

/* ---- probes --------------------------------------------------------------- */

#define PROBE_MIN_NS (50 * NSEC_PER_MSEC) /* rates over at least this */

static struct spinlock probe_lock = SPINLOCK_INIT;
static struct {
	uint64_t at, idle_ns, faults;
	uint16_t util;
	uint32_t faults_per_s;
} probe_last; /* (probe_lock) the last sample and the rates from it */

/* This node's load (cnet_set_load_probe): gossiped in heartbeats. Called
 * with the transport's lock held: takes only spinlocks. */
static void probe(struct cnet_load *o)
{
	uint64_t faults = dsm_fault_count(), idle = sched_idle_ns(),
		 now = clock_ns();
	unsigned long f = spin_lock_irqsave(&probe_lock);
	uint64_t dt = now - probe_last.at;
	if (dt >= PROBE_MIN_NS && probe_last.at) {
		uint64_t span = dt * (uint64_t)(nr_cpus ? nr_cpus : 1);
		uint64_t idled = idle - probe_last.idle_ns;
		probe_last.util =
		    (uint16_t)(idled >= span ? 0 : 1000 - idled * 1000 / span);
		probe_last.faults_per_s =
		    (uint32_t)((faults - probe_last.faults) * NSEC_PER_SEC /
			       dt);
	}
	if (dt >= PROBE_MIN_NS || !probe_last.at) {
		probe_last.at = now;
		probe_last.idle_ns = idle;
		probe_last.faults = faults;
	}
	o->util = probe_last.util;
	o->faults_per_s = probe_last.faults_per_s;
	spin_unlock_irqrestore(&probe_lock, f);
	o->runnable = sched_app_runnable();
	o->threads = (uint16_t)sched_app_threads();
	o->spawned = remote_threads_started();
	o->free_mb = (uint32_t)((frame_free_count() * PAGE_SIZE) >> 20);
}

/*
 * Threads this node placed on another node that the other's gossiped load
 * may not show yet: a burst of pthread_create sees one view, and without
 * them every thread of the burst would go to the node that looked least
 * loaded. Node n's report says how many threads it started at other
 * nodes' request (`spawned`); what we sent it beyond that is on its way.
 * When several nodes place threads on n, n's count includes theirs and
 * this undercounts (never counts a thread twice).
 */
static uint32_t pending_on(int n, const struct cnet_load *l)
{
	int32_t d = (int32_t)(remote_threads_placed(n) - l->spawned);
	return d > 0 ? (uint32_t)d : 0;
}

static void build_view(struct sched_view *v)
{
	memset(v, 0, sizeof(*v));
	v->nodes = cnet_nodes();
	v->self = cnet_self();
	for (int n = 0; n < v->nodes && n < SCHED_MAX_NODES; n++) {
		struct cnet_load l;
		v->n[n].alive = cnet_alive(n);
		v->n[n].cpus = (uint16_t)cnet_node_cpus(n);
		/* our own load is measured now (the threads we placed here
		 * are in it); the others' come by gossip, plus what we placed
		 * there since */
		if (!cnet_node_probe(n, &l))
			continue;
		uint32_t p = n == v->self ? 0 : pending_on(n, &l);
		v->n[n].runnable = l.runnable + p;
		v->n[n].threads = l.threads + p;
		v->n[n].util = l.util;
		v->n[n].free_mb = l.free_mb;
		v->n[n].dsm_faults = l.faults_per_s;
	}
}

int sched_place(void)
{
	const struct sched_policy_choice *c =
	    __atomic_load_n(&in_force, __ATOMIC_ACQUIRE);
	if (!c || cnet_nodes() <= 1)
		return cnet_self();
	struct sched_view *v = kmalloc(sizeof(*v));
	if (!v)
		return cnet_self();
	build_view(v);
	const uint16_t *src =
	    cluster_thread(thread_current())->dsm_src; /* the creator's pages */
	for (int i = 0; i < v->nodes && i < CNET_MAX_NODES; i++)
		v->pages_on[i] = src[i];
	int n = c->ops->place(c->state, v);
	kfree(v);
	return n >= 0 && n < cnet_nodes() && cnet_alive(n) ? n : cnet_self();
}

/*
 * The balancer, a thread on every node while the program runs. Every
 * sched.period_ms: if the policy in force has `toward`, each node offers it
 * its own running threads with the nodes their recent pages came from
 * (locality); on the origin, if it has `balance`, it looks at the gossiped
 * loads and proposes moves, each an order to the node that gives a thread
 * (sched_shed); a move is made only when the previous pass proposed it
 * too (sched_moves_confirmed: loads are samples). After moving, it waits
 * long enough for the loads it decides on to reflect the moves (two
 * gossip periods), so it does not move the same imbalance twice.
 */
#define MAX_CANDIDATES 64

struct candidate {
	uint32_t tid;
	uint32_t pages_on[CNET_MAX_NODES];
};

struct candidates {
	int n;
	struct candidate c[MAX_CANDIDATES];
};

/* Takes each of the program's threads' recent page sources and halves
 * them (so "recent" decays by half every period). Blocked threads count:
 * one waiting for remote pages is blocked most of the time. */
static bool take_candidate(struct thread *t, void *arg)
{
	struct candidates *cs = arg;
	if (!t->app_tid || t->state == THREAD_EXITED)
		return false;
	if (cs->n < MAX_CANDIDATES) {
		struct candidate *c = &cs->c[cs->n++];
		c->tid = t->app_tid;
		for (int i = 0; i < CNET_MAX_NODES; i++)
			c->pages_on[i] = cluster_thread(t)->dsm_src[i];
	}
	for (int i = 0; i < CNET_MAX_NODES; i++)
		cluster_thread(t)->dsm_src[i] /= 2;
	return false;
}

/* On every node: a policy with `toward` may move one of our threads (at
 * most one a period, so the loads it decides on stay true). */
static bool local_pass(const struct sched_policy_choice *c,
		       struct sched_view *v, struct candidates *cs)
{
	cs->n = 0;
	thread_for_each(take_candidate, cs);
	build_view(v);
	for (int i = 0; i < cs->n; i++) {
		int to = c->ops->toward(c->state, v, cs->c[i].pages_on);
		if (to < 0 || to == v->self || to >= v->nodes)
			continue;
		if (!sched_migrate(cs->c[i].tid, to)) {
			pr_info("sched",
				"%s: thread %u goes to node %d, where its "
				"pages are",
				c->ops->name, cs->c[i].tid, to);
			return true;
		}
	}
	return false;
}

static void *balancer(void *arg)
{
	(void)arg;
	uint64_t period = config_uint("sched.period_ms") * NSEC_PER_MSEC;
	uint64_t gossip = config_uint("cluster.heartbeat_ms") * NSEC_PER_MSEC;
	if (period < gossip)
		gossip =
		    period; /* heartbeats go at the shorter (net/member.c) */
	uint64_t settle = 2 * (period > gossip ? period : gossip);
	uint64_t quiet_until = 0;
	/* the previous pass's proposals (sched_moves_confirmed), from policy
	 * choice prev_c; forgotten whenever a period passes without a pass */
	struct sched_move prev[SCHED_MAX_MOVES];
	int nprev = 0;
	const struct sched_policy_choice *prev_c = NULL;
	struct sched_view *v = kmalloc(sizeof(*v));
	struct candidates *cs = kmalloc(sizeof(*cs));
	if (!v || !cs) {
		pr_err("sched",
		       "no memory for the balancer: threads will not be moved");
		kfree(v);
		kfree(cs);
		return NULL;
	}
	for (;;) {
		thread_sleep_ns(period);
		const struct sched_policy_choice *c =
		    __atomic_load_n(&in_force, __ATOMIC_ACQUIRE);
		const struct sched_policy_ops *p = c ? c->ops : NULL;
		if (c != prev_c)
			nprev = 0;
		prev_c = c;
		if (!ksys_app_running() || !p || clock_ns() < quiet_until) {
			nprev = 0;
			continue;
		}
		if (p->toward && local_pass(c, v, cs))
			quiet_until = clock_ns() + settle;
		if (!p->balance || cnet_self() != 0)
			continue;
		struct sched_move cur[SCHED_MAX_MOVES], mv[SCHED_MAX_MOVES];
		build_view(v);
		int ncur = p->balance(c->state, v, cur, SCHED_MAX_MOVES);
		if (ncur < 0 || ncur > SCHED_MAX_MOVES)
			ncur = 0;
		int n = sched_moves_confirmed(prev, nprev, cur, ncur, mv);
		memcpy(prev, cur, sizeof(cur[0]) * (size_t)ncur);
		nprev = ncur;
		int done = 0;
		for (int i = 0; i < n; i++) {
			if (mv[i].from < 0 || mv[i].from >= v->nodes ||
			    mv[i].to < 0 || mv[i].to >= v->nodes ||
			    mv[i].from == mv[i].to)
				continue;
			done += sched_shed(mv[i].from, mv[i].to) == 0;
		}
		if (done) {
			pr_info("sched", "%s: %d thread(s) to move", p->name,
				done);
			quiet_until = clock_ns() + settle;
			nprev = 0; /* the loads change: confirm afresh */
		}
	}
}

static int sched_global_start(void)
{
	cnet_set_load_probe(probe);
	return sched_set_policy(config_str("sched.policy"));
}
INITCALL(INIT_NET_SVC, sched_global_start);

static int balancer_start(void)
{
	if (cnet_nodes() <= 1)
		return 0;
	struct thread *t =
	    thread_create("balancer", balancer, NULL, PRIO_DEFAULT - 2);
	if (!t)
		return -ENOMEM;
	thread_detach(t);
	return 0;
}
INITCALL(INIT_READY, balancer_start);
