/*
 * arch/x86_64/gdt.c — per-CPU GDT and TSS. The TSS carries the interrupt
 * stack table: #DF, NMI and #MC run on their own stacks, so a kernel stack
 * overflow still produces a crash report.
 */
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/percpu_arch.h"
#include "arch/x86_64/trap.h"
#include "kernel/kstring.h"

#define GDT_KCODE 0x08
#define GDT_KDATA 0x10
#define GDT_TSS	  0x18

static struct arch_cpu bsp_arch __attribute__((aligned(4096)));
struct arch_cpu *arch_cpus[MAX_CPUS] = {&bsp_arch};

struct __attribute__((packed)) gdt_ptr {
	uint16_t limit;
	uint64_t base;
};

void gdt_init_cpu(int cpu)
{
	struct arch_cpu *a = arch_cpus[cpu];

	memset(&a->tss, 0, sizeof(a->tss));
	for (int i = 0; i < IST_COUNT; i++)
		a->tss.ist[i] = (uint64_t)&a->ist_stack[i][IST_STACK_SIZE];
	a->tss.iomap_base = sizeof(a->tss);

	a->gdt[0] = 0;
	a->gdt[1] = 0x00af9a000000ffffull; /* kernel code, 64-bit */
	a->gdt[2] = 0x00cf92000000ffffull; /* kernel data */
	uint64_t base = (uint64_t)&a->tss, limit = sizeof(a->tss) - 1;
	a->gdt[3] = (limit & 0xffff) | ((base & 0xffffff) << 16) |
		    (0x89ull << 40) | (((limit >> 16) & 0xf) << 48) |
		    (((base >> 24) & 0xff) << 56);
	a->gdt[4] = base >> 32;

	struct gdt_ptr p = {sizeof(a->gdt) - 1, (uint64_t)a->gdt};
	__asm__ volatile("lgdt %0\n\t"
			 "pushq %1\n\t"
			 "leaq 1f(%%rip), %%rax\n\t"
			 "pushq %%rax\n\t"
			 "lretq\n"
			 "1:\n\t"
			 "movw %w2, %%ax\n\t"
			 "movw %%ax, %%ds\n\t"
			 "movw %%ax, %%es\n\t"
			 "movw %%ax, %%ss\n\t"
			 "ltr %w3"
			 :
			 : "m"(p), "i"(GDT_KCODE), "r"(GDT_KDATA), "r"(GDT_TSS)
			 : "rax", "memory");
}
