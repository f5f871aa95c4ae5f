/*
 * drivers/virtio_net.h — virtio-net facts shared by the driver
 * (drivers/virtio_net.c) and its tests: feature bits and the device
 * configuration layout (virtio 1.0 section 5.1).
 */
#ifndef DRIVERS_VIRTIO_NET_H
#define DRIVERS_VIRTIO_NET_H

#include <stdint.h>

#include "drivers/netdev.h"
#include "drivers/virtio.h"

#define VIRTIO_NET_F_MTU    (1ull << 3)
#define VIRTIO_NET_F_MAC    (1ull << 5)
#define VIRTIO_NET_F_STATUS (1ull << 16)
/* What the driver asks for: no checksum or segmentation offloads, no
 * mergeable buffers, no control queue. */
#define VIRTIO_NET_FEATURES                                                    \
	(VIRTIO_NET_F_MTU | VIRTIO_NET_F_MAC | VIRTIO_NET_F_STATUS)

/* Device configuration offsets. */
#define VIRTIO_NET_CFG_MAC	 0
#define VIRTIO_NET_CFG_STATUS	 6
#define VIRTIO_NET_CFG_MAX_PAIRS 8
#define VIRTIO_NET_CFG_MTU	 10
#define VIRTIO_NET_S_LINK_UP	 1

/* The header before every frame in a buffer (VERSION_1: 12 bytes). */
struct virtio_net_hdr {
	uint8_t flags;
	uint8_t gso_type;
	uint16_t hdr_len;
	uint16_t gso_size;
	uint16_t csum_start;
	uint16_t csum_offset;
	uint16_t num_buffers;
};
_Static_assert(sizeof(struct virtio_net_hdr) == 12, "virtio_net_hdr");

#define VIRTIO_NET_RXQ 0
#define VIRTIO_NET_TXQ 1

/* The virtio device behind a NIC, or NULL if nd is not virtio-net. */
struct virtio_dev *virtio_net_dev(struct netdev *nd);

#endif
