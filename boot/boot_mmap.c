/*
 * boot/boot_mmap.c — normalizes the memory map every boot path produces.
 *
 * Loaders hand over maps that may be unsorted, overlapping and split into
 * needless pieces. The result here is sorted by base, free of overlaps and
 * empty regions, with neighbours of one type merged. Where regions overlap
 * the more restrictive type wins: any non-usable type beats usable memory,
 * and among non-usable types the higher number wins (bad > NVS > ACPI
 * reclaimable > reserved), so memory is never handed out by mistake.
 */
#include <stdint.h>

#include "boot/boot_info.h"
#include "kernel/kstring.h"

/* Higher rank wins an overlap. Usable memory ranks lowest, below even an
 * invalid type 0. */
static uint64_t type_rank(uint32_t type)
{
	return type == BOOT_MEM_USABLE ? 0 : (uint64_t)type + 1;
}

/* End of a region, exclusive; a region running past 2^64 is clipped. */
static uint64_t region_end(const struct boot_mem_region *r)
{
	return r->len > UINT64_MAX - r->base ? UINT64_MAX : r->base + r->len;
}

/*
 * Sweeps the address space from boundary to boundary (every region's start
 * and end). Between two neighbouring boundaries the set of covering regions
 * does not change, so one winner type holds for the whole piece. At most 2n
 * pieces, each found and typed in O(n): O(n^2) for n <= BOOT_MAX_MMAP.
 */
void boot_mmap_normalize(struct boot_info *bi)
{
	struct boot_mem_region out[BOOT_MAX_MMAP];
	const struct boot_mem_region *in = bi->mmap;
	uint32_t n = bi->nr_mmap < BOOT_MAX_MMAP ? bi->nr_mmap : BOOT_MAX_MMAP;
	uint32_t nout = 0, i;
	uint64_t cur = UINT64_MAX;
	bool any = false;

	memset(out, 0, sizeof(out)); /* padding too: the result is compared */
	for (i = 0; i < n; i++) {
		if (region_end(&in[i]) > in[i].base && in[i].base <= cur) {
			cur = in[i].base;
			any = true;
		}
	}

	while (any) {
		uint64_t next = UINT64_MAX, best = 0;
		bool covered = false, more = false;
		uint32_t type = 0;

		/* The next boundary above cur, and the winner over
		 * [cur, next): regions that start at or below cur and end
		 * above it cover the whole piece. */
		for (i = 0; i < n; i++) {
			uint64_t b = in[i].base, e = region_end(&in[i]);

			if (e <= b)
				continue;
			if (b > cur && b <= next) {
				next = b;
				more = true;
			}
			if (e > cur && e <= next) {
				next = e;
				more = true;
			}
			if (b <= cur && e > cur &&
			    (!covered || type_rank(in[i].type) > best)) {
				best = type_rank(in[i].type);
				type = in[i].type;
				covered = true;
			}
		}
		if (!more)
			break;
		if (covered) {
			struct boot_mem_region *last =
			    nout ? &out[nout - 1] : NULL;

			if (last && last->type == type &&
			    last->base + last->len == cur) {
				last->len += next - cur;
			} else if (nout == BOOT_MAX_MMAP) {
				/* Splitting made more pieces than fit: the
				 * highest addresses are left out. */
				bi->mmap_truncated = true;
				break;
			} else {
				out[nout].base = cur;
				out[nout].len = next - cur;
				out[nout].type = type;
				nout++;
			}
		}
		cur = next;
	}

	memset(bi->mmap, 0, sizeof(bi->mmap));
	memcpy(bi->mmap, out, nout * sizeof(out[0]));
	bi->nr_mmap = nout;
}
