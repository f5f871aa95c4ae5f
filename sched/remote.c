/*
 * sched/remote.c — the services that make the cluster one process:
 * remote thread creation (sent on CNET_SVC_THREAD, served by
 * sched/migrate.c), futex wake-ups across nodes
 * (CNET_SVC_FUTEX), console forwarding to the origin (standard input:
 * sched/remote_stdin.c) and the cluster-wide
 * exit (CNET_SVC_CONTROL lives in net/cnet.c), and thread placement
 * (sched.policy). Registered into kernel/ksys.c as its cluster ops.
 *
 * With dsm.stats=1 the exit goes through the origin, which prints every
 * node's report first (sched/report.c).
 */
#include "cluster/csync.h"
#include "cluster/dsm.h"
#include "kernel/config.h"
#include "kernel/errno.h"
#include "kernel/exit_note.h"
#include "kernel/futex.h"
#include "kernel/init.h"
#include "kernel/kstring.h"
#include "kernel/ksys.h"
#include "kernel/log.h"
#include "kernel/thread.h"
#include "mm/kmalloc.h"
#include "net/cnet.h"
#include "net/cnet_echo.h"
#include "sched/global.h"
#include "sched/migrate.h"
#include "sched/remote_impl.h"
#include "sched/thread_msg.h"

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

_Static_assert(TM_SPAWN_DATA == KSYS_SPAWN_DATA, "one start record size");

static int spawn(int node, uint64_t entry, uint64_t stack_top, uint64_t fs_base,
		 const void *data, size_t len)
{
	struct tm_spawn m = {TM_SPAWN,	(uint32_t)len, entry,
			     stack_top, fs_base,       {0}};
	memcpy(m.data, data, len); /* len checked by ksys_thread_spawn_on */
	return cnet_send(node, CNET_SVC_THREAD, &m, sizeof(m));
}

/* An exit note (kernel/exit_note.h) for the node of the ended thread's
 * joiner, on the futex service: it wakes the joiner there like a futex
 * wake-up, with the thread's result. Told from a wake-up by its size. */
struct note_msg {
	uint64_t word, serial, result;
};

static void send_exit_note(int node, uintptr_t word, uint64_t serial,
			   uint64_t result)
{
	struct note_msg m = {word, serial, result};
	cnet_send(node, CNET_SVC_FUTEX, &m, sizeof(m));
}

static void remote_wake(const uint32_t *addr, int n)
{
	struct futex_msg m = {(uint64_t)(uintptr_t)addr, n};
	for (int i = 0; i < cnet_nodes(); i++)
		if (i != cnet_self() && cnet_alive(i))
			cnet_send(i, CNET_SVC_FUTEX, &m, sizeof(m));
}

/* Wake-ups and exit notes take no sleep: handled in the transport's
 * receive path (its fast path), no hop to the service's thread. */
static bool futex_fast(int from, const void *msg, size_t len, void *ctx)
{
	(void)ctx;
	struct futex_msg m;
	if (len == sizeof(struct note_msg)) {
		struct note_msg nm;
		memcpy(&nm, msg, sizeof(nm));
		/* the word is only a key: any value is harmless; a note
		 * that cannot be kept is counted as dropped there */
		exit_note_post((uintptr_t)nm.word, nm.serial, nm.result);
		return true;
	}
	if (len != sizeof(m)) {
		sched_count_bad();
		return true;
	}
	memcpy(&m, msg, sizeof(m));
	futex_wake_local((const uint32_t *)(uintptr_t)m.addr, m.n);
	return true;
}

/* Messages a node sends itself are always queued: the same work. */
static void futex_handler(int from, const void *msg, size_t len, void *ctx)
{
	futex_fast(from, msg, len, ctx);
}

static void console(const char *s, size_t n)
{
	cnet_console(s, n);
}

/* ---- the exit ------------------------------------------------------------ */

void remote_note_started(void)
{
	__atomic_fetch_add(&threads_remote, 1, __ATOMIC_RELAXED);
}

uint32_t remote_threads_here(void)
{
	return __atomic_load_n(&threads_remote, __ATOMIC_RELAXED) +
	       __atomic_load_n(&threads_placed[cnet_self()], __ATOMIC_RELAXED);
}

uint32_t remote_threads_started(void)
{
	return __atomic_load_n(&threads_remote, __ATOMIC_RELAXED);
}

uint32_t remote_threads_placed(int node)
{
	return __atomic_load_n(&threads_placed[node], __ATOMIC_RELAXED);
}

static int exiting; /* (a) the first exit wins */

/* With dsm.stats=1 the origin prints every node's report first; a node
 * other than the origin asks it to, and ends alone if it does not answer. */
void remote_exit_all(int status)
{
	if (__atomic_exchange_n(&exiting, 1, __ATOMIC_ACQ_REL))
		for (;;) /* another exit is under way: it powers us off */
			thread_sleep_ns(NSEC_PER_SEC);
	if (config_bool("dsm.stats")) {
		if (cnet_self() != 0) {
			if (!report_ask_exit(status))
				thread_sleep_ns(15 * NSEC_PER_SEC);
		} else {
			report_print_all();
		}
	}
	cnet_exit_all(status);
}

static int64_t echo_ns(int node, size_t len)
{
	if (node < 0 || node >= cnet_nodes() || node == cnet_self() ||
	    len > KSYS_ECHO_MAX)
		return -EINVAL;
	uint8_t *buf = kmalloc(2 * len + 1); /* what goes, what comes back */
	if (!buf)
		return -ENOMEM;
	for (size_t i = 0; i < len; i++)
		buf[i] = (uint8_t)(i * 7 + 1);
	uint64_t t0 = clock_ns();
	int rc =
	    cnet_echo(node, buf, len, buf + len, len + 1, 2 * NSEC_PER_SEC);
	int64_t ns = (int64_t)(clock_ns() - t0);
	if (rc >= 0 && ((size_t)rc != len || memcmp(buf, buf + len, len)))
		rc = -EIO;
	kfree(buf);
	return rc < 0 ? rc : ns;
}

static int nodes(void)
{
	return cnet_nodes();
}
static int self(void)
{
	return cnet_self();
}
static int total_cpus(void)
{
	return cnet_total_cpus();
}

/* ksys's one table (kernel/ksys.h): the (n) members are filled in only
 * when this node is one of several. (c) once registered. */
static struct ksys_cluster_ops ops = {
    .set_policy = sched_set_policy_all,
    .dsm_text = dsm_proc_text,
    .csync =
	{
	    .active = csync_sys_active,
	    .create = csync_sys_create,
	    .destroy = csync_sys_destroy,
	    .mutex_lock = csync_sys_mutex_lock,
	    .mutex_unlock = csync_sys_mutex_unlock,
	    .cond_wait = csync_sys_cond_wait,
	    .cond_wake = csync_sys_cond_wake,
	    .barrier_wait = csync_sys_barrier_wait,
	    .sem = csync_sys_sem,
	    .rwlock = csync_sys_rwlock,
	    .stats = csync_sys_stats,
	},
};

static int cluster_svc_start(void)
{
	if (cnet_nodes() > 1) {
		int rc = cnet_register(CNET_SVC_FUTEX, futex_handler, NULL);
		if (!rc)
			rc = cnet_set_fast(CNET_SVC_FUTEX, futex_fast);
		if (!rc)
			rc = report_start();
		if (!rc)
			rc = remote_stdin_start();
		if (rc)
			return rc;
		futex_set_remote(remote_wake);
		ops.self = self;
		ops.nodes = nodes;
		ops.total_cpus = total_cpus;
		ops.place = place;
		ops.spawn = spawn;
		ops.exit_note = send_exit_note;
		ops.console = console;
		ops.console_read = remote_stdin_read;
		ops.console_poll = remote_stdin_poll;
		ops.exit_all = remote_exit_all;
		ops.thread_event = sched_thread_event;
		ops.migrate = sched_migrate;
		ops.set_affinity = sched_set_affinity;
		ops.signal_kick = sched_signal_kick;
		ops.cluster_text = report_cluster_text;
		ops.echo_ns = echo_ns;
	}
	ksys_set_cluster(&ops);
	return 0;
}
INITCALL(INIT_CLUSTER, cluster_svc_start);
