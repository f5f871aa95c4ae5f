/*
 * cluster/dsm_protocol_find.c — the coherence protocols linked in, found by
 * name. The linker collects DEFINE_DSM_PROTOCOL pointers in section
 * dsm_protocols and provides its bounds.
 */
#include "cluster/dsm_proto.h"
#include "kernel/kstring.h"

extern const struct dsm_protocol *const __start_dsm_protocols[];
extern const struct dsm_protocol *const __stop_dsm_protocols[];

const struct dsm_protocol *dsm_protocol_find(const char *name)
{
	for (const struct dsm_protocol *const *p = __start_dsm_protocols;
	     p < __stop_dsm_protocols; p++)
		if (!strcmp((*p)->name, name))
			return *p;
	return NULL;
}
