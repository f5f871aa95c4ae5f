/*
 * posix/psync_cluster.c — mutexes, condition variables, barriers and
 * semaphores and rwlocks when the cluster has more than one node: the application's
 * word holds a handle of the cluster lock service (cluster/csync.c), whose
 * state lives at the handle's home node in kernel memory. The word is
 * written once (init, or a compare-and-swap for a static initialiser) and
 * then only read, so its page stays shared by every node.
 *
 * Results are positive errno values, as the pthread functions return them.
 */
#include <errno.h>
#include <pthread.h>

#include "posix/posix_impl.h"
#include "posix/psync.h"

#define UNRESOLVED 0xFFFFFFFFu

/* The handle in *word, made at first use for a static initialiser. */
static uint32_t resolve(uint32_t *word, int kind)
{
	uint32_t h = __atomic_load_n(word, __ATOMIC_ACQUIRE);
	if (h == UNRESOLVED) {
		uint32_t n;
		int param = kind == KSYS_CS_MUTEX ? PTHREAD_MUTEX_DEFAULT : 0;
		if (ksys_csync_create(kind, param, 0, &n))
			return 0;
		uint32_t exp = UNRESOLVED;
		if (__atomic_compare_exchange_n(word, &exp, n, false,
						__ATOMIC_ACQ_REL,
						__ATOMIC_ACQUIRE)) {
			h = n;
		} else {
			ksys_csync_destroy(n); /* another thread resolved it */
			h = exp;
		}
	}
	return KSYS_CS_IS(h) && KSYS_CS_KIND(h) == kind ? h : 0;
}

int psc_create(uint32_t *word, int kind, int param, uint32_t value)
{
	uint32_t h;
	int rc = ksys_csync_create(kind, param, value, &h);
	if (rc)
		return rc == -ENOMEM ? ENOMEM : EAGAIN;
	__atomic_store_n(word, h, __ATOMIC_RELEASE);
	return 0;
}

int psc_destroy(uint32_t *word, int kind)
{
	uint32_t h = __atomic_load_n(word, __ATOMIC_ACQUIRE);
	if (h == UNRESOLVED) {
		*word = 0;
		return 0;
	}
	if (!KSYS_CS_IS(h) || KSYS_CS_KIND(h) != kind)
		return EINVAL;
	int rc = ksys_csync_destroy(h);
	if (rc)
		return -rc;
	*word = 0;
	return 0;
}

int psc_mutex_lock(uint32_t *m, bool try, int64_t rel_ns)
{
	uint32_t h = resolve(m, KSYS_CS_MUTEX);
	if (!h)
		return EINVAL;
	return -ksys_csync_mutex_lock(h, pthread_cur()->id, try,
				      (uint64_t)rel_ns);
}

int psc_mutex_unlock(uint32_t *m)
{
	uint32_t h = resolve(m, KSYS_CS_MUTEX);
	return h ? -ksys_csync_mutex_unlock(h, pthread_cur()->id) : EINVAL;
}

int psc_cond_wait(uint32_t *c, uint32_t *m, const struct timespec *abs)
{
	uint32_t ch = resolve(c, KSYS_CS_COND), mh = resolve(m, KSYS_CS_MUTEX);
	if (!ch || !mh)
		return EINVAL;
	int64_t rel = 0;
	if (abs) {
		clockid_t clk =
		    KSYS_CS_PARAM(ch) ? CLOCK_MONOTONIC : CLOCK_REALTIME;
		rel = posix_abs_to_rel(clk, abs);
		if (rel < 0)
			return EINVAL;
	}
	struct pthread *self = pthread_cur();
	psync_cond_cancel_point(m);
	const volatile int *stop = self->cancel_state == PTHREAD_CANCEL_ENABLE
				       ? &self->cancel_pending
				       : NULL;
	int rc = -ksys_csync_cond_wait(ch, mh, self->id, (uint64_t)rel, stop);
	psync_cond_cancel_point(m); /* the mutex is held again */
	return rc;
}

int psc_cond_wake(uint32_t *c, bool all)
{
	uint32_t h = resolve(c, KSYS_CS_COND);
	return h ? -ksys_csync_cond_wake(h, all) : EINVAL;
}

int psc_barrier_wait(uint32_t *b)
{
	uint32_t h = resolve(b, KSYS_CS_BARRIER);
	if (!h)
		return EINVAL;
	int rc = ksys_csync_barrier_wait(h);
	return rc < 0 ? -rc : rc ? PTHREAD_BARRIER_SERIAL_THREAD : 0;
}

int psc_sem(uint32_t *s, int op, const struct timespec *abs)
{
	uint32_t h = resolve(s, KSYS_CS_SEM);
	if (!h)
		return -EINVAL;
	int64_t rel = 0;
	if (abs) {
		rel = posix_abs_to_rel(CLOCK_REALTIME, abs);
		if (rel < 0)
			return -EINVAL;
	}
	if (op != KSYS_SEM_WAIT)
		return ksys_csync_sem(h, op, 0, NULL);
	struct pthread *self = pthread_cur();
	posix_testcancel();
	const volatile int *stop = self->cancel_state == PTHREAD_CANCEL_ENABLE
				       ? &self->cancel_pending
				       : NULL;
	int rc;
	for (;;) {
		posix_sig_intr_clear();
		rc = ksys_csync_sem(h, op, (uint64_t)rel, stop);
		if (rc == -ECANCELED)
			posix_testcancel(); /* does not return */
		if (rc != -EINTR)
			return rc;
		/* a signal's trampoline ran: EINTR if a handler did (never
		 * restarted, as Linux), else wait again */
		posix_sig_deliver();
		if (posix_sig_intr())
			return -EINTR;
		if (abs) {
			rel = posix_abs_to_rel(CLOCK_REALTIME, abs);
			if (rel < 0)
				return -EINVAL;
		}
	}
}

int psc_rwlock(uint32_t *l, int op, uint64_t rel_ns)
{
	uint32_t h = resolve(l, KSYS_CS_RWLOCK);
	return h ? -ksys_csync_rwlock(h, op, pthread_cur()->id, rel_ns)
		 : EINVAL;
}
