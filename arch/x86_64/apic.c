/*
 * arch/x86_64/apic.c — local APIC, IOAPIC, PIT-based calibration.
 */
#include "arch/x86_64/apic.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/trap.h"
#include "kernel/errno.h"
#include "kernel/log.h"
#include "mm/vm.h"

#define LAPIC_ID	 0x20
#define LAPIC_TPR	 0x80
#define LAPIC_EOI	 0xb0
#define LAPIC_SVR	 0xf0
#define LAPIC_ICR_LO	 0x300
#define LAPIC_ICR_HI	 0x310
#define LAPIC_LVT_TIMER	 0x320
#define LAPIC_TIMER_INIT 0x380
#define LAPIC_TIMER_CUR	 0x390
#define LAPIC_TIMER_DIV	 0x3e0
#define LVT_MASKED	 (1u << 16)
#define LVT_PERIODIC	 (1u << 17)

#define PIT_HZ	     1193182u
#define CALIBRATE_MS 10

static bool x2apic;		      /* (c) after the boot CPU's lapic_init */
static volatile uint32_t *lapic_mmio; /* (c) xAPIC registers */
static uint32_t lapic_timer_hz;	      /* (c) LAPIC timer ticks/s at divide 16 */

bool lapic_x2apic(void)
{
	return x2apic;
}

static uint32_t lapic_read(uint32_t reg)
{
	if (x2apic)
		return (uint32_t)rdmsr(0x800 + (reg >> 4));
	return lapic_mmio[reg / 4];
}

static void lapic_write(uint32_t reg, uint32_t v)
{
	if (x2apic)
		wrmsr(0x800 + (reg >> 4), v);
	else
		lapic_mmio[reg / 4] = v;
}

void pic_disable(void)
{
	/* remap the 8259s away from the exception vectors, then mask them */
	outb(0x20, 0x11);
	outb(0xa0, 0x11);
	outb(0x21, 0x20);
	outb(0xa1, 0x28);
	outb(0x21, 4);
	outb(0xa1, 2);
	outb(0x21, 1);
	outb(0xa1, 1);
	outb(0x21, 0xff);
	outb(0xa1, 0xff);
}

static void spurious(struct trap_frame *tf)
{
	(void)tf;
}

void lapic_init(void)
{
	uint64_t base = rdmsr(MSR_APIC_BASE);
	if (!lapic_mmio && !x2apic) { /* first CPU decides the mode */
		x2apic = cpuid(1, 0).ecx & (1u << 21);
		if (!x2apic)
			lapic_mmio = vm_map_mmio(base & ~0xfffull, 4096);
		trap_register(VEC_SPURIOUS, spurious);
	}
	base |= 1u << 11; /* global enable */
	if (x2apic)
		base |= 1u << 10;
	wrmsr(MSR_APIC_BASE, base);
	lapic_write(LAPIC_TPR, 0);
	lapic_write(LAPIC_SVR, 0x100 | VEC_SPURIOUS);
	lapic_write(LAPIC_LVT_TIMER, LVT_MASKED);
}

uint32_t lapic_id(void)
{
	uint32_t id = lapic_read(LAPIC_ID);
	return x2apic ? id : id >> 24;
}

void lapic_eoi(void)
{
	lapic_write(LAPIC_EOI, 0);
}

/* Busy-waits `ms` (<= 50) on PIT channel 2 (gate through port 0x61). */
static void pit_wait_ms(unsigned ms)
{
	uint32_t count = PIT_HZ * ms / 1000;
	outb(0x61, (inb(0x61) & ~0x02) | 0x01); /* gate on, speaker off */
	outb(0x43, 0xb0);			/* channel 2, lo/hi, mode 0 */
	outb(0x42, count & 0xff);
	outb(0x42, count >> 8);
	/* restart the count by toggling the gate */
	uint8_t v = inb(0x61);
	outb(0x61, v & ~1);
	outb(0x61, v | 1);
	while (!(inb(0x61) & 0x20))
		arch_cpu_relax();
}

void lapic_calibrate(uint64_t *tsc_hz, uint32_t *lapic_hz)
{
	lapic_write(LAPIC_TIMER_DIV, 0x3); /* divide by 16 */
	lapic_write(LAPIC_TIMER_INIT, 0xffffffff);
	uint64_t t0 = arch_rdtsc();
	pit_wait_ms(CALIBRATE_MS);
	uint64_t t1 = arch_rdtsc();
	uint32_t left = lapic_read(LAPIC_TIMER_CUR);
	lapic_write(LAPIC_TIMER_INIT, 0);
	lapic_timer_hz =
	    (uint32_t)((0xffffffffull - left) * 1000 / CALIBRATE_MS);
	*lapic_hz = lapic_timer_hz;
	*tsc_hz = (t1 - t0) * 1000 / CALIBRATE_MS;
}

void lapic_timer_start(uint32_t hz)
{
	lapic_write(LAPIC_TIMER_DIV, 0x3);
	lapic_write(LAPIC_LVT_TIMER, VEC_TIMER | LVT_PERIODIC);
	uint32_t init = lapic_timer_hz / hz;
	lapic_write(LAPIC_TIMER_INIT, init ? init : 1);
}

static void icr_wait(void)
{
	if (x2apic)
		return; /* x2APIC ICR writes are not pending */
	while (lapic_read(LAPIC_ICR_LO) & (1u << 12))
		arch_cpu_relax();
}

static void icr_send(uint32_t apic_id, uint32_t lo)
{
	if (x2apic) {
		wrmsr(0x830, ((uint64_t)apic_id << 32) | lo);
	} else {
		icr_wait();
		lapic_write(LAPIC_ICR_HI, apic_id << 24);
		lapic_write(LAPIC_ICR_LO, lo);
		icr_wait();
	}
}

void lapic_send_ipi(uint32_t apic_id, uint8_t vector)
{
	icr_send(apic_id, vector);
}

void lapic_send_init_sipi(uint32_t apic_id, uint8_t page)
{
	icr_send(apic_id, 0x4500); /* INIT, assert */
	pit_wait_ms(10);
	icr_send(apic_id, 0x4600 | page); /* STARTUP */
	pit_wait_ms(1);
	icr_send(apic_id, 0x4600 | page);
}

/* The IOAPIC's registers (set once by ioapic_init). */
static volatile uint32_t *ioapic;

void ioapic_init(uint64_t phys)
{
	volatile uint32_t *io = vm_map_mmio(phys, 32);
	if (!io)
		return;
	ioapic = io;
	io[0] = 1; /* IOAPICVER */
	uint32_t n = ((io[4] >> 16) & 0xff) + 1;
	for (uint32_t i = 0; i < n; i++) {
		io[0] = 0x10 + 2 * i;
		io[4] = 1u << 16; /* masked */
		io[0] = 0x11 + 2 * i;
		io[4] = 0;
	}
	pr_info("apic", "IOAPIC at 0x%lx: %u inputs masked", phys, n);
}

int ioapic_route_isa(uint8_t irq, uint8_t vector, uint32_t apic_id)
{
	if (!ioapic || irq >= 16 || apic_id > 0xff)
		return -EINVAL;
	/* ISA inputs: edge-triggered, active high, fixed, physical mode */
	ioapic[0] = 0x11 + 2 * irq;
	ioapic[4] = apic_id << 24;
	ioapic[0] = 0x10 + 2 * irq;
	ioapic[4] = vector;
	return 0;
}

bool tsc_invariant(void)
{
	if (cpuid(0x80000000, 0).eax < 0x80000007)
		return false;
	return cpuid(0x80000007, 0).edx & (1u << 8);
}
