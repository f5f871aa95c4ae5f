/*
 * posix/posix_impl.h — state shared by the files of the POSIX layer.
 *
 * Everything here lives in the global address space (this layer is linked
 * like the application), so in a cluster every node sees the same threads
 * and objects; pthread state is reached through handles (see psync.c).
 */
#ifndef POSIX_POSIX_IMPL_H
#define POSIX_POSIX_IMPL_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/reent.h>
#include <time.h>

#include "kernel/ksys.h"
#include "posix/ulock.h"

#define POSIX_MAX_THREADS	    8192
#define POSIX_KEYS_MAX		    128
#define POSIX_DEFAULT_STACK	    (1024 * 1024)
#define POSIX_GUARD		    (64 * 1024)
#define POSIX_DESTRUCTOR_ITERATIONS 4
#define POSIX_THREAD_NAME	    16 /* bytes, the NUL included (Linux's) */

/* Thread states (the `state` futex word). */
enum { PT_RUNNING = 1 }; /* ended: a token of the serial (pthread.c) */

struct pthread {
	/* the TCB: %fs:0 points here (x86_64 TLS variant II). Written by
	 * the thread itself (from its start record: its creator writes none
	 * of it), read by others only for names, cancellation and a join
	 * from a node other than the creator's. */
	struct pthread *self; /* %fs:0 */
	pthread_t id;
	uint32_t state; /* futex: PT_RUNNING -> its end's token (pthread.c) */
	void *(*start)(void *);
	void *arg;
	void *retval;
	uint64_t serial;      /* this creation (keys its exit note) */
	int16_t creator;      /* node holding its exit note; -1: main (none) */
	uintptr_t stack_base; /* lowest address incl. guard (the user's: his) */
	size_t stack_size;    /* above the guard */
	size_t guard_size;    /* 0 for a stack the user gave */
	bool own_stack;
	int node; /* where it was started (its stack's home) */
	/* cancellation (deferred only) */
	volatile int cancel_pending;
	int cancel_state; /* PTHREAD_CANCEL_ENABLE/DISABLE */
	int cancel_type;
	uint32_t *wait_word; /* futex the thread sleeps on, for cancel */
	/* cleanup handlers: contexts on the thread's own stack, newest first */
	struct _pthread_cleanup_context *cleanup;
	void *keys[POSIX_KEYS_MAX];
	/* (sched_lock, pthread_sched.c) SCHED_* and priority: recorded,
	 * reported, checked against ceilings; the scheduler ignores them */
	int sched_policy;
	int sched_prio;
	/* (self) robust mutexes held, released at exit (psync_attr.c); the
	 * one given up by a condition wait under way, and its recursion */
	struct pmx *pmx_held;
	struct pmx *pmx_waiting;
	uint32_t pmx_wait_depth;
	/* (name_lock, sysinfo.c) pthread_setname_np's, NUL-terminated;
	 * a new thread starts with its creator's */
	char name[POSIX_THREAD_NAME];
	/* (racy: the last setter wins; posix/affinity.c) its CPU set over
	 * the cluster as last set; all 0: never set (every CPU) */
	uint64_t aff[4];
	/* signals (posix/signal*.c): the mask is written by the thread
	 * itself only; pending bits and their details (a) are set by any
	 * thread and taken by this one; sig_word is bumped (a) at each
	 * signal sent to it (its sleeps wait on it); sig_intr (self) says
	 * whether a handler ran since the thread cleared it */
	uint64_t sig_mask;
	uint64_t sig_pending;
	uint32_t sig_word;
	int sig_intr;
	struct posix_sigdetail {
		int code;
		int pid;
		void *addr;
		void *value;
	} sig_info[32];
	struct _reent reent; /* newlib's per-thread state, errno included */
};

static inline struct pthread *pthread_cur(void)
{
	struct pthread *p;
	__asm__("movq %%fs:0, %0" : "=r"(p));
	return p;
}

struct pthread *posix_thread_lookup(pthread_t id);
/* The same, once the thread has built its TCB and named itself to the
 * kernel (up to 5 s): for writes to another thread's TCB (cancel, name,
 * scheduling, affinity), which its start would otherwise wipe, and calls
 * that name it to the kernel. May sleep. */
struct pthread *posix_thread_started(pthread_t id);
/* TLS blocks: [TLS data][struct pthread]. posix_tls_size: the bytes a
 * block takes before its TCB (a multiple of *align, the block's
 * alignment); the template's data ends right where the linker placed it,
 * at the TCB minus the segment's size rounded to its alignment.
 * posix_tls_area: a whole block's bytes, in whole pages (a block never
 * shares a page: errno and the allocator's thread cache are in it), and
 * the TCB's offset in it. posix_tls_init: the template and a fresh TCB
 * (self, newlib's state) written into a block; returns the TCB. */
size_t posix_tls_size(size_t *align);
size_t posix_tls_area(size_t *tcb_off);
struct pthread *posix_tls_init(uint8_t *block, size_t tcb_off);
/* newlib's stdio set-up (internal to newlib 3.3.0, no public prototype). */
void __sinit(struct _reent *r);
/* Runs key destructors (pthread_exit and thread end). */
void posix_keys_run_destructors(struct pthread *self);
/* Acts on a pending cancellation request (cancellation points). */
void posix_testcancel(void);
/* Absolute timespec on `clock` -> relative ns (0 means "already past":
 * returned as 1 so callers can tell it from "no timeout"); -EINVAL if the
 * timespec is malformed. */
int64_t posix_abs_to_rel(clockid_t clock, const struct timespec *abs);
/* Copies from's name to `to` (POSIX_THREAD_NAME bytes: the start record
 * of a thread being made). */
void posix_thread_name_inherit(char *to, struct pthread *from);
/* The stack size of a thread made without one: RLIMIT_STACK's soft
 * limit when finite (at least PTHREAD_STACK_MIN), else POSIX_DEFAULT_STACK. */
size_t posix_default_stack(void);
/* A new thread's scheduling from its attributes or its creator
 * (pthread_sched.c): 0 or EINVAL (explicit priority out of range). */
int posix_sched_start(int *policy, int *prio, const pthread_attr_t *a);
/* Whether thread id is detached (pthread.c's table; false for a bad id). */
bool posix_thread_detached(pthread_t id);
/* A thread ends: its robust mutexes pass to the next locker with
 * EOWNERDEAD (psync_attr.c). */
void posix_robust_exit(struct pthread *self);
/* The main thread: a stack and a table slot (no malloc: kernel context). */
int posix_main_stack(struct pthread *p, size_t size, uintptr_t *top);
/* posix/random.c: len random bytes (ChaCha20; seeded at first use). */
void posix_random_fill(void *buf, size_t len);
/* posix/poll.c: vfs_block, a blocked pipe read or write that a
 * cancellation request wakes (-ECANCELED: call posix_testcancel). */
int posix_file_block(uint32_t *word, uint32_t val);
/* vfs_console_poll (posix/poll.c): ksys_console_poll, noting for poll's
 * sleep that the console was not ready. */
int posix_console_poll(void);
/* posix/files.c: /tmp, /dev and /etc/hostname, made at start. */
void posix_files_init(void);
/* posix/signal*.c. posix_sig_deliver runs the handlers of the calling
 * thread's deliverable signals now. posix_sig_intr_clear before a wait,
 * posix_sig_intr after it: 0 when no handler ran since, else -EINTR, or
 * 1 when every handler that ran had SA_RESTART. posix_sig_sleep: sleeps
 * up to ns (0: no limit) or until a signal comes for the thread: 0
 * (woken: check again), -ETIMEDOUT. */
void posix_sig_deliver(void);
void posix_sig_intr_clear(void);
int posix_sig_intr(void);
int posix_sig_sleep(uint64_t ns);
/* The trampoline the kernel enters to deliver signals (signal_deliver.c);
 * each thread registers it with its node's kernel as it starts. */
void posix_sig_tramp(struct ksys_sigctx *ctx);
/* The signal mask a new thread inherits (its creator's). */
uint64_t posix_sig_mask_now(void);

#endif
