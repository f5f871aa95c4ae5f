/*
 * posix/tls.c — per-thread TLS blocks and newlib's reentrancy hook.
 *
 * Layout (x86_64 variant II): [ TLS data (template .tdata, zeroed .tbss) ]
 * [ struct pthread (the TCB) ]; %fs points at the TCB, whose first word
 * points to itself. A thread's block sits right above its stack (in the
 * node's stack region where it runs, posix/pthread.c), or is a malloc
 * allocation when the program gave the stack; either way whole pages of
 * its own: the thread cache of the allocator and errno live in it, and a
 * thread on another node must not share a page with them (each write
 * would take the page from it). The thread writes its block itself.
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

size_t posix_tls_area(size_t *tcb_off)
{
	size_t align;
	*tcb_off = posix_tls_size(&align);
	size_t page = TLS_PAGE > align ? TLS_PAGE : align;
	return align_up(*tcb_off + sizeof(struct pthread), page);
}

struct pthread *posix_tls_init(uint8_t *block, size_t tcb_off)
{
	const void *tdata;
	size_t dlen, mlen, align;
	ksys_tls_template(&tdata, &dlen, &mlen, &align);
	size_t off = tcb_off - mlen; /* the data ends at the TCB */
	memset(block, 0, off);
	memcpy(block + off, tdata, dlen);
	memset(block + off + dlen, 0, mlen - dlen);
	struct pthread *p = (struct pthread *)(block + tcb_off);
	memset(p, 0, sizeof(*p));
	p->self = p;
	p->state = PT_RUNNING;
	p->cancel_state = PTHREAD_CANCEL_ENABLE;
	p->cancel_type = PTHREAD_CANCEL_DEFERRED;
	_REENT_INIT_PTR(&p->reent);
	return p;
}

/* newlib (built with __DYNAMIC_REENT__) finds errno and stdio state here. */
struct _reent *__getreent(void);
struct _reent *__getreent(void)
{
	struct pthread *p = pthread_cur();
	return p ? &p->reent : _impure_ptr;
}
