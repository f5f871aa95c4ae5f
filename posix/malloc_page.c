/*
 * posix/malloc_page.c — the heap's chunk allocator: runs of 64 KiB chunks
 * for small spans and large blocks, and heap_create.
 *
 * Free runs are coalesced with both neighbours on free and kept in
 * segregated lists (exact lengths below 16 chunks, then eight lists per
 * power of two) with a bitmap of non-empty lists, so a fitting run is
 * found in a few word scans whatever the heap's size. Allocation prefers,
 * in order: a run of the wanted length's own list (first fit among a few),
 * any run of a larger list (all of them fit), and last the never-used
 * chunks at `top`, which also extend a free run that ends there. The heap
 * never lowers `top`: pages once touched stay mapped, and bytes_mapped
 * reports this high-water mark.
 */
#include <errno.h>
#include <string.h>

#include "posix/malloc.h"

/* How many entries of a mixed-length list are tried before a larger
 * list is taken: keeps allocation O(1) with a good first fit. */
#define FIRST_FIT_SCAN 16

unsigned chunk_bucket(uint32_t n)
{
	unsigned k;

	if (n < 16)
		return n;
	k = 31 - (unsigned)__builtin_clz(n);
	return (k - 2) * 8 + ((n >> (k - 3)) & 7);
}

/* Shortest length held by bucket b. */
static uint32_t bucket_min(unsigned b)
{
	if (b < 16)
		return b;
	return (uint32_t)(8 + b % 8) << (b / 8 - 1);
}

/* top only grows, under page_lock; posix_malloc_stats reads it unlocked */
static void set_top(struct heap *h, uint32_t top)
{
	__atomic_store_n(&h->top, top, __ATOMIC_RELAXED);
}

static uint32_t span_index(const struct heap *h, const struct span *s)
{
	return (uint32_t)(s - h->spans);
}

static void desc_clear(struct span *s)
{
	__atomic_store_n(&s->cls, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&s->carved, 0, __ATOMIC_RELAXED);
	s->kind = SPAN_NONE;
	s->nchunks = 0;
	s->inuse = 0;
	s->nfree = 0;
	s->free = NULL;
	s->prev = NULL;
	s->next = NULL;
}

/* Marks [i, i+n) as one free run and lists it. Caller holds page_lock. */
static void run_insert(struct heap *h, uint32_t i, uint32_t n)
{
	struct span *s = &h->spans[i];
	unsigned b = chunk_bucket(n);

	s->kind = SPAN_FREE;
	s->nchunks = n;
	if (n > 1) {
		h->spans[i + n - 1].kind = SPAN_TAIL;
		h->spans[i + n - 1].nchunks = n;
	}
	s->prev = NULL;
	s->next = h->bucket[b];
	if (s->next)
		s->next->prev = s;
	h->bucket[b] = s;
	h->bucket_bits[b / 64] |= 1ull << (b % 64);
}

/* Unlists a free run and clears its descriptors. Caller holds page_lock. */
static void run_remove(struct heap *h, struct span *s)
{
	unsigned b = chunk_bucket(s->nchunks);

	if (s->prev)
		s->prev->next = s->next;
	else
		h->bucket[b] = s->next;
	if (s->next)
		s->next->prev = s->prev;
	if (!h->bucket[b])
		h->bucket_bits[b / 64] &= ~(1ull << (b % 64));
	if (s->nchunks > 1)
		desc_clear(&h->spans[span_index(h, s) + s->nchunks - 1]);
	desc_clear(s);
}

/* A free run of at least n chunks, or NULL. */
static struct span *run_find(struct heap *h, uint32_t n)
{
	unsigned b = chunk_bucket(n), w;
	struct span *s;
	int scan = 0;

	if (bucket_min(b) != n) {
		for (s = h->bucket[b]; s && scan < FIRST_FIT_SCAN;
		     s = s->next, scan++)
			if (s->nchunks >= n)
				return s;
		b++;
	}
	for (w = b / 64; w < NBUCKETS / 64; w++) {
		uint64_t bits = h->bucket_bits[w];
		if (w == b / 64)
			bits &= ~0ull << (b % 64);
		if (bits)
			return h
			    ->bucket[w * 64 + (unsigned)__builtin_ctzll(bits)];
	}
	return NULL;
}

/* The first chunk at or after i whose address is a multiple of align
 * chunks (may exceed the region; the caller checks). */
static uint64_t align_chunk(const struct heap *h, uint32_t i, uint32_t align)
{
	uint64_t abs = (h->base >> CHUNK_SHIFT) + i;
	return ((abs + align - 1) & ~(uint64_t)(align - 1)) -
	       (h->base >> CHUNK_SHIFT);
}

/* Returns a freed run [i, i+n) to the lists, merged with free
 * neighbours. Caller holds page_lock; the descriptors are clear. */
static void run_release(struct heap *h, uint32_t i, uint32_t n)
{
	struct span *r, *l;
	uint32_t head;

	if (i + n < h->top) {
		r = &h->spans[i + n];
		if (r->kind == SPAN_FREE) {
			n += r->nchunks;
			run_remove(h, r);
		}
	}
	if (i > h->first) {
		l = &h->spans[i - 1];
		if (l->kind == SPAN_FREE || l->kind == SPAN_TAIL) {
			head = l->kind == SPAN_FREE ? i - 1 : i - l->nchunks;
			n += i - head;
			i = head;
			run_remove(h, &h->spans[head]);
		}
	}
	run_insert(h, i, n);
}

/* Cuts n chunks aligned to `align` out of free run s. */
static uint32_t take_from_run(struct heap *h, struct span *s, uint32_t n,
			      uint32_t align)
{
	uint32_t start = span_index(h, s), len = s->nchunks;
	uint32_t i = (uint32_t)align_chunk(h, start, align);

	run_remove(h, s);
	if (i > start)
		run_insert(h, start, i - start);
	if (i + n < start + len)
		run_insert(h, i + n, start + len - (i + n));
	return i;
}

/* Cuts n chunks from the never-used end, extending a free run that ends
 * at top. 0 if the region is exhausted. */
static uint32_t take_from_top(struct heap *h, uint32_t n, uint32_t align,
			      bool *fresh)
{
	uint32_t start = h->top, old_top = h->top;
	struct span *t = NULL, *l;
	uint64_t i;

	if (old_top > h->first) {
		l = &h->spans[old_top - 1];
		if (l->kind == SPAN_FREE)
			t = l;
		else if (l->kind == SPAN_TAIL)
			t = &h->spans[old_top - l->nchunks];
	}
	if (t)
		start = span_index(h, t);
	i = align_chunk(h, start, align);
	if (i + n > h->nchunks)
		return 0;
	if (t)
		run_remove(h, t);
	if (i > start)
		run_insert(h, start, (uint32_t)i - start);
	*fresh = i >= old_top;
	set_top(h, (uint32_t)i + n);
	return (uint32_t)i;
}

uint32_t chunk_alloc(struct heap *h, uint32_t n, uint32_t align,
		     enum span_kind kind, bool *fresh)
{
	uint64_t need = (uint64_t)n + align - 1;
	struct span *s = NULL;
	uint32_t i;

	if (n == 0 || align == 0 || (align & (align - 1)))
		return 0;
	ulock_lock(&h->page_lock);
	if (need <= h->nchunks)
		s = run_find(h, (uint32_t)need);
	if (s) {
		i = take_from_run(h, s, n, align);
		*fresh = false;
	} else {
		i = take_from_top(h, n, align, fresh);
	}
	if (i) {
		h->spans[i].kind = (uint8_t)kind;
		h->spans[i].nchunks = n;
	}
	ulock_unlock(&h->page_lock);
	return i;
}

/* Is chunk i inside a free run? Only asked on misuse, so it may walk back
 * over the interior chunks to the run's head. Caller holds page_lock. */
static bool in_free_run(const struct heap *h, uint32_t i)
{
	uint32_t j = i;

	if (i < h->first || i >= h->top)
		return false;
	if (h->spans[i].kind == SPAN_TAIL)
		return true;
	while (j > h->first && h->spans[j].kind == SPAN_NONE)
		j--;
	return h->spans[j].kind == SPAN_FREE && i - j < h->spans[j].nchunks;
}

int chunk_free(struct heap *h, uint32_t i, enum span_kind kind, uint32_t *n)
{
	struct span *s = &h->spans[i];
	int err = 0;

	ulock_lock(&h->page_lock);
	if (i < h->first || i >= h->top || s->kind != kind) {
		err = in_free_run(h, i) ? -EALREADY : -EINVAL;
	} else {
		*n = s->nchunks;
		desc_clear(s);
		run_release(h, i, *n);
	}
	ulock_unlock(&h->page_lock);
	return err;
}

uint32_t chunk_block_len(struct heap *h, uint32_t i)
{
	uint32_t n = 0;

	ulock_lock(&h->page_lock);
	if (i >= h->first && i < h->top && h->spans[i].kind == SPAN_LARGE)
		n = h->spans[i].nchunks;
	ulock_unlock(&h->page_lock);
	return n;
}

/* Grows the block [i, i+n) to m chunks from the free run or the unused
 * chunks right after it. Caller holds page_lock. */
static bool grow_in_place(struct heap *h, uint32_t i, uint32_t n, uint32_t m)
{
	uint32_t end = i + n, need = m - n, rl;
	struct span *r = &h->spans[end];

	if (end < h->top && r->kind == SPAN_FREE) {
		rl = r->nchunks;
		if (rl >= need) {
			run_remove(h, r);
			if (rl > need)
				run_insert(h, end + need, rl - need);
			return true;
		}
		if (end + rl != h->top || (uint64_t)i + m > h->nchunks)
			return false;
		run_remove(h, r);
		set_top(h, i + m);
		return true;
	}
	if (end != h->top || (uint64_t)i + m > h->nchunks)
		return false;
	set_top(h, i + m);
	return true;
}

bool chunk_resize(struct heap *h, uint32_t i, uint32_t m)
{
	struct span *s = &h->spans[i];
	uint32_t n;
	bool ok = true;

	ulock_lock(&h->page_lock);
	n = s->nchunks;
	if (m < n) {
		s->nchunks = m;
		run_release(h, i + m, n - m);
	} else if (m > n) {
		ok = grow_in_place(h, i, n, m);
		if (ok)
			s->nchunks = m;
	}
	ulock_unlock(&h->page_lock);
	return ok;
}

/* A key no object start (16-byte aligned) can equal and user data hardly
 * holds: rdtsc and the region's address through splitmix64, made odd. */
static uintptr_t heap_key(uintptr_t base)
{
	uint64_t z = __builtin_ia32_rdtsc() ^ base ^ 0x9e3779b97f4a7c15ull;

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return (uintptr_t)((z ^ (z >> 31)) | 1);
}

struct heap *heap_create(uintptr_t base, size_t size)
{
	uintptr_t b = (base + CHUNK_MASK) & ~(uintptr_t)CHUNK_MASK;
	size_t nchunks, meta, spans_off;
	struct heap *h;
	unsigned c;

	if (b < base || size < b - base)
		return NULL;
	size -= b - base;
	if (size < HEAP_MIN_REGION)
		return NULL;
	nchunks = size >> CHUNK_SHIFT;
	if (nchunks > UINT32_MAX)
		nchunks = UINT32_MAX;
	spans_off = (sizeof(struct heap) + 63) & ~(size_t)63;
	meta = spans_off + nchunks * sizeof(struct span);
	if ((meta >> CHUNK_SHIFT) + 2 > nchunks)
		return NULL;

	h = (struct heap *)b;
	memset(h, 0, sizeof(*h));
	h->base = b;
	h->nchunks = (uint32_t)nchunks;
	h->size = nchunks << CHUNK_SHIFT;
	h->first = (uint32_t)((meta + CHUNK_MASK) >> CHUNK_SHIFT);
	h->top = h->first;
	h->key = heap_key(b);
	h->spans = (struct span *)(b + spans_off);
	h->page_lock = (struct ulock)ULOCK_INIT;
	h->tc_lock = (struct ulock)ULOCK_INIT;
	for (c = 0; c <= NCLASSES; c++)
		h->central[c].lock = (struct ulock)ULOCK_INIT;
	return h;
}
