/*
 * tools/unumctl_reply.c — unumctl's reading of answers from the cluster:
 * the frame through the transport's own decoder, then the control reply
 * through sched/control_proto.c; and how answers are printed.
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "net/cnet.h"
#include "tools/unumctl.h"

int unumctl_accept(const struct cnet_frame_params *p, const void *frame,
		   size_t len, uint32_t req_id, uint8_t op,
		   struct ctl_reply *out)
{
	struct cnet_frame_info fi;
	struct cnet_drop_stats drops;
	const void *payload;
	memset(&drops, 0, sizeof(drops));
	int rc = cnet_frame_decode(p, frame, len, &fi, &payload, &drops);
	if (rc)
		return rc;
	if (fi.flags != CNET_F_DGRAM || fi.service != CNET_SVC_SCHED_CTL ||
	    fi.dst_node != CNET_NODE_NONE || fi.src_node == CNET_NODE_NONE)
		return -ENOENT; /* heartbeats, our own request, ... */
	rc = ctl_rep_decode(payload, fi.payload_len, out);
	if (rc)
		return rc;
	if (out->req_id != req_id || out->op != op || out->node != fi.src_node)
		return -ENOENT;
	return 0;
}

static const char *yes_no(int v)
{
	return v ? "yes" : "no";
}

int unumctl_print_status(FILE *f, const struct ctl_reply *r, int header)
{
	if (header)
		fprintf(f,
			"%-4s %-17s %-5s %-4s %-8s %-7s %-7s %-7s %-12s "
			"%-10s %-8s %-9s %-6s %s\n",
			"node", "mac", "alive", "cpus", "runnable", "threads",
			"mem_mb", "free_mb", "policy", "dsm_faults", "pages_in",
			"pages_out", "invals", "dsm_msgs");
	for (unsigned i = 0; i < r->count; i++) {
		struct ctl_node_info n;
		if (ctl_rec_decode(r->recs + i, &n))
			return -EINVAL;
		fprintf(f, "%-4u %02x:%02x:%02x:%02x:%02x:%02x %-5s %-4u ",
			n.node, n.mac[0], n.mac[1], n.mac[2], n.mac[3],
			n.mac[4], n.mac[5], yes_no(n.alive), n.cpus);
		if (!n.reported) {
			fprintf(f,
				"%-8s %-7s %-7s %-7s %-12s %-10s %-8s %-9s "
				"%-6s %s\n",
				"-", "-", "-", "-", "(no report)", "-", "-",
				"-", "-", "-");
			continue;
		}
		fprintf(f,
			"%-8" PRIu32 " %-7" PRIu32 " %-7" PRIu32 " %-7" PRIu32
			" %-12s %-10" PRIu64 " %-8" PRIu64 " %-9" PRIu64
			" %-6" PRIu64 " %" PRIu64 "\n",
			n.runnable, n.threads, n.mem_mb, n.free_mb, n.policy,
			n.dsm_faults, n.dsm_pages_in, n.dsm_pages_out,
			n.dsm_invalidations, n.dsm_msgs);
	}
	return 0;
}

/* Status values on the wire are Unum's errno numbers (newlib's, as in
 * kernel/errno.h), not the host's: the ones the control service answers. */
static const struct {
	int32_t unum;
	const char *name, *what;
} unum_errnos[] = {
    {2, "ENOENT", "no such key"},
    {3, "ESRCH", "no such thread"},
    {5, "EIO", "I/O error"},
    {12, "ENOMEM", "out of memory on the node"},
    {16, "EBUSY", "the thread cannot move now"},
    {22, "EINVAL", "invalid argument"},
    {88, "ENOSYS", "thread migration is not implemented in this kernel"},
    {116, "ETIMEDOUT", "some node did not answer"},
    {118, "EHOSTUNREACH",
     "the destination node is not alive or not in "
     "the view"},
};

const char *unumctl_strerror(int32_t status, char *buf, size_t n)
{
	for (size_t i = 0; i < sizeof(unum_errnos) / sizeof(unum_errnos[0]);
	     i++)
		if (unum_errnos[i].unum == -status) {
			snprintf(buf, n, "%s (%s)", unum_errnos[i].what,
				 unum_errnos[i].name);
			return buf;
		}
	snprintf(buf, n, "error %d", (int)status);
	return buf;
}
