/*
 * mm/dsm.h — the distributed shared memory in the kernel: the global
 * address space kept coherent between the nodes page by page
 * (mm/dsm_proto.c is the protocol; this is its glue to page faults, the
 * page tables and the transport).
 */
#ifndef MM_DSM_H
#define MM_DSM_H

#include <stdbool.h>
#include <stdint.h>

#include "mm/dsm_proto.h"

/* True once the DSM manages the GAS (a cluster of more than one node). */
bool dsm_active(void);
/* A fault on a GAS address; may block. true when the access can be
 * retried. `write`: the access was a write. */
bool dsm_handle_fault(uintptr_t addr, bool write);
void dsm_get_stats(struct dsm_stats *s);
/* Prints this node's counters (dsm.stats=1 at exit). */
void dsm_print_stats(void);

#endif
