/*
 * mm/kmalloc.c — the kernel heap: size-class slab caches plus a large path
 * straight to the page provider. The same file runs in host unit tests over
 * an aligned_alloc-backed provider.
 */
#include <stdbool.h>

#include "mm/kmalloc.h"
#include "kernel/errno.h"
#include "kernel/kstring.h"

#define LARGE_MAGIC 0x4b4c5247u /* "KLRG" */

/* Header of a large block, at its start; the caller gets the bytes after. */
struct large_hdr {
	uint32_t magic; /* LARGE_MAGIC while live; cleared atomically on free */
	uint32_t order;
	uint64_t pad;
};
_Static_assert(sizeof(struct large_hdr) == KMALLOC_LARGE_HDR, "large_hdr");

static const char *const class_names[KMALLOC_NR_CLASSES] = {
    "kmalloc-16",  "kmalloc-32",  "kmalloc-64",	  "kmalloc-128",
    "kmalloc-256", "kmalloc-512", "kmalloc-1024", "kmalloc-2048",
};

/* Set once by kmalloc_init (boot, one CPU), then read-only. */
static struct slab_cache classes[KMALLOC_NR_CLASSES];
static struct slab_page_ops page_ops;
static bool ready;

/* Atomic counters of the large path and of bad frees. */
static uint64_t large_in_use, large_pages, large_failures, bad_frees;

int kmalloc_init(const struct slab_page_ops *ops)
{
	if (!ops || !ops->alloc_pages || !ops->free_pages)
		return -EINVAL;
	if (ready)
		return -EBUSY;
	for (unsigned i = 0; i < KMALLOC_NR_CLASSES; i++) {
		int err = slab_cache_init_order(
		    &classes[i], class_names[i], (size_t)KMALLOC_MIN << i,
		    KMALLOC_ALIGN, KMALLOC_SLAB_ORDER, ops);
		if (err)
			return err; /* cannot happen: the sizes are fixed */
	}
	page_ops = *ops;
	ready = true;
	return 0;
}

/* Size class of a small request: 0 for 16 bytes, ..., 7 for 2048. */
static unsigned size_class(size_t size)
{
	if (size <= KMALLOC_MIN)
		return 0;
	return (unsigned)(64 - __builtin_clzll(size - 1)) - 4;
}

static void *large_alloc(size_t size)
{
	unsigned order = KMALLOC_SLAB_ORDER;
	struct large_hdr *h;

	if (size > KMALLOC_MAX_SIZE)
		goto fail;
	while ((SLAB_PAGE_SIZE << order) < size + KMALLOC_LARGE_HDR)
		order++;
	h = page_ops.alloc_pages(order, page_ops.ctx);
	if (!h)
		goto fail;
	if ((uintptr_t)h & ((SLAB_PAGE_SIZE << order) - 1)) {
		/* Not aligned to its size: kfree could not find the header. */
		page_ops.free_pages(h, order, page_ops.ctx);
		goto fail;
	}
	h->order = order;
	h->pad = 0;
	__atomic_store_n(&h->magic, LARGE_MAGIC, __ATOMIC_RELEASE);
	__atomic_fetch_add(&large_in_use, 1, __ATOMIC_RELAXED);
	__atomic_fetch_add(&large_pages, 1ull << order, __ATOMIC_RELAXED);
	return h + 1;
fail:
	__atomic_fetch_add(&large_failures, 1, __ATOMIC_RELAXED);
	return NULL;
}

void *kmalloc(size_t size)
{
	if (!ready)
		return NULL;
	if (size <= KMALLOC_MAX_SMALL)
		return slab_alloc(&classes[size_class(size)]);
	return large_alloc(size);
}

void *kzalloc(size_t size)
{
	void *p = kmalloc(size);

	if (p)
		memset(p, 0, size);
	return p;
}

/* The kmalloc class owning the slab at block, or NULL. */
static struct slab_cache *class_of(const void *block)
{
	struct slab_cache *c = slab_cache_of(block);
	uintptr_t a = (uintptr_t)c, first = (uintptr_t)&classes[0];

	if (!c || a < first || a >= (uintptr_t)&classes[KMALLOC_NR_CLASSES] ||
	    (a - first) % sizeof(classes[0]))
		return NULL;
	return c;
}

/* The live large header that p is the payload of, or NULL. */
static struct large_hdr *large_of(const void *p, const void *block)
{
	struct large_hdr *h = (struct large_hdr *)block;

	if ((const void *)(h + 1) != p ||
	    __atomic_load_n(&h->magic, __ATOMIC_ACQUIRE) != LARGE_MAGIC ||
	    h->order < KMALLOC_SLAB_ORDER || h->order > KMALLOC_MAX_ORDER)
		return NULL;
	return h;
}

static const void *block_of(const void *p)
{
	return (const void *)((uintptr_t)p & ~(KMALLOC_BLOCK - 1));
}

int kfree_checked(void *p)
{
	const void *block = block_of(p);
	struct slab_cache *c;
	struct large_hdr *h;
	uint32_t magic = LARGE_MAGIC;
	unsigned order;

	if (!p)
		return 0;
	if (!ready)
		goto bad;
	c = class_of(block);
	if (c) {
		if (slab_free(c, p))
			goto bad;
		return 0;
	}
	h = large_of(p, block);
	/* The exchange makes two racing frees of one block fail one of them. */
	if (!h ||
	    !__atomic_compare_exchange_n(&h->magic, &magic, 0, false,
					 __ATOMIC_ACQ_REL, __ATOMIC_RELAXED))
		goto bad;
	order = h->order;
	page_ops.free_pages(h, order, page_ops.ctx);
	__atomic_fetch_sub(&large_in_use, 1, __ATOMIC_RELAXED);
	__atomic_fetch_sub(&large_pages, 1ull << order, __ATOMIC_RELAXED);
	return 0;
bad:
	__atomic_fetch_add(&bad_frees, 1, __ATOMIC_RELAXED);
	return -EINVAL;
}

void kfree(void *p)
{
	(void)kfree_checked(p);
}

size_t ksize(const void *p)
{
	const void *block = block_of(p);
	struct slab_cache *c;
	struct large_hdr *h;

	if (!p || !ready)
		return 0;
	c = class_of(block);
	if (c)
		return slab_is_live(c, p) ? c->obj_size : 0;
	h = large_of(p, block);
	return h ? (SLAB_PAGE_SIZE << h->order) - KMALLOC_LARGE_HDR : 0;
}

void *krealloc(void *p, size_t size)
{
	size_t have;
	void *q;

	if (!p)
		return kmalloc(size);
	have = ksize(p);
	if (!have)
		return NULL;
	if (size == 0) {
		kfree(p);
		return NULL;
	}
	if (size <= have)
		return p;
	q = kmalloc(size);
	if (!q)
		return NULL;
	memcpy(q, p, have);
	kfree(p);
	return q;
}

void kmalloc_stats(struct kmalloc_stats *out)
{
	memset(out, 0, sizeof(*out));
	if (ready)
		for (unsigned i = 0; i < KMALLOC_NR_CLASSES; i++)
			slab_cache_stats(&classes[i], &out->classes[i]);
	out->large_in_use = __atomic_load_n(&large_in_use, __ATOMIC_RELAXED);
	out->large_pages = __atomic_load_n(&large_pages, __ATOMIC_RELAXED);
	out->large_failures =
	    __atomic_load_n(&large_failures, __ATOMIC_RELAXED);
	out->bad_frees = __atomic_load_n(&bad_frees, __ATOMIC_RELAXED);
}
