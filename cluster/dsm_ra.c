/*
 * cluster/dsm_ra.c — the read-ahead window of one thread (see cluster/dsm_ra.h).
 */
#include "cluster/dsm_ra.h"

uint32_t dsm_ra_fault(struct dsm_ra *ra, uint64_t page, uint32_t max,
		      uint64_t *first)
{
	bool in_seq = ra->valid && page > ra->last && page <= ra->end + 1;
	if (max > DSM_RA_MAX)
		max = DSM_RA_MAX;
	if (!in_seq || !max) {
		ra->valid = true;
		ra->last = ra->end = page;
		ra->win = 0;
		return 0;
	}
	if (!ra->win)
		ra->win = DSM_RA_FIRST < max ? DSM_RA_FIRST : max;
	else
		ra->win = ra->win * 2 < max ? ra->win * 2 : max;
	uint64_t target = page + ra->win;
	uint64_t from = (ra->end > page ? ra->end : page) + 1;
	ra->last = page;
	if (target < from || target < page) /* covered, or past the top */
		return 0;
	ra->end = target;
	*first = from;
	return (uint32_t)(target - from + 1);
}
