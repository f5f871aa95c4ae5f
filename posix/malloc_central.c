/*
 * posix/malloc_central.c — size classes and the per-class central free
 * lists that thread caches refill from and release to.
 *
 * Each class has one lock guarding
 *   - a few parked whole batches (the "transfer cache"): a batch a thread
 *     released is handed to the next thread that refills, in O(1) and
 *     without touching the objects — producer/consumer patterns stay off
 *     the span lists;
 *   - the list of its spans that still have free or never-carved objects.
 * A span is carved lazily (never-touched pages of a span stay unmapped)
 * and returned to the chunk allocator as soon as all its objects are back.
 */
#include <errno.h>

#include "posix/malloc.h"

/* 16-byte steps to 128, then four classes per power of two (size_class()
 * in malloc.h computes the same numbering). */
/* clang-format off */
#define SIZE_CLASSES(X)                                                       \
	X(16) X(32) X(48) X(64) X(80) X(96) X(112) X(128)                     \
	X(160) X(192) X(224) X(256) X(320) X(384) X(448) X(512)               \
	X(640) X(768) X(896) X(1024) X(1280) X(1536) X(1792) X(2048)          \
	X(2560) X(3072) X(3584) X(4096) X(5120) X(6144) X(7168) X(8192)       \
	X(10240) X(12288) X(14336) X(16384)                                   \
	X(20480) X(24576) X(28672) X(32768)
/* clang-format on */

/* Batches carry about 32 KiB, between 2 and 32 objects. */
#define BATCH_OF(s)                                                            \
	((32768 / (s)) > 32 ? 32 : (32768 / (s)) < 2 ? 2 : 32768 / (s))
#define CLASS_SIZE(s)  s,
#define CLASS_MAGIC(s) (UINT32_MAX / (s) + 1),
#define CLASS_BATCH(s) BATCH_OF(s),
#define CLASS_CAP(s)   (uint32_t)(CHUNK_SIZE / (s)),

const uint32_t class_size[] = {0, SIZE_CLASSES(CLASS_SIZE)};
const uint32_t class_magic[] = {0, SIZE_CLASSES(CLASS_MAGIC)};
const uint32_t class_batch[] = {0, SIZE_CLASSES(CLASS_BATCH)};
const uint32_t class_cap[] = {0, SIZE_CLASSES(CLASS_CAP)};
_Static_assert(sizeof(class_size) == (NCLASSES + 1) * sizeof(uint32_t),
	       "SIZE_CLASSES must list NCLASSES sizes");
_Static_assert(SMALL_MAX == 32768, "the last class is SMALL_MAX");

static void partial_push(struct central *ct, struct span *s)
{
	s->prev = NULL;
	s->next = ct->partial;
	if (s->next)
		s->next->prev = s;
	ct->partial = s;
}

static void partial_unlink(struct central *ct, struct span *s)
{
	if (s->prev)
		s->prev->next = s->next;
	else
		ct->partial = s->next;
	if (s->next)
		s->next->prev = s->prev;
	s->prev = NULL;
	s->next = NULL;
}

static bool span_full(const struct span *s, unsigned c)
{
	return !s->free && s->carved == class_cap[c];
}

/* A new span of class c on the partial list, or NULL. */
static struct span *span_new(struct heap *h, struct central *ct, unsigned c)
{
	bool fresh;
	uint32_t i = chunk_alloc(h, 1, 1, SPAN_SMALL, &fresh);
	struct span *s;

	if (!i)
		return NULL;
	s = &h->spans[i];
	s->inuse = 0;
	s->nfree = 0;
	s->free = NULL;
	__atomic_store_n(&s->carved, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&s->cls, (uint8_t)c, __ATOMIC_RELAXED);
	partial_push(ct, s);
	return s;
}

/* Gives an empty span back to the chunk allocator. */
static void span_free(struct heap *h, struct central *ct, struct span *s)
{
	uint32_t n;

	partial_unlink(ct, s);
	__atomic_store_n(&s->cls, 0, __ATOMIC_RELAXED);
	chunk_free(h, (uint32_t)(s - h->spans), SPAN_SMALL, &n);
}

/* Moves up to `want` objects from span s to the chain ending at *link
 * (given-back objects first, then freshly carved ones, which get the key
 * like every free object). Returns how many. */
static uint32_t span_take(struct heap *h, struct span *s, unsigned c,
			  uint32_t want, void ***link)
{
	uintptr_t base = chunk_addr(h, (uint32_t)(s - h->spans));
	uint32_t n = 0, carved = s->carved;
	void **o;

	while (n < want && s->free) {
		o = s->free;
		s->free = o[0];
		s->nfree--;
		**link = o;
		*link = (void **)o;
		n++;
	}
	while (n < want && carved < class_cap[c]) {
		o = (void **)(base + (uintptr_t)carved * class_size[c]);
		o[1] = (void *)h->key;
		**link = o;
		*link = (void **)o;
		carved++;
		n++;
	}
	__atomic_store_n(&s->carved, carved, __ATOMIC_RELAXED);
	s->inuse += n;
	return n;
}

void **central_refill(struct heap *h, unsigned c, uint32_t want, uint32_t *got)
{
	struct central *ct = &h->central[c];
	void *head = NULL, **link = &head;
	struct span *s;
	uint32_t n = 0;

	ulock_lock(&ct->lock);
	if (ct->nbatch && want == class_batch[c]) {
		ct->nbatch--;
		head = ct->batch[ct->nbatch].head;
		n = ct->batch[ct->nbatch].n;
		ct->batch[ct->nbatch].head = NULL;
		goto out;
	}
	while (n < want) {
		s = ct->partial;
		if (!s) {
			s = span_new(h, ct, c);
			if (!s)
				break;
		}
		n += span_take(h, s, c, want - n, &link);
		if (span_full(s, c))
			partial_unlink(ct, s);
	}
	*link = NULL;
out:
	ulock_unlock(&ct->lock);
	*got = n;
	return (void **)head;
}

void central_release(struct heap *h, unsigned c, void **head, uint32_t n)
{
	struct central *ct = &h->central[c];
	struct span *s;
	void **o;

	ulock_lock(&ct->lock);
	if (n == class_batch[c] && ct->nbatch < TRANSFER_SLOTS) {
		ct->batch[ct->nbatch].head = head;
		ct->batch[ct->nbatch].n = n;
		ct->nbatch++;
		ulock_unlock(&ct->lock);
		return;
	}
	while (head) {
		o = head;
		head = o[0];
		s = &h->spans[chunk_of(h, o)];
		if (span_full(s, c))
			partial_push(ct, s);
		o[0] = s->free;
		s->free = o;
		s->nfree++;
		if (--s->inuse == 0)
			span_free(h, ct, s);
	}
	ulock_unlock(&ct->lock);
}
