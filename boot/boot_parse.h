/*
 * boot/boot_parse.h — helpers shared by the boot-information parsers
 * (mb2.c, pvh.c). Private to boot/: the kernel uses boot/boot_info.h.
 */
#ifndef BOOT_BOOT_PARSE_H
#define BOOT_BOOT_PARSE_H

#include <stdarg.h>
#include <stdint.h>

#include "boot/boot_info.h"
#include "kernel/errno.h"
#include "kernel/kstring.h"

/* Writes the message into err (if there is room for one) and returns
 * -EINVAL, so that a parser can say `return boot_fail(...)`. */
static inline __attribute__((format(printf, 3, 4))) int
boot_fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		kvsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

/* Multiboot2 and PVH both use the E820 numbering; types the kernel does not
 * know (persistent memory, vendor types) are treated as reserved. */
static inline uint32_t boot_e820_type(uint32_t type)
{
	if (type >= BOOT_MEM_USABLE && type <= BOOT_MEM_BAD)
		return type;
	return BOOT_MEM_RESERVED;
}

/* true when [base, base + len) does not wrap past 2^64. */
static inline bool boot_range_ok(uint64_t base, uint64_t len)
{
	return base + len >= base;
}

/* Adds a region of the loader's map; a full array is not an error. */
static inline void boot_mmap_add(struct boot_info *bi, uint64_t base,
				 uint64_t len, uint32_t e820_type)
{
	if (!len)
		return;
	if (bi->nr_mmap >= BOOT_MAX_MMAP) {
		bi->mmap_truncated = true;
		return;
	}
	bi->mmap[bi->nr_mmap].base = base;
	bi->mmap[bi->nr_mmap].len = len;
	bi->mmap[bi->nr_mmap].type = boot_e820_type(e820_type);
	bi->nr_mmap++;
}

#endif
