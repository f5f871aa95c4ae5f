/*
 * posix/malloc_api.c — the rest of the malloc family over the core of
 * posix/malloc.c: malloc_usable_size, realloc (in place when it fits),
 * reallocarray, the aligned allocators, malloc_trim, and newlib's
 * reentrant entry points. Errors follow POSIX and glibc: ENOMEM in errno (posix_memalign
 * returns it instead and leaves errno and *memptr alone), EINVAL for a bad
 * alignment.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "posix/malloc.h"

size_t PUB(malloc_usable_size)(void *ptr)
{
	struct heap *h;
	uint32_t i;
	unsigned c;
	size_t n;

	if (!ptr)
		return 0;
	n = heap_block_size(ptr, &h, &i, &c);
	if (!n)
		posix_malloc_error("malloc_usable_size(): invalid pointer",
				   ptr);
	return n;
}

/* ---- realloc ------------------------------------------------------------- */

void *PUB(realloc)(void *ptr, size_t n)
{
	struct heap *h;
	uint32_t i, m;
	unsigned c;
	size_t old;
	void *np;

	if (!ptr)
		return PUB(malloc)(n);
	if (n == 0) {
		PUB(free)(ptr);
		return NULL;
	}
	old = heap_block_size(ptr, &h, &i, &c);
	if (!old) {
		posix_malloc_error("realloc(): invalid pointer", ptr);
		errno = EINVAL;
		return NULL;
	}
	if (c) {
		/* stay unless the block would be less than half used */
		if (n <= old && (n > old / 2 || size_class(n) == c))
			return ptr;
	} else if (n > SMALL_MAX && n <= h->size) {
		m = (uint32_t)((n + CHUNK_MASK) >> CHUNK_SHIFT);
		if (chunk_resize(h, i, m)) {
			heap_count_resize(h, old, (size_t)m << CHUNK_SHIFT);
			return ptr;
		}
	}
	np = PUB(malloc)(n);
	if (!np)
		return NULL;
	memcpy(np, ptr, n < old ? n : old);
	PUB(free)(ptr);
	return np;
}

void *PUB(reallocarray)(void *ptr, size_t nmemb, size_t size)
{
	size_t n;

	if (__builtin_mul_overflow(nmemb, size, &n)) {
		errno = ENOMEM;
		return NULL;
	}
	return PUB(realloc)(ptr, n);
}

/* ---- aligned allocation -------------------------------------------------- */

static bool power_of_two(size_t x)
{
	return x && !(x & (x - 1));
}

int PUB(posix_memalign)(void **memptr, size_t align, size_t n)
{
	void *p;

	if (!power_of_two(align) || align % sizeof(void *))
		return EINVAL;
	p = heap_alloc_aligned(align, n);
	if (!p)
		return ENOMEM;
	*memptr = p;
	return 0;
}

void *PUB(memalign)(size_t align, size_t n)
{
	void *p;

	if (!power_of_two(align)) {
		errno = EINVAL;
		return NULL;
	}
	p = heap_alloc_aligned(align, n);
	if (!p)
		errno = ENOMEM;
	return p;
}

void *PUB(aligned_alloc)(size_t align, size_t n)
{
	return PUB(memalign)(align, n);
}

void *PUB(valloc)(size_t n)
{
	return PUB(memalign)(HEAP_PAGE, n);
}

void *PUB(pvalloc)(size_t n)
{
	if (n > SIZE_MAX - (HEAP_PAGE - 1)) {
		errno = ENOMEM;
		return NULL;
	}
	n = n ? (n + HEAP_PAGE - 1) & ~(size_t)(HEAP_PAGE - 1) : HEAP_PAGE;
	return PUB(memalign)(HEAP_PAGE, n);
}

/* ---- malloc_trim (posix/heap.h) ----------------------------------------- */

int PUB(malloc_trim)(size_t pad)
{
	return heap_trim() ? 1 : 0;
}

/* ---- newlib's reentrant entry points (errno is the thread's _reent) ------ */

void *PUB(_malloc_r)(struct _reent *r, size_t n)
{
	return PUB(malloc)(n);
}

void PUB(_free_r)(struct _reent *r, void *p)
{
	PUB(free)(p);
}

void *PUB(_calloc_r)(struct _reent *r, size_t nmemb, size_t size)
{
	return PUB(calloc)(nmemb, size);
}

void *PUB(_realloc_r)(struct _reent *r, void *p, size_t n)
{
	return PUB(realloc)(p, n);
}

void *PUB(_memalign_r)(struct _reent *r, size_t align, size_t n)
{
	return PUB(memalign)(align, n);
}

size_t PUB(_malloc_usable_size_r)(struct _reent *r, void *p)
{
	return PUB(malloc_usable_size)(p);
}

int PUB(_malloc_trim_r)(struct _reent *r, size_t pad)
{
	return PUB(malloc_trim)(pad);
}
