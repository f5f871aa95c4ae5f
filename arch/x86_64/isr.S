/*
 * arch/x86_64/isr.S — one stub per vector; all funnel into trap_common,
 * which saves the registers as a struct trap_frame and calls trap_dispatch.
 *
 * Everything runs in ring 0, so the CPU would push an interrupt frame onto
 * whatever stack is current — an application stack in the global address
 * space, whose red zone it would clobber and whose page may be absent on
 * this node. So every vector enters on IST4 (a small per-CPU stack) and
 * moves, like a privilege change would, onto the current thread's kernel
 * stack: below the interrupted RSP if that was already on the kernel stack,
 * else at its top. #DF, NMI and #MC keep their own IST stacks and stay.
 */
#include "kernel/percpu_asm.h"

	.text

.macro ISR_NOERR n
	.balign 16
isr_\n:
	pushq $0
	pushq $\n
	jmp trap_entry
.endm
.macro ISR_ERR n
	.balign 16
isr_\n:
	pushq $\n
	jmp trap_entry
.endm

/* On IST4: vector, error, rip, cs, rflags, rsp, ss (7 qwords). */
trap_entry:
	pushq %rax
	pushq %rbx
	/* vector 2, 8, 18: stay on their own IST stack */
	movq 16(%rsp), %rax
	cmpq $2, %rax
	je 2f
	cmpq $8, %rax
	je 2f
	cmpq $18, %rax
	je 2f
	movq 56(%rsp), %rax             /* interrupted rsp */
	movq %gs:CPU_KSTACK_LO_OFF, %rbx
	cmpq %rbx, %rax
	jb 1f
	cmpq %gs:CPU_KSTACK_TOP_OFF, %rax
	jae 1f
	andq $-16, %rax                 /* nested: go on below it */
	jmp 3f
1:	movq %gs:CPU_KSTACK_TOP_OFF, %rax  /* from another stack: the top */
3:	subq $72, %rax                  /* 9 qwords: rbx, rax, vector..ss */
	movq %rsp, %rbx
	/* copy the 9 qwords (rbx at 0 .. ss at 64) */
	pushq %rcx
	xorl %ecx, %ecx
4:	pushq (%rbx, %rcx, 8)
	popq (%rax, %rcx, 8)
	incl %ecx
	cmpl $9, %ecx
	jne 4b
	popq %rcx
	movq %rax, %rsp
2:	popq %rbx
	popq %rax
	jmp trap_common

trap_common:
	pushq %rax
	pushq %rbx
	pushq %rcx
	pushq %rdx
	pushq %rsi
	pushq %rdi
	pushq %rbp
	pushq %r8
	pushq %r9
	pushq %r10
	pushq %r11
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	cld
	movq %rsp, %rdi
	/* a frame record so backtraces walk through interrupts */
	movq 17*8(%rsp), %rax   /* interrupted rip */
	pushq %rax
	pushq %rbp
	movq %rsp, %rbp
	call trap_dispatch
	addq $16, %rsp
trap_return:
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %r11
	popq %r10
	popq %r9
	popq %r8
	popq %rbp
	popq %rdi
	popq %rsi
	popq %rdx
	popq %rcx
	popq %rbx
	popq %rax
	addq $16, %rsp
	iretq

/*
 * void arch_trap_resume(const struct trap_frame *tf): the tail of
 * trap_common for a frame built elsewhere (a migrated thread arriving).
 * tf must lie on the current kernel stack, below which nothing is live.
 */
	.globl arch_trap_resume
arch_trap_resume:
	movq %rdi, %rsp
	jmp trap_return

/* exceptions with an error code: 8, 10-14, 17, 21, 29, 30 */
.altmacro
.macro GEN n
	.if (\n == 8) || (\n >= 10 && \n <= 14) || (\n == 17) || (\n == 21) || (\n == 29) || (\n == 30)
		ISR_ERR \n
	.else
		ISR_NOERR \n
	.endif
.endm
.set i, 0
.rept 256
	GEN %i
	.set i, i + 1
.endr

	.section .rodata
	.balign 8
	.globl isr_table
isr_table:
.macro ADDR n
	.quad isr_\n
.endm
.set i, 0
.rept 256
	ADDR %i
	.set i, i + 1
.endr
