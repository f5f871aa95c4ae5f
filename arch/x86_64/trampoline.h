/*
 * arch/x86_64/trampoline.h — where the AP trampoline and its page tables
 * live in low memory, and its parameter block.
 */
#ifndef ARCH_X86_64_TRAMPOLINE_H
#define ARCH_X86_64_TRAMPOLINE_H

#define TRAMPOLINE_BASE 0x8000 /* code + parameters: one page */
#define TRAMPOLINE_PML4 0x9000
#define TRAMPOLINE_PDPT 0xa000
#define TRAMPOLINE_PD	0xb000
#define TRAMPOLINE_END	0xc000

#ifndef __ASSEMBLY__
#include <stdint.h>
struct trampoline_params {
	uint64_t kernel_cr3;
	uint64_t stack;
	uint64_t entry;
	uint64_t cpu;
};
#endif

#endif
