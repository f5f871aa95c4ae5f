/*
 * mm/slab_opt.h — tunables of the slab allocator (override with -D).
 */
#ifndef MM_SLAB_OPT_H
#define MM_SLAB_OPT_H

/* Largest slab: 2^SLAB_MAX_ORDER pages (64 KiB). */
#ifndef SLAB_MAX_ORDER
#define SLAB_MAX_ORDER 4
#endif

/* 1: fill free objects with SLAB_POISON and check the pattern on the way
 * out, counting writes after free in poison_errors. Costs a memset and a
 * scan of each object; on by default in host tests only. */
#ifndef SLAB_DEBUG
#ifdef UNUM_HOST
#define SLAB_DEBUG 1
#else
#define SLAB_DEBUG 0
#endif
#endif

#define SLAB_POISON 0x6b

#endif
