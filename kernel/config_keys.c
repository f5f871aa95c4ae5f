/*
 * kernel/config_keys.c — the one table of every boot configuration key.
 *
 * A row gives the key's type, default, range or choices and one line of
 * documentation. docs/CONFIG.md shows the same table for people and must be
 * kept in sync with this one (tests/unit/test_config_keys.c checks it).
 * Keep rows sorted by subsystem; add a row here before reading a new key.
 *
 * The choices of a CFG_KEY_REGISTRY row are not here: each is registered
 * by the code implementing it (DEFINE_SCHED_POLICY, DEFINE_DSM_PROTOCOL,
 * cluster/dsm_home_mode.c), so a new policy or protocol file adds its name.
 */
#include <stdint.h>

#include "kernel/config.h"

const struct cfg_key cfg_keys[] = {
    /* Console and log. */
    CFG_KEY_ENUM("log.level", "info", "error|warn|info|debug",
		 "least severe kernel log level printed on the console"),
    CFG_KEY_BOOL("console.timestamps", "1",
		 "prefix every console line with the seconds since boot"),

    /* Testing and debugging. */
    CFG_KEY_BOOL("test.mode", "0",
		 "leave QEMU through isa-debug-exit with a status instead "
		 "of ACPI power-off"),
    CFG_KEY_STRING("ktest", "", CFG_VALUE_MAX,
		   "in-kernel tests to run: all, a name, or a prefix glob "
		   "like sched.*; a comma-separated list is allowed"),
    CFG_KEY_ENUM("debug.crash", "none",
		 "none|pagefault|gpf|divzero|ud|doublefault",
		 "crash on purpose after boot, to show the crash report"),
    CFG_KEY_STRING("bench", "", CFG_VALUE_MAX,
		   "in-kernel benchmarks to run, named like ktest"),
    CFG_KEY_UINT("test.cluster_kill", "0", 0, 255,
		 "cluster.y_node_death: the node the host kills during "
		 "the test, which the others must declare dead; 0 = none"),
    CFG_KEY_UINT(
	"test.cluster_inject", "0", 0, 10000,
	"cluster.x_forged_frames: how many frames of each "
	"forgery (bad MAC, wrong cluster id) the host sends; 0 = none"),

    CFG_KEY_BOOL("test.dsm_check_forge", "0",
		 "with dsm.check=1: node 1 falsely reports holding the first "
		 "page of static data RW, so the checker must stop the "
		 "cluster with a report"),

    /* Scheduler. */
    CFG_KEY_UINT("sched.slice_ms", "10", 1, 1000,
		 "time slice of a thread before preemption, in ms"),
    CFG_KEY_UINT("sched.hz", "1000", 10, 10000, "timer tick rate, in Hz"),

    /* Memory and CPUs. */
    CFG_KEY_UINT("mem.max", "0", 0, UINT64_MAX,
		 "use RAM only up to this size in bytes (K/M/G suffix); "
		 "0 = all"),
    CFG_KEY_UINT("smp.max_cpus", "256", 1, 256,
		 "most CPUs of this node to start, the boot CPU included"),

    /* Cluster. */
    CFG_KEY_UINT("cluster.nodes", "1", 1, 64,
		 "number of nodes the cluster waits for before it runs (the "
		 "transport addresses 64 nodes)"),
    CFG_KEY_SECRET("cluster.key", "", 128,
		   "shared secret that authenticates cluster frames; "
		   "never printed"),
    CFG_KEY_UINT("cluster.id", "1", 1, 4294967295,
		 "cluster identifier carried by every frame; frames of "
		 "another cluster are dropped"),
    CFG_KEY_BOOL("cluster.origin", "0",
		 "this node is the origin (node 0, runs main); default: the "
		 "node with the lowest MAC"),
    CFG_KEY_UINT("cluster.wait_ms", "60000", 100, 3600000,
		 "how long to wait for cluster.nodes nodes before starting "
		 "with those that joined"),
    CFG_KEY_UINT("cluster.heartbeat_ms", "200", 10, 60000,
		 "period of the heartbeats every node sends"),
    CFG_KEY_UINT("cluster.dead_ms", "3000", 50, 600000,
		 "silence after which a node is declared dead"),
    CFG_KEY_REGISTRY("dsm.protocol", "sc",
		     "coherence protocol of the global address space: sc "
		     "(sequential consistency, single writer / many readers)"),
    CFG_KEY_REGISTRY("dsm.home", "interleave",
		     "home of the pages of the program's static data: "
		     "interleaved over the nodes, all at the origin, or the "
		     "first node to fault on each (heap and stacks: where they "
		     "were allocated)"),
    CFG_KEY_UINT(
	"dsm.readahead", "16", 0, 64,
	"most pages of a thread's forward stream of read faults asked "
	"for ahead of it (the window starts at 4 and doubles); 0: off"),
    CFG_KEY_BOOL("dsm.stats", "0",
		 "when the program ends, print every node's DSM counters and "
		 "where threads ran on the origin's console"),
    CFG_KEY_BOOL("dsm.check", "0",
		 "debug: every node reports each change of its access to a "
		 "page to the page's home, which stops the cluster with a "
		 "report if single writer / many readers breaks"),
    CFG_KEY_REGISTRY("sched.policy", "round_robin",
		     "global scheduling policy: where new threads go (see "
		     "docs/SCHEDULING.md)"),
    CFG_KEY_UINT("sched.least_loaded.threshold", "1000", 1, 1000000,
		 "least_loaded: load difference per CPU, in thousandths of a "
		 "thread, before threads are moved"),
    CFG_KEY_UINT("sched.period_ms", "200", 10, 60000,
		 "period of the global scheduler: its balancing rounds and the "
		 "load gossip (heartbeats go at the shorter of this and "
		 "cluster.heartbeat_ms)"),
    CFG_KEY_STRING("app.env", "", 255,
		   "the program's environment: NAME=value words separated by "
		   "spaces (quote the whole value)"),
    CFG_KEY_STRING("boot.mac", "", 64,
		   "MAC address of the NIC this node booted from; set by "
		   "the PXE grub.cfg; shown in the banner only (node ids come "
		   "from the membership's MAC order)"),
    CFG_KEY_STRING("boot.ip", "", 64,
		   "address DHCP gave this node at network boot; set by the "
		   "PXE grub.cfg; shown in the banner only"),
};

const size_t cfg_nkeys = sizeof(cfg_keys) / sizeof(cfg_keys[0]);

int config_boot_init(void)
{
	return config_init(&boot_config, cfg_keys, cfg_nkeys);
}
