/*
 * arch/x86_64/apic.h — local APIC (x2APIC when present), the IOAPIC, and
 * the legacy timers used to calibrate the LAPIC timer and the TSC.
 */
#ifndef ARCH_X86_64_APIC_H
#define ARCH_X86_64_APIC_H

#include <stdbool.h>
#include <stdint.h>

void pic_disable(void);
/* Enables this CPU's LAPIC (x2APIC mode when the CPU has it). */
void lapic_init(void);
uint32_t lapic_id(void);
void lapic_eoi(void);
bool lapic_x2apic(void);
/* Measures the LAPIC timer and the TSC against PIT channel 2 (boot CPU). */
void lapic_calibrate(uint64_t *tsc_hz, uint32_t *lapic_hz);
/* Periodic timer interrupt at `hz` on VEC_TIMER (each CPU). */
void lapic_timer_start(uint32_t hz);
void lapic_send_ipi(uint32_t apic_id, uint8_t vector);
void lapic_send_init_sipi(uint32_t apic_id, uint8_t page);
/* Masks every IOAPIC input (devices use MSI or are polled). */
void ioapic_init(uint64_t phys);
/* Unmasks ISA input `irq` (identity-mapped: no interrupt source override,
 * true of the serial ports) as `vector` to the CPU apic_id: 0 or -EINVAL. */
int ioapic_route_isa(uint8_t irq, uint8_t vector, uint32_t apic_id);
bool tsc_invariant(void);

#endif
