/*
 * arch/x86_64/isr.S — one stub per vector; all funnel into trap_common,
 * which saves the registers as a struct trap_frame and calls trap_dispatch.
 */
	.text

.macro ISR_NOERR n
	.balign 16
isr_\n:
	pushq $0
	pushq $\n
	jmp trap_common
.endm
.macro ISR_ERR n
	.balign 16
isr_\n:
	pushq $\n
	jmp trap_common
.endm

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
