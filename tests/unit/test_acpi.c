/*
 * tests/unit/test_acpi.c — ACPI table parsing on crafted memory: RSDP v1
 * and v2, RSDT/XSDT walks, checksums, MADT (CPUs, IOAPICs, overrides,
 * x2APIC, malformed entries), HPET, MCFG and the \_S5 sleep type.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "arch/x86_64/acpi.h"
#include "kernel/errno.h"

/* A fake physical memory of 64 KiB; tables are placed at offsets. */
static uint8_t mem[65536];
#define BASE 0x100000ull

static const void *map(uint64_t pa, size_t len, void *ctx)
{
	(void)ctx;
	if (pa < BASE || pa + len > BASE + sizeof(mem) || pa + len < pa)
		return NULL;
	return mem + (pa - BASE);
}

static void fix_sum(uint8_t *p, size_t len, size_t at)
{
	uint8_t s = 0;
	p[at] = 0;
	for (size_t i = 0; i < len; i++)
		s += p[i];
	p[at] = (uint8_t)-s;
}

/* Writes an SDT header + body at off; returns its physical address. */
static uint64_t put_table(size_t off, const char sig[4], const void *body,
			  size_t blen)
{
	struct acpi_sdt_header h;
	memset(&h, 0, sizeof(h));
	memcpy(h.signature, sig, 4);
	h.length = (uint32_t)(sizeof(h) + blen);
	h.revision = 1;
	memcpy(mem + off, &h, sizeof(h));
	memcpy(mem + off + sizeof(h), body, blen);
	fix_sum(mem + off, h.length, 9);
	return BASE + off;
}

static struct acpi_rsdp make_rsdp(uint64_t rsdt, uint64_t xsdt, int rev)
{
	struct acpi_rsdp r;
	memset(&r, 0, sizeof(r));
	memcpy(r.signature, "RSD PTR ", 8);
	r.revision = (uint8_t)rev;
	r.rsdt = (uint32_t)rsdt;
	r.length = 36;
	r.xsdt = xsdt;
	fix_sum((uint8_t *)&r, 20, 8);
	fix_sum((uint8_t *)&r, 36, 32);
	return r;
}

static uint64_t madt_at(size_t off, const uint8_t *entries, size_t elen)
{
	uint8_t body[512];
	uint32_t lapic = 0xfee00000, flags = 1;
	memcpy(body, &lapic, 4);
	memcpy(body + 4, &flags, 4);
	memcpy(body + 8, entries, elen);
	return put_table(off, "APIC", body, 8 + elen);
}

static int setup(void **state)
{
	(void)state;
	memset(mem, 0, sizeof(mem));
	return 0;
}

static void test_rsdp_checks(void **state)
{
	(void)state;
	struct acpi a;
	char err[160];
	uint64_t rsdt_body = 0;
	uint64_t rsdt = put_table(0x100, "RSDT", &rsdt_body, 0);
	struct acpi_rsdp r = make_rsdp(rsdt, 0, 0);
	assert_int_equal(acpi_init(&a, &r, 20, map, NULL, err, sizeof(err)), 0);
	assert_false(a.xsdt);
	assert_int_equal(a.nr_tables, 0);

	r.checksum ^= 1;
	assert_int_equal(acpi_init(&a, &r, 20, map, NULL, err, sizeof(err)),
			 -EINVAL);
	assert_string_equal(err, "acpi: bad RSDP checksum");
	r = make_rsdp(rsdt, 0, 0);
	r.signature[0] = 'X';
	assert_int_equal(acpi_init(&a, &r, 20, map, NULL, err, sizeof(err)),
			 -EINVAL);
	assert_string_equal(err, "acpi: bad RSDP signature");
	assert_int_equal(acpi_init(&a, &r, 10, map, NULL, err, sizeof(err)),
			 -EINVAL);
	assert_string_equal(err, "acpi: RSDP too short (10 bytes)");
	r = make_rsdp(0, 0, 0);
	assert_int_equal(acpi_init(&a, &r, 20, map, NULL, err, sizeof(err)),
			 -EINVAL);
	assert_string_equal(err, "acpi: RSDP has no RSDT/XSDT address");
	/* a root table outside memory */
	r = make_rsdp(0x5000, 0, 0);
	assert_int_equal(acpi_init(&a, &r, 20, map, NULL, err, sizeof(err)),
			 -EINVAL);
	assert_string_equal(err, "acpi: table at 0x5000 is not readable");
}

static void test_xsdt_walk_and_madt(void **state)
{
	(void)state;
	uint8_t e[] = {
	    0, 8,  0, 0, 1,    0, 0,	0, /* LAPIC id 0 enabled */
	    0, 8,  1, 3, 1,    0, 0,	0, /* LAPIC id 3 enabled */
	    0, 8,  2, 5, 0,    0, 0,	0, /* LAPIC id 5 disabled */
	    1, 12, 7, 0, 0,    0, 0xc0, 0xfe, 0, 0, 0, 0, /* IOAPIC 7 */
	    2, 10, 0, 0, 2,    0, 0,	0,    0, 0,	  /* ISO irq0 -> gsi2 */
	    9, 16, 0, 0, 0x10, 1, 0,	0,    1, 0, 0, 0,
	    0, 0,  0, 0, /* x2APIC 0x110 */
	};
	uint64_t madt = madt_at(0x1000, e, sizeof(e));
	uint8_t hpet_body[20] = {0};
	hpet_body[4] = 0; /* memory space */
	uint64_t hpet_addr = 0xfed00000;
	memcpy(hpet_body + 8, &hpet_addr, 8);
	uint64_t hpet = put_table(0x2000, "HPET", hpet_body, sizeof(hpet_body));
	uint8_t mcfg_body[8 + 16] = {0};
	uint64_t ecam = 0xb0000000;
	memcpy(mcfg_body + 8, &ecam, 8);
	mcfg_body[8 + 10] = 0;
	mcfg_body[8 + 11] = 255;
	uint64_t mcfg = put_table(0x3000, "MCFG", mcfg_body, sizeof(mcfg_body));
	uint64_t ents[3] = {madt, hpet, mcfg};
	uint64_t xsdt = put_table(0x100, "XSDT", ents, sizeof(ents));
	struct acpi_rsdp r = make_rsdp(0, xsdt, 2);
	struct acpi a;
	char err[160];
	assert_int_equal(acpi_init(&a, &r, 36, map, NULL, err, sizeof(err)), 0);
	assert_true(a.xsdt);
	assert_int_equal(a.nr_tables, 3);
	struct acpi_topology t;
	assert_int_equal(acpi_topology(&a, &t, err, sizeof(err)), 0);
	assert_int_equal(t.nr_cpus, 3);
	assert_int_equal(t.apic_ids[0], 0);
	assert_int_equal(t.apic_ids[1], 3);
	assert_int_equal(t.apic_ids[2], 0x110);
	assert_int_equal(t.nr_ioapics, 1);
	assert_int_equal(t.ioapics[0].id, 7);
	assert_int_equal(t.ioapics[0].addr, 0xfec00000);
	assert_int_equal(t.nr_overrides, 1);
	assert_int_equal(t.overrides[0].gsi, 2);
	assert_int_equal(t.hpet_addr, 0xfed00000);
	assert_int_equal(t.nr_mcfg, 1);
	assert_int_equal(t.mcfg[0].base, 0xb0000000);
	assert_int_equal(t.mcfg[0].bus_end, 255);
}

static void test_madt_malformed(void **state)
{
	(void)state;
	struct acpi_topology t;
	char err[160];
	uint8_t bad_len[] = {0, 1, 0, 0};
	memset(&t, 0, sizeof(t));
	madt_at(0x1000, bad_len, sizeof(bad_len));
	const struct acpi_sdt_header *h = (const void *)(mem + 0x1000);
	assert_int_equal(acpi_parse_madt(h, &t, err, sizeof(err)), -EINVAL);
	assert_string_equal(
	    err, "acpi: MADT entry type 0 at offset 44 has bad length 1");
	uint8_t short_lapic[] = {0, 6, 0, 0, 1, 0};
	madt_at(0x1000, short_lapic, sizeof(short_lapic));
	assert_int_equal(acpi_parse_madt(h, &t, err, sizeof(err)), -EINVAL);
	assert_string_equal(
	    err, "acpi: MADT entry type 0 at offset 44 is too short (6 bytes)");
	uint8_t past_end[] = {1, 40, 0, 0};
	madt_at(0x1000, past_end, sizeof(past_end));
	assert_int_equal(acpi_parse_madt(h, &t, err, sizeof(err)), -EINVAL);
	assert_string_equal(
	    err, "acpi: MADT entry type 1 at offset 44 has bad length 40");
	uint8_t none_enabled[] = {0, 8, 0, 0, 0, 0, 0, 0};
	madt_at(0x1000, none_enabled, sizeof(none_enabled));
	assert_int_equal(acpi_parse_madt(h, &t, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "acpi: MADT lists no enabled processor");
}

static void test_corrupt_table_skipped(void **state)
{
	(void)state;
	uint8_t e[] = {0, 8, 0, 0, 1, 0, 0, 0};
	uint64_t madt = madt_at(0x1000, e, sizeof(e));
	mem[0x1000 + 40] ^= 0xff; /* break its checksum */
	uint32_t ents[1] = {(uint32_t)madt};
	uint64_t rsdt = put_table(0x100, "RSDT", ents, sizeof(ents));
	struct acpi_rsdp r = make_rsdp(rsdt, 0, 0);
	struct acpi a;
	struct acpi_topology t;
	char err[160];
	assert_int_equal(acpi_init(&a, &r, 20, map, NULL, err, sizeof(err)), 0);
	assert_int_equal(acpi_topology(&a, &t, err, sizeof(err)), -ENOENT);
	assert_string_equal(err,
			    "acpi: table APIC at 0x101000 has a bad checksum");
	assert_int_equal(t.nr_cpus, 0);
}

static void test_s5(void **state)
{
	(void)state;
	/* DSDT with Name(_S5_, Package(){0x05, 0x05, 0, 0}) */
	uint8_t aml[] = {0x08, '_',  'S',  '5',	 '_',  0x12, 0x0a,
			 0x04, 0x0a, 0x05, 0x0a, 0x05, 0x00, 0x00};
	uint64_t dsdt = put_table(0x4000, "DSDT", aml, sizeof(aml));
	uint8_t fadt_body[80] = {0};
	uint32_t d32 = (uint32_t)dsdt, pm1a = 0x604, smi = 0xb2;
	memcpy(fadt_body + 40 - 36, &d32, 4);
	memcpy(fadt_body + 48 - 36, &smi, 4);
	fadt_body[52 - 36] = 0xf1;
	memcpy(fadt_body + 64 - 36, &pm1a, 4);
	uint64_t fadt = put_table(0x5000, "FACP", fadt_body, sizeof(fadt_body));
	uint32_t ents[1] = {(uint32_t)fadt};
	uint64_t rsdt = put_table(0x100, "RSDT", ents, sizeof(ents));
	struct acpi_rsdp r = make_rsdp(rsdt, 0, 0);
	struct acpi a;
	struct acpi_s5 s5;
	char err[160];
	assert_int_equal(acpi_init(&a, &r, 20, map, NULL, err, sizeof(err)), 0);
	assert_int_equal(acpi_find_s5(&a, &s5, err, sizeof(err)), 0);
	assert_int_equal(s5.pm1a_cnt, 0x604);
	assert_int_equal(s5.slp_typ_a, 5);
	assert_int_equal(s5.slp_typ_b, 5);
	assert_int_equal(s5.smi_cmd, 0xb2);
	assert_int_equal(s5.acpi_enable, 0xf1);
	/* a DSDT without \_S5 */
	aml[1] = 'X';
	put_table(0x4000, "DSDT", aml, sizeof(aml));
	assert_int_equal(acpi_find_s5(&a, &s5, err, sizeof(err)), -ENOENT);
	assert_string_equal(err, "acpi: no \\_S5 object in the DSDT");
	/* a package cut short */
	uint8_t cut[] = {0x08, '_', 'S', '5', '_', 0x12, 0x0a, 0x04, 0x0a};
	put_table(0x4000, "DSDT", cut, sizeof(cut));
	assert_int_equal(acpi_find_s5(&a, &s5, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "acpi: malformed \\_S5 package");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_rsdp_checks, setup),
	    cmocka_unit_test_setup(test_xsdt_walk_and_madt, setup),
	    cmocka_unit_test_setup(test_madt_malformed, setup),
	    cmocka_unit_test_setup(test_corrupt_table_skipped, setup),
	    cmocka_unit_test_setup(test_s5, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
