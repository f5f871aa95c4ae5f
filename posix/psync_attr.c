/*
 * posix/psync_attr.c — the process-shared attribute of mutexes, condition
 * variables, rwlocks and barriers; mutex protocols, priority ceilings and
 * robustness.
 *
 * The program is one process, so PTHREAD_PROCESS_SHARED is accepted and
 * means what PRIVATE does: every thread, on any node, already shares the
 * object. Protocols and ceilings are recorded and reported; the scheduler
 * does not use priorities, so PTHREAD_PRIO_INHERIT and _PROTECT change no
 * thread's priority, but a PROTECT mutex refuses (EINVAL) a thread whose
 * recorded priority is above its ceiling, as POSIX says.
 *
 * A robust mutex, or one with a protocol, has a record here (struct pmx,
 * in a table keyed by the mutex's address): owner, recursion and state,
 * written only by the thread holding the mutex. Each thread lists the
 * robust mutexes it holds; when it ends (posix_robust_exit) each is
 * marked "owner dead" and unlocked, and the next locker gets EOWNERDEAD.
 * That covers a thread that ends on any node; a node that dies with the
 * owner on it does not run this, and its mutexes stay locked.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>

#include "posix/posix_impl.h"
#include "posix/psync.h"
#include "posix/psync_attr.h"

#define PMX_MAX	 1024		 /* robust/protocol mutexes at once */
#define PMX_GONE ((uint32_t *)1) /* a deleted slot */
static struct ulock table_lock = ULOCK_INIT;
static struct pmx pmx_tab[PMX_MAX]; /* (see struct pmx) */
uint32_t pmx_count;		    /* (table_lock to change) slots not empty */

/* ---- the process-shared attribute ---------------------------------------- */

static int pshared_ok(int v)
{
	return v == PTHREAD_PROCESS_PRIVATE || v == PTHREAD_PROCESS_SHARED;
}

#define PSHARED_ACCESSORS(type)                                                \
	int type##_setpshared(type##_t *a, int v)                              \
	{                                                                      \
		if (!a || !a->is_initialized || !pshared_ok(v))                \
			return EINVAL;                                         \
		a->process_shared = v;                                         \
		return 0;                                                      \
	}                                                                      \
	int type##_getpshared(const type##_t *a, int *v)                       \
	{                                                                      \
		if (!a || !a->is_initialized || !v)                            \
			return EINVAL;                                         \
		*v = a->process_shared;                                        \
		return 0;                                                      \
	}

PSHARED_ACCESSORS(pthread_mutexattr)
PSHARED_ACCESSORS(pthread_condattr)
PSHARED_ACCESSORS(pthread_rwlockattr)
PSHARED_ACCESSORS(pthread_barrierattr)

/* ---- mutex attributes ------------------------------------------------------
 * newlib's pthread_mutexattr_t has no robustness field: its `recursive`,
 * which nothing reads (`type` says it), holds it.
 */

static bool attr_ok(const pthread_mutexattr_t *a)
{
	return a && a->is_initialized;
}

int pthread_mutexattr_setprotocol(pthread_mutexattr_t *a, int protocol)
{
	if (!attr_ok(a) || (protocol != PTHREAD_PRIO_NONE &&
			    protocol != PTHREAD_PRIO_INHERIT &&
			    protocol != PTHREAD_PRIO_PROTECT))
		return EINVAL;
	a->protocol = protocol;
	return 0;
}

int pthread_mutexattr_getprotocol(const pthread_mutexattr_t *a, int *protocol)
{
	if (!attr_ok(a) || !protocol)
		return EINVAL;
	*protocol = a->protocol;
	return 0;
}

/* SCHED_FIFO's range, as glibc */
static bool ceiling_ok(int c)
{
	return c >= sched_get_priority_min(SCHED_FIFO) &&
	       c <= sched_get_priority_max(SCHED_FIFO);
}

int pthread_mutexattr_setprioceiling(pthread_mutexattr_t *a, int ceiling)
{
	if (!attr_ok(a) || !ceiling_ok(ceiling))
		return EINVAL;
	a->prio_ceiling = ceiling;
	return 0;
}

int pthread_mutexattr_getprioceiling(const pthread_mutexattr_t *a, int *ceiling)
{
	if (!attr_ok(a) || !ceiling)
		return EINVAL;
	*ceiling = a->prio_ceiling;
	return 0;
}

int pthread_mutexattr_setrobust(pthread_mutexattr_t *a, int robust)
{
	if (!attr_ok(a) ||
	    (robust != PTHREAD_MUTEX_STALLED && robust != PTHREAD_MUTEX_ROBUST))
		return EINVAL;
	a->recursive = robust;
	return 0;
}

int pthread_mutexattr_getrobust(const pthread_mutexattr_t *a, int *robust)
{
	if (!attr_ok(a) || !robust)
		return EINVAL;
	*robust = a->recursive;
	return 0;
}

/* ---- the records ------------------------------------------------------------ */

static uint32_t slot_of(uint32_t *m)
{
	return (uint32_t)(((uintptr_t)m >> 2) * 2654435761u) % PMX_MAX;
}

struct pmx *pmx_lookup(uint32_t *m)
{
	uint32_t i = slot_of(m);
	for (int n = 0; n < PMX_MAX; n++, i = (i + 1) % PMX_MAX) {
		struct pmx *x = &pmx_tab[i];
		uint32_t *k = __atomic_load_n(&x->m, __ATOMIC_ACQUIRE);
		if (!k)
			return NULL;
		if (k == m)
			return x->h == __atomic_load_n(m, __ATOMIC_RELAXED)
				   ? x
				   : NULL;
	}
	return NULL;
}

void pmx_forget(uint32_t *m)
{
	if (!__atomic_load_n(&pmx_count, __ATOMIC_RELAXED))
		return;
	ulock_lock(&table_lock);
	uint32_t i = slot_of(m);
	for (int n = 0; n < PMX_MAX; n++, i = (i + 1) % PMX_MAX) {
		uint32_t *k = pmx_tab[i].m;
		if (!k)
			break;
		if (k != m)
			continue;
		__atomic_store_n(&pmx_tab[i].m, PMX_GONE, __ATOMIC_RELEASE);
		/* deleted slots just before an empty one end no probe:
		 * empty them, so lookups stay short and the count can
		 * fall back to 0 (no lookups at all) */
		while (pmx_tab[i].m == PMX_GONE &&
		       !pmx_tab[(i + 1) % PMX_MAX].m) {
			__atomic_store_n(&pmx_tab[i].m, NULL, __ATOMIC_RELEASE);
			__atomic_store_n(&pmx_count, pmx_count - 1,
					 __ATOMIC_RELAXED);
			i = (i + PMX_MAX - 1) % PMX_MAX;
		}
		break;
	}
	ulock_unlock(&table_lock);
}

int pmx_init(uint32_t *m, const pthread_mutexattr_t *a)
{
	if (!a || (a->recursive != PTHREAD_MUTEX_ROBUST &&
		   a->protocol == PTHREAD_PRIO_NONE)) {
		pmx_forget(m); /* a former mutex at this address */
		return 0;
	}
	pmx_forget(m);
	ulock_lock(&table_lock);
	uint32_t i = slot_of(m);
	struct pmx *x = NULL;
	for (int n = 0; n < PMX_MAX; n++, i = (i + 1) % PMX_MAX)
		if (pmx_tab[i].m == NULL || pmx_tab[i].m == PMX_GONE) {
			x = &pmx_tab[i];
			break;
		}
	if (x) {
		if (!x->m)
			pmx_count++;
		x->h = *m;
		x->robust = a->recursive;
		x->protocol = a->protocol;
		x->ceiling = a->prio_ceiling;
		x->state = PMX_CONSISTENT;
		x->owner = x->depth = 0;
		x->next = NULL;
		x->pprev = NULL;
		__atomic_store_n(&x->m, m, __ATOMIC_RELEASE);
	}
	ulock_unlock(&table_lock);
	if (!x) {
		pthread_mutex_destroy(m);
		return EAGAIN;
	}
	return 0;
}

/* the owner's list of robust mutexes held (only the owner touches it) */
static void held_add(struct pthread *self, struct pmx *x)
{
	x->next = self->pmx_held;
	if (x->next)
		x->next->pprev = &x->next;
	x->pprev = &self->pmx_held;
	self->pmx_held = x;
}

static void held_remove(struct pmx *x)
{
	if (!x->pprev)
		return;
	*x->pprev = x->next;
	if (x->next)
		x->next->pprev = x->pprev;
	x->next = NULL;
	x->pprev = NULL;
}

/* The caller has just acquired x's mutex (first level). */
static int acquired(struct pthread *self, struct pmx *x, uint32_t depth)
{
	x->owner = self->id;
	x->depth = depth;
	if (x->robust != PTHREAD_MUTEX_ROBUST)
		return 0;
	if (x->state == PMX_NOTRECOVERABLE) {
		x->owner = x->depth = 0;
		psync_mutex_release(x->m, depth);
		return ENOTRECOVERABLE;
	}
	held_add(self, x);
	return x->state == PMX_OWNERDEAD ? EOWNERDEAD : 0;
}

int pmx_lock(struct pmx *x, int how, const struct timespec *abs)
{
	struct pthread *self = pthread_cur();
	if (x->protocol == PTHREAD_PRIO_PROTECT &&
	    __atomic_load_n(&self->sched_prio, __ATOMIC_RELAXED) > x->ceiling)
		return EINVAL;
	if (__atomic_load_n(&x->state, __ATOMIC_RELAXED) == PMX_NOTRECOVERABLE)
		return ENOTRECOVERABLE;
	int rc = psync_mutex_acquire(x->m, how, abs);
	if (rc)
		return rc;
	if (x->owner == self->id) { /* a recursive mutex, again */
		x->depth++;
		return 0;
	}
	return acquired(self, x, 1);
}

int pmx_unlock(struct pmx *x)
{
	struct pthread *self = pthread_cur();
	if (x->owner != self->id) {
		if (x->robust == PTHREAD_MUTEX_ROBUST)
			return EPERM; /* POSIX: robust mutexes check */
		int rc = psync_mutex_release(x->m, 1);
		if (!rc)
			x->owner = x->depth = 0;
		return rc;
	}
	if (x->depth > 1) {
		x->depth--;
		return psync_mutex_release(x->m, 1);
	}
	x->owner = x->depth = 0;
	held_remove(x);
	if (x->state == PMX_OWNERDEAD) /* not made consistent: never again */
		__atomic_store_n(&x->state, PMX_NOTRECOVERABLE,
				 __ATOMIC_RELAXED);
	return psync_mutex_release(x->m, 1);
}

int pmx_cond_enter(uint32_t *m)
{
	struct pthread *self = pthread_cur();
	struct pmx *x = pmx_find(m);
	self->pmx_waiting = NULL;
	if (!x)
		return 0;
	if (x->owner != self->id)
		return x->robust == PTHREAD_MUTEX_ROBUST ? EPERM : 0;
	self->pmx_waiting = x;
	self->pmx_wait_depth = x->depth;
	x->owner = x->depth = 0;
	held_remove(x);
	return 0;
}

int pmx_cond_leave(uint32_t *m, int rc)
{
	struct pthread *self = pthread_cur();
	struct pmx *x = self->pmx_waiting;
	if (!x || x->m != m)
		return rc;
	self->pmx_waiting = NULL;
	int r = acquired(self, x, self->pmx_wait_depth);
	return r ? r : rc;
}

void posix_robust_exit(struct pthread *self)
{
	while (self->pmx_held) {
		struct pmx *x = self->pmx_held;
		uint32_t depth = x->depth;
		held_remove(x);
		x->owner = x->depth = 0;
		__atomic_store_n(&x->state, PMX_OWNERDEAD, __ATOMIC_RELAXED);
		psync_mutex_release(x->m, depth);
	}
}

/* ---- on a mutex --------------------------------------------------------- */

int pthread_mutex_consistent(pthread_mutex_t *m)
{
	struct pmx *x = pmx_find(m);
	if (!x || x->robust != PTHREAD_MUTEX_ROBUST ||
	    x->state != PMX_OWNERDEAD)
		return EINVAL;
	__atomic_store_n(&x->state, PMX_CONSISTENT, __ATOMIC_RELAXED);
	return 0;
}

/* EINVAL for a mutex without PTHREAD_PRIO_PROTECT, as glibc. */
int pthread_mutex_getprioceiling(const pthread_mutex_t *m, int *ceiling)
{
	struct pmx *x = pmx_find((uint32_t *)m);
	if (!x || x->protocol != PTHREAD_PRIO_PROTECT || !ceiling)
		return EINVAL;
	*ceiling = x->ceiling;
	return 0;
}

/* POSIX: locks the mutex (unless the caller holds it), changes the
 * ceiling, unlocks. */
int pthread_mutex_setprioceiling(pthread_mutex_t *m, int ceiling, int *old)
{
	struct pmx *x = pmx_find(m);
	if (!x || x->protocol != PTHREAD_PRIO_PROTECT || !ceiling_ok(ceiling))
		return EINVAL;
	bool held = x->owner == pthread_cur()->id;
	if (!held) {
		int rc = pmx_lock(x, PSYNC_LOCK, NULL);
		if (rc && rc != EOWNERDEAD)
			return rc;
	}
	if (old)
		*old = x->ceiling;
	x->ceiling = ceiling;
	return held ? 0 : pmx_unlock(x);
}
