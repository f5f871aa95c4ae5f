# arch/x86_64/ — the PC platform: CPU setup, traps, paging, APIC, context
# switch, power, the ACPI tables (the CPUs to start, the power-off) and the
# serial console (needed before anything else).
KERNEL_SRCS += arch/x86_64/smp.c arch/x86_64/trampoline.S arch/x86_64/gdt.c \
	arch/x86_64/trap.c arch/x86_64/isr.S arch/x86_64/crash.c \
	arch/x86_64/paging.c arch/x86_64/apic.c arch/x86_64/switch.S \
	arch/x86_64/thread_arch.c arch/x86_64/power.c arch/x86_64/ipi.c \
	arch/x86_64/kcall.S arch/x86_64/rtc.c arch/x86_64/serial.c \
	arch/x86_64/acpi.c arch/x86_64/acpi_tables.c arch/x86_64/acpi_kernel.c
