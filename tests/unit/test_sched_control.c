/*
 * tests/unit/test_sched_control.c — live control's messages
 * (sched/control_proto.c): exact wire bytes of a request, round trips of
 * requests and replies, every refusal of the decoders, truncation and
 * bit-flip sweeps in exact-size heap buffers (ASan catches any read past
 * the end), the policy argument splitter; unumctl's reading of frames
 * (tools/unumctl_reply.c); config_check_value on the real key table.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/config.h"
#include "net/cnet.h"
#include "sched/control_proto.h"
#include "tools/unumctl.h"

static const uint8_t HOST_MAC[6] = {0x02, 0x11, 0x22, 0x33, 0x44, 0x55};

static struct ctl_request policy_req(const char *text)
{
	struct ctl_request r;
	memset(&r, 0, sizeof(r));
	r.op = CTL_OP_POLICY_SET;
	r.target = 1;
	r.req_id = 0x01020304;
	memcpy(r.reply_mac, HOST_MAC, 6);
	r.arg_len = (uint16_t)strlen(text);
	memcpy(r.arg, text, r.arg_len);
	return r;
}

static void test_req_bytes(void **state)
{
	(void)state;
	struct ctl_request r = policy_req("local");
	uint8_t buf[64];
	static const uint8_t want[] = {
	    'U',  'N',	'C',  'Q',  1,	  2, 0,	  1,   1,   2,	 3,  4, 0x02,
	    0x11, 0x22, 0x33, 0x44, 0x55, 0, 0,	  0,   0,   0,	 0,  0, 0,
	    0,	  0,	0,    5,    0,	  0, 'l', 'o', 'c', 'a', 'l'};
	assert_int_equal(ctl_req_encode(&r, buf, sizeof(buf)), sizeof(want));
	assert_memory_equal(buf, want, sizeof(want));
	assert_int_equal(ctl_req_encode(&r, buf, sizeof(want) - 1), -ENOBUFS);
}

static void roundtrip_req(const struct ctl_request *r)
{
	uint8_t buf[sizeof(struct ctl_req) + CTL_ARG_MAX];
	struct ctl_request out;
	int n = ctl_req_encode(r, buf, sizeof(buf));
	assert_true(n > 0);
	assert_int_equal(ctl_req_decode(buf, (size_t)n, &out), 0);
	assert_int_equal(out.op, r->op);
	assert_int_equal(out.target, r->target);
	assert_int_equal(out.req_id, r->req_id);
	assert_memory_equal(out.reply_mac, r->reply_mac, 6);
	assert_int_equal(out.first, r->first);
	assert_int_equal(out.tid, r->tid);
	assert_int_equal(out.node, r->node);
	assert_int_equal(out.arg_len, r->arg_len);
	assert_string_equal(out.arg, r->arg);
}

static void test_req_roundtrip(void **state)
{
	(void)state;
	struct ctl_request r =
	    policy_req("least_loaded sched.least_loaded.threshold=500");
	roundtrip_req(&r);
	memset(&r, 0, sizeof(r));
	r.op = CTL_OP_STATUS;
	r.req_id = 7;
	r.first = 13;
	roundtrip_req(&r);
	r.op = CTL_OP_MIGRATE;
	r.first = 0;
	r.tid = 0xdeadbeef;
	r.node = 3;
	roundtrip_req(&r);
}

/* A request's bytes, edited by the caller, into an exact-size buffer. */
static int decode_edited(const struct ctl_request *r, size_t off, uint8_t val,
			 size_t cut)
{
	uint8_t buf[sizeof(struct ctl_req) + CTL_ARG_MAX];
	struct ctl_request out;
	int n = ctl_req_encode(r, buf, sizeof(buf));
	assert_true(n > 0);
	if (off < (size_t)n)
		buf[off] = val;
	size_t len = (size_t)n - cut;
	uint8_t *heap = malloc(len ? len : 1);
	memcpy(heap, buf, len);
	int rc = ctl_req_decode(heap, len, &out);
	free(heap);
	return rc;
}

static void test_req_refusals(void **state)
{
	(void)state;
	struct ctl_request r = policy_req("local");
	assert_int_equal(decode_edited(&r, 99, 0, 0), 0);
	assert_int_equal(decode_edited(&r, 0, 'X', 0), -EPROTO); /* magic */
	assert_int_equal(decode_edited(&r, 4, 2, 0), -EPROTO);	 /* version */
	assert_int_equal(decode_edited(&r, 5, 9, 0), -EINVAL);	 /* op */
	assert_int_equal(decode_edited(&r, 31, 1, 0), -EINVAL);	 /* reserved */
	assert_int_equal(decode_edited(&r, 29, 6, 0), -EBADMSG); /* arg_len */
	assert_int_equal(decode_edited(&r, 32, 0x07, 0), -EINVAL); /* text */
	assert_int_equal(decode_edited(&r, 21, 1, 0), -EINVAL);	   /* tid set */
	assert_int_equal(decode_edited(&r, 99, 0, 1), -EBADMSG);
	/* status with an argument; policy without one; id 0 */
	struct ctl_request s = r;
	s.op = CTL_OP_STATUS;
	uint8_t buf[64];
	assert_int_equal(ctl_req_encode(&s, buf, sizeof(buf)), -EINVAL);
	s = r;
	s.arg_len = 0;
	assert_int_equal(ctl_req_encode(&s, buf, sizeof(buf)), -EINVAL);
	s = r;
	s.req_id = 0;
	assert_int_equal(ctl_req_encode(&s, buf, sizeof(buf)), -EINVAL);
	/* every shorter length is refused, never read past */
	for (size_t cut = 1; cut <= sizeof(struct ctl_req) + 5; cut++)
		assert_int_not_equal(decode_edited(&r, 99, 0, cut), 0);
}

static struct ctl_node_info node_info(uint16_t n, const char *policy)
{
	struct ctl_node_info i;
	memset(&i, 0, sizeof(i));
	i.node = n;
	i.mac[0] = 0x52, i.mac[5] = (uint8_t)n;
	i.alive = i.reported = true;
	i.cpus = 2;
	i.runnable = 3;
	i.threads = 11;
	i.mem_mb = 252;
	i.free_mb = 247;
	i.dsm_faults = 0x100000001ull;
	i.dsm_pages_in = 5;
	i.dsm_pages_out = 6;
	i.dsm_invalidations = 7;
	i.dsm_msgs = 8;
	strcpy(i.policy, policy);
	return i;
}

static int status_reply(uint8_t *buf, size_t cap)
{
	struct ctl_node_info recs[2] = {node_info(2, "round_robin"),
					node_info(3, "local")};
	struct ctl_reply r = {.op = CTL_OP_STATUS,
			      .node = 0,
			      .req_id = 99,
			      .nodes = 4,
			      .first = 2,
			      .count = 2};
	return ctl_rep_encode(&r, recs, "", 0, buf, cap);
}

static void test_rep_roundtrip(void **state)
{
	(void)state;
	uint8_t buf[512];
	struct ctl_reply out;
	struct ctl_node_info ni;
	int n = status_reply(buf, sizeof(buf));
	assert_int_equal(n, 24 + 2 * 88);
	assert_int_equal(ctl_rep_decode(buf, (size_t)n, &out), 0);
	assert_int_equal(out.op, CTL_OP_STATUS);
	assert_int_equal(out.req_id, 99);
	assert_int_equal(out.nodes, 4);
	assert_int_equal(out.first, 2);
	assert_int_equal(out.count, 2);
	assert_int_equal(ctl_rec_decode(out.recs + 1, &ni), 0);
	struct ctl_node_info want = node_info(3, "local");
	assert_memory_equal(&ni, &want, sizeof(ni));

	struct ctl_reply e = {
	    .op = CTL_OP_POLICY_SET, .req_id = 5, .status = -22};
	const char *msg = "unknown policy 'x'";
	n = ctl_rep_encode(&e, NULL, msg, strlen(msg), buf, sizeof(buf));
	assert_int_equal(n, 24 + (int)strlen(msg));
	assert_int_equal(ctl_rep_decode(buf, (size_t)n, &out), 0);
	assert_int_equal(out.status, -22);
	assert_string_equal(out.text, msg);
}

static int decode_rep_edited(size_t off, uint8_t val, size_t cut)
{
	uint8_t buf[512];
	struct ctl_reply out;
	int n = status_reply(buf, sizeof(buf));
	if (off < (size_t)n)
		buf[off] = val;
	size_t len = (size_t)n - cut;
	uint8_t *heap = malloc(len ? len : 1);
	memcpy(heap, buf, len);
	int rc = ctl_rep_decode(heap, len, &out);
	free(heap);
	return rc;
}

static void test_rep_refusals(void **state)
{
	(void)state;
	assert_int_equal(decode_rep_edited(999, 0, 0), 0);
	assert_int_equal(decode_rep_edited(3, '!', 0), -EPROTO);
	assert_int_equal(decode_rep_edited(5, 0, 0), -EINVAL);	/* op 0 */
	assert_int_equal(decode_rep_edited(15, 1, 0), -EINVAL); /* status > 0 */
	assert_int_equal(decode_rep_edited(17, 3, 0),
			 -EINVAL); /* nodes 3 < 2+2 */
	assert_int_equal(decode_rep_edited(21, 3, 0), -EBADMSG); /* count */
	assert_int_equal(decode_rep_edited(23, 1, 0), -EBADMSG); /* text_len */
	assert_int_equal(decode_rep_edited(24 + 1, 9, 0),
			 -EINVAL); /* node id */
	assert_int_equal(decode_rep_edited(24 + 8, 2, 0), -EINVAL); /* alive */
	/* policy: not NUL-padded, then not printable */
	assert_int_equal(decode_rep_edited(24 + 68 + 15, 'x', 0), -EINVAL);
	assert_int_equal(decode_rep_edited(24 + 68, 0x01, 0), -EINVAL);
	assert_int_equal(decode_rep_edited(24 + 84, 1, 0),
			 -EINVAL); /* reserved */
	for (size_t cut = 1; cut <= 24 + 2 * 88; cut++)
		assert_int_not_equal(decode_rep_edited(999, 0, cut), 0);
	/* a bit flip anywhere is refused or decodes to something valid */
	for (size_t off = 0; off < 24 + 2 * 88; off++)
		for (int bit = 0; bit < 8; bit++) {
			uint8_t buf[512];
			int n = status_reply(buf, sizeof(buf));
			buf[off] ^= (uint8_t)(1 << bit);
			struct ctl_reply out;
			uint8_t *heap = malloc((size_t)n);
			memcpy(heap, buf, (size_t)n);
			if (!ctl_rep_decode(heap, (size_t)n, &out))
				assert_true(out.first + out.count <= out.nodes);
			free(heap);
		}
}

static void test_policy_parse(void **state)
{
	(void)state;
	struct ctl_policy_args a;
	char why[128];
	const char *t = "least_loaded sched.least_loaded.threshold=500 a.b=c";
	assert_int_equal(ctl_policy_parse(t, strlen(t), &a, why, sizeof(why)),
			 0);
	assert_string_equal(a.name, "least_loaded");
	assert_int_equal(a.nkeys, 2);
	assert_string_equal(a.key[0], "sched.least_loaded.threshold");
	assert_string_equal(a.value[0], "500");
	assert_string_equal(a.key[1], "a.b");
	assert_string_equal(a.value[1], "c");

	static const struct {
		const char *text, *why;
	} bad[] = {
	    {"", "no policy name"},
	    {"x  k=v", "'x  k=v' has an empty word (one space between words)"},
	    {"x k=v ", "'x k=v ' has an empty word (one space between words)"},
	    {"x novalue", "'novalue' is not key=value"},
	    {"x =v", "'=v' is not key=value"},
	    {"x k=", "'k=' is not key=value"},
	    {"a_policy_name_too_long", "'a_policy_name_too_long' is too long "
				       "for a policy name"},
	    {"x a=1 b=2 c=3 d=4 e=5 f=6 g=7 h=8 i=9",
	     "'i=9' is one key=value too many (at most 8)"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(ctl_policy_parse(bad[i].text,
						  strlen(bad[i].text), &a, why,
						  sizeof(why)),
				 -EINVAL);
		assert_string_equal(why, bad[i].why);
	}
}

static void test_recs_per_reply(void **state)
{
	(void)state;
	assert_int_equal(ctl_recs_per_reply(1500), 13);
	assert_int_equal(ctl_recs_per_reply(9000), 98);
	assert_int_equal(ctl_recs_per_reply(300), 0);
}

/* A reply frame from node 1 to the host, sealed with key. */
static int reply_frame(const char *key, uint32_t req_id, uint16_t service,
		       uint8_t *frame, size_t cap)
{
	struct cnet_frame_params p = {.cluster_id = 1,
				      .self = 1,
				      .max_nodes = 4,
				      .mtu = 1500,
				      .max_msg = 65536};
	cnet_key_derive(&p.key, key, strlen(key));
	struct ctl_reply r = {
	    .op = CTL_OP_MIGRATE, .node = 1, .req_id = req_id, .status = -88};
	uint8_t msg[64];
	int n = ctl_rep_encode(&r, NULL, "", 0, msg, sizeof(msg));
	assert_true(n > 0);
	struct cnet_frame_info fi = {.flags = CNET_F_DGRAM,
				     .service = service,
				     .src_epoch = 5,
				     .src_node = 1,
				     .dst_node = CNET_NODE_NONE,
				     .frag_count = 1,
				     .msg_len = (uint32_t)n};
	return cnet_frame_encode(&p, &fi, msg, (size_t)n, frame, cap);
}

static void test_unumctl_accept(void **state)
{
	(void)state;
	struct cnet_frame_params host = {.cluster_id = 1,
					 .self = CNET_NODE_NONE,
					 .max_nodes = CNET_MAX_NODES,
					 .mtu = 9000,
					 .max_msg = 1 << 20};
	cnet_key_derive(&host.key, "k1", 2);
	uint8_t f[256];
	struct ctl_reply out;
	char e[96];
	int n = reply_frame("k1", 42, CNET_SVC_SCHED_CTL, f, sizeof(f));
	assert_int_equal(
	    unumctl_accept(&host, f, (size_t)n, 42, CTL_OP_MIGRATE, &out), 0);
	assert_string_equal(unumctl_strerror(out.status, e, sizeof(e)),
			    "thread migration is not implemented in this "
			    "kernel (ENOSYS)");
	assert_int_equal(
	    unumctl_accept(&host, f, (size_t)n, 43, CTL_OP_MIGRATE, &out),
	    -ENOENT);
	assert_int_equal(
	    unumctl_accept(&host, f, (size_t)n, 42, CTL_OP_STATUS, &out),
	    -ENOENT);
	n = reply_frame("other", 42, CNET_SVC_SCHED_CTL, f, sizeof(f));
	assert_int_equal(
	    unumctl_accept(&host, f, (size_t)n, 42, CTL_OP_MIGRATE, &out),
	    -EACCES);
	n = reply_frame("k1", 42, CNET_SVC_MEMBER, f, sizeof(f));
	assert_int_equal(
	    unumctl_accept(&host, f, (size_t)n, 42, CTL_OP_MIGRATE, &out),
	    -ENOENT);
	assert_string_equal(unumctl_strerror(-1000, e, sizeof(e)),
			    "error -1000");
}

static void test_config_check_value(void **state)
{
	(void)state;
	struct cfg_value v;
	char why[96];
	assert_int_equal(config_boot_init(), 0);
	assert_int_equal(config_check_value(&boot_config,
					    "sched.least_loaded.threshold",
					    "500", &v, why, sizeof(why)),
			 0);
	assert_int_equal(v.u, 500);
	assert_int_equal(config_check_value(&boot_config,
					    "sched.least_loaded.threshold",
					    "abc", &v, why, sizeof(why)),
			 -EINVAL);
	assert_string_equal(why, "expected an unsigned integer 1..1000000");
	assert_int_equal(config_check_value(&boot_config,
					    "sched.least_loaded.threshold", "0",
					    &v, why, sizeof(why)),
			 -EINVAL);
	assert_int_equal(config_check_value(&boot_config, "sched.nosuch", "1",
					    &v, why, sizeof(why)),
			 -ENOENT);
	assert_int_equal(config_check_value(&boot_config, "sched.period_ms",
					    "9", &v, why, sizeof(why)),
			 -EINVAL);
	assert_string_equal(why, "expected an unsigned integer 10..60000");
	/* the store is untouched */
	assert_int_equal(
	    config_get_uint(&boot_config, "sched.least_loaded.threshold"),
	    1000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_req_bytes),
	    cmocka_unit_test(test_req_roundtrip),
	    cmocka_unit_test(test_req_refusals),
	    cmocka_unit_test(test_rep_roundtrip),
	    cmocka_unit_test(test_rep_refusals),
	    cmocka_unit_test(test_policy_parse),
	    cmocka_unit_test(test_recs_per_reply),
	    cmocka_unit_test(test_unumctl_accept),
	    cmocka_unit_test(test_config_check_value),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
