/*
 * tools/tool_args.h — command-line helpers shared by the host tools
 * (cnet-inject, unumctl).
 */
#ifndef TOOLS_TOOL_ARGS_H
#define TOOLS_TOOL_ARGS_H

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>

/* A decimal number in [lo, hi] (no sign, no trailing text); false
 * otherwise. */
static inline bool tool_parse_ulong(const char *s, unsigned long lo,
				    unsigned long hi, unsigned long *out)
{
	char *end;
	if (!*s || *s == '-' || *s == '+')
		return false;
	errno = 0;
	unsigned long v = strtoul(s, &end, 10);
	if (errno || *end || v < lo || v > hi)
		return false;
	*out = v;
	return true;
}

#endif
