/*
 * sched/control_wire.h — the wire format of live control (unumctl), declared
 * once. Every multi-byte field is big-endian (cnet_be*()).
 *
 * A host outside the cluster (tools/unumctl) sends a request as one
 * cluster-transport datagram (net/cnet_wire.h: DGRAM, service
 * CNET_SVC_SCHED_CTL, src_node NONE, dst_node BCAST, sealed with the
 * cluster key) to the Ethernet broadcast address. Every node authenticates
 * it (a wrong key: dropped and counted as bad_mac); only the node named in
 * `target` acts on it and answers with one datagram (src_node = itself,
 * dst_node NONE) to `reply_mac`. The MAC covers reply_mac, so a forger
 * cannot redirect replies. The host retries with the same req_id when no
 * answer comes; a node answers a repeated policy or migrate request from
 * its cache of recent answers instead of acting twice.
 *
 *   request  = struct ctl_req, then arg_len bytes of text (POLICY_SET:
 *              "NAME [key=value ...]", printable ASCII, single spaces)
 *   reply    = struct ctl_rep, then count struct ctl_node_rec (STATUS),
 *              then text_len bytes of text (an error message, or a
 *              summary), not NUL-terminated
 *
 * Between nodes the coordinator uses reliable messages on the same service
 * (struct ctl_peer): QUERY -> REPORT (one node's record), APPLY (policy
 * text) -> DONE (status and message).
 */
#ifndef SCHED_CONTROL_WIRE_H
#define SCHED_CONTROL_WIRE_H

#include <stdint.h>

#define CTL_REQ_MAGIC  0x554e4351u /* "UNCQ" */
#define CTL_REP_MAGIC  0x554e4352u /* "UNCR" */
#define CTL_PEER_MAGIC 0x554e4350u /* "UNCP" */
#define CTL_VERSION    1

#define CTL_OP_STATUS	  1
#define CTL_OP_POLICY_SET 2
#define CTL_OP_MIGRATE	  3

#define CTL_ARG_MAX	    255 /* longest POLICY_SET text */
#define CTL_TEXT_MAX	    255 /* longest reply text */
#define CTL_POLICY_NAME_MAX 15

struct ctl_req {
	uint32_t magic;	      /* CTL_REQ_MAGIC */
	uint8_t version;      /* CTL_VERSION */
	uint8_t op;	      /* CTL_OP_* */
	uint16_t target;      /* node that answers */
	uint32_t req_id;      /* chosen by the host, not 0; same on a retry */
	uint8_t reply_mac[6]; /* where the answer goes */
	uint16_t first;	      /* STATUS: first node wanted; else 0 */
	uint32_t tid;	      /* MIGRATE: thread id; else 0 */
	uint32_t node;	      /* MIGRATE: destination node; else 0 */
	uint16_t arg_len;     /* POLICY_SET: 1..CTL_ARG_MAX; else 0 */
	uint16_t reserved;    /* 0 */
} __attribute__((packed));
_Static_assert(sizeof(struct ctl_req) == 32, "ctl_req");

struct ctl_rep {
	uint32_t magic;	   /* CTL_REP_MAGIC */
	uint8_t version;   /* CTL_VERSION */
	uint8_t op;	   /* the request's */
	uint16_t node;	   /* the answering node */
	uint32_t req_id;   /* the request's */
	uint32_t status;   /* be int32: 0 or minus a Unum errno (newlib's
			      numbers, kernel/errno.h; not the host's) */
	uint16_t nodes;	   /* STATUS: nodes in the view; else 0 */
	uint16_t first;	   /* STATUS: node of the first record */
	uint16_t count;	   /* STATUS: records that follow */
	uint16_t text_len; /* 0..CTL_TEXT_MAX */
} __attribute__((packed));
_Static_assert(sizeof(struct ctl_rep) == 24, "ctl_rep");

/* One node in a STATUS reply. */
struct ctl_node_rec {
	uint16_t node;
	uint8_t mac[6];
	uint8_t alive;	  /* 1: alive in the answering node's view */
	uint8_t reported; /* 1: the node answered (else only view data) */
	uint16_t cpus;
	uint32_t runnable;   /* threads running or queued */
	uint32_t threads;    /* the program's threads living on the node */
	uint32_t mem_mb;     /* RAM */
	uint32_t free_mb;    /* free RAM */
	uint64_t dsm_faults; /* read + write faults */
	uint64_t dsm_pages_in, dsm_pages_out;
	uint64_t dsm_invalidations; /* received */
	uint64_t dsm_msgs;	    /* sent + received */
	char policy[16];	    /* NUL-padded policy name */
	uint32_t reserved;	    /* 0 */
} __attribute__((packed));
_Static_assert(sizeof(struct ctl_node_rec) == 88, "ctl_node_rec");

/* Between nodes (reliable messages). */
#define CTL_PEER_QUERY	1
#define CTL_PEER_REPORT 2
#define CTL_PEER_APPLY	3
#define CTL_PEER_DONE	4

struct ctl_peer {
	uint32_t magic; /* CTL_PEER_MAGIC */
	uint8_t kind;	/* CTL_PEER_* */
	uint8_t reserved0;
	uint16_t len;	 /* bytes after this header */
	uint32_t token;	 /* the coordinator's, echoed */
	uint32_t status; /* DONE: be int32 */
} __attribute__((packed));
_Static_assert(sizeof(struct ctl_peer) == 16, "ctl_peer");

#endif
