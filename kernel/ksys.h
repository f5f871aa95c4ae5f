/*
 * kernel/ksys.h — the calls the POSIX personality (posix/) makes into the
 * kernel: its "system calls". They are plain function calls (ring 0), but
 * those that may block or take kernel locks switch to the thread's kernel
 * stack first (arch_kcall), because application stacks live in the global
 * address space. Only plain C types cross this boundary. Results are 0 or a
 * negative errno (newlib's values) unless stated.
 */
#ifndef KERNEL_KSYS_H
#define KERNEL_KSYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Starts a kernel thread that switches to `stack_top` (an application
 * stack), loads `fs_base` and calls entry(arg); entry must end with
 * ksys_thread_exit. `affinity` is a CPU mask (0 = any). The kernel thread
 * is detached: joins are the POSIX layer's business. */
int ksys_thread_spawn(void (*entry)(void *), void *arg, uintptr_t stack_top,
		      uintptr_t fs_base, uint64_t affinity);
void ksys_thread_exit(void) __attribute__((noreturn));
/* Ends the calling thread after, from its kernel stack, storing `value`
 * into *word and waking every futex waiter on it: once the store is seen,
 * the thread's application stack is no longer in use and may be freed.
 * With note_node >= 0 it first leaves an exit note (kernel/exit_note.h)
 * for `word` and `serial` with `result` on that node: a joiner there
 * learns of the end without reading the word's page. */
void ksys_thread_exit_publish(uint32_t *word, uint32_t value, int note_node,
			      uint64_t serial, uint64_t result)
    __attribute__((noreturn));
/* Waits for the exit note for word and serial on this node and takes it:
 * 0 and *result; -ETIMEDOUT after timeout_ns (0 = no limit); -EINTR when
 * woken without it (a wake-up on the word, a migration): check again.
 * timeout_ns == KSYS_NOTE_POLL: no wait, -EAGAIN when not here, -ESTALE
 * when not here and notes were dropped on this node (too many waiting):
 * the thread's word is the only witness then. */
#define KSYS_NOTE_POLL UINT64_MAX
int ksys_exit_note_wait(const uint32_t *word, uint64_t serial, uint64_t *result,
			uint64_t timeout_ns);
/* The POSIX layer's per-thread pointer and pthread id for the calling
 * thread (the id names it to migration and in node-death reports). */
void ksys_set_thread_ptr(void *p, uint32_t id);

int ksys_futex_wait(uint32_t *addr, uint32_t expected, uint64_t timeout_ns);
int ksys_futex_wake(uint32_t *addr, int n);
void ksys_sleep_ns(uint64_t ns);
void ksys_yield(void);

uint64_t ksys_clock_ns(void);	   /* monotonic since boot */
uint64_t ksys_realtime_ns(void);   /* since the epoch */
uint64_t ksys_thread_cpu_ns(void); /* the calling thread's CPU time */
/* The program's CPU time on this node: every thread of it that ran here
 * (running, ended or moved on), from its first run here; not that of
 * other nodes (a thread that migrated took only its later time there). */
uint64_t ksys_process_cpu_ns(void);

void ksys_console_write(const char *s, size_t n);
/* Reads the program's standard input (kernel/console_in.h; on a node
 * other than the origin, from the origin's): up to len bytes into buf, the
 * count, 0 at the end of input, -EAGAIN (nonblock, nothing yet), or the
 * transport's error (-EHOSTUNREACH: the origin is gone). Blocks otherwise
 * until data or the end. */
int64_t ksys_console_read(void *buf, size_t len, bool nonblock);
/* 1 when ksys_console_read would not block (data or the end of input), 0
 * when it would, or the transport's error. */
int ksys_console_poll(void);
#define KSYS_CONSOLE_CHUNK 4096
/* Ends the program: every node, with this status (test mode: QEMU's). */
void ksys_exit(int status) __attribute__((noreturn));
/* True when the program's end prints the exit report (dsm.stats=1): the
 * POSIX layer adds its allocator's lines before ksys_exit. */
bool ksys_exit_report_on(void);
int ksys_ncpus(void); /* CPUs of the whole system (the cluster later) */
int ksys_cpu_id(void);
/* This node's RAM in 4 KiB pages: all the kernel manages, and free now. */
void ksys_mem_pages(uint64_t *total, uint64_t *free);

/* The heap region of node `node` in the global address space (in its
 * span, so homed there); pages are zero-filled on first touch. Size 0 for
 * a node number the GAS has no span for. */
void ksys_heap_region(int node, uintptr_t *base, size_t *size);
int ksys_guard_add(uintptr_t va, size_t len);
void ksys_guard_remove(uintptr_t va);
void ksys_release(uintptr_t va, size_t len);

/* The application's arguments (boot keys after "--") and the initrd. */
size_t ksys_argc(void);
const char *ksys_argv(size_t i);
/* The program's environment as given by the boot key app.env. */
const char *ksys_env(void);
bool ksys_initrd(const void **data, size_t *len);

/* This node's DSM counters as "key value" lines (/proc/dsm; the keys are
 * in cluster/dsm.h), like snprintf: returns the length the whole text needs. */
size_t ksys_dsm_text(char *buf, size_t len);
/* The same text of every node, one after the other in node order
 * (/proc/cluster); a node that does not answer within 2 s gives the two
 * lines "node N" and "answered 0". On one node: ksys_dsm_text's. */
size_t ksys_cluster_text(char *buf, size_t len);
/* One round trip of the transport's echo (answered in the peer's receive
 * path) with a `len`-byte body each way, to `node`: its time in ns, for
 * benchmarks that put a figure beside the transport's round trip of the
 * same moments. -EINVAL (node is this one or not in the view, len over
 * KSYS_ECHO_MAX), -ENOSYS on one node, -EIO (wrong bytes back), or the
 * transport's error. */
#define KSYS_ECHO_MAX 8192
int64_t ksys_echo_ns(int node, size_t len);

/* The TLS template of the image (PT_TLS): data_len bytes at data, then
 * zeros up to mem_len bytes, which end at the thread pointer (x86_64
 * variant II: mem_len is the segment's size rounded to its alignment,
 * the linker's offset); align is the TCB's and the block's alignment, at
 * least 16. */
void ksys_tls_template(const void **data, size_t *data_len, size_t *mem_len,
		       size_t *align);

/* Which node runs a new thread (placement policy; this node when alone),
 * and that node's part of the stack region. */
int ksys_thread_place(void);
void ksys_stack_region_of(int node, uintptr_t *base, size_t *size);
/* Like ksys_thread_spawn, on `node` (this one included), with a start
 * record instead of an argument: the len (1..KSYS_SPAWN_DATA) bytes at
 * data are copied, with the request, to the top of the new thread's
 * stack, and entry gets their address. The creator writes nothing the new
 * thread's node must fetch. */
#define KSYS_SPAWN_DATA 128
int ksys_thread_spawn_on(int node, void (*entry)(void *), const void *data,
			 size_t len, uintptr_t stack_top, uintptr_t fs_base);
int ksys_node(void);	      /* this node's id; the origin (runs main) is 0 */
int ksys_cluster_nodes(void); /* nodes in the cluster (1 when alone) */
/* Moves thread `tid` (a pthread id) to `node` at its next safe point: 0,
 * -ESRCH, -EINVAL, -EHOSTUNREACH (see sched_migrate). */
int ksys_migrate(uint32_t tid, int node);
/* Sets thread `tid`'s CPU set over the cluster (CPU numbers 0..total-1,
 * node 0's CPUs first; bit c of set[c / 64]): on its node it runs only on
 * the set's CPUs there; if its node has none of them it moves to the
 * first node that has; the balancer moves it only to nodes of the set.
 * 0, -ESRCH (no such thread), -EINVAL (empty, or a CPU beyond the last).
 * Wherever the thread lives. */
#define KSYS_CPUSET_WORDS 4 /* so at most 256 CPUs over the cluster */
int ksys_set_affinity(uint32_t tid, const uint64_t set[KSYS_CPUSET_WORDS]);
/* Switches the global scheduling policy on every node while the program
 * runs: 0 or -EINVAL (no such policy). */
int ksys_set_policy(const char *name);

/* The lock service's side of ksys_csync_* (cluster/csync.c): the same
 * arguments and results; called from the application's thread, as the
 * ksys calls are (they switch to the kernel stack themselves). Every
 * member is required (set on every node, also alone) and is called with
 * no lock held; all but active and stats may sleep. */
struct ksys_csync_ops {
	bool (*active)(void); /* no lock; never sleeps */
	/* no lock; as ksys_csync_create */
	int (*create)(int kind, int param, uint32_t value, uint32_t *h);
	int (*destroy)(uint32_t h); /* no lock; as ksys_csync_destroy */
	/* no lock; may sleep: as ksys_csync_mutex_lock */
	int (*mutex_lock)(uint32_t h, uint32_t tid, bool try,
			  uint64_t timeout_ns);
	/* no lock; as ksys_csync_mutex_unlock */
	int (*mutex_unlock)(uint32_t h, uint32_t tid);
	/* no lock; sleeps: as ksys_csync_cond_wait */
	int (*cond_wait)(uint32_t c, uint32_t m, uint32_t tid,
			 uint64_t timeout_ns, const volatile int *stop);
	int (*cond_wake)(uint32_t c, bool all); /* no lock; as ..._cond_wake */
	/* no lock; sleeps: as ksys_csync_barrier_wait */
	int (*barrier_wait)(uint32_t b);
	/* no lock; may sleep: as ksys_csync_sem */
	int (*sem)(uint32_t h, int op, uint64_t timeout_ns,
		   const volatile int *stop);
	/* no lock; may sleep: as ksys_csync_rwlock */
	int (*rwlock)(uint32_t h, int op, uint32_t tid, uint64_t timeout_ns);
	int (*stats)(uint64_t *out, int n); /* no lock; as ksys_csync_stats */
};

/*
 * Every call of ksys that reaches a layer above the node core (the cluster
 * services, the global scheduler) goes through this one table, registered
 * once at start by sched/remote.c, on every node. The members other than
 * csync's are called in kernel context (on the thread's kernel stack),
 * with no lock held, and may sleep unless said otherwise.
 *
 * Members marked (n) exist only when the node is one of several; on a
 * node alone they are NULL and ksys does the node-local thing (node 0, one
 * node, local spawn, ...). The others are always set.
 */
struct ksys_cluster_ops {
	int (*self)(void);	 /* (n) no lock; this node's id */
	int (*nodes)(void);	 /* (n) no lock; nodes in the view */
	int (*total_cpus)(void); /* (n) no lock; CPUs of every node */
	int (*place)(void);	 /* (n) no lock; the node for a new thread */
	/* (n) no lock; starts a thread on `node` with a start record */
	int (*spawn)(int node, uint64_t entry, uint64_t stack_top,
		     uint64_t fs_base, const void *data, size_t len);
	/* (n) no lock, no sleep; leaves an exit note on `node` */
	void (*exit_note)(int node, uintptr_t word, uint64_t serial,
			  uint64_t result);
	/* (n) no lock; forward to the origin; must not sleep (console path) */
	void (*console)(const char *s, size_t n);
	/* (n) no lock; may sleep; reads the origin's standard input (as
	 * ksys_console_read, into kernel memory, len <= KSYS_CONSOLE_CHUNK) */
	int64_t (*console_read)(void *buf, size_t len, bool nonblock);
	/* (n) no lock; may sleep; as ksys_console_poll, at the origin */
	int (*console_poll)(void);
	/* (n) no lock; ends the program on every node */
	void (*exit_all)(int status) __attribute__((noreturn));
	/* (n) no lock; an application thread started (alive) or ended on
	 * this node */
	void (*thread_event)(uint32_t tid, bool alive);
	int (*migrate)(uint32_t tid, int node); /* (n) no lock; sched_migrate */
	/* (n) no lock; as ksys_set_affinity (set checked) */
	int (*set_affinity)(uint32_t tid, const uint64_t *set);
	/* (n) no lock; asks the other nodes to kick thread tid (the one
	 * that has it calls ksys_signal_kick_local); entry: the trampoline */
	int (*signal_kick)(uint32_t tid, uint64_t entry);
	/* (n) no lock; every node's DSM counters text, in node order */
	size_t (*cluster_text)(char *buf, size_t len);
	/* (n) no lock; as ksys_echo_ns */
	int64_t (*echo_ns)(int node, size_t len);
	/* required; no lock; switch the global policy on every node (the
	 * name is a kernel copy) */
	int (*set_policy)(const char *name);
	/* required; no lock; this node's DSM counters as text (/proc/dsm) */
	size_t (*dsm_text)(char *buf, size_t len);
	struct ksys_csync_ops csync; /* required: the cluster lock service */
};
void ksys_set_cluster(const struct ksys_cluster_ops *ops);
/* Kernel side of a spawn request that came from another node. */
int ksys_spawn_local(uint64_t entry, uint64_t stack_top, uint64_t fs_base,
		     const void *data, size_t len);
struct thread;
/* True if t runs (or is about to run) a thread of the program: it was
 * spawned for the program, and has not yet ended. Unlike t->app_tid it
 * holds from the spawn on, before the thread names its pthread, so a load
 * probe counts a thread the moment a placement made it. Reads fields the
 * thread itself writes without a lock: a snapshot, good for a probe. */
bool ksys_is_app_thread(const struct thread *t);

/*
 * The cluster lock service (cluster/csync.c): with more than one node,
 * posix/ keeps mutexes, condition variables, barriers and semaphores there
 * (state at a home node in kernel memory, never in the application's
 * words). Handles have bit 31 set and are never 0xFFFFFFFF; they encode
 * the home, the kind and a 2-bit parameter (mutex type; cond: 1 =
 * CLOCK_MONOTONIC). `tid` is the caller's pthread_t. Timeouts are
 * relative, 0 = none. Results are 0 or a negative errno unless stated.
 */
enum {
	KSYS_CS_MUTEX = 1,
	KSYS_CS_COND,
	KSYS_CS_BARRIER,
	KSYS_CS_SEM,
	KSYS_CS_RWLOCK
};
enum { KSYS_SEM_WAIT, KSYS_SEM_TRYWAIT, KSYS_SEM_POST, KSYS_SEM_VALUE };
#define KSYS_CS_IS(h)	 (((h)&0x80000000u) && (h) != 0xFFFFFFFFu)
#define KSYS_CS_KIND(h)	 ((int)(((h) >> 22) & 7))
#define KSYS_CS_PARAM(h) ((int)(((h) >> 20) & 3))
bool ksys_csync_active(void); /* false: one node, use local objects */
/* A new object homed at this node (no message). value: barrier count,
 * semaphore value. */
int ksys_csync_create(int kind, int param, uint32_t value, uint32_t *h);
int ksys_csync_destroy(uint32_t h); /* -EBUSY while in use */
/* -EBUSY (try), -ETIMEDOUT, -EDEADLK/-EAGAIN (by type), -EHOSTUNREACH */
int ksys_csync_mutex_lock(uint32_t h, uint32_t tid, bool try,
			  uint64_t timeout_ns);
int ksys_csync_mutex_unlock(uint32_t h, uint32_t tid); /* -EPERM */
/* Queues at the cond's home, releases m, sleeps, re-takes m (with its
 * recursion count): 0, -ETIMEDOUT, -EPERM (m not held by tid), or
 * -ECANCELED once *stop (the pthread's cancel flag; NULL = none) is set. */
int ksys_csync_cond_wait(uint32_t c, uint32_t m, uint32_t tid,
			 uint64_t timeout_ns, const volatile int *stop);
int ksys_csync_cond_wake(uint32_t c, bool all);
/* 1 for exactly one thread per round, 0 for the others. */
int ksys_csync_barrier_wait(uint32_t b);
/* op KSYS_SEM_*: WAIT (timeout; -ECANCELED once *stop is set), TRYWAIT
 * (-EAGAIN), POST (-EOVERFLOW), VALUE (returns the value). */
int ksys_csync_sem(uint32_t h, int op, uint64_t timeout_ns,
		   const volatile int *stop);
/* op KSYS_RW_*: -EBUSY (try), -EDEADLK (tid writes it), -EPERM (unlock of
 * an unheld lock), -ETIMEDOUT. */
enum { KSYS_RW_RD, KSYS_RW_WR, KSYS_RW_TRYRD, KSYS_RW_TRYWR, KSYS_RW_UNLOCK };
int ksys_csync_rwlock(uint32_t h, int op, uint32_t tid, uint64_t timeout_ns);
/* This node's counters: messages out, in, local lock hits, tokens in,
 * out, bad messages; returns how many were written, or -ENODEV. */
int ksys_csync_stats(uint64_t *out, int n);

/*
 * Signals (kernel/ksys_signal.c). The POSIX layer keeps which signals are
 * pending and masked; the kernel makes a thread enter its trampoline.
 * ksys_signal_kick(tid): thread tid (a pthread id) enters the trampoline
 * at its next safe point (its next tick in application code, or on its
 * way back from a kernel call; a futex wait ends early with -EINTR),
 * where it lives (a message when that is another node): 0, or -ESRCH.
 * A fault in application code (vector < 32: a page fault the memory
 * manager refused, a divide error, an invalid opcode, ...) enters it too,
 * with that vector, error code and (page faults) fault_addr. The
 * trampoline gets the interrupted registers, stored on the thread's stack
 * below its red zone (64-aligned), in rdi, and its rsp at that copy; it
 * must preserve everything else itself (FPU/SSE included) and resume the
 * context by loading r15..rax (at &ctx->r15) and an iretq from &ctx->rip,
 * or give up on a fault with ksys_signal_crash (the kernel's crash report
 * and end, as for a fault nobody catches).
 */
struct ksys_sigctx {
	uint64_t fault_addr;
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error;
	uint64_t rip, cs, rflags, rsp, ss;
};
void ksys_signal_entry(void (*entry)(struct ksys_sigctx *ctx));
int ksys_signal_kick(uint32_t tid);
void ksys_signal_crash(const struct ksys_sigctx *ctx) __attribute__((noreturn));
/* Kernel side of a kick from another node (kernel context, no lock):
 * registers entry if this node has none yet; 0 or -ESRCH. */
int ksys_signal_kick_local(uint32_t tid, uint64_t entry);

/* Registered by posix/ at start-up: runs the application's main thread and
 * returns its exit status (kernel/main.c calls it after boot). */
void ksys_set_app(int (*run)(void));
int ksys_run_app(void);	     /* -ENOENT when no application is linked in */
bool ksys_app_running(void); /* ksys_run_app was called */

#endif
