/*
 * posix/mman_impl.h — private to posix/mman*.c: the address space that
 * memory maps take their pages from.
 *
 * Node k's map area is the upper half of node k's heap region in the
 * global address space (posix/start.c gives malloc the lower half), so a
 * map's pages have their home at the node that made it, and every node
 * sees them at the same address. Within an area, everything below `top`
 * is either a map or a free extent; everything from `top` up was never
 * used and reads as zeros.
 *
 * Zeros after reuse: on one node, giving a range back releases its frames
 * (ksys_release), so it reads as zeros again. With several nodes the DSM
 * keeps the pages (ksys_release does nothing there), so a range given back
 * is marked dirty and zeroed with stores when it is taken again.
 *
 * Lock: mman_lock guards every area and every map (mman.c); lock order
 * mman_lock -> vfs_lock (file maps read and write files under it) ->
 * the heap's locks.
 */
#ifndef POSIX_MMAN_IMPL_H
#define POSIX_MMAN_IMPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "posix/ulock.h"

#define MMAN_PAGE  4096ul
#define MMAN_AREAS 64 /* nodes with a map area (as POSIX_HEAP_ARENAS) */

extern struct ulock mman_lock;

/* The area (node) whose range holds all of [a, b), or -1. */
int mman_area_of(uintptr_t a, uintptr_t b);
/* Takes len bytes (page multiple) of free space in area k, reading as
 * zeros: its start, or 0 when the area is full (mman_lock held). */
uintptr_t mman_space_take(int k, size_t len);
/* Takes [a, b) of area k, which no map covers, zeroed (mman_lock held). */
void mman_space_take_at(int k, uintptr_t a, uintptr_t b);
/* True if no map covers [a, b) in area k (mman_lock held). */
bool mman_space_is_free(int k, uintptr_t a, uintptr_t b);
/* Gives [a, b) of area k back, its frames released; -ENOMEM if the free
 * list cannot grow (then the range is lost, not reused). mman_lock held. */
int mman_space_give(int k, uintptr_t a, uintptr_t b);
/* Makes [a, a+len) read as zeros: frames released; on several nodes also
 * stores of zeros (see above). The range must be accessible. */
void mman_zero(uintptr_t a, size_t len);

/* Page rounding and alignment. */
static inline size_t mman_page_up(size_t v)
{
	return (v + MMAN_PAGE - 1) & ~(MMAN_PAGE - 1);
}

static inline bool mman_aligned(uintptr_t a)
{
	return (a & (MMAN_PAGE - 1)) == 0;
}

/*
 * The maps (mman_map.c): one entry per map, sorted by start, disjoint;
 * every function below runs with mman_lock held. A map's pages and file
 * reference are its own: splitting one duplicates the reference.
 */
struct vfs_map;
struct mman_map {
	uintptr_t start, end; /* page aligned */
	int prot;	      /* PROT_* as last set */
	int flags;	      /* MAP_SHARED or MAP_PRIVATE, | MAP_ANONYMOUS */
	int area;	      /* the node whose map area holds it */
	bool guarded;	      /* a kernel guard covers it (PROT_NONE) */
	int guard_node;	      /* the node whose kernel holds its guard */
	/* a guard of it could not be taken off (its node out of reach): its
	 * range is never handed out again */
	bool stale;
	bool writable;	      /* file maps: the fd was open O_RDWR */
	struct vfs_map *file; /* file maps: a reference; NULL: anonymous */
	uint64_t off;	      /* file maps: the file offset of start */
	/* MAP_SHARED writable file maps: the first base_len bytes of the
	 * map as the file last had them (up to the file's end at mmap) */
	uint8_t *base;
	size_t base_len;
};

extern struct mman_map *mman_maps; /* (mman_lock) */
extern size_t mman_nr_maps;	   /* (mman_lock) */

/* The index of the first map that ends after a. */
size_t mman_map_index(uintptr_t a);
/* Room for `more` maps: then inserts and splits cannot fail for lack of
 * it (a split can still fail for its base copy). */
bool mman_map_room(size_t more);
void mman_map_insert(const struct mman_map *m); /* after mman_map_room */
/* Splits maps so that none crosses a or b: 0 or -ENOMEM. */
int mman_map_isolate(uintptr_t a, uintptr_t b);
/* Whether maps cover all of [a, b), without a hole. */
bool mman_map_covered(uintptr_t a, uintptr_t b);
/* Calls fn (NULL: none) on the part in [a, b) of each map there:
 * -ENOMEM, without a call, if maps do not cover all of it. */
int mman_map_each(uintptr_t a, uintptr_t b,
		  void (*fn)(struct mman_map *m, uintptr_t a, uintptr_t b));
/* Guards m if it is PROT_NONE: a kernel guard range on m->guard_node (set
 * to the calling node by mmap, mprotect to PROT_NONE and mremap's move;
 * kept by splits). Both run on that node: the calling thread moves there
 * and back if it runs elsewhere (if it cannot: guards here, or the guard
 * stays and the map becomes stale). */
void mman_map_guard(struct mman_map *m);
void mman_map_unguard(struct mman_map *m);
/* Reads the file's bytes for [a, b) of file map m into memory that reads
 * as zeros. */
void mman_map_fill(const struct mman_map *m, uintptr_t a, uintptr_t b);
/* Writes the bytes of [a, b) of m that differ from its base to the file. */
void mman_map_sync(struct mman_map *m, uintptr_t a, uintptr_t b);
/* MADV_DONTNEED of [a, b) of m. */
void mman_map_discard(struct mman_map *m, uintptr_t a, uintptr_t b);
/* Moves map i (whole) to [to, to + len) of area k, taken already. */
void mman_map_move(size_t i, uintptr_t to, int k, size_t len);
/* munmap's work: ends every map part in [a, b); 0 or -ENOMEM. */
int mman_unmap(uintptr_t a, uintptr_t b);

#endif
