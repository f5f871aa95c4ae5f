/*
 * boot/mb2.c — parser of the Multiboot2 boot information (GRUB's handoff).
 *
 * The info is a u32 total_size, a u32 reserved word, then tags, each 8-byte
 * aligned and starting with {u32 type, u32 size}; an end tag {0, 8} closes
 * the list. Every field is checked before it is used: the info comes from
 * the boot loader and may be anything.
 *
 * Choices beyond the spec: unknown tags are skipped; entry_version of the
 * memory map is ignored (later versions only append fields); a map entry that
 * wraps past 2^64 is an error, as in Linux; the RSDP v2 copy wins over a v1
 * copy in either order; only a direct-RGB framebuffer is recorded; loader
 * and module names longer than their fields are cut without a flag (only
 * the command line has one); modules past BOOT_MAX_MODULES and map entries
 * past BOOT_MAX_MMAP are still checked, then dropped with the *_truncated
 * flag set.
 */
#include <stdint.h>

#include "boot/boot_info.h"
#include "boot/boot_parse.h"
#include "kernel/errno.h"
#include "kernel/kstring.h"

enum {
	MB2_TAG_END = 0,
	MB2_TAG_CMDLINE = 1,
	MB2_TAG_LOADER = 2,
	MB2_TAG_MODULE = 3,
	MB2_TAG_MMAP = 6,
	MB2_TAG_FRAMEBUFFER = 8,
	MB2_TAG_ACPI_OLD = 14,
	MB2_TAG_ACPI_NEW = 15,
};

#define MB2_HDR		   8u  /* {type, size} of a tag; also the info header */
#define MB2_MMAP_HDR	   16u /* tag header + entry_size + entry_version */
#define MB2_MMAP_ENTRY_MIN 24u /* u64 base, u64 len, u32 type, u32 zero */
#define MB2_FB_MIN	   31u /* common part through the reserved byte */
#define MB2_FB_TYPE_RGB	   1
#define RSDP_V1_LEN	   20u
#define RSDP_V2_LEN	   36u

/* One tag being decoded; p points at its header. */
struct mb2_tag {
	const uint8_t *p;
	size_t off;
	uint32_t type, size;
};

struct mb2_state {
	struct boot_info *bi;
	char *err;
	size_t errlen;
	bool have_rsdp_v2; /* an old-RSDP tag must not replace a v2 copy */
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

static const char *tag_name(uint32_t type)
{
	switch (type) {
	case MB2_TAG_CMDLINE:
		return "command line";
	case MB2_TAG_LOADER:
		return "boot loader name";
	case MB2_TAG_MODULE:
		return "module";
	case MB2_TAG_MMAP:
		return "memory map";
	case MB2_TAG_FRAMEBUFFER:
		return "framebuffer";
	case MB2_TAG_ACPI_OLD:
		return "ACPI RSDP v1";
	case MB2_TAG_ACPI_NEW:
		return "ACPI RSDP v2";
	}
	return "unknown";
}

static int too_short(struct mb2_state *s, const struct mb2_tag *t,
		     uint32_t need)
{
	return boot_fail(s->err, s->errlen,
			 "multiboot2: tag %u (%s) at offset %zu is too short "
			 "(size %u, need at least %u)",
			 t->type, tag_name(t->type), t->off, t->size, need);
}

/*
 * Checks the NUL-terminated string that fills the tag from byte `at` to its
 * end and copies it into dst (size bytes). Returns -EINVAL if the tag has no
 * room for a string or the string has no NUL; *truncated tells whether dst
 * was too small.
 */
static int take_string(struct mb2_state *s, const struct mb2_tag *t,
		       uint32_t at, char *dst, size_t size, bool *truncated)
{
	const char *str = (const char *)t->p + at;
	size_t room = t->size - at;
	size_t len;

	if (t->size <= at)
		return boot_fail(s->err, s->errlen,
				 "multiboot2: tag %u (%s) at offset %zu has no "
				 "room for its string (size %u)",
				 t->type, tag_name(t->type), t->off, t->size);
	len = strnlen(str, room);
	if (len == room)
		return boot_fail(
		    s->err, s->errlen,
		    "multiboot2: tag %u (%s) at offset %zu: string "
		    "is not NUL-terminated",
		    t->type, tag_name(t->type), t->off);
	if (len >= size) {
		len = size - 1;
		*truncated = true;
	}
	memcpy(dst, str, len);
	dst[len] = '\0';
	return 0;
}

static int parse_module(struct mb2_state *s, const struct mb2_tag *t)
{
	struct boot_info *bi = s->bi;
	struct boot_module tmp;
	bool name_cut = false;
	uint32_t start, end;
	int ret;

	if (t->size < MB2_HDR + 8)
		return too_short(s, t, MB2_HDR + 8);
	start = get32(t->p + 8);
	end = get32(t->p + 12);
	if (end < start)
		return boot_fail(s->err, s->errlen,
				 "multiboot2: tag 3 (module) at offset %zu: "
				 "mod_end 0x%x is below mod_start 0x%x",
				 t->off, end, start);
	ret = take_string(s, t, MB2_HDR + 8, tmp.name, sizeof(tmp.name),
			  &name_cut);
	if (ret)
		return ret;
	if (bi->nr_modules >= BOOT_MAX_MODULES) {
		bi->modules_truncated = true;
		return 0;
	}
	tmp.base = start;
	tmp.len = (uint64_t)end - start;
	bi->modules[bi->nr_modules++] = tmp;
	return 0;
}

static int parse_mmap(struct mb2_state *s, const struct mb2_tag *t)
{
	uint32_t esize, bytes, i;

	if (t->size < MB2_MMAP_HDR)
		return too_short(s, t, MB2_MMAP_HDR);
	esize = get32(t->p + 8);
	if (esize < MB2_MMAP_ENTRY_MIN || esize % 8)
		return boot_fail(
		    s->err, s->errlen,
		    "multiboot2: tag 6 (memory map) at offset %zu: "
		    "entry_size %u is invalid (must be a multiple "
		    "of 8, at least 24)",
		    t->off, esize);
	bytes = t->size - MB2_MMAP_HDR;
	if (bytes % esize)
		return boot_fail(
		    s->err, s->errlen,
		    "multiboot2: tag 6 (memory map) at offset %zu: "
		    "%u bytes of entries is not a whole number of "
		    "%u-byte entries",
		    t->off, bytes, esize);
	/* entry_version is ignored: later versions only append fields. */
	for (i = 0; i < bytes / esize; i++) {
		const uint8_t *e = t->p + MB2_MMAP_HDR + (size_t)i * esize;
		uint64_t base = get64(e), len = get64(e + 8);

		if (!boot_range_ok(base, len))
			return boot_fail(s->err, s->errlen,
					 "multiboot2: tag 6 (memory map) at "
					 "offset %zu: entry %u (base 0x%llx, "
					 "length 0x%llx) wraps past the end of "
					 "the address space",
					 t->off, i, (unsigned long long)base,
					 (unsigned long long)len);
		boot_mmap_add(s->bi, base, len, get32(e + 16));
	}
	return 0;
}

static int parse_framebuffer(struct mb2_state *s, const struct mb2_tag *t)
{
	struct boot_framebuffer *fb = &s->bi->fb;

	if (t->size < MB2_FB_MIN)
		return too_short(s, t, MB2_FB_MIN);
	/* Only direct RGB is usable as pixels; indexed colour needs the
	 * palette and EGA text counts characters, so those are ignored. */
	if (t->p[29] != MB2_FB_TYPE_RGB)
		return 0;
	fb->addr = get64(t->p + 8);
	fb->pitch = get32(t->p + 16);
	fb->width = get32(t->p + 20);
	fb->height = get32(t->p + 24);
	fb->bpp = t->p[28];
	return 0;
}

static int parse_rsdp(struct mb2_state *s, const struct mb2_tag *t,
		      uint32_t len)
{
	struct boot_info *bi = s->bi;

	if (t->size < MB2_HDR + len)
		return too_short(s, t, MB2_HDR + len);
	if (len == RSDP_V1_LEN && s->have_rsdp_v2)
		return 0;
	memset(bi->rsdp_copy, 0, sizeof(bi->rsdp_copy));
	memcpy(bi->rsdp_copy, t->p + MB2_HDR, len);
	bi->rsdp_is_copy = true;
	bi->rsdp = 0;
	if (len == RSDP_V2_LEN)
		s->have_rsdp_v2 = true;
	return 0;
}

static int parse_tag(struct mb2_state *s, const struct mb2_tag *t)
{
	struct boot_info *bi = s->bi;

	switch (t->type) {
	case MB2_TAG_CMDLINE:
		return take_string(s, t, MB2_HDR, bi->cmdline,
				   sizeof(bi->cmdline), &bi->cmdline_truncated);
	case MB2_TAG_LOADER: {
		bool cut = false; /* a long loader name is simply shortened */

		return take_string(s, t, MB2_HDR, bi->loader,
				   sizeof(bi->loader), &cut);
	}
	case MB2_TAG_MODULE:
		return parse_module(s, t);
	case MB2_TAG_MMAP:
		return parse_mmap(s, t);
	case MB2_TAG_FRAMEBUFFER:
		return parse_framebuffer(s, t);
	case MB2_TAG_ACPI_OLD:
		return parse_rsdp(s, t, RSDP_V1_LEN);
	case MB2_TAG_ACPI_NEW:
		return parse_rsdp(s, t, RSDP_V2_LEN);
	}
	return 0; /* tags the kernel does not use are skipped */
}

int mb2_parse(const void *info, size_t avail, struct boot_info *bi, char *err,
	      size_t errlen)
{
	struct mb2_state s = {.bi = bi, .err = err, .errlen = errlen};
	const uint8_t *p = info;
	uint32_t total;
	size_t off;
	int ret;

	memset(bi, 0, sizeof(*bi));
	bi->source = BOOT_SRC_MULTIBOOT2;
	if (err && errlen)
		err[0] = '\0';

	if (avail < MB2_HDR)
		return boot_fail(err, errlen,
				 "multiboot2: info is %zu bytes, too short for "
				 "its 8-byte header",
				 avail);
	if ((uintptr_t)info % 8)
		return boot_fail(err, errlen,
				 "multiboot2: info at %p is not 8-byte aligned",
				 info);
	total = get32(p);
	if (total < MB2_HDR)
		return boot_fail(
		    err, errlen,
		    "multiboot2: total_size %u is smaller than the "
		    "8-byte header",
		    total);
	if (total > avail)
		return boot_fail(err, errlen,
				 "multiboot2: total_size %u exceeds the %zu "
				 "bytes available",
				 total, avail);

	for (off = MB2_HDR;; off = (off + 7) & ~(size_t)7) {
		struct mb2_tag t = {.p = p + off, .off = off};

		if (off + MB2_HDR > total)
			return boot_fail(err, errlen,
					 "multiboot2: no end tag (tags stop at "
					 "offset %zu, total_size %u)",
					 off, total);
		t.type = get32(t.p);
		t.size = get32(t.p + 4);
		if (t.size < MB2_HDR)
			return boot_fail(err, errlen,
					 "multiboot2: tag %u at offset %zu has "
					 "size %u, less than its 8-byte header",
					 t.type, off, t.size);
		if (t.size > total - off)
			return boot_fail(
			    err, errlen,
			    "multiboot2: tag %u at offset %zu runs "
			    "past the end (size %u, %zu bytes "
			    "left)",
			    t.type, off, t.size, total - off);
		if (t.type == MB2_TAG_END) {
			if (t.size != MB2_HDR)
				return boot_fail(
				    err, errlen,
				    "multiboot2: end tag at offset "
				    "%zu has size %u, not 8",
				    off, t.size);
			break;
		}
		ret = parse_tag(&s, &t);
		if (ret)
			return ret;
		off += t.size;
	}
	boot_mmap_normalize(bi);
	return 0;
}
