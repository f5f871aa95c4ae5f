/*
 * c_proc.c — /proc/dsm, the node's DSM counters as text: its exact
 * structure ("key value" lines in a fixed order, every value a decimal
 * number, then one "malloc: arena N: ..." line for the node's heap arena,
 * format in docs/ARCHITECTURE.md), that it describes the node of the
 * thread that opened it, and that the counters move when pages travel.
 * Run as `c_proc.elf N` on N nodes (booted by tests/qemu/dsm on 1 and 2
 * nodes): on 1 node the DSM is not active and every counter is 0; on more,
 * touching pages homed on other nodes counts faults, and each latency
 * histogram adds up to its fault count. /proc/cluster is every node's DSM
 * lines of /proc/dsm, one after the other in node order, each followed on
 * a cluster by the node's 4 "clock_..." lines (its clock offset, which
 * may be negative, error bound, samples and refusals). Last,
 * ksys_echo_ns (the transport's round trip as a program times it): a time
 * on a cluster, exact errors for bad nodes and lengths, -ENOSYS alone.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ptest.h"

int64_t ksys_echo_ns(int node, size_t len); /* the kernel's (kernel/ksys.h) */

#define NCOUNTERS 17
#define NBUCKETS  22
#define NKEYS	  (4 + NCOUNTERS + 2 * NBUCKETS)
#define PAGES	  16

static const char *const counters[NCOUNTERS] = {
    "read_faults",    "write_faults",	   "local_hits",    "prefetches",
    "prefetch_waits", "prefetch_declined", "prefetch_runs", "pages_in",
    "pages_out",      "inv_sent",	   "inv_recv",	    "recalls_sent",
    "recalls_recv",   "msgs_sent",	   "msgs_recv",	    "bytes_sent",
    "bad_msgs",
};

#define MAXNODES 4

#define MALLOC_LINE                                                             \
	"malloc: arena %d: in use %llu bytes, mapped %llu bytes, allocs %llu, " \
	"frees %llu, remote frees sent %llu in %llu batches, received %llu "    \
	"in %llu batches%n"

struct proc {
	int lines;	  /* -1: not read or malformed */
	int malloc_lines; /* "malloc: ..." lines, after the others */
	int clock_lines; /* "clock_...": each node's clock (net/member_clock.c),
			    after its DSM lines in /proc/cluster */
	int arena;	 /* of the last one */
	unsigned long long heap[8]; /* its numbers, in order */
	char key[MAXNODES * NKEYS][40];
	unsigned long long val[MAXNODES * NKEYS];
};

static char expect_key[NKEYS][40];
static volatile uint64_t shared[PAGES][512] __attribute__((aligned(4096)));

static void make_keys(void)
{
	const char *head[4] = {"node", "nodes", "active", "check"};
	int k = 0;
	for (int i = 0; i < 4; i++)
		strcpy(expect_key[k++], head[i]);
	for (int i = 0; i < NCOUNTERS; i++)
		strcpy(expect_key[k++], counters[i]);
	for (int w = 0; w < 2; w++)
		for (int b = 0; b < NBUCKETS; b++) {
			const char *kind = w ? "write" : "read";
			if (b < NBUCKETS - 1)
				snprintf(expect_key[k++], 40,
					 "%s_lat_us_lt_%lu", kind, 1ul << b);
			else
				snprintf(expect_key[k++], 40,
					 "%s_lat_us_ge_%lu", kind,
					 1ul << (b - 1));
		}
}

/* Reads and parses a file of "key decimal" lines, at most `max`; false
 * if it is not that. */
static int read_lines(const char *path, struct proc *p, int max)
{
	static __thread char buf[32768];
	p->lines = -1;
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return 0;
	size_t got = 0;
	ssize_t n;
	while (got < sizeof(buf) - 1 && (n = read(fd, buf + got, 7)) > 0)
		got +=
		    (size_t)n; /* in small pieces: one snapshot all the same */
	close(fd);
	buf[got] = 0;
	if (!got || buf[got - 1] != '\n')
		return 0;
	int lines = 0, used;
	unsigned long long *h = p->heap;
	p->malloc_lines = 0;
	p->clock_lines = 0;
	for (char *l = buf; *l; lines++) {
		char *nl = strchr(l, '\n'), *sp = strchr(l, ' ');
		if (!strncmp(l, "clock_", 6) &&
		    nl) { /* the offset may be < 0 */
			p->clock_lines++;
			lines--;
			l = nl + 1;
			continue;
		}
		if (!strncmp(l, "malloc: ", 8)) {
			used = -1;
			*nl = 0;
			if (sscanf(l, MALLOC_LINE, &p->arena, &h[0], &h[1],
				   &h[2], &h[3], &h[4], &h[5], &h[6], &h[7],
				   &used) != 9 ||
			    used != nl - l)
				return 0;
			p->malloc_lines++;
			lines--;
			l = nl + 1;
			continue;
		}
		if (p->malloc_lines || lines >= max || !sp || sp > nl ||
		    sp - l >= 40 || sp[1] < '0' || sp[1] > '9')
			return 0;
		memcpy(p->key[lines], l, (size_t)(sp - l));
		p->key[lines][sp - l] = 0;
		char *end;
		p->val[lines] = strtoull(sp + 1, &end, 10);
		if (end != nl)
			return 0;
		l = nl + 1;
	}
	p->lines = lines;
	return 1;
}

static int read_proc(struct proc *p)
{
	return read_lines("/proc/dsm", p, NKEYS);
}

static unsigned long long get(const struct proc *p, const char *key)
{
	for (int i = 0; i < p->lines; i++)
		if (!strcmp(p->key[i], key))
			return p->val[i];
	return ~0ull;
}

static unsigned long long hist_sum(const struct proc *p, const char *kind)
{
	unsigned long long s = 0;
	for (int i = 0; i < p->lines; i++)
		if (!strncmp(p->key[i], kind, strlen(kind)) &&
		    strstr(p->key[i], "_lat_us_"))
			s += p->val[i];
	return s;
}

/* The DSM keys in order, then one malloc line for the node's arena. */
static int keys_exact(const struct proc *p)
{
	if (p->lines != NKEYS || p->malloc_lines != 1 ||
	    p->arena != (int)p->val[0])
		return 0;
	for (int i = 0; i < NKEYS; i++)
		if (strcmp(p->key[i], expect_key[i]))
			return 0;
	return 1;
}

struct result {
	int ok, node;
	unsigned long long read_faults, prefetches;
};

static void *worker(void *arg)
{
	struct result *r = arg;
	uint64_t sum = 0;
	for (int i = 0; i < PAGES; i++)
		sum += shared[i][0]; /* pages main wrote: homes all over */
	struct proc p;
	r->ok =
	    read_proc(&p) && keys_exact(&p) && sum == PAGES * (PAGES + 1) / 2;
	r->node = (int)get(&p, "node");
	r->read_faults = get(&p, "read_faults");
	r->prefetches = get(&p, "prefetches");
	return NULL;
}

int main(int argc, char **argv)
{
	int nodes = argc > 1 ? atoi(argv[1]) : 1;
	int cluster = nodes > 1;
	make_keys();
	struct proc before, after;
	CHECK(read_proc(&before), "/proc/dsm reads as key value lines");
	CHECK(keys_exact(&before),
	      "/proc/dsm has exactly the expected keys, in order");
	CHECK_EQ(get(&before, "node"), 0, "main runs on node 0");
	CHECK_EQ(get(&before, "nodes"), nodes, "nodes is the cluster's size");
	CHECK_EQ(get(&before, "active"), cluster,
		 "the DSM is active only on a cluster");
	CHECK_EQ(get(&before, "check"), 0, "dsm.check is off");
	if (!cluster) {
		unsigned long long nonzero = 0;
		for (int i = 4; i < before.lines; i++)
			nonzero += before.val[i] != 0;
		CHECK_EQ(nonzero, 0, "alone, every counter is 0");
	}
	CHECK_EQ(open("/proc/dsm", O_WRONLY), -1,
		 "/proc/dsm cannot be opened for writing");

	for (int i = 0; i < PAGES; i++)
		shared[i][0] = (uint64_t)i + 1;
	int nthreads = 2 * nodes;
	pthread_t t[16];
	struct result r[16];
	for (int i = 0; i < nthreads; i++)
		CHECK_EQ(pthread_create(&t[i], NULL, worker, &r[i]), 0,
			 "create a reader");
	int ok = 0;
	uint64_t seen = 0;
	unsigned long long remote_reads = 0, remote_prefetches = 0;
	for (int i = 0; i < nthreads; i++) {
		pthread_join(t[i], NULL);
		ok += r[i].ok;
		if (r[i].node >= 0 && r[i].node < 64)
			seen |= 1ull << r[i].node;
		if (r[i].node != 0) {
			remote_reads += r[i].read_faults;
			remote_prefetches += r[i].prefetches;
		}
	}
	CHECK_EQ(ok, nthreads,
		 "every thread reads the exact structure and the data");
	CHECK_EQ(seen, (1ull << nodes) - 1,
		 "each node's threads see their own node's file");
	CHECK(read_proc(&after) && keys_exact(&after),
	      "/proc/dsm again after the threads");
	if (cluster) {
		CHECK(get(&after, "write_faults") >
			  get(&before, "write_faults"),
		      "writing pages homed elsewhere counts write faults");
		CHECK(
		    remote_reads > 0,
		    "reading main's pages on other nodes counts read faults there");
		CHECK(
		    remote_prefetches > 0,
		    "reading them in order there asks for the next ones ahead (read-ahead)");
		CHECK(get(&after, "msgs_sent") > get(&before, "msgs_sent"),
		      "messages sent grew");
	} else {
		CHECK_EQ(get(&after, "write_faults") +
			     get(&after, "read_faults") +
			     get(&after, "msgs_sent"),
			 0, "alone, the counters stay 0");
	}
	CHECK_EQ(hist_sum(&after, "read"), get(&after, "read_faults"),
		 "read latency buckets add up to read_faults");
	CHECK_EQ(hist_sum(&after, "write"), get(&after, "write_faults"),
		 "write latency buckets add up to write_faults");
	CHECK_EQ(get(&after, "bad_msgs"), 0, "no bad messages");

	static struct proc all;
	CHECK(read_lines("/proc/cluster", &all, MAXNODES * NKEYS),
	      "/proc/cluster reads as key value lines");
	CHECK_EQ(all.lines, nodes * NKEYS,
		 "/proc/cluster has one section per node");
	CHECK_EQ(all.malloc_lines, 0, "/proc/cluster has no malloc lines");
	CHECK_EQ(all.clock_lines, cluster ? 4 * nodes : 0,
		 "/proc/cluster has 4 clock lines a node on a cluster");
	int good = 0;
	for (int i = 0; i < nodes && all.lines == nodes * NKEYS; i++) {
		int ok = all.val[i * NKEYS] == (unsigned long long)i &&
			 all.val[i * NKEYS + 1] == (unsigned long long)nodes &&
			 all.val[i * NKEYS + 2] == (unsigned long long)cluster;
		for (int k = 0; k < NKEYS; k++)
			ok &= !strcmp(all.key[i * NKEYS + k], expect_key[k]);
		good += ok;
	}
	CHECK_EQ(good, nodes,
		 "each section is a node's /proc/dsm, in node order");

	/* ksys_echo_ns, the round trip bench/dsm/dsm_bench.c puts beside its
	 * read faults */
	if (cluster) {
		int64_t ns = ksys_echo_ns(1, 4096);
		CHECK(ns > 0 && ns < 2000000000,
		      "ksys_echo_ns: a 4 KiB round trip to node 1, timed");
		CHECK_EQ(ksys_echo_ns(0, 64), -EINVAL,
			 "ksys_echo_ns to this node: -EINVAL");
		CHECK_EQ(ksys_echo_ns(nodes, 64), -EINVAL,
			 "ksys_echo_ns to a node not in the view: -EINVAL");
		CHECK_EQ(ksys_echo_ns(-1, 64), -EINVAL,
			 "ksys_echo_ns to node -1: -EINVAL");
		CHECK_EQ(ksys_echo_ns(1, 8193), -EINVAL,
			 "ksys_echo_ns over 8 KiB: -EINVAL");
	} else {
		CHECK_EQ(ksys_echo_ns(1, 64), -ENOSYS,
			 "ksys_echo_ns alone: -ENOSYS");
	}
	return pt_done();
}
