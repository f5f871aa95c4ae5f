/* expect-status: 127 */
/*
 * t_mman_guard.c — an access to PROT_NONE memory must not succeed: a
 * PROT_NONE map is a kernel guard, and touching it ends the program with
 * the kernel's crash report (status 127 in test mode) until signals
 * deliver SIGSEGV to a handler. Made after 5000 PROT_NONE maps came and
 * went (more than the kernel's 4096 guards: none may leak).
 * t_mman_guard_mprotect.c touches a page made PROT_NONE by mprotect.
 */
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

#include "ptest.h"

#define PG 4096

int main(void)
{
	/* more maps than the kernel has guards (4096): none may leak */
	int bad = 0;
	for (int i = 0; i < 5000; i++) {
		char *n = mmap(NULL, 2 * PG, PROT_NONE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		bad += n == MAP_FAILED || mprotect(n, PG, PROT_READ) ||
		       munmap(n, 2 * PG);
	}
	CHECK_EQ(bad, 0, "5000 PROT_NONE maps split and unmapped");
	char *g = mmap(NULL, PG, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(g != MAP_FAILED, "a PROT_NONE map");
	pt_done();
	fflush(stdout);
	/* must not come back */
	volatile char *v = g;
	v[10] = 'x';
	printf("unum-test: the PROT_NONE page was written\n");
	return 3;
}
