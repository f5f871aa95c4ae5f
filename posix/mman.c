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
 * Each call checks its arguments first (*_decode, no lock), then acts on
 * the table of maps (mman_map.c) under mman_lock.
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

#define PROT_ALL (PROT_READ | PROT_WRITE | PROT_EXEC)
#define MAP_KNOWN                                                              \
	(MAP_SHARED | MAP_PRIVATE | MAP_FIXED | MAP_ANONYMOUS |                \
	 MAP_GROWSDOWN | MAP_LOCKED | MAP_NORESERVE | MAP_POPULATE |           \
	 MAP_NONBLOCK | MAP_STACK | MAP_FIXED_NOREPLACE)

/* ---- mmap and munmap ---------------------------------------------------- */

/* Checks mmap's arguments: 0 or a negative errno. */
static int mmap_decode(uintptr_t a, size_t len, int prot, int flags, off_t off)
{
	int type = flags & (MAP_SHARED | MAP_PRIVATE);
	if (!len || (prot & ~PROT_ALL) || (flags & ~MAP_KNOWN) ||
	    (type != MAP_SHARED && type != MAP_PRIVATE) || off < 0 ||
	    !mman_aligned((uintptr_t)off))
		return -EINVAL;
	if ((flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) && !mman_aligned(a))
		return -EINVAL;
	if (len > SIZE_MAX - MMAN_PAGE)
		return -ENOMEM;
	return 0;
}

/* Places the new map m (start, end set; mman_lock held). */
static int mmap_place(struct mman_map *m, int flags)
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
	size_t i = mman_map_index(m->start);
	if (flags & MAP_FIXED_NOREPLACE && i < mman_nr_maps &&
	    mman_maps[i].start < m->end)
		return -EEXIST;
	int rc = mman_unmap(m->start, m->end);
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
	struct mman_map m = {.start = (uintptr_t)addr, .prot = prot};
	m.guard_node = ksys_node();
	m.end = m.start + mman_page_up(len);
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
		m.base_len = mman_page_up(len);
		if (fsize - m.off < m.base_len)
			m.base_len = (size_t)(fsize - m.off);
		rc = -ENOMEM;
		m.base = malloc(m.base_len);
		if (!m.base)
			goto fail_file;
	}
	ulock_lock(&mman_lock);
	rc = mman_map_room(3) ? mmap_place(&m, flags) : -ENOMEM;
	if (rc < 0)
		goto fail_locked;
	if (m.file) {
		mman_map_fill(&m, m.start, m.end);
		if (m.base)
			memcpy(m.base, (void *)m.start, m.base_len);
	}
	mman_map_guard(&m);
	mman_map_insert(&m);
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
	if (!mman_aligned(a) || !len || len > SIZE_MAX - MMAN_PAGE ||
	    a + mman_page_up(len) < a) {
		errno = EINVAL;
		return -1;
	}
	ulock_lock(&mman_lock);
	int rc =
	    mman_map_room(2) ? mman_unmap(a, a + mman_page_up(len)) : -ENOMEM;
	ulock_unlock(&mman_lock);
	if (rc < 0) {
		errno = -rc;
		return -1;
	}
	return 0;
}

/* ---- mremap ------------------------------------------------------------- */
/* mremap's work (mman_lock held, room for 4 maps): the new address or a
 * negative errno. */
static intptr_t do_mremap(uintptr_t a, size_t old_len, size_t len, int flags,
			  uintptr_t to)
{
	size_t i = mman_map_index(a);
	if (i >= mman_nr_maps || mman_maps[i].start > a ||
	    mman_maps[i].end < a + old_len)
		return -EFAULT;
	if (mman_map_isolate(a, a + old_len) < 0)
		return -ENOMEM;
	if (flags & MREMAP_FIXED) {
		int k = mman_area_of(to, to + len);
		if (k < 0)
			return -ENOMEM;
		if (mman_unmap(to, to + len) < 0)
			return -ENOMEM;
		mman_space_take_at(k, to, to + len);
		mman_map_move(mman_map_index(a), to, k, len);
		return (intptr_t)to;
	}
	if (len <= old_len)
		return mman_unmap(a + len, a + old_len) < 0 ? -ENOMEM
							    : (intptr_t)a;
	struct mman_map *m = &mman_maps[i];
	if (mman_space_is_free(m->area, a + old_len, a + len)) {
		mman_space_take_at(m->area, a + old_len, a + len);
		mman_map_unguard(m);
		m->end = a + len;
		if (m->file)
			mman_map_fill(m, a + old_len, a + len);
		mman_map_guard(m);
		return (intptr_t)a;
	}
	if (!(flags & MREMAP_MAYMOVE))
		return -ENOMEM;
	int node = ksys_node(), k = node >= 0 && node < MMAN_AREAS ? node : 0;
	to = mman_space_take(k, len);
	if (!to)
		return -ENOMEM;
	mman_map_move(i, to, k, len);
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
	if (!mman_aligned(a) || !mman_aligned(to) || !old_len || !len ||
	    (flags & ~(MREMAP_MAYMOVE | MREMAP_FIXED)) ||
	    flags == MREMAP_FIXED || old_len > SIZE_MAX - MMAN_PAGE ||
	    len > SIZE_MAX - MMAN_PAGE)
		return mmap_fail(-EINVAL);
	old_len = mman_page_up(old_len);
	len = mman_page_up(len);
	if (a + old_len < a || to + len < to ||
	    ((flags & MREMAP_FIXED) && to < a + old_len && a < to + len))
		return mmap_fail(-EINVAL);
	ulock_lock(&mman_lock);
	intptr_t r =
	    mman_map_room(4) ? do_mremap(a, old_len, len, flags, to) : -ENOMEM;
	ulock_unlock(&mman_lock);
	return r < 0 ? mmap_fail((int)r) : (void *)r;
}

/* ---- protection, sync, advice ------------------------------------------- */

/* The checks mprotect, msync and madvise share: [a, a+len) page aligned
 * at a, not wrapping. Sets *b; -EINVAL otherwise. */
static int range_decode(void *addr, size_t len, uintptr_t *b)
{
	uintptr_t a = (uintptr_t)addr;
	if (!mman_aligned(a) || len > SIZE_MAX - MMAN_PAGE ||
	    a + mman_page_up(len) < a)
		return -EINVAL;
	*b = a + mman_page_up(len);
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
	if (!mman_map_covered(a, b))
		return -ENOMEM;
	for (size_t i = mman_map_index(a);
	     i < mman_nr_maps && mman_maps[i].start < b; i++)
		if (mman_maps[i].file && (mman_maps[i].flags & MAP_SHARED) &&
		    (prot & PROT_WRITE) && !mman_maps[i].writable)
			return -EACCES;
	if (!mman_map_room(2) || mman_map_isolate(a, b) < 0)
		return -ENOMEM;
	for (size_t i = mman_map_index(a);
	     i < mman_nr_maps && mman_maps[i].start < b; i++) {
		struct mman_map *m = &mman_maps[i];
		if (m->prot == prot)
			continue;
		mman_map_unguard(m);
		if (prot == PROT_NONE)
			m->guard_node = ksys_node();
		m->prot = prot;
		mman_map_guard(m);
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
	rc = mman_map_each(a, b, mman_map_sync);
	ulock_unlock(&mman_lock);
	return fail(rc);
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
	bool discard = advice == MADV_DONTNEED || advice == MADV_FREE;
	ulock_lock(&mman_lock);
	rc = mman_map_each(a, b, discard ? mman_map_discard : NULL);
	ulock_unlock(&mman_lock);
	return fail(rc);
}

/* Advice only: the result is an error number, not -1 with errno. */
int posix_madvise(void *addr, size_t len, int advice)
{
	if (!mman_aligned((uintptr_t)addr))
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
