/*
 * tests/unit/test_cnet_rel.h — the tests of test_cnet_rel_peers.c and
 * test_cnet_rel_sim.c, run from test_cnet_rel.c's main.
 */
#ifndef TESTS_UNIT_TEST_CNET_REL_H
#define TESTS_UNIT_TEST_CNET_REL_H

/* test_cnet_rel_peers.c */
void test_peer_reboot(void **state);
void test_we_rebooted(void **state);
void test_fence(void **state);
void test_datagrams(void **state);
void test_dgram_stale(void **state);
void test_self_send(void **state);
void test_config_and_errors(void **state);
void test_alloc_failures(void **state);
void test_hostile_peer(void **state);
void test_tx_failure(void **state);

/* test_cnet_rel_sim.c */
void test_sim_random_schedules(void **state);
void test_sim_restart(void **state);
void test_sim_three_nodes(void **state);

#endif
