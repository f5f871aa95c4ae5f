/*
 * posix/mman_space.c — the address space of memory maps (mman_impl.h):
 * per node, a bump pointer over its map area and a sorted list of free
 * extents below it, first fit, neighbours merged.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/ksys.h"
#include "posix/mman_impl.h"

struct ulock mman_lock = ULOCK_INIT;

struct extent {
	uintptr_t start, end;
	bool dirty; /* given back on several nodes: may hold old bytes */
};

/* (mman_lock) every field; lo and hi are set once, at first use */
static struct area {
	uintptr_t lo, hi; /* the area: [lo, hi) */
	uintptr_t top;	  /* from here up: never used, zeros */
	struct extent *free;
	size_t nr_free, cap_free;
} areas[MMAN_AREAS];

/* The area's bounds: the upper half of node k's heap region. */
static struct area *area_get(int k)
{
	struct area *ar = &areas[k];
	if (!ar->hi) {
		uintptr_t base;
		size_t size;
		ksys_heap_region(k, &base, &size);
		ar->lo = ar->top = base + size / 2;
		ar->hi = base + size;
	}
	return ar;
}

int mman_area_of(uintptr_t a, uintptr_t b)
{
	for (int k = 0; k < MMAN_AREAS; k++) {
		uintptr_t base;
		size_t size;
		ksys_heap_region(k, &base, &size);
		if (size && a >= base + size / 2 && b <= base + size && a < b)
			return k;
	}
	return -1;
}

static bool several_nodes(void)
{
	return ksys_cluster_nodes() > 1;
}

void mman_zero(uintptr_t a, size_t len)
{
	ksys_release(a, len);
	if (several_nodes())
		memset((void *)a, 0, len);
}

static void ext_remove(struct area *ar, size_t i)
{
	memmove(&ar->free[i], &ar->free[i + 1],
		(ar->nr_free - i - 1) * sizeof(ar->free[0]));
	ar->nr_free--;
}

/* Removes [a, b) from extent i, which holds it; zeroes it if dirty. One
 * extent may become two: the caller made room for one more. */
static void ext_cut(struct area *ar, size_t i, uintptr_t a, uintptr_t b)
{
	struct extent e = ar->free[i];
	if (e.dirty)
		memset((void *)a, 0, b - a);
	if (a == e.start && b == e.end) {
		ext_remove(ar, i);
	} else if (a == e.start) {
		ar->free[i].start = b;
	} else if (b == e.end) {
		ar->free[i].end = a;
	} else {
		memmove(&ar->free[i + 2], &ar->free[i + 1],
			(ar->nr_free - i - 1) * sizeof(ar->free[0]));
		ar->free[i].end = a;
		ar->free[i + 1] = (struct extent){b, e.end, e.dirty};
		ar->nr_free++;
	}
}

static bool ext_room(struct area *ar, size_t more)
{
	if (ar->nr_free + more <= ar->cap_free)
		return true;
	size_t cap = ar->cap_free ? 2 * ar->cap_free : 64;
	while (cap < ar->nr_free + more)
		cap *= 2;
	struct extent *f = realloc(ar->free, cap * sizeof(*f));
	if (!f)
		return false;
	ar->free = f;
	ar->cap_free = cap;
	return true;
}

static int ext_add(struct area *ar, uintptr_t a, uintptr_t b, bool dirty);

uintptr_t mman_space_take(int k, size_t len)
{
	struct area *ar = area_get(k);
	for (size_t i = 0; i < ar->nr_free; i++) {
		struct extent *e = &ar->free[i];
		if (e->end - e->start >= len) {
			uintptr_t a = e->start;
			ext_cut(ar, i, a, a + len); /* never splits in two */
			return a;
		}
	}
	if (len > ar->hi - ar->top)
		return 0;
	ar->top += len;
	return ar->top - len;
}

void mman_space_take_at(int k, uintptr_t a, uintptr_t b)
{
	struct area *ar = area_get(k);
	if (b > ar->top) {
		uintptr_t old = ar->top;
		ar->top = b;
		if (a > old) {
			/* the gap below becomes free (clean); if the list
			 * cannot grow, it is lost, never handed out */
			(void)ext_add(ar, old, a, false);
			return;
		}
		b = old;
	}
	/* [a, b) is below top and no map covers it: free extents hold it */
	for (size_t i = 0; i < ar->nr_free && a < b; i++) {
		struct extent e = ar->free[i];
		if (e.end <= a || e.start >= b)
			continue;
		uintptr_t ca = a > e.start ? a : e.start;
		uintptr_t cb = b < e.end ? b : e.end;
		if (!ext_room(ar, 1) && ca != e.start && cb != e.end) {
			/* no room to split: the extent's tail is lost */
			if (e.dirty)
				memset((void *)ca, 0, cb - ca);
			ar->free[i].end = ca;
			continue;
		}
		size_t before = ar->nr_free;
		ext_cut(ar, i, ca, cb);
		if (ar->nr_free < before)
			i--; /* removed: look at index i again */
	}
}

bool mman_space_is_free(int k, uintptr_t a, uintptr_t b)
{
	struct area *ar = area_get(k);
	if (a < ar->lo || b > ar->hi)
		return false;
	for (size_t i = 0; i < ar->nr_free && a < b && a < ar->top; i++) {
		struct extent *e = &ar->free[i];
		if (e->end <= a)
			continue;
		if (e->start > a)
			return false;
		a = e->end;
	}
	return a >= b || a >= ar->top;
}

/* Adds [a, b) to the free space, merged with its neighbours of the same
 * kind; a clean range at top lowers top instead. */
static int ext_add(struct area *ar, uintptr_t a, uintptr_t b, bool dirty)
{
	if (!dirty && b == ar->top) {
		ar->top = a;
		/* a clean extent that now ends at top goes back too */
		if (ar->nr_free && !ar->free[ar->nr_free - 1].dirty &&
		    ar->free[ar->nr_free - 1].end == ar->top) {
			ar->top = ar->free[ar->nr_free - 1].start;
			ar->nr_free--;
		}
		return 0;
	}
	size_t i = 0;
	while (i < ar->nr_free && ar->free[i].start < a)
		i++;
	bool left =
	    i > 0 && ar->free[i - 1].end == a && ar->free[i - 1].dirty == dirty;
	bool right = i < ar->nr_free && ar->free[i].start == b &&
		     ar->free[i].dirty == dirty;
	if (left && right) {
		ar->free[i - 1].end = ar->free[i].end;
		ext_remove(ar, i);
	} else if (left) {
		ar->free[i - 1].end = b;
	} else if (right) {
		ar->free[i].start = a;
	} else {
		if (!ext_room(ar, 1))
			return -ENOMEM;
		memmove(&ar->free[i + 1], &ar->free[i],
			(ar->nr_free - i) * sizeof(ar->free[0]));
		ar->free[i] = (struct extent){a, b, dirty};
		ar->nr_free++;
	}
	return 0;
}

int mman_space_give(int k, uintptr_t a, uintptr_t b)
{
	ksys_release(a, b - a);
	return ext_add(area_get(k), a, b, several_nodes());
}
