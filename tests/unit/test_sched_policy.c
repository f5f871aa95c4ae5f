/*
 * tests/unit/test_sched_policy.c — the global scheduler's policies on
 * simulated load vectors: placement of new threads, balancing moves,
 * dead nodes never chosen, convergence of an imbalanced cluster.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <string.h>

#include <cmocka.h>

#include "sched/policy.h"

uint32_t sched_least_loaded_threshold(void);
uint32_t sched_least_loaded_threshold(void)
{
	return 1000;
}

static uint8_t state[256];

static const struct sched_policy_ops *get(const char *name)
{
	const struct sched_policy_ops *p = sched_policy_find(name);
	assert_non_null(p);
	memset(state, 0, sizeof(state));
	assert_true(p->state_size <= sizeof(state));
	if (p->init)
		p->init(state);
	return p;
}

static struct sched_view view(int nodes, int self, const uint32_t *runnable)
{
	struct sched_view v;
	memset(&v, 0, sizeof(v));
	v.nodes = nodes;
	v.self = self;
	for (int i = 0; i < nodes; i++) {
		v.n[i].alive = true;
		v.n[i].cpus = 2;
		v.n[i].runnable = runnable[i];
		v.n[i].threads = runnable[i];
	}
	return v;
}

static void test_find(void **s)
{
	(void)s;
	const char *names[] = {"local", "round_robin", "least_loaded",
			       "locality", "steal"};
	for (int i = 0; i < 5; i++)
		assert_string_equal(get(names[i])->name, names[i]);
	assert_null(sched_policy_find("fastest"));
}

static void test_local_and_round_robin(void **s)
{
	(void)s;
	uint32_t r[4] = {0, 0, 0, 0};
	struct sched_view v = view(4, 2, r);
	assert_int_equal(get("local")->place(state, &v), 2);
	const struct sched_policy_ops *rr = get("round_robin");
	int seq[8];
	for (int i = 0; i < 8; i++)
		seq[i] = rr->place(state, &v);
	/* the creator (on node 2) counts as the first: turns start after it */
	int want[8] = {3, 0, 1, 2, 3, 0, 1, 2};
	assert_memory_equal(seq, want, sizeof(want));
	/* main on the origin with three helpers on 4 nodes: one per node */
	v.self = 0;
	rr = get("round_robin");
	for (int i = 0; i < 3; i++)
		assert_int_equal(rr->place(state, &v), i + 1);
	v.self = 2;
	v.n[1].alive = false; /* a dead node is skipped */
	rr = get("round_robin");
	for (int i = 0; i < 6; i++)
		assert_int_not_equal(rr->place(state, &v), 1);
}

static void test_least_loaded_place(void **s)
{
	(void)s;
	uint32_t r[4] = {6, 2, 1, 4};
	struct sched_view v = view(4, 0, r);
	const struct sched_policy_ops *p = get("least_loaded");
	assert_int_equal(p->place(state, &v), 2);
	v.n[2].alive = false;
	assert_int_equal(p->place(state, &v), 1);
	v.n[1].cpus = 1; /* 2 threads on 1 CPU is heavier than 4 on 2 */
	v.n[3].runnable = 3;
	assert_int_equal(p->place(state, &v), 3);
}

/* Applying the moves until none is proposed evens the load out. */
static void converge(const char *name, uint32_t *r, int nodes, bool even)
{
	const struct sched_policy_ops *p = get(name);
	struct sched_view v = view(nodes, 0, r);
	struct sched_move m[16];
	int rounds = 0, k;
	while ((k = p->balance(state, &v, m, 16)) > 0) {
		for (int i = 0; i < k; i++) {
			assert_true(m[i].from != m[i].to);
			v.n[m[i].from].runnable--, v.n[m[i].from].threads--;
			v.n[m[i].to].runnable++, v.n[m[i].to].threads++;
		}
		assert_true(++rounds < 50);
	}
	uint32_t lo = ~0u, hi = 0, total = 0;
	for (int i = 0; i < nodes; i++) {
		lo = v.n[i].runnable < lo ? v.n[i].runnable : lo;
		hi = v.n[i].runnable > hi ? v.n[i].runnable : hi;
		total += v.n[i].runnable;
		r[i] = v.n[i].runnable;
	}
	assert_int_equal(total, 24);
	if (even)
		assert_true(hi - lo <=
			    2); /* within one thread per CPU (2 CPUs) */
}

static void test_imbalance_converges(void **s)
{
	(void)s;
	uint32_t a[4] = {24, 0, 0, 0};
	converge("least_loaded", a, 4, true);
	assert_int_equal(a[0] + a[1] + a[2] + a[3], 24);
	uint32_t b[4] = {24, 0, 0, 0};
	converge("steal", b, 4, false);
	for (int i = 0; i < 4; i++)
		assert_true(b[i] >= 2); /* every node has its CPUs busy */
}

/* Run-time keys (unumctl policy set): least_loaded takes its threshold,
 * which then decides whether a move is proposed; others have no keys. */
static void test_set_keys(void **s)
{
	(void)s;
	uint32_t r[2] = {3, 1}; /* 2 CPUs each: 1500 vs 500 thousandths */
	struct sched_view v = view(2, 0, r);
	struct sched_move m[4];
	const struct sched_policy_ops *p = get("least_loaded");
	assert_non_null(p->set);
	assert_int_equal(p->balance(state, &v, m, 4), 0); /* 1000: no move */
	assert_int_equal(p->set(state, "sched.least_loaded.threshold", 500), 0);
	assert_int_equal(p->balance(state, &v, m, 4), 1);
	assert_int_equal(m[0].from, 0);
	assert_int_equal(m[0].to, 1);
	assert_int_equal(p->set(state, "sched.least_loaded.nosuch", 1),
			 -ENOENT);
	assert_null(get("round_robin")->set);
	assert_null(get("local")->set);
}

static void test_locality(void **s)
{
	(void)s;
	uint32_t r[3] = {2, 2, 2};
	struct sched_view v = view(3, 0, r);
	v.pages_on[2] = 90;
	v.pages_on[1] = 10;
	const struct sched_policy_ops *p = get("locality");
	assert_int_equal(p->place(state, &v), 2); /* toward its pages */
	v.n[2].runnable = 20; /* overloaded: the least loaded instead */
	assert_int_equal(p->place(state, &v), 0);
	assert_null(p->balance);
}

/* locality's toward: a running thread goes where its recent pages live */
static void test_locality_toward(void **s)
{
	(void)s;
	const struct sched_policy_ops *p = get("locality");
	assert_non_null(p->toward);
	uint32_t r[3] = {2, 2, 2};
	struct sched_view v = view(3, 0, r);
	uint32_t on[SCHED_MAX_NODES] = {0};
	on[1] = 20;
	assert_int_equal(p->toward(state, &v, on), 1);
	on[0] = 6, on[1] = 14; /* 70% from node 1: below the 75% share */
	assert_int_equal(p->toward(state, &v, on), -1);
	on[0] = 5, on[1] = 15; /* exactly 75% */
	assert_int_equal(p->toward(state, &v, on), 1);
	on[0] = 0, on[1] = 10; /* too few faults to judge */
	assert_int_equal(p->toward(state, &v, on), -1);
	on[0] = 20, on[1] = 0; /* its pages are here already */
	assert_int_equal(p->toward(state, &v, on), -1);
	on[0] = 0, on[1] = 0, on[2] = 30;
	v.n[2].alive = false; /* never toward a dead node */
	assert_int_equal(p->toward(state, &v, on), -1);
	v.n[2].alive = true;
	v.n[2].runnable = 20; /* 10 per CPU: more than twice the mean + 1 */
	assert_int_equal(p->toward(state, &v, on), -1);
	v.n[2].runnable = 2;
	assert_int_equal(p->toward(state, &v, on), 2);
	/* the other policies do not move threads by their pages */
	assert_null(get("least_loaded")->toward);
	assert_null(get("steal")->toward);
}

/* The balancer carries out a move only when two passes in a row
 * proposed it; each earlier proposal confirms one move. */
static void test_moves_confirmed(void **s)
{
	(void)s;
	struct sched_move prev[3] = {{0, 1}, {0, 1}, {2, 3}};
	struct sched_move cur[4] = {{0, 1}, {2, 1}, {0, 1}, {0, 1}};
	struct sched_move out[4];
	assert_int_equal(sched_moves_confirmed(prev, 3, cur, 4, out), 2);
	assert_int_equal(out[0].from, 0);
	assert_int_equal(out[0].to, 1);
	assert_int_equal(out[1].from, 0);
	assert_int_equal(out[1].to, 1);
	/* nothing proposed before (first pass, or after a move): no move */
	assert_int_equal(sched_moves_confirmed(prev, 0, cur, 4, out), 0);
	/* a blip: proposed once, then not */
	assert_int_equal(sched_moves_confirmed(cur, 4, prev, 0, out), 0);
	/* the opposite direction does not confirm */
	struct sched_move back = {1, 0};
	assert_int_equal(sched_moves_confirmed(&back, 1, cur, 4, out), 0);
	/* a persistent 2-CPU imbalance: least_loaded proposes the same
	 * moves in two passes, and all are confirmed */
	const struct sched_policy_ops *p = get("least_loaded");
	uint32_t r[2] = {8, 0};
	struct sched_view v = view(2, 0, r);
	struct sched_move a[4], b[4];
	int na = p->balance(state, &v, a, 4);
	int nb = p->balance(state, &v, b, 4);
	assert_int_equal(na, 3); /* 8:0 on 2 CPUs each -> 5:3 */
	assert_int_equal(nb, 3);
	assert_int_equal(sched_moves_confirmed(a, na, b, nb, out), 3);
	assert_int_equal(out[2].from, 0);
	assert_int_equal(out[2].to, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_find),
	    cmocka_unit_test(test_local_and_round_robin),
	    cmocka_unit_test(test_least_loaded_place),
	    cmocka_unit_test(test_imbalance_converges),
	    cmocka_unit_test(test_moves_confirmed),
	    cmocka_unit_test(test_set_keys),
	    cmocka_unit_test(test_locality),
	    cmocka_unit_test(test_locality_toward),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
