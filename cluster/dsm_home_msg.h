/*
 * cluster/dsm_home_msg.h — the first-touch home claims on the wire (an RPC on
 * CNET_SVC_DSM_HOME, cluster/dsm_home.c) and their check: pure, unit-tested
 * and fuzzed.
 */
#ifndef CLUSTER_DSM_HOME_MSG_H
#define CLUSTER_DSM_HOME_MSG_H

#include <stddef.h>
#include <stdint.h>

enum { DSM_HOME_CLAIM = 1, DSM_HOME_CONFIRM = 2 };

struct dsm_home_req {
	uint32_t op;   /* DSM_HOME_* */
	uint32_t pad;  /* 0 */
	uint64_t page; /* page number */
};

/* Which pages a manager answers for: [page_lo, page_hi), those with
 * page % nodes == self. */
struct dsm_home_scope {
	uint64_t page_lo, page_hi;
	int nodes, self;
};

/* Checks a claim from a peer into *out: 0, -EBADMSG (wrong size, pad not
 * 0), -EPROTO (unknown op), -EINVAL (a page outside the static data or
 * managed by another node). */
int dsm_home_req_check(const void *msg, size_t len,
		       const struct dsm_home_scope *sc,
		       struct dsm_home_req *out);

#endif
