/*
 * sched/control_proto.h — encoding and decoding of live-control messages
 * (layout: sched/control_wire.h). Pure C: the kernel's control service
 * (sched/control.c), the host tool (tools/unumctl.c), the unit tests and
 * the fuzzers share it.
 *
 * The decoders are the one place where control input from outside is
 * checked. They never read outside [msg, msg + len) and return 0 or:
 *   -EBADMSG  a length is wrong (too short, trailing bytes, text too long)
 *   -EPROTO   not this protocol (magic) or another version
 *   -EINVAL   a field out of range, reserved bits set, text not printable
 */
#ifndef SCHED_CONTROL_PROTO_H
#define SCHED_CONTROL_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sched/control_wire.h"

#define CTL_KEYS_MAX	  8  /* key=value pairs in one POLICY_SET */
#define CTL_KEY_LEN_MAX	  63 /* as kernel/config.h CFG_KEY_MAX */
#define CTL_VALUE_LEN_MAX 127

/* A request in host byte order. */
struct ctl_request {
	uint8_t op;
	uint16_t target;
	uint32_t req_id;
	uint8_t reply_mac[6];
	uint16_t first;
	uint32_t tid, node;
	uint16_t arg_len;
	char arg[CTL_ARG_MAX + 1]; /* NUL-terminated */
};

/* One node's record in host byte order. */
struct ctl_node_info {
	uint16_t node;
	uint8_t mac[6];
	bool alive, reported;
	uint16_t cpus;
	uint32_t runnable, threads, mem_mb, free_mb;
	uint64_t dsm_faults, dsm_pages_in, dsm_pages_out, dsm_invalidations,
	    dsm_msgs;
	char policy[CTL_POLICY_NAME_MAX + 1];
};

/* A reply in host byte order; recs points into the decoded message. */
struct ctl_reply {
	uint8_t op;
	uint16_t node;
	uint32_t req_id;
	int32_t status;
	uint16_t nodes, first, count;
	const struct ctl_node_rec *recs;
	uint16_t text_len;
	char text[CTL_TEXT_MAX + 1]; /* NUL-terminated */
};

/* The parsed text of a POLICY_SET. */
struct ctl_policy_args {
	char name[CTL_POLICY_NAME_MAX + 1];
	int nkeys;
	char key[CTL_KEYS_MAX][CTL_KEY_LEN_MAX + 1];
	char value[CTL_KEYS_MAX][CTL_VALUE_LEN_MAX + 1];
};

/* The request's length in buf, or -EINVAL (fields inconsistent: the same
 * checks as the decoder), -ENOBUFS (cap too small). */
int ctl_req_encode(const struct ctl_request *r, void *buf, size_t cap);
int ctl_req_decode(const void *msg, size_t len, struct ctl_request *out);

/* Writes a reply header, count records and text (text_len bytes) into buf:
 * its length, or -EINVAL, -ENOBUFS. r->recs and r->text are ignored. */
int ctl_rep_encode(const struct ctl_reply *r, const struct ctl_node_info *recs,
		   const char *text, size_t text_len, void *buf, size_t cap);
int ctl_rep_decode(const void *msg, size_t len, struct ctl_reply *out);

void ctl_rec_encode(const struct ctl_node_info *in, struct ctl_node_rec *out);
/* 0 or -EINVAL (flags not 0/1, policy not a printable NUL-padded name,
 * reserved set). */
int ctl_rec_decode(const struct ctl_node_rec *in, struct ctl_node_info *out);

/*
 * Splits "NAME [key=value ...]" (len bytes, single spaces). 0, or -EINVAL
 * with a message naming the offending word in why (e.g. "'abc' is not
 * key=value").
 */
int ctl_policy_parse(const char *text, size_t len, struct ctl_policy_args *out,
		     char *why, size_t why_len);

/* Printable ASCII (0x20..0x7e), the only bytes control text may hold. */
bool ctl_text_ok(const char *s, size_t len);

/* Records of at most this many fit in one reply of mtu (Ethernet payload
 * bytes) with room for the longest text. */
unsigned ctl_recs_per_reply(uint32_t mtu);

#endif
