/*
 * cluster/csync_wire.h — the cluster lock service's message on the wire
 * (transport service CNET_SVC_LOCK), declared once: this header, every
 * field big-endian, then `n` wait ids (be32 each). csync_encode and
 * csync_decode (cluster/csync_wire.c) convert it to and from struct
 * csync_msg; csync_decode is where a peer's message is checked.
 */
#ifndef CLUSTER_CSYNC_WIRE_H
#define CLUSTER_CSYNC_WIRE_H

#include <stdint.h>

#include "cluster/csync_proto.h"

struct csync_wire_hdr {
	uint8_t type; /* enum csync_msg_type */
	uint8_t n;    /* wait ids after the header */
	uint16_t pad; /* 0 */
	uint32_t h;   /* be: object handle */
	uint32_t wid; /* be: waiting thread at the sender (or serial, WAKE) */
	uint32_t a;   /* be int32: argument / result */
} __attribute__((packed));
_Static_assert(sizeof(struct csync_wire_hdr) == CSYNC_HDR, "csync header");

#endif
