/*
 * tests/fuzz/fuzz_acpi.c — ACPI tables from arbitrary bytes: the input is
 * physical memory at 0x100000 whose first 36 bytes are the RSDP. Every
 * parser (root walk, MADT, HPET, MCFG, FADT/\_S5) must stay in bounds.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "arch/x86_64/acpi.h"

static const uint8_t *in;
static size_t in_len;

static const void *map(uint64_t pa, size_t len, void *ctx)
{
	(void)ctx;
	if (pa < 0x100000 || pa - 0x100000 > in_len ||
	    len > in_len - (pa - 0x100000))
		return NULL;
	return in + (pa - 0x100000);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct acpi a;
	struct acpi_topology t;
	struct acpi_s5 s5;
	char err[160];

	in = data;
	in_len = size;
	if (size < 36)
		return 0;
	if (acpi_init(&a, data, 36, map, NULL, err, sizeof(err)))
		return 0;
	acpi_topology(&a, &t, err, sizeof(err));
	if (t.nr_cpus > ACPI_MAX_CPUS || t.nr_ioapics > ACPI_MAX_IOAPICS ||
	    t.nr_mcfg > ACPI_MAX_MCFG)
		__builtin_trap();
	acpi_find_s5(&a, &s5, err, sizeof(err));
	return 0;
}
