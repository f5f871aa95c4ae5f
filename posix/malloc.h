/*
 * posix/malloc.h — internals of the application heap, shared by
 *   posix/malloc.c          malloc, calloc, free and the per-thread caches,
 *   posix/malloc_api.c      realloc, the aligned allocators, newlib's hooks,
 *   posix/malloc_central.c  size classes and per-class central free lists,
 *   posix/malloc_page.c     chunk runs (large blocks, spans) and heap_create,
 *   posix/malloc_remote.c   small blocks freed on other nodes, batched,
 *   posix/malloc_stats.c    statistics per arena, posix_malloc_check,
 *   posix/malloc_check.c    the consistency check used by tests.
 *
 * A region (base rounded up to 64 KiB) is cut into 64 KiB chunks:
 *   chunk 0..first-1   struct heap, then spans[]: one descriptor per chunk
 *   chunk first..top-1 handed out: small spans, large blocks, free runs
 *   chunk top..end     never touched
 * spans[i] describes chunk i, so any address's descriptor is a shift away
 * and nothing is stored inside user blocks except in free small objects
 * (word 0: next free object, word 1: the heap's key, which marks "free"
 * for cheap double-free detection).
 *   - a small span is one chunk carved into objects of one size class;
 *   - a large block is a run of chunks, described by its first chunk;
 *   - a free run is described by its first chunk (SPAN_FREE) and, when
 *     longer than one chunk, its last (SPAN_TAIL) so the run before a freed
 *     block is found in O(1) for coalescing;
 *   every other descriptor is all zero (SPAN_NONE).
 *
 * Locks (struct ulock). Order: central[c].lock (ascending c) -> page_lock
 * -> tc_lock. Field comments name the guard: (c) the central lock of the
 * span's class, (p) page_lock, (t) tc_lock, (o) owner thread only, (a)
 * atomic instructions only.
 *
 * Remote frees (malloc_remote.c): a small object of heap h freed by a
 * thread whose cache serves another heap (a thread of another node) waits
 * in that thread's cache, in a pending chain for h (already marked free
 * with h's key), until a batch is full, the slot is wanted for another
 * heap, the thread leaves its cache (exit, move) or calls malloc_trim.
 * Then the whole chain is pushed onto h->remote with one CAS, and h's
 * counters there are credited with it. h's own node takes the stack back
 * lazily, on its allocation slow path (and in malloc_trim).
 */
#ifndef POSIX_MALLOC_H
#define POSIX_MALLOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "posix/heap.h"
#include "posix/ulock.h"

/* The heap is linked into unmodified applications, so its global symbols
 * live in the implementation's name space (POSIX reserves posix_*). */
#define heap_create	   posix_heap_create
#define heap_check	   posix_heap_check
#define heap_alloc_aligned posix_heap_alloc_aligned
#define heap_block_size	   posix_heap_block_size
#define heap_count_resize  posix_heap_count_resize
#define chunk_alloc	   posix_heap_chunk_alloc
#define chunk_free	   posix_heap_chunk_free
#define chunk_block_len	   posix_heap_chunk_block_len
#define chunk_resize	   posix_heap_chunk_resize
#define chunk_bucket	   posix_heap_chunk_bucket
#define central_refill	   posix_heap_central_refill
#define central_release	   posix_heap_central_release
#define class_size	   posix_heap_class_size
#define class_magic	   posix_heap_class_magic
#define class_batch	   posix_heap_class_batch
#define class_cap	   posix_heap_class_cap
#define remote_push	   posix_heap_remote_push
#define remote_drain	   posix_heap_remote_drain
#define heap_trim	   posix_heap_trim
#define heap_peek	   posix_heap_peek

#define CHUNK_SHIFT	16
#define CHUNK_SIZE	((size_t)1 << CHUNK_SHIFT)
#define CHUNK_MASK	(CHUNK_SIZE - 1)
#define NCLASSES	40 /* small size classes, numbered 1..NCLASSES */
#define SMALL_MAX	32768 /* largest small size; larger blocks are chunk runs */
#define TRANSFER_SLOTS	16   /* whole batches parked per class */
#define NBUCKETS	256  /* free-run size buckets */
#define HEAP_PAGE	4096 /* valloc/pvalloc page */
#define HEAP_MIN_REGION ((size_t)1 << 20)

enum span_kind { SPAN_NONE, SPAN_SMALL, SPAN_LARGE, SPAN_FREE, SPAN_TAIL };

struct span {
	uint8_t cls;  /* (c) class of a SPAN_SMALL, else 0; read by free() */
	uint8_t kind; /* (p) enum span_kind */
	uint16_t unused;
	uint32_t carved;  /* (c) SMALL: objects carved so far; read by free() */
	uint32_t nchunks; /* (p) LARGE, FREE, TAIL: length of the run */
	uint32_t inuse;	  /* (c) SMALL: objects out of the span */
	uint32_t nfree;	  /* (c) SMALL: length of free */
	uint32_t unused2;
	void **free; /* (c) SMALL: objects given back, linked by word 0 */
	/* (c) SMALL: partial list links; (p) FREE: bucket links */
	struct span *prev, *next;
} __attribute__((aligned(64)));

/* A chain of free objects of one class, linked by word 0, NULL-ended. */
struct batch {
	void **head;
	uint32_t n;
};

struct central {
	struct ulock lock;
	uint32_t nbatch;      /* (lock) used slots of batch[] */
	struct span *partial; /* (lock) spans with free or uncarved objects */
	struct batch batch[TRANSFER_SLOTS]; /* (lock) parked whole batches */
} __attribute__((aligned(64)));

struct heap_counters {
	uint64_t allocs, frees, bytes_alloc, bytes_free;
	/* small objects of other heaps freed and pushed (remote frees sent),
	 * and the pushes */
	uint64_t rsent, rsent_batches;
};

struct tc_list {
	void **head; /* free objects, linked by word 0 */
	uint32_t len;
	uint32_t max; /* release a batch above this */
};

enum { TC_NEW, TC_LIVE, TC_DEAD };

/* Remote frees wait in a thread's cache in up to RFREE_SLOTS chains, one
 * per heap; a chain is pushed at RFREE_BATCH objects or RFREE_BYTES. */
#define RFREE_SLOTS 4
#define RFREE_BATCH 64
#define RFREE_BYTES ((size_t)256 << 10)

/* A pending chain of small objects of `heap` (NULL: slot unused), linked
 * by word 0 from head to tail, each with heap->key in word 1. */
struct tc_remote {
	struct heap *heap;
	void **head, **tail;
	uint32_t n;
	size_t bytes; /* sum of the objects' class sizes */
};

/* Each thread also keeps a few freed large blocks for reuse without the
 * page lock: up to TC_LARGE_SLOTS blocks of at most TC_LARGE_MAX_CHUNKS
 * chunks and TC_LARGE_BYTES in all. Cached blocks hold the key in word 1,
 * like free small objects. */
#define TC_LARGE_SLOTS	    4
#define TC_LARGE_MAX_CHUNKS 16
#define TC_LARGE_BYTES	    ((size_t)2 << 20)

/* A thread's cache (one __thread instance per thread). Only its owner
 * touches it, except the registry links and (read-only) the counters. */
struct tcache {
	uintptr_t base;	    /* (o) heap->base while live, else 0 */
	uintptr_t limit;    /* (o) heap->size while live, else 0 */
	struct span *spans; /* (o) heap->spans */
	uintptr_t key;	    /* (o) heap->key */
	struct tc_list list[NCLASSES + 1]; /* (o) [0] unused */
	/* (o) cached large blocks, oldest first */
	void **large[TC_LARGE_SLOTS];
	uint32_t large_chunks[TC_LARGE_SLOTS]; /* (o) their lengths */
	uint32_t nlarge;		       /* (o) used slots */
	size_t large_bytes;		       /* (o) bytes in the slots */
	struct tc_remote remote[RFREE_SLOTS];  /* (o) pending remote frees */
	uint32_t remote_next;		       /* (o) slot to push next */
	struct heap_counters cnt;   /* (o) written by owner, read relaxed */
	struct heap *heap;	    /* (o) */
	struct tcache *prev, *next; /* (t) heap->threads */
	int state;		    /* (o) TC_* */
};

struct heap {
	uintptr_t base;	    /* chunk 0; immutable */
	size_t size;	    /* nchunks << CHUNK_SHIFT; immutable */
	uint32_t nchunks;   /* immutable */
	uint32_t first;	    /* first data chunk; immutable */
	uintptr_t key;	    /* word 1 of every free small object; immutable */
	struct span *spans; /* spans[i] describes chunk i; immutable */

	struct ulock page_lock;
	uint32_t top; /* (p) chunks from here on never handed out */
	uint64_t bucket_bits[NBUCKETS / 64]; /* (p) bit b: bucket[b] used */
	struct span *bucket[NBUCKETS];	     /* (p) free runs by length */

	struct ulock tc_lock;
	struct tcache *threads;	      /* (t) live thread caches */
	struct heap_counters retired; /* (atomic) exited threads, no cache */

	struct central central[NCLASSES + 1]; /* [0] unused */

	/* Remote frees pushed by other nodes' threads. On a page of its own
	 * (the aligned struct ends on a page boundary too), so their CASes
	 * take this page from the owner and leave the hot ones above. */
	struct heap_remote {
		void **head;	  /* (a) pushed chains, linked by word 0 */
		uint64_t batches; /* (a) chains pushed, all time */
		uint64_t objects; /* (a) objects in them */
		uint64_t bytes;	  /* (a) their class sizes added */
	} __attribute__((aligned(HEAP_PAGE))) remote;
};

/* ---- the core (malloc.c) ------------------------------------------------- */

/* n bytes aligned to align (a power of two); NULL without setting errno. */
void *heap_alloc_aligned(size_t align, size_t n);
/* The usable size of the block at ptr, with its heap, first chunk and
 * class (0: large); 0 if ptr is not an allocated block. */
size_t heap_block_size(void *ptr, struct heap **hp, uint32_t *chunk,
		       unsigned *cls);
/* Counts a large block resized in place from `from` to `to` bytes. */
void heap_count_resize(struct heap *h, size_t from, size_t to);
/* The heap of arena k if it was made (k in range), else NULL. */
struct heap *heap_peek(int k);
/* malloc_trim: pushes the calling thread's pending remote frees and takes
 * back its arena's remote stack; true if any block went back. */
bool heap_trim(void);

/* ---- size classes (malloc_central.c) ----------------------------------------
 */

extern const uint32_t class_size[NCLASSES + 1];
/* ceil(2^32 / size): offset o < 64 KiB is an object start iff
 * (uint32_t)(o * magic) < magic, and then its index is (o * magic) >> 32. */
extern const uint32_t class_magic[NCLASSES + 1];
extern const uint32_t class_batch[NCLASSES + 1]; /* objects moved at once */
extern const uint32_t class_cap[NCLASSES + 1];	 /* objects per span */

/* 16-byte steps up to 128, then four classes per power of two. */
static inline unsigned size_class(size_t n)
{
	unsigned k;

	if (n <= 128)
		return n ? (unsigned)(n + 15) >> 4 : 1;
	k = 63 - (unsigned)__builtin_clzl(n - 1);
	return 9 + (k - 7) * 4 + (unsigned)(((n - 1) >> (k - 2)) & 3);
}

static inline uintptr_t chunk_addr(const struct heap *h, uint32_t i)
{
	return h->base + ((uintptr_t)i << CHUNK_SHIFT);
}

static inline uint32_t chunk_of(const struct heap *h, const void *p)
{
	return (uint32_t)(((uintptr_t)p - h->base) >> CHUNK_SHIFT);
}

/* Gets up to `want` objects of class c; *got says how many (0: no memory). */
void **central_refill(struct heap *h, unsigned c, uint32_t want, uint32_t *got);
/* Gives back a chain of n objects of class c (each with the key set). */
void central_release(struct heap *h, unsigned c, void **head, uint32_t n);

/* ---- remote frees (malloc_remote.c) ------------------------------------- */

/* Pushes the pending chain p onto p->heap's remote stack, credits the
 * heap's counters and the pusher's *cnt with it, and empties the slot. */
void remote_push(struct tc_remote *p, struct heap_counters *cnt);
/* Takes h's remote stack and gives every object back to its class's
 * central list; the number of objects (0: the stack was empty). Called
 * by threads of h's node. */
uint32_t remote_drain(struct heap *h);

/* ---- chunk runs (malloc_page.c) ------------------------------------------ */

/* A heap over [base, base+size) (zero-filled); NULL if it is too small. */
struct heap *heap_create(uintptr_t base, size_t size);
/* A run of n chunks whose address is a multiple of align chunks (a power
 * of two), described as `kind`; returns its first chunk, 0 if none is
 * left. *fresh: the run was never handed out before (reads as zeros). */
uint32_t chunk_alloc(struct heap *h, uint32_t n, uint32_t align,
		     enum span_kind kind, bool *fresh);
/* Frees the run starting at chunk i if it is one of `kind`: 0 and its
 * length in *n. -EALREADY if chunk i lies in a free run (a block that
 * started there was freed already); -EINVAL otherwise. */
int chunk_free(struct heap *h, uint32_t i, enum span_kind kind, uint32_t *n);
/* Length of the large block starting at chunk i, 0 if there is none. */
uint32_t chunk_block_len(struct heap *h, uint32_t i);
/* Resizes the large block at chunk i to n chunks in place, if possible. */
bool chunk_resize(struct heap *h, uint32_t i, uint32_t n);
/* Free-run bucket of a length (exported for the check). */
unsigned chunk_bucket(uint32_t n);

/* ---- consistency check (malloc_check.c) -------------------------------------
 */

/* All invariants; 0 or -EINVAL after posix_malloc_error("heap check: ...").
 * Takes every lock; other threads must be outside the heap. */
int heap_check(struct heap *h);

/* ---- public names -------------------------------------------------------- */

/* The host tests build the API under um_ names beside glibc's malloc. */
#ifdef UNUM_HOST
#define PUB(x) um_##x
#else
#define PUB(x) x
#endif

struct _reent;

void *PUB(malloc)(size_t n);
void PUB(free)(void *p);
void *PUB(calloc)(size_t nmemb, size_t size);
void *PUB(realloc)(void *p, size_t n);
void *PUB(reallocarray)(void *p, size_t nmemb, size_t size);
int PUB(posix_memalign)(void **memptr, size_t align, size_t n);
void *PUB(memalign)(size_t align, size_t n);
void *PUB(aligned_alloc)(size_t align, size_t n);
void *PUB(valloc)(size_t n);
void *PUB(pvalloc)(size_t n);
size_t PUB(malloc_usable_size)(void *p);
int PUB(malloc_trim)(size_t pad);
void *PUB(_malloc_r)(struct _reent *r, size_t n);
void PUB(_free_r)(struct _reent *r, void *p);
void *PUB(_calloc_r)(struct _reent *r, size_t nmemb, size_t size);
void *PUB(_realloc_r)(struct _reent *r, void *p, size_t n);
void *PUB(_memalign_r)(struct _reent *r, size_t align, size_t n);
size_t PUB(_malloc_usable_size_r)(struct _reent *r, void *p);
int PUB(_malloc_trim_r)(struct _reent *r, size_t pad);

#endif
