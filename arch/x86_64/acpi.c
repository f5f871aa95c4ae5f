/*
 * arch/x86_64/acpi.c — ACPI table discovery and the few facts the kernel needs
 * from them. Pure: memory is reached through the caller's mapper, and every
 * length and checksum is verified before a table is believed.
 */
#include "arch/x86_64/acpi.h"
#include "kernel/errno.h"
#include "kernel/kstring.h"

#define ACPI_MAX_TABLE (4u << 20)

bool acpi_checksum_ok(const void *p, size_t len)
{
	const uint8_t *b = p;
	uint8_t sum = 0;
	for (size_t i = 0; i < len; i++)
		sum += b[i];
	return sum == 0;
}

int acpi_init(struct acpi *a, const void *rsdp, size_t len, acpi_map_fn map,
	      void *ctx, char *err, size_t errlen)
{
	struct acpi_rsdp r;

	memset(a, 0, sizeof(*a));
	a->map = map;
	a->ctx = ctx;
	if (len < 20) {
		ksnprintf(err, errlen, "acpi: RSDP too short (%zu bytes)", len);
		return -EINVAL;
	}
	memset(&r, 0, sizeof(r));
	memcpy(&r, rsdp, len < sizeof(r) ? len : sizeof(r));
	if (memcmp(r.signature, "RSD PTR ", 8)) {
		ksnprintf(err, errlen, "acpi: bad RSDP signature");
		return -EINVAL;
	}
	if (!acpi_checksum_ok(&r, 20)) {
		ksnprintf(err, errlen, "acpi: bad RSDP checksum");
		return -EINVAL;
	}
	if (r.revision >= 2 && len >= 36 && r.length >= 36 && r.xsdt) {
		if (!acpi_checksum_ok(&r, 36)) {
			ksnprintf(err, errlen,
				  "acpi: bad RSDP extended checksum");
			return -EINVAL;
		}
		a->root = r.xsdt;
		a->xsdt = true;
	} else {
		a->root = r.rsdt;
	}
	if (!a->root) {
		ksnprintf(err, errlen, "acpi: RSDP has no RSDT/XSDT address");
		return -EINVAL;
	}
	const struct acpi_sdt_header *root =
	    acpi_find(a, a->xsdt ? "XSDT" : "RSDT", -1, err, errlen);
	if (!root)
		return -EINVAL;
	a->nr_tables = (root->length - sizeof(*root)) / (a->xsdt ? 8 : 4);
	return 0;
}

/* Maps a whole table at pa after checking its header; NULL if bad. */
static const struct acpi_sdt_header *
map_table(const struct acpi *a, uint64_t pa, char *err, size_t errlen)
{
	const struct acpi_sdt_header *h = a->map(pa, sizeof(*h), a->ctx);
	if (!h) {
		ksnprintf(err, errlen, "acpi: table at 0x%lx is not readable",
			  pa);
		return NULL;
	}
	uint32_t len = h->length;
	if (len < sizeof(*h) || len > ACPI_MAX_TABLE) {
		char sig[5];
		memcpy(sig, h->signature, 4);
		sig[4] = 0;
		ksnprintf(err, errlen,
			  "acpi: table %s at 0x%lx has bad length %u", sig, pa,
			  len);
		return NULL;
	}
	h = a->map(pa, len, a->ctx);
	if (!h) {
		ksnprintf(err, errlen, "acpi: table at 0x%lx is not readable",
			  pa);
		return NULL;
	}
	if (!acpi_checksum_ok(h, len)) {
		char sig[5];
		memcpy(sig, h->signature, 4);
		sig[4] = 0;
		ksnprintf(err, errlen,
			  "acpi: table %s at 0x%lx has a bad checksum", sig,
			  pa);
		return NULL;
	}
	return h;
}

const struct acpi_sdt_header *acpi_find(const struct acpi *a, const char sig[4],
					int n, char *err, size_t errlen)
{
	const struct acpi_sdt_header *root = map_table(a, a->root, err, errlen);
	if (!root)
		return NULL;
	if (n < 0) /* the root table itself */
		return memcmp(root->signature, sig, 4) ? NULL : root;

	size_t esz = a->xsdt ? 8 : 4;
	size_t count = (root->length - sizeof(*root)) / esz;
	const uint8_t *ents = (const uint8_t *)(root + 1);
	for (size_t i = 0; i < count; i++) {
		uint64_t pa = 0;
		memcpy(&pa, ents + i * esz, esz);
		const struct acpi_sdt_header *h =
		    a->map(pa, sizeof(*h), a->ctx);
		if (!h || memcmp(h->signature, sig, 4))
			continue;
		if (n-- > 0)
			continue;
		return map_table(a, pa, err, errlen);
	}
	return NULL;
}

/* Reads one AML integer (ZeroOp, OneOp, BytePrefix, WordPrefix); -1 if none. */
static int aml_int(const uint8_t *p, const uint8_t *end, const uint8_t **next)
{
	if (p >= end)
		return -1;
	switch (*p) {
	case 0x00:
	case 0x01:
		*next = p + 1;
		return *p;
	case 0x0a:
		if (p + 2 > end)
			return -1;
		*next = p + 2;
		return p[1];
	case 0x0b:
		if (p + 3 > end)
			return -1;
		*next = p + 3;
		return p[1] | p[2] << 8;
	}
	return -1;
}

int acpi_find_s5(const struct acpi *a, struct acpi_s5 *s5, char *err,
		 size_t errlen)
{
	const struct acpi_sdt_header *fadt =
	    acpi_find(a, "FACP", 0, err, errlen);
	if (!fadt) {
		ksnprintf(err, errlen, "acpi: no FADT");
		return -ENOENT;
	}
	const uint8_t *f = (const uint8_t *)fadt;
	if (fadt->length < 76) {
		ksnprintf(err, errlen, "acpi: FADT too short (%u)",
			  fadt->length);
		return -EINVAL;
	}
	uint32_t dsdt32, smi, pm1a, pm1b;
	uint64_t dsdt = 0;
	memcpy(&dsdt32, f + 40, 4);
	memcpy(&smi, f + 48, 4);
	memcpy(&pm1a, f + 64, 4);
	memcpy(&pm1b, f + 68, 4);
	if (fadt->length >= 148)
		memcpy(&dsdt, f + 140, 8);
	if (!dsdt)
		dsdt = dsdt32;
	memset(s5, 0, sizeof(*s5));
	s5->pm1a_cnt = pm1a;
	s5->pm1b_cnt = pm1b;
	s5->smi_cmd = smi;
	s5->acpi_enable = f[52];
	if (!pm1a) {
		ksnprintf(err, errlen, "acpi: FADT has no PM1a control block");
		return -EINVAL;
	}
	const struct acpi_sdt_header *d = map_table(a, dsdt, err, errlen);
	if (!d)
		return -EINVAL;
	const uint8_t *p = (const uint8_t *)(d + 1),
		      *end = (const uint8_t *)d + d->length;
	for (; p + 5 < end; p++) {
		if (memcmp(p, "_S5_", 4) || p[4] != 0x12)
			continue;
		const uint8_t *q = p + 5;
		q += 1 + (*q >> 6); /* PkgLength */
		q++;		    /* NumElements */
		int ta = aml_int(q, end, &q);
		int tb = ta < 0 ? -1 : aml_int(q, end, &q);
		if (ta < 0 || tb < 0) {
			ksnprintf(err, errlen, "acpi: malformed \\_S5 package");
			return -EINVAL;
		}
		s5->slp_typ_a = ta;
		s5->slp_typ_b = tb;
		return 0;
	}
	ksnprintf(err, errlen, "acpi: no \\_S5 object in the DSDT");
	return -ENOENT;
}
