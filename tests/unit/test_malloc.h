/*
 * tests/unit/test_malloc.h — shared by the host tests of the application
 * heap (posix/malloc*.c): the environment stand-ins of malloc_host.c and
 * the test groups of test_malloc*.c (main() is in test_malloc.c).
 */
#ifndef TESTS_UNIT_TEST_MALLOC_H
#define TESTS_UNIT_TEST_MALLOC_H

#include <stddef.h>
#include <stdint.h>

#include "posix/malloc.h"

#define HOST_REGION_SIZE ((size_t)8 << 30) /* each arena's region */

/* What posix_malloc_error was last told, and how often. */
struct malloc_errors {
	int count;
	const char *msg;
	void *p;
};
extern struct malloc_errors merr;
void merr_reset(void);

/* The calling thread's arena, as posix_heap_arena answers (0 unless a
 * test sets it: a thread "on another node"). */
extern __thread int host_arena;

/* A fresh MAP_NORESERVE mapping for private heaps; unmap with munmap. */
void *host_map(size_t size);

/* test_malloc_chunks.c */
void test_size_classes(void **state);
void test_buckets(void **state);
void test_heap_create(void **state);
void test_chunks(void **state);
void test_chunk_resize(void **state);

/* test_malloc_arenas.c */
void test_arena_local_blocks(void **state);
void test_arena_remote_frees(void **state);
void test_arena_realloc_and_size(void **state);
void test_arena_moving_thread(void **state);
void test_arena_misuse(void **state);
void test_remote_batch(void **state);
void test_remote_exit_pushes(void **state);
void test_remote_double_free(void **state);
void test_remote_trim(void **state);
void test_remote_mixed_classes(void **state);
void test_remote_slots(void **state);

/* test_malloc_mt.c */
void test_ulock_basic(void **state);
void test_ulock_contended(void **state);
void test_thread_exit(void **state);
void test_stress_4(void **state);
void test_stress_16(void **state);

#endif
