/* expect-status: 127 */
/*
 * t_mman_guard_mprotect.c — the middle page of a map, made PROT_NONE by
 * mprotect before it was touched, is a guard: its neighbours work, and a
 * touch of it ends the program (status 127 in test mode).
 */
#include <sys/mman.h>

#include "ptest.h"

#define PG 4096

int main(void)
{
	char *p = mmap(NULL, 3 * PG, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(p != MAP_FAILED, "map 3 pages");
	CHECK_EQ(mprotect(p + PG, PG, PROT_NONE), 0, "middle page PROT_NONE");
	p[0] = 'a';
	p[2 * PG] = 'c';
	CHECK(p[0] == 'a' && p[2 * PG] == 'c', "the pages around it work");
	pt_done();
	fflush(stdout);
	volatile char *v = p + PG; /* must not come back */
	v[10] = 'x';
	printf("unum-test: the PROT_NONE page was written\n");
	return 3;
}
