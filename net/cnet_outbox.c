/*
 * net/cnet_outbox.c — the send-after-unlock queue of the engines that talk
 * on the transport (see net/cnet_outbox.h for the contract and the memory
 * policy).
 */
#include "kernel/errno.h"
#include "kernel/kstring.h"
#include "kernel/log.h"
#include "kernel/panic.h"
#include "kernel/thread.h"
#include "kernel/time.h"
#include "mm/kmalloc.h"
#include "net/cnet_opt.h"
#include "net/cnet_outbox.h"

static void count(uint64_t *c)
{
	__atomic_fetch_add(c, 1, __ATOMIC_RELAXED);
}

int cnet_outbox_init(struct cnet_outbox *ob, const char *name, size_t max_len,
		     int reserve, bool ordered)
{
	memset(ob, 0, sizeof(*ob));
	ob->name = name;
	ob->max_len = max_len;
	ob->ordered = ordered;
	ob->tail = &ob->head;
	mutex_init(&ob->order);
	spin_lock_init(&ob->reserve_lock);
	ob->alloc = kmalloc;
	ob->send = cnet_send;
	ob->wait_ns = CNET_OUTBOX_WAIT_NS;
	for (int i = 0; i < reserve; i++) {
		struct cnet_outmsg *m = kmalloc(sizeof(*m) + max_len);
		if (!m)
			return -ENOMEM;
		m->reserved = true;
		m->next = ob->reserve;
		ob->reserve = m;
	}
	return 0;
}

static struct cnet_outmsg *reserve_take(struct cnet_outbox *ob)
{
	unsigned long f = spin_lock_irqsave(&ob->reserve_lock);
	struct cnet_outmsg *m = ob->reserve;
	if (m)
		ob->reserve = m->next;
	spin_unlock_irqrestore(&ob->reserve_lock, f);
	return m;
}

static void release(struct cnet_outbox *ob, struct cnet_outmsg *m)
{
	if (!m->reserved) {
		kfree(m);
		return;
	}
	unsigned long f = spin_lock_irqsave(&ob->reserve_lock);
	m->next = ob->reserve;
	ob->reserve = m;
	spin_unlock_irqrestore(&ob->reserve_lock, f);
}

/* A buffer for a message of len bytes: the heap, the reserve, or, while
 * both are out, the heap or the reserve again after a pause. */
static struct cnet_outmsg *get_buffer(struct cnet_outbox *ob, size_t len)
{
	struct cnet_outmsg *m = ob->alloc(sizeof(*m) + len);
	if (m) {
		m->reserved = false;
		return m;
	}
	uint64_t waited = 0;
	for (;;) {
		m = reserve_take(ob);
		if (m) {
			count(&ob->st.from_reserve);
			return m;
		}
		if (waited == 0)
			count(&ob->st.waited);
		if (waited >= ob->wait_ns)
			return NULL;
		thread_sleep_ns(CNET_OUTBOX_RETRY_NS);
		waited += CNET_OUTBOX_RETRY_NS;
		m = ob->alloc(sizeof(*m) + len);
		if (m) {
			m->reserved = false;
			return m;
		}
	}
}

int cnet_outbox_put(struct cnet_outbox *ob, int dst, uint16_t service,
		    const struct cnet_iov *parts, int nparts)
{
	size_t len = 0;
	for (int i = 0; i < nparts; i++)
		len += parts[i].len;
	if (len > ob->max_len)
		return -E2BIG;
	struct cnet_outmsg *m = get_buffer(ob, len);
	if (!m) {
		count(&ob->st.lost);
		pr_err("cnet",
		       "%s: no memory for a %zu-byte message to node %d "
		       "(service %u) after %lu ms: not sent",
		       ob->name, len, dst, service,
		       (unsigned long)(ob->wait_ns / NSEC_PER_MSEC));
		return -ENOMEM;
	}
	m->next = NULL;
	m->dst = dst;
	m->service = service;
	m->len = 0;
	for (int i = 0; i < nparts; i++) {
		memcpy(m->data + m->len, parts[i].base, parts[i].len);
		m->len += parts[i].len;
	}
	*ob->tail = m;
	ob->tail = &m->next;
	return 0;
}

void cnet_outbox_extract(struct cnet_outbox *ob,
			 bool (*take)(const struct cnet_outmsg *m, void *ctx),
			 void (*fn)(const struct cnet_outmsg *m, void *ctx),
			 void *ctx)
{
	struct cnet_outmsg **link = &ob->head;
	while (*link) {
		struct cnet_outmsg *m = *link;
		if (!take(m, ctx)) {
			link = &m->next;
			continue;
		}
		*link = m->next;
		if (ob->tail == &m->next)
			ob->tail = link;
		fn(m, ctx); /* may append: *link is looked at next */
		release(ob, m);
	}
}

int cnet_outbox_unlock_and_send(struct cnet_outbox *ob,
				struct mutex *engine_lock)
{
	assert(mutex_owned(engine_lock)); /* it guards head and tail */
	struct cnet_outmsg *m = ob->head;
	ob->head = NULL;
	ob->tail = &ob->head;
	bool ordered = ob->ordered && m;
	if (ordered)
		mutex_lock(&ob->order);
	mutex_unlock(engine_lock);
	int err = 0;
	while (m) {
		struct cnet_outmsg *next = m->next;
		int rc = ob->send(m->dst, m->service, m->data, m->len);
		if (rc) {
			count(&ob->st.send_errors);
			pr_err("cnet",
			       "%s: a %zu-byte message to node %d (service "
			       "%u) not sent: %d",
			       ob->name, m->len, m->dst, m->service, rc);
			if (!err)
				err = rc;
		} else {
			count(&ob->st.sent);
		}
		release(ob, m);
		m = next;
	}
	if (ordered)
		mutex_unlock(&ob->order);
	return err;
}

void cnet_outbox_get_stats(const struct cnet_outbox *ob,
			   struct cnet_outbox_stats *st)
{
	st->sent = __atomic_load_n(&ob->st.sent, __ATOMIC_RELAXED);
	st->send_errors =
	    __atomic_load_n(&ob->st.send_errors, __ATOMIC_RELAXED);
	st->from_reserve =
	    __atomic_load_n(&ob->st.from_reserve, __ATOMIC_RELAXED);
	st->waited = __atomic_load_n(&ob->st.waited, __ATOMIC_RELAXED);
	st->lost = __atomic_load_n(&ob->st.lost, __ATOMIC_RELAXED);
}
