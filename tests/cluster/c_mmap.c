/*
 * c_mmap.c — memory maps across nodes: a map made on node 0 is written by
 * a thread on node 1 and read back exactly on node 0; a map made on node 1
 * (in node 1's span) is unmapped by node 0, and the range, mapped again,
 * reads zeros; a shared file map written on node 1 and synced there is
 * seen by read() on node 0; mremap on node 1 moves a map of node 0 with
 * its bytes; node 1 changes and unmaps parts of a PROT_NONE map of node
 * 0, whose guard comes off in node 0's kernel (else node 0's touches of
 * the pages made RW or mapped again there would end the program). Built
 * with tools/unum-cc; booted by tests/qemu/dsm on 2 nodes (on 1 node, the
 * "other" node is node 0 and it passes as well).
 */
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>
#include <unum.h>

#include "ptest.h"

#define GAS_DYN_BASE  0x0000100000000000ul
#define GAS_NODE_SPAN (1ul << 40)
#define PG	      4096
#define PAGES	      64
#define RW	      (PROT_READ | PROT_WRITE)

static int node_of(const void *p)
{
	return (int)(((uintptr_t)p - GAS_DYN_BASE) / GAS_NODE_SPAN);
}

static uint64_t word(int page, int i)
{
	return (uint64_t)page * 1000003u + (uint64_t)i * 7919u + 1;
}

static int other;		/* the node the helper thread runs on */
static uint64_t *map0;		/* made on node 0 */
static unsigned char *map1;	/* made on node 1 */
static unsigned char *shared_f; /* a shared file map made on node 0 */
static unsigned char *moved;	/* map0's second half, moved on node 1 */
static int t_node, t_ok_node1;

static void *helper(void *arg)
{
	unum_migrate(pthread_self(), other);
	t_node = unum_node();
	for (int p = 0; p < PAGES; p++)
		for (int i = 0; i < PG / 8; i++)
			map0[p * (PG / 8) + i] = word(p, i);
	map1 = mmap(NULL, PAGES * PG, RW, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (map1 != MAP_FAILED) {
		t_ok_node1 = node_of(map1) == other;
		memset(map1, 'B', PAGES * PG);
	}
	memset(shared_f + 10, 'N', 100);
	if (msync(shared_f, 2 * PG, MS_SYNC))
		shared_f = NULL;
	return NULL;
}

/* Node 1 opens a hole of RW in node 0's PROT_NONE map and unmaps its
 * end: the guard node 0's kernel holds must come off there. */
static char *guarded;
static int g_rc1, g_rc2;

static void *unguarder(void *arg)
{
	unum_migrate(pthread_self(), other);
	g_rc1 = mprotect(guarded + PG, PG, RW);
	if (!g_rc1)
		guarded[PG] = 'x';
	g_rc2 = munmap(guarded + 2 * PG, 2 * PG);
	return NULL;
}

static void *mover(void *arg)
{
	unum_migrate(pthread_self(), other);
	moved = mremap(map0 + PAGES / 2 * (PG / 8), PAGES / 2 * PG, PAGES * PG,
		       MREMAP_MAYMOVE);
	return NULL;
}

int main(void)
{
	other = unum_nodes() > 1 ? 1 : 0;
	map0 = mmap(NULL, PAGES * PG, RW, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	CHECK(map0 != MAP_FAILED && node_of(map0) == 0,
	      "map made on node 0 is in node 0's span");
	int fd = open("/c_mmap.dat", O_CREAT | O_RDWR | O_TRUNC, 0644);
	static char zeros[2 * PG];
	CHECK(fd >= 0 && write(fd, zeros, sizeof(zeros)) == sizeof(zeros),
	      "a file of two pages");
	shared_f = mmap(NULL, 2 * PG, RW, MAP_SHARED, fd, 0);
	CHECK(shared_f != MAP_FAILED, "shared file map on node 0");

	pthread_t t;
	CHECK_EQ(pthread_create(&t, NULL, helper, NULL), 0, "helper thread");
	pthread_join(t, NULL);
	CHECK_EQ(t_node, other, "the helper ran on the other node");
	int bad = 0;
	for (int p = 0; p < PAGES; p++)
		for (int i = 0; i < PG / 8; i++)
			bad += map0[p * (PG / 8) + i] != word(p, i);
	CHECK_EQ(bad, 0, "node 0 reads exactly what node 1 wrote");
	CHECK(map1 != MAP_FAILED && t_ok_node1,
	      "map made on node 1 is in node 1's span");
	int b = 0;
	for (int i = 0; i < PAGES * PG; i++)
		b += map1[i] != 'B';
	CHECK_EQ(b, 0, "node 0 reads node 1's map");
	CHECK_EQ(munmap(map1, PAGES * PG), 0, "node 0 unmaps node 1's map");
	CHECK_ERRNO(mprotect(map1, PG, RW), ENOMEM, "it is gone");
	unsigned char *again =
	    mmap(map1, PAGES * PG, RW,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	CHECK(again == map1, "its range can be mapped again from node 0");
	int nz = 0;
	for (int i = 0; i < PAGES * PG; i++)
		nz += again[i] != 0;
	CHECK_EQ(nz, 0, "and reads zeros, not node 1's old bytes");
	CHECK_EQ(munmap(again, PAGES * PG), 0, "unmapped again");

	char buf[100];
	CHECK(shared_f != NULL && pread(fd, buf, 100, 10) == 100 &&
		  !memcmp(buf, memset(zeros, 'N', 100), 100),
	      "node 1's msync of a shared file map: node 0's read() sees it");
	CHECK_EQ(munmap(shared_f, 2 * PG), 0, "munmap the file map");
	close(fd);

	CHECK_EQ(pthread_create(&t, NULL, mover, NULL), 0, "mover thread");
	pthread_join(t, NULL);
	CHECK(moved != MAP_FAILED, "node 1 moves half of node 0's map");
	bad = 0;
	for (int p = 0; p < PAGES / 2; p++)
		for (int i = 0; i < PG / 8; i++)
			bad += ((uint64_t *)moved)[p * (PG / 8) + i] !=
			       word(p + PAGES / 2, i);
	CHECK_EQ(bad, 0, "the moved half keeps its bytes, read on node 0");
	CHECK_EQ(munmap(moved, PAGES * PG), 0, "unmap the moved map");
	CHECK_EQ(munmap(map0, PAGES * PG), 0, "unmap the rest of map0");

	/* a touch of a page whose guard is still in node 0's kernel would
	 * end the program here */
	guarded =
	    mmap(NULL, 4 * PG, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(guarded != MAP_FAILED, "a PROT_NONE map on node 0");
	CHECK_EQ(pthread_create(&t, NULL, unguarder, NULL), 0,
		 "unguarder thread");
	pthread_join(t, NULL);
	CHECK(g_rc1 == 0 && g_rc2 == 0,
	      "node 1: mprotect a page RW, munmap the end");
	CHECK(guarded[PG] == 'x', "node 0 reads the page made RW on node 1");
	char *re =
	    mmap(guarded + 2 * PG, 2 * PG, RW,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	CHECK(re == guarded + 2 * PG, "node 0 maps the unmapped end RW");
	re[0] = 'y';
	re[PG] = 'z';
	CHECK(re[0] == 'y' && re[PG] == 'z', "and uses it");
	CHECK_EQ(munmap(guarded, 4 * PG), 0, "unmap it all");
	return pt_done();
}
