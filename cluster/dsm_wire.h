/*
 * cluster/dsm_wire.h — the DSM's message on the wire (transport service
 * CNET_SVC_DSM), declared once: this header, every field big-endian, then
 * the page (DSM_PAGE bytes) for the messages that carry one and nothing
 * for the others. dsm_wire_decode is the one place a peer's DSM message is
 * checked before the engine sees it.
 */
#ifndef CLUSTER_DSM_WIRE_H
#define CLUSTER_DSM_WIRE_H

#include <stddef.h>
#include <stdint.h>

#include "cluster/dsm_proto.h"

struct dsm_wire_hdr {
	uint8_t type; /* enum dsm_msg_type */
	uint8_t flags;
	uint16_t from;	  /* be: the sending node */
	uint32_t version; /* be */
	uint64_t page;	  /* be: virtual address >> 12 */
} __attribute__((packed));
_Static_assert(sizeof(struct dsm_wire_hdr) == 16, "dsm wire header");

#define DSM_WIRE_HLEN sizeof(struct dsm_wire_hdr)
#define DSM_WIRE_MAX  (DSM_WIRE_HLEN + DSM_PAGE) /* the largest message */

/* The header of m in wire order (m->data, if any, follows it). */
void dsm_wire_encode(const struct dsm_msg *m, struct dsm_wire_hdr *h);
/*
 * A message of len bytes from node `peer` (the transport's sender): 0 and
 * *m filled (m->data points into msg, or is NULL), or -EBADMSG (shorter
 * than the header, or followed by anything but exactly one page) or
 * -EPROTO (it claims another sender than the transport's). The type is
 * the engine's to check.
 */
int dsm_wire_decode(int peer, const void *msg, size_t len, struct dsm_msg *m);

#endif
