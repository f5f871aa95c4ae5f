/*
 * mm/frame.h — physical frames (4 KiB) from the buddy allocator.
 */
#ifndef MM_FRAME_H
#define MM_FRAME_H

#include <stdint.h>

struct boot_info;

/* Reserve what the kernel, the boot info and the modules use and hand the
 * rest of usable RAM (up to mem.max) to the buddy allocator. Returns the
 * highest physical address of RAM. */
uint64_t frame_init(const struct boot_info *bi, uint64_t mem_max);
/* 2^order contiguous frames; 0 when out of memory (frame 0 is never handed
 * out). */
uint64_t frame_alloc(unsigned order);
void frame_free(uint64_t pa, unsigned order);
uint64_t frame_free_count(void);
uint64_t frame_total_count(void);
/* Early bump allocation (before the buddy exists): page-aligned. */
uint64_t frame_early_alloc(uint64_t bytes);

#endif
