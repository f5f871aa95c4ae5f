/*
 * posix/mman_map.c — the table of memory maps (mman_impl.h): a sorted
 * array, and what happens to one map: split, guard, filled from its file,
 * written back to it, discarded, moved, ended.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "kernel/ksys.h"
#include "posix/mman_impl.h"
#include "posix/vfs.h"

struct mman_map *mman_maps; /* (mman_lock) sorted by start, disjoint */
size_t mman_nr_maps;	    /* (mman_lock) */
static size_t cap_maps;	    /* (mman_lock) entries allocated */

#define IO_CHUNK (1ul << 30) /* under VFS_IO_MAX */

/* The index of the first map that ends after a. */
size_t mman_map_index(uintptr_t a)
{
	size_t lo = 0, hi = mman_nr_maps;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (mman_maps[mid].end <= a)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Room for `more` maps: then inserts and splits cannot fail for it. */
bool mman_map_room(size_t more)
{
	if (mman_nr_maps + more <= cap_maps)
		return true;
	size_t cap = cap_maps ? 2 * cap_maps : 64;
	while (cap < mman_nr_maps + more)
		cap *= 2;
	struct mman_map *m = realloc(mman_maps, cap * sizeof(*m));
	if (!m)
		return false;
	mman_maps = m;
	cap_maps = cap;
	return true;
}

void mman_map_insert(const struct mman_map *m) /* after mman_map_room */
{
	size_t i = mman_map_index(m->start);
	memmove(&mman_maps[i + 1], &mman_maps[i],
		(mman_nr_maps - i) * sizeof(*mman_maps));
	mman_maps[i] = *m;
	mman_nr_maps++;
}

static void map_remove(size_t i)
{
	memmove(&mman_maps[i], &mman_maps[i + 1],
		(mman_nr_maps - i - 1) * sizeof(*mman_maps));
	mman_nr_maps--;
}

/* Moves the calling thread to `node`: false if it could not. */
static bool move_to(int node)
{
	return ksys_node() == node ||
	       (ksys_migrate((uint32_t)pthread_self(), node) == 0 &&
		ksys_node() == node);
}

/* On m's guard node, which keeps trapping touches when the map is split
 * or its guard taken off and put back from another node. */
void mman_map_guard(struct mman_map *m)
{
	if (m->prot != PROT_NONE || m->guarded)
		return;
	int here = ksys_node();
	if (!move_to(m->guard_node))
		m->guard_node = here;
	m->guarded = ksys_guard_add(m->start, m->end - m->start) == 0;
	(void)move_to(here);
}

/* A guard lives in the kernel table of the node that added it: only
 * there can it be taken off (else that node would go on trapping
 * touches of the range, whatever is mapped there later). */
void mman_map_unguard(struct mman_map *m)
{
	if (!m->guarded)
		return;
	int here = ksys_node();
	if (move_to(m->guard_node)) {
		ksys_guard_remove(m->start);
		(void)move_to(here);
	} else {
		m->stale = true;
	}
	m->guarded = false;
}

/* Splits map i at `at` (inside it): i keeps [start, at), i + 1 gets the
 * rest. -ENOMEM without a change. */
static int map_split(size_t i, uintptr_t at)
{
	if (!mman_map_room(1))
		return -ENOMEM;
	struct mman_map *m = &mman_maps[i], r = *m;
	size_t left = at - m->start;
	r.start = at;
	r.off = m->off + left;
	r.base = NULL;
	r.base_len = m->base_len > left ? m->base_len - left : 0;
	if (r.base_len) {
		r.base = malloc(r.base_len);
		if (!r.base)
			return -ENOMEM;
		memcpy(r.base, m->base + left, r.base_len);
		m->base_len = left;
	}
	if (m->file)
		vfs_map_dup(m->file);
	bool guarded = m->guarded;
	mman_map_unguard(m);
	m->end = at;
	r.guarded = false;
	if (guarded)
		mman_map_guard(m), mman_map_guard(&r);
	mman_map_insert(&r);
	return 0;
}

/* Splits maps so that none crosses a or b. */
int mman_map_isolate(uintptr_t a, uintptr_t b)
{
	size_t i = mman_map_index(a);
	if (i < mman_nr_maps && mman_maps[i].start < a && map_split(i, a) < 0)
		return -ENOMEM;
	i = mman_map_index(b);
	if (i < mman_nr_maps && mman_maps[i].start < b && map_split(i, b) < 0)
		return -ENOMEM;
	return 0;
}

/* Whether maps cover all of [a, b), without a hole. */
bool mman_map_covered(uintptr_t a, uintptr_t b)
{
	for (size_t i = mman_map_index(a); a < b; i++) {
		if (i >= mman_nr_maps || mman_maps[i].start > a)
			return false;
		a = mman_maps[i].end;
	}
	return true;
}

int mman_map_each(uintptr_t a, uintptr_t b,
		  void (*fn)(struct mman_map *m, uintptr_t a, uintptr_t b))
{
	if (!mman_map_covered(a, b))
		return -ENOMEM;
	for (size_t i = mman_map_index(a);
	     fn && i < mman_nr_maps && mman_maps[i].start < b; i++) {
		struct mman_map *m = &mman_maps[i];
		fn(m, a > m->start ? a : m->start, b < m->end ? b : m->end);
	}
	return 0;
}

/* ---- file contents ------------------------------------------------------ */

/* Reads the file's bytes for [a, b) of map m into memory (already zero). */
void mman_map_fill(const struct mman_map *m, uintptr_t a, uintptr_t b)
{
	uint64_t off = m->off + (a - m->start);
	while (a < b) {
		size_t n = b - a < IO_CHUNK ? b - a : IO_CHUNK;
		if (vfs_map_read(m->file, (void *)a, n, off) < (int64_t)n)
			return; /* the file ends: the rest stays zeros */
		a += n;
		off += n;
	}
}

/* Writes the bytes of [a, b) of map m that differ from its base back to
 * the file (whose size bounds them); the base takes the bytes written. */
void mman_map_sync(struct mman_map *m, uintptr_t a, uintptr_t b)
{
	if (!m->base || a >= m->start + m->base_len)
		return;
	if (b > m->start + m->base_len)
		b = m->start + m->base_len;
	bool guarded = m->guarded;
	mman_map_unguard(m); /* the kernel would stop us reading it */
	const uint8_t *mem = (const uint8_t *)m->start;
	size_t i = a - m->start, end = b - m->start;
	while (i < end) {
		size_t pe = (i | (MMAN_PAGE - 1)) + 1;
		if (pe > end)
			pe = end;
		if (!memcmp(mem + i, m->base + i, pe - i)) {
			i = pe;
			continue;
		}
		while (mem[i] == m->base[i])
			i++;
		size_t j = i;
		while (j < end && mem[j] != m->base[j])
			j++;
		/* copy first: what reaches the file is what base says */
		memcpy(m->base + i, mem + i, j - i);
		(void)vfs_map_write(m->file, m->base + i, j - i, m->off + i);
		i = j;
	}
	if (guarded)
		mman_map_guard(m);
}

/* Ends map i (whole): writes it back, gives its pages and file back. */
static void map_drop(size_t i)
{
	struct mman_map *m = &mman_maps[i];
	mman_map_sync(m, m->start, m->end);
	mman_map_unguard(m);
	if (m->file)
		vfs_map_put(m->file);
	free(m->base);
	if (!m->stale) /* else a node may still trap touches there */
		(void)mman_space_give(m->area, m->start, m->end);
	map_remove(i);
}

/* munmap's work (mman_lock held): ends every map part in [a, b). */
int mman_unmap(uintptr_t a, uintptr_t b)
{
	if (mman_map_isolate(a, b) < 0)
		return -ENOMEM;
	size_t i = mman_map_index(a);
	while (i < mman_nr_maps && mman_maps[i].start < b)
		map_drop(i);
	return 0;
}

/* MADV_DONTNEED and MADV_FREE on [a, b) of map m: private maps read as
 * they were made again (zeros, or the file's bytes now); shared ones
 * keep their contents (they are the memory itself). */
void mman_map_discard(struct mman_map *m, uintptr_t a, uintptr_t b)
{
	if (m->flags & MAP_SHARED)
		return;
	bool guarded = m->guarded;
	mman_map_unguard(m);
	mman_zero(a, b - a);
	if (m->file)
		mman_map_fill(m, a, b);
	if (guarded)
		mman_map_guard(m);
}

/* Moves map i (whole) to [to, to + len) of area k, taken already: the
 * bytes are copied, the old pages given back. */
void mman_map_move(size_t i, uintptr_t to, int k, size_t len)
{
	struct mman_map *m = &mman_maps[i], r = *m;
	size_t old_len = m->end - m->start;
	mman_map_sync(m, m->start, m->end); /* the base is the file's again */
	mman_map_unguard(m);
	memcpy((void *)to, (void *)m->start, old_len < len ? old_len : len);
	r.start = to;
	r.end = to + len;
	r.area = k;
	r.guarded = false;
	r.guard_node = ksys_node();
	r.stale = false; /* a stale guard stays with the old range */
	if (r.base_len > len)
		r.base_len = len;
	m->file = NULL; /* the file and the base go with r */
	m->base = NULL;
	m->base_len = 0;
	if (r.file && len > old_len)
		mman_map_fill(&r, to + old_len, to + len);
	map_drop(i);
	mman_map_guard(&r);
	mman_map_insert(&r);
}
