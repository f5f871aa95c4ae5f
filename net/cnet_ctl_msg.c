/*
 * net/cnet_ctl_msg.c — the control service's codec (net/cnet_ctl_wire.h):
 * every message from a peer is checked here before net/cnet_ctl.c acts on
 * it. Pure; also built into the host tests and the fuzz target.
 */
#include "kernel/errno.h"
#include "kernel/kstring.h"
#include "net/cnet_ctl_wire.h"
#include "net/cnet_wire.h"

void cnet_ctl_encode(struct cnet_ctl_hdr *hdr, uint32_t kind, int32_t status,
		     uint32_t text_len)
{
	hdr->kind = cnet_be32(kind);
	hdr->status = cnet_be32((uint32_t)status);
	hdr->text_len = cnet_be32(text_len);
}

int cnet_ctl_decode(const void *msg, size_t len, struct cnet_ctl_msg *out)
{
	struct cnet_ctl_hdr h;
	if (len < sizeof(h))
		return -EBADMSG;
	memcpy(&h, msg, sizeof(h));
	out->kind = cnet_be32(h.kind);
	out->status = (int32_t)cnet_be32(h.status);
	out->text_len = cnet_be32(h.text_len);
	out->text = NULL;
	if (out->kind != CNET_CTL_EXIT && out->kind != CNET_CTL_CONSOLE)
		return -EPROTO;
	if (out->text_len != len - sizeof(h))
		return -EBADMSG;
	if (out->kind == CNET_CTL_EXIT)
		return out->text_len ? -EBADMSG : 0;
	if (out->status != 0)
		return -EINVAL;
	out->text = (const char *)msg + sizeof(h);
	return 0;
}
