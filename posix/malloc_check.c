/*
 * posix/malloc_check.c — a full consistency check of one heap, for tests
 * (posix_malloc_check). Walks every chunk descriptor, the free-run lists,
 * the central lists, parked batches, the thread caches (with the remote
 * frees they hold for other heaps) and the remote frees pushed to this
 * heap, and finally balances the byte counters against what the spans
 * say is out.
 */
#include <errno.h>
#include <string.h>

#include "posix/malloc.h"

struct check {
	struct heap *h;
	uint64_t small_out; /* bytes of objects out of their spans */
	uint64_t large;	    /* bytes of large blocks */
	uint64_t cached;    /* bytes of objects in caches and parked batches */
	uint32_t free_runs; /* seen walking the chunks */
	uint32_t with_room[NCLASSES + 1]; /* spans with free/uncarved objects */
};

static int bad(const char *what, const void *p)
{
	posix_malloc_error(what, (void *)p);
	return -EINVAL;
}

/* A free small object of class c: inside a small span of that class, at
 * an object start below the carved mark, with the key. */
static int check_free_obj(struct heap *h, void **o, unsigned c)
{
	uintptr_t off = (uintptr_t)o - h->base;
	struct span *s;
	uint64_t m;

	if (off >= h->size || (off >> CHUNK_SHIFT) < h->first)
		return bad("heap check: free object outside the heap", o);
	s = &h->spans[off >> CHUNK_SHIFT];
	m = (uint64_t)(off & CHUNK_MASK) * class_magic[c];
	if (s->kind != SPAN_SMALL || s->cls != c)
		return bad("heap check: free object in a span of another class",
			   o);
	if ((uint32_t)m >= class_magic[c] || (m >> 32) >= s->carved)
		return bad("heap check: free object not at an object start", o);
	if (o[1] != (void *)h->key)
		return bad("heap check: free object without the key", o);
	return 0;
}

/* A chain of exactly n free objects of class c. */
static int check_chain(struct heap *h, void **o, uint32_t n, unsigned c)
{
	uint32_t i;
	int err;

	for (i = 0; i < n; i++, o = o[0]) {
		if (!o)
			return bad("heap check: free list shorter than counted",
				   NULL);
		err = check_free_obj(h, o, c);
		if (err)
			return err;
	}
	if (o)
		return bad("heap check: free list longer than counted", o);
	return 0;
}

static int check_small(struct check *k, struct span *s, uint32_t i)
{
	struct heap *h = k->h;
	unsigned c = s->cls;

	if (c < 1 || c > NCLASSES)
		return bad("heap check: small span with a bad class",
			   (void *)chunk_addr(h, i));
	if (s->carved > class_cap[c] || s->inuse + s->nfree != s->carved)
		return bad("heap check: small span counts disagree",
			   (void *)chunk_addr(h, i));
	if (s->inuse == 0)
		return bad("heap check: empty small span kept",
			   (void *)chunk_addr(h, i));
	if (s->free || s->carved < class_cap[c])
		k->with_room[c]++;
	k->small_out += (uint64_t)s->inuse * class_size[c];
	return check_chain(h, s->free, s->nfree, c);
}

/* Interior chunks of a run [i, i+n) (except a free run's tail) are NONE. */
static int check_interior(struct heap *h, uint32_t i, uint32_t n, bool tail)
{
	uint32_t j, end = i + n - (tail && n > 1 ? 1 : 0);

	for (j = i + 1; j < end; j++)
		if (h->spans[j].kind != SPAN_NONE || h->spans[j].cls)
			return bad("heap check: descriptor inside a run",
				   (void *)chunk_addr(h, j));
	return 0;
}

static int check_chunks(struct check *k)
{
	struct heap *h = k->h;
	uint32_t i = h->first, n;
	bool prev_free = false;
	struct span *s;
	int err;

	while (i < h->top) {
		s = &h->spans[i];
		n = s->kind == SPAN_SMALL ? 1 : s->nchunks;
		if (n == 0 || (uint64_t)i + n > h->top)
			return bad("heap check: run beyond top",
				   (void *)chunk_addr(h, i));
		switch (s->kind) {
		case SPAN_SMALL:
			err = check_small(k, s, i);
			break;
		case SPAN_LARGE:
			k->large += (uint64_t)n << CHUNK_SHIFT;
			err = s->cls
				  ? bad("heap check: large block with a class",
					(void *)chunk_addr(h, i))
				  : check_interior(h, i, n, false);
			break;
		case SPAN_FREE:
			if (prev_free)
				return bad(
				    "heap check: free runs not coalesced",
				    (void *)chunk_addr(h, i));
			if (n > 1 && (h->spans[i + n - 1].kind != SPAN_TAIL ||
				      h->spans[i + n - 1].nchunks != n))
				return bad(
				    "heap check: free run without its tail",
				    (void *)chunk_addr(h, i));
			k->free_runs++;
			err = check_interior(h, i, n, true);
			break;
		default:
			return bad("heap check: chunk owned by nothing",
				   (void *)chunk_addr(h, i));
		}
		if (err)
			return err;
		prev_free = s->kind == SPAN_FREE;
		i += n;
	}
	return 0;
}

static int check_buckets(struct check *k)
{
	struct heap *h = k->h;
	uint32_t runs = 0;
	struct span *s, *prev;
	unsigned b;
	bool bit;

	for (b = 0; b < NBUCKETS; b++) {
		bit = h->bucket_bits[b / 64] & (1ull << (b % 64));
		if (bit != (h->bucket[b] != NULL))
			return bad("heap check: bucket bitmap disagrees", NULL);
		for (prev = NULL, s = h->bucket[b]; s; prev = s, s = s->next) {
			if (s->kind != SPAN_FREE ||
			    chunk_bucket(s->nchunks) != b)
				return bad(
				    "heap check: bad entry in a free bucket",
				    s);
			if (s->prev != prev)
				return bad(
				    "heap check: free bucket links broken", s);
			if (++runs > k->free_runs)
				return bad("heap check: free bucket loops", s);
		}
	}
	if (runs != k->free_runs)
		return bad("heap check: free run missing from the buckets",
			   NULL);
	return 0;
}

static int check_central(struct check *k, unsigned c)
{
	struct central *ct = &k->h->central[c];
	uint32_t spans = 0, j;
	struct span *s, *prev;
	int err;

	for (prev = NULL, s = ct->partial; s; prev = s, s = s->next) {
		if (s->kind != SPAN_SMALL || s->cls != c || s->prev != prev)
			return bad("heap check: bad span on a partial list", s);
		if (++spans > k->with_room[c])
			return bad("heap check: partial list loops", s);
	}
	if (spans != k->with_room[c])
		return bad("heap check: span with room not on its partial list",
			   NULL);
	if (ct->nbatch > TRANSFER_SLOTS)
		return bad("heap check: too many parked batches", NULL);
	for (j = 0; j < ct->nbatch; j++) {
		err = check_chain(k->h, ct->batch[j].head, ct->batch[j].n, c);
		if (err)
			return err;
		k->cached += (uint64_t)ct->batch[j].n * class_size[c];
	}
	return 0;
}

/* A thread's cached large blocks: live LARGE runs holding the key. */
static int check_tc_large(struct check *k, const struct tcache *t)
{
	struct heap *h = k->h;
	size_t bytes = 0;
	uintptr_t off;
	uint32_t j;
	void **p;

	if (t->nlarge > TC_LARGE_SLOTS)
		return bad("heap check: too many cached large blocks", t);
	for (j = 0; j < t->nlarge; j++) {
		p = t->large[j];
		off = (uintptr_t)p - h->base;
		if (off >= h->size || (off & CHUNK_MASK) ||
		    h->spans[off >> CHUNK_SHIFT].kind != SPAN_LARGE ||
		    h->spans[off >> CHUNK_SHIFT].nchunks != t->large_chunks[j])
			return bad("heap check: cached large block is no block",
				   p);
		if (p[1] != (void *)h->key)
			return bad(
			    "heap check: cached large block without the key",
			    p);
		bytes += (size_t)t->large_chunks[j] << CHUNK_SHIFT;
	}
	if (bytes != t->large_bytes || bytes > TC_LARGE_BYTES)
		return bad("heap check: cached large bytes disagree", t);
	k->cached += bytes;
	return 0;
}

/* A remote free of heap h, of any class (*c). */
static int check_remote_obj(struct heap *h, void **o, unsigned *c)
{
	if ((uintptr_t)o - h->base >= h->size)
		return bad("heap check: remote free outside its heap", o);
	*c = h->spans[chunk_of(h, o)].cls;
	if (!*c)
		return bad("heap check: remote free not in a small span", o);
	return check_free_obj(h, o, *c);
}

/* A thread's pending chain of remote frees for another heap: n objects
 * of that heap (head to tail), each free with its key, bytes their sizes.
 * They still count as in use there, so nothing is added up here. */
static int check_pending(const struct tc_remote *p)
{
	struct heap *h = p->heap;
	uint64_t bytes = 0;
	uint32_t i;
	void **o = p->head, **last = NULL;
	unsigned c;
	int err;

	if (!h)
		return p->head || p->n || p->bytes
			   ? bad("heap check: unused remote slot not empty",
				 p->head)
			   : 0;
	if (p->n == 0 || p->n > RFREE_BATCH)
		return bad("heap check: remote chain length out of range",
			   p->head);
	for (i = 0; i < p->n && o; i++, last = o, o = o[0]) {
		err = check_remote_obj(h, o, &c);
		if (err)
			return err;
		bytes += class_size[c];
	}
	if (i != p->n || o || last != p->tail || bytes != p->bytes)
		return bad("heap check: remote chain disagrees with its counts",
			   p->head);
	return 0;
}

/* The chains other nodes pushed here: free objects of this heap, at most
 * as many as were pushed; they count as cached (free, not in a span). */
static int check_remote(struct check *k)
{
	struct heap *h = k->h;
	uint64_t n = 0, max = h->remote.objects;
	void **o;
	unsigned c;
	int err;

	for (o = h->remote.head; o; o = o[0], n++) {
		if (n == max)
			return bad(
			    "heap check: remote stack longer than pushed", o);
		err = check_remote_obj(h, o, &c);
		if (err)
			return err;
		k->cached += class_size[c];
	}
	return 0;
}

static int check_threads(struct check *k, struct heap_counters *sum)
{
	struct heap *h = k->h;
	struct tcache *t;
	unsigned c;
	int err;

	*sum = h->retired;
	sum->frees += h->remote.objects;
	sum->bytes_free += h->remote.bytes;
	for (t = h->threads; t; t = t->next) {
		if (t->state != TC_LIVE || t->heap != h)
			return bad("heap check: dead thread cache registered",
				   t);
		for (c = 1; c <= NCLASSES; c++) {
			err =
			    check_chain(h, t->list[c].head, t->list[c].len, c);
			if (err)
				return err;
			if (t->list[c].len > t->list[c].max)
				return bad(
				    "heap check: thread cache over its limit",
				    t);
			k->cached += (uint64_t)t->list[c].len * class_size[c];
		}
		err = check_tc_large(k, t);
		for (c = 0; c < RFREE_SLOTS && !err; c++)
			err = check_pending(&t->remote[c]);
		if (err)
			return err;
		sum->allocs += t->cnt.allocs;
		sum->frees += t->cnt.frees;
		sum->bytes_alloc += t->cnt.bytes_alloc;
		sum->bytes_free += t->cnt.bytes_free;
	}
	return 0;
}

static int check_all(struct heap *h)
{
	struct heap_counters sum;
	struct check k;
	unsigned c;
	int err;

	memset(&k, 0, sizeof(k));
	k.h = h;
	err = check_chunks(&k);
	if (!err)
		err = check_buckets(&k);
	for (c = 1; c <= NCLASSES && !err; c++)
		err = check_central(&k, c);
	if (!err)
		err = check_remote(&k);
	if (!err)
		err = check_threads(&k, &sum);
	if (err)
		return err;
	if (sum.frees > sum.allocs || sum.bytes_free > sum.bytes_alloc)
		return bad("heap check: more frees than allocations", NULL);
	if (sum.bytes_alloc - sum.bytes_free !=
	    k.small_out - k.cached + k.large)
		return bad("heap check: bytes in use disagree with the spans",
			   NULL);
	return 0;
}

int heap_check(struct heap *h)
{
	unsigned c;
	int err;

	for (c = 1; c <= NCLASSES; c++)
		ulock_lock(&h->central[c].lock);
	ulock_lock(&h->page_lock);
	ulock_lock(&h->tc_lock);
	err = check_all(h);
	ulock_unlock(&h->tc_lock);
	ulock_unlock(&h->page_lock);
	for (c = NCLASSES; c >= 1; c--)
		ulock_unlock(&h->central[c].lock);
	return err;
}
