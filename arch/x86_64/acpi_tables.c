/*
 * arch/x86_64/acpi_tables.c — MADT (processors, IOAPICs, interrupt overrides),
 * HPET and MCFG. Pure: every entry's length is checked against the table
 * before it is read.
 */
#include "arch/x86_64/acpi.h"
#include "kernel/errno.h"
#include "kernel/kstring.h"

#define MADT_LAPIC	0
#define MADT_IOAPIC	1
#define MADT_OVERRIDE	2
#define MADT_LAPIC_ADDR 5
#define MADT_X2APIC	9

static uint32_t rd32(const uint8_t *p)
{
	uint32_t v;
	memcpy(&v, p, 4);
	return v;
}

static uint64_t rd64(const uint8_t *p)
{
	uint64_t v;
	memcpy(&v, p, 8);
	return v;
}

static void add_cpu(struct acpi_topology *t, uint32_t apic_id)
{
	for (uint32_t i = 0; i < t->nr_cpus; i++)
		if (t->apic_ids[i] == apic_id)
			return; /* listed twice (LAPIC and x2APIC): once */
	if (t->nr_cpus == ACPI_MAX_CPUS) {
		t->cpus_truncated = true;
		return;
	}
	t->apic_ids[t->nr_cpus++] = apic_id;
}

int acpi_parse_madt(const struct acpi_sdt_header *madt, struct acpi_topology *t,
		    char *err, size_t errlen)
{
	const uint8_t *p = (const uint8_t *)madt;
	uint32_t len = madt->length;

	if (len < 44) {
		ksnprintf(err, errlen, "acpi: MADT too short (%u bytes)", len);
		return -EINVAL;
	}
	t->nr_cpus = 0;
	t->nr_ioapics = 0;
	t->nr_overrides = 0;
	t->lapic_addr = rd32(p + 36);
	for (uint32_t off = 44; off < len;) {
		if (off + 2 > len) {
			ksnprintf(err, errlen,
				  "acpi: MADT entry at offset %u "
				  "cut short",
				  off);
			return -EINVAL;
		}
		uint8_t type = p[off], elen = p[off + 1];
		if (elen < 2 || off + elen > len) {
			ksnprintf(err, errlen,
				  "acpi: MADT entry type %u at offset "
				  "%u has bad length %u",
				  type, off, elen);
			return -EINVAL;
		}
		const uint8_t *e = p + off;
		switch (type) {
		case MADT_LAPIC:
			if (elen < 8)
				goto short_entry;
			if (rd32(e + 4) & 3) /* enabled or online-capable */
				add_cpu(t, e[3]);
			break;
		case MADT_X2APIC:
			if (elen < 16)
				goto short_entry;
			if (rd32(e + 8) & 3)
				add_cpu(t, rd32(e + 4));
			break;
		case MADT_IOAPIC:
			if (elen < 12)
				goto short_entry;
			if (t->nr_ioapics < ACPI_MAX_IOAPICS)
				t->ioapics[t->nr_ioapics++] =
				    (struct acpi_ioapic){e[2], rd32(e + 4),
							 rd32(e + 8)};
			break;
		case MADT_OVERRIDE:
			if (elen < 10)
				goto short_entry;
			if (t->nr_overrides < ACPI_MAX_OVERRIDES) {
				uint16_t fl;
				memcpy(&fl, e + 8, 2);
				t->overrides[t->nr_overrides++] =
				    (struct acpi_override){e[3], rd32(e + 4),
							   fl};
			}
			break;
		case MADT_LAPIC_ADDR:
			if (elen < 12)
				goto short_entry;
			t->lapic_addr = rd64(e + 4);
			break;
		default:
			break; /* other entry types are not needed */
		}
		off += elen;
		continue;
	short_entry:
		ksnprintf(err, errlen,
			  "acpi: MADT entry type %u at offset %u "
			  "is too short (%u bytes)",
			  type, off, elen);
		return -EINVAL;
	}
	if (!t->nr_cpus) {
		ksnprintf(err, errlen, "acpi: MADT lists no enabled processor");
		return -EINVAL;
	}
	return 0;
}

int acpi_parse_hpet(const struct acpi_sdt_header *hpet, uint64_t *addr,
		    char *err, size_t errlen)
{
	const uint8_t *p = (const uint8_t *)hpet;
	if (hpet->length < 56) {
		ksnprintf(err, errlen, "acpi: HPET table too short (%u bytes)",
			  hpet->length);
		return -EINVAL;
	}
	if (p[40] != 0) { /* address space: must be system memory */
		ksnprintf(err, errlen, "acpi: HPET not in memory space (%u)",
			  p[40]);
		return -EINVAL;
	}
	*addr = rd64(p + 44);
	return 0;
}

int acpi_parse_mcfg(const struct acpi_sdt_header *mcfg, struct acpi_topology *t,
		    char *err, size_t errlen)
{
	const uint8_t *p = (const uint8_t *)mcfg;
	if (mcfg->length < 44 || (mcfg->length - 44) % 16) {
		ksnprintf(err, errlen, "acpi: MCFG has bad length %u",
			  mcfg->length);
		return -EINVAL;
	}
	t->nr_mcfg = 0;
	for (uint32_t off = 44; off + 16 <= mcfg->length; off += 16) {
		if (t->nr_mcfg == ACPI_MAX_MCFG)
			break;
		struct acpi_mcfg *m = &t->mcfg[t->nr_mcfg];
		m->base = rd64(p + off);
		memcpy(&m->segment, p + off + 8, 2);
		m->bus_start = p[off + 10];
		m->bus_end = p[off + 11];
		if (m->bus_end < m->bus_start) {
			ksnprintf(err, errlen,
				  "acpi: MCFG entry %u has bus range "
				  "%u..%u",
				  t->nr_mcfg, m->bus_start, m->bus_end);
			return -EINVAL;
		}
		t->nr_mcfg++;
	}
	return 0;
}

int acpi_topology(const struct acpi *a, struct acpi_topology *t, char *err,
		  size_t errlen)
{
	char sub[160];
	memset(t, 0, sizeof(*t));
	const struct acpi_sdt_header *h =
	    acpi_find(a, "HPET", 0, sub, sizeof(sub));
	if (h && acpi_parse_hpet(h, &t->hpet_addr, sub, sizeof(sub)))
		t->hpet_addr = 0;
	h = acpi_find(a, "MCFG", 0, sub, sizeof(sub));
	if (h && acpi_parse_mcfg(h, t, sub, sizeof(sub)))
		t->nr_mcfg = 0;
	err[0] = 0;
	h = acpi_find(a, "APIC", 0, err, errlen);
	if (!h) {
		if (!err[0])
			ksnprintf(err, errlen, "acpi: no MADT");
		t->nr_cpus = 0;
		return -ENOENT;
	}
	int rc = acpi_parse_madt(h, t, err, errlen);
	if (rc)
		t->nr_cpus = 0;
	return rc;
}
