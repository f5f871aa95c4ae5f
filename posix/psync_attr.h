/*
 * posix/psync_attr.h — the records of mutexes made robust or given a
 * protocol (posix/psync_attr.c), which the mutex calls of posix/psync.c
 * consult. Most mutexes have none: pmx_find is then one load.
 */
#ifndef POSIX_PSYNC_ATTR_H
#define POSIX_PSYNC_ATTR_H

#include <pthread.h>
#include <stdint.h>

/* A mutex's robustness state (ENOTRECOVERABLE stays until destroy). */
enum { PMX_CONSISTENT, PMX_OWNERDEAD, PMX_NOTRECOVERABLE };

struct pmx {
	uint32_t *m; /* (table_lock) the mutex; NULL free, PMX_GONE deleted */
	uint32_t h; /* (table_lock) its handle: a record for another is stale */
	int robust; /* PTHREAD_MUTEX_ROBUST or _STALLED; fixed at init */
	int protocol;	  /* PTHREAD_PRIO_*; fixed at init */
	int ceiling;	  /* (the mutex) PTHREAD_PRIO_PROTECT's */
	uint32_t state;	  /* (the mutex) PMX_*; read without it to fail fast */
	uint32_t owner;	  /* (the mutex) pthread_t holding it, 0 none */
	uint32_t depth;	  /* (the mutex) its recursion */
	struct pmx *next; /* (owner) the owner's robust mutexes held */
	struct pmx **pprev;
};

extern uint32_t pmx_count; /* slots in use or deleted: 0, no lookup */
struct pmx *pmx_lookup(uint32_t *m);
static inline struct pmx *pmx_find(uint32_t *m)
{
	return __atomic_load_n(&pmx_count, __ATOMIC_RELAXED) ? pmx_lookup(m)
							     : NULL;
}

/* pthread_mutex_init: a record when `a` asks for one (EAGAIN: table full,
 * the mutex is then destroyed). pthread_mutex_destroy: drops it. */
int pmx_init(uint32_t *m, const pthread_mutexattr_t *a);
void pmx_forget(uint32_t *m);
/* lock (PSYNC_*) and unlock a mutex with a record */
int pmx_lock(struct pmx *x, int how, const struct timespec *abs);
int pmx_unlock(struct pmx *x);
/* Around a condition wait on `m`: enter before it gives the mutex up (0,
 * or EPERM: a robust mutex the caller does not own); leave once it holds
 * it again, with the wait's result (EOWNERDEAD, ENOTRECOVERABLE or rc). */
int pmx_cond_enter(uint32_t *m);
int pmx_cond_leave(uint32_t *m, int rc);

#endif
