/*
 * tests/unit/test_virtq.c — unit tests of the split virtqueue ring logic
 * (drivers/virtq.c) against a simulated device that reads the available
 * ring and writes the used ring as a virtio 1.0 device does: exact layouts,
 * descriptor contents and chaining, full rings, out-of-order completion,
 * every malformed used entry, notification and interrupt flags, 16-bit
 * index wraparound, and a seeded random stress against a model.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "drivers/virtq.h"

static _Alignas(16) uint8_t ring[8192];
static struct virtq vq;

/* ---- the simulated device
 * ---------------------------------------------------- */

struct sim {
	uint16_t last_avail; /* next available entry the device reads */
	uint16_t used_idx;   /* next used slot it writes */
};
static struct sim dev;

struct taken {
	uint16_t head;
	unsigned n;
	struct virtq_desc d[VIRTQ_MAX_SIZE];
};

/* The device reads the next published chain; false if none. */
static bool dev_take(struct taken *t)
{
	uint16_t avail = __atomic_load_n(&vq.avail->idx, __ATOMIC_ACQUIRE);
	if (avail == dev.last_avail)
		return false;
	t->head = vq.avail->ring[dev.last_avail % vq.size];
	dev.last_avail++;
	uint16_t d = t->head;
	t->n = 0;
	for (;;) {
		assert_true(d < vq.size);
		assert_true(t->n < vq.size);
		t->d[t->n++] = vq.desc[d];
		if (!(vq.desc[d].flags & VIRTQ_DESC_F_NEXT))
			break;
		d = vq.desc[d].next;
	}
	return true;
}

static void dev_complete(uint32_t id, uint32_t len)
{
	vq.used->ring[dev.used_idx % vq.size] =
	    (struct virtq_used_elem){id, len};
	dev.used_idx++;
	__atomic_store_n(&vq.used->idx, dev.used_idx, __ATOMIC_RELEASE);
}

static int setup(uint16_t size)
{
	memset(&dev, 0, sizeof(dev));
	memset(ring, 0xa5, sizeof(ring));
	return virtq_init(&vq, size, ring);
}

static int add1(uint64_t addr, uint32_t len, bool write, void *cookie)
{
	struct virtq_seg s = {addr, len, write};
	return virtq_add(&vq, &s, 1, cookie);
}

/* ---- tests
 * ------------------------------------------------------------------------ */

static void test_layout(void **state)
{
	(void)state;
	struct virtq_layout l;
	assert_int_equal(virtq_layout(256, &l), 0);
	assert_int_equal(l.desc_off, 0);
	assert_int_equal(l.avail_off, 4096);
	assert_int_equal(l.used_off, 4616); /* 4096 + 518, aligned to 4 */
	assert_int_equal(l.total, 6670);    /* + 6 + 256 * 8 */
	assert_int_equal(virtq_layout(1, &l), 0);
	assert_int_equal(l.avail_off, 16);
	assert_int_equal(l.used_off, 24);
	assert_int_equal(l.total, 38);
	assert_int_equal(virtq_layout(0, &l), -EINVAL);
	assert_int_equal(virtq_layout(3, &l), -EINVAL);
	assert_int_equal(virtq_layout(100, &l), -EINVAL);
	assert_int_equal(virtq_layout(512, &l), -EINVAL);
	assert_int_equal(virtq_init(&vq, 12, ring), -EINVAL);
}

static void test_init_clears(void **state)
{
	(void)state;
	assert_int_equal(setup(256), 0);
	for (size_t i = 0; i < 6670; i++)
		assert_int_equal(ring[i], 0);
	assert_int_equal(ring[6670], 0xa5); /* not past the end */
	assert_int_equal(virtq_free(&vq), 256);
	assert_false(virtq_has_used(&vq));
}

static void test_single_round_trip(void **state)
{
	(void)state;
	int cookie;
	struct taken t;
	void *c;
	uint32_t len;

	assert_int_equal(setup(8), 0);
	assert_int_equal(add1(0x12340, 2048, true, &cookie), 0);
	assert_int_equal(virtq_free(&vq), 7);
	assert_int_equal(virtq_unused(&vq), 0); /* added, not published */
	assert_false(dev_take(&t));		/* not published yet */
	virtq_publish(&vq);
	assert_int_equal(vq.avail->idx, 1);
	assert_int_equal(virtq_unused(&vq), 1);
	assert_true(dev_take(&t));
	assert_int_equal(t.head, 0);
	assert_int_equal(t.n, 1);
	assert_int_equal(t.d[0].addr, 0x12340);
	assert_int_equal(t.d[0].len, 2048);
	assert_int_equal(t.d[0].flags, VIRTQ_DESC_F_WRITE);
	assert_int_equal(virtq_pop(&vq, &c, &len), -EAGAIN);
	assert_null(c);
	dev_complete(0, 100);
	assert_int_equal(virtq_unused(&vq), 0); /* the device has none left */
	assert_true(virtq_has_used(&vq));
	assert_int_equal(virtq_pop(&vq, &c, &len), 0);
	assert_ptr_equal(c, &cookie);
	assert_int_equal(len, 100);
	assert_int_equal(virtq_free(&vq), 8);
	assert_false(virtq_has_used(&vq));
	assert_int_equal(virtq_pop(&vq, &c, &len), -EAGAIN);
}

static void test_chain(void **state)
{
	(void)state;
	int cookie;
	struct taken t;
	void *c;
	uint32_t len;
	struct virtq_seg segs[3] = {
	    {0x1000, 12, false}, {0x2000, 100, false}, {0x3000, 50, true}};

	assert_int_equal(setup(8), 0);
	assert_int_equal(virtq_add(&vq, segs, 3, &cookie), 0);
	virtq_publish(&vq);
	assert_int_equal(virtq_free(&vq), 5);
	assert_true(dev_take(&t));
	assert_int_equal(t.n, 3);
	assert_int_equal(t.d[0].flags, VIRTQ_DESC_F_NEXT);
	assert_int_equal(t.d[1].flags, VIRTQ_DESC_F_NEXT);
	assert_int_equal(t.d[2].flags, VIRTQ_DESC_F_WRITE);
	assert_int_equal(t.d[0].addr, 0x1000);
	assert_int_equal(t.d[1].len, 100);
	assert_int_equal(t.d[2].addr, 0x3000);
	dev_complete(t.head, 50); /* exactly the writable bytes */
	assert_int_equal(virtq_pop(&vq, &c, &len), 0);
	assert_ptr_equal(c, &cookie);
	assert_int_equal(len, 50);
	assert_int_equal(virtq_free(&vq), 8);

	/* A length above the writable bytes: skipped, chain reclaimed. */
	assert_int_equal(virtq_add(&vq, segs, 3, &cookie),
			 0); /* reused first */
	virtq_publish(&vq);
	assert_true(dev_take(&t));
	dev_complete(t.head, 51);
	assert_int_equal(virtq_pop(&vq, &c, &len), -EIO);
	assert_ptr_equal(c, &cookie);
	assert_int_equal(len, 0);
	assert_int_equal(virtq_free(&vq), 8);
}

static void test_invalid_add(void **state)
{
	(void)state;
	int cookie;
	struct virtq_seg ok = {0x1000, 10, false};
	struct virtq_seg zero[1] = {{0x1000, 0, false}};
	struct virtq_seg order[2] = {{0x1000, 10, true}, {0x2000, 10, false}};
	struct virtq_seg many[9];

	assert_int_equal(setup(8), 0);
	for (int i = 0; i < 9; i++)
		many[i] = ok;
	assert_int_equal(virtq_add(&vq, &ok, 0, &cookie), -EINVAL);
	assert_int_equal(virtq_add(&vq, many, 9, &cookie), -EINVAL);
	assert_int_equal(virtq_add(&vq, &ok, 1, NULL), -EINVAL);
	assert_int_equal(virtq_add(&vq, zero, 1, &cookie), -EINVAL);
	assert_int_equal(virtq_add(&vq, order, 2, &cookie), -EINVAL);
	assert_int_equal(virtq_free(&vq), 8);
	assert_int_equal(vq.avail_idx, 0);
}

static void test_full(void **state)
{
	(void)state;
	int cookies[8];
	struct virtq_seg two[2] = {{0x1000, 10, false}, {0x2000, 10, true}};

	assert_int_equal(setup(8), 0);
	for (int i = 0; i < 7; i++)
		assert_int_equal(add1(0x1000u * i, 64, true, &cookies[i]), i);
	assert_int_equal(virtq_add(&vq, two, 2, &cookies[7]), -ENOSPC);
	assert_int_equal(virtq_free(&vq), 1);
	assert_int_equal(vq.avail_idx, 7);
	assert_int_equal(add1(0x7000, 64, true, &cookies[7]), 7);
	assert_int_equal(add1(0x8000, 64, true, &cookies[0]), -ENOSPC);
	assert_int_equal(virtq_free(&vq), 0);
}

static void test_out_of_order(void **state)
{
	(void)state;
	int cookies[4];
	void *c;
	uint32_t len;
	const uint32_t order[4] = {2, 0, 3, 1};

	assert_int_equal(setup(4), 0);
	for (int i = 0; i < 4; i++)
		assert_int_equal(add1(0x1000u * i, 64, true, &cookies[i]), i);
	virtq_publish(&vq);
	for (int i = 0; i < 4; i++)
		dev_complete(order[i], order[i] + 1);
	for (int i = 0; i < 4; i++) {
		assert_int_equal(virtq_pop(&vq, &c, &len), 0);
		assert_ptr_equal(c, &cookies[order[i]]);
		assert_int_equal(len, order[i] + 1);
	}
	/* The free list now runs 1, 3, 0, 2: every descriptor comes back. */
	int seen = 0;
	for (int i = 0; i < 4; i++) {
		int h = add1(0x1000, 64, true, &cookies[i]);
		assert_true(h >= 0 && h < 4);
		assert_false(seen & (1 << h));
		seen |= 1 << h;
	}
	assert_int_equal(seen, 0xf);
	assert_int_equal(add1(0x1000, 64, true, &cookies[0]), -ENOSPC);
}

static void test_bad_used_entries(void **state)
{
	(void)state;
	int cookies[2];
	void *c;
	uint32_t len;

	assert_int_equal(setup(8), 0);
	assert_int_equal(add1(0x1000, 64, true, &cookies[0]), 0);
	assert_int_equal(add1(0x2000, 64, true, &cookies[1]), 1);
	virtq_publish(&vq);
	dev_complete(8, 10); /* id out of range */
	dev_complete(5, 10); /* never handed over */
	dev_complete(0, 10);
	dev_complete(0, 10); /* twice */
	dev_complete(1, 64);
	assert_int_equal(virtq_pop(&vq, &c, &len), -EIO);
	assert_null(c);
	assert_int_equal(virtq_pop(&vq, &c, &len), -EIO);
	assert_null(c);
	assert_int_equal(virtq_pop(&vq, &c, &len), 0);
	assert_ptr_equal(c, &cookies[0]);
	assert_int_equal(virtq_pop(&vq, &c, &len), -EIO);
	assert_null(c);
	assert_int_equal(virtq_pop(&vq, &c, &len), 0);
	assert_ptr_equal(c, &cookies[1]);
	assert_int_equal(len, 64);
	assert_int_equal(virtq_pop(&vq, &c, &len), -EAGAIN);
	assert_int_equal(virtq_free(&vq), 8);
}

static void test_broken_used_index(void **state)
{
	(void)state;
	int cookie;
	void *c;
	uint32_t len;

	assert_int_equal(setup(8), 0);
	assert_int_equal(add1(0x1000, 64, true, &cookie), 0);
	virtq_publish(&vq);
	vq.used->idx = 9; /* nine entries when only eight could exist */
	assert_int_equal(virtq_pop(&vq, &c, &len), -EPIPE);
	assert_int_equal(virtq_pop(&vq, &c, &len), -EPIPE);
	assert_int_equal(add1(0x1000, 64, true, &cookie), -EPIPE);
	/* Exactly the queue size ahead is still believable. */
	assert_int_equal(setup(8), 0);
	assert_int_equal(add1(0x1000, 64, true, &cookie), 0);
	vq.used->idx = 8;
	assert_int_equal(virtq_pop(&vq, &c, &len), 0);
}

static void test_flags(void **state)
{
	(void)state;
	assert_int_equal(setup(8), 0);
	assert_true(virtq_needs_notify(&vq));
	vq.used->flags = VIRTQ_USED_F_NO_NOTIFY;
	assert_false(virtq_needs_notify(&vq));
	vq.used->flags = 0;
	assert_true(virtq_needs_notify(&vq));
	virtq_set_interrupts(&vq, false);
	assert_int_equal(vq.avail->flags, VIRTQ_AVAIL_F_NO_INTERRUPT);
	virtq_set_interrupts(&vq, true);
	assert_int_equal(vq.avail->flags, 0);
}

/* 70000 requests through a queue of 4: both 16-bit indices wrap. */
static void test_wraparound(void **state)
{
	(void)state;
	struct taken t;
	void *c;
	uint32_t len;
	uintptr_t sent = 1, got = 1;

	assert_int_equal(setup(4), 0);
	for (int round = 0; round < 70000 / 2; round++) {
		for (int k = 0; k < 2; k++, sent++)
			assert_true(add1(sent * 64, 64, true, (void *)sent) >=
				    0);
		virtq_publish(&vq);
		while (dev_take(&t))
			dev_complete(t.head, (uint32_t)(t.d[0].addr / 64 % 65));
		while (virtq_pop(&vq, &c, &len) == 0) {
			assert_int_equal((uintptr_t)c, got);
			assert_int_equal(len, got % 65);
			got++;
		}
	}
	assert_int_equal(got, 70001);
	assert_int_equal(vq.avail->idx, (uint16_t)70000);
	assert_int_equal(vq.used->idx, (uint16_t)70000);
	assert_int_equal(virtq_free(&vq), 4);
}

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static uint32_t rnd(uint32_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng % n);
}

/* Random chains, completed by the device in random order with random
 * lengths, checked against a model of what is in flight. */
static void test_random_stress(void **state)
{
	(void)state;
	enum { SIZE = 16 };
	struct model {
		bool busy;
		unsigned n;
		uint32_t wlen;
	} m[SIZE] = {0};
	uint16_t pending[SIZE]; /* taken by the device, not completed */
	unsigned npending = 0, in_flight_desc = 0;
	uint32_t expect_len[SIZE];
	struct taken t;

	assert_int_equal(setup(SIZE), 0);
	for (int op = 0; op < 200000; op++) {
		unsigned what = rnd(3);
		if (what == 0) { /* add a chain */
			struct virtq_seg segs[4];
			unsigned n = 1 + rnd(4), nout = rnd(n + 1);
			uint32_t wlen = 0;
			for (unsigned i = 0; i < n; i++) {
				segs[i] = (struct virtq_seg){
				    0x1000 + rnd(1 << 20), 1 + rnd(3000),
				    i >= nout};
				if (i >= nout)
					wlen += segs[i].len;
			}
			int h = virtq_add(&vq, segs, n,
					  (void *)(uintptr_t)(op + 1));
			if (n > SIZE - in_flight_desc) {
				assert_int_equal(h, -ENOSPC);
				continue;
			}
			assert_true(h >= 0 && h < SIZE);
			assert_false(m[h].busy);
			m[h] = (struct model){true, n, wlen};
			in_flight_desc += n;
			virtq_publish(&vq);
			assert_true(dev_take(&t));
			assert_int_equal(t.head, h);
			assert_int_equal(t.n, n);
			for (unsigned i = 0; i < n; i++)
				assert_int_equal(
				    t.d[i].flags & VIRTQ_DESC_F_WRITE,
				    i >= nout ? VIRTQ_DESC_F_WRITE : 0);
			pending[npending++] = (uint16_t)h;
		} else if (what == 1 && npending) { /* device completes one */
			unsigned k = rnd(npending);
			uint16_t h = pending[k];
			pending[k] = pending[--npending];
			expect_len[h] = m[h].wlen ? rnd(m[h].wlen + 1) : 0;
			dev_complete(h, expect_len[h]);
		} else { /* driver pops everything */
			void *c;
			uint32_t len;
			int rc;
			while ((rc = virtq_pop(&vq, &c, &len)) == 0) {
				uint16_t h =
				    vq.used
					->ring[(uint16_t)(vq.last_used - 1) %
					       SIZE]
					.id;
				assert_true(m[h].busy);
				assert_int_equal(len, expect_len[h]);
				m[h].busy = false;
				in_flight_desc -= m[h].n;
			}
			assert_int_equal(rc, -EAGAIN);
			assert_int_equal(virtq_free(&vq),
					 SIZE - in_flight_desc);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_layout),
	    cmocka_unit_test(test_init_clears),
	    cmocka_unit_test(test_single_round_trip),
	    cmocka_unit_test(test_chain),
	    cmocka_unit_test(test_invalid_add),
	    cmocka_unit_test(test_full),
	    cmocka_unit_test(test_out_of_order),
	    cmocka_unit_test(test_bad_used_entries),
	    cmocka_unit_test(test_broken_used_index),
	    cmocka_unit_test(test_flags),
	    cmocka_unit_test(test_wraparound),
	    cmocka_unit_test(test_random_stress),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
