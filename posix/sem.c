/*
 * posix/sem.c — unnamed and named semaphores. Named ones live in an
 * in-memory table (there is one process: names need no file system).
 * With more than one node, a semaphore's value and waiters live at its
 * home in the cluster lock service (posix/psync_cluster.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <semaphore.h>
#include <stdarg.h>
#include <string.h>

#include "posix/posix_impl.h"
#include "posix/psync.h"

#define NAMED_MAX    64
#define NAME_MAX_LEN 64

static struct ulock named_lock = ULOCK_INIT;
static struct named {
	char name[NAME_MAX_LEN];
	sem_t sem;
	int opens;
	bool used, unlinked;
} named[NAMED_MAX]; /* (named_lock) */

static struct sobj *sem_obj(sem_t *s)
{
	struct sobj *o = psync_get(s->__handle);
	return o && o->kind == SOBJ_SEM ? o : NULL;
}

int sem_init(sem_t *s, int pshared, unsigned value)
{
	(void)pshared;
	if (value > SEM_VALUE_MAX) {
		errno = EINVAL;
		return -1;
	}
	if (psync_clustered()) {
		int rc = psc_create(&s->__handle, KSYS_CS_SEM, 0, value);
		if (rc) {
			errno = rc;
			return -1;
		}
		return 0;
	}
	struct sobj *o;
	int rc = psync_create(&s->__handle, SOBJ_SEM, &o);
	if (rc) {
		errno = rc;
		return -1;
	}
	o->word = value;
	return 0;
}

int sem_destroy(sem_t *s)
{
	if (psync_clustered()) {
		int rc = psc_destroy(&s->__handle, KSYS_CS_SEM);
		if (rc) {
			errno = rc;
			return -1;
		}
		return 0;
	}
	struct sobj *o = sem_obj(s);
	if (!o) {
		errno = EINVAL;
		return -1;
	}
	if (o->waiters) {
		errno = EBUSY;
		return -1;
	}
	psync_destroy(&s->__handle, SOBJ_SEM);
	return 0;
}

/* With more than one node: the lock service; -1 and errno on failure. */
static int sem_cluster(sem_t *s, int op, const struct timespec *abs)
{
	int rc = psc_sem(&s->__handle, op, abs);
	if (rc < 0) {
		errno = -rc;
		return -1;
	}
	return rc;
}

static int sem_down(sem_t *s, bool try, const struct timespec *abs)
{
	if (psync_clustered()) {
		/* POSIX: a deadline, even a past one, matters only when the
		 * call would block; the home times a wait out at once. */
		if (abs && !try) {
			int rc = sem_cluster(s, KSYS_SEM_TRYWAIT, NULL);
			if (rc == 0 || errno != EAGAIN)
				return rc;
		}
		return sem_cluster(s, try ? KSYS_SEM_TRYWAIT : KSYS_SEM_WAIT,
				   abs);
	}
	struct sobj *o = sem_obj(s);
	if (!o) {
		errno = EINVAL;
		return -1;
	}
	uint64_t deadline = 0;
	for (;;) {
		uint32_t v = __atomic_load_n(&o->word, __ATOMIC_ACQUIRE);
		if (v > 0) {
			if (__atomic_compare_exchange_n(&o->word, &v, v - 1,
							false, __ATOMIC_ACQUIRE,
							__ATOMIC_RELAXED))
				return 0;
			continue;
		}
		if (try) {
			errno = EAGAIN;
			return -1;
		}
		if (abs && !deadline) {
			int64_t rel = posix_abs_to_rel(CLOCK_REALTIME, abs);
			if (rel < 0) {
				errno = EINVAL;
				return -1;
			}
			deadline = ksys_clock_ns() + (uint64_t)rel;
		}
		uint64_t left = 0;
		if (deadline) {
			uint64_t now = ksys_clock_ns();
			if (now >= deadline) {
				errno = ETIMEDOUT;
				return -1;
			}
			left = deadline - now;
		}
		posix_testcancel();
		__atomic_fetch_add(&o->waiters, 1, __ATOMIC_RELAXED);
		pthread_cur()->wait_word = &o->word;
		posix_sig_intr_clear();
		ksys_futex_wait(&o->word, 0, left);
		pthread_cur()->wait_word = NULL;
		__atomic_fetch_sub(&o->waiters, 1, __ATOMIC_RELAXED);
		posix_testcancel();
		posix_sig_deliver();
		if (posix_sig_intr()) { /* never restarted (as Linux) */
			errno = EINTR;
			return -1;
		}
	}
}

int sem_wait(sem_t *s)
{
	return sem_down(s, false, NULL);
}
int sem_trywait(sem_t *s)
{
	return sem_down(s, true, NULL);
}

int sem_timedwait(sem_t *s, const struct timespec *abs)
{
	if (!abs) {
		errno = EINVAL;
		return -1;
	}
	return sem_down(s, false, abs);
}

int sem_post(sem_t *s)
{
	if (psync_clustered())
		return sem_cluster(s, KSYS_SEM_POST, NULL);
	struct sobj *o = sem_obj(s);
	if (!o) {
		errno = EINVAL;
		return -1;
	}
	for (;;) {
		uint32_t v = __atomic_load_n(&o->word, __ATOMIC_RELAXED);
		if (v >= SEM_VALUE_MAX) {
			errno = EOVERFLOW;
			return -1;
		}
		if (__atomic_compare_exchange_n(&o->word, &v, v + 1, false,
						__ATOMIC_RELEASE,
						__ATOMIC_RELAXED))
			break;
	}
	if (__atomic_load_n(&o->waiters, __ATOMIC_RELAXED))
		ksys_futex_wake(&o->word, 1);
	return 0;
}

int sem_getvalue(sem_t *s, int *value)
{
	if (psync_clustered()) {
		int v = sem_cluster(s, KSYS_SEM_VALUE, NULL);
		if (v < 0)
			return -1;
		*value = v;
		return 0;
	}
	struct sobj *o = sem_obj(s);
	if (!o) {
		errno = EINVAL;
		return -1;
	}
	*value = (int)__atomic_load_n(&o->word, __ATOMIC_RELAXED);
	return 0;
}

static bool valid_name(const char *name)
{
	size_t n = strlen(name);
	return name[0] == '/' && n > 1 && n < NAME_MAX_LEN &&
	       !strchr(name + 1, '/');
}

sem_t *sem_open(const char *name, int oflag, ...)
{
	unsigned value = 0;
	if (oflag & O_CREAT) {
		va_list ap;
		va_start(ap, oflag);
		(void)va_arg(ap, int); /* mode: no permissions in one process */
		value = va_arg(ap, unsigned);
		va_end(ap);
	}
	if (!valid_name(name)) {
		errno = strlen(name) >= NAME_MAX_LEN ? ENAMETOOLONG : EINVAL;
		return SEM_FAILED;
	}
	if ((oflag & O_CREAT) && value > SEM_VALUE_MAX) {
		errno = EINVAL;
		return SEM_FAILED;
	}
	ulock_lock(&named_lock);
	struct named *slot = NULL, *hit = NULL;
	for (int i = 0; i < NAMED_MAX; i++) {
		if (named[i].used && !named[i].unlinked &&
		    !strcmp(named[i].name, name))
			hit = &named[i];
		else if (!named[i].used && !slot)
			slot = &named[i];
	}
	sem_t *res = SEM_FAILED;
	if (hit) {
		if ((oflag & O_CREAT) && (oflag & O_EXCL)) {
			errno = EEXIST;
		} else {
			hit->opens++;
			res = &hit->sem;
		}
	} else if (!(oflag & O_CREAT)) {
		errno = ENOENT;
	} else if (!slot) {
		errno = ENFILE;
	} else if (sem_init(&slot->sem, 0, value) == 0) {
		strcpy(slot->name, name);
		slot->used = true;
		slot->unlinked = false;
		slot->opens = 1;
		res = &slot->sem;
	}
	ulock_unlock(&named_lock);
	return res;
}

int sem_close(sem_t *s)
{
	ulock_lock(&named_lock);
	for (int i = 0; i < NAMED_MAX; i++) {
		struct named *n = &named[i];
		if (n->used && &n->sem == s) {
			if (--n->opens == 0 && n->unlinked) {
				sem_destroy(&n->sem);
				n->used = false;
			}
			ulock_unlock(&named_lock);
			return 0;
		}
	}
	ulock_unlock(&named_lock);
	errno = EINVAL;
	return -1;
}

int sem_unlink(const char *name)
{
	ulock_lock(&named_lock);
	for (int i = 0; i < NAMED_MAX; i++) {
		struct named *n = &named[i];
		if (n->used && !n->unlinked && !strcmp(n->name, name)) {
			n->unlinked = true;
			if (n->opens == 0) {
				sem_destroy(&n->sem);
				n->used = false;
			}
			ulock_unlock(&named_lock);
			return 0;
		}
	}
	ulock_unlock(&named_lock);
	errno = ENOENT;
	return -1;
}
