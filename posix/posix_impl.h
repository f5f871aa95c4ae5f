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
enum { PT_RUNNING = 1, PT_EXITED = 2 };

struct pthread {
	/* the TCB: %fs:0 points here (x86_64 TLS variant II) */
	struct pthread *self; /* %fs:0 */
	pthread_t id;
	uint32_t state;	   /* futex: PT_RUNNING -> PT_EXITED */
	uint32_t detached; /* (table lock) */
	uint32_t joined;   /* (table lock) a joiner has claimed it */
	void *(*start)(void *);
	void *arg;
	void *retval;
	void *tls_block; /* allocation holding the TLS block and this TCB */
	uintptr_t stack_base; /* lowest address incl. guard; 0 if the user's */
	size_t stack_size;
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
	/* (name_lock, sysinfo.c) pthread_setname_np's, NUL-terminated;
	 * a new thread starts with its creator's */
	char name[POSIX_THREAD_NAME];
	struct _reent reent; /* newlib's per-thread state, errno included */
};

static inline struct pthread *pthread_cur(void)
{
	struct pthread *p;
	__asm__("movq %%fs:0, %0" : "=r"(p));
	return p;
}

struct pthread *posix_thread_lookup(pthread_t id);
/* TLS: a block with the image's TLS template and a TCB (struct pthread). */
struct pthread *posix_tls_alloc(void);
/* The bytes a TLS block takes before its TCB (a multiple of *align, the
 * block's alignment), and the template written into such a block: the
 * data ends right where the linker placed it, at the TCB minus the
 * segment's size rounded to its alignment. */
size_t posix_tls_size(size_t *align);
void posix_tls_fill(uint8_t *block, size_t tls);
void posix_tls_free(struct pthread *p);
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
/* Copies from's name to `to` (a thread being made). */
void posix_thread_name_inherit(struct pthread *to, struct pthread *from);
/* The stack size of a thread made without one: RLIMIT_STACK's soft
 * limit when finite (at least PTHREAD_STACK_MIN), else POSIX_DEFAULT_STACK. */
size_t posix_default_stack(void);
/* The main thread: a stack and a table slot (no malloc: kernel context). */
int posix_main_stack(struct pthread *p, size_t size, uintptr_t *top);
/* posix/random.c: len random bytes (ChaCha20; seeded at first use). */
void posix_random_fill(void *buf, size_t len);
/* posix/poll.c: vfs_block, a blocked pipe read or write that a
 * cancellation request wakes (-ECANCELED: call posix_testcancel). */
int posix_file_block(uint32_t *word, uint32_t val);
/* posix/files.c: /tmp, /dev and /etc/hostname, made at start. */
void posix_files_init(void);

#endif
