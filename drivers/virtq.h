/*
 * drivers/virtq.h — the split virtqueue of virtio 1.0 (section 2.6): the
 * descriptor table, the available ring (driver to device) and the used ring
 * (device to driver), as pure ring logic. No device access, no allocation:
 * the caller gives the ring memory and physical addresses, so the same code
 * runs on the host in tests/unit/test_virtq.c against a simulated device.
 *
 * Usage: virtq_add() one buffer chain per request (it appears in the
 * available ring but is not yet visible), virtq_publish() to make every
 * added chain visible, then notify the device if virtq_needs_notify(). When
 * the device is done, virtq_pop() hands back each chain's cookie and the
 * number of bytes the device wrote.
 *
 * Everything the device writes (the used ring) is checked before it is
 * acted on: a bad entry is skipped and reported, never followed.
 *
 * Locking: none inside; one caller at a time per queue (the driver's queue
 * lock). Virtio 1.0 rings are little-endian, as is x86.
 */
#ifndef DRIVERS_VIRTQ_H
#define DRIVERS_VIRTQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VIRTQ_MAX_SIZE 256 /* the largest queue we set up */

#define VIRTQ_DESC_F_NEXT	   1
#define VIRTQ_DESC_F_WRITE	   2 /* device writes this buffer */
#define VIRTQ_AVAIL_F_NO_INTERRUPT 1
#define VIRTQ_USED_F_NO_NOTIFY	   1

/* Ring memory layout (shared with the device). */
struct virtq_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};
_Static_assert(sizeof(struct virtq_desc) == 16, "virtq_desc");

struct virtq_avail {
	uint16_t flags;
	uint16_t idx;
	uint16_t ring[];
};

struct virtq_used_elem {
	uint32_t id;
	uint32_t len;
};
_Static_assert(sizeof(struct virtq_used_elem) == 8, "virtq_used_elem");

struct virtq_used {
	uint16_t flags;
	uint16_t idx;
	struct virtq_used_elem ring[];
};

/* Where the parts of a queue of `size` entries sit in one block of ring
 * memory: the descriptor table (16-byte aligned) at 0, the available ring
 * (2-byte aligned) after it, the used ring (4-byte aligned) after that. */
struct virtq_layout {
	size_t desc_off, avail_off, used_off, total;
};

/* One buffer of a chain. Device-readable buffers come first. */
struct virtq_seg {
	uint64_t addr; /* physical */
	uint32_t len;
	bool write; /* the device writes it */
};

struct virtq {
	uint16_t size; /* entries, a power of two */
	struct virtq_desc *desc;
	struct virtq_avail *avail;
	struct virtq_used *used;
	uint16_t free_head; /* first free descriptor */
	uint16_t num_free;  /* descriptors free */
	uint16_t avail_idx; /* next available-ring slot (not yet published) */
	uint16_t last_used; /* next used entry to read */
	bool broken;	    /* the device ran the used index ahead: stop */
	/* Our own copy of the chains: the device cannot change them. */
	uint16_t next[VIRTQ_MAX_SIZE];	    /* free list and chain links */
	uint16_t chain_len[VIRTQ_MAX_SIZE]; /* at a head in flight, else 0 */
	uint32_t write_len[VIRTQ_MAX_SIZE]; /* at a head: writable bytes */
	void *cookie[VIRTQ_MAX_SIZE];	    /* at a head in flight */
};

/* 0, or -EINVAL if size is 0, not a power of two or above VIRTQ_MAX_SIZE. */
int virtq_layout(uint16_t size, struct virtq_layout *l);
/* Sets up vq over `ring` (virtq_layout(size).total bytes, 16-byte aligned;
 * cleared here). 0 or -EINVAL as virtq_layout. */
int virtq_init(struct virtq *vq, uint16_t size, void *ring);

/*
 * Queues a chain of n buffers with `cookie` (non-NULL), which virtq_pop
 * returns. Returns the head descriptor's index, or -EINVAL (n is 0 or above
 * the queue size, a buffer is empty, or a readable buffer follows a
 * writable one), -ENOSPC (fewer than n descriptors free; nothing changed)
 * or -EPIPE (the queue is broken).
 */
int virtq_add(struct virtq *vq, const struct virtq_seg *segs, unsigned n,
	      void *cookie);
/* Makes every chain added so far visible to the device. */
void virtq_publish(struct virtq *vq);
/* After virtq_publish: whether the device wants a notification (it did not
 * set VIRTQ_USED_F_NO_NOTIFY). A full barrier orders the check. */
bool virtq_needs_notify(const struct virtq *vq);
/* Whether the device has used entries we have not popped. */
bool virtq_has_used(const struct virtq *vq);
/*
 * Takes the next used entry: 0 with *cookie and *len (bytes the device
 * wrote) set and the chain's descriptors free again; -EAGAIN if there is
 * none; -EIO if the entry was bad and has been skipped: *cookie is then the
 * chain it named if that chain was in flight (its length was wrong; the
 * chain is free again and *len is 0), else NULL; -EPIPE once the device
 * has run the used index more than the queue size ahead (the queue is
 * broken: nothing more is popped or added).
 */
int virtq_pop(struct virtq *vq, void **cookie, uint32_t *len);
/* Buffers published and not yet used by the device (0: it has none to
 * fill). */
uint16_t virtq_unused(const struct virtq *vq);
/* Asks the device for interrupts on used entries (or not). A hint. */
void virtq_set_interrupts(struct virtq *vq, bool on);
/* Descriptors free. */
static inline unsigned virtq_free(const struct virtq *vq)
{
	return vq->num_free;
}

#endif
