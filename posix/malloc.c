/*
 * posix/malloc.c — the core of the application's malloc family (newlib is
 * built with MALLOC_PROVIDED; the rest of the family is malloc_api.c):
 * malloc, calloc, free, the per-thread caches that make them lock-free in
 * the common case, statistics and thread exit.
 *
 * malloc of a small size pops the thread's list for its class; free finds
 * the class from the chunk descriptor (one shift and one load) and pushes.
 * Neither takes a lock nor an atomic instruction until a list runs empty
 * or overflows, when a whole batch moves to or from the class's central
 * list (malloc_central.c). Blocks above SMALL_MAX are chunk runs
 * (malloc_page.c); each thread also keeps a few freed ones of up to 1 MiB
 * for reuse without the page lock. A block freed by another thread than
 * the one that allocated it joins the freeing thread's cache when it is of
 * the heap that cache serves. Statistics and the check are malloc_stats.c.
 *
 * Arenas (posix/heap.h): one heap per node, each over its own region of
 * the global address space, homed at its node. A thread allocates from
 * its node's heap. A small block of another heap (allocated on another
 * node) waits in the freeing thread's cache in a chain for its heap, and
 * goes back a whole chain at a time (malloc_remote.c); a thread without a
 * cache, and a large block, go straight back to that heap.
 *
 * State: the arenas' heaps (heaps[]) and each thread's cache (tc).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "posix/malloc.h"

#define likely(x)   __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)

/* One heap per arena (posix/heap.h), each set once (init_lock), then
 * read-only; narenas is one past the highest arena made so far. */
static struct heap *heaps[POSIX_HEAP_ARENAS];
static bool heap_failed[POSIX_HEAP_ARENAS]; /* (init_lock) unusable region */
static int narenas;			    /* (init_lock; read atomic) */
static struct ulock init_lock = ULOCK_INIT;
static __thread struct tcache tc;

static void tc_detach(int state);

/* The heap of arena k, made on its first use; NULL if its region is
 * unusable. */
static struct heap *arena_heap(int k)
{
	struct heap *h = __atomic_load_n(&heaps[k], __ATOMIC_ACQUIRE);
	uintptr_t base = 0;
	size_t size = 0;

	if (likely(h))
		return h;
	ulock_lock(&init_lock);
	h = heaps[k];
	if (!h && !heap_failed[k]) {
		posix_heap_region(k, &base, &size);
		h = heap_create(base, size);
		heap_failed[k] = !h;
		__atomic_store_n(&heaps[k], h, __ATOMIC_RELEASE);
		if (h && k >= narenas)
			__atomic_store_n(&narenas, k + 1, __ATOMIC_RELEASE);
	}
	ulock_unlock(&init_lock);
	return h;
}

/* The heap of the calling thread's arena. A thread whose cache serves
 * another arena (it moved) gives the cache back there first, so that the
 * cache attaches to this one. */
static struct heap *heap_get(void)
{
	int k = posix_heap_arena();
	struct heap *h;

	if (unlikely(k < 0 || k >= POSIX_HEAP_ARENAS))
		k = 0;
	h = arena_heap(k);
	if (unlikely(h && tc.state == TC_LIVE && tc.heap != h))
		tc_detach(TC_NEW);
	return h;
}

/* The heap whose region holds ptr, or NULL. */
static struct heap *heap_of(const void *ptr)
{
	int n = __atomic_load_n(&narenas, __ATOMIC_ACQUIRE);

	for (int k = 0; k < n; k++) {
		struct heap *h = __atomic_load_n(&heaps[k], __ATOMIC_ACQUIRE);
		if (h && (uintptr_t)ptr - h->base < h->size)
			return h;
	}
	return NULL;
}

/* ---- thread caches ------------------------------------------------------- */

/* True if this thread's cache serves h (a free never attaches it). */
static inline bool tc_mine(const struct heap *h)
{
	return tc.state == TC_LIVE && tc.heap == h;
}

/* True if this thread caches for h, attaching the cache on first use. */
static bool tc_live(struct heap *h)
{
	unsigned c;

	if (likely(tc.state == TC_LIVE))
		return tc.heap == h;
	if (tc.state == TC_DEAD)
		return false;
	for (c = 1; c <= NCLASSES; c++)
		tc.list[c].max = 2 * class_batch[c];
	tc.heap = h;
	tc.spans = h->spans;
	tc.key = h->key;
	tc.base = h->base;
	tc.limit = h->size;
	tc.state = TC_LIVE;
	ulock_lock(&h->tc_lock);
	tc.prev = NULL;
	tc.next = h->threads;
	if (tc.next)
		tc.next->prev = &tc;
	h->threads = &tc;
	ulock_unlock(&h->tc_lock);
	return true;
}

static inline void cnt_add(uint64_t *c, uint64_t v)
{
	__atomic_store_n(c, *c + v, __ATOMIC_RELAXED);
}

/* Counts an allocation (bytes > 0) or a free (bytes < 0) of one block. */
static void count(struct heap *h, int64_t bytes)
{
	bool mine = tc.state == TC_LIVE && tc.heap == h;
	struct heap_counters *r = &h->retired;

	if (bytes >= 0 && mine) {
		cnt_add(&tc.cnt.allocs, 1);
		cnt_add(&tc.cnt.bytes_alloc, (uint64_t)bytes);
	} else if (mine) {
		cnt_add(&tc.cnt.frees, 1);
		cnt_add(&tc.cnt.bytes_free, (uint64_t)-bytes);
	} else if (bytes >= 0) {
		__atomic_fetch_add(&r->allocs, 1, __ATOMIC_RELAXED);
		__atomic_fetch_add(&r->bytes_alloc, bytes, __ATOMIC_RELAXED);
	} else {
		__atomic_fetch_add(&r->frees, 1, __ATOMIC_RELAXED);
		__atomic_fetch_add(&r->bytes_free, -bytes, __ATOMIC_RELAXED);
	}
}

void heap_count_resize(struct heap *h, size_t from, size_t to)
{
	bool mine = tc.state == TC_LIVE && tc.heap == h;
	uint64_t *grow = mine ? &tc.cnt.bytes_alloc : &h->retired.bytes_alloc;
	uint64_t *shrink = mine ? &tc.cnt.bytes_free : &h->retired.bytes_free;

	if (to > from)
		__atomic_fetch_add(grow, to - from, __ATOMIC_RELAXED);
	else
		__atomic_fetch_add(shrink, from - to, __ATOMIC_RELAXED);
}

/* Keeps a small object of class c of another heap h in the thread's
 * pending chain for h, marked free at once (a second free of it is seen as
 * a double free); pushes the chain when it is full, and another chain
 * when every slot is taken. */
static void tc_remote_free(struct heap *h, void **o, unsigned c)
{
	struct tc_remote *p = NULL, *empty = NULL;
	unsigned j;

	for (j = 0; j < RFREE_SLOTS && !p; j++) {
		if (tc.remote[j].heap == h)
			p = &tc.remote[j];
		else if (!tc.remote[j].heap && !empty)
			empty = &tc.remote[j];
	}
	if (!p && empty)
		p = empty;
	if (!p) {
		p = &tc.remote[tc.remote_next];
		tc.remote_next = (tc.remote_next + 1) % RFREE_SLOTS;
		remote_push(p, &tc.cnt);
	}
	if (!p->heap) {
		p->heap = h;
		p->tail = o;
	}
	o[0] = p->head;
	o[1] = (void *)h->key;
	p->head = o;
	p->n++;
	p->bytes += class_size[c];
	if (p->n >= RFREE_BATCH || p->bytes >= RFREE_BYTES)
		remote_push(p, &tc.cnt);
}

/* Pushes every pending chain; true if there was one. */
static bool tc_remote_flush(void)
{
	bool any = false;

	for (unsigned j = 0; j < RFREE_SLOTS; j++) {
		if (tc.remote[j].heap) {
			remote_push(&tc.remote[j], &tc.cnt);
			any = true;
		}
	}
	return any;
}

/* Gives a batch of the thread's list for class c to the central list:
 * the objects after the head, so the block freed last is still the next
 * one malloc returns. */
static void tc_overflow(unsigned c)
{
	struct tc_list *l = &tc.list[c];
	uint32_t i, n = class_batch[c];
	void **keep = l->head, **first = keep[0], **last = first;

	for (i = 1; i < n; i++)
		last = last[0];
	keep[0] = last[0];
	l->len -= n;
	last[0] = NULL;
	central_release(tc.heap, c, first, n);
}

static inline __attribute__((always_inline)) void tc_push(void **o, unsigned c)
{
	struct tc_list *l = &tc.list[c];

	o[0] = l->head;
	o[1] = (void *)tc.key;
	l->head = o;
	cnt_add(&tc.cnt.frees, 1);
	cnt_add(&tc.cnt.bytes_free, class_size[c]);
	if (unlikely(++l->len > l->max))
		tc_overflow(c);
}

/* A cached large block of exactly n chunks, or NULL. */
static void **tc_large_pop(uint32_t n)
{
	uint32_t j, k;
	void **p;

	for (j = tc.nlarge; j-- > 0;) {
		if (tc.large_chunks[j] != n)
			continue;
		p = tc.large[j];
		for (k = j + 1; k < tc.nlarge; k++) {
			tc.large[k - 1] = tc.large[k];
			tc.large_chunks[k - 1] = tc.large_chunks[k];
		}
		tc.nlarge--;
		tc.large_bytes -= (size_t)n << CHUNK_SHIFT;
		return p;
	}
	return NULL;
}

/* Gives the oldest cached large block back to the chunk allocator. */
static void tc_large_evict(struct heap *h)
{
	uint32_t k, n;

	chunk_free(h, chunk_of(h, tc.large[0]), SPAN_LARGE, &n);
	tc.large_bytes -= (size_t)tc.large_chunks[0] << CHUNK_SHIFT;
	for (k = 1; k < tc.nlarge; k++) {
		tc.large[k - 1] = tc.large[k];
		tc.large_chunks[k - 1] = tc.large_chunks[k];
	}
	tc.nlarge--;
}

/* Keeps a freed large block of n chunks if it is small enough. */
static bool tc_large_push(struct heap *h, void **p, uint32_t n)
{
	size_t bytes = (size_t)n << CHUNK_SHIFT;

	if (n > TC_LARGE_MAX_CHUNKS || bytes > TC_LARGE_BYTES)
		return false;
	while (tc.nlarge == TC_LARGE_SLOTS ||
	       tc.large_bytes + bytes > TC_LARGE_BYTES)
		tc_large_evict(h);
	p[1] = (void *)h->key;
	tc.large[tc.nlarge] = p;
	tc.large_chunks[tc.nlarge++] = n;
	tc.large_bytes += bytes;
	return true;
}

/* ---- allocation ---------------------------------------------------------- */

/* A small object of class c: from the thread cache (refilled by a batch)
 * or, for a thread without one, straight from the central list. */
static void *small_alloc(struct heap *h, unsigned c)
{
	struct tc_list *l = &tc.list[c];
	uint32_t got;
	void **o;

	if (!tc_live(h)) {
		remote_drain(h);
		o = central_refill(h, c, 1, &got);
		if (!o)
			return NULL;
		o[1] = NULL;
		count(h, class_size[c]);
		return o;
	}
	if (!l->head) {
		remote_drain(h);
		l->head = central_refill(h, c, class_batch[c], &got);
		l->len = got;
		if (!l->head)
			return NULL;
	}
	o = l->head;
	l->head = o[0];
	l->len--;
	o[1] = NULL;
	count(h, class_size[c]);
	return o;
}

/* A large block of at least n bytes aligned to `align` (a power of two). */
static void *large_alloc(struct heap *h, size_t n, size_t align, bool *fresh)
{
	size_t chunks = (n + CHUNK_MASK) >> CHUNK_SHIFT;
	size_t achunks = align > CHUNK_SIZE ? align >> CHUNK_SHIFT : 1;
	void **p = NULL;
	uint32_t i;

	*fresh = false;
	if (n > h->size || align > h->size)
		return NULL;
	if (achunks == 1 && chunks <= TC_LARGE_MAX_CHUNKS && tc_live(h))
		p = tc_large_pop((uint32_t)chunks);
	if (!p) {
		remote_drain(h); /* may give empty spans back to chunk_alloc */
		i = chunk_alloc(h, (uint32_t)chunks, (uint32_t)achunks,
				SPAN_LARGE, fresh);
		if (!i)
			return NULL;
		p = (void **)chunk_addr(h, i);
	}
	if (!*fresh)
		p[1] = NULL; /* a stale key would read as "already free" */
	count(h, (int64_t)(chunks << CHUNK_SHIFT));
	return p;
}

/* Any block of n bytes (the slow path of malloc; sets no errno). *fresh:
 * the block is known to read as zeros. */
static void *heap_alloc(size_t n, bool *fresh)
{
	struct heap *h = heap_get();

	*fresh = false;
	if (!h)
		return NULL;
	if (n <= SMALL_MAX)
		return small_alloc(h, size_class(n));
	return large_alloc(h, n, 1, fresh);
}

/* The thread-cache pop, inlined into malloc and calloc. */
static inline __attribute__((always_inline)) void *alloc_fast(size_t n,
							      bool *fresh)
{
	if (likely(n <= SMALL_MAX)) {
		unsigned c = size_class(n);
		struct tc_list *l = &tc.list[c];
		void **o = l->head;
		if (likely(o != NULL)) {
			l->head = o[0];
			l->len--;
			o[1] = NULL;
			cnt_add(&tc.cnt.allocs, 1);
			cnt_add(&tc.cnt.bytes_alloc, class_size[c]);
			*fresh = false;
			return o;
		}
	}
	return heap_alloc(n, fresh);
}

void *heap_alloc_aligned(size_t align, size_t n)
{
	struct heap *h;
	bool fresh;
	unsigned c;

	if (align <= 16)
		return alloc_fast(n, &fresh);
	h = heap_get();
	if (!h)
		return NULL;
	if (n <= SMALL_MAX && align <= SMALL_MAX) {
		/* class sizes are multiples of 16 << k and spans are 64 KiB
		 * aligned, so the first class whose size is a multiple of
		 * align gives aligned objects; 32768 ends the search */
		for (c = size_class(n); class_size[c] & (align - 1); c++)
			;
		return small_alloc(h, c);
	}
	return large_alloc(h, n, align, &fresh);
}

void *PUB(malloc)(size_t n)
{
	bool fresh;
	void *p = alloc_fast(n, &fresh);

	if (unlikely(!p))
		errno = ENOMEM;
	return p;
}

void *PUB(calloc)(size_t nmemb, size_t size)
{
	bool fresh;
	size_t n;
	void *p;

	if (__builtin_mul_overflow(nmemb, size, &n)) {
		errno = ENOMEM;
		return NULL;
	}
	p = alloc_fast(n, &fresh);
	if (unlikely(!p))
		errno = ENOMEM;
	else if (!fresh)
		memset(p, 0, n);
	return p;
}

/* ---- free and lookup ----------------------------------------------------- */

/* Is offset o (within a chunk) the start of a handed-out object of class
 * c in span s? One multiply gives both divisibility and index. */
static inline bool obj_ok(const struct span *s, unsigned c, uint32_t o)
{
	uint64_t m = (uint64_t)o * class_magic[c];

	return (uint32_t)m < class_magic[c] &&
	       (uint32_t)(m >> 32) <
		   __atomic_load_n(&s->carved, __ATOMIC_RELAXED);
}

static void free_slow(void *ptr)
{
	struct heap *h = heap_of(ptr);
	uintptr_t off;
	uint32_t i, n;
	unsigned c;
	void **o = ptr;
	int err;

	if (!ptr)
		return;
	off = (uintptr_t)ptr - (h ? h->base : 0);
	if (!h || off >= h->size) {
		posix_malloc_error("free(): invalid pointer", ptr);
		return;
	}
	i = (uint32_t)(off >> CHUNK_SHIFT);
	c = __atomic_load_n(&h->spans[i].cls, __ATOMIC_RELAXED);
	if (c) {
		if (!obj_ok(&h->spans[i], c, (uint32_t)(off & CHUNK_MASK)))
			posix_malloc_error("free(): invalid pointer", ptr);
		else if (o[1] == (void *)h->key)
			posix_malloc_error("free(): double free", ptr);
		else if (tc_mine(h))
			tc_push(o, c);
		else if (tc.state == TC_LIVE)
			tc_remote_free(h, o, c);
		else {
			o[0] = NULL;
			o[1] = (void *)h->key;
			central_release(h, c, o, 1);
			count(h, -(int64_t)class_size[c]);
		}
		return;
	}
	if (off & CHUNK_MASK) {
		posix_malloc_error("free(): invalid pointer", ptr);
		return;
	}
	if (__atomic_load_n(&h->spans[i].kind, __ATOMIC_RELAXED) ==
	    SPAN_LARGE) {
		if (o[1] == (void *)h->key) {
			posix_malloc_error("free(): double free", ptr);
			return;
		}
		n = __atomic_load_n(&h->spans[i].nchunks, __ATOMIC_RELAXED);
		if (tc_mine(h) && tc_large_push(h, o, n)) {
			count(h, -(int64_t)((size_t)n << CHUNK_SHIFT));
			return;
		}
	}
	err = chunk_free(h, i, SPAN_LARGE, &n);
	if (err == -EALREADY)
		posix_malloc_error("free(): double free", ptr);
	else if (err)
		posix_malloc_error("free(): invalid pointer", ptr);
	else
		count(h, -(int64_t)((size_t)n << CHUNK_SHIFT));
}

void PUB(free)(void *ptr)
{
	uintptr_t off = (uintptr_t)ptr - tc.base;

	if (likely(off < tc.limit)) {
		struct span *s = &tc.spans[off >> CHUNK_SHIFT];
		unsigned c = __atomic_load_n(&s->cls, __ATOMIC_RELAXED);
		void **o = ptr;
		if (likely(c && obj_ok(s, c, (uint32_t)(off & CHUNK_MASK)) &&
			   o[1] != (void *)tc.key)) {
			tc_push(o, c);
			return;
		}
	}
	free_slow(ptr);
}

size_t heap_block_size(void *ptr, struct heap **hp, uint32_t *chunk,
		       unsigned *cls)
{
	struct heap *h = heap_of(ptr);
	uintptr_t off;
	uint32_t i;
	unsigned c;

	if (!h || (off = (uintptr_t)ptr - h->base) >= h->size)
		return 0;
	*hp = h;
	*chunk = i = (uint32_t)(off >> CHUNK_SHIFT);
	*cls = c = __atomic_load_n(&h->spans[i].cls, __ATOMIC_RELAXED);
	if (c) {
		if (!obj_ok(&h->spans[i], c, (uint32_t)(off & CHUNK_MASK)) ||
		    ((void **)ptr)[1] == (void *)h->key)
			return 0;
		return class_size[c];
	}
	if (off & CHUNK_MASK)
		return 0;
	i = chunk_block_len(h, i);
	if (!i || ((void **)ptr)[1] == (void *)h->key)
		return 0;
	return (size_t)i << CHUNK_SHIFT;
}

/* ---- threads, statistics, check ------------------------------------------ */

/* Gives the thread's cache back to its heap and leaves the heap's list
 * of caches; the cache is then in `state`: TC_NEW attaches to the next
 * heap the thread allocates from, TC_DEAD bypasses caching for good. */
static void tc_detach(int state)
{
	struct heap *h = tc.heap;
	struct heap_counters *r;
	unsigned c;

	if (tc.state != TC_LIVE) {
		tc.state = state;
		return;
	}
	tc_remote_flush();
	tc.base = tc.limit = 0;
	while (tc.nlarge)
		tc_large_evict(h);
	for (c = 1; c <= NCLASSES; c++) {
		if (tc.list[c].head)
			central_release(h, c, tc.list[c].head, tc.list[c].len);
		tc.list[c].head = NULL;
		tc.list[c].len = 0;
	}
	r = &h->retired;
	ulock_lock(&h->tc_lock);
	if (tc.prev)
		tc.prev->next = tc.next;
	else
		h->threads = tc.next;
	if (tc.next)
		tc.next->prev = tc.prev;
	__atomic_fetch_add(&r->allocs, tc.cnt.allocs, __ATOMIC_RELAXED);
	__atomic_fetch_add(&r->frees, tc.cnt.frees, __ATOMIC_RELAXED);
	__atomic_fetch_add(&r->bytes_alloc, tc.cnt.bytes_alloc,
			   __ATOMIC_RELAXED);
	__atomic_fetch_add(&r->bytes_free, tc.cnt.bytes_free, __ATOMIC_RELAXED);
	__atomic_fetch_add(&r->rsent, tc.cnt.rsent, __ATOMIC_RELAXED);
	__atomic_fetch_add(&r->rsent_batches, tc.cnt.rsent_batches,
			   __ATOMIC_RELAXED);
	ulock_unlock(&h->tc_lock);
	memset(&tc.cnt, 0, sizeof(tc.cnt));
	tc.heap = NULL;
	tc.state = state;
}

void posix_malloc_thread_exit(void)
{
	tc_detach(TC_DEAD);
}

bool heap_trim(void)
{
	int k = posix_heap_arena();
	bool any = tc_remote_flush();
	struct heap *h;

	if (k < 0 || k >= POSIX_HEAP_ARENAS)
		k = 0;
	h = heap_peek(k);
	if (h && remote_drain(h))
		any = true;
	return any;
}

struct heap *heap_peek(int k)
{
	if (k < 0 || k >= POSIX_HEAP_ARENAS)
		return NULL;
	return __atomic_load_n(&heaps[k], __ATOMIC_ACQUIRE);
}
