/*
 * posix/malloc_report.c — the allocator's counters as text: /proc/dsm's
 * last line and the exit report's lines (dsm.stats=1). Apart from
 * malloc_stats.c, which the host tests link without the kernel.
 */
#include <string.h>

#include "kernel/kstring.h"
#include "kernel/ksys.h"
#include "posix/heap.h"
#include "posix/malloc.h"

void posix_malloc_arena_line(char *buf, size_t len, size_t *n, int k)
{
	struct posix_malloc_stats st;
	if (posix_malloc_arena_stats(k, &st))
		memset(&st, 0, sizeof(st));
	kappendf(buf, len, n,
		 "malloc: arena %d: in use %zu bytes, mapped %zu bytes, "
		 "allocs %llu, frees %llu, remote frees sent %llu in %llu "
		 "batches, received %llu in %llu batches\n",
		 k, st.bytes_in_use, st.bytes_mapped,
		 (unsigned long long)st.nr_allocs,
		 (unsigned long long)st.nr_frees,
		 (unsigned long long)st.nr_remote_sent,
		 (unsigned long long)st.nr_remote_sent_batches,
		 (unsigned long long)st.nr_remote_recv,
		 (unsigned long long)st.nr_remote_recv_batches);
}

void posix_malloc_report(void)
{
	char line[256];
	int nodes = ksys_cluster_nodes();
	for (int k = 0; k < nodes && k < POSIX_HEAP_ARENAS; k++) {
		size_t n = 0;
		posix_malloc_arena_line(line, sizeof(line), &n, k);
		ksys_console_write(line,
				   n < sizeof(line) ? n : sizeof(line) - 1);
	}
}
