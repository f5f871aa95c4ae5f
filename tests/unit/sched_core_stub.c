/*
 * tests/unit/sched_core_stub.c — what the scheduling policies call of the
 * global scheduler's core (sched/global.c), for host programs that link
 * the policies only for the names they register (the key table's tests
 * and fuzzer): never called there.
 */
#include <stdint.h>

uint32_t sched_least_loaded_threshold(void);
uint32_t sched_least_loaded_threshold(void)
{
	return 1000;
}
