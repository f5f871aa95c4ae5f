/*
 * arch/x86_64/percpu_arch.h — the architecture's part of a CPU: its GDT,
 * TSS and interrupt stacks.
 */
#ifndef ARCH_X86_64_PERCPU_ARCH_H
#define ARCH_X86_64_PERCPU_ARCH_H

#include <stdint.h>

#include "kernel/percpu.h"

#define IST_COUNT      4 /* 1: #DF, 2: NMI, 3: #MC, 4: every other vector (entry) */
#define IST_STACK_SIZE 8192

struct __attribute__((packed)) tss {
	uint32_t reserved0;
	uint64_t rsp[3];
	uint64_t reserved1;
	uint64_t ist[7];
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iomap_base;
};
_Static_assert(sizeof(struct tss) == 104, "TSS layout");

struct arch_cpu {
	uint64_t gdt[5];
	struct tss tss;
	uint8_t ist_stack[IST_COUNT][IST_STACK_SIZE]
	    __attribute__((aligned(16)));
};

extern struct arch_cpu *arch_cpus[MAX_CPUS];

#endif
