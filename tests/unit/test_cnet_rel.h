/*
 * tests/unit/test_cnet_rel.h — the simulated-link tests of test_cnet_rel_sim.c,
 * run from test_cnet_rel.c's main.
 */
#ifndef TESTS_UNIT_TEST_CNET_REL_H
#define TESTS_UNIT_TEST_CNET_REL_H

void test_sim_random_schedules(void **state);
void test_sim_restart(void **state);
void test_sim_three_nodes(void **state);

#endif
