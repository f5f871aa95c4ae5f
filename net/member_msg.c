/*
 * net/member_msg.c — the HELLO codec (net/member_wire.h): every HELLO from
 * the network is checked here before net/member.c counts it into the view
 * or takes its load. Pure; also built into the host tests and the fuzz
 * target.
 */
#include "kernel/errno.h"
#include "kernel/kstring.h"
#include "net/cnet_wire.h"
#include "net/member_wire.h"

void member_hello_encode(const struct member_hello *h,
			 struct member_hello_wire *w)
{
	w->magic = cnet_be32(MEMBER_HELLO_MAGIC);
	memcpy(w->mac, h->mac, sizeof(w->mac));
	w->origin = h->origin ? 1 : 0;
	w->in_view = h->in_view ? 1 : 0;
	w->cpus = cnet_be16(h->cpus);
	w->mem_mb = cnet_be32(h->mem_mb);
	w->runnable = cnet_be32(h->load.runnable);
	w->util = cnet_be16(h->load.util);
	w->threads = cnet_be16(h->load.threads);
	w->free_mb = cnet_be32(h->load.free_mb);
	w->faults_per_s = cnet_be32(h->load.faults_per_s);
	w->spawned = cnet_be32(h->load.spawned);
}

int member_hello_decode(const void *msg, size_t len, const uint8_t src_mac[6],
			struct member_hello *out)
{
	struct member_hello_wire w;
	if (len != sizeof(w))
		return -EBADMSG;
	memcpy(&w, msg, sizeof(w));
	if (cnet_be32(w.magic) != MEMBER_HELLO_MAGIC)
		return -EPROTO;
	if (memcmp(w.mac, src_mac, sizeof(w.mac)) || w.origin > 1 ||
	    w.in_view > 1)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	memcpy(out->mac, w.mac, sizeof(out->mac));
	out->origin = w.origin;
	out->in_view = w.in_view;
	out->cpus = cnet_be16(w.cpus);
	out->mem_mb = cnet_be32(w.mem_mb);
	out->load.runnable = cnet_be32(w.runnable);
	out->load.util = cnet_be16(w.util);
	out->load.threads = cnet_be16(w.threads);
	out->load.free_mb = cnet_be32(w.free_mb);
	out->load.faults_per_s = cnet_be32(w.faults_per_s);
	out->load.spawned = cnet_be32(w.spawned);
	if (out->cpus == 0 || out->load.util > MEMBER_UTIL_MAX)
		return -EINVAL;
	return 0;
}
