/*
 * tests/fuzz/boot_check.h — invariants of a parsed struct boot_info, checked
 * by the boot/ fuzz targets (fuzz_mb2.c, fuzz_pvh.c) after every parse.
 */
#ifndef TESTS_FUZZ_BOOT_CHECK_H
#define TESTS_FUZZ_BOOT_CHECK_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "boot/boot_info.h"

#define CHECK(cond)                                                            \
	do {                                                                   \
		if (!(cond)) {                                                 \
			fprintf(stderr, "%s:%d: invariant broken: %s\n",       \
				__FILE__, __LINE__, #cond);                    \
			abort();                                               \
		}                                                              \
	} while (0)

static inline bool terminated(const char *s, size_t size)
{
	return memchr(s, '\0', size) != NULL;
}

static inline void check_boot_info(struct boot_info *bi, int ret,
				   const char *err, size_t errlen,
				   const char *prefix)
{
	size_t plen = strlen(prefix);

	CHECK(ret == 0 || ret == -EINVAL);
	CHECK(terminated(err, errlen));
	if (ret) {
		CHECK(strncmp(err, prefix, plen) == 0 && strlen(err) > plen);
	} else {
		CHECK(err[0] == '\0');
	}
	CHECK(terminated(bi->cmdline, sizeof(bi->cmdline)));
	CHECK(terminated(bi->loader, sizeof(bi->loader)));
	CHECK(bi->nr_modules <= BOOT_MAX_MODULES);
	CHECK(bi->nr_mmap <= BOOT_MAX_MMAP);
	for (uint32_t i = 0; i < BOOT_MAX_MODULES; i++) {
		const struct boot_module *m = &bi->modules[i];

		CHECK(terminated(m->name, sizeof(m->name)));
		CHECK(m->len <= UINT64_MAX - m->base);
	}
	if (bi->cmdline_truncated)
		CHECK(strlen(bi->cmdline) == BOOT_CMDLINE_MAX - 1);
	if (ret)
		return;

	for (uint32_t i = 0; i < bi->nr_mmap; i++) {
		const struct boot_mem_region *r = &bi->mmap[i];

		CHECK(r->len > 0);
		CHECK(r->len <= UINT64_MAX - r->base);
		CHECK(r->type >= BOOT_MEM_USABLE && r->type <= BOOT_MEM_BAD);
		if (i) {
			const struct boot_mem_region *p = &bi->mmap[i - 1];

			CHECK(p->base + p->len <= r->base);
			CHECK(p->base + p->len < r->base || p->type != r->type);
		}
	}
	for (uint32_t i = bi->nr_mmap; i < BOOT_MAX_MMAP; i++)
		CHECK(bi->mmap[i].len == 0);

	/* a normalized map is a fixed point */
	static struct boot_info again;
	memcpy(&again, bi, sizeof(again));
	boot_mmap_normalize(&again);
	CHECK(again.nr_mmap == bi->nr_mmap);
	CHECK(memcmp(again.mmap, bi->mmap, sizeof(bi->mmap)) == 0);
}

#endif
