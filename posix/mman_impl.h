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

#endif
