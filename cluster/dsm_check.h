/*
 * cluster/dsm_check.h — the invariant checker of dsm.check=1, as pure code: a
 * page's home applies the reports its nodes send of every change of their
 * own access to the page (cluster/dsm.c sends them ahead of the protocol
 * messages of the same transition, and the transport keeps each sender's
 * messages in order), and checks after each one that
 *   - at most one node holds the page RW, and if one does nobody else
 *     holds it at all;
 *   - nobody takes a copy (RO or RW) older than a version already seen.
 * On a violation it writes a report of three lines: what broke, who holds
 * the page, and the page's last transitions.
 *
 * Nothing here locks: the caller serialises all calls on one checker.
 */
#ifndef CLUSTER_DSM_CHECK_H
#define CLUSTER_DSM_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cluster/dsm_proto.h"

/* The report's message type on CNET_SVC_DSM, beside the protocol's:
 * flags = the new access (enum dsm_access), version = the copy's version. */
#define DSM_CHECK_REPORT 32

#define DSM_CHECK_HASH	  256
#define DSM_CHECK_HISTORY 4 /* transitions kept per page for the report */

struct dsm_check_page; /* per page reported */

struct dsm_check {
	int nodes;
	void *(*alloc)(void *ctx, size_t n);
	void (*free)(void *ctx, void *p);
	void *ctx;
	struct dsm_check_page *pages[DSM_CHECK_HASH];
	uint64_t reports, violations;
};

void dsm_check_init(struct dsm_check *c, int nodes,
		    void *(*alloc)(void *ctx, size_t n),
		    void (*free)(void *ctx, void *p), void *ctx);
void dsm_check_destroy(struct dsm_check *c);

enum dsm_check_result {
	DSM_CHECK_OK = 0,
	DSM_CHECK_VIOLATION = 1, /* the report is in buf */
};
/* Node `node` now holds `page` with `access` at `version`. Returns
 * DSM_CHECK_*, -EINVAL for a node or access out of range (nothing
 * applied), -ENOMEM. The report (NUL-terminated, cut to len) is written
 * only on a violation. */
int dsm_check_apply(struct dsm_check *c, int node, uint64_t page,
		    unsigned access, uint32_t version, char *buf, size_t len);

#endif
