/*
 * tests/unit/test_thread_msg.c — validation of thread-service messages from
 * peers (sched/thread_msg.c): every kind at its size, each field a
 * receiver trusts checked with its exact error.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "kernel/errno.h"
#include "sched/migrate_rules.h"
#include "sched/thread_msg.h"

static const struct tm_limits lim = {
    .text_lo = 0xffffffff80100000ull,
    .text_hi = 0xffffffff80200000ull,
    .mem_lo = {0xffffffffc0000000ull, 0x100000000000ull},
    .mem_hi = {0xffffffffc0100000ull, 0x200000000000ull},
    .nodes = 4,
    .cpus = 8,
};

static struct tm_migrate good_migrate(void)
{
	struct tm_migrate m;
	memset(&m, 0, sizeof(m));
	m.kind = TM_MIGRATE;
	m.app_tid = 7;
	m.posix = 0x100000001000ull;
	m.fs_base = 0x100000001000ull;
	m.rip = 0xffffffff80100010ull;
	m.rsp = 0x108000000ff8ull;
	m.rflags = 0x246;
	uint32_t mxcsr = 0x1f80;
	memcpy(m.fpu + TM_MXCSR_OFF, &mxcsr, 4);
	return m;
}

static void test_sizes_and_kinds(void **st)
{
	(void)st;
	uint32_t k = TM_SPAWN;
	assert_int_equal(thread_msg_check(&k, 2, &lim), -EBADMSG);
	assert_int_equal(thread_msg_check(&k, 4, &lim), -EBADMSG);
	struct tm_spawn s = {
	    TM_SPAWN, 8, lim.text_lo + 16, lim.mem_lo[1] + 4096, 0, {2}};
	assert_int_equal(thread_msg_check(&s, sizeof(s), &lim), TM_SPAWN);
	s.len = 0; /* no start record */
	assert_int_equal(thread_msg_check(&s, sizeof(s), &lim), -EINVAL);
	s.len = TM_SPAWN_DATA + 1; /* more than the message holds */
	assert_int_equal(thread_msg_check(&s, sizeof(s), &lim), -EINVAL);
	s.len = TM_SPAWN_DATA;
	assert_int_equal(thread_msg_check(&s, sizeof(s), &lim), TM_SPAWN);
	assert_int_equal(thread_msg_check(&s, sizeof(s) - 1, &lim), -EBADMSG);
	s.fs_base = lim.mem_lo[0] + 64; /* with TLS */
	assert_int_equal(thread_msg_check(&s, sizeof(s), &lim), TM_SPAWN);
	s.fs_base = 0x1000; /* TLS outside the global address space */
	assert_int_equal(thread_msg_check(&s, sizeof(s), &lim), -EINVAL);
	s.fs_base = 0;
	s.entry = lim.text_hi; /* an entry outside the code */
	assert_int_equal(thread_msg_check(&s, sizeof(s), &lim), -EINVAL);
	s.entry = lim.text_lo;
	s.stack_top = 0x7000; /* a stack outside it */
	assert_int_equal(thread_msg_check(&s, sizeof(s), &lim), -EINVAL);
	k = 0;
	assert_int_equal(thread_msg_check(&k, 4, &lim), -EPROTO);
	k = 99;
	assert_int_equal(thread_msg_check(&k, 4, &lim), -EPROTO);
}

static void test_migrate_context(void **st)
{
	(void)st;
	struct tm_migrate m = good_migrate();
	assert_int_equal(thread_msg_check(&m, sizeof(m), &lim), TM_MIGRATE);
	m.rip = lim.text_hi; /* outside the code */
	assert_int_equal(thread_msg_check(&m, sizeof(m), &lim), -EINVAL);
	m = good_migrate();
	m.rsp = 0x1000; /* a stack outside the global address space */
	assert_int_equal(thread_msg_check(&m, sizeof(m), &lim), -EINVAL);
	m = good_migrate();
	m.fs_base = 0;
	assert_int_equal(thread_msg_check(&m, sizeof(m), &lim), -EINVAL);
	m = good_migrate();
	m.posix = lim.mem_hi[0];
	assert_int_equal(thread_msg_check(&m, sizeof(m), &lim), -EINVAL);
	m = good_migrate();
	m.rflags = 0x346; /* TF */
	assert_int_equal(thread_msg_check(&m, sizeof(m), &lim), -EINVAL);
	m.rflags = 0x46; /* interrupts off */
	assert_int_equal(thread_msg_check(&m, sizeof(m), &lim), -EINVAL);
	m.rflags = 0x4246; /* NT: iret would fault */
	assert_int_equal(thread_msg_check(&m, sizeof(m), &lim), -EINVAL);
	m = good_migrate();
	uint32_t mxcsr = 0x10000; /* reserved: fxrstor would fault */
	memcpy(m.fpu + TM_MXCSR_OFF, &mxcsr, 4);
	assert_int_equal(thread_msg_check(&m, sizeof(m), &lim), -EINVAL);
	m = good_migrate();
	m.app_tid = 0;
	assert_int_equal(thread_msg_check(&m, sizeof(m), &lim), -EINVAL);
	m = good_migrate();
	m.aff[0] = 0x80; /* CPU 7 of 8: fine */
	assert_int_equal(thread_msg_check(&m, sizeof(m), &lim), TM_MIGRATE);
	m.aff[0] = 0x100; /* CPU 8: the cluster has no such CPU */
	assert_int_equal(thread_msg_check(&m, sizeof(m), &lim), -EINVAL);
	m.aff[0] = 1;
	m.aff[3] = 1ull << 63;
	assert_int_equal(thread_msg_check(&m, sizeof(m), &lim), -EINVAL);
}

static void test_aff_req(void **st)
{
	(void)st;
	struct tm_aff_req in = {5, 0, {0x81, 0, 0, 0}}, out;
	assert_int_equal(thread_aff_req_check(&in, sizeof(in), 8, &out), 0);
	assert_int_equal(out.tid, 5);
	assert_true(out.set[0] == 0x81 && !out.set[1] && !out.set[3]);
	assert_int_equal(thread_aff_req_check(&in, sizeof(in) - 1, 8, &out),
			 -EBADMSG);
	assert_int_equal(thread_aff_req_check(&in, sizeof(in) + 1, 8, &out),
			 -EBADMSG);
	assert_int_equal(thread_aff_req_check(&in, sizeof(in), 7, &out),
			 -EINVAL); /* CPU 7 of 7 */
	in.tid = 0;
	assert_int_equal(thread_aff_req_check(&in, sizeof(in), 8, &out),
			 -EINVAL);
	in.tid = 5;
	in.pad = 1;
	assert_int_equal(thread_aff_req_check(&in, sizeof(in), 8, &out),
			 -EINVAL);
	in.pad = 0;
	in.set[0] = 0; /* empty */
	assert_int_equal(thread_aff_req_check(&in, sizeof(in), 8, &out),
			 -EINVAL);
	in.set[2] = 1; /* CPU 128 */
	assert_int_equal(thread_aff_req_check(&in, sizeof(in), 256, &out), 0);
	assert_int_equal(thread_aff_req_check(&in, sizeof(in), 128, &out),
			 -EINVAL);
}

static void test_node_numbers(void **st)
{
	(void)st;
	uint32_t gone[4] = {3, 5, 3, 1}; /* the old migration request */
	assert_int_equal(thread_msg_check(gone, sizeof(gone), &lim), -EPROTO);
	struct tm_shed s = {TM_SHED, 2};
	assert_int_equal(thread_msg_check(&s, sizeof(s), &lim), TM_SHED);
	s.node = 9;
	assert_int_equal(thread_msg_check(&s, sizeof(s), &lim), -EINVAL);
	struct tm_where w = {TM_WHERE, 3, -1, 0};
	assert_int_equal(thread_msg_check(&w, sizeof(w), &lim), TM_WHERE);
	w.node = -2;
	assert_int_equal(thread_msg_check(&w, sizeof(w), &lim), -EINVAL);
}

static void test_policy_name(void **st)
{
	(void)st;
	struct tm_policy p = {TM_POLICY, "steal"};
	assert_int_equal(thread_msg_check(&p, sizeof(p), &lim), TM_POLICY);
	memset(p.name, 'a', sizeof(p.name)); /* no NUL */
	assert_int_equal(thread_msg_check(&p, sizeof(p), &lim), -EINVAL);
	memset(p.name, 0, sizeof(p.name)); /* empty */
	assert_int_equal(thread_msg_check(&p, sizeof(p), &lim), -EINVAL);
}

/* A signal kick: a thread id and a trampoline in the image's code. */
static void test_signal(void **st)
{
	(void)st;
	struct tm_signal g = {TM_SIGNAL, 7, lim.text_lo + 16};
	assert_int_equal(thread_msg_check(&g, sizeof(g), &lim), TM_SIGNAL);
	assert_int_equal(thread_msg_check(&g, sizeof(g) - 1, &lim), -EBADMSG);
	assert_int_equal(thread_msg_check(&g, sizeof(g) + 1, &lim), -EBADMSG);
	g.tid = 0;
	assert_int_equal(thread_msg_check(&g, sizeof(g), &lim), -EINVAL);
	g.tid = 7;
	g.entry = lim.text_hi; /* outside the code */
	assert_int_equal(thread_msg_check(&g, sizeof(g), &lim), -EINVAL);
	g.entry = 0;
	assert_int_equal(thread_msg_check(&g, sizeof(g), &lim), -EINVAL);
}

/* A migration request from a peer (an RPC). */
static void test_mig_req(void **st)
{
	(void)st;
	struct tm_mig_req in = {5, 3}, out;
	assert_int_equal(thread_mig_req_check(&in, sizeof(in), 4, &out), 0);
	assert_int_equal(out.tid, 5);
	assert_int_equal(out.node, 3);
	assert_int_equal(thread_mig_req_check(&in, sizeof(in) - 1, 4, &out),
			 -EBADMSG);
	assert_int_equal(thread_mig_req_check(&in, sizeof(in) + 1, 4, &out),
			 -EBADMSG);
	in.node = 4; /* no such node */
	assert_int_equal(thread_mig_req_check(&in, sizeof(in), 4, &out),
			 -EINVAL);
	in.node = -1;
	assert_int_equal(thread_mig_req_check(&in, sizeof(in), 4, &out),
			 -EINVAL);
	in.node = 0, in.tid = 0; /* no thread 0 */
	assert_int_equal(thread_mig_req_check(&in, sizeof(in), 4, &out),
			 -EINVAL);
}

/* The migration state machine's decision at a safe point. */
static void test_migrate_step(void **st)
{
	(void)st;
	struct mig_point go = {.to = 1,
			       .self = 0,
			       .nodes = 2,
			       .app = true,
			       .on_kstack = false,
			       .irqs_on = true,
			       .locks = 0};
	struct mig_point p = go;
	assert_int_equal(migrate_step(&p), MIG_GO);
	p.to = -1; /* nothing asked */
	assert_int_equal(migrate_step(&p), MIG_NONE);
	p = go, p.to = 0; /* to where it is already */
	assert_int_equal(migrate_step(&p), MIG_DROP);
	p = go, p.to = 2; /* to a node the cluster does not have */
	assert_int_equal(migrate_step(&p), MIG_DROP);
	p = go, p.app = false; /* a kernel thread never moves */
	assert_int_equal(migrate_step(&p), MIG_LATER);
	p = go, p.on_kstack = true; /* in the kernel: later */
	assert_int_equal(migrate_step(&p), MIG_LATER);
	p = go, p.irqs_on = false;
	assert_int_equal(migrate_step(&p), MIG_LATER);
	p = go, p.locks = 1; /* holds a cluster mutex: at its unlock */
	assert_int_equal(migrate_step(&p), MIG_LATER);
	p.locks = 0;
	assert_int_equal(migrate_step(&p), MIG_GO);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_sizes_and_kinds),
	    cmocka_unit_test(test_migrate_context),
	    cmocka_unit_test(test_node_numbers),
	    cmocka_unit_test(test_policy_name),
	    cmocka_unit_test(test_signal),
	    cmocka_unit_test(test_migrate_step),
	    cmocka_unit_test(test_mig_req),
	    cmocka_unit_test(test_aff_req),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
