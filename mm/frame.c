/*
 * mm/frame.c — physical frames. A bump allocator serves the first page
 * tables (before the direct map exists); then all usable RAM, minus what the
 * kernel, the bump region and the boot modules occupy, goes to the buddy.
 */
#include "arch/x86_64/cpu.h"
#include "boot/boot_info.h"
#include "kernel/kstring.h"
#include "kernel/log.h"
#include "kernel/panic.h"
#include "kernel/spinlock.h"
#include "mm/buddy.h"
#include "mm/frame.h"
#include "mm/vm.h"

#define EARLY_POOL (512 * 1024) /* page tables for the direct map and image */
#define LOW_LIMIT  0x100000	/* below 1 MiB: BIOS, trampolines */

extern char __boot_start[], __image_phys_end[];

static struct spinlock frame_lock = SPINLOCK_INIT;
static struct buddy buddy;			   /* (frame_lock) */
static uint64_t total_frames;			   /* (c) */
static uint64_t early_base, early_next, early_end; /* boot CPU only, early */

struct range {
	uint64_t lo, hi;
};

/* The image ends after the static GAS data's load copy. */
static uint64_t kernel_phys_end(void)
{
	return (uint64_t)(uintptr_t)__image_phys_end;
}

/* Reserved ranges: low memory, the image, the early pool, modules. */
static int reserved_ranges(const struct boot_info *bi, struct range *r)
{
	int n = 0;
	r[n++] = (struct range){0, LOW_LIMIT};
	r[n++] = (struct range){(uint64_t)__boot_start, kernel_phys_end()};
	if (early_end)
		r[n++] = (struct range){early_base, early_end};
	for (uint32_t i = 0; i < bi->nr_modules; i++)
		r[n++] =
		    (struct range){bi->modules[i].base & ~0xfffull,
				   bi->modules[i].base + bi->modules[i].len};
	return n;
}

/* First gap of `bytes` in usable RAM below `limit` that avoids every
 * reserved range; 0 if none. */
static uint64_t find_gap(const struct boot_info *bi, uint64_t bytes,
			 uint64_t limit)
{
	struct range res[4 + BOOT_MAX_MODULES];
	int nres = reserved_ranges(bi, res);

	for (uint32_t i = 0; i < bi->nr_mmap; i++) {
		const struct boot_mem_region *m = &bi->mmap[i];
		if (m->type != BOOT_MEM_USABLE)
			continue;
		uint64_t lo = (m->base + 0xfff) & ~0xfffull,
			 hi = m->base + m->len;
		if (hi > limit)
			hi = limit;
		for (uint64_t cand = lo; cand + bytes <= hi;) {
			bool clash = false;
			for (int k = 0; k < nres; k++) {
				if (cand < res[k].hi &&
				    cand + bytes > res[k].lo) {
					cand = (res[k].hi + 0xfff) & ~0xfffull;
					clash = true;
					break;
				}
			}
			if (!clash)
				return cand;
		}
	}
	return 0;
}

uint64_t frame_early_alloc(uint64_t bytes)
{
	bytes = (bytes + 0xfff) & ~0xfffull;
	if (!early_end || early_next + bytes > early_end)
		return 0;
	uint64_t pa = early_next;
	early_next += bytes;
	return pa;
}

void frame_early_init(const struct boot_info *bi);
void frame_early_init(const struct boot_info *bi)
{
	/* the boot page tables identity-map 4 GiB: the pool must be below */
	early_base = find_gap(bi, EARLY_POOL, 4ull << 30);
	if (!early_base)
		panic("mm: no room for the early page-table pool");
	early_next = early_base;
	early_end = early_base + EARLY_POOL;
}

uint64_t frame_init(const struct boot_info *bi, uint64_t mem_max)
{
	uint64_t top = 0;
	for (uint32_t i = 0; i < bi->nr_mmap; i++)
		if (bi->mmap[i].type == BOOT_MEM_USABLE &&
		    bi->mmap[i].base + bi->mmap[i].len > top)
			top = bi->mmap[i].base + bi->mmap[i].len;
	if (mem_max && top > mem_max)
		top = mem_max;
	top &= ~0xfffull;

	uint64_t nframes = top >> PAGE_SHIFT;
	size_t meta = buddy_meta_size(nframes);
	uint64_t meta_pa = find_gap(bi, meta, top);
	if (!meta_pa)
		panic("mm: no room for %zu bytes of frame metadata", meta);
	if (buddy_init(&buddy, 0, nframes, phys_to_virt(meta_pa)))
		panic(
		    "mm: %lu frames are more than the buddy allocator handles",
		    nframes);

	struct range res[5 + BOOT_MAX_MODULES];
	int nres = reserved_ranges(bi, res);
	res[nres++] = (struct range){meta_pa, meta_pa + meta};

	for (uint32_t i = 0; i < bi->nr_mmap; i++) {
		const struct boot_mem_region *m = &bi->mmap[i];
		if (m->type != BOOT_MEM_USABLE)
			continue;
		uint64_t lo = (m->base + 0xfff) & ~0xfffull;
		uint64_t hi = (m->base + m->len) & ~0xfffull;
		if (hi > top)
			hi = top;
		/* add [lo, hi) minus the reserved ranges, piece by piece */
		while (lo < hi) {
			uint64_t end = hi;
			for (int k = 0; k < nres; k++) {
				if (lo >= res[k].lo && lo < res[k].hi) {
					lo = (res[k].hi + 0xfff) & ~0xfffull;
					end = 0;
					break;
				}
				if (res[k].lo > lo && res[k].lo < end)
					end = res[k].lo & ~0xfffull;
			}
			if (!end)
				continue;
			if (end > lo) {
				if (buddy_add_range(&buddy, lo >> PAGE_SHIFT,
						    (end - lo) >> PAGE_SHIFT))
					panic(
					    "mm: memory map region 0x%lx-0x%lx "
					    "overlaps another",
					    lo, end);
				total_frames += (end - lo) >> PAGE_SHIFT;
			}
			lo = end;
		}
	}
	early_end = early_next; /* the pool is closed */
	pr_info("mm", "%lu MiB usable of %lu MiB, metadata %zu KiB",
		(total_frames * PAGE_SIZE) >> 20, top >> 20, meta >> 10);
	return top;
}

uint64_t frame_alloc(unsigned order)
{
	uint64_t pfn;
	unsigned long f = spin_lock_irqsave(&frame_lock);
	int rc = buddy_alloc(&buddy, order, &pfn);
	spin_unlock_irqrestore(&frame_lock, f);
	return rc ? 0 : pfn << PAGE_SHIFT;
}

void frame_free(uint64_t pa, unsigned order)
{
	unsigned long f = spin_lock_irqsave(&frame_lock);
	int rc = buddy_free(&buddy, pa >> PAGE_SHIFT, order);
	spin_unlock_irqrestore(&frame_lock, f);
	if (rc)
		panic("mm: bad frame_free(0x%lx, %u): %d", pa, order, rc);
}

uint64_t frame_free_count(void)
{
	unsigned long f = spin_lock_irqsave(&frame_lock);
	uint64_t n = buddy_nr_free(&buddy);
	spin_unlock_irqrestore(&frame_lock, f);
	return n;
}

uint64_t frame_total_count(void)
{
	return total_frames;
}
