/*
 * sched/report.c — the report service (CNET_SVC_REPORT): one node asks
 * every other live node for some lines of text and waits, bounded, for the
 * answers. Two uses:
 *  - the exit report (dsm.stats=1): the origin gathers each node's lines
 *    (where threads ran, DSM counters, fault latencies) and prints them in
 *    node order before the cluster powers off; a node other than the
 *    origin that ends the program asks the origin to do it;
 *  - /proc/cluster: every node's /proc/dsm text, gathered by the node of
 *    the thread that opens it.
 * Answers are checked (the round asked, a node asked, printable text
 * ending in a newline, at most REPORT_MAX bytes); others, and answers
 * that come too late, are counted in report_bad and dropped. A node that
 * does not answer in time is reported as such: a dead node cannot hang the
 * exit.
 *
 * Lock order: gather_lock (one gather at a time on this node), then
 * report_lock.
 */
#include "cluster/csync.h"
#include "cluster/dsm.h"
#include "kernel/errno.h"
#include "kernel/kstring.h"
#include "kernel/log.h"
#include "kernel/sync.h"
#include "kernel/thread.h"
#include "mm/kmalloc.h"
#include "net/cnet.h"
#include "sched/global.h"
#include "sched/migrate.h"
#include "sched/remote_impl.h"

#define REPORT_MAX     4096		  /* bytes of one node's answer */
#define REPORT_WAIT_NS (5 * NSEC_PER_SEC) /* exit report */
#define PROC_WAIT_NS   (2 * NSEC_PER_SEC) /* /proc/cluster */

enum {
	REPORT_ASK = 1,	     /* the exit report's lines, please */
	REPORT_LINES = 2,    /* an answer: the text follows */
	REPORT_EXIT = 3,     /* to the origin: end the program, arg = status */
	REPORT_ASK_PROC = 4, /* the /proc/dsm text, please */
};

struct report_msg {
	uint32_t kind; /* REPORT_* */
	int32_t arg;   /* ASK*, LINES: the asker's round; EXIT: the status */
};

static struct mutex gather_lock;
static struct mutex report_lock;
static struct cond report_cv; /* with report_lock: an answer came */
static int report_round;      /* (report_lock) the current question */
static char *report_lines[CNET_MAX_NODES]; /* (report_lock) its answers */
static uint32_t report_bad; /* (report_lock) late or malformed, dropped */

/* This node's exit report: where threads ran, then its DSM counters. */
static size_t exit_lines(char *buf, size_t len)
{
	size_t n = 0;
	kappendf(buf, len, &n,
		 "sched: node %d: ran %u thread(s) of the program; "
		 "placed by this node (policy %s):",
		 cnet_self(), remote_threads_here(), sched_policy_name());
	for (int i = 0; i < cnet_nodes(); i++)
		kappendf(buf, len, &n, " %d:%u", i, remote_threads_placed(i));
	kappendf(buf, len, &n, "\n");
	struct migrate_stats ms;
	sched_migrate_stats(&ms);
	kappendf(buf, len, &n,
		 "sched: node %d: migrations out %lu, in %lu, failed %lu, "
		 "balance orders %lu; stop to resumed %lu us, stack page back "
		 "%lu us (means)\n",
		 cnet_self(), ms.out, ms.in, ms.failed, ms.shed,
		 ms.out ? ms.move_ns_sum / ms.out / 1000 : 0,
		 ms.in ? ms.first_page_ns_sum / ms.in / 1000 : 0);
	struct cnet_clock_info ci;
	cnet_clock_info(&ci);
	kappendf(buf, len, &n,
		 "clock: node %d: offset to the origin %ld ns, error bound "
		 "%lu ns, samples %lu, refused %lu\n",
		 cnet_self(), ci.offset_ns, ci.error_ns, ci.taken, ci.refused);
	if (n < len)
		n += dsm_report_text(buf + n, len - n);
	if (n < len)
		n += csync_stats_text(buf + n, len - n);
	return n;
}

/* This node's part of /proc/cluster: its DSM counters, then its clock
 * (net/member_clock.c) as "clock_offset_ns", "clock_error_ns",
 * "clock_samples" and "clock_refused" lines. */
static size_t proc_lines(char *buf, size_t len)
{
	size_t n = dsm_proc_text(buf, len);
	struct cnet_clock_info ci;
	cnet_clock_info(&ci);
	kappendf(buf, len, &n,
		 "clock_offset_ns %ld\nclock_error_ns %lu\nclock_samples "
		 "%lu\nclock_refused %lu\n",
		 ci.offset_ns, ci.error_ns, ci.taken, ci.refused);
	return n;
}

/* An answer's text as it will be shown: printable bytes and newlines,
 * ending with one. NULL if it is not that, or memory is short. */
static char *answer_copy(const char *s, size_t n)
{
	if (n == 0 || n > REPORT_MAX || s[n - 1] != '\n')
		return NULL;
	for (size_t i = 0; i < n; i++)
		if ((s[i] < 0x20 && s[i] != '\n') || s[i] > 0x7e)
			return NULL;
	char *c = kmalloc(n + 1);
	if (c) {
		memcpy(c, s, n);
		c[n] = 0;
	}
	return c;
}

static void answer(int to, const struct report_msg *ask)
{
	char *buf = kmalloc(sizeof(*ask) + REPORT_MAX);
	if (!buf)
		return; /* the asker times out on us */
	struct report_msg m = {REPORT_LINES, ask->arg};
	memcpy(buf, &m, sizeof(m));
	char *text = buf + sizeof(m);
	size_t n = ask->kind == REPORT_ASK ? exit_lines(text, REPORT_MAX)
					   : proc_lines(text, REPORT_MAX);
	if (n < REPORT_MAX) /* else too long: not sent, the asker times out */
		cnet_send(to, CNET_SVC_REPORT, buf, sizeof(m) + n);
	kfree(buf);
}

static void *exit_thread(void *arg)
{
	remote_exit_all((int)(intptr_t)arg);
}

static void report_handler(int from, const void *msg, size_t len, void *ctx)
{
	(void)ctx;
	struct report_msg m;
	if (len < sizeof(m) || from < 0 || from >= CNET_MAX_NODES ||
	    from == cnet_self())
		goto bad;
	memcpy(&m, msg, sizeof(m));
	if ((m.kind == REPORT_ASK || m.kind == REPORT_ASK_PROC) &&
	    len == sizeof(m)) {
		answer(from, &m);
		return;
	}
	if (m.kind == REPORT_EXIT && cnet_self() == 0 && len == sizeof(m)) {
		kprintf("unum: node %d ended the program (status %d)\n", from,
			m.arg);
		/* not in this thread: the answers come to it */
		if (!thread_create("exit", exit_thread, (void *)(intptr_t)m.arg,
				   PRIO_DEFAULT))
			cnet_exit_all(m.arg);
		return;
	}
	if (m.kind == REPORT_LINES) {
		mutex_lock(&report_lock);
		char *c = NULL;
		if (m.arg == report_round && !report_lines[from])
			c = answer_copy((const char *)msg + sizeof(m),
					len - sizeof(m));
		if (c) {
			report_lines[from] = c;
			cond_broadcast(&report_cv);
		} else {
			report_bad++;
		}
		mutex_unlock(&report_lock);
		return;
	}
bad:
	mutex_lock(&report_lock);
	report_bad++;
	mutex_unlock(&report_lock);
}

/* Asks every other live node (gather_lock held) and waits for their
 * answers until wait_ns has passed; returns with report_lock held and the
 * answers in report_lines (NULL: no answer). */
static void gather(uint32_t kind, uint64_t wait_ns)
{
	int nodes = cnet_nodes(), self = cnet_self();
	mutex_lock(&report_lock);
	int round = ++report_round;
	for (int i = 0; i < CNET_MAX_NODES; i++) {
		kfree(report_lines[i]);
		report_lines[i] = NULL;
	}
	mutex_unlock(&report_lock);
	struct report_msg ask = {kind, round};
	for (int i = 0; i < nodes; i++)
		if (i != self && cnet_alive(i))
			cnet_send(i, CNET_SVC_REPORT, &ask, sizeof(ask));
	uint64_t deadline = clock_ns() + wait_ns;
	mutex_lock(&report_lock);
	for (int i = 0; i < nodes; i++) {
		while (i != self && !report_lines[i] && cnet_alive(i)) {
			uint64_t now = clock_ns();
			if (now >= deadline)
				break;
			cond_wait(&report_cv, &report_lock, deadline - now);
		}
	}
}

void report_print_all(void)
{
	static char own[REPORT_MAX]; /* (gather_lock) */
	int nodes = cnet_nodes(), self = cnet_self();
	mutex_lock(&gather_lock);
	gather(REPORT_ASK, REPORT_WAIT_NS);
	for (int i = 0; i < nodes; i++) {
		if (i == self) {
			exit_lines(own, sizeof(own));
			kputs_raw(own, strlen(own));
		} else if (report_lines[i]) {
			kputs_raw(report_lines[i], strlen(report_lines[i]));
		} else {
			kprintf("cluster: node %d sent no report (%s)\n", i,
				cnet_alive(i) ? "timed out" : "dead");
		}
	}
	if (report_bad)
		kprintf("cluster: %u report message(s) dropped (late or "
			"malformed)\n",
			report_bad);
	mutex_unlock(&report_lock);
	mutex_unlock(&gather_lock);
}

int report_ask_exit(int status)
{
	struct report_msg m = {REPORT_EXIT, status};
	return cnet_send(0, CNET_SVC_REPORT, &m, sizeof(m));
}

size_t report_cluster_text(char *buf, size_t len)
{
	int nodes = cnet_nodes(), self = cnet_self();
	size_t n = 0;
	mutex_lock(&gather_lock);
	gather(REPORT_ASK_PROC, PROC_WAIT_NS);
	for (int i = 0; i < nodes; i++) {
		if (i == self)
			n += proc_lines(n < len ? buf + n : NULL,
					n < len ? len - n : 0);
		else if (report_lines[i])
			kappendf(buf, len, &n, "%s", report_lines[i]);
		else
			kappendf(buf, len, &n, "node %d\nanswered 0\n", i);
	}
	mutex_unlock(&report_lock);
	mutex_unlock(&gather_lock);
	return n;
}

int report_start(void)
{
	mutex_init(&gather_lock);
	mutex_init(&report_lock);
	cond_init(&report_cv);
	return cnet_register(CNET_SVC_REPORT, report_handler, NULL);
}
