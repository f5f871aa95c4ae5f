/*
 * posix/tls.c — per-thread TLS blocks and newlib's reentrancy hook.
 *
 * Layout (x86_64 variant II): [ TLS data (template .tdata, zeroed .tbss) ]
 * [ struct pthread (the TCB) ]; %fs points at the TCB, whose first word
 * points to itself. The block is one malloc allocation in the global
 * address space, of whole pages of its own: the thread cache of the
 * allocator and errno live in it, and a thread on another node must not
 * share a page with them (each write would take the page from it).
 */
#include <stdlib.h>
#include <string.h>

#include "posix/posix_impl.h"

#define TLS_PAGE 4096

static size_t align_up(size_t v, size_t a)
{
	return (v + a - 1) & ~(a - 1);
}

size_t posix_tls_size(size_t *align)
{
	const void *tdata;
	size_t dlen, mlen;
	ksys_tls_template(&tdata, &dlen, &mlen, align);
	return align_up(mlen, *align);
}

void posix_tls_fill(uint8_t *block, size_t tls)
{
	const void *tdata;
	size_t dlen, mlen, align;
	ksys_tls_template(&tdata, &dlen, &mlen, &align);
	size_t off = tls - mlen; /* the data ends at the TCB */
	memset(block, 0, off);
	memcpy(block + off, tdata, dlen);
	memset(block + off + dlen, 0, mlen - dlen);
}

struct pthread *posix_tls_alloc(void)
{
	size_t align, tls = posix_tls_size(&align);
	void *block;
	size_t page = TLS_PAGE > align ? TLS_PAGE : align;
	if (posix_memalign(&block, page,
			   align_up(tls + sizeof(struct pthread), page)))
		return NULL;
	posix_tls_fill(block, tls);
	struct pthread *p = (struct pthread *)((char *)block + tls);
	memset(p, 0, sizeof(*p));
	p->self = p;
	p->tls_block = block;
	_REENT_INIT_PTR(&p->reent);
	return p;
}

/* The thread's reent holds no FILE of its own (stdin, stdout and stderr
 * are the process's global streams, see libc/build.mk): reclaiming it
 * frees per-thread buffers and never closes a descriptor. */
void posix_tls_free(struct pthread *p)
{
	_reclaim_reent(&p->reent);
	free(p->tls_block); /* NULL for the main thread's static block */
}

/* newlib (built with __DYNAMIC_REENT__) finds errno and stdio state here. */
struct _reent *__getreent(void);
struct _reent *__getreent(void)
{
	struct pthread *p = pthread_cur();
	return p ? &p->reent : _impure_ptr;
}
