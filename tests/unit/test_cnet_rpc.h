/*
 * tests/unit/test_cnet_rpc.h — the test of test_cnet_rpc_link.c, run from
 * test_cnet_rpc.c's main.
 */
#ifndef TESTS_UNIT_TEST_CNET_RPC_H
#define TESTS_UNIT_TEST_CNET_RPC_H

void test_rpc_over_lossy_link(void **state);

#endif
