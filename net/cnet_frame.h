/*
 * net/cnet_frame.h — encoding and decoding of one cluster-transport frame
 * (layout: net/cnet_wire.h).
 *
 * cnet_frame_decode() is the one place where a frame from the wire is
 * checked. It never reads outside [frame, frame + len) and, when it refuses
 * a frame, returns a specific negative errno and increments exactly one
 * counter of struct cnet_drop_stats:
 *
 *   check (in this order)                              errno        counter
 *   len < 14 + 64, len > 14 + mtu                      -EBADMSG     bad_length
 *   EtherType != 0x88B5                                -EOPNOTSUPP
 * bad_ethertype version != CNET_VERSION                            -EPROTO
 * bad_version cluster_id differs                                 -EXDEV
 * wrong_cluster len != 78 + payload_len                            -EBADMSG
 * bad_length MAC differs                                        -EACCES bad_mac
 *   flags not one valid combination, reserved != 0,
 *     src_epoch 0, a field set that the kind forbids   -EINVAL      bad_header
 *   payload on ACK/HELLO                               -EBADMSG     bad_length
 *   src/dst node not allowed for us / for the kind     -ENXIO       bad_node
 *   fragment fields inconsistent, msg_len > max_msg    -ERANGE      bad_frag
 *
 * (The EtherType is checked before the version because a frame of another
 * protocol says nothing about ours; the MAC before the meaning of fields,
 * so a forged frame is always counted as bad_mac.) The other counters are
 * filled by cnet_rel (stale_epoch: -ECANCELED, no_buffer: -ENOBUFS, ...) and
 * by the service layer (unknown_service).
 *
 * Per kind, the fields that must be 0: HELLO — service, seq, ack, sack,
 * frag_*, msg_len; ACK — service, frag_*, msg_len; DGRAM — seq, ack, sack,
 * window. DATA|ACK: frag_count >= 1, frag_index < frag_count, payload_len <=
 * msg_len <= max_msg, frag_count <= max(1, msg_len), a single fragment
 * carries the whole message. DGRAM: frag 0 of 1, msg_len == payload_len.
 */
#ifndef NET_CNET_FRAME_H
#define NET_CNET_FRAME_H

#include <stddef.h>
#include <stdint.h>

#include "net/cnet_opt.h"
#include "net/cnet_wire.h"
#include "net/siphash.h"

/* What the receiver (and the sender) of frames must agree on. */
struct cnet_frame_params {
	struct siphash_key key; /* from cnet_key_derive(cluster.key) */
	uint32_t cluster_id;
	uint16_t self;	    /* our node id; CNET_NODE_NONE while joining */
	uint16_t max_nodes; /* member ids are 0 .. max_nodes-1 */
	uint32_t mtu; /* Ethernet payload bytes, CNET_MTU_MIN .. CNET_MTU_MAX */
	uint32_t max_msg; /* the largest message accepted */
};

/* A frame header in host byte order. */
struct cnet_frame_info {
	uint8_t flags;
	uint16_t service;
	uint32_t src_epoch, dst_epoch;
	uint16_t src_node, dst_node;
	uint16_t frag_index, frag_count;
	uint32_t seq, ack;
	uint64_t sack;
	uint32_t window;
	uint32_t msg_len;
	uint16_t payload_len;
};

/* Frames refused, by reason. Only ever incremented. */
struct cnet_drop_stats {
	uint64_t bad_length;	/* -EBADMSG */
	uint64_t bad_ethertype; /* -EOPNOTSUPP */
	uint64_t bad_version;	/* -EPROTO */
	uint64_t wrong_cluster; /* -EXDEV */
	uint64_t bad_mac;	/* -EACCES */
	uint64_t bad_header;	/* -EINVAL */
	uint64_t bad_node;	/* -ENXIO */
	uint64_t bad_frag;	/* -ERANGE (also from cnet_rel's reassembly) */
	uint64_t stale_epoch;	/* -ECANCELED: cnet_rel, an old incarnation */
	uint64_t bad_ack;	/* cnet_rel: acks data never sent */
	uint64_t no_buffer; /* -ENOBUFS: cnet_rel, no memory / over budget */
	uint64_t unknown_service; /* the service layer's */
};

/* The largest payload of one frame at this MTU. */
static inline uint32_t cnet_frame_max_payload(uint32_t mtu)
{
	return mtu - CNET_HDR_LEN;
}

/*
 * The 128-bit MAC key from the cluster secret (the bytes of cluster.key):
 * k0 = SipHash-2-4 under the key "unum-cnet-key-k0" of the secret, k1 the
 * same under "unum-cnet-key-k1".
 */
void cnet_key_derive(struct siphash_key *out, const void *secret, size_t len);

/*
 * Writes a frame into buf[0 .. cap): Ethernet addresses zero, EtherType,
 * the header from info (version, cluster id from p; info->payload_len is
 * ignored and replaced by len), the payload and the MAC. Returns the frame
 * length, -E2BIG if len > 65535 or the frame would exceed p->mtu, or
 * -ENOBUFS if cap is too small. It does not check info: the transport
 * builds only valid headers, and tests need to build invalid ones.
 */
int cnet_frame_encode(const struct cnet_frame_params *p,
		      const struct cnet_frame_info *info, const void *payload,
		      size_t len, void *buf, size_t cap);

/*
 * Recomputes and stores the MAC of a complete frame (len >= 78 bytes; the
 * payload is whatever follows the header). For tests and fuzzers that edit
 * a header and need it to pass the MAC check.
 */
void cnet_frame_seal(const struct siphash_key *key, void *frame, size_t len);

/*
 * Checks a received frame (see the table above). On success returns 0,
 * fills *out and points *payload at the payload inside frame. On failure
 * returns the negative errno of the table, increments one counter of
 * *drops and leaves *out and *payload unspecified.
 */
int cnet_frame_decode(const struct cnet_frame_params *p, const void *frame,
		      size_t len, struct cnet_frame_info *out,
		      const void **payload, struct cnet_drop_stats *drops);

/* A short name of a decode error ("bad MAC", ...), for log lines. */
const char *cnet_frame_strerror(int err);

#endif
