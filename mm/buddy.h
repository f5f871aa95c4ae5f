/*
 * mm/buddy.h — binary buddy allocator of physical frames (pure logic).
 *
 * A struct buddy manages the frames [base_pfn, base_pfn + nframes). A block
 * of order k is 2^k frames whose first pfn is a multiple of 2^k (aligned on
 * the absolute pfn, so an order-9 block is a 2 MiB-aligned physical range).
 * Order 0 is one 4 KiB frame; orders run 0 .. BUDDY_MAX_ORDER - 1.
 *
 * Locking: none inside. Every field of struct buddy and of its metadata
 * array is guarded by the caller's lock (mm/frame.c holds one around every
 * call). buddy_check() and buddy_nr_free() need that lock too.
 *
 * Cost: buddy_alloc and buddy_free are O(BUDDY_MAX_ORDER); buddy_init and
 * buddy_add_range are O(frames touched); buddy_check is O(nframes).
 */
#ifndef MM_BUDDY_H
#define MM_BUDDY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BUDDY_MAX_ORDER 11 /* orders 0..10: the largest block is 4 MiB */
#define BUDDY_NONE	0xffffffffu /* "no frame" in a 32-bit frame index */

/* struct buddy_frame.flags: exactly one of these, or 0 for a frame inside a
 * block (a tail frame, free or allocated, whose state its head holds). */
#define BUDDY_F_FREE	 0x1 /* head of a free block of order .order */
#define BUDDY_F_HEAD	 0x2 /* head of an allocated block of order .order */
#define BUDDY_F_RESERVED 0x4 /* not managed: never added, or not RAM */

/* Per-frame metadata, one per frame of the range, indexed by pfn - base. */
struct buddy_frame {
	uint32_t next; /* free-list links (frame indices) while FREE */
	uint32_t prev;
	uint8_t order; /* block order while FREE or HEAD */
	uint8_t flags; /* BUDDY_F_* */
	uint16_t pad;
};
_Static_assert(sizeof(struct buddy_frame) <= 16, "buddy_frame too big");

/* All fields: guarded by the caller's lock. */
struct buddy {
	uint64_t base_pfn;	    /* first frame managed */
	uint64_t nframes;	    /* frames managed, usable or reserved */
	struct buddy_frame *frames; /* nframes entries, owned by the caller */
	uint32_t free_head[BUDDY_MAX_ORDER]; /* first free block per order */
	uint64_t nr_free;		     /* frames in free blocks */
	uint64_t nr_usable; /* frames ever added with buddy_add_range */
};

/* Bytes of metadata buddy_init needs for nframes frames. */
size_t buddy_meta_size(uint64_t nframes);

/*
 * Sets up b over [base_pfn, base_pfn + nframes), using meta (at least
 * buddy_meta_size(nframes) bytes) for the per-frame metadata. Every frame
 * starts reserved: nothing can be allocated until buddy_add_range.
 * Returns 0, or -EINVAL if nframes >= BUDDY_NONE (frame indices are 32-bit)
 * or the range runs past pfn 2^52 (the x86_64 physical limit).
 */
int buddy_init(struct buddy *b, uint64_t base_pfn, uint64_t nframes,
	       struct buddy_frame *meta);

/*
 * Makes [pfn, pfn + n) usable and frees it, in the largest aligned blocks
 * that fit, merging with free neighbours. n == 0 does nothing.
 * Returns 0, or -EINVAL (and changes nothing) if the range leaves the
 * managed range or any frame in it is already usable.
 */
int buddy_add_range(struct buddy *b, uint64_t pfn, uint64_t n);

/*
 * Allocates one block of 2^order frames and stores its first pfn in *pfn.
 * Returns 0, -EINVAL if order >= BUDDY_MAX_ORDER, or -ENOMEM if no free
 * block of that order or larger exists (*pfn is then left untouched).
 */
int buddy_alloc(struct buddy *b, unsigned order, uint64_t *pfn);

/*
 * Frees the block [pfn, pfn + 2^order) that buddy_alloc returned, with the
 * same order, merging it with its free buddies. Returns 0, or -EINVAL and
 * changes nothing when: order >= BUDDY_MAX_ORDER; pfn is outside the range
 * or not a multiple of 2^order; the frame is reserved; the block is already
 * free (double free); or pfn does not head an allocated block of exactly
 * this order (a tail frame, or a different order).
 */
int buddy_free(struct buddy *b, uint64_t pfn, unsigned order);

/* Frames in free blocks. */
uint64_t buddy_nr_free(const struct buddy *b);

/*
 * Checks every invariant: each block head is aligned and inside the range;
 * tail frames carry no flags; each free block is on the list of its order
 * and nowhere else, with consistent links; no free block has a free buddy
 * of the same order; nr_free equals the frames in free blocks. Returns true
 * if all hold. For tests and debug builds.
 */
bool buddy_check(const struct buddy *b);

#endif
