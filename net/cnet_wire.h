/*
 * net/cnet_wire.h — the wire format of Unum's cluster transport, declared
 * once. Every multi-byte field is big-endian on the wire; structs hold the
 * wire bytes and are read and written only through cnet_be*() helpers.
 *
 * A frame:
 *
 *   offset  size  field
 *        0     6  Ethernet destination   (filled in by the NIC glue)
 *        6     6  Ethernet source        (filled in by the NIC glue)
 *       12     2  EtherType 0x88B5
 *       14    64  struct cnet_hdr
 *       78     n  payload (n = payload_len, at most mtu - 64)
 *
 * The MAC is SipHash-2-4, keyed with the 128-bit key derived from the
 * cluster key, over the first 56 bytes of struct cnet_hdr (everything but
 * the MAC itself) followed by the payload. The Ethernet header is not
 * covered: node identity comes from the authenticated src_node field.
 *
 * A frame's length is exactly 78 + payload_len (the minimum, 78 bytes, is
 * above Ethernet's 60-byte minimum, so NICs never pad our frames).
 */
#ifndef NET_CNET_WIRE_H
#define NET_CNET_WIRE_H

#include <stdint.h>

#define CNET_ETHERTYPE 0x88B5
#define CNET_VERSION   1

#define CNET_ETH_HLEN	    14
#define CNET_HDR_LEN	    64
#define CNET_MAC_OFF	    56 /* the MAC covers header bytes [0, 56) */
#define CNET_FRAME_OVERHEAD (CNET_ETH_HLEN + CNET_HDR_LEN)

/* Node ids. Ids 0 .. max_nodes-1 are members; two values are special. */
#define CNET_NODE_NONE	0xFFFFu /* no id assigned yet (joining node) */
#define CNET_NODE_BCAST 0xFFFEu /* every node (datagrams only) */

/*
 * flags: exactly one of these combinations is valid —
 *   DATA|ACK  a fragment of a reliable message, plus the sender's ack state
 *   ACK       ack state only (seq = the sender's next sequence, unchecked)
 *   HELLO     handshake: announces src_epoch; window = receive space
 *   DGRAM     an unreliable one-frame message (membership, heartbeats)
 */
#define CNET_F_DATA  0x01
#define CNET_F_ACK   0x02
#define CNET_F_HELLO 0x04
#define CNET_F_DGRAM 0x08

struct cnet_eth_hdr {
	uint8_t dst[6];
	uint8_t src[6];
	uint16_t type; /* be: CNET_ETHERTYPE */
} __attribute__((packed));
_Static_assert(sizeof(struct cnet_eth_hdr) == CNET_ETH_HLEN, "eth header");

struct cnet_hdr {
	uint8_t version;     /* CNET_VERSION */
	uint8_t flags;	     /* CNET_F_* */
	uint16_t service;    /* DATA/DGRAM: the message's service; else 0 */
	uint32_t cluster_id; /* must equal the receiver's */
	uint32_t src_epoch;  /* sender's per-boot random epoch, never 0 */
	uint32_t dst_epoch;  /* receiver's epoch as known to the sender, or 0 */
	uint16_t src_node;   /* sender's node id (NONE: DGRAM only) */
	uint16_t dst_node;   /* receiver's node id (BCAST: DGRAM only) */
	uint16_t frag_index; /* DATA: 0 .. frag_count-1; DGRAM: 0; else 0 */
	uint16_t frag_count; /* DATA: >= 1; DGRAM: 1; else 0 */
	uint32_t seq;	     /* DATA: this fragment's sequence number */
	uint32_t ack;	  /* ACK: next sequence expected (all below received) */
	uint64_t sack;	  /* ACK: bit i set = seq ack+1+i received */
	uint32_t window;  /* ACK/HELLO: bytes the sender may have in flight */
	uint32_t msg_len; /* DATA/DGRAM: the whole message's length */
	uint16_t payload_len; /* bytes after this header */
	uint16_t reserved0;   /* 0 */
	uint32_t reserved1;   /* 0 */
	uint64_t mac;	      /* SipHash-2-4 of bytes [0, 56) and the payload */
} __attribute__((packed));
_Static_assert(sizeof(struct cnet_hdr) == CNET_HDR_LEN, "cnet header");
_Static_assert(__builtin_offsetof(struct cnet_hdr, mac) == CNET_MAC_OFF,
	       "MAC offset");

/*
 * RPC header: the first bytes of every message on a service that carries
 * RPCs (net/cnet_rpc.h). Calls and replies travel on the same service.
 */
#define CNET_RPC_CALL  1
#define CNET_RPC_REPLY 2
#define CNET_RPC_HLEN  12

struct cnet_rpc_hdr {
	uint8_t kind;	    /* CNET_RPC_CALL or CNET_RPC_REPLY */
	uint8_t reserved0;  /* 0 */
	uint16_t reserved1; /* 0 */
	uint32_t call_id;   /* chosen by the caller, echoed by the reply */
	uint32_t status; /* be int32: CALL 0; REPLY 0 or -errno (-4095..-1) */
} __attribute__((packed));
_Static_assert(sizeof(struct cnet_rpc_hdr) == CNET_RPC_HLEN, "rpc header");

/* Byte order: host <-> big-endian (the same operation both ways). */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
static inline uint16_t cnet_be16(uint16_t v)
{
	return v;
}
static inline uint32_t cnet_be32(uint32_t v)
{
	return v;
}
static inline uint64_t cnet_be64(uint64_t v)
{
	return v;
}
#else
static inline uint16_t cnet_be16(uint16_t v)
{
	return __builtin_bswap16(v);
}
static inline uint32_t cnet_be32(uint32_t v)
{
	return __builtin_bswap32(v);
}
static inline uint64_t cnet_be64(uint64_t v)
{
	return __builtin_bswap64(v);
}
#endif

#endif
