/*
 * posix/pthread.c — threads: create, join, detach, exit, self, equal,
 * attributes, once, keys, cancellation with cleanup handlers.
 *
 * A thread's stack (with a guard below it) and its TLS block live in the
 * global address space; the kernel thread that runs it is detached and
 * knows nothing of joins: a joiner waits on the `state` futex word.
 * The table maps pthread_t (an index, cluster-wide once there are nodes)
 * to threads; table_lock guards it and the detached/joined flags.
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "posix/heap.h"
#include "posix/posix_impl.h"

static struct ulock table_lock = ULOCK_INIT;
static struct pthread *table[POSIX_MAX_THREADS]; /* (table_lock) */
static uint32_t next_slot = 1; /* (table_lock) slot 0 is never used */

static struct ulock key_lock = ULOCK_INIT;
static void (*key_dtor[POSIX_KEYS_MAX])(void *); /* (key_lock) */
static bool key_used[POSIX_KEYS_MAX];		 /* (key_lock) */

#define MAX_NODES 64
static struct ulock stack_lock = ULOCK_INIT;
/* (stack_lock) per node: a bump pointer in that node's stack region (the
 * stack's pages then have their home where the thread runs) */
static uintptr_t stack_next[MAX_NODES];
static uintptr_t stack_end[MAX_NODES];
struct free_stack {
	uintptr_t base;
	size_t size;
	int node;
};
#define MAX_FREE_STACKS 256
static struct free_stack free_stacks[MAX_FREE_STACKS]; /* (stack_lock) */
static int nr_free_stacks;			       /* (stack_lock) */

struct pthread *posix_thread_lookup(pthread_t id)
{
	if (id == 0 || id >= POSIX_MAX_THREADS)
		return NULL;
	return __atomic_load_n(&table[id], __ATOMIC_ACQUIRE);
}

static int table_insert(struct pthread *p)
{
	ulock_lock(&table_lock);
	for (uint32_t n = 0; n < POSIX_MAX_THREADS - 1; n++) {
		uint32_t i = next_slot;
		next_slot =
		    next_slot + 1 < POSIX_MAX_THREADS ? next_slot + 1 : 1;
		if (!table[i]) {
			p->id = i;
			__atomic_store_n(&table[i], p, __ATOMIC_RELEASE);
			ulock_unlock(&table_lock);
			return 0;
		}
	}
	ulock_unlock(&table_lock);
	return EAGAIN;
}

/* ---- stacks ------------------------------------------------------------ */

static size_t round_page(size_t v)
{
	return (v + 4095) & ~(size_t)4095;
}

static uintptr_t stack_alloc(size_t size, size_t guard, int node)
{
	size_t span = size + guard;
	uintptr_t base = 0;
	if (node < 0 || node >= MAX_NODES)
		node = 0;
	ulock_lock(&stack_lock);
	if (!stack_end[node]) {
		size_t len;
		ksys_stack_region_of(node, &stack_next[node], &len);
		stack_end[node] = stack_next[node] + len;
	}
	for (int i = 0; i < nr_free_stacks; i++)
		if (free_stacks[i].size == span &&
		    free_stacks[i].node == node) {
			base = free_stacks[i].base;
			free_stacks[i] = free_stacks[--nr_free_stacks];
			break;
		}
	if (!base && stack_next[node] + span <= stack_end[node]) {
		base = stack_next[node];
		stack_next[node] += span;
	}
	ulock_unlock(&stack_lock);
	if (base && guard && ksys_guard_add(base, guard)) {
		/* too many guards: keep the stack, lose the guard */
	}
	return base;
}

static void stack_free(uintptr_t base, size_t size, size_t guard, int node)
{
	size_t span = size + guard;
	if (guard)
		ksys_guard_remove(base);
	ksys_release(base + guard, size); /* frames back to the node */
	ulock_lock(&stack_lock);
	if (nr_free_stacks < MAX_FREE_STACKS)
		free_stacks[nr_free_stacks++] =
		    (struct free_stack){base, span, node};
	ulock_unlock(&stack_lock);
}

/* ---- attributes ---------------------------------------------------------- */

/* newlib's pthread_attr_t has no guard size: it is kept in
 * cputime_clock_allowed, a field of a draft standard nothing reads
 * (pthread_sched.c has the guard size accessors). */
int pthread_attr_init(pthread_attr_t *a)
{
	if (!a)
		return EINVAL;
	memset(a, 0, sizeof(*a)); /* SCHED_OTHER, priority 0 */
	a->is_initialized = 1;
	a->stacksize = posix_default_stack(); /* RLIMIT_STACK */
	a->detachstate = PTHREAD_CREATE_JOINABLE;
	a->contentionscope = PTHREAD_SCOPE_SYSTEM;
	a->inheritsched = PTHREAD_INHERIT_SCHED;
	a->cputime_clock_allowed = POSIX_GUARD;
	return 0;
}

int pthread_attr_destroy(pthread_attr_t *a)
{
	if (!a || !a->is_initialized)
		return EINVAL;
	a->is_initialized = 0;
	return 0;
}

int pthread_attr_setdetachstate(pthread_attr_t *a, int s)
{
	if (!a->is_initialized ||
	    (s != PTHREAD_CREATE_JOINABLE && s != PTHREAD_CREATE_DETACHED))
		return EINVAL;
	a->detachstate = s;
	return 0;
}

int pthread_attr_getdetachstate(const pthread_attr_t *a, int *s)
{
	if (!a->is_initialized)
		return EINVAL;
	*s = a->detachstate;
	return 0;
}

int pthread_attr_setstacksize(pthread_attr_t *a, size_t size)
{
	/* newlib's stacksize is an int: 2 GiB or more is over the limit */
	if (!a->is_initialized || size < PTHREAD_STACK_MIN || size > INT_MAX)
		return EINVAL;
	a->stacksize = (int)size;
	return 0;
}

int pthread_attr_getstacksize(const pthread_attr_t *a, size_t *size)
{
	if (!a->is_initialized)
		return EINVAL;
	*size = a->stacksize;
	return 0;
}

int pthread_attr_setstack(pthread_attr_t *a, void *addr, size_t size)
{
	if (!a->is_initialized || size < PTHREAD_STACK_MIN || size > INT_MAX ||
	    !addr)
		return EINVAL;
	a->stackaddr = addr;
	a->stacksize = (int)size;
	return 0;
}

int pthread_attr_getstack(const pthread_attr_t *a, void **addr, size_t *size)
{
	if (!a->is_initialized)
		return EINVAL;
	*addr = a->stackaddr;
	*size = a->stacksize;
	return 0;
}

int pthread_attr_setstackaddr(pthread_attr_t *a, void *addr)
{
	if (!a->is_initialized)
		return EINVAL;
	a->stackaddr = addr;
	return 0;
}

int pthread_attr_getstackaddr(const pthread_attr_t *a, void **addr)
{
	if (!a->is_initialized)
		return EINVAL;
	*addr = a->stackaddr;
	return 0;
}

/* ---- life cycle ---------------------------------------------------------- */

static void thread_free(struct pthread *p)
{
	ulock_lock(&table_lock);
	__atomic_store_n(&table[p->id], NULL, __ATOMIC_RELEASE);
	ulock_unlock(&table_lock);
	if (p->own_stack)
		stack_free(p->stack_base, p->stack_size, p->guard_size,
			   p->node);
	posix_tls_free(p);
}

/* The last code a thread runs on its own stack, before the kernel thread
 * ends: a detached thread is reaped by nobody, so it frees itself from the
 * kernel stack side (ksys_thread_exit) — which it cannot do while still on
 * its stack; so detached threads park their state for the next creator. */
static struct ulock zombie_lock = ULOCK_INIT;
static struct pthread *zombies[64]; /* (zombie_lock) exited, detached */
static int nr_zombies;		    /* (zombie_lock) */

static void reap_zombies(void)
{
	struct pthread *batch[64];
	int n = 0;
	ulock_lock(&zombie_lock);
	for (int i = 0; i < nr_zombies;) {
		struct pthread *z = zombies[i];
		/* PT_EXITED is published from the kernel stack: safe to free */
		if (__atomic_load_n(&z->state, __ATOMIC_ACQUIRE) == PT_EXITED) {
			batch[n++] = z;
			zombies[i] = zombies[--nr_zombies];
		} else {
			i++;
		}
	}
	ulock_unlock(&zombie_lock);
	for (int i = 0; i < n; i++)
		thread_free(batch[i]);
}

static uint32_t live_threads = 1; /* (a) the main thread counts */

static void thread_finish(struct pthread *self) __attribute__((noreturn));
static void thread_finish(struct pthread *self)
{
	posix_keys_run_destructors(self);
	posix_robust_exit(self);    /* after destructors: they may lock */
	posix_malloc_thread_exit(); /* give the thread cache back */
	/* POSIX: the process ends, status 0, when its last thread does */
	if (__atomic_sub_fetch(&live_threads, 1, __ATOMIC_ACQ_REL) == 0)
		exit(0);
	ulock_lock(&table_lock);
	bool detached = self->detached;
	ulock_unlock(&table_lock);
	if (detached) {
		for (;;) {
			ulock_lock(&zombie_lock);
			if (nr_zombies < 64) {
				zombies[nr_zombies++] = self;
				ulock_unlock(&zombie_lock);
				break;
			}
			ulock_unlock(&zombie_lock);
			reap_zombies();
		}
	}
	/* After this store a joiner may free our stack and TLS: the kernel
	 * publishes it for us once we are off this stack. */
	ksys_thread_exit_publish(&self->state, PT_EXITED);
}

void pthread_exit(void *value)
{
	struct pthread *self = pthread_cur();
	self->retval = value;
	self->cancel_state = PTHREAD_CANCEL_DISABLE;
	while (self->cleanup) {
		struct _pthread_cleanup_context *c = self->cleanup;
		self->cleanup = c->_previous;
		c->_routine(c->_arg);
	}
	thread_finish(self);
}

static void thread_start(void *arg)
{
	struct pthread *self = arg;
	ksys_set_thread_ptr(self, self->id);
	pthread_exit(self->start(self->arg));
}

int pthread_create(pthread_t *out, const pthread_attr_t *attr,
		   void *(*start)(void *), void *arg)
{
	pthread_attr_t def;
	if (!attr) {
		pthread_attr_init(&def);
		attr = &def;
	} else if (!attr->is_initialized) {
		return EINVAL;
	}
	reap_zombies();
	struct pthread *p = posix_tls_alloc();
	if (!p)
		return EAGAIN;
	p->start = start;
	p->arg = arg;
	p->state = PT_RUNNING;
	p->detached = attr->detachstate == PTHREAD_CREATE_DETACHED;
	p->cancel_state = PTHREAD_CANCEL_ENABLE;
	p->cancel_type = PTHREAD_CANCEL_DEFERRED;
	posix_thread_name_inherit(p, pthread_cur());
	int rc = posix_sched_start(p, attr);
	if (rc) {
		posix_tls_free(p);
		return rc;
	}
	p->node = ksys_thread_place(); /* sched.policy picks the node */
	uintptr_t top;
	if (attr->stackaddr) {
		p->stack_base = (uintptr_t)attr->stackaddr;
		p->stack_size = attr->stacksize;
		top = (uintptr_t)attr->stackaddr + attr->stacksize;
		p->own_stack = false;
	} else {
		p->stack_size = round_page(attr->stacksize);
		p->guard_size = round_page(attr->cputime_clock_allowed);
		p->stack_base =
		    stack_alloc(p->stack_size, p->guard_size, p->node);
		if (!p->stack_base) {
			posix_tls_free(p);
			return EAGAIN;
		}
		p->own_stack = true;
		top = p->stack_base + p->guard_size + p->stack_size;
	}
	rc = table_insert(p);
	if (rc) {
		if (p->own_stack)
			stack_free(p->stack_base, p->stack_size, p->guard_size,
				   p->node);
		posix_tls_free(p);
		return rc;
	}
	*out = p->id;
	__atomic_add_fetch(&live_threads, 1, __ATOMIC_ACQ_REL);
	rc = ksys_thread_spawn_on(p->node, thread_start, p,
				  top & ~(uintptr_t)15, (uintptr_t)p);
	if (rc) {
		__atomic_sub_fetch(&live_threads, 1, __ATOMIC_ACQ_REL);
		thread_free(p);
		return EAGAIN;
	}
	return 0;
}

int posix_main_stack(struct pthread *p, size_t size, uintptr_t *top)
{
	p->stack_size = round_page(size);
	p->guard_size = POSIX_GUARD;
	p->stack_base = stack_alloc(p->stack_size, p->guard_size, p->node);
	if (!p->stack_base)
		return EAGAIN;
	p->own_stack = true;
	*top = (p->stack_base + p->guard_size + p->stack_size) & ~(uintptr_t)15;
	return table_insert(p);
}

int pthread_join(pthread_t id, void **value)
{
	struct pthread *self = pthread_cur(), *p = posix_thread_lookup(id);
	if (!p)
		return ESRCH;
	if (p == self)
		return EDEADLK;
	ulock_lock(&table_lock);
	if (p->detached || p->joined) {
		ulock_unlock(&table_lock);
		return EINVAL;
	}
	p->joined = 1;
	ulock_unlock(&table_lock);
	for (;;) {
		uint32_t s = __atomic_load_n(&p->state, __ATOMIC_ACQUIRE);
		if (s == PT_EXITED)
			break;
		self->wait_word = &p->state;
		posix_testcancel();
		ksys_futex_wait(&p->state, s, 0);
		self->wait_word = NULL;
	}
	if (value)
		*value = p->retval;
	thread_free(p);
	return 0;
}

int pthread_detach(pthread_t id)
{
	struct pthread *p = posix_thread_lookup(id);
	if (!p)
		return ESRCH;
	ulock_lock(&table_lock);
	if (p->detached || p->joined) {
		ulock_unlock(&table_lock);
		return EINVAL;
	}
	p->detached = 1;
	bool exited = __atomic_load_n(&p->state, __ATOMIC_ACQUIRE) == PT_EXITED;
	if (exited)
		p->joined = 1; /* we reap it now */
	ulock_unlock(&table_lock);
	if (exited)
		thread_free(p);
	return 0;
}

pthread_t pthread_self(void)
{
	return pthread_cur()->id;
}

int pthread_equal(pthread_t a, pthread_t b)
{
	return a == b;
}

int pthread_once(pthread_once_t *once, void (*fn)(void))
{
	/* init_executed: 0 not run, 1 running, 2 done (futex on it) */
	uint32_t *w = (uint32_t *)&once->init_executed;
	if (__atomic_load_n(w, __ATOMIC_ACQUIRE) == 2)
		return 0;
	uint32_t zero = 0;
	if (__atomic_compare_exchange_n(w, &zero, 1, false, __ATOMIC_ACQ_REL,
					__ATOMIC_ACQUIRE)) {
		fn();
		__atomic_store_n(w, 2, __ATOMIC_RELEASE);
		ksys_futex_wake(w, INT_MAX);
		return 0;
	}
	while (__atomic_load_n(w, __ATOMIC_ACQUIRE) == 1)
		ksys_futex_wait(w, 1, 0);
	return 0;
}

/* ---- keys ---------------------------------------------------------------- */

int pthread_key_create(pthread_key_t *key, void (*dtor)(void *))
{
	ulock_lock(&key_lock);
	for (int i = 0; i < POSIX_KEYS_MAX; i++) {
		if (!key_used[i]) {
			key_used[i] = true;
			key_dtor[i] = dtor;
			ulock_unlock(&key_lock);
			*key = i;
			return 0;
		}
	}
	ulock_unlock(&key_lock);
	return EAGAIN;
}

int pthread_key_delete(pthread_key_t key)
{
	if (key >= POSIX_KEYS_MAX)
		return EINVAL;
	ulock_lock(&key_lock);
	bool was = key_used[key];
	key_used[key] = false;
	key_dtor[key] = NULL;
	ulock_unlock(&key_lock);
	return was ? 0 : EINVAL;
}

int pthread_setspecific(pthread_key_t key, const void *value)
{
	if (key >= POSIX_KEYS_MAX || !key_used[key])
		return EINVAL;
	pthread_cur()->keys[key] = (void *)value;
	return 0;
}

void *pthread_getspecific(pthread_key_t key)
{
	if (key >= POSIX_KEYS_MAX)
		return NULL;
	return pthread_cur()->keys[key];
}

void posix_keys_run_destructors(struct pthread *self)
{
	for (int round = 0; round < POSIX_DESTRUCTOR_ITERATIONS; round++) {
		bool any = false;
		for (int i = 0; i < POSIX_KEYS_MAX; i++) {
			void *v = self->keys[i];
			void (*d)(void *) = key_used[i] ? key_dtor[i] : NULL;
			if (v && d) {
				self->keys[i] = NULL;
				d(v);
				any = true;
			}
		}
		if (!any)
			break;
	}
}

/* ---- cancellation (deferred) --------------------------------------------- */

int pthread_cancel(pthread_t id)
{
	struct pthread *p = posix_thread_lookup(id);
	if (!p)
		return ESRCH;
	p->cancel_pending = 1;
	uint32_t *w = __atomic_load_n(&p->wait_word, __ATOMIC_ACQUIRE);
	if (w)
		ksys_futex_wake(
		    w, INT_MAX); /* let it reach a cancellation point */
	return 0;
}

int pthread_setcancelstate(int state, int *old)
{
	if (state != PTHREAD_CANCEL_ENABLE && state != PTHREAD_CANCEL_DISABLE)
		return EINVAL;
	struct pthread *self = pthread_cur();
	if (old)
		*old = self->cancel_state;
	self->cancel_state = state;
	return 0;
}

int pthread_setcanceltype(int type, int *old)
{
	if (type != PTHREAD_CANCEL_DEFERRED &&
	    type != PTHREAD_CANCEL_ASYNCHRONOUS)
		return EINVAL;
	struct pthread *self = pthread_cur();
	if (old)
		*old = self->cancel_type;
	self->cancel_type = type; /* asynchronous acts at the next point too */
	return 0;
}

void posix_testcancel(void)
{
	struct pthread *self = pthread_cur();
	if (self->cancel_pending && self->cancel_state == PTHREAD_CANCEL_ENABLE)
		pthread_exit(PTHREAD_CANCELED);
}

void pthread_testcancel(void)
{
	posix_testcancel();
}

void _pthread_cleanup_push(struct _pthread_cleanup_context *ctx,
			   void (*fn)(void *), void *arg)
{
	struct pthread *self = pthread_cur();
	ctx->_routine = fn;
	ctx->_arg = arg;
	ctx->_canceltype = self->cancel_type;
	ctx->_previous = self->cleanup;
	self->cleanup = ctx;
}

void _pthread_cleanup_pop(struct _pthread_cleanup_context *ctx, int execute)
{
	struct pthread *self = pthread_cur();
	if (self->cleanup != ctx)
		return; /* unbalanced push/pop: ignore rather than corrupt */
	self->cleanup = ctx->_previous;
	if (execute)
		ctx->_routine(ctx->_arg);
}

int pthread_setconcurrency(int level)
{
	return level < 0 ? EINVAL : 0;
}
int pthread_getconcurrency(void)
{
	return 0;
}
