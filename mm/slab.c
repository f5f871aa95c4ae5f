/*
 * mm/slab.c — slab caches over a page provider.
 *
 * Each slab is one naturally aligned block of 2^order pages: a header, a
 * bitmap of allocated objects, then the objects. Free objects are found by
 * scanning the bitmap from a per-slab hint. Pages are fetched from and
 * returned to the provider with the cache lock dropped.
 */
#include "mm/slab.h"
#include "kernel/errno.h"
#include "kernel/kstring.h"

/* Header at the start of every slab. */
struct slab {
	uint32_t magic; /* SLAB_MAGIC while alive; immutable while alive */
	uint32_t nfree; /* (l) free objects */
	struct slab_cache *cache; /* owner; immutable while alive */
	struct slab *prev, *next; /* (l) links in the cache's list */
	uint32_t hint;	 /* (l) no free bit in used[] below this word */
	uint8_t list;	 /* (l) SLAB_LIST_* this slab is on */
	uint64_t used[]; /* (l) bit i set: object i allocated (or absent) */
};

static size_t round_up(size_t x, size_t a)
{
	return (x + a - 1) & ~(a - 1);
}

/* How many objects of this stride fit in a slab of this order, with where
 * object 0 starts and the bitmap length. 0 if none fits. */
static uint32_t layout(size_t stride, size_t align, unsigned order,
		       size_t *obj_off, uint32_t *words)
{
	size_t bytes = SLAB_PAGE_SIZE << order;
	size_t n = (bytes - sizeof(struct slab)) / stride;

	for (; n > 0; n--) {
		size_t w = (n + 63) / 64;
		size_t off = round_up(sizeof(struct slab) + w * 8, align);

		if (off <= bytes && n * stride <= bytes - off) {
			*obj_off = off;
			*words = (uint32_t)w;
			return (uint32_t)n;
		}
	}
	return 0;
}

static int cache_setup(struct slab_cache *c, const char *name, size_t size,
		       size_t align, unsigned order,
		       const struct slab_page_ops *ops)
{
	size_t off;
	uint32_t words, n;

	n = layout(round_up(size, align), align, order, &off, &words);
	if (!n)
		return -EINVAL;
	memset(c, 0, sizeof(*c));
	c->name = name;
	c->obj_size = size;
	c->align = align;
	c->stride = round_up(size, align);
	c->obj_off = off;
	c->order = order;
	c->slab_bytes = SLAB_PAGE_SIZE << order;
	c->objs_per_slab = n;
	c->map_words = words;
	c->ops = *ops;
	spin_lock_init(&c->lock);
	return 0;
}

/* Checks what init was given; normalises align. */
static int check_args(size_t size, size_t *align,
		      const struct slab_page_ops *ops)
{
	if (!ops || !ops->alloc_pages || !ops->free_pages)
		return -EINVAL;
	if (*align == 0)
		*align = 8;
	if (size == 0 || size > (SLAB_PAGE_SIZE << SLAB_MAX_ORDER) ||
	    (*align & (*align - 1)) || *align > SLAB_PAGE_SIZE)
		return -EINVAL;
	return 0;
}

int slab_cache_init_order(struct slab_cache *c, const char *name, size_t size,
			  size_t align, unsigned order,
			  const struct slab_page_ops *ops)
{
	int err = check_args(size, &align, ops);

	if (err)
		return err;
	if (order > SLAB_MAX_ORDER)
		return -EINVAL;
	return cache_setup(c, name, size, align, order, ops);
}

int slab_cache_init(struct slab_cache *c, const char *name, size_t size,
		    size_t align, const struct slab_page_ops *ops)
{
	size_t stride, off;
	uint32_t words;
	int err = check_args(size, &align, ops);

	if (err)
		return err;
	stride = round_up(size, align);
	for (unsigned o = 0; o <= SLAB_MAX_ORDER; o++) {
		size_t bytes = SLAB_PAGE_SIZE << o;
		uint32_t n = layout(stride, align, o, &off, &words);

		if (n >= 4 && (bytes - n * stride) * 8 <= bytes)
			return cache_setup(c, name, size, align, o, ops);
	}
	for (unsigned o = 0; o <= SLAB_MAX_ORDER; o++)
		if (layout(stride, align, o, &off, &words))
			return cache_setup(c, name, size, align, o, ops);
	return -EINVAL;
}

/* ---- lists (cache lock held) ---- */

static void list_add(struct slab_cache *c, struct slab *s, unsigned list)
{
	s->list = (uint8_t)list;
	s->prev = NULL;
	s->next = c->lists[list];
	if (s->next)
		s->next->prev = s;
	c->lists[list] = s;
	c->nr_slabs[list]++;
}

static void list_del(struct slab_cache *c, struct slab *s)
{
	if (s->prev)
		s->prev->next = s->next;
	else
		c->lists[s->list] = s->next;
	if (s->next)
		s->next->prev = s->prev;
	c->nr_slabs[s->list]--;
	s->prev = s->next = NULL;
}

static void list_move(struct slab_cache *c, struct slab *s, unsigned list)
{
	if (s->list == list)
		return;
	list_del(c, s);
	list_add(c, s, list);
}

/* ---- allocation ---- */

static char *obj_addr(const struct slab_cache *c, struct slab *s, size_t i)
{
	return (char *)s + c->obj_off + i * c->stride;
}

/* A fresh slab from the provider, all objects free, on no list. Called
 * without the cache lock. */
static struct slab *slab_new(struct slab_cache *c)
{
	struct slab *s = c->ops.alloc_pages(c->order, c->ops.ctx);
	uint32_t n = c->objs_per_slab;

	if (!s)
		return NULL;
	if ((uintptr_t)s & (c->slab_bytes - 1)) {
		/* The provider broke its contract; slab_free could never
		 * find this header. */
		c->ops.free_pages(s, c->order, c->ops.ctx);
		return NULL;
	}
	s->magic = SLAB_MAGIC;
	s->nfree = n;
	s->cache = c;
	s->prev = s->next = NULL;
	s->hint = 0;
	s->list = SLAB_LIST_EMPTY;
	memset(s->used, 0, c->map_words * sizeof(uint64_t));
	/* Bits past the last object read as allocated, so a full word is ~0. */
	if (n % 64)
		s->used[n / 64] = ~0ull << (n % 64);
	if (SLAB_DEBUG)
		memset(obj_addr(c, s, 0), SLAB_POISON, (size_t)n * c->stride);
	return s;
}

static void check_poison(struct slab_cache *c, const unsigned char *p)
{
	for (size_t i = 0; i < c->stride; i++) {
		if (p[i] != SLAB_POISON) {
			c->poison_errors++;
			return;
		}
	}
}

/* Takes the first free object of s (which has one). Cache lock held. */
static void *take_object(struct slab_cache *c, struct slab *s)
{
	uint32_t w = s->hint;
	unsigned bit;
	void *p;

	while (s->used[w] == ~0ull)
		w++;
	bit = (unsigned)__builtin_ctzll(~s->used[w]);
	s->used[w] |= 1ull << bit;
	s->hint = w;
	s->nfree--;
	list_move(c, s, s->nfree ? SLAB_LIST_PARTIAL : SLAB_LIST_FULL);
	c->objs_in_use++;
	c->allocs++;
	p = obj_addr(c, s, (size_t)w * 64 + bit);
	if (SLAB_DEBUG)
		check_poison(c, p);
	return p;
}

void *slab_alloc(struct slab_cache *c)
{
	unsigned long fl = spin_lock_irqsave(&c->lock);
	struct slab *s = c->lists[SLAB_LIST_PARTIAL];
	void *p;

	if (!s)
		s = c->lists[SLAB_LIST_EMPTY];
	if (!s) {
		spin_unlock_irqrestore(&c->lock, fl);
		s = slab_new(c);
		fl = spin_lock_irqsave(&c->lock);
		if (!s) {
			c->alloc_failures++;
			spin_unlock_irqrestore(&c->lock, fl);
			return NULL;
		}
		list_add(c, s, SLAB_LIST_EMPTY);
	}
	p = take_object(c, s);
	spin_unlock_irqrestore(&c->lock, fl);
	return p;
}

/* ---- freeing ---- */

/* Index of object p in s, or -1 if p is not at an object boundary. */
static long obj_index(const struct slab_cache *c, const struct slab *s,
		      const void *p)
{
	uintptr_t first = (uintptr_t)s + c->obj_off;
	uintptr_t a = (uintptr_t)p;

	if (a < first || (a - first) % c->stride ||
	    (a - first) / c->stride >= c->objs_per_slab)
		return -1;
	return (long)((a - first) / c->stride);
}

/* Index of the allocated object p of c, or -1. Cache lock held. */
static long live_index(const struct slab_cache *c, const void *p)
{
	const struct slab *s =
	    (const struct slab *)((uintptr_t)p & ~(c->slab_bytes - 1));
	long i;

	if (!p || s->magic != SLAB_MAGIC || s->cache != c)
		return -1;
	i = obj_index(c, s, p);
	if (i < 0 || !(s->used[i / 64] & (1ull << (i % 64))))
		return -1; /* not an object, or a free one */
	return i;
}

bool slab_is_live(struct slab_cache *c, const void *p)
{
	unsigned long fl = spin_lock_irqsave(&c->lock);
	bool live = live_index(c, p) >= 0;

	spin_unlock_irqrestore(&c->lock, fl);
	return live;
}

/* Validates p and marks its object free. Returns a slab to give back to the
 * provider (or NULL), or sets *err. Cache lock held. */
static struct slab *free_locked(struct slab_cache *c, void *p, int *err)
{
	struct slab *s = (struct slab *)((uintptr_t)p & ~(c->slab_bytes - 1));
	long i = live_index(c, p);

	*err = -EINVAL;
	if (i < 0)
		return NULL;
	*err = 0;
	s->used[i / 64] &= ~(1ull << (i % 64));
	if ((uint32_t)(i / 64) < s->hint)
		s->hint = (uint32_t)(i / 64);
	s->nfree++;
	c->objs_in_use--;
	c->frees++;
	if (SLAB_DEBUG)
		memset(p, SLAB_POISON, c->stride);
	if (s->nfree < c->objs_per_slab) {
		list_move(c, s, SLAB_LIST_PARTIAL);
		return NULL;
	}
	if (!c->nr_slabs[SLAB_LIST_EMPTY]) {
		list_move(c, s, SLAB_LIST_EMPTY); /* keep one spare */
		return NULL;
	}
	list_del(c, s);
	s->magic = 0;
	return s;
}

int slab_free(struct slab_cache *c, void *p)
{
	unsigned long fl = spin_lock_irqsave(&c->lock);
	int err;
	struct slab *dead = free_locked(c, p, &err);

	if (err)
		c->bad_frees++;
	spin_unlock_irqrestore(&c->lock, fl);
	if (dead)
		c->ops.free_pages(dead, c->order, c->ops.ctx);
	return err;
}

struct slab_cache *slab_cache_of(const void *block)
{
	const struct slab *s = block;

	return s->magic == SLAB_MAGIC ? s->cache : NULL;
}

/* ---- shrinking and stats ---- */

/* Unhooks the whole empty list; the caller frees it unlocked. */
static struct slab *take_empty_locked(struct slab_cache *c)
{
	struct slab *s = c->lists[SLAB_LIST_EMPTY];

	c->lists[SLAB_LIST_EMPTY] = NULL;
	c->nr_slabs[SLAB_LIST_EMPTY] = 0;
	for (struct slab *t = s; t; t = t->next)
		t->magic = 0;
	return s;
}

static void release_all(struct slab_cache *c, struct slab *s)
{
	while (s) {
		struct slab *next = s->next;

		c->ops.free_pages(s, c->order, c->ops.ctx);
		s = next;
	}
}

void slab_cache_shrink(struct slab_cache *c)
{
	unsigned long fl = spin_lock_irqsave(&c->lock);
	struct slab *s = take_empty_locked(c);

	spin_unlock_irqrestore(&c->lock, fl);
	release_all(c, s);
}

int slab_cache_destroy(struct slab_cache *c)
{
	unsigned long fl = spin_lock_irqsave(&c->lock);
	struct slab *s;

	if (c->objs_in_use) {
		spin_unlock_irqrestore(&c->lock, fl);
		return -EBUSY;
	}
	s = take_empty_locked(c);
	spin_unlock_irqrestore(&c->lock, fl);
	release_all(c, s);
	return 0;
}

void slab_cache_stats(struct slab_cache *c, struct slab_stats *out)
{
	unsigned long fl = spin_lock_irqsave(&c->lock);

	out->objs_in_use = c->objs_in_use;
	out->slabs_partial = c->nr_slabs[SLAB_LIST_PARTIAL];
	out->slabs_full = c->nr_slabs[SLAB_LIST_FULL];
	out->slabs_empty = c->nr_slabs[SLAB_LIST_EMPTY];
	out->slabs = out->slabs_partial + out->slabs_full + out->slabs_empty;
	out->allocs = c->allocs;
	out->frees = c->frees;
	out->alloc_failures = c->alloc_failures;
	out->bad_frees = c->bad_frees;
	out->poison_errors = c->poison_errors;
	out->objs_per_slab = c->objs_per_slab;
	out->order = c->order;
	spin_unlock_irqrestore(&c->lock, fl);
}
