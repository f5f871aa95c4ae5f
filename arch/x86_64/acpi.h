/*
 * arch/x86_64/acpi.h — ACPI tables: finding the RSDP, the RSDT/XSDT, and any
 * table by signature, with checksums verified. Table memory is reached
 * through a caller-supplied mapper so the parser also runs on the host.
 */
#ifndef ARCH_X86_64_ACPI_H
#define ARCH_X86_64_ACPI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct __attribute__((packed)) acpi_sdt_header {
	char signature[4];
	uint32_t length;
	uint8_t revision;
	uint8_t checksum;
	char oem_id[6];
	char oem_table_id[8];
	uint32_t oem_revision;
	uint32_t creator_id;
	uint32_t creator_revision;
};
_Static_assert(sizeof(struct acpi_sdt_header) == 36, "SDT header");

struct __attribute__((packed)) acpi_rsdp {
	char signature[8];
	uint8_t checksum;
	char oem_id[6];
	uint8_t revision;
	uint32_t rsdt;
	uint32_t length;
	uint64_t xsdt;
	uint8_t ext_checksum;
	uint8_t reserved[3];
};
_Static_assert(sizeof(struct acpi_rsdp) == 36, "RSDP");

/* Returns a pointer through which `len` bytes at physical `pa` can be read,
 * or NULL. */
typedef const void *(*acpi_map_fn)(uint64_t pa, size_t len, void *ctx);

struct acpi {
	acpi_map_fn map;
	void *ctx;
	uint64_t root; /* RSDT or XSDT physical address */
	bool xsdt;
	uint32_t nr_tables;
};

/* Checks an RSDP (given as bytes) and sets up `a`. 0 or -EINVAL with a
 * message in err. */
int acpi_init(struct acpi *a, const void *rsdp, size_t len, acpi_map_fn map,
	      void *ctx, char *err, size_t errlen);
/* The n-th (0-based) table with this signature, checksum verified; NULL if
 * absent or corrupt (corrupt ones are reported through err). */
const struct acpi_sdt_header *acpi_find(const struct acpi *a, const char sig[4],
					int n, char *err, size_t errlen);
bool acpi_checksum_ok(const void *p, size_t len);

/* FADT facts for soft-off: PM1a/PM1b control ports and the \_S5 sleep type
 * from the DSDT. 0 or -ENOENT/-EINVAL. */
struct acpi_s5 {
	uint16_t pm1a_cnt, pm1b_cnt;
	uint16_t slp_typ_a, slp_typ_b;
	uint16_t smi_cmd;
	uint8_t acpi_enable;
};
int acpi_find_s5(const struct acpi *a, struct acpi_s5 *s5, char *err,
		 size_t errlen);

/* The kernel's instance (arch/x86_64/acpi_kernel.c). */
extern struct acpi kernel_acpi;
extern bool kernel_acpi_ok;
struct boot_info;
void acpi_kernel_init(const struct boot_info *bi);

#endif

/* ---- MADT, HPET, MCFG (arch/x86_64/acpi_tables.c) ---------------------------- */

#define ACPI_MAX_CPUS	   256
#define ACPI_MAX_IOAPICS   8
#define ACPI_MAX_OVERRIDES 16
#define ACPI_MAX_MCFG	   8

struct acpi_ioapic {
	uint8_t id;
	uint32_t addr;
	uint32_t gsi_base;
};

struct acpi_override { /* ISA IRQ -> global system interrupt */
	uint8_t irq;
	uint32_t gsi;
	uint16_t flags;
};

struct acpi_mcfg {
	uint64_t base;
	uint16_t segment;
	uint8_t bus_start, bus_end;
};

struct acpi_topology {
	uint32_t nr_cpus; /* enabled (or online-capable) processors */
	uint32_t apic_ids[ACPI_MAX_CPUS];
	bool cpus_truncated;
	uint64_t lapic_addr;
	uint32_t nr_ioapics;
	struct acpi_ioapic ioapics[ACPI_MAX_IOAPICS];
	uint32_t nr_overrides;
	struct acpi_override overrides[ACPI_MAX_OVERRIDES];
	uint64_t hpet_addr; /* 0 if no HPET table */
	uint32_t nr_mcfg;
	struct acpi_mcfg mcfg[ACPI_MAX_MCFG];
};

/* Parses a MADT (table bytes, length from its header, checksum already
 * verified). 0, or -EINVAL with a message naming the bad entry. */
int acpi_parse_madt(const struct acpi_sdt_header *madt,
		    struct acpi_topology *topo, char *err, size_t errlen);
int acpi_parse_hpet(const struct acpi_sdt_header *hpet, uint64_t *addr,
		    char *err, size_t errlen);
int acpi_parse_mcfg(const struct acpi_sdt_header *mcfg,
		    struct acpi_topology *topo, char *err, size_t errlen);
/* All three from the tables of `a`; a missing or bad MADT leaves one CPU
 * (the caller's) and returns -ENOENT/-EINVAL with the reason in err. */
int acpi_topology(const struct acpi *a, struct acpi_topology *topo, char *err,
		  size_t errlen);
