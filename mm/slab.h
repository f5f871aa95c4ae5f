/*
 * mm/slab.h — slab caches: fixed-size objects carved from blocks of pages.
 *
 * A cache takes blocks of 2^order pages from a page provider (struct
 * slab_page_ops) and cuts each into equal objects. Every block ("slab")
 * starts with a header (struct slab: magic, owning cache, free count,
 * free-object bitmap), so slab_free finds the slab of an object by
 * aligning its address down to the slab size. The free set is a bitmap in
 * the header rather than links inside free objects: the allocator never
 * writes into a free object, so a write after free cannot corrupt the cache,
 * and a double free is one bit test.
 *
 * Slabs sit on one of three lists: partial, full, empty. At most one empty
 * slab is kept as a spare; the others go back to the page provider.
 *
 * Locking: each cache has its own spinlock, taken with spin_lock_irqsave,
 * so caches may be used from interrupt handlers. The page provider is
 * called without the cache lock held. Lock order: cache lock, then nothing.
 */
#ifndef MM_SLAB_H
#define MM_SLAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kernel/spinlock.h"
#include "mm/slab_opt.h"

#define SLAB_PAGE_SIZE 4096ul
#define SLAB_MAGIC     0x51ab51abu

/*
 * Where slabs come from. Both callbacks are called without any slab lock
 * held and must be safe to call from every context the cache is used in.
 */
struct slab_page_ops {
	/* Required; no slab lock held. Returns 2^order pages, virtually
	 * contiguous and aligned to their size (4096 << order): slab_free
	 * depends on that alignment. NULL when out of memory. */
	void *(*alloc_pages)(unsigned order, void *ctx);
	/* Required; no slab lock held. Takes back a block alloc_pages
	 * returned, with the same order. */
	void (*free_pages)(void *p, unsigned order, void *ctx);
	void *ctx; /* passed to both (not a callback) */
};

struct slab; /* the header at the start of every slab (mm/slab.c) */

enum { SLAB_LIST_PARTIAL, SLAB_LIST_FULL, SLAB_LIST_EMPTY, SLAB_NR_LISTS };

/* Counters of one cache, copied out under its lock. */
struct slab_stats {
	uint64_t objs_in_use; /* allocated objects */
	uint64_t slabs;	      /* slabs held: partial + full + empty */
	uint64_t slabs_partial, slabs_full, slabs_empty;
	uint64_t allocs, frees;	 /* successful slab_alloc / slab_free calls */
	uint64_t alloc_failures; /* slab_alloc returned NULL */
	uint64_t bad_frees;	 /* slab_free returned -EINVAL */
	uint64_t poison_errors;	 /* free objects found written (SLAB_DEBUG) */
	uint32_t objs_per_slab;
	unsigned order; /* pages per slab: 2^order */
};

/*
 * (c) set by slab_cache_init, then read-only; (l) guarded by .lock.
 */
struct slab_cache {
	const char *name;  /* (c) the caller's string; must outlive the cache */
	size_t obj_size;   /* (c) as asked */
	size_t align;	   /* (c) object alignment, a power of two */
	size_t stride;	   /* (c) distance between objects */
	size_t obj_off;	   /* (c) offset of object 0 from the slab start */
	size_t slab_bytes; /* (c) 4096 << order */
	unsigned order;	   /* (c) */
	uint32_t objs_per_slab;	  /* (c) */
	uint32_t map_words;	  /* (c) 64-bit words in each slab's bitmap */
	struct slab_page_ops ops; /* (c) a copy */

	struct spinlock lock;
	struct slab *lists[SLAB_NR_LISTS]; /* (l) heads, NULL when empty */
	uint64_t nr_slabs[SLAB_NR_LISTS];  /* (l) */
	uint64_t objs_in_use;		   /* (l) */
	uint64_t allocs, frees, alloc_failures, bad_frees; /* (l) */
	uint64_t poison_errors;				   /* (l) */
};

/*
 * Sets up cache c for objects of size bytes aligned to align (0 means 8;
 * otherwise a power of two up to 4096). The slab order is chosen so that a
 * slab holds at least 4 objects with at most 1/8 waste when an order up to
 * SLAB_MAX_ORDER allows it, else the smallest order that holds one.
 * Returns 0, or -EINVAL if ops or a required callback is NULL, size is 0,
 * align is not a power of two or above 4096, or no slab of order up to
 * SLAB_MAX_ORDER holds one object. Nothing is allocated until slab_alloc.
 */
int slab_cache_init(struct slab_cache *c, const char *name, size_t size,
		    size_t align, const struct slab_page_ops *ops);

/* The same with the slab order fixed (kmalloc gives all its caches one
 * order). -EINVAL also if order > SLAB_MAX_ORDER or one object won't fit. */
int slab_cache_init_order(struct slab_cache *c, const char *name, size_t size,
			  size_t align, unsigned order,
			  const struct slab_page_ops *ops);

/* Returns an object aligned to the cache's align, or NULL when the page
 * provider is out of memory. The contents are undefined. */
void *slab_alloc(struct slab_cache *c);

/*
 * Returns p to c. Returns 0, or -EINVAL and changes nothing (but the
 * bad_frees counter) if p is NULL, does not lie in a live slab of c, is not
 * at an object boundary, or is already free (double free). p must point into
 * mapped memory whose surrounding slab-sized block is readable.
 */
int slab_free(struct slab_cache *c, void *p);

/* True if p is an allocated object of c (same checks as slab_free). */
bool slab_is_live(struct slab_cache *c, const void *p);

/* The cache owning the live slab that starts at block (aligned to its slab
 * size), or NULL if block holds no slab header. No lock needed: the magic
 * and owner of a live slab never change. */
struct slab_cache *slab_cache_of(const void *block);

/* Returns every empty slab (the spare too) to the page provider. */
void slab_cache_shrink(struct slab_cache *c);

/* Returns all slabs to the page provider and leaves c unusable until the
 * next slab_cache_init. -EBUSY (and nothing done) while objects are in use. */
int slab_cache_destroy(struct slab_cache *c);

/* Copies c's counters into *out. */
void slab_cache_stats(struct slab_cache *c, struct slab_stats *out);

#endif
