/*
 * tools/unumctl.h — the parts of unumctl that read what comes from the
 * network, apart from its main() so the fuzzer (tests/fuzz) and the unit
 * tests can drive them.
 */
#ifndef TOOLS_UNUMCTL_H
#define TOOLS_UNUMCTL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "net/cnet_frame.h"
#include "sched/control_proto.h"

/* Exit codes (also in --help and docs/SCHEDULING.md). */
#define UNUMCTL_OK	  0 /* done */
#define UNUMCTL_REFUSED	  1 /* the cluster answered with an error */
#define UNUMCTL_USAGE	  2 /* bad command line */
#define UNUMCTL_NO_ANSWER 3 /* no answer after every try */
#define UNUMCTL_LOCAL	  4 /* socket, interface or key file failed here */

/*
 * One Ethernet frame received on the bridge: 0 and *out when it is the
 * answer to request req_id of operation op (authentic under p's key and
 * cluster id, a control datagram for no node, a well-formed reply); else a
 * negative errno (frame refused by the transport's decoder, another
 * service, or a reply to something else). Never reads outside the frame.
 */
int unumctl_accept(const struct cnet_frame_params *p, const void *frame,
		   size_t len, uint32_t req_id, uint8_t op,
		   struct ctl_reply *out);

/* Prints the records of a STATUS reply, one line a node (a header line
 * first when `header`). 0, or -EINVAL if a record does not decode. */
int unumctl_print_status(FILE *f, const struct ctl_reply *r, int header);

/* A failed status (minus a Unum errno: newlib's numbers, kernel/errno.h,
 * not the host's) for people, into buf: "what (ENAME)". */
const char *unumctl_strerror(int32_t status, char *buf, size_t n);

#endif
