/*
 * cluster/dsm_wire.c — encoding and checking the DSM's wire header (see
 * cluster/dsm_wire.h). Pure: also built into the host tests and fuzzed.
 */
#include "cluster/dsm_wire.h"
#include "kernel/errno.h"
#include "kernel/kstring.h"
#include "net/cnet_wire.h"

void dsm_wire_encode(const struct dsm_msg *m, struct dsm_wire_hdr *h)
{
	h->type = m->type;
	h->flags = m->flags;
	h->from = cnet_be16(m->from);
	h->version = cnet_be32(m->version);
	h->page = cnet_be64(m->page);
}

int dsm_wire_decode(int peer, const void *msg, size_t len, struct dsm_msg *m)
{
	struct dsm_wire_hdr h;
	if (len < sizeof(h))
		return -EBADMSG;
	size_t body = len - sizeof(h);
	if (body != 0 && body != DSM_PAGE)
		return -EBADMSG;
	memcpy(&h, msg, sizeof(h));
	if (cnet_be16(h.from) != peer)
		return -EPROTO;
	m->type = h.type;
	m->flags = h.flags;
	m->from = cnet_be16(h.from);
	m->version = cnet_be32(h.version);
	m->page = cnet_be64(h.page);
	m->data = body ? (const uint8_t *)msg + sizeof(h) : NULL;
	return 0;
}
