/*
 * cluster/dsm.c — the DSM glue: page faults in the global address space go to
 * the coherence engine (cluster/dsm_proto.c); its messages travel on the
 * cluster transport (CNET_SVC_DSM); its map/unmap requests become page-table
 * changes with TLB shootdowns.
 *
 * dsm_lock (a mutex) serialises the engine. Messages the engine emits are
 * queued under it and sent after it is dropped (sending may block). A
 * faulting thread sleeps on dsm_cv until the engine completes its page.
 * Frames: each node has at most one frame per page it maps (frames[]), and
 * the home keeps a separate copy of its pages once written back (homes[]).
 *
 * dsm.check=1: every change of this node's access to a page is reported
 * to the page's home (DSM_CHECK_REPORT, queued ahead of the protocol
 * messages of the same transition), whose checker (cluster/dsm_check.c) stops
 * the cluster with a report when single writer / many readers breaks.
 * Messages go out through an outbox (net/cnet_outbox.h), ordered: its
 * order lock keeps this node's sends in the order they were queued, also
 * when two threads flush one after the other. The protocol needs it: a
 * home that grants a page to node N and then, for the next request,
 * recalls it from N (two flushes, often by two threads: the service
 * thread and a thread faulting at the home) must not have the RECALL
 * overtake the GRANT — N would refuse a recall for a page it does not
 * hold yet, and the home would wait for the reply for ever (the rare
 * hang of t_threads' create/join loop on two nodes). Lock order:
 * dsm_lock, then the outbox's order lock.
 */
#include "arch/x86_64/cpu.h"
#include "cluster/dsm.h"
#include "cluster/dsm_check.h"
#include "cluster/dsm_wire.h"
#include "cluster/thread_state.h"
#include "kernel/config.h"
#include "kernel/errno.h"
#include "kernel/init.h"
#include "kernel/kstring.h"
#include "kernel/log.h"
#include "kernel/panic.h"
#include "kernel/sync.h"
#include "kernel/thread.h"
#include "mm/frame.h"
#include "mm/gas.h"
#include "mm/kmalloc.h"
#include "mm/vm.h"
#include "net/cnet.h"
#include "net/cnet_outbox.h"

#define FMAP		   4096 /* hash buckets for frame maps */
#define HOLD_NS		   (200 * NSEC_PER_USEC) /* a granted page stays this long */
#define DSM_STALL_NS	   (10 * NSEC_PER_SEC) /* a fault waiting longer is said */
#define DSM_OUTBOX_RESERVE 8 /* outbox buffers for when the heap is out */

struct fent {
	struct fent *next;
	uint64_t page;
	uint64_t pa;
	uint64_t granted_at;
};

static bool active; /* (c) after dsm_start */
static struct mutex dsm_lock;
static struct cond dsm_cv;		 /* with dsm_lock: a page completed */
static struct dsm eng;			 /* (dsm_lock) */
static const struct dsm_protocol *proto; /* (c) dsm.protocol */
static struct fent *frames[FMAP];    /* (dsm_lock) this node's frame per page */
static struct fent *homes[FMAP];     /* (dsm_lock) home copies */
static struct cnet_outbox outbox;    /* (dsm_lock) sent after dsm_lock */
static enum dsm_home_mode home_mode; /* (c) dsm.home */
static uint32_t ra_max;		     /* (c) dsm.readahead */
static bool check_mode; /* (c) dsm.check=1, set before dsm_start registers */
static struct dsm_check checker; /* (dsm_lock) reports on our homes' pages */
extern char __gas_data_start[], __gas_bss_end[], __gas_data_end[];
extern char __gas_data_lma[];

bool dsm_active(void)
{
	return active;
}

bool dsm_is_static_page(uint64_t page)
{
	uintptr_t va = page << PAGE_SHIFT;
	return va >= ((uintptr_t)__gas_data_start &
		      ~(uintptr_t)(PAGE_SIZE - 1)) &&
	       va < (uintptr_t)__gas_bss_end;
}

static struct fent **fslot(struct fent **tab, uint64_t page)
{
	struct fent **p = &tab[(page * 0x9e3779b97f4a7c15ull) >> 52];
	while (*p && (*p)->page != page)
		p = &(*p)->next;
	return p;
}

static struct fent *fget(struct fent **tab, uint64_t page, bool create)
{
	struct fent **p = fslot(tab, page);
	if (*p || !create)
		return *p;
	uint64_t pa = frame_alloc(0);
	struct fent *e = kmalloc(sizeof(*e));
	if (!pa || !e) {
		if (pa)
			frame_free(pa, 0);
		kfree(e);
		return NULL;
	}
	e->page = page;
	e->pa = pa;
	e->granted_at = 0;
	e->next = NULL;
	*p = e;
	return e;
}

static void fdrop(struct fent **tab, uint64_t page)
{
	struct fent **p = fslot(tab, page);
	struct fent *e = *p;
	if (e) {
		*p = e->next;
		frame_free(e->pa, 0);
		kfree(e);
	}
}

/* The image's initial bytes of a page: static data, or zeros. */
static void pristine_bytes(uint64_t page, uint8_t *dst)
{
	uintptr_t va = page << PAGE_SHIFT;
	uintptr_t ds = (uintptr_t)__gas_data_start,
		  de = (uintptr_t)__gas_data_end;
	memset(dst, 0, PAGE_SIZE);
	if (va + PAGE_SIZE <= ds || va >= de)
		return;
	uintptr_t from = va < ds ? ds : va;
	uintptr_t to = va + PAGE_SIZE < de ? va + PAGE_SIZE : de;
	memcpy(dst + (from - va),
	       phys_to_virt((uint64_t)(uintptr_t)__gas_data_lma + (from - ds)),
	       to - from);
}

/* ---- engine callbacks (dsm_lock held) ----------------------------------- */

static void op_send(void *ctx, int dst, const struct dsm_msg *m)
{
	(void)ctx;
	struct dsm_wire_hdr h;
	dsm_wire_encode(m, &h);
	struct cnet_iov parts[2] = {{&h, sizeof(h)}, {m->data, DSM_PAGE}};
	/* Fails only after the outbox's reserve and its bounded wait, counted
	 * and reported there (the peer's fault then ends by node death). */
	(void)cnet_outbox_put(&outbox, dst, CNET_SVC_DSM, parts,
			      m->data ? 2 : 1);
}

static void op_map(void *ctx, uint64_t page, enum dsm_access a,
		   const uint8_t *data, bool pristine)
{
	(void)ctx;
	uintptr_t va = page << PAGE_SHIFT;
	if (a == DSM_NONE) {
		vm_unmap_page(va, NULL); /* shoots the TLBs down */
		fdrop(frames, page);
		return;
	}
	struct fent *e = fget(frames, page, false);
	/* an upgrade (no data, not pristine) keeps the frame this node has:
	 * mapping a fresh one would show the thread stale bytes */
	assert(e || data || pristine);
	if (!e)
		e = fget(frames, page, true);
	if (!e)
		panic("dsm: out of memory for page 0x%lx", va);
	if (pristine)
		pristine_bytes(page, phys_to_virt(e->pa));
	else if (data)
		memcpy(phys_to_virt(e->pa), data, DSM_PAGE);
	e->granted_at = clock_ns();
	unsigned prot = VM_READ | (a == DSM_RW ? VM_WRITE : 0);
	if (vm_protect_page(va, prot) == -ENOENT)
		vm_map_page(va, e->pa, prot);
}

static void op_read_local(void *ctx, uint64_t page, uint8_t *buf)
{
	(void)ctx;
	struct fent *e = fget(frames, page, false);
	/* the engine reads only pages this node maps: zeros would go out as
	 * the page's current bytes */
	assert(e);
	memcpy(buf, phys_to_virt(e->pa), DSM_PAGE);
}

static void op_home_read(void *ctx, uint64_t page, uint8_t *buf)
{
	(void)ctx;
	struct fent *e = fget(homes, page, false);
	if (e)
		memcpy(buf, phys_to_virt(e->pa), DSM_PAGE);
	else
		pristine_bytes(page, buf);
}

static void op_home_write(void *ctx, uint64_t page, const uint8_t *buf)
{
	(void)ctx;
	struct fent *e = fget(homes, page, true);
	if (!e)
		panic("dsm: out of memory for a home copy");
	memcpy(phys_to_virt(e->pa), buf, DSM_PAGE);
}

static void op_complete(void *ctx, uint64_t page)
{
	(void)ctx, (void)page;
	cond_broadcast(&dsm_cv);
}

/* In the dynamic part of the GAS (heaps and stacks, one span per node)? */
static bool dyn_va(uintptr_t va)
{
	return va >= GAS_DYN_BASE && va - GAS_DYN_BASE < GAS_DYN_SIZE;
}

static int op_home(void *ctx, uint64_t page)
{
	(void)ctx;
	uintptr_t va = page << PAGE_SHIFT;
	int n = cnet_nodes();
	if (dyn_va(va)) {
		int k = (int)((va - GAS_DYN_BASE) / GAS_NODE_SPAN);
		return k < n ? k : 0;
	}
	if (home_mode == DSM_HOME_FIRST_TOUCH)
		return dsm_home_cached(page); /* learnt before the fault */
	return home_mode == DSM_HOME_INTERLEAVE ? (int)(page % (uint64_t)n) : 0;
}

/* Static data is read everywhere: any node maps a never-written page
 * from its own image. Heaps and stacks (the dynamic part) start as zeros
 * that nobody shares: their home tracks every copy, so the first write to
 * a new thread's stack or a fresh heap block invalidates nobody. */
static bool op_pristine_shared(void *ctx, uint64_t page)
{
	(void)ctx;
	return !dyn_va(page << PAGE_SHIFT);
}

static void *op_alloc(void *ctx, size_t n)
{
	(void)ctx;
	return kmalloc(n);
}

static void op_free(void *ctx, void *p)
{
	(void)ctx;
	kfree(p);
}

static uint64_t op_now(void *ctx)
{
	(void)ctx;
	return clock_ns();
}

/* dsm.check: the report goes into the same queue as the protocol
 * messages, so it leaves before the ones this transition sends next. */
static void op_changed(void *ctx, uint64_t page, enum dsm_access a,
		       uint32_t version)
{
	if (!check_mode)
		return;
	struct dsm_msg m = {DSM_CHECK_REPORT, (uint8_t)a, (uint16_t)eng.self,
			    version,	      page,	  NULL};
	op_send(ctx, op_home(ctx, page), &m);
}

static const struct dsm_ops ops = {
    .send = op_send,
    .map = op_map,
    .read_local = op_read_local,
    .home_read = op_home_read,
    .home_write = op_home_write,
    .complete = op_complete,
    .home = op_home,
    .pristine_shared = op_pristine_shared,
    .alloc = op_alloc,
    .free = op_free,
    .now = op_now,
    .changed = op_changed,
};

/*
 * Messages this node sends itself (a fault on a page homed here, and the
 * home's answer) are handed to the engine at once, under dsm_lock, in the
 * order queued: no transport, no hand-off to the service thread, so a
 * first touch of a page homed here (a new thread's stack) costs no
 * context switch. Messages for other nodes keep their queue order.
 * Invalidations and recalls take the service thread's path even to this
 * node: it keeps a just-granted page long enough (HOLD_NS) for the thread
 * that faulted on it to use it. They cannot be overtaken for their page:
 * the home sends this node nothing more for a page until it has the
 * answer. In check mode everything takes that path, so each report still
 * reaches the checker before the message queued after it.
 */
static bool local_delivery(const struct cnet_outmsg *o, void *ctx)
{
	(void)ctx;
	uint8_t type = o->data[0]; /* struct dsm_wire_hdr's first byte */
	return o->dst == eng.self && !check_mode && type != DSM_INV &&
	       type != DSM_RECALL;
}

static void receive_local(const struct cnet_outmsg *o, void *ctx)
{
	(void)ctx;
	struct dsm_msg m;
	if (dsm_wire_decode(eng.self, o->data, o->len, &m) < 0 ||
	    proto->receive(&eng, &m) < 0)
		eng.stats.bad_msgs++; /* our own: a bug, counted as such */
}

/* Drops dsm_lock and sends what was queued, after handing the engine the
 * messages this node sends itself (the outbox is ordered: a peer gets
 * this node's messages in the order they were queued, even when two
 * threads of this node flush one after the other; in check mode a home
 * so sees each report before the protocol message queued after it). */
static void unlock_and_flush(void)
{
	cnet_outbox_extract(&outbox, local_delivery, receive_local, NULL);
	cnet_outbox_unlock_and_send(&outbox, &dsm_lock);
}

/* Whether read-ahead from `page` may go on to `next`: within the static
 * data, or within one node's heap (not the stacks: other threads write
 * there all the time, and a copy of theirs would cost them an
 * invalidation). */
static bool ra_region(uint64_t page, uint64_t next)
{
	if (dsm_is_static_page(page))
		return dsm_is_static_page(next);
	uintptr_t va = page << PAGE_SHIFT, vn = next << PAGE_SHIFT;
	if (!dyn_va(va))
		return false;
	uintptr_t heap =
	    va - (va - GAS_DYN_BASE) % GAS_NODE_SPAN + GAS_HEAP_OFF;
	return va >= heap && vn < heap + GAS_HEAP_SIZE;
}

/* A read fault of thread t on `page` had to ask: if its faults walk
 * forward, the next pages' copies are asked for too (dsm_lock held). */
static void read_ahead(struct thread *t, uint64_t page)
{
	uint64_t next;
	if (!proto->prefetch)
		return;
	uint32_t n =
	    dsm_ra_fault(&cluster_thread(t)->dsm_ra, page, ra_max, &next);
	uint32_t k = 0;
	while (k < n && k < DSM_AHEAD_RUN && ra_region(page, next + k))
		k++;
	if (k) /* one request per run of one home: usually one message */
		proto->prefetch(&eng, next, k);
}

bool dsm_handle_fault(uintptr_t addr, bool write)
{
	uint64_t page = addr >> PAGE_SHIFT;
	bool waited = false, stalled = false;
	if (home_mode == DSM_HOME_FIRST_TOUCH && dsm_is_static_page(page) &&
	    dsm_home_cached(page) < 0) {
		int h = dsm_home_resolve(page); /* the engine needs it known */
		if (h < 0) {
			pr_err("dsm", "no home for the page at 0x%lx: %d", addr,
			       h);
			return false;
		}
	}
	struct thread *self = thread_current();
	__atomic_store_n(&cluster_thread(self)->in_dsm_fault, true,
			 __ATOMIC_RELAXED);
	mutex_lock(&dsm_lock);
	for (;;) {
		int rc = proto->fault(&eng, page, write);
		if (rc < 0) {
			mutex_unlock(&dsm_lock);
			__atomic_store_n(&cluster_thread(self)->in_dsm_fault,
					 false, __ATOMIC_RELAXED);
			pr_err("dsm", "fault at 0x%lx: %d", addr, rc);
			return false;
		}
		if (rc == DSM_FAULT_DONE)
			break;
		if (!waited && !write)
			read_ahead(self, page);
		waited = true;
		if (cnet_outbox_pending(&outbox)) {
			unlock_and_flush();
			mutex_lock(&dsm_lock);
			continue; /* the answer may already have come */
		}
		/* the transport retransmits and a dead home ends the
		 * program; a fault that still waits this long is a protocol
		 * stall, said on the console (once per fault) */
		if (cond_wait(&dsm_cv, &dsm_lock, DSM_STALL_NS) == -ETIMEDOUT &&
		    !stalled) {
			stalled = true;
			pr_warn("dsm",
				"a %s fault on the page at 0x%lx has waited "
				"%u s for its home, node %d",
				write ? "write" : "read", addr,
				(unsigned)(DSM_STALL_NS / NSEC_PER_SEC),
				op_home(NULL, page));
		}
	}
	unlock_and_flush();
	__atomic_store_n(&cluster_thread(self)->in_dsm_fault, false,
			 __ATOMIC_RELAXED);
	if (waited) { /* the locality probe: where this thread's pages live */
		uint16_t *c =
		    &cluster_thread(self)
			 ->dsm_src[op_home(NULL, page) % CNET_MAX_NODES];
		if (*c < UINT16_MAX)
			++*c;
	}
	return true;
}

/* dsm.check found the invariant broken: the report goes to this console
 * and the origin's, the other nodes are stopped, and this one panics. */
static void check_failed(const char *report) __attribute__((noreturn));
static void check_failed(const char *report)
{
	kputs_raw(report, strlen(report));
	kputs_raw("\n", 1);
	if (cnet_self() != 0) {
		cnet_console(report, strlen(report));
		cnet_console("\n", 1);
	}
	cnet_stop_others(EXIT_STATUS_PANIC);
	panic("dsm.check: single writer / many readers broken (report above)");
}

/* A report for the checker (dsm_lock held). */
static void check_report(const struct dsm_msg *m, int from)
{
	static char rep[1024]; /* (dsm_lock) */
	if (!check_mode || m->data || op_home(NULL, m->page) != eng.self) {
		eng.stats.bad_msgs++;
		return;
	}
	int rc = dsm_check_apply(&checker, from, m->page, m->flags, m->version,
				 rep, sizeof(rep));
	if (rc == DSM_CHECK_VIOLATION)
		check_failed(rep);
	if (rc < 0)
		eng.stats.bad_msgs++;
}

static void dsm_handler(int from, const void *msg, size_t len, void *ctx)
{
	(void)ctx;
	struct dsm_msg m;
	if (dsm_wire_decode(from, msg, len, &m) < 0) {
		dsm_count_bad();
		return;
	}
	mutex_lock(&dsm_lock);
	if (m.type == DSM_CHECK_REPORT) {
		check_report(&m, from);
		mutex_unlock(&dsm_lock);
		return;
	}
	if (m.type == DSM_INV || m.type == DSM_RECALL) {
		/* a page just granted here stays long enough for the thread
		 * that faulted on it to make its access (no ping-pong) */
		struct fent *e = fget(frames, m.page, false);
		uint64_t now = clock_ns();
		if (e && now - e->granted_at < HOLD_NS) {
			mutex_unlock(&dsm_lock);
			thread_sleep_ns(HOLD_NS - (now - e->granted_at));
			mutex_lock(&dsm_lock);
		}
	}
	proto->receive(&eng, &m);
	unlock_and_flush();
}

void dsm_count_bad(void)
{
	mutex_lock(&dsm_lock);
	eng.stats.bad_msgs++;
	mutex_unlock(&dsm_lock);
}

uint64_t dsm_fault_count(void)
{
	if (!active)
		return 0;
	/* racy but whole: aligned 64-bit loads; no lock, so callers may hold
	 * the transport's (the heartbeat's load probe) */
	return __atomic_load_n(&eng.stats.read_faults, __ATOMIC_RELAXED) +
	       __atomic_load_n(&eng.stats.write_faults, __ATOMIC_RELAXED);
}

void dsm_get_stats(struct dsm_stats *s)
{
	mutex_lock(&dsm_lock);
	*s = eng.stats;
	mutex_unlock(&dsm_lock);
}

size_t dsm_proc_text(char *buf, size_t len)
{
	struct dsm_stats st;
	memset(&st, 0, sizeof(st));
	if (active)
		dsm_get_stats(&st);
	int n = ksnprintf(buf, len, "node %d\nnodes %d\nactive %d\ncheck %d\n",
			  cnet_self(), cnet_nodes(), active, check_mode);
	size_t h = (size_t)n;
	return h + dsm_stats_text(&st, h < len ? buf + h : NULL,
				  h < len ? len - h : 0);
}

size_t dsm_report_text(char *buf, size_t len)
{
	if (!active) {
		if (len)
			buf[0] = 0;
		return 0;
	}
	struct dsm_stats s = eng.stats; /* racy read at exit is fine */
	char rd[256], wr[256];
	dsm_lat_summary(s.read_lat, rd, sizeof(rd));
	dsm_lat_summary(s.write_lat, wr, sizeof(wr));
	int self = cnet_self();
	size_t n = (size_t)ksnprintf(
	    buf, len,
	    "dsm: node %d: read faults %lu, write faults %lu, local hits %lu, "
	    "pages in %lu out %lu, invalidations sent %lu received %lu, "
	    "recalls sent %lu received %lu, messages %lu/%lu, %lu KiB sent, "
	    "bad %lu, read-ahead %lu in %lu request(s) (%lu waited for, %lu "
	    "declined)\n"
	    "dsm: node %d: fault latency in us, read: %s; write: %s\n",
	    self, s.read_faults, s.write_faults, s.local_hits, s.pages_in,
	    s.pages_out, s.inv_sent, s.inv_recv, s.recalls_sent, s.recalls_recv,
	    s.msgs_sent, s.msgs_recv, s.bytes_sent >> 10, s.bad_msgs,
	    s.prefetches, s.prefetch_runs, s.prefetch_waits,
	    s.prefetch_declined, self, rd, wr);
	if (check_mode)
		kappendf(buf, len, &n,
			 "dsm: node %d: dsm.check: %lu report(s) "
			 "checked here, %lu violation(s)\n",
			 self, checker.reports, checker.violations);
	return n;
}

static int dsm_start(void)
{
	if (cnet_nodes() <= 1)
		return 0; /* one node: first-touch mapping (mm/gas.c) is all */
	mutex_init(&dsm_lock);
	cond_init(&dsm_cv);
	home_mode = (enum dsm_home_mode)config_enum("dsm.home");
	ra_max = (uint32_t)config_uint("dsm.readahead");
	check_mode = config_bool("dsm.check");
	proto = dsm_protocol_find(config_str("dsm.protocol"));
	if (!proto) /* the key table admits only protocols that exist */
		panic("dsm: no protocol '%s'", config_str("dsm.protocol"));
	int rc = cnet_outbox_init(&outbox, "dsm", DSM_WIRE_MAX,
				  DSM_OUTBOX_RESERVE, true);
	if (rc)
		return rc;
	proto->init(&eng, cnet_self(), cnet_nodes(), &ops, NULL);
	dsm_check_init(&checker, cnet_nodes(), op_alloc, op_free, NULL);
	rc = cnet_register(CNET_SVC_DSM, dsm_handler, NULL);
	if (!rc && home_mode == DSM_HOME_FIRST_TOUCH)
		rc = dsm_home_start();
	if (rc)
		return rc;
	active = true;
	static const struct gas_coherence_ops gas_ops = {
	    .fault = dsm_handle_fault,
	};
	gas_set_coherence(&gas_ops);
	if (check_mode && eng.self == 1 &&
	    config_bool("test.dsm_check_forge")) {
		/* a lie, for the test of the checker's stop */
		mutex_lock(&dsm_lock);
		op_changed(NULL, (uintptr_t)__gas_data_start >> PAGE_SHIFT,
			   DSM_RW, 1);
		unlock_and_flush();
	}
	pr_info("dsm",
		"node %d of %d: the global address space is shared "
		"(static data homes %s)%s",
		cnet_self(), cnet_nodes(), dsm_home_mode_text[home_mode],
		check_mode ? "; dsm.check verifies single writer / many readers"
			   : "");
	return 0;
}
INITCALL(INIT_CLUSTER, dsm_start);
