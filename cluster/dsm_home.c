/*
 * cluster/dsm_home.c — first-touch homes (dsm.home=first_touch) for the pages
 * of the program's static data: the first node to fault on a page becomes
 * its home. (Heap and stacks are homed where they were allocated, in the
 * allocating node's span, under every setting.)
 *
 * Every node must agree on a page's home before it sends the page's first
 * request, so the claim goes to the page's manager (the node the
 * interleaved rule names), an RPC on CNET_SVC_DSM_HOME:
 *   CLAIM   the first claim makes its sender the home; the manager answers
 *           the home once the home has confirmed, and -EAGAIN to others
 *           until then (they ask again after a millisecond);
 *   CONFIRM the new home has recorded itself (so a request can never reach
 *           a home that does not know it is one yet).
 * Each node caches the homes it learnt (never changed afterwards); the
 * engine's home() reads the cache, filled before the fault is handed to
 * it (cluster/dsm.c). One extra round trip per node per static page, on its
 * first fault there.
 *
 * Guards: (hl) home_lock, a spinlock: taken under dsm_lock, never held
 * across a send.
 */
#include "cluster/dsm.h"
#include "cluster/dsm_home_msg.h"
#include "kernel/errno.h"
#include "kernel/kstring.h"
#include "kernel/log.h"
#include "kernel/spinlock.h"
#include "kernel/thread.h"
#include "mm/kmalloc.h"
#include "mm/vm.h"
#include "net/cnet.h"

#define HOME_BUCKETS 1024

struct hent {
	struct hent *next;
	uint64_t page;
	int16_t home;	/* known home (cache), or the claimant (manager) */
	bool confirmed; /* manager: the claimant has recorded itself */
};

static struct spinlock home_lock = SPINLOCK_INIT;
static struct hent *cache[HOME_BUCKETS];  /* (hl) homes this node learnt */
static struct hent *claims[HOME_BUCKETS]; /* (hl) pages this node manages */

static struct hent **slot(struct hent **tab, uint64_t page)
{
	struct hent **p = &tab[(page * 0x9e3779b97f4a7c15ull) >> 54];
	while (*p && (*p)->page != page)
		p = &(*p)->next;
	return p;
}

int dsm_home_cached(uint64_t page)
{
	unsigned long f = spin_lock_irqsave(&home_lock);
	struct hent *e = *slot(cache, page);
	int h = e ? e->home : -1;
	spin_unlock_irqrestore(&home_lock, f);
	return h;
}

static void remember(uint64_t page, int home)
{
	struct hent *e = kmalloc(sizeof(*e));
	if (!e)
		return; /* asked again next time */
	e->page = page;
	e->home = (int16_t)home;
	e->confirmed = true;
	unsigned long f = spin_lock_irqsave(&home_lock);
	struct hent **p = slot(cache, page);
	if (!*p) {
		e->next = NULL;
		*p = e;
		e = NULL;
	}
	spin_unlock_irqrestore(&home_lock, f);
	kfree(e);
}

static int manager_of(uint64_t page)
{
	return (int)(page % (uint64_t)cnet_nodes());
}

static struct dsm_home_scope scope; /* (c) set by dsm_home_start */

/* The manager's side (in the service's thread). */
static int serve(int from, const void *args, size_t len, void *out, size_t cap,
		 void *ctx)
{
	(void)ctx;
	struct dsm_home_req r;
	int32_t answer;
	unsigned long f;
	if (cap < sizeof(answer) || dsm_home_req_check(args, len, &scope, &r))
		goto bad;
	struct hent *fresh =
	    r.op == DSM_HOME_CLAIM ? kmalloc(sizeof(*fresh)) : NULL;
	f = spin_lock_irqsave(&home_lock);
	struct hent **p = slot(claims, r.page);
	if (r.op == DSM_HOME_CONFIRM) {
		bool mine = *p && (*p)->home == from;
		if (mine)
			(*p)->confirmed = true;
		answer = mine ? from : -EINVAL;
	} else if (!*p && fresh) {
		fresh->page = r.page;
		fresh->home = (int16_t)from;
		fresh->confirmed = false;
		fresh->next = NULL;
		*p = fresh;
		fresh = NULL;
		answer = from; /* the first touch */
	} else if (!*p) {
		answer = -ENOMEM;
	} else if ((*p)->confirmed || (*p)->home == from) {
		answer = (*p)->home;
	} else {
		answer = -EAGAIN; /* the home is still recording itself */
	}
	spin_unlock_irqrestore(&home_lock, f);
	kfree(fresh);
	if (answer == -EINVAL)
		dsm_count_bad(); /* a confirm for a claim that is not its own */
	if (answer < 0)
		return answer;
	memcpy(out, &answer, sizeof(answer));
	return sizeof(answer);
bad:
	dsm_count_bad();
	return -EINVAL;
}

#define CLAIM_TIMEOUT_NS (10 * NSEC_PER_SEC)

int dsm_home_resolve(uint64_t page)
{
	int h = dsm_home_cached(page);
	if (h >= 0)
		return h;
	struct dsm_home_req r = {DSM_HOME_CLAIM, 0, page};
	int32_t home;
	for (;;) {
		int rc =
		    cnet_call(manager_of(page), CNET_SVC_DSM_HOME, &r,
			      sizeof(r), &home, sizeof(home), CLAIM_TIMEOUT_NS);
		if (rc == -EAGAIN) {
			thread_sleep_ns(NSEC_PER_MSEC);
			continue;
		}
		if (rc < 0)
			return rc;
		if (rc != sizeof(home) || home < 0 || home >= cnet_nodes())
			return -EPROTO;
		break;
	}
	remember(page, home);
	if (home == cnet_self()) { /* recorded: now the others may learn it */
		r.op = DSM_HOME_CONFIRM;
		int rc =
		    cnet_call(manager_of(page), CNET_SVC_DSM_HOME, &r,
			      sizeof(r), &home, sizeof(home), CLAIM_TIMEOUT_NS);
		if (rc < 0)
			return rc;
	}
	return dsm_home_cached(page);
}

extern char __gas_data_start[], __gas_bss_end[];

int dsm_home_start(void)
{
	scope.page_lo = (uintptr_t)__gas_data_start >> PAGE_SHIFT;
	scope.page_hi =
	    ((uintptr_t)__gas_bss_end + PAGE_SIZE - 1) >> PAGE_SHIFT;
	scope.nodes = cnet_nodes();
	scope.self = cnet_self();
	return cnet_serve(CNET_SVC_DSM_HOME, serve, NULL);
}
