/*
 * net/member.c — membership: every node boots the same image and config;
 * they find each other by broadcasting HELLO datagrams (MAC, CPUs, memory,
 * origin flag). Once cluster.nodes distinct nodes are seen, every node
 * computes the same view on its own: the origin (cluster.origin=1, else
 * the lowest MAC) is node 0, the others follow in MAC order. HELLOs go on
 * at cluster.heartbeat_ms as heartbeats; a node silent for cluster.dead_ms
 * is declared dead, its transport state dropped, and services told.
 * The HELLO's wire format is net/member_wire.h; each one is checked by
 * member_hello_decode (net/member_msg.c) before it counts. The view's
 * queries (cnet_self, cnet_alive, cnet_node_probe...) are here too.
 * Clock pings (net/clock_sync.h) ride the same service, told apart by
 * their length, and go to net/member_clock.c.
 */
#include "arch/x86_64/cpu.h"
#include "kernel/config.h"
#include "kernel/errno.h"
#include "kernel/kstring.h"
#include "kernel/log.h"
#include "kernel/thread.h"
#include "mm/frame.h"
#include "mm/vm.h"
#include "net/cnet_impl.h"
#include "net/clock_sync.h"
#include "net/member_wire.h"

#define JOIN_PERIOD_NS (100 * NSEC_PER_MSEC)

struct seen {
	uint8_t mac[6];
	bool origin;
	uint16_t cpus;
	uint32_t mem_mb;
};

static struct seen seen[CNET_MAX_NODES]; /* (L) while joining */
static unsigned nr_seen;		 /* (L) */
static unsigned expected;		 /* (c) */
static bool view_formed;		 /* (L) */
static uint64_t next_hello;		 /* (L) */
static uint64_t hb_period, dead_after;	 /* (c) */
static uint64_t pending_deaths; /* (L) bitmask, reported outside the lock */
static struct {
	cnet_view_fn fn;
	void *ctx;
} death_cbs[8];
static int nr_death_cbs;

static struct member_hello my_hello(void)
{
	struct member_hello h;
	memset(&h, 0, sizeof(h));
	memcpy(h.mac, cn.nd->mac, 6);
	h.origin = config_bool("cluster.origin");
	h.in_view = view_formed;
	h.cpus = (uint16_t)nr_cpus;
	h.mem_mb = (uint32_t)((frame_total_count() * PAGE_SIZE) >> 20);
	member_probe(&h.load);
	return h;
}

static void (*load_probe)(struct cnet_load *out); /* (c) set at init */

void cnet_set_load_probe(void (*fn)(struct cnet_load *out))
{
	load_probe = fn;
}

void member_probe(struct cnet_load *out)
{
	memset(out, 0, sizeof(*out));
	/* without the scheduler's probe (the cluster forms before it is
	 * installed) no thread of the program runs yet: the load is 0 */
	if (load_probe)
		load_probe(out);
}

static void add_seen(const struct member_hello *h)
{
	for (unsigned i = 0; i < nr_seen; i++)
		if (!memcmp(seen[i].mac, h->mac, 6))
			return;
	if (nr_seen == expected) {
		if (!view_formed)
			return;
		pr_warn("cluster",
			"node %02x:%02x:%02x:%02x:%02x:%02x is not in the "
			"view (%u nodes): ignored",
			h->mac[0], h->mac[1], h->mac[2], h->mac[3], h->mac[4],
			h->mac[5], expected);
		return;
	}
	memcpy(seen[nr_seen].mac, h->mac, 6);
	seen[nr_seen].origin = h->origin;
	seen[nr_seen].cpus = h->cpus;
	seen[nr_seen].mem_mb = h->mem_mb;
	nr_seen++;
}

/* Origin first, then MAC order: the same on every node. */
static bool before(const struct seen *a, const struct seen *b)
{
	if (a->origin != b->origin)
		return a->origin;
	return memcmp(a->mac, b->mac, 6) < 0;
}

static void form_view(void)
{
	for (unsigned i = 1; i < nr_seen; i++)
		for (unsigned j = i; j > 0 && before(&seen[j], &seen[j - 1]);
		     j--) {
			struct seen t = seen[j];
			seen[j] = seen[j - 1];
			seen[j - 1] = t;
		}
	cn.nodes = (int)nr_seen;
	uint64_t now = clock_ns();
	for (unsigned i = 0; i < nr_seen; i++) {
		memcpy(cn.mac[i], seen[i].mac, 6);
		cn.have_mac[i] = true;
		cn.cpus[i] = seen[i].cpus;
		cn.mem_mb[i] = seen[i].mem_mb;
		cn.alive[i] = true;
		cn.last_seen[i] = now;
		if (!memcmp(seen[i].mac, cn.nd->mac, 6))
			cn.self = (int)i;
	}
	cnet_rel_set_self(&cn.rel, (uint16_t)cn.self);
	view_formed = true;
}

static int node_of_mac(const uint8_t *mac)
{
	for (int i = 0; i < cn.nodes; i++)
		if (cn.have_mac[i] && !memcmp(cn.mac[i], mac, 6))
			return i;
	return -1;
}

void member_dgram(const struct cnet_dgram_info *info, const void *msg,
		  size_t len)
{
	struct member_hello h;
	if (len == CLOCK_MSG_LEN) { /* a clock ping or pong */
		int from = view_formed ? node_of_mac(info->src_mac) : -1;
		if (from >= 0 && from != cn.self)
			member_clock_dgram(from, msg, len);
		return;
	}
	if (member_hello_decode(msg, len, info->src_mac, &h)) {
		cn.stats.bad_msg++;
		return;
	}
	if (!view_formed) {
		add_seen(&h);
		return;
	}
	int n = node_of_mac(h.mac);
	if (n < 0) {
		add_seen(&h); /* warns */
		return;
	}
	if (cn.alive[n]) {
		cn.last_seen[n] = clock_ns();
		cn.load[n] = h.load;
	}
}

void member_tick(uint64_t now)
{
	if (now >= next_hello) {
		struct member_hello h = my_hello();
		struct member_hello_wire w;
		member_hello_encode(&h, &w);
		cnet_rel_send_dgram(&cn.rel, CNET_NODE_BCAST, CNET_SVC_MEMBER,
				    &w, sizeof(w));
		next_hello = now + (view_formed ? hb_period : JOIN_PERIOD_NS);
	}
	if (!view_formed)
		return;
	member_clock_tick(now, hb_period);
	for (int i = 0; i < cn.nodes; i++) {
		if (i == cn.self || !cn.alive[i] ||
		    now - cn.last_seen[i] < dead_after)
			continue;
		cn.alive[i] = false;
		pending_deaths |= 1ull << i;
		cnet_rel_peer_reset(&cn.rel, i);
		cond_broadcast(&cn.writable); /* senders to it give up */
	}
}

void member_report_deaths(void)
{
	mutex_lock(&cn.lock);
	uint64_t d = pending_deaths;
	pending_deaths = 0;
	mutex_unlock(&cn.lock);
	for (int i = 0; d && i < CNET_MAX_NODES; i++) {
		if (!(d & (1ull << i)))
			continue;
		d &= ~(1ull << i);
		pr_err("cluster",
		       "node %d (%02x:%02x:%02x:%02x:%02x:%02x) stopped "
		       "answering: declared dead",
		       i, cn.mac[i][0], cn.mac[i][1], cn.mac[i][2],
		       cn.mac[i][3], cn.mac[i][4], cn.mac[i][5]);
		for (int k = 0; k < nr_death_cbs; k++)
			death_cbs[k].fn(i, death_cbs[k].ctx);
	}
}

void cnet_on_node_death(cnet_view_fn fn, void *ctx)
{
	if (nr_death_cbs < 8) {
		death_cbs[nr_death_cbs].fn = fn;
		death_cbs[nr_death_cbs].ctx = ctx;
		nr_death_cbs++;
	}
}

static void print_view(void)
{
	kprintf("cluster: view of %d node(s), this is node %d\n", cn.nodes,
		cn.self);
	for (int i = 0; i < cn.nodes; i++)
		kprintf("  node %d  %02x:%02x:%02x:%02x:%02x:%02x  %d CPU(s)  "
			"%u MiB%s\n",
			i, cn.mac[i][0], cn.mac[i][1], cn.mac[i][2],
			cn.mac[i][3], cn.mac[i][4], cn.mac[i][5], cn.cpus[i],
			cn.mem_mb[i], i == 0 ? "  (origin)" : "");
}

int member_join(unsigned want)
{
	expected = want > CNET_MAX_NODES ? CNET_MAX_NODES : want;
	/* heartbeats carry the load the global scheduler decides on: they go
	 * at the shorter of the two periods */
	uint64_t hb_ms = config_uint("cluster.heartbeat_ms");
	if (config_uint("sched.period_ms") < hb_ms)
		hb_ms = config_uint("sched.period_ms");
	hb_period = hb_ms * NSEC_PER_MSEC;
	dead_after = config_uint("cluster.dead_ms") * NSEC_PER_MSEC;
	uint64_t deadline =
	    clock_ns() + config_uint("cluster.wait_ms") * NSEC_PER_MSEC;
	mutex_lock(&cn.lock);
	struct member_hello me = my_hello();
	add_seen(&me);
	mutex_unlock(&cn.lock);
	pr_info("cluster", "waiting for %u node(s) (cluster.nodes)", expected);
	for (;;) {
		mutex_lock(&cn.lock);
		bool full = nr_seen == expected;
		bool late = clock_ns() > deadline;
		if (full || late) {
			if (!full) {
				pr_err("cluster",
				       "cluster.wait_ms passed with %u of %u "
				       "node(s) joined; missing %u: starting "
				       "without them",
				       nr_seen, expected, expected - nr_seen);
			}
			form_view();
			next_hello = 0; /* announce the view at once */
			mutex_unlock(&cn.lock);
			break;
		}
		mutex_unlock(&cn.lock);
		thread_sleep_ns(10 * NSEC_PER_MSEC);
	}
	print_view();
	member_clock_start();
	return 0;
}

/* ---- the view, as the rest of the kernel sees it (net/cnet.h) ---------- */

int cnet_self(void)
{
	return cn.self;
}
int cnet_nodes(void)
{
	return cn.nodes;
}
bool cnet_alive(int node)
{
	return node >= 0 && node < cn.nodes && cn.alive[node];
}
int cnet_node_cpus(int node)
{
	return cnet_alive(node) ? cn.cpus[node] : 0;
}
bool cnet_node_mac(int node, uint8_t mac[6])
{
	if (node < 0 || node >= cn.nodes || !cn.have_mac[node])
		return false;
	memcpy(mac, cn.mac[node], ETH_ALEN);
	return true;
}
uint32_t cnet_node_load(int node)
{
	struct cnet_load l;
	return cnet_node_probe(node, &l) ? l.runnable : 0;
}

bool cnet_node_probe(int node, struct cnet_load *out)
{
	if (node < 0 || node >= cn.nodes)
		return false;
	if (node == cn.self) {
		member_probe(out);
		return true;
	}
	mutex_lock(&cn.lock);
	*out = cn.load[node];
	mutex_unlock(&cn.lock);
	return true;
}

int cnet_total_cpus(void)
{
	int n = 0;
	for (int i = 0; i < cn.nodes; i++)
		n += cnet_node_cpus(i);
	return n;
}
