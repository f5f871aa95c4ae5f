FUZZ_TARGETS += acpi
FUZZ_SRCS_acpi := tests/fuzz/fuzz_acpi.c arch/x86_64/acpi.c arch/x86_64/acpi_tables.c kernel/format.c
