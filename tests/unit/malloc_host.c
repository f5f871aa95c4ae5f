/*
 * tests/unit/malloc_host.c — the environment of posix/malloc*.c on the
 * host: the heap region (one 8 GiB MAP_NORESERVE mapping), the error hook
 * (recorded for the tests to inspect) and the futex calls of posix/ulock.c
 * (Linux's futex system call). Shared by the unit test and the benchmark.
 */
#include <errno.h>
#include <linux/futex.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "tests/unit/test_malloc.h"

struct malloc_errors merr;

void merr_reset(void)
{
	__atomic_store_n(&merr.count, 0, __ATOMIC_RELAXED);
	merr.msg = NULL;
	merr.p = NULL;
}

void *host_map(size_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	if (p == MAP_FAILED) {
		perror("mmap");
		abort();
	}
	return p;
}

__thread int host_arena;

int posix_heap_arena(void)
{
	return host_arena;
}

void posix_heap_region(int arena, uintptr_t *base, size_t *size)
{
	static int calls[POSIX_HEAP_ARENAS];

	if (arena < 0 || arena >= POSIX_HEAP_ARENAS || ++calls[arena] != 1) {
		fprintf(stderr, "posix_heap_region(%d) called again\n", arena);
		abort();
	}
	*base = (uintptr_t)host_map(HOST_REGION_SIZE);
	*size = HOST_REGION_SIZE;
}

void posix_malloc_error(const char *msg, void *p)
{
	merr.msg = msg;
	merr.p = p;
	__atomic_fetch_add(&merr.count, 1, __ATOMIC_RELAXED);
}

int ulock_futex_wait(uint32_t *addr, uint32_t expected)
{
	if (syscall(SYS_futex, addr, FUTEX_WAIT_PRIVATE, expected, NULL, NULL,
		    0) < 0)
		return -errno;
	return 0;
}

void ulock_futex_wake(uint32_t *addr, int n)
{
	syscall(SYS_futex, addr, FUTEX_WAKE_PRIVATE, n, NULL, NULL, 0);
}
