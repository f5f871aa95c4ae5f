/*
 * mm/kmalloc.h — the kernel heap: kmalloc/kzalloc/krealloc/kfree.
 *
 * Requests up to KMALLOC_MAX_SMALL bytes come from one of eight slab caches
 * (16, 32, ..., 2048 bytes). Bigger ones take a block of 2^order pages
 * straight from the page provider, with a 16-byte header before the
 * returned pointer recording the order. Every result is aligned to at least
 * KMALLOC_ALIGN bytes.
 *
 * All kmalloc slabs are KMALLOC_BLOCK bytes, and large blocks are at least
 * that big and aligned to their size, so kfree finds the header of any
 * pointer by aligning it down to KMALLOC_BLOCK and reading the magic there.
 *
 * Locking: each size class has its own slab cache lock (spin_lock_irqsave);
 * the large path holds no lock of its own (the page provider locks). All
 * functions may be called from any context once kmalloc_init has run.
 */
#ifndef MM_KMALLOC_H
#define MM_KMALLOC_H

#include <stddef.h>
#include <stdint.h>

#include "mm/slab.h"

#define KMALLOC_ALIGN	   16
#define KMALLOC_MIN	   16
#define KMALLOC_MAX_SMALL  2048
#define KMALLOC_NR_CLASSES 8 /* 16 .. 2048 */
#define KMALLOC_SLAB_ORDER 1 /* every kmalloc slab is 8 KiB */
#define KMALLOC_BLOCK	   (SLAB_PAGE_SIZE << KMALLOC_SLAB_ORDER)
#define KMALLOC_MAX_ORDER  10 /* the largest block: 4 MiB */
#define KMALLOC_LARGE_HDR  16
/* The largest request kmalloc can meet. */
#define KMALLOC_MAX_SIZE                                                       \
	((SLAB_PAGE_SIZE << KMALLOC_MAX_ORDER) - KMALLOC_LARGE_HDR)

struct kmalloc_stats {
	struct slab_stats classes[KMALLOC_NR_CLASSES]; /* 16, 32, ... */
	uint64_t large_in_use;	 /* live large allocations */
	uint64_t large_pages;	 /* pages they hold */
	uint64_t large_failures; /* large requests that got NULL */
	uint64_t bad_frees;	 /* kfree_checked calls that returned -EINVAL */
};

/*
 * Sets up the size classes over ops (copied). Returns 0, -EINVAL if ops or a
 * callback is NULL, or -EBUSY if kmalloc is already set up.
 */
int kmalloc_init(const struct slab_page_ops *ops);

/*
 * Returns size bytes aligned to KMALLOC_ALIGN, or NULL when out of memory,
 * when size > KMALLOC_MAX_SIZE, or before kmalloc_init. kmalloc(0) returns
 * a distinct minimum-size object that kfree takes back.
 */
void *kmalloc(size_t size);

/* kmalloc, then the size bytes cleared. */
void *kzalloc(size_t size);

/*
 * Resizes p (NULL: like kmalloc) to size bytes, keeping the contents up to
 * the smaller size; may move it. size == 0 frees p and returns NULL. Returns
 * NULL and leaves p untouched when out of memory or when p is not a live
 * kmalloc pointer.
 */
void *krealloc(void *p, size_t size);

/* Frees p (NULL is fine). Bad pointers are counted and ignored. */
void kfree(void *p);

/*
 * kfree that reports: 0 (p freed, or p NULL), or -EINVAL and nothing freed
 * if p is not a live kmalloc pointer (not from kmalloc, not its start, or
 * already freed). p must point into memory that is mapped around it.
 */
int kfree_checked(void *p);

/* Bytes usable at p (at least what was asked), 0 if p is NULL or bad. */
size_t ksize(const void *p);

/* Copies every counter into *out. */
void kmalloc_stats(struct kmalloc_stats *out);

#endif
