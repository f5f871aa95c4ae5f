/*
 * boot/efi/efi_elf.c — checks the kernel ELF before the EFI loader places
 * it: the one place that decides whether a file on the ESP is a kernel this
 * loader can start, and says why not. Reads the file only through bounds
 * checked copies, so a truncated or hostile file gives a message, never a
 * fault.
 */
#include <stdbool.h>
#include <stdint.h>

#include "boot/efi/efi_loader.h"
#include "kernel/errno.h"
#include "kernel/kstring.h"

/* The ELF64 structures this file reads (System V gABI). */
struct elf64_ehdr {
	uint8_t ident[16];
	uint16_t type;
	uint16_t machine;
	uint32_t version;
	uint64_t entry;
	uint64_t phoff;
	uint64_t shoff;
	uint32_t flags;
	uint16_t ehsize;
	uint16_t phentsize;
	uint16_t phnum;
	uint16_t shentsize;
	uint16_t shnum;
	uint16_t shstrndx;
};
_Static_assert(sizeof(struct elf64_ehdr) == 64, "Elf64_Ehdr");

struct elf64_phdr {
	uint32_t type;
	uint32_t flags;
	uint64_t offset;
	uint64_t vaddr;
	uint64_t paddr;
	uint64_t filesz;
	uint64_t memsz;
	uint64_t align;
};
_Static_assert(sizeof(struct elf64_phdr) == 56, "Elf64_Phdr");

#define ELFCLASS64  2
#define ELFDATA2LSB 1
#define ET_EXEC	    2
#define EM_X86_64   62
#define PT_LOAD	    1
#define PT_NOTE	    4
#define PAGE	    4096ull

static int bad(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int bad(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	kvsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -ENOEXEC;
}

/* [off, off + n) lies inside a file of len bytes. */
static bool in_file(uint64_t off, uint64_t n, size_t len)
{
	return off <= len && n <= len - off;
}

static uint32_t rd32(const uint8_t *p)
{
	uint32_t v;
	memcpy(&v, p, sizeof(v));
	return v;
}

/* Looks through one PT_NOTE segment for the Unum entry note. Returns 1 and
 * sets *entry when found, 0 when not, -ENOEXEC on a malformed note. */
static int find_note(const uint8_t *f, const struct elf64_phdr *ph,
		     unsigned idx, uint64_t *entry, char *err, size_t errlen)
{
	uint64_t off = 0, end = ph->filesz;
	const uint8_t *n = f + ph->offset;

	while (end - off >= 12) {
		uint32_t namesz = rd32(n + off), descsz = rd32(n + off + 4);
		uint32_t type = rd32(n + off + 8);
		uint64_t name_al = ((uint64_t)namesz + 3) & ~3ull;
		uint64_t desc_al = ((uint64_t)descsz + 3) & ~3ull;
		const uint8_t *name = n + off + 12;

		if (name_al > end - off - 12 ||
		    desc_al > end - off - 12 - name_al)
			return bad(err, errlen,
				   "segment %u: a note (name %u bytes, data "
				   "%u bytes) runs past the end of the "
				   "segment",
				   idx, namesz, descsz);
		if (namesz == sizeof(EFI_ELF_NOTE_NAME) &&
		    !memcmp(name, EFI_ELF_NOTE_NAME, namesz) &&
		    type == EFI_ELF_NOTE_ENTRY64) {
			if (descsz != 8)
				return bad(err, errlen,
					   "the Unum entry note has %u bytes "
					   "of data, not 8",
					   descsz);
			memcpy(entry, name + name_al, 8);
			return 1;
		}
		off += 12 + name_al + desc_al;
	}
	return 0;
}

/* Checks one PT_LOAD header and appends it to e. */
static int add_load(const struct elf64_phdr *ph, unsigned idx, size_t len,
		    struct efi_elf *e, char *err, size_t errlen)
{
	struct efi_elf_seg *s;

	if (!ph->memsz)
		return 0;
	if (ph->filesz > ph->memsz)
		return bad(err, errlen,
			   "segment %u: file size 0x%lx is larger than its "
			   "memory size 0x%lx",
			   idx, ph->filesz, ph->memsz);
	if (!in_file(ph->offset, ph->filesz, len))
		return bad(err, errlen,
			   "segment %u: file data (offset 0x%lx, 0x%lx bytes) "
			   "runs past the end of the file (0x%zx bytes): the "
			   "file is truncated",
			   idx, ph->offset, ph->filesz, len);
	if (ph->paddr >= EFI_ELF_LIMIT || ph->memsz > EFI_ELF_LIMIT - ph->paddr)
		return bad(err, errlen,
			   "segment %u at physical 0x%lx (0x%lx bytes) does "
			   "not lie below 4 GiB",
			   idx, ph->paddr, ph->memsz);
	for (uint32_t i = 0; i < e->nr_segs; i++) {
		const struct efi_elf_seg *o = &e->segs[i];
		if (ph->paddr < o->paddr + o->memsz &&
		    o->paddr < ph->paddr + ph->memsz)
			return bad(err, errlen,
				   "segment %u (physical 0x%lx-0x%lx) overlaps "
				   "an earlier segment (0x%lx-0x%lx)",
				   idx, ph->paddr, ph->paddr + ph->memsz,
				   o->paddr, o->paddr + o->memsz);
	}
	if (e->nr_segs == EFI_ELF_MAX_SEGS)
		return bad(err, errlen, "more than %d loadable segments",
			   EFI_ELF_MAX_SEGS);
	s = &e->segs[e->nr_segs++];
	s->paddr = ph->paddr;
	s->offset = ph->offset;
	s->filesz = ph->filesz;
	s->memsz = ph->memsz;
	return 0;
}

static int check_header(const struct elf64_ehdr *h, size_t len, char *err,
			size_t errlen)
{
	if (memcmp(h->ident, "\177ELF", 4))
		return bad(err, errlen,
			   "not an ELF file (no \\177ELF at the "
			   "start)");
	if (h->ident[4] != ELFCLASS64)
		return bad(err, errlen,
			   "ELF class %u is not ELFCLASS64: not "
			   "a 64-bit kernel",
			   h->ident[4]);
	if (h->ident[5] != ELFDATA2LSB)
		return bad(err, errlen,
			   "ELF data encoding %u is not "
			   "little-endian",
			   h->ident[5]);
	if (h->machine != EM_X86_64)
		return bad(err, errlen,
			   "ELF machine %u is not x86_64 "
			   "(EM_X86_64 = 62): a kernel for another machine",
			   h->machine);
	if (h->type != ET_EXEC)
		return bad(err, errlen,
			   "ELF type %u is not an executable "
			   "(ET_EXEC = 2)",
			   h->type);
	if (h->phentsize != sizeof(struct elf64_phdr))
		return bad(err, errlen, "program header size %u is not %zu",
			   h->phentsize, sizeof(struct elf64_phdr));
	if (!h->phnum)
		return bad(err, errlen, "no program headers");
	if (!in_file(h->phoff, (uint64_t)h->phnum * h->phentsize, len))
		return bad(err, errlen,
			   "program headers (offset 0x%lx, %u of %u bytes) run "
			   "past the end of the file (0x%zx bytes): the file "
			   "is truncated",
			   h->phoff, h->phnum, h->phentsize, len);
	return 0;
}

int efi_elf_check(const void *file, size_t len, struct efi_elf *e, char *err,
		  size_t errlen)
{
	const uint8_t *f = file;
	struct elf64_ehdr h;
	bool have_entry = false;
	int rc;

	memset(e, 0, sizeof(*e));
	if (errlen)
		err[0] = 0;
	if (len < 4 || memcmp(f, "\177ELF", 4))
		return bad(err, errlen,
			   "not an ELF file (no \\177ELF at the "
			   "start)");
	if (len < sizeof(h))
		return bad(err, errlen,
			   "file is %zu bytes, too short for an "
			   "ELF header (64 bytes): the file is truncated",
			   len);
	memcpy(&h, f, sizeof(h));
	rc = check_header(&h, len, err, errlen);
	if (rc)
		return rc;

	for (unsigned i = 0; i < h.phnum; i++) {
		struct elf64_phdr ph;
		memcpy(&ph, f + h.phoff + (uint64_t)i * sizeof(ph), sizeof(ph));
		if (ph.type == PT_LOAD) {
			rc = add_load(&ph, i, len, e, err, errlen);
		} else if (ph.type == PT_NOTE && !have_entry) {
			if (!in_file(ph.offset, ph.filesz, len))
				return bad(err, errlen,
					   "segment %u: notes (offset 0x%lx, "
					   "0x%lx bytes) run past the end of "
					   "the file (0x%zx bytes): the file "
					   "is truncated",
					   i, ph.offset, ph.filesz, len);
			rc = find_note(f, &ph, i, &e->entry64, err, errlen);
			have_entry = rc == 1;
			rc = rc < 0 ? rc : 0;
		}
		if (rc)
			return rc;
	}

	if (!e->nr_segs)
		return bad(err, errlen, "no loadable segment");
	if (!have_entry)
		return bad(err, errlen,
			   "no Unum entry note (name \"Unum\", type 0x100): "
			   "the kernel has no 64-bit entry for this loader");
	for (uint32_t i = 0; i < e->nr_segs; i++) {
		const struct efi_elf_seg *s = &e->segs[i];
		if (e->entry64 >= s->paddr && e->entry64 < s->paddr + s->filesz)
			return 0;
	}
	return bad(err, errlen,
		   "the 64-bit entry 0x%lx is not inside the file data of a "
		   "loadable segment",
		   e->entry64);
}

uint32_t efi_elf_ranges(const struct efi_elf *e,
			struct efi_range r[EFI_ELF_MAX_SEGS])
{
	uint32_t n = 0;

	for (uint32_t i = 0; i < e->nr_segs; i++) {
		const struct efi_elf_seg *s = &e->segs[i];
		uint64_t lo = s->paddr & ~(PAGE - 1);
		uint64_t hi = (s->paddr + s->memsz + PAGE - 1) & ~(PAGE - 1);
		uint32_t k = n;

		/* insertion by base */
		while (k && r[k - 1].base > lo) {
			r[k] = r[k - 1];
			k--;
		}
		r[k] = (struct efi_range){lo, hi - lo};
		n++;
	}
	/* merge ranges that share or touch pages */
	uint32_t out = 0;
	for (uint32_t i = 0; i < n; i++) {
		if (out && r[out - 1].base + r[out - 1].len >= r[i].base) {
			uint64_t end = r[i].base + r[i].len;
			if (end > r[out - 1].base + r[out - 1].len)
				r[out - 1].len = end - r[out - 1].base;
		} else {
			r[out++] = r[i];
		}
	}
	return out;
}
