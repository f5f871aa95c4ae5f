/*
 * net/member_wire.h — the wire format of membership (CNET_SVC_MEMBER,
 * net/member.c), declared once, and its pure codec (net/member_msg.c,
 * host-tested and fuzzed). Every multi-byte field is big-endian on the
 * wire (cnet_be*(), net/cnet_wire.h).
 *
 * A HELLO is one datagram broadcast to every node: while joining, to be
 * counted into the view; once the view is formed, as the heartbeat that
 * keeps the sender alive and gossips its load probes (struct cnet_load,
 * filled by the scheduler's probe, net/cnet.h).
 *
 *   offset  size  field
 *        0     4  magic         MEMBER_HELLO_MAGIC
 *        4     6  mac           the sender's Ethernet address (must be
 *                               the frame's source)
 *       10     1  origin        1: cluster.origin=1 on the sender; else 0
 *       11     1  in_view       1: the sender has formed its view; else 0
 *       12     2  cpus          the sender's CPUs, at least 1
 *       14     4  mem_mb        its memory, MiB
 *       18     4  runnable      load: the program's threads running,
 *                               queued or waiting for a page
 *       22     2  util          load: CPU busy, permille (0..1000)
 *       24     2  threads       load: the program's threads living there
 *       26     4  free_mb       load: free memory, MiB
 *       30     4  faults_per_s  load: DSM faults per second
 *       34     4  spawned       load: threads started on the sender at
 *                               other nodes' request since it booted
 *                               (mod 2^32)
 *       38        (end)
 *
 * The magic names the layout: "UNH2" added `spawned` to "UNH1".
 */
#ifndef NET_MEMBER_WIRE_H
#define NET_MEMBER_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net/cnet.h"

#define MEMBER_HELLO_MAGIC 0x554e4832u /* "UNH2" */
#define MEMBER_HELLO_LEN   38
#define MEMBER_UTIL_MAX	   1000 /* permille */

struct member_hello_wire {
	uint32_t magic;	 /* be: MEMBER_HELLO_MAGIC */
	uint8_t mac[6];	 /* the frame's source */
	uint8_t origin;	 /* 0 or 1 */
	uint8_t in_view; /* 0 or 1 */
	uint16_t cpus;	 /* be: >= 1 */
	uint32_t mem_mb; /* be */
	/* struct cnet_load, field by field */
	uint32_t runnable;     /* be */
	uint16_t util;	       /* be: 0..MEMBER_UTIL_MAX */
	uint16_t threads;      /* be */
	uint32_t free_mb;      /* be */
	uint32_t faults_per_s; /* be */
	uint32_t spawned;      /* be */
} __attribute__((packed));
_Static_assert(sizeof(struct member_hello_wire) == MEMBER_HELLO_LEN, "HELLO");

/* A HELLO as decoded (host byte order). */
struct member_hello {
	uint8_t mac[6];
	bool origin;
	bool in_view;
	uint16_t cpus;
	uint32_t mem_mb;
	struct cnet_load load;
};

/* The wire bytes of h. */
void member_hello_encode(const struct member_hello *h,
			 struct member_hello_wire *w);

/*
 * Checks a HELLO datagram (len bytes at msg, from the Ethernet address
 * src_mac) and decodes it into out. Checks in this order: 0, or
 *   -EBADMSG  len is not MEMBER_HELLO_LEN;
 *   -EPROTO   a wrong magic;
 *   -EINVAL   mac is not src_mac, origin or in_view is neither 0 nor 1,
 *             cpus is 0, or util is above MEMBER_UTIL_MAX.
 * On an error out is left unspecified. Pure: no state, no allocation.
 */
int member_hello_decode(const void *msg, size_t len, const uint8_t src_mac[6],
			struct member_hello *out);

#endif
