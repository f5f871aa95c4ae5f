/*
 * net/cnet_rel_priv.h — private to net/cnet_rel*.c: the per-peer state of
 * the reliability layer and the functions its three files share.
 * cnet_rel.c: set-up, handshake and epochs, input dispatch, timers, stats;
 * cnet_rel_tx.c: queueing, sending, acks received, retransmission;
 * cnet_rel_rx.c: data received, reordering, reassembly, acks sent.
 */
#ifndef NET_CNET_REL_PRIV_H
#define NET_CNET_REL_PRIV_H

#include "net/cnet_rel.h"

_Static_assert((CNET_REL_WND & (CNET_REL_WND - 1)) == 0, "WND power of 2");
_Static_assert(CNET_REL_WND > 64 && CNET_REL_WND <= 32768, "WND range");

/* A message being sent: freed when its last fragment is acked. */
struct cnet_txmsg {
	struct list_node link; /* peer->txq, in sequence order */
	uint32_t len;
	uint16_t service;
	uint16_t nfrags;
	uint16_t next_frag; /* first fragment never sent */
	uint8_t data[];
};

/* A fragment in flight: seg[seq % CNET_REL_WND] for seq in [una, nxt). */
struct cnet_txseg {
	struct cnet_txmsg *msg;
	uint64_t sent_ns; /* last transmission */
	uint16_t frag;
	uint16_t len;
	uint16_t xmit; /* transmissions so far */
	bool sacked;   /* the latest ack's bitmap says it arrived */
};

/* A fragment received ahead of a gap. */
struct cnet_rxseg {
	uint32_t msg_len;
	uint16_t service, frag_index, frag_count, len;
	uint8_t data[];
};

struct cnet_peer {
	struct list_node link; /* r->active */
	uint16_t id;
	uint32_t epoch; /* the peer's current epoch; 0 = unknown */
	uint32_t retired[CNET_RETIRED_EPOCHS]; /* refused epochs */
	unsigned retired_next;

	/* handshake */
	bool hello_pending;	/* our HELLO is unanswered */
	unsigned hello_backoff; /* HELLO timeouts so far */
	uint64_t hello_sent_ns; /* the first HELLO */
	uint64_t hello_deadline;

	/* send side */
	struct list_node txq;	    /* struct cnet_txmsg not yet fully acked */
	struct cnet_txmsg *tx_next; /* first one with unsent fragments */
	uint32_t tx_bytes;	    /* sum of their lengths */
	bool tx_blocked;	    /* a send got -EAGAIN: report WRITABLE */
	uint32_t snd_una, snd_nxt;  /* oldest unacked, next new seq */
	uint32_t inflight;	    /* payload bytes in [una, nxt) */
	uint32_t peer_wnd;	    /* bytes the peer allows in flight */
	struct cnet_txseg seg[CNET_REL_WND];
	uint64_t srtt, rttvar, rto; /* ns; srtt 0 = no sample yet */
	unsigned backoff;	    /* RTO doublings since the last sample */
	uint64_t rto_deadline;	    /* CNET_NEVER when nothing is in flight */
	uint32_t timeouts;	    /* in a row, RTO or HELLO */
	bool unreachable_told;

	/* receive side */
	uint32_t rcv_nxt; /* next seq expected; all below consumed */
	struct cnet_rxseg
	    *ooo[CNET_REL_WND]; /* ooo[seq % WND], seq > rcv_nxt */
	uint32_t ooo_bytes;
	uint8_t *asm_buf; /* the message being reassembled (NULL: none) */
	uint32_t asm_len, asm_off;
	uint16_t asm_service, asm_count, asm_next;
	bool ack_pending; /* something received is not acked yet */
	uint64_t ack_deadline;
	unsigned unacked;  /* in-order frames since our last ack */
	uint32_t ack_sent; /* the ack field of our last frame */

	struct cnet_peer_stats st;
};

/* cnet_rel.c */
struct cnet_peer *cnet_rel_peer_get(struct cnet_rel *r, uint16_t id);
int cnet_rel_emit(struct cnet_rel *r, struct cnet_peer *p, int dst,
		  struct cnet_frame_info *fi, const void *payload, size_t len);
void cnet_rel_event(struct cnet_rel *r, struct cnet_peer *p,
		    enum cnet_peer_event_kind kind, uint32_t dropped);
void cnet_rel_hello_start(struct cnet_rel *r, struct cnet_peer *p,
			  uint64_t now);
uint64_t cnet_rel_rto_now(const struct cnet_rel *r, const struct cnet_peer *p);

/* cnet_rel_tx.c */
void cnet_rel_rtt_sample(struct cnet_rel *r, struct cnet_peer *p, uint64_t rtt);
void cnet_rel_tx_push(struct cnet_rel *r, struct cnet_peer *p, uint64_t now);
void cnet_rel_tx_ack(struct cnet_rel *r, struct cnet_peer *p,
		     const struct cnet_frame_info *fi, uint64_t now);
void cnet_rel_tx_timeout(struct cnet_rel *r, struct cnet_peer *p, uint64_t now);
uint32_t cnet_rel_tx_drop(struct cnet_rel *r, struct cnet_peer *p);

/* cnet_rel_rx.c */
void cnet_rel_rx_data(struct cnet_rel *r, struct cnet_peer *p,
		      const struct cnet_frame_info *fi, const void *payload,
		      uint64_t now);
int cnet_rel_rx_send_ack(struct cnet_rel *r, struct cnet_peer *p);
void cnet_rel_rx_fill_ack(const struct cnet_rel *r, const struct cnet_peer *p,
			  struct cnet_frame_info *fi);
void cnet_rel_rx_drop(struct cnet_rel *r, struct cnet_peer *p);
uint32_t cnet_rel_rx_used(const struct cnet_peer *p);
uint32_t cnet_rel_rx_window(const struct cnet_rel *r,
			    const struct cnet_peer *p);

#endif
