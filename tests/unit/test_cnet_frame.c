/*
 * tests/unit/test_cnet_frame.c — the frame codec (net/cnet_frame.c): the
 * exact wire bytes of a frame (MAC cross-checked with OpenSSL's SIPHASH),
 * round trips of every kind, every refusal with its exact errno and its one
 * counter, the order of the checks, and sweeps that truncate a frame to
 * every length and flip every bit (in exact-size heap buffers, so ASan
 * catches any read past the end).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "net/cnet_frame.h"

static struct cnet_frame_params P;
static struct cnet_drop_stats drops;

static int setup(void **state)
{
	(void)state;
	memset(&P, 0, sizeof(P));
	cnet_key_derive(&P.key, "test cluster key", 16);
	P.cluster_id = 0x554e554d;
	P.self = 1;
	P.max_nodes = 4;
	P.mtu = 1500;
	P.max_msg = 65536;
	memset(&drops, 0, sizeof(drops));
	return 0;
}

/* A valid DATA|ACK header from node 2 to node 1. */
static struct cnet_frame_info data_info(void)
{
	struct cnet_frame_info fi;

	memset(&fi, 0, sizeof(fi));
	fi.flags = CNET_F_DATA | CNET_F_ACK;
	fi.service = 0x0102;
	fi.src_epoch = 0x11223344;
	fi.dst_epoch = 0x55667788;
	fi.src_node = 2;
	fi.dst_node = 1;
	fi.frag_index = 1;
	fi.frag_count = 3;
	fi.seq = 0x01020304;
	fi.ack = 0x0a0b0c0d;
	fi.sack = 0x8000000000000001ull;
	fi.window = 0x40000;
	fi.msg_len = 3000;
	return fi;
}

struct buf {
	uint8_t *p;
	size_t len;
};

/* Encodes into a buffer of exactly the frame's size. */
static struct buf make(const struct cnet_frame_info *fi, const void *pl,
		       size_t len)
{
	static uint8_t tmp[CNET_ETH_HLEN + CNET_MTU_MAX];
	struct cnet_frame_params p = P;
	struct buf b;
	int n;

	p.mtu = CNET_MTU_MAX;
	n = cnet_frame_encode(&p, fi, pl, len, tmp, sizeof(tmp));
	assert_int_equal(n, CNET_FRAME_OVERHEAD + len);
	b.len = (size_t)n;
	b.p = malloc(b.len);
	memcpy(b.p, tmp, b.len);
	return b;
}

static struct cnet_hdr *hdr(struct buf b)
{
	return (struct cnet_hdr *)(b.p + CNET_ETH_HLEN);
}

static void reseal(struct buf b)
{
	cnet_frame_seal(&P.key, b.p, b.len);
}

/* Decodes b, which must be refused with err counted in exactly `field`. */
static void expect_drop_at(struct buf b, size_t len, int err, size_t field,
			   const char *what)
{
	struct cnet_drop_stats before = drops;
	struct cnet_frame_info fi;
	const void *pl;
	uint8_t *copy = malloc(len ? len : 1);

	memcpy(copy, b.p, len);
	int rc = cnet_frame_decode(&P, copy, len, &fi, &pl, &drops);
	free(copy);
	if (rc != err)
		fail_msg("%s: decode returned %d, want %d", what, rc, err);
	for (size_t off = 0; off < sizeof(drops); off += sizeof(uint64_t)) {
		uint64_t was, now;

		memcpy(&was, (uint8_t *)&before + off, 8);
		memcpy(&now, (uint8_t *)&drops + off, 8);
		if (now != was + (off == field))
			fail_msg("%s: counter at %zu went %llu -> %llu", what,
				 off, (unsigned long long)was,
				 (unsigned long long)now);
	}
}

#define DROP(b, err, field, what)                                              \
	expect_drop_at(b, (b).len, err,                                        \
		       offsetof(struct cnet_drop_stats, field), what)

/* Field by field: the structs have padding. */
static void assert_info_equal(const struct cnet_frame_info *a,
			      const struct cnet_frame_info *b)
{
	assert_int_equal(a->flags, b->flags);
	assert_int_equal(a->service, b->service);
	assert_int_equal(a->src_epoch, b->src_epoch);
	assert_int_equal(a->dst_epoch, b->dst_epoch);
	assert_int_equal(a->src_node, b->src_node);
	assert_int_equal(a->dst_node, b->dst_node);
	assert_int_equal(a->frag_index, b->frag_index);
	assert_int_equal(a->frag_count, b->frag_count);
	assert_int_equal(a->seq, b->seq);
	assert_int_equal(a->ack, b->ack);
	assert_true(a->sack == b->sack);
	assert_int_equal(a->window, b->window);
	assert_int_equal(a->msg_len, b->msg_len);
	assert_int_equal(a->payload_len, b->payload_len);
}

static void expect_ok(struct buf b, struct cnet_frame_info *out)
{
	struct cnet_drop_stats before = drops;
	const void *pl;

	assert_int_equal(cnet_frame_decode(&P, b.p, b.len, out, &pl, &drops),
			 0);
	assert_ptr_equal(pl, b.p + CNET_FRAME_OVERHEAD);
	assert_memory_equal(&before, &drops, sizeof(drops));
}

static void test_wire_bytes(void **state)
{
	static const uint8_t want[CNET_FRAME_OVERHEAD + 5] = {
	    /* Ethernet: addresses zero, EtherType 0x88B5 */
	    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x88, 0xb5,
	    /* version, flags, service */
	    0x01, 0x03, 0x01, 0x02,
	    /* cluster id, src epoch, dst epoch */
	    0x55, 0x4e, 0x55, 0x4d, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77,
	    0x88,
	    /* src node, dst node, frag index, frag count */
	    0x00, 0x02, 0x00, 0x01, 0x00, 0x01, 0x00, 0x03,
	    /* seq, ack */
	    0x01, 0x02, 0x03, 0x04, 0x0a, 0x0b, 0x0c, 0x0d,
	    /* sack */
	    0x80, 0, 0, 0, 0, 0, 0, 0x01,
	    /* window, msg_len */
	    0x00, 0x04, 0x00, 0x00, 0x00, 0x00, 0x0b, 0xb8,
	    /* payload_len, reserved */
	    0x00, 0x05, 0, 0, 0, 0, 0, 0,
	    /* MAC: SipHash 0x8e0b6bd6cde2f3d6 (OpenSSL), big-endian */
	    0x8e, 0x0b, 0x6b, 0xd6, 0xcd, 0xe2, 0xf3, 0xd6, 'h', 'e', 'l', 'l',
	    'o'};
	struct cnet_frame_info fi = data_info(), out;
	struct buf b = make(&fi, "hello", 5);

	(void)state;
	assert_int_equal(b.len, sizeof(want));
	assert_memory_equal(b.p, want, sizeof(want));
	expect_ok(b, &out);
	fi.payload_len = 5;
	assert_info_equal(&out, &fi);
	free(b.p);
}

/* Each valid kind survives encode + decode unchanged. */
static void test_round_trips(void **state)
{
	struct cnet_frame_info k[5], out;
	uint8_t pl[1436];

	(void)state;
	for (unsigned i = 0; i < sizeof(pl); i++)
		pl[i] = (uint8_t)(i * 13);
	for (int i = 0; i < 5; i++)
		memset(&k[i], 0, sizeof(k[i]));
	k[0] = data_info(); /* DATA, largest payload at MTU 1500 */
	k[0].msg_len = 4000;
	k[0].payload_len = 1436;
	k[1].flags = CNET_F_ACK; /* pure ack */
	k[1].seq = 7;
	k[1].ack = 9;
	k[1].sack = 5;
	k[1].window = 100;
	k[2].flags = CNET_F_HELLO;
	k[2].window = 262144;
	k[3].flags = CNET_F_DGRAM; /* broadcast from a node without an id */
	k[3].service = 3;
	k[3].frag_count = 1;
	k[3].msg_len = 10;
	k[3].payload_len = 10;
	k[4] = k[3]; /* a zero-length message */
	k[4].flags = CNET_F_DATA | CNET_F_ACK;
	k[4].frag_count = 1;
	k[4].msg_len = 0;
	k[4].payload_len = 0;
	for (int i = 0; i < 5; i++) {
		k[i].src_epoch = 0xdeadbeef;
		k[i].src_node = i == 3 ? CNET_NODE_NONE : 0;
		k[i].dst_node = i == 3 ? CNET_NODE_BCAST : 1;
		struct buf b = make(&k[i], pl, k[i].payload_len);
		expect_ok(b, &out);
		assert_info_equal(&out, &k[i]);
		free(b.p);
	}
}

static void test_structure_refusals(void **state)
{
	struct cnet_frame_info fi = data_info();
	struct buf b = make(&fi, "hello", 5);
	struct cnet_frame_info big = data_info();
	static uint8_t pl[1437];

	(void)state;
	expect_drop_at(b, 0, -EBADMSG,
		       offsetof(struct cnet_drop_stats, bad_length), "len 0");
	expect_drop_at(b, 13, -EBADMSG,
		       offsetof(struct cnet_drop_stats, bad_length), "len 13");
	expect_drop_at(b, 14, -EBADMSG,
		       offsetof(struct cnet_drop_stats, bad_length), "len 14");
	expect_drop_at(b, 77, -EBADMSG,
		       offsetof(struct cnet_drop_stats, bad_length), "len 77");
	/* Trailing bytes, or fewer than payload_len. */
	expect_drop_at(b, b.len - 1, -EBADMSG,
		       offsetof(struct cnet_drop_stats, bad_length), "short");
	hdr(b)->payload_len = cnet_be16(4);
	reseal(b);
	DROP(b, -EBADMSG, bad_length, "trailing byte");
	hdr(b)->payload_len = cnet_be16(5);
	reseal(b);

	/* Another protocol: checked before anything of ours. */
	b.p[12] = 0x08;
	b.p[13] = 0x00;
	DROP(b, -EOPNOTSUPP, bad_ethertype, "IPv4 EtherType");
	expect_drop_at(b, 14, -EOPNOTSUPP,
		       offsetof(struct cnet_drop_stats, bad_ethertype),
		       "IPv4, 14 bytes");
	b.p[12] = 0x88;
	b.p[13] = 0xb5;

	hdr(b)->version = 0;
	DROP(b, -EPROTO, bad_version, "version 0");
	hdr(b)->version = 2;
	DROP(b, -EPROTO, bad_version, "version 2");
	hdr(b)->version = CNET_VERSION;

	hdr(b)->cluster_id = cnet_be32(0x554e554e);
	reseal(b);
	DROP(b, -EXDEV, wrong_cluster, "other cluster");
	hdr(b)->cluster_id = cnet_be32(P.cluster_id);
	reseal(b);
	expect_ok(b, &fi);
	free(b.p);

	/* Longer than the MTU allows (1437 bytes of payload at 1500). */
	big.msg_len = 4000;
	b = make(&big, pl, sizeof(pl));
	DROP(b, -EBADMSG, bad_length, "over MTU");
	free(b.p);
}

static void test_mac_refusals(void **state)
{
	struct cnet_frame_info fi = data_info();
	struct buf b = make(&fi, "hello", 5);
	struct cnet_frame_params saved = P;

	(void)state;
	b.p[CNET_FRAME_OVERHEAD + 2] ^= 1; /* payload */
	DROP(b, -EACCES, bad_mac, "payload bit");
	b.p[CNET_FRAME_OVERHEAD + 2] ^= 1;
	hdr(b)->seq ^= cnet_be32(0x100); /* header */
	DROP(b, -EACCES, bad_mac, "seq bit");
	hdr(b)->seq ^= cnet_be32(0x100);
	hdr(b)->mac ^= 1; /* the MAC itself */
	DROP(b, -EACCES, bad_mac, "mac bit");
	hdr(b)->mac ^= 1;
	cnet_key_derive(&P.key, "test cluster kez", 16); /* another key */
	DROP(b, -EACCES, bad_mac, "other key");
	P = saved;
	/* A forged frame is a MAC failure whatever else is wrong with it,
	 * but a wrong cluster is seen before the MAC. */
	hdr(b)->flags = 0x40;
	DROP(b, -EACCES, bad_mac, "forged bad flags");
	hdr(b)->cluster_id = 0;
	DROP(b, -EXDEV, wrong_cluster, "forged other cluster");
	free(b.p);
}

/* Applies edit to a valid frame of the given kind, reseals, expects err. */
typedef void (*edit_fn)(struct cnet_frame_info *fi);

static struct cnet_frame_info base_of(uint8_t flags)
{
	struct cnet_frame_info fi;

	if (flags == (CNET_F_DATA | CNET_F_ACK))
		return data_info();
	memset(&fi, 0, sizeof(fi));
	fi.flags = flags;
	fi.src_epoch = 0x11223344;
	fi.src_node = 2;
	fi.dst_node = 1;
	if (flags == CNET_F_DGRAM)
		fi.frag_count = 1;
	return fi;
}

struct fcase {
	const char *what;
	uint8_t kind;
	void (*edit)(struct cnet_frame_info *fi, size_t *plen);
	int err;
	size_t field;
};

#define E(name, body)                                                          \
	static void name(struct cnet_frame_info *fi, size_t *plen)             \
	{                                                                      \
		(void)plen;                                                    \
		body;                                                          \
	}
#define DA	 (CNET_F_DATA | CNET_F_ACK)
#define F(field) offsetof(struct cnet_drop_stats, field)

E(e_flags0, fi->flags = 0)
E(e_data_only, fi->flags = CNET_F_DATA)
E(e_data_hello, fi->flags = CNET_F_DATA | CNET_F_HELLO)
E(e_unknown_bit, fi->flags = DA | 0x10)
E(e_ack_dgram, fi->flags = CNET_F_ACK | CNET_F_DGRAM)
E(e_epoch0, fi->src_epoch = 0)
E(e_service, fi->service = 1)
E(e_frag_count, fi->frag_count = 1)
E(e_frag_index, fi->frag_index = 1)
E(e_msg_len, fi->msg_len = 1)
E(e_seq, fi->seq = 1)
E(e_ack, fi->ack = 1)
E(e_sack, fi->sack = 1)
E(e_window, fi->window = 1)
E(e_payload, *plen = 1)
E(e_src_big, fi->src_node = 4)
E(e_src_self, fi->src_node = 1)
E(e_src_none, fi->src_node = CNET_NODE_NONE)
E(e_dst_other, fi->dst_node = 3)
E(e_dst_bcast, fi->dst_node = CNET_NODE_BCAST)
E(e_dst_none, fi->dst_node = CNET_NODE_NONE)
E(e_count0, fi->frag_count = 0)
E(e_index_eq, fi->frag_index = 3)
E(e_too_long, fi->msg_len = 65537)
E(e_payload_gt, {
	fi->msg_len = 4;
	fi->frag_count = 2;
	fi->frag_index = 0;
})
E(e_count_gt_len, {
	fi->msg_len = 5;
	fi->frag_count = 6;
})
E(e_single_short, {
	fi->frag_count = 1;
	fi->frag_index = 0;
})
E(e_zero_two, {
	fi->msg_len = 0;
	fi->frag_count = 2;
	*plen = 0;
})
E(e_dg_index, fi->frag_index = 1)
E(e_dg_count, fi->frag_count = 2)
E(e_dg_len, fi->msg_len = 6)

static const struct fcase cases[] = {
    {"flags 0", DA, e_flags0, -EINVAL, F(bad_header)},
    {"DATA without ACK", DA, e_data_only, -EINVAL, F(bad_header)},
    {"DATA|HELLO", DA, e_data_hello, -EINVAL, F(bad_header)},
    {"unknown flag", DA, e_unknown_bit, -EINVAL, F(bad_header)},
    {"ACK|DGRAM", CNET_F_ACK, e_ack_dgram, -EINVAL, F(bad_header)},
    {"src epoch 0", DA, e_epoch0, -EINVAL, F(bad_header)},
    {"ACK with service", CNET_F_ACK, e_service, -EINVAL, F(bad_header)},
    {"ACK with frag", CNET_F_ACK, e_frag_count, -EINVAL, F(bad_header)},
    {"ACK with msg_len", CNET_F_ACK, e_msg_len, -EINVAL, F(bad_header)},
    {"ACK with payload", CNET_F_ACK, e_payload, -EBADMSG, F(bad_length)},
    {"HELLO with service", CNET_F_HELLO, e_service, -EINVAL, F(bad_header)},
    {"HELLO with frag", CNET_F_HELLO, e_frag_index, -EINVAL, F(bad_header)},
    {"HELLO with seq", CNET_F_HELLO, e_seq, -EINVAL, F(bad_header)},
    {"HELLO with ack", CNET_F_HELLO, e_ack, -EINVAL, F(bad_header)},
    {"HELLO with sack", CNET_F_HELLO, e_sack, -EINVAL, F(bad_header)},
    {"HELLO with payload", CNET_F_HELLO, e_payload, -EBADMSG, F(bad_length)},
    {"DGRAM with seq", CNET_F_DGRAM, e_seq, -EINVAL, F(bad_header)},
    {"DGRAM with ack", CNET_F_DGRAM, e_ack, -EINVAL, F(bad_header)},
    {"DGRAM with sack", CNET_F_DGRAM, e_sack, -EINVAL, F(bad_header)},
    {"DGRAM with window", CNET_F_DGRAM, e_window, -EINVAL, F(bad_header)},
    {"src beyond max_nodes", DA, e_src_big, -ENXIO, F(bad_node)},
    {"src is us", DA, e_src_self, -ENXIO, F(bad_node)},
    {"DATA from NONE", DA, e_src_none, -ENXIO, F(bad_node)},
    {"ACK from NONE", CNET_F_ACK, e_src_none, -ENXIO, F(bad_node)},
    {"dst another node", DA, e_dst_other, -ENXIO, F(bad_node)},
    {"DATA to BCAST", DA, e_dst_bcast, -ENXIO, F(bad_node)},
    {"HELLO to BCAST", CNET_F_HELLO, e_dst_bcast, -ENXIO, F(bad_node)},
    {"DGRAM to NONE", CNET_F_DGRAM, e_dst_none, -ENXIO, F(bad_node)},
    {"DGRAM src beyond", CNET_F_DGRAM, e_src_big, -ENXIO, F(bad_node)},
    {"frag_count 0", DA, e_count0, -ERANGE, F(bad_frag)},
    {"frag_index = count", DA, e_index_eq, -ERANGE, F(bad_frag)},
    {"msg_len > max_msg", DA, e_too_long, -ERANGE, F(bad_frag)},
    {"payload > msg_len", DA, e_payload_gt, -ERANGE, F(bad_frag)},
    {"count > msg_len", DA, e_count_gt_len, -ERANGE, F(bad_frag)},
    {"one frag, part of msg", DA, e_single_short, -ERANGE, F(bad_frag)},
    {"empty msg in 2 frags", DA, e_zero_two, -ERANGE, F(bad_frag)},
    {"DGRAM frag 1", CNET_F_DGRAM, e_dg_index, -ERANGE, F(bad_frag)},
    {"DGRAM of 2", CNET_F_DGRAM, e_dg_count, -ERANGE, F(bad_frag)},
    {"DGRAM msg_len", CNET_F_DGRAM, e_dg_len, -ERANGE, F(bad_frag)},
};

static void test_field_refusals(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct cnet_frame_info fi = base_of(cases[i].kind), out;
		size_t plen = fi.flags & (CNET_F_DATA | CNET_F_DGRAM) ? 5 : 0;
		struct buf b;

		if (fi.flags == CNET_F_DGRAM)
			fi.msg_len = 5;
		b = make(&fi, "hello", plen);
		expect_ok(b, &out); /* the base is valid */
		free(b.p);
		cases[i].edit(&fi, &plen);
		b = make(&fi, "hello", plen);
		expect_drop_at(b, b.len, cases[i].err, cases[i].field,
			       cases[i].what);
		free(b.p);
	}
}

/* Reserved fields, set after encoding. */
static void test_reserved(void **state)
{
	struct cnet_frame_info fi = data_info();
	struct buf b = make(&fi, "hello", 5);

	(void)state;
	hdr(b)->reserved0 = cnet_be16(1);
	reseal(b);
	DROP(b, -EINVAL, bad_header, "reserved0");
	hdr(b)->reserved0 = 0;
	hdr(b)->reserved1 = cnet_be32(0x80000000);
	reseal(b);
	DROP(b, -EINVAL, bad_header, "reserved1");
	free(b.p);
}

/* Datagrams from and to nodes without an id. */
static void test_unassigned_nodes(void **state)
{
	struct cnet_frame_info fi = base_of(CNET_F_DGRAM), out;
	struct buf b;

	(void)state;
	fi.msg_len = 5;
	fi.src_node = CNET_NODE_NONE;
	fi.dst_node = CNET_NODE_BCAST;
	b = make(&fi, "hello", 5);
	expect_ok(b, &out);
	free(b.p);
	/* We have no id yet: datagrams to NONE and BCAST only. */
	P.self = CNET_NODE_NONE;
	fi.src_node = 0;
	fi.dst_node = CNET_NODE_NONE;
	b = make(&fi, "hello", 5);
	expect_ok(b, &out);
	free(b.p);
	fi = base_of(CNET_F_HELLO);
	fi.dst_node = CNET_NODE_NONE;
	b = make(&fi, NULL, 0);
	DROP(b, -ENXIO, bad_node, "HELLO to NONE");
	free(b.p);
}

/* Every prefix of a valid frame is refused, without reading past it. */
static void test_truncation_sweep(void **state)
{
	struct cnet_frame_info fi = data_info();
	uint8_t pl[300];
	struct buf b;

	(void)state;
	memset(pl, 0x5a, sizeof(pl));
	fi.payload_len = sizeof(pl);
	b = make(&fi, pl, sizeof(pl));
	for (size_t len = 0; len < b.len; len++)
		expect_drop_at(b, len, -EBADMSG,
			       offsetof(struct cnet_drop_stats, bad_length),
			       "truncated");
	free(b.p);
}

/* Every single-bit change of a valid frame is refused. */
static void test_bit_flip_sweep(void **state)
{
	struct cnet_frame_info fi = data_info(), out;
	struct buf b = make(&fi, "hello, world", 12);
	uint64_t total0 = 0, total1 = 0;
	const void *pl;

	(void)state;
	for (size_t off = 0; off < sizeof(drops); off += 8)
		total0 += *(uint64_t *)((uint8_t *)&drops + off);
	for (size_t i = 12 * 8; i < b.len * 8; i++) { /* not the addresses */
		b.p[i / 8] ^= (uint8_t)(1u << (i % 8));
		assert_true(
		    cnet_frame_decode(&P, b.p, b.len, &out, &pl, &drops) < 0);
		b.p[i / 8] ^= (uint8_t)(1u << (i % 8));
	}
	for (size_t off = 0; off < sizeof(drops); off += 8)
		total1 += *(uint64_t *)((uint8_t *)&drops + off);
	assert_int_equal(total1 - total0, (b.len - 12) * 8);
	/* The Ethernet addresses are not ours to check. */
	b.p[0] ^= 0xff;
	b.p[11] ^= 0xff;
	expect_ok(b, &out);
	free(b.p);
}

static void test_encode_errors(void **state)
{
	struct cnet_frame_info fi = data_info();
	static uint8_t pl[CNET_MTU_MAX], out[CNET_ETH_HLEN + CNET_MTU_MAX];

	(void)state;
	fi.msg_len = 65536;
	assert_int_equal(cnet_frame_encode(&P, &fi, pl, 1436, out, sizeof(out)),
			 CNET_FRAME_OVERHEAD + 1436);
	assert_int_equal(cnet_frame_encode(&P, &fi, pl, 1437, out, sizeof(out)),
			 -E2BIG);
	assert_int_equal(cnet_frame_encode(&P, &fi, pl, 10, out, 87), -ENOBUFS);
	assert_int_equal(cnet_frame_encode(&P, &fi, pl, 10, out, 88), 88);
	assert_int_equal(cnet_frame_max_payload(9000), 8936);
	assert_int_equal(cnet_frame_max_payload(1500), 1436);
}

static void test_strerror(void **state)
{
	(void)state;
	assert_string_equal(cnet_frame_strerror(-EACCES), "bad MAC");
	assert_string_equal(cnet_frame_strerror(-EXDEV), "wrong cluster id");
	assert_string_equal(cnet_frame_strerror(-EBADMSG), "bad length");
	assert_string_equal(cnet_frame_strerror(-EPROTO), "bad version");
	assert_string_equal(cnet_frame_strerror(-ECANCELED), "stale epoch");
	assert_string_equal(cnet_frame_strerror(-ERANGE),
			    "bad fragment fields");
	assert_string_equal(cnet_frame_strerror(-12345), "unknown error");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_wire_bytes, setup),
	    cmocka_unit_test_setup(test_round_trips, setup),
	    cmocka_unit_test_setup(test_structure_refusals, setup),
	    cmocka_unit_test_setup(test_mac_refusals, setup),
	    cmocka_unit_test_setup(test_field_refusals, setup),
	    cmocka_unit_test_setup(test_reserved, setup),
	    cmocka_unit_test_setup(test_unassigned_nodes, setup),
	    cmocka_unit_test_setup(test_truncation_sweep, setup),
	    cmocka_unit_test_setup(test_bit_flip_sweep, setup),
	    cmocka_unit_test_setup(test_encode_errors, setup),
	    cmocka_unit_test_setup(test_strerror, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
