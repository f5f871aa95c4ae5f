/*
 * arch/x86_64/trampoline.S — the application processors' first code. It is
 * copied to TRAMPOLINE_BASE (a page below 1 MiB) and entered in real mode
 * by the STARTUP IPI; it goes through protected mode into long mode with
 * the trampoline page tables (identity for this page, kernel half shared),
 * then jumps to ap_entry(cpu, kernel_cr3) on the stack the boot CPU gave.
 */
#include "arch/x86_64/trampoline.h"

#define ABS(x) (TRAMPOLINE_BASE + ((x) - trampoline_start))

	.section .rodata
	.balign 16
	.globl trampoline_start
	.globl trampoline_end
	.code16
trampoline_start:
	cli
	cld
	xorw %ax, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	lgdtl ABS(tr_gdt_ptr)
	movl %cr0, %eax
	orl $1, %eax
	movl %eax, %cr0
	ljmpl $0x08, $ABS(tr_pm32)

	.code32
tr_pm32:
	movw $0x10, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	movl %cr4, %eax
	orl $((1 << 5) | (1 << 7)), %eax   /* PAE, PGE */
	movl %eax, %cr4
	movl $TRAMPOLINE_PML4, %eax
	movl %eax, %cr3
	movl $0xc0000080, %ecx
	rdmsr
	orl $((1 << 8) | (1 << 11)), %eax  /* LME, NXE */
	wrmsr
	movl %cr0, %eax
	orl $((1 << 31) | (1 << 16)), %eax /* PG, WP */
	movl %eax, %cr0
	ljmpl $0x18, $ABS(tr_lm64)

	.code64
tr_lm64:
	movw $0x10, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	movq ABS(tr_stack), %rsp
	movq ABS(tr_cpu), %rdi
	movq ABS(tr_kcr3), %rsi
	movq ABS(tr_entry), %rax
	xorl %ebp, %ebp
	pushq $0
	jmp *%rax

	.balign 8
tr_gdt:
	.quad 0
	.quad 0x00cf9a000000ffff   /* 0x08: 32-bit code */
	.quad 0x00cf92000000ffff   /* 0x10: data */
	.quad 0x00af9a000000ffff   /* 0x18: 64-bit code */
tr_gdt_end:
tr_gdt_ptr:
	.short tr_gdt_end - tr_gdt - 1
	.long ABS(tr_gdt)

	.balign 8
	.globl trampoline_params
trampoline_params:
tr_kcr3:	.quad 0
tr_stack:	.quad 0
tr_entry:	.quad 0
tr_cpu:		.quad 0
trampoline_end:
