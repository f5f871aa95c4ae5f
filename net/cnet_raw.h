/*
 * net/cnet_raw.h — raw frame echo between nodes, with no transport: the
 * floor under the cluster transport's round trips (tests/ktest/kb_net.c).
 * Implemented in net/cnet_raw.c, in the NIC's receive path.
 *
 * A raw frame is an Ethernet frame of EtherType CNET_RAW_ETHERTYPE whose
 * first payload byte is CNET_RAW_REQUEST or CNET_RAW_REPLY. A node booted
 * with a `bench=` key sends every request straight back to its sender as a
 * reply (same bytes, MACs swapped, the first byte changed), from the NIC's
 * receive thread; other nodes drop raw frames. Nothing is authenticated:
 * this is a measuring tool, on only while benchmarks run.
 */
#ifndef NET_CNET_RAW_H
#define NET_CNET_RAW_H

#include <stddef.h>

#define CNET_RAW_ETHERTYPE 0x88B6 /* IEEE local experimental 2 */
#define CNET_RAW_REQUEST   1
#define CNET_RAW_REPLY	   2

/* Called from the NIC's receive thread with each reply; the frame is only
 * valid during the call. */
typedef void (*cnet_raw_fn)(const void *frame, size_t len, void *ctx);

/* Sets the handler of replies (fn NULL: none; they are dropped). */
void cnet_raw_set_handler(cnet_raw_fn fn, void *ctx);

/*
 * Sends frame (len bytes, at least the Ethernet header and one payload
 * byte, at most the header plus the NIC's MTU) to node: fills in both
 * MACs and the EtherType, then queues it, waiting up to a second for a
 * transmit buffer. 0, or -EHOSTUNREACH (no transport, or node is unknown,
 * dead or ourselves), -EINVAL / -E2BIG (length), or the NIC's error.
 */
int cnet_raw_send(int node, void *frame, size_t len);

#endif
