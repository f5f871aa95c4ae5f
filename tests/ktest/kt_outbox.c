/*
 * tests/ktest/kt_outbox.c — the engines' outbox (net/cnet_outbox.c), with
 * its heap and transport replaced: messages leave in the order put, those
 * an engine keeps for itself are taken out in order, a send error does
 * not stop the others, and when the heap is out the reserve carries the
 * messages, a full reserve makes put wait (bounded) and then refuse with
 * -ENOMEM, counted.
 */
#include "kernel/errno.h"
#include "kernel/kstring.h"
#include "kernel/ktest.h"
#include "kernel/sync.h"
#include "kernel/time.h"
#include "mm/kmalloc.h"
#include "net/cnet_outbox.h"

#define SENT_MAX 8
static struct {
	int n;
	int dst[SENT_MAX];
	char first[SENT_MAX]; /* the message's first byte */
	int fail_dst;	      /* a send to this node fails with -EHOSTUNREACH */
} sent;

static int fake_send(int node, uint16_t service, const void *msg, size_t len)
{
	(void)service, (void)len;
	if (node == sent.fail_dst)
		return -EHOSTUNREACH;
	if (sent.n < SENT_MAX) {
		sent.dst[sent.n] = node;
		sent.first[sent.n] = *(const char *)msg;
	}
	sent.n++;
	return 0;
}

static void *no_memory(size_t n)
{
	(void)n;
	return NULL;
}

static int put(struct cnet_outbox *ob, int dst, const char *s)
{
	struct cnet_iov parts[2] = {{s, 1}, {s + 1, strlen(s) - 1}};
	return cnet_outbox_put(ob, dst, 5, parts, 2);
}

static struct cnet_outbox ob; /* large: not on the kernel stack */

static void setup(int reserve)
{
	memset(&sent, 0, sizeof(sent));
	sent.fail_dst = -1;
	cnet_outbox_init(&ob, "test", 16, reserve, true);
	ob.send = fake_send;
}

KTEST(outbox, order_and_send_errors)
{
	struct mutex lk;
	mutex_init(&lk);
	setup(0);
	mutex_lock(&lk);
	KT_EQ(put(&ob, 1, "a1"), 0);
	KT_EQ(put(&ob, 2, "b2"), 0);
	KT_EQ(put(&ob, 3, "c3"), 0);
	KT_EQ(put(&ob, 1, "0123456789abcdefg"), -E2BIG); /* 17 > 16 bytes */
	KT_ASSERT(cnet_outbox_pending(&ob));
	sent.fail_dst = 2;
	KT_EQ(cnet_outbox_unlock_and_send(&ob, &lk), -EHOSTUNREACH);
	KT_ASSERT(mutex_trylock(&lk)); /* it was dropped */
	KT_EQ(sent.n, 2);
	KT_EQ(sent.dst[0], 1);
	KT_EQ(sent.first[0], 'a');
	KT_EQ(sent.dst[1], 3);
	KT_EQ(sent.first[1], 'c');
	struct cnet_outbox_stats st;
	cnet_outbox_get_stats(&ob, &st);
	KT_EQ(st.sent, 2);
	KT_EQ(st.send_errors, 1);
	KT_EQ(st.lost, 0);
	KT_ASSERT(!cnet_outbox_pending(&ob));
	mutex_unlock(&lk);
}

static bool to_self(const struct cnet_outmsg *m, void *ctx)
{
	return m->dst == *(int *)ctx;
}

static char kept[4];
static int nkept;
static void keep(const struct cnet_outmsg *m, void *ctx)
{
	(void)ctx;
	kept[nkept++] = (char)m->data[0];
	if (m->data[0] == 'x') /* handling one may queue more: seen too */
		put(&ob, 0, "z0");
}

KTEST(outbox, extract_own_messages_in_order)
{
	struct mutex lk;
	mutex_init(&lk);
	setup(0);
	nkept = 0;
	mutex_lock(&lk);
	put(&ob, 0, "x0");
	put(&ob, 1, "p1");
	put(&ob, 0, "y0");
	put(&ob, 1, "q1");
	int self = 0;
	cnet_outbox_extract(&ob, to_self, keep, &self);
	KT_EQ(nkept, 3);
	KT_EQ(kept[0], 'x');
	KT_EQ(kept[1], 'y');
	KT_EQ(kept[2], 'z');
	KT_EQ(cnet_outbox_unlock_and_send(&ob, &lk), 0);
	KT_EQ(sent.n, 2);
	KT_EQ(sent.first[0], 'p');
	KT_EQ(sent.first[1], 'q');
}

KTEST(outbox, reserve_then_bounded_wait_then_enomem)
{
	struct mutex lk;
	mutex_init(&lk);
	setup(2);
	ob.alloc = no_memory;
	ob.wait_ns = 20 * NSEC_PER_MSEC;
	mutex_lock(&lk);
	KT_EQ(put(&ob, 1, "r1"), 0);
	KT_EQ(put(&ob, 1, "s1"), 0);
	uint64_t t0 = clock_ns();
	KT_EQ(put(&ob, 1, "t1"), -ENOMEM);
	KT_ASSERT(clock_ns() - t0 >= 20 * NSEC_PER_MSEC); /* it waited */
	struct cnet_outbox_stats st;
	cnet_outbox_get_stats(&ob, &st);
	KT_EQ(st.from_reserve, 2);
	KT_EQ(st.waited, 1);
	KT_EQ(st.lost, 1);
	KT_EQ(cnet_outbox_unlock_and_send(&ob, &lk), 0);
	KT_EQ(sent.n, 2);
	KT_EQ(sent.first[0], 'r');
	KT_EQ(sent.first[1], 's');
	/* sent: the reserve buffers are back */
	mutex_lock(&lk);
	KT_EQ(put(&ob, 1, "u1"), 0);
	KT_EQ(put(&ob, 1, "v1"), 0);
	KT_EQ(cnet_outbox_unlock_and_send(&ob, &lk), 0);
	cnet_outbox_get_stats(&ob, &st);
	KT_EQ(st.from_reserve, 4);
	KT_EQ(st.sent, 4);
	while (ob.reserve) { /* the test's outbox goes away */
		struct cnet_outmsg *m = ob.reserve;
		ob.reserve = m->next;
		kfree(m);
	}
}
