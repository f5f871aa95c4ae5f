/*
 * posix/psync.c — mutexes, condition variables, read-write locks, barriers
 * and spinlocks.
 *
 * The object in application memory (pthread_mutex_t and friends are 32-bit
 * in newlib) holds only a handle into a table of synchronisation objects,
 * assigned once with a compare-and-swap (which also resolves the static
 * initialisers, 0xFFFFFFFF, at first use). After that the application's
 * word is only read, so in a cluster its page stays shared; the state the
 * threads fight over lives in the table entry. Fast paths are atomic
 * operations; contention sleeps on a futex word of the entry. With more
 * than one node, mutexes and condition variables go to the cluster lock
 * service instead (posix/psync_cluster.c).
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>

#include "posix/posix_impl.h"
#include "posix/psync.h"
#include "posix/psync_attr.h"

#define UNRESOLVED 0xFFFFFFFFu
#define CHUNK	   1024
#define NCHUNKS	   1024

static struct sobj *chunks[NCHUNKS]; /* (obj_lock to add) */
static struct ulock obj_lock = ULOCK_INIT;
static uint32_t free_head; /* (obj_lock) handle of a free entry, 0 = none */
static uint32_t next_handle = 1; /* (obj_lock) */

struct sobj *psync_get(uint32_t h)
{
	if (h == 0 || h >= (uint32_t)CHUNK * NCHUNKS)
		return NULL;
	struct sobj *c = __atomic_load_n(&chunks[h / CHUNK], __ATOMIC_ACQUIRE);
	return c ? &c[h % CHUNK] : NULL;
}

static uint32_t sobj_alloc(int kind)
{
	ulock_lock(&obj_lock);
	uint32_t h = free_head;
	if (h) {
		free_head = psync_get(h)->next_free;
	} else {
		h = next_handle;
		if (h >= (uint32_t)CHUNK * NCHUNKS) {
			ulock_unlock(&obj_lock);
			return 0;
		}
		if (!chunks[h / CHUNK]) {
			struct sobj *c = calloc(CHUNK, sizeof(*c));
			if (!c) {
				ulock_unlock(&obj_lock);
				return 0;
			}
			__atomic_store_n(&chunks[h / CHUNK], c,
					 __ATOMIC_RELEASE);
		}
		next_handle++;
	}
	ulock_unlock(&obj_lock);
	struct sobj *o = psync_get(h);
	memset(o, 0, sizeof(*o));
	o->kind = kind;
	return h;
}

static void sobj_free(uint32_t h)
{
	struct sobj *o = psync_get(h);
	ulock_lock(&obj_lock);
	o->kind = SOBJ_FREE;
	o->next_free = free_head;
	free_head = h;
	ulock_unlock(&obj_lock);
}

/* Resolves the handle in *word, creating the object for an initialiser. */
struct sobj *psync_resolve(uint32_t *word, int kind)
{
	uint32_t h = __atomic_load_n(word, __ATOMIC_ACQUIRE);
	if (__builtin_expect(
		h != UNRESOLVED && h && h < (uint32_t)CHUNK * NCHUNKS, 1)) {
		struct sobj *c = chunks[h / CHUNK];
		if (__builtin_expect(c && c[h % CHUNK].kind == kind, 1))
			return &c[h % CHUNK];
	}
	if (h == UNRESOLVED) {
		uint32_t n = sobj_alloc(kind);
		if (!n)
			return NULL;
		psync_get(n)->type = PTHREAD_MUTEX_DEFAULT;
		uint32_t exp = UNRESOLVED;
		if (__atomic_compare_exchange_n(word, &exp, n, false,
						__ATOMIC_ACQ_REL,
						__ATOMIC_ACQUIRE)) {
			h = n;
		} else {
			sobj_free(n); /* another thread resolved it first */
			h = exp;
		}
	}
	struct sobj *o = psync_get(h);
	return o && o->kind == kind ? o : NULL;
}

int psync_create(uint32_t *word, int kind, struct sobj **out)
{
	uint32_t h = sobj_alloc(kind);
	if (!h)
		return EAGAIN;
	*word = h;
	*out = psync_get(h);
	return 0;
}

int psync_destroy(uint32_t *word, int kind)
{
	uint32_t h = *word;
	if (h == UNRESOLVED) {
		*word = 0;
		return 0;
	}
	struct sobj *o = psync_get(h);
	if (!o || o->kind != kind)
		return EINVAL;
	*word = 0;
	sobj_free(h);
	return 0;
}

/* ---- futex helpers ------------------------------------------------------- */

/* Waits while *w == v; `rel_ns` 0 = forever. 0, or ETIMEDOUT. */
static int wait_word(uint32_t *w, uint32_t v, int64_t rel_ns)
{
	if (rel_ns < 0)
		return ETIMEDOUT;
	int rc = ksys_futex_wait(w, v, (uint64_t)rel_ns);
	return rc == -ETIMEDOUT ? ETIMEDOUT : 0;
}

int64_t posix_abs_to_rel(clockid_t clock, const struct timespec *abs)
{
	if (!abs || abs->tv_nsec < 0 || abs->tv_nsec >= 1000000000L ||
	    abs->tv_sec < 0)
		return -EINVAL;
	uint64_t now =
	    clock == CLOCK_MONOTONIC ? ksys_clock_ns() : ksys_realtime_ns();
	uint64_t t =
	    (uint64_t)abs->tv_sec * 1000000000ull + (uint64_t)abs->tv_nsec;
	return t > now ? (int64_t)(t - now) : 1; /* 1 ns: already due */
}

/* ---- mutexes ---------------------------------------------------------------
 * word: 0 free, 1 locked, 2 locked with waiters (Drepper's mutex #3).
 */

int pthread_mutexattr_init(pthread_mutexattr_t *a)
{
	if (!a)
		return EINVAL;
	memset(a, 0, sizeof(*a)); /* PRIVATE, PRIO_NONE, STALLED */
	a->is_initialized = 1;
	a->type = PTHREAD_MUTEX_DEFAULT;
	a->prio_ceiling = sched_get_priority_min(SCHED_FIFO);
	return 0;
}

int pthread_mutexattr_destroy(pthread_mutexattr_t *a)
{
	if (!a || !a->is_initialized)
		return EINVAL;
	a->is_initialized = 0;
	return 0;
}

int pthread_mutexattr_settype(pthread_mutexattr_t *a, int type)
{
	if (!a->is_initialized ||
	    (type != PTHREAD_MUTEX_NORMAL && type != PTHREAD_MUTEX_RECURSIVE &&
	     type != PTHREAD_MUTEX_ERRORCHECK && type != PTHREAD_MUTEX_DEFAULT))
		return EINVAL;
	a->type = type;
	return 0;
}

int pthread_mutexattr_gettype(const pthread_mutexattr_t *a, int *type)
{
	if (!a->is_initialized)
		return EINVAL;
	*type = a->type;
	return 0;
}

int pthread_mutex_init(pthread_mutex_t *m, const pthread_mutexattr_t *a)
{
	if (a && !a->is_initialized)
		return EINVAL;
	int rc;
	if (psync_clustered()) {
		rc = psc_create(m, KSYS_CS_MUTEX,
				a ? a->type : PTHREAD_MUTEX_DEFAULT, 0);
	} else {
		struct sobj *o;
		rc = psync_create(m, SOBJ_MUTEX, &o);
		if (!rc)
			o->type = a ? a->type : PTHREAD_MUTEX_DEFAULT;
	}
	if (!rc)
		rc = pmx_init(m, a); /* robustness, protocol: psync_attr.c */
	return rc;
}

int pthread_mutex_destroy(pthread_mutex_t *m)
{
	int rc;
	if (psync_clustered()) {
		rc = psc_destroy(m, KSYS_CS_MUTEX);
	} else {
		struct sobj *o = psync_get(*m);
		rc = o && o->kind == SOBJ_MUTEX && o->word
			 ? EBUSY
			 : psync_destroy(m, SOBJ_MUTEX);
	}
	if (!rc)
		pmx_forget(m);
	return rc;
}

static int mutex_lock_obj(struct sobj *o, int64_t rel_ns, bool try)
{
	pthread_t self = pthread_cur()->id;
	if (o->owner == self) {
		if (o->type == PTHREAD_MUTEX_RECURSIVE) {
			if (o->count == UINT32_MAX)
				return EAGAIN;
			o->count++;
			return 0;
		}
		if (o->type == PTHREAD_MUTEX_ERRORCHECK)
			return EDEADLK;
		if (try)
			return EBUSY;
	}
	uint32_t c = 0;
	if (!__atomic_compare_exchange_n(&o->word, &c, 1, false,
					 __ATOMIC_ACQUIRE, __ATOMIC_RELAXED)) {
		if (try)
			return EBUSY;
		uint64_t deadline =
		    rel_ns ? ksys_clock_ns() + (uint64_t)rel_ns : 0;
		if (c != 2)
			c = __atomic_exchange_n(&o->word, 2, __ATOMIC_ACQUIRE);
		while (c != 0) {
			int64_t left = 0;
			if (deadline) {
				uint64_t now = ksys_clock_ns();
				if (now >= deadline)
					return ETIMEDOUT;
				left = (int64_t)(deadline - now);
			}
			if (wait_word(&o->word, 2, left) == ETIMEDOUT &&
			    __atomic_load_n(&o->word, __ATOMIC_RELAXED) != 0)
				return ETIMEDOUT;
			c = __atomic_exchange_n(&o->word, 2, __ATOMIC_ACQUIRE);
		}
	}
	o->owner = self;
	o->count = 1;
	return 0;
}

int psync_mutex_acquire(pthread_mutex_t *m, int how, const struct timespec *abs)
{
	if (psync_clustered()) {
		int rc = psc_mutex_lock(m, how != PSYNC_LOCK, 0);
		if (how != PSYNC_TIMED || rc != EBUSY)
			return rc;
		int64_t rel = posix_abs_to_rel(CLOCK_REALTIME, abs);
		return rel < 0 ? EINVAL : psc_mutex_lock(m, false, rel);
	}
	struct sobj *o = psync_resolve(m, SOBJ_MUTEX);
	if (!o)
		return EINVAL;
	int rc = mutex_lock_obj(o, 0, how != PSYNC_LOCK);
	if (how != PSYNC_TIMED || rc != EBUSY)
		return rc;
	int64_t rel = posix_abs_to_rel(CLOCK_REALTIME, abs);
	if (rel < 0)
		return EINVAL;
	return mutex_lock_obj(o, rel, false);
}

int pthread_mutex_lock(pthread_mutex_t *m)
{
	struct pmx *x = pmx_find(m);
	return x ? pmx_lock(x, PSYNC_LOCK, NULL)
		 : psync_mutex_acquire(m, PSYNC_LOCK, NULL);
}

int pthread_mutex_trylock(pthread_mutex_t *m)
{
	struct pmx *x = pmx_find(m);
	return x ? pmx_lock(x, PSYNC_TRY, NULL)
		 : psync_mutex_acquire(m, PSYNC_TRY, NULL);
}

int pthread_mutex_timedlock(pthread_mutex_t *m, const struct timespec *abs)
{
	struct pmx *x = pmx_find(m);
	return x ? pmx_lock(x, PSYNC_TIMED, abs)
		 : psync_mutex_acquire(m, PSYNC_TIMED, abs);
}

int psync_mutex_unlock_obj(struct sobj *o)
{
	if (o->owner != pthread_cur()->id) {
		if (o->type == PTHREAD_MUTEX_ERRORCHECK ||
		    o->type == PTHREAD_MUTEX_RECURSIVE)
			return EPERM;
		if (__atomic_load_n(&o->word, __ATOMIC_RELAXED) == 0)
			return EPERM; /* not locked at all */
	}
	if (o->type == PTHREAD_MUTEX_RECURSIVE && --o->count > 0)
		return 0;
	o->owner = 0;
	/* one atomic: 2 means somebody sleeps on the word */
	if (__atomic_exchange_n(&o->word, 0, __ATOMIC_RELEASE) == 2)
		ksys_futex_wake(&o->word, 1);
	return 0;
}

int psync_mutex_release(pthread_mutex_t *m, uint32_t depth)
{
	if (psync_clustered()) {
		int rc = 0;
		while (!rc && depth--)
			rc = psc_mutex_unlock(m);
		return rc;
	}
	struct sobj *o = psync_resolve(m, SOBJ_MUTEX);
	if (!o)
		return EINVAL;
	if (depth > 1 && o->owner == pthread_cur()->id)
		o->count = 1;
	return psync_mutex_unlock_obj(o);
}

int pthread_mutex_unlock(pthread_mutex_t *m)
{
	struct pmx *x = pmx_find(m);
	return x ? pmx_unlock(x) : psync_mutex_release(m, 1);
}

/* ---- condition variables ----------------------------------------------- */

int pthread_condattr_init(pthread_condattr_t *a)
{
	if (!a)
		return EINVAL;
	memset(a, 0, sizeof(*a));
	a->is_initialized = 1;
	a->clock = CLOCK_REALTIME;
	return 0;
}

int pthread_condattr_destroy(pthread_condattr_t *a)
{
	if (!a || !a->is_initialized)
		return EINVAL;
	a->is_initialized = 0;
	return 0;
}

int pthread_condattr_setclock(pthread_condattr_t *a, clockid_t clock)
{
	if (!a->is_initialized ||
	    (clock != CLOCK_REALTIME && clock != CLOCK_MONOTONIC))
		return EINVAL;
	a->clock = clock;
	return 0;
}

int pthread_condattr_getclock(const pthread_condattr_t *a, clockid_t *clock)
{
	if (!a->is_initialized)
		return EINVAL;
	*clock = a->clock;
	return 0;
}

int pthread_cond_init(pthread_cond_t *c, const pthread_condattr_t *a)
{
	if (a && !a->is_initialized)
		return EINVAL;
	if (psync_clustered())
		return psc_create(c, KSYS_CS_COND,
				  a && a->clock == CLOCK_MONOTONIC, 0);
	struct sobj *o;
	int rc = psync_create(c, SOBJ_COND, &o);
	if (!rc)
		o->clock = a ? a->clock : CLOCK_REALTIME;
	return rc;
}

int pthread_cond_destroy(pthread_cond_t *c)
{
	if (psync_clustered())
		return psc_destroy(c, KSYS_CS_COND);
	struct sobj *o = psync_get(*c);
	if (o && o->kind == SOBJ_COND && o->waiters)
		return EBUSY;
	return psync_destroy(c, SOBJ_COND);
}

void psync_cond_cancel_point(pthread_mutex_t *m)
{
	struct pthread *self = pthread_cur();
	if (self->cancel_pending &&
	    self->cancel_state == PTHREAD_CANCEL_ENABLE) {
		/* POSIX: the mutex is held when cleanup handlers run */
		pmx_cond_leave(m, 0);
		pthread_exit(PTHREAD_CANCELED);
	}
}

static int cond_wait(pthread_cond_t *c, pthread_mutex_t *m, int64_t rel_ns)
{
	struct sobj *o = psync_resolve(c, SOBJ_COND);
	struct sobj *mo = psync_resolve(m, SOBJ_MUTEX);
	if (!o || !mo)
		return EINVAL;
	if (mo->owner != pthread_cur()->id)
		return EPERM;
	struct pthread *self = pthread_cur();
	psync_cond_cancel_point(m);
	uint32_t seq = __atomic_load_n(&o->word, __ATOMIC_ACQUIRE);
	__atomic_fetch_add(&o->waiters, 1, __ATOMIC_RELAXED);
	uint32_t count = mo->count;
	mo->count = 1;
	psync_mutex_unlock_obj(mo);
	self->wait_word = &o->word;
	int rc = wait_word(&o->word, seq, rel_ns);
	self->wait_word = NULL;
	__atomic_fetch_sub(&o->waiters, 1, __ATOMIC_RELAXED);
	mutex_lock_obj(mo, 0, false);
	mo->count = count;
	psync_cond_cancel_point(m);
	return rc;
}

/* `abs` NULL: no timeout. */
static int cond_wait_plain(pthread_cond_t *c, pthread_mutex_t *m,
			   const struct timespec *abs)
{
	if (psync_clustered())
		return psc_cond_wait(c, m, abs);
	if (!abs)
		return cond_wait(c, m, 0);
	struct sobj *o = psync_resolve(c, SOBJ_COND);
	if (!o)
		return EINVAL;
	int64_t rel = posix_abs_to_rel(o->clock, abs);
	if (rel < 0)
		return EINVAL;
	return cond_wait(c, m, rel);
}

/* A robust mutex or one with a protocol keeps its records across the wait
 * (psync_attr.c): EOWNERDEAD when its owner died meanwhile. */
static int cond_wait_any(pthread_cond_t *c, pthread_mutex_t *m,
			 const struct timespec *abs)
{
	int rc = pmx_cond_enter(m);
	if (rc)
		return rc;
	return pmx_cond_leave(m, cond_wait_plain(c, m, abs));
}

int pthread_cond_wait(pthread_cond_t *c, pthread_mutex_t *m)
{
	return cond_wait_any(c, m, NULL);
}

int pthread_cond_timedwait(pthread_cond_t *c, pthread_mutex_t *m,
			   const struct timespec *abs)
{
	if (!abs)
		return EINVAL;
	return cond_wait_any(c, m, abs);
}

int pthread_cond_signal(pthread_cond_t *c)
{
	if (psync_clustered())
		return psc_cond_wake(c, false);
	struct sobj *o = psync_resolve(c, SOBJ_COND);
	if (!o)
		return EINVAL;
	__atomic_fetch_add(&o->word, 1, __ATOMIC_RELEASE);
	if (__atomic_load_n(&o->waiters, __ATOMIC_RELAXED))
		ksys_futex_wake(&o->word, 1);
	return 0;
}

int pthread_cond_broadcast(pthread_cond_t *c)
{
	if (psync_clustered())
		return psc_cond_wake(c, true);
	struct sobj *o = psync_resolve(c, SOBJ_COND);
	if (!o)
		return EINVAL;
	__atomic_fetch_add(&o->word, 1, __ATOMIC_RELEASE);
	if (__atomic_load_n(&o->waiters, __ATOMIC_RELAXED))
		ksys_futex_wake(&o->word, INT_MAX);
	return 0;
}
