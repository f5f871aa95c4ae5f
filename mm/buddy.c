/*
 * mm/buddy.c — binary buddy allocator of physical frames (pure logic).
 *
 * Free blocks sit on one doubly-linked list per order, linked through the
 * metadata of their head frames by 32-bit frame index. A block's buddy is
 * found by flipping bit `order` of its absolute pfn. The caller locks.
 */
#include "mm/buddy.h"
#include "kernel/errno.h"

#define PFN_LIMIT (1ull << 52) /* 4 PiB: the x86_64 physical address limit */

size_t buddy_meta_size(uint64_t nframes)
{
	return (size_t)nframes * sizeof(struct buddy_frame);
}

int buddy_init(struct buddy *b, uint64_t base_pfn, uint64_t nframes,
	       struct buddy_frame *meta)
{
	if (nframes >= BUDDY_NONE || base_pfn >= PFN_LIMIT ||
	    nframes > PFN_LIMIT - base_pfn)
		return -EINVAL;
	b->base_pfn = base_pfn;
	b->nframes = nframes;
	b->frames = meta;
	b->nr_free = 0;
	b->nr_usable = 0;
	for (unsigned o = 0; o < BUDDY_MAX_ORDER; o++)
		b->free_head[o] = BUDDY_NONE;
	for (uint64_t i = 0; i < nframes; i++) {
		meta[i].next = BUDDY_NONE;
		meta[i].prev = BUDDY_NONE;
		meta[i].order = 0;
		meta[i].flags = BUDDY_F_RESERVED;
		meta[i].pad = 0;
	}
	return 0;
}

/* ---- free lists ---- */

static void list_push(struct buddy *b, uint32_t idx, unsigned order)
{
	struct buddy_frame *f = &b->frames[idx];
	uint32_t head = b->free_head[order];

	f->flags = BUDDY_F_FREE;
	f->order = (uint8_t)order;
	f->prev = BUDDY_NONE;
	f->next = head;
	if (head != BUDDY_NONE)
		b->frames[head].prev = idx;
	b->free_head[order] = idx;
}

static void list_del(struct buddy *b, uint32_t idx)
{
	struct buddy_frame *f = &b->frames[idx];

	if (f->prev != BUDDY_NONE)
		b->frames[f->prev].next = f->next;
	else
		b->free_head[f->order] = f->next;
	if (f->next != BUDDY_NONE)
		b->frames[f->next].prev = f->prev;
	f->next = BUDDY_NONE;
	f->prev = BUDDY_NONE;
	f->flags = 0;
	f->order = 0;
}

/* ---- allocation ---- */

int buddy_alloc(struct buddy *b, unsigned order, uint64_t *pfn)
{
	unsigned o = order;
	uint32_t idx;

	if (order >= BUDDY_MAX_ORDER)
		return -EINVAL;
	while (o < BUDDY_MAX_ORDER && b->free_head[o] == BUDDY_NONE)
		o++;
	if (o == BUDDY_MAX_ORDER)
		return -ENOMEM;
	idx = b->free_head[o];
	list_del(b, idx);
	/* Split: the upper half of each step goes back on the lower list. */
	while (o > order) {
		o--;
		list_push(b, idx + (1u << o), o);
	}
	b->frames[idx].flags = BUDDY_F_HEAD;
	b->frames[idx].order = (uint8_t)order;
	b->nr_free -= 1ull << order;
	*pfn = b->base_pfn + idx;
	return 0;
}

/*
 * Frees the block at index idx (its head carries no flags) and merges it
 * with free buddies as far as they go.
 */
static void free_block(struct buddy *b, uint32_t idx, unsigned order)
{
	b->nr_free += 1ull << order;
	while (order < BUDDY_MAX_ORDER - 1) {
		uint64_t pfn = b->base_pfn + idx;
		uint64_t bpfn = pfn ^ (1ull << order);
		uint32_t bidx;

		if (bpfn < b->base_pfn || bpfn - b->base_pfn >= b->nframes)
			break;
		bidx = (uint32_t)(bpfn - b->base_pfn);
		/* A buddy of the same order wholly inside the range. */
		if (b->frames[bidx].flags != BUDDY_F_FREE ||
		    b->frames[bidx].order != order)
			break;
		list_del(b, bidx);
		if (bidx < idx)
			idx = bidx;
		order++;
	}
	list_push(b, idx, order);
}

int buddy_free(struct buddy *b, uint64_t pfn, unsigned order)
{
	struct buddy_frame *f;
	uint64_t idx;

	if (order >= BUDDY_MAX_ORDER)
		return -EINVAL;
	if (pfn < b->base_pfn || pfn - b->base_pfn >= b->nframes)
		return -EINVAL;
	if (pfn & ((1ull << order) - 1))
		return -EINVAL;
	idx = pfn - b->base_pfn;
	f = &b->frames[idx];
	/* Only a HEAD of this exact order: catches reserved frames, double
	 * frees (FREE or a tail of a merged free block), tails of allocated
	 * blocks and order mismatches, all without touching state. */
	if (f->flags != BUDDY_F_HEAD || f->order != order)
		return -EINVAL;
	f->flags = 0;
	f->order = 0;
	free_block(b, (uint32_t)idx, order);
	return 0;
}

/* ---- adding memory ---- */

int buddy_add_range(struct buddy *b, uint64_t pfn, uint64_t n)
{
	uint64_t start, end, i;

	if (n == 0)
		return 0;
	if (pfn < b->base_pfn || pfn - b->base_pfn > b->nframes ||
	    n > b->nframes - (pfn - b->base_pfn))
		return -EINVAL;
	start = pfn - b->base_pfn;
	end = start + n;
	for (i = start; i < end; i++)
		if (b->frames[i].flags != BUDDY_F_RESERVED)
			return -EINVAL;
	for (i = start; i < end; i++)
		b->frames[i].flags = 0;
	b->nr_usable += n;
	/* Largest block aligned on the absolute pfn that still fits. */
	for (i = start; i < end;) {
		uint64_t apfn = b->base_pfn + i;
		unsigned o = 0;

		while (o + 1 < BUDDY_MAX_ORDER &&
		       !(apfn & ((1ull << (o + 1)) - 1)) &&
		       i + (1ull << (o + 1)) <= end)
			o++;
		free_block(b, (uint32_t)i, o);
		i += 1ull << o;
	}
	return 0;
}

uint64_t buddy_nr_free(const struct buddy *b)
{
	return b->nr_free;
}

/* ---- invariants ---- */

/* Checks one block head at idx: order, alignment, extent, clean tails. */
static bool check_block(const struct buddy *b, uint64_t idx)
{
	const struct buddy_frame *f = &b->frames[idx];
	uint64_t size;

	if (f->order >= BUDDY_MAX_ORDER)
		return false;
	size = 1ull << f->order;
	if (((b->base_pfn + idx) & (size - 1)) || idx + size > b->nframes)
		return false;
	for (uint64_t t = idx + 1; t < idx + size; t++)
		if (b->frames[t].flags != 0)
			return false;
	if (f->flags == BUDDY_F_HEAD &&
	    (f->next != BUDDY_NONE || f->prev != BUDDY_NONE))
		return false;
	return true;
}

/* Walks the list of one order; counts its blocks and frames. */
static bool check_list(const struct buddy *b, unsigned o, uint64_t limit,
		       uint64_t *blocks)
{
	uint32_t prev = BUDDY_NONE;
	uint64_t n = 0;

	for (uint32_t i = b->free_head[o]; i != BUDDY_NONE;
	     prev = i, i = b->frames[i].next) {
		const struct buddy_frame *f;
		uint64_t bpfn;

		if (i >= b->nframes || ++n > limit)
			return false; /* a wild index, or a cycle */
		f = &b->frames[i];
		if (f->flags != BUDDY_F_FREE || f->order != o ||
		    f->prev != prev)
			return false;
		if (o + 1 < BUDDY_MAX_ORDER) {
			bpfn = (b->base_pfn + i) ^ (1ull << o);
			if (bpfn >= b->base_pfn &&
			    bpfn - b->base_pfn < b->nframes &&
			    b->frames[bpfn - b->base_pfn].flags ==
				BUDDY_F_FREE &&
			    b->frames[bpfn - b->base_pfn].order == o)
				return false; /* should have merged */
		}
	}
	*blocks = n;
	return true;
}

bool buddy_check(const struct buddy *b)
{
	uint64_t free_blocks[BUDDY_MAX_ORDER] = {0};
	uint64_t free_frames = 0, usable = 0, i = 0;

	while (i < b->nframes) {
		const struct buddy_frame *f = &b->frames[i];

		if (f->flags == BUDDY_F_RESERVED) {
			i++;
			continue;
		}
		if (f->flags != BUDDY_F_FREE && f->flags != BUDDY_F_HEAD)
			return false; /* a stray tail, or mixed flags */
		if (!check_block(b, i))
			return false;
		if (f->flags == BUDDY_F_FREE) {
			free_blocks[f->order]++;
			free_frames += 1ull << f->order;
		}
		usable += 1ull << f->order;
		i += 1ull << f->order;
	}
	if (free_frames != b->nr_free || usable != b->nr_usable)
		return false;
	for (unsigned o = 0; o < BUDDY_MAX_ORDER; o++) {
		uint64_t n;

		if (!check_list(b, o, free_blocks[o], &n) ||
		    n != free_blocks[o])
			return false;
	}
	return true;
}
