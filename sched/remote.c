/*
 * sched/remote.c — the services that make the cluster one process:
 * remote thread creation (CNET_SVC_THREAD), futex wake-ups across nodes
 * (CNET_SVC_FUTEX), console forwarding to the origin and the cluster-wide
 * exit (CNET_SVC_CONTROL lives in net/cnet.c), and thread placement
 * (sched.policy). Registered into kernel/ksys.c as its cluster ops.
 *
 * The exit report (dsm.stats=1, CNET_SVC_REPORT): the program ends at the
 * origin, which asks every live node for its lines (where threads ran, its
 * DSM counters), waits for the answers at most REPORT_WAIT_NS, and prints
 * them in node order on its console before the cluster powers off. A node
 * other than the origin that ends the program asks the origin to do so.
 */
#include "kernel/config.h"
#include "kernel/errno.h"
#include "kernel/futex.h"
#include "kernel/init.h"
#include "kernel/kstring.h"
#include "kernel/ksys.h"
#include "kernel/log.h"
#include "kernel/panic.h"
#include "kernel/sync.h"
#include "kernel/thread.h"
#include "mm/dsm.h"
#include "mm/kmalloc.h"
#include "net/cnet.h"
#include "sched/global.h"

struct spawn_msg {
	uint64_t entry, arg, stack_top, fs_base;
};

struct futex_msg {
	uint64_t addr;
	int32_t n;
};

static uint32_t threads_placed[CNET_MAX_NODES]; /* (a) by this node */
static uint32_t threads_remote; /* (a) started here for another node */

static int place(void)
{
	int n = sched_place(); /* sched.policy */
	if (n >= 0 && n < CNET_MAX_NODES)
		__atomic_fetch_add(&threads_placed[n], 1, __ATOMIC_RELAXED);
	return n;
}

static int spawn(int node, uint64_t entry, uint64_t arg, uint64_t stack_top,
		 uint64_t fs_base)
{
	struct spawn_msg m = { entry, arg, stack_top, fs_base };
	return cnet_send(node, CNET_SVC_THREAD, &m, sizeof(m));
}

static void thread_handler(int from, const void *msg, size_t len, void *ctx)
{
	(void)ctx;
	struct spawn_msg m;
	if (len != sizeof(m)) {
		pr_err("cluster", "bad thread-start message from node %d (%zu bytes)",
		       from, len);
		return;
	}
	memcpy(&m, msg, sizeof(m));
	int rc = ksys_spawn_local(m.entry, m.arg, m.stack_top, m.fs_base);
	if (!rc)
		__atomic_fetch_add(&threads_remote, 1, __ATOMIC_RELAXED);
	if (rc)
		pr_err("cluster", "cannot start a thread for node %d: %d", from, rc);
}

static void remote_wake(const uint32_t *addr, int n)
{
	struct futex_msg m = { (uint64_t)(uintptr_t)addr, n };
	for (int i = 0; i < cnet_nodes(); i++)
		if (i != cnet_self() && cnet_alive(i))
			cnet_send(i, CNET_SVC_FUTEX, &m, sizeof(m));
}

static void futex_handler(int from, const void *msg, size_t len, void *ctx)
{
	(void)ctx, (void)from;
	struct futex_msg m;
	if (len != sizeof(m))
		return;
	memcpy(&m, msg, sizeof(m));
	futex_wake_local((const uint32_t *)(uintptr_t)m.addr, m.n);
}

static void console(const char *s, size_t n) { cnet_console(s, n); }

/* ---- the exit report ------------------------------------------------------ */

#define REPORT_MAX 2048 /* bytes of one node's lines */
#define REPORT_WAIT_NS (5 * NSEC_PER_SEC)

enum { REPORT_ASK = 1, REPORT_LINES = 2, REPORT_EXIT = 3 };

struct report_msg {
	uint32_t kind; /* REPORT_*; REPORT_LINES: the text follows */
	int32_t arg; /* ASK, LINES: the round; EXIT: the status */
};

static struct mutex report_lock;
static struct cond report_cv; /* with report_lock: an answer came */
static int report_round; /* (report_lock) the origin's current question */
static char *report_lines[CNET_MAX_NODES]; /* (report_lock) answers */
static uint32_t report_bad; /* (report_lock) malformed answers dropped */
static int exiting; /* (a) the first exit_all wins */

/* This node's lines: where threads ran, then its DSM counters. */
static size_t node_report(char *buf, size_t len)
{
	int self = cnet_self();
	uint32_t here = __atomic_load_n(&threads_remote, __ATOMIC_RELAXED) +
			__atomic_load_n(&threads_placed[self], __ATOMIC_RELAXED);
	size_t n = 0;
	kappendf(buf, len, &n, "sched: node %d: ran %u thread(s) of the program; "
		 "placed by this node (policy %s):", self, here,
		 sched_policy_name());
	for (int i = 0; i < cnet_nodes(); i++)
		kappendf(buf, len, &n, " %d:%u", i,
			 __atomic_load_n(&threads_placed[i], __ATOMIC_RELAXED));
	kappendf(buf, len, &n, "\n");
	if (n < len)
		n += dsm_report_text(buf + n, len - n);
	return n < len ? n : len - 1;
}

/* An answer's text as the origin prints it: printable bytes and newlines,
 * ending with one. NULL if it is not that, or memory is short. */
static char *report_copy(const char *s, size_t n)
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

static void exit_all(int status) __attribute__((noreturn));

static void *exit_thread(void *arg)
{
	exit_all((int)(intptr_t)arg);
}

static void report_handler(int from, const void *msg, size_t len, void *ctx)
{
	(void)ctx;
	struct report_msg m;
	if (len < sizeof(m))
		goto bad;
	memcpy(&m, msg, sizeof(m));
	if (m.kind == REPORT_ASK && from == 0 && len == sizeof(m)) {
		char *buf = kmalloc(sizeof(m) + REPORT_MAX);
		if (!buf)
			return; /* the origin times out on us */
		m.kind = REPORT_LINES;
		memcpy(buf, &m, sizeof(m));
		size_t n = node_report(buf + sizeof(m), REPORT_MAX);
		cnet_send(0, CNET_SVC_REPORT, buf, sizeof(m) + n);
		kfree(buf);
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
	if (m.kind == REPORT_LINES && cnet_self() == 0) {
		mutex_lock(&report_lock);
		char *c = NULL;
		if (m.arg == report_round && from > 0 && from < CNET_MAX_NODES &&
		    !report_lines[from])
			c = report_copy((const char *)msg + sizeof(m),
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

/* At the origin: every node's lines, in node order, on this console. */
static void gather_and_print(void)
{
	static char own[REPORT_MAX]; /* only the first exit_all gets here */
	int nodes = cnet_nodes();
	mutex_lock(&report_lock);
	int round = ++report_round;
	mutex_unlock(&report_lock);
	struct report_msg ask = { REPORT_ASK, round };
	for (int i = 1; i < nodes; i++)
		if (cnet_alive(i))
			cnet_send(i, CNET_SVC_REPORT, &ask, sizeof(ask));
	node_report(own, sizeof(own));
	kputs_raw(own, strlen(own));
	uint64_t deadline = clock_ns() + REPORT_WAIT_NS;
	mutex_lock(&report_lock);
	for (int i = 1; i < nodes; i++) {
		while (!report_lines[i] && cnet_alive(i)) {
			uint64_t now = clock_ns();
			if (now >= deadline)
				break;
			cond_wait(&report_cv, &report_lock, deadline - now);
		}
		if (report_lines[i])
			kputs_raw(report_lines[i], strlen(report_lines[i]));
		else
			kprintf("cluster: node %d sent no report (%s)\n", i,
				cnet_alive(i) ? "timed out" : "dead");
	}
	if (report_bad)
		kprintf("cluster: %u malformed report message(s) dropped\n",
			report_bad);
	mutex_unlock(&report_lock);
}

static void exit_all(int status)
{
	if (__atomic_exchange_n(&exiting, 1, __ATOMIC_ACQ_REL))
		for (;;) /* another exit is under way: it powers us off */
			thread_sleep_ns(NSEC_PER_SEC);
	if (config_bool("dsm.stats")) {
		if (cnet_self() != 0) {
			/* the origin gathers; should it not answer, end alone */
			struct report_msg m = { REPORT_EXIT, status };
			if (!cnet_send(0, CNET_SVC_REPORT, &m, sizeof(m)))
				thread_sleep_ns(2 * REPORT_WAIT_NS);
		} else {
			gather_and_print();
		}
	}
	cnet_exit_all(status);
}

static int nodes(void) { return cnet_nodes(); }
static int self(void) { return cnet_self(); }
static int total_cpus(void) { return cnet_total_cpus(); }

static const struct ksys_cluster_ops ops = {
	.self = self,
	.nodes = nodes,
	.total_cpus = total_cpus,
	.place = place,
	.spawn = spawn,
	.console = console,
	.exit_all = exit_all,
};

static int cluster_svc_start(void)
{
	if (cnet_nodes() <= 1)
		return 0;
	int rc = cnet_register(CNET_SVC_THREAD, thread_handler, NULL);
	if (!rc)
		rc = cnet_register(CNET_SVC_FUTEX, futex_handler, NULL);
	mutex_init(&report_lock);
	cond_init(&report_cv);
	if (!rc)
		rc = cnet_register(CNET_SVC_REPORT, report_handler, NULL);
	if (rc)
		return rc;
	futex_set_remote(remote_wake);
	ksys_set_cluster(&ops);
	return 0;
}
INITCALL(8, cluster_svc_start);
