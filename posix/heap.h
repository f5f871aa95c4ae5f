/*
 * posix/heap.h — the application heap's contract with its environment
 * (posix/malloc.c implements malloc and friends over it).
 *
 * The heap manages one region of address space that the environment gives
 * it. Pages of the region read as zeros until first written and need no
 * explicit mapping (the kernel maps them on fault); the heap never returns
 * them, it only hands out and reuses address space. All heap state lives in
 * the region itself, so a per-node arena in the global address space is
 * just another region.
 */
#ifndef POSIX_HEAP_H
#define POSIX_HEAP_H

#include <stddef.h>
#include <stdint.h>

/*
 * Arenas. The heap is one heap per arena, each over a region of its own: a
 * thread allocates from the arena the environment names for it (the node
 * it runs on now, whose region's pages are homed there), and a block goes
 * back to the arena it came from, whichever thread frees it. A thread's
 * cache serves one arena: when the thread finds itself in another (it
 * moved to another node), what the cache holds is still handed out, and
 * at its first allocation that needs the heap the cache goes back to the
 * old arena and serves the new one from then on.
 */
#define POSIX_HEAP_ARENAS 64

/* Provided by the environment: the calling thread's arena now,
 * 0..POSIX_HEAP_ARENAS-1 (out of range: arena 0). */
int posix_heap_arena(void);

/*
 * Provided by the environment (kernel glue; the host tests mmap a large
 * MAP_NORESERVE range per arena): the region of arena k. Called once per
 * arena, on its first allocation. Regions do not overlap. The region must
 * be zero-filled and at least 1 MiB; a base that is not 64 KiB aligned
 * loses its first partial 64 KiB. *size 0 means "no heap": every
 * allocation in that arena then fails with ENOMEM.
 */
void posix_heap_region(int arena, uintptr_t *base, size_t *size);

/*
 * Provided by the environment: misuse of the heap that was detected (a
 * double free, a pointer that malloc never returned, a corrupted heap
 * found by posix_malloc_check). msg is one of the fixed strings
 *   "free(): double free", "free(): invalid pointer",
 *   "realloc(): invalid pointer", "malloc_usable_size(): invalid pointer",
 *   "heap check: <what is wrong>";
 * p is the pointer concerned. The kernel glue prints both and ends the
 * program; if it returns, the call that detected the misuse does nothing
 * (realloc returns NULL with errno EINVAL, malloc_usable_size returns 0).
 */
void posix_malloc_error(const char *msg, void *p);

/*
 * Statistics. A small block freed by a thread of another node than its
 * arena's waits in that thread's cache with others of its arena, and
 * counts as free (nr_frees, bytes_in_use, nr_remote_recv) from the moment
 * its batch is pushed back to the arena: when RFREE_BATCH (64) blocks or
 * 256 KiB wait for that arena, when the thread needs the slot for a fifth
 * arena, when the thread ends or moves to another node, or when it calls
 * malloc_trim(). Until then the block counts as in use, and a second free
 * of it is still a double free. The arena's node takes the pushed blocks
 * back for reuse on its next allocation that needs the central lists, or
 * at malloc_trim() there. A thread that never allocated frees straight
 * back, block by block, as do large blocks (counted at once).
 */
struct posix_malloc_stats {
	size_t bytes_in_use; /* usable bytes of the blocks now allocated */
	size_t bytes_mapped; /* address space handed out so far (high water) */
	uint64_t nr_allocs;  /* blocks allocated, all time */
	uint64_t nr_frees;   /* blocks freed, all time */
	/* small blocks of other arenas freed by this arena's threads and
	 * pushed back, in how many batches */
	uint64_t nr_remote_sent, nr_remote_sent_batches;
	/* blocks of this arena freed on other nodes and pushed back here, in
	 * how many batches (included in nr_frees) */
	uint64_t nr_remote_recv, nr_remote_recv_batches;
};

/* A snapshot of every arena together; exact when no other thread
 * allocates or frees meanwhile. */
void posix_malloc_stats(struct posix_malloc_stats *st);
/* The same for arena k alone; -EINVAL if k is out of range, 0 otherwise
 * (all zeros for an arena never used). */
int posix_malloc_arena_stats(int k, struct posix_malloc_stats *st);
/* Arena k's counters as the line /proc/dsm and the exit report show
 * (docs/ARCHITECTURE.md gives its format), appended like kappendf. */
void posix_malloc_arena_line(char *buf, size_t len, size_t *n, int k);
/* The exit report's allocator lines (dsm.stats=1): one per node's arena,
 * read where it lives (a node's arena pages come here), on the console. */
void posix_malloc_report(void);

/*
 * malloc_trim (glibc's; posix/malloc_api.c, declared by newlib's
 * <malloc.h>): pushes the calling thread's waiting remote frees back to
 * their arenas (see Statistics above) and takes back for reuse the blocks
 * other nodes pushed to the calling thread's arena. Returns 1 if any block
 * went back, else 0; pad is ignored (the heap never returns pages to the
 * kernel).
 */

/*
 * Called by the thread library on a thread that is about to end, after
 * its key destructors ran and before its TLS block is released: gives the
 * thread's cached free blocks back to the heap. Later calls of malloc and
 * free on that thread still work (they bypass the thread cache).
 */
void posix_malloc_thread_exit(void);

/*
 * Checks every arena's invariants (for tests; takes every heap lock,
 * and other threads must not be inside the heap). Returns 0, or -EINVAL
 * after reporting the first problem through posix_malloc_error.
 */
int posix_malloc_check(void);

#endif
