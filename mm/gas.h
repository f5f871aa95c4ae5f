/*
 * mm/gas.h — the global address space (GAS): the one range of virtual
 * memory that holds everything the application writes, identical on every
 * node. Two parts:
 *   static:  [__gas_data_start, __gas_bss_end) in the top 2 GiB, the
 *            writable data of the application, newlib and posix/ (linked
 *            there so -mcmodel=kernel code can address it);
 *   dynamic: [GAS_DYN_BASE, +GAS_DYN_SIZE), heaps and thread stacks, one
 *            GAS_NODE_SPAN per node (node k's arena and stacks have home k).
 * Pages are mapped on first touch: static data from the image's copy,
 * everything else zero-filled. The DSM (cluster/, a layer above) takes over
 * the same fault path to keep pages coherent between nodes, through
 * gas_set_coherence().
 */
#ifndef MM_GAS_H
#define MM_GAS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GAS_DYN_BASE  0x0000100000000000ul
#define GAS_NODE_SPAN (1ul << 40) /* 1 TiB of address space per node */
#define GAS_DYN_SIZE  (256 * GAS_NODE_SPAN)
/* Within a node's span: */
#define GAS_HEAP_OFF	0ul
#define GAS_HEAP_SIZE	(1ul << 39) /* 512 GiB of heap address space */
#define GAS_STACKS_OFF	(1ul << 39)
#define GAS_STACKS_SIZE (1ul << 39)

/* Installs the fault handler. */
void gas_init(void);
bool gas_contains(uintptr_t va);
/* A guard range (a thread stack's guard, PROT_NONE memory of posix/mman.c):
 * a touch there is reported and ends the program. At most
 * GAS_MAX_GUARDS at once; -ENOSPC beyond. */
#define GAS_MAX_GUARDS 4096
int gas_guard_add(uintptr_t va, size_t len);
void gas_guard_remove(uintptr_t va);
/* Gives the frames of [va, va+len) back (a freed stack or heap run);
 * the next touch sees zeros. */
void gas_release(uintptr_t va, size_t len);

struct gas_stats {
	uint64_t faults_static, faults_zero, pages_mapped, pages_released;
};
void gas_get_stats(struct gas_stats *s);

/*
 * A coherence engine that takes the GAS over (cluster/dsm.c, when more
 * than one node runs). From its registration on, a fault on a GAS page
 * outside the guards goes to `fault`, and gas_release() keeps the pages:
 * their mappings are the engine's.
 */
struct gas_coherence_ops {
	/* Required. In the faulting thread's trap context, interrupts on, no
	 * lock held; may block. true when the access can be retried. */
	bool (*fault)(uintptr_t addr, bool write);
};
/* Once, before the first fault the engine must see; ops stay valid. */
void gas_set_coherence(const struct gas_coherence_ops *ops);

#endif
