/*
 * sched/migrate.c — the thread service (CNET_SVC_THREAD): threads started
 * on another node, threads moved between nodes, and the origin's record of
 * where every application thread lives (so a node's death can name them).
 *
 * Migration. A thread's stack and TLS are in the global address space, so
 * only its register context travels; pages follow on demand through the
 * DSM. sched_migrate() marks the thread (thread->migrate_to) and, if it
 * sleeps in a futex wait, ends that wait early (allowed: futex users
 * re-check their word and wait again). The thread stops at its next safe
 * point: a trap taken while it runs application code (its timer tick), or
 * the `int $VEC_MIGRATE` the kernel's blocking calls execute on their way
 * back to the application. There the trap exit hook redirects the iret to
 * migrate_out() on the thread's kernel stack, which ships the frame, the
 * FPU/SSE state and the FS base (TM_MIGRATE) and ends the local kernel
 * thread; the destination starts a kernel thread that loads them and irets
 * into the application exactly where it stopped. Thread ids, joins, locks
 * and futex waits live in the global address space and in the posix layer
 * above, so they survive. If the destination cannot be reached the thread
 * resumes where it is.
 *
 * Guards: (a) atomics; (wl) where_lock.
 */
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/trap.h"
#include "cluster/thread_state.h"
#include "kernel/config.h"
#include "kernel/errno.h"
#include "kernel/futex.h"
#include "kernel/init.h"
#include "kernel/kstring.h"
#include "kernel/ksys.h"
#include "kernel/log.h"
#include "kernel/sync.h"
#include "kernel/thread.h"
#include "mm/gas.h"
#include "mm/kmalloc.h"
#include "net/cnet.h"
#include "sched/global.h"
#include "sched/migrate.h"
#include "sched/migrate_rules.h"
#include "sched/remote_impl.h"
#include "sched/thread_msg.h"

extern char __text_start[], __text_end[], __gas_data_start[], __gas_bss_end[];

static struct migrate_stats st; /* (a) */
static struct tm_limits limits; /* (c) after init */

/* ---- leaving ------------------------------------------------------------ */

static void migrate_out(void) __attribute__((noreturn));

/* (o) A leaving thread, between its safe point and migrate_out: the node,
 * its application context (a trap frame at the top of its kernel stack)
 * and the frame's iret fields, which were redirected to the leaving code.
 * Kept in the slot struct thread reserves for this layer. */
struct leaving {
	int to;
	struct trap_frame *frame;
	uint64_t rip, rsp, rflags;
};
_Static_assert(sizeof(struct leaving) <= sizeof(((struct thread *)0)->sched),
	       "struct leaving outgrew THREAD_SCHED_BYTES");

static struct leaving *leaving(struct thread *t)
{
	return (struct leaving *)(void *)t->sched;
}

/*
 * The trap exit hook (interrupts off). The frame is the thread's
 * application context only if the trap came from its application stack;
 * anything else (nested, kernel code) waits for a later trap, and so does
 * a thread that holds a cluster mutex (its token stays with its node).
 */
static void exit_hook(struct trap_frame *tf)
{
	struct thread *t = thread_current();
	uintptr_t lo = (uintptr_t)t->stack, hi = lo + KSTACK_SIZE;
	struct mig_point pt = {
	    .to = __atomic_load_n(&t->migrate_to, __ATOMIC_ACQUIRE),
	    .self = cnet_self(),
	    .nodes = cnet_nodes(),
	    .app = t->posix && t->app_tid,
	    .on_kstack = tf->rsp >= lo && tf->rsp < hi,
	    .irqs_on = tf->rflags & TM_RFLAGS_IF,
	    .locks = cluster_thread(t)->csync_held,
	};
	enum mig_step step = migrate_step(&pt);
	if (step == MIG_DROP)
		__atomic_store_n(&t->migrate_to, -1, __ATOMIC_RELEASE);
	if (step != MIG_GO)
		return;
	int to = __atomic_exchange_n(&t->migrate_to, -1, __ATOMIC_ACQ_REL);
	if (to < 0)
		return;
	/* The frame stays where it is, at the top of the kernel stack; the
	 * iret lands in migrate_out just below it, with interrupts on. The
	 * application's FPU state is still in the registers (the kernel uses
	 * none; switches save it per thread). */
	struct leaving *l = leaving(t);
	l->to = to;
	l->frame = tf;
	l->rip = tf->rip;
	l->rsp = tf->rsp;
	l->rflags = tf->rflags;
	uintptr_t below = ((uintptr_t)tf & ~15ul) - 8; /* as after a call */
	tf->rsp = below;
	tf->rip = (uintptr_t)migrate_out;
	tf->rflags = 0x202;
}

/* Puts the thread back where it stopped, on this node. */
static void resume_here(struct thread *t) __attribute__((noreturn));
static void resume_here(struct thread *t)
{
	struct leaving *l = leaving(t);
	struct trap_frame *tf = l->frame;
	tf->rip = l->rip;
	tf->rsp = l->rsp;
	tf->rflags = l->rflags;
	arch_irq_disable();
	arch_trap_resume(tf);
}

static void migrate_out(void)
{
	struct thread *t = thread_current();
	const struct leaving *l = leaving(t);
	const struct trap_frame *tf = l->frame;
	int to = l->to;
	uint8_t fpu[TM_FPU_SIZE] __attribute__((aligned(16)));
	__asm__ volatile("fxsave64 %0" : "=m"(fpu));
	struct tm_migrate *m = kmalloc(sizeof(*m));
	if (!m) {
		__atomic_fetch_add(&st.failed, 1, __ATOMIC_RELAXED);
		resume_here(t);
	}
	m->kind = TM_MIGRATE;
	m->app_tid = t->app_tid;
	m->posix = (uintptr_t)t->posix;
	m->fs_base = t->fs_base;
	memcpy(m->gpr, tf, sizeof(m->gpr)); /* r15 .. rax lead the frame */
	m->rip = l->rip;
	m->rflags = l->rflags;
	m->rsp = l->rsp;
	m->freeze_ns = clock_ns();
	memcpy(m->aff, cluster_thread(t)->aff, sizeof(m->aff));
	memcpy(m->fpu, fpu, sizeof(fpu));
	int rc = to == cnet_self()
		     ? -EINVAL
		     : cnet_send(to, CNET_SVC_THREAD, m, sizeof(*m));
	kfree(m);
	if (rc) {
		pr_warn("sched",
			"thread %u stays on node %d: cannot move it to "
			"node %d (%d)",
			t->app_tid, cnet_self(), to, rc);
		__atomic_fetch_add(&st.failed, 1, __ATOMIC_RELAXED);
		resume_here(t);
	}
	__atomic_fetch_add(&st.out, 1, __ATOMIC_RELAXED);
	pr_debug("sched", "thread %u left for node %d", t->app_tid, to);
	t->posix = NULL;
	t->app_tid = 0;
	thread_exit(NULL); /* app threads are detached: freed off-CPU */
}

/* ---- arriving ----------------------------------------------------------- */

struct arrival {
	struct tm_migrate m;
	int from;
};

static void send_where(uint32_t tid, int node);

static void *migrate_in(void *arg)
{
	struct arrival *a = arg;
	struct thread *t = thread_current();
	struct tm_arrived ack = {TM_ARRIVED, a->m.app_tid, a->m.freeze_ns};
	cnet_send(a->from, CNET_SVC_THREAD, &ack, sizeof(ack));
	send_where(a->m.app_tid, cnet_self());
	__atomic_fetch_add(&st.in, 1, __ATOMIC_RELAXED);

	struct trap_frame tf;
	memcpy(&tf, a->m.gpr, sizeof(a->m.gpr));
	tf.vector = VEC_MIGRATE;
	tf.error = 0;
	tf.rip = a->m.rip;
	tf.rsp = a->m.rsp;
	tf.rflags = a->m.rflags;
	__asm__ volatile("mov %%cs, %0" : "=r"(tf.cs));
	__asm__ volatile("mov %%ss, %0" : "=r"(tf.ss));
	uint8_t fpu[TM_FPU_SIZE] __attribute__((aligned(16)));
	memcpy(fpu, a->m.fpu, sizeof(fpu));
	/* The page under the stack pointer is the first the thread needs:
	 * fetch it for writing now (the DSM brings it over) and time it. */
	uint64_t t0 = clock_ns();
	__atomic_fetch_add((uint64_t *)(uintptr_t)(tf.rsp & ~7ull), 0,
			   __ATOMIC_RELAXED);
	__atomic_fetch_add(&st.first_page_ns_sum, clock_ns() - t0,
			   __ATOMIC_RELAXED);
	t->posix = (void *)(uintptr_t)a->m.posix;
	t->app_tid = a->m.app_tid;
	t->app_cpu = true; /* its time here is the program's */
	t->fs_base = a->m.fs_base;
	memcpy(cluster_thread(t)->aff, a->m.aff, sizeof(a->m.aff));
	kfree(a);
	sched_aff_arrived(t);
	arch_irq_disable();
	wrmsr(MSR_FS_BASE, t->fs_base);
	__asm__ volatile("fxrstor64 %0" : : "m"(fpu));
	/* a signal sent while it travelled found it nowhere: look */
	__atomic_store_n(&t->sig_kick, 1, __ATOMIC_RELEASE);
	arch_trap_resume(&tf); /* on this kernel stack: nothing live below */
}

static void arrive(int from, const struct tm_migrate *m)
{
	struct arrival *a = kmalloc(sizeof(*a));
	struct thread *t = NULL;
	if (a) {
		a->m = *m;
		a->from = from;
		t = thread_create("app", migrate_in, a, PRIO_DEFAULT);
	}
	if (!t) {
		/* the context is lost: the program cannot go on correctly */
		pr_err("sched",
		       "out of memory receiving thread %u from node %d: "
		       "ending the program",
		       m->app_tid, from);
		kfree(a);
		ksys_exit(1);
	}
	thread_detach(t);
}

/* ---- requests ----------------------------------------------------------- */

struct mark {
	uint32_t tid;
	int node;
	bool any_app;	/* TM_SHED: any runnable application thread */
	uint32_t found; /* the thread marked */
};

static bool mark_one(struct thread *t, void *arg)
{
	struct mark *k = arg;
	if (!t->app_tid || !t->posix || t->state == THREAD_EXITED)
		return false;
	if (k->any_app
		? t->state != THREAD_RUNNABLE ||
		      __atomic_load_n(&t->migrate_to, __ATOMIC_RELAXED) >= 0 ||
		      !sched_aff_allows(cluster_thread(t)->aff, k->node)
		: t->app_tid != k->tid)
		return false;
	k->found = t->app_tid;
	if (k->node != cnet_self()) {
		__atomic_store_n(&t->migrate_to, k->node, __ATOMIC_RELEASE);
		futex_kick(t); /* a sleeper moves when it wakes: now */
	}
	return true;
}

/* Marks thread tid for node if it lives here: 0, or -ESRCH. */
static int migrate_local(uint32_t tid, int node)
{
	struct mark k = {tid, node, false, 0};
	return thread_for_each(mark_one, &k) ? 0 : -ESRCH;
}

#define REQ_TIMEOUT_NS (2000 * NSEC_PER_MSEC)

/* CNET_SVC_SCHED_RPC: "move thread tid to node if it lives here". */
static int serve_migrate(int from, const void *args, size_t len, void *out,
			 size_t cap, void *ctx)
{
	(void)from, (void)out, (void)cap, (void)ctx;
	if (len == sizeof(struct tm_aff_req)) {
		struct tm_aff_req a;
		int rc = thread_aff_req_check(args, len, limits.cpus, &a);
		if (rc) {
			__atomic_fetch_add(&st.bad_msgs, 1, __ATOMIC_RELAXED);
			return rc;
		}
		return sched_affinity_local(a.tid, a.set);
	}
	struct tm_mig_req r;
	int rc = thread_mig_req_check(args, len, cnet_nodes(), &r);
	if (rc) {
		__atomic_fetch_add(&st.bad_msgs, 1, __ATOMIC_RELAXED);
		return rc;
	}
	return migrate_local(r.tid, r.node);
}

int sched_migrate(uint32_t tid, int node)
{
	if (tid == 0)
		return -ESRCH;
	if (node < 0 || node >= cnet_nodes())
		return -EINVAL;
	if (!cnet_alive(node))
		return -EHOSTUNREACH;
	if (!migrate_local(tid, node))
		return 0;
	struct tm_mig_req r = {tid, node};
	return sched_ask_others(&r, sizeof(r));
}

int sched_ask_others(const void *req, size_t len)
{
	/* one by one: the thread lives on one node at most (a node that
	 * cannot answer in time is reported if none has it) */
	int rc = -ESRCH;
	for (int i = 0; i < cnet_nodes(); i++) {
		if (i == cnet_self() || !cnet_alive(i))
			continue;
		int got = cnet_call(i, CNET_SVC_SCHED_RPC, req, len, NULL, 0,
				    REQ_TIMEOUT_NS);
		if (got == 0)
			return 0;
		if (got != -ESRCH && got != -EHOSTUNREACH)
			rc = got;
	}
	return rc;
}

int sched_shed(int from, int to)
{
	if (from != cnet_self()) {
		struct tm_shed s = {TM_SHED, to};
		return cnet_send(from, CNET_SVC_THREAD, &s, sizeof(s));
	}
	struct mark k = {0, to, true, 0};
	if (!thread_for_each(mark_one, &k))
		return -ESRCH;
	__atomic_fetch_add(&st.shed, 1, __ATOMIC_RELAXED);
	pr_debug("sched", "balance: thread %u of node %d goes to node %d",
		 k.found, from, to);
	return 0;
}

/* ---- where threads live (kept by the origin) ---------------------------- */

#define WHERE_BUCKETS 256

struct where {
	struct where *next;
	uint32_t tid;
	int node;
};

static struct spinlock where_lock = SPINLOCK_INIT;
static struct where *where_tab[WHERE_BUCKETS]; /* (wl) */

static void where_set(uint32_t tid, int node)
{
	struct where *fresh = node >= 0 ? kmalloc(sizeof(*fresh)) : NULL;
	unsigned long f = spin_lock_irqsave(&where_lock);
	struct where **p = &where_tab[tid % WHERE_BUCKETS];
	while (*p && (*p)->tid != tid)
		p = &(*p)->next;
	struct where *gone = NULL;
	if (*p && node < 0) {
		gone = *p;
		*p = gone->next;
	} else if (*p) {
		(*p)->node = node;
	} else if (fresh) {
		fresh->tid = tid;
		fresh->node = node;
		fresh->next = NULL;
		*p = fresh;
		fresh = NULL;
	}
	spin_unlock_irqrestore(&where_lock, f);
	kfree(fresh);
	kfree(gone);
}

static void send_where(uint32_t tid, int node)
{
	if (cnet_nodes() <= 1)
		return;
	if (cnet_self() == 0) {
		where_set(tid, node);
		return;
	}
	struct tm_where w = {TM_WHERE, tid, node, 0};
	cnet_send(0, CNET_SVC_THREAD, &w, sizeof(w));
}

void sched_thread_event(uint32_t tid, bool alive)
{
	send_where(tid, alive ? cnet_self() : -1);
}

/* The origin: a node died with threads of the program on it. */
static void node_died(int dead, void *ctx)
{
	(void)ctx;
	if (!ksys_app_running())
		return;
	if (cnet_self() != 0) {
		if (dead == 0) {
			pr_err("sched", "the origin (node 0) died: ending the "
					"program here");
			ksys_exit(1);
		}
		return;
	}
	char list[256];
	size_t len = 0;
	unsigned n = 0;
	list[0] = 0;
	unsigned long f = spin_lock_irqsave(&where_lock);
	for (int b = 0; b < WHERE_BUCKETS; b++)
		for (struct where *w = where_tab[b]; w; w = w->next)
			if (w->node == dead) {
				n++;
				if (len + 12 < sizeof(list))
					len += (size_t)ksnprintf(
					    list + len, sizeof(list) - len,
					    " %u", w->tid);
			}
	spin_unlock_irqrestore(&where_lock, f);
	pr_err("sched",
	       "node %d died with %u thread(s) of the program:%s; "
	       "ending the program",
	       dead, n, n ? list : " none");
	ksys_exit(1);
}

/* ---- the service -------------------------------------------------------- */

/* A checked TM_SPAWN: the thread starts here (no sleep: a kernel thread
 * made and queued to run). */
static void spawn_here(int from, const void *msg)
{
	struct tm_spawn s;
	memcpy(&s, msg, sizeof(s));
	int rc =
	    ksys_spawn_local(s.entry, s.stack_top, s.fs_base, s.data, s.len);
	if (!rc)
		remote_note_started();
	if (rc)
		pr_err("sched", "cannot start a thread for node %d: %d", from,
		       rc);
}

/* The fast path (the transport's receive path): thread starts, at once,
 * without a hop to the service's thread; the rest (migrations may sleep)
 * is queued. A start overtaking queued messages is harmless: they
 * concern other threads. */
static bool thread_fast(int from, const void *msg, size_t len, void *ctx)
{
	(void)ctx;
	if (thread_msg_check(msg, len, &limits) != TM_SPAWN)
		return false; /* refused ones are counted by the handler */
	spawn_here(from, msg);
	return true;
}

static void thread_handler(int from, const void *msg, size_t len, void *ctx)
{
	(void)ctx;
	int kind = thread_msg_check(msg, len, &limits);
	if (kind < 0) {
		__atomic_fetch_add(&st.bad_msgs, 1, __ATOMIC_RELAXED);
		pr_warn("sched",
			"bad thread-service message from node %d "
			"(%zu bytes): %d",
			from, len, kind);
		return;
	}
	switch (kind) {
	case TM_SPAWN:
		spawn_here(from, msg);
		break;
	case TM_MIGRATE:
		arrive(from, msg);
		break;
	case TM_SHED: {
		struct tm_shed s;
		memcpy(&s, msg, sizeof(s));
		sched_shed(cnet_self(), s.node);
		break;
	}
	case TM_ARRIVED: {
		struct tm_arrived a;
		memcpy(&a, msg, sizeof(a));
		uint64_t ns = clock_ns() - a.freeze_ns;
		__atomic_fetch_add(&st.move_ns_sum, ns, __ATOMIC_RELAXED);
		pr_debug("sched",
			 "thread %u resumed on node %d, %lu us after "
			 "it stopped here",
			 a.tid, from, ns / 1000);
		break;
	}
	case TM_POLICY: {
		struct tm_policy m;
		memcpy(&m, msg, sizeof(m));
		if (sched_set_policy(m.name))
			pr_err("sched",
			       "node %d asked for policy '%s', which this "
			       "image does not have",
			       from, m.name);
		break;
	}
	case TM_WHERE: {
		struct tm_where w;
		memcpy(&w, msg, sizeof(w));
		if (cnet_self() == 0)
			where_set(w.tid, w.node);
		break;
	}
	case TM_SIGNAL: {
		struct tm_signal g;
		memcpy(&g, msg, sizeof(g));
		ksys_signal_kick_local(g.tid, g.entry); /* -ESRCH: not here */
		break;
	}
	}
}

/* Kicks thread tid wherever it lives (kernel/ksys.h's signal_kick): the
 * message goes to every other node, and the one that has it acts. A
 * thread caught between two nodes misses it, but takes its signals when
 * it arrives (migrate_in kicks it). */
int sched_signal_kick(uint32_t tid, uint64_t entry)
{
	struct tm_signal g = {TM_SIGNAL, tid, entry};
	int rc = -ESRCH;
	for (int i = 0; i < cnet_nodes(); i++) {
		if (i == cnet_self() || !cnet_alive(i))
			continue;
		if (!cnet_send(i, CNET_SVC_THREAD, &g, sizeof(g)))
			rc = 0;
	}
	return rc;
}

int sched_set_policy_all(const char *name)
{
	struct tm_policy m = {TM_POLICY, {0}};
	if (!name[0] ||
	    kstrlcpy(m.name, name, sizeof(m.name)) >= sizeof(m.name))
		return -EINVAL;
	int rc = sched_set_policy(name);
	if (rc)
		return rc;
	for (int i = 0; i < cnet_nodes(); i++)
		if (i != cnet_self() && cnet_alive(i))
			cnet_send(i, CNET_SVC_THREAD, &m, sizeof(m));
	return 0;
}

static bool count_app(struct thread *t, void *arg)
{
	if (ksys_is_app_thread(t) && t->state != THREAD_EXITED)
		++*(uint32_t *)arg;
	return false;
}

/* A thread waiting for a page counts: it wants the CPU back within a
 * round trip, and a probe taken while it waits must not call its node
 * idle. A thread placing a new one counts itself: it goes on running
 * (main working as thread 0 of its team), so a team spreads evenly from
 * the first pthread_create. */
static bool count_app_runnable(struct thread *t, void *arg)
{
	if (ksys_is_app_thread(t) &&
	    (t->state == THREAD_RUNNABLE ||
	     __atomic_load_n(&cluster_thread(t)->in_dsm_fault,
			     __ATOMIC_RELAXED)))
		++*(uint32_t *)arg;
	return false;
}

uint32_t sched_app_runnable(void)
{
	uint32_t n = 0;
	thread_for_each(count_app_runnable, &n);
	return n;
}

uint32_t sched_app_threads(void)
{
	uint32_t n = 0;
	thread_for_each(count_app, &n);
	return n;
}

void sched_count_bad(void)
{
	__atomic_fetch_add(&st.bad_msgs, 1, __ATOMIC_RELAXED);
}

void sched_migrate_stats(struct migrate_stats *s)
{
	s->out = __atomic_load_n(&st.out, __ATOMIC_RELAXED);
	s->in = __atomic_load_n(&st.in, __ATOMIC_RELAXED);
	s->failed = __atomic_load_n(&st.failed, __ATOMIC_RELAXED);
	s->shed = __atomic_load_n(&st.shed, __ATOMIC_RELAXED);
	s->bad_msgs = __atomic_load_n(&st.bad_msgs, __ATOMIC_RELAXED);
	s->move_ns_sum = __atomic_load_n(&st.move_ns_sum, __ATOMIC_RELAXED);
	s->first_page_ns_sum =
	    __atomic_load_n(&st.first_page_ns_sum, __ATOMIC_RELAXED);
}

static int migrate_start(void)
{
	limits.text_lo = (uintptr_t)__text_start;
	limits.text_hi = (uintptr_t)__text_end;
	limits.mem_lo[0] = (uintptr_t)__gas_data_start;
	limits.mem_hi[0] = (uintptr_t)__gas_bss_end;
	limits.mem_lo[1] = GAS_DYN_BASE;
	limits.mem_hi[1] = GAS_DYN_BASE + GAS_DYN_SIZE;
	limits.nodes = cnet_nodes();
	limits.cpus = cnet_total_cpus();
	trap_set_exit_hook(exit_hook);
	if (cnet_nodes() <= 1)
		return 0;
	cnet_on_node_death(node_died, NULL);
	int rc = cnet_serve(CNET_SVC_SCHED_RPC, serve_migrate, NULL);
	if (!rc)
		rc = cnet_register(CNET_SVC_THREAD, thread_handler, NULL);
	return rc ? rc : cnet_set_fast(CNET_SVC_THREAD, thread_fast);
}
INITCALL(INIT_CLUSTER, migrate_start);
