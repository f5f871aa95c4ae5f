/*
 * boot/pvh.c — parser of the PVH start info (QEMU -kernel, Xen's
 * hvm_start_info).
 *
 * The start info itself is handed over as a buffer; the command lines, the
 * module list and the memory map it points to are fetched through the
 * caller's phys_read, which may refuse any range. Every field is checked
 * before it is used.
 *
 * Choices beyond the spec: version 0 (no memory map) is an error, reported
 * after the command line, modules and RSDP were parsed; versions above 1 read
 * as 1; a zero cmdline_paddr means no command line; only the first
 * BOOT_MAX_MODULES module entries are read; more than 4096 map entries is
 * rejected as garbage; module names longer than their field are cut without
 * a flag.
 */
#include <stdint.h>

#include "boot/boot_info.h"
#include "boot/boot_parse.h"
#include "kernel/errno.h"
#include "kernel/kstring.h"

#define PVH_INFO_V0_LEN 40u /* through rsdp_paddr */
#define PVH_INFO_V1_LEN 56u /* through memmap_entries and reserved */
#define PVH_MOD_LEN	32u /* paddr, size, cmdline_paddr, reserved */
#define PVH_MMAP_LEN	24u /* addr, size, type, reserved */
/* More entries than any firmware writes; beyond this the field is garbage. */
#define PVH_MAX_MEMMAP_ENTRIES 4096u
/* Strings are fetched in pieces so that one ending just before unreadable
 * memory is still found. */
#define PVH_STR_CHUNK 64u

struct pvh_state {
	boot_phys_read_fn rd;
	void *ctx;
	struct boot_info *bi;
	char *err;
	size_t errlen;
};

static uint32_t get32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static uint64_t get64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static bool rd(struct pvh_state *s, uint64_t phys, void *dst, size_t len)
{
	if (!boot_range_ok(phys, len))
		return false;
	return s->rd(phys, dst, len, s->ctx);
}

/*
 * Copies the NUL-terminated string at phys into dst (size bytes, always
 * terminated). Reads at most size bytes; a longer string is cut and
 * *truncated set. Returns 0, or the offset + 1 of the first unreadable byte
 * before the NUL.
 */
static size_t read_string(struct pvh_state *s, uint64_t phys, char *dst,
			  size_t size, bool *truncated)
{
	size_t pos = 0;

	while (pos < size) {
		size_t n =
		    size - pos < PVH_STR_CHUNK ? size - pos : PVH_STR_CHUNK;
		size_t end = pos + n, len;

		if (rd(s, phys + pos, dst + pos, n)) {
			len = strnlen(dst + pos, n);
			if (len < n) {
				/* clear what was read past the NUL */
				memset(dst + pos + len, 0, n - len);
				return 0;
			}
			pos = end;
			continue;
		}
		/* Part of the chunk is unreadable: go byte by byte, so that a
		 * NUL before the hole still ends the string. */
		for (; pos < end; pos++) {
			if (!rd(s, phys + pos, dst + pos, 1))
				return pos + 1;
			if (!dst[pos]) {
				memset(dst + pos, 0, end - pos);
				return 0;
			}
		}
	}
	dst[size - 1] = '\0';
	*truncated = true;
	return 0;
}

static int parse_cmdline(struct pvh_state *s, uint64_t phys)
{
	struct boot_info *bi = s->bi;
	size_t bad;

	if (!phys)
		return 0; /* no command line */
	bad = read_string(s, phys, bi->cmdline, sizeof(bi->cmdline),
			  &bi->cmdline_truncated);
	if (!bad)
		return 0;
	memset(bi->cmdline, 0, sizeof(bi->cmdline));
	return boot_fail(s->err, s->errlen,
			 "pvh: command line at 0x%llx is unreadable at byte "
			 "%zu",
			 (unsigned long long)phys, bad - 1);
}

static int parse_module(struct pvh_state *s, uint64_t list, uint32_t i)
{
	struct boot_info *bi = s->bi;
	struct boot_module *m = &bi->modules[bi->nr_modules];
	uint8_t e[PVH_MOD_LEN];
	uint64_t base, len, name;
	bool cut = false; /* a long module command line is simply shortened */
	size_t bad;

	if (!rd(s, list + (uint64_t)i * PVH_MOD_LEN, e, sizeof(e)))
		return boot_fail(s->err, s->errlen,
				 "pvh: module list at 0x%llx is unreadable "
				 "(module %u)",
				 (unsigned long long)list, i);
	base = get64(e);
	len = get64(e + 8);
	name = get64(e + 16);
	if (!boot_range_ok(base, len))
		return boot_fail(s->err, s->errlen,
				 "pvh: module %u (paddr 0x%llx, size 0x%llx) "
				 "wraps past the end of the address space",
				 i, (unsigned long long)base,
				 (unsigned long long)len);
	if (name) {
		bad = read_string(s, name, m->name, sizeof(m->name), &cut);
		if (bad) {
			memset(m->name, 0, sizeof(m->name));
			return boot_fail(s->err, s->errlen,
					 "pvh: module %u command line at "
					 "0x%llx is unreadable at byte %zu",
					 i, (unsigned long long)name, bad - 1);
		}
	}
	m->base = base;
	m->len = len;
	bi->nr_modules++;
	return 0;
}

static int parse_modules(struct pvh_state *s, uint32_t nr, uint64_t list)
{
	uint32_t i;
	int ret;

	if (nr && !list)
		return boot_fail(s->err, s->errlen,
				 "pvh: nr_modules is %u but modlist_paddr is 0",
				 nr);
	if (nr > BOOT_MAX_MODULES) {
		/* Entries past the array are not even read. */
		s->bi->modules_truncated = true;
		nr = BOOT_MAX_MODULES;
	}
	for (i = 0; i < nr; i++) {
		ret = parse_module(s, list, i);
		if (ret)
			return ret;
	}
	return 0;
}

static int parse_memmap(struct pvh_state *s, uint64_t map, uint32_t nr)
{
	uint8_t e[PVH_MMAP_LEN];
	uint32_t i;

	if (!nr)
		return boot_fail(s->err, s->errlen,
				 "pvh: no memory map (memmap_entries is 0)");
	if (nr > PVH_MAX_MEMMAP_ENTRIES)
		return boot_fail(s->err, s->errlen,
				 "pvh: memmap_entries %u is absurd (more than "
				 "%u)",
				 nr, PVH_MAX_MEMMAP_ENTRIES);
	if (!map)
		return boot_fail(s->err, s->errlen,
				 "pvh: memmap_entries is %u but memmap_paddr "
				 "is 0",
				 nr);
	for (i = 0; i < nr; i++) {
		uint64_t base, len;

		if (!rd(s, map + (uint64_t)i * PVH_MMAP_LEN, e, sizeof(e)))
			return boot_fail(s->err, s->errlen,
					 "pvh: memory map at 0x%llx is "
					 "unreadable (entry %u)",
					 (unsigned long long)map, i);
		base = get64(e);
		len = get64(e + 8);
		if (!boot_range_ok(base, len))
			return boot_fail(s->err, s->errlen,
					 "pvh: memory map entry %u (addr "
					 "0x%llx, size 0x%llx) wraps past the "
					 "end of the address space",
					 i, (unsigned long long)base,
					 (unsigned long long)len);
		boot_mmap_add(s->bi, base, len, get32(e + 16));
	}
	return 0;
}

int pvh_parse(const void *start_info, size_t avail, boot_phys_read_fn rdfn,
	      void *ctx, struct boot_info *bi, char *err, size_t errlen)
{
	struct pvh_state s = {
	    .rd = rdfn, .ctx = ctx, .bi = bi, .err = err, .errlen = errlen};
	const uint8_t *p = start_info;
	uint32_t magic, version;
	int ret;

	memset(bi, 0, sizeof(*bi));
	bi->source = BOOT_SRC_PVH;
	if (err && errlen)
		err[0] = '\0';

	if (avail < PVH_INFO_V0_LEN)
		return boot_fail(err, errlen,
				 "pvh: start info is %zu bytes, too short "
				 "(version 0 needs 40)",
				 avail);
	magic = get32(p);
	if (magic != PVH_START_MAGIC)
		return boot_fail(err, errlen,
				 "pvh: bad magic 0x%x (expected 0x%x)", magic,
				 PVH_START_MAGIC);
	/* Later versions only append fields, so they read as version 1. */
	version = get32(p + 4);
	if (version >= 1 && avail < PVH_INFO_V1_LEN)
		return boot_fail(err, errlen,
				 "pvh: start info version %u needs 56 bytes, "
				 "only %zu available",
				 version, avail);

	ret = parse_cmdline(&s, get64(p + 24));
	if (ret)
		return ret;
	ret = parse_modules(&s, get32(p + 12), get64(p + 16));
	if (ret)
		return ret;
	bi->rsdp = get64(p + 32);
	/* Version 0 has no memory map and Unum has no other way to learn
	 * one (no Xen hypercalls), so it cannot boot from it. */
	if (version == 0)
		return boot_fail(err, errlen,
				 "pvh: no memory map (start info version 0)");
	ret = parse_memmap(&s, get64(p + 40), get32(p + 48));
	if (ret)
		return ret;
	boot_mmap_normalize(bi);
	return 0;
}
