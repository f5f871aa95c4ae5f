/*
 * sched/remote.c — the services that make the cluster one process:
 * remote thread creation (CNET_SVC_THREAD), futex wake-ups across nodes
 * (CNET_SVC_FUTEX), console forwarding to the origin and the cluster-wide
 * exit (CNET_SVC_CONTROL lives in net/cnet.c), and thread placement
 * (sched.policy). Registered into kernel/ksys.c as its cluster ops.
 */
#include "kernel/config.h"
#include "kernel/csync.h"
#include "kernel/errno.h"
#include "kernel/futex.h"
#include "kernel/init.h"
#include "kernel/kstring.h"
#include "kernel/ksys.h"
#include "kernel/log.h"
#include "mm/dsm.h"
#include "net/cnet.h"
#include "sched/global.h"

struct spawn_msg {
	uint64_t entry, arg, stack_top, fs_base;
};

struct futex_msg {
	uint64_t addr;
	int32_t n;
};

struct console_msg {
	uint32_t kind; /* 2: console bytes follow */
};


static uint32_t threads_placed[CNET_MAX_NODES]; /* (a) by this node */

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

static void console(const char *s, size_t n)
{
	struct console_msg h = { 2 };
	cnet_send2(0, CNET_SVC_CONTROL, &h, sizeof(h), s, n);
}

static void exit_all(int status) __attribute__((noreturn));
static void exit_all(int status)
{
	if (config_bool("dsm.stats")) {
		kprintf("sched: threads this node started, by node (policy %s):",
			sched_policy_name());
		for (int i = 0; i < cnet_nodes(); i++)
			kprintf(" %d:%u", i, threads_placed[i]);
		kprintf("\n");
		dsm_print_stats();
		csync_print_stats();
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
	if (rc)
		return rc;
	futex_set_remote(remote_wake);
	ksys_set_cluster(&ops);
	return 0;
}
INITCALL(8, cluster_svc_start);
