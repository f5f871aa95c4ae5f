/*
 * net/cnet_rel.h — reliable, ordered message delivery per peer over the
 * cluster transport's frames (net/cnet_wire.h). Pure logic: time comes in as
 * a parameter, frames go out and messages come up through callbacks, memory
 * comes from the caller's allocator; the same code runs in the kernel and in
 * the host tests.
 *
 * What it does, per peer:
 * - A handshake (HELLO) learns the peer's per-boot epoch. Frames carry both
 *   epochs; a frame meant for an earlier incarnation of us, or sent by an
 *   earlier incarnation of the peer, is refused (stale_epoch). A HELLO with
 *   a new epoch from a known peer means it rebooted: everything queued to
 *   and from its old incarnation is dropped and CNET_PEER_RESET reported.
 * - Messages (0 .. max_msg bytes) are cut into fragments of at most
 *   mtu - 64 bytes, one sequence number each (a 4 KiB page plus headers is
 *   one frame at MTU 9000, three at MTU 1500), and delivered whole, once,
 *   in order.
 * - Acks are cumulative plus a 64-bit selective-ack bitmap, piggybacked on
 *   data when there is some, else sent after ack_delay_ns (or at once after
 *   two frames, a gap or a duplicate).
 * - Retransmission: RTO from measured RTT (Jacobson/Karels SRTT and RTTVAR,
 *   RFC 6298; the first sample is the handshake's round trip; Karn's rule:
 *   no sample from a retransmitted frame or HELLO), doubled on every
 *   timeout up to rto_max_ns; a frame that the bitmap shows to be missing
 *   while later ones arrived is resent after 1.25 SRTT. On a timeout the
 *   oldest frame is resent, with every other one out for a whole RTO and
 *   not known to have arrived.
 * - Flow control: at most CNET_REL_WND frames in flight, and at most the
 *   bytes the receiver advertises (its rx_buf minus the part of a message
 *   it is still assembling), which bounds its buffering by rx_buf.
 *
 * Locking: none inside. The caller serialises every call on one struct
 * cnet_rel (the kernel glue holds one lock around them). Callbacks run
 * inside those calls; they may call cnet_rel_send(), cnet_rel_sendv(),
 * cnet_rel_send_dgram() and cnet_rel_connect(), and nothing else of this
 * API (in particular not input, poll, peer_reset or destroy). tx must copy
 * the frame: the buffer is reused by the next frame.
 */
#ifndef NET_CNET_REL_H
#define NET_CNET_REL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kernel/list.h"
#include "net/cnet_frame.h"
#include "net/cnet_opt.h"

#define CNET_NEVER UINT64_MAX /* "no deadline" */

struct cnet_rel_config {
	/* Identity: the caller must set these. */
	struct siphash_key key; /* cnet_key_derive(cluster.key) */
	uint32_t cluster_id;
	uint32_t epoch;	    /* per-boot random, not 0 */
	uint16_t self;	    /* our node id (CNET_NODE_NONE: datagrams only) */
	uint16_t max_nodes; /* peers are 0 .. max_nodes-1, at most 0xFFFE */
	/* Tunables: cnet_rel_config_default() sets them (net/cnet_opt.h). */
	uint32_t mtu;	  /* CNET_MTU_MIN .. CNET_MTU_MAX, same on every node */
	uint32_t max_msg; /* largest message, 1 .. CNET_MSG_LIMIT */
	uint32_t rx_buf;  /* per-peer receive budget, >= max_msg */
	uint32_t tx_buf;  /* per-peer send buffer, >= max_msg */
	uint64_t ack_delay_ns;		 /* delayed-ack timeout */
	uint64_t rto_init_ns;		 /* RTO before the first RTT sample */
	uint64_t rto_min_ns, rto_max_ns; /* RTO bounds; max caps the backoff */
	uint32_t unreachable_after; /* timeouts in a row before UNREACHABLE */
};

enum cnet_peer_event_kind {
	CNET_PEER_UP,	 /* first contact with this incarnation of the peer */
	CNET_PEER_RESET, /* the peer rebooted: old state dropped (so the
			    send buffer is empty: blocked senders may go) */
	CNET_PEER_UNREACHABLE, /* unreachable_after timeouts in a row; still
				  retrying (membership decides death) */
	CNET_PEER_WRITABLE,    /* send buffer room after a send got -EAGAIN */
};

struct cnet_peer_event {
	enum cnet_peer_event_kind kind;
	uint32_t epoch;	  /* UP, RESET: the peer's (new) epoch */
	uint32_t dropped; /* RESET: messages to it dropped unacknowledged */
};

/* Where a datagram came from (the Ethernet source is not authenticated). */
struct cnet_dgram_info {
	uint16_t src_node; /* CNET_NODE_NONE from a node without an id */
	uint16_t dst_node; /* us, or CNET_NODE_BCAST */
	uint32_t src_epoch;
	uint16_t service;
	uint8_t src_mac[6];
};

/* Every callback runs inside a call of this API, so its caller holds the
 * lock that serialises the struct cnet_rel (cn.lock in net/cnet.c). */
struct cnet_rel_ops {
	/* Required; engine lock held. Send one frame to node peer (a member
	 * id, or CNET_NODE_BCAST for a broadcast datagram); the Ethernet
	 * addresses in the frame are zero for the glue to fill in. 0 or
	 * -errno; a failed frame is treated as lost. */
	int (*tx)(void *ctx, int peer, const void *frame, size_t len);
	/* Required; engine lock held. A whole message from peer, valid
	 * during the call. */
	void (*deliver)(void *ctx, int peer, uint16_t service, const void *msg,
			size_t len);
	/* Optional (NULL: datagrams count unknown_service); engine lock
	 * held. A datagram. */
	void (*dgram)(void *ctx, const struct cnet_dgram_info *info,
		      const void *msg, size_t len);
	/* Optional; engine lock held. Peer state changes. */
	void (*peer_event)(void *ctx, int peer,
			   const struct cnet_peer_event *ev);
	/* Required; engine lock held. Memory for peers, queued messages and
	 * reassembly; may return NULL (the frame or send then fails with
	 * -ENOBUFS/-ENOMEM). */
	void *(*alloc)(void *ctx, size_t size);
	/* Required; engine lock held. Gives back what alloc gave. */
	void (*free)(void *ctx, void *p, size_t size);
};

/* Counters and state of one peer (cnet_rel_peer_stats). */
struct cnet_peer_stats {
	uint64_t frames_in, bytes_in;	/* accepted frames from the peer */
	uint64_t frames_out, bytes_out; /* every frame sent to it */
	uint64_t msgs_in, msgs_out;	/* delivered / accepted by send */
	uint64_t acks_out;		/* ack-only frames */
	uint64_t hellos_out;
	uint64_t retransmits;	   /* all retransmitted data frames */
	uint64_t fast_retransmits; /* those sent on sack evidence */
	uint64_t timeouts;	   /* RTO expiries */
	uint64_t dup_drops;	   /* data frames already received */
	uint64_t out_of_order;	   /* data frames stored ahead of a gap */
	uint64_t out_of_window;	   /* data frames beyond the window */
	uint64_t rx_nobuf;	   /* data frames dropped: budget or memory */
	uint64_t bad_frag;	  /* fragments that did not fit their message */
	uint64_t window_overruns; /* frames sent beyond the peer's window
				     (only when nothing else is in flight) */
	uint64_t resets;	  /* reboots of the peer seen */
	uint64_t srtt_ns, rttvar_ns, rto_ns; /* now; srtt 0: no sample yet */
	uint32_t epoch;			     /* the peer's; 0 = unknown */
	uint32_t inflight;		     /* payload bytes sent, not acked */
	uint32_t peer_window;  /* bytes the peer allows in flight */
	uint32_t max_inflight; /* high-water mark of inflight */
	uint32_t tx_queued;    /* bytes of messages not fully acked */
	uint32_t rx_used;      /* bytes held for reassembly and reordering */
	uint32_t max_rx_used;  /* high-water mark of rx_used */
};

struct cnet_peer; /* private: net/cnet_rel_priv.h */

struct cnet_rel {
	struct cnet_rel_config cfg;
	struct cnet_frame_params fp;
	const struct cnet_rel_ops *ops;
	void *ctx;
	struct cnet_peer **peers; /* [max_nodes], NULL until first contact */
	struct list_node active;  /* peers allocated, in first-contact order */
	uint8_t *txbuf;		  /* the frame being sent */
	size_t txcap;
	struct cnet_drop_stats drops; /* frames refused, by reason */
};

/* A piece of a message for cnet_rel_sendv. */
struct cnet_iov {
	const void *base;
	size_t len;
};

/* The tunables' defaults; identity fields zeroed. */
void cnet_rel_config_default(struct cnet_rel_config *c);
/* NULL if c is usable, else a message naming the field that is not. */
const char *cnet_rel_config_check(const struct cnet_rel_config *c);

/* 0, -EINVAL (config_check fails or a required op is missing), -ENOMEM. */
int cnet_rel_init(struct cnet_rel *r, const struct cnet_rel_config *cfg,
		  const struct cnet_rel_ops *ops, void *ctx);
/* Frees everything; pending messages are dropped silently. */
void cnet_rel_destroy(struct cnet_rel *r);

/* Our node id, once membership assigned one: 0, -EINVAL (id out of
 * range), -EBUSY (peers already have state). */
int cnet_rel_set_self(struct cnet_rel *r, uint16_t self);

/*
 * Queues a message to peer and sends what the window allows. The bytes are
 * copied. To ourselves (peer == self) the message is delivered before this
 * returns. 0, or -EAGAIN (send buffer full: retry after CNET_PEER_WRITABLE),
 * -E2BIG (len > max_msg), -EHOSTUNREACH (no such peer, or we have no id),
 * -ENOMEM.
 */
int cnet_rel_send(struct cnet_rel *r, int peer, uint16_t service,
		  const void *msg, size_t len, uint64_t now);
/* The same with the message gathered from iovcnt pieces (-EINVAL if
 * iovcnt < 0). */
int cnet_rel_sendv(struct cnet_rel *r, int peer, uint16_t service,
		   const struct cnet_iov *iov, int iovcnt, uint64_t now);
/* One unreliable frame to a member or CNET_NODE_BCAST; len at most
 * mtu - 64. The tx result, or -E2BIG, -EHOSTUNREACH. */
int cnet_rel_send_dgram(struct cnet_rel *r, int peer, uint16_t service,
			const void *msg, size_t len);
/* Starts the handshake with peer now rather than at its first message.
 * 0, -EHOSTUNREACH, -ENOMEM. */
int cnet_rel_connect(struct cnet_rel *r, int peer, uint64_t now);

/*
 * One frame from the NIC. Returns 0 if it was accepted, or the negative
 * errno for which it was refused (counted in r->drops; see
 * net/cnet_frame.h, plus -ECANCELED stale epoch, -ENOBUFS no memory,
 * -ENOENT datagram without a handler). Never fails in any other way.
 */
int cnet_rel_input(struct cnet_rel *r, const void *frame, size_t len,
		   uint64_t now);

/* Runs the timers that are due (acks, retransmissions, handshakes) and
 * returns the next deadline, CNET_NEVER if none. */
uint64_t cnet_rel_poll(struct cnet_rel *r, uint64_t now);

/*
 * Forgets peer (membership declared it dead): its messages are dropped
 * (no event: the caller knows) and its current incarnation is refused from
 * now on (fenced): it must reboot, with a new epoch, to talk to us again.
 * Messages sent to it meanwhile wait for that new incarnation.
 */
void cnet_rel_peer_reset(struct cnet_rel *r, int peer);

/* 0 and *out, or -ENOENT (no state for peer). */
int cnet_rel_peer_stats(const struct cnet_rel *r, int peer,
			struct cnet_peer_stats *out);

#endif
