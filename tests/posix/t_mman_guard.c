/* expect-status: 127 */
/*
 * t_mman_guard.c — an access to PROT_NONE memory must not succeed: a page
 * of a map made PROT_NONE (before it was touched) is a kernel guard, and
 * touching it ends the program with the kernel's crash report (status
 * 127 in test mode) until signals deliver SIGSEGV to a handler.
 */
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

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
	char *g = mmap(NULL, PG, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(g != MAP_FAILED, "a PROT_NONE map");
	pt_done();
	fflush(stdout);
	/* must not come back */
	volatile char *v = p + PG;
	v[10] = 'x';
	printf("unum-test: the PROT_NONE page was written\n");
	return 3;
}
