/*
 * cluster/dsm_proto.h — the coherence protocol of the distributed shared memory,
 * as a pure state machine (no locks, no blocking, no hardware): the kernel
 * glue drives it from page faults and received messages, and the host tests
 * drive it from a simulated cluster that reorders messages between peers.
 *
 * Protocol (see DSM-NOTES.md): sequential consistency, single writer /
 * many readers, write-invalidate, home-based directory. A page's home
 * serialises every transaction on it; requests that arrive while one is in
 * flight wait in a FIFO. A page nobody has written yet is PRISTINE: every
 * node may read its own image copy without asking; the first write
 * invalidates it everywhere.
 *
 * The engine assumes a reliable transport that keeps each sender's
 * messages in order (net/); messages from different senders interleave
 * arbitrarily. Messages to oneself go through ops->send like any other and
 * must be delivered later, never re-entrantly.
 */
#ifndef CLUSTER_DSM_PROTO_H
#define CLUSTER_DSM_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kernel/config.h"

#define DSM_MAX_NODES 64
#define DSM_PAGE      4096

enum dsm_msg_type {
	DSM_READ_REQ = 1, /* requester -> home */
	DSM_WRITE_REQ,	  /* requester -> home */
	DSM_DATA,	  /* home -> requester: read copy (data) */
	DSM_GRANT,   /* home -> requester: write access (data unless flag) */
	DSM_INV,     /* home -> sharer */
	DSM_INV_ACK, /* sharer -> home */
	DSM_RECALL,  /* home -> owner (flag: downgrade or invalidate) */
	DSM_RECALL_REPLY, /* owner -> home (data) */
};

#define DSM_F_NODATA	0x1 /* GRANT: requester's copy is current/pristine */
#define DSM_F_PRISTINE	0x2 /* GRANT/DATA: use the image's copy */
#define DSM_F_DOWNGRADE 0x4 /* RECALL: keep a read copy */
#define DSM_F_AHEAD	0x8 /* READ_REQ: a read-ahead, which the home may decline */
/* A read-ahead READ_REQ asks for a run of consecutive pages of one home in
 * one message: `version` carries the run's length (0 reads as 1), at most
 * DSM_AHEAD_RUN; the home answers each page of the run on its own (DATA,
 * or DATA with DSM_F_DECLINED), as if each had been asked for alone. */
#define DSM_AHEAD_RUN  32
#define DSM_F_DECLINED 0x10 /* DATA: no copy for that read-ahead */

/* A page granted for writing this recently is probably still being
 * written: its home declines read-ahead requests for it (no recall). */
#define DSM_AHEAD_FRESH_NS 10000000ull /* 10 ms */

struct dsm_msg {
	uint8_t type; /* enum dsm_msg_type */
	uint8_t flags;
	uint16_t from;	     /* sending node */
	uint32_t version;    /* page version carried by DATA/GRANT/RECALL_REPLY;
			   * READ_REQ with DSM_F_AHEAD: the run's length */
	uint64_t page;	     /* page number (virtual address >> 12) */
	const uint8_t *data; /* DSM_PAGE bytes for DATA/GRANT/RECALL_REPLY */
};

/* A node's view of a page. */
enum dsm_access { DSM_NONE = 0, DSM_RO = 1, DSM_RW = 2 };

/* Every member runs inside a call of the engine, so its caller holds the
 * lock that serialises the struct dsm (cluster/dsm.c: dsm_lock, a mutex:
 * members may sleep, but must not call back into the engine). */
struct dsm_ops {
	/* Required; dsm_lock held. Queue a message to `dst` (may be this
	 * node: deliver later). The data, if any, must be copied before
	 * returning. */
	void (*send)(void *ctx, int dst, const struct dsm_msg *m);
	/* Required; dsm_lock held. Give this node `access` to the page.
	 * data: DSM_PAGE bytes to install; NULL keeps the current frame
	 * (upgrade); pristine: install the image's initial bytes. DSM_NONE
	 * unmaps (TLB shot down on every CPU before it returns). */
	void (*map)(void *ctx, uint64_t page, enum dsm_access access,
		    const uint8_t *data, bool pristine);
	/* Required; dsm_lock held. Copy this node's current bytes of a page
	 * it maps (for a recall). */
	void (*read_local)(void *ctx, uint64_t page, uint8_t *buf);
	/* Required; dsm_lock held. The home's copy of a page it is home of:
	 * read DSM_PAGE bytes; `pristine` reads give the image's bytes (the
	 * home copy is only created at the first write-back). */
	void (*home_read)(void *ctx, uint64_t page, uint8_t *buf);
	/* Required; dsm_lock held. Write the home's copy (see home_read). */
	void (*home_write)(void *ctx, uint64_t page, const uint8_t *buf);
	/* Required; dsm_lock held. A fault on `page` may now be retried
	 * (wake the waiting threads). */
	void (*complete)(void *ctx, uint64_t page);
	/* Required; dsm_lock held. The page's home node (a function of the
	 * address), or -1 while it is not known yet (dsm.home=first_touch: the
	 * glue resolves it before a fault reaches the engine; read-ahead skips
	 * such a page). */
	int (*home)(void *ctx, uint64_t page);
	/* Required; dsm_lock held. Memory for the engine's tables (not in
	 * any hot path but faults on new pages); NULL on exhaustion, then
	 * the fault reports -ENOMEM. */
	void *(*alloc)(void *ctx, size_t n);
	/* Required; dsm_lock held. Gives back what alloc gave. */
	void (*free)(void *ctx, void *p);
	/* Optional; dsm_lock held. A clock in nanoseconds for the
	 * fault-latency histograms (NULL: every latency counts as 0). */
	uint64_t (*now)(void *ctx);
	/* Optional; dsm_lock held. Whether every node may map a
	 * never-written page from its own image without asking (NULL: every
	 * page). Worth it for static data, read everywhere; but then the
	 * first write must invalidate every node. When false, only the home
	 * maps it without asking and it counts itself among the sharers, the
	 * others ask it, so the first write invalidates only the copies there
	 * are (none for a new thread's stack or a fresh heap block). */
	bool (*pristine_shared)(void *ctx, uint64_t page);
	/* Optional (dsm.check); dsm_lock held. This node's access to `page`
	 * has just become `access`, holding the copy of `version`. Called
	 * after the map and before any message the same transition sends,
	 * so a report queued here reaches the home ahead of them. */
	void (*changed)(void *ctx, uint64_t page, enum dsm_access access,
			uint32_t version);
};

/*
 * Fault latency, from the request (the fault) to the page being mapped
 * here, in log2 buckets of microseconds: bucket 0 counts latencies under
 * 1 us, bucket k (1..DSM_LAT_BUCKETS-2) those in [2^(k-1), 2^k) us, the
 * last bucket those of 2^(DSM_LAT_BUCKETS-2) us (about 1 s) and more.
 * Once no request is in flight, a histogram's buckets add up to
 * read_faults (or write_faults).
 */
#define DSM_LAT_BUCKETS 22
unsigned dsm_lat_bucket(uint64_t ns);

struct dsm_stats {
	uint64_t read_faults, write_faults, local_hits;
	/* read copies asked for ahead of any fault (dsm_prefetch), the
	 * faults that found theirs still on its way (also in read_faults),
	 * the requests the home declined, and the messages that asked for
	 * them (one per run of consecutive pages) */
	uint64_t prefetches, prefetch_waits, prefetch_declined, prefetch_runs;
	uint64_t pages_in, pages_out; /* data carried in/out by messages */
	uint64_t inv_sent, inv_recv, recalls_sent, recalls_recv;
	uint64_t msgs_sent, msgs_recv, bytes_sent;
	uint64_t bad_msgs; /* malformed or unexpected, dropped */
	uint64_t read_lat[DSM_LAT_BUCKETS], write_lat[DSM_LAT_BUCKETS];
};

/* The counters as text (cluster/dsm_stats.c): "key value" lines, the
 * histograms' buckets as read_lat_us_lt_<hi> ... read_lat_us_ge_<lo> (then
 * write_), like snprintf: returns the length the whole text needs. */
size_t dsm_stats_text(const struct dsm_stats *s, char *buf, size_t len);
/* One histogram's non-empty buckets, "lo-hi:count" in us separated by
 * spaces ("lo+:count" for the last; "none" when empty), like snprintf. */
size_t dsm_lat_summary(const uint64_t *hist, char *buf, size_t len);

struct dsm_page; /* node-side state, per page touched */
struct dsm_dir;	 /* home-side directory entry, per page written */

#define DSM_HASH 1024

struct dsm {
	int self, nodes;
	const struct dsm_ops *ops;
	void *ctx;
	struct dsm_page *pages[DSM_HASH];
	struct dsm_dir *dirs[DSM_HASH];
	uint8_t buf[DSM_PAGE]; /* scratch for copies */
	struct dsm_stats stats;
};

void dsm_init(struct dsm *d, int self, int nodes, const struct dsm_ops *ops,
	      void *ctx);
/* Frees the engine's tables (through ops->free). */
void dsm_destroy(struct dsm *d);

enum dsm_fault_result {
	DSM_FAULT_DONE = 0, /* mapped: retry the access */
	DSM_FAULT_WAIT = 1, /* a request is out: wait for complete(), retry */
};
/* A fault on `page` (write: a write access). Returns DSM_FAULT_* or
 * -ENOMEM. */
int dsm_fault(struct dsm *d, uint64_t page, bool write);

/*
 * Read-ahead: asks `page`'s home for a read copy nobody faulted on yet (a
 * thread reading through an array will want it next). Nothing to do for a
 * page this node maps, has a request out for, may map without asking
 * (pristine), or whose home is not known yet (ops->home says -1). A fault
 * that comes while the copy is on its way waits for it, and only then
 * counts as a read fault. The home declines (a DATA with DSM_F_DECLINED)
 * rather than disturb anyone: a page in a transaction, never written (a
 * copy would only cost its first writer an invalidation), or granted for
 * writing less than DSM_AHEAD_FRESH_NS ago; a fault waiting on a declined
 * request then asks for real. Returns 1 if a request went out, 0 if not,
 * -ENOMEM.
 */
int dsm_prefetch(struct dsm *d, uint64_t page);
/* The same for up to n (<= DSM_AHEAD_RUN) consecutive pages from `page`:
 * the pages to ask for (each as dsm_prefetch would) go out as one request
 * per run of consecutive pages with the same home. Returns how many pages
 * were asked for, or -ENOMEM (the requests made so far are out). */
int dsm_prefetch_run(struct dsm *d, uint64_t page, uint32_t n);

/* A message from the transport. Malformed or unexpected messages are
 * counted in stats.bad_msgs and dropped; returns 0 or -EINVAL for those. */
int dsm_receive(struct dsm *d, const struct dsm_msg *m);

/*
 * A coherence protocol as the kernel glue (cluster/dsm.c) drives it: chosen at
 * boot by name (dsm.protocol=). Each protocol keeps its state in a struct
 * dsm (its tables behind the two hash heads, its counters in stats) and
 * talks to the node through the same struct dsm_ops. Only sequential
 * consistency exists today; a relaxed protocol (release consistency at
 * the cluster lock service's acquire and release) is one more table,
 * registered with DEFINE_DSM_PROTOCOL in a file of its own.
 */
struct dsm_protocol {
	/* Required. The value of dsm.protocol=. */
	const char *name;
	/* Required; no lock (once, at start, before any fault or message).
	 * As dsm_init. */
	void (*init)(struct dsm *d, int self, int nodes,
		     const struct dsm_ops *ops, void *ctx);
	/* Required; the glue's dsm_lock held. As dsm_fault. */
	int (*fault)(struct dsm *d, uint64_t page, bool write);
	/* Required; dsm_lock held. As dsm_receive. */
	int (*receive)(struct dsm *d, const struct dsm_msg *m);
	/* Optional (NULL: no read-ahead); dsm_lock held. As
	 * dsm_prefetch_run. */
	int (*prefetch)(struct dsm *d, uint64_t page, uint32_t n);
};

/* Registers a protocol: the glue finds it by name, and its name becomes
 * one of the values dsm.protocol= accepts (kernel/config_keys.c lists
 * none). */
#define DEFINE_DSM_PROTOCOL(var)                                               \
	const struct dsm_protocol *const dsm_protocol_ptr_##var                \
	    __attribute__((used, section("dsm_protocols"), aligned(8))) =      \
		&var;                                                          \
	DEFINE_CFG_CHOICES(dsm_protocol_##var, "dsm.protocol", &var.name, 1)

/* The protocol linked in called `name` (cluster/dsm_protocol_find.c), or
 * NULL. */
const struct dsm_protocol *dsm_protocol_find(const char *name);

/* What this node holds of a page (for checks and statistics). */
enum dsm_access dsm_access_of(struct dsm *d, uint64_t page);
/* Home-side state for checks: 0 pristine, 1 shared, 2 exclusive; sharers
 * bitmask and owner. false if this node is not the home or no entry. */
bool dsm_dir_state(struct dsm *d, uint64_t page, int *state, uint64_t *sharers,
		   int *owner, bool *busy);

#endif
