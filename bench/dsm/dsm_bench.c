/*
 * bench/dsm/dsm_bench.c — what the shared address space costs between nodes
 * (issue #7), as an ordinary pthread program built with tools/unum-cc and
 * booted on N nodes by bench/dsm.sh with sched.policy=round_robin.
 *
 *   usage: dsm_bench NODES [PAGES] [ROUNDS]
 *
 * Every measurement runs in threads placed on chosen nodes: round_robin
 * puts the k-th thread main creates on node (k + 1) % NODES, and each thread
 * checks where it runs (ksys_node(), Unum's node id) before working; a
 * thread that landed elsewhere ends at once and the next one is created, so
 * placement is verified, not assumed. Phases run one after the other
 * (create, join), so nothing else runs while a phase is timed.
 *
 * Faults (PAGES fresh pages per case, malloc'ed by main: their home is node
 * 0; W = node 1 is the writer; each access timed alone with
 * CLOCK_MONOTONIC, median over the pages):
 *   read          node 0 wrote the page (its home holds it writable);
 *                 node 1 reads: request, the home's copy downgraded
 *                 locally, 4 KiB back (pages visited even then odd, so
 *                 read-ahead never starts: each fault asks alone)
 *   echo4k_at_read before each of those faults, one round trip of the
 *                 transport's echo with 4 KiB each way from node 1 to
 *                 node 0 (ksys_echo_ns), timed alone: the round trip of
 *                 the same moments as the faults
 *   read_stream   as read, but node 1 reads the pages in order, the way
 *                 a loop over an array does, so read-ahead (dsm.readahead)
 *                 asks for the next pages before they are touched; per
 *                 page, timed over chunks of 8 pages
 *   write_s0      node 0 wrote the page; node 1 writes: no read copies to
 *                 invalidate, the home's writable copy recalled locally,
 *                 the grant carries 4 KiB
 *   write_pristine node 1 writes a page nobody wrote yet: the home
 *                 invalidates the pristine copies of all NODES-1 others
 *   read_recall   node 1 holds the page writable; the first reader
 *                 (node 0 on 2 nodes, node 2 on 4) reads: the home
 *                 recalls node 1's copy (downgrade) and forwards it
 *   write_s1      node 1 wrote the page, one other node read it (as
 *                 above); node 1 writes: upgrade, 1 sharer invalidated
 *                 (on 2 nodes that sharer is the home: a local message)
 *   write_s3      (4 nodes) node 1 wrote the page, nodes 2, 3 and 0 read
 *                 it; node 1 writes: upgrade, 3 sharers invalidated (one
 *                 of them, node 0, is the home itself)
 * Synchronisation (public pthread API only):
 *   mutex_handoff one thread on node 0 and one on node 1 pass a turn
 *                 through a pthread mutex and condition variable; one
 *                 hand-off = half a round trip (median over ROUNDS)
 *   barrier       one thread per node, ROUNDS rounds of
 *                 pthread_barrier_wait; per round, as seen on node 0
 *                 (median and mean)
 *
 * Prints "bench: dsm_n<NODES>_<name>_<stat> <value> <unit>" lines and
 * "placed: ..." evidence; exit status 0, 1 if a phase could not be placed
 * or a call failed, 2 on bad usage.
 */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PAGE	   4096
#define MAX_PAGES  512
#define MAX_ROUNDS 2000
#define MAX_NODES  8

#ifdef __unum__
/* exported by Unum's kernel (kernel/ksys.h): this node's id, and one round
 * trip of the transport's echo with a len-byte body, in ns (< 0: error) */
int ksys_node(void);
int64_t ksys_echo_ns(int node, size_t len);
static int node_id(void)
{
	return ksys_node();
}
static int64_t echo_ns(int node, size_t len)
{
	return ksys_echo_ns(node, len);
}
#else
static int node_id(void)
{
	return 0;
}
static int64_t echo_ns(int node, size_t len)
{
	(void)node, (void)len;
	return -1;
}
#endif

static int nodes, npages = 128, rounds = 200;
static int next_node = 1; /* (main only) where round_robin puts the next
			     thread: the node after main's (node 0) */
static int failures;	  /* (main only) phases not placed */
static int call_errors;	  /* (atomic) pthread calls that failed in a phase */

static void check(int err, const char *what)
{
	if (err) {
		fprintf(stderr, "dsm_bench: %s: %s\n", what, strerror(err));
		__atomic_fetch_add(&call_errors, 1, __ATOMIC_RELAXED);
	}
}

static int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return x < y ? -1 : x > y;
}

struct summary {
	int64_t p50, min, max, mean;
	int n;
};

static struct summary summarize(int64_t *v, int n)
{
	struct summary s = {0, 0, 0, 0, n};
	if (n <= 0)
		return s;
	qsort(v, (size_t)n, sizeof(*v), cmp_i64);
	int64_t sum = 0;
	for (int i = 0; i < n; i++)
		sum += v[i];
	s.p50 = v[n / 2];
	s.min = v[0];
	s.max = v[n - 1];
	s.mean = sum / n;
	return s;
}

static void report(const char *name, struct summary s)
{
	printf("bench: dsm_n%d_%s_p50 %lld ns\n", nodes, name,
	       (long long)s.p50);
	printf("bench: dsm_n%d_%s_min %lld ns\n", nodes, name,
	       (long long)s.min);
	printf("bench: dsm_n%d_%s_mean %lld ns\n", nodes, name,
	       (long long)s.mean);
	printf("bench: dsm_n%d_%s_samples %d count\n", nodes, name, s.n);
}

/* ---- threads on chosen nodes ---------------------------------------------- */

struct task {
	int want;   /* the node the work must run on */
	int ran_on; /* where the thread found itself */
	void (*work)(struct task *);
	char *base; /* the case's pages */
	struct summary result;
	int id;	   /* which of a group of concurrent threads */
	bool echo; /* timed_read: a 4 KiB echo to node 0 before each fault */
	struct summary echo_result;
};

static void *task_entry(void *arg)
{
	struct task *t = arg;
	t->ran_on = node_id();
	if (t->ran_on == t->want)
		t->work(t);
	return NULL;
}

/* Starts t on node t->want. round_robin puts the threads on the nodes in
 * turn: while the next one would land elsewhere, an empty thread is created
 * (and joined) to move on; where each landed keeps next_node in step.
 * 0 (placement checked by the caller after the join) or -1. */
static void skip_work(struct task *t)
{
	(void)t;
}

static int start_on(struct task *t, pthread_t *th)
{
	for (int tries = 0; tries <= nodes; tries++) {
		if (t->want == next_node % nodes) {
			int err = pthread_create(th, NULL, task_entry, t);
			if (err) {
				fprintf(stderr,
					"dsm_bench: pthread_create: %s\n",
					strerror(err));
				return -1;
			}
			next_node++;
			return 0;
		}
		struct task skip = {
		    .want = -1, .ran_on = -1, .work = skip_work};
		pthread_t s;
		if (pthread_create(&s, NULL, task_entry, &skip))
			return -1;
		pthread_join(s, NULL);
		next_node = skip.ran_on + 1;
	}
	return -1;
}

/* Runs work on node `node` and waits for it; -1 if it could not be placed. */
static int run_on(int node, void (*work)(struct task *), struct task *t)
{
	pthread_t th;
	t->want = node;
	t->work = work;
	t->ran_on = -1;
	for (int attempt = 0; attempt < 2; attempt++) {
		if (start_on(t, &th))
			break;
		pthread_join(th, NULL);
		if (t->ran_on == node)
			return 0;
		next_node = t->ran_on + 1; /* resynchronise and try again */
	}
	fprintf(stderr, "dsm_bench: could not place a thread on node %d\n",
		node);
	failures++;
	return -1;
}

/* ---- faults ----------------------------------------------------------------- */

static void touch_write(struct task *t)
{
	for (int i = 0; i < npages; i++)
		t->base[(size_t)i * PAGE] = (char)(i + 1);
}

static void touch_read(struct task *t)
{
	volatile char sink = 0;
	for (int i = 0; i < npages; i++)
		sink += t->base[(size_t)i * PAGE + 64];
	(void)sink;
}

static void timed_write(struct task *t)
{
	int64_t ns[MAX_PAGES];
	for (int i = 0; i < npages; i++) {
		volatile char *p = t->base + (size_t)i * PAGE + 128;
		int64_t t0 = now_ns();
		*p = (char)(i + 2);
		ns[i] = now_ns() - t0;
	}
	t->result = summarize(ns, npages);
}

/* The i-th page visited by timed_read: the even pages, then the odd ones,
 * so no two faults in a row are on neighbouring pages and read-ahead
 * (which follows a thread walking forward) stays out of the figure. */
static int scattered(int i)
{
	int evens = (npages + 1) / 2;
	return i < evens ? 2 * i : 2 * (i - evens) + 1;
}

static void timed_read(struct task *t)
{
	int64_t ns[MAX_PAGES], echo[MAX_PAGES];
	int echoes = 0;
	volatile char sink = 0;
	for (int i = 0; i < npages; i++) {
		volatile char *p = t->base + (size_t)scattered(i) * PAGE + 192;
		if (t->echo) {
			int64_t e = echo_ns(0, PAGE);
			if (e < 0) {
				fprintf(stderr,
					"dsm_bench: echo to node 0: %lld\n",
					(long long)e);
				__atomic_fetch_add(&call_errors, 1,
						   __ATOMIC_RELAXED);
				t->echo = false;
			} else {
				echo[echoes++] = e;
			}
		}
		int64_t t0 = now_ns();
		sink += *p;
		ns[i] = now_ns() - t0;
	}
	(void)sink;
	t->result = summarize(ns, npages);
	t->echo_result = summarize(echo, echoes);
}

/* Reads the pages in order, as a loop over an array does: per page, over
 * chunks of STREAM_CHUNK pages (a page read ahead costs nothing alone; the
 * chunk's time includes the waits for the window's requests). */
#define STREAM_CHUNK 8
static void timed_stream(struct task *t)
{
	int64_t ns[MAX_PAGES / STREAM_CHUNK + 1];
	int n = 0;
	volatile char sink = 0;
	for (int i = 0; i + STREAM_CHUNK <= npages; i += STREAM_CHUNK) {
		int64_t t0 = now_ns();
		for (int j = i; j < i + STREAM_CHUNK; j++)
			sink += t->base[(size_t)j * PAGE + 256];
		ns[n++] = (now_ns() - t0) / STREAM_CHUNK;
	}
	(void)sink;
	t->result = summarize(ns, n);
}

/* Writes, then waits until the home no longer treats the pages as being
 * written (it declines read-ahead of pages granted for writing less than
 * 10 ms ago: DSM_AHEAD_FRESH_NS) */
static void touch_write_settle(struct task *t)
{
	struct timespec settle = {0, 20000000};
	touch_write(t);
	nanosleep(&settle, NULL);
}

/* Fresh pages for one case: malloc'ed here on node 0, so homed at node 0,
 * and not touched by anyone yet (the page holding malloc's header is
 * skipped). */
static char *fresh_pages(void)
{
	char *raw = malloc((size_t)(npages + 2) * PAGE);
	if (!raw) {
		fprintf(stderr, "dsm_bench: out of memory\n");
		exit(1);
	}
	return (char *)(((uintptr_t)raw + 2 * PAGE - 1) &
			~(uintptr_t)(PAGE - 1));
}

static void fault_cases(void)
{
	struct task t;
	int reader1 =
	    nodes >= 4 ? 2 : 0; /* the one sharer: not the home if possible */

	/* read, and write with nothing to invalidate: pages the home holds
	 * writable */
	memset(&t, 0, sizeof(t));
	t.base = fresh_pages();
	t.echo = true;
	if (!run_on(0, touch_write, &t) && !run_on(1, timed_read, &t)) {
		report("read", t.result);
		if (t.echo)
			report("echo4k_at_read", t.echo_result);
	}
	t.echo = false;
	t.base = fresh_pages();
	if (!run_on(0, touch_write, &t) && !run_on(1, timed_write, &t))
		report("write_s0", t.result);
	t.base = fresh_pages();
	if (!run_on(0, touch_write_settle, &t) && !run_on(1, timed_stream, &t))
		report("read_stream", t.result);

	/* first writes, then a recall by a reader, then the upgrade over one
	 * sharer */
	t.base = fresh_pages();
	if (!run_on(1, timed_write, &t))
		report("write_pristine", t.result);
	if (!run_on(reader1, timed_read, &t))
		report("read_recall", t.result);
	if (!run_on(1, timed_write, &t))
		report("write_s1", t.result);

	if (nodes < 4)
		return;
	t.base = fresh_pages();
	if (!run_on(1, touch_write, &t) && !run_on(2, touch_read, &t) &&
	    !run_on(3, touch_read, &t) && !run_on(0, touch_read, &t) &&
	    !run_on(1, timed_write, &t))
		report("write_s3", t.result);
}

/* ---- mutex hand-off --------------------------------------------------------- */

/* The mutex and condition variable on one page (only read once their
 * handles are set), the turn they guard on the next. */
struct pingpong {
	pthread_mutex_t m;
	pthread_cond_t c;
	char pad[PAGE - sizeof(pthread_mutex_t) - sizeof(pthread_cond_t)];
	int turn; /* (m) whose turn: 0 or 1 */
};
static struct pingpong *pp;
static int64_t *pp_ns; /* per round trip, filled by player 0 at the end */

static void player(struct task *t)
{
	int me = t->id, warm = 10;
	int64_t ns[MAX_ROUNDS];
	for (int r = -warm; r < rounds; r++) {
		int64_t t0 = now_ns();
		check(pthread_mutex_lock(&pp->m), "pthread_mutex_lock");
		while (pp->turn != me)
			check(pthread_cond_wait(&pp->c, &pp->m),
			      "pthread_cond_wait");
		pp->turn = !me;
		check(pthread_cond_broadcast(&pp->c), "pthread_cond_broadcast");
		check(pthread_mutex_unlock(&pp->m), "pthread_mutex_unlock");
		/* player 0: from one turn to its next is a round trip */
		if (r >= 0)
			ns[r] = now_ns() - t0;
	}
	if (me == 0)
		memcpy(pp_ns, ns, sizeof(int64_t) * (size_t)rounds);
}

/* ---- barrier ---------------------------------------------------------------- */

static pthread_barrier_t *bar;
static int64_t *bar_ns; /* per round, as seen by the thread on node 0 */

static void barrier_member(struct task *t)
{
	for (int r = -10; r < rounds; r++) {
		int64_t t0 = now_ns();
		int err = pthread_barrier_wait(bar);
		check(err == PTHREAD_BARRIER_SERIAL_THREAD ? 0 : err,
		      "pthread_barrier_wait");
		if (t->id == 0 && r >= 0)
			bar_ns[r] = now_ns() - t0;
	}
}

/* Starts one thread per node in `want` at once and joins them. */
static int run_group(int n, const int *want, void (*work)(struct task *),
		     struct task *ts)
{
	pthread_t th[MAX_NODES];
	int started = 0, rc = 0;
	for (int i = 0; i < n; i++) {
		ts[i].want = want[i];
		ts[i].work = work;
		ts[i].id = i;
		ts[i].ran_on = -1;
		if (start_on(&ts[i], &th[i])) {
			rc = -1;
			break;
		}
		started++;
	}
	for (int i = 0; i < started; i++)
		pthread_join(th[i], NULL);
	for (int i = 0; i < started; i++)
		if (ts[i].ran_on != ts[i].want)
			rc = -1;
	if (rc) {
		fprintf(
		    stderr,
		    "dsm_bench: a group thread did not run where intended\n");
		failures++;
	}
	return rc;
}

static void sync_cases(void)
{
	struct task ts[MAX_NODES];
	int want[MAX_NODES];
	memset(ts, 0, sizeof(ts));

	pp = aligned_alloc(PAGE, sizeof(*pp) + PAGE);
	pp_ns = malloc(sizeof(int64_t) * (size_t)rounds);
	if (!pp || !pp_ns)
		exit(1);
	memset(pp, 0, sizeof(*pp));
	check(pthread_mutex_init(&pp->m, NULL), "pthread_mutex_init");
	check(pthread_cond_init(&pp->c, NULL), "pthread_cond_init");
	want[0] = 0, want[1] = 1;
	if (!run_group(2, want, player, ts)) {
		/* a round trip is two hand-offs */
		int64_t *v = malloc(sizeof(int64_t) * (size_t)rounds);
		for (int r = 0; r < rounds; r++)
			v[r] = pp_ns[r] / 2;
		report("mutex_handoff", summarize(v, rounds));
		free(v);
	}

	bar = malloc(sizeof(*bar));
	bar_ns = malloc(sizeof(int64_t) * (size_t)rounds);
	if (!bar || !bar_ns)
		exit(1);
	check(pthread_barrier_init(bar, NULL, (unsigned)nodes),
	      "pthread_barrier_init");
	for (int i = 0; i < nodes; i++)
		want[i] = i;
	memset(ts, 0, sizeof(ts));
	if (!run_group(nodes, want, barrier_member, ts))
		report("barrier", summarize(bar_ns, rounds));
}

int main(int argc, char **argv)
{
	nodes = argc > 1 ? atoi(argv[1]) : 0;
	if (argc > 2)
		npages = atoi(argv[2]);
	if (argc > 3)
		rounds = atoi(argv[3]);
	if (nodes < 2 || nodes > MAX_NODES || npages < 1 ||
	    npages > MAX_PAGES || rounds < 1 || rounds > MAX_ROUNDS) {
		fprintf(
		    stderr,
		    "usage: dsm_bench NODES(2..%d) [PAGES(1..%d)] [ROUNDS(1..%d)]\n",
		    MAX_NODES, MAX_PAGES, MAX_ROUNDS);
		return 2;
	}
	if (node_id() != 0) {
		fprintf(stderr, "dsm_bench: main runs on node %d, not 0\n",
			node_id());
		return 1;
	}
	printf("dsm_bench: %d nodes, %d pages per case, %d rounds\n", nodes,
	       npages, rounds);
	fault_cases();
	sync_cases();
	printf("placed: every phase ran on its intended node: %s\n",
	       failures ? "NO" : "yes");
	if (call_errors)
		printf("dsm_bench: %d pthread calls failed\n", call_errors);
	return failures || call_errors ? 1 : 0;
}
