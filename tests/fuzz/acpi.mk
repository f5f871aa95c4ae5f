FUZZ_TARGETS += acpi
FUZZ_SRCS_acpi := tests/fuzz/fuzz_acpi.c drivers/acpi.c drivers/acpi_tables.c kernel/format.c
