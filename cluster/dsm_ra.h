/*
 * cluster/dsm_ra.h — DSM read-ahead: when a thread's read faults walk forward
 * through consecutive pages (a loop over an array another node wrote),
 * the copies of the next pages are asked for before the thread reaches
 * them (dsm_prefetch), so a stream of N pages costs a few waits instead
 * of N. Pure: the kernel keeps one struct per thread (struct thread), the
 * host tests drive it directly.
 *
 * The window opens at the second fault in sequence (the page after the
 * last fault, or one already asked for ahead) with DSM_RA_FIRST pages and
 * doubles at each further fault in sequence, up to the limit
 * (dsm.readahead); any other fault closes it. A fault never asks again
 * for a page an earlier window covered.
 */
#ifndef CLUSTER_DSM_RA_H
#define CLUSTER_DSM_RA_H

#include <stdbool.h>
#include <stdint.h>

#define DSM_RA_FIRST 4	/* pages asked for ahead when a sequence starts */
#define DSM_RA_MAX   64 /* the largest dsm.readahead */

struct dsm_ra {
	uint64_t last; /* page of the last read fault */
	uint64_t end;  /* last page asked for ahead (>= last) */
	uint32_t win;  /* the window now, pages (0: closed) */
	bool valid;    /* last and end mean something */
};

/*
 * A read fault of the thread on `page`, with the window limited to `max`
 * pages (0: read-ahead off). Returns how many pages to ask for, starting
 * at *first (the pages after `page` that no earlier window covered).
 */
uint32_t dsm_ra_fault(struct dsm_ra *ra, uint64_t page, uint32_t max,
		      uint64_t *first);

#endif
