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
 * everything else zero-filled. The DSM (a later layer) takes over the same
 * fault path to keep pages coherent between nodes.
 */
#ifndef MM_GAS_H
#define MM_GAS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GAS_DYN_BASE 0x0000100000000000ul
#define GAS_NODE_SPAN (1ul << 40) /* 1 TiB of address space per node */
#define GAS_DYN_SIZE (256 * GAS_NODE_SPAN)
/* Within a node's span: */
#define GAS_HEAP_OFF 0ul
#define GAS_HEAP_SIZE (1ul << 39) /* 512 GiB of heap address space */
#define GAS_STACKS_OFF (1ul << 39)
#define GAS_STACKS_SIZE (1ul << 39)

/* Installs the fault handler. */
void gas_init(void);
bool gas_contains(uintptr_t va);
/* A guard range: a touch there is reported as a stack overflow. At most
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

#endif
