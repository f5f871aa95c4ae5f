/*
 * posix/psync_more.c — read-write locks (writer-preferring), barriers and
 * spinlocks, on the object table of posix/psync.c. With more than one
 * node, rwlocks and barriers go to the cluster lock service
 * (posix/psync_cluster.c).
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <string.h>

#include "posix/posix_impl.h"
#include "posix/psync.h"

static struct ulock *olock(struct sobj *o)
{
	return (struct ulock *)&o->lock;
}

static int wait_seq(struct sobj *o, uint32_t seq, uint64_t deadline)
{
	uint64_t left = 0;
	if (deadline) {
		uint64_t now = ksys_clock_ns();
		if (now >= deadline)
			return ETIMEDOUT;
		left = deadline - now;
	}
	return ksys_futex_wait(&o->word, seq, left) == -ETIMEDOUT ? ETIMEDOUT
								  : 0;
}

/* ---- rwlocks: owner = writer, count = readers, gen = writers waiting ---- */

int pthread_rwlockattr_init(pthread_rwlockattr_t *a)
{
	if (!a)
		return EINVAL;
	memset(a, 0, sizeof(*a));
	a->is_initialized = 1;
	return 0;
}

int pthread_rwlockattr_destroy(pthread_rwlockattr_t *a)
{
	if (!a || !a->is_initialized)
		return EINVAL;
	a->is_initialized = 0;
	return 0;
}

int pthread_rwlock_init(pthread_rwlock_t *l, const pthread_rwlockattr_t *a)
{
	if (a && !a->is_initialized)
		return EINVAL;
	if (psync_clustered())
		return psc_create(l, KSYS_CS_RWLOCK, 0, 0);
	struct sobj *o;
	return psync_create(l, SOBJ_RWLOCK, &o);
}

int pthread_rwlock_destroy(pthread_rwlock_t *l)
{
	if (psync_clustered())
		return psc_destroy(l, KSYS_CS_RWLOCK);
	struct sobj *o = psync_get(*l);
	if (o && o->kind == SOBJ_RWLOCK && (o->owner || o->count))
		return EBUSY;
	return psync_destroy(l, SOBJ_RWLOCK);
}

static int rw_lock(pthread_rwlock_t *l, bool write, bool try, uint64_t deadline)
{
	if (psync_clustered()) {
		uint64_t now = ksys_clock_ns(), rel = 0;
		if (deadline)
			rel = deadline > now ? deadline - now : 1;
		int op = try ? (write ? KSYS_RW_TRYWR : KSYS_RW_TRYRD)
			     : (write ? KSYS_RW_WR : KSYS_RW_RD);
		return psc_rwlock(l, op, rel);
	}
	struct sobj *o = psync_resolve(l, SOBJ_RWLOCK);
	if (!o)
		return EINVAL;
	uint32_t self = pthread_cur()->id;
	bool queued = false;
	int rc;
	ulock_lock(olock(o));
	for (;;) {
		if (o->owner == self) {
			rc = EDEADLK;
			break;
		}
		bool free = write ? !o->owner && !o->count
				  : !o->owner && (!o->gen || queued);
		if (free) {
			if (write)
				o->owner = self;
			else
				o->count++;
			rc = 0;
			break;
		}
		if (try) {
			rc = EBUSY;
			break;
		}
		if (write && !queued) {
			o->gen++;
			queued = true;
		}
		uint32_t seq = o->word;
		o->waiters++;
		ulock_unlock(olock(o));
		rc = wait_seq(o, seq, deadline);
		ulock_lock(olock(o));
		o->waiters--;
		if (rc == ETIMEDOUT) {
			bool got = write ? !o->owner && !o->count : !o->owner;
			if (!got)
				break;
			if (write)
				o->owner = self;
			else
				o->count++;
			rc = 0;
			break;
		}
	}
	if (write && queued)
		o->gen--;
	ulock_unlock(olock(o));
	return rc;
}

int pthread_rwlock_rdlock(pthread_rwlock_t *l)
{
	return rw_lock(l, false, false, 0);
}
int pthread_rwlock_wrlock(pthread_rwlock_t *l)
{
	return rw_lock(l, true, false, 0);
}
int pthread_rwlock_tryrdlock(pthread_rwlock_t *l)
{
	return rw_lock(l, false, true, 0);
}
int pthread_rwlock_trywrlock(pthread_rwlock_t *l)
{
	return rw_lock(l, true, true, 0);
}

static uint64_t abs_deadline(const struct timespec *abs, int *err)
{
	int64_t rel = posix_abs_to_rel(CLOCK_REALTIME, abs);
	*err = rel < 0 ? EINVAL : 0;
	return rel < 0 ? 0 : ksys_clock_ns() + (uint64_t)rel;
}

int pthread_rwlock_timedrdlock(pthread_rwlock_t *l, const struct timespec *abs)
{
	int err;
	uint64_t d = abs_deadline(abs, &err);
	return err ? err : rw_lock(l, false, false, d);
}

int pthread_rwlock_timedwrlock(pthread_rwlock_t *l, const struct timespec *abs)
{
	int err;
	uint64_t d = abs_deadline(abs, &err);
	return err ? err : rw_lock(l, true, false, d);
}

int pthread_rwlock_unlock(pthread_rwlock_t *l)
{
	if (psync_clustered())
		return psc_rwlock(l, KSYS_RW_UNLOCK, 0);
	struct sobj *o = psync_resolve(l, SOBJ_RWLOCK);
	if (!o)
		return EINVAL;
	uint32_t self = pthread_cur()->id;
	ulock_lock(olock(o));
	int rc = 0;
	if (o->owner == self)
		o->owner = 0;
	else if (o->count)
		o->count--;
	else
		rc = EPERM;
	bool wake = !rc && o->waiters;
	if (wake)
		o->word++;
	ulock_unlock(olock(o));
	if (wake)
		ksys_futex_wake(&o->word, INT_MAX);
	return rc;
}

/* ---- barriers: count arrivals, word = generation -------------------------- */

int pthread_barrierattr_init(pthread_barrierattr_t *a)
{
	if (!a)
		return EINVAL;
	memset(a, 0, sizeof(*a));
	a->is_initialized = 1;
	return 0;
}

int pthread_barrierattr_destroy(pthread_barrierattr_t *a)
{
	if (!a || !a->is_initialized)
		return EINVAL;
	a->is_initialized = 0;
	return 0;
}

int pthread_barrier_init(pthread_barrier_t *b, const pthread_barrierattr_t *a,
			 unsigned count)
{
	if (count == 0 || (a && !a->is_initialized))
		return EINVAL;
	if (psync_clustered())
		return psc_create(b, KSYS_CS_BARRIER, 0, count);
	struct sobj *o;
	int rc = psync_create(b, SOBJ_BARRIER, &o);
	if (!rc)
		o->total = count;
	return rc;
}

int pthread_barrier_destroy(pthread_barrier_t *b)
{
	if (psync_clustered())
		return psc_destroy(b, KSYS_CS_BARRIER);
	struct sobj *o = psync_get(*b);
	if (o && o->kind == SOBJ_BARRIER && o->count)
		return EBUSY;
	return psync_destroy(b, SOBJ_BARRIER);
}

int pthread_barrier_wait(pthread_barrier_t *b)
{
	if (psync_clustered())
		return psc_barrier_wait(b);
	struct sobj *o = psync_get(*b);
	if (!o || o->kind != SOBJ_BARRIER)
		return EINVAL;
	ulock_lock(olock(o));
	uint32_t gen = o->word;
	if (++o->count == o->total) {
		o->count = 0;
		__atomic_store_n(&o->word, gen + 1, __ATOMIC_RELEASE);
		ulock_unlock(olock(o));
		ksys_futex_wake(&o->word, INT_MAX);
		return PTHREAD_BARRIER_SERIAL_THREAD;
	}
	ulock_unlock(olock(o));
	while (__atomic_load_n(&o->word, __ATOMIC_ACQUIRE) == gen)
		ksys_futex_wait(&o->word, gen, 0);
	return 0;
}

/* ---- spinlocks: the application's word itself (0 free, 1 held) ------------ */

int pthread_spin_init(pthread_spinlock_t *s, int pshared)
{
	(void)pshared;
	__atomic_store_n(s, 0, __ATOMIC_RELEASE);
	return 0;
}

int pthread_spin_destroy(pthread_spinlock_t *s)
{
	return __atomic_load_n(s, __ATOMIC_RELAXED) ? EBUSY : 0;
}

int pthread_spin_lock(pthread_spinlock_t *s)
{
	for (unsigned spins = 0; __atomic_exchange_n(s, 1, __ATOMIC_ACQUIRE);
	     spins++) {
		while (__atomic_load_n(s, __ATOMIC_RELAXED)) {
			__asm__ volatile("pause");
			if (++spins % 4096 == 0)
				ksys_yield(); /* the holder may be preempted */
		}
	}
	return 0;
}

int pthread_spin_trylock(pthread_spinlock_t *s)
{
	return __atomic_exchange_n(s, 1, __ATOMIC_ACQUIRE) ? EBUSY : 0;
}

int pthread_spin_unlock(pthread_spinlock_t *s)
{
	if (!__atomic_load_n(s, __ATOMIC_RELAXED))
		return EPERM;
	__atomic_store_n(s, 0, __ATOMIC_RELEASE);
	return 0;
}
