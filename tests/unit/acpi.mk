UNIT_TESTS += acpi
UNIT_SRCS_acpi := tests/unit/test_acpi.c arch/x86_64/acpi.c arch/x86_64/acpi_tables.c kernel/format.c
