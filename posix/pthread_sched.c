/*
 * posix/pthread_sched.c — scheduling attributes and parameters of threads,
 * the guard size attribute, pthread_getattr_np and pthread_atfork.
 *
 * SCHED_OTHER (priority 0), SCHED_FIFO and SCHED_RR (1 to 99, the ranges
 * of sched_get_priority_min/max in sysinfo.c) are accepted, kept per
 * thread and reported; the scheduler does not use them: every thread is
 * scheduled alike (the global policy, round robin within a CPU). They
 * matter only to PTHREAD_PRIO_PROTECT mutexes (psync_attr.c), which
 * refuse a thread whose priority is above their ceiling. There is no
 * privilege to check: any thread may take any policy and priority.
 */
#define _GNU_SOURCE /* pthread_getattr_np */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>

#include "posix/posix_impl.h"

/* Guards every struct pthread's sched_policy and sched_prio. */
static struct ulock sched_lock = ULOCK_INIT;

static bool attr_ok(const pthread_attr_t *a)
{
	return a && a->is_initialized;
}

static bool prio_ok(int policy, int prio)
{
	int lo = sched_get_priority_min(policy);
	return lo >= 0 && prio >= lo && prio <= sched_get_priority_max(policy);
}

/* ---- attributes ------------------------------------------------------------ */

/* PTHREAD_SCOPE_PROCESS: ENOTSUP, as glibc (every thread is the system's) */
int pthread_attr_setscope(pthread_attr_t *a, int scope)
{
	if (!attr_ok(a))
		return EINVAL;
	if (scope == PTHREAD_SCOPE_PROCESS)
		return ENOTSUP;
	if (scope != PTHREAD_SCOPE_SYSTEM)
		return EINVAL;
	a->contentionscope = scope;
	return 0;
}

int pthread_attr_getscope(const pthread_attr_t *a, int *scope)
{
	if (!attr_ok(a) || !scope)
		return EINVAL;
	*scope = a->contentionscope;
	return 0;
}

int pthread_attr_setinheritsched(pthread_attr_t *a, int inherit)
{
	if (!attr_ok(a) || (inherit != PTHREAD_INHERIT_SCHED &&
			    inherit != PTHREAD_EXPLICIT_SCHED))
		return EINVAL;
	a->inheritsched = inherit;
	return 0;
}

int pthread_attr_getinheritsched(const pthread_attr_t *a, int *inherit)
{
	if (!attr_ok(a) || !inherit)
		return EINVAL;
	*inherit = a->inheritsched;
	return 0;
}

/* The priority is checked against the policy at pthread_create (glibc). */
int pthread_attr_setschedpolicy(pthread_attr_t *a, int policy)
{
	if (!attr_ok(a) || sched_get_priority_min(policy) < 0)
		return EINVAL;
	a->schedpolicy = policy;
	return 0;
}

int pthread_attr_getschedpolicy(const pthread_attr_t *a, int *policy)
{
	if (!attr_ok(a) || !policy)
		return EINVAL;
	*policy = a->schedpolicy;
	return 0;
}

/* Checked against the attribute's policy now, as glibc. */
int pthread_attr_setschedparam(pthread_attr_t *a, const struct sched_param *p)
{
	if (!attr_ok(a) || !p || !prio_ok(a->schedpolicy, p->sched_priority))
		return EINVAL;
	a->schedparam = *p;
	return 0;
}

int pthread_attr_getschedparam(const pthread_attr_t *a, struct sched_param *p)
{
	if (!attr_ok(a) || !p)
		return EINVAL;
	*p = a->schedparam;
	return 0;
}

/* Kept in cputime_clock_allowed (see pthread_attr_init), an int: a guard
 * of 2 GiB or more is EINVAL. pthread_create rounds it up to pages. */
int pthread_attr_setguardsize(pthread_attr_t *a, size_t g)
{
	if (!attr_ok(a) || g > INT_MAX)
		return EINVAL;
	a->cputime_clock_allowed = (int)g;
	return 0;
}

int pthread_attr_getguardsize(const pthread_attr_t *a, size_t *g)
{
	if (!attr_ok(a) || !g)
		return EINVAL;
	*g = (size_t)a->cputime_clock_allowed;
	return 0;
}

int posix_sched_start(int *policy_out, int *prio_out, const pthread_attr_t *a)
{
	int policy, prio;
	if (a->inheritsched == PTHREAD_EXPLICIT_SCHED) {
		policy = a->schedpolicy;
		prio = a->schedparam.sched_priority;
		if (!prio_ok(policy, prio))
			return EINVAL;
	} else {
		struct pthread *self = pthread_cur();
		ulock_lock(&sched_lock);
		policy = self->sched_policy;
		prio = self->sched_prio;
		ulock_unlock(&sched_lock);
	}
	*policy_out = policy;
	*prio_out = prio;
	return 0;
}

/* ---- a thread's ---------------------------------------------------------- */

/* A thread that has ended but is not joined yet still counts (POSIX). */
static struct pthread *live(pthread_t id)
{
	return posix_thread_started(id); /* its TCB built */
}

int pthread_getschedparam(pthread_t id, int *policy, struct sched_param *sp)
{
	struct pthread *p = live(id);
	if (!p)
		return ESRCH;
	if (!policy || !sp)
		return EINVAL;
	ulock_lock(&sched_lock);
	*policy = p->sched_policy;
	sp->sched_priority = p->sched_prio;
	ulock_unlock(&sched_lock);
	return 0;
}

int pthread_setschedparam(pthread_t id, int policy,
			  const struct sched_param *sp)
{
	struct pthread *p = live(id);
	if (!p)
		return ESRCH;
	if (!sp || !prio_ok(policy, sp->sched_priority))
		return EINVAL;
	ulock_lock(&sched_lock);
	p->sched_policy = policy;
	p->sched_prio = sp->sched_priority;
	ulock_unlock(&sched_lock);
	return 0;
}

int pthread_setschedprio(pthread_t id, int prio)
{
	struct pthread *p = live(id);
	if (!p)
		return ESRCH;
	int rc = 0;
	ulock_lock(&sched_lock);
	if (prio_ok(p->sched_policy, prio))
		p->sched_prio = prio;
	else
		rc = EINVAL;
	ulock_unlock(&sched_lock);
	return rc;
}

/* The attributes of a live thread (the main one too): its stack (lowest
 * usable address and size), guard, detach state and scheduling. `a` need
 * not be initialised; pthread_attr_destroy it after, as glibc says. */
int pthread_getattr_np(pthread_t id, pthread_attr_t *a)
{
	struct pthread *p = live(id);
	if (!p)
		return ESRCH;
	if (!a)
		return EINVAL;
	pthread_attr_init(a);
	a->stackaddr = (void *)(p->stack_base + p->guard_size);
	a->stacksize = (int)p->stack_size;
	a->cputime_clock_allowed = (int)p->guard_size;
	a->detachstate = posix_thread_detached(id) ? PTHREAD_CREATE_DETACHED
						   : PTHREAD_CREATE_JOINABLE;
	ulock_lock(&sched_lock);
	a->schedpolicy = p->sched_policy;
	a->schedparam.sched_priority = p->sched_prio;
	ulock_unlock(&sched_lock);
	return 0;
}

/* ---- fork handlers ----------------------------------------------------- */

/* fork is ENOSYS: the handlers are registered (up to ATFORK_MAX, ENOMEM
 * after, as glibc when out of memory) and never run. */
#define ATFORK_MAX 64
static struct ulock atfork_lock = ULOCK_INIT;
static struct {
	void (*prepare)(void), (*parent)(void), (*child)(void);
} atfork[ATFORK_MAX]; /* (atfork_lock) */
static int nr_atfork; /* (atfork_lock) */

int pthread_atfork(void (*prepare)(void), void (*parent)(void),
		   void (*child)(void))
{
	int rc = ENOMEM;
	ulock_lock(&atfork_lock);
	if (nr_atfork < ATFORK_MAX) {
		atfork[nr_atfork].prepare = prepare;
		atfork[nr_atfork].parent = parent;
		atfork[nr_atfork].child = child;
		nr_atfork++;
		rc = 0;
	}
	ulock_unlock(&atfork_lock);
	return rc;
}
