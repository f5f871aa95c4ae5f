/*
 * arch/x86_64/switch.S — arch_switch(prev, next): save the callee-saved
 * registers and the FPU/SSE state of prev, load next's, and switch stacks.
 * Offsets follow struct thread: saved_rsp at 0, fpu at 8, fs_base at 16.
 */
	.text
	.globl arch_switch
arch_switch:
	pushq %rbp
	movq %rsp, %rbp
	pushq %rbx
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	movq 8(%rdi), %rax
	fxsave64 (%rax)
	movq %rsp, 0(%rdi)

	movq 0(%rsi), %rsp
	movq 8(%rsi), %rax
	fxrstor64 (%rax)
	movq 16(%rsi), %rax
	cmpq 16(%rdi), %rax
	je 1f
	movl $0xc0000100, %ecx      /* FS base: the next thread's TLS */
	movq %rax, %rdx
	shrq $32, %rdx
	wrmsr
1:
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %rbx
	popq %rbp
	ret

	/* A new thread's first return lands here (see arch_thread_init_stack). */
	.globl arch_thread_start
arch_thread_start:
	xorl %ebp, %ebp
	jmp *%rbx
