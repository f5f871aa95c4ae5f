/*
 * arch/x86_64/power.c — leaving the machine: isa-debug-exit in test mode
 * (QEMU exits with (status << 1) | 1), ACPI soft-off (S5) otherwise.
 */
#include "arch/x86_64/acpi.h"
#include "arch/x86_64/cpu.h"
#include "kernel/errno.h"
#include "kernel/log.h"
#include "kernel/panic.h"

#define DEBUG_EXIT_PORT 0xf4

static bool test_mode;				     /* set once at boot */
static power_off_hook_fn hooks[POWER_OFF_HOOKS_MAX]; /* (c) after boot */
static int nr_hooks;				     /* (c) after boot */
static int hooks_ran; /* (a) the first power_off runs them, no other */

int power_off_register(power_off_hook_fn fn)
{
	if (nr_hooks == POWER_OFF_HOOKS_MAX)
		return -ENOSPC;
	hooks[nr_hooks++] = fn;
	return 0;
}

void power_set_test_mode(bool on)
{
	test_mode = on;
}
bool power_test_mode(void)
{
	return test_mode;
}

static void acpi_soft_off(void)
{
	struct acpi_s5 s5;
	char err[160];

	if (!kernel_acpi_ok ||
	    acpi_find_s5(&kernel_acpi, &s5, err, sizeof(err))) {
		kprintf("unum: no ACPI soft-off (%s)\n",
			kernel_acpi_ok ? err : "no ACPI");
		return;
	}
	if (s5.smi_cmd && s5.acpi_enable && !(inw(s5.pm1a_cnt) & 1)) {
		outb(s5.smi_cmd, s5.acpi_enable);
		for (int i = 0; i < 1000000 && !(inw(s5.pm1a_cnt) & 1); i++)
			arch_cpu_relax();
	}
	outw(s5.pm1a_cnt, (uint16_t)(s5.slp_typ_a << 10 | 1 << 13));
	if (s5.pm1b_cnt)
		outw(s5.pm1b_cnt, (uint16_t)(s5.slp_typ_b << 10 | 1 << 13));
}

void power_off(int status)
{
	bool orderly = arch_irqs_enabled();
	if (!__atomic_exchange_n(&hooks_ran, 1, __ATOMIC_ACQ_REL))
		for (int i = 0; i < nr_hooks; i++)
			hooks[i](orderly);
	arch_irq_disable();
	if (test_mode) {
		kprintf("unum: exit status %d\n", status);
		outb(DEBUG_EXIT_PORT, (uint8_t)status);
		/* still here: no debug-exit device; fall back to soft-off */
	}
	kprintf("unum: power off\n");
	acpi_soft_off();
	for (;;)
		cpu_halt();
}
