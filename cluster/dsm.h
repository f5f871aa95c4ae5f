/*
 * cluster/dsm.h — the distributed shared memory in the kernel: the global
 * address space kept coherent between the nodes page by page
 * (cluster/dsm_proto.c is the protocol; this is its glue to page faults, the
 * page tables and the transport).
 */
#ifndef CLUSTER_DSM_H
#define CLUSTER_DSM_H

#include <stdbool.h>
#include <stdint.h>

#include "cluster/dsm_proto.h"

/* Where the pages of the program's static data have their home
 * (dsm.home=; config_enum("dsm.home") is one of these). */
enum dsm_home_mode {
	DSM_HOME_INTERLEAVE,  /* page % nodes */
	DSM_HOME_ORIGIN,      /* node 0 */
	DSM_HOME_FIRST_TOUCH, /* the first node to fault on it */
	DSM_HOME_MODES
};
/* cluster/dsm_home_mode.c, indexed by the mode: the values of dsm.home=
 * (registered as its choices there), and how the boot log says it. */
extern const char *const dsm_home_mode_names[DSM_HOME_MODES];
extern const char *const dsm_home_mode_text[DSM_HOME_MODES];

/* True once the DSM manages the GAS (a cluster of more than one node). */
bool dsm_active(void);
/* A fault on a GAS address; may block. true when the access can be
 * retried. `write`: the access was a write. */
bool dsm_handle_fault(uintptr_t addr, bool write);
void dsm_get_stats(struct dsm_stats *s);
/* A page of the program's static data (as opposed to heap and stacks). */
bool dsm_is_static_page(uint64_t page);
/* First-touch homes (cluster/dsm_home.c): the home this node knows for a
 * static page, or -1; the home, claimed or learnt from the page's manager
 * (may block; -errno if it cannot be had); the service's start. */
int dsm_home_cached(uint64_t page);
int dsm_home_resolve(uint64_t page);
int dsm_home_start(void);
/* A malformed or refused DSM message from a peer: counted in bad_msgs. */
void dsm_count_bad(void);
/* Read and write faults so far, without locking (for load probes). */
uint64_t dsm_fault_count(void);
/* This node's counters as "key value" lines (/proc/dsm): node, nodes,
 * active (0 when alone: then every counter is 0), check, then
 * dsm_stats_text's lines. Like snprintf: returns the length needed. May
 * sleep (takes dsm_lock), and buf may be in the global address space. */
size_t dsm_proc_text(char *buf, size_t len);
/* This node's counters for the exit report (dsm.stats=1): two lines (a
 * third with dsm.check=1: the reports its checker applied), or nothing
 * when the DSM is not active. Like snprintf; takes no lock. */
size_t dsm_report_text(char *buf, size_t len);

#endif
