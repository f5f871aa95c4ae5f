/*
 * tests/fuzz/fuzz_thread_msg.c — thread-service messages as a peer could
 * send them (sched/thread_msg.c). Beyond not crashing, what is accepted
 * must be safe to act on: a thread start has its entry in the code and
 * its stack (and TLS, if any) in the global address space; a migrated
 * context that passes has its rip in the code, its stack, TLS and thread record in the global address space,
 * safe flags, an MXCSR fxrstor takes and a CPU set of CPUs the cluster
 * has; an affinity request names a thread and a non-empty set of them.
 */
#include <assert.h>
#include <stdint.h>
#include <string.h>

#include "sched/thread_msg.h"

static const struct tm_limits lim = {
    .text_lo = 0xffffffff80100000ull,
    .text_hi = 0xffffffff80200000ull,
    .mem_lo = {0xffffffffc0000000ull, 0x100000000000ull},
    .mem_hi = {0xffffffffc0100000ull, 0x200000000000ull},
    .nodes = 4,
    .cpus = 8,
};

static int in_mem(uint64_t a)
{
	return (a >= lim.mem_lo[0] && a < lim.mem_hi[0]) ||
	       (a >= lim.mem_lo[1] && a < lim.mem_hi[1]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tm_mig_req r; /* the same bytes as a migration request */
	if (thread_mig_req_check(data, size, lim.nodes, &r) == 0)
		assert(size == sizeof(r) && r.tid && r.node >= 0 &&
		       r.node < lim.nodes);
	struct tm_aff_req a; /* and as an affinity request */
	if (thread_aff_req_check(data, size, lim.cpus, &a) == 0)
		assert(size == sizeof(a) && a.tid && !a.pad && a.set[0] &&
		       a.set[0] < (1u << lim.cpus) && !a.set[1] && !a.set[2] &&
		       !a.set[3]);
	int k = thread_msg_check(data, size, &lim);
	if (k == TM_MIGRATE) {
		struct tm_migrate m;
		assert(size == sizeof(m));
		memcpy(&m, data, sizeof(m));
		uint32_t mxcsr;
		memcpy(&mxcsr, m.fpu + TM_MXCSR_OFF, 4);
		assert(m.rip >= lim.text_lo && m.rip < lim.text_hi);
		assert(in_mem(m.rsp) && in_mem(m.fs_base) && in_mem(m.posix));
		assert(!(m.rflags & ~TM_RFLAGS_OK) &&
		       (m.rflags & TM_RFLAGS_IF));
		assert(!(mxcsr >> 16));
		assert(m.aff[0] < (1u << lim.cpus) && !m.aff[1] && !m.aff[2] &&
		       !m.aff[3]);
	} else if (k == TM_SPAWN) {
		struct tm_spawn m;
		memcpy(&m, data, sizeof(m));
		assert(m.entry >= lim.text_lo && m.entry < lim.text_hi);
		assert(m.len >= 1 && m.len <= TM_SPAWN_DATA);
		assert(in_mem(m.stack_top) &&
		       (!m.fs_base || in_mem(m.fs_base)));
	} else if (k == TM_SIGNAL) {
		struct tm_signal g;
		assert(size == sizeof(g));
		memcpy(&g, data, sizeof(g));
		assert(g.tid && g.entry >= lim.text_lo &&
		       g.entry < lim.text_hi);
	} else if (k == TM_POLICY) {
		struct tm_policy p;
		memcpy(&p, data, sizeof(p));
		assert(p.name[0] && memchr(p.name, 0, sizeof(p.name)));
	}
	return 0;
}
