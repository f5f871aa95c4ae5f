UNIT_TESTS += acpi
UNIT_SRCS_acpi := tests/unit/test_acpi.c drivers/acpi.c drivers/acpi_tables.c kernel/format.c
