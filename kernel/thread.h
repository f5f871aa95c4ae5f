/*
 * kernel/thread.h — kernel threads.
 *
 * Every thread has a kernel stack and an FPU/SSE save area; the scheduler
 * saves the vector state on every switch. Priorities: 0 is the highest,
 * NR_PRIO-1 the lowest; equal priorities share the CPU round-robin.
 *
 * Guard keys: (c) constant after creation; (rq) the run-queue lock of the
 * CPU the thread belongs to; (j) the thread's join lock; (o) only the thread
 * itself.
 */
#ifndef KERNEL_THREAD_H
#define KERNEL_THREAD_H

#include <stdbool.h>
#include <stdint.h>

#include "kernel/list.h"
#include "kernel/percpu.h"
#include "kernel/spinlock.h"
#include "kernel/time.h"

#define THREAD_NAME_MAX 24
#define PRIO_DEFAULT	16
#define PRIO_IDLE	NR_PRIO
#define KSTACK_SIZE	(16 * 1024)
#define CPUMASK_ALL	(~0ull)
/* Room for the per-thread state of the layers above the core: each slot
 * is owned by one layer, opaque here, zeroed at creation. */
#define THREAD_CLUSTER_BYTES 224 /* cluster/thread_state.h */
#define THREAD_SCHED_BYTES   48	 /* sched/migrate.c */

enum thread_state {
	THREAD_RUNNABLE, /* running or on a run queue */
	THREAD_BLOCKED,	 /* waiting; a wakeup makes it runnable */
	THREAD_EXITED,	 /* finished; waits to be joined or reaped */
};

struct thread {
	uint64_t saved_rsp; /* (o) kernel stack pointer while switched out */
	uint8_t *fpu;	    /* (c) 512-byte FXSAVE area, 16-aligned */
	uint64_t fs_base;   /* (o) TLS base, reloaded on switch */

	uint64_t tid;		    /* (c) */
	char name[THREAD_NAME_MAX]; /* (c) */
	int prio;		    /* (rq) */
	uint64_t affinity;	 /* (rq) CPUs it may run on, bit per CPU id */
	int cpu;		 /* (rq) CPU whose run queue owns it */
	enum thread_state state; /* (rq) */
	bool on_rq;		 /* (rq) queued or current on its CPU */
	bool on_cpu; /* (rq) still running on (or switching off) a CPU */
	bool reap_on_switch; /* (rq) exited and detached: free once off-CPU */
	struct list_node rq_link; /* (rq) */
	uint32_t slice_left;	  /* (l) ticks left in its time slice */

	struct spinlock join_lock;
	bool detached;	       /* (j) */
	bool joined;	       /* (j) somebody is joining or joined */
	int exit_code;	       /* (j) */
	struct thread *joiner; /* (j) blocked in thread_join */

	void *(*fn)(void *);	   /* (c) */
	void *arg;		   /* (c) */
	void *retval;		   /* (j) */
	void *stack;		   /* (c) kernel stack base */
	struct list_node all_link; /* (all-threads lock) */
	uint64_t cpu_ns;	   /* (o) time spent running */
	uint64_t run_start;	   /* (o) clock_ns at last switch-in */
	void *posix;		   /* (o) the POSIX layer's per-thread state */
	uint32_t app_tid; /* (o) its pthread id; 0 for kernel threads */
	/* (o) set once, read by its CPU under (rq): its running time is the
	 * program's (sched_app_ns), also after app_tid is cleared at exit */
	bool app_cpu;
	/* (a) node to migrate to at the next safe point, -1 for none: set by
	 * sched_migrate under the all-threads lock, taken by the thread */
	int migrate_to;
	/* (a) signals for the POSIX layer (kernel/ksys_signal.c): set by
	 * ksys_signal_kick, taken by the thread's next safe point */
	int sig_kick;
	/* (o) between that safe point (or a fault) and its signal frame: the
	 * trap frame, its iret fields (rip, rsp, rflags), the fault address */
	uint64_t sig_save[5];
	/* the cluster services' per-thread state (struct cluster_thread) */
	uint64_t cluster[THREAD_CLUSTER_BYTES / 8];
	/* the global scheduler's (a leaving thread's context) */
	uint64_t sched[THREAD_SCHED_BYTES / 8];
};

/* Creates a runnable thread; NULL if out of memory. */
struct thread *thread_create(const char *name, void *(*fn)(void *), void *arg,
			     int prio);
/* Same, on the CPUs in `affinity` only. */
struct thread *thread_create_on(const char *name, void *(*fn)(void *),
				void *arg, int prio, uint64_t affinity);
/* Waits for t to exit, stores its return value and frees it. -EINVAL if
 * t is detached or already being joined, -EDEADLK if t is the caller. */
int thread_join(struct thread *t, void **retval);
/* The thread is freed when it exits; -EINVAL if already joined/detached. */
int thread_detach(struct thread *t);
void thread_exit(void *retval) __attribute__((noreturn));
void thread_yield(void);
/* Sleeps at least ns nanoseconds. */
void thread_sleep_ns(uint64_t ns);
int thread_set_affinity(struct thread *t, uint64_t mask);
struct thread *thread_current(void);
uint64_t thread_count(void);
/* Calls fn on every thread under the all-threads lock (interrupts off)
 * until it returns true; fn must not block or free threads. Returns
 * whether one did. */
bool thread_for_each(bool (*fn)(struct thread *t, void *arg), void *arg);

/*
 * Blocking primitive for wait queues: marks the current thread blocked,
 * releases `held` (with `flags`) and switches away. The caller must have
 * published the thread where a waker will find it, under `held`.
 * Returns with `held` released and interrupts restored to `flags`.
 */
void thread_block(struct spinlock *held, unsigned long flags);
/* Makes t runnable; returns false if it was not blocked. */
bool thread_wake(struct thread *t);

/* Scheduler entry points (kernel/sched.c). */
void sched_cpu_start(struct cpu *c, struct thread *first, bool first_is_idle);
/* Locks the run queue owning t; returns its CPU. */
struct cpu *rq_lock_thread(struct thread *t, unsigned long *flags);
void schedule(void);
void sched_tick(void);
void sched_idle_loop(void) __attribute__((noreturn));
void sched_enqueue_new(struct thread *t);
/* Tell CPU c that its run queue changed (an IPI when c is not this CPU). */
void sched_kick(struct cpu *c);
void thread_reap(struct thread *t);
uint32_t sched_slice_ticks(void);
/* Threads running or queued on this node's CPUs, the caller not
 * counted (a load probe: the prober itself is no load). */
uint32_t sched_runnable(void);
/* Time this node's CPUs have spent idle since boot, summed (a probe). */
uint64_t sched_idle_ns(void);
/* CPU time of the program's threads (app_cpu) on this node's CPUs: the
 * threads running now, those that ended and those that left. */
uint64_t sched_app_ns(void);
void sched_set_slice_ms(uint32_t ms);

/* Architecture hooks (arch/x86_64/switch.S, thread_arch.c). */
void arch_thread_init_stack(struct thread *t, void (*entry)(void));
void arch_switch(struct thread *prev, struct thread *next);
void arch_fpu_init_area(uint8_t *area);
void arch_cpu_idle(void);

#endif
