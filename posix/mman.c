/*
 * posix/mman.c — memory maps: mmap, munmap, mprotect, msync, madvise,
 * mremap, the mlock family and getpagesize (docs/ARCHITECTURE.md,
 * "Memory maps", gives the semantics).
 *
 * A map is a run of pages in the calling node's map area (mman_space.c),
 * part of the global address space: every thread on every node sees it
 * at the same address, so MAP_PRIVATE and MAP_SHARED anonymous maps are
 * the same memory (one process). A file map is a copy of the file's bytes
 * made at mmap time; a MAP_SHARED one of a file open O_RDWR also keeps the
 * bytes as the file last had them (`base`), and msync and munmap write the
 * bytes that differ back to the file. PROT_NONE is a kernel guard range
 * over the map (the stacks' mechanism); the other protections are only
 * recorded.
 *
 * The maps are a sorted array; mman_lock (mman_impl.h) guards it.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "posix/mman_impl.h"
#include "posix/posix_impl.h"
#include "posix/vfs.h"

struct map {
	uintptr_t start, end; /* page aligned */
	int prot;	      /* PROT_* as last set */
	int flags;	      /* MAP_SHARED or MAP_PRIVATE, | MAP_ANONYMOUS */
	int area;	      /* the node whose map area holds it */
	bool guarded;	      /* a kernel guard covers it (PROT_NONE) */
	bool writable;	      /* file maps: the fd was open O_RDWR */
	struct vfs_map *file; /* file maps: a reference; NULL: anonymous */
	uint64_t off;	      /* file maps: the file offset of start */
	/* MAP_SHARED writable file maps: the first base_len bytes of the
	 * map as the file last had them (up to the file's end at mmap) */
	uint8_t *base;
	size_t base_len;
};

static struct map *maps;	 /* (mman_lock) sorted by start, disjoint */
static size_t nr_maps, cap_maps; /* (mman_lock) */

#define PROT_ALL (PROT_READ | PROT_WRITE | PROT_EXEC)
#define MAP_KNOWN                                                              \
	(MAP_SHARED | MAP_PRIVATE | MAP_FIXED | MAP_ANONYMOUS |                \
	 MAP_GROWSDOWN | MAP_LOCKED | MAP_NORESERVE | MAP_POPULATE |           \
	 MAP_NONBLOCK | MAP_STACK | MAP_FIXED_NOREPLACE)
#define IO_CHUNK (1ul << 30) /* under VFS_IO_MAX */

static size_t page_up(size_t v)
{
	return (v + MMAN_PAGE - 1) & ~(MMAN_PAGE - 1);
}

static bool aligned(uintptr_t a)
{
	return (a & (MMAN_PAGE - 1)) == 0;
}

/* ---- the array of maps ---------------------------------------------------- */

/* The index of the first map that ends after a. */
static size_t map_index(uintptr_t a)
{
	size_t lo = 0, hi = nr_maps;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (maps[mid].end <= a)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Room for `more` maps: then inserts and splits cannot fail for it. */
static bool map_room(size_t more)
{
	if (nr_maps + more <= cap_maps)
		return true;
	size_t cap = cap_maps ? 2 * cap_maps : 64;
	while (cap < nr_maps + more)
		cap *= 2;
	struct map *m = realloc(maps, cap * sizeof(*m));
	if (!m)
		return false;
	maps = m;
	cap_maps = cap;
	return true;
}

static void map_insert(const struct map *m) /* after map_room */
{
	size_t i = map_index(m->start);
	memmove(&maps[i + 1], &maps[i], (nr_maps - i) * sizeof(*maps));
	maps[i] = *m;
	nr_maps++;
}

static void map_remove(size_t i)
{
	memmove(&maps[i], &maps[i + 1], (nr_maps - i - 1) * sizeof(*maps));
	nr_maps--;
}

static void map_guard(struct map *m)
{
	if (m->prot == PROT_NONE && !m->guarded)
		m->guarded = ksys_guard_add(m->start, m->end - m->start) == 0;
}

static void map_unguard(struct map *m)
{
	if (m->guarded)
		ksys_guard_remove(m->start);
	m->guarded = false;
}

/* Splits map i at `at` (inside it): i keeps [start, at), i + 1 gets the
 * rest. -ENOMEM without a change. */
static int map_split(size_t i, uintptr_t at)
{
	if (!map_room(1))
		return -ENOMEM;
	struct map *m = &maps[i], r = *m;
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
	map_unguard(m);
	m->end = at;
	r.guarded = false;
	if (guarded)
		map_guard(m), map_guard(&r);
	map_insert(&r);
	return 0;
}

/* Splits maps so that none crosses a or b. */
static int map_isolate(uintptr_t a, uintptr_t b)
{
	size_t i = map_index(a);
	if (i < nr_maps && maps[i].start < a && map_split(i, a) < 0)
		return -ENOMEM;
	i = map_index(b);
	if (i < nr_maps && maps[i].start < b && map_split(i, b) < 0)
		return -ENOMEM;
	return 0;
}

/* Whether maps cover all of [a, b), without a hole. */
static bool map_covered(uintptr_t a, uintptr_t b)
{
	for (size_t i = map_index(a); a < b; i++) {
		if (i >= nr_maps || maps[i].start > a)
			return false;
		a = maps[i].end;
	}
	return true;
}

/* ---- file contents ------------------------------------------------------ */

/* Reads the file's bytes for [a, b) of map m into memory (already zero). */
static void map_fill(const struct map *m, uintptr_t a, uintptr_t b)
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
static void map_sync(struct map *m, uintptr_t a, uintptr_t b)
{
	if (!m->base || a >= m->start + m->base_len)
		return;
	if (b > m->start + m->base_len)
		b = m->start + m->base_len;
	bool guarded = m->guarded;
	map_unguard(m); /* the kernel would stop us reading it */
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
		map_guard(m);
}

/* Ends map i (whole): writes it back, gives its pages and file back. */
static void map_drop(size_t i)
{
	struct map *m = &maps[i];
	map_sync(m, m->start, m->end);
	map_unguard(m);
	if (m->file)
		vfs_map_put(m->file);
	free(m->base);
	(void)mman_space_give(m->area, m->start, m->end);
	map_remove(i);
}

/* munmap's work (mman_lock held): ends every map part in [a, b). */
static int unmap_range(uintptr_t a, uintptr_t b)
{
	if (map_isolate(a, b) < 0)
		return -ENOMEM;
	size_t i = map_index(a);
	while (i < nr_maps && maps[i].start < b)
		map_drop(i);
	return 0;
}

/* ---- mmap and munmap ---------------------------------------------------- */

/* Checks mmap's arguments: 0 or a negative errno. */
static int mmap_decode(uintptr_t a, size_t len, int prot, int flags, off_t off)
{
	int type = flags & (MAP_SHARED | MAP_PRIVATE);
	if (!len || (prot & ~PROT_ALL) || (flags & ~MAP_KNOWN) ||
	    (type != MAP_SHARED && type != MAP_PRIVATE) || off < 0 ||
	    !aligned((uintptr_t)off))
		return -EINVAL;
	if ((flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) && !aligned(a))
		return -EINVAL;
	if (len > SIZE_MAX - MMAN_PAGE)
		return -ENOMEM;
	return 0;
}

/* Places the new map m (start, end set; mman_lock held). */
static int mmap_place(struct map *m, int flags)
{
	size_t len = m->end - m->start;
	if (!(flags & (MAP_FIXED | MAP_FIXED_NOREPLACE))) {
		int node = ksys_node();
		m->area = node >= 0 && node < MMAN_AREAS ? node : 0;
		m->start = mman_space_take(m->area, len);
		m->end = m->start + len;
		return m->start ? 0 : -ENOMEM;
	}
	if (m->end < m->start || (m->area = mman_area_of(m->start, m->end)) < 0)
		return -ENOMEM;
	size_t i = map_index(m->start);
	if (flags & MAP_FIXED_NOREPLACE && i < nr_maps &&
	    maps[i].start < m->end)
		return -EEXIST;
	int rc = unmap_range(m->start, m->end);
	if (rc < 0)
		return rc;
	mman_space_take_at(m->area, m->start, m->end);
	return 0;
}

static void *mmap_fail(int err)
{
	errno = -err;
	return MAP_FAILED;
}

void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	int rc = mmap_decode((uintptr_t)addr, len, prot, flags, off);
	if (rc < 0)
		return mmap_fail(rc);
	struct map m = {.start = (uintptr_t)addr, .prot = prot};
	m.end = m.start + page_up(len);
	m.flags = flags & (MAP_SHARED | MAP_PRIVATE | MAP_ANONYMOUS);
	m.off = (uint64_t)off;
	uint64_t fsize = 0;
	if (!(flags & MAP_ANONYMOUS)) {
		int w;
		rc = vfs_map_get(fd, &m.file, &w, &fsize);
		if (rc < 0)
			return mmap_fail(rc);
		m.writable = w;
		rc = -EACCES;
		if ((flags & MAP_SHARED) && (prot & PROT_WRITE) && !w)
			goto fail_file;
	}
	if (m.file && (flags & MAP_SHARED) && m.writable && fsize > m.off) {
		m.base_len = page_up(len);
		if (fsize - m.off < m.base_len)
			m.base_len = (size_t)(fsize - m.off);
		rc = -ENOMEM;
		m.base = malloc(m.base_len);
		if (!m.base)
			goto fail_file;
	}
	ulock_lock(&mman_lock);
	rc = map_room(3) ? mmap_place(&m, flags) : -ENOMEM;
	if (rc < 0)
		goto fail_locked;
	if (m.file) {
		map_fill(&m, m.start, m.end);
		if (m.base)
			memcpy(m.base, (void *)m.start, m.base_len);
	}
	map_guard(&m);
	map_insert(&m);
	ulock_unlock(&mman_lock);
	return (void *)m.start;
fail_locked:
	ulock_unlock(&mman_lock);
	free(m.base);
fail_file:
	if (m.file)
		vfs_map_put(m.file);
	return mmap_fail(rc);
}

int munmap(void *addr, size_t len)
{
	uintptr_t a = (uintptr_t)addr;
	if (!aligned(a) || !len || len > SIZE_MAX - MMAN_PAGE ||
	    a + page_up(len) < a) {
		errno = EINVAL;
		return -1;
	}
	ulock_lock(&mman_lock);
	int rc = map_room(2) ? unmap_range(a, a + page_up(len)) : -ENOMEM;
	ulock_unlock(&mman_lock);
	if (rc < 0) {
		errno = -rc;
		return -1;
	}
	return 0;
}

/* ---- mremap ------------------------------------------------------------- */

/* Moves map i (whole) to [to, to + len) of area k, taken already: the
 * bytes are copied, the old pages given back. */
static void map_move(size_t i, uintptr_t to, int k, size_t len)
{
	struct map *m = &maps[i], r = *m;
	size_t old_len = m->end - m->start;
	map_sync(m, m->start, m->end); /* the base is the file's again */
	map_unguard(m);
	memcpy((void *)to, (void *)m->start, old_len < len ? old_len : len);
	r.start = to;
	r.end = to + len;
	r.area = k;
	r.guarded = false;
	if (r.base_len > len)
		r.base_len = len;
	m->file = NULL; /* the file and the base go with r */
	m->base = NULL;
	m->base_len = 0;
	if (r.file && len > old_len)
		map_fill(&r, to + old_len, to + len);
	map_drop(i);
	map_guard(&r);
	map_insert(&r);
}

/* mremap's work (mman_lock held, room for 4 maps): the new address or a
 * negative errno. */
static intptr_t do_mremap(uintptr_t a, size_t old_len, size_t len, int flags,
			  uintptr_t to)
{
	size_t i = map_index(a);
	if (i >= nr_maps || maps[i].start > a || maps[i].end < a + old_len)
		return -EFAULT;
	if (map_isolate(a, a + old_len) < 0)
		return -ENOMEM;
	if (flags & MREMAP_FIXED) {
		int k = mman_area_of(to, to + len);
		if (k < 0)
			return -ENOMEM;
		if (unmap_range(to, to + len) < 0)
			return -ENOMEM;
		mman_space_take_at(k, to, to + len);
		map_move(map_index(a), to, k, len);
		return (intptr_t)to;
	}
	if (len <= old_len)
		return unmap_range(a + len, a + old_len) < 0 ? -ENOMEM
							     : (intptr_t)a;
	struct map *m = &maps[i];
	if (mman_space_is_free(m->area, a + old_len, a + len)) {
		mman_space_take_at(m->area, a + old_len, a + len);
		map_unguard(m);
		m->end = a + len;
		if (m->file)
			map_fill(m, a + old_len, a + len);
		map_guard(m);
		return (intptr_t)a;
	}
	if (!(flags & MREMAP_MAYMOVE))
		return -ENOMEM;
	int node = ksys_node(), k = node >= 0 && node < MMAN_AREAS ? node : 0;
	to = mman_space_take(k, len);
	if (!to)
		return -ENOMEM;
	map_move(i, to, k, len);
	return (intptr_t)to;
}

void *mremap(void *old, size_t old_len, size_t len, int flags, ...)
{
	uintptr_t a = (uintptr_t)old, to = 0;
	if (flags & MREMAP_FIXED) {
		va_list ap;
		va_start(ap, flags);
		to = (uintptr_t)va_arg(ap, void *);
		va_end(ap);
	}
	if (!aligned(a) || !aligned(to) || !old_len || !len ||
	    (flags & ~(MREMAP_MAYMOVE | MREMAP_FIXED)) ||
	    flags == MREMAP_FIXED || old_len > SIZE_MAX - MMAN_PAGE ||
	    len > SIZE_MAX - MMAN_PAGE)
		return mmap_fail(-EINVAL);
	old_len = page_up(old_len);
	len = page_up(len);
	if (a + old_len < a || to + len < to ||
	    ((flags & MREMAP_FIXED) && to < a + old_len && a < to + len))
		return mmap_fail(-EINVAL);
	ulock_lock(&mman_lock);
	intptr_t r =
	    map_room(4) ? do_mremap(a, old_len, len, flags, to) : -ENOMEM;
	ulock_unlock(&mman_lock);
	return r < 0 ? mmap_fail((int)r) : (void *)r;
}

/* ---- protection, sync, advice ------------------------------------------- */

/* The checks mprotect, msync and madvise share: [a, a+len) page aligned
 * at a, not wrapping. Sets *b; -EINVAL otherwise. */
static int range_decode(void *addr, size_t len, uintptr_t *b)
{
	uintptr_t a = (uintptr_t)addr;
	if (!aligned(a) || len > SIZE_MAX - MMAN_PAGE || a + page_up(len) < a)
		return -EINVAL;
	*b = a + page_up(len);
	return 0;
}

static int fail(int rc)
{
	if (rc >= 0)
		return 0;
	errno = -rc;
	return -1;
}

static int do_mprotect(uintptr_t a, uintptr_t b, int prot)
{
	if (!map_covered(a, b))
		return -ENOMEM;
	for (size_t i = map_index(a); i < nr_maps && maps[i].start < b; i++)
		if (maps[i].file && (maps[i].flags & MAP_SHARED) &&
		    (prot & PROT_WRITE) && !maps[i].writable)
			return -EACCES;
	if (!map_room(2) || map_isolate(a, b) < 0)
		return -ENOMEM;
	for (size_t i = map_index(a); i < nr_maps && maps[i].start < b; i++) {
		map_unguard(&maps[i]);
		maps[i].prot = prot;
		map_guard(&maps[i]);
	}
	return 0;
}

int mprotect(void *addr, size_t len, int prot)
{
	uintptr_t b;
	int rc = range_decode(addr, len, &b);
	if (rc == 0 && (prot & ~PROT_ALL))
		rc = -EINVAL;
	if (rc < 0 || !len)
		return fail(rc);
	ulock_lock(&mman_lock);
	rc = do_mprotect((uintptr_t)addr, b, prot);
	ulock_unlock(&mman_lock);
	return fail(rc);
}

int msync(void *addr, size_t len, int flags)
{
	uintptr_t a = (uintptr_t)addr, b;
	int rc = range_decode(addr, len, &b);
	if (rc == 0 && ((flags & ~(MS_ASYNC | MS_SYNC | MS_INVALIDATE)) ||
			(flags & (MS_ASYNC | MS_SYNC)) == (MS_ASYNC | MS_SYNC)))
		rc = -EINVAL;
	if (rc < 0 || !len)
		return fail(rc);
	ulock_lock(&mman_lock);
	rc = map_covered(a, b) ? 0 : -ENOMEM;
	for (size_t i = map_index(a); !rc && i < nr_maps && maps[i].start < b;
	     i++) {
		struct map *m = &maps[i];
		map_sync(m, a > m->start ? a : m->start,
			 b < m->end ? b : m->end);
	}
	ulock_unlock(&mman_lock);
	return fail(rc);
}

/* MADV_DONTNEED and MADV_FREE on [a, b) of map m: private maps read as
 * they were made again (zeros, or the file's bytes now); shared ones
 * keep their contents (they are the memory itself). */
static void map_discard(struct map *m, uintptr_t a, uintptr_t b)
{
	if (m->flags & MAP_SHARED)
		return;
	bool guarded = m->guarded;
	map_unguard(m);
	mman_zero(a, b - a);
	if (m->file)
		map_fill(m, a, b);
	if (guarded)
		map_guard(m);
}

int madvise(void *addr, size_t len, int advice)
{
	uintptr_t a = (uintptr_t)addr, b;
	int rc = range_decode(addr, len, &b);
	switch (advice) {
	case MADV_NORMAL:
	case MADV_RANDOM:
	case MADV_SEQUENTIAL:
	case MADV_WILLNEED:
	case MADV_DONTNEED:
	case MADV_FREE:
	case MADV_DONTFORK:
	case MADV_DOFORK:
	case MADV_HUGEPAGE:
	case MADV_NOHUGEPAGE:
	case MADV_DONTDUMP:
	case MADV_DODUMP:
		break;
	default:
		rc = -EINVAL;
	}
	if (rc < 0 || !len)
		return fail(rc);
	ulock_lock(&mman_lock);
	rc = map_covered(a, b) ? 0 : -ENOMEM;
	if (!rc && (advice == MADV_DONTNEED || advice == MADV_FREE))
		for (size_t i = map_index(a); i < nr_maps && maps[i].start < b;
		     i++) {
			struct map *m = &maps[i];
			map_discard(m, a > m->start ? a : m->start,
				    b < m->end ? b : m->end);
		}
	ulock_unlock(&mman_lock);
	return fail(rc);
}

/* Advice only: the result is an error number, not -1 with errno. */
int posix_madvise(void *addr, size_t len, int advice)
{
	if (!aligned((uintptr_t)addr))
		return EINVAL;
	if (advice < POSIX_MADV_NORMAL || advice > POSIX_MADV_DONTNEED)
		return EINVAL;
	return 0;
}

/* Memory is never paged out: locking it is always done. */
int mlock(const void *addr, size_t len)
{
	return 0;
}

int munlock(const void *addr, size_t len)
{
	return 0;
}

int mlockall(int flags)
{
	if (!flags || (flags & ~(MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT))) {
		errno = EINVAL;
		return -1;
	}
	return 0;
}

int munlockall(void)
{
	return 0;
}

int getpagesize(void)
{
	return (int)MMAN_PAGE;
}
