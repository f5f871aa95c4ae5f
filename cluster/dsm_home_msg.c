/*
 * cluster/dsm_home_msg.c — see dsm_home_msg.h.
 */
#include "cluster/dsm_home_msg.h"
#include "kernel/errno.h"
#include "kernel/kstring.h"

int dsm_home_req_check(const void *msg, size_t len,
		       const struct dsm_home_scope *sc,
		       struct dsm_home_req *out)
{
	if (len != sizeof(*out))
		return -EBADMSG;
	memcpy(out, msg, sizeof(*out));
	if (out->pad)
		return -EBADMSG;
	if (out->op != DSM_HOME_CLAIM && out->op != DSM_HOME_CONFIRM)
		return -EPROTO;
	if (out->page < sc->page_lo || out->page >= sc->page_hi ||
	    sc->nodes <= 0 ||
	    out->page % (uint64_t)sc->nodes != (uint64_t)sc->self)
		return -EINVAL;
	return 0;
}
