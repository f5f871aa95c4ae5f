/*
 * drivers/virtq.c — split virtqueue ring logic (see virtq.h). Pure: also
 * compiled on the host for tests/unit/test_virtq.c.
 *
 * Ordering: descriptors and available-ring entries are written before the
 * available index is released; the used ring is read after the used index
 * is acquired. On x86 those are compiler barriers; the check of the
 * device's NO_NOTIFY flag after publishing needs a full fence (a store
 * followed by a load).
 */
#include "drivers/virtq.h"
#include "kernel/errno.h"
#include "kernel/kstring.h"

static size_t align_up(size_t v, size_t a)
{
	return (v + a - 1) & ~(a - 1);
}

int virtq_layout(uint16_t size, struct virtq_layout *l)
{
	if (size == 0 || (size & (size - 1)) || size > VIRTQ_MAX_SIZE)
		return -EINVAL;
	l->desc_off = 0;
	l->avail_off = 16u * size;
	/* flags, idx, ring[size], used_event */
	size_t avail_end = l->avail_off + 2 * (3u + size);
	l->used_off = align_up(avail_end, 4);
	/* flags, idx, ring[size], avail_event */
	l->total = l->used_off + 2 * 3u + 8u * size;
	return 0;
}

int virtq_init(struct virtq *vq, uint16_t size, void *ring)
{
	struct virtq_layout l;
	int rc = virtq_layout(size, &l);
	if (rc)
		return rc;
	memset(ring, 0, l.total);
	memset(vq, 0, sizeof(*vq));
	vq->size = size;
	vq->desc = (struct virtq_desc *)((char *)ring + l.desc_off);
	vq->avail = (struct virtq_avail *)((char *)ring + l.avail_off);
	vq->used = (struct virtq_used *)((char *)ring + l.used_off);
	for (uint16_t i = 0; i < size; i++)
		vq->next[i] = (uint16_t)(i + 1 < size ? i + 1 : 0);
	vq->free_head = 0;
	vq->num_free = size;
	return 0;
}

int virtq_add(struct virtq *vq, const struct virtq_seg *segs, unsigned n,
	      void *cookie)
{
	if (vq->broken)
		return -EPIPE;
	if (n == 0 || n > vq->size || !cookie)
		return -EINVAL;
	uint32_t wlen = 0;
	for (unsigned i = 0; i < n; i++) {
		if (segs[i].len == 0 ||
		    (i && segs[i - 1].write && !segs[i].write))
			return -EINVAL;
		if (segs[i].write)
			wlen += segs[i].len;
	}
	if (n > vq->num_free)
		return -ENOSPC;

	uint16_t head = vq->free_head, d = head, last = head;
	for (unsigned i = 0; i < n; i++) {
		struct virtq_desc *desc = &vq->desc[d];
		desc->addr = segs[i].addr;
		desc->len = segs[i].len;
		desc->flags =
		    (uint16_t)((segs[i].write ? VIRTQ_DESC_F_WRITE : 0) |
			       (i + 1 < n ? VIRTQ_DESC_F_NEXT : 0));
		desc->next = i + 1 < n ? vq->next[d] : 0;
		last = d;
		d = vq->next[d];
	}
	vq->free_head = vq->next[last];
	vq->num_free = (uint16_t)(vq->num_free - n);
	vq->chain_len[head] = (uint16_t)n;
	vq->write_len[head] = wlen;
	vq->cookie[head] = cookie;
	vq->avail->ring[vq->avail_idx & (vq->size - 1)] = head;
	vq->avail_idx++;
	return head;
}

void virtq_publish(struct virtq *vq)
{
	__atomic_store_n(&vq->avail->idx, vq->avail_idx, __ATOMIC_RELEASE);
}

bool virtq_needs_notify(const struct virtq *vq)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return !(__atomic_load_n(&vq->used->flags, __ATOMIC_RELAXED) &
		 VIRTQ_USED_F_NO_NOTIFY);
}

bool virtq_has_used(const struct virtq *vq)
{
	return __atomic_load_n(&vq->used->idx, __ATOMIC_ACQUIRE) !=
	       vq->last_used;
}

uint16_t virtq_unused(const struct virtq *vq)
{
	uint16_t used = __atomic_load_n(&vq->used->idx, __ATOMIC_ACQUIRE);
	return (uint16_t)(vq->avail->idx - used);
}

/* Puts the chain at `head` back on the free list. */
static void free_chain(struct virtq *vq, uint16_t head)
{
	uint16_t n = vq->chain_len[head], last = head;
	for (uint16_t i = 1; i < n; i++)
		last = vq->next[last];
	vq->next[last] = vq->free_head;
	vq->free_head = head;
	vq->num_free = (uint16_t)(vq->num_free + n);
	vq->chain_len[head] = 0;
	vq->cookie[head] = NULL;
}

int virtq_pop(struct virtq *vq, void **cookie, uint32_t *len)
{
	*cookie = NULL;
	*len = 0;
	if (vq->broken)
		return -EPIPE;
	uint16_t idx = __atomic_load_n(&vq->used->idx, __ATOMIC_ACQUIRE);
	if (idx == vq->last_used)
		return -EAGAIN;
	/* More used entries than buffers we ever handed over. */
	if ((uint16_t)(idx - vq->last_used) > vq->size) {
		vq->broken = true;
		return -EPIPE;
	}
	struct virtq_used_elem e =
	    vq->used->ring[vq->last_used & (vq->size - 1)];
	vq->last_used++;
	if (e.id >= vq->size || !vq->chain_len[e.id])
		return -EIO; /* not a chain in flight */
	*cookie = vq->cookie[e.id];
	uint32_t wlen = vq->write_len[e.id];
	free_chain(vq, (uint16_t)e.id);
	if (e.len > wlen)
		return -EIO;
	*len = e.len;
	return 0;
}

void virtq_set_interrupts(struct virtq *vq, bool on)
{
	__atomic_store_n(&vq->avail->flags, on ? 0 : VIRTQ_AVAIL_F_NO_INTERRUPT,
			 __ATOMIC_RELAXED);
}
