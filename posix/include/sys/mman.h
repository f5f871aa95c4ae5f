/*
 * <sys/mman.h> — memory maps (newlib has none). posix/mman.c implements
 * them over the global address space; docs/ARCHITECTURE.md ("Memory
 * maps") says exactly what each call does here. The constants carry
 * Linux's x86_64 values, so code written for Linux builds unchanged.
 */
#ifndef _SYS_MMAN_H
#define _SYS_MMAN_H

#include <stddef.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Protection (recorded; PROT_NONE is a guard: see the docs). */
#define PROT_NONE  0x0
#define PROT_READ  0x1
#define PROT_WRITE 0x2
#define PROT_EXEC  0x4

/* Exactly one of MAP_SHARED and MAP_PRIVATE, with any of the others. */
#define MAP_SHARED	    0x01
#define MAP_PRIVATE	    0x02
#define MAP_FIXED	    0x10
#define MAP_ANONYMOUS	    0x20
#define MAP_ANON	    MAP_ANONYMOUS
#define MAP_GROWSDOWN	    0x0100 /* accepted, no special meaning */
#define MAP_LOCKED	    0x2000 /* accepted: memory is never paged out */
#define MAP_NORESERVE	    0x4000 /* accepted: nothing is reserved anyway */
#define MAP_POPULATE	    0x8000 /* accepted: pages come on first touch */
#define MAP_NONBLOCK	    0x10000
#define MAP_STACK	    0x20000
#define MAP_FIXED_NOREPLACE 0x100000

#define MAP_FAILED ((void *)-1)

/* msync */
#define MS_ASYNC      1
#define MS_INVALIDATE 2
#define MS_SYNC	      4

/* madvise */
#define MADV_NORMAL	0
#define MADV_RANDOM	1
#define MADV_SEQUENTIAL 2
#define MADV_WILLNEED	3
#define MADV_DONTNEED	4
#define MADV_FREE	8
#define MADV_DONTFORK	10
#define MADV_DOFORK	11
#define MADV_HUGEPAGE	14
#define MADV_NOHUGEPAGE 15
#define MADV_DONTDUMP	16
#define MADV_DODUMP	17

/* posix_madvise (advice only: every one is accepted and does nothing) */
#define POSIX_MADV_NORMAL     0
#define POSIX_MADV_RANDOM     1
#define POSIX_MADV_SEQUENTIAL 2
#define POSIX_MADV_WILLNEED   3
#define POSIX_MADV_DONTNEED   4

/* mremap */
#define MREMAP_MAYMOVE 1
#define MREMAP_FIXED   2

/* mlockall */
#define MCL_CURRENT 1
#define MCL_FUTURE  2
#define MCL_ONFAULT 4

void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off);
int munmap(void *addr, size_t len);
int mprotect(void *addr, size_t len, int prot);
int msync(void *addr, size_t len, int flags);
int madvise(void *addr, size_t len, int advice);
int posix_madvise(void *addr, size_t len, int advice);
/* The fifth argument (void *new_address) only with MREMAP_FIXED. */
void *mremap(void *old, size_t old_len, size_t new_len, int flags, ...);
int mlock(const void *addr, size_t len);
int munlock(const void *addr, size_t len);
int mlockall(int flags);
int munlockall(void);

#ifdef __cplusplus
}
#endif

#endif
