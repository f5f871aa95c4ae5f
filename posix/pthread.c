/*
 * posix/pthread.c — threads: create, join, detach, exit, self, equal,
 * attributes, once, keys, cancellation with cleanup handlers.
 *
 * A thread's stack (with a guard below it) and, right above the stack, its
 * TLS block with the TCB live in the global address space, in the stack
 * region of the node it is placed on (their pages have their home there).
 * The creator writes none of it: the start record travels with the
 * spawn request (ksys_thread_spawn_on) and the thread builds its TCB
 * itself. The kernel thread that runs it is detached and knows nothing of
 * joins: an ended thread leaves an exit note with its result on its
 * creator's node (kernel/exit_note.h), where the joiner usually is, and
 * first publishes its end in its state word (a token of its creation's
 * serial) for a joiner elsewhere. So a
 * thread made on another node costs its creator's node no page fault from
 * create to join.
 *
 * The table maps pthread_t (an index, cluster-wide once there are nodes)
 * to threads and holds what the creator and a joiner need (stack, serial,
 * flags): tab.lock guards it. The program's threads are counted without a
 * shared counter (see live_* below).
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "posix/heap.h"
#include "posix/posix_impl.h"

#define MAX_NODES 64

/* A slot of the thread table. */
struct tent {
	struct pthread *p;    /* the thread's TCB; NULL: the slot is free */
	uint64_t serial;      /* the creation (its exit note's key) */
	uint8_t *block;	      /* the TLS block when malloc'd (a user's stack) */
	uintptr_t stack_base; /* own stack: [base, base + span) with its */
	size_t span;	      /* guard and TLS block; span 0: the user's */
	size_t guard;	      /* the guard's bytes at base (0: none) */
	int16_t node;	      /* where it was started */
	int16_t creator;      /* where its exit note goes; -1: none (main) */
	uint8_t detached, joined;
};

/* Written by the creating and joining nodes only, on pages of their own
 * (never shared with the keys, which every exiting thread reads). */
static struct {
	struct ulock lock;
	uint32_t next_slot;  /* (lock) slot 0 is never used */
	uint64_t serial;     /* (lock) last creation's */
	uint32_t nr_zombies; /* (lock) */
	/* (lock) detached threads not yet reaped (slots) */
	uint32_t zombies[POSIX_MAX_THREADS];
	struct tent slot[POSIX_MAX_THREADS]; /* (lock) */
} tab __attribute__((aligned(4096))) = {ULOCK_INIT, 1, 0, 0, {0}, {{0}}};

static struct {
	struct ulock lock;
	void (*dtor[POSIX_KEYS_MAX])(void *); /* (lock) */
	bool used[POSIX_KEYS_MAX];	      /* (lock) */
} keys __attribute__((aligned(4096))) = {ULOCK_INIT, {0}, {0}};

static struct ulock stack_lock = ULOCK_INIT;
/* (stack_lock) per node: a bump pointer in that node's stack region (the
 * stack's pages then have their home where the thread runs) */
static uintptr_t stack_next[MAX_NODES];
static uintptr_t stack_end[MAX_NODES];
struct free_stack {
	uintptr_t base;
	size_t span;
	int node;
};
#define MAX_FREE_STACKS 256
static struct free_stack free_stacks[MAX_FREE_STACKS]; /* (stack_lock) */
static int nr_free_stacks;			       /* (stack_lock) */

struct pthread *posix_thread_lookup(pthread_t id)
{
	if (id == 0 || id >= POSIX_MAX_THREADS)
		return NULL;
	return __atomic_load_n(&tab.slot[id].p, __ATOMIC_ACQUIRE);
}

/* What a thread's state word holds once it has ended: its creation's
 * serial, so that the word of a reused stack, before the new thread has
 * written its own, is not taken for the new thread's end (PT_RUNNING has
 * no high bit). */
static uint32_t exit_token(uint64_t serial)
{
	return (uint32_t)serial | 0x80000000u;
}

/* A free slot for e (p set), its serial given (*serial): the slot's index
 * or 0. */
static uint32_t table_insert(const struct tent *e, uint64_t *serial)
{
	ulock_lock(&tab.lock);
	for (uint32_t n = 0; n < POSIX_MAX_THREADS - 1; n++) {
		uint32_t i = tab.next_slot;
		tab.next_slot = i + 1 < POSIX_MAX_THREADS ? i + 1 : 1;
		if (!tab.slot[i].p) {
			tab.slot[i] = *e;
			tab.slot[i].serial = *serial = ++tab.serial;
			if (e->detached)
				tab.zombies[tab.nr_zombies++] = i;
			ulock_unlock(&tab.lock);
			return i;
		}
	}
	ulock_unlock(&tab.lock);
	return 0;
}

/* ---- stacks ------------------------------------------------------------ */

static size_t round_page(size_t v)
{
	return (v + 4095) & ~(size_t)4095;
}

/* span: the guard included */
static uintptr_t stack_alloc(size_t span, size_t guard, int node)
{
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
		if (free_stacks[i].span == span &&
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

static void stack_free(uintptr_t base, size_t span, size_t guard, int node)
{
	if (guard)
		ksys_guard_remove(base);
	/* A kept stack keeps its pages: the next thread given it runs on
	 * the same node (their home) and overwrites what it uses. */
	ulock_lock(&stack_lock);
	bool kept = nr_free_stacks < MAX_FREE_STACKS;
	if (kept)
		free_stacks[nr_free_stacks++] =
		    (struct free_stack){base, span, node};
	ulock_unlock(&stack_lock);
	if (!kept)
		ksys_release(base + guard, span - guard);
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

/* What a new thread needs from its creator: copied with the spawn request
 * to the top of the new thread's own stack (kernel/ksys.h). */
struct start_rec {
	void *(*start)(void *);
	void *arg;
	uint8_t *block; /* its TLS block, TCB at block + tcb_off */
	uint64_t serial;
	uintptr_t stack_base; /* the user's when guard is 0 */
	size_t stack_size, guard;
	bool own_stack;
	uint32_t id, tcb_off;
	int16_t node, creator;
	int sched_policy, sched_prio;
	char name[POSIX_THREAD_NAME];
	uint64_t sig_mask; /* the creator's */
};
_Static_assert(sizeof(struct start_rec) <= KSYS_SPAWN_DATA,
	       "the start record travels in the spawn request");

/* The program's threads, counted without a counter that every node
 * writes: live[k] counts the threads created and the threads ended by
 * threads running on node k, on a page only node k writes (a thread that
 * moves between reading its node and counting just counts elsewhere).
 * Until main calls pthread_exit nobody sums them: the program ends by
 * exit(). After it, every ending thread sums them, all the "ended" first
 * and then all the "created" (each creation comes before its thread's
 * end, so a sum of 0 read this way means that nobody was left to create
 * one), and the one that finds nobody left (the last to end always does)
 * ends the program; exit_claimed keeps it to one. */
struct live_count {
	uint64_t created, ended; /* (a) */
} __attribute__((aligned(4096)));
static struct live_count live[MAX_NODES];
static uint32_t main_gone;    /* (a) main called pthread_exit */
static uint32_t exit_claimed; /* (a) */

static void live_add(bool created)
{
	int k = ksys_node();
	struct live_count *c = &live[k >= 0 && k < MAX_NODES ? k : 0];
	__atomic_add_fetch(created ? &c->created : &c->ended, 1,
			   __ATOMIC_SEQ_CST);
}

static bool nobody_left(void)
{
	int n = ksys_cluster_nodes();
	uint64_t ended = 0, created = 1; /* main */
	for (int k = 0; k < n && k < MAX_NODES; k++)
		ended += __atomic_load_n(&live[k].ended, __ATOMIC_SEQ_CST);
	for (int k = 0; k < n && k < MAX_NODES; k++)
		created += __atomic_load_n(&live[k].created, __ATOMIC_SEQ_CST);
	return created == ended;
}

/* The slot's resources back, the slot free: under tab.lock; the stack or
 * block to free after it is dropped go to *out. */
static void slot_clear(uint32_t id, struct tent *out)
{
	*out = tab.slot[id];
	__atomic_store_n(&tab.slot[id].p, NULL, __ATOMIC_RELEASE);
}

static void tent_free(const struct tent *e)
{
	if (e->span)
		stack_free(e->stack_base, e->span, e->guard, e->node);
	else
		free(e->block); /* NULL for the main thread's static block */
}

/* Whether e's thread has ended, as this node can tell without waiting:
 * its exit note (taken) on its creator's node (its word too once notes
 * were dropped there), its state word elsewhere. */
static bool has_ended(const struct tent *e)
{
	uint64_t r;
	if (e->creator >= 0 && e->creator == ksys_node()) {
		int rc = ksys_exit_note_wait(&e->p->state, e->serial, &r,
					     KSYS_NOTE_POLL);
		if (rc != -ESTALE)
			return rc == 0;
	}
	return __atomic_load_n(&e->p->state, __ATOMIC_ACQUIRE) ==
	       exit_token(e->serial);
}

struct pthread *posix_thread_started(pthread_t id)
{
	if (id == 0 || id >= POSIX_MAX_THREADS)
		return NULL;
	ulock_lock(&tab.lock);
	struct pthread *p = tab.slot[id].p;
	uint64_t serial = tab.slot[id].serial;
	ulock_unlock(&tab.lock);
	/* Until the thread has built its TCB (it writes its serial last) a
	 * write there would be wiped; a start that never comes (its node
	 * refused it) is not waited for beyond 5 s. */
	for (int i = 0; p && i < 5000 &&
			__atomic_load_n(&p->serial, __ATOMIC_ACQUIRE) != serial;
	     i++)
		ksys_sleep_ns(1000000);
	return p;
}

/* Frees the detached threads that have ended. Those made on another node
 * are left to that node (it learns of their end without a fault). */
static void reap_zombies(void)
{
	struct tent batch[16];
	int n = 0;
	int self = ksys_node();
	ulock_lock(&tab.lock);
	for (uint32_t i = 0; i < tab.nr_zombies && n < 16;) {
		uint32_t id = tab.zombies[i];
		struct tent *e = &tab.slot[id];
		if (e->creator == self && has_ended(e)) {
			slot_clear(id, &batch[n++]);
			tab.zombies[i] = tab.zombies[--tab.nr_zombies];
		} else {
			i++;
		}
	}
	ulock_unlock(&tab.lock);
	for (int i = 0; i < n; i++)
		tent_free(&batch[i]);
}

static void thread_finish(struct pthread *self) __attribute__((noreturn));
static void thread_finish(struct pthread *self)
{
	posix_keys_run_destructors(self);
	posix_robust_exit(self);    /* after destructors: they may lock */
	posix_malloc_thread_exit(); /* give the thread cache back */
	/* POSIX: the process ends, status 0, when its last thread does */
	if (self->creator < 0)
		__atomic_store_n(&main_gone, 1, __ATOMIC_SEQ_CST);
	live_add(false);
	if (__atomic_load_n(&main_gone, __ATOMIC_SEQ_CST) && nobody_left() &&
	    !__atomic_exchange_n(&exit_claimed, 1, __ATOMIC_SEQ_CST))
		exit(0);
	/* Our stdio buffers go; the streams are the process's. */
	_reclaim_reent(&self->reent);
	/* After this a joiner may free our stack and TLS: the kernel
	 * publishes it for us once we are off this stack. */
	ksys_thread_exit_publish(&self->state, exit_token(self->serial),
				 self->creator, self->serial,
				 (uint64_t)(uintptr_t)self->retval);
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

/* The new thread, on its own stack: r is the start record on it. */
static void thread_start(void *arg)
{
	struct start_rec r = *(struct start_rec *)arg;
	struct pthread *self = posix_tls_init(r.block, r.tcb_off);
	self->id = r.id;
	self->start = r.start;
	self->arg = r.arg;
	self->creator = r.creator;
	self->stack_base = r.stack_base;
	self->stack_size = r.stack_size;
	self->guard_size = r.guard;
	self->own_stack = r.own_stack;
	self->node = r.node;
	self->sched_policy = r.sched_policy;
	self->sched_prio = r.sched_prio;
	memcpy(self->name, r.name, sizeof(self->name));
	self->sig_mask = r.sig_mask;
	ksys_set_thread_ptr(self, self->id); /* the kernel knows our id */
	ksys_signal_entry(posix_sig_tramp);  /* this node's kernel */
	/* last: others wait for it before they write here or name us to
	 * the kernel (cancel, name, scheduling, affinity, signals) */
	__atomic_store_n(&self->serial, r.serial, __ATOMIC_RELEASE);
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
	size_t tcb_off, area = posix_tls_area(&tcb_off);
	struct start_rec r = {.start = start,
			      .arg = arg,
			      .tcb_off = (uint32_t)tcb_off,
			      .creator = (int16_t)ksys_node(),
			      .sig_mask = posix_sig_mask_now()};
	int rc = posix_sched_start(&r.sched_policy, &r.sched_prio, attr);
	if (rc)
		return rc;
	struct tent e = {0};
	e.node = r.node = (int16_t)ksys_thread_place(); /* sched.policy */
	e.creator = r.creator;
	e.detached = attr->detachstate == PTHREAD_CREATE_DETACHED;
	posix_thread_name_inherit(r.name, pthread_cur());
	uintptr_t top;
	if (attr->stackaddr) {
		r.stack_base = (uintptr_t)attr->stackaddr;
		r.stack_size = (size_t)attr->stacksize;
		top = r.stack_base + r.stack_size;
		if (posix_memalign((void **)&e.block, 4096, area))
			return EAGAIN;
	} else {
		r.own_stack = true;
		r.stack_size = round_page((size_t)attr->stacksize);
		r.guard = e.guard = round_page(attr->cputime_clock_allowed);
		e.span = e.guard + r.stack_size + area;
		e.stack_base = stack_alloc(e.span, e.guard, e.node);
		if (!e.stack_base)
			return EAGAIN;
		r.stack_base = e.stack_base;
		top = e.stack_base + e.guard + r.stack_size;
		e.block = (uint8_t *)top; /* right above the stack */
	}
	r.block = e.block;
	e.p = (struct pthread *)(e.block + tcb_off);
	uint32_t id = table_insert(&e, &r.serial);
	if (!id) {
		tent_free(&e);
		return EAGAIN;
	}
	r.id = id;
	*out = id;
	live_add(true);
	rc = ksys_thread_spawn_on(e.node, thread_start, &r, sizeof(r),
				  top & ~(uintptr_t)15, (uintptr_t)e.p);
	if (rc) {
		live_add(false);
		ulock_lock(&tab.lock);
		for (uint32_t i = 0; i < tab.nr_zombies; i++)
			if (tab.zombies[i] == id)
				tab.zombies[i] = tab.zombies[--tab.nr_zombies];
		slot_clear(id, &e);
		ulock_unlock(&tab.lock);
		tent_free(&e);
		return EAGAIN;
	}
	return 0;
}

int posix_main_stack(struct pthread *p, size_t size, uintptr_t *top)
{
	struct tent e = {0};
	p->stack_size = round_page(size);
	p->guard_size = e.guard = POSIX_GUARD;
	e.span = POSIX_GUARD + p->stack_size;
	e.stack_base = stack_alloc(e.span, e.guard, p->node);
	if (!e.stack_base)
		return EAGAIN;
	p->stack_base = e.stack_base;
	p->own_stack = true;
	*top = (e.stack_base + e.span) & ~(uintptr_t)15;
	e.p = p;
	e.node = (int16_t)p->node;
	e.creator = -1;
	p->id = table_insert(&e, &p->serial);
	return p->id ? 0 : EAGAIN;
}

/* A joiner cancelled while it waits: the thread is joinable again
 * (POSIX), then the joiner acts on the cancellation. */
static void join_testcancel(struct pthread *self, pthread_t id)
{
	if (!self->cancel_pending ||
	    self->cancel_state != PTHREAD_CANCEL_ENABLE)
		return;
	self->wait_word = NULL;
	ulock_lock(&tab.lock);
	tab.slot[id].joined = 0;
	ulock_unlock(&tab.lock);
	posix_testcancel();
}

/* Until e's thread (slot id) has ended: its result. A cancellation
 * point. */
static void *wait_end(const struct tent *e, pthread_t id, struct pthread *self)
{
	uint32_t *w = &e->p->state, token = exit_token(e->serial);
	for (;;) {
		self->wait_word = w; /* pthread_cancel wakes us through it */
		join_testcancel(self, id);
		if (e->creator >= 0 && e->creator == ksys_node()) {
			/* No look at the thread's pages: its note comes
			 * here. A second's wait, then a look at the word
			 * (a note dropped for want of memory is not waited
			 * for forever). */
			uint64_t r;
			int rc = ksys_exit_note_wait(w, e->serial, &r,
						     1000000000ull);
			if (!rc) {
				self->wait_word = NULL;
				return (void *)(uintptr_t)r;
			}
			if (rc != -ETIMEDOUT)
				continue; /* woken: cancelled, moved? */
		}
		uint32_t s = __atomic_load_n(w, __ATOMIC_ACQUIRE);
		if (s == token) {
			self->wait_word = NULL;
			return e->p->retval;
		}
		ksys_futex_wait(w, s, 1000000000ull);
	}
}

int pthread_join(pthread_t id, void **value)
{
	struct pthread *self = pthread_cur();
	if (id == 0 || id >= POSIX_MAX_THREADS)
		return ESRCH;
	ulock_lock(&tab.lock);
	struct tent e = tab.slot[id];
	int err = !e.p			   ? ESRCH
		  : e.p == self		   ? EDEADLK
		  : e.detached || e.joined ? EINVAL
					   : 0;
	if (!err)
		tab.slot[id].joined = 1;
	ulock_unlock(&tab.lock);
	if (err)
		return err;
	void *ret = wait_end(&e, id, self);
	if (value)
		*value = ret;
	ulock_lock(&tab.lock);
	slot_clear((uint32_t)id, &e);
	ulock_unlock(&tab.lock);
	tent_free(&e);
	return 0;
}

bool posix_thread_detached(pthread_t id)
{
	if (id == 0 || id >= POSIX_MAX_THREADS)
		return false;
	ulock_lock(&tab.lock);
	bool d = tab.slot[id].p && tab.slot[id].detached;
	ulock_unlock(&tab.lock);
	return d;
}

int pthread_detach(pthread_t id)
{
	if (id == 0 || id >= POSIX_MAX_THREADS)
		return ESRCH;
	struct tent e;
	bool ended = false;
	ulock_lock(&tab.lock);
	struct tent *s = &tab.slot[id];
	int err = !s->p ? ESRCH : s->detached || s->joined ? EINVAL : 0;
	if (!err) {
		s->detached = 1;
		ended = has_ended(s);
		if (ended)
			slot_clear((uint32_t)id, &e);
		else
			tab.zombies[tab.nr_zombies++] = (uint32_t)id;
	}
	ulock_unlock(&tab.lock);
	if (ended)
		tent_free(&e);
	return err;
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
	ulock_lock(&keys.lock);
	for (int i = 0; i < POSIX_KEYS_MAX; i++) {
		if (!keys.used[i]) {
			keys.used[i] = true;
			keys.dtor[i] = dtor;
			ulock_unlock(&keys.lock);
			*key = i;
			return 0;
		}
	}
	ulock_unlock(&keys.lock);
	return EAGAIN;
}

int pthread_key_delete(pthread_key_t key)
{
	if (key >= POSIX_KEYS_MAX)
		return EINVAL;
	ulock_lock(&keys.lock);
	bool was = keys.used[key];
	keys.used[key] = false;
	keys.dtor[key] = NULL;
	ulock_unlock(&keys.lock);
	return was ? 0 : EINVAL;
}

int pthread_setspecific(pthread_key_t key, const void *value)
{
	if (key >= POSIX_KEYS_MAX || !keys.used[key])
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
			void (*d)(void *) = keys.used[i] ? keys.dtor[i] : NULL;
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
	struct pthread *p = posix_thread_started(id);
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
