/*
 * posix/locks.c — the locks newlib asks for (retargetable locking): its
 * static locks (malloc, env, stdio, atexit, ...) and the ones it creates,
 * all recursive-capable, on ulock.
 */
#include <stdlib.h>
#include <sys/lock.h>

#include "posix/posix_impl.h"

struct __lock {
	struct ulock lock;
	uint32_t owner; /* pthread_t of the holder; 0 when free */
	uint32_t depth;
};

struct __lock __lock___sinit_recursive_mutex, __lock___sfp_recursive_mutex,
    __lock___atexit_recursive_mutex, __lock___at_quick_exit_mutex,
    __lock___malloc_recursive_mutex, __lock___env_recursive_mutex,
    __lock___tz_mutex, __lock___dd_hash_mutex, __lock___arc4random_mutex;

static uint32_t me(void)
{
	struct pthread *p = pthread_cur();
	return p ? p->id : 0xffffffffu; /* before threads: the boot context */
}

void __retarget_lock_init(_LOCK_T *l)
{
	*l = calloc(1, sizeof(struct __lock));
}

void __retarget_lock_init_recursive(_LOCK_T *l)
{
	__retarget_lock_init(l);
}

void __retarget_lock_close(_LOCK_T l)
{
	free(l);
}
void __retarget_lock_close_recursive(_LOCK_T l)
{
	free(l);
}

void __retarget_lock_acquire(_LOCK_T l)
{
	ulock_lock(&l->lock);
}

void __retarget_lock_acquire_recursive(_LOCK_T l)
{
	uint32_t self = me();
	if (__atomic_load_n(&l->owner, __ATOMIC_RELAXED) == self) {
		l->depth++;
		return;
	}
	ulock_lock(&l->lock);
	l->owner = self;
	l->depth = 1;
}

int __retarget_lock_try_acquire(_LOCK_T l)
{
	return ulock_trylock(&l->lock);
}

int __retarget_lock_try_acquire_recursive(_LOCK_T l)
{
	uint32_t self = me();
	if (__atomic_load_n(&l->owner, __ATOMIC_RELAXED) == self) {
		l->depth++;
		return 1;
	}
	if (!ulock_trylock(&l->lock))
		return 0;
	l->owner = self;
	l->depth = 1;
	return 1;
}

void __retarget_lock_release(_LOCK_T l)
{
	ulock_unlock(&l->lock);
}

void __retarget_lock_release_recursive(_LOCK_T l)
{
	if (--l->depth == 0) {
		__atomic_store_n(&l->owner, 0, __ATOMIC_RELAXED);
		ulock_unlock(&l->lock);
	}
}
