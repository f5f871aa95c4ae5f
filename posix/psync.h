/*
 * posix/psync.h — the table of synchronisation objects behind the handles
 * in pthread_mutex_t, pthread_cond_t, pthread_rwlock_t, pthread_barrier_t
 * and sem_t (posix/psync.c).
 */
#ifndef POSIX_PSYNC_H
#define POSIX_PSYNC_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "kernel/ksys.h"

enum { SOBJ_FREE, SOBJ_MUTEX, SOBJ_COND, SOBJ_RWLOCK, SOBJ_BARRIER, SOBJ_SEM };

struct sobj {
	uint32_t word;	/* futex: lock state / sequence / value */
	int32_t kind;	/* SOBJ_* */
	uint32_t owner; /* mutex: owner pthread_t; rwlock: writer */
	uint32_t count; /* mutex recursion; barrier arrivals; rwlock readers */
	uint32_t waiters;   /* cond/sem/rwlock: sleeping threads */
	uint32_t total;	    /* barrier: threads per round */
	int32_t type;	    /* mutex type */
	int32_t clock;	    /* cond: clock of timed waits */
	uint32_t next_free; /* (table lock) free-list link */
	uint32_t gen;	    /* barrier generation; rwlock writers waiting */
	uint32_t lock;	    /* rwlock/barrier internal ulock word */
	uint32_t pad;
};

struct sobj *psync_get(uint32_t handle);
struct sobj *psync_resolve(uint32_t *word, int kind);
int psync_create(uint32_t *word, int kind, struct sobj **out);
int psync_destroy(uint32_t *word, int kind);
int psync_mutex_unlock_obj(struct sobj *o);

/* The mutex alone, without the records of posix/psync_attr.c: acquire
 * (PSYNC_LOCK, PSYNC_TRY, PSYNC_TIMED until `abs`) and release `depth`
 * levels (1 for an unlock; more to free a recursive mutex at once, held
 * by the caller). Positive errno results. */
enum { PSYNC_LOCK, PSYNC_TRY, PSYNC_TIMED };
int psync_mutex_acquire(uint32_t *m, int how, const struct timespec *abs);
int psync_mutex_release(uint32_t *m, uint32_t depth);
/* In a condition wait, mutex `m` held: acts on a pending cancellation. */
void psync_cond_cancel_point(uint32_t *m);

/*
 * With more than one node, mutexes, condition variables, barriers and
 * semaphores and rwlocks live in the cluster lock service instead
 * (posix/psync_cluster.c); spinlocks stay in the application's word. Positive
 * errno results; psc_sem returns the value or a negative errno.
 */
static inline bool psync_clustered(void)
{
	return ksys_csync_active();
}
int psc_create(uint32_t *word, int kind, int param, uint32_t value);
int psc_destroy(uint32_t *word, int kind);
int psc_mutex_lock(uint32_t *m, bool try, int64_t rel_ns);
int psc_mutex_unlock(uint32_t *m);
int psc_cond_wait(uint32_t *c, uint32_t *m, const struct timespec *abs);
int psc_cond_wake(uint32_t *c, bool all);
int psc_barrier_wait(uint32_t *b);
int psc_sem(uint32_t *s, int op, const struct timespec *abs);
int psc_rwlock(uint32_t *l, int op, uint64_t rel_ns);

#endif
