/*
 * t_mman.c — memory maps: anonymous maps (private and shared), exact
 * errors, partial munmap and re-map, MAP_FIXED and MAP_FIXED_NOREPLACE,
 * mprotect, msync, madvise, mremap, the mlock family, file maps (private
 * copies of ramfs and initrd files, shared write-back at msync and
 * munmap), address space reuse.
 */
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

#include "ptest.h"

#define PG 4096
#define RW (PROT_READ | PROT_WRITE)
#define AP (MAP_PRIVATE | MAP_ANONYMOUS)

static char *map(size_t len)
{
	return mmap(NULL, len, RW, AP, -1, 0);
}

static int all(const char *p, size_t n, char c)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != c)
			return 0;
	return 1;
}

static void t_errors(void)
{
	CHECK_EQ(sysconf(_SC_PAGESIZE), 4096, "sysconf(_SC_PAGESIZE)");
	CHECK_EQ(getpagesize(), 4096, "getpagesize");
	CHECK_ERRNO(mmap(NULL, 0, RW, AP, -1, 0), EINVAL, "mmap len 0: EINVAL");
	CHECK_ERRNO(mmap((void *)0x1001, PG, RW, AP | MAP_FIXED, -1, 0), EINVAL,
		    "MAP_FIXED unaligned: EINVAL");
	CHECK_ERRNO(mmap(NULL, PG, RW, MAP_ANONYMOUS, -1, 0), EINVAL,
		    "neither SHARED nor PRIVATE: EINVAL");
	CHECK_ERRNO(mmap(NULL, PG, RW, MAP_SHARED | AP, -1, 0), EINVAL,
		    "both SHARED and PRIVATE: EINVAL");
	CHECK_ERRNO(mmap(NULL, PG, 0x10, AP, -1, 0), EINVAL,
		    "bad prot bits: EINVAL");
	CHECK_ERRNO(mmap(NULL, PG, RW, AP, -1, 100), EINVAL,
		    "unaligned offset: EINVAL");
	CHECK_ERRNO(mmap(NULL, PG, RW, MAP_PRIVATE, -1, 0), EBADF,
		    "file map of fd -1: EBADF");
	CHECK_ERRNO(mmap(NULL, PG, RW, MAP_SHARED, 999, 0), EBADF,
		    "file map of fd 999: EBADF");
	CHECK_ERRNO(mmap(NULL, (size_t)1 << 40, RW, AP | MAP_NORESERVE, -1, 0),
		    ENOMEM, "1 TiB: ENOMEM");
	static char stat_page[2 * PG];
	uintptr_t s = ((uintptr_t)stat_page + PG - 1) & ~(uintptr_t)(PG - 1);
	CHECK_ERRNO(mmap((void *)s, PG, RW, AP | MAP_FIXED, -1, 0), ENOMEM,
		    "MAP_FIXED over static data: ENOMEM");
	CHECK_ERRNO(munmap((void *)0x1001, PG), EINVAL,
		    "munmap unaligned: EINVAL");
	CHECK_ERRNO(munmap(stat_page, 0), EINVAL, "munmap len 0: EINVAL");
	CHECK_EQ(mlock(stat_page, 100), 0, "mlock");
	CHECK_EQ(munlock(stat_page, 100), 0, "munlock");
	CHECK_EQ(mlockall(MCL_CURRENT | MCL_FUTURE), 0, "mlockall");
	CHECK_EQ(munlockall(), 0, "munlockall");
}

static void *writer(void *p)
{
	memset(p, 'T', 2 * PG);
	return NULL;
}

static void t_anon(void)
{
	char *p = map(3 * PG);
	CHECK(p != MAP_FAILED && ((uintptr_t)p & (PG - 1)) == 0,
	      "anonymous map: page aligned");
	CHECK(all(p, 3 * PG, 0), "zero-filled");
	memset(p, 'a', 3 * PG);
	CHECK(all(p, 3 * PG, 'a'), "written and read back");
	/* a hole in the middle, then filled again */
	CHECK_EQ(munmap(p + PG, PG), 0, "munmap of the middle page");
	CHECK_EQ(munmap(p + PG, PG), 0, "munmap of it again: 0");
	CHECK_ERRNO(mprotect(p + PG, PG, PROT_READ), ENOMEM,
		    "mprotect of the hole: ENOMEM");
	CHECK(all(p, PG, 'a') && all(p + 2 * PG, PG, 'a'),
	      "the outer pages keep their bytes");
	char *q = mmap(p + PG, PG, RW, AP | MAP_FIXED_NOREPLACE, -1, 0);
	CHECK(q == p + PG, "MAP_FIXED_NOREPLACE into the hole");
	CHECK(all(q, PG, 0), "the re-mapped page reads zeros");
	CHECK_ERRNO(mmap(p, PG, RW, AP | MAP_FIXED_NOREPLACE, -1, 0), EEXIST,
		    "MAP_FIXED_NOREPLACE over a map: EEXIST");
	q = mmap(p + 2 * PG, PG, RW, AP | MAP_FIXED | MAP_POPULATE, -1, 0);
	CHECK(q == p + 2 * PG && all(q, PG, 0) && all(p, PG, 'a'),
	      "MAP_FIXED replaces a page: zeros there, the rest kept");
	CHECK_EQ(munmap(p, 3 * PG), 0, "munmap of the whole range");

	/* shared anonymous memory written by another thread */
	char *s = mmap(NULL, 2 * PG, RW, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	pthread_t t;
	CHECK(s != MAP_FAILED && pthread_create(&t, NULL, writer, s) == 0 &&
		  pthread_join(t, NULL) == 0,
	      "shared map: a thread writes it");
	CHECK(all(s, 2 * PG, 'T'), "main reads what the thread wrote");
	CHECK_EQ(munmap(s, 2 * PG), 0, "munmap shared");

	/* a large sparse map */
	char *big = mmap(NULL, (size_t)1 << 30, RW, AP | MAP_NORESERVE, -1, 0);
	CHECK(big != MAP_FAILED, "1 GiB MAP_NORESERVE");
	big[0] = 1;
	big[((size_t)1 << 30) - 1] = 2;
	CHECK(big[0] == 1 && big[((size_t)1 << 30) - 1] == 2 &&
		  big[(size_t)1 << 29] == 0,
	      "1 GiB map: touched ends, a zero middle");
	CHECK_EQ(munmap(big, (size_t)1 << 30), 0, "munmap 1 GiB");
}

static void t_protect(void)
{
	char *p = map(4 * PG);
	memset(p, 'p', 4 * PG);
	CHECK_ERRNO(mprotect(p, PG, 0x8), EINVAL, "mprotect bad prot: EINVAL");
	CHECK_ERRNO(mprotect(p + 1, PG, PROT_READ), EINVAL,
		    "mprotect unaligned: EINVAL");
	CHECK_ERRNO(mprotect(p, 5 * PG, PROT_READ), ENOMEM,
		    "mprotect past the map: ENOMEM");
	CHECK_EQ(mprotect(p + PG, PG, PROT_READ), 0, "mprotect PROT_READ");
	CHECK_EQ(mprotect(p + PG, 2 * PG, RW), 0, "mprotect back to RW");
	CHECK(all(p, 4 * PG, 'p'), "contents kept through mprotect");
	CHECK_EQ(mprotect(p, 0, PROT_NONE), 0, "mprotect len 0: 0");
	/* a PROT_NONE page never touched: made accessible again, zeros */
	char *g = mmap(NULL, 2 * PG, PROT_NONE, AP, -1, 0);
	CHECK(g != MAP_FAILED, "PROT_NONE map");
	CHECK_EQ(mprotect(g, PG, RW), 0, "mprotect a PROT_NONE page to RW");
	g[0] = 'g';
	CHECK(g[0] == 'g' && g[1] == 0, "the page made RW works");
	CHECK_EQ(munmap(g, 2 * PG), 0, "munmap the PROT_NONE map");
	/* no guard outlives its map or its PROT_NONE: these touches must
	 * not end the program */
	g = mmap(NULL, 3 * PG, PROT_NONE, AP, -1, 0);
	CHECK_EQ(mprotect(g + PG, PG, RW), 0, "middle of a PROT_NONE map RW");
	g[PG] = 'm';
	CHECK(g[PG] == 'm', "the middle page works");
	CHECK_EQ(munmap(g, 3 * PG), 0, "munmap it");
	char *h = map(3 * PG);
	memset(h, 'h', 3 * PG);
	CHECK(h == g && all(h, 3 * PG, 'h'),
	      "the range mapped RW again works whole");
	CHECK_EQ(mprotect(h, 3 * PG, PROT_NONE), 0, "whole map PROT_NONE");
	CHECK_EQ(mprotect(h, 3 * PG, RW), 0, "and back");
	char *r = mremap(h, 3 * PG, 6 * PG, MREMAP_MAYMOVE);
	CHECK(r != MAP_FAILED && all(r, 3 * PG, 'h') &&
		  all(r + 3 * PG, 3 * PG, 0),
	      "a map that was PROT_NONE, remapped, works");
	CHECK_EQ(munmap(r, 6 * PG), 0, "munmap it");

	CHECK_ERRNO(msync(p, PG, MS_SYNC | MS_ASYNC), EINVAL,
		    "msync SYNC|ASYNC: EINVAL");
	CHECK_ERRNO(msync(p, PG, 0x100), EINVAL, "msync bad flag: EINVAL");
	CHECK_ERRNO(msync(p + 1, PG, MS_SYNC), EINVAL,
		    "msync unaligned: EINVAL");
	CHECK_ERRNO(msync(p, 5 * PG, MS_SYNC), ENOMEM,
		    "msync past the map: ENOMEM");
	CHECK_EQ(msync(p, 4 * PG, MS_SYNC | MS_INVALIDATE), 0,
		 "msync of an anonymous map");

	CHECK_ERRNO(madvise(p, PG, 1234), EINVAL, "madvise bad advice: EINVAL");
	CHECK_ERRNO(madvise(p + 1, PG, MADV_NORMAL), EINVAL,
		    "madvise unaligned: EINVAL");
	CHECK_ERRNO(madvise(p, 5 * PG, MADV_WILLNEED), ENOMEM,
		    "madvise past the map: ENOMEM");
	CHECK_EQ(madvise(p, PG, MADV_WILLNEED), 0, "madvise WILLNEED");
	CHECK_EQ(madvise(p + PG, PG, MADV_DONTNEED), 0, "madvise DONTNEED");
	CHECK(all(p + PG, PG, 0) && all(p, PG, 'p') && all(p + 2 * PG, PG, 'p'),
	      "DONTNEED: private anonymous page reads zeros, others kept");
	CHECK_EQ(posix_madvise(p, PG, POSIX_MADV_SEQUENTIAL), 0,
		 "posix_madvise");
	CHECK_EQ(posix_madvise(p, PG, 99), EINVAL,
		 "posix_madvise bad advice: EINVAL returned");
	CHECK_EQ(munmap(p, 4 * PG), 0, "munmap");
}

static void fill(char *p, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (char)(seed + i * 7);
}

static int same(const char *p, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != (char)(seed + i * 7))
			return 0;
	return 1;
}

static void t_remap(void)
{
	char *p = map(PG);
	fill(p, PG, 1);
	char *q = mremap(p, PG, 3 * PG, 0);
	CHECK(q == p, "mremap grows in place");
	CHECK(same(q, PG, 1) && all(q + PG, 2 * PG, 0),
	      "grown map: old bytes kept, new ones zero");
	fill(q, 3 * PG, 2);
	CHECK(mremap(q, 3 * PG, PG, 0) == q, "mremap shrinks in place");
	CHECK(same(q, PG, 2), "shrunk map keeps its bytes");
	char *t = mmap(q + PG, PG, RW, AP | MAP_FIXED_NOREPLACE, -1, 0);
	CHECK(t == q + PG, "the shrunk tail is free again");
	/* now q cannot grow in place */
	CHECK_ERRNO(mremap(q, PG, 2 * PG, 0), ENOMEM,
		    "mremap blocked, no MAYMOVE: ENOMEM");
	char *m = mremap(q, PG, 4 * PG, MREMAP_MAYMOVE);
	CHECK(m != MAP_FAILED && m != q, "mremap MAYMOVE moves");
	CHECK(same(m, PG, 2) && all(m + PG, 3 * PG, 0),
	      "moved map: bytes kept, the rest zero");
	CHECK_ERRNO(mprotect(q, PG, RW), ENOMEM, "old range unmapped");
	CHECK_ERRNO(mremap(q, PG, PG, 0), EFAULT, "mremap unmapped: EFAULT");
	CHECK_ERRNO(mremap(m, PG, 0, 0), EINVAL, "mremap to 0: EINVAL");
	CHECK_ERRNO(mremap(m, PG, PG, MREMAP_FIXED, q), EINVAL,
		    "MREMAP_FIXED without MAYMOVE: EINVAL");
	char *f = mremap(m, 4 * PG, 2 * PG, MREMAP_MAYMOVE | MREMAP_FIXED, q);
	CHECK(f == q && same(f, PG, 2) && all(f + PG, PG, 0),
	      "MREMAP_FIXED moves onto the given address");
	CHECK_ERRNO(mprotect(m, PG, RW), ENOMEM, "and leaves the old range");
	CHECK_EQ(munmap(f, 2 * PG), 0, "munmap moved map");
}

static void t_reuse(void)
{
	char *first = map(16 * PG);
	int ok = first != MAP_FAILED, same_addr = 1;
	if (ok)
		munmap(first, 16 * PG);
	for (int i = 0; i < 1000 && ok; i++) {
		char *p = map(16 * PG);
		if (p == MAP_FAILED) {
			ok = 0;
			break;
		}
		if (p != first)
			same_addr = 0;
		if (!all(p, 16 * PG, 0))
			ok = 0;
		memset(p, 'r', 16 * PG);
		if (munmap(p, 16 * PG))
			ok = 0;
	}
	CHECK(ok, "1000 map/write/unmap cycles, each map zero");
	CHECK(same_addr, "the address space is reused: same address each time");
}

static void t_files(void)
{
	static char data[10000];
	fill(data, sizeof(data), 3);
	int fd = open("/mman.dat", O_CREAT | O_RDWR | O_TRUNC, 0644);
	CHECK(fd >= 0 && write(fd, data, sizeof(data)) == sizeof(data),
	      "file written");
	char *p = mmap(NULL, 3 * PG, PROT_READ, MAP_PRIVATE, fd, 0);
	CHECK(p != MAP_FAILED, "private file map");
	CHECK(same(p, sizeof(data), 3), "private map: the file's bytes");
	CHECK(all(p + sizeof(data), 3 * PG - sizeof(data), 0),
	      "beyond the end of file: zeros");
	CHECK_EQ(mprotect(p, 3 * PG, RW), 0, "private file map made RW");
	p[0] = 'X';
	char c = 0;
	CHECK(pread(fd, &c, 1, 0) == 1 && c == data[0],
	      "a write to a private map does not reach the file");
	CHECK_EQ(madvise(p, PG, MADV_DONTNEED), 0,
		 "DONTNEED a private file map");
	CHECK(p[0] == data[0], "DONTNEED: the file's bytes again");
	CHECK_EQ(munmap(p, 3 * PG), 0, "munmap private file map");
	p = mmap(NULL, PG, PROT_READ, MAP_PRIVATE, fd, PG);
	CHECK(p != MAP_FAILED && same(p, PG, 3 + PG * 7),
	      "map at file offset 4096");
	munmap(p, PG);

	/* shared: the file sees the writes at msync and munmap */
	char *s = mmap(NULL, 3 * PG, RW, MAP_SHARED, fd, 0);
	CHECK(s != MAP_FAILED && same(s, sizeof(data), 3), "shared file map");
	memset(s + 100, 'S', 50);
	s[9999] = 'E';
	s[10001] = 'Z'; /* past the end: never reaches the file */
	char buf[200];
	CHECK(pread(fd, buf, 50, 100) == 50 && same(buf, 50, 3 + 700),
	      "before msync the file is unchanged");
	CHECK_EQ(msync(s, 3 * PG, MS_SYNC), 0, "msync MS_SYNC");
	CHECK(pread(fd, buf, 50, 100) == 50 && all(buf, 50, 'S'),
	      "after msync read() sees the map's bytes");
	CHECK(pread(fd, buf, 1, 9999) == 1 && buf[0] == 'E',
	      "the last byte too");
	CHECK_EQ(lseek(fd, 0, SEEK_END), 10000, "the file did not grow");
	/* a write to the file between syncs is kept where the map did
	 * not change */
	CHECK(pwrite(fd, "w", 1, 5000) == 1, "write() to the file");
	memset(s + 8000, 'U', 10);
	close(fd);
	CHECK_EQ(munmap(s, 3 * PG), 0, "munmap after close");
	fd = open("/mman.dat", O_RDONLY);
	CHECK(pread(fd, buf, 10, 8000) == 10 && all(buf, 10, 'U'),
	      "munmap wrote the map's changes back");
	CHECK(pread(fd, buf, 1, 5000) == 1 && buf[0] == 'w',
	      "write()'s byte kept: only changed bytes written back");
	CHECK_ERRNO(mmap(NULL, PG, RW, MAP_SHARED, fd, 0), EACCES,
		    "shared RW map of an O_RDONLY fd: EACCES");
	s = mmap(NULL, PG, PROT_READ, MAP_SHARED, fd, 0);
	CHECK(s != MAP_FAILED && s[100] == 'S', "shared read-only map");
	CHECK_ERRNO(mprotect(s, PG, RW), EACCES, "mprotect it to RW: EACCES");
	munmap(s, PG);
	close(fd);
	fd = open("/mman.dat", O_WRONLY);
	CHECK_ERRNO(mmap(NULL, PG, PROT_READ, MAP_PRIVATE, fd, 0), EACCES,
		    "map of an O_WRONLY fd: EACCES");
	close(fd);
	fd = open("/", O_RDONLY);
	CHECK_ERRNO(mmap(NULL, PG, PROT_READ, MAP_PRIVATE, fd, 0), ENODEV,
		    "map of a directory: ENODEV");
	close(fd);

	/* the initrd */
	fd = open("/data/input.txt", O_RDONLY);
	int n = fd >= 0 ? (int)read(fd, buf, sizeof(buf)) : -1;
	p = mmap(NULL, PG, PROT_READ, MAP_SHARED, fd, 0);
	CHECK(n > 0 && p != MAP_FAILED && !memcmp(p, buf, (size_t)n) &&
		  all(p + n, PG - (size_t)n, 0),
	      "initrd file map: its bytes, then zeros");
	CHECK_ERRNO(mmap(NULL, PG, RW, MAP_SHARED, fd, 0), EACCES,
		    "shared RW map of an initrd file: EACCES");
	munmap(p, PG);
	close(fd);
	unlink("/mman.dat");
}

int main(void)
{
	t_errors();
	t_anon();
	t_protect();
	t_remap();
	t_reuse();
	t_files();
	return pt_done();
}
