/*
 * arch/x86_64/kcall.S — crossing between application stacks (in the global
 * address space) and the thread's kernel stack, like a system call would.
 *
 * long arch_kcall(long (*fn)(void *), void *arg): runs fn(arg) on the
 * current thread's kernel stack (at its top, where it is free whenever
 * application code runs) and returns its result on the caller's stack.
 * Called from the kernel stack already, it is a plain call.
 *
 * void arch_enter_app(uintptr_t stack_top, void (*fn)(void *), void *arg):
 * abandons the kernel stack and calls fn(arg) on an application stack;
 * fn must not return.
 */
#include "kernel/percpu_asm.h"

	.text
	.globl arch_kcall
arch_kcall:
	movq %rdi, %rax
	movq %rsi, %rdi
	cmpq %gs:CPU_KSTACK_LO_OFF, %rsp
	jb 1f
	cmpq %gs:CPU_KSTACK_TOP_OFF, %rsp
	jae 1f
	jmp *%rax                  /* already on the kernel stack */
1:	pushq %rbp
	movq %rsp, %rbp
	movq %gs:CPU_KSTACK_TOP_OFF, %rsp
	pushq %rbp                 /* the application rsp, to come back to */
	pushq $0                   /* keeps the callee's stack 16-aligned */
	call *%rax
	addq $8, %rsp
	popq %rsp
	popq %rbp
	ret

	.globl arch_enter_app
arch_enter_app:
	movq %rdi, %rsp
	andq $-16, %rsp
	xorl %ebp, %ebp
	movq %rsi, %rax
	movq %rdx, %rdi
	pushq $0                   /* no return address: fn must not return */
	jmp *%rax
