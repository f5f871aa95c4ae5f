/*
 * kernel/ksys.c — the kernel side of kernel/ksys.h.
 */
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/trap.h"
#include "boot/boot_info.h"
#include "kernel/config.h"
#include "kernel/console_in.h"
#include "kernel/errno.h"
#include "kernel/exit_note.h"
#include "kernel/futex.h"
#include "kernel/kstring.h"
#include "kernel/ksys.h"
#include "kernel/log.h"
#include "kernel/migrate_point.h"
#include "kernel/panic.h"
#include "kernel/smp.h"
#include "kernel/thread.h"
#include "mm/frame.h"
#include "mm/gas.h"
#include "mm/kmalloc.h"

long arch_kcall(long (*fn)(void *), void *arg);
void arch_enter_app(uintptr_t stack_top, void (*fn)(void *), void *arg)
    __attribute__((noreturn));

extern char __tdata_start[], __tdata_end[], __tls_mem_size[], __tls_align[];

static int (*app_run)(void); /* (c) set by posix/ at init */
/* (c) The layers above, as one table (kernel/ksys.h), NULL until they
 * registered it; `several` is the same table when this node is one of
 * several, NULL when it runs alone (its (n) members are NULL then). */
static const struct ksys_cluster_ops *cl;
static const struct ksys_cluster_ops *several;

void ksys_set_cluster(const struct ksys_cluster_ops *ops)
{
	assert(!cl && ops->set_policy && ops->dsm_text && ops->csync.active);
	cl = ops;
	several = ops->self ? ops : NULL;
}
int ksys_node(void)
{
	return several ? several->self() : 0;
}
int ksys_cluster_nodes(void)
{
	return several ? several->nodes() : 1;
}
static const void *initrd_data; /* (c) */
static size_t initrd_len;	/* (c) */

void ksys_set_app(int (*run)(void))
{
	app_run = run;
}

static bool app_started; /* (a) */

int ksys_run_app(void)
{
	__atomic_store_n(&app_started, true, __ATOMIC_RELEASE);
	return app_run ? app_run() : -ENOENT;
}

bool ksys_app_running(void)
{
	return __atomic_load_n(&app_started, __ATOMIC_ACQUIRE);
}

void ksys_set_initrd(const void *data, size_t len);
void ksys_set_initrd(const void *data, size_t len)
{
	initrd_data = data;
	initrd_len = len;
}

bool ksys_initrd(const void **data, size_t *len)
{
	*data = initrd_data;
	*len = initrd_len;
	return initrd_data != NULL;
}

/* ---- threads ------------------------------------------------------------ */

struct spawn {
	void (*entry)(void *);
	void *arg;
	uintptr_t stack_top, fs_base;
	uint64_t affinity;
	int rc;
	uint32_t len;		       /* bytes of data; 0: entry gets arg */
	uint8_t data[KSYS_SPAWN_DATA]; /* copied to the top of the stack */
};

static void *app_thread(void *p)
{
	struct spawn s = *(struct spawn *)p; /* the caller's copy goes away */
	kfree(p);
	struct thread *t = thread_current();
	t->app_cpu = true; /* the program's time from its first instruction */
	t->fs_base = s.fs_base;
	wrmsr(MSR_FS_BASE, s.fs_base);
	if (s.len) {
		/* The start record goes where the new thread's first frame
		 * would be: a page of its own stack, homed where it runs, that
		 * nobody else has touched (this thread may fault on it here). */
		s.stack_top = (s.stack_top - s.len) & ~(uintptr_t)15;
		memcpy((void *)s.stack_top, s.data, s.len);
		s.arg = (void *)s.stack_top;
	}
	arch_enter_app(s.stack_top, s.entry, s.arg);
}

bool ksys_is_app_thread(const struct thread *t)
{
	/* spawned but not yet named (do_set_thread_ptr sets posix and
	 * app_tid; the exit publish clears app_tid only) */
	return t->app_tid ||
	       (t->fn == app_thread && !t->posix && t->state != THREAD_EXITED);
}

static long do_spawn(void *p)
{
	struct spawn *s = p, *copy = kmalloc(sizeof(*s));
	if (!copy)
		return -EAGAIN;
	*copy = *s;
	struct thread *t =
	    thread_create_on("app", app_thread, copy, PRIO_DEFAULT,
			     s->affinity ? s->affinity : CPUMASK_ALL);
	if (!t) {
		kfree(copy);
		return -EAGAIN;
	}
	thread_detach(t);
	return 0;
}

int ksys_thread_spawn(void (*entry)(void *), void *arg, uintptr_t stack_top,
		      uintptr_t fs_base, uint64_t affinity)
{
	struct spawn s = {entry, arg, stack_top, fs_base, affinity, 0, 0, {0}};
	return (int)arch_kcall(do_spawn, &s);
}

int ksys_spawn_local(uint64_t entry, uint64_t stack_top, uint64_t fs_base,
		     const void *data, size_t len)
{
	if (len > KSYS_SPAWN_DATA)
		return -EINVAL;
	struct spawn s = {
	    (void (*)(void *))entry, NULL, stack_top, fs_base, 0, 0,
	    (uint32_t)len,	     {0}};
	memcpy(s.data, data, len);
	return (int)do_spawn(&s); /* called on a kernel stack already */
}

int ksys_thread_place(void)
{
	return several ? several->place() : 0;
}

struct spawn_on {
	int node;
	struct spawn s;
};

static long do_spawn_on(void *p)
{
	struct spawn_on *a = p;
	if (!several || a->node == several->self())
		return do_spawn(&a->s);
	return several->spawn(a->node, (uint64_t)a->s.entry, a->s.stack_top,
			      a->s.fs_base, a->s.data, a->s.len);
}

int ksys_thread_spawn_on(int node, void (*entry)(void *), const void *data,
			 size_t len, uintptr_t stack_top, uintptr_t fs_base)
{
	if (!len || len > KSYS_SPAWN_DATA)
		return -EINVAL;
	struct spawn_on a = {
	    node, {entry, NULL, stack_top, fs_base, 0, 0, (uint32_t)len, {0}}};
	memcpy(a.s.data, data, len); /* read here, on the caller's node */
	return (int)arch_kcall(do_spawn_on, &a);
}

static long do_exit_thread(void *p)
{
	(void)p;
	thread_exit(NULL);
}

void ksys_thread_exit(void)
{
	arch_kcall(do_exit_thread, NULL);
	__builtin_unreachable();
}

struct publish {
	uint32_t *word;
	uint32_t value;
	int note_node;
	uint64_t serial, result;
};

static long do_exit_publish(void *p)
{
	struct publish a = *(struct publish *)p; /* p is on the app stack */
	struct thread *t = thread_current();
	if (several && t->app_tid)
		several->thread_event(t->app_tid, false);
	t->app_tid = 0; /* no longer a thread of the program: not movable */
	/* Off the application stack now. The word first: the note lets its
	 * joiner free the word's page (and a new thread reuse it), after
	 * which no store of ours may land there. A note that cannot be left
	 * is no loss: the joiner also reads the word (slower). */
	__atomic_store_n(a.word, a.value, __ATOMIC_RELEASE);
	if (a.note_node >= 0) {
		if (!several || a.note_node == several->self())
			exit_note_post((uintptr_t)a.word, a.serial, a.result);
		else
			several->exit_note(a.note_node, (uintptr_t)a.word,
					   a.serial, a.result);
	}
	futex_wake(a.word, 0x7fffffff); /* the address is only a key */
	thread_exit(NULL);
}

void ksys_thread_exit_publish(uint32_t *word, uint32_t value, int note_node,
			      uint64_t serial, uint64_t result)
{
	struct publish a = {word, value, note_node, serial, result};
	arch_kcall(do_exit_publish, &a);
	__builtin_unreachable();
}

struct note_wait {
	uintptr_t word;
	uint64_t serial, *result, timeout;
};

static long do_exit_note_wait(void *p)
{
	struct note_wait a = *(struct note_wait *)p;
	uint64_t r;
	int rc = a.timeout == KSYS_NOTE_POLL
		     ? (exit_note_take(a.word, a.serial, &r) ? 0 : -EAGAIN)
		     : exit_note_wait(a.word, a.serial, &r, a.timeout);
	uint32_t waiting;
	uint64_t lost;
	exit_note_counts(&waiting, &lost);
	if (rc == -EAGAIN && lost)
		rc = -ESTALE; /* notes were dropped: the word must tell */
	if (!rc)
		*a.result = r;
	return rc;
}

int ksys_exit_note_wait(const uint32_t *word, uint64_t serial, uint64_t *result,
			uint64_t timeout_ns)
{
	struct note_wait a = {(uintptr_t)word, serial, result, timeout_ns};
	return (int)arch_kcall(do_exit_note_wait, &a);
}

struct thread_ptr {
	void *p;
	uint32_t id;
};

static long do_set_thread_ptr(void *p)
{
	struct thread_ptr a = *(struct thread_ptr *)p;
	struct thread *t = thread_current();
	t->posix = a.p;
	t->app_tid = a.id;
	t->app_cpu = true;
	if (several)
		several->thread_event(a.id, true);
	return 0;
}

void ksys_set_thread_ptr(void *p, uint32_t id)
{
	struct thread_ptr a = {p, id};
	arch_kcall(do_set_thread_ptr, &a);
}

static bool has_tid(struct thread *t, void *arg)
{
	return t->app_tid && t->app_tid == *(uint32_t *)arg;
}

struct migrate_args {
	uint32_t tid;
	int node;
};

static long do_migrate(void *p)
{
	struct migrate_args *a = p;
	if (several)
		return several->migrate(a->tid, a->node);
	return a->node != 0			   ? -EINVAL
	       : thread_for_each(has_tid, &a->tid) ? 0
						   : -ESRCH;
}

struct aff_args {
	uint32_t tid;
	const uint64_t *set;
	struct thread *self; /* found: the caller itself */
};

static bool aff_one(struct thread *t, void *arg)
{
	struct aff_args *a = arg;
	if (!has_tid(t, &a->tid))
		return false;
	if (t == thread_current())
		a->self = t;
	else
		thread_set_affinity(t, a->set[0]);
	return true;
}

static long do_set_affinity(void *p)
{
	struct aff_args *a = p;
	int total = ksys_ncpus();
	bool any = false;
	for (int w = 0; w < KSYS_CPUSET_WORDS; w++)
		for (int b = 0; b < 64; b++)
			if (a->set[w] & (1ull << b)) {
				if (w * 64 + b >= total)
					return -EINVAL;
				any = true;
			}
	if (!any)
		return -EINVAL;
	if (several)
		return several->set_affinity(a->tid, a->set);
	if (!thread_for_each(aff_one, a))
		return -ESRCH;
	if (a->self) /* outside the thread list's lock: it may switch CPU */
		thread_set_affinity(a->self, a->set[0]);
	return 0;
}

int ksys_set_affinity(uint32_t tid, const uint64_t set[KSYS_CPUSET_WORDS])
{
	struct aff_args a = {tid, set, NULL};
	int rc = (int)arch_kcall(do_set_affinity, &a);
	ksys_migrate_point(); /* the caller may have moved itself */
	return rc;
}

static long do_set_policy(void *p)
{
	const char *name = p;
	char copy[64]; /* the name is in the GAS: read it once */
	if (kstrlcpy(copy, name, sizeof(copy)) >= sizeof(copy))
		return -EINVAL;
	return cl ? cl->set_policy(copy) : -ENOSYS;
}

int ksys_set_policy(const char *name)
{
	return (int)arch_kcall(do_set_policy, (void *)name);
}

/* kernel/ksys_signal.c: a kick for a thread that is not on this node
 * (kernel context). */
int ksys_cluster_signal_kick(uint32_t tid, uint64_t entry);
int ksys_cluster_signal_kick(uint32_t tid, uint64_t entry)
{
	return cl && cl->signal_kick ? cl->signal_kick(tid, entry) : -ESRCH;
}

int ksys_migrate(uint32_t tid, int node)
{
	struct migrate_args a = {tid, node};
	int rc = (int)arch_kcall(do_migrate, &a);
	ksys_migrate_point(); /* the caller may have moved itself */
	return rc;
}

/* ---- waiting ------------------------------------------------------------- */

struct futex_args {
	uint32_t *addr;
	uint32_t val;
	uint64_t timeout;
	int n;
};

static long do_futex_wait(void *p)
{
	struct futex_args *a = p;
	return futex_wait(a->addr, a->val, a->timeout);
}

int ksys_futex_wait(uint32_t *addr, uint32_t expected, uint64_t timeout_ns)
{
	struct futex_args a = {addr, expected, timeout_ns, 0};
	int rc = (int)arch_kcall(do_futex_wait, &a);
	ksys_migrate_point();
	return rc;
}

static long do_futex_wake(void *p)
{
	struct futex_args *a = p;
	return futex_wake(a->addr, a->n);
}

int ksys_futex_wake(uint32_t *addr, int n)
{
	struct futex_args a = {addr, 0, 0, n};
	return (int)arch_kcall(do_futex_wake, &a);
}

static long do_sleep(void *p)
{
	thread_sleep_ns(*(uint64_t *)p);
	return 0;
}

void ksys_sleep_ns(uint64_t ns)
{
	arch_kcall(do_sleep, &ns);
	ksys_migrate_point();
}

static long do_yield(void *p)
{
	(void)p;
	thread_yield();
	return 0;
}

void ksys_yield(void)
{
	arch_kcall(do_yield, NULL);
	ksys_migrate_point();
}

/* ---- time ---------------------------------------------------------------- */

uint64_t ksys_clock_ns(void)
{
	return clock_cluster_ns();
}
uint64_t ksys_realtime_ns(void)
{
	return clock_cluster_realtime_ns();
}

uint64_t ksys_thread_cpu_ns(void)
{
	unsigned long f = arch_irq_save();
	struct thread *t = thread_current();
	uint64_t ns = t->cpu_ns + (clock_ns() - t->run_start);
	arch_irq_restore(f);
	return ns;
}

static long do_process_cpu(void *p)
{
	(void)p;
	return (long)sched_app_ns(); /* takes the run-queue locks */
}

uint64_t ksys_process_cpu_ns(void)
{
	return (uint64_t)arch_kcall(do_process_cpu, NULL);
}

/* ---- console, exit, CPUs ------------------------------------------------- */

struct write_args {
	const char *s;
	size_t n;
};

static long do_console_write(void *p)
{
	struct write_args *a = p;
	/* copy out of the global address space before taking the console
	 * lock: reading it may fault (and sleep) on another node's page */
	char buf[256];
	for (size_t off = 0; off < a->n;) {
		size_t n = a->n - off < sizeof(buf) ? a->n - off : sizeof(buf);
		memcpy(buf, a->s + off, n);
		if (several && several->self() != 0)
			several->console(buf, n);
		else
			kputs_raw(buf, n);
		off += n;
	}
	return 0;
}

void ksys_console_write(const char *s, size_t n)
{
	struct write_args a = {s, n};
	arch_kcall(do_console_write, &a);
}

struct read_args {
	void *buf;
	size_t len;
	bool nonblock;
};

static long do_console_read(void *p)
{
	struct read_args *a = p;
	size_t len = a->len < KSYS_CONSOLE_CHUNK ? a->len : KSYS_CONSOLE_CHUNK;
	/* into kernel memory, then out to the global address space with no
	 * lock held (writing it may fault on another node's page) */
	char *chunk = kmalloc(len ? len : 1);
	if (!chunk)
		return -ENOMEM;
	int64_t n = several && several->self() != 0
			? several->console_read(chunk, len, a->nonblock)
			: console_in_read(chunk, len, a->nonblock);
	if (n > 0)
		memcpy(a->buf, chunk, (size_t)n);
	kfree(chunk);
	return (long)n;
}

int64_t ksys_console_read(void *buf, size_t len, bool nonblock)
{
	struct read_args a = {buf, len, nonblock};
	return arch_kcall(do_console_read, &a);
}

static long do_console_poll(void *p)
{
	(void)p;
	if (several && several->self() != 0)
		return several->console_poll();
	return console_in_ready();
}

int ksys_console_poll(void)
{
	return (int)arch_kcall(do_console_poll, NULL);
}

static long do_exit(void *p)
{
	int status = *(int *)p;
	kprintf("unum: program exited with status %d\n", status);
	if (several && several->nodes() > 1)
		several->exit_all(status);
	power_off(status & 0x7f);
}

bool ksys_exit_report_on(void)
{
	return several && config_bool("dsm.stats");
}

void ksys_exit(int status)
{
	arch_kcall(do_exit, &status);
	__builtin_unreachable();
}

int ksys_ncpus(void)
{
	return several ? several->total_cpus() : nr_cpus;
}
int ksys_cpu_id(void)
{
	return this_cpu()->id;
}

struct mem_pages {
	uint64_t total, free;
};

static long do_mem_pages(void *p)
{
	struct mem_pages *m = p;
	m->total = frame_total_count();
	m->free = frame_free_count(); /* takes the frame lock */
	return 0;
}

void ksys_mem_pages(uint64_t *total, uint64_t *free)
{
	struct mem_pages m;
	arch_kcall(do_mem_pages, &m);
	*total = m.total;
	*free = m.free;
}

/* ---- memory -------------------------------------------------------------- */

void ksys_heap_region(int node, uintptr_t *base, size_t *size)
{
	if (node < 0 || (uint64_t)node >= GAS_DYN_SIZE / GAS_NODE_SPAN) {
		*base = *size = 0;
		return;
	}
	*base = GAS_DYN_BASE + (uint64_t)node * GAS_NODE_SPAN + GAS_HEAP_OFF;
	*size = GAS_HEAP_SIZE;
}

/* Node k's stacks are in node k's span: their home is where they run. */
void ksys_stack_region_of(int node, uintptr_t *base, size_t *size)
{
	*base = GAS_DYN_BASE + (uint64_t)node * GAS_NODE_SPAN + GAS_STACKS_OFF;
	*size = GAS_STACKS_SIZE;
}

struct guard_args {
	uintptr_t va;
	size_t len;
};

static long do_guard_add(void *p)
{
	struct guard_args *a = p;
	return gas_guard_add(a->va, a->len);
}

int ksys_guard_add(uintptr_t va, size_t len)
{
	struct guard_args a = {va, len};
	return (int)arch_kcall(do_guard_add, &a);
}

static long do_guard_remove(void *p)
{
	gas_guard_remove(((struct guard_args *)p)->va);
	return 0;
}

void ksys_guard_remove(uintptr_t va)
{
	struct guard_args a = {va, 0};
	arch_kcall(do_guard_remove, &a);
}

static long do_release(void *p)
{
	struct guard_args *a = p;
	gas_release(a->va, a->len);
	return 0;
}

void ksys_release(uintptr_t va, size_t len)
{
	struct guard_args a = {va, len};
	arch_kcall(do_release, &a);
}

/* ---- counters ------------------------------------------------------------- */

struct text_args {
	char *buf;
	size_t len;
};

static long do_dsm_text(void *p)
{
	struct text_args *a = p;
	if (!cl) {
		if (a->len)
			a->buf[0] = 0;
		return 0;
	}
	return (long)cl->dsm_text(a->buf, a->len);
}

size_t ksys_dsm_text(char *buf, size_t len)
{
	struct text_args a = {buf, len};
	return (size_t)arch_kcall(do_dsm_text, &a);
}

static long do_cluster_text(void *p)
{
	struct text_args *a = p;
	if (!several)
		return do_dsm_text(p);
	return (long)several->cluster_text(a->buf, a->len);
}

size_t ksys_cluster_text(char *buf, size_t len)
{
	struct text_args a = {buf, len};
	return (size_t)arch_kcall(do_cluster_text, &a);
}

struct echo_args {
	int node;
	size_t len;
};

static long do_echo_ns(void *p)
{
	struct echo_args *a = p;
	return several ? (long)several->echo_ns(a->node, a->len) : -ENOSYS;
}

int64_t ksys_echo_ns(int node, size_t len)
{
	struct echo_args a = {node, len};
	return (int64_t)arch_kcall(do_echo_ns, &a);
}

/* ---- arguments, TLS ------------------------------------------------------ */

size_t ksys_argc(void)
{
	return config_app_argc();
}
const char *ksys_env(void)
{
	return config_str("app.env");
}
const char *ksys_argv(size_t i)
{
	return config_app_argv(i);
}

void ksys_tls_template(const void **data, size_t *data_len, size_t *mem_len,
		       size_t *align)
{
	*data = __tdata_start;
	*data_len = (size_t)(__tdata_end - __tdata_start);
	/* the thread pointer's offset to the data as the linker computed it:
	 * the segment's size (.tbss is aligned after .tdata, so not the sum
	 * of the two) rounded to the segment's alignment */
	size_t seg_align = (size_t)(uintptr_t)__tls_align;
	if (!seg_align)
		seg_align = 1;
	*mem_len = ((size_t)(uintptr_t)__tls_mem_size + seg_align - 1) &
		   ~(seg_align - 1);
	*align = seg_align < 16 ? 16 : seg_align;
}

/* ---- the cluster lock service (cluster/csync.c) ------------------------------ */

bool ksys_csync_active(void)
{
	return cl && cl->csync.active();
}

int ksys_csync_create(int kind, int param, uint32_t value, uint32_t *h)
{
	return cl ? cl->csync.create(kind, param, value, h) : -ENOSYS;
}

int ksys_csync_destroy(uint32_t h)
{
	return cl ? cl->csync.destroy(h) : -ENOSYS;
}

int ksys_csync_mutex_lock(uint32_t h, uint32_t tid, bool try,
			  uint64_t timeout_ns)
{
	return cl ? cl->csync.mutex_lock(h, tid, try, timeout_ns) : -ENOSYS;
}

int ksys_csync_mutex_unlock(uint32_t h, uint32_t tid)
{
	return cl ? cl->csync.mutex_unlock(h, tid) : -ENOSYS;
}

int ksys_csync_cond_wait(uint32_t c, uint32_t m, uint32_t tid,
			 uint64_t timeout_ns, const volatile int *stop)
{
	return cl ? cl->csync.cond_wait(c, m, tid, timeout_ns, stop) : -ENOSYS;
}

int ksys_csync_cond_wake(uint32_t c, bool all)
{
	return cl ? cl->csync.cond_wake(c, all) : -ENOSYS;
}

int ksys_csync_barrier_wait(uint32_t b)
{
	return cl ? cl->csync.barrier_wait(b) : -ENOSYS;
}

int ksys_csync_sem(uint32_t h, int op, uint64_t timeout_ns,
		   const volatile int *stop)
{
	return cl ? cl->csync.sem(h, op, timeout_ns, stop) : -ENOSYS;
}

int ksys_csync_rwlock(uint32_t h, int op, uint32_t tid, uint64_t timeout_ns)
{
	return cl ? cl->csync.rwlock(h, op, tid, timeout_ns) : -ENOSYS;
}

int ksys_csync_stats(uint64_t *out, int n)
{
	return cl ? cl->csync.stats(out, n) : -ENODEV;
}
